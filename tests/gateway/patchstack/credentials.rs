//! Patchstack's own `HostToken` header carrying gateway credentials.

use super::*;

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
