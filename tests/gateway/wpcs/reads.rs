//! WPCS's reads: every read endpoint through the REST layer against the simulator's own answers,
//! the typed GraphQL queries, and the route table.

use super::*;

const UNKNOWN: &str = "00000000-1111-4222-8333-444444444444";
/// The docs' usage period (March 2022, +02:00), as the docs' curl encodes it.
const MARCH: &str =
    "startDate=2022-03-01T00%3A00%3A00.000%2B02%3A00&endDate=2022-03-30T00%3A00%3A00.000%2B02%3A00";

/// The same call straight to the simulator.
async fn direct(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, bytes) = gw.wpcs_direct(method, path, body).await;
    (status, parse(&bytes))
}

/// Every read endpoint answers through the REST layer exactly as the upstream does, not-found errors included.
#[tokio::test]
async fn rest_reads_match_the_upstream() {
    let gw = spawn().await;
    let reads = [
        "/v1/tenants".to_string(),
        "/v1/tenants?externalId=T001".to_string(),
        format!("/v1/tenants?tenantId={TENANT_1}"),
        format!("/v1/tenants?tenantId={UNKNOWN}"),
        format!("/v1/tenants/domains?tenantId={TENANT_1}"),
        "/v1/tenants/domains?externalId=T002".to_string(),
        "/v1/tenants/domains/available?domain=my-domain.com".to_string(),
        "/v1/tenants/domains/available?domain=free-domain.example.org".to_string(),
        "/v1/versions".to_string(),
        "/v1/versions?versionName=v2.4".to_string(),
        "/v1/snapshots".to_string(),
        format!("/v1/snapshots?versionId={VERSION_2}"),
        "/v1/subscriptions".to_string(),
        format!("/v1/subscriptions/usage?subscriptionId={SUBSCRIPTION}&{MARCH}"),
        "/v1/products".to_string(),
        format!("/v1/products?subscriptionId={SUBSCRIPTION}"),
        format!("/v1/products/usage?productId={PRODUCT}&{MARCH}"),
        "/v1/basesnapshots".to_string(),
    ];
    for path in &reads {
        let through = rest(&gw, "GET", path, None).await;
        let upstream = direct(&gw, "GET", path, None).await;
        assert_eq!(upstream.0, 200, "GET {path} upstream: {}", upstream.1);
        assert_eq!(through, upstream, "GET {path}");
    }

    // Spot checks that the comparisons above compared something.
    let (_, tenants) = rest(&gw, "GET", "/v1/tenants", None).await;
    assert_eq!(tenants.as_array().map(Vec::len), Some(2), "{tenants}");
    let (_, first) = rest(&gw, "GET", "/v1/tenants?externalId=T001", None).await;
    assert_eq!(first[0]["tenantId"], TENANT_1);
    assert_eq!(first[0]["name"], "First-Tenant");
    assert_eq!(first[0]["domainName"], "my-domain.com");
    assert_eq!(first[0]["statusName"], "Done");
    let (_, taken) = rest(
        &gw,
        "GET",
        "/v1/tenants/domains/available?domain=my-domain.com",
        None,
    )
    .await;
    assert_eq!(taken, json!({"available": false}));
    let (_, usage) = rest(
        &gw,
        "GET",
        &format!("/v1/products/usage?productId={PRODUCT}&{MARCH}"),
        None,
    )
    .await;
    assert_eq!(usage["productId"], PRODUCT);
    assert!(usage["productHours"].as_f64().unwrap() > 0.0, "{usage}");
    let (_, versions) = rest(&gw, "GET", "/v1/versions?versionName=v2.4", None).await;
    assert_eq!(versions[0]["id"], VERSION_2);
    assert_eq!(versions[0]["isProduction"], true);

    // Unknown ids: the upstream's 404 body, repeated as it came.
    let unknown = [
        format!("/v1/tenants/domains?tenantId={UNKNOWN}"),
        "/v1/tenants/domains?externalId=T999".to_string(),
        format!("/v1/subscriptions/usage?subscriptionId={UNKNOWN}&{MARCH}"),
        format!("/v1/products/usage?productId={UNKNOWN}&{MARCH}"),
        format!("/v1/snapshots/download?snapshotId={UNKNOWN}"),
    ];
    for path in &unknown {
        let through = rest(&gw, "GET", path, None).await;
        let upstream = direct(&gw, "GET", path, None).await;
        assert_eq!(upstream.0, 404, "GET {path} upstream: {}", upstream.1);
        assert_eq!(upstream.1["statusCode"], 404, "{}", upstream.1);
        assert!(upstream.1["message"].is_string(), "{}", upstream.1);
        assert_eq!(through, upstream, "GET {path}");
    }
}

