//! HosterAPI's 37 endpoints through both surfaces against the stateful simulator: every GET read over
//! REST equals the upstream's own answer and over GraphQL yields typed seeded data; every mutation,
//! called through GraphQL and through its original REST path, changes the simulated datacenter in a
//! way a later read observes, and work the upstream runs in the background ends as a Task.

mod backups;
mod dedicated;
mod jobs;
mod reads;
mod vms;

use crate::helpers::{CONNECTION, TestGateway, spawn};
use hostplane_adapters::Provider;
use serde_json::{Value, json};
use std::{
    collections::{BTreeSet, HashSet},
    time::Duration,
};

const ACTION: &str = "{ ok server { serverId kind provider connection } raw }";
const TASK: &str = "{ task { id taskId operation provider connection status progress subjectId upstreamRef } raw }";

/// A REST call that must succeed; returns the body.
async fn rest_ok(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, reply) = gw.rest(method, path, body).await;
    assert_eq!(status, 200, "{method} {path}: {reply}");
    assert!(!reply["error"].is_string(), "{method} {path}: {reply}");
    reply
}

/// A REST call the upstream refuses: the gateway repeats the upstream's status and error body exactly.
/// The direct call is made second and must fail too, so it changes nothing.
async fn rest_error_as_upstream(
    gw: &TestGateway,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let through = gw.rest(method, path, body.clone()).await;
    let direct = gw.direct(method, path, body).await;
    assert_eq!(through, direct, "{method} {path}: REST and upstream differ");
    assert!(
        through.0 >= 400,
        "{method} {path} was expected to fail: {through:?}"
    );
    assert_eq!(through.1["result"], json!(false), "{method} {path}");
    through
}

/// The first GraphQL error of a call that must fail upstream, checked against the upstream's answer.
async fn gql_upstream_error(
    gw: &TestGateway,
    query: &str,
    variables: Value,
    status: u16,
    text: &str,
) -> Value {
    let body = gw.gql(query, variables).await;
    let err = body["errors"][0].clone();
    assert!(err.is_object(), "expected an error: {body}");
    let ext = &err["extensions"];
    assert_eq!(ext["upstreamStatus"], json!(status), "{body}");
    assert_eq!(ext["upstreamError"], json!(text), "{body}");
    assert_eq!(ext["provider"], "HOSTERAPI", "{body}");
    assert_eq!(ext["connection"], CONNECTION, "{body}");
    err
}

/// A GraphQL server action (`sid` only) that must succeed; returns its payload.
async fn act(gw: &TestGateway, field: &str, sid: u64, kind: &str) -> Value {
    let query = format!("mutation($sid: Int!) {{ r: {field}(sid: $sid) {ACTION} }}");
    let r = gw.data(&query, json!({"sid": sid})).await["r"].clone();
    assert_eq!(r["ok"], true, "{field}: {r}");
    assert_eq!(r["raw"], true, "{field}: {r}");
    assert_eq!(r["server"]["serverId"], sid.to_string(), "{field}: {r}");
    assert_eq!(r["server"]["kind"], kind, "{field}: {r}");
    assert_eq!(r["server"]["provider"], "HOSTERAPI", "{field}: {r}");
    assert_eq!(r["server"]["connection"], CONNECTION, "{field}: {r}");
    r
}

/// A VM's power state through GraphQL, read both as `Server.state` in the list and as its status.
async fn vm_state(gw: &TestGateway, sid: u64) -> String {
    let data = gw
        .data(
            "query($sid: Int!) { hosterapiServers { serverId state } hosterapiServerStatus(sid: $sid) { state } }",
            json!({"sid": sid}),
        )
        .await;
    let listed = data["hosterapiServers"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["serverId"].as_str() == Some(sid.to_string().as_str()))
        .unwrap_or_else(|| panic!("VM {sid} not listed: {data}"))["state"]
        .clone();
    assert_eq!(listed, data["hosterapiServerStatus"]["state"], "{data}");
    listed.as_str().expect("a state").to_string()
}

async fn vm_ids(gw: &TestGateway) -> Vec<String> {
    let data = gw
        .data("{ hosterapiServers { serverId kind } }", json!({}))
        .await;
    data["hosterapiServers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| {
            assert_eq!(s["kind"], "VM");
            s["serverId"].as_str().expect("serverId").to_string()
        })
        .collect()
}

/// The global ID the gateway gives a server of this connection.
async fn server_gid(gw: &TestGateway, field: &str, sid: u64) -> String {
    let data = gw
        .data(&format!("{{ {field} {{ id serverId }} }}"), json!({}))
        .await;
    data[field]
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["serverId"].as_str() == Some(sid.to_string().as_str()))
        .unwrap_or_else(|| panic!("{sid} not in {field}: {data}"))["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

async fn task_ids(gw: &TestGateway) -> HashSet<String> {
    let data = gw
        .data("{ tasks(first: 500) { nodes { taskId } } }", json!({}))
        .await;
    data["tasks"]["nodes"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["taskId"].as_str().expect("taskId").to_string())
        .collect()
}

/// The one task started since `before` (a REST call's task, which the REST answer does not name).
async fn new_task(gw: &TestGateway, before: &HashSet<String>, operation: &str) -> Value {
    let data = gw
        .data(
            "{ tasks(first: 500) { nodes { taskId operation provider connection status subjectId upstreamRef } } }",
            json!({}),
        )
        .await;
    let fresh: Vec<&Value> = data["tasks"]["nodes"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|t| !before.contains(t["taskId"].as_str().expect("taskId")))
        .collect();
    assert_eq!(fresh.len(), 1, "expected exactly one new task: {fresh:?}");
    let task = fresh[0].clone();
    assert_eq!(task["operation"], operation, "{task}");
    assert_eq!(task["provider"], "HOSTERAPI", "{task}");
    assert_eq!(task["connection"], CONNECTION, "{task}");
    task
}

/// Waits for a task and checks it ended as expected.
async fn finish(gw: &TestGateway, task_id: &str, status: &str) -> Value {
    let done = gw.wait_task(task_id).await;
    assert_eq!(done["status"], status, "task {task_id}: {done}");
    done
}

/// A console URL with its one-off VNC ticket (both occurrences) replaced, and the ticket.
fn without_ticket(url: &str) -> (String, String) {
    const MARK: &str = "password=PVEVNC%3A";
    let at = url
        .find(MARK)
        .unwrap_or_else(|| panic!("no ticket in {url}"))
        + MARK.len();
    let ticket = url[at..].split('&').next().expect("a ticket").to_string();
    assert!(ticket.len() >= 16, "short ticket in {url}");
    (url.replace(&ticket, "TICKET"), ticket)
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}
