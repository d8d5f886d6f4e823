//! Patchstack through the gateway: its 11 endpoints on GraphQL (typed users, sites and security
//! reports) and on the REST layer at their original paths with the `HostToken` header, checked against
//! the Patchstack simulator's own answers, its validation rules, and the signed plugin download URLs.

use crate::helpers::{PATCHSTACK, TestGateway, admin, spawn, token};
use hostplane_schema::{GlobalId, principal::Scope};
use serde_json::{Value, json};

/// The secret of seeded site 315 (the docs' site-view example).
const SITE_315_SECRET: &str = "D4ajwfPddOQ6VAhhPYCOR5sggkpe9byNsSCobxxP";

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

/// A Patchstack REST call through the gateway with `HostToken: <credential>`: status and JSON body.
async fn rest(
    gw: &TestGateway,
    credential: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, content_type, bytes) = gw.patchstack_rest(credential, method, path, body).await;
    assert_eq!(
        content_type, "application/json",
        "{method} {path} through the gateway"
    );
    (status, parse(&bytes))
}

/// The same call straight to the simulator: status and JSON body.
async fn direct(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, bytes) = gw.patchstack_direct(method, path, body).await;
    (status, parse(&bytes))
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

/// The extensions of a GraphQL response's first error.
fn ext(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]
}

fn user_gid(id: impl ToString) -> String {
    GlobalId::new("User", PATCHSTACK, id).encode()
}

fn site_gid(id: impl ToString) -> String {
    GlobalId::new("Site", PATCHSTACK, id).encode()
}

fn new_user(email: &str) -> Value {
    json!({
        "name": "Gina Bo", "email": email, "password": "secret1",
        "password_confirmation": "secret1", "newsletter": 1
    })
}

const ADD_USER: &str = "mutation($input: PatchstackAddUserInput!) {
    patchstackAddUser(input: $input) { user { id userId name email sites { siteId } } raw } }";

const ADD_SITE: &str = "mutation($input: PatchstackAddSiteInput!) {
    patchstackAddSite(input: $input) { site { id siteId url domain } api { id secret } raw } }";

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

