//! Shared test fixtures: a HosterAPI simulator and a gateway on loopback port 0 with a fresh database
//! (a SQLite file, or a new PostgreSQL database when `DATABASE_URL` names a server), plus typed
//! clients for both surfaces. Everything stops when the fixture is dropped.

#![allow(dead_code)]

use hostplane::{Gateway, auth::TokenMinter, config::Config, http, startup::upsert};
use hostplane_adapters::Provider;
use hostplane_resolvers::{
    Services,
    connections::{ConnectionSpec, Credentials},
};
use hostplane_schema::principal::Scope;
use hostplane_simulators::{
    SimServer,
    hosterapi::{SimConfig, Simulator},
    orchestrix, panelalpha, patchstack, wpcs,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::sync::oneshot;

pub const SECRET: &str = "test-signing-secret-0123456789abcdef";
pub const CONNECTION: &str = "hoster";
/// The Patchstack connection every fixture also registers.
pub const PATCHSTACK: &str = "patch";
/// The WP Orchestrix connection every fixture also registers (its stored token is `orch-token`).
pub const ORCHESTRIX: &str = "orch";
/// The WPCS connection every fixture also registers (key `wpcs-key`, secret `wpcs-secret`).
pub const WPCS: &str = "wpcs";
/// The PanelAlpha connection every fixture also registers (its stored token is `pa-token`).
pub const PANELALPHA: &str = "panel";

pub struct Options {
    pub job_duration: Duration,
    pub poll_interval: Duration,
    pub upstream_timeout: Duration,
    pub max_task_duration: Duration,
    /// How long one connection may take over its part of a unified query.
    pub fanout_deadline: Duration,
    /// Any other configuration change (limits, WebSocket timings), applied last.
    pub configure: fn(&mut Config),
    /// Reuse this database URL (to restart a gateway on the same data).
    pub database_url: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            job_duration: Duration::from_millis(800),
            poll_interval: Duration::from_millis(50),
            upstream_timeout: Duration::from_secs(5),
            max_task_duration: Duration::from_secs(120),
            fanout_deadline: Duration::from_secs(3),
            configure: |_| {},
            database_url: None,
        }
    }
}

pub struct TestGateway {
    pub addr: SocketAddr,
    pub sim: Simulator,
    pub upstream: SimServer,
    pub patchstack: patchstack::Simulator,
    pub patchstack_upstream: SimServer,
    pub orchestrix: orchestrix::Simulator,
    pub orchestrix_upstream: SimServer,
    pub wpcs: wpcs::Simulator,
    pub wpcs_upstream: SimServer,
    pub panelalpha: panelalpha::Simulator,
    pub panelalpha_upstream: SimServer,
    pub services: Arc<Services>,
    /// The gateway's shared WebSocket executions, to count them.
    pub subscriptions: Arc<http::SharedSubscriptions>,
    pub database_url: String,
    pub http: reqwest::Client,
    /// Stops the gateway's HTTP server when dropped (fields can still be moved out of the fixture).
    pub stop: Stop,
    /// The test's own database, removed when the fixture goes (last, after the server stopped).
    pub _scratch: Option<Scratch>,
}

pub struct Stop(Option<oneshot::Sender<()>>);

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

/// A test's own database: a temp SQLite file, or a new database on the `DATABASE_URL` server. It
/// is gone when this is dropped (the file removed, the database dropped), so test runs leave
/// nothing behind.
pub struct Scratch {
    pub url: String,
    postgres: Option<(String, String)>,
    file: Option<std::path::PathBuf>,
}

pub async fn fresh_database() -> Scratch {
    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            use sea_orm::{ConnectionTrait, Database};
            let (server, _) = url
                .rsplit_once('/')
                .expect("DATABASE_URL has a database path");
            let name = format!("hp_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(format!("{server}/postgres"))
                .await
                .expect("connect to the PostgreSQL server");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create a test database");
            Scratch {
                url: format!("{server}/{name}"),
                postgres: Some((server.to_string(), name)),
                file: None,
            }
        }
        _ => {
            let file =
                std::env::temp_dir().join(format!("hostplane-test-{}.db", uuid::Uuid::new_v4()));
            Scratch {
                url: format!("sqlite://{}?mode=rwc", file.display()),
                postgres: None,
                file: Some(file),
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(file) = &self.file {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
            }
        }
        // Dropped on a thread of its own with its own runtime: this may run inside a test's.
        if let Some((server, name)) = self.postgres.take() {
            let dropped = std::thread::spawn(move || {
                use sea_orm::{ConnectionTrait, Database};
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(format!("{server}/postgres")).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = admin.execute_unprepared(&sql).await;
                    }
                });
            });
            let _ = dropped.join();
        }
    }
}

