//! The Relay `Node` interface and `node(id:)` resolution for every object with a global ID.

use super::{Instance, Server, Service, Site, Tenant, User};
use crate::{Services, connections::Live};
use async_graphql::{Context, ID, Interface};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError, GlobalId,
    principal::{Scope, require},
    task::Task,
};
use std::sync::Arc;

#[derive(Interface)]
#[graphql(field(name = "id", ty = "&ID"))]
pub enum Node {
    Instance(Instance),
    Server(Server),
    Service(Service),
    Site(Site),
    Task(Task),
    Tenant(Tenant),
    User(User),
}

/// A read through the request's loader (so `nodes` with repeated IDs reads once); a 404 is `None`.
pub(crate) async fn read_found(
    ctx: &Context<'_>,
    conn: &Live,
    path: &str,
) -> Result<Option<serde_json::Value>, GatewayError> {
    match crate::reads::read(ctx, conn, path).await {
        Ok(page) => Ok(Some(page.items)),
        Err(e) if e.code() == hostplane_schema::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Resolves any global ID the gateway issued. IDs of connections the principal may not use are
/// reported as not found.
pub async fn resolve(ctx: &Context<'_>, id: &str) -> Result<Option<Node>, GatewayError> {
    let principal = require(ctx, Scope::Read)?;
    let services = ctx.data_unchecked::<Arc<Services>>();
    let Some(gid) = GlobalId::decode(id) else {
        return Err(GatewayError::Validation(format!(
            "`{id}` is not a valid ID"
        )));
    };
    if !principal.may_use(&gid.connection) {
        return Ok(None);
    }
    // A customer reaches by ID its own tasks and its own objects on its own panel, nothing else:
    // another's is as unknown as an ID that does not exist (`panelalpha::node` checks the owner).
    if principal
        .customer()
        .is_some_and(|b| gid.kind != "Task" && b.connection != gid.connection)
    {
        return Ok(None);
    }
    if let Some(conn) = services.connections.get(&gid.connection)
        && conn.provider == Provider::Panelalpha
        && gid.kind != "Task"
    {
        return crate::panelalpha::node(ctx, &conn, &gid).await;
    }
    match gid.kind.as_str() {
        "Task" => Ok(services
            .tasks
            .get(&gid.local)
            .await?
            .filter(|t| t.visible_to(principal))
            .map(Node::Task)),
        "Server" => {
            let Some(conn) = services.connections.get(&gid.connection) else {
                return Ok(None);
            };
            let Some(server) = Server::from_global(&gid, conn.provider) else {
                return Ok(None);
            };
            // The upstream has no single-server read but its status: a 404 there means no server.
            match server.fetch_status(ctx).await {
                Ok(_) => Ok(Some(Node::Server(server))),
                Err(e) if e.code() == hostplane_schema::ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        }
        "Tenant" | "Service" => {
            let Some(conn) = services.connections.get(&gid.connection) else {
                return Ok(None);
            };
            let wpcs = &crate::wpcs::ENDPOINTS;
            let path = match gid.kind.as_str() {
                "Tenant" => wpcs.wpcs_tenants.path_for(&[("tenantId", &gid.local)])?,
                _ => (wpcs.wpcs_subscriptions).path_for(&[("subscriptionId", &gid.local)])?,
            };
            let Some(listed) = read_found(ctx, &conn, &path).await? else {
                return Ok(None);
            };
            let first = listed.as_array().and_then(|items| items.first()).cloned();
            Ok(first.and_then(|raw| match gid.kind.as_str() {
                "Tenant" => Tenant::from_raw(&conn.name, raw).ok().map(Node::Tenant),
                _ => Service::from_wpcs(&conn.name, raw).ok().map(Node::Service),
            }))
        }
        "Site"
            if services
                .connections
                .get(&gid.connection)
                .is_some_and(|c| c.provider == Provider::Wpcs) =>
        {
            // A WPCS site is its tenant.
            let tenant = GlobalId::new("Tenant", &gid.connection, &gid.local).encode();
            Ok(match Box::pin(resolve(ctx, &tenant)).await? {
                Some(Node::Tenant(t)) => Some(Node::Site(t.as_site())),
                _ => None,
            })
        }
        "Site" | "User" => {
            let Some(conn) = services.connections.get(&gid.connection) else {
                return Ok(None);
            };
            let (patchstack, orchestrix) =
                (&crate::patchstack::ENDPOINTS, &crate::orchestrix::ENDPOINTS);
            let (read, param) = match (conn.provider, gid.kind.as_str()) {
                (Provider::Patchstack, "Site") => (&patchstack.patchstack_site, "siteid"),
                (Provider::Patchstack, _) => (&patchstack.patchstack_user, "userid"),
                (Provider::Orchestrix, "Site") => (&orchestrix.orchestrix_site, "id"),
                // Orchestrix reads users only as `me` and accounts; an account ID names a User too.
                (Provider::Orchestrix, _) if gid.local.starts_with("acc_") => {
                    (&orchestrix.orchestrix_account, "id")
                }
                _ => return Ok(None),
            };
            let path = read.path_for(&[(param, &gid.local)])?;
            let Some(view) = read_found(ctx, &conn, &path).await? else {
                return Ok(None);
            };
            Ok(Some(match (gid.kind.as_str(), conn.provider) {
                ("Site", _) => {
                    let url = view.get("url").and_then(|u| u.as_str()).map(str::to_string);
                    Node::Site(Site::new(conn.provider, &conn.name, &gid.local, url, view))
                }
                (_, Provider::Patchstack) => {
                    Node::User(User::from_view(conn.provider, &conn.name, view))
                }
                _ => Node::User(User::from_object(conn.provider, &conn.name, view)),
            }))
        }
        _ => Ok(None),
    }
}