/// Every add-user rule is checked by the gateway on both surfaces, in the upstream's words, before
/// any upstream call; valid adds work on both, and the upstream's duplicate-email refusal comes
/// through both.
#[tokio::test]
async fn add_user_validation_on_both_surfaces() {
    let gw = spawn().await;
    let admin = admin();
    let with = |key: &str, value: Value| {
        let mut body = new_user("gina@example.com");
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = new_user("gina@example.com");
        body.as_object_mut().unwrap().remove(key);
        body
    };
    // (what, REST body, message); GraphQL gets the same input in its own spelling.
    let cases = [
        (
            "blank name",
            with("name", json!("  ")),
            "The name field is required.",
        ),
        (
            "bad email",
            with("email", json!("gina at example.com")),
            "The email must be a valid email address.",
        ),
        (
            "email without a dotted domain",
            with("email", json!("gina@example")),
            "The email must be a valid email address.",
        ),
        (
            "short password",
            {
                let mut b = with("password", json!("abc"));
                b["password_confirmation"] = json!("abc");
                b
            },
            "The password must be at least 6 characters.",
        ),
        (
            "mismatched confirmation",
            with("password_confirmation", json!("secret2")),
            "The password confirmation does not match.",
        ),
        (
            "missing newsletter",
            without("newsletter"),
            "The newsletter field is required.",
        ),
    ];
    for (what, rest_body, message) in cases {
        let mut gql_input = graphql_add_user_input(rest_body.clone());
        // GraphQL's type system makes `name` required; the gateway's own rule refuses it blank.
        gql_input
            .as_object_mut()
            .unwrap()
            .entry("name")
            .or_insert(json!(""));
        let body = gw.gql(ADD_USER, json!({ "input": gql_input })).await;
        assert_eq!(body["data"], Value::Null, "{what}: {body}");
        assert_eq!(ext(&body)["code"], "VALIDATION", "{what}: {body}");
        assert_eq!(body["errors"][0]["message"], message, "{what}: {body}");

        let got = rest(
            &gw,
            Some(&admin),
            "POST",
            "/hosting/user/add",
            Some(rest_body.clone()),
        )
        .await;
        assert_eq!(got, (422, error(message)), "{what} on REST: {rest_body}");
    }
    // A newsletter flag other than 0/1: GraphQL's Boolean type refuses it, the REST layer too.
    let body = gw
        .gql(
            ADD_USER,
            json!({"input": graphql_add_user_input(with("newsletter", json!(2)))}),
        )
        .await;
    assert_eq!(ext(&body)["code"], "VALIDATION", "{body}");
    assert_eq!(body["data"], Value::Null, "{body}");
    for bad in [json!(2), json!("yes")] {
        let (status, answer) = rest(
            &gw,
            Some(&admin),
            "POST",
            "/hosting/user/add",
            Some(with("newsletter", bad.clone())),
        )
        .await;
        assert_eq!(status, 422, "newsletter {bad}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .is_some_and(|m| m.contains("newsletter")),
            "newsletter {bad}: {answer}"
        );
        assert_eq!(answer.as_object().unwrap().len(), 1, "{answer}");
    }
    // A body without `name` is refused too (its exact wording: `rest_input_errors_use_patchstack_wording`).
    let (status, answer) = rest(
        &gw,
        Some(&admin),
        "POST",
        "/hosting/user/add",
        Some(without("name")),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["error"].as_str().is_some_and(|m| m.contains("name")),
        "{answer}"
    );
    assert_eq!(answer.as_object().unwrap().len(), 1, "{answer}");
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("POST", "/hosting/user/add"),
        0,
        "no refused add reached the upstream: {:?}",
        gw.patchstack_upstream.log.all()
    );
    assert_eq!(gw.patchstack.user_ids(), vec![1, 2]);

    // A valid add on each surface.
    let data = gw
        .data(
            ADD_USER,
            json!({"input": graphql_add_user_input(new_user("gina@example.com"))}),
        )
        .await;
    let added = &data["patchstackAddUser"];
    assert_eq!(added["raw"], json!({"id": 3}));
    assert_eq!(
        added["user"],
        json!({"id": user_gid(3), "userId": "3", "name": "Gina Bo",
            "email": "gina@example.com", "sites": []})
    );
    let got = rest(
        &gw,
        Some(&admin),
        "POST",
        "/hosting/user/add",
        Some(new_user("hal@example.com")),
    )
    .await;
    assert_eq!(got, (200, json!({"id": 4})));
    assert_eq!(gw.patchstack.user_ids(), vec![1, 2, 3, 4]);
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("POST", "/hosting/user/add"),
        2
    );

    // Both are found by email, on both surfaces.
    let data = gw
        .data(
            "query($input: PatchstackSearchUserInput!) {
                patchstackUserByEmail(input: $input) { userId name email patchstack { class } } }",
            json!({"input": {"email": "HAL@example.com"}}),
        )
        .await;
    assert_eq!(
        data["patchstackUserByEmail"],
        json!({"userId": "4", "name": "Gina Bo", "email": "hal@example.com",
            "patchstack": {"class": "free"}})
    );
    let (status, found) = rest(
        &gw,
        Some(&admin),
        "POST",
        "/hosting/user/search",
        Some(json!({"email": "gina@example.com"})),
    )
    .await;
    assert_eq!(
        (status, &found["id"], &found["name"]),
        (200, &json!(3), &json!("Gina Bo"))
    );

    // A duplicate email: the upstream's own 422, through both surfaces.
    let body = gw
        .gql(
            ADD_USER,
            json!({"input": graphql_add_user_input(new_user("GINA@example.com"))}),
        )
        .await;
    let e = ext(&body);
    assert_eq!(e["code"], "VALIDATION", "{body}");
    assert_eq!(e["upstreamStatus"], 422, "{body}");
    assert_eq!(
        e["upstreamError"], "The email has already been taken.",
        "{body}"
    );
    assert_eq!(e["provider"], "patchstack", "{body}");
    assert_eq!(e["connection"], PATCHSTACK, "{body}");
    let through = rest(
        &gw,
        Some(&admin),
        "POST",
        "/hosting/user/add",
        Some(new_user("hal@example.com")),
    )
    .await;
    assert_eq!(through, (422, error("The email has already been taken.")));
    assert_eq!(
        through,
        direct(
            &gw,
            "POST",
            "/hosting/user/add",
            Some(new_user("hal@example.com"))
        )
        .await
    );
    assert_eq!(gw.patchstack.user_ids(), vec![1, 2, 3, 4]);
}

