//! Patchstack's reads: REST answers against the simulator's own, the typed GraphQL reads, and the
//! route table.

use super::*;

/// The read endpoints answer through the gateway exactly as the upstream does, errors included;
/// only the plugin secret is withheld from callers without the admin scope.
#[tokio::test]
async fn rest_answers_match_the_upstream() {
    let gw = spawn().await;
    let admin = admin();
    let search = |email: &str| Some(json!({ "email": email }));
    let calls: [(&str, &str, Option<Value>); 7] = [
        ("GET", "/hosting/user/1/view", None),
        ("GET", "/hosting/user/2/view", None),
        ("GET", "/hosting/site/315/view", None),
        (
            "POST",
            "/hosting/user/search",
            search("support@patchstack.com"),
        ),
        ("POST", "/hosting/user/search", search("nobody@example.com")),
        ("GET", "/hosting/user/99/view", None),
        ("GET", "/hosting/site/999/view", None),
    ];
    for (method, path, body) in calls {
        let through = rest(&gw, Some(&admin), method, path, body.clone()).await;
        let upstream = direct(&gw, method, path, body.clone()).await;
        assert_eq!(through, upstream, "{method} {path} {body:?}");
    }

    // Spot checks, so an empty answer on both sides cannot pass.
    let (status, view) = rest(&gw, Some(&admin), "GET", "/hosting/site/315/view", None).await;
    assert_eq!(status, 200);
    assert_eq!(view["api"], json!({"id": 315, "secret": SITE_315_SECRET}));
    assert_eq!(view["url"], "https://my-site.com");
    let (_, user) = rest(&gw, Some(&admin), "GET", "/hosting/user/1/view", None).await;
    assert_eq!(
        user["sites"],
        json!([{"id": 315, "url": "https://my-site.com"}, {"id": 16106, "url": "http://test1.com"}])
    );
    assert_eq!(
        rest(&gw, Some(&admin), "GET", "/hosting/user/99/view", None).await,
        (404, error("User not found."))
    );
    assert_eq!(
        rest(&gw, Some(&admin), "GET", "/hosting/site/999/view", None).await,
        (404, error("Site not found."))
    );
    assert_eq!(
        rest(
            &gw,
            Some(&admin),
            "POST",
            "/hosting/user/search",
            search("nobody@example.com")
        )
        .await,
        (404, error("User not found."))
    );

    // A read-only caller gets the same view with the secret nulled, and nothing else changed.
    let reader = token(&[Scope::Read]);
    let (status, redacted) = rest(&gw, Some(&reader), "GET", "/hosting/site/315/view", None).await;
    assert_eq!(status, 200);
    assert_eq!(redacted["api"], json!({"id": 315, "secret": null}));
    let (_, mut upstream) = direct(&gw, "GET", "/hosting/site/315/view", None).await;
    upstream["api"]["secret"] = Value::Null;
    assert_eq!(redacted, upstream);
    assert!(
        !redacted.to_string().contains(SITE_315_SECRET),
        "the secret appears nowhere in a reader's answer"
    );
    // A user view carries no secret, so a reader sees it unchanged.
    assert_eq!(
        rest(&gw, Some(&reader), "GET", "/hosting/user/1/view", None).await,
        direct(&gw, "GET", "/hosting/user/1/view", None).await
    );
}

