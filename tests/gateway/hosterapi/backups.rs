//! HosterAPI's backups and restores as Tasks.

use super::*;

/// Backups and restores, through both surfaces, are Tasks that follow the VM's backup status to
/// SUCCEEDED; a finished backup heads the list, and a second backup task at once is refused.
#[tokio::test]
async fn backups_are_tasks() {
    let gw = spawn().await;
    let base = "/api/v1/datacenter/server/4001/backups";
    let status = "{ hosterapiServerBackupStatus(sid: 4001) { status progress raw } }";
    let s = gw.data(status, json!({})).await;
    assert_eq!(s["hosterapiServerBackupStatus"]["status"], "none");

    let create = format!("mutation {{ r: hosterapiCreateServerBackup(sid: 4001) {TASK} }}");
    let before = task_ids(&gw).await;
    let r = gw.data(&create, json!({})).await["r"].clone();
    // The upstream is busy with it: a second backup task now is refused on both surfaces.
    let (code, body) = rest_error_as_upstream(&gw, "PUT", &format!("{base}/create"), None).await;
    let busy = "0xa1: a backup task is already running on this vm";
    assert_eq!((code, &body["error"]), (500, &json!(busy)));
    let mut expected = before.clone();
    expected.insert(r["task"]["taskId"].as_str().expect("taskId").to_string());
    assert_eq!(
        task_ids(&gw).await,
        expected,
        "a refused call starts no task"
    );
    assert_eq!(r["raw"], true);
    assert_eq!(r["task"]["status"], "QUEUED");
    assert_eq!(r["task"]["operation"], "hosterapiCreateServerBackup");
    assert_eq!(r["task"]["upstreamRef"], "backup:4001");
    let vm = server_gid(&gw, "hosterapiServers", 4001).await;
    assert_eq!(r["task"]["subjectId"], vm);
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(done["subjectId"], vm);

    let list = "{ hosterapiServerBackups(sid: 4001) { timestamp takenAt } }";
    let backups = gw.data(list, json!({})).await["hosterapiServerBackups"].clone();
    let backups = backups.as_array().expect("backups");
    assert_eq!(backups.len(), 4, "{backups:?}");
    let newest = backups[0]["timestamp"].as_i64().expect("a timestamp");
    assert!(newest > 1606685300, "{backups:?}");
    assert!(
        backups.iter().all(|b| b["takenAt"].is_string()),
        "{backups:?}"
    );
    let s = gw.data(status, json!({})).await;
    assert_eq!(s["hosterapiServerBackupStatus"]["status"], "finished");
    assert_eq!(s["hosterapiServerBackupStatus"]["progress"], json!(1.0));

    // Restore through REST: the upstream's `pending`, and a task behind it.
    let before = task_ids(&gw).await;
    let reply = rest_ok(
        &gw,
        "POST",
        &format!("{base}/restore"),
        Some(json!({"backup": 1606585800})),
    )
    .await;
    assert_eq!(reply, json!({"result": "pending"}));
    let task = new_task(&gw, &before, "hosterapiRestoreServerBackup").await;
    assert_eq!(task["subjectId"], vm);
    finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    let through = gw.rest("GET", &format!("{base}/status"), None).await;
    assert_eq!(
        through,
        (
            200,
            json!({"result": {"status": "finished", "progress": 1, "type": "restore"}})
        )
    );
    assert_eq!(
        through,
        gw.direct("GET", &format!("{base}/status"), None).await
    );
    let (code, body) = rest_error_as_upstream(
        &gw,
        "POST",
        &format!("{base}/restore"),
        Some(json!({"backup": 1})),
    )
    .await;
    assert_eq!(
        (code, &body["error"]),
        (404, &json!("0x01: no backup 1 found"))
    );

    // Create through REST.
    let before = task_ids(&gw).await;
    let reply = rest_ok(&gw, "PUT", &format!("{base}/create"), None).await;
    assert_eq!(reply, json!({"result": true}));
    let task = new_task(&gw, &before, "hosterapiCreateServerBackup").await;
    finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    let listed = rest_ok(&gw, "GET", &format!("{base}/list"), None).await;
    let stamps = listed["result"].as_array().expect("backups");
    assert_eq!(stamps.len(), 5, "{listed}");
    assert!(
        stamps[0].as_i64().expect("a timestamp") > newest,
        "{listed}"
    );
    assert_eq!(stamps[1], newest);

    // Restore through GraphQL.
    let restore = format!(
        "mutation($ts: Int!) {{ r: hosterapiRestoreServerBackup(sid: 4001, input: {{backup: $ts}}) {TASK} }}"
    );
    let r = gw.data(&restore, json!({"ts": 1606575200})).await["r"].clone();
    assert_eq!(r["raw"], "pending");
    assert_eq!(r["task"]["operation"], "hosterapiRestoreServerBackup");
    finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    let s = gw.data(status, json!({})).await;
    assert_eq!(
        s["hosterapiServerBackupStatus"]["raw"],
        json!({"status": "finished", "progress": 1, "type": "restore"})
    );
    // Restoring changes nothing in the list.
    assert_eq!(
        gw.data(list, json!({})).await["hosterapiServerBackups"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
}
