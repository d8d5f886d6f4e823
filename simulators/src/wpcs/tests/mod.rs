//! The WPCS simulator's own tests: auth, validation, partner keys, not-found bodies and every route
//! (here), tenants and their domains (`tenants`), versions, products, uploads and snapshots
//! (`products`). The harness here is shared by all three.

mod products;
mod tenants;

use super::{
    model::{
        BASE_SNAPSHOT, PRODUCT_ID, SNAPSHOT_FRENCH, SNAPSHOT_SPANISH, SNAPSHOT_WOO,
        SUBSCRIPTION_ID, TENANT_1, TENANT_2, VERSION_1, VERSION_2, is_uuid, iso, seed_time,
        uuid_from,
    },
    *,
};
use crate::kit::{
    encode::{base64_decode, crc32},
    time::parse_iso as parse_time,
};
use serde_json::{Value, json};

const KEY: &str = "test-key";
const SECRET: &str = "test-secret";
const UNKNOWN: &str = "00000000-1111-4222-8333-444444444444";
/// March 2022 in UTC+2, encoded as in the docs' example: exactly 29 days (696 hours).
const USAGE_WINDOW: &str = concat!(
    "startDate=2022-03-01T00%3A00%3A00.000%2B02%3A00",
    "&endDate=2022-03-30T00%3A00%3A00.000%2B02%3A00"
);

/// A running simulator and a caller that authenticates and prefixes `/v1/`.
struct Api {
    sim: Simulator,
    server: SimServer,
    client: reqwest::Client,
}

impl Api {
    async fn boot(job_ms: u64) -> Api {
        Api::with(job_ms, false).await
    }

