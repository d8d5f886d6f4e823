//! Patchstack's sites: adding (strict or not), editing and deleting, and what the gateway learns.

use super::*;

const ADD_SITE: &str = "mutation($input: PatchstackAddSiteInput!) {
    patchstackAddSite(input: $input) { site { id siteId url domain } api { id secret } raw } }";

/// Sites are added (the secret to admins only), refused as strict duplicates on both surfaces,
/// allowed as non-strict ones, renamed, and deleted.
#[tokio::test]
async fn sites_add_edit_delete_and_strict() {
    let gw = spawn().await;
    let admin = admin();
    let data = gw
        .data(
            ADD_SITE,
            json!({"input": {"url": "https://www.New-Site.example.com/shop", "userid": 2}}),
        )
        .await;
    let added = &data["patchstackAddSite"];
    let site_id = added["site"]["siteId"].as_str().unwrap().to_string();
    let id: i64 = site_id.parse().unwrap();
    assert_eq!(id, 16107);
    assert_eq!(added["site"]["id"], site_gid(id));
    assert_eq!(
        added["site"]["url"],
        "https://www.New-Site.example.com/shop"
    );
    assert_eq!(added["site"]["domain"], "new-site.example.com");
    assert_eq!(added["api"]["id"], id);
    let secret = added["api"]["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 40);
    assert!(
        secret.chars().all(|c| c.is_ascii_alphanumeric()),
        "{secret}"
    );
    assert_eq!(
        added["raw"],
        json!({"success": "Site added.", "siteid": id, "api": {"id": id, "secret": secret}})
    );
    let (_, view) = direct(&gw, "GET", &format!("/hosting/site/{id}/view"), None).await;
    assert_eq!(
        view["api"]["secret"], secret,
        "the upstream holds this secret"
    );
    assert_eq!(view["user"]["id"], 2);

    // A write-scope caller adds a site but is refused the secret; the rest still arrives.
    let writer = token(&[Scope::Write]);
    let (status, body) = gw
        .gql_as(
            Some(&writer),
            ADD_SITE,
            json!({"input": {"url": "https://writer.example.com", "userid": 2}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN", "{body}");
    assert_eq!(
        errors[0]["path"],
        json!(["patchstackAddSite", "api", "secret"]),
        "{body}"
    );
    let added = &body["data"]["patchstackAddSite"];
    assert_eq!(added["site"]["siteId"], "16108", "{body}");
    assert_eq!(added["site"]["domain"], "writer.example.com", "{body}");
    // The secret is withheld: `api` is null or lacks it (async-graphql drops the errored non-null
    // field instead of nulling `api`).
    assert!(
        added["api"].is_null() || added["api"] == json!({"id": 16108}),
        "{body}"
    );
    assert_eq!(
        added["raw"],
        json!({"success": "Site added.", "siteid": 16108, "api": {"id": 16108, "secret": null}}),
        "{body}"
    );
    assert_eq!(
        gw.patchstack.site_ids(),
        vec![315, 400, 16106, 16107, 16108]
    );
    // Without asking for the secret, a writer's add has no error at all.
    let (_, body) = gw
        .gql_as(
            Some(&writer),
            "mutation { patchstackAddSite(input: {url: \"https://idless.example.com\", userid: 2}) {
                site { siteId } api { id } } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"]["patchstackAddSite"],
        json!({"site": {"siteId": "16109"}, "api": {"id": 16109}})
    );

    // A strict duplicate (of another user's site, in another spelling) is the upstream's 422.
    let strict = json!({"url": "https://MY-SITE.com/", "userid": 2, "strict": true});
    let body = gw.gql(ADD_SITE, json!({ "input": strict })).await;
    assert_eq!(body["data"], Value::Null, "{body}");
    let e = ext(&body);
    assert_eq!(e["code"], "VALIDATION", "{body}");
    assert_eq!(e["upstreamStatus"], 422, "{body}");
    assert_eq!(
        e["upstreamError"], "This site has already been added to Patchstack.",
        "{body}"
    );
    let through = rest(
        &gw,
        Some(&admin),
        "POST",
        "/hosting/site/add",
        Some(strict.clone()),
    )
    .await;
    assert_eq!(
        through,
        (
            422,
            error("This site has already been added to Patchstack.")
        )
    );
    assert_eq!(
        through,
        direct(&gw, "POST", "/hosting/site/add", Some(strict)).await
    );
    assert_eq!(
        gw.patchstack.site_ids(),
        vec![315, 400, 16106, 16107, 16108, 16109]
    );

    // Non-strict, the same URL is allowed.
    let (status, answer) = rest(
        &gw,
        Some(&admin),
        "POST",
        "/hosting/site/add",
        Some(json!({"url": "https://my-site.com", "userid": 2, "strict": false})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["success"], "Site added.");
    assert_eq!(answer["siteid"], 16110);
    assert_eq!(answer["api"]["id"], 16110);
    assert_eq!(answer["api"]["secret"].as_str().map(str::len), Some(40));
    let (status, answer) = rest(
        &gw,
        Some(&writer),
        "POST",
        "/hosting/site/add",
        Some(json!({"url": "https://my-site.com", "userid": 1})),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer,
        json!({"success": "Site added.", "siteid": 16111, "api": {"id": 16111, "secret": null}}),
        "a writer's REST answer withholds the secret too"
    );
    // An invalid URL never reaches the upstream.
    let adds = gw
        .patchstack_upstream
        .log
        .count("POST", "/hosting/site/add");
    let bad = json!({"url": "my-site.com", "userid": 2});
    assert_eq!(
        rest(&gw, Some(&admin), "POST", "/hosting/site/add", Some(bad)).await,
        (422, error("The url must be a valid URL."))
    );
    let body = gw
        .gql(
            ADD_SITE,
            json!({"input": {"url": "ftp://x.com", "userid": 2}}),
        )
        .await;
    assert_eq!(ext(&body)["code"], "VALIDATION", "{body}");
    assert_eq!(body["errors"][0]["message"], "The url must be a valid URL.");
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("POST", "/hosting/site/add"),
        adds
    );

    // Rename, then read it back on both surfaces.
    let data = gw
        .data(
            "mutation($id: Int!) { patchstackEditSite(siteid: $id, input: {url: \"https://renamed.example.org\"}) {
                ok message subjectId } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["patchstackEditSite"],
        json!({"ok": true, "message": "Site updated.", "subjectId": site_gid(id)})
    );
    let data = gw
        .data(
            "query($id: Int!) { patchstackSite(siteid: $id) { url domain owner { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["patchstackSite"],
        json!({"url": "https://renamed.example.org", "domain": "renamed.example.org",
            "owner": {"name": "Erin"}})
    );
    let (_, view) = rest(
        &gw,
        Some(&admin),
        "GET",
        &format!("/hosting/site/{id}/view"),
        None,
    )
    .await;
    assert_eq!(view["url"], "https://renamed.example.org");

    // Delete, then it is gone on both surfaces and from its user.
    let data = gw
        .data(
            "mutation($id: Int!) { patchstackDeleteSite(siteid: $id) { ok message subjectId raw } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        data["patchstackDeleteSite"],
        json!({"ok": true, "message": "Site deleted.", "subjectId": site_gid(id),
            "raw": {"success": "Site deleted."}})
    );
    assert_eq!(
        rest(
            &gw,
            Some(&admin),
            "GET",
            &format!("/hosting/site/{id}/view"),
            None
        )
        .await,
        (404, error("Site not found."))
    );
    let body = gw
        .gql(
            "query($id: Int!) { patchstackSite(siteid: $id) { url } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(ext(&body)["code"], "NOT_FOUND", "{body}");
    let data = gw
        .data(
            "{ patchstackUser(userid: 2) { sites { siteId } } }",
            json!({}),
        )
        .await;
    let ids: Vec<&str> = data["patchstackUser"]["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["siteId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["400", "16108", "16109", "16110"]);
    assert_eq!(
        rest(
            &gw,
            Some(&admin),
            "POST",
            &format!("/hosting/site/{id}/delete"),
            None
        )
        .await,
        (404, error("Site not found."))
    );
}
