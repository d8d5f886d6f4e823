//! WP Orchestrix through the gateway: its 34 endpoints on the REST layer at their original paths
//! (checked against the simulator's own answers), Relay lists over its numbered pages, the unified
//! `Site`, snapshots and upgrade pipelines as Tasks, the caller's own upstream credentials passed
//! through on both surfaces, and the webhook signing secret kept for admins.

mod credentials;
mod reads;
mod sites;
mod tasks;

use crate::helpers::{ORCHESTRIX, TestGateway, admin, spawn, token};
use hostplane_schema::{GlobalId, list::decode_cursor, principal::Scope};
use serde_json::{Value, json};
use std::{collections::BTreeSet, time::Duration};

const HOME: &str = "site_abc123";
const LOGIN: &str = "owner@example.com";

fn parse(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

/// `Authorization: token <admin gateway JWT>`.
fn admin_auth() -> String {
    format!("token {}", admin())
}

/// An Orchestrix REST call through the gateway with `Authorization` set verbatim (or absent): status
/// and JSON body (null for an empty one). Every non-empty answer must be JSON.
async fn rest(
    gw: &TestGateway,
    authorization: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, content_type, bytes) = gw.orchestrix_rest(authorization, method, path, body).await;
    if !bytes.is_empty() {
        assert_eq!(
            content_type, "application/json",
            "{method} {path} through the gateway"
        );
    }
    (status, parse(&bytes))
}

/// A REST call as an admin of the gateway.
async fn rest_admin(
    gw: &TestGateway,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    rest(gw, Some(&admin_auth()), method, path, body).await
}

/// The same call straight to the simulator, with the stored token.
async fn direct(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, bytes) = gw.orchestrix_direct(method, path, body).await;
    (status, parse(&bytes))
}

/// The extensions of a GraphQL response's first error.
fn ext(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]
}

fn code(body: &Value) -> &str {
    ext(body)["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

fn site_gid(id: &str) -> String {
    GlobalId::new("Site", ORCHESTRIX, id).encode()
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

/// The `id`s of a list of upstream objects.
fn ids(items: &Value) -> Vec<String> {
    let items = items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"));
    items.iter().map(|i| text(&i["id"])).collect()
}
