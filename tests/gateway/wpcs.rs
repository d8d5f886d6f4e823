//! WPCS through the gateway: its 28 endpoints on the REST layer at their original paths (checked
//! against the simulator's own answers), typed reads with `Tenant` as a Node, the documented
//! validation rules enforced before any upstream call, scheduled writes followed as Tasks to `Done`
//! (over `taskUpdated` too), and snapshot downloads kept for admins.

use crate::helpers::{Options, TestGateway, WPCS, admin, spawn, spawn_with, token};
use futures_util::{SinkExt, StreamExt};
use hostplane_schema::{GlobalId, principal::Scope};
use serde_json::{Value, json};
use std::{collections::BTreeSet, time::Duration};
use tokio::time::timeout;
use tokio_tungstenite::{
    connect_async,
    tungstenite::{
        Message,
        client::IntoClientRequest,
        http::{HeaderValue, header::SEC_WEBSOCKET_PROTOCOL},
    },
};

// Seeded ids, from the docs' examples (see the simulator).
const SUBSCRIPTION: &str = "1f3ea976-d862-499d-8be2-b99c1aef21a9";
const PRODUCT: &str = "dcd53ddb-8104-4e48-8cc0-5df1088c6113";
/// `V1.1`, not in production; First-Tenant (T001) is on it.
const VERSION_1: &str = "aebceb97-1296-49fc-81bc-b9e86aefe011";
/// `v2.4`, the production version; Second-Tenant (T002) is on it.
const VERSION_2: &str = "745e1ebd-d00e-4b6b-b6bc-bffd450c0942";
const SNAPSHOT_WOO: &str = "347b6a3b-4b68-4888-acc5-d5d546a33d86";
/// A tenant snapshot of `v2.4`, group `language-school-template`.
const SNAPSHOT_SPANISH: &str = "09520abc-01e6-4da1-8fa5-f10e3883c861";
const TENANT_1: &str = "68c6b25c-74ef-4401-acbe-0b1d560d8647";
const BASE_SNAPSHOT: &str = "193463fd-ce54-43d9-ba61-304ceef2885e";
const UNKNOWN: &str = "00000000-1111-4222-8333-444444444444";
/// The docs' usage period (March 2022, +02:00), as the docs' curl encodes it.
const MARCH: &str =
    "startDate=2022-03-01T00%3A00%3A00.000%2B02%3A00&endDate=2022-03-30T00%3A00%3A00.000%2B02%3A00";
const MARCH_START: &str = "2022-03-01T00:00:00.000+02:00";
const MARCH_END: &str = "2022-03-30T00:00:00.000+02:00";
const PREFIX: &str = "Validation error occured: ";
const WAIT: Duration = Duration::from_secs(10);

fn parse(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// `Authorization: Bearer <admin gateway JWT>`.
fn admin_auth() -> String {
    format!("Bearer {}", admin())
}

/// A WPCS REST call through the gateway as an admin: status and JSON body (every non-empty answer
/// must be JSON).
async fn rest(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, content_type, bytes) = gw.wpcs_rest(Some(&admin_auth()), method, path, body).await;
    if !bytes.is_empty() {
        assert_eq!(
            content_type, "application/json",
            "{method} {path} through the gateway"
        );
    }
    (status, parse(&bytes))
}

/// The same call straight to the simulator.
async fn direct(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, bytes) = gw.wpcs_direct(method, path, body).await;
    (status, parse(&bytes))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

fn tenant_gid(id: &str) -> GlobalId {
    GlobalId::new("Tenant", WPCS, id)
}

/// The task a mutation answered with, as `(global id, task UUID)`; it starts QUEUED.
fn started(payload: &Value) -> (String, String) {
    assert_eq!(
        payload["task"]["status"], "QUEUED",
        "a scheduled write starts queued: {payload}"
    );
    (
        text(&payload["task"]["id"]),
        text(&payload["task"]["taskId"]),
    )
}

