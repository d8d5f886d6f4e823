//! PanelAlpha's queued work as gateway Tasks, followed through its own task status to the end, and
//! the unified actions on its objects: `cancelTask` cancels its task, `deleteSite` its instance;
//! its hosting servers among the unified `servers`, with their groups, accounts and instances.

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

/// A hosting server in the unified `servers` carries its groups and reaches the accounts it holds
/// and the instances on it; a PanelAlpha site's `server` is its own hosting server, which a
/// customer bound to the panel does not reach.
#[tokio::test]
async fn a_hosting_server_reaches_its_groups_accounts_and_instances() {
    let gw = spawn_with(quick()).await;
    let data = gw
        .data(
            r#"{ servers(filter: {providers: [PANELALPHA]}) { nodes { groups { groupId name }
                accounts instances { instanceId } } } }"#,
            json!({}),
        )
        .await;
    let server = &data["servers"]["nodes"][0];
    assert_eq!(
        server["groups"],
        json!([{"groupId": "1", "name": "cPanel servers"}])
    );
    let accounts: Vec<&Value> = server["accounts"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| &a["username"])
        .collect();
    assert_eq!(
        accounts,
        [&json!("adalovel"), &json!("gracehop"), &json!("legacy01")]
    );
    // Grace's shop failed to install, so only Ada's blog is on it.
    assert_eq!(server["instances"], json!([{"instanceId": "1"}]));

    let query = r#"{ instances(filter: {providers: [PANELALPHA]}) { nodes { instanceId
        site { server { serverId kind } } } } }"#;
    let data = gw.data(query, json!({})).await;
    assert_eq!(
        data["instances"]["nodes"][0]["site"]["server"],
        json!({"serverId": "1", "kind": "HOSTING_PANEL"}),
        "{data}"
    );
    let (_, body) = gw
        .gql_as(Some(&super::bound_token("1")), query, json!({}))
        .await;
    let nodes = &body["data"]["instances"]["nodes"];
    assert_eq!(nodes[0]["instanceId"], "1", "{body}");
    assert_eq!(nodes[0]["site"]["server"], Value::Null, "{body}");
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

/// The platform's long work is a Task each, followed to SUCCEEDED: importing what a server holds
/// (an account as a service, then its WordPress as an instance, a DNS zone, an email domain), a
/// package's forced install and an SSL order's processing; each import's object is then active, the
/// order issued, and what was imported cannot be imported twice.
#[tokio::test]
async fn imports_installs_and_certificates_run_to_their_end() {
    let gw = spawn_with(quick()).await;
    let run = |mutation: &'static str| {
        let gw = &gw;
        async move {
            let data = gw.data(mutation, json!({})).await;
            let payload = data.as_object().unwrap().values().next().unwrap().clone();
            let task = gw.wait_task(payload["task"]["id"].as_str().unwrap()).await;
            assert_eq!(
                (task["status"].clone(), task["progress"].clone()),
                (json!("SUCCEEDED"), json!(1.0)),
                "{mutation}: {task}"
            );
            task
        }
    };
    let service = run(
        r#"mutation { panelalphaImportService(id: 1, input: {username: "legacy01",
        userId: 1, planId: 1}) { task { id } } }"#,
    )
    .await;
    let instance = run(
        r#"mutation { panelalphaImportInstance(id: 1, input: {username: "legacy01",
        domain: "legacy.example.net", path: "/public_html"}) { task { id } } }"#,
    )
    .await;
    for (task, kind) in [(service, "Service"), (instance, "Instance")] {
        let query = format!("query($id: ID!) {{ node(id: $id) {{ ... on {kind} {{ status }} }} }}");
        let subject = gw.data(&query, json!({"id": task["subjectId"]})).await;
        assert_eq!(subject["node"]["status"], "active", "{kind}: {subject}");
    }
    run(
        r#"mutation { panelalphaImportDnsZone(id: 1, input: {name: "legacy.example.net",
        serviceId: 1}) { task { id } } }"#,
    )
    .await;
    run(
        r#"mutation { panelalphaImportEmailDomain(id: "1", input: {name: "legacy.example.net",
        serviceId: 1}) { task { id } } }"#,
    )
    .await;
    run("mutation { panelalphaForceInstallPackage(id: 1) { task { id } } }").await;
    run("mutation { panelalphaProcessSslOrder(id: 1) { task { id } } }").await;

    let after = gw
        .data(
            "{ panelalphaDnsZones { raw } panelalphaSslOrders { status } }",
            json!({}),
        )
        .await;
    let zones = after["panelalphaDnsZones"]["raw"].as_array().unwrap();
    let imported = zones.iter().find(|z| z["name"] == "legacy.example.net");
    assert_eq!(
        imported.map(|z| &z["status"]),
        Some(&json!("active")),
        "{after}"
    );
    assert_eq!(after["panelalphaSslOrders"], json!([{"status": "issued"}]));
    for again in [
        r#"mutation { panelalphaImportService(id: 1, input: {username: "legacy01", userId: 1,
            planId: 1}) { task { id } } }"#,
        "mutation { panelalphaProcessSslOrder(id: 1) { task { id } } }",
    ] {
        let body = gw.gql(again, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{again}: {body}"
        );
    }
}
