//! Unified objects whose fields may call upstreams, and the mutation payloads.

pub mod instance;
pub mod node;
pub mod payload;
pub mod roles;
pub mod server;
pub mod service;
pub mod site;
pub mod tenant;
pub mod user;

pub use instance::{Instance, WordpressExtension, WordpressView};
pub use node::Node;
pub use payload::{ActionPayload, ServerActionPayload, TaskPayload};
pub use roles::{Read, Roles};
pub use server::{Server, ServerGroup, ServerKind};
pub use service::Service;
pub use site::Site;
pub use tenant::Tenant;
pub use user::User;

/// Upstream JSON for `raw`, with secrets shown to admins only.
pub use hostplane_schema::principal::redacted as redacted_raw;

use crate::Services;
use async_graphql::Context;
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError,
    principal::{Scope, require},
};
use std::sync::Arc;

/// A GET a field of an object makes on its own connection (a site's report, a server's state), as
/// the caller may: read scope and the principal's connection limit both apply. Reads go through the
/// request's loader, so objects asking for the same thing share one upstream call.
pub async fn fetch(
    ctx: &Context<'_>,
    provider: Provider,
    connection: &str,
    path: &str,
) -> Result<serde_json::Value, GatewayError> {
    let principal = require(ctx, Scope::Read)?;
    let services = ctx.data_unchecked::<Arc<Services>>();
    let conn = services
        .connections
        .resolve(principal, provider, Some(connection))?;
    Ok(crate::reads::read(ctx, &conn, path).await?.items)
}
