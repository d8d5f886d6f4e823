//! HosterAPI's 37 documented endpoints, each declared once: GraphQL field, upstream call, REST route
//! and route-table row all come from the declaration below. Conversions read the upstream's answer
//! into typed objects; work the upstream runs as a job, a backup or an order becomes a Task.

mod watch;

pub use watch::*;

use crate::{
    Services,
    call::{UpstreamCall, parse},
    endpoints,
    links::{self, LinkKind},
    objects::{Server, ServerActionPayload, ServerKind, TaskPayload},
};
use async_graphql::{Context, Json, SimpleObject};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError,
    hosterapi::*,
    task::{Progress, TaskStatus},
};
use serde_json::Value;
use std::sync::Arc;

endpoints! {
    provider: Provider::Hosterapi;
    audience: Operator;
    query_root: HosterapiQuery;
    mutation_root: HosterapiMutation;
    queries {
        /// Show all dedicated servers available for purchase
        hosterapi_dedicated_market = Get "/api/v1/datacenter/dedicated/market" () -> Vec<HosterapiDedicatedOffer> => parse;
        /// Get available templates (dedicated servers)
        hosterapi_dedicated_templates = Get "/api/v1/datacenter/dedicated/templates" () -> Vec<String> => parse;
        /// List owned dedicated servers
        hosterapi_dedicated_servers = Get "/api/v1/datacenter/dedicated" () -> Vec<Server> => dedicated_servers;
        /// Open noVNC Console (dedicated server)
        hosterapi_dedicated_server_console = Get "/api/v1/datacenter/dedicated/{sid}/console" (sid: i32) -> HosterapiConsole => parse;
        /// Gets dedicated server status for specific server
        hosterapi_dedicated_server_status = Get "/api/v1/datacenter/dedicated/{sid}/status" (sid: i32) -> HosterapiDedicatedStatus => parse;
        /// Gets configuration for specific server
        hosterapi_dedicated_server_config = Get "/api/v1/datacenter/dedicated/{sid}/config" (sid: i32) -> HosterapiDedicatedConfig => parse;
        /// Get job info
        hosterapi_job = Get "/api/v1/job/{jobId}" (jobId: i32) -> HosterapiJob => parse;
        /// Get current VM status
        hosterapi_server_status = Get "/api/v1/datacenter/server/{sid}/status" (sid: i32) -> HosterapiVmStatus => parse;
        /// Get current VM config
        hosterapi_server_config = Get "/api/v1/datacenter/server/{sid}/config" (sid: i32) -> HosterapiVmConfig => parse;
        /// Get incidents
        hosterapi_server_incidents = Get "/api/v1/datacenter/server/{sid}/incidents" (sid: i32) -> Vec<HosterapiIncident> => parse;
        /// Get noVNC Console URL (the ticket expires 10 seconds after it is issued)
        hosterapi_server_console = Get "/api/v1/datacenter/server/{sid}/console" (sid: i32) -> HosterapiConsole => parse;
        /// List backups for VM
        hosterapi_server_backups = Get "/api/v1/datacenter/server/{sid}/backups/list" (sid: i32) -> Vec<HosterapiBackup> => parse;
        /// Get backup task status
        hosterapi_server_backup_status = Get "/api/v1/datacenter/server/{sid}/backups/status" (sid: i32) -> HosterapiBackupStatus => parse;
        /// List all assigned VMs
        hosterapi_servers = Get "/api/v1/datacenter/server" () -> Vec<Server> => vms;
        /// Get available template list
        hosterapi_templates = Get "/api/v1/datacenter/templates" () -> Vec<String> => parse;
        /// List available software to install
        hosterapi_software = Get "/api/v1/software/list" () -> Vec<HosterapiSoftwarePackage> => parse;
    }
    mutations {
        /// Place dedicated server order
        hosterapi_order_dedicated_server = Post "/api/v1/datacenter/dedicated/order" (; input: HosterapiOrderDedicatedServerInput) -> TaskPayload => order_task;
        /// Starts a dedicated server
        hosterapi_start_dedicated_server = Put "/api/v1/datacenter/dedicated/{sid}/start" (sid: i32) -> ServerActionPayload => dedicated_action;
        /// Stops a dedicated server
        hosterapi_shutdown_dedicated_server = Put "/api/v1/datacenter/dedicated/{sid}/shutdown" (sid: i32) -> ServerActionPayload => dedicated_action;
        /// Restarts a dedicated server
        hosterapi_reboot_dedicated_server = Put "/api/v1/datacenter/dedicated/{sid}/reboot" (sid: i32) -> ServerActionPayload => dedicated_action;
        /// Reinstall server (dedicated)
        hosterapi_reinstall_dedicated_server = Put "/api/v1/datacenter/dedicated/{sid}/reinstall" (sid: i32; input: HosterapiReinstallDedicatedServerInput) -> TaskPayload => dedicated_reinstall_task;
        /// WARNING! THIS WILL IMMEDIATELY DELETE THE SERVER AND REVOKE ACCESS TO IT
        hosterapi_terminate_dedicated_server = Post "/api/v1/datacenter/dedicated/{sid}/terminate" (sid: i32) -> ServerActionPayload => dedicated_action;
        /// Remove VM
        hosterapi_delete_server = Post "/api/v1/datacenter/server/{sid}/delete" (sid: i32; input: Option<HosterapiDeleteServerInput>) -> ServerActionPayload => vm_action;
        /// Set Server RDNS
        hosterapi_set_server_rdns = Post "/api/v1/datacenter/server/{sid}/rdns" (sid: i32; input: HosterapiSetServerRdnsInput) -> ServerActionPayload => rdns_set;
        /// Upgrade/Downgrade VM (IP downgrades are silently ignored upstream)
        hosterapi_change_server = Put "/api/v1/datacenter/server/{sid}/change" (sid: i32; input: HosterapiChangeServerInput) -> ServerActionPayload => vm_action;
        /// Start vm
        hosterapi_start_server = Put "/api/v1/datacenter/server/{sid}/start" (sid: i32) -> ServerActionPayload => vm_action;
        /// Gracefully stop VM
        hosterapi_shutdown_server = Put "/api/v1/datacenter/server/{sid}/shutdown" (sid: i32) -> ServerActionPayload => vm_action;
        /// Forcefully stop VM
        hosterapi_stop_server = Put "/api/v1/datacenter/server/{sid}/stop" (sid: i32) -> ServerActionPayload => vm_action;
        /// Gracefully restart VM
        hosterapi_reboot_server = Put "/api/v1/datacenter/server/{sid}/reboot" (sid: i32) -> ServerActionPayload => vm_action;
        /// Force reboot VM
        hosterapi_force_reboot_server = Put "/api/v1/datacenter/server/{sid}/reboot/force" (sid: i32) -> ServerActionPayload => vm_action;
        /// Reinstall VM
        hosterapi_reinstall_server = Put "/api/v1/datacenter/server/{sid}/reinstall" (sid: i32; input: Option<HosterapiReinstallServerInput>) -> TaskPayload => job_task;
        /// Reset root password
        hosterapi_reset_server_password = Put "/api/v1/datacenter/server/{sid}/password/reset" (sid: i32) -> HosterapiPasswordResetPayload => password_reset;
        /// Create backup
        hosterapi_create_server_backup = Put "/api/v1/datacenter/server/{sid}/backups/create" (sid: i32) -> TaskPayload => backup_task;
        /// Restore VM from backup
        hosterapi_restore_server_backup = Post "/api/v1/datacenter/server/{sid}/backups/restore" (sid: i32; input: HosterapiRestoreServerBackupInput) -> TaskPayload => backup_task;
        /// Create new VM
        hosterapi_create_server = Post "/api/v1/datacenter/server" (; input: HosterapiCreateServerInput) -> TaskPayload => job_task;
        /// Install chosen software package
        hosterapi_install_software = Post "/api/v1/software/install" (; input: HosterapiSoftwareInput) -> TaskPayload => job_task;
        /// Uninstall chosen software package
        hosterapi_uninstall_software = Post "/api/v1/software/uninstall" (; input: HosterapiSoftwareInput) -> TaskPayload => job_task;
    }
}

