//! Gateway credentials at the HTTP edge: JWT checks, API keys in the upstream's own header, and
//! principals limited to some connections.

use crate::helpers::{SECRET, spawn, token_for};
use hostplane_schema::principal::Scope;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

fn jwt(claims: Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Expired, wrong-audience, wrong-issuer, unsigned (`alg: none`) and wrongly signed tokens are refused.
#[tokio::test]
async fn bad_tokens_are_refused() {
    let gw = spawn().await;
    let good = json!({"sub": "a", "iss": "hostplane", "aud": "hostplane", "exp": now() + 600, "scope": "read"});
    let (status, _) = gw
        .gql_as(
            Some(&jwt(good.clone())),
            "{ viewer { subject } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "the control token is accepted");

    let mut expired = good.clone();
    expired["exp"] = json!(now() - 3600);
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("evil");
    let mut no_exp = good.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let unsigned = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(good.to_string())
        )
    };
    let wrong_key = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &good,
        &EncodingKey::from_secret(b"other"),
    )
    .unwrap();
    for (name, t) in [
        ("expired", jwt(expired)),
        ("wrong audience", jwt(wrong_aud)),
        ("wrong issuer", jwt(wrong_iss)),
        ("no exp", jwt(no_exp)),
        ("alg none", unsigned),
        ("wrong key", wrong_key),
    ] {
        let (status, body) = gw
            .gql_as(Some(&t), "{ viewer { subject } }", json!({}))
            .await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{name}"
        );
        let (status, _) = gw
            .rest_as(Some(&t), "GET", "/api/v1/datacenter/templates", None)
            .await;
        assert_eq!(status, 401, "{name} on REST");
    }
}

/// An API key works in HosterAPI's own `Authorization: Bearer` header, with its scopes, until revoked.
#[tokio::test]
async fn api_keys_on_the_rest_layer() {
    let gw = spawn().await;
    let created = gw
        .data(
            "mutation { createApiKey(input: {name: \"integrator\", scopes: [\"read\"]}) { id key } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap().to_string();
    let id = created["createApiKey"]["id"].as_str().unwrap().to_string();
    let (status, body) = gw
        .rest_as(Some(&key), "GET", "/api/v1/datacenter/server", None)
        .await;
    assert_eq!((status, body), (200, json!({"result": [4001, 4002]})));
    let (status, _) = gw
        .rest_as(
            Some(&key),
            "PUT",
            "/api/v1/datacenter/server/4002/start",
            None,
        )
        .await;
    assert_eq!(status, 403, "a read key cannot start a server");

    let revoked = gw
        .data(
            "mutation($id: String!) { revokeApiKey(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(revoked["revokeApiKey"], true);
    let (status, body) = gw
        .rest_as(Some(&key), "GET", "/api/v1/datacenter/server", None)
        .await;
    assert_eq!(
        (status, body),
        (401, json!({"result": false, "error": "0x03: unauthorized"}))
    );
}

/// A principal limited to other connections sees none of this one, on either surface.
#[tokio::test]
async fn connection_limits() {
    let gw = spawn().await;
    let limited = token_for("l", &[Scope::Admin], Some(&["elsewhere".to_string()]));
    let (_, body) = gw
        .gql_as(
            Some(&limited),
            "{ connections { name } hosterapiTemplates }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["connections"], json!([]));
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let (status, _) = gw
        .rest_as(Some(&limited), "GET", "/api/v1/datacenter/templates", None)
        .await;
    assert_eq!(status, 404);

    let allowed = token_for(
        "l",
        &[Scope::Read],
        Some(&[crate::helpers::CONNECTION.to_string()]),
    );
    let (_, body) = gw
        .gql_as(
            Some(&allowed),
            "{ connections { name provider } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["connections"],
        json!([{"name": "hoster", "provider": "HOSTERAPI"}])
    );
}

/// On Orchestrix paths, where unknown credentials pass through as the caller's own upstream token, a
/// gateway credential that fails (an expired JWT, an unknown API key) is refused and never sent on.
#[tokio::test]
async fn failed_gateway_credentials_never_reach_an_upstream() {
    let gw = spawn().await;
    let expired = jwt(
        json!({"sub": "a", "iss": "hostplane", "aud": "hostplane", "exp": now() - 3600, "scope": "read"}),
    );
    for credential in [expired, "hp_not_a_real_key".to_string()] {
        let (status, _, body) = gw
            .orchestrix_rest(
                Some(&format!("token {credential}")),
                "GET",
                "/api/v1/sites",
                None,
            )
            .await;
        assert_eq!(status, 401, "{}", String::from_utf8_lossy(&body));
    }
    assert!(
        gw.orchestrix_upstream.log.is_empty(),
        "nothing reached the upstream"
    );
    // An upstream token is still passed through (and refused by the upstream itself).
    let (status, _, _) = gw
        .orchestrix_rest(
            Some("token not-a-gateway-credential"),
            "GET",
            "/api/v1/sites",
            None,
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(gw.orchestrix_upstream.log.count("GET", "/api/v1/sites"), 1);
}
