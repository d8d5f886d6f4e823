//! WP Orchestrix's logins, and the caller's own upstream credentials passed through on both surfaces.

use super::*;

const PASSWORD: &str = "correct horse";

/// A GraphQL call as an admin that acts upstream with the caller's own credential
/// (`X-Orchestrix-Authorization`).
async fn gql_passing(gw: &TestGateway, upstream: &str, query: &str, variables: Value) -> Value {
    let resp = gw
        .http
        .post(gw.url("/graphql"))
        .bearer_auth(admin())
        .header("X-Orchestrix-Authorization", upstream)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.expect("GraphQL answers JSON")
}

/// The simulated owner's login.
fn credentials() -> Value {
    json!({"email": LOGIN, "password": PASSWORD})
}

/// The caller's own upstream credentials pass through verbatim on both surfaces, the upstream's
/// logins work anonymously, and the stored token is never lent to anyone else.
#[tokio::test]
async fn pass_through_credentials() {
    let gw = spawn().await;
    // REST: an anonymous login gets the upstream's own token.
    let (status, login) = rest(&gw, None, "POST", "/api/v1/auth", Some(credentials())).await;
    assert_eq!(status, 201, "{login}");
    let keys: Vec<&String> = login.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["token"]);
    let user_token = format!("token {}", text(&login["token"]));
    assert_ne!(user_token, "token orch-token");
    let me = rest(&gw, Some(&user_token), "GET", "/api/v1/me", None).await;
    assert_eq!(me, direct(&gw, "GET", "/api/v1/me", None).await);
    assert_eq!(me.0, 200);
    let sites = rest(&gw, Some(&user_token), "GET", "/api/v1/sites", None).await;
    assert_eq!(sites.0, 200);
    assert_eq!(ids(&sites.1), gw.orchestrix.site_ids());

    let (status, content_type, bytes) = gw
        .orchestrix_rest(Some(&user_token), "DELETE", "/api/v1/auth", None)
        .await;
    assert_eq!((status, bytes.len()), (204, 0), "{content_type}");
    let got = rest(&gw, Some(&user_token), "GET", "/api/v1/me", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    // Revoking the caller's token left the gateway's own alone.
    assert_eq!(direct(&gw, "GET", "/api/v1/me", None).await.0, 200);

    let wrong = json!({"email": LOGIN, "password": "battery staple"});
    let got = rest(&gw, None, "POST", "/api/v1/auth", Some(wrong)).await;
    assert_eq!(got, (401, error("Invalid email or password")));
    let got = rest(&gw, None, "POST", "/api/v1/jwt", Some(credentials())).await;
    assert_eq!(got.0, 201, "{}", got.1);
    assert_eq!(got.1["token_type"], "Bearer");

    // Anonymous callers reach only the logins: the stored token is not theirs.
    let got = rest(&gw, None, "GET", "/api/v1/sites", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    let got = rest(&gw, None, "DELETE", "/api/v1/auth", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    let got = rest(
        &gw,
        Some("token not-a-real-token"),
        "GET",
        "/api/v1/sites",
        None,
    )
    .await;
    assert_eq!(got, (401, error("Unauthorized")));
    assert_eq!(direct(&gw, "GET", "/api/v1/me", None).await.0, 200);

    // GraphQL: a JWT pair, used with `X-Orchestrix-Authorization`.
    const JWT: &str = "mutation($email: String!, $password: String!) {
        orchestrixCreateJwt(input: {email: $email, password: $password}) {
            accessToken refreshToken tokenType expiresIn raw } }";
    let pair = gw.data(JWT, credentials()).await["orchestrixCreateJwt"].clone();
    assert_eq!(pair["tokenType"], "Bearer");
    assert_eq!(pair["expiresIn"], 900);
    assert_eq!(pair["accessToken"], pair["raw"]["access_token"]);
    let bearer = |pair: &Value| format!("Bearer {}", text(&pair["accessToken"]));
    const ME: &str = "{ orchestrixMe { id userId email name } }";
    let me = gql_passing(&gw, &bearer(&pair), ME, json!({})).await;
    assert!(me.get("errors").is_none(), "{me}");
    assert_eq!(me["data"]["orchestrixMe"]["userId"], "usr_1");
    assert_eq!(me["data"]["orchestrixMe"]["email"], LOGIN);
    // The header is really what the upstream sees: a bogus one is refused there.
    let bogus = gql_passing(&gw, "Bearer eyBogus", ME, json!({})).await;
    assert_eq!(ext(&bogus)["upstreamStatus"], 401, "{bogus}");
    assert_eq!(ext(&bogus)["upstreamError"], "Unauthorized");

    const REFRESH: &str = "mutation($token: String!) {
        orchestrixRefreshJwt(input: {refreshToken: $token}) { accessToken refreshToken } }";
    let vars = json!({"token": pair["refreshToken"]});
    let next = gw.data(REFRESH, vars.clone()).await["orchestrixRefreshJwt"].clone();
    assert_ne!(next["accessToken"], pair["accessToken"]);
    assert_ne!(next["refreshToken"], pair["refreshToken"]);
    let reused = gw.gql(REFRESH, vars).await;
    assert_eq!(ext(&reused)["upstreamStatus"], 401, "{reused}");
    assert_eq!(ext(&reused)["upstreamError"], "Invalid refresh token");
    let me = gql_passing(&gw, &bearer(&next), ME, json!({})).await;
    assert_eq!(me["data"]["orchestrixMe"]["userId"], "usr_1", "{me}");

    // Logout revokes the presented token, so without one of the caller's it is refused.
    const LOGOUT: &str = "mutation { orchestrixLogout { ok } }";
    let logouts = gw.orchestrix_upstream.log.count("DELETE", "/api/v1/auth");
    let body = gw.gql(LOGOUT, json!({})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(
        gw.orchestrix_upstream.log.count("DELETE", "/api/v1/auth"),
        logouts
    );
    let (status, _, bytes) = gw.orchestrix_direct("GET", "/api/v1/me", None).await;
    assert_eq!(status, 200, "the stored token survives");
    assert_eq!(parse(&bytes)["id"], "usr_1");
    let out = gql_passing(&gw, &bearer(&next), LOGOUT, json!({})).await;
    assert_eq!(out["data"]["orchestrixLogout"]["ok"], true, "{out}");
    let me = gql_passing(&gw, &bearer(&next), ME, json!({})).await;
    assert_eq!(ext(&me)["upstreamStatus"], 401, "{me}");
    assert_eq!(direct(&gw, "GET", "/api/v1/me", None).await.0, 200);
    // And plain GraphQL calls keep using the stored token.
    let me = gw.data(ME, json!({})).await;
    assert_eq!(me["orchestrixMe"]["userId"], "usr_1");
}
