//! Connections as data: admin mutations that create, update, test and delete upstream accounts, and
//! the health of every connection for status pages. Credentials are write-only: they go in sealed and
//! never come back out.

use crate::{
    Services, audit,
    connections::{ConnectionSpec, Credentials, Live},
    core::ProviderConnection,
};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use hostplane_schema::{
    GatewayError, ProviderEnum,
    principal::{Scope, ScopeGuard, require},
    scalars::JsonObject,
};
use secrecy::SecretString;
use std::sync::Arc;

fn services<'a>(ctx: &'a Context<'_>) -> &'a Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>()
}

/// Credentials from a JSON object of strings (`{"token": "..."}`, `{"key": "...", "secret": "..."}`).
fn credentials(object: JsonObject) -> Result<Credentials, GatewayError> {
    object
        .0
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, SecretString::from(s))),
            _ => Err(GatewayError::Validation(format!(
                "credential `{k}` must be a string"
            ))),
        })
        .collect::<Result<_, _>>()
        .map(Credentials)
}

fn check_base_url(url: &str) -> Result<(), GatewayError> {
    if hostplane_schema::patchstack::valid_url(url) {
        Ok(())
    } else {
        Err(GatewayError::Validation(
            "baseUrl must be an http(s) URL".into(),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateConnectionInput {
    /// 1-64 letters, digits, `-` and `_`; it names the connection in GraphQL and in REST paths.
    pub name: String,
    pub provider: ProviderEnum,
    pub base_url: String,
    /// The provider's credentials: `{"token": ...}` (HosterAPI, Patchstack, Orchestrix) or
    /// `{"key": ..., "secret": ..., "product_id"?: ...}` (WPCS). Write-only.
    pub credentials: JsonObject,
}

#[derive(InputObject)]
pub struct UpdateConnectionInput {
    pub base_url: Option<String>,
    /// Credentials to replace; keys not given are kept. Write-only.
    pub credentials: Option<JsonObject>,
}

/// What one cheap upstream call said about a connection.
#[derive(SimpleObject)]
pub struct ConnectionTest {
    pub connection: String,
    /// The upstream answered.
    pub reachable: bool,
    /// The upstream took the stored credentials.
    pub authenticated: bool,
    pub latency_ms: i32,
    /// The error's stable code, when the call failed.
    pub code: Option<String>,
    pub upstream_status: Option<i32>,
}

impl From<&Live> for ProviderConnection {
    fn from(c: &Live) -> ProviderConnection {
        ProviderConnection {
            name: c.name.clone(),
            provider: c.provider.into(),
            base_url: c.base_url.clone(),
            source: c.source.clone(),
        }
    }
}

impl ConnectionTest {
    fn of(live: &Live, probe: crate::connections::Probe) -> ConnectionTest {
        ConnectionTest {
            connection: live.name.clone(),
            reachable: probe.reachable,
            authenticated: probe.authenticated,
            latency_ms: i32::try_from(probe.latency.as_millis()).unwrap_or(i32::MAX),
            code: probe.error.as_ref().map(|e| e.code().as_str().to_string()),
            upstream_status: probe
                .error
                .as_ref()
                .and_then(|e| e.upstream_status())
                .map(i32::from),
        }
    }
}

#[derive(Default)]
pub struct ConnectionQuery;

#[Object]
impl ConnectionQuery {
    /// Every connection the caller may use, probed now and concurrently (each within the upstream
    /// deadline): what a status page shows.
    async fn connection_health(&self, ctx: &Context<'_>) -> Result<Vec<ConnectionTest>> {
        let principal = require(ctx, Scope::Read)?;
        let connections = &services(ctx).connections;
        let usable: Vec<_> = connections
            .list()
            .into_iter()
            .filter(|c| principal.may_use(&c.name))
            .collect();
        let probes =
            futures_util::future::join_all(usable.iter().map(|c| connections.probe(c))).await;
        Ok(usable
            .iter()
            .zip(probes)
            .map(|(live, probe)| ConnectionTest::of(live, probe))
            .collect())
    }
}

#[derive(Default)]
pub struct ConnectionMutation;

#[Object]
impl ConnectionMutation {
    /// Adds an upstream account; its credentials are sealed at rest and never returned.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_connection(
        &self,
        ctx: &Context<'_>,
        input: CreateConnectionInput,
    ) -> Result<ProviderConnection> {
        let entry = audit::Entry::named("createConnection", Some(&input.name));
        let result = async {
            check_base_url(&input.base_url)?;
            let connections = &services(ctx).connections;
            if connections.get(&input.name).is_some() {
                return Err(GatewayError::Validation(format!(
                    "connection `{}` exists",
                    input.name
                )));
            }
            let spec = ConnectionSpec {
                name: input.name.clone(),
                provider: input.provider.into(),
                base_url: input.base_url,
                credentials: credentials(input.credentials)?,
            };
            connections.upsert(spec, "api").await?;
            let live = connections
                .get(&input.name)
                .ok_or_else(|| GatewayError::internal("created connection not registered"))?;
            Ok(ProviderConnection::from(live.as_ref()))
        }
        .await
        .map_err(async_graphql::Error::from);
        entry.record(ctx, &result).await;
        result
    }

    /// Changes a connection's base URL or credentials.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn update_connection(
        &self,
        ctx: &Context<'_>,
        name: String,
        input: UpdateConnectionInput,
    ) -> Result<ProviderConnection> {
        let entry = audit::Entry::named("updateConnection", Some(&name));
        let result = async {
            let principal = require(ctx, Scope::Admin)?;
            if !principal.may_use(&name) {
                return Err(GatewayError::NotFound(format!("connection `{name}`")));
            }
            if let Some(url) = &input.base_url {
                check_base_url(url)?;
            }
            let creds = input.credentials.map(credentials).transpose()?;
            let live = services(ctx)
                .connections
                .update(&name, input.base_url, creds)
                .await?;
            Ok(ProviderConnection::from(live.as_ref()))
        }
        .await
        .map_err(async_graphql::Error::from);
        entry.record(ctx, &result).await;
        result
    }

    /// Removes a connection; false if there was none. Its unfinished tasks fail.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn delete_connection(&self, ctx: &Context<'_>, name: String) -> Result<bool> {
        let entry = audit::Entry::named("deleteConnection", Some(&name));
        let result = async {
            let principal = require(ctx, Scope::Admin)?;
            if !principal.may_use(&name) {
                return Ok(false);
            }
            services(ctx).connections.remove(&name).await
        }
        .await
        .map_err(async_graphql::Error::from);
        entry.record(ctx, &result).await;
        result
    }

    /// Makes one cheap upstream call and reports reachability, latency and whether the credentials
    /// were accepted.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn test_connection(&self, ctx: &Context<'_>, name: String) -> Result<ConnectionTest> {
        let principal = require(ctx, Scope::Admin)?;
        let live = services(ctx)
            .connections
            .get(&name)
            .filter(|c| principal.may_use(&c.name))
            .ok_or_else(|| GatewayError::NotFound(format!("connection `{name}`")))?;
        let probe = services(ctx).connections.probe(&live).await;
        Ok(ConnectionTest {
            connection: live.name.clone(),
            reachable: probe.reachable,
            authenticated: probe.authenticated,
            latency_ms: i32::try_from(probe.latency.as_millis()).unwrap_or(i32::MAX),
            code: probe.error.as_ref().map(|e| e.code().as_str().to_string()),
            upstream_status: probe
                .error
                .as_ref()
                .and_then(|e| e.upstream_status())
                .map(i32::from),
        })
    }
}
