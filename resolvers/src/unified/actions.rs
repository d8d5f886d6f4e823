//! Unified actions: one mutation per meaning (start a server, delete a site, take a snapshot, ...)
//! acting on a global ID whatever its provider. Each runs the provider's own declared operation, so
//! its validation, audit row and Task are exactly those of calling that operation by name. Where the
//! upstream has no such operation the answer is `UNSUPPORTED`, naming the provider, and nothing is
//! called.

use crate::{
    audit,
    call::UpstreamCall,
    endpoint::{Endpoint, find, upstream_body},
    hosterapi,
    objects::{ActionPayload, Server, ServerActionPayload, ServerKind, TaskPayload},
    orchestrix, patchstack,
    unified::services,
    wpcs,
};
use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError, GlobalId,
    hosterapi::HosterapiDeleteServerInput,
    orchestrix::OrchestrixCreateSnapshotInput,
    principal::{Scope, require},
    task::Task,
};
use serde_json::Value;

/// What a unified action did.
#[derive(SimpleObject, Debug, Clone)]
pub struct UnifiedActionPayload {
    /// Whether the upstream reported success (for background work: that it accepted it).
    pub ok: bool,
    /// The provider operation that ran, as its GraphQL field (`hosterapiStartServer`).
    pub operation: String,
    /// Global ID of the object acted on.
    pub subject_id: ID,
    /// The task following the work, when the upstream runs it in the background.
    pub task: Option<Task>,
    /// The upstream's answer as received.
    pub raw: Json<Value>,
}

trait IntoUnified {
    fn into_unified(self, operation: String, subject: &ID) -> UnifiedActionPayload;
}

impl IntoUnified for ServerActionPayload {
    fn into_unified(self, operation: String, subject: &ID) -> UnifiedActionPayload {
        UnifiedActionPayload {
            ok: self.ok,
            operation,
            subject_id: subject.clone(),
            task: None,
            raw: self.raw,
        }
    }
}

impl IntoUnified for ActionPayload {
    fn into_unified(self, operation: String, subject: &ID) -> UnifiedActionPayload {
        UnifiedActionPayload {
            ok: self.ok,
            operation,
            subject_id: subject.clone(),
            task: None,
            raw: self.raw,
        }
    }
}

impl IntoUnified for TaskPayload {
    fn into_unified(self, operation: String, subject: &ID) -> UnifiedActionPayload {
        UnifiedActionPayload {
            ok: !self.task.status.is_terminal()
                || self.task.status == hostplane_schema::task::TaskStatus::Succeeded,
            operation,
            subject_id: subject.clone(),
            task: Some(self.task),
            raw: self.raw,
        }
    }
}

/// Runs one declared operation on `connection` as its own mutation field would: scope check,
/// parameters, body, conversion and audit row.
macro_rules! dispatch {
    ($ctx:expr, $table:expr, $name:literal, $connection:expr, $subject:expr,
     [$(($param:literal, $value:expr)),*], $body:expr, $conv:path) => {{
        let endpoint: &'static Endpoint = find($table, $name);
        let mut entry = audit::Entry::new(endpoint, Some($connection));
        let result: Result<UnifiedActionPayload> = async {
            let mut call = UpstreamCall::begin($ctx, endpoint, Some($connection))?;
            $( call.path_param($param, &$value); )*
            call.body = $body;
            entry.target(&call);
            let payload = $conv($ctx, &call).await?;
            Ok(payload.into_unified(endpoint.field(), $subject))
        }
        .await;
        entry.record($ctx, &result).await;
        result
    }};
}

/// The object a global ID names, at a connection the caller may use.
struct Target {
    gid: GlobalId,
    provider: Provider,
}

fn target(ctx: &Context<'_>, id: &ID, kinds: &[&str]) -> Result<Target, GatewayError> {
    let principal = require(ctx, Scope::Write)?;
    let gid = GlobalId::decode(id)
        .filter(|g| kinds.contains(&g.kind.as_str()))
        .ok_or_else(|| {
            GatewayError::Validation(format!(
                "`{}` is not the ID of a {}",
                id.as_str(),
                kinds.join(" or ")
            ))
        })?;
    let live = services(ctx)
        .connections
        .get(&gid.connection)
        .filter(|c| principal.may_use(&c.name))
        .ok_or_else(|| GatewayError::NotFound(format!("connection `{}`", gid.connection)))?;
    Ok(Target {
        gid,
        provider: live.provider,
    })
}