/// GraphQL's input spelling of an add-user body (camelCase keys, a Boolean newsletter).
fn graphql_add_user_input(body: Value) -> Value {
    let mut input = serde_json::Map::new();
    for (k, v) in body.as_object().unwrap() {
        let key = if k == "password_confirmation" {
            "passwordConfirmation".to_string()
        } else {
            k.clone()
        };
        let value = match (k.as_str(), v) {
            ("newsletter", Value::Number(n)) if n.as_u64() == Some(0) => json!(false),
            ("newsletter", Value::Number(n)) if n.as_u64() == Some(1) => json!(true),
            _ => v.clone(),
        };
        input.insert(key, value);
    }
    Value::Object(input)
}

/// Bodies the REST layer cannot read into an input (a missing field, a value of the wrong type) are
/// refused in Patchstack's own words, exactly as the upstream refuses them.
#[tokio::test]
async fn rest_input_errors_use_patchstack_wording() {
    let gw = spawn().await;
    let admin = admin();
    let without = |key: &str| {
        let mut body = new_user("gina@example.com");
        body.as_object_mut().unwrap().remove(key);
        body
    };
    let mut bad_newsletter = new_user("gina@example.com");
    bad_newsletter["newsletter"] = json!(2);
    let cases = [
        (
            "/hosting/user/add",
            without("name"),
            "The name field is required.",
        ),
        (
            "/hosting/user/add",
            without("email"),
            "The email field is required.",
        ),
        (
            "/hosting/user/add",
            without("password"),
            "The password field is required.",
        ),
        (
            "/hosting/user/add",
            without("password_confirmation"),
            "The password confirmation field is required.",
        ),
        (
            "/hosting/user/add",
            bad_newsletter,
            "The newsletter field must be true or false.",
        ),
        (
            "/hosting/user/search",
            json!({}),
            "The email field is required.",
        ),
        (
            "/hosting/site/add",
            json!({"userid": 1}),
            "The url field is required.",
        ),
        (
            "/hosting/site/add",
            json!({"url": "https://x.example.com"}),
            "The userid field is required.",
        ),
        (
            "/hosting/site/add",
            json!({"url": "https://x.example.com", "userid": "one"}),
            "The userid must be an integer.",
        ),
    ];
    let mut wrong = Vec::new();
    for (path, body, message) in cases {
        let upstream = direct(&gw, "POST", path, Some(body.clone())).await;
        assert_eq!(
            upstream,
            (422, error(message)),
            "the simulator: {path} {body}"
        );
        let through = rest(&gw, Some(&admin), "POST", path, Some(body.clone())).await;
        if through != upstream {
            wrong.push(format!("{path} {body}: {through:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(gw.patchstack.user_ids(), vec![1, 2]);
    assert_eq!(gw.patchstack.site_ids(), vec![315, 400, 16106]);
}

/// A user is edited on GraphQL and read back, gets the same SSO URL twice (24 h ahead), and takes
/// its sites with it when deleted over REST.
#[tokio::test]
async fn user_edit_sso_delete() {
    let gw = spawn().await;
    let admin = admin();
    let data = gw
        .data(
            "mutation { patchstackEditUser(userid: 2, input: {name: \"Erin Bo\"}) {
                ok message subjectId raw } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["patchstackEditUser"],
        json!({"ok": true, "message": "User updated.", "subjectId": user_gid(2),
            "raw": {"success": "User updated."}})
    );
    let data = gw
        .data("{ patchstackUser(userid: 2) { name email } }", json!({}))
        .await;
    assert_eq!(
        data["patchstackUser"],
        json!({"name": "Erin Bo", "email": "erin@example.com"})
    );
    let (_, view) = direct(&gw, "GET", "/hosting/user/2/view", None).await;
    assert_eq!(view["user"]["name"], "Erin Bo");
    // An edit refused by the upstream changes nothing.
    let body = gw
        .gql(
            "mutation { patchstackEditUser(userid: 99, input: {name: \"X\"}) { ok } }",
            json!({}),
        )
        .await;
    assert_eq!(ext(&body)["code"], "NOT_FOUND", "{body}");
    assert_eq!(ext(&body)["upstreamError"], "User not found.", "{body}");

    // SSO: the one unexpired token, answered again.
    let before = chrono::Utc::now();
    let (status, first) = rest(&gw, Some(&admin), "POST", "/hosting/user/2/sso", None).await;
    assert_eq!(status, 200, "{first}");
    let url = first["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("https://app.patchstack.com/sso/"), "{url}");
    let expires = chrono::NaiveDateTime::parse_from_str(
        first["expires_at"].as_str().unwrap(),
        "%Y-%m-%d %H:%M:%S",
    )
    .unwrap()
    .and_utc();
    let ahead = expires - before;
    assert!(
        (ahead - chrono::Duration::hours(24)).num_seconds().abs() <= 60,
        "{ahead}"
    );
    assert_eq!(first.as_object().unwrap().len(), 2, "{first}");
    let again = rest(&gw, Some(&admin), "POST", "/hosting/user/2/sso", None).await;
    assert_eq!(again, (200, first.clone()));
    let data = gw
        .data(
            "mutation { patchstackCreateUserSsoUrl(userid: 2) { url expiresAt raw } }",
            json!({}),
        )
        .await;
    let sso = &data["patchstackCreateUserSsoUrl"];
    assert_eq!(sso["url"], url.as_str());
    assert_eq!(sso["raw"], first);
    let expires_at = chrono::DateTime::parse_from_rfc3339(sso["expiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    assert_eq!(expires_at, expires);
    let ahead = expires_at - chrono::Utc::now();
    assert!(
        (ahead - chrono::Duration::hours(24)).num_seconds().abs() <= 60,
        "{ahead}"
    );
    assert_eq!(
        rest(&gw, Some(&admin), "POST", "/hosting/user/99/sso", None).await,
        (404, error("User not found."))
    );

    // Deleting user 1 over REST deletes sites 315 and 16106 with it.
    let got = rest(&gw, Some(&admin), "POST", "/hosting/user/1/delete", None).await;
    assert_eq!(got, (200, json!({"success": "User deleted."})));
    assert_eq!(gw.patchstack.user_ids(), vec![2]);
    assert_eq!(gw.patchstack.site_ids(), vec![400]);
    for site in [315, 16106] {
        let path = format!("/hosting/site/{site}/view");
        assert_eq!(
            rest(&gw, Some(&admin), "GET", &path, None).await,
            (404, error("Site not found.")),
            "{path}"
        );
        let body = gw
            .gql(
                "query($id: Int!) { patchstackSite(siteid: $id) { url } }",
                json!({ "id": site }),
            )
            .await;
        assert_eq!(body["data"], Value::Null, "{body}");
        let e = ext(&body);
        assert_eq!(e["code"], "NOT_FOUND", "{body}");
        assert_eq!(e["upstreamStatus"], 404, "{body}");
        assert_eq!(e["upstreamError"], "Site not found.", "{body}");
    }
    assert_eq!(
        rest(&gw, Some(&admin), "GET", "/hosting/user/1/view", None).await,
        (404, error("User not found."))
    );
    let data = gw
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": user_gid(1)}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
    assert_eq!(
        rest(&gw, Some(&admin), "POST", "/hosting/user/1/delete", None).await,
        (404, error("User not found."))
    );
}

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

/// The plugin zip streams through the REST path and through a signed, header-free, five-minute
/// URL; tampered tokens and unknown sites are refused.
#[tokio::test]
async fn plugin_download() {
    let gw = spawn().await;
    let admin = admin();
    let (status, content_type, zip) = gw
        .patchstack_rest(Some(&admin), "GET", "/hosting/site/315/download", None)
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&zip));
    assert_eq!(content_type, "application/zip");
    let (direct_status, direct_type, direct_zip) = gw
        .patchstack_direct("GET", "/hosting/site/315/download", None)
        .await;
    assert_eq!(
        (direct_status, direct_type.as_str()),
        (200, "application/zip")
    );
    assert_eq!(zip, direct_zip);
    assert!(zip.starts_with(b"PK\x03\x04"));
    assert!(
        zip.windows(SITE_315_SECRET.len())
            .any(|w| w == SITE_315_SECRET.as_bytes()),
        "the zip carries the site's secret"
    );

    let before = chrono::Utc::now();
    let data = gw
        .data(
            "{ patchstackSiteDownload(siteid: 315) { url expiresAt } }",
            json!({}),
        )
        .await;
    let download = &data["patchstackSiteDownload"];
    let url = download["url"].as_str().unwrap().to_string();
    let prefix = format!("http://127.0.0.1:{}/downloads/", gw.addr.port());
    assert!(url.starts_with(&prefix), "{url}");
    let token = &url[prefix.len()..];
    assert!(!token.is_empty() && !token.contains('/'), "{url}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(download["expiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let ttl = expires_at - before;
    assert!(
        (ttl - chrono::Duration::minutes(5)).num_seconds().abs() <= 5,
        "{ttl}"
    );
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/315/download"),
        2,
        "issuing the URL calls nothing upstream"
    );

    // Followed without any credential, the URL streams the same zip.
    let resp = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "application/zip");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"patchstack-315.zip\""
    );
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), zip);

    // One changed character in the signature: refused, as JSON.
    let (payload, sig) = token.split_once('.').expect("payload.signature");
    let first = sig.chars().next().unwrap();
    let swapped = if first == 'A' { 'B' } else { 'A' };
    let tampered = format!("{payload}.{swapped}{}", &sig[first.len_utf8()..]);
    let resp = reqwest::get(gw.url(&format!("/downloads/{tampered}")))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, error("download link invalid or expired"));
    // Nor is a token for another path made from a valid one's signature.
    let other = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let mut grant: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        grant["p"] = json!("/hosting/site/400/download");
        URL_SAFE_NO_PAD.encode(grant.to_string())
    };
    let resp = reqwest::get(gw.url(&format!("/downloads/{other}.{sig}")))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/315/download"),
        3,
        "refused tokens call nothing upstream"
    );
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/400/download"),
        0
    );

    // An unknown site: the upstream's own 404 body.
    let through = rest(&gw, Some(&admin), "GET", "/hosting/site/999/download", None).await;
    assert_eq!(through, (404, error("Site not found.")));
    assert_eq!(
        through,
        direct(&gw, "GET", "/hosting/site/999/download", None).await
    );
}

