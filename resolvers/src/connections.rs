//! Connections: one account on one upstream (provider, name, base URL, credentials). They live in the
//! database with their credentials sealed, come from the config file, the demo or admin mutations, and
//! are kept here as ready clients. Nothing in this module logs or returns a credential.

use crate::{crypto::SecretBox, store::entities::connection};
pub use hostplane_adapters::Credentials;
use hostplane_adapters::{Provider, Upstream};
use hostplane_schema::{GatewayError, principal::Principal};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde::Deserialize;
use std::{
    collections::BTreeMap,
    sync::{Arc, RwLock},
    time::Duration,
};

/// What a connection is made of.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSpec {
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    #[serde(default)]
    pub credentials: Credentials,
}

/// A connection ready for calls.
pub struct Live {
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    /// Where the connection came from: `config`, `demo` or `api`.
    pub source: String,
    pub client: Arc<dyn Upstream>,
}

impl Live {
    /// An upstream failure at this connection.
    pub fn error(&self, source: hostplane_adapters::UpstreamError) -> GatewayError {
        GatewayError::upstream(self.provider, &self.name, source)
    }

    /// This connection's upstream answered, but not in the shape its docs give.
    pub fn malformed(&self, detail: impl std::fmt::Display) -> GatewayError {
        GatewayError::malformed(self.provider, &self.name, detail)
    }
}

/// What a cheap upstream call said about a connection.
#[derive(Debug, Clone)]
pub struct Probe {
    pub reachable: bool,
    pub authenticated: bool,
    pub latency: std::time::Duration,
    pub error: Option<hostplane_adapters::UpstreamError>,
}

pub struct Connections {
    live: RwLock<BTreeMap<String, Arc<Live>>>,
    db: DatabaseConnection,
    sealer: SecretBox,
    timeout: Duration,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn build_client(
    spec: &ConnectionSpec,
    timeout: Duration,
) -> Result<Arc<dyn Upstream>, GatewayError> {
    spec.provider
        .wire()
        .connect(&spec.base_url, &spec.credentials, timeout)
        .map_err(GatewayError::Validation)
}

impl Connections {
    /// Loads every stored connection. One that no longer decrypts (the key changed) is skipped with a
    /// warning rather than stopping the gateway.
    pub async fn load(
        db: DatabaseConnection,
        sealer: SecretBox,
        timeout: Duration,
    ) -> Result<Connections, GatewayError> {
        let rows = connection::Entity::find()
            .all(&db)
            .await
            .map_err(GatewayError::internal)?;
        let conns = Connections {
            live: RwLock::new(BTreeMap::new()),
            db,
            sealer,
            timeout,
        };
        for row in rows {
            let Some(provider) = Provider::from_key(&row.provider) else {
                tracing::warn!(connection = %row.name, "unknown provider in stored connection");
                continue;
            };
            let Some(credentials) = conns
                .sealer
                .open(&row.credentials)
                .ok()
                .and_then(|b| Credentials::from_json(&b))
            else {
                tracing::warn!(connection = %row.name, "stored credentials do not decrypt; skipped");
                continue;
            };
            let spec = ConnectionSpec {
                name: row.name,
                provider,
                base_url: row.base_url,
                credentials,
            };
            match build_client(&spec, timeout) {
                Ok(client) => conns.insert_live(&spec, &row.source, client),
                Err(e) => {
                    tracing::warn!(connection = %spec.name, error = %e.message(), "connection not loaded")
                }
            }
        }
        Ok(conns)
    }

    fn insert_live(&self, spec: &ConnectionSpec, source: &str, client: Arc<dyn Upstream>) {
        let live = Arc::new(Live {
            name: spec.name.clone(),
            provider: spec.provider,
            base_url: spec.base_url.clone(),
            source: source.to_string(),
            client,
        });
        self.live
            .write()
            .expect("connection registry lock poisoned")
            .insert(spec.name.clone(), live);
    }

