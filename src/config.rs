//! Configuration: a TOML file plus `HOSTPLANE_*` environment overrides (nested keys with `__`, as in
//! `HOSTPLANE_AUTH__HS256_SECRET`), and `DATABASE_URL`. Unknown keys are rejected; secrets are typed
//! so they never reach a log line.

use crate::auth::JwtAlgorithm;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use hostplane_resolvers::connections::ConnectionSpec;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::{net::SocketAddr, path::Path, time::Duration};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Seals stored upstream credentials and signs download URLs; `auth.hs256_secret` when absent.
    pub encryption_key: Option<SecretString>,
    /// The gateway's public origin (`https://gw.example`) for URLs it hands out; by default the
    /// origin the client used (its `Host` header).
    pub public_url: Option<String>,
    pub auth: AuthConfig,
    pub tasks: TaskConfig,
    pub upstream: UpstreamConfig,
    pub limits: LimitsConfig,
    pub websocket: WebsocketConfig,
    pub cors: CorsConfig,
    pub log: LogConfig,
    pub retention: RetentionConfig,
    pub server: ServerConfig,
    #[serde(default)]
    pub connections: Vec<ConnectionSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    pub issuer: String,
    pub audience: String,
    pub algorithm: JwtAlgorithm,
    pub hs256_secret: Option<SecretString>,
    pub public_key_pem: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskConfig {
    pub poll_interval_ms: u64,
    pub max_poll_failures: u32,
    /// How long upstream work may run before its task fails.
    pub max_duration_s: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Deadline of one upstream call.
    pub timeout_ms: u64,
    /// How long one connection may take over its part of a unified query (all its pages); past it,
    /// the query answers without that connection, with an `UPSTREAM_TIMEOUT` error for it.
    pub fanout_deadline_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Aliased fields in one operation.
    pub max_aliases: usize,
    /// Fields at the root of one operation.
    pub max_root_fields: usize,
    /// Lexical tokens in one document.
    pub max_tokens: usize,
    /// Characters in one document.
    pub max_query_bytes: usize,
    /// Operations in one batched HTTP request.
    pub max_batch: usize,
    pub max_body_bytes: usize,
    /// Subscriptions running at once on one WebSocket.
    pub max_subscriptions_per_connection: usize,
    /// Whether introspection is served (switch off in production if the schema is private).
    pub introspection: bool,
    /// Whether validation errors suggest field names ("did you mean").
    pub field_suggestions: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsocketConfig {
    /// How often the server pings an idle WebSocket (the protocol's keep-alive) and every WebSocket
    /// (a WebSocket ping); a client silent for two of these is dropped. 0 switches both off.
    pub keepalive_ms: u64,
    /// How long a new WebSocket may take to send `connection_init`.
    pub init_timeout_ms: u64,
}

/// Which browser origins may call the gateway (`src/http/cors.rs`). Empty: none but its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// `https://app.example`, `http://localhost:*` (any port), or `*` (any origin).
    pub allowed_origins: Vec<String>,
    /// Whether browsers may send cookies and HTTP auth along (not with `*`).
    pub allow_credentials: bool,
    /// How long a browser may cache a preflight answer.
    pub max_age_s: u64,
}

/// What the accept loop lets connections do (`src/http/server.rs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// How long a client may take over a request's headers, from their first byte.
    pub header_read_timeout_ms: u64,
    /// How long a connection with no request in flight is kept.
    pub idle_timeout_ms: u64,
    /// Connections open at once (WebSockets included); more are closed on arrival.
    pub max_connections: usize,
    /// How long a stop waits for requests in flight and WebSocket closes.
    pub drain_timeout_ms: u64,
}

/// How long the gateway keeps its own rows; 0 keeps them for ever.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Finished tasks and their events, counted from when they finished.
    pub tasks_days: u64,
    pub audit_days: u64,
    /// Links (where a site or server was seen), counted from when they were last seen.
    pub links_days: u64,
    /// How often to prune.
    pub every_minutes: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: String,
    /// A tracing filter (`info`, `hostplane=debug`); `RUST_LOG` wins when set.
    pub filter: String,
}

/// The defaults, as a serializable tree under the file and the environment.
#[derive(Serialize)]
struct Defaults {
    listen: &'static str,
    database_url: &'static str,
    auth: serde_json::Value,
    tasks: serde_json::Value,
    upstream: serde_json::Value,
    limits: serde_json::Value,
    websocket: serde_json::Value,
    cors: serde_json::Value,
    log: serde_json::Value,
    retention: serde_json::Value,
    server: serde_json::Value,
}

