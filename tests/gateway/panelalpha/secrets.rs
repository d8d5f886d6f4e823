//! The credentials PanelAlpha holds for the systems it reaches (`connection_config` of hosting,
//! DNS and email servers and remote backup stores) are accepted on writes and read back by admins
//! only: sealed in `raw` and in every answer for anyone else, on GraphQL and on REST, and never in a
//! log line or an error message.

use super::rest;
use crate::helpers::{admin, spawn, token};
use hostplane_schema::principal::Scope;
use serde_json::json;
use std::{
    io::Write,
    sync::{Arc, Mutex},
};

/// Every log line of the process, at every level, kept to be searched.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The secret a write sends, and those the simulator is seeded with.
const SENT: &str = "dns-secret-9f2c";
const SEEDED: [&str; 4] = [
    "cpanel-secret-token",
    "pdns-secret-key",
    "mailcow-secret-key",
    "s3-secret-key",
];

#[tokio::test]
async fn connection_secrets_reach_admins_only_and_no_log_or_error() {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber here");
    let gw = spawn().await;

    // An admin writes a DNS server with its credentials, and reads them back.
    let created = gw
        .data(
            r#"mutation($config: JSONObject!) { panelalphaCreateDnsServer(input: {name: "ns9",
                type: "powerdns", connectionConfig: $config}) { id raw } }"#,
            json!({"config": {"host": "ns9.example.net", "api_key": SENT}}),
        )
        .await;
    let id = created["panelalphaCreateDnsServer"]["id"]
        .as_str()
        .expect("an id")
        .to_string();
    assert_eq!(
        created["panelalphaCreateDnsServer"]["raw"]["connection_config"]["api_key"],
        SENT
    );
    let config = gw
        .data("{ panelalphaServerConfig(id: 1) { raw } }", json!({}))
        .await;
    assert_eq!(
        config["panelalphaServerConfig"]["raw"]["connection_config"]["api_token"],
        SEEDED[0]
    );

    // Anyone else reads the records without them, on GraphQL (typed lists, `raw`, the unified
    // servers) and on REST.
    let reader = token(&[Scope::Read, Scope::Write]);
    let reads = [
        "{ panelalphaDnsServers { name raw } panelalphaEmailServers { raw } }".to_string(),
        "{ panelalphaRemoteBackups { raw } panelalphaServers { raw } }".into(),
        "{ panelalphaServerConfig(id: 1) { raw } panelalphaServer(id: 1) { raw } }".into(),
        format!("{{ panelalphaDnsServer(id: {id}) {{ raw }} servers {{ nodes {{ raw }} }} }}"),
    ];
    for query in &reads {
        let (_, body) = gw.gql_as(Some(&reader), query, json!({})).await;
        assert!(body["errors"].is_null(), "{query}: {body}");
        let text = body.to_string();
        for secret in SEEDED.iter().chain([&SENT]) {
            assert!(!text.contains(secret), "{query} shows {secret}: {text}");
        }
    }
    let (_, body) = gw
        .gql_as(
            Some(&reader),
            "{ panelalphaDnsServers { name raw } }",
            json!({}),
        )
        .await;
    let listed = &body["data"]["panelalphaDnsServers"][1];
    assert_eq!(
        listed["name"], "ns9",
        "the record itself is readable: {body}"
    );
    assert_eq!(listed["raw"]["connection_config"], json!(null), "{body}");
    for path in [
        format!("/api/admin/dns-servers/{id}"),
        "/api/admin/servers/1/config".into(),
        "/api/admin/remote-backups".into(),
    ] {
        let (status, body) = rest(&gw, Some(&reader), &[], "GET", &path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let text = body.to_string();
        assert!(
            SEEDED.iter().chain([&SENT]).all(|s| !text.contains(s)),
            "{path}: {text}"
        );
    }

    // Refused writes do not repeat the credentials they carried: the gateway's own refusal, the
    // scalar's, and the upstream's.
    let (status, body) = rest(
        &gw,
        Some(&admin()),
        &[],
        "POST",
        "/api/admin/dns-servers",
        Some(json!({"name": "ns9", "type": "powerdns", "connection_config": SENT})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (_, graphql) = gw
        .gql_as(
            Some(&admin()),
            r#"mutation($config: JSONObject!) { panelalphaUpdateDnsServer(id: 999, input: {
                name: "ns9", type: "powerdns", connectionConfig: $config}) { id } }"#,
            json!({"config": SENT}),
        )
        .await;
    let (_, upstream) = gw
        .gql_as(
            Some(&admin()),
            r#"mutation($config: JSONObject!) { panelalphaUpdateDnsServer(id: 999, input: {
                name: "ns9", type: "powerdns", connectionConfig: $config}) { id } }"#,
            json!({"config": {"api_key": SENT}}),
        )
        .await;
    assert_eq!(
        upstream["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{upstream}"
    );
    for refusal in [&body, &graphql, &upstream] {
        assert!(
            !refusal["errors"].is_null() || refusal["message"].is_string(),
            "{refusal}"
        );
        assert!(!refusal.to_string().contains(SENT), "{refusal}");
    }

    // Nothing the process logged, at any level, holds one.
    let logged = String::from_utf8_lossy(&lines.0.lock().expect("log buffer")).to_string();
    assert!(
        logged.contains("/api/admin/dns-servers"),
        "the calls were logged"
    );
    for secret in SEEDED.iter().chain([&SENT]) {
        assert!(!logged.contains(secret), "a log line holds {secret}");
    }
}
