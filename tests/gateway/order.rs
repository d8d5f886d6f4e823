//! Answers keep the order in which fields were asked (GraphQL's Serialization Format), however the
//! upstreams' answers race: many unified roots and nested views, asked many times, come back in one
//! order, the requested one, over HTTP and over an event stream.

use crate::helpers::spawn;
use serde_json::{Value, json};

/// Every object's keys, depth first, as paths: the answer's shape in the order it came.
fn key_order(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{path}.{key}");
                out.push(here.clone());
                key_order(v, &here, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                key_order(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

// Named, as clients name their operations: a named operation alone in its document runs without
// `operationName`.
const ROOTS: &str = "query Roots { services(first: 1) { totalCount } users(first: 1) { totalCount }
    servers(first: 1) { totalCount } tenants(first: 1) { totalCount }
    sites(first: 10) { totalCount nodes { domain provider connection id
        security { __typename } health { __typename } tenant { __typename } server { __typename } } }
    instances(first: 1) { totalCount } }";

#[tokio::test]
async fn answers_keep_the_requested_order() {
    let gw = spawn().await;
    let mut first = None;
    for _ in 0..12 {
        let body = gw.gql(ROOTS, json!({})).await;
        let data = &body["data"];
        let roots: Vec<&str> = data
            .as_object()
            .expect("data")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            roots,
            [
                "services",
                "users",
                "servers",
                "tenants",
                "sites",
                "instances"
            ],
            "{body}"
        );
        let mut shape = Vec::new();
        key_order(data, "", &mut shape);
        let node = data["sites"]["nodes"][0].as_object().expect("a site");
        let keys: Vec<&str> = node.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "domain",
                "provider",
                "connection",
                "id",
                "security",
                "health",
                "tenant",
                "server"
            ]
        );
        match &first {
            None => first = Some(shape),
            Some(f) => assert_eq!(f, &shape, "one order every time"),
        }
    }
}

/// Over an event stream too, with aliases and fragments: the keys come in the order they were
/// first asked, a fragment's fields where the fragment is spread.
#[tokio::test]
async fn streams_keep_the_requested_order_with_fragments() {
    let gw = spawn().await;
    let query = "{ t: tenants(first: 1) { totalCount } ...Roots
        instances(first: 1) { ... on InstanceConnection { totalCount } } }
        fragment Roots on Query { servers(first: 1) { totalCount } u: users(first: 1) { totalCount } }";
    for _ in 0..6 {
        let response = gw
            .http
            .post(gw.url("/graphql/stream"))
            .bearer_auth(crate::helpers::admin())
            .json(&json!({"query": query}))
            .send()
            .await
            .expect("the gateway answers");
        let text = response.text().await.expect("the stream ends");
        let data = text
            .lines()
            .find_map(|l| l.strip_prefix("data: ").filter(|d| d.starts_with('{')))
            .expect("a result");
        let result: Value = serde_json::from_str(data).expect("JSON");
        let keys: Vec<&str> = result["data"]
            .as_object()
            .expect("data")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["t", "servers", "u", "instances"], "{result}");
    }
}

/// A document of several operations answers the one `operationName` picks, in its order.
#[tokio::test]
async fn the_chosen_operation_keeps_its_order() {
    let gw = spawn().await;
    let query = "query A { users(first: 1) { totalCount } servers(first: 1) { totalCount } }
        query B { tenants(first: 1) { totalCount } services(first: 1) { totalCount }
            sites(first: 1) { totalCount } users(first: 1) { totalCount } }";
    for _ in 0..6 {
        let body: Value = gw
            .http
            .post(gw.url("/graphql"))
            .bearer_auth(crate::helpers::admin())
            .json(&json!({"query": query, "operationName": "B"}))
            .send()
            .await
            .expect("the gateway answers")
            .json()
            .await
            .expect("JSON");
        let keys: Vec<&str> = body["data"]
            .as_object()
            .expect("data")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["tenants", "services", "sites", "users"], "{body}");
    }
}