pub async fn spawn() -> TestGateway {
    spawn_with(Options::default()).await
}

pub async fn spawn_with(opts: Options) -> TestGateway {
    let (sim, upstream) = Simulator::start(SimConfig {
        token: "sim-token".into(),
        job_duration: opts.job_duration,
    })
    .await
    .expect("start the HosterAPI simulator");
    let base_url = upstream.base_url();
    spawn_gateway(opts, sim, upstream, &base_url).await
}

/// A gateway whose HosterAPI connection points at `base_url` (a simulator, or something broken).
pub async fn spawn_gateway(
    opts: Options,
    sim: Simulator,
    upstream: SimServer,
    base_url: &str,
) -> TestGateway {
    let scratch = match opts.database_url {
        Some(_) => None,
        None => Some(fresh_database().await),
    };
    let database_url = match (&opts.database_url, &scratch) {
        (Some(url), _) => url.clone(),
        (None, scratch) => scratch.as_ref().expect("a scratch database").url.clone(),
    };
    let mut config = Config::load(None).expect("default configuration loads");
    config.database_url = database_url.clone();
    config.auth.hs256_secret = Some(SecretString::from(SECRET));
    config.tasks.poll_interval_ms = opts.poll_interval.as_millis() as u64;
    config.tasks.max_poll_failures = 3;
    config.upstream.timeout_ms = opts.upstream_timeout.as_millis() as u64;
    config.upstream.fanout_deadline_ms = opts.fanout_deadline.as_millis() as u64;
    (opts.configure)(&mut config);
    config.tasks.max_duration_s = opts.max_task_duration.as_secs().max(1);
    let gateway = Gateway::build(&config).await.expect("gateway starts");
    register(
        &gateway,
        CONNECTION,
        Provider::Hosterapi,
        base_url,
        Credentials::token("sim-token"),
    )
    .await;
    let (patch_sim, patch_upstream) = patchstack::Simulator::start(patchstack::SimConfig {
        token: "ps-token".into(),
    })
    .await
    .expect("start the Patchstack simulator");
    register(
        &gateway,
        PATCHSTACK,
        Provider::Patchstack,
        patch_upstream.base_url(),
        Credentials::token("ps-token"),
    )
    .await;
    let (orch_sim, orch_upstream) = orchestrix::Simulator::start(orchestrix::SimConfig {
        api_token: "orch-token".into(),
        job_duration: opts.job_duration,
        ..orchestrix::SimConfig::default()
    })
    .await
    .expect("start the Orchestrix simulator");
    register(
        &gateway,
        ORCHESTRIX,
        Provider::Orchestrix,
        orch_upstream.base_url(),
        Credentials::token("orch-token"),
    )
    .await;
    let (wpcs_sim, wpcs_upstream) = wpcs::Simulator::start(wpcs::SimConfig {
        key: "wpcs-key".into(),
        secret: "wpcs-secret".into(),
        partner: false,
        job_duration: opts.job_duration,
    })
    .await
    .expect("start the WPCS simulator");
    register(
        &gateway,
        WPCS,
        Provider::Wpcs,
        wpcs_upstream.base_url(),
        Credentials::key_secret("wpcs-key", "wpcs-secret"),
    )
    .await;
    let (pa_sim, pa_upstream) = panelalpha::Simulator::start(panelalpha::SimConfig {
        token: "pa-token".into(),
        job_duration: opts.job_duration,
    })
    .await
    .expect("start the PanelAlpha simulator");
    register(
        &gateway,
        PANELALPHA,
        Provider::Panelalpha,
        pa_upstream.base_url(),
        Credentials::token("pa-token"),
    )
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let (tx, rx) = oneshot::channel::<()>();
    let services = gateway.services.clone();
    let subscriptions = gateway.state.subscriptions.clone();
    tokio::spawn(http::serve(listener, gateway.state, async {
        let _ = rx.await;
    }));
    TestGateway {
        addr,
        sim,
        upstream,
        patchstack: patch_sim,
        patchstack_upstream: patch_upstream,
        orchestrix: orch_sim,
        orchestrix_upstream: orch_upstream,
        wpcs: wpcs_sim,
        wpcs_upstream,
        panelalpha: pa_sim,
        panelalpha_upstream: pa_upstream,
        services,
        subscriptions,
        database_url,
        _scratch: scratch,
        http: reqwest::Client::new(),
        stop: Stop(Some(tx)),
    }
}

