//! Abuse limits: each refuses an over-limit request with `LIMIT_EXCEEDED` (or, for the body, 413)
//! naming the limit, before anything runs; requests at the limit still pass; introspection and field
//! suggestions can be switched off for production.

use crate::helpers::{Options, TestGateway, admin, spawn, spawn_with};
use hostplane::config::Config;
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Asserts the query is refused for the named limit and reached no upstream.
async fn refused(gw: &TestGateway, query: &str, names: &str) {
    let before = gw.upstream.log.len() + gw.orchestrix_upstream.log.len();
    let body = gw.gql(query, json!({})).await;
    assert_eq!(code(&body), "LIMIT_EXCEEDED", "{body}");
    assert!(message(&body).contains(names), "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(
        gw.upstream.log.len() + gw.orchestrix_upstream.log.len(),
        before,
        "nothing ran"
    );
}

/// `{ viewer { a0: subject a1: subject ... } }` with `n` aliases.
fn aliased(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: subject")).collect();
    format!("{{ viewer {{ {} }} }}", fields.join(" "))
}

/// `n` root fields, each `viewer { subject }` under an alias.
fn roots(n: usize) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| format!("r{i}: viewer {{ subject }}"))
        .collect();
    format!("{{ {} }}", fields.join(" "))
}

/// Depth, aliases and root fields at their defaults (12, 50, 20).
#[tokio::test]
async fn document_shape_limits() {
    let gw = spawn().await;
    let nested = |levels: usize| {
        // sites > nodes > views > views > ... > id
        let mut q = "id".to_string();
        for _ in 0..levels {
            q = format!("views {{ {q} }}");
        }
        format!("{{ sites(filter: {{providers: [ORCHESTRIX]}}) {{ nodes {{ {q} }} }} }}")
    };
    refused(&gw, &nested(12), "deeper than 12").await;
    gw.data(&nested(8), json!({})).await;

    refused(&gw, &aliased(51), "51 aliases").await;
    gw.data(&aliased(50), json!({})).await;

    refused(&gw, &roots(21), "21 root fields").await;
    gw.data(&roots(20), json!({})).await;
    // A fragment at the root counts its fields there.
    let spread = format!(
        "{{ ...F }} fragment F on Query {{ {} }}",
        (0..21)
            .map(|i| format!("r{i}: viewer {{ subject }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    refused(&gw, &spread, "21 root fields").await;
}

/// The standard introspection queries of graphql-js (every option on) and graphql-core (its
/// defaults), whose `ofType` chains nest deeper than the depth limit, load the schema; an
/// introspection that nests lists in a cycle is refused.
#[tokio::test]
async fn standard_introspection_passes_the_limits() {
    let gw = spawn().await;
    for query in [
        include_str!("../fixtures/introspection/graphql-js.graphql"),
        include_str!("../fixtures/introspection/graphql-core.graphql"),
    ] {
        let data = gw.data(query, json!({})).await;
        let types = data["__schema"]["types"].as_array().expect("types");
        assert!(
            types.iter().any(|t| t["name"] == "Site"),
            "the schema's types are listed"
        );
    }
    let cycle =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    refused(&gw, cycle, "introspection nests 4 lists").await;
}

/// Complexity, tokens and document size, each set low to reach it with a small document.
#[tokio::test]
async fn cost_limits() {
    let gw = spawn_with(Options {
        configure: |c: &mut Config| {
            c.limits.max_complexity = 5;
            c.limits.max_tokens = 40;
            c.limits.max_query_bytes = 1_000;
        },
        ..Options::default()
    })
    .await;
    refused(
        &gw,
        "{ viewer { subject scopes connections } connections { name provider baseUrl } }",
        "complexity is over 5",
    )
    .await;
    gw.data("{ viewer { subject } }", json!({})).await;

    let many_tokens = format!("{{ viewer {{ {} }} }}", vec!["subject"; 40].join(" "));
    refused(&gw, &many_tokens, "tokens").await;

    // Comments are not tokens, but they are bytes.
    let padded = format!("# {}\n{{ viewer {{ subject }} }}", "x".repeat(1_000));
    refused(&gw, &padded, "bytes").await;
}

/// A batch of more than `max_batch` (10) operations is refused whole; ten still run.
#[tokio::test]
async fn batch_limit() {
    let gw = spawn().await;
    let batch = |n: usize| -> Value {
        (0..n)
            .map(|_| json!({"query": "{ viewer { subject } }"}))
            .collect()
    };
    let send = |body: Value| {
        gw.http
            .post(gw.url("/graphql"))
            .bearer_auth(admin())
            .json(&body)
            .send()
    };
    let over = send(batch(11)).await.expect("gateway answers");
    assert_eq!(over.status(), 400);
    let body: Value = over.json().await.expect("JSON");
    assert_eq!(code(&body), "LIMIT_EXCEEDED", "{body}");
    assert!(message(&body).contains("at most 10"), "{body}");

    let ok: Value = send(batch(10))
        .await
        .expect("gateway answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(ok.as_array().map(Vec::len), Some(10), "{ok}");
    assert!(ok[9]["data"]["viewer"]["subject"].is_string(), "{ok}");
}

/// A body over `max_body_bytes` is refused by size alone, with a 413 each surface words its own way:
/// a GraphQL error with `LIMIT_EXCEEDED`, or the REST API's error body. Nothing reaches upstream.
#[tokio::test]
async fn body_limit() {
    let gw = spawn_with(Options {
        configure: |c: &mut Config| c.limits.max_body_bytes = 1_000,
        ..Options::default()
    })
    .await;
    let query = format!("# {}\n{{ viewer {{ subject }} }}", "x".repeat(2_000));
    let resp = gw
        .http
        .post(gw.url("/graphql"))
        .bearer_auth(admin())
        .json(&json!({"query": query}))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.expect("a JSON body");
    assert_eq!(code(&body), "LIMIT_EXCEEDED", "{body}");

    let before = gw.upstream.log.len();
    let (status, body) = gw
        .rest(
            "POST",
            "/api/v1/datacenter/server/4001/rdns",
            Some(json!({"rdns": "x".repeat(2_000)})),
        )
        .await;
    assert_eq!(status, 413, "{body}");
    let error = body["error"].as_str().unwrap_or_default();
    assert!(
        error.starts_with("0xa0: ") && error.contains("limit"),
        "{body}"
    );
    assert_eq!(
        gw.upstream.log.len(),
        before,
        "nothing reached the upstream"
    );
}

/// Introspection and "did you mean" suggestions are on by default and can be switched off.
#[tokio::test]
async fn introspection_and_suggestions() {
    let open = spawn().await;
    let schema = open
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(schema["__schema"]["queryType"]["name"], "Query");
    let typo = open.gql("{ viewr { subject } }", json!({})).await;
    assert!(message(&typo).contains("Did you mean"), "{typo}");

    let closed = spawn_with(Options {
        configure: |c: &mut Config| {
            c.limits.introspection = false;
            c.limits.field_suggestions = false;
        },
        ..Options::default()
    })
    .await;
    let schema = closed
        .gql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(code(&schema), "FORBIDDEN", "{schema}");
    assert!(
        message(&schema).contains("introspection is disabled"),
        "{schema}"
    );
    // `__typename` is not introspection of the schema.
    closed.data("{ __typename }", json!({})).await;
    let typo = closed.gql("{ viewr { subject } }", json!({})).await;
    assert!(typo["errors"].is_array(), "{typo}");
    assert!(!message(&typo).contains("Did you mean"), "{typo}");
    // Ordinary queries are unaffected.
    closed.data("{ viewer { subject } }", json!({})).await;
}

/// Documents that passed the limits are kept parsed, so repeats skip the parser. A kept document
/// is never a shaped one: `@skip`/`@include` still follow each request's own variables, and a
/// refused text is refused every time.
#[tokio::test]
async fn kept_documents_follow_each_request() {
    let gw = spawn().await;
    let query = "query($s: Boolean!) { viewer { subject scopes @skip(if: $s) } }";
    for skip in [true, false, true, false] {
        let body = gw.gql(query, json!({"s": skip})).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(
            body["data"]["viewer"].get("scopes").is_none(),
            skip,
            "{body}"
        );
    }
    let over = aliased(51);
    refused(&gw, &over, "aliases").await;
    refused(&gw, &over, "aliases").await;
}

/// A document that passed every validation rule and declares no variables is not validated again,
/// which must change no answer: the same text answers alike every time, an invalid one is refused
/// every time, and a document with variables still has each request's values checked before anything
/// runs (a request error, no `data`), however often it passed before.
#[tokio::test]
async fn validated_documents_answer_alike() {
    let gw = spawn().await;
    let plain = "{ viewer { subject scopes } }";
    let first = gw.gql(plain, json!({})).await;
    assert!(first.get("errors").is_none(), "{first}");
    for _ in 0..3 {
        assert_eq!(gw.gql(plain, json!({})).await, first);
    }
    let invalid = "{ viewer { subject noSuchField } }";
    for _ in 0..2 {
        let body = gw.gql(invalid, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
    let with_variables = "query($sid: Int!) { hosterapiServerStatus(sid: $sid) { state } }";
    for _ in 0..2 {
        let body = gw.gql(with_variables, json!({"sid": 4001})).await;
        assert!(body.get("errors").is_none(), "{body}");
        let body = gw.gql(with_variables, json!({"sid": "not a number"})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
}