/// The REST layer takes gateway credentials in Patchstack's `HostToken` header only, with their
/// scopes: no header, a bad token or a bearer header is 401, a read key cannot write.
#[tokio::test]
async fn credentials_in_patchstack_header() {
    let gw = spawn().await;
    let unauthenticated = (401, error("Unauthenticated."));
    assert_eq!(
        rest(&gw, None, "GET", "/hosting/user/1/view", None).await,
        unauthenticated
    );
    assert_eq!(
        rest(&gw, Some(""), "GET", "/hosting/user/1/view", None).await,
        unauthenticated
    );
    for bad in ["not-a-token", "hp_not_a_real_key", "ps-token"] {
        assert_eq!(
            rest(&gw, Some(bad), "GET", "/hosting/user/1/view", None).await,
            unauthenticated,
            "{bad}"
        );
    }
    // A JWT signed with another key.
    let forged = {
        use hostplane::auth::TokenMinter;
        TokenMinter::new(
            "hostplane",
            "hostplane",
            &secrecy::SecretString::from("another-secret-0123456789abcdef0123"),
        )
        .mint(
            "x",
            &[Scope::Admin],
            None,
            std::time::Duration::from_secs(600),
        )
    };
    assert_eq!(
        rest(&gw, Some(&forged), "GET", "/hosting/user/1/view", None).await,
        unauthenticated
    );
    // Refused mutations reach nothing upstream.
    assert_eq!(
        rest(
            &gw,
            None,
            "POST",
            "/hosting/user/add",
            Some(new_user("x@example.com"))
        )
        .await,
        unauthenticated
    );
    assert!(
        gw.patchstack_upstream.log.is_empty(),
        "{:?}",
        gw.patchstack_upstream.log.all()
    );

    // An API key (read scope) works in HostToken for reads, and is refused writes.
    let created = gw
        .data(
            "mutation { createApiKey(input: {name: \"panel\", scopes: [\"read\"]}) { id key } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap().to_string();
    assert_eq!(
        rest(&gw, Some(&key), "GET", "/hosting/user/2/view", None).await,
        direct(&gw, "GET", "/hosting/user/2/view", None).await
    );
    let (status, found) = rest(
        &gw,
        Some(&key),
        "POST",
        "/hosting/user/search",
        Some(json!({"email": "erin@example.com"})),
    )
    .await;
    assert_eq!((status, &found["id"]), (200, &json!(2)));
    let (status, body) = rest(
        &gw,
        Some(&key),
        "POST",
        "/hosting/user/2/edit",
        Some(json!({"name": "Mallory"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"].is_string(), "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
    let (status, _) = rest(&gw, Some(&key), "POST", "/hosting/user/2/delete", None).await;
    assert_eq!(status, 403);
    assert_eq!(gw.patchstack.user_ids(), vec![1, 2]);
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("POST", "/hosting/user/2/edit"),
        0
    );

    // A read JWT: same rule.
    let reader = token(&[Scope::Read]);
    let (status, _) = rest(&gw, Some(&reader), "POST", "/hosting/site/315/delete", None).await;
    assert_eq!(status, 403);
    assert_eq!(gw.patchstack.site_ids(), vec![315, 400, 16106]);

    // `Authorization: Bearer` is HosterAPI's header, not Patchstack's.
    for credential in [admin(), key.clone()] {
        let resp = gw
            .http
            .get(gw.url(&format!("/rest/{PATCHSTACK}/hosting/user/1/view")))
            .bearer_auth(&credential)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body, error("Unauthenticated."));
    }
    let reads = gw
        .patchstack_upstream
        .log
        .count("GET", "/hosting/user/1/view");
    assert_eq!(reads, 0, "{:?}", gw.patchstack_upstream.log.all());
}

/// Each Patchstack row of the endpoint inventory has exactly one declared endpoint with its method
/// and path, and each declared Patchstack endpoint has its row.
#[test]
fn route_table_covers_patchstack_rows() {
    crate::helpers::assert_route_table(hostplane_adapters::Provider::Patchstack, 11);
    // The inventory corrects the source's `/user{userid}/delete` typo.
    let tsv = include_str!("../fixtures/endpoints.tsv");
    assert!(tsv.contains("patchstack\tPOST\t/hosting/user/{userid}/delete\t"));
}

/// The plugin zip embeds the site's API secret, so downloading it takes the admin scope, like the
/// secret itself, on both surfaces.
#[tokio::test]
async fn plugin_download_needs_admin() {
    let gw = spawn().await;
    let reader = crate::helpers::token(&[
        hostplane_schema::principal::Scope::Read,
        hostplane_schema::principal::Scope::Write,
    ]);
    let (_, body) = gw
        .gql_as(
            Some(&reader),
            "{ patchstackSiteDownload(siteid: 315) { url } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    let (status, _, bytes) = gw
        .patchstack_rest(Some(&reader), "GET", "/hosting/site/315/download", None)
        .await;
    assert_eq!(status, 403);
    assert!(!bytes.starts_with(b"PK"), "no zip for a non-admin");
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/315/download"),
        0
    );
}
