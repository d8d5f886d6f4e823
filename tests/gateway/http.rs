//! GraphQL over HTTP (content negotiation, GET, GraphiQL) and the operational endpoints.

use crate::helpers::{admin, spawn};
use serde_json::{Value, json};

/// The response type follows `Accept`; with graphql-response+json a request error is a 400.
#[tokio::test]
async fn content_negotiation() {
    let gw = spawn().await;
    let post = |accept: &'static str, query: &'static str| {
        gw.http
            .post(gw.url("/graphql"))
            .bearer_auth(admin())
            .header("accept", accept)
            .json(&json!({"query": query}))
            .send()
    };
    let r = post(
        "application/graphql-response+json",
        "{ viewer { subject } }",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/graphql-response+json"
    );
    let r = post("application/json", "{ viewer { subject } }")
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["data"]["viewer"]["subject"], "tester");

    let r = post("application/graphql-response+json", "{ viewer { ")
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        400,
        "a parse error with the new media type is a 400"
    );
    let r = post("application/json", "{ nosuchfield }").await.unwrap();
    assert_eq!(r.status(), 200, "legacy clients get 200 with errors");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nosuchfield")
    );

    let r = post("text/plain", "{ viewer { subject } }").await.unwrap();
    assert_eq!(r.status(), 406);
}

/// GET runs queries, refuses mutations with 405, and serves GraphiQL to browsers.
#[tokio::test]
async fn get_requests() {
    let gw = spawn().await;
    let r = gw
        .http
        .get(gw.url("/graphql"))
        .query(&[("query", "{ hosterapiTemplates }")])
        .bearer_auth(admin())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["data"]["hosterapiTemplates"],
        json!(["Debian10.0", "Ubuntu20.04"])
    );

    let r = gw
        .http
        .get(gw.url("/graphql"))
        .query(&[(
            "query",
            "mutation { hosterapiStartServer(sid: 4002) { ok } }",
        )])
        .bearer_auth(admin())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let state = gw
        .data("{ hosterapiServerStatus(sid: 4002) { state } }", json!({}))
        .await;
    assert_eq!(
        state["hosterapiServerStatus"]["state"], "stopped",
        "the GET mutation changed nothing"
    );
}

/// A browser at `/graphql` gets GraphiQL from the gateway alone: the page names only the gateway's
/// own paths, its policy allows only the gateway's origin, and every asset it names is served,
/// gzipped for clients that take it (and whole for those that do not), cacheable for good.
#[tokio::test]
async fn graphiql_is_self_contained() {
    let gw = spawn().await;
    let r = gw
        .http
        .get(gw.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let policy = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.starts_with("default-src 'none'; script-src 'self';"),
        "{policy}"
    );
    assert!(
        policy.contains(&format!("connect-src 'self' ws://{0} wss://{0};", gw.addr)),
        "{policy}"
    );
    let html = r.text().await.unwrap();
    assert!(!html.contains("http"), "nothing from elsewhere: {html}");
    let assets: Vec<&str> = html
        .split(['"'])
        .filter(|part| part.starts_with("/graphiql/"))
        .collect();
    assert_eq!(assets.len(), 6, "{html}");
    for path in assets {
        let r = gw
            .http
            .get(gw.url(path))
            .header("accept-encoding", "gzip, br")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let cache = r.headers()["cache-control"].to_str().unwrap();
        assert!(cache.contains("immutable"), "{path}: {cache}");
        let gzipped = r.headers().get("content-encoding").is_some();
        let zipped_len = r.bytes().await.unwrap().len();
        let r = gw.http.get(gw.url(path)).send().await.unwrap();
        assert!(r.headers().get("content-encoding").is_none(), "{path}");
        let plain = r.bytes().await.unwrap();
        assert!(std::str::from_utf8(&plain).is_ok(), "{path} is text");
        if gzipped {
            assert!(
                zipped_len < plain.len(),
                "{path}: {zipped_len} of {}",
                plain.len()
            );
        } else {
            assert!(path.ends_with("/init.js"), "{path} is compressed");
        }
    }
    let stale = gw
        .http
        .get(gw.url("/graphiql/0.0.0-1/graphiql.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
}

/// The console lives at `/console/` (`/console` redirects there): a page under a policy that allows
/// neither inline scripts nor inline styles nor any other origin, naming only its two assets, each
/// served with its type; nothing else is served under that path.
#[tokio::test]
async fn console_is_served_by_the_gateway_alone() {
    let gw = spawn().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirects.get(gw.url("/console")).send().await.unwrap();
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["location"], "/console/");

    let r = gw.http.get(gw.url("/console/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        policy.starts_with("default-src 'none'; script-src 'self'; style-src 'self';"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe"), "{policy}");
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("http:") && !html.contains("https:"),
        "{html}"
    );
    let named: Vec<&str> = html
        .split('"')
        .filter(|part| part.starts_with("./"))
        .collect();
    assert_eq!(named, ["./console.css", "./console.js"], "{html}");
    for (name, media) in [
        ("console.css", "text/css"),
        ("console.js", "text/javascript"),
    ] {
        let r = gw
            .http
            .get(gw.url(&format!("/console/{name}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(media),
            "{name}"
        );
        let body = r.text().await.unwrap();
        assert!(body.len() > 1000, "{name} is the real asset");
        assert!(!body.contains("https://"), "{name} names no other origin");
    }
    for missing in ["/console/index.html", "/console/app.js"] {
        let r = gw.http.get(gw.url(missing)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{missing}");
    }
}

/// Health, readiness and Prometheus metrics answer; every response carries a request id.
#[tokio::test]
async fn operational_endpoints() {
    let gw = spawn().await;
    let r = gw.http.get(gw.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
    let r = gw.http.get(gw.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // One upstream call so the upstream histogram has a sample.
    gw.data("{ hosterapiTemplates }", json!({})).await;
    let metrics = gw
        .http
        .get(gw.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("hostplane_http_requests_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hostplane_upstream_request_seconds"),
        "{metrics}"
    );
    let r = gw
        .http
        .get(gw.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["x-request-id"],
        "abc-123",
        "a caller's request id is kept"
    );
}