/// Runs a mutation whose field (aliased `m`) answers a `TaskPayload`, and waits for its task: the
/// upstream's answer and the finished task.
async fn run_task(gw: &TestGateway, mutation: &str, variables: Value) -> (Value, Value) {
    let data = gw.data(mutation, variables).await;
    let payload = &data["m"];
    let (_, task_id) = started(payload);
    let task = gw.wait_task(&task_id).await;
    (payload["raw"].clone(), task)
}

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

fn assert_succeeded(task: &Value) {
    assert_eq!(task["status"], "SUCCEEDED", "{task}");
}

/// A tenant as GraphQL types it, read by its upstream id (null once gone).
async fn tenant(gw: &TestGateway, id: &str) -> Value {
    let data = gw
        .data(
            "query($id: String) { wpcsTenants(tenantId: $id) { tenantId name externalId domain status wpcs { versionId } domains { id domainName isMainDomain isBaseDomain } } }",
            json!({"id": id}),
        )
        .await;
    let list = data["wpcsTenants"].as_array().expect("a list").clone();
    assert!(list.len() <= 1, "{data}");
    list.into_iter().next().unwrap_or(Value::Null)
}

fn domain_names(tenant: &Value) -> BTreeSet<String> {
    tenant["domains"]
        .as_array()
        .unwrap_or_else(|| panic!("no domains: {tenant}"))
        .iter()
        .map(|d| text(&d["domainName"]))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reads

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

// ---------------------------------------------------------------------------------------------
// Validation

/// The documented rules (names, external ids, `asZip`, a version's source, base snapshot names), a missing tenant or domain key and bad usage dates are refused on both surfaces before anything reaches the upstream.
#[tokio::test]
async fn validation_before_the_upstream() {
    let gw = spawn().await;
    const CREATE_TENANT: &str = "mutation($input: WpcsCreateTenantInput!) { wpcsCreateTenant(input: $input) { task { id } } }";
    const CREATE_VERSION: &str = "mutation($input: WpcsCreateVersionInput!) { wpcsCreateVersion(input: $input) { task { id } } }";
    const CREATE_BASE: &str = "mutation($input: WpcsCreateBaseSnapshotInput!) { wpcsCreateBaseSnapshot(input: $input) { id } }";
    const CREATE_PRODUCT: &str = "mutation($input: WpcsCreateProductInput!) { wpcsCreateProduct(subscriptionId: \"1f3ea976-d862-499d-8be2-b99c1aef21a9\", input: $input) { task { id } } }";
    const CREATE_SUBSCRIPTION: &str = "mutation($input: WpcsCreateSubscriptionInput!) { wpcsCreateSubscription(input: $input) { task { id } } }";
    let long_name = "a".repeat(31);
    let version = |extra: Value| {
        let mut v = json!({"wordPressVersion": "6.4", "phpVersion": "8.2", "name": "V3.5"});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    // (GraphQL mutation, input, REST path, what the message must mention)
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            CREATE_TENANT,
            json!({"name": "-First"}),
            "/v1/tenants",
            "Tenant name",
        ),
        (
            CREATE_TENANT,
            json!({"name": "First-"}),
            "/v1/tenants",
            "Tenant name",
        ),
        (
            CREATE_TENANT,
            json!({"name": long_name}),
            "/v1/tenants",
            "Tenant name",
        ),
        (
            CREATE_TENANT,
            json!({"name": "Fine", "externalId": "T 001"}),
            "/v1/tenants",
            "ExternalIds",
        ),
        (
            CREATE_TENANT,
            json!({"name": "Fine", "externalId": "T_001"}),
            "/v1/tenants",
            "ExternalIds",
        ),
        (
            CREATE_TENANT,
            json!({"name": "Fine", "asZip": true}),
            "/v1/tenants",
            "asZip",
        ),
        (
            CREATE_VERSION,
            version(json!({"name": "V3 5", "snapshotId": SNAPSHOT_WOO})),
            "/v1/versions",
            "version name",
        ),
        (
            CREATE_VERSION,
            version(json!({"name": long_name, "snapshotId": SNAPSHOT_WOO})),
            "/v1/versions",
            "version name",
        ),
        (
            CREATE_VERSION,
            version(json!({})),
            "/v1/versions",
            "snapshotId",
        ),
        (
            CREATE_VERSION,
            version(json!({"snapshotId": SNAPSHOT_WOO, "asZip": true})),
            "/v1/versions",
            "asZip",
        ),
        (
            CREATE_BASE,
            json!({"name": "abcd", "comment": "too short"}),
            "/v1/basesnapshots",
            "BaseSnapshot",
        ),
        (
            CREATE_BASE,
            json!({"name": "under_score", "comment": "bad character"}),
            "/v1/basesnapshots",
            "BaseSnapshot",
        ),
        (
            CREATE_BASE,
            json!({"name": "A group", "comment": "c", "groupName": "g"}),
            "/v1/basesnapshots",
            "GroupName",
        ),
        (
            CREATE_SUBSCRIPTION,
            json!({"name": "Sub", "product": {"name": "P", "version": version(json!({"name": "V 1", "snapshotId": BASE_SNAPSHOT}))}}),
            "/v1/subscriptions",
            "version name",
        ),
    ];
    for (mutation, input, path, mention) in &cases {
        let body = gw.gql(mutation, json!({"input": input})).await;
        assert_eq!(code(&body), "VALIDATION", "{input}: {body}");
        let message = text(&body["errors"][0]["message"]);
        assert!(message.contains(mention), "{input}: {message}");

        let (status, reply) = rest(&gw, "POST", path, Some(input.clone())).await;
        assert_eq!(status, 400, "POST {path} {input}: {reply}");
        assert_eq!(reply["statusCode"], 400, "{reply}");
        let message = text(&reply["message"]);
        assert!(
            message.starts_with(PREFIX) && message.contains(mention),
            "POST {path} {input}: {message}"
        );
        assert_eq!(
            reply.as_object().unwrap().len(),
            2,
            "only statusCode and message: {reply}"
        );
    }
    // A product's nested version is checked too (its subscription id travels in the query string).
    let product = json!({"name": "P", "version": version(json!({"snapshotId": BASE_SNAPSHOT, "asZip": true}))});
    let body = gw.gql(CREATE_PRODUCT, json!({"input": product})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    let (status, reply) = rest(
        &gw,
        "POST",
        &format!("/v1/products?subscriptionId={SUBSCRIPTION}"),
        Some(product),
    )
    .await;
    assert_eq!(status, 400, "{reply}");
    assert!(text(&reply["message"]).starts_with(PREFIX), "{reply}");

    // A tenant named by neither tenantId nor externalId; a domain removal naming no domain.
    let keyless: [(&str, Value); 7] = [
        (
            "mutation { m: wpcsUpdateTenant(input: {wpOptions: {blogname: \"x\"}}) { task { id } } }",
            json!({}),
        ),
        (
            "mutation { m: wpcsDeleteTenant { task { id } } }",
            json!({}),
        ),
        (
            "mutation { m: wpcsMoveTenant(input: {targetVersionId: \"aebceb97-1296-49fc-81bc-b9e86aefe011\"}) { task { id } } }",
            json!({}),
        ),
        (
            "mutation { m: wpcsAddTenantDomain(input: {domainName: \"new.example.com\"}) { task { id } } }",
            json!({}),
        ),
        (
            "mutation { m: wpcsRemoveTenantDomain(domainName: \"www.my-domain.com\") { task { id } } }",
            json!({}),
        ),
        (
            "mutation($id: String) { m: wpcsRemoveTenantDomain(tenantId: $id) { task { id } } }",
            json!({"id": TENANT_1}),
        ),
        ("{ wpcsTenantDomains { domainName } }", json!({})),
    ];
    for (query, variables) in &keyless {
        let body = gw.gql(query, variables.clone()).await;
        assert_eq!(code(&body), "VALIDATION", "{query}: {body}");
    }
    let body = gw
        .gql(
            "mutation($id: String) { m: wpcsSetMainDomain(tenantId: $id, input: {}) { task { id } } }",
            json!({"id": TENANT_1}),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "{body}");

    let refused =
        |message: &str| json!({"statusCode": 400, "message": format!("{PREFIX}{message}")});
    let no_tenant = refused("tenantId is required if externalId is omitted");
    let rest_keyless: [(&str, String, Option<Value>, &Value); 5] = [
        (
            "PUT",
            "/v1/tenants".into(),
            Some(json!({"phpConstants": {"WP_DEBUG": {"value": "true"}}})),
            &no_tenant,
        ),
        ("DELETE", "/v1/tenants".into(), None, &no_tenant),
        (
            "PUT",
            "/v1/tenants/version".into(),
            Some(json!({"targetVersionId": VERSION_1})),
            &no_tenant,
        ),
        ("GET", "/v1/tenants/domains".into(), None, &no_tenant),
        (
            "DELETE",
            format!("/v1/tenants/domains?tenantId={TENANT_1}"),
            None,
            &refused("domainId is required if the domainName is omitted"),
        ),
    ];
    for (method, path, body, expected) in rest_keyless {
        let answer = rest(&gw, method, &path, body).await;
        assert_eq!(answer, (400, expected.clone()), "{method} {path}");
    }

    // Usage dates must be ISO 8601 date-times.
    let bad_dates = [
        ("yesterday", MARCH_END, "startDate"),
        (MARCH_START, "2022-03-30", "endDate"),
    ];
    for (start, end, name) in bad_dates {
        for field in [
            "wpcsSubscriptionUsage(subscriptionId: \"1f3ea976-d862-499d-8be2-b99c1aef21a9\"",
            "wpcsProductUsage(productId: \"dcd53ddb-8104-4e48-8cc0-5df1088c6113\"",
        ] {
            let query = format!(
                "query($s: String!, $e: String!) {{ {field}, startDate: $s, endDate: $e) {{ productHours }} }}"
            );
            let body = gw.gql(&query, json!({"s": start, "e": end})).await;
            assert_eq!(code(&body), "VALIDATION", "{query}: {body}");
            assert!(text(&body["errors"][0]["message"]).contains(name), "{body}");
        }
        let enc = |s: &str| s.replace(':', "%3A").replace('+', "%2B");
        let path = format!(
            "/v1/subscriptions/usage?subscriptionId={SUBSCRIPTION}&startDate={}&endDate={}",
            enc(start),
            enc(end)
        );
        let answer = rest(&gw, "GET", &path, None).await;
        assert_eq!(
            answer,
            (
                400,
                refused(&format!("{name} must be a date-time in ISO 8601 format"))
            ),
            "GET {path}"
        );
    }
    // A missing date is refused in WPCS's own words.
    let (status, reply) = rest(
        &gw,
        "GET",
        &format!("/v1/products/usage?productId={PRODUCT}"),
        None,
    )
    .await;
    assert_eq!(status, 400, "{reply}");
    assert!(text(&reply["message"]).starts_with(PREFIX), "{reply}");

    // None of it reached the simulator.
    let log = &gw.wpcs_upstream.log;
    for (method, path) in [
        ("POST", "/v1/tenants"),
        ("PUT", "/v1/tenants"),
        ("DELETE", "/v1/tenants"),
        ("PUT", "/v1/tenants/version"),
        ("GET", "/v1/tenants/domains"),
        ("POST", "/v1/tenants/domains"),
        ("DELETE", "/v1/tenants/domains"),
        ("PUT", "/v1/tenants/domains/main"),
        ("POST", "/v1/versions"),
        ("POST", "/v1/basesnapshots"),
        ("POST", "/v1/products"),
        ("POST", "/v1/subscriptions"),
        ("GET", "/v1/subscriptions/usage"),
        ("GET", "/v1/products/usage"),
    ] {
        assert_eq!(
            log.count(method, path),
            0,
            "{method} {path} reached the upstream"
        );
    }
    assert!(log.is_empty(), "the upstream saw {:?}", log.all());
}

// ---------------------------------------------------------------------------------------------
// Scheduled writes

/// What the server sent on the WebSocket.
enum Incoming {
    Next(Value),
    Complete,
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

// ---------------------------------------------------------------------------------------------
// Route table

/// Each WPCS row of the endpoint inventory has exactly one declared endpoint with its method and path, and each declared WPCS endpoint has its row.
#[test]
fn route_table_covers_wpcs_rows() {
    crate::helpers::assert_route_table(hostplane_adapters::Provider::Wpcs, 28);
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
