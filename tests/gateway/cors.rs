//! Browser apps on other origins: CORS on GraphQL, the REST layer and `/openapi.json` for the
//! configured origins only, closed by default, and the same list on WebSocket upgrades.

use crate::helpers::{Options, TestGateway, admin, spawn, spawn_with};
use hostplane::config::Config;
use reqwest::{Method, Response};
use serde_json::json;
use tokio_tungstenite::{connect_async, tungstenite::client::IntoClientRequest};

const APP: &str = "http://app.example";

fn open(c: &mut Config) {
    c.cors.allowed_origins = vec![APP.into(), "http://localhost:*".into()];
    c.cors.max_age_s = 120;
}

async fn preflight(gw: &TestGateway, path: &str, origin: &str) -> Response {
    gw.http
        .request(Method::OPTIONS, gw.url(path))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, x-panelalpha-user",
        )
        .send()
        .await
        .expect("the gateway answers")
}

fn allowed_origin(resp: &Response) -> Option<&str> {
    let value = resp.headers().get("access-control-allow-origin")?;
    value.to_str().ok()
}

/// A preflight from an allowed origin is answered for every surface, with the headers a frontend
/// sends (the bearer token, PanelAlpha's acting user) and the configured max-age; the real call
/// then carries the origin back, and its data. Another origin gets no CORS header at all, so the
/// browser refuses its call.
#[tokio::test]
async fn configured_origins_only() {
    let gw = spawn_with(Options {
        configure: open,
        ..Options::default()
    })
    .await;
    for path in [
        "/graphql",
        "/rest/hoster/api/v1/datacenter/server",
        "/openapi.json",
    ] {
        let resp = preflight(&gw, path, APP).await;
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        assert_eq!(allowed_origin(&resp), Some(APP), "{path}");
        let headers = resp.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_string();
        for needed in ["authorization", "content-type", "x-panelalpha-user"] {
            assert!(headers.contains(needed), "{path}: {headers}");
        }
        assert_eq!(resp.headers()["access-control-max-age"], "120");

        let refused = preflight(&gw, path, "http://evil.example").await;
        assert_eq!(allowed_origin(&refused), None, "{path}");
    }
    let resp = preflight(&gw, "/graphql", "http://localhost:5173").await;
    assert_eq!(allowed_origin(&resp), Some("http://localhost:5173"));

    let resp = gw
        .http
        .post(gw.url("/graphql"))
        .header("origin", APP)
        .bearer_auth(admin())
        .json(&json!({"query": "{ viewer { subject } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed_origin(&resp), Some(APP));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["data"]["viewer"]["subject"].is_string(), "{body}");
}

/// Without configuration no origin is allowed: no preflight succeeds with CORS headers.
#[tokio::test]
async fn closed_by_default() {
    let gw = spawn().await;
    let resp = preflight(&gw, "/graphql", APP).await;
    assert_eq!(allowed_origin(&resp), None);
}

/// A WebSocket from a browser on another origin opens only if that origin is allowed; a client
/// without `Origin` and the gateway's own pages always may.
#[tokio::test]
async fn websocket_origins() {
    let gw = spawn_with(Options {
        configure: open,
        ..Options::default()
    })
    .await;
    let upgrade = |origin: Option<String>| {
        let mut request = format!("ws://{}/graphql/ws", gw.addr)
            .into_client_request()
            .expect("a WebSocket URL");
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        if let Some(origin) = origin {
            headers.insert("origin", origin.parse().unwrap());
        }
        connect_async(request)
    };
    assert!(upgrade(None).await.is_ok());
    assert!(upgrade(Some(APP.into())).await.is_ok());
    assert!(upgrade(Some(format!("http://{}", gw.addr))).await.is_ok());
    match upgrade(Some("http://evil.example".into())).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status(), 403)
        }
        other => panic!("expected a 403, got {:?}", other.map(|(_, r)| r.status())),
    }
}
