//! WPCS's tenant writes as Tasks: creation followed over a subscription, the tenant's lifecycle on
//! both surfaces, and WP options passed through.

use super::*;

/// The newest task (one the REST layer just started): it must be `operation`'s; waits for it.
async fn newest_task(gw: &TestGateway, operation: &str) -> Value {
    let data = gw
        .data(
            "{ tasks(first: 1) { nodes { taskId operation } } }",
            json!({}),
        )
        .await;
    let task = &data["tasks"]["nodes"][0];
    assert_eq!(task["operation"], operation, "{data}");
    gw.wait_task(&text(&task["taskId"])).await
}

fn domain_names(tenant: &Value) -> BTreeSet<String> {
    tenant["domains"]
        .as_array()
        .unwrap_or_else(|| panic!("no domains: {tenant}"))
        .iter()
        .map(|d| text(&d["domainName"]))
        .collect()
}

/// The next message of subscription `id` (pings answered, keep-alives skipped).
async fn ws_event(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    id: &str,
) -> Incoming {
    loop {
        let frame = timeout(WAIT, ws.next())
            .await
            .expect("the server sends something in time")
            .expect("the connection stays open")
            .expect("the WebSocket works");
        let Message::Text(text) = frame else {
            continue;
        };
        let message: Value = serde_json::from_str(text.as_str()).expect("JSON messages");
        match message["type"].as_str().unwrap_or_default() {
            "ka" | "pong" => continue,
            "ping" => {
                ws.send(Message::text(json!({"type": "pong"}).to_string()))
                    .await
                    .expect("pong sent");
                continue;
            }
            "next" => {
                assert_eq!(message["id"], id, "{message}");
                return Incoming::Next(message["payload"].clone());
            }
            "complete" => {
                assert_eq!(message["id"], id, "{message}");
                return Incoming::Complete;
            }
            _ => panic!("unexpected message: {message}"),
        }
    }
}

/// A tenant created with every documented option is followed over `taskUpdated` (graphql-transport-ws) from QUEUED to SUCCEEDED, then listed Done.
#[tokio::test]
async fn tenant_creation_followed_to_done_over_a_subscription() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_millis(1500),
        poll_interval: Duration::from_millis(250),
        ..Options::default()
    })
    .await;
    let mut request = format!("ws://{}/graphql/ws", gw.addr)
        .into_client_request()
        .expect("a WebSocket URL");
    request.headers_mut().insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut ws, _) = timeout(WAIT, connect_async(request))
        .await
        .expect("upgraded in time")
        .expect("the upgrade succeeds");
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", admin())}});
    ws.send(Message::text(init.to_string())).await.unwrap();
    let ack = timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap();
    let ack: Value = serde_json::from_str(ack.to_text().unwrap()).unwrap();
    assert_eq!(ack["type"], "connection_ack", "{ack}");

    let input = json!({
        "versionId": VERSION_2,
        "snapshotId": SNAPSHOT_SPANISH,
        "groupName": "language-school-template",
        "externalId": "T-FULL-1",
        "name": "Full-Options-Tenant",
        "customDomainName": "full-options.example.com",
        "wordPressUserName": "site-admin",
        "wordPressUserRole": "administrator",
        "wordPressUserEmail": "admin@full-options.example.com",
        "wordPressUserPassword": "s3cret-Pa55word",
        "wpOptions": {"blogname": "Full Options", "timezone_string": "Europe/Amsterdam"},
        "phpConstants": [
            {"name": "WP_DEBUG", "value": "false"},
            {"name": "LICENSE_KEY", "value": "lic-0000-private", "isPrivate": true}
        ]
    });
    let data = gw
        .data(
            "mutation($input: WpcsCreateTenantInput!) { m: wpcsCreateTenant(input: $input) { task { id taskId status operation } raw } }",
            json!({"input": input}),
        )
        .await;
    let payload = &data["m"];
    let (task_gid, task_id) = started(payload);
    assert_eq!(payload["task"]["operation"], "wpcsCreateTenant");
    let tenant_id = text(&payload["raw"]["id"]);
    assert_eq!(payload["raw"]["externalId"], "T-FULL-1");
    assert_eq!(payload["raw"]["customDomain"], "full-options.example.com");

    let subscribe = json!({"id": "t", "type": "subscribe", "payload": {
        "query": "subscription($id: ID!) { taskUpdated(id: $id) { status progress message subjectId output } }",
        "variables": {"id": task_gid}
    }});
    ws.send(Message::text(subscribe.to_string())).await.unwrap();
    let mut updates: Vec<Value> = Vec::new();
    loop {
        match ws_event(&mut ws, "t").await {
            Incoming::Next(payload) => {
                assert!(payload.get("errors").is_none(), "{payload}");
                let task = payload["data"]["taskUpdated"].clone();
                let done = ["SUCCEEDED", "FAILED", "CANCELLED"]
                    .contains(&task["status"].as_str().unwrap());
                updates.push(task);
                if done {
                    break;
                }
                assert!(updates.len() < 1000, "never ends: {updates:?}");
            }
            Incoming::Complete => panic!("completed before the task ended: {updates:?}"),
        }
    }
    assert!(
        matches!(ws_event(&mut ws, "t").await, Incoming::Complete),
        "the subscription completes after the terminal state"
    );
    let statuses: Vec<&str> = updates
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.first(), Some(&"QUEUED"), "{updates:?}");
    assert_eq!(statuses.last(), Some(&"SUCCEEDED"), "{updates:?}");
    assert!(statuses.contains(&"RUNNING"), "{updates:?}");
    let rank = |s: &str| {
        ["QUEUED", "RUNNING", "SUCCEEDED"]
            .iter()
            .position(|x| *x == s)
    };
    assert!(
        statuses.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "statuses only move forward: {statuses:?}"
    );
    let last = updates.last().unwrap();
    assert_eq!(
        GlobalId::decode(last["subjectId"].as_str().expect("a subject")),
        Some(tenant_gid(&tenant_id))
    );
    assert_eq!(last["output"]["statusName"], "Done", "{last}");
    assert!(
        !last.to_string().contains("s3cret-Pa55word")
            && !payload.to_string().contains("s3cret-Pa55word"),
        "the WordPress password is never echoed"
    );

    // The tenant is listed Done, as created.
    let data = gw
        .data(
            "{ wpcsTenants(externalId: \"T-FULL-1\") { id tenantId name status domain site { domain } wpcs { versionId basedOnSnapshotId snapshotGroupName redirectDomains } } }",
            json!({}),
        )
        .await;
    let listed = &data["wpcsTenants"][0];
    assert_eq!(listed["tenantId"], tenant_id.as_str());
    assert_eq!(listed["name"], "Full-Options-Tenant");
    assert_eq!(listed["status"], "Done");
    assert_eq!(listed["domain"], "full-options.example.com");
    assert_eq!(listed["site"]["domain"], "full-options.example.com");
    assert_eq!(listed["wpcs"]["versionId"], VERSION_2);
    assert_eq!(listed["wpcs"]["basedOnSnapshotId"], SNAPSHOT_SPANISH);
    assert_eq!(
        listed["wpcs"]["snapshotGroupName"],
        "language-school-template"
    );
    assert_eq!(
        listed["wpcs"]["redirectDomains"],
        json!(["T-FULL-1.staging.my-site.com"])
    );
    assert_eq!(
        GlobalId::decode(listed["id"].as_str().unwrap()),
        Some(tenant_gid(&tenant_id))
    );
    assert_eq!(last["subjectId"], listed["id"]);
    assert_eq!(gw.wpcs_upstream.log.count("POST", "/v1/tenants"), 1);
    let stored = gw.wait_task(&task_id).await;
    assert_eq!(stored["status"], "SUCCEEDED");
}

