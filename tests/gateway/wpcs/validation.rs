//! WPCS's input checks: refused in the API's own wording before anything reaches the upstream.

use super::*;

const PREFIX: &str = "Validation error occured: ";

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
