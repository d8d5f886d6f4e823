//! GraphQL-over-HTTP conformance: what the graphql-http server audit (`conformance/audit.mjs`) checks
//! against a live gateway, pinned here so a regression fails `cargo nextest` without Node. Media type
//! negotiation, request errors with and without the new media type, request body and parameter
//! shapes, GET parameters, and batches.

use crate::helpers::{TestGateway, admin, spawn};
use reqwest::{RequestBuilder, Response};
use serde_json::{Value, json};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// A POST of `body` verbatim with an admin token, `content_type` and `accept` (each `None` to leave
/// the header out).
fn post(
    gw: &TestGateway,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> RequestBuilder {
    let mut req = gw
        .http
        .post(gw.url("/graphql"))
        .bearer_auth(admin())
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req
}

/// A JSON POST of `body` accepting `accept`.
fn post_json(gw: &TestGateway, accept: Option<&str>, body: Value) -> RequestBuilder {
    post(gw, Some(JSON), accept, body.to_string())
}

/// A GET with these query parameters, an admin token and `accept`.
fn get(gw: &TestGateway, accept: Option<&str>, params: &[(&str, &str)]) -> RequestBuilder {
    let mut req = gw
        .http
        .get(gw.url("/graphql"))
        .query(params)
        .bearer_auth(admin());
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    req
}

/// Status, content type and JSON body of a response.
async fn read(req: RequestBuilder) -> (u16, String, Value) {
    let resp: Response = req.send().await.expect("gateway answers");
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().await.expect("a body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {status} {content_type} {text}"));
    (status, content_type, body)
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// The response type follows `Accept`: the new media type when asked for, `application/json` when
/// asked for, when `Accept` is missing, and for the wildcards (clients that accept anything predate
/// the new type); a request error stays a 200 for every one of the legacy cases.
#[tokio::test]
async fn media_type_negotiation() {
    let gw = spawn().await;
    let ok = json!({"query": "{ __typename }"});
    let invalid = json!({"query": "{ noSuchField8f31 }"});

    let (status, ct, body) = read(post_json(&gw, Some(GRAPHQL_RESPONSE), ok.clone())).await;
    assert_eq!((status, ct.as_str()), (200, GRAPHQL_RESPONSE), "{body}");
    assert_eq!(body, json!({"data": {"__typename": "Query"}}));

    for accept in [Some(JSON), None, Some("*/*"), Some("application/*")] {
        let (status, ct, body) = read(post_json(&gw, accept, ok.clone())).await;
        assert_eq!((status, ct.as_str()), (200, JSON), "{accept:?}: {body}");
        assert_eq!(body, json!({"data": {"__typename": "Query"}}), "{accept:?}");
        let (status, ct, body) = read(post_json(&gw, accept, invalid.clone())).await;
        assert_eq!(
            (status, ct.as_str()),
            (200, JSON),
            "{accept:?}: a legacy client reads request errors from a 200: {body}"
        );
        assert_eq!(code(&body), "VALIDATION", "{body}");
    }

    // Quality decides; a browser's Accept with a wildcard behind HTML is still legacy JSON.
    let (_, ct, _) = read(post_json(
        &gw,
        Some("application/json;q=0.9, application/graphql-response+json"),
        ok.clone(),
    ))
    .await;
    assert_eq!(ct, GRAPHQL_RESPONSE);
    let (_, ct, _) = read(post_json(
        &gw,
        Some("text/html,application/xhtml+xml,*/*;q=0.8"),
        ok.clone(),
    ))
    .await;
    assert_eq!(ct, JSON);

    let resp = post_json(&gw, Some("text/plain"), ok).send().await.unwrap();
    assert_eq!(resp.status(), 406);
}

/// With the new media type a request that never reaches execution (parse, validation, variable
/// coercion, an unknown operation) is a 400 without a `data` entry; with `application/json` it is a
/// 200, still without `data`. A field error did execute: 200 with `data` and a path.
#[tokio::test]
async fn request_errors_by_media_type() {
    let gw = spawn().await;
    let cases = [
        ("parse", json!({"query": "{"})),
        ("validation", json!({"query": "{ noSuchField8f31 }"})),
        (
            "variable coercion",
            json!({"query": "query Q($id: ID!) { __typename }", "variables": {"id": null}}),
        ),
        (
            "unknown operation",
            json!({"query": "query A { __typename }", "operationName": "B"}),
        ),
    ];
    for (what, request) in cases {
        let (status, ct, body) =
            read(post_json(&gw, Some(GRAPHQL_RESPONSE), request.clone())).await;
        assert_eq!(
            (status, ct.as_str()),
            (400, GRAPHQL_RESPONSE),
            "{what}: {body}"
        );
        assert!(body.get("data").is_none(), "{what}: no data entry: {body}");
        assert_eq!(code(&body), "VALIDATION", "{what}: {body}");

        let (status, ct, body) = read(post_json(&gw, Some(JSON), request)).await;
        assert_eq!((status, ct.as_str()), (200, JSON), "{what}: {body}");
        assert!(body.get("data").is_none(), "{what}: no data entry: {body}");
        assert!(body["errors"][0]["message"].is_string(), "{what}: {body}");
    }

    // No credential: the field runs and refuses, so this is an execution result.
    let resp = gw
        .http
        .post(gw.url("/graphql"))
        .header("accept", GRAPHQL_RESPONSE)
        .json(&json!({"query": "{ hosterapiTemplates }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body.get("data"), Some(&Value::Null), "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["hosterapiTemplates"]));
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

/// A POST body must be `application/json` in UTF-8 (the charset parameter optional); anything else,
/// or no `Content-Type`, is a 415 and nothing runs. UTF-8 beyond ASCII is read as such.
#[tokio::test]
async fn request_content_type() {
    let gw = spawn().await;
    let ok = json!({"query": "{ __typename }"}).to_string();
    for ct in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
    ] {
        let (status, _, body) = read(post(&gw, Some(ct), None, ok.clone())).await;
        assert_eq!(status, 200, "{ct}: {body}");
        assert_eq!(body["data"]["__typename"], "Query", "{ct}");
    }
    let emoji = json!({"query": "{ __type(name: \"Run🏃Swim🏊\") { name } }"}).to_string();
    let (status, _, body) = read(post(
        &gw,
        Some("application/json; charset=utf-8"),
        Some(JSON),
        emoji,
    ))
    .await;
    assert_eq!((status, body), (200, json!({"data": {"__type": null}})));

    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/graphql"),
        Some("application/json; charset=iso-8859-1"),
    ] {
        let (status, ct_back, body) = read(post(&gw, ct, Some(GRAPHQL_RESPONSE), ok.clone())).await;
        assert_eq!(status, 415, "{ct:?}: {body}");
        assert_eq!(ct_back, GRAPHQL_RESPONSE, "{ct:?}");
        assert_eq!(code(&body), "VALIDATION", "{ct:?}: {body}");
    }
}

/// A body that is not a GraphQL request is a 400 `VALIDATION` whatever the media type: not JSON,
/// empty, no `query`, or a parameter of the wrong JSON type. Null optional parameters are fine.
#[tokio::test]
async fn request_parameters() {
    let gw = spawn().await;
    let malformed = [
        "",
        "{ \"not a JSON",
        "42",
        "[]",
        r#"{"qeury": "{ __typename }"}"#,
        r#"{"query": {"obj": "ect"}}"#,
        r#"{"query": 0}"#,
        r#"{"query": false}"#,
        r#"{"query": ["array"]}"#,
        r#"{"query": "{ __typename }", "operationName": {"obj": "ect"}}"#,
        r#"{"query": "{ __typename }", "operationName": 0}"#,
        r#"{"query": "{ __typename }", "operationName": ["array"]}"#,
        r#"{"query": "{ __typename }", "variables": "string"}"#,
        r#"{"query": "{ __typename }", "variables": 0}"#,
        r#"{"query": "{ __typename }", "variables": ["array"]}"#,
        r#"{"query": "{ __typename }", "extensions": "string"}"#,
        r#"{"query": "{ __typename }", "extensions": false}"#,
        r#"{"query": "{ __typename }", "extensions": ["array"]}"#,
    ];
    for accept in [JSON, GRAPHQL_RESPONSE] {
        for body in malformed {
            let (status, ct, answer) = read(post(&gw, Some(JSON), Some(accept), body)).await;
            assert_eq!(status, 400, "{accept} {body}: {answer}");
            assert_eq!(ct, accept, "{body}");
            assert_eq!(code(&answer), "VALIDATION", "{body}: {answer}");
        }
    }

    for param in ["variables", "operationName", "extensions"] {
        let mut request = json!({"query": "query Query { __typename }"});
        request[param] = Value::Null;
        for accept in [JSON, GRAPHQL_RESPONSE] {
            let (status, _, body) = read(post_json(&gw, Some(accept), request.clone())).await;
            assert_eq!(status, 200, "null {param}: {body}");
            assert_eq!(body, json!({"data": {"__typename": "Query"}}), "{param}");
        }
    }
    let (status, _, body) = read(post_json(
        &gw,
        Some(JSON),
        json!({
            "query": "query Type($name: String!) { __type(name: $name) { name } }",
            "operationName": "Type",
            "variables": {"name": "Query"},
            "extensions": {"some": "value"},
        }),
    ))
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"data": {"__type": {"name": "Query"}}}))
    );
}