    async fn with(job_ms: u64, partner: bool) -> Api {
        let config = SimConfig {
            key: KEY.into(),
            secret: SECRET.into(),
            partner,
            job_duration: Duration::from_millis(job_ms),
        };
        let (sim, server) = Simulator::start(config).await.unwrap();
        Api {
            sim,
            server,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/{path}", self.server.base_url())
    }

    /// `call` is `"METHOD path"`; sends this `Authorization` (none when `None`).
    async fn send(&self, auth: Option<&str>, call: &str, body: Option<Value>) -> (u16, Value) {
        let (method, path) = call.split_once(' ').unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    async fn call(&self, call: &str, body: Option<Value>) -> (u16, Value) {
        self.send(Some(&basic(KEY, SECRET)), call, body).await
    }

    /// Asserts the status and returns the body.
    async fn expect(&self, call: &str, body: Option<Value>, status: u16) -> Value {
        let (got, body) = self.call(call, body).await;
        assert_eq!(got, status, "{call}: {body}");
        body
    }

    async fn get(&self, path: &str) -> Value {
        self.expect(&format!("GET {path}"), None, 200).await
    }

    /// The one item a filtered list holds.
    async fn one(&self, path: &str) -> Value {
        let list = self.get(path).await;
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{path}: {list}");
        list[0].clone()
    }
}

fn basic(key: &str, secret: &str) -> String {
    format!("Basic {}", encode(format!("{key}:{secret}").as_bytes()))
}

fn encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn status(v: &Value) -> (Value, Value) {
    (v["statusCode"].clone(), v["statusName"].clone())
}

fn pending() -> (Value, Value) {
    (json!(0), json!("Pending"))
}

fn in_progress() -> (Value, Value) {
    (json!(2), json!("InProgress"))
}

fn done() -> (Value, Value) {
    (json!(1), json!("Done"))
}

fn error(status: u16, message: &str) -> (u16, Value) {
    (status, json!({"statusCode": status, "message": message}))
}

fn invalid(message: &str) -> (u16, Value) {
    error(400, &format!("Validation error occured: {message}"))
}

fn strs<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
    let items = items.as_array().unwrap().iter();
    items.map(|i| i[key].as_str().unwrap()).collect()
}
/// A missing, wrong or non-Basic credential gets 401; the docs' newline-terminated pair passes.
#[tokio::test]
async fn unauthorized() {
    let api = Api::boot(300).await;
    let bearer = format!("Bearer {KEY}");
    let wrong = basic(KEY, "nope");
    let auths = [
        None,
        Some(wrong.as_str()),
        Some(bearer.as_str()),
        Some("Basic !!!"),
    ];
    for auth in auths {
        for call in ["GET tenants", "POST versions", "GET basesnapshots"] {
            let got = api.send(auth, call, None).await;
            assert_eq!(got, error(401, "Unauthorized"), "{auth:?} {call}");
        }
    }
    let newline = format!("Basic {}", encode(format!("{KEY}:{SECRET}\n").as_bytes()));
    assert_eq!(api.send(Some(&newline), "GET tenants", None).await.0, 200);
}

fn pending_body(mut body: Value) -> Value {
    body["statusCode"] = json!(0);
    body["statusName"] = json!("Pending");
    body
}

/// A version body based on `snapshot`, on WordPress 6.4.2 and PHP 8.1.
fn version_body(name: &str, snapshot: &str) -> Value {
    json!({
        "name": name, "wordPressVersion": "6.4.2", "phpVersion": "8.1", "snapshotId": snapshot
    })
}

/// Each documented rule (and the modelled ones) answers 400 with its message, changing nothing.
#[tokio::test]
async fn validation_errors() {
    let api = Api::boot(300).await;
    let long = "a".repeat(31);
    let wp = |name: &str| {
        json!({"name": name, "wordPressVersion": "5.8.2", "phpVersion": "7.4",
               "snapshotId": SNAPSHOT_SPANISH})
    };
    let tenant_rule = "Tenant name cannot be longer than 30 characters and must start and end \
                       on an alpha numeric character";
    let version_rule = "The version name cannot be longer than 30 characters and can only \
                        contain alpha numeric characters, dashes and dots";
    let base_rule = "The name of the BaseSnapshot must be between 5 and 50 characters and may \
                     only contain alphanumeric characters, spaces and dashes";
    let usage = format!("GET products/usage?productId={PRODUCT_ID}");
    #[rustfmt::skip]
    let cases: Vec<(String, Value, String)> = vec![
        ("POST tenants".into(), json!({}), "Property name cannot be null".into()),
        ("POST tenants".into(), json!({"name": long}), tenant_rule.into()),
        ("POST tenants".into(), json!({"name": "-Tenant"}), tenant_rule.into()),
        ("POST tenants".into(), json!({"name": "Tenant."}), tenant_rule.into()),
        ("POST tenants".into(), json!({"name": "Tenant", "externalId": "T 1"}),
         "ExternalIds cannot contain spaces or special characters other than '-'".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "externalId": "T_1"}),
         "ExternalIds cannot contain spaces or special characters other than '-'".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "asZip": true}),
         "asZip can only be used when uploadCustomSnapshot is true".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "versionId": "v2"}),
         "Property versionId is not a valid uuid".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "externalId": "T001"}),
         "ExternalId T001 is already in use".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "customDomainName": "My-Domain.com"}),
         "Domain My-Domain.com is not available".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "customDomainName": "localhost"}),
         "Property customDomainName is not a valid domain name".into()),
        ("POST tenants".into(), json!({"name": "Tenant", "phpConstants": {"A": {"isPrivate": true}}}),
         "Property phpConstants.A.value cannot be null".into()),
        ("PUT tenants?externalId=T001".into(), json!({}),
         "Either wpOptions or phpConstants must be specified".into()),
        ("PUT tenants".into(), json!({"wpOptions": {}}),
         "Either tenantId or externalId must be specified".into()),
        ("PUT tenants/version?externalId=T001".into(), json!({}),
         "Property targetVersionId cannot be null".into()),
        ("PUT tenants/version?externalId=T001".into(), json!({"targetVersionId": VERSION_1}),
         "The tenant is already on version V1.1".into()),
        ("POST tenants/domains?externalId=T001".into(), json!({}),
         "Property domainName cannot be null".into()),
        ("POST tenants/domains?externalId=T001".into(), json!({"domainName": "not a domain"}),
         "Property domainName is not a valid domain name".into()),
        ("POST tenants/domains?externalId=T002".into(), json!({"domainName": "www.my-domain.com"}),
         "Domain www.my-domain.com is not available".into()),
        ("DELETE tenants/domains?externalId=T001".into(), Value::Null,
         "Either domainId or domainName must be specified".into()),
        ("DELETE tenants/domains?externalId=T001&domainName=my-domain.com".into(), Value::Null,
         "The main domain cannot be removed".into()),
        ("DELETE tenants/domains?externalId=T001&domainName=T001.staging.my-site.com".into(),
         Value::Null, "The base domain cannot be removed".into()),
        ("PUT tenants/domains/main?externalId=T001".into(), json!({}),
         "Either domainId or domainName must be specified".into()),
        ("GET tenants/domains/available".into(), Value::Null, "Property domain cannot be null".into()),
        ("POST versions".into(), json!({"wordPressVersion": "5.8.2", "phpVersion": "7.4"}),
         "Property name cannot be null".into()),
        ("POST versions".into(), wp("V 3"), version_rule.into()),
        ("POST versions".into(), wp("v3_5"), version_rule.into()),
        ("POST versions".into(), wp(&long), version_rule.into()),
        ("POST versions".into(), json!({"name": "V3.5", "phpVersion": "7.4", "snapshotId": SNAPSHOT_SPANISH}),
         "Property wordPressVersion cannot be null".into()),
        ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "snapshotId": SNAPSHOT_SPANISH}),
         "Property phpVersion cannot be null".into()),
        ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "phpVersion": "7.4"}),
         "Either a valid snapshotId is required or useCustomUpload must be true".into()),
        ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "phpVersion": "7.4",
                                        "snapshotId": SNAPSHOT_SPANISH, "asZip": true}),
         "asZip can only be used when useCustomUpload is true".into()),
        ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "phpVersion": "7.4",
                                        "snapshotId": SNAPSHOT_SPANISH, "snapshotIdsToCopy": ["x"]}),
         "Property snapshotIdsToCopy is not a valid uuid".into()),
        ("POST versions".into(), wp("v2.4"), "A version named v2.4 already exists".into()),
        (format!("DELETE versions?versionId={VERSION_2}"), Value::Null,
         "The production version cannot be removed".into()),
        (format!("DELETE versions?versionId={VERSION_1}"), Value::Null,
         "Version V1.1 still has tenants".into()),
        ("DELETE versions".into(), Value::Null, "Property versionId cannot be null".into()),
        ("PUT versions/production".into(), json!({}), "Property versionId cannot be null".into()),
        ("POST basesnapshots".into(), json!({"name": "Abcd", "comment": "c"}), base_rule.into()),
        ("POST basesnapshots".into(), json!({"name": "a".repeat(51), "comment": "c"}), base_rule.into()),
        ("POST basesnapshots".into(), json!({"name": "Bad_name", "comment": "c"}), base_rule.into()),
        ("POST basesnapshots".into(), json!({"name": "Good name"}), "Property comment cannot be null".into()),
        ("POST basesnapshots".into(), json!({"name": "Good name", "comment": "c", "groupName": "g"}),
         "GroupName cannot be filled out when trying to upload a BaseSnapshot that is not a tenant snapshot".into()),
        (format!("DELETE basesnapshots?id={BASE_SNAPSHOT}"), Value::Null,
         "Only BaseSnapshots created with your API key can be removed".into()),
        ("POST subscriptions".into(), json!({}), "Property name cannot be null".into()),
        ("POST subscriptions".into(), json!({"name": "S", "product": {}}), "Property name cannot be null".into()),
        ("POST products".into(), json!({"name": "P"}), "Property subscriptionId cannot be null".into()),
        (format!("POST products?subscriptionId={SUBSCRIPTION_ID}"), json!({"name": "P", "version": {"name": "V1"}}),
         "Property wordPressVersion cannot be null".into()),
        ("DELETE products".into(), Value::Null, "Property productId cannot be null".into()),
        ("DELETE subscriptions".into(), Value::Null, "Property subscriptionId cannot be null".into()),
        ("GET snapshots/download".into(), Value::Null, "Property snapshotId cannot be null".into()),
        (format!("{usage}&endDate=2022-03-30T00:00:00Z"), Value::Null, "Property startDate cannot be null".into()),
        (format!("{usage}&startDate=2022-03-01T00:00:00Z"), Value::Null, "Property endDate cannot be null".into()),
        (format!("{usage}&startDate=yesterday&endDate=2022-03-30"), Value::Null,
         "Property startDate is not a valid date-time".into()),
        (format!("{usage}&startDate=2022-02-30&endDate=2022-03-30"), Value::Null,
         "Property startDate is not a valid date-time".into()),
        (format!("{usage}&startDate=2022-03-30&endDate=2022-03-01"), Value::Null,
         "endDate must be later than startDate".into()),
        ("GET subscriptions/usage?subscriptionId=x".into(), Value::Null,
         "Property subscriptionId is not a valid uuid".into()),
    ];
    for (call, body, message) in cases {
        let body = (!body.is_null()).then_some(body);
        let got = api.call(&call, body).await;
        assert_eq!(got, invalid(&message), "{call}");
    }
    let bad_json = api
        .client
        .post(api.url("tenants"))
        .header("Authorization", basic(KEY, SECRET));
    let resp = bad_json.body("{").send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(api.sim.tenant_ids(), [TENANT_1, TENANT_2]);
    assert_eq!(api.get("versions").await.as_array().unwrap().len(), 2);
    assert_eq!(api.get("basesnapshots").await.as_array().unwrap().len(), 1);
    let domains = api.get("tenants/domains?externalId=T001").await;
    assert_eq!(strs(&domains, "statusName"), ["Done", "Done", "Done"]);
}

