//! The Relay `Node` interface and `node(id:)` resolution for every object with a global ID.

use super::{Instance, Read, Server, Service, Site, Tenant, User};
use crate::{Services, connections::Live};
use async_graphql::{Context, ID, Interface};
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
    // another's is as unknown as an ID that does not exist (its panel's lookup checks the owner).
    if principal
        .customer()
        .is_some_and(|b| gid.kind != "Task" && b.connection != gid.connection)
    {
        return Ok(None);
    }
    if gid.kind == "Task" {
        return Ok(services
            .tasks
            .get(&gid.local)
            .await?
            .filter(|t| t.visible_to(principal))
            .map(Node::Task));
    }
    let Some(conn) = services.connections.get(&gid.connection) else {
        return Ok(None);
    };
    match crate::roles(conn.provider).node {
        Some(lookup) => lookup(ctx, &conn, &gid).await,
        None => Ok(None),
    }
}

/// A server by its global ID: the upstream has no single-server read but its state, so a 404
/// there means no server.
pub async fn server(
    ctx: &Context<'_>,
    conn: &Live,
    gid: &GlobalId,
) -> Result<Option<Node>, GatewayError> {
    if gid.kind != "Server" {
        return Ok(None);
    }
    let Some(server) = Server::from_global(gid, conn.provider) else {
        return Ok(None);
    };
    match server.fetch_status(ctx).await {
        Ok(_) => Ok(Some(Node::Server(server))),
        Err(e) if e.code() == hostplane_schema::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A site read by its ID, as a node (its URL as the view gives it).
pub fn site_of_view(conn: &Live, gid: &GlobalId, view: serde_json::Value) -> Node {
    let url = view.get("url").and_then(|u| u.as_str()).map(str::to_string);
    Node::Site(Site::new(conn.provider, &conn.name, &gid.local, url, view))
}

/// An object read by its ID with `read` and made by `make` from what came; a 404 is `None`.
pub async fn read_node(
    ctx: &Context<'_>,
    conn: &Live,
    gid: &GlobalId,
    read: &Read,
    make: fn(&Live, &GlobalId, serde_json::Value) -> Node,
) -> Result<Option<Node>, GatewayError> {
    let found = read_found(ctx, conn, &read.path(&gid.local)?).await?;
    Ok(found.map(|view| make(conn, gid, view)))
}
