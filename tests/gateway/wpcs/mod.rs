//! WPCS through the gateway: its 28 endpoints on the REST layer at their original paths (checked
//! against the simulator's own answers), typed reads with `Tenant` as a Node, the documented
//! validation rules enforced before any upstream call, scheduled writes followed as Tasks to `Done`
//! (over `taskUpdated` too), and snapshot downloads kept for admins.

mod products;
mod reads;
mod tenants;
mod validation;

use crate::helpers::{Options, TestGateway, WPCS, admin, spawn, spawn_with, token};
use futures_util::{SinkExt, StreamExt};
use hostplane_schema::{GlobalId, principal::Scope};
use serde_json::{Value, json};
use std::{collections::BTreeSet, time::Duration};
use tokio::time::timeout;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{
        Message,
        client::IntoClientRequest,
        http::{HeaderValue, header::SEC_WEBSOCKET_PROTOCOL},
    },
};

// Seeded ids, from the docs' examples (see the simulator).
const SUBSCRIPTION: &str = "1f3ea976-d862-499d-8be2-b99c1aef21a9";
const PRODUCT: &str = "dcd53ddb-8104-4e48-8cc0-5df1088c6113";
/// `V1.1`, not in production; First-Tenant (T001) is on it.
const VERSION_1: &str = "aebceb97-1296-49fc-81bc-b9e86aefe011";
/// `v2.4`, the production version; Second-Tenant (T002) is on it.
const VERSION_2: &str = "745e1ebd-d00e-4b6b-b6bc-bffd450c0942";
const SNAPSHOT_WOO: &str = "347b6a3b-4b68-4888-acc5-d5d546a33d86";
/// A tenant snapshot of `v2.4`, group `language-school-template`.
const SNAPSHOT_SPANISH: &str = "09520abc-01e6-4da1-8fa5-f10e3883c861";
const TENANT_1: &str = "68c6b25c-74ef-4401-acbe-0b1d560d8647";
const BASE_SNAPSHOT: &str = "193463fd-ce54-43d9-ba61-304ceef2885e";

const MARCH_START: &str = "2022-03-01T00:00:00.000+02:00";
const MARCH_END: &str = "2022-03-30T00:00:00.000+02:00";

const WAIT: Duration = Duration::from_secs(10);

fn parse(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// `Authorization: Bearer <admin gateway JWT>`.
fn admin_auth() -> String {
    format!("Bearer {}", admin())
}

/// A WPCS REST call through the gateway as an admin: status and JSON body (every non-empty answer
/// must be JSON).
async fn rest(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, content_type, bytes) = gw.wpcs_rest(Some(&admin_auth()), method, path, body).await;
    if !bytes.is_empty() {
        assert_eq!(
            content_type, "application/json",
            "{method} {path} through the gateway"
        );
    }
    (status, parse(&bytes))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

fn tenant_gid(id: &str) -> GlobalId {
    GlobalId::new("Tenant", WPCS, id)
}

/// The task a mutation answered with, as `(global id, task UUID)`; it starts QUEUED.
fn started(payload: &Value) -> (String, String) {
    assert_eq!(
        payload["task"]["status"], "QUEUED",
        "a scheduled write starts queued: {payload}"
    );
    (
        text(&payload["task"]["id"]),
        text(&payload["task"]["taskId"]),
    )
}

/// Runs a mutation whose field (aliased `m`) answers a `TaskPayload`, and waits for its task: the
/// upstream's answer and the finished task.
async fn run_task(gw: &TestGateway, mutation: &str, variables: Value) -> (Value, Value) {
    let data = gw.data(mutation, variables).await;
    let payload = &data["m"];
    let (_, task_id) = started(payload);
    let task = gw.wait_task(&task_id).await;
    (payload["raw"].clone(), task)
}

fn assert_succeeded(task: &Value) {
    assert_eq!(task["status"], "SUCCEEDED", "{task}");
}

/// A tenant as GraphQL types it, read by its upstream id (null once gone).
async fn tenant(gw: &TestGateway, id: &str) -> Value {
    let data = gw
        .data(
            "query($id: String) { wpcsTenants(tenantId: $id) { tenantId name externalId domain status wpcs { versionId } domains { id domainName isMainDomain isBaseDomain } } }",
            json!({"id": id}),
        )
        .await;
    let list = data["wpcsTenants"].as_array().expect("a list").clone();
    assert!(list.len() <= 1, "{data}");
    list.into_iter().next().unwrap_or(Value::Null)
}

/// What the server sent on the WebSocket.
enum Incoming {
    Next(Value),
    Complete,
}
