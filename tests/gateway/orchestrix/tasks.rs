//! WP Orchestrix's snapshots and upgrade pipelines as Tasks.

use super::*;

const SNAPSHOT: &str = "mutation($site: String!) {
    orchestrixCreateSnapshot(siteId: $site, input: {description: \"before upgrade\"}) {
        task { taskId status operation subjectId upstreamRef } raw } }";

/// A snapshot is a Task that follows the upstream's snapshot to its end, failures included.
#[tokio::test]
async fn snapshot_is_a_task() {
    let gw = spawn().await;
    let data = gw.data(SNAPSHOT, json!({"site": HOME})).await;
    let payload = &data["orchestrixCreateSnapshot"];
    let task = &payload["task"];
    assert_eq!(task["status"], "QUEUED", "{payload}");
    assert_eq!(task["operation"], "orchestrixCreateSnapshot");
    assert_eq!(payload["raw"]["status"], "pending");
    let snap_id = text(&payload["raw"]["id"]);
    assert_eq!(task["upstreamRef"], format!("snapshot:{snap_id}"));
    let done = gw.wait_task(task["taskId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"]["status"], "completed");
    assert_eq!(done["output"]["id"], snap_id.as_str());
    assert_eq!(done["subjectId"], site_gid(HOME));
    let one = format!("/api/v1/sites/{HOME}/snapshots/{snap_id}");
    let (_, upstream) = direct(&gw, "GET", &one, None).await;
    assert_eq!(upstream["status"], "completed");
    assert_eq!(done["output"], upstream);

    // The blog is down: its snapshot fails part-way, with the upstream's reason.
    let blog = gw.orchestrix.site_ids()[2].clone();
    let data = gw.data(SNAPSHOT, json!({"site": blog})).await;
    let task = &data["orchestrixCreateSnapshot"]["task"];
    assert_eq!(task["subjectId"], site_gid(&blog));
    let failed = gw.wait_task(task["taskId"].as_str().unwrap()).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    let blog_snap = text(&data["orchestrixCreateSnapshot"]["raw"]["id"]);
    let (_, upstream) = direct(
        &gw,
        "GET",
        &format!("/api/v1/sites/{blog}/snapshots/{blog_snap}"),
        None,
    )
    .await;
    assert_eq!(upstream["status"], "failed");
    assert_eq!(failed["message"], upstream["error"]);
    assert!(text(&failed["message"]).contains("unreachable"), "{failed}");

    // Upload and delete on the REST layer.
    let upload = format!("{one}/upload");
    let (status, uploaded) = rest_admin(
        &gw,
        "PUT",
        &upload,
        Some(json!({"data": "aGVsbG8gd29ybGQ="})),
    )
    .await;
    assert_eq!(status, 200, "{uploaded}");
    assert_eq!(uploaded["uploaded"], true);
    assert_eq!(uploaded["size_bytes"], 11);
    assert_eq!(uploaded["id"], snap_id.as_str());
    assert_eq!(direct(&gw, "GET", &one, None).await, (200, uploaded));
    let got = rest_admin(&gw, "PUT", &upload, Some(json!({}))).await;
    assert_eq!(got, (422, error("Data can't be blank")));
    let (status, _, bytes) = gw
        .orchestrix_rest(Some(&admin_auth()), "DELETE", &one, None)
        .await;
    assert_eq!((status, bytes.len()), (204, 0));
    assert_eq!(
        rest_admin(&gw, "GET", &one, None).await,
        (404, error("Record not found"))
    );
    assert_eq!(direct(&gw, "GET", &one, None).await.0, 404);
}

const PIPELINE: &str = "mutation($site: String!, $plugins: [String!]) {
    orchestrixCreateUpgradePipeline(siteId: $site, input: {plugins: $plugins, core: true}) {
        task { taskId status message operation subjectId upstreamRef } raw } }";