/// A partner key must name an existing product on tenant, version and snapshot calls only.
#[tokio::test]
async fn partner_mode_requires_product_id() {
    let api = Api::with(300, true).await;
    let scoped = [
        "GET tenants",
        "POST tenants",
        "GET tenants/domains?externalId=T001",
        "GET tenants/domains/available?domain=x.example.com",
        "GET versions",
        "POST versions",
        "GET snapshots",
        "GET snapshots/download",
    ];
    for call in scoped {
        let got = api.call(call, Some(json!({}))).await;
        assert_eq!(got, invalid("Property productId cannot be null"), "{call}");
    }
    let got = api
        .call(&format!("GET versions?productId={UNKNOWN}"), None)
        .await;
    assert_eq!(got, error(404, &format!("Product {UNKNOWN} not found")));
    let got = api.call("GET snapshots?productId=abc", None).await;
    assert_eq!(got, invalid("Property productId is not a valid uuid"));
    let home = format!("productId={PRODUCT_ID}");
    assert_eq!(
        strs(&api.get(&format!("tenants?{home}")).await, "id"),
        [TENANT_1, TENANT_2]
    );
    let upper = PRODUCT_ID.to_ascii_uppercase();
    assert_eq!(
        api.get(&format!("versions?productId={upper}"))
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    for unscoped in ["products", "subscriptions", "basesnapshots"] {
        api.get(unscoped).await;
    }

    // A partner may base a version on a System (base) snapshot.
    let body = json!({"name": "V5", "wordPressVersion": "6.4.2", "phpVersion": "8.1",
                      "snapshotId": BASE_SNAPSHOT});
    let version = api
        .expect(&format!("POST versions?{home}"), Some(body), 200)
        .await;
    assert_eq!(status(&version), pending());

    // A second product is its own scope.
    let version = version_body("V1.0", BASE_SNAPSHOT);
    let body = json!({"name": "Second product", "version": version});
    let path = format!("POST products?subscriptionId={SUBSCRIPTION_ID}");
    let product = api.expect(&path, Some(body), 200).await;
    let other = format!("productId={}", product["id"].as_str().unwrap());
    let versions = api.get(&format!("versions?{other}")).await;
    assert_eq!(strs(&versions, "name"), ["V1.0"]);
    assert_eq!(versions[0]["isProduction"], true);
    assert_eq!(api.get(&format!("tenants?{other}")).await, json!([]));
    let snapshots = api.get(&format!("snapshots?{other}")).await;
    assert_eq!(strs(&snapshots, "name"), ["WordPress Starter"]);
    let cross = format!("GET tenants/domains?{other}&tenantId={TENANT_1}");
    assert_eq!(
        api.call(&cross, None).await,
        error(404, &format!("Tenant {TENANT_1} not found"))
    );

    // A product-specific key ignores productId.
    let plain = Api::boot(300).await;
    let got = plain.get(&format!("tenants?productId={UNKNOWN}")).await;
    assert_eq!(got.as_array().unwrap().len(), 2);
}

/// Unknown ids answer 404 with a message naming them; unknown paths answer 404 too.
#[tokio::test]
async fn not_found_bodies() {
    let api = Api::boot(300).await;
    let snapshot = |id: &str| format!("Snapshot {id} not found");
    let version = |id: &str| version_body("V7", id);
    #[rustfmt::skip]
    let cases: Vec<(String, Value, String)> = vec![
        (format!("GET tenants/domains?tenantId={UNKNOWN}"), Value::Null, format!("Tenant {UNKNOWN} not found")),
        ("DELETE tenants?externalId=T404".into(), Value::Null, "Tenant T404 not found".into()),
        ("PUT tenants/version?externalId=T001".into(), json!({"targetVersionId": UNKNOWN}),
         format!("Version {UNKNOWN} not found")),
        ("POST tenants".into(), json!({"name": "X", "versionId": UNKNOWN}), format!("Version {UNKNOWN} not found")),
        ("POST tenants".into(), json!({"name": "X", "snapshotId": UNKNOWN}), snapshot(UNKNOWN)),
        // A snapshot of another version than the tenant's.
        ("POST tenants".into(), json!({"name": "X", "snapshotId": SNAPSHOT_FRENCH}), snapshot(SNAPSHOT_FRENCH)),
        ("POST tenants".into(), json!({"name": "X", "groupName": "nope"}), "No snapshot found in group nope".into()),
        ("DELETE tenants/domains?externalId=T001&domainName=nope.example.com".into(), Value::Null,
         "Domain nope.example.com not found".into()),
        ("PUT tenants/domains/main?externalId=T001".into(), json!({"domainId": UNKNOWN}),
         format!("Domain {UNKNOWN} not found")),
        ("PUT versions/production".into(), json!({"versionId": UNKNOWN}), format!("Version {UNKNOWN} not found")),
        (format!("DELETE versions?versionId={UNKNOWN}"), Value::Null, format!("Version {UNKNOWN} not found")),
        // Base snapshots are for partner keys only.
        ("POST versions".into(), version(BASE_SNAPSHOT), snapshot(BASE_SNAPSHOT)),
        ("POST versions".into(), version(UNKNOWN), snapshot(UNKNOWN)),
        // A new product's version takes base snapshots only.
        (format!("POST products?subscriptionId={SUBSCRIPTION_ID}"),
         json!({"name": "P", "version": version(SNAPSHOT_WOO)}), snapshot(SNAPSHOT_WOO)),
        (format!("GET snapshots/download?snapshotId={UNKNOWN}"), Value::Null, snapshot(UNKNOWN)),
        (format!("POST products?subscriptionId={UNKNOWN}"), json!({"name": "P"}),
         format!("Subscription {UNKNOWN} not found")),
        (format!("DELETE products?productId={UNKNOWN}"), Value::Null, format!("Product {UNKNOWN} not found")),
        (format!("DELETE subscriptions?subscriptionId={UNKNOWN}"), Value::Null,
         format!("Subscription {UNKNOWN} not found")),
        (format!("GET products/usage?productId={UNKNOWN}&{USAGE_WINDOW}"), Value::Null,
         format!("Product {UNKNOWN} not found")),
        (format!("GET subscriptions/usage?subscriptionId={UNKNOWN}&{USAGE_WINDOW}"), Value::Null,
         format!("Subscription {UNKNOWN} not found")),
        (format!("DELETE basesnapshots?id={UNKNOWN}"), Value::Null, format!("BaseSnapshot {UNKNOWN} not found")),
        ("GET nothing".into(), Value::Null, "Not found".into()),
    ];
    for (call, body, message) in cases {
        let body = (!body.is_null()).then_some(body);
        assert_eq!(api.call(&call, body).await, error(404, &message), "{call}");
    }
    let resp = api
        .client
        .put(format!("{}/uploads/nope", api.server.base_url()))
        .body("x");
    let resp = resp.send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"statusCode": 404, "message": "Upload not found"})
    );
    assert_eq!(
        api.get(&format!("tenants?tenantId={UNKNOWN}")).await,
        json!([])
    );
}