/// A VM's new root password, generated by the upstream.
#[derive(SimpleObject, Debug, Clone)]
pub struct HosterapiPasswordResetPayload {
    pub status: Option<String>,
    pub password: Option<String>,
    pub server: Option<Server>,
    pub raw: Json<Value>,
}

hostplane_schema::raw_reply!(HosterapiPasswordResetPayload);

/// `GET /datacenter/server` lists bare VM IDs.
async fn vms(_: &Context<'_>, call: &UpstreamCall) -> Result<Vec<Server>, GatewayError> {
    let raw = call.send().await?;
    let items = raw
        .as_array()
        .ok_or_else(|| call.malformed("VM list is not a list"))?;
    items
        .iter()
        .map(|item| {
            let id = item
                .as_u64()
                .map(|n| n.to_string())
                .or_else(|| item.as_str().map(str::to_string))
                .ok_or_else(|| call.malformed("VM id is not a number"))?;
            Ok(Server::new(
                Provider::Hosterapi,
                &call.connection.name,
                ServerKind::Vm,
                id,
                item.clone(),
            ))
        })
        .collect()
}

/// `GET /datacenter/dedicated` lists `{id, orderComplete}`.
async fn dedicated_servers(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<Vec<Server>, GatewayError> {
    let raw = call.send().await?;
    let items = raw
        .as_array()
        .ok_or_else(|| call.malformed("server list is not a list"))?;
    items
        .iter()
        .map(|item| {
            let id = item
                .get("id")
                .and_then(Value::as_u64)
                .ok_or_else(|| call.malformed("dedicated server without id"))?;
            let mut server = Server::new(
                Provider::Hosterapi,
                &call.connection.name,
                ServerKind::Dedicated,
                id,
                item.clone(),
            );
            server.order_complete = item.get("orderComplete").and_then(Value::as_bool);
            Ok(server)
        })
        .collect()
}

fn action(call: &UpstreamCall, raw: Value, kind: ServerKind) -> ServerActionPayload {
    ServerActionPayload {
        ok: raw.as_bool().unwrap_or(!raw.is_null()),
        server: call.server(kind),
        raw: Json(raw),
    }
}

pub(crate) async fn vm_action(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ServerActionPayload, GatewayError> {
    let raw = call.send().await?;
    Ok(action(call, raw, ServerKind::Vm))
}

/// A server's reverse DNS name is what links it to the site of that domain.
async fn rdns_set(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ServerActionPayload, GatewayError> {
    let payload = vm_action(ctx, call).await?;
    let hostname = call
        .body
        .as_ref()
        .and_then(|b| b.get("hostname"))
        .and_then(Value::as_str);
    if let (true, Some(server), Some(hostname)) = (payload.ok, &payload.server, hostname) {
        let db = &ctx.data_unchecked::<Arc<Services>>().db;
        let local = server.global_id().local;
        let conn = &call.connection.name;
        links::record(
            db,
            LinkKind::Server,
            Provider::Hosterapi,
            conn,
            &local,
            hostname,
            None,
        )
        .await;
    }
    Ok(payload)
}

pub(crate) async fn dedicated_action(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ServerActionPayload, GatewayError> {
    let raw = call.send().await?;
    Ok(action(call, raw, ServerKind::Dedicated))
}

async fn password_reset(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<HosterapiPasswordResetPayload, GatewayError> {
    let raw = call.send().await?;
    let field = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(HosterapiPasswordResetPayload {
        status: field("status"),
        password: field("password"),
        server: call.server(ServerKind::Vm),
        raw: Json(raw),
    })
}

/// Answers of the form `{"status": "queued", "jobId": 15, "progress": 0}`.
async fn job_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let job_id = raw
        .get("jobId")
        .and_then(Value::as_u64)
        .ok_or_else(|| call.malformed("job answer without jobId"))?;
    let initial = job_progress(&raw).map_err(|e| call.error(e))?;
    // The VM the job acts on: the path's sid, or for software jobs a numeric `sid|ip` in the body.
    let sid = call.params.get("sid").cloned().or_else(|| {
        let v = call.body.as_ref()?.get("sid|ip")?;
        v.as_str()
            .map(str::to_string)
            .or_else(|| v.as_u64().map(|n| n.to_string()))
    });
    let sid = sid.and_then(|s| s.parse().ok());
    call.start_task(
        ctx,
        raw,
        HosterapiWatch::HosterapiJob { job_id, sid },
        initial,
    )
    .await
}

/// Backup create (`true`) and restore (`"pending"`) are followed through the VM's backup status.
pub(crate) async fn backup_task(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let sid = sid(call)?;
    call.start_task(
        ctx,
        raw,
        HosterapiWatch::HosterapiBackup { sid },
        Progress::queued(),
    )
    .await
}

async fn order_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let id = call
        .body
        .as_ref()
        .and_then(|b| b.get("id"))
        .and_then(Value::as_u64)
        .ok_or_else(|| GatewayError::internal("order body without id"))?;
    let initial = Progress {
        status: TaskStatus::Running,
        ..Progress::queued()
    };
    call.start_task(
        ctx,
        raw,
        HosterapiWatch::HosterapiDedicatedOrder { id },
        initial,
    )
    .await
}

async fn dedicated_reinstall_task(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let sid = sid(call)?;
    call.start_task(
        ctx,
        raw,
        HosterapiWatch::HosterapiDedicatedReinstall { sid },
        Progress::queued(),
    )
    .await
}

fn sid(call: &UpstreamCall) -> Result<u64, GatewayError> {
    call.params
        .get("sid")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| GatewayError::Validation("sid must be a positive number".into()))
}

/// What HosterAPI's endpoints are to the unified objects: its machines by global ID, and their
/// live state by kind.
pub static ROLES: crate::objects::Roles = crate::objects::Roles {
    node: Some(|ctx, conn, gid| Box::pin(crate::objects::node::server(ctx, conn, gid))),
    server_state: &[
        (
            crate::objects::ServerKind::Vm,
            crate::objects::Read {
                endpoint: &ENDPOINTS.hosterapi_server_status,
                param: "sid",
            },
        ),
        (
            crate::objects::ServerKind::Dedicated,
            crate::objects::Read {
                endpoint: &ENDPOINTS.hosterapi_dedicated_server_status,
                param: "sid",
            },
        ),
    ],
    ..crate::objects::Roles::NONE
};
