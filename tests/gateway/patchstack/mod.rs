//! Patchstack through the gateway: its 11 endpoints on GraphQL (typed users, sites and security
//! reports) and on the REST layer at their original paths with the `HostToken` header, checked against
//! the Patchstack simulator's own answers, its validation rules, and the signed plugin download URLs.

mod credentials;
mod downloads;
mod reads;
mod sites;
mod users;

use crate::helpers::{PATCHSTACK, TestGateway, admin, spawn, token};
use hostplane_schema::{GlobalId, principal::Scope};
use serde_json::{Value, json};

/// The secret of seeded site 315 (the docs' site-view example).
const SITE_315_SECRET: &str = "D4ajwfPddOQ6VAhhPYCOR5sggkpe9byNsSCobxxP";

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// A Patchstack REST call through the gateway with `HostToken: <credential>`: status and JSON body.
async fn rest(
    gw: &TestGateway,
    credential: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, content_type, bytes) = gw.patchstack_rest(credential, method, path, body).await;
    assert_eq!(
        content_type, "application/json",
        "{method} {path} through the gateway"
    );
    (status, parse(&bytes))
}

/// The same call straight to the simulator: status and JSON body.
async fn direct(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, bytes) = gw.patchstack_direct(method, path, body).await;
    (status, parse(&bytes))
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

/// The extensions of a GraphQL response's first error.
fn ext(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]
}

fn user_gid(id: impl ToString) -> String {
    GlobalId::new("User", PATCHSTACK, id).encode()
}

fn site_gid(id: impl ToString) -> String {
    GlobalId::new("Site", PATCHSTACK, id).encode()
}

fn new_user(email: &str) -> Value {
    json!({
        "name": "Gina Bo", "email": email, "password": "secret1",
        "password_confirmation": "secret1", "newsletter": 1
    })
}
