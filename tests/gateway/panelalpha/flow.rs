//! One customer's WordPress from install to deletion, end to end as a bound customer would drive
//! it: every long step a Task (followed over the WebSocket for the install), the instance in the
//! unified `instances` and `sites`, its backup made by `createSnapshot` as its owner and downloaded
//! through the gateway, a plugin installed, the backup restored; the same install on the REST path
//! a Task too; and a second customer seeing none of it.

use super::{bound_token, rest};
use crate::helpers::{Options, TestGateway, spawn_with};
use crate::readme::follow_task::follow;
use serde_json::{Value, json};
use std::time::Duration;

/// Runs a mutation whose payload has a task, and waits for the task's end: its final state.
async fn to_the_end(gw: &TestGateway, token: &str, mutation: &str, variables: Value) -> Value {
    let answer = gw.data_as(token, mutation, variables).await;
    let payload = answer.as_object().unwrap().values().next().unwrap().clone();
    let task = gw.wait_task(payload["task"]["id"].as_str().unwrap()).await;
    assert_eq!(task["status"], "SUCCEEDED", "{mutation}: {task}");
    task
}

#[tokio::test]
async fn a_customer_wordpress_from_install_to_deletion() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_millis(400),
        ..Options::default()
    })
    .await;
    let (ada, grace) = (bound_token("1"), bound_token("2"));

    // Installed through GraphQL; the Task followed over the WebSocket to SUCCEEDED.
    let install = r#"mutation { panelalphaInstallMyInstance(input: {serviceId: 1, name: "Flow",
        domain: "flow.example.org"}) { task { id } raw } }"#;
    let started = gw.data_as(&ada, install, json!({})).await;
    let payload = &started["panelalphaInstallMyInstance"];
    let instance = payload["raw"]["id"]
        .as_u64()
        .expect("an instance id")
        .to_string();
    let task = payload["task"]["id"].as_str().unwrap().to_string();
    let url = format!("ws://{}/graphql/ws", gw.addr);
    let mut seen = Vec::new();
    let followed = follow(&url, &ada, &task, |result| {
        seen.push(result["data"]["taskUpdated"]["status"].clone());
    });
    tokio::time::timeout(Duration::from_secs(30), followed)
        .await
        .expect("the install ends in time")
        .expect("the subscription runs");
    assert_eq!(seen.last(), Some(&json!("SUCCEEDED")), "{seen:?}");

    // It is Ada's instance in `instances`, and a site by its domain.
    let lists = gw
        .data_as(
            &ada,
            r#"{ instances(scope: {userId: "1"}) { nodes { id instanceId status } }
            sites(filter: {text: "flow.example.org"}) { nodes { provider siteId } } }"#,
            json!({}),
        )
        .await;
    let node = lists["instances"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["instanceId"] == instance.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("the new instance is listed: {lists}"));
    assert_eq!(node["status"], "active");
    assert_eq!(
        lists["sites"]["nodes"],
        json!([{"provider": "PANELALPHA", "siteId": instance}])
    );
    let gid = node["id"].clone();

    // Backed up by the unified `createSnapshot`, as its owner; the backup downloads through the
    // gateway as a zip that names the instance.
    to_the_end(
        &gw,
        &ada,
        r#"mutation($id: ID!) { createSnapshot(id: $id, description: "Before plugins")
            { operation task { id } } }"#,
        json!({"id": gid}),
    )
    .await;
    let id: i64 = instance.parse().unwrap();
    let backups = gw
        .data_as(
            &ada,
            "query($id: Int!) { panelalphaMyBackups(id: $id) { id note status } }",
            json!({"id": id}),
        )
        .await;
    let backup = &backups["panelalphaMyBackups"][0];
    assert_eq!(
        (&backup["note"], &backup["status"]),
        (&json!("Before plugins"), &json!("completed"))
    );
    let backup_id: i64 = backup["id"].as_str().unwrap().parse().unwrap();
    let link = gw.data_as(&ada,
        "query($id: Int!, $b: Int!) { panelalphaDownloadMyBackup(id: $id, backupId: $b) { url } }",
        json!({"id": id, "b": backup_id}),
    )
    .await;
    let url = link["panelalphaDownloadMyBackup"]["url"].as_str().unwrap();
    let file = gw.http.get(url).send().await.expect("the gateway answers");
    assert_eq!(file.status(), 200);
    let bytes = file.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("instance flow.example.org"), "{text}");
    // A link tampered with is refused as PanelAlpha words a missing thing, and reaches nothing.
    let tampered = format!("{}x", url);
    let refused = gw
        .http
        .get(&tampered)
        .send()
        .await
        .expect("the gateway answers");
    assert_eq!(refused.status(), 404);
    let body: Value = refused.json().await.expect("a JSON refusal");
    assert_eq!(body, json!({"message": "download link invalid or expired"}));

    // A plugin installed, then the backup restored: a Task each.
    to_the_end(
        &gw,
        &ada,
        r#"mutation($id: Int!) { panelalphaInstallMyPlugin(id: $id, pluginName: "woocommerce")
            { task { id } } }"#,
        json!({"id": id}),
    )
    .await;
    to_the_end(
        &gw,
        &ada,
        r#"mutation($id: Int!, $b: Int!) { panelalphaRestoreMyBackup(id: $id, backupId: $b,
            input: {restoreDatabase: true}) { task { id } } }"#,
        json!({"id": id, "b": backup_id}),
    )
    .await;

    // Grace sees none of it: not the instance, not its link's worth of data, not its tasks.
    let theirs = gw
        .data_as(
            &grace,
            "query($id: ID!) { node(id: $id) { id } instances { nodes { instanceId } }
            tasks { nodes { subjectId } } }",
            json!({"id": gid}),
        )
        .await;
    assert_eq!(theirs["node"], Value::Null, "{theirs}");
    let listed = theirs["instances"]["nodes"].to_string();
    assert!(!listed.contains(&format!("\"{instance}\"")), "{theirs}");
    assert!(
        !theirs["tasks"].to_string().contains(gid.as_str().unwrap()),
        "{theirs}"
    );

    // Deleted, it leaves Ada's lists.
    gw.data_as(
        &ada,
        "mutation($id: Int!) { panelalphaDeleteMyInstance(id: $id) { ok } }",
        json!({"id": id}),
    )
    .await;
    let mine = gw
        .data_as(&ada, "{ panelalphaMyInstances { instanceId } }", json!({}))
        .await;
    assert!(
        !mine.to_string().contains(&format!("\"{instance}\"")),
        "{mine}"
    );

    // The same install on the REST path is a Task too, which Ada sees and Grace does not.
    let before = gw
        .data_as(&ada, "{ tasks { totalCount } }", json!({}))
        .await;
    let (status, body) = rest(
        &gw,
        Some(&ada),
        &[],
        "POST",
        "/api/instances/install",
        Some(json!({"service_id": 1, "name": "Over REST"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rest_instance = body["data"]["id"].clone();
    assert!(
        body["data"]["task_id"].is_u64(),
        "PanelAlpha's own answer: {body}"
    );
    let after = gw
        .data_as(
            &ada,
            "{ tasks { totalCount nodes { subjectId } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        after["tasks"]["totalCount"].as_u64(),
        before["tasks"]["totalCount"].as_u64().map(|n| n + 1),
        "{after}"
    );
    let subject = after["tasks"]["nodes"][0]["subjectId"].as_str().unwrap();
    let subject = gw
        .data_as(
            &ada,
            "query($id: ID!) { node(id: $id) { ... on Instance { instanceId } } }",
            json!({"id": subject}),
        )
        .await;
    assert_eq!(subject["node"]["instanceId"], rest_instance.to_string());
    let graces = gw
        .data_as(&grace, "{ tasks { totalCount } }", json!({}))
        .await;
    assert_eq!(graces["tasks"]["totalCount"], 0, "{graces}");
}
