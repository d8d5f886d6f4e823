//! GraphQL over HTTP (content negotiation, GET, GraphiQL) and the operational endpoints.

use crate::helpers::{admin, spawn};
use serde_json::{Value, json};

/// The response type follows `Accept`; with graphql-response+json a request error is a 400.
#[tokio::test]
async fn content_negotiation() {
    let gw = spawn().await;
    let post = |accept: &'static str, query: &'static str| {
        gw.http
            .post(gw.url("/graphql"))
            .bearer_auth(admin())
            .header("accept", accept)
            .json(&json!({"query": query}))
            .send()
    };
    let r = post(
        "application/graphql-response+json",
        "{ viewer { subject } }",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/graphql-response+json"
    );
    let r = post("application/json", "{ viewer { subject } }")
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["viewer"]["subject"], "tester");

    let r = post("application/graphql-response+json", "{ viewer { ")
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "a parse error with the new media type is a 400"
    );
    let r = post("application/json", "{ nosuchfield }").await.unwrap();
    assert_eq!(r.status(), 200, "legacy clients get 200 with errors");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nosuchfield")
    );

    let r = post("text/plain", "{ viewer { subject } }").await.unwrap();
    assert_eq!(r.status(), 406);
}

/// GET runs queries, refuses mutations with 405, and serves GraphiQL to browsers.
#[tokio::test]
async fn get_requests() {
    let gw = spawn().await;
    let r = gw
        .http
        .get(gw.url("/graphql"))
        .query(&[("query", "{ hosterapiTemplates }")])
        .bearer_auth(admin())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["data"]["hosterapiTemplates"],
        json!(["Debian10.0", "Ubuntu20.04"])
    );

    let r = gw
        .http
        .get(gw.url("/graphql"))
        .query(&[(
            "query",
            "mutation { hosterapiStartServer(sid: 4002) { ok } }",
        )])
        .bearer_auth(admin())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let state = gw
        .data("{ hosterapiServerStatus(sid: 4002) { state } }", json!({}))
        .await;
    assert_eq!(
        state["hosterapiServerStatus"]["state"], "stopped",
        "the GET mutation changed nothing"
    );

    let r = gw
        .http
        .get(gw.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().to_lowercase().contains("graphiql"));
}

/// Health, readiness and Prometheus metrics answer; every response carries a request id.
#[tokio::test]
async fn operational_endpoints() {
    let gw = spawn().await;
    let r = gw.http.get(gw.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    let r = gw.http.get(gw.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // One upstream call so the upstream histogram has a sample.
    gw.data("{ hosterapiTemplates }", json!({})).await;
    let metrics = gw
        .http
        .get(gw.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("hostplane_http_requests_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hostplane_upstream_request_seconds"),
        "{metrics}"
    );
    let r = gw
        .http
        .get(gw.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["x-request-id"],
        "abc-123",
        "a caller's request id is kept"
    );
}