/// GET reads `query`, `operationName` and JSON `variables` from the query string, refuses a request
/// without `query`, and refuses a mutation, also one picked by `operationName`, with 405 and without
/// running it.
#[tokio::test]
async fn get_parameters() {
    let gw = spawn().await;
    let two = "query A { a: __typename } query B { b: __typename }";
    let (status, ct, body) = read(get(&gw, None, &[("query", two), ("operationName", "B")])).await;
    assert_eq!((status, ct.as_str()), (200, JSON));
    assert_eq!(body, json!({"data": {"b": "Query"}}));

    for accept in [Some(GRAPHQL_RESPONSE), Some(JSON), Some("*/*")] {
        let (status, _, body) = read(get(
            &gw,
            accept,
            &[
                (
                    "query",
                    "query Type($name: String!) { __type(name: $name) { name } }",
                ),
                ("variables", r#"{"name": "Query"}"#),
            ],
        ))
        .await;
        assert_eq!(
            (status, body),
            (200, json!({"data": {"__type": {"name": "Query"}}})),
            "{accept:?}"
        );
    }

    for params in [
        &[][..],
        &[("operationName", "A")][..],
        &[("query", "{ __typename }"), ("variables", "{not json")][..],
        &[("query", "{ __typename }"), ("variables", "[]")][..],
    ] {
        let (status, _, body) = read(get(&gw, Some(GRAPHQL_RESPONSE), params)).await;
        assert_eq!(status, 400, "{params:?}: {body}");
        assert_eq!(code(&body), "VALIDATION", "{params:?}: {body}");
    }

    let mixed = "query Q { __typename } mutation M { hosterapiStartServer(sid: 4002) { ok } }";
    for params in [
        &[("query", "mutation { __typename }")][..],
        &[("query", mixed), ("operationName", "M")][..],
    ] {
        let resp = get(&gw, Some(GRAPHQL_RESPONSE), params)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{params:?}");
        assert_eq!(resp.headers()["allow"], "POST");
    }
    let state = gw
        .data("{ hosterapiServerStatus(sid: 4002) { state } }", json!({}))
        .await;
    assert_eq!(
        state["hosterapiServerStatus"]["state"], "stopped",
        "the GET mutation ran nothing"
    );
    // The query of the same document is still a GET's to run.
    let (status, _, body) = read(get(&gw, None, &[("query", mixed), ("operationName", "Q")])).await;
    assert_eq!(
        (status, body),
        (200, json!({"data": {"__typename": "Query"}}))
    );
}

/// A batch answers 200 with one result per operation, whatever the media type, each shaped as it
/// would be alone: a request error among them has no `data`.
#[tokio::test]
async fn batches() {
    let gw = spawn().await;
    let (status, ct, body) = read(post_json(
        &gw,
        Some(GRAPHQL_RESPONSE),
        json!([{"query": "{ __typename }"}, {"query": "{"}]),
    ))
    .await;
    assert_eq!((status, ct.as_str()), (200, GRAPHQL_RESPONSE), "{body}");
    assert_eq!(body[0], json!({"data": {"__typename": "Query"}}));
    assert!(body[1].get("data").is_none(), "{body}");
    assert_eq!(body[1]["errors"][0]["extensions"]["code"], "VALIDATION");

    let (status, _, body) = read(post_json(
        &gw,
        Some(JSON),
        json!([{"query": "{ __typename }"}, {"query": 1}]),
    ))
    .await;
    assert_eq!(
        status, 400,
        "one malformed operation refuses the batch: {body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("operation 1"),
        "{body}"
    );
}
