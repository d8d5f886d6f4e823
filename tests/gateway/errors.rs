//! Bad input, refused credentials and failing upstreams: each gets a clear, typed error on both
//! surfaces, changes nothing, and never sinks the rest of a query.

use crate::helpers::{CONNECTION, Options, admin, spawn, spawn_gateway, token};
use hostplane_resolvers::store::entities::audit;
use hostplane_schema::principal::Scope;
use hostplane_simulators::hosterapi::{SimConfig, Simulator};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// An unknown server is NOT_FOUND in GraphQL, with the upstream's status and text, and the REST
/// layer repeats the upstream's own 404 body.
#[tokio::test]
async fn unknown_server() {
    let gw = spawn().await;
    let body = gw
        .gql("{ hosterapiServerStatus(sid: 4010) { state } }", json!({}))
        .await;
    let ext = &body["errors"][0]["extensions"];
    assert_eq!(ext["code"], "NOT_FOUND");
    assert_eq!(ext["provider"], "HOSTERAPI");
    assert_eq!(ext["connection"], CONNECTION);
    assert_eq!(ext["upstreamStatus"], 404);
    assert_eq!(ext["upstreamError"], "0x01: no vm with id 4010 found");
    assert_eq!(body["errors"][0]["path"], json!(["hosterapiServerStatus"]));

    let rest = gw
        .rest("GET", "/api/v1/datacenter/server/4010/status", None)
        .await;
    let direct = gw
        .direct("GET", "/api/v1/datacenter/server/4010/status", None)
        .await;
    assert_eq!(rest, direct);
    assert_eq!(
        rest,
        (
            404,
            json!({"result": false, "error": "0x01: no vm with id 4010 found"})
        )
    );
}

/// A missing parameter is refused before any upstream call, in each surface's own words.
#[tokio::test]
async fn missing_parameter_is_refused_before_the_upstream() {
    let gw = spawn().await;
    let before = gw.upstream.log.len();
    let (status, body) = gw
        .rest(
            "POST",
            "/api/v1/datacenter/server",
            Some(json!({"cpuCores": 2, "mem": 1024, "disk": "10G", "ipCount": 1})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"result": false, "error": "0xb1: Missing required parameter template"})
    );

    let body = gw
        .gql(
            "mutation { hosterapiCreateServer(input: {cpuCores: 2, mem: 1024, disk: \"10G\", ipCount: 1}) { task { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("template")
    );

    let body = gw
        .gql(
            "mutation { hosterapiCreateServer(input: {template: \"Debian10.0\", cpuCores: 0, mem: 1024, disk: \"10G\", ipCount: 1}) { task { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "VALIDATION", "{body}");

    let (status, body) = gw
        .rest(
            "POST",
            "/api/v1/datacenter/server",
            Some(json!("not an object")),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = gw
        .rest("GET", "/api/v1/datacenter/server/abc/status", None)
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        gw.upstream.log.len(),
        before,
        "the simulator saw no request"
    );
    let tasks = gw.data("{ tasks { nodes { taskId } } }", json!({})).await;
    assert_eq!(tasks["tasks"]["nodes"], json!([]), "no task was created");
}

