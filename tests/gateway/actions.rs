//! Unified actions (`startServer`, `stopServer`, `rebootServer`, `deleteServer`, `deleteSite`,
//! `createSnapshot`, `cancelTask`) from outside: each acts on a global ID, runs its provider's own
//! operation (its upstream call, audit row and Task), and what an upstream cannot do, or a caller
//! may not do, is refused before any upstream request is made.

use crate::helpers::{Options, TestGateway, admin, spawn, spawn_with, token, token_for};
use hostplane_resolvers::store::entities::audit;
use hostplane_schema::{GlobalId, principal::Scope};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};
use std::time::Duration;

/// What every action is asked for.
const PAYLOAD: &str = "{ ok operation subjectId task { id taskId status operation } raw }";

// ---------------------------------------------------------------------------------------------
// Helpers

/// The mutation `field(id: $id, <args>)` selecting the whole payload; `args` is extra argument
/// text such as `force: true`.
fn mutation(field: &str, args: &str) -> String {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!(", {args}")
    };
    format!("mutation($id: ID!) {{ a: {field}(id: $id{args}) {PAYLOAD} }}")
}

/// Runs an action that must succeed and returns its payload.
async fn act(gw: &TestGateway, field: &str, args: &str, id: &str) -> Value {
    gw.data(&mutation(field, args), json!({"id": id})).await["a"].clone()
}

