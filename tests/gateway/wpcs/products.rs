//! WPCS's versions, products, subscriptions and base snapshots, and partner keys scoped by product.

use super::*;

/// Versions (create, set production, delete), products, subscriptions and base snapshots are managed through GraphQL; snapshot downloads are signed URLs for admins only.
#[tokio::test]
async fn versions_products_subscriptions() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    const CREATE_VERSION: &str = "mutation($input: WpcsCreateVersionInput!) { m: wpcsCreateVersion(input: $input) { task { id taskId status } raw } }";
    const VERSIONS: &str = "{ wpcsVersions { id name isProduction statusName } }";

    // A version from a snapshot.
    let (raw, task) = run_task(
        &gw,
        CREATE_VERSION,
        json!({"input": {"snapshotId": SNAPSHOT_WOO, "snapshotIdsToCopy": [SNAPSHOT_SPANISH],
                         "wordPressVersion": "6.4.2", "phpVersion": "8.2", "name": "V3.0-rc.1"}}),
    )
    .await;
    assert_succeeded(&task);
    let new_version = text(&raw["id"]);
    assert_eq!(raw["name"], "V3.0-rc.1");
    assert_eq!(raw["wordPressVersion"], "6.4.2");
    assert_eq!(
        GlobalId::decode(task["subjectId"].as_str().unwrap()),
        Some(GlobalId::new("WpcsVersion", WPCS, &new_version))
    );
    let data = gw
        .data(
            "query($v: String) { wpcsSnapshots(versionId: $v) { name } }",
            json!({"v": new_version}),
        )
        .await;
    assert_eq!(
        data["wpcsSnapshots"].as_array().map(Vec::len),
        Some(2),
        "the snapshot and the copy: {data}"
    );

    // Set it production.
    let (raw, task) = run_task(
        &gw,
        "mutation($v: String!) { m: wpcsSetProductionVersion(input: {versionId: $v}) { task { id taskId status } raw } }",
        json!({"v": new_version}),
    )
    .await;
    assert_eq!(raw["id"], new_version.as_str());
    assert_succeeded(&task);
    let data = gw.data(VERSIONS, json!({})).await;
    let production: Vec<String> = data["wpcsVersions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["isProduction"] == true)
        .map(|v| text(&v["id"]))
        .collect();
    assert_eq!(production, std::slice::from_ref(&new_version), "{data}");

    // The production version cannot be removed; a spare non-production one can.
    let body = gw
        .gql(
            "mutation($v: String!) { wpcsDeleteVersion(versionId: $v) { raw } }",
            json!({"v": new_version}),
        )
        .await;
    assert!(body["errors"].is_array(), "{body}");
    assert!(
        text(&body["errors"][0]["message"]).contains("production"),
        "{body}"
    );
    let (raw, task) = run_task(
        &gw,
        CREATE_VERSION,
        json!({"input": {"snapshotId": SNAPSHOT_WOO, "wordPressVersion": "6.4.2", "phpVersion": "8.2", "name": "spare"}}),
    )
    .await;
    assert_succeeded(&task);
    let spare = text(&raw["id"]);
    let data = gw
        .data(
            "mutation($v: String!) { wpcsDeleteVersion(versionId: $v) { raw } }",
            json!({"v": spare}),
        )
        .await;
    assert_eq!(
        data["wpcsDeleteVersion"]["raw"],
        json!({"versionId": spare})
    );
    let data = gw.data(VERSIONS, json!({})).await;
    assert!(
        !data["wpcsVersions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["id"] == spare.as_str()),
        "{data}"
    );
    assert_eq!(data["wpcsVersions"].as_array().map(Vec::len), Some(3));

    // A product under the seeded subscription, with a version from a base snapshot.
    let (raw, task) = run_task(
        &gw,
        "mutation($s: String!, $input: WpcsCreateProductInput!) { m: wpcsCreateProduct(subscriptionId: $s, input: $input) { task { id taskId status } raw } }",
        json!({"s": SUBSCRIPTION, "input": {"name": "Second School", "version": {
            "snapshotId": BASE_SNAPSHOT, "wordPressVersion": "6.4.2", "phpVersion": "8.2", "name": "v1.0"}}}),
    )
    .await;
    assert_succeeded(&task);
    let product = text(&raw["id"]);
    assert_eq!(raw["name"], "Second School");
    assert_eq!(raw["version"]["name"], "v1.0");
    assert_eq!(
        GlobalId::decode(task["subjectId"].as_str().unwrap()),
        Some(GlobalId::new("WpcsProduct", WPCS, &product))
    );
    let data = gw
        .data(
            "query($s: String) { wpcsProducts(subscriptionId: $s) { id name statusName } }",
            json!({"s": SUBSCRIPTION}),
        )
        .await;
    assert!(
        data["wpcsProducts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == product.as_str() && p["statusName"] == "Done"),
        "{data}"
    );

    // A subscription created with its product: done when the product is.
    let (raw, task) = run_task(
        &gw,
        "mutation($input: WpcsCreateSubscriptionInput!) { m: wpcsCreateSubscription(input: $input) { task { id taskId status } raw } }",
        json!({"input": {"name": "Johns-Sub", "product": {"name": "My Product"},
                         "user": {"name": "John", "lastName": "Doe", "emailAddress": "john@doe.io"}}}),
    )
    .await;
    assert_succeeded(&task);
    let subscription = text(&raw["id"]);
    let sub_product = text(&raw["product"]["id"]);
    assert_eq!(raw["name"], "Johns-Sub");
    assert_eq!(raw["product"]["name"], "My Product");
    let data = gw
        .data(
            "query($s: String) { wpcsSubscriptions(subscriptionId: $s) { id name } wpcsProducts(subscriptionId: $s) { id statusName } }",
            json!({"s": subscription}),
        )
        .await;
    assert_eq!(
        data["wpcsSubscriptions"],
        json!([{"id": subscription, "name": "Johns-Sub"}])
    );
    assert_eq!(
        data["wpcsProducts"],
        json!([{"id": sub_product, "statusName": "Done"}])
    );

    // Delete the product, then the subscription.
    let data = gw
        .data(
            "mutation($p: String!) { wpcsDeleteProduct(productId: $p) { raw } }",
            json!({"p": product}),
        )
        .await;
    assert_eq!(
        data["wpcsDeleteProduct"]["raw"],
        json!({"productId": product})
    );
    let data = gw
        .data(
            "mutation($s: String!) { wpcsDeleteSubscription(subscriptionId: $s) { raw } }",
            json!({"s": subscription}),
        )
        .await;
    assert_eq!(
        data["wpcsDeleteSubscription"]["raw"],
        json!({"subscriptionId": subscription})
    );
    let data = gw
        .data(
            "{ wpcsProducts { id } wpcsSubscriptions { id } }",
            json!({}),
        )
        .await;
    assert_eq!(data["wpcsProducts"], json!([{"id": PRODUCT}]));
    assert_eq!(data["wpcsSubscriptions"], json!([{"id": SUBSCRIPTION}]));
    assert_eq!(gw.wpcs.product_ids(), [PRODUCT]);

    // Base snapshots: created at once, then removed.
    let data = gw
        .data(
            "mutation($input: WpcsCreateBaseSnapshotInput!) { wpcsCreateBaseSnapshot(input: $input) { id name comment showInConsole } }",
            json!({"input": {"name": "Agency Starter", "comment": "Our agency's defaults",
                             "isTenantSnapshot": true, "groupName": "agency", "showInConsole": true}}),
        )
        .await;
    let base = &data["wpcsCreateBaseSnapshot"];
    let base_id = text(&base["id"]);
    assert_eq!(base["name"], "Agency Starter");
    assert_eq!(base["showInConsole"], true);
    let listed = gw
        .data(
            "query($id: String) { wpcsBaseSnapshots(baseSnapshotId: $id) { id name isTenantSnapshot groupName } }",
            json!({"id": base_id}),
        )
        .await;
    assert_eq!(
        listed["wpcsBaseSnapshots"],
        json!([{"id": base_id, "name": "Agency Starter", "isTenantSnapshot": true, "groupName": "agency"}])
    );
    let data = gw
        .data(
            "mutation($id: String!) { wpcsDeleteBaseSnapshot(id: $id) { raw } }",
            json!({"id": base_id}),
        )
        .await;
    assert_eq!(
        data["wpcsDeleteBaseSnapshot"]["raw"],
        json!({"baseSnapshotId": base_id})
    );
    let data = gw.data("{ wpcsBaseSnapshots { id } }", json!({})).await;
    assert_eq!(data["wpcsBaseSnapshots"], json!([{"id": BASE_SNAPSHOT}]));

    // Snapshot download: a signed URL for admins that serves the upstream's bytes, as REST does.
    let path = format!("/v1/snapshots/download?snapshotId={SNAPSHOT_WOO}");
    let (status, content_type, upstream_bytes) = gw.wpcs_direct("GET", &path, None).await;
    assert_eq!((status, content_type.as_str()), (200, "application/gzip"));
    assert!(upstream_bytes.starts_with(&[0x1f, 0x8b]), "a gzip");
    let data = gw
        .data(
            "query($id: String!) { wpcsSnapshotDownload(snapshotId: $id) { url expiresAt } }",
            json!({"id": SNAPSHOT_WOO}),
        )
        .await;
    let url = text(&data["wpcsSnapshotDownload"]["url"]);
    assert!(
        url.starts_with(&format!("http://127.0.0.1:{}/downloads/", gw.addr.port())),
        "{url}"
    );
    let expires = chrono::DateTime::parse_from_rfc3339(
        data["wpcsSnapshotDownload"]["expiresAt"].as_str().unwrap(),
    )
    .unwrap();
    let ttl = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        ttl > chrono::Duration::minutes(4) && ttl <= chrono::Duration::minutes(5),
        "{ttl}"
    );
    assert_eq!(
        gw.wpcs_upstream.log.count("GET", "/v1/snapshots/download"),
        1
    );
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers().get("content-type").unwrap(),
        "application/gzip"
    );
    assert_eq!(resp.bytes().await.unwrap().to_vec(), upstream_bytes);
    let (status, content_type, through) =
        gw.wpcs_rest(Some(&admin_auth()), "GET", &path, None).await;
    assert_eq!((status, content_type.as_str()), (200, "application/gzip"));
    assert_eq!(through, upstream_bytes);
    assert_eq!(
        gw.wpcs_upstream.log.count("GET", "/v1/snapshots/download"),
        3
    );

    // Not for a reader: nothing is fetched.
    let reader = token(&[Scope::Read, Scope::Write]);
    let (_, body) = gw
        .gql_as(
            Some(&reader),
            "query($id: String!) { wpcsSnapshotDownload(snapshotId: $id) { url } }",
            json!({"id": SNAPSHOT_WOO}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let (status, _, bytes) = gw
        .wpcs_rest(Some(&format!("Bearer {reader}")), "GET", &path, None)
        .await;
    assert_eq!(status, 403);
    assert!(
        !bytes.starts_with(&[0x1f, 0x8b]),
        "no snapshot for a reader"
    );
    assert_eq!(
        gw.wpcs_upstream.log.count("GET", "/v1/snapshots/download"),
        3
    );
}

/// A partner key needs `productId` on tenant, version and snapshot calls: a connection pinned to a
/// product adds it by itself, an unpinned one takes it as the field's argument, and without either the
/// upstream's refusal comes back as a validation error.
#[tokio::test]
async fn partner_keys_and_products() {
    use hostplane_adapters::Provider;
    use hostplane_resolvers::connections::{ConnectionSpec, Credentials};
    use hostplane_simulators::wpcs as simulator;
    let gw = spawn().await;
    let (partner, server) = simulator::Simulator::start(simulator::SimConfig {
        key: "partner-key".into(),
        secret: "partner-secret".into(),
        partner: true,
        job_duration: Duration::from_millis(500),
    })
    .await
    .unwrap();
    let product = partner.product_ids()[0].clone();
    let mut pinned = Credentials::key_secret("partner-key", "partner-secret");
    pinned.0.insert("product_id".into(), product.clone().into());
    for (name, credentials) in [
        ("partner-pinned", pinned),
        (
            "partner-open",
            Credentials::key_secret("partner-key", "partner-secret"),
        ),
    ] {
        let spec = ConnectionSpec {
            name: name.into(),
            provider: Provider::Wpcs,
            base_url: server.base_url(),
            credentials,
        };
        hostplane::startup::upsert(&gw.services.connections, spec, "test")
            .await
            .unwrap();
    }
    let names = |data: &Value| -> Vec<String> {
        data["wpcsTenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_string())
            .collect()
    };
    let pinned = gw
        .data(
            r#"{ wpcsTenants(connection: "partner-pinned") { name } }"#,
            json!({}),
        )
        .await;
    assert!(!names(&pinned).is_empty(), "{pinned}");
    let open = gw
        .data(
            r#"query($p: String) { wpcsTenants(connection: "partner-open", productId: $p) { name } }"#,
            json!({"p": product}),
        )
        .await;
    assert_eq!(
        names(&open),
        names(&pinned),
        "the argument and the pin name the same product"
    );
    let refused = gw
        .gql(
            r#"{ wpcsTenants(connection: "partner-open") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );
    assert_eq!(refused["errors"][0]["extensions"]["upstreamStatus"], 400);
}