/// Registers one upstream connection with the gateway, as the config file or the demo would.
async fn register(
    gateway: &Gateway,
    name: &str,
    provider: Provider,
    base_url: impl ToString,
    credentials: Credentials,
) {
    let spec = ConnectionSpec {
        name: name.into(),
        provider,
        base_url: base_url.to_string(),
        credentials,
    };
    upsert(&gateway.services.connections, spec, "test")
        .await
        .expect("register a simulator");
}

/// The provider's rows of `endpoints.tsv` and its declared endpoints match one to one by method and
/// path, with one GraphQL field per endpoint named after the provider.
pub fn assert_route_table(provider: Provider) {
    assert_route_table_of(provider, |_, _| true);
}

/// As `assert_route_table`, for the provider's rows whose method and path `served` takes (a
/// provider served in parts).
pub fn assert_route_table_of(provider: Provider, served: fn(&str, &str) -> bool) {
    let tsv = include_str!("../fixtures/endpoints.tsv");
    let mut header = tsv.lines().next().expect("a header").split('\t');
    assert_eq!(
        (header.next(), header.next(), header.next()),
        (Some("provider"), Some("method"), Some("path"))
    );
    let rows: Vec<(String, String)> = tsv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cols| cols[0] == provider.key() && served(cols[1], cols[2]))
        .map(|cols| (cols[1].to_string(), cols[2].to_string()))
        .collect();
    assert!(!rows.is_empty(), "{provider} has rows in endpoints.tsv");
    let declared: Vec<(String, String, String)> = hostplane_resolvers::endpoints()
        .filter(|e| e.provider == provider)
        .map(|e| (e.method.as_str().to_string(), e.path.to_string(), e.field()))
        .collect();
    assert_eq!(declared.len(), rows.len(), "{declared:?}");
    let count_rows = |method: &str, path: &str| {
        rows.iter()
            .filter(|(m, p)| m == method && p == path)
            .count()
    };
    for (method, path) in &rows {
        let n = declared
            .iter()
            .filter(|(m, p, _)| m == method && p == path)
            .count();
        assert_eq!(n, 1, "{method} {path} has {n} declared endpoints");
        let twice = count_rows(method, path);
        assert_eq!(
            twice, 1,
            "{method} {path} is in the inventory {twice} times"
        );
    }
    for (method, path, field) in &declared {
        let n = count_rows(method, path);
        assert_eq!(n, 1, "{field} ({method} {path}) has {n} inventory rows");
        assert!(field.starts_with(provider.key()), "{field}");
    }
    let fields: std::collections::BTreeSet<&str> =
        declared.iter().map(|(_, _, f)| f.as_str()).collect();
    assert_eq!(
        fields.len(),
        declared.len(),
        "one GraphQL field per endpoint"
    );
}

/// One provider's simulator as every fixture registers it: the gateway connection that reaches it,
/// its server (base URL and request log), and the header its stored credential travels in.
pub struct Upstream<'a> {
    pub connection: &'static str,
    pub server: &'a SimServer,
    pub credential: (&'static str, &'static str),
}

