//! Following tasks over WebSocket: `taskUpdated` on both subprotocols, credentials, the dashboard
//! feed, and operations acting as the caller upstream.

use super::*;

/// A `graphql-transport-ws` subscriber sees a VM build from QUEUED through RUNNING to SUCCEEDED, then `complete`.
#[tokio::test]
async fn subscription_follows_vm_creation_to_success() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    // Connect first, so only the subscribe message lies between the job's start and the first read.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(bearer_admin()).await;
    let task = create_vm(&gw).await;
    ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let updates = ws.follow("1").await;
    assert_build_followed(&updates);
    // The stored task agrees with what the subscriber saw last.
    let stored = gw.wait_task(&task.task_id).await;
    assert_eq!(stored["status"], "SUCCEEDED");
    assert_eq!(stored["output"], updates.last().unwrap()["output"]);
}

/// The older `graphql-ws` subprotocol (`start`/`data`/`complete`), upgraded on `/graphql` itself, follows a build to the end.
#[tokio::test]
async fn legacy_graphql_ws_protocol_works() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let mut ws = WsClient::connect(&gw, "/graphql", Protocol::LegacyWs).await;
    ws.init(bearer_admin()).await;
    let task = create_vm(&gw).await;
    ws.subscribe("build", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let updates = ws.follow("build").await;
    assert_build_followed(&updates);
}

/// Subscriptions need credentials: none gives UNAUTHENTICATED, a forged token is refused at init.
#[tokio::test]
async fn subscription_requires_credentials() {
    let gw = spawn_with(options(Duration::from_millis(800))).await;
    let task = create_vm(&gw).await;

    // No credential at all: the connection is accepted, the subscription is not.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(json!({})).await;
    ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    assert_eq!(ws.error_code("1").await, "UNAUTHENTICATED");

    // A forged token in connection_init: graphql-transport-ws closes with 4403 and the reason.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    let forged = forged_token();
    match ws
        .try_init(json!({"Authorization": format!("Bearer {forged}")}))
        .await
    {
        Incoming::Closed(Some((code, reason))) => {
            assert_eq!(
                code, 4403,
                "rejected init closes the connection (reason: {reason})"
            );
            assert!(
                reason.contains("signature"),
                "the reason says why: {reason}"
            );
        }
        other => panic!("a forged token must not be acknowledged: {other:?}"),
    }

    // The same under the `token` key with the legacy protocol: a connection_error message.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::LegacyWs).await;
    match ws.try_init(json!({"token": forged})).await {
        Incoming::Message(m) if m["type"] == "connection_error" => {
            let message = m["payload"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("signature"), "the error says why: {m}");
        }
        other => panic!("a forged token must not be acknowledged: {other:?}"),
    }

    // A forged token on the upgrade request itself is refused before any WebSocket exists.
    match WsClient::try_connect(
        &gw,
        "/graphql/ws",
        Protocol::TransportWs,
        Some(&format!("Bearer {forged}")),
    )
    .await
    {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 401),
        Err(e) => panic!("expected an HTTP 401 refusal, got {e}"),
        Ok(_) => panic!("a forged Authorization header must not be upgraded"),
    }

    // Control: a valid token under the `token` key does get the task.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(json!({"token": admin()})).await;
    ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    match ws.event("1").await {
        Event::Next(p) => assert!(
            p["data"]["taskUpdated"]["status"].is_string(),
            "the task is delivered: {p}"
        ),
        Event::Complete => panic!("completed without the task"),
    }
}

/// Subscribing to a task that does not exist, by UUID or by global ID, fails with NOT_FOUND.
#[tokio::test]
async fn unknown_task_subscription_errors() {
    let gw = spawn_with(options(Duration::from_millis(800))).await;
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(bearer_admin()).await;
    let missing = uuid::Uuid::new_v4().to_string();
    ws.subscribe("uuid", TASK_UPDATED, json!({"id": missing}))
        .await;
    assert_eq!(ws.error_code("uuid").await, "NOT_FOUND");
    let global = GlobalId::new("Task", CONNECTION, &missing).encode();
    ws.subscribe("global", TASK_UPDATED, json!({"id": global}))
        .await;
    assert_eq!(ws.error_code("global").await, "NOT_FOUND");
}

/// An Orchestrix upgrade pipeline is followed over a subscription from its creation (queued, awaiting
/// approval) through approval to completion, as one task.
#[tokio::test]
async fn subscription_follows_an_upgrade_pipeline() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(bearer_admin()).await;
    let data = gw
        .data(
            r#"mutation { orchestrixCreateUpgradePipeline(siteId: "site_abc123", input: {plugins: ["akismet"], core: true}) {
                task { id taskId status message } raw } }"#,
            json!({}),
        )
        .await;
    let payload = &data["orchestrixCreateUpgradePipeline"];
    assert_eq!(payload["task"]["status"], "QUEUED");
    assert_eq!(payload["task"]["message"], "awaiting approval");
    let pipeline = payload["raw"]["id"]
        .as_str()
        .expect("the pipeline's id")
        .to_string();
    ws.subscribe("p", TASK_UPDATED, json!({"id": payload["task"]["id"]}))
        .await;
    let approved = gw
        .data(
            "mutation($id: String!) { orchestrixApproveUpgradePipeline(siteId: \"site_abc123\", id: $id) { task { taskId } } }",
            json!({"id": pipeline}),
        )
        .await;
    assert_eq!(
        approved["orchestrixApproveUpgradePipeline"]["task"]["taskId"], payload["task"]["taskId"],
        "approval continues the task creation started"
    );
    let updates = ws.follow("p").await;
    let statuses: Vec<&str> = updates.iter().map(status).collect();
    assert_eq!(statuses.first(), Some(&"QUEUED"), "{statuses:?}");
    assert!(statuses.contains(&"RUNNING"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"SUCCEEDED"), "{statuses:?}");
    let last = updates.last().unwrap();
    assert_eq!(last["output"]["status"], "completed");
}