/// Tenants, versions, products, usage and base snapshots read typed through GraphQL, and a Tenant round-trips through `node(id:)`.
#[tokio::test]
async fn graphql_reads_are_typed() {
    let gw = spawn().await;
    let query = r#"query($start: String!, $end: String!) {
      first: wpcsTenants(externalId: "T001") {
        id provider connection tenantId name externalId domain status
        site { siteId domain url }
        domains { id domainName isMainDomain isBaseDomain }
        wpcs { versionId versionName basedOnSnapshotId snapshotGroupName redirectDomains statusCode }
        raw
      }
      all: wpcsTenants { tenantId name }
      wpcsVersions { id name isProduction statusName domain }
      wpcsProducts { id name subscriptionId subscriptionName statusName }
      wpcsSubscriptions { id name }
      subscription: wpcsSubscriptionUsage(subscriptionId: "1f3ea976-d862-499d-8be2-b99c1aef21a9", startDate: $start, endDate: $end) {
        subscriptionId productHours versionHours tenantHours
      }
      product: wpcsProductUsage(productId: "dcd53ddb-8104-4e48-8cc0-5df1088c6113", startDate: $start, endDate: $end) {
        productId productHours versionHours tenantHours
      }
      wpcsBaseSnapshots { id name comment isDefault isTenantSnapshot showAsBaseSnapshot }
      wpcsSnapshots(versionId: "745e1ebd-d00e-4b6b-b6bc-bffd450c0942") { id name versionId isTenantSnapshot groupName }
      taken: wpcsDomainAvailability(domain: "my-domain.com") { available }
      free: wpcsDomainAvailability(domain: "free-domain.example.org") { available }
      wpcsTenantDomains(externalId: "T002") { domainName isMainDomain isBaseDomain }
    }"#;
    let data = gw
        .data(query, json!({"start": MARCH_START, "end": MARCH_END}))
        .await;

    let first = &data["first"][0];
    assert_eq!(data["first"].as_array().map(Vec::len), Some(1), "{data}");
    assert_eq!(first["tenantId"], TENANT_1);
    assert_eq!(first["provider"], "WPCS");
    assert_eq!(first["connection"], WPCS);
    assert_eq!(first["name"], "First-Tenant");
    assert_eq!(first["externalId"], "T001");
    assert_eq!(first["domain"], "my-domain.com");
    assert_eq!(first["status"], "Done");
    assert_eq!(first["site"]["siteId"], TENANT_1);
    assert_eq!(first["site"]["domain"], "my-domain.com");
    assert_eq!(first["site"]["url"], "https://my-domain.com");
    assert_eq!(
        first["domains"],
        json!([
            {"id": "3f2b8c1e-6a0d-4e8f-9b7a-1c5d2e4f6a80", "domainName": "T001.staging.my-site.com",
             "isMainDomain": false, "isBaseDomain": true},
            {"id": "497f6eca-6276-4993-bfeb-53cbbbba6f08", "domainName": "my-domain.com",
             "isMainDomain": true, "isBaseDomain": false},
            {"id": "b2a9e6f4-3c1d-4d7e-8f5a-6b0c9d2e1f34", "domainName": "www.my-domain.com",
             "isMainDomain": false, "isBaseDomain": false},
        ])
    );
    assert_eq!(first["wpcs"]["versionId"], VERSION_1);
    assert_eq!(first["wpcs"]["versionName"], "V1.1");
    assert_eq!(
        first["wpcs"]["basedOnSnapshotId"],
        "7395de9a-bfc3-45cd-8dfd-92f760d5aee7"
    );
    assert_eq!(
        first["wpcs"]["snapshotGroupName"],
        "language-school-template"
    );
    assert_eq!(
        first["wpcs"]["redirectDomains"],
        json!(["T001.staging.my-site.com", "www.my-domain.com"])
    );
    assert_eq!(first["wpcs"]["statusCode"], 1);
    assert_eq!(
        first["raw"]["dateCreated"],
        "2021-12-01T12:27:34.891662+00:00"
    );
    assert_eq!(
        GlobalId::decode(first["id"].as_str().unwrap()),
        Some(tenant_gid(TENANT_1))
    );
    let names: Vec<&Value> = data["all"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["name"])
        .collect();
    assert_eq!(names, [&json!("First-Tenant"), &json!("Second-Tenant")]);

    let versions = &data["wpcsVersions"];
    assert_eq!(
        versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (text(&v["name"]), v["isProduction"].as_bool().unwrap()))
            .collect::<Vec<_>>(),
        [("V1.1".to_string(), false), ("v2.4".to_string(), true)]
    );
    assert_eq!(versions[1]["id"], VERSION_2);
    assert_eq!(versions[1]["statusName"], "Done");
    assert_eq!(
        versions[1]["domain"],
        "v2-5ea23421dba24a99e4a583c5dea4397f.snapshots.us1.wpcs.io"
    );

    assert_eq!(
        data["wpcsProducts"],
        json!([{"id": PRODUCT, "name": "Language School", "subscriptionId": SUBSCRIPTION,
                "subscriptionName": "WPCS Inc", "statusName": "Done"}])
    );
    assert_eq!(
        data["wpcsSubscriptions"],
        json!([{"id": SUBSCRIPTION, "name": "WPCS Inc"}])
    );

    // Usage hours are the upstream's numbers, typed.
    let (_, sub_usage) = direct(
        &gw,
        "GET",
        &format!("/v1/subscriptions/usage?subscriptionId={SUBSCRIPTION}&{MARCH}"),
        None,
    )
    .await;
    let (_, product_usage) = direct(
        &gw,
        "GET",
        &format!("/v1/products/usage?productId={PRODUCT}&{MARCH}"),
        None,
    )
    .await;
    for (typed, upstream) in [
        (&data["subscription"], &sub_usage),
        (&data["product"], &product_usage),
    ] {
        for field in ["productHours", "versionHours", "tenantHours"] {
            assert_eq!(
                typed[field].as_f64(),
                upstream[field].as_f64(),
                "{field}: {typed} vs {upstream}"
            );
        }
    }
    assert_eq!(data["subscription"]["subscriptionId"], SUBSCRIPTION);
    assert_eq!(data["product"]["productId"], PRODUCT);
    assert!(data["product"]["productHours"].as_f64().unwrap() > 0.0);
    assert!(data["product"]["tenantHours"].as_f64().unwrap() > 0.0);

    assert_eq!(
        data["wpcsBaseSnapshots"],
        json!([{"id": BASE_SNAPSHOT, "name": "WordPress Starter",
                "comment": "A clean WordPress install with the default theme",
                "isDefault": true, "isTenantSnapshot": false, "showAsBaseSnapshot": true}])
    );
    let snapshots = data["wpcsSnapshots"].as_array().unwrap();
    assert_eq!(snapshots.len(), 2, "{snapshots:?}");
    assert!(snapshots.iter().all(|s| s["versionId"] == VERSION_2));
    assert!(
        snapshots
            .iter()
            .any(|s| s["id"] == SNAPSHOT_SPANISH && s["isTenantSnapshot"] == true)
    );
    assert_eq!(data["taken"]["available"], false);
    assert_eq!(data["free"]["available"], true);
    assert_eq!(
        data["wpcsTenantDomains"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["isMainDomain"] == true)
            .map(|d| text(&d["domainName"]))
            .collect::<Vec<_>>(),
        ["school-two.example.org"]
    );

    // node(id:) finds the tenant again; an unknown tenant is null.
    let node =
        "query($id: ID!) { node(id: $id) { id ... on Tenant { tenantId name domain status } } }";
    let id = text(&first["id"]);
    let data = gw.data(node, json!({"id": id})).await;
    assert_eq!(
        data["node"],
        json!({"id": id, "tenantId": TENANT_1, "name": "First-Tenant",
               "domain": "my-domain.com", "status": "Done"})
    );
    let missing = tenant_gid(UNKNOWN).encode();
    let data = gw.data(node, json!({"id": missing})).await;
    assert_eq!(data["node"], Value::Null);
}

/// Each WPCS row of the endpoint inventory has exactly one declared endpoint with its method and path, and each declared WPCS endpoint has its row.
#[test]
fn route_table_covers_wpcs_rows() {
    crate::helpers::assert_route_table(hostplane_adapters::Provider::Wpcs);
}