/// Missing or bad credentials: 401 on both surfaces in their own shapes; no token at all leaves
/// GraphQL fields UNAUTHENTICATED.
#[tokio::test]
async fn bad_credentials() {
    let gw = spawn().await;
    let (status, body) = gw
        .rest_as(
            Some("not-a-token"),
            "GET",
            "/api/v1/datacenter/server",
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (401, json!({"result": false, "error": "0x03: unauthorized"}))
    );
    let (status, body) = gw
        .rest_as(None, "GET", "/api/v1/datacenter/server", None)
        .await;
    assert_eq!(
        (status, body),
        (401, json!({"result": false, "error": "0x03: unauthorized"}))
    );

    let (status, body) = gw
        .gql_as(Some("not-a-token"), "{ hosterapiTemplates }", json!({}))
        .await;
    assert_eq!(status, 401);
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let (status, body) = gw.gql_as(None, "{ hosterapiTemplates }", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(code(&body), "UNAUTHENTICATED");
    assert!(gw.upstream.log.is_empty(), "nothing reached the upstream");
}

/// A read-only token cannot mutate: FORBIDDEN, nothing changes, and the refusal is audited.
#[tokio::test]
async fn read_scope_cannot_mutate_and_is_audited() {
    let gw = spawn().await;
    let reader = token(&[Scope::Read]);
    let (_, body) = gw
        .gql_as(
            Some(&reader),
            "mutation { hosterapiStopServer(sid: 4001) { ok } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let (status, _) = gw
        .rest_as(
            Some(&reader),
            "PUT",
            "/api/v1/datacenter/server/4001/stop",
            None,
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        gw.upstream
            .log
            .count("PUT", "/api/v1/datacenter/server/4001/stop"),
        0
    );

    let data = gw
        .data(
            "mutation { hosterapiStopServer(sid: 4001) { ok } }",
            json!({}),
        )
        .await;
    assert_eq!(data["hosterapiStopServer"]["ok"], true);

    let rows = audit::Entity::find()
        .order_by_asc(audit::Column::Id)
        .all(&gw.services.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0].outcome, "error");
    assert_eq!(rows[0].error_code.as_deref(), Some("FORBIDDEN"));
    assert_eq!(rows[0].principal, "tester");
    assert_eq!(rows[2].outcome, "ok");
    assert_eq!(rows[2].operation, "hosterapiStopServer");
    assert_eq!(
        rows[2].target.as_deref(),
        Some("PUT /api/v1/datacenter/server/4001/stop")
    );
    assert_eq!(rows[2].connection.as_deref(), Some(CONNECTION));
}

/// An upstream that refuses connections gives UPSTREAM_UNAVAILABLE for its fields while the rest
/// of the query still answers; REST answers 502 in HosterAPI's shape.
#[tokio::test]
async fn upstream_down_gives_partial_data() {
    let (sim, server) = Simulator::start(SimConfig::default()).await.unwrap();
    // A port that was just free: nothing listens there.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let gw = spawn_gateway(Options::default(), sim, server, &format!("http://{closed}")).await;
    let body = gw
        .gql("{ viewer { subject } hosterapiTemplates }", json!({}))
        .await;
    assert_eq!(body["data"]["viewer"]["subject"], "tester");
    assert_eq!(body["data"]["hosterapiTemplates"], Value::Null);
    assert_eq!(code(&body), "UPSTREAM_UNAVAILABLE");
    assert_eq!(body["errors"][0]["path"], json!(["hosterapiTemplates"]));
    let (status, body) = gw.rest("GET", "/api/v1/datacenter/templates", None).await;
    assert_eq!(status, 502);
    assert_eq!(body["result"], false);
    assert!(body["error"].as_str().unwrap().starts_with("0x"), "{body}");
}

/// An upstream that accepts but never answers is cut off at the connection's deadline.
#[tokio::test]
async fn hanging_upstream_times_out() {
    let (sim, server) = Simulator::start(SimConfig::default()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang = listener.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let opts = Options {
        upstream_timeout: Duration::from_millis(300),
        ..Options::default()
    };
    let gw = spawn_gateway(opts, sim, server, &format!("http://{hang}")).await;
    let started = Instant::now();
    let body = gw.gql("{ hosterapiTemplates }", json!({})).await;
    assert_eq!(code(&body), "UPSTREAM_TIMEOUT");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the deadline held"
    );
    let (status, _) = gw.rest("GET", "/api/v1/datacenter/templates", None).await;
    assert_eq!(status, 504);
    holder.abort();
}

/// An upstream answering HTML instead of its envelope is UPSTREAM_MALFORMED, not a crash.
#[tokio::test]
async fn malformed_upstream() {
    let (sim, server) = Simulator::start(SimConfig::default()).await.unwrap();
    let html = hostplane_simulators::SimServer::start(
        axum::Router::new()
            .fallback(|| async { (axum::http::StatusCode::OK, "<html>maintenance</html>") }),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let gw = spawn_gateway(Options::default(), sim, server, &html.base_url()).await;
    let body = gw.gql("{ hosterapiServers { id } }", json!({})).await;
    assert_eq!(code(&body), "UPSTREAM_MALFORMED");
    drop(html);
}

/// Admin-only operations refuse a write token.
#[tokio::test]
async fn admin_operations_need_admin() {
    let gw = spawn().await;
    let (_, body) = gw
        .gql_as(
            Some(&token(&[Scope::Write])),
            "mutation { createApiKey(input: {name: \"x\", scopes: [\"read\"]}) { key } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = gw
        .gql_as(
            Some(&admin()),
            "mutation { createApiKey(input: {name: \"x\", scopes: [\"read\"]}) { key } }",
            json!({}),
        )
        .await
        .1;
    assert!(
        body["data"]["createApiKey"]["key"]
            .as_str()
            .unwrap()
            .starts_with("hp_")
    );
}

/// A REST path served for other methods answers 405 with `Allow` naming them, whatever the method
/// (HTTP's own OPTIONS and HEAD included); an unknown path is 404; the upstream sees neither.
#[tokio::test]
async fn wrong_methods_name_the_right_ones() {
    let gw = spawn().await;
    let before = gw.upstream.log.len();
    let url = gw.url(&format!("/rest/{CONNECTION}/api/v1/datacenter/server"));
    for method in ["DELETE", "OPTIONS", "PATCH"] {
        let resp = gw
            .http
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                &url,
            )
            .bearer_auth(admin())
            .send()
            .await
            .expect("gateway answers");
        assert_eq!(resp.status(), 405, "{method}");
        let allow = resp.headers()["allow"].to_str().unwrap().to_string();
        let mut allowed: Vec<&str> = allow.split(", ").collect();
        allowed.sort();
        assert_eq!(allowed, ["GET", "POST"], "{method}");
    }
    let (status, _) = gw.rest("GET", "/api/v1/datacenter/nowhere", None).await;
    assert_eq!(status, 404);
    assert_eq!(gw.upstream.log.len(), before);
}

/// `Int` arguments are 32-bit, as GraphQL's spec says: a larger ID is a validation error with nothing
/// sent upstream, and a 64-bit quantity (a backup's Unix time) is an `Int64` that takes one.
#[tokio::test]
async fn int_arguments_are_32_bit() {
    let gw = spawn().await;
    let before = gw.upstream.log.len();
    for query in [
        "{ hosterapiServerStatus(sid: 2147483648) { state } }",
        "{ hosterapiJob(jobId: -2147483649) { status } }",
        r#"{ patchstackSite(connection: "patch", siteid: 9007199254740993) { id } }"#,
    ] {
        let body = gw.gql(query, json!({})).await;
        assert!(body["data"].is_null(), "{query}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("Int"), "{query}: {body}");
    }
    assert_eq!(
        gw.upstream.log.len(),
        before,
        "nothing reached the upstream"
    );
    // The REST layer reads the same path segment as the upstream would an unknown ID.
    let (status, body) = gw
        .rest("GET", "/api/v1/datacenter/server/2147483648/status", None)
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(
        gw.upstream.log.len(),
        before,
        "nothing reached the upstream"
    );
    // A Unix time past 2038 travels as an Int64, and reaches the upstream as the number it is.
    let body = gw
        .gql(
            "mutation { hosterapiRestoreServerBackup(sid: 4001, input: {backup: 4102444800}) { raw } }",
            json!({}),
        )
        .await;
    assert_ne!(code(&body), "VALIDATION", "{body}");
    assert!(
        gw.upstream
            .log
            .all()
            .iter()
            .any(|r| r.path == "/api/v1/datacenter/server/4001/backups/restore"),
        "the restore reached the upstream: {body}"
    );
}
