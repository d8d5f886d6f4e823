//! Tenants and their domains in the WPCS simulator: creation over time, scheduled updates, moves and
//! removals, and the domain lifecycle on both routes.

use super::*;

/// A new tenant reads Pending, then InProgress, then Done, and is found by either filter.
#[tokio::test]
async fn tenant_create_progresses_to_done() {
    let api = Api::boot(400).await;
    let body = json!({
        "name": "My awesome Tenant", "externalId": "T100", "groupName": null,
        "customDomainName": "awesome-tenant.my-waas.io",
        "tenantName": "TenantUser", "wordPressUserName": "TenantUser",
        "wordPressUserRole": "author", "wordPressUserEmail": "example@gmail.com",
        "wordPressUserPassword": "oneV3rryStr0ngP@ss", "uploadCustomSnapshot": false,
        "wpOptions": {"important_option": "initialValue"},
        "phpConstants": {"WP_DEBUG": {"value": "false", "isPrivate": true}}
    });
    let created = api.expect("POST tenants", Some(body), 200).await;
    let id = created["id"].as_str().unwrap().to_string();
    assert!(is_uuid(&id), "{id}");
    let expected = json!({
        "id": id, "externalId": "T100", "customDomain": "awesome-tenant.my-waas.io",
        "statusCode": 0, "statusName": "Pending"
    });
    assert_eq!(created, expected);
    let by_id = format!("tenants?tenantId={id}");
    assert_eq!(status(&api.one(&by_id).await), pending());
    sleep_ms(200).await;
    assert_eq!(status(&api.one(&by_id).await), in_progress());
    sleep_ms(300).await;
    let tenant = api.one("tenants?externalId=T100").await;
    assert_eq!(tenant, api.one(&by_id).await);
    assert_eq!(status(&tenant), done());
    let fields = [
        "tenantId",
        "versionId",
        "versionName",
        "basedOnSnapshotId",
        "snapshotName",
    ];
    let got: Vec<&Value> = fields.iter().map(|f| &tenant[*f]).collect();
    let expected = [
        id.as_str(),
        VERSION_2,
        "v2.4",
        SNAPSHOT_SPANISH,
        "V3: Added spanish",
    ];
    assert_eq!(got, expected.map(|v| json!(v)).iter().collect::<Vec<_>>());
    assert_eq!(tenant["domainName"], "awesome-tenant.my-waas.io");
    assert_eq!(
        tenant["redirectDomains"],
        json!(["T100.staging.my-site.com"])
    );
    assert_eq!(tenant["snapshotGroupName"], "language-school-template");

    // The docs' example tenant, and the filters combined.
    let first = api.one("tenants?externalId=T001").await;
    assert_eq!(
        first["redirectDomains"],
        json!(["T001.staging.my-site.com", "www.my-domain.com"])
    );
    assert_eq!(first["dateCreated"], "2021-12-01T12:27:34.891662+00:00");
    let none = api
        .get(&format!("tenants?tenantId={id}&externalId=T001"))
        .await;
    assert_eq!(none, json!([]));
    assert_eq!(api.get("tenants").await.as_array().unwrap().len(), 3);
    assert_eq!(api.sim.tenant_ids(), [TENANT_1, TENANT_2, id.as_str()]);
    assert_eq!(api.sim.product_ids(), [PRODUCT_ID]);
}

/// Update, move and delete queue one after another; the move applies and the delete removes.
#[tokio::test]
async fn tenant_update_move_and_delete() {
    let api = Api::boot(400).await;
    let update = Some(json!({"wpOptions": {"blogname": "Ecole"}, "phpConstants": null}));
    let got = api.expect("PUT tenants?externalId=T001", update, 200).await;
    let expected = json!({"tenantId": TENANT_1, "externalId": "T001"});
    assert_eq!(got, pending_body(expected));
    let target = Some(json!({"targetVersionId": VERSION_2}));
    let got = api
        .expect("PUT tenants/version?externalId=T001", target, 200)
        .await;
    let expected =
        json!({"targetVersionId": VERSION_2, "tenantId": TENANT_1, "externalId": "T001"});
    assert_eq!(got, pending_body(expected));
    sleep_ms(460).await;
    let moving = api.one("tenants?externalId=T001").await;
    assert_eq!(
        (status(&moving), &moving["versionId"]),
        (in_progress(), &json!(VERSION_1))
    );
    sleep_ms(400).await;
    let moved = api.one(&format!("tenants?tenantId={TENANT_1}")).await;
    assert_eq!(status(&moved), done());
    assert_eq!(
        (&moved["versionId"], &moved["versionName"]),
        (&json!(VERSION_2), &json!("v2.4"))
    );
    assert_ne!(moved["dateChanged"], "2021-12-02T12:27:34.891662+00:00");

    let got = api
        .expect("DELETE tenants?externalId=T001", None, 200)
        .await;
    assert_eq!(status(&got), pending());
    let again = api.call("DELETE tenants?externalId=T001", None).await;
    assert_eq!(
        again,
        invalid(&format!("Tenant {TENANT_1} is scheduled for removal"))
    );
    assert_eq!(api.get("tenants").await.as_array().unwrap().len(), 2);
    sleep_ms(450).await;
    assert_eq!(api.get("tenants?externalId=T001").await, json!([]));
    assert_eq!(api.sim.tenant_ids(), [TENANT_2]);
    let gone = api.call("GET tenants/domains?externalId=T001", None).await;
    assert_eq!(gone, error(404, "Tenant T001 not found"));
}