/// Users and sites come back typed: plan details, sites with their domains, a security report
/// whose counts agree with its software list, the owner, and `node(id:)` round trips.
#[tokio::test]
async fn graphql_reads_are_typed() {
    let gw = spawn().await;
    let data = gw
        .data(
            "{ patchstackUser(userid: 1) {
                id provider connection userId name email
                patchstack { class renewFreq blockedAttacks expiresAt }
                sites { id siteId url domain security { attacks { count } } }
            } }",
            json!({}),
        )
        .await;
    let user = &data["patchstackUser"];
    assert_eq!(user["id"], user_gid(1));
    assert_eq!(user["provider"], "PATCHSTACK");
    assert_eq!(user["connection"], PATCHSTACK);
    assert_eq!(user["userId"], "1");
    assert_eq!(user["name"], "Dave");
    assert_eq!(user["email"], "support@patchstack.com");
    assert_eq!(user["patchstack"]["class"], "premium");
    assert_eq!(user["patchstack"]["renewFreq"], "monthly");
    assert_eq!(user["patchstack"]["expiresAt"], "2025-01-01 11:11:11");
    let sites = user["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2, "{sites:?}");
    let summary: Vec<(&str, &str, &str)> = sites
        .iter()
        .map(|s| {
            (
                s["siteId"].as_str().unwrap(),
                s["url"].as_str().unwrap(),
                s["domain"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("315", "https://my-site.com", "my-site.com"),
            ("16106", "http://test1.com", "test1.com")
        ]
    );
    assert_eq!(sites[0]["id"], site_gid(315));
    // The user's blocked attacks are the sum over its sites' attack windows.
    let attacks: i64 = sites
        .iter()
        .flat_map(|s| s["security"]["attacks"].as_array().unwrap())
        .map(|a| a["count"].as_i64().unwrap())
        .sum();
    assert_eq!(user["patchstack"]["blockedAttacks"], attacks);

    let data = gw
        .data(
            "{ patchstackSite(siteid: 315) {
                id siteId url domain
                security {
                    attacks { day count }
                    software { name type version versionNew slug isActive isOutdated isVulnerable }
                    hasVulnerablePlugin softwareOutdated softwareVulnerable
                    api { id secret }
                }
                owner { id userId name email patchstack { siteCount } }
            } }",
            json!({}),
        )
        .await;
    let site = &data["patchstackSite"];
    assert_eq!(site["id"], site_gid(315));
    assert_eq!(site["siteId"], "315");
    assert_eq!(site["domain"], "my-site.com");
    let security = &site["security"];
    let software = security["software"].as_array().unwrap();
    assert_eq!(software.len(), 8);
    let count = |flag: &str| software.iter().filter(|s| s[flag] == true).count() as i64;
    assert_eq!(security["softwareOutdated"], count("isOutdated"));
    assert_eq!(security["softwareVulnerable"], count("isVulnerable"));
    assert_eq!((count("isOutdated"), count("isVulnerable")), (2, 1));
    assert_eq!(security["hasVulnerablePlugin"], true);
    let wordpress = software.iter().find(|s| s["type"] == "wordpress").unwrap();
    assert_eq!(
        (
            &wordpress["version"],
            &wordpress["versionNew"],
            &wordpress["isVulnerable"]
        ),
        (&json!("6.0.2"), &json!("6.0.3"), &json!(true))
    );
    let akismet = software.iter().find(|s| s["slug"] == "akismet").unwrap();
    assert_eq!(akismet["isActive"], false);
    let days = security["attacks"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    let day_names: Vec<&str> = days.iter().map(|d| d["day"].as_str().unwrap()).collect();
    let mut sorted = day_names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(day_names, sorted, "30 distinct days, oldest first");
    assert_eq!(
        security["api"],
        json!({"id": 315, "secret": SITE_315_SECRET})
    );
    let owner = &site["owner"];
    assert_eq!(owner["id"], user_gid(1));
    assert_eq!(owner["name"], "Dave");
    assert_eq!(owner["email"], "support@patchstack.com");
    assert_eq!(owner["patchstack"]["siteCount"], 2);

    let data = gw
        .data(
            "query($input: PatchstackSearchUserInput!) {
                patchstackUserByEmail(input: $input) { id userId name patchstack { class renewFreq } }
            }",
            json!({"input": {"email": "erin@example.com"}}),
        )
        .await;
    assert_eq!(
        data["patchstackUserByEmail"],
        json!({"id": user_gid(2), "userId": "2", "name": "Erin",
            "patchstack": {"class": "free", "renewFreq": "annually"}})
    );

    let node = "query($id: ID!) { node(id: $id) {
        id
        ... on Site { siteId url domain owner { name } }
        ... on User { userId name email sites { siteId } }
    } }";
    let data = gw.data(node, json!({"id": site_gid(315)})).await;
    assert_eq!(
        data["node"],
        json!({"id": site_gid(315), "siteId": "315", "url": "https://my-site.com",
            "domain": "my-site.com", "owner": {"name": "Dave"}})
    );
    let data = gw.data(node, json!({"id": user_gid(2)})).await;
    assert_eq!(
        data["node"],
        json!({"id": user_gid(2), "userId": "2", "name": "Erin", "email": "erin@example.com",
            "sites": [{"siteId": "400"}]})
    );
    for missing in [site_gid(999), user_gid(99)] {
        let data = gw.data(node, json!({ "id": missing })).await;
        assert_eq!(data["node"], Value::Null, "{missing}");
    }
}

/// Each Patchstack row of the endpoint inventory has exactly one declared endpoint with its method
/// and path, and each declared Patchstack endpoint has its row.
#[test]
fn route_table_covers_patchstack_rows() {
    crate::helpers::assert_route_table(hostplane_adapters::Provider::Patchstack);
    // The inventory corrects the source's `/user{userid}/delete` typo.
    let tsv = include_str!("../../fixtures/endpoints.tsv");
    assert!(tsv.contains("patchstack\tPOST\t/hosting/user/{userid}/delete\t"));
}