/// Runs an action that must fail and returns the whole body, after checking it carries no data.
async fn refused(
    gw: &TestGateway,
    bearer: Option<&str>,
    field: &str,
    args: &str,
    id: &str,
) -> Value {
    let bearer = bearer.map(str::to_string).unwrap_or_else(admin);
    let (_, body) = gw
        .gql_as(Some(&bearer), &mutation(field, args), json!({"id": id}))
        .await;
    assert!(body["errors"].is_array(), "{field} must fail: {body}");
    assert!(body["data"].is_null(), "{field} gave data: {body}");
    body
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

/// How many requests each simulator has received: HosterAPI, Patchstack, Orchestrix, WPCS.
fn upstream_counts(gw: &TestGateway) -> [usize; 4] {
    [
        gw.upstream.log.len(),
        gw.patchstack_upstream.log.len(),
        gw.orchestrix_upstream.log.len(),
        gw.wpcs_upstream.log.len(),
    ]
}

/// The audit log, oldest first.
async fn audit_rows(gw: &TestGateway) -> Vec<audit::Model> {
    audit::Entity::find()
        .order_by_asc(audit::Column::Id)
        .all(&gw.services.db)
        .await
        .expect("read the audit log")
}

/// The global ID `servers` gives the HosterAPI server `key` (`vm:4001`, `dedicated:9`).
async fn server_id(gw: &TestGateway, key: &str) -> String {
    let data = gw
        .data("{ servers { nodes { id serverId kind } } }", json!({}))
        .await;
    let nodes = data["servers"]["nodes"].as_array().unwrap().clone();
    nodes
        .iter()
        .find(|n| {
            let kind = n["kind"].as_str().unwrap().to_lowercase();
            format!("{kind}:{}", n["serverId"].as_str().unwrap()) == key
        })
        .unwrap_or_else(|| panic!("no server {key} in {nodes:?}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// How many backups VM 4001 has.
async fn backups(gw: &TestGateway) -> usize {
    let data = gw
        .data(
            "{ hosterapiServerBackups(sid: 4001) { timestamp } }",
            json!({}),
        )
        .await;
    data["hosterapiServerBackups"].as_array().unwrap().len()
}

/// The server's live state, read through `node`.
async fn state(gw: &TestGateway, id: &str) -> String {
    let data = gw
        .data(
            "query($id: ID!) { node(id: $id) { ... on Server { state } } }",
            json!({"id": id}),
        )
        .await;
    data["node"]["state"]
        .as_str()
        .unwrap_or_else(|| panic!("no state: {data}"))
        .to_string()
}

/// `siteId -> id` of the sites `sites` lists for one provider.
async fn listed_sites(gw: &TestGateway, provider: &str) -> Vec<(String, String)> {
    let data = gw
        .data(
            "query($p: [Provider!]) { sites(filter: {providers: $p}, first: 500) { nodes { id siteId } } }",
            json!({"p": [provider]}),
        )
        .await;
    data["sites"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["siteId"].as_str().unwrap().to_string(),
                n["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The global ID `sites` gives the site `site_id` of `provider`.
async fn site_id(gw: &TestGateway, provider: &str, site_id: &str) -> String {
    let sites = listed_sites(gw, provider).await;
    sites
        .iter()
        .find(|(local, _)| local == site_id)
        .unwrap_or_else(|| panic!("no {provider} site {site_id} in {sites:?}"))
        .1
        .clone()
}

/// The WPCS tenants `tenants` lists: (tenant ID, Tenant global ID, Site global ID).
async fn tenants(gw: &TestGateway) -> Vec<(String, String, String)> {
    let data = gw
        .data(
            "{ tenants { nodes { id tenantId site { id } } } }",
            json!({}),
        )
        .await;
    data["tenants"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["tenantId"].as_str().unwrap().to_string(),
                n["id"].as_str().unwrap().to_string(),
                n["site"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Makes the gateway see Patchstack user 1's sites (315 and 16106), as any read of them would.
async fn learn_patchstack_sites(gw: &TestGateway) {
    let data = gw
        .data("{ patchstackUser(userid: 1) { sites { id } } }", json!({}))
        .await;
    assert_eq!(
        data["patchstackUser"]["sites"].as_array().unwrap().len(),
        2,
        "{data}"
    );
}

/// Runs a synchronous action and checks that it reported success, ran `operation` with exactly one
/// upstream request at `method path`, and wrote exactly one audit row naming that operation.
async fn check_action(
    gw: &TestGateway,
    (field, args, id): (&str, &str, &str),
    operation: &str,
    (method, path): (&str, &str),
) -> Value {
    let rows = audit_rows(gw).await.len();
    let calls = gw.upstream.log.count(method, path);
    let payload = act(gw, field, args, id).await;
    assert_eq!(payload["ok"], true, "{field}({args}): {payload}");
    assert_eq!(payload["operation"], operation, "{field}({args})");
    assert_eq!(payload["subjectId"], id);
    assert_eq!(
        payload["task"],
        Value::Null,
        "a synchronous action has no task"
    );
    assert_eq!(
        gw.upstream.log.count(method, path),
        calls + 1,
        "{field}({args}) calls {method} {path} once"
    );
    let after = audit_rows(gw).await;
    assert_eq!(after.len(), rows + 1, "one audit row for {field}({args})");
    let row = after.last().unwrap();
    assert_eq!(
        (
            row.operation.as_str(),
            row.outcome.as_str(),
            row.connection.as_deref(),
            row.target.as_deref()
        ),
        (
            operation,
            "ok",
            Some("hoster"),
            Some(format!("{method} {path}").as_str())
        ),
        "the audit row names the provider operation, not the unified field"
    );
    payload
}

// ---------------------------------------------------------------------------------------------
// Servers

/// Power actions on VMs and the dedicated server run the matching HosterAPI operation, change the
/// server's live state, and are audited under that operation.
#[tokio::test]
async fn server_power_actions() {
    let gw = spawn().await;
    let vm = server_id(&gw, "vm:4001").await;
    let dedicated = server_id(&gw, "dedicated:9").await;
    assert_eq!(state(&gw, &vm).await, "running");

    let vm_path = |action: &str| format!("/api/v1/datacenter/server/4001/{action}");
    check_action(
        &gw,
        ("stopServer", "", &vm),
        "hosterapiShutdownServer",
        ("PUT", &vm_path("shutdown")),
    )
    .await;
    assert_ne!(state(&gw, &vm).await, "running", "the VM was shut down");

    check_action(
        &gw,
        ("startServer", "", &vm),
        "hosterapiStartServer",
        ("PUT", &vm_path("start")),
    )
    .await;
    assert_eq!(state(&gw, &vm).await, "running");

    check_action(
        &gw,
        ("stopServer", "force: true", &vm),
        "hosterapiStopServer",
        ("PUT", &vm_path("stop")),
    )
    .await;
    assert_ne!(state(&gw, &vm).await, "running", "the VM was stopped");

    // A forced reboot also boots a stopped VM (a graceful one would need a running guest).
    check_action(
        &gw,
        ("rebootServer", "force: true", &vm),
        "hosterapiForceRebootServer",
        ("PUT", &vm_path("reboot/force")),
    )
    .await;
    assert_eq!(state(&gw, &vm).await, "running");
    check_action(
        &gw,
        ("rebootServer", "", &vm),
        "hosterapiRebootServer",
        ("PUT", &vm_path("reboot")),
    )
    .await;
    assert_eq!(
        gw.upstream.log.count("PUT", &vm_path("reboot/force")),
        1,
        "a graceful reboot is not the forced one"
    );

    let ded_path = |action: &str| format!("/api/v1/datacenter/dedicated/9/{action}");
    check_action(
        &gw,
        ("stopServer", "", &dedicated),
        "hosterapiShutdownDedicatedServer",
        ("PUT", &ded_path("shutdown")),
    )
    .await;
    assert_ne!(state(&gw, &dedicated).await, "running");
    check_action(
        &gw,
        ("startServer", "", &dedicated),
        "hosterapiStartDedicatedServer",
        ("PUT", &ded_path("start")),
    )
    .await;
    assert_eq!(state(&gw, &dedicated).await, "running");
    check_action(
        &gw,
        ("rebootServer", "", &dedicated),
        "hosterapiRebootDedicatedServer",
        ("PUT", &ded_path("reboot")),
    )
    .await;
    assert_eq!(state(&gw, &dedicated).await, "running");
}

/// An upstream refusal comes back as the provider operation's error (audited as such); `force`
/// removes a running VM, and a dedicated server is terminated.
#[tokio::test]
async fn delete_server() {
    let gw = spawn().await;
    let vm = server_id(&gw, "vm:4001").await;
    let dedicated = server_id(&gw, "dedicated:9").await;

    // HosterAPI refuses to remove a running VM without `force`.
    let body = refused(&gw, None, "deleteServer", "", &vm).await;
    assert_eq!(code(&body), "UPSTREAM_REJECTED", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["provider"], "HOSTERAPI");
    let row = audit_rows(&gw).await.pop().unwrap();
    assert_eq!(
        (row.operation.as_str(), row.outcome.as_str()),
        ("hosterapiDeleteServer", "error")
    );
    assert_eq!(gw.sim.vm_ids(), vec![4001, 4002], "nothing was removed");

    check_action(
        &gw,
        ("deleteServer", "force: true", &vm),
        "hosterapiDeleteServer",
        ("POST", "/api/v1/datacenter/server/4001/delete"),
    )
    .await;
    assert_eq!(gw.sim.vm_ids(), vec![4002]);

    check_action(
        &gw,
        ("deleteServer", "", &dedicated),
        "hosterapiTerminateDedicatedServer",
        ("POST", "/api/v1/datacenter/dedicated/9/terminate"),
    )
    .await;
    let data = gw
        .data("{ servers { nodes { serverId kind } } }", json!({}))
        .await;
    assert_eq!(
        data["servers"]["nodes"],
        json!([{"serverId": "4002", "kind": "VM"}, {"serverId": "1", "kind": "HOSTING_PANEL"}]),
        "only VM 4002 is left, beside PanelAlpha's hosting server"
    );
}

// ---------------------------------------------------------------------------------------------
// What an upstream cannot do

/// Force-stopping, force-rebooting or backing up a dedicated server, and snapshotting a Patchstack
/// site or a WPCS tenant, are UNSUPPORTED, name the provider, and reach no upstream.
#[tokio::test]
async fn unsupported_actions_call_no_upstream() {
    let gw = spawn().await;
    let dedicated = server_id(&gw, "dedicated:9").await;
    learn_patchstack_sites(&gw).await;
    let patchstack_site = site_id(&gw, "PATCHSTACK", "315").await;
    let (_, tenant, tenant_site) = tenants(&gw).await.remove(0);

    let cases = [
        ("stopServer", "force: true", dedicated.as_str(), "hosterapi"),
        (
            "rebootServer",
            "force: true",
            dedicated.as_str(),
            "hosterapi",
        ),
        ("createSnapshot", "", dedicated.as_str(), "hosterapi"),
        (
            "createSnapshot",
            "description: \"before update\"",
            patchstack_site.as_str(),
            "patchstack",
        ),
        ("createSnapshot", "", tenant.as_str(), "wpcs"),
        ("createSnapshot", "", tenant_site.as_str(), "wpcs"),
    ];
    for (field, args, id, provider) in cases {
        let before = upstream_counts(&gw);
        let body = refused(&gw, None, field, args, id).await;
        assert_eq!(
            code(&body),
            "UNSUPPORTED",
            "{field}({args}) on {provider}: {body}"
        );
        assert!(
            message(&body).contains(provider),
            "the message names {provider}: {body}"
        );
        assert_eq!(
            upstream_counts(&gw),
            before,
            "{field}({args}) on {provider} reached an upstream"
        );
    }
    assert_eq!(
        state(&gw, &dedicated).await,
        "running",
        "the dedicated server was not touched"
    );
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// A snapshot of an Orchestrix site is a task that succeeds and leaves the snapshot, with its
/// description, in the site's list; a VM's snapshot is a HosterAPI backup task that adds a backup.
#[tokio::test]
async fn create_snapshot_follows_the_work() {
    let gw = spawn().await;
    let site = site_id(&gw, "ORCHESTRIX", "site_abc123").await;
    let payload = act(
        &gw,
        "createSnapshot",
        "description: \"before the 6.6 upgrade\"",
        &site,
    )
    .await;
    assert_eq!(payload["ok"], true, "{payload}");
    assert_eq!(payload["operation"], "orchestrixCreateSnapshot");
    assert_eq!(payload["subjectId"], site.as_str());
    assert_eq!(payload["task"]["operation"], "orchestrixCreateSnapshot");
    assert_eq!(
        gw.orchestrix_upstream
            .log
            .count("POST", "/api/v1/sites/site_abc123/snapshots"),
        1
    );
    let snapshot_id = payload["raw"]["id"]
        .as_str()
        .expect("the upstream snapshot")
        .to_string();
    let task = gw
        .wait_task(payload["task"]["taskId"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "SUCCEEDED", "{task}");

    let data = gw
        .data(
            r#"{ orchestrixSnapshots(siteId: "site_abc123") { nodes { id description status } } }"#,
            json!({}),
        )
        .await;
    let snapshots = data["orchestrixSnapshots"]["nodes"].as_array().unwrap();
    let taken = snapshots
        .iter()
        .find(|s| s["id"] == snapshot_id.as_str())
        .unwrap_or_else(|| panic!("snapshot {snapshot_id} not listed: {data}"));
    assert_eq!(taken["description"], "before the 6.6 upgrade");
    assert_eq!(taken["status"], "completed");
    // The same snapshot through the unified site.
    let data = gw
        .data(
            "query($id: ID!) { node(id: $id) { ... on Site { snapshots { id description } } } }",
            json!({"id": site}),
        )
        .await;
    assert!(
        data["node"]["snapshots"]
            .as_array()
            .unwrap()
            .contains(&json!({"id": snapshot_id, "description": "before the 6.6 upgrade"})),
        "{data}"
    );

    // A VM: HosterAPI backups take no description, so one is refused before any call.
    let vm = server_id(&gw, "vm:4001").await;
    let before = upstream_counts(&gw);
    let body = refused(&gw, None, "createSnapshot", "description: \"x\"", &vm).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(upstream_counts(&gw), before);

    assert_eq!(backups(&gw).await, 3, "the seeded backups");
    let payload = act(&gw, "createSnapshot", "", &vm).await;
    assert_eq!(payload["ok"], true, "{payload}");
    assert_eq!(payload["operation"], "hosterapiCreateServerBackup");
    assert_eq!(payload["task"]["operation"], "hosterapiCreateServerBackup");
    assert_eq!(
        gw.upstream
            .log
            .count("PUT", "/api/v1/datacenter/server/4001/backups/create"),
        1
    );
    let task = gw
        .wait_task(payload["task"]["taskId"].as_str().unwrap())
        .await;
    assert_eq!(task["status"], "SUCCEEDED", "{task}");
    assert_eq!(backups(&gw).await, 4, "the backup was taken");
    let ops: Vec<String> = audit_rows(&gw)
        .await
        .into_iter()
        .map(|r| r.operation)
        .collect();
    assert_eq!(
        ops.iter()
            .filter(|o| *o == "orchestrixCreateSnapshot" || *o == "hosterapiCreateServerBackup")
            .count(),
        2,
        "{ops:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Deleting sites

/// A Patchstack site is deleted upstream and leaves `sites`; the other seen site stays.
#[tokio::test]
async fn delete_patchstack_site() {
    let gw = spawn().await;
    learn_patchstack_sites(&gw).await;
    let site = site_id(&gw, "PATCHSTACK", "16106").await;
    let payload = act(&gw, "deleteSite", "", &site).await;
    assert_eq!(payload["ok"], true, "{payload}");
    assert_eq!(payload["operation"], "patchstackDeleteSite");
    assert_eq!(payload["subjectId"], site.as_str());
    assert_eq!(payload["task"], Value::Null);
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("POST", "/hosting/site/16106/delete"),
        1
    );
    assert!(!gw.patchstack.site_ids().contains(&16106));

    let body = gw
        .gql("{ patchstackSite(siteid: 16106) { id } }", json!({}))
        .await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let listed: Vec<String> = listed_sites(&gw, "PATCHSTACK")
        .await
        .into_iter()
        .map(|(local, _)| local)
        .collect();
    assert_eq!(listed, vec!["315"], "the deleted site is no longer listed");
    let row = audit_rows(&gw).await.pop().unwrap();
    assert_eq!(
        (row.operation.as_str(), row.outcome.as_str()),
        ("patchstackDeleteSite", "ok")
    );
}

/// An Orchestrix site is deleted upstream and leaves `sites`.
#[tokio::test]
async fn delete_orchestrix_site() {
    let gw = spawn().await;
    let site = site_id(&gw, "ORCHESTRIX", "site_abc123").await;
    assert_eq!(listed_sites(&gw, "ORCHESTRIX").await.len(), 3);
    let payload = act(&gw, "deleteSite", "", &site).await;
    assert_eq!(payload["ok"], true, "{payload}");
    assert_eq!(payload["operation"], "orchestrixDeleteSite");
    assert_eq!(payload["task"], Value::Null);
    assert_eq!(
        gw.orchestrix_upstream
            .log
            .count("DELETE", "/api/v1/sites/site_abc123"),
        1
    );
    assert!(
        !gw.orchestrix
            .site_ids()
            .contains(&"site_abc123".to_string())
    );
    let listed = listed_sites(&gw, "ORCHESTRIX").await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|(local, _)| local != "site_abc123"));
}

/// A WPCS tenant, named by its Site ID or by its Tenant ID, is removed by a task that succeeds once
/// it is gone, after which `tenants` no longer lists it.
#[tokio::test]
async fn delete_wpcs_tenants() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let seeded = tenants(&gw).await;
    assert_eq!(seeded.len(), 2, "{seeded:?}");
    let (first, _, first_site) = seeded[0].clone();
    let (second, second_tenant, _) = seeded[1].clone();

    for (tenant_id, id) in [(&first, &first_site), (&second, &second_tenant)] {
        let payload = act(&gw, "deleteSite", "", id).await;
        assert_eq!(payload["ok"], true, "{payload}");
        assert_eq!(payload["operation"], "wpcsDeleteTenant");
        assert_eq!(payload["subjectId"], id.as_str());
        assert_eq!(payload["task"]["operation"], "wpcsDeleteTenant");
        let task = gw
            .wait_task(payload["task"]["taskId"].as_str().unwrap())
            .await;
        assert_eq!(task["status"], "SUCCEEDED", "{task}");
        assert!(!gw.wpcs.tenant_ids().contains(tenant_id));
        let left: Vec<String> = tenants(&gw).await.into_iter().map(|t| t.0).collect();
        assert!(
            !left.contains(tenant_id),
            "{tenant_id} still listed: {left:?}"
        );
    }
    assert_eq!(tenants(&gw).await, vec![], "both tenants are gone");
    assert!(listed_sites(&gw, "WPCS").await.is_empty());
    let deletes = gw
        .wpcs_upstream
        .log
        .all()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deletes, 2, "one upstream delete per tenant");
}

// ---------------------------------------------------------------------------------------------
// Cancelling tasks

/// No connected upstream can stop accepted work: cancelling a running task is UNSUPPORTED and the
/// task goes on to succeed; an ended task is VALIDATION; unknown or invisible tasks are NOT_FOUND.
#[tokio::test]
async fn cancel_task() {
    // Long enough that the snapshot is certainly still running when it is cancelled.
    let gw = spawn_with(Options {
        job_duration: Duration::from_secs(3),
        ..Options::default()
    })
    .await;
    let site = site_id(&gw, "ORCHESTRIX", "site_abc123").await;
    let payload = act(&gw, "createSnapshot", "description: \"nightly\"", &site).await;
    let task_gid = payload["task"]["id"].as_str().unwrap().to_string();
    let task_uuid = payload["task"]["taskId"].as_str().unwrap().to_string();

    for id in [&task_gid, &task_uuid] {
        let body = refused(&gw, None, "cancelTask", "", id).await;
        assert_eq!(code(&body), "UNSUPPORTED", "{body}");
        assert!(message(&body).contains("orchestrix"), "{body}");
    }
    // A caller limited to another connection does not see the task at all.
    let elsewhere = token_for("other", &[Scope::Write], Some(&["hoster".to_string()]));
    let body = refused(&gw, Some(&elsewhere), "cancelTask", "", &task_gid).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let body = refused(
        &gw,
        Some(&token(&[Scope::Read])),
        "cancelTask",
        "",
        &task_gid,
    )
    .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");

    let task = gw.wait_task(&task_uuid).await;
    assert_eq!(task["status"], "SUCCEEDED", "the work went on: {task}");
    let deleted = gw
        .orchestrix_upstream
        .log
        .all()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .count();
    assert_eq!(deleted, 0, "nothing tried to cancel the snapshot upstream");

    let body = refused(&gw, None, "cancelTask", "", &task_gid).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert!(message(&body).contains("SUCCEEDED"), "{body}");

    let unknown = uuid::Uuid::new_v4().to_string();
    let body = refused(&gw, None, "cancelTask", "", &unknown).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    let unknown_gid = GlobalId::new("Task", "orch", &unknown).encode();
    let body = refused(&gw, None, "cancelTask", "", &unknown_gid).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

// ---------------------------------------------------------------------------------------------
// Refusals

/// Wrong kinds of ID, garbage, a read-only caller and a caller limited to other connections are
/// refused with their own code, before any upstream request, and the server keeps running.
#[tokio::test]
async fn bad_input_changes_nothing() {
    let gw = spawn().await;
    let vm = server_id(&gw, "vm:4001").await;
    let site = site_id(&gw, "ORCHESTRIX", "site_abc123").await;
    let (_, tenant, _) = tenants(&gw).await.remove(0);
    let read_only = token(&[Scope::Read]);
    let orch_only = token_for("orch-only", &[Scope::Write], Some(&["orch".to_string()]));

    // IDs of the right shape naming the wrong kind of object, or a local ID the operation could
    // not take: all refused before any call.
    let forged = |kind: &str, conn: &str, local: &str| GlobalId::new(kind, conn, local).encode();
    let tenant_at_orch = forged("Tenant", "orch", "site_abc123");
    let tenant_at_patch = forged("Tenant", "patch", "16106");
    let server_at_orch = forged("Server", "orch", "vm:1");
    let bad_sid = forged("Server", "hoster", "vm:abc");
    let bad_siteid = forged("Site", "patch", "abc");
    let site_at_hoster = forged("Site", "hoster", "4001");
    let cases: [(Option<&str>, &str, &str, &str, &str); 17] = [
        (None, "deleteSite", "", &tenant_at_orch, "VALIDATION"),
        (None, "deleteSite", "", &tenant_at_patch, "VALIDATION"),
        (None, "startServer", "", &server_at_orch, "VALIDATION"),
        (None, "startServer", "", &bad_sid, "VALIDATION"),
        (None, "deleteSite", "", &bad_siteid, "VALIDATION"),
        (None, "createSnapshot", "", &site_at_hoster, "VALIDATION"),
        (None, "cancelTask", "", &site, "VALIDATION"),
        (None, "startServer", "", &site, "VALIDATION"),
        (None, "stopServer", "force: true", &tenant, "VALIDATION"),
        (None, "deleteSite", "", &vm, "VALIDATION"),
        (None, "startServer", "", "not-an-id", "VALIDATION"),
        (None, "deleteSite", "", "not-an-id", "VALIDATION"),
        (None, "createSnapshot", "", "%%%", "VALIDATION"),
        (Some(&read_only), "stopServer", "", &vm, "FORBIDDEN"),
        (Some(&read_only), "deleteSite", "", &site, "FORBIDDEN"),
        (Some(&orch_only), "stopServer", "", &vm, "NOT_FOUND"),
        (Some(&orch_only), "createSnapshot", "", &vm, "NOT_FOUND"),
    ];
    for (bearer, field, args, id, expected) in cases {
        let before = upstream_counts(&gw);
        let body = refused(&gw, bearer, field, args, id).await;
        assert_eq!(code(&body), expected, "{field}({id}): {body}");
        assert_eq!(
            upstream_counts(&gw),
            before,
            "{field}({id}) reached an upstream"
        );
    }
    assert_eq!(state(&gw, &vm).await, "running");
    assert!(
        gw.orchestrix
            .site_ids()
            .contains(&"site_abc123".to_string())
    );
    assert_eq!(gw.wpcs.tenant_ids().len(), 2);
    // Each refusal is audited under the unified mutation's name, with its code.
    let rows = audit_rows(&gw).await;
    let refusal = rows
        .iter()
        .find(|r| r.operation == "cancelTask")
        .expect("the refused cancelTask is audited");
    assert_eq!(
        (refusal.outcome.as_str(), refusal.error_code.as_deref()),
        ("error", Some("VALIDATION"))
    );
    assert!(rows.iter().all(|r| r.outcome == "error"), "{rows:?}");
}
