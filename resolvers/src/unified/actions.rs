//! Unified actions: one mutation per meaning (start a server, delete a site, take a snapshot, ...)
//! acting on a global ID whatever its provider. Each first makes a `Plan` from the ID alone (which
//! provider operation, with which parameters), then runs that operation as its own field would: its
//! scope check, validation, audit row and Task. An ID of the wrong kind is `VALIDATION`; where the
//! upstream has no such operation the answer is `UNSUPPORTED`, naming the provider. Either way
//! nothing is called upstream, and the refusal is audited under the unified mutation's name.

use crate::{
    audit,
    call::UpstreamCall,
    endpoint::{Endpoint, upstream_body},
    hosterapi,
    objects::{ActionPayload, ServerActionPayload, ServerKind, TaskPayload},
    orchestrix, panelalpha, patchstack,
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

impl IntoUnified for hostplane_schema::generic::ActionResult {
    fn into_unified(self, operation: String, subject: &ID) -> UnifiedActionPayload {
        UnifiedActionPayload {
            ok: self.ok,
            operation,
            subject_id: subject.clone(),
            task: None,
            raw: Json(self.raw),
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
    // A customer's action on what the plan has found to be its own, through an operator endpoint.
    (on_behalf: $($rest:tt)*) => { dispatch!(@begin begin_on_behalf, $($rest)*) };
    (@begin $begin:ident, $ctx:expr, $endpoint:expr, $connection:expr, $subject:expr,
     [$(($param:literal, $value:expr)),*], $body:expr, $conv:path) => {{
        let endpoint: &'static Endpoint = $endpoint;
        let mut entry = audit::Entry::new(endpoint, Some($connection));
        let result: Result<UnifiedActionPayload> = async {
            let mut call = UpstreamCall::$begin($ctx, endpoint, Some($connection))?;
            $( call.path_param($param, &$value)?; )*
            call.body = $body;
            entry.target(&call);
            let payload = $conv($ctx, &call).await?;
            Ok(payload.into_unified(endpoint.field(), $subject))
        }
        .await;
        entry.record($ctx, &result).await;
        result
    }};
    ($($rest:tt)*) => { dispatch!(@begin begin, $($rest)*) };
}

/// What a unified action will run: the provider operation, its connection and its parameters.
enum Plan {
    /// A HosterAPI VM operation (`vm_action`), with its body.
    Vm(&'static Endpoint, i32, Option<Value>),
    /// A HosterAPI dedicated-server operation (`dedicated_action`).
    Dedicated(&'static Endpoint, i32),
    VmBackup(i32),
    PatchstackDeleteSite(i32),
    OrchestrixDeleteSite(String),
    OrchestrixSnapshot(String, Option<Value>),
    WpcsDeleteTenant(String),
    PanelalphaDeleteInstance(i32),
    /// A backup of a PanelAlpha instance's WordPress, made as its owner, with its note.
    PanelalphaBackup(i32, Option<Value>),
    /// One of PanelAlpha's own tasks, which it can cancel.
    PanelalphaCancelTask(u64),
}

/// Runs a plan on `connection`, or records and returns the refusal that replaced it.
async fn run(
    ctx: &Context<'_>,
    operation: &str,
    id: &ID,
    planned: Result<(String, Plan), GatewayError>,
) -> Result<UnifiedActionPayload> {
    let (conn, plan) = match planned {
        Ok(planned) => planned,
        Err(e) => {
            let refused: Result<()> = Err(e.clone().into());
            audit::Entry::named(operation, None)
                .record(ctx, &refused)
                .await;
            return Err(e.into());
        }
    };
    let conn = conn.as_str();
    match plan {
        Plan::Vm(name, sid, body) => {
            dispatch!(
                ctx,
                name,
                conn,
                id,
                [("sid", sid)],
                body,
                hosterapi::vm_action
            )
        }
        Plan::Dedicated(name, sid) => dispatch!(
            ctx,
            name,
            conn,
            id,
            [("sid", sid)],
            None,
            hosterapi::dedicated_action
        ),
        Plan::VmBackup(sid) => dispatch!(
            ctx,
            &hosterapi::ENDPOINTS.hosterapi_create_server_backup,
            conn,
            id,
            [("sid", sid)],
            None,
            hosterapi::backup_task
        ),
        Plan::PatchstackDeleteSite(siteid) => dispatch!(
            ctx,
            &patchstack::ENDPOINTS.patchstack_delete_site,
            conn,
            id,
            [("siteid", siteid)],
            None,
            patchstack::site_deleted
        ),
        Plan::OrchestrixDeleteSite(site) => dispatch!(
            ctx,
            &orchestrix::ENDPOINTS.orchestrix_delete_site,
            conn,
            id,
            [("id", site)],
            None,
            orchestrix::deleted
        ),
        Plan::OrchestrixSnapshot(site, body) => dispatch!(
            ctx,
            &orchestrix::ENDPOINTS.orchestrix_create_snapshot,
            conn,
            id,
            [("site_id", site)],
            body,
            orchestrix::snapshot_task
        ),
        Plan::PanelalphaDeleteInstance(instance) => dispatch!(
            ctx,
            &panelalpha::INSTANCES.panelalpha_delete_instance,
            conn,
            id,
            [("id", instance)],
            None,
            crate::call::done
        ),
        Plan::PanelalphaBackup(instance, body) => {
            // As `dispatch!`, acting upstream as the instance's owner.
            let endpoint: &'static Endpoint = &panelalpha::BACKUPS.panelalpha_create_my_backup;
            let mut entry = audit::Entry::new(endpoint, Some(conn));
            let result: Result<UnifiedActionPayload> = async {
                let mut call = UpstreamCall::begin(ctx, endpoint, Some(conn))?;
                call.path_param("id", &instance)?;
                panelalpha::act_as_owner(ctx, &mut call, instance).await?;
                call.body = body;
                entry.target(&call);
                let payload = panelalpha::backup_task(ctx, &call).await?;
                Ok(payload.into_unified(endpoint.field(), id))
            }
            .await;
            entry.record(ctx, &result).await;
            result
        }
        Plan::PanelalphaCancelTask(task) => dispatch!(
            on_behalf: ctx,
            &panelalpha::TASKS.panelalpha_cancel_task,
            conn,
            id,
            [("id", task as i64)],
            None,
            crate::call::done
        ),
        Plan::WpcsDeleteTenant(tenant) => dispatch!(
            ctx,
            &wpcs::ENDPOINTS.wpcs_delete_tenant,
            conn,
            id,
            [("tenantId", tenant)],
            None,
            wpcs::tenant_removal
        ),
    }
}

/// The object a global ID names: its kind, connection, provider and upstream ID. Write scope is
/// checked first, so a read-only caller learns nothing about the ID.
struct Target {
    kind: String,
    connection: String,
    provider: Provider,
    local: String,
}

fn not_an_id(id: &ID, what: &str) -> GatewayError {
    GatewayError::Validation(format!("`{}` is not the ID of {what}", id.as_str()))
}

fn target(ctx: &Context<'_>, id: &ID) -> Result<Target, GatewayError> {
    let principal = require(ctx, Scope::Write)?;
    let gid = GlobalId::decode(id).ok_or_else(|| not_an_id(id, "anything"))?;
    let live = services(ctx)
        .connections
        .get(&gid.connection)
        .filter(|c| principal.may_use(&c.name))
        .ok_or_else(|| GatewayError::NotFound(format!("connection `{}`", gid.connection)))?;
    Ok(Target {
        kind: gid.kind,
        connection: gid.connection,
        provider: live.provider,
        local: gid.local,
    })
}

/// An upstream ID the operation takes as an integer (HosterAPI's `sid`, Patchstack's `siteid`).
fn integer(id: &ID, local: &str) -> Result<i32, GatewayError> {
    local
        .parse()
        .map_err(|_| not_an_id(id, "an object of its provider"))
}

/// A server to act on: its connection, provider, kind and upstream ID. What a kind cannot do is
/// `power_operation`'s to say.
fn server(ctx: &Context<'_>, id: &ID) -> Result<(String, Provider, ServerKind, i32), GatewayError> {
    let t = target(ctx, id)?;
    let parsed = (t.kind == "Server")
        .then(|| ServerKind::parse(&t.local))
        .flatten();
    match (t.provider, parsed) {
        (Provider::Hosterapi, Some((kind @ (ServerKind::Vm | ServerKind::Dedicated), local)))
        | (Provider::Panelalpha, Some((kind @ ServerKind::HostingPanel, local))) => {
            Ok((t.connection, t.provider, kind, integer(id, local)?))
        }
        _ => Err(not_an_id(id, "a server")),
    }
}

fn unsupported(provider: Provider, what: &str) -> GatewayError {
    GatewayError::Unsupported(format!("{provider} cannot {what}"))
}

#[derive(Debug, Clone, Copy)]
enum Power {
    Start,
    Stop,
    Reboot,
    Delete,
}

/// The HosterAPI operation of a power action on a kind of server, or what it cannot do.
fn power_operation(
    power: Power,
    kind: ServerKind,
    force: bool,
) -> Result<&'static Endpoint, &'static str> {
    use {Power::*, ServerKind::*};
    let e = &hosterapi::ENDPOINTS;
    Ok(match (power, kind, force) {
        (Start, Vm, _) => &e.hosterapi_start_server,
        (Start, Dedicated, _) => &e.hosterapi_start_dedicated_server,
        (Stop, Vm, false) => &e.hosterapi_shutdown_server,
        (Stop, Vm, true) => &e.hosterapi_stop_server,
        (Stop, Dedicated, false) => &e.hosterapi_shutdown_dedicated_server,
        (Stop, Dedicated, true) => return Err("force-stop a dedicated server"),
        (Reboot, Vm, false) => &e.hosterapi_reboot_server,
        (Reboot, Vm, true) => &e.hosterapi_force_reboot_server,
        (Reboot, Dedicated, false) => &e.hosterapi_reboot_dedicated_server,
        (Reboot, Dedicated, true) => return Err("force-reboot a dedicated server"),
        // A VM's delete takes `force` in its body; terminating a dedicated server is immediate.
        (Delete, Vm, _) => &e.hosterapi_delete_server,
        (Delete, Dedicated, _) => &e.hosterapi_terminate_dedicated_server,
        (_, HostingPanel, _) => return Err("power a hosting server"),
    })
}

fn plan_power(
    ctx: &Context<'_>,
    id: &ID,
    power: Power,
    force: bool,
) -> Result<(String, Plan), GatewayError> {
    let (conn, provider, kind, sid) = server(ctx, id)?;
    let name = power_operation(power, kind, force).map_err(|what| unsupported(provider, what))?;
    let plan = match (power, kind) {
        (Power::Delete, ServerKind::Vm) => {
            let input = HosterapiDeleteServerInput {
                force: force.then_some(true),
            };
            Plan::Vm(name, sid, upstream_body(name, &input)?)
        }
        (_, ServerKind::Vm) => Plan::Vm(name, sid, None),
        // `power_operation` refused a hosting server already.
        (_, ServerKind::Dedicated | ServerKind::HostingPanel) => Plan::Dedicated(name, sid),
    };
    Ok((conn, plan))
}

fn plan_delete_site(ctx: &Context<'_>, id: &ID) -> Result<(String, Plan), GatewayError> {
    let t = target(ctx, id)?;
    let plan = match (t.provider, t.kind.as_str()) {
        (Provider::Patchstack, "Site") => Plan::PatchstackDeleteSite(integer(id, &t.local)?),
        (Provider::Orchestrix, "Site") => Plan::OrchestrixDeleteSite(t.local),
        (Provider::Wpcs, "Site" | "Tenant") => Plan::WpcsDeleteTenant(t.local),
        // A PanelAlpha site is its instance: deleting it archives the instance.
        (Provider::Panelalpha, "Site" | "Instance") => {
            Plan::PanelalphaDeleteInstance(integer(id, &t.local)?)
        }
        _ => return Err(not_an_id(id, "a site or a tenant")),
    };
    Ok((t.connection, plan))
}

fn plan_snapshot(
    ctx: &Context<'_>,
    id: &ID,
    description: Option<String>,
) -> Result<(String, Plan), GatewayError> {
    let t = target(ctx, id)?;
    let plan = match (t.provider, t.kind.as_str()) {
        (Provider::Orchestrix, "Site") => {
            let input = OrchestrixCreateSnapshotInput { description };
            Plan::OrchestrixSnapshot(
                t.local,
                upstream_body(&orchestrix::ENDPOINTS.orchestrix_create_snapshot, &input)?,
            )
        }
        (Provider::Hosterapi, "Server") => {
            let (_, _, kind, sid) = server(ctx, id)?;
            if kind == ServerKind::Dedicated {
                return Err(unsupported(t.provider, "back up a dedicated server"));
            }
            if description.is_some() {
                return Err(GatewayError::Validation(
                    "hosterapi backups take no description".into(),
                ));
            }
            Plan::VmBackup(sid)
        }
        (Provider::Wpcs, "Site" | "Tenant") => {
            return Err(unsupported(
                t.provider,
                "snapshot a tenant (its snapshots are taken of versions)",
            ));
        }
        (Provider::Patchstack, "Site") => return Err(unsupported(t.provider, "take snapshots")),
        (Provider::Panelalpha, "Server") => {
            return Err(unsupported(t.provider, "back up a hosting server"));
        }
        // A PanelAlpha site is its instance: its snapshot is a WordPress backup, the description
        // its note.
        (Provider::Panelalpha, "Site" | "Instance") => {
            let note = description.map(|d| serde_json::json!({ "backupNote": d }));
            Plan::PanelalphaBackup(integer(id, &t.local)?, note)
        }
        _ => return Err(not_an_id(id, "a site, a tenant or a server")),
    };
    Ok((t.connection, plan))
}

/// A task's cancel: PanelAlpha cancels its own tasks (the Task's watcher then sees it canceled); no
/// other connected upstream can stop work it has accepted.
async fn plan_cancel(ctx: &Context<'_>, id: &ID) -> Result<(String, Plan), GatewayError> {
    let principal = require(ctx, Scope::Write)?;
    let local = match GlobalId::decode(id) {
        Some(g) if g.kind == "Task" => g.local,
        Some(_) => return Err(not_an_id(id, "a task")),
        None => id.to_string(),
    };
    let tasks = &services(ctx).tasks;
    let task = tasks.get(&local).await?.filter(|t| t.visible_to(principal));
    match task {
        None => Err(GatewayError::NotFound(format!("task {}", id.as_str()))),
        Some(t) if t.status.is_terminal() => Err(GatewayError::Validation(format!(
            "task {} already ended ({})",
            t.task_id,
            t.status.as_str()
        ))),
        Some(t) => match tasks.watch_of(&local).await? {
            Some(crate::Watch::PanelalphaWatch(panelalpha::PanelalphaWatch::PanelalphaTask {
                task_id,
                ..
            })) => Ok((t.connection, Plan::PanelalphaCancelTask(task_id))),
            _ => Err(unsupported(
                t.provider.into(),
                "cancel work it has accepted",
            )),
        },
    }
}

#[derive(Default)]
pub struct UnifiedMutation;

#[Object]
impl UnifiedMutation {
    /// Powers a server on.
    async fn start_server(&self, ctx: &Context<'_>, id: ID) -> Result<UnifiedActionPayload> {
        let plan = plan_power(ctx, &id, Power::Start, false);
        run(ctx, "startServer", &id, plan).await
    }

    /// Stops a server: gracefully, or at once with `force`.
    async fn stop_server(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] force: bool,
    ) -> Result<UnifiedActionPayload> {
        let plan = plan_power(ctx, &id, Power::Stop, force);
        run(ctx, "stopServer", &id, plan).await
    }

    /// Restarts a server: gracefully, or at once with `force`.
    async fn reboot_server(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] force: bool,
    ) -> Result<UnifiedActionPayload> {
        let plan = plan_power(ctx, &id, Power::Reboot, force);
        run(ctx, "rebootServer", &id, plan).await
    }

    /// Deletes a server: removes a VM (`force` even while it runs) or terminates a dedicated
    /// server at once.
    async fn delete_server(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = false)] force: bool,
    ) -> Result<UnifiedActionPayload> {
        let plan = plan_power(ctx, &id, Power::Delete, force);
        run(ctx, "deleteServer", &id, plan).await
    }

    /// Deletes a site: a Patchstack site, an Orchestrix site, or a WPCS tenant (background work,
    /// followed by the returned task). Takes a `Site` ID, or a WPCS `Tenant` ID.
    async fn delete_site(&self, ctx: &Context<'_>, id: ID) -> Result<UnifiedActionPayload> {
        let plan = plan_delete_site(ctx, &id);
        run(ctx, "deleteSite", &id, plan).await
    }

    /// Takes a snapshot: of an Orchestrix site, or a backup of a HosterAPI VM; both run in the
    /// background and are followed by the returned task.
    async fn create_snapshot(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(validator(max_length = 500))] description: Option<String>,
    ) -> Result<UnifiedActionPayload> {
        let plan = plan_snapshot(ctx, &id, description);
        run(ctx, "createSnapshot", &id, plan).await
    }

    /// Cancels a task's upstream work. None of the connected upstreams can stop work once
    /// accepted (HosterAPI jobs, Orchestrix snapshots and pipelines, WPCS scheduled writes), so
    /// for their tasks this answers `UNSUPPORTED`, and the task goes on being followed.
    async fn cancel_task(&self, ctx: &Context<'_>, id: ID) -> Result<UnifiedActionPayload> {
        run(ctx, "cancelTask", &id, plan_cancel(ctx, &id).await).await
    }
}