/// Each of the 28 documented routes is served by a handler, not by the fallback or a 405.
#[tokio::test]
async fn all_documented_routes_answer() {
    let api = Api::boot(300).await;
    let routes = [
        "GET tenants",
        "POST tenants",
        "PUT tenants",
        "DELETE tenants",
        "POST tenants/domain",
        "PUT tenants/version",
        "GET tenants/domains",
        "POST tenants/domains",
        "DELETE tenants/domains",
        "PUT tenants/domains/main",
        "GET tenants/domains/available",
        "GET versions",
        "POST versions",
        "DELETE versions",
        "PUT versions/production",
        "GET snapshots",
        "GET snapshots/download",
        "GET subscriptions",
        "POST subscriptions",
        "DELETE subscriptions",
        "GET subscriptions/usage",
        "GET products",
        "POST products",
        "DELETE products",
        "GET products/usage",
        "GET basesnapshots",
        "POST basesnapshots",
        "DELETE basesnapshots",
    ];
    let rows = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/specs/endpoints.tsv"
    ));
    if let Ok(rows) = rows {
        let documented: Vec<String> = rows
            .lines()
            .filter_map(|l| l.strip_prefix("wpcs\t"))
            .map(|l| {
                let mut cols = l.split('\t');
                let (method, path) = (cols.next().unwrap(), cols.next().unwrap());
                format!("{method} {}", path.trim_start_matches("/v1/"))
            })
            .collect();
        assert_eq!(documented, routes);
    }
    for call in routes {
        let (status, body) = api.call(call, Some(json!({}))).await;
        assert!(
            status != 405 && body["message"] != "Not found",
            "{call}: {status} {body}"
        );
    }
}