fn defaults() -> Defaults {
    Defaults {
        listen: "127.0.0.1:8080",
        database_url: "sqlite://hostplane.db?mode=rwc",
        auth: serde_json::json!({"issuer": "hostplane", "audience": "hostplane", "algorithm": "HS256"}),
        tasks: serde_json::json!({"poll_interval_ms": 1000, "max_poll_failures": 60, "max_duration_s": 21600}),
        upstream: serde_json::json!({"timeout_ms": 10000, "fanout_deadline_ms": 5000}),
        limits: serde_json::json!({
            "max_depth": 12, "max_complexity": 2000, "max_aliases": 50, "max_root_fields": 20,
            "max_tokens": 10_000, "max_query_bytes": 100_000, "max_batch": 10,
            "max_body_bytes": 1_048_576, "max_subscriptions_per_connection": 50,
            "introspection": true, "field_suggestions": true
        }),
        websocket: serde_json::json!({"keepalive_ms": 15_000, "init_timeout_ms": 10_000}),
        cors: serde_json::json!({"allowed_origins": [], "allow_credentials": false, "max_age_s": 600}),
        log: serde_json::json!({"format": "text", "filter": "info"}),
        retention: serde_json::json!({"tasks_days": 30, "audit_days": 90, "links_days": 90, "every_minutes": 60}),
        server: serde_json::json!({
            "header_read_timeout_ms": 5_000, "idle_timeout_ms": 60_000,
            "max_connections": 10_000, "drain_timeout_ms": 10_000
        }),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, then the file (if given), then `HOSTPLANE_*`, then `DATABASE_URL`.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(defaults()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Invalid(format!(
                    "{} does not exist",
                    file.display()
                )));
            }
            fig = fig.merge(Toml::file(file));
        }
        // HOSTPLANE_CONFIG names the file itself (read by the CLI), not a key.
        fig = fig.merge(Env::prefixed("HOSTPLANE_").ignore(&["config"]).split("__"));
        if let Ok(url) = std::env::var("DATABASE_URL") {
            fig = fig.merge(("database_url", url));
        }
        let config: Config = fig
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let cors = &config.cors;
        if cors.allow_credentials && cors.allowed_origins.iter().any(|o| o == "*") {
            return Err(ConfigError::Invalid(
                "cors: credentials cannot be allowed for any origin (`*`)".into(),
            ));
        }
        Ok(config)
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.tasks.poll_interval_ms)
    }

    pub fn fanout_deadline(&self) -> Duration {
        Duration::from_millis(self.upstream.fanout_deadline_ms)
    }

    pub fn upstream_timeout(&self) -> Duration {
        Duration::from_millis(self.upstream.timeout_ms)
    }

    pub fn connection_limits(&self) -> crate::http::ConnectionLimits {
        let s = &self.server;
        crate::http::ConnectionLimits {
            header_read_timeout: Duration::from_millis(s.header_read_timeout_ms),
            idle_timeout: Duration::from_millis(s.idle_timeout_ms),
            max_connections: s.max_connections.max(1),
            drain_timeout: Duration::from_millis(s.drain_timeout_ms),
        }
    }

    pub fn retention(&self) -> hostplane_resolvers::retention::Retention {
        let days = |d: u64| (d > 0).then(|| Duration::from_secs(d.saturating_mul(86_400)));
        let r = &self.retention;
        hostplane_resolvers::retention::Retention {
            tasks: days(r.tasks_days),
            audit: days(r.audit_days),
            links: days(r.links_days),
            every: Duration::from_secs(r.every_minutes.max(1).saturating_mul(60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile_path::TempPath {
        tempfile_path::TempPath::new(text)
    }

    /// Minimal scratch-file helper for these tests.
    mod tempfile_path {
        pub struct TempPath(pub std::path::PathBuf);
        impl TempPath {
            pub fn new(text: &str) -> TempPath {
                let p = std::env::temp_dir()
                    .join(format!("hostplane-cfg-{}.toml", uuid::Uuid::new_v4()));
                std::fs::write(&p, text).unwrap();
                TempPath(p)
            }
        }
        impl Drop for TempPath {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    /// A file's values override the defaults, and its connections are read.
    #[test]
    fn file_overrides_defaults() {
        let f = write(
            r#"
            listen = "127.0.0.1:9999"
            [auth]
            hs256_secret = "s3cret"
            [[connections]]
            name = "hoster-main"
            provider = "hosterapi"
            base_url = "https://reseller.example"
            credentials = { token = "abc" }
            "#,
        );
        let c = Config::load(Some(&f.0)).unwrap();
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.auth.issuer, "hostplane");
        assert_eq!(c.connections.len(), 1);
        assert!(
            !format!("{c:?}").contains("s3cret"),
            "secrets must not appear in Debug output"
        );
        assert!(
            !format!("{c:?}").contains("abc\""),
            "credentials must not appear in Debug output"
        );
    }

    /// Unknown keys are rejected rather than silently ignored.
    #[test]
    fn unknown_keys_rejected() {
        let f = write("lisen = \"127.0.0.1:1\"\n");
        let err = Config::load(Some(&f.0)).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }
}