    /// Creates or replaces a connection, storing its credentials sealed. `source` says where it came
    /// from (`config`, `demo`, `api`).
    pub async fn upsert(&self, spec: ConnectionSpec, source: &str) -> Result<(), GatewayError> {
        if !valid_name(&spec.name) {
            return Err(GatewayError::Validation(
                "connection names are 1-64 characters of letters, digits, `-` and `_`".into(),
            ));
        }
        let client = build_client(&spec, self.timeout)?;
        let now = chrono::Utc::now();
        let model = connection::ActiveModel {
            name: Set(spec.name.clone()),
            provider: Set(spec.provider.key().to_string()),
            base_url: Set(spec.base_url.clone()),
            credentials: Set(self.sealer.seal(spec.credentials.to_json().as_bytes())),
            source: Set(source.to_string()),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let exists = connection::Entity::find_by_id(spec.name.clone())
            .one(&self.db)
            .await
            .map_err(GatewayError::internal)?;
        if let Some(old) = exists {
            let mut model = model;
            model.created_at = Set(old.created_at);
            model
                .update(&self.db)
                .await
                .map_err(GatewayError::internal)?;
        } else {
            model
                .insert(&self.db)
                .await
                .map_err(GatewayError::internal)?;
        }
        self.insert_live(&spec, source, client);
        Ok(())
    }

    /// Changes a stored connection's base URL and/or credentials (a credential not given is kept).
    pub async fn update(
        &self,
        name: &str,
        base_url: Option<String>,
        credentials: Option<Credentials>,
    ) -> Result<Arc<Live>, GatewayError> {
        let row = connection::Entity::find_by_id(name.to_string())
            .one(&self.db)
            .await
            .map_err(GatewayError::internal)?
            .ok_or_else(|| GatewayError::NotFound(format!("connection `{name}`")))?;
        let provider = Provider::from_key(&row.provider)
            .ok_or_else(|| GatewayError::internal("unknown provider in stored connection"))?;
        let mut merged = self
            .sealer
            .open(&row.credentials)
            .ok()
            .and_then(|b| Credentials::from_json(&b))
            .ok_or_else(|| GatewayError::internal("stored credentials do not decrypt"))?;
        if let Some(new) = credentials {
            merged.0.extend(new.0);
        }
        let spec = ConnectionSpec {
            name: name.to_string(),
            provider,
            base_url: base_url.unwrap_or(row.base_url),
            credentials: merged,
        };
        self.upsert(spec, "api").await?;
        self.get(name)
            .ok_or_else(|| GatewayError::internal("updated connection not registered"))
    }

    /// Deletes a connection; `false` if there was none. Its unfinished tasks fail at their next poll.
    pub async fn remove(&self, name: &str) -> Result<bool, GatewayError> {
        let deleted = connection::Entity::delete_by_id(name.to_string())
            .exec(&self.db)
            .await
            .map_err(GatewayError::internal)?
            .rows_affected
            > 0;
        let live = self
            .live
            .write()
            .expect("connection registry lock poisoned")
            .remove(name);
        Ok(deleted || live.is_some())
    }

    /// One cheap upstream call: is the upstream there, and does it take the stored credentials?
    pub async fn probe(&self, live: &Live) -> Probe {
        let started = std::time::Instant::now();
        let result = live
            .client
            .call(
                hostplane_adapters::Method::Get,
                live.provider.wire().probe(),
                None,
            )
            .await;
        let latency = started.elapsed();
        use hostplane_adapters::{ErrorCode, UpstreamError};
        let found_nothing = matches!(
            &result,
            Err(UpstreamError::Rejected {
                code: ErrorCode::NotFound,
                ..
            })
        ) && live.provider.wire().probe_finds_nothing();
        match result {
            _ if found_nothing => Probe {
                reachable: true,
                authenticated: true,
                latency,
                error: None,
            },
            Ok(_) => Probe {
                reachable: true,
                authenticated: true,
                latency,
                error: None,
            },
            Err(e) => {
                let (reachable, authenticated) = match &e {
                    UpstreamError::Unavailable { .. } | UpstreamError::Timeout(_) => (false, false),
                    UpstreamError::Malformed { .. } => (true, false),
                    UpstreamError::Rejected { code, .. } => {
                        (true, *code != ErrorCode::UpstreamUnauthorized)
                    }
                };
                Probe {
                    reachable,
                    authenticated,
                    latency,
                    error: Some(e),
                }
            }
        }
    }

    /// The seal of stored secrets (credentials here, webhook secrets elsewhere).
    pub fn sealer(&self) -> &SecretBox {
        &self.sealer
    }

    pub fn get(&self, name: &str) -> Option<Arc<Live>> {
        self.live
            .read()
            .expect("connection registry lock poisoned")
            .get(name)
            .cloned()
    }

    pub fn list(&self) -> Vec<Arc<Live>> {
        self.live
            .read()
            .expect("connection registry lock poisoned")
            .values()
            .cloned()
            .collect()
    }

    /// The connection a call goes to: the named one, or the only one of the provider the principal may
    /// use. Connections the principal may not use are reported as not found, so names don't leak.
    pub fn resolve(
        &self,
        principal: &Principal,
        provider: Provider,
        name: Option<&str>,
    ) -> Result<Arc<Live>, GatewayError> {
        match name {
            Some(name) => self
                .get(name)
                .filter(|c| c.provider == provider && principal.may_use(&c.name))
                .ok_or_else(|| GatewayError::NotFound(format!("{provider} connection `{name}`"))),
            None => {
                let mut usable: Vec<_> = self
                    .list()
                    .into_iter()
                    .filter(|c| c.provider == provider && principal.may_use(&c.name))
                    .collect();
                match usable.len() {
                    1 => Ok(usable.remove(0)),
                    0 => Err(GatewayError::NotFound(format!("{provider} connection"))),
                    _ => Err(GatewayError::Validation(format!(
                        "several {provider} connections exist: name one with `connection`"
                    ))),
                }
            }
        }
    }
}
