//! Connections as data: admins create, update, test and delete upstream accounts; credentials go in
//! sealed and never come out.

use crate::helpers::{spawn, token};
use hostplane_resolvers::store::entities::{audit, connection};
use hostplane_schema::principal::Scope;
use hostplane_simulators::hosterapi::{SimConfig, Simulator};
use sea_orm::EntityTrait;
use serde_json::json;

const CREATE: &str = "mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name provider baseUrl source } }";
const TEST: &str = "mutation($n: String!) { testConnection(name: $n) { reachable authenticated latencyMs code upstreamStatus } }";

/// A created connection serves calls at once, lists without credentials, and keeps them sealed in
/// the database.
#[tokio::test]
async fn create_use_and_list() {
    let gw = spawn().await;
    let (_, second) = Simulator::start(SimConfig {
        token: "second-secret-token".into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let created = gw
        .data(
            CREATE,
            json!({"i": {"name": "hoster-2", "provider": "HOSTERAPI", "baseUrl": second.base_url(),
                "credentials": {"token": "second-secret-token"}}}),
        )
        .await;
    assert_eq!(
        created["createConnection"],
        json!({"name": "hoster-2", "provider": "HOSTERAPI", "baseUrl": second.base_url(), "source": "api"})
    );
    let servers = gw
        .data(
            r#"{ hosterapiServers(connection: "hoster-2") { serverId connection } }"#,
            json!({}),
        )
        .await;
    assert_eq!(servers["hosterapiServers"][0]["connection"], "hoster-2");
    assert_eq!(second.log.count("GET", "/api/v1/datacenter/server"), 1);

    let listed = gw.gql("{ connections { name source } }", json!({})).await;
    let text = listed.to_string();
    assert!(
        text.contains("hoster-2") && !text.contains("second-secret-token"),
        "{text}"
    );
    let row = connection::Entity::find_by_id("hoster-2".to_string())
        .one(&gw.services.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !row.credentials.contains("second-secret-token"),
        "credentials are sealed at rest"
    );

    // With several HosterAPI connections, a call must name one.
    let body = gw.gql("{ hosterapiTemplates }", json!({})).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "VALIDATION");
}

/// The test reports reachability and credential validity, and an update or delete takes effect.
#[tokio::test]
async fn test_update_delete() {
    let gw = spawn().await;
    let (_, second) = Simulator::start(SimConfig::default()).await.unwrap();
    gw.data(
        CREATE,
        json!({"i": {"name": "hoster-2", "provider": "HOSTERAPI", "baseUrl": second.base_url(),
            "credentials": {"token": "wrong"}}}),
    )
    .await;
    let t = gw.data(TEST, json!({"n": "hoster-2"})).await["testConnection"].clone();
    assert_eq!(
        (t["reachable"].clone(), t["authenticated"].clone()),
        (json!(true), json!(false)),
        "{t}"
    );
    assert_eq!(t["code"], "UPSTREAM_UNAUTHORIZED");
    assert_eq!(t["upstreamStatus"], 401);

    gw.data(
        "mutation($n: String!, $i: UpdateConnectionInput!) { updateConnection(name: $n, input: $i) { name } }",
        json!({"n": "hoster-2", "i": {"credentials": {"token": SimConfig::default().token}}}),
    )
    .await;
    let t = gw.data(TEST, json!({"n": "hoster-2"})).await["testConnection"].clone();
    assert_eq!(
        (t["reachable"].clone(), t["authenticated"].clone()),
        (json!(true), json!(true)),
        "{t}"
    );
    assert!(t["latencyMs"].as_i64().unwrap() >= 0);
    // Each provider's probe: Patchstack's unknown-user 404 proves the credentials, and is no error.
    let t = gw.data(TEST, json!({"n": "patch"})).await["testConnection"].clone();
    assert_eq!(
        (t["reachable"].clone(), t["authenticated"].clone()),
        (json!(true), json!(true)),
        "{t}"
    );
    assert!(t["code"].is_null() && t["upstreamStatus"].is_null(), "{t}");

    drop(second);
    let t = gw.data(TEST, json!({"n": "hoster-2"})).await["testConnection"].clone();
    assert_eq!(t["reachable"], false, "{t}");
    assert_eq!(t["code"], "UPSTREAM_UNAVAILABLE");

    let deleted = gw
        .data(
            r#"mutation { deleteConnection(name: "hoster-2") }"#,
            json!({}),
        )
        .await;
    assert_eq!(deleted["deleteConnection"], true);
    let body = gw
        .gql(
            r#"{ hosterapiTemplates(connection: "hoster-2") }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert!(
        connection::Entity::find_by_id("hoster-2".to_string())
            .one(&gw.services.db)
            .await
            .unwrap()
            .is_none()
    );
    let rows = audit::Entity::find().all(&gw.services.db).await.unwrap();
    let ops: Vec<&str> = rows.iter().map(|r| r.operation.as_str()).collect();
    assert!(
        ["createConnection", "updateConnection", "deleteConnection"]
            .iter()
            .all(|o| ops.contains(o)),
        "{ops:?}"
    );
}

/// Bad input is refused and changes nothing; only admins manage connections.
#[tokio::test]
async fn refusals() {
    let gw = spawn().await;
    for (input, why) in [
        (
            json!({"name": "bad name!", "provider": "HOSTERAPI", "baseUrl": "http://127.0.0.1:1", "credentials": {"token": "t"}}),
            "name",
        ),
        (
            json!({"name": "ok", "provider": "HOSTERAPI", "baseUrl": "ftp://x", "credentials": {"token": "t"}}),
            "url",
        ),
        (
            json!({"name": "ok", "provider": "HOSTERAPI", "baseUrl": "http://127.0.0.1:1", "credentials": {}}),
            "no token",
        ),
        (
            json!({"name": "ok", "provider": "HOSTERAPI", "baseUrl": "http://127.0.0.1:1", "credentials": {"token": 5}}),
            "not a string",
        ),
        (
            json!({"name": "hoster", "provider": "HOSTERAPI", "baseUrl": "http://127.0.0.1:1", "credentials": {"token": "t"}}),
            "exists",
        ),
    ] {
        let body = gw.gql(CREATE, json!({"i": input})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{why}: {body}"
        );
    }
    // Every provider's wire says which credentials its client needs.
    let body = gw
        .gql(CREATE, json!({"i": {"name": "pa", "provider": "PANELALPHA", "baseUrl": "http://127.0.0.1:1", "credentials": {"key": "t"}}}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "VALIDATION",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`token`")),
        "{body}"
    );
    let (_, body) = gw
        .gql_as(
            Some(&token(&[Scope::Write])),
            r#"mutation { deleteConnection(name: "hoster") }"#,
            json!({}),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let names = gw.data("{ connections { name } }", json!({})).await;
    assert_eq!(
        names["connections"].as_array().unwrap().len(),
        5,
        "nothing changed: {names}"
    );
}

/// A status page sees every usable connection probed at once: up ones healthy, a down one
/// unreachable, and only the connections the caller may use.
#[tokio::test]
async fn connection_health_for_status_pages() {
    let gw = spawn().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    gw.data(
        CREATE,
        json!({"i": {"name": "down", "provider": "ORCHESTRIX", "baseUrl": format!("http://{closed}"),
            "credentials": {"token": "t"}}}),
    )
    .await;
    let (_, body) = gw
        .gql_as(
            Some(&token(&[Scope::Read])),
            "{ connectionHealth { connection reachable authenticated code } }",
            json!({}),
        )
        .await;
    let health = body["data"]["connectionHealth"].as_array().unwrap().clone();
    assert_eq!(health.len(), 6, "{body}");
    for h in &health {
        let up = h["connection"] != "down";
        assert_eq!(h["reachable"], up, "{h}");
        assert_eq!(h["authenticated"], up, "{h}");
        assert_eq!(h["code"].is_null(), up, "{h}");
    }
    let limited = crate::helpers::token_for("l", &[Scope::Read], Some(&["patch".to_string()]));
    let (_, body) = gw
        .gql_as(
            Some(&limited),
            "{ connectionHealth { connection } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["connectionHealth"],
        json!([{"connection": "patch"}])
    );
}
