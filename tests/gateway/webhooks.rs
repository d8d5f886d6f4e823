//! Upstream webhooks: the gateway registers itself with Orchestrix, signed deliveries move tasks at
//! once and become site events, and forged ones change nothing.

use crate::helpers::{ORCHESTRIX, Options, TestGateway, spawn_with};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

/// Polling slow enough that only a delivery can move a task within a test.
fn push_only() -> Options {
    Options {
        job_duration: Duration::from_millis(600),
        poll_interval: Duration::from_secs(120),
        ..Options::default()
    }
}

async fn register(gw: &TestGateway) -> Value {
    let data = gw
        .data(
            "mutation($c: String!) { registerOrchestrixWebhook(connection: $c) { connection url events upstreamId } }",
            json!({"c": ORCHESTRIX}),
        )
        .await;
    data["registerOrchestrixWebhook"].clone()
}

async fn snapshot(gw: &TestGateway) -> (String, String) {
    let data = gw
        .data(
            "mutation { orchestrixCreateSnapshot(siteId: \"site_abc123\") { task { taskId status } raw } }",
            json!({}),
        )
        .await;
    let payload = &data["orchestrixCreateSnapshot"];
    (
        payload["task"]["taskId"].as_str().unwrap().to_string(),
        payload["raw"]["id"].as_str().unwrap().to_string(),
    )
}

fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Registration creates the upstream endpoint at the gateway's URL; deliveries then finish a task
/// that polling (two minutes apart here) could not, and publish the site's events.
#[tokio::test]
async fn deliveries_drive_tasks() {
    let gw = spawn_with(push_only()).await;
    let reg = register(&gw).await;
    let url = gw.url(&format!("/webhooks/orchestrix/{ORCHESTRIX}"));
    assert_eq!(reg["url"], url);
    assert_eq!(reg["events"].as_array().unwrap().len(), 7);
    let (_, _, body) = gw
        .orchestrix_direct("GET", "/api/v1/webhook_endpoints", None)
        .await;
    let hooks: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        hooks.as_array().unwrap().iter().any(|h| h["url"] == url),
        "{hooks}"
    );

    let mut site_events = gw.services.site_events.subscribe();
    let (task_id, snapshot_id) = snapshot(&gw).await;
    let done = gw.wait_task(&task_id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"]["id"], snapshot_id.as_str());
    assert_eq!(
        gw.orchestrix_upstream.log.count(
            "GET",
            &format!("/api/v1/sites/site_abc123/snapshots/{snapshot_id}")
        ),
        0,
        "no poll happened: the delivery did it"
    );
    // The simulator records a delivery once the gateway's answer is back, which can be just after
    // the task it drove has ended: wait for the record, within a bound.
    let delivered = |gw: &TestGateway| {
        gw.orchestrix
            .deliveries()
            .iter()
            .any(|(to, event, status)| {
                to == &url && event == "snapshot.completed" && *status == Some(204)
            })
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !delivered(&gw) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(delivered(&gw), "{:?}", gw.orchestrix.deliveries());
    let event = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let e = site_events.recv().await.unwrap();
            if e.event == "snapshot.completed" {
                return e;
            }
        }
    })
    .await
    .expect("a site event");
    assert_eq!(event.site_id, "site_abc123");
    assert_eq!(event.connection, ORCHESTRIX);
}

/// Unsigned, wrongly signed and misdirected deliveries are refused and change nothing; the same
/// body signed with the upstream's secret is applied.
#[tokio::test]
async fn forged_deliveries_change_nothing() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_secs(60),
        ..push_only()
    })
    .await;
    let reg = register(&gw).await;
    let (task_id, snapshot_id) = snapshot(&gw).await;
    let forged = serde_json::to_vec(&json!({
        "id": "evt_forged", "event": "snapshot.completed", "created_at": "2026-11-25T00:00:00Z",
        "data": {"id": snapshot_id, "site_id": "site_abc123", "status": "completed", "progress": 1.0}
    }))
    .unwrap();
    let post = |path: String, signature: Option<String>| {
        let mut req = gw
            .http
            .post(gw.url(&path))
            .header("content-type", "application/json")
            .body(forged.clone());
        if let Some(s) = signature {
            req = req.header("X-Orchestrix-Signature", s);
        }
        req.send()
    };
    let receiver = format!("/webhooks/orchestrix/{ORCHESTRIX}");
    assert_eq!(post(receiver.clone(), None).await.unwrap().status(), 401);
    assert_eq!(
        post(receiver.clone(), Some(sign("whsec_guess", &forged)))
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        post("/webhooks/orchestrix/nope".into(), Some(sign("x", &forged)))
            .await
            .unwrap()
            .status(),
        404
    );
    let task = gw
        .data(
            "query($id: ID!) { task(id: $id) { status } }",
            json!({"id": task_id}),
        )
        .await;
    assert_ne!(
        task["task"]["status"], "SUCCEEDED",
        "a forged delivery moved the task"
    );

    let (_, _, body) = gw
        .orchestrix_direct(
            "GET",
            &format!(
                "/api/v1/webhook_endpoints/{}",
                reg["upstreamId"].as_str().unwrap()
            ),
            None,
        )
        .await;
    let secret = serde_json::from_slice::<Value>(&body).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        post(receiver, Some(sign(&secret, &forged)))
            .await
            .unwrap()
            .status(),
        204
    );
    let task = gw
        .data(
            "query($id: ID!) { task(id: $id) { status } }",
            json!({"id": task_id}),
        )
        .await;
    assert_eq!(
        task["task"]["status"], "SUCCEEDED",
        "a signed delivery is applied"
    );
}

/// Registration is for admins; an unknown event name is refused before any upstream call.
#[tokio::test]
async fn registration_checks() {
    let gw = spawn_with(push_only()).await;
    let writer = crate::helpers::token(&[hostplane_schema::principal::Scope::Write]);
    let (_, body) = gw
        .gql_as(
            Some(&writer),
            "mutation { registerOrchestrixWebhook(connection: \"orch\") { url } }",
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let body = gw
        .gql("mutation { registerOrchestrixWebhook(connection: \"orch\", events: [\"nope\"]) { url } }", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
    assert_eq!(
        gw.orchestrix_upstream
            .log
            .count("POST", "/api/v1/webhook_endpoints"),
        0
    );
}
