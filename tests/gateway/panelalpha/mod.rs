//! PanelAlpha through the gateway: its route table, the acting user, its tasks, validation wording,
//! the platform's admin-only writes and sealed connection credentials,
//! its docs' request examples, and its place in the unified actions. Every endpoint's plain call is
//! the smoke test's.

mod acting;
mod customers;
mod examples;
mod flow;
mod hosting;
mod platform;
mod routes;
mod secrets;
mod tasks;
mod validation;
mod wordpress;

use crate::helpers::{PANELALPHA, TestGateway};
use serde_json::Value;

/// A call at an original PanelAlpha path through the REST layer, with `Authorization: Bearer` set to
/// `credential` (if any) and more headers: status and JSON body.
pub async fn rest(
    gw: &TestGateway,
    credential: Option<&str>,
    headers: &[(&str, &str)],
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
    let mut req = gw
        .http
        .request(method, gw.url(&format!("/rest/{PANELALPHA}{path}")));
    if let Some(c) = credential {
        req = req.bearer_auth(c);
    }
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("gateway answers");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// How many requests PanelAlpha's simulator has received.
pub fn upstream_calls(gw: &TestGateway) -> usize {
    gw.panelalpha_upstream.log.len()
}
pub use acting::bound_token;