fn server(ctx: &Context<'_>, id: &ID) -> Result<Server, GatewayError> {
    let t = target(ctx, id, &["Server"])?;
    Server::from_global(&t.gid, t.provider)
        .ok_or_else(|| GatewayError::Validation(format!("`{}` is not a server ID", id.as_str())))
}

fn unsupported(provider: Provider, what: &str) -> async_graphql::Error {
    GatewayError::Unsupported(format!("{provider} cannot {what}")).into()
}

#[derive(Default)]
pub struct UnifiedMutation;

#[Object]
impl UnifiedMutation {
    /// Powers a server on.
    async fn start_server(&self, ctx: &Context<'_>, id: ID) -> Result<UnifiedActionPayload> {
        let s = server(ctx, &id)?;
        let (conn, sid) = (s.connection.as_str(), s.server_id.clone());
        match s.kind {
            ServerKind::Vm => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_start_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::vm_action
            ),
            ServerKind::Dedicated => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_start_dedicated_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::dedicated_action
            ),
        }
    }

    /// Stops a server: gracefully, or at once with `force`.
    async fn stop_server(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] force: bool,
    ) -> Result<UnifiedActionPayload> {
        let s = server(ctx, &id)?;
        let (conn, sid) = (s.connection.as_str(), s.server_id.clone());
        match (s.kind, force) {
            (ServerKind::Vm, false) => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_shutdown_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::vm_action
            ),
            (ServerKind::Vm, true) => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_stop_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::vm_action
            ),
            (ServerKind::Dedicated, false) => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_shutdown_dedicated_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::dedicated_action
            ),
            (ServerKind::Dedicated, true) => {
                Err(unsupported(s.provider, "force-stop a dedicated server"))
            }
        }
    }

    /// Restarts a server: gracefully, or at once with `force`.
    async fn reboot_server(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] force: bool,
    ) -> Result<UnifiedActionPayload> {
        let s = server(ctx, &id)?;
        let (conn, sid) = (s.connection.as_str(), s.server_id.clone());
        match (s.kind, force) {
            (ServerKind::Vm, false) => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_reboot_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::vm_action
            ),
            (ServerKind::Vm, true) => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_force_reboot_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::vm_action
            ),
            (ServerKind::Dedicated, false) => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_reboot_dedicated_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::dedicated_action
            ),
            (ServerKind::Dedicated, true) => {
                Err(unsupported(s.provider, "force-reboot a dedicated server"))
            }
        }
    }

    /// Deletes a server: removes a VM (`force` even while it runs) or terminates a dedicated
    /// server at once.
    async fn delete_server(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] force: bool,
    ) -> Result<UnifiedActionPayload> {
        let s = server(ctx, &id)?;
        let (conn, sid) = (s.connection.as_str(), s.server_id.clone());
        match s.kind {
            ServerKind::Vm => {
                let input = HosterapiDeleteServerInput {
                    force: force.then_some(true),
                };
                dispatch!(
                    ctx,
                    hosterapi::HOSTERAPI_ENDPOINTS,
                    "hosterapi_delete_server",
                    conn,
                    &id,
                    [("sid", sid)],
                    upstream_body(&input)?,
                    hosterapi::vm_action
                )
            }
            ServerKind::Dedicated => dispatch!(
                ctx,
                hosterapi::HOSTERAPI_ENDPOINTS,
                "hosterapi_terminate_dedicated_server",
                conn,
                &id,
                [("sid", sid)],
                None,
                hosterapi::dedicated_action
            ),
        }
    }

    /// Deletes a site: a Patchstack site, an Orchestrix site, or a WPCS tenant (background work,
    /// followed by the returned task). Takes a `Site` or a `Tenant` ID.
    async fn delete_site(&self, ctx: &Context<'_>, id: ID) -> Result<UnifiedActionPayload> {
        let t = target(ctx, &id, &["Site", "Tenant"])?;
        let (conn, local) = (t.gid.connection.as_str(), t.gid.local.clone());
        match t.provider {
            Provider::Patchstack => dispatch!(
                ctx,
                patchstack::PATCHSTACK_ENDPOINTS,
                "patchstack_delete_site",
                conn,
                &id,
                [("siteid", local)],
                None,
                patchstack::site_deleted
            ),
            Provider::Orchestrix => dispatch!(
                ctx,
                orchestrix::ORCHESTRIX_ENDPOINTS,
                "orchestrix_delete_site",
                conn,
                &id,
                [("id", local)],
                None,
                orchestrix::deleted
            ),
            Provider::Wpcs => dispatch!(
                ctx,
                wpcs::WPCS_ENDPOINTS,
                "wpcs_delete_tenant",
                conn,
                &id,
                [("tenantId", local)],
                None,
                wpcs::tenant_removal
            ),
            other => Err(unsupported(other, "delete sites")),
        }
    }

    /// Takes a snapshot: of an Orchestrix site, or a backup of a HosterAPI VM; both run in the
    /// background and are followed by the returned task.
    async fn create_snapshot(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(validator(max_length = 500))] description: Option<String>,
    ) -> Result<UnifiedActionPayload> {
        let t = target(ctx, &id, &["Site", "Tenant", "Server"])?;
        let (conn, local) = (t.gid.connection.as_str(), t.gid.local.clone());
        match (t.provider, t.gid.kind.as_str()) {
            (Provider::Orchestrix, "Site") => {
                let input = OrchestrixCreateSnapshotInput { description };
                dispatch!(
                    ctx,
                    orchestrix::ORCHESTRIX_ENDPOINTS,
                    "orchestrix_create_snapshot",
                    conn,
                    &id,
                    [("site_id", local)],
                    upstream_body(&input)?,
                    orchestrix::snapshot_task
                )
            }
            (Provider::Hosterapi, "Server") => {
                let s = server(ctx, &id)?;
                if s.kind == ServerKind::Dedicated {
                    return Err(unsupported(t.provider, "back up a dedicated server"));
                }
                if description.is_some() {
                    return Err(GatewayError::Validation(
                        "hosterapi backups take no description".into(),
                    )
                    .into());
                }
                dispatch!(
                    ctx,
                    hosterapi::HOSTERAPI_ENDPOINTS,
                    "hosterapi_create_server_backup",
                    conn,
                    &id,
                    [("sid", s.server_id.clone())],
                    None,
                    hosterapi::backup_task
                )
            }
            (Provider::Wpcs, _) => Err(unsupported(
                t.provider,
                "snapshot a tenant (its snapshots are taken of versions)",
            )),
            (other, _) => Err(unsupported(other, "take snapshots")),
        }
    }

    /// Cancels a task's upstream work. None of the connected upstreams can stop work once
    /// accepted (HosterAPI jobs, Orchestrix snapshots and pipelines, WPCS scheduled writes), so
    /// for their tasks this answers `UNSUPPORTED`, and the task goes on being followed.
    async fn cancel_task(&self, ctx: &Context<'_>, id: ID) -> Result<UnifiedActionPayload> {
        let principal = require(ctx, Scope::Write)?;
        let local = GlobalId::decode(&id)
            .filter(|g| g.kind == "Task")
            .map(|g| g.local)
            .unwrap_or_else(|| id.to_string());
        let task = services(ctx)
            .tasks
            .get(&local)
            .await?
            .filter(|t| principal.may_use(&t.connection))
            .ok_or_else(|| GatewayError::NotFound(format!("task {}", id.as_str())))?;
        if task.status.is_terminal() {
            return Err(GatewayError::Validation(format!(
                "task {} already ended ({})",
                task.task_id,
                task.status.as_str()
            ))
            .into());
        }
        let provider: Provider = task.provider.into();
        Err(unsupported(provider, "cancel work it has accepted"))
    }
}
