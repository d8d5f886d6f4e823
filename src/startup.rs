//! Start-up: connect and migrate the database, load connections (stored, then the config file's),
//! start the task engine and resume unfinished tasks, and assemble the schema and HTTP state.

use crate::{
    auth::{AuthError, JwtAlgorithm, JwtSettings, JwtVerifier},
    config::Config,
    http::{AppState, HttpLimits},
};
use hostplane_resolvers::{
    AppSchema, SchemaLimits, Services, build_schemas,
    connections::{ConnectionSpec, Connections},
    crypto::SecretBox,
    downloads::UrlSigner,
    store,
    tasks::{EngineSettings, TaskEngine},
};
use secrecy::ExposeSecret;
use std::{sync::Arc, time::Duration};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error("database: {0}")]
    Database(String),
    #[error("auth: {0}")]
    Auth(#[from] AuthError),
}

/// A gateway ready to serve.
pub struct Gateway {
    pub state: AppState,
    pub services: Arc<Services>,
    pub schema: AppSchema,
}

impl Gateway {
    pub async fn build(config: &Config) -> Result<Gateway, StartError> {
        let verifier = JwtVerifier::new(&JwtSettings {
            issuer: config.auth.issuer.clone(),
            audience: config.auth.audience.clone(),
            algorithm: config.auth.algorithm,
            hs256_secret: config.auth.hs256_secret.clone(),
            public_key_pem: config.auth.public_key_pem.clone(),
        })?;
        // One gateway secret keys both the credential seal and download URL signatures (each derives
        // its own key with a label).
        let secret = match (&config.encryption_key, &config.auth.hs256_secret) {
            (Some(key), _) => {
                crate::auth::strong_enough("encryption_key (HOSTPLANE_ENCRYPTION_KEY)", key)?;
                key.expose_secret().as_bytes().to_vec()
            }
            (None, Some(secret)) if config.auth.algorithm == JwtAlgorithm::HS256 => {
                secret.expose_secret().as_bytes().to_vec()
            }
            _ => {
                return Err(StartError::Config(
                    "set encryption_key (HOSTPLANE_ENCRYPTION_KEY) to seal stored credentials"
                        .into(),
                ));
            }
        };
        let sealer = SecretBox::from_secret(&secret);
        let signer = UrlSigner::from_secret(&secret);
        let db = store::connect(&config.database_url)
            .await
            .map_err(|e| StartError::Database(e.to_string()))?;
        let connections = Arc::new(
            Connections::load(db.clone(), sealer, config.upstream_timeout())
                .await
                .map_err(|e| StartError::Database(e.message()))?,
        );
        for spec in &config.connections {
            upsert(&connections, spec.clone(), "config").await?;
        }
        let tasks = TaskEngine::new(
            db.clone(),
            connections.clone(),
            EngineSettings {
                poll_interval: config.poll_interval(),
                max_poll_failures: config.tasks.max_poll_failures,
                max_duration: Duration::from_secs(config.tasks.max_duration_s),
            },
        );
        let services = Arc::new(Services {
            keys: hostplane_resolvers::keywatch::KeyWatch::new(db.clone()),
            db,
            connections,
            tasks,
            signer,
            site_events: tokio::sync::broadcast::channel(256).0,
            fanout_deadline: config.fanout_deadline(),
        });
        let resumed = services
            .tasks
            .resume()
            .await
            .map_err(|e| StartError::Database(e.message()))?;
        if resumed > 0 {
            tracing::info!(resumed, "resumed unfinished tasks");
        }
        tokio::spawn(hostplane_resolvers::retention::run(
            Arc::downgrade(&services),
            config.retention(),
        ));
        let limits = SchemaLimits {
            max_depth: config.limits.max_depth,
            max_complexity: config.limits.max_complexity,
            max_aliases: config.limits.max_aliases,
            max_root_fields: config.limits.max_root_fields,
            max_tokens: config.limits.max_tokens,
            max_query_bytes: config.limits.max_query_bytes,
            introspection: config.limits.introspection,
            field_suggestions: config.limits.field_suggestions,
        };
        let schemas = build_schemas(services.clone(), &limits);
        let schema = schemas.full.clone();
        let state = AppState::new(
            schemas,
            services.clone(),
            verifier,
            HttpLimits {
                max_body_bytes: config.limits.max_body_bytes,
                max_batch: config.limits.max_batch,
                max_subscriptions_per_connection: config.limits.max_subscriptions_per_connection,
                keepalive: Duration::from_millis(config.websocket.keepalive_ms),
                init_timeout: Duration::from_millis(config.websocket.init_timeout_ms),
                connections: config.connection_limits(),
            },
            config.public_url.clone(),
            config.cors.clone(),
        );
        Ok(Gateway {
            state,
            services,
            schema,
        })
    }
}

/// Registers a connection, reporting which one failed without echoing its credentials.
pub async fn upsert(
    connections: &Connections,
    spec: ConnectionSpec,
    source: &str,
) -> Result<(), StartError> {
    let name = spec.name.clone();
    connections
        .upsert(spec, source)
        .await
        .map_err(|e| StartError::Config(format!("connection `{name}`: {}", e.message())))
}
