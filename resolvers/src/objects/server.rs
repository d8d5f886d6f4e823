//! `Server`: a machine at any provider (HosterAPI VMs and dedicated servers, PanelAlpha's hosting
//! servers), with a global ID, the upstream's own ID, and its live state read on demand.

use super::Instance;
use crate::call::UpstreamCall;
use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject};
use hostplane_adapters::Provider;
use hostplane_schema::{GatewayError, GlobalId, ProviderEnum};
use serde_json::Value;

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// A virtual machine.
    Vm,
    /// A dedicated (bare-metal) server.
    Dedicated,
    /// A hosting panel's server (cPanel, Plesk, ...) that a hosting control panel deploys to.
    HostingPanel,
}

impl ServerKind {
    /// A server's kind and upstream ID from the local part of its global ID (`vm:4001`).
    pub fn parse(local: &str) -> Option<(ServerKind, &str)> {
        let (kind, id) = local.split_once(':')?;
        let kind = match kind {
            "vm" => ServerKind::Vm,
            "dedicated" => ServerKind::Dedicated,
            "panel" => ServerKind::HostingPanel,
            _ => return None,
        };
        Some((kind, id))
    }

    fn key(self) -> &'static str {
        match self {
            ServerKind::Vm => "vm",
            ServerKind::Dedicated => "dedicated",
            ServerKind::HostingPanel => "panel",
        }
    }
}

fn global_id(connection: &str, kind: ServerKind, server_id: &str) -> GlobalId {
    GlobalId::new("Server", connection, format!("{}:{server_id}", kind.key()))
}

/// A group of servers a server is in (a hosting panel's server group).
#[derive(SimpleObject, Debug, Clone)]
pub struct ServerGroup {
    /// The upstream's own ID of the group.
    pub group_id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub provider: Provider,
    pub connection: String,
    pub kind: ServerKind,
    pub server_id: String,
    pub order_complete: Option<bool>,
    /// The power state, when a list already read it (a `status` filter does).
    pub known_state: Option<String>,
    /// The upstream object as received (for a HosterAPI VM list, the bare ID).
    pub raw: Value,
    /// The groups it is in, where its provider groups servers.
    pub groups: Vec<ServerGroup>,
    id: ID,
}

impl Server {
    pub fn new(
        provider: Provider,
        connection: &str,
        kind: ServerKind,
        server_id: impl ToString,
        raw: Value,
    ) -> Server {
        let server_id = server_id.to_string();
        let id = global_id(connection, kind, &server_id).into();
        Server {
            provider,
            connection: connection.to_string(),
            kind,
            server_id,
            order_complete: None,
            known_state: None,
            raw,
            groups: Vec::new(),
            id,
        }
    }

    pub fn global_id(&self) -> GlobalId {
        global_id(&self.connection, self.kind, &self.server_id)
    }

    /// The server a global ID names, or `None` if the ID is not a server's.
    pub fn from_global(id: &GlobalId, provider: Provider) -> Option<Server> {
        let (kind, local) = ServerKind::parse(&id.local)?;
        Some(Server::new(
            provider,
            &id.connection,
            kind,
            local,
            Value::Null,
        ))
    }

    /// Where its provider reads this kind of server's state.
    fn status_path(&self) -> Result<String, GatewayError> {
        let states = crate::roles(self.provider).server_state;
        let read = states
            .iter()
            .find(|(kind, _)| *kind == self.kind)
            .map(|(_, read)| read);
        read.ok_or_else(|| {
            GatewayError::Unsupported(format!("the state of a {:?} server", self.kind))
        })?
        .path(&self.server_id)
    }

    /// The state a status answer gives: a machine's `state`, or a hosting server's `status`.
    pub fn state_of(status: &Value) -> Option<String> {
        let state = status.get("state").or_else(|| status.get("status"));
        state.and_then(Value::as_str).map(str::to_string)
    }

    /// Reads the live status from the upstream (a hosting panel's server: the server itself).
    pub async fn fetch_status(&self, ctx: &Context<'_>) -> Result<Value, GatewayError> {
        super::fetch(ctx, self.provider, &self.connection, &self.status_path()?).await
    }
}

#[Object]
impl Server {
    pub async fn id(&self) -> &ID {
        &self.id
    }

    async fn provider(&self) -> ProviderEnum {
        self.provider.into()
    }

    /// The connection (upstream account) the server belongs to.
    async fn connection(&self) -> &str {
        &self.connection
    }

    async fn kind(&self) -> ServerKind {
        self.kind
    }

    /// The upstream's own ID of the server.
    async fn server_id(&self) -> &str {
        &self.server_id
    }

    /// For dedicated servers: whether the upstream finished the order.
    async fn order_complete(&self) -> Option<bool> {
        self.order_complete
    }

    /// Live power state (`running`, `stopped`, `halted`, ...) as the upstream reports it, or a
    /// hosting server's `status`; one upstream call per server when selected.
    async fn state(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if let Some(state) = &self.known_state {
            return Ok(Some(state.clone()));
        }
        Ok(Server::state_of(&self.fetch_status(ctx).await?))
    }

    /// The groups the server is in (a hosting panel's server groups); empty where its provider
    /// has none.
    async fn groups(&self) -> &[ServerGroup] {
        &self.groups
    }

    /// The accounts a hosting server holds, as it reports them (one upstream call when selected);
    /// null where the provider has no such list.
    async fn accounts(&self, ctx: &Context<'_>) -> Result<Option<Json<Value>>> {
        let Some(read) = &crate::roles(self.provider).server_accounts else {
            return Ok(None);
        };
        let path = read.path(&self.server_id)?;
        let accounts = super::fetch(ctx, self.provider, &self.connection, &path).await?;
        Ok(Some(Json(accounts)))
    }

    /// The instances on a hosting server (one upstream call when selected); empty where the
    /// provider has no such list.
    async fn instances(&self, ctx: &Context<'_>) -> Result<Vec<Instance>> {
        match crate::roles(self.provider).server_instances {
            Some(list) => Ok(list(ctx, self).await?),
            None => Ok(Vec::new()),
        }
    }

    /// The upstream object as received; secrets in it (a hosting server's `connection_config`)
    /// are shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        super::redacted_raw(ctx, self.provider, &self.raw)
    }
}

hostplane_schema::raw_reply!(Server);

impl UpstreamCall {
    /// The server named by this call's `sid` path parameter.
    pub fn server(&self, kind: ServerKind) -> Option<Server> {
        self.params.get("sid").map(|sid| {
            Server::new(
                self.endpoint.provider,
                &self.connection.name,
                kind,
                sid,
                Value::Null,
            )
        })
    }
}