/// Seeded ids and new ids are well-formed uuids; dates round-trip through the parser.
#[test]
fn ids_and_dates() {
    let ids: Vec<String> = (1..=50).map(uuid_from).collect();
    assert!(
        ids.iter()
            .all(|id| is_uuid(id) && id.as_bytes()[14] == b'4'),
        "{ids:?}"
    );
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        50
    );
    for text in [
        "2021-11-18T15:47:40.17337+00:00",
        "2021-12-01T12:27:34.891662+00:00",
        "2024-02-29T00:00:00+00:00",
    ] {
        assert_eq!(iso(seed_time(text)), text);
    }
    let plus = parse_time("2022-03-01T00:00:00.000+02:00");
    assert_eq!(plus, parse_time("2022-02-28T22:00:00Z"));
    assert_eq!(plus, parse_time("2022-03-01T00:00:00 0200"));
    assert_eq!(parse_time("2022-03-01"), parse_time("2022-03-01T00:00Z"));
    for bad in [
        "2022-13-01",
        "2021-02-29",
        "2022-03-01T24:00:00Z",
        "2022-03-01X",
        "2022/03/01",
    ] {
        assert_eq!(parse_time(bad), None, "{bad}");
    }
    assert_eq!(
        base64_decode(&encode(b"key:secret")).unwrap(),
        b"key:secret"
    );
}