impl TestGateway {
    /// The simulator of `provider`, if the fixture starts one.
    pub fn upstream_of(&self, provider: Provider) -> Option<Upstream<'_>> {
        let (connection, server, credential) = match provider {
            Provider::Hosterapi => (
                CONNECTION,
                &self.upstream,
                ("Authorization", "Bearer sim-token"),
            ),
            Provider::Patchstack => (
                PATCHSTACK,
                &self.patchstack_upstream,
                ("HostToken", "ps-token"),
            ),
            Provider::Orchestrix => (
                ORCHESTRIX,
                &self.orchestrix_upstream,
                ("Authorization", "token orch-token"),
            ),
            // base64("wpcs-key:wpcs-secret")
            Provider::Wpcs => (
                WPCS,
                &self.wpcs_upstream,
                ("Authorization", "Basic d3Bjcy1rZXk6d3Bjcy1zZWNyZXQ="),
            ),
            Provider::Panelalpha => (
                PANELALPHA,
                &self.panelalpha_upstream,
                ("Authorization", "Bearer pa-token"),
            ),
        };
        Some(Upstream {
            connection,
            server,
            credential,
        })
    }
}

pub fn token(scopes: &[Scope]) -> String {
    token_for("tester", scopes, None)
}

pub fn token_for(sub: &str, scopes: &[Scope], connections: Option<&[String]>) -> String {
    TokenMinter::new("hostplane", "hostplane", &SecretString::from(SECRET)).mint(
        sub,
        scopes,
        connections,
        Duration::from_secs(600),
    )
}

pub fn admin() -> String {
    token(&[Scope::Admin])
}

/// A read token for `sub` that verification accepts for about `seconds` more: its `exp` lies that
/// far ahead of now less the 30 s leeway verification allows for clock skew.
pub fn token_valid_for(sub: &str, seconds: i64) -> String {
    let exp = chrono::Utc::now().timestamp() + seconds - 30;
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": sub, "iss": "hostplane", "aud": "hostplane", "exp": exp, "scope": "read"}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("a token encodes")
}

/// An admin token with the gateway's issuer and audience, signed with another secret.
pub fn forged_token() -> String {
    TokenMinter::new(
        "hostplane",
        "hostplane",
        &SecretString::from("another-secret-0123456789abcdefgh"),
    )
    .mint("intruder", &[Scope::Admin], None, Duration::from_secs(600))
}