/// A tenant goes through create (REST), update, domains (add, set main, remove, the deprecated add), move and delete across both surfaces, each followed to SUCCEEDED.
#[tokio::test]
async fn tenant_lifecycle_on_both_surfaces() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_millis(300),
        ..Options::default()
    })
    .await;

    // Create over REST: the docs' `{id, externalId, customDomain}`.
    let (status, created) = rest(
        &gw,
        "POST",
        "/v1/tenants",
        Some(json!({"name": "Life-Tenant", "externalId": "T-LIFE"})),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = text(&created["id"]);
    assert_eq!(id.len(), 36, "a uuid: {created}");
    assert_eq!(created["externalId"], "T-LIFE");
    assert!(
        created.get("customDomain").is_some_and(Value::is_null),
        "{created}"
    );
    let task = newest_task(&gw, "wpcsCreateTenant").await;
    assert_succeeded(&task);
    assert_eq!(
        GlobalId::decode(task["subjectId"].as_str().unwrap()),
        Some(tenant_gid(&id))
    );
    let t = tenant(&gw, &id).await;
    assert_eq!(t["status"], "Done");
    assert_eq!(t["wpcs"]["versionId"], VERSION_2, "created on production");
    assert_eq!(t["domain"], "T-LIFE.staging.my-site.com");

    // Update options and constants over GraphQL, by external id.
    let (raw, task) = run_task(
        &gw,
        "mutation { m: wpcsUpdateTenant(externalId: \"T-LIFE\", input: {wpOptions: {blogname: \"Life\"}, phpConstants: [{name: \"WP_DEBUG\", value: \"true\"}, {name: \"SECRET_KEY\", value: \"hidden\", isPrivate: true}]}) { task { id taskId status } raw } }",
        json!({}),
    )
    .await;
    assert_eq!(raw["tenantId"], id.as_str());
    assert_eq!(raw["externalId"], "T-LIFE");
    assert_succeeded(&task);
    assert_eq!(gw.wpcs_upstream.log.count("PUT", "/v1/tenants"), 1);

    // Add a domain over REST.
    let (status, added) = rest(
        &gw,
        "POST",
        &format!("/v1/tenants/domains?tenantId={id}"),
        Some(json!({"domainName": "life.example.com"})),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["tenantId"], id.as_str());
    assert_eq!(added["domain"], "life.example.com");
    assert_eq!(added["setAsMainDomain"], false);
    assert_succeeded(&newest_task(&gw, "wpcsAddTenantDomain").await);
    let t = tenant(&gw, &id).await;
    assert!(domain_names(&t).contains("life.example.com"), "{t}");
    assert_eq!(t["domain"], "T-LIFE.staging.my-site.com");

    // Set it main.
    let (_, task) = run_task(
        &gw,
        "mutation($id: String) { m: wpcsSetMainDomain(tenantId: $id, input: {domainName: \"life.example.com\"}) { task { id taskId status } raw } }",
        json!({"id": id}),
    )
    .await;
    assert_succeeded(&task);
    let t = tenant(&gw, &id).await;
    assert_eq!(t["domain"], "life.example.com", "{t}");

    // The deprecated path still adds a domain.
    let (status, added) = rest(
        &gw,
        "POST",
        "/v1/tenants/domain?externalId=T-LIFE",
        Some(json!({"domainName": "old-path.example.com"})),
    )
    .await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["domain"], "old-path.example.com");
    assert_eq!(gw.wpcs_upstream.log.count("POST", "/v1/tenants/domain"), 1);
    assert_succeeded(&newest_task(&gw, "wpcsAddTenantDomainDeprecated").await);
    let t = tenant(&gw, &id).await;
    assert!(domain_names(&t).contains("old-path.example.com"), "{t}");

    // ...and its GraphQL field says it is deprecated.
    let data = gw
        .data(
            "{ __type(name: \"Mutation\") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }",
            json!({}),
        )
        .await;
    let fields = data["__type"]["fields"].as_array().unwrap();
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .clone()
    };
    let deprecated = field("wpcsAddTenantDomainDeprecated");
    assert_eq!(deprecated["isDeprecated"], true);
    assert!(
        text(&deprecated["deprecationReason"]).contains("wpcsAddTenantDomain"),
        "{deprecated}"
    );
    assert_eq!(field("wpcsAddTenantDomain")["isDeprecated"], false);
    let data = gw
        .data(
            "{ __type(name: \"Mutation\") { fields { name } } }",
            json!({}),
        )
        .await;
    assert!(
        !data["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "wpcsAddTenantDomainDeprecated"),
        "hidden from the default listing"
    );

    // Remove a domain by name.
    let (raw, task) = run_task(
        &gw,
        "mutation($id: String) { m: wpcsRemoveTenantDomain(tenantId: $id, domainName: \"old-path.example.com\") { task { id taskId status } raw } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(raw["domainName"], "old-path.example.com");
    assert_succeeded(&task);
    let t = tenant(&gw, &id).await;
    assert_eq!(
        domain_names(&t),
        BTreeSet::from([
            "T-LIFE.staging.my-site.com".to_string(),
            "life.example.com".to_string()
        ])
    );

    // Move to the other version.
    let (raw, task) = run_task(
        &gw,
        "mutation($id: String, $v: String!) { m: wpcsMoveTenant(tenantId: $id, input: {targetVersionId: $v}) { task { id taskId status } raw } }",
        json!({"id": id, "v": VERSION_1}),
    )
    .await;
    assert_eq!(raw["targetVersionId"], VERSION_1);
    assert_succeeded(&task);
    let t = tenant(&gw, &id).await;
    assert_eq!(t["wpcs"]["versionId"], VERSION_1, "{t}");
    assert_eq!(t["status"], "Done");

    // Delete: the task succeeds once the tenant is gone.
    let (_, task) = run_task(
        &gw,
        "mutation($id: String) { m: wpcsDeleteTenant(tenantId: $id) { task { id taskId status } raw } }",
        json!({"id": id}),
    )
    .await;
    assert_succeeded(&task);
    assert_eq!(tenant(&gw, &id).await, Value::Null);
    let (status, listed) = rest(&gw, "GET", &format!("/v1/tenants?tenantId={id}"), None).await;
    assert_eq!((status, listed), (200, json!([])));
    assert!(!gw.wpcs.tenant_ids().contains(&id));
    assert_eq!(gw.wpcs.tenant_ids().len(), 2, "the seeded tenants remain");
}

/// `wpOptions` sent over REST (tenant creation and update) reach the upstream as the object they are.
#[tokio::test]
async fn rest_wp_options_reach_the_upstream() {
    let gw = spawn().await;
    let (status, body) = rest(
        &gw,
        "PUT",
        &format!("/v1/tenants?tenantId={TENANT_1}"),
        Some(json!({"wpOptions": {"blogname": "Renamed"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tenantId"], TENANT_1);
    assert_eq!(body["externalId"], "T001");
    let (status, body) = rest(
        &gw,
        "POST",
        "/v1/tenants",
        Some(json!({"name": "Options-Tenant", "externalId": "T-OPT", "wpOptions": {"blogname": "Opt"}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["externalId"], "T-OPT");
    assert_eq!(gw.wpcs_upstream.log.count("PUT", "/v1/tenants"), 1);
    assert_eq!(gw.wpcs_upstream.log.count("POST", "/v1/tenants"), 1);
}
