//! The acting user: user endpoints act as one PanelAlpha user. A principal bound to a user (a token
//! claim, or an API key created for the user) acts as that user only; asking for another is FORBIDDEN
//! with nothing sent upstream, on both surfaces.

use super::{rest, upstream_calls};
use crate::helpers::{PANELALPHA, SECRET, admin, spawn};
use hostplane::auth::TokenMinter;
use hostplane_schema::principal::{Binding, Scope};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::time::Duration;

const DEVICES: &str = "query($as: Int) { panelalphaMyDevices(asUser: $as) { id } }";

fn ids(data: &Value) -> Vec<String> {
    data["panelalphaMyDevices"]
        .as_array()
        .expect("devices")
        .iter()
        .map(|d| d["id"].as_str().expect("an id").to_string())
        .collect()
}

pub fn bound_token(user: &str) -> String {
    let customer = Binding {
        connection: PANELALPHA.into(),
        user: user.into(),
    };
    TokenMinter::new("hostplane", "hostplane", &SecretString::from(SECRET))
        .mint_bound(
            "ada",
            &[Scope::Read, Scope::Write],
            None,
            Some(&customer),
            Duration::from_secs(600),
        )
        .expect("a customer's token without admin")
}

/// A bound token acts as its user whether or not it names it; naming another is FORBIDDEN and
/// reaches nothing upstream. An unbound caller must name the user, and acts as whom it names.
#[tokio::test]
async fn graphql_acts_as_the_bound_user_only() {
    let gw = spawn().await;
    let ada = bound_token("1");
    for named in [Value::Null, json!(1)] {
        let (_, body) = gw.gql_as(Some(&ada), DEVICES, json!({"as": named})).await;
        assert_eq!(ids(&body["data"]), ["1", "2"], "{body}");
    }
    let before = upstream_calls(&gw);
    let (_, body) = gw.gql_as(Some(&ada), DEVICES, json!({"as": 2})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    let (_, body) = gw
        .gql_as(Some(&admin()), DEVICES, json!({"as": Value::Null}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "VALIDATION",
        "{body}"
    );
    assert_eq!(upstream_calls(&gw), before, "nothing reached the upstream");
    let data = gw.data(DEVICES, json!({"as": 2})).await;
    assert_eq!(ids(&data), ["3"], "an admin acts as whom it names");
}

/// On REST the caller's `X-PanelAlpha-User` passes through under the same rule: an API key created
/// for user 1 acts as user 1 with or without the header, and is refused (403, in PanelAlpha's shape)
/// naming user 2, with nothing sent upstream.
#[tokio::test]
async fn rest_passes_the_user_header_under_the_same_rule() {
    let gw = spawn().await;
    let created = gw
        .data(
            r#"mutation { createApiKey(input: {name: "ada-app", scopes: ["write"], panelalphaUser: {connection: "panel", user: 1}}) { key } }"#,
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"]
        .as_str()
        .expect("a key")
        .to_string();
    let devices = |header: &'static [(&'static str, &'static str)]| {
        rest(&gw, Some(&key), header, "GET", "/api/user/devices", None)
    };
    for header in [&[][..], &[("X-PanelAlpha-User", "1")][..]] {
        let (status, body) = devices(header).await;
        assert_eq!(status, 200, "{body}");
        let got: Vec<&Value> = body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["id"])
            .collect();
        assert_eq!(got, [&json!(1), &json!(2)], "{body}");
    }
    let before = upstream_calls(&gw);
    let (status, body) = devices(&[("X-PanelAlpha-User", "2")]).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("user 1")),
        "{body}"
    );
    assert_eq!(upstream_calls(&gw), before, "nothing reached the upstream");
    // An unbound admin's header passes through as it is.
    let (status, body) = rest(
        &gw,
        Some(&admin()),
        &[("X-PanelAlpha-User", "2")],
        "GET",
        "/api/user/devices",
        None,
    )
    .await;
    assert_eq!(
        (status, body["data"][0]["id"].clone()),
        (200, json!(3)),
        "{body}"
    );
}

/// Sign-in tokens and links are admin-scope only: a writer is FORBIDDEN on both surfaces with
/// nothing sent upstream; an admin's every request asks the upstream again (nothing is kept).
#[tokio::test]
async fn sign_in_secrets_are_for_admins_only() {
    let gw = spawn().await;
    let writer = crate::helpers::token(&[Scope::Read, Scope::Write]);
    let sso = "mutation { panelalphaCreateUserSsoToken(id: 1) { token url } }";
    let before = upstream_calls(&gw);
    let (_, refused) = gw.gql_as(Some(&writer), sso, json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert!(refused["data"].is_null(), "{refused}");
    let path = "/api/admin/users/1/login-as-user-sso-token";
    let (status, body) = rest(&gw, Some(&writer), &[], "POST", path, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].is_string(), "{body}");
    assert_eq!(upstream_calls(&gw), before, "nothing reached the upstream");

    let mut tokens = Vec::new();
    for _ in 0..2 {
        let (_, data) = gw.gql_as(Some(&admin()), sso, json!({})).await;
        let token = &data["data"]["panelalphaCreateUserSsoToken"]["token"];
        tokens.push(token.as_str().expect("a token").to_string());
    }
    assert_ne!(tokens[0], tokens[1], "each request gets its own token");
    let log = &gw.panelalpha_upstream.log;
    assert_eq!(log.count("POST", "/api/admin/users/1/sso-token"), 2);
}