impl TestGateway {
    /// Requests every simulator of the fixture has received.
    pub fn upstream_requests(&self) -> usize {
        [
            &self.upstream,
            &self.patchstack_upstream,
            &self.orchestrix_upstream,
            &self.wpcs_upstream,
            &self.panelalpha_upstream,
        ]
        .iter()
        .map(|s| s.log.len())
        .sum()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A GraphQL call with an admin token; returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&admin()), query, variables).await.1
    }

    /// A GraphQL call with any (or no) bearer credential: status and body.
    pub async fn gql_as(
        &self,
        bearer: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(b) = bearer {
            req = req.bearer_auth(b);
        }
        let resp = req.send().await.expect("gateway answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("GraphQL answers JSON"))
    }

    /// Data of a GraphQL call that must succeed.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        self.data_as(&admin(), query, variables).await
    }

    /// Data of a GraphQL call with `bearer` that must succeed.
    pub async fn data_as(&self, bearer: &str, query: &str, variables: Value) -> Value {
        let (_, body) = self.gql_as(Some(bearer), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// A call at an original HosterAPI path through the REST layer, with an admin token.
    pub async fn rest(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.rest_as(Some(&admin()), method, path, body).await
    }

    pub async fn rest_as(
        &self,
        bearer: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = self.url(&format!("/rest/{CONNECTION}{path}"));
        send(&self.http, method, &url, bearer, body).await
    }

    /// A call at an original Patchstack path through the REST layer, with `HostToken` set to
    /// `credential` (or none): status, content type and raw body.
    pub async fn patchstack_rest(
        &self,
        credential: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String, Vec<u8>) {
        let url = self.url(&format!("/rest/{PATCHSTACK}{path}"));
        send_with(
            &self.http,
            method,
            &url,
            credential.map(|c| ("HostToken", c)),
            body,
        )
        .await
    }

    /// The same Patchstack call straight to its simulator.
    pub async fn patchstack_direct(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String, Vec<u8>) {
        let url = format!("{}{}", self.patchstack_upstream.base_url(), path);
        send_with(
            &self.http,
            method,
            &url,
            Some(("HostToken", "ps-token")),
            body,
        )
        .await
    }

    /// A call at an original Orchestrix path through the REST layer, with `Authorization` set to
    /// `authorization` verbatim (`token <gateway jwt>`, or an upstream credential to pass through):
    /// status, content type and raw body.
    pub async fn orchestrix_rest(
        &self,
        authorization: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String, Vec<u8>) {
        let url = self.url(&format!("/rest/{ORCHESTRIX}{path}"));
        send_with(
            &self.http,
            method,
            &url,
            authorization.map(|a| ("Authorization", a)),
            body,
        )
        .await
    }

    /// The same Orchestrix call straight to its simulator, with the stored token.
    pub async fn orchestrix_direct(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String, Vec<u8>) {
        let url = format!("{}{}", self.orchestrix_upstream.base_url(), path);
        send_with(
            &self.http,
            method,
            &url,
            Some(("Authorization", "token orch-token")),
            body,
        )
        .await
    }

    /// A call at an original WPCS path through the REST layer, with `Authorization` set to
    /// `authorization` verbatim (e.g. `Bearer <gateway jwt>`): status, content type and raw body.
    pub async fn wpcs_rest(
        &self,
        authorization: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String, Vec<u8>) {
        let url = self.url(&format!("/rest/{WPCS}{path}"));
        send_with(
            &self.http,
            method,
            &url,
            authorization.map(|a| ("Authorization", a)),
            body,
        )
        .await
    }

    /// The same WPCS call straight to its simulator, with the connection's key and secret.
    pub async fn wpcs_direct(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, String, Vec<u8>) {
        // base64("wpcs-key:wpcs-secret")
        let url = format!("{}{}", self.wpcs_upstream.base_url(), path);
        send_with(
            &self.http,
            method,
            &url,
            Some(("Authorization", "Basic d3Bjcy1rZXk6d3Bjcy1zZWNyZXQ=")),
            body,
        )
        .await
    }

    /// The same call straight to the simulator, for comparison.
    pub async fn direct(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.upstream.base_url(), path);
        send(&self.http, method, &url, Some("sim-token"), body).await
    }

    /// Polls a task through GraphQL until it ends or the deadline passes.
    pub async fn wait_task(&self, task_id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let data = self
                .data("query($id: ID!) { task(id: $id) { status progress message output subjectId } }", json!({"id": task_id}))
                .await;
            let task = data["task"].clone();
            let status = task["status"].as_str().unwrap_or_default();
            if ["SUCCEEDED", "FAILED", "CANCELLED"].contains(&status) {
                return task;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "task {task_id} did not end: {task}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn send_with(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    header: Option<(&str, &str)>,
    body: Option<Value>,
) -> (u16, String, Vec<u8>) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("valid method");
    let mut req = http.request(method, url);
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("server answers");
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = resp.bytes().await.expect("body").to_vec();
    (status, content_type, bytes)
}

async fn send(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("valid method");
    let mut req = http.request(method, url);
    if let Some(b) = bearer {
        req = req.bearer_auth(b);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("server answers");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A gateway with no upstream connection, on the default configuration as `configure` changes it:
/// for tests of the HTTP and WebSocket layers themselves.
pub struct Bare {
    pub addr: SocketAddr,
    /// Dropping it stops the server.
    pub stop: oneshot::Sender<()>,
    pub served: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Its own database, removed when it goes (unless the test named another).
    pub _scratch: Scratch,
}

pub async fn bare(configure: impl FnOnce(&mut Config)) -> Bare {
    let mut config = Config::load(None).expect("default configuration loads");
    let scratch = fresh_database().await;
    config.database_url = scratch.url.clone();
    config.auth.hs256_secret = Some(SecretString::from(SECRET));
    configure(&mut config);
    let gateway = Gateway::build(&config).await.expect("gateway starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(http::serve(listener, gateway.state, async {
        let _ = stopped.await;
    }));
    Bare {
        addr,
        stop,
        served,
        _scratch: scratch,
    }
}
