//! WP Orchestrix's 34 documented endpoints, each declared once. Sites are the unified `Site` and
//! users, accounts and `me` are `User`s; paginated lists are Relay connections (`first`/`after`, or the
//! upstream's `page` as the REST layer sends it). Snapshots and upgrade pipelines are Tasks. Calls act
//! with the connection's stored token, or as the caller with the caller's own upstream credential
//! (`PassThrough`: a token or JWT from the upstream's login endpoints).

mod watch;

pub use watch::*;

use crate::{
    Services,
    call::{UpstreamCall, parse},
    endpoints,
    objects::{ActionPayload, Site, TaskPayload, User},
    pages,
    tasks::watch::Follow,
};
use async_graphql::{Context, ID, Json};
use hostplane_adapters::Provider;
use hostplane_schema::{GatewayError, GlobalId, list::List, orchestrix::*, reply::FromRaw};
use serde_json::Value;
use std::sync::Arc;

endpoints! {
    provider: Provider::Orchestrix;
    audience: Operator;
    query_root: OrchestrixQuery;
    mutation_root: OrchestrixEndpointMutation;
    queries {
        /// List all sites
        orchestrix_sites = Get "/api/v1/sites" (page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<Site> => sites;
        /// Get site details
        orchestrix_site = Get "/api/v1/sites/{id}" (id: String) -> Site => site;
        /// List health checks for a site
        orchestrix_health_checks = Get "/api/v1/sites/{site_id}/health_checks" (site_id: String, page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<OrchestrixHealthCheck> => typed_list;
        /// Get health check details
        orchestrix_health_check = Get "/api/v1/sites/{site_id}/health_checks/{id}" (site_id: String, id: String) -> OrchestrixHealthCheck => parse;
        /// List snapshots
        orchestrix_snapshots = Get "/api/v1/sites/{site_id}/snapshots" (site_id: String, page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<OrchestrixSnapshot> => typed_list;
        /// Get snapshot details
        orchestrix_snapshot = Get "/api/v1/sites/{site_id}/snapshots/{id}" (site_id: String, id: String) -> OrchestrixSnapshot => parse;
        /// List pipelines
        orchestrix_upgrade_pipelines = Get "/api/v1/sites/{site_id}/upgrade_pipelines" (site_id: String, page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<OrchestrixPipeline> => typed_list;
        /// Get pipeline details
        orchestrix_upgrade_pipeline = Get "/api/v1/sites/{site_id}/upgrade_pipelines/{id}" (site_id: String, id: String) -> OrchestrixPipeline => parse;
        /// List vulnerabilities
        orchestrix_vulnerabilities = Get "/api/v1/sites/{site_id}/vulnerability_records" (site_id: String, page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<OrchestrixVulnerability> => typed_list;
        /// Get vulnerability details
        orchestrix_vulnerability = Get "/api/v1/sites/{site_id}/vulnerability_records/{id}" (site_id: String, id: String) -> OrchestrixVulnerability => parse;
        /// List activity logs
        orchestrix_activity_logs = Get "/api/v1/activity_logs" (page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<OrchestrixActivity> => typed_list;
        /// List webhook endpoints
        orchestrix_webhook_endpoints = Get "/api/v1/webhook_endpoints" (page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<OrchestrixWebhookEndpoint> => typed_list;
        /// Get webhook endpoint details
        orchestrix_webhook_endpoint = Get "/api/v1/webhook_endpoints/{id}" (id: String) -> OrchestrixWebhookEndpoint => parse;
        /// Current user details
        orchestrix_me = Get "/api/v1/me" () -> User => user;
        /// List accounts
        orchestrix_accounts = Get "/api/v1/accounts" (page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<User> => users;
        /// Get account details
        orchestrix_account = Get "/api/v1/accounts/{id}" (id: String) -> User => user;
        /// List users in current account
        orchestrix_users = Get "/api/v1/users" (page: Option<i32>, first: Option<i32>, after: Option<String>) -> List<User> => users;
    }
    mutations {
        /// Login (returns API token)
        #[auth = none]
        orchestrix_login = Post "/api/v1/auth" (; input: OrchestrixLoginInput) -> OrchestrixToken => parse;
        /// Logout: revokes the caller's own upstream token (pass-through only)
        orchestrix_logout = Delete "/api/v1/auth" () -> ActionPayload => logout;
        /// Login (returns JWT pair)
        #[auth = none]
        orchestrix_create_jwt = Post "/api/v1/jwt" (; input: OrchestrixLoginInput) -> OrchestrixJwtPair => parse;
        /// Refresh JWT tokens
        #[auth = none]
        orchestrix_refresh_jwt = Post "/api/v1/jwt/refresh" (; input: OrchestrixRefreshInput) -> OrchestrixJwtPair => parse;
        /// Revoke a JWT token
        orchestrix_revoke_jwt = Post "/api/v1/jwt/revoke" (; input: OrchestrixRevokeInput) -> ActionPayload => revoked;
        /// Create a site
        orchestrix_create_site = Post "/api/v1/sites" (; input: OrchestrixCreateSiteInput) -> Site => site;
        /// Update a site
        orchestrix_update_site = Patch "/api/v1/sites/{id}" (id: String; input: OrchestrixUpdateSiteInput) -> Site => site;
        /// Delete a site
        orchestrix_delete_site = Delete "/api/v1/sites/{id}" (id: String) -> ActionPayload => deleted;
        /// Create a snapshot: a Task that follows it to completion
        orchestrix_create_snapshot = Post "/api/v1/sites/{site_id}/snapshots" (site_id: String; input: Option<OrchestrixCreateSnapshotInput>) -> TaskPayload => snapshot_task;
        /// Delete a snapshot
        orchestrix_delete_snapshot = Delete "/api/v1/sites/{site_id}/snapshots/{id}" (site_id: String, id: String) -> ActionPayload => deleted;
        /// Upload snapshot data
        orchestrix_upload_snapshot = Put "/api/v1/sites/{site_id}/snapshots/{id}/upload" (site_id: String, id: String; input: OrchestrixUploadSnapshotInput) -> OrchestrixSnapshot => parse;
        /// Create a pipeline: a Task, queued until the pipeline is approved
        orchestrix_create_upgrade_pipeline = Post "/api/v1/sites/{site_id}/upgrade_pipelines" (site_id: String; input: Option<OrchestrixCreatePipelineInput>) -> TaskPayload => pipeline_task;
        /// Approve a pipeline: the pipeline's Task runs to its end
        orchestrix_approve_upgrade_pipeline = Post "/api/v1/sites/{site_id}/upgrade_pipelines/{id}/approve" (site_id: String, id: String) -> TaskPayload => pipeline_task;
        /// Update vulnerability status
        orchestrix_update_vulnerability = Patch "/api/v1/sites/{site_id}/vulnerability_records/{id}" (site_id: String, id: String; input: OrchestrixUpdateVulnerabilityInput) -> OrchestrixVulnerability => parse;
        /// Create a webhook endpoint
        orchestrix_create_webhook_endpoint = Post "/api/v1/webhook_endpoints" (; input: OrchestrixWebhookInput) -> OrchestrixWebhookEndpoint => parse;
        /// Update a webhook endpoint
        orchestrix_update_webhook_endpoint = Patch "/api/v1/webhook_endpoints/{id}" (id: String; input: OrchestrixUpdateWebhookInput) -> OrchestrixWebhookEndpoint => parse;
        /// Delete a webhook endpoint
        orchestrix_delete_webhook_endpoint = Delete "/api/v1/webhook_endpoints/{id}" (id: String) -> ActionPayload => deleted;
    }
}

/// Orchestrix's mutations: its endpoints, and the registration of the gateway as its webhook receiver.
#[derive(async_graphql::MergedObject, Default)]
pub struct OrchestrixMutation(OrchestrixEndpointMutation, crate::webhooks::WebhookMutation);

fn site_of(call: &UpstreamCall, raw: Value) -> Result<Site, GatewayError> {
    let id = raw
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| call.malformed("site without id"))?
        .to_string();
    let url = raw.get("url").and_then(Value::as_str).map(str::to_string);
    Ok(Site::new(
        Provider::Orchestrix,
        &call.connection.name,
        id,
        url,
        raw,
    ))
}

fn user_of(call: &UpstreamCall, raw: Value) -> Result<User, GatewayError> {
    if raw.get("id").is_none() {
        return Err(call.malformed("user without id"));
    }
    Ok(User::from_object(
        Provider::Orchestrix,
        &call.connection.name,
        raw,
    ))
}

async fn site(_: &Context<'_>, call: &UpstreamCall) -> Result<Site, GatewayError> {
    let raw = call.send().await?;
    site_of(call, raw)
}

async fn sites(_: &Context<'_>, call: &UpstreamCall) -> Result<List<Site>, GatewayError> {
    pages::list(call, |raw| site_of(call, raw)).await
}

async fn user(_: &Context<'_>, call: &UpstreamCall) -> Result<User, GatewayError> {
    let raw = call.send().await?;
    user_of(call, raw)
}

async fn users(_: &Context<'_>, call: &UpstreamCall) -> Result<List<User>, GatewayError> {
    pages::list(call, |raw| user_of(call, raw)).await
}

async fn typed_list<T: FromRaw + async_graphql::OutputType>(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<List<T>, GatewayError> {
    pages::list(call, |raw| T::from_raw(raw).map_err(|e| call.malformed(e))).await
}

fn subject(call: &UpstreamCall) -> Option<ID> {
    let (kind, id) = match (call.params.get("site_id"), call.params.get("id")) {
        (Some(site), None) => ("Site", site.clone()),
        (None, Some(id)) if call.endpoint.path.starts_with("/api/v1/sites/") => {
            ("Site", id.clone())
        }
        _ => return None,
    };
    Some(GlobalId::new(kind, &call.connection.name, id).into())
}

/// Deletes answer 204 with no body.
pub(crate) async fn deleted(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ActionPayload, GatewayError> {
    let raw = call.send().await?;
    Ok(ActionPayload {
        ok: true,
        message: None,
        subject_id: subject(call),
        raw: Json(raw),
    })
}

/// Logout revokes the token the request presents, so it only makes sense as the caller: with the
/// stored credentials it would revoke the connection's own token.
async fn logout(ctx: &Context<'_>, call: &UpstreamCall) -> Result<ActionPayload, GatewayError> {
    if !call.acts_as_caller() {
        return Err(GatewayError::Validation(
            "logout revokes the caller's own upstream token: send it in X-Orchestrix-Authorization"
                .into(),
        ));
    }
    deleted(ctx, call).await
}

async fn revoked(_: &Context<'_>, call: &UpstreamCall) -> Result<ActionPayload, GatewayError> {
    let raw = call.send().await?;
    Ok(ActionPayload {
        ok: raw.get("revoked").and_then(Value::as_bool).unwrap_or(true),
        message: None,
        subject_id: None,
        raw: Json(raw),
    })
}

/// Starts a task for the upstream object in `raw` (a snapshot or pipeline), or returns the open
/// task already following it (approving a pipeline continues the task its creation started).
async fn follow(
    ctx: &Context<'_>,
    call: &UpstreamCall,
    raw: Value,
    watch: impl FnOnce(String, String) -> OrchestrixWatch,
) -> Result<TaskPayload, GatewayError> {
    let services = ctx.data_unchecked::<Arc<Services>>();
    let site_id = call
        .params
        .get("site_id")
        .cloned()
        .ok_or_else(|| GatewayError::internal("no site_id"))?;
    let id = raw
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| call.malformed("answer without id"))?
        .to_string();
    let watch = watch(site_id, id);
    let open = services
        .tasks
        .open_by_ref(&call.connection.name, &watch.upstream_ref())
        .await?;
    if let Some(task) = open {
        return Ok(TaskPayload {
            task,
            raw: Json(raw),
        });
    }
    let initial = orchestrix_progress(&raw).map_err(|e| call.error(e))?;
    call.start_task(ctx, raw, watch, initial).await
}

pub(crate) async fn snapshot_task(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    follow(ctx, call, raw, |site_id, id| {
        OrchestrixWatch::OrchestrixSnapshot { site_id, id }
    })
    .await
}

async fn pipeline_task(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    follow(ctx, call, raw, |site_id, id| {
        OrchestrixWatch::OrchestrixPipeline { site_id, id }
    })
    .await
}

/// What Orchestrix's endpoints are to the unified objects: its sites (and accounts, as users) by
/// global ID, and a site's health checks, snapshots and vulnerabilities.
pub static ROLES: crate::objects::Roles = crate::objects::Roles {
    node: Some(|ctx, conn, gid| Box::pin(node(ctx, conn, gid))),
    health_checks: Some(crate::objects::Read {
        endpoint: &ENDPOINTS.orchestrix_health_checks,
        param: "site_id",
    }),
    snapshots: Some(crate::objects::Read {
        endpoint: &ENDPOINTS.orchestrix_snapshots,
        param: "site_id",
    }),
    vulnerabilities: Some(crate::objects::Read {
        endpoint: &ENDPOINTS.orchestrix_vulnerabilities,
        param: "site_id",
    }),
    ..crate::objects::Roles::NONE
};

/// An Orchestrix site, or an account as a user (it reads users only as `me` and accounts), by
/// global ID.
async fn node(
    ctx: &Context<'_>,
    conn: &crate::connections::Live,
    gid: &GlobalId,
) -> Result<Option<crate::objects::Node>, GatewayError> {
    use crate::objects::{
        Node, Read, User,
        node::{read_node, site_of_view},
    };
    match gid.kind.as_str() {
        "Site" => {
            let read = Read {
                endpoint: &ENDPOINTS.orchestrix_site,
                param: "id",
            };
            read_node(ctx, conn, gid, &read, site_of_view).await
        }
        "User" if gid.local.starts_with("acc_") => {
            let read = Read {
                endpoint: &ENDPOINTS.orchestrix_account,
                param: "id",
            };
            read_node(ctx, conn, gid, &read, |conn, _, view| {
                Node::User(User::from_object(conn.provider, &conn.name, view))
            })
            .await
        }
        _ => Ok(None),
    }
}
