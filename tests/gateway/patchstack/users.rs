//! Patchstack's users: adding with validation on both surfaces in the API's wording, editing, SSO
//! links and deletion.

use super::*;

const ADD_USER: &str = "mutation($input: PatchstackAddUserInput!) {
    patchstackAddUser(input: $input) { user { id userId name email sites { siteId } } raw } }";

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
    assert_eq!(e["provider"], "PATCHSTACK", "{body}");
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