/// The `tasks` feed streams every change a dashboard may see: filters narrow it, and a principal
/// limited to other connections sees nothing of this one.
#[tokio::test]
async fn task_feed_for_dashboards() {
    let gw = spawn_with(options(Duration::from_millis(600))).await;
    let mut admin = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    admin.init(bearer_admin()).await;
    let feed =
        "subscription($f: TaskFilter) { tasks(filter: $f) { taskId status operation connection } }";
    admin
        .subscribe(
            "all",
            feed,
            json!({"f": {"operation": "hosterapiCreateServer"}}),
        )
        .await;
    admin
        .subscribe(
            "done",
            feed,
            json!({"f": {"statuses": ["SUCCEEDED"], "connections": ["hoster"], "providers": ["HOSTERAPI"]}}),
        )
        .await;
    let limited = crate::helpers::token_for("l", &[Scope::Read], Some(&["patch".to_string()]));
    let mut other = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    other
        .init(json!({"Authorization": format!("Bearer {limited}")}))
        .await;
    other.subscribe("mine", feed, json!({})).await;
    // Let both subscriptions register before the work starts.
    sleep(Duration::from_millis(100)).await;
    let task = create_vm(&gw).await;

    let mut all = Vec::new();
    let mut done = Vec::new();
    while done.is_empty()
        || all
            .last()
            .map(|t: &Value| t["status"] != "SUCCEEDED")
            .unwrap_or(true)
    {
        let message = match admin.recv().await {
            Incoming::Message(m) => m,
            Incoming::Closed(c) => panic!("closed: {c:?}"),
        };
        let item = message["payload"]["data"]["tasks"].clone();
        match message["id"].as_str() {
            Some("all") => all.push(item),
            Some("done") => done.push(item),
            _ => {}
        }
    }
    assert!(
        all.iter().all(|t| t["taskId"] == task.task_id.as_str()),
        "{all:?}"
    );
    assert_eq!(all.first().unwrap()["status"], "QUEUED");
    assert_eq!(
        done.len(),
        1,
        "only the terminal change passes the status filter: {done:?}"
    );
    assert_eq!(done[0]["status"], "SUCCEEDED");
    assert!(
        timeout(Duration::from_millis(300), other.ws.next())
            .await
            .is_err(),
        "a principal limited to another connection sees nothing"
    );
}

/// Over WebSocket, as over HTTP, an operation acts upstream as the caller when the `connection_init`
/// payload carries the caller's own Orchestrix credential (`X-Orchestrix-Authorization`): a bogus
/// one is refused by the upstream itself, and without one the stored token answers.
#[tokio::test]
async fn websocket_operations_can_act_as_the_caller_upstream() {
    let gw = spawn_with(Options::default()).await;
    const ME: &str = "{ orchestrixMe { userId } }";
    for protocol in [Protocol::TransportWs, Protocol::LegacyWs] {
        let mut init = bearer_admin();
        init["X-Orchestrix-Authorization"] = json!("Bearer eyBogus");
        let mut ws = socket(&gw, protocol, init).await;
        ws.subscribe("me", ME, json!({})).await;
        let refused = ws.operation_message().await;
        let ext = &refused["payload"]["errors"][0]["extensions"];
        assert_eq!(ext["upstreamStatus"], 401, "{protocol:?}: {refused}");

        let mut ws = socket(&gw, protocol, bearer_admin()).await;
        ws.subscribe("me", ME, json!({})).await;
        let stored = ws.operation_message().await;
        assert_eq!(
            stored["payload"]["data"]["orchestrixMe"]["userId"], "usr_1",
            "{protocol:?}: {stored}"
        );
    }
}

/// Over a WebSocket, as over an event stream, a customer's task feed carries its own work only:
/// Grace follows every task while an admin starts a service for Ada and one for her, and each change
/// she receives is of her own task until it ends; following Ada's task by its ID is refused as if
/// it did not exist, in both subprotocols.
#[tokio::test]
async fn a_customer_follows_its_own_tasks_only() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let grace = crate::panelalpha::bound_token("2");
    let mut feed = socket(&gw, Protocol::TransportWs, bearer(&grace)).await;
    feed.subscribe(
        "feed",
        "subscription { tasks { taskId status } }",
        json!({}),
    )
    .await;
    // Let the subscription register before the work starts.
    sleep(Duration::from_millis(100)).await;
    let started = services_for_ada_and_grace(&gw).await;
    for protocol in [Protocol::TransportWs, Protocol::LegacyWs] {
        let mut ws = socket(&gw, protocol, bearer(&grace)).await;
        ws.subscribe("ada", TASK_UPDATED, json!({"id": started[0]}))
            .await;
        assert_eq!(ws.error_code("ada").await, "NOT_FOUND", "{protocol:?}");
    }
    loop {
        let Event::Next(payload) = feed.event("feed").await else {
            panic!("the feed completed");
        };
        let task = &payload["data"]["tasks"];
        assert_eq!(task["taskId"], started[1], "only Grace's task: {payload}");
        if task["status"] == "SUCCEEDED" {
            break;
        }
    }
}