/// An upgrade pipeline is one Task from its creation: queued until approved (on either surface),
/// then followed to its end.
#[tokio::test]
async fn pipeline_is_a_task_from_creation_to_end() {
    let gw = spawn().await;
    let data = gw
        .data(PIPELINE, json!({"site": HOME, "plugins": ["akismet"]}))
        .await;
    let payload = &data["orchestrixCreateUpgradePipeline"];
    let task = payload["task"].clone();
    assert_eq!(task["status"], "QUEUED", "{payload}");
    assert_eq!(task["message"], "awaiting approval");
    assert_eq!(task["subjectId"], site_gid(HOME));
    assert_eq!(payload["raw"]["status"], "awaiting_approval");
    let pipe_id = text(&payload["raw"]["id"]);
    let task_id = text(&task["taskId"]);
    assert_eq!(task["upstreamRef"], format!("pipeline:{pipe_id}"));

    // Unapproved, it waits however often it is polled.
    tokio::time::sleep(Duration::from_millis(400)).await;
    const TASK: &str = "query($id: ID!) { task(id: $id) { status message finishedAt } }";
    let waiting = gw.data(TASK, json!({"id": task_id})).await["task"].clone();
    assert_eq!(
        waiting,
        json!({"status": "QUEUED", "message": "awaiting approval", "finishedAt": null})
    );
    let one = format!("/api/v1/sites/{HOME}/upgrade_pipelines/{pipe_id}");
    assert!(
        gw.orchestrix_upstream.log.count("GET", &one) >= 2,
        "the task polls the pipeline: {:?}",
        gw.orchestrix_upstream.log.all()
    );

    let approve = format!("{one}/approve");
    let (status, running) = rest_admin(&gw, "POST", &approve, None).await;
    assert_eq!(status, 200, "{running}");
    assert_eq!(running["status"], "running");
    assert_eq!(running["id"], pipe_id.as_str());

    const TASKS: &str = "{ tasks { nodes { taskId operation upstreamRef } } }";
    let tasks = gw.data(TASKS, json!({})).await["tasks"]["nodes"].clone();
    let following: Vec<&Value> = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["upstreamRef"] == format!("pipeline:{pipe_id}"))
        .collect();
    assert_eq!(following.len(), 1, "{tasks}");
    assert_eq!(following[0]["taskId"], task_id.as_str());
    assert_eq!(following[0]["operation"], "orchestrixCreateUpgradePipeline");
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");

    let done = gw.wait_task(&task_id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"]["status"], "completed");
    assert_eq!(done["subjectId"], site_gid(HOME));
    const VERSION: &str = "{ orchestrixSite(id: \"site_abc123\") { orchestrix { wpVersion } } }";
    let site = gw.data(VERSION, json!({})).await;
    assert_eq!(site["orchestrixSite"]["orchestrix"]["wpVersion"], "6.6");

    // A second approval is the upstream's 422 on both surfaces, and starts nothing.
    let again = rest_admin(&gw, "POST", &approve, None).await;
    assert_eq!(again, (422, error("Pipeline is not awaiting approval")));
    const APPROVE: &str = "mutation($site: String!, $id: String!) {
        orchestrixApproveUpgradePipeline(siteId: $site, id: $id) { task { taskId status } raw } }";
    let body = gw.gql(APPROVE, json!({"site": HOME, "id": pipe_id})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(ext(&body)["upstreamStatus"], 422);
    assert_eq!(
        ext(&body)["upstreamError"],
        "Pipeline is not awaiting approval"
    );
    let tasks = gw.data(TASKS, json!({})).await["tasks"]["nodes"].clone();
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");

    // A broken plugin fails the pipeline, and so its task (approved through GraphQL this time).
    let data = gw
        .data(
            PIPELINE,
            json!({"site": HOME, "plugins": ["akismet", "broken-plugin"]}),
        )
        .await;
    let payload = &data["orchestrixCreateUpgradePipeline"];
    let broken_task = text(&payload["task"]["taskId"]);
    let broken = text(&payload["raw"]["id"]);
    let approved = gw.data(APPROVE, json!({"site": HOME, "id": broken})).await;
    let approved = &approved["orchestrixApproveUpgradePipeline"];
    assert_eq!(approved["task"]["taskId"], broken_task.as_str());
    assert_eq!(approved["raw"]["status"], "running");
    let failed = gw.wait_task(&broken_task).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert!(
        text(&failed["message"]).contains("broken-plugin"),
        "{failed}"
    );
    assert_eq!(failed["output"]["status"], "failed");
    // The failed pipeline rolled back: core stays where the first pipeline put it.
    let site = gw.data(VERSION, json!({})).await;
    assert_eq!(site["orchestrixSite"]["orchestrix"]["wpVersion"], "6.6");
}
