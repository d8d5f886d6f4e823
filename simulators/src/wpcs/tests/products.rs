//! Versions, products, subscriptions, custom uploads and snapshots in the WPCS simulator.

use super::*;

/// A version copies its snapshots, runs to Done, and then takes over production.
#[tokio::test]
async fn version_create_and_set_production() {
    let api = Api::boot(300).await;
    let body = json!({"snapshotId": SNAPSHOT_SPANISH, "snapshotIdsToCopy": [SNAPSHOT_WOO],
                      "wordPressVersion": "6.4.2", "phpVersion": "8.1", "name": "V3.5"});
    let created = api.expect("POST versions", Some(body), 200).await;
    let id = created["id"].as_str().unwrap().to_string();
    let domain = format!("v3-5-{}.snapshots.us1.wpcs.io", id.replace('-', ""));
    let expected = json!({"id": id, "domainName": domain, "name": "V3.5",
                          "wordPressVersion": "6.4.2", "phpVersion": "8.1"});
    assert_eq!(created, pending_body(expected));
    let version = api.one("versions?versionName=V3.5").await;
    assert_eq!(
        (&version["domain"], &version["isProduction"]),
        (&json!(domain), &json!(false))
    );
    let snapshots = api.get(&format!("snapshots?versionId={id}")).await;
    assert_eq!(
        strs(&snapshots, "name"),
        ["V3: Added spanish", "v2-addition-woo-commerce"]
    );
    assert_ne!(status(&snapshots[0]), done());
    let early = Some(json!({"name": "Early", "versionId": id}));
    assert_eq!(
        api.call("POST tenants", early).await,
        invalid("Version V3.5 is not ready")
    );
    sleep_ms(350).await;
    assert_eq!(
        status(&api.one(&format!("versions?versionId={id}")).await),
        done()
    );
    assert_eq!(
        strs(
            &api.get(&format!("snapshots?versionId={id}")).await,
            "statusName"
        ),
        ["Done"; 2]
    );

    let body = Some(json!({"versionId": id}));
    let got = api.expect("PUT versions/production", body, 200).await;
    assert_eq!(got, pending_body(json!({"id": id})));
    let production = |list: &Value| {
        let list = list.as_array().unwrap().iter();
        list.filter(|v| v["isProduction"] == true)
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(production(&api.get("versions").await), ["v2.4"]);
    sleep_ms(350).await;
    assert_eq!(production(&api.get("versions").await), ["V3.5"]);
    let again = api
        .expect(
            "PUT versions/production",
            Some(json!({"versionId": id})),
            200,
        )
        .await;
    assert_eq!(status(&again), done());
    let tenant = api
        .expect("POST tenants", Some(json!({"name": "Newcomer"})), 200)
        .await;
    let tenant = api
        .one(&format!(
            "tenants?tenantId={}",
            tenant["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        (&tenant["versionName"], &tenant["snapshotName"]),
        (&json!("V3.5"), &json!("v2-addition-woo-commerce"))
    );
    // Without an externalId or custom domain the base domain, labelled by the id, is main.
    let id_label = &tenant["id"].as_str().unwrap()[..8];
    assert_eq!(
        tenant["domainName"],
        format!("{id_label}.staging.my-site.com")
    );
    assert_eq!(tenant["redirectDomains"], json!([]));

    // The docs' curl spelling `?id=` removes a version without tenants.
    let body = version_body("V9", SNAPSHOT_WOO);
    let spare = api.expect("POST versions", Some(body), 200).await;
    let spare = spare["id"].as_str().unwrap();
    let got = api
        .expect(&format!("DELETE versions?id={spare}"), None, 200)
        .await;
    assert_eq!(got, json!({"versionId": spare}));
    assert_eq!(
        api.get(&format!("versions?versionId={spare}")).await,
        json!([])
    );
    assert_eq!(
        api.get(&format!("snapshots?versionId={spare}")).await,
        json!([])
    );
}

/// A subscription creates its product then version in turn; usage counts seeded hours.
#[tokio::test]
async fn product_subscription_create_and_usage() {
    let api = Api::boot(300).await;
    let body = json!({
        "name": "Johns-Sub",
        "product": {"name": "My Product", "version": {
            "snapshotId": BASE_SNAPSHOT, "snapshotIdsToCopy": [], "wordPressVersion": "5.8.2",
            "phpVersion": "7.4", "name": "V3.5"}},
        "user": {"name": "John", "lastName": "Doe", "emailAddress": "john@doe.io"}
    });
    let sub = api.expect("POST subscriptions", Some(body), 200).await;
    let sub_id = sub["id"].as_str().unwrap().to_string();
    let product_id = sub["product"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        (status(&sub), status(&sub["product"])),
        (pending(), pending())
    );
    assert_eq!(sub["product"]["name"], "My Product");
    assert_eq!(sub["product"]["version"]["wordPressVersion"], "5.8.2");
    assert_eq!(status(&sub["product"]["version"]), pending());
    let listed = api.one("subscriptions?name=Johns-Sub").await;
    assert_eq!(
        listed,
        pending_body(json!({"id": sub_id, "name": "Johns-Sub"}))
    );
    let product = api.one(&format!("products?subscriptionId={sub_id}")).await;
    let expected = json!({"id": product_id, "name": "My Product", "subscriptionId": sub_id,
                          "subscriptionName": "Johns-Sub"});
    assert_eq!(product, pending_body(expected));
    sleep_ms(400).await;
    assert_eq!(
        status(
            &api.one(&format!("subscriptions?subscriptionId={sub_id}"))
                .await
        ),
        done()
    );
    assert_eq!(
        status(&api.one(&format!("products?productId={product_id}")).await),
        in_progress()
    );
    sleep_ms(600).await;
    assert_eq!(
        status(&api.one("products?productName=My Product").await),
        done()
    );
    assert_eq!(api.sim.product_ids(), [PRODUCT_ID, product_id.as_str()]);

    let path = format!("POST products?subscriptionId={SUBSCRIPTION_ID}");
    let second = api
        .expect(&path, Some(json!({"name": "Second product"})), 200)
        .await;
    let expected = json!({"id": second["id"], "name": "Second product", "statusCode": 0,
                          "statusName": "Pending", "version": null});
    assert_eq!(second, expected);
    let seeded = json!({"productHours": 696, "versionHours": 1392, "tenantHours": 1392});
    let with = |key: &str, id: &str| {
        let mut body = json!({key: id});
        body.as_object_mut()
            .unwrap()
            .extend(seeded.as_object().unwrap().clone());
        body
    };
    let usage = api
        .get(&format!(
            "products/usage?productId={PRODUCT_ID}&{USAGE_WINDOW}"
        ))
        .await;
    assert_eq!(usage, with("productId", PRODUCT_ID));
    let path = format!("subscriptions/usage?subscriptionId={SUBSCRIPTION_ID}&{USAGE_WINDOW}");
    assert_eq!(
        api.get(&path).await,
        with("subscriptionId", SUBSCRIPTION_ID)
    );
    let window = "startDate=2022-03-01&endDate=2022-03-02T00:00:00Z";
    let day = api
        .get(&format!("products/usage?productId={PRODUCT_ID}&{window}"))
        .await;
    assert_eq!(
        (&day["productHours"], &day["tenantHours"]),
        (&json!(24), &json!(48))
    );
    let fresh = api
        .get(&format!(
            "subscriptions/usage?subscriptionId={sub_id}&{USAGE_WINDOW}"
        ))
        .await;
    assert_eq!(
        (&fresh["productHours"], &fresh["versionHours"]),
        (&json!(0), &json!(0))
    );

    let path = format!(
        "DELETE products?productId={}",
        second["id"].as_str().unwrap()
    );
    assert_eq!(
        api.expect(&path, None, 200).await["productId"],
        second["id"]
    );
    let path = format!("DELETE subscriptions?subscriptionId={sub_id}");
    assert_eq!(
        api.expect(&path, None, 200).await,
        json!({"subscriptionId": sub_id})
    );
    assert_eq!(
        api.get(&format!("products?subscriptionId={sub_id}")).await,
        json!([])
    );
    // Removed products still count towards their subscription's usage.
    let path = format!("DELETE products?productId={PRODUCT_ID}");
    api.expect(&path, None, 200).await;
    assert!(api.sim.tenant_ids().is_empty());
    let path = format!("subscriptions/usage?subscriptionId={SUBSCRIPTION_ID}&{USAGE_WINDOW}");
    assert_eq!(
        api.get(&path).await,
        with("subscriptionId", SUBSCRIPTION_ID)
    );
}

/// Custom uploads wait for their PUT; an archive runs to Done, anything else ends Failed.
#[tokio::test]
async fn custom_upload_waits_then_runs_or_fails() {
    let api = Api::boot(300).await;
    let body = Some(json!({"name": "Upload-Tenant", "uploadCustomSnapshot": true, "asZip": true}));
    let created = api.expect("POST tenants", body, 200).await;
    let url = created["uploadUrl"].as_str().unwrap().to_string();
    assert!(
        url.starts_with(&format!("{}/uploads/", api.server.base_url())),
        "{url}"
    );
    let one = format!("tenants?tenantId={}", created["id"].as_str().unwrap());
    sleep_ms(350).await;
    assert_eq!(status(&api.one(&one).await), pending());
    let put = api.client.put(&url).body(b"PK\x03\x04rest-of-zip".to_vec());
    assert_eq!(put.send().await.unwrap().status().as_u16(), 201);
    let reused = api.client.put(&url).body(b"PK\x03\x04".to_vec());
    assert_eq!(reused.send().await.unwrap().status().as_u16(), 404);
    sleep_ms(150).await;
    assert_eq!(status(&api.one(&one).await), in_progress());
    sleep_ms(250).await;
    let tenant = api.one(&one).await;
    assert_eq!(
        (status(&tenant), &tenant["basedOnSnapshotId"]),
        (done(), &Value::Null)
    );

    let body = json!({"name": "Custom-1", "wordPressVersion": "6.4.2", "phpVersion": "8.1",
                      "useCustomUpload": true});
    let version = api.expect("POST versions", Some(body), 200).await;
    let url = version["uploadUrl"].as_str().unwrap();
    let put = api.client.put(url).body("not a tarball");
    assert_eq!(put.send().await.unwrap().status().as_u16(), 201);
    let failed = (json!(3), json!("Failed"));
    assert_eq!(
        status(&api.one("versions?versionName=Custom-1").await),
        failed
    );
    let path = format!("snapshots?versionId={}", version["id"].as_str().unwrap());
    let snapshot = api.one(&path).await;
    assert_eq!(
        (status(&snapshot), &snapshot["isCustomSnapshot"]),
        (failed, &json!(true))
    );
}

/// Snapshots filter by group and name; a download is a valid `.tar.gz` describing the snapshot.
#[tokio::test]
async fn snapshots_and_download() {
    let api = Api::boot(300).await;
    let group = api
        .get("snapshots?groupName=language-school-template")
        .await;
    assert_eq!(group.as_array().unwrap().len(), 3);
    let woo = api
        .one("snapshots?snapshotName=v2-addition-woo-commerce")
        .await;
    let expected = json!({
        "id": SNAPSHOT_WOO, "versionId": VERSION_2,
        "dateCreated": "2021-11-18T15:47:40.17337+00:00", "name": "v2-addition-woo-commerce",
        "groupName": "language-school-template", "isCustomSnapshot": false,
        "isTenantSnapshot": false, "statusCode": 1, "statusName": "Done"
    });
    assert_eq!(woo, expected);

    let url = api.url(&format!("snapshots/download?snapshotId={SNAPSHOT_FRENCH}"));
    let resp = api
        .client
        .get(url)
        .header("Authorization", basic(KEY, SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "application/gzip");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"v2-added-french.tar.gz\""
    );
    let gz = resp.bytes().await.unwrap();
    assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
    // One final stored block: header byte, LEN, NLEN, then the tar itself.
    assert_eq!(gz[10], 1);
    let len = usize::from(u16::from_le_bytes([gz[11], gz[12]]));
    let tar = &gz[15..15 + len];
    let trailer = &gz[15 + len..];
    assert_eq!(trailer[..4], crc32(tar).to_le_bytes());
    assert_eq!(trailer[4..], (len as u32).to_le_bytes());
    assert_eq!(
        (&tar[..13], &tar[257..262]),
        (&b"snapshot.json"[..], &b"ustar"[..])
    );
    let size = usize::from_str_radix(std::str::from_utf8(&tar[124..135]).unwrap(), 8).unwrap();
    let manifest: Value = serde_json::from_slice(&tar[512..512 + size]).unwrap();
    assert_eq!(
        (&manifest["snapshotId"], &manifest["name"]),
        (&json!(SNAPSHOT_FRENCH), &json!("V2: Added french"))
    );
    let checksum: u32 = tar[..512]
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    let stored = u32::from_str_radix(std::str::from_utf8(&tar[148..154]).unwrap(), 8).unwrap();
    assert_eq!(checksum, stored);

    let body = version_body("V8", SNAPSHOT_WOO);
    let version = api.expect("POST versions", Some(body), 200).await;
    let copy = api
        .one(&format!(
            "snapshots?versionId={}",
            version["id"].as_str().unwrap()
        ))
        .await;
    let id = copy["id"].as_str().unwrap();
    let got = api
        .call(&format!("GET snapshots/download?snapshotId={id}"), None)
        .await;
    assert_eq!(
        got,
        invalid(&format!("Snapshot {id} is not ready to be downloaded"))
    );

    let body = json!({
        "name": "Tenant Starter", "comment": "Tenant template", "isTenantSnapshot": true,
        "groupName": "starters", "showInConsole": true
    });
    let created = api.expect("POST basesnapshots", Some(body), 200).await;
    let id = created["id"].as_str().unwrap();
    let expected = json!({
        "id": id, "name": "Tenant Starter", "comment": "Tenant template", "showInConsole": true
    });
    assert_eq!(created, expected);
    let own = api.one("basesnapshots?onlyPartnerSpecific=true").await;
    assert_eq!(
        (&own["groupName"], &own["isDefault"]),
        (&json!("starters"), &json!(false))
    );
    assert_eq!(api.get("basesnapshots").await.as_array().unwrap().len(), 2);
    assert_eq!(
        api.one(&format!("basesnapshots?baseSnapshotId={BASE_SNAPSHOT}"))
            .await["isDefault"],
        true
    );
    let got = api
        .expect(&format!("DELETE basesnapshots?id={id}"), None, 200)
        .await;
    assert_eq!(got, json!({"baseSnapshotId": id}));
    assert_eq!(api.get("basesnapshots?groupName=starters").await, json!([]));
}