/// Adding, promoting and removing a domain each run to Done and show in both reads.
#[tokio::test]
async fn domain_add_set_main_remove_lifecycle() {
    let api = Api::boot(300).await;
    let body = Some(json!({"domainName": "my-new-domain.io", "setAsMainDomain": false}));
    let got = api
        .expect("POST tenants/domains?externalId=T001", body, 200)
        .await;
    let expected = json!({
        "tenantId": TENANT_1, "externalId": "T001", "domain": "my-new-domain.io",
        "setAsMainDomain": false
    });
    assert_eq!(got, pending_body(expected));
    let list = "tenants/domains?externalId=T001";
    let domains = api.get(list).await;
    let names = [
        "T001.staging.my-site.com",
        "my-domain.com",
        "www.my-domain.com",
        "my-new-domain.io",
    ];
    assert_eq!(strs(&domains, "domainName"), names);
    assert_eq!(status(&domains[3]), pending());
    assert_eq!(
        (&domains[3]["isMainDomain"], &domains[3]["isBaseDomain"]),
        (&json!(false), &json!(false))
    );
    let tenant = api.one("tenants?externalId=T001").await;
    assert_eq!(tenant["redirectDomains"].as_array().unwrap().len(), 2);
    let taken = api
        .get("tenants/domains/available?domain=MY-NEW-DOMAIN.io")
        .await;
    assert_eq!(taken, json!({"available": false}));
    let free = api
        .get("tenants/domains/available?domain=free.example.com")
        .await;
    assert_eq!(free, json!({"available": true}));
    sleep_ms(350).await;
    assert_eq!(strs(&api.get(list).await, "statusName"), ["Done"; 4]);
    let tenant = api.one("tenants?externalId=T001").await;
    assert_eq!(tenant["redirectDomains"][2], "my-new-domain.io");

    let body = Some(json!({"domainName": "my-new-domain.io"}));
    let got = api
        .expect("PUT tenants/domains/main?externalId=T001", body, 200)
        .await;
    let new_id = domains[3]["id"].as_str().unwrap();
    assert_eq!(
        got,
        pending_body(json!({"id": new_id, "domainName": "my-new-domain.io"}))
    );
    assert_eq!(
        api.one("tenants?externalId=T001").await["domainName"],
        "my-domain.com"
    );
    sleep_ms(350).await;
    let domains = api.get(list).await;
    let mains: Vec<bool> = domains
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["isMainDomain"] == true)
        .collect();
    assert_eq!(mains, [false, false, false, true]);
    assert_eq!(
        api.one("tenants?externalId=T001").await["domainName"],
        "my-new-domain.io"
    );

    let remove = "DELETE tenants/domains?externalId=T001&domainName=my-domain.com";
    let got = api.expect(remove, None, 200).await;
    let old_id = "497f6eca-6276-4993-bfeb-53cbbbba6f08";
    assert_eq!(
        got,
        pending_body(json!({"id": old_id, "domainName": "my-domain.com"}))
    );
    assert_eq!(
        api.call(remove, None).await,
        invalid("Domain my-domain.com is scheduled for removal")
    );
    let listed = api.get(list).await;
    assert_eq!(status(&listed[1]), pending());
    sleep_ms(350).await;
    let names = [
        "T001.staging.my-site.com",
        "www.my-domain.com",
        "my-new-domain.io",
    ];
    assert_eq!(strs(&api.get(list).await, "domainName"), names);
    assert_eq!(
        api.get("tenants/domains/available?domain=my-domain.com")
            .await["available"],
        true
    );
    let by_id = format!(
        "DELETE tenants/domains?tenantId={TENANT_1}&domainId={}",
        listed[2]["id"].as_str().unwrap()
    );
    assert_eq!(
        api.expect(&by_id, None, 200).await["domainName"],
        "www.my-domain.com"
    );
}

/// The deprecated `POST /v1/tenants/domain` adds a domain like `/domains` and can make it main.
#[tokio::test]
async fn deprecated_domain_route_still_works() {
    let api = Api::boot(300).await;
    let body = Some(json!({"domainName": "legacy.example.com", "setAsMainDomain": true}));
    let path = format!("POST tenants/domain?tenantId={TENANT_2}");
    let got = api.expect(&path, body, 200).await;
    let expected = json!({
        "tenantId": TENANT_2, "externalId": "T002", "domain": "legacy.example.com",
        "setAsMainDomain": true
    });
    assert_eq!(got, pending_body(expected));
    sleep_ms(350).await;
    let tenant = api.one("tenants?externalId=T002").await;
    assert_eq!(tenant["domainName"], "legacy.example.com");
    let redirects = json!([
        "T002.staging.my-site.com",
        "school-two.example.org",
        "blog.example.org"
    ]);
    assert_eq!(tenant["redirectDomains"], redirects);
}
