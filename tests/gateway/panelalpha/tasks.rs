//! PanelAlpha's queued work as gateway Tasks, followed through its own task status to the end, and
//! the unified actions on its objects: `cancelTask` cancels its task, `deleteSite` its instance;
//! its hosting servers among the unified `servers`.

use super::upstream_calls;
use crate::helpers::{Options, spawn_with};
use serde_json::{Value, json};
use std::time::Duration;

fn quick() -> Options {
    Options {
        job_duration: Duration::from_millis(400),
        ..Options::default()
    }
}

/// A service's creation is a Task that runs to SUCCEEDED with the upstream's progress, its subject
/// the new service, which is then active; a plan that fails makes a FAILED task with its message.
#[tokio::test]
async fn service_creation_runs_to_its_end() {
    let gw = spawn_with(quick()).await;
    let create =
        "mutation($plan: Int!) { panelalphaCreateUserService(userId: 1, input: {planId: $plan})
        { task { id status } raw } }";
    let data = gw.data(create, json!({"plan": 2})).await;
    let payload = &data["panelalphaCreateUserService"];
    let service = payload["raw"]["id"].clone();
    let task = gw.wait_task(payload["task"]["id"].as_str().unwrap()).await;
    assert_eq!(
        (task["status"].clone(), task["progress"].clone()),
        (json!("SUCCEEDED"), json!(1.0)),
        "{task}"
    );
    let subject = gw
        .data(
            "query($id: ID!) { node(id: $id) { ... on Service { serviceId status } } }",
            json!({"id": task["subjectId"]}),
        )
        .await;
    assert_eq!(
        subject["node"],
        json!({"serviceId": service.to_string(), "status": "active"})
    );

    let failing = gw
        .data(
            r#"mutation { panelalphaCreatePlan(input: {name: "Will fail", applicationLimit: 1,
            serverType: "cpanel"}) { id } }"#,
            json!({}),
        )
        .await;
    let plan: i32 = failing["panelalphaCreatePlan"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let data = gw.data(create, json!({"plan": plan})).await;
    let task = gw
        .wait_task(
            data["panelalphaCreateUserService"]["task"]["id"]
                .as_str()
                .unwrap(),
        )
        .await;
    assert_eq!(task["status"], "FAILED", "{task}");
    assert!(
        task["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{task}"
    );
}

/// A failed install retried is a Task to SUCCEEDED, after which the instance has left the failed
/// list and is active.
#[tokio::test]
async fn a_failed_instance_is_retried() {
    let gw = spawn_with(quick()).await;
    let data = gw
        .data(
            "mutation { panelalphaRetryFailedInstance(id: 2) { task { id } } }",
            json!({}),
        )
        .await;
    let task = gw
        .wait_task(
            data["panelalphaRetryFailedInstance"]["task"]["id"]
                .as_str()
                .unwrap(),
        )
        .await;
    assert_eq!(task["status"], "SUCCEEDED", "{task}");
    let data = gw
        .data(
            "{ panelalphaFailedInstances { instanceId } panelalphaInstance(id: 2) { status } }",
            json!({}),
        )
        .await;
    assert_eq!(data["panelalphaFailedInstances"], json!([]), "{data}");
    assert_eq!(data["panelalphaInstance"]["status"], "active", "{data}");
}

/// `cancelTask` on a PanelAlpha task cancels it upstream, and the Task ends CANCELLED; `deleteSite`
/// on a PanelAlpha instance (as a site) deletes the instance upstream.
#[tokio::test]
async fn unified_actions_reach_panelalpha() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_secs(30),
        ..Options::default()
    })
    .await;
    let data = gw
        .data("mutation { panelalphaCreateUserService(userId: 1, input: {planId: 1}) { task { id } raw } }",
            json!({}))
        .await;
    let payload = &data["panelalphaCreateUserService"];
    let upstream_task = payload["raw"]["task_id"].clone();
    let data = gw
        .data(
            "mutation($id: ID!) { cancelTask(id: $id) { ok operation } }",
            json!({"id": payload["task"]["id"]}),
        )
        .await;
    assert_eq!(
        data["cancelTask"],
        json!({"ok": true, "operation": "panelalphaCancelTask"})
    );
    let cancel = format!("/api/admin/tasks/{upstream_task}/cancel");
    assert_eq!(gw.panelalpha_upstream.log.count("DELETE", &cancel), 1);
    let task = gw.wait_task(payload["task"]["id"].as_str().unwrap()).await;
    assert_eq!(task["status"], "CANCELLED", "{task}");

    let sites = gw
        .data(
            r#"{ sites(filter: {providers: [PANELALPHA]}) { nodes { id domain } } }"#,
            json!({}),
        )
        .await;
    let site = &sites["sites"]["nodes"][0];
    assert_eq!(site["domain"], "blog.example.org", "{sites}");
    let before = upstream_calls(&gw);
    let data = gw
        .data(
            "mutation($id: ID!) { deleteSite(id: $id) { ok operation } }",
            json!({"id": site["id"]}),
        )
        .await;
    assert_eq!(
        data["deleteSite"],
        json!({"ok": true, "operation": "panelalphaDeleteInstance"})
    );
    assert_eq!(
        gw.panelalpha_upstream
            .log
            .count("DELETE", "/api/admin/instances/1"),
        1
    );
    assert_eq!(upstream_calls(&gw), before + 1);
    let gone: Value = gw
        .data("{ panelalphaArchivedInstances { instanceId } }", json!({}))
        .await;
    assert_eq!(
        gone["panelalphaArchivedInstances"],
        json!([{"instanceId": "1"}])
    );
}

/// PanelAlpha's hosting servers are `Server`s of kind HOSTING_PANEL in the unified `servers`, their
/// state the panel's status (no read per server, even under a `status` filter), found again by
/// `node`; power actions on one are `UNSUPPORTED` with nothing sent upstream.
#[tokio::test]
async fn hosting_servers_are_servers() {
    let gw = spawn_with(quick()).await;
    let data = gw
        .data(
            r#"{ servers(filter: {providers: [PANELALPHA], status: "active"})
            { totalCount nodes { id kind serverId state } } }"#,
            json!({}),
        )
        .await;
    let servers = &data["servers"];
    assert_eq!(servers["totalCount"], 1, "{data}");
    let server = &servers["nodes"][0];
    assert_eq!(
        (&server["kind"], &server["serverId"], &server["state"]),
        (&json!("HOSTING_PANEL"), &json!("1"), &json!("active")),
    );
    let log = &gw.panelalpha_upstream.log;
    assert_eq!(log.count("GET", "/api/admin/servers/1"), 0, "the list said");

    let found = gw
        .data(
            "query($id: ID!) { node(id: $id) { ... on Server { kind state } } }",
            json!({"id": server["id"]}),
        )
        .await;
    assert_eq!(
        found["node"],
        json!({"kind": "HOSTING_PANEL", "state": "active"})
    );
    let before = upstream_calls(&gw);
    let refused = gw
        .gql(
            "mutation($id: ID!) { startServer(id: $id) { ok } }",
            json!({"id": server["id"]}),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNSUPPORTED",
        "{refused}"
    );
    assert_eq!(upstream_calls(&gw), before);
}
