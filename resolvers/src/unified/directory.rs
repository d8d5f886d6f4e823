//! The request's site directory: each connection's sites, listed at most once per request (within the
//! fan-out deadline) whether `sites` asked or a site's linked views did. A site's views at other
//! upstreams are the listed sites sharing one of its normalised domains; a connection that fails is
//! reported once per request, at the first field that needed it.

use super::{Listed, fan_out, sources};
use crate::{
    Services,
    connections::Live,
    links::{self, LinkKind},
    objects::{Server, Site},
};
use async_graphql::Context;
use hostplane_adapters::UpstreamError;
use hostplane_schema::{
    GatewayError,
    principal::{Scope, require},
};
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};
use tokio::sync::OnceCell;

type Answer = Result<Arc<Listed<Site>>, GatewayError>;

/// Request data, set per request next to the loader.
#[derive(Default)]
pub struct SiteDirectory {
    listed: Mutex<HashMap<String, Arc<OnceCell<Answer>>>>,
    reported: Mutex<HashSet<String>>,
}

impl SiteDirectory {
    fn cell(&self, connection: &str) -> Arc<OnceCell<Answer>> {
        self.listed
            .lock()
            .expect("site directory lock poisoned")
            .entry(connection.to_string())
            .or_default()
            .clone()
    }

    /// Whether this connection's failure is still to be reported (true once per request).
    pub fn first_report(&self, connection: &str) -> bool {
        self.reported
            .lock()
            .expect("site directory lock poisoned")
            .insert(connection.to_string())
    }
}

/// One connection's sites, listed once per request and bounded by the fan-out deadline.
pub async fn sites_at(ctx: &Context<'_>, live: Arc<Live>) -> Answer {
    let list = || async {
        let deadline = ctx.data_unchecked::<Arc<Services>>().fanout_deadline;
        match tokio::time::timeout(deadline, sources::sites(ctx, &live)).await {
            Ok(listed) => listed.map(Arc::new),
            Err(_) => Err(live.error(UpstreamError::Timeout(deadline))),
        }
    };
    match ctx
        .data_opt::<SiteDirectory>()
        .filter(|_| crate::reads::shares_reads(ctx))
    {
        Some(dir) => dir.cell(&live.name).get_or_init(list).await.clone(),
        None => list().await,
    }
}

/// The same site at the other upstreams: listed sites sharing one of its domains, in connection
/// order. Connections that fail are reported once and skipped.
pub async fn linked(ctx: &Context<'_>, site: &Site) -> Result<Vec<Site>, GatewayError> {
    let domains = site.domains();
    if domains.is_empty() {
        return Ok(Vec::new());
    }
    let connections =
        super::connections_for(ctx, sources::SITES, &super::UnifiedFilter::default())?;
    let outcomes = fan_out(ctx, connections, |live| async move {
        sites_at(ctx, live)
            .await
            .map(|listed| Listed::all(listed.items.clone()))
    })
    .await;
    let mut found = Vec::new();
    for outcome in outcomes {
        match outcome.result {
            Ok(listed) => found.extend(listed.items.into_iter().filter(|other| {
                !(other.connection == site.connection && other.site_id == site.site_id)
                    && other.domains().iter().any(|d| domains.contains(d))
            })),
            Err(e) => {
                let first = ctx
                    .data_opt::<SiteDirectory>()
                    .is_none_or(|d| d.first_report(&outcome.live.name));
                if first {
                    super::report(ctx, e);
                }
            }
        }
    }
    Ok(found)
}

/// The servers whose hostname (as set through the gateway) is one of the site's domains.
pub async fn servers_of(ctx: &Context<'_>, site: &Site) -> Result<Vec<Server>, GatewayError> {
    let principal = require(ctx, Scope::Read)?;
    let services = ctx.data_unchecked::<Arc<Services>>();
    let mut found = Vec::new();
    for domain in site.domains() {
        for link in links::by_domain(&services.db, LinkKind::Server, &domain).await? {
            if !principal.may_use(&link.connection) {
                continue;
            }
            let gid = hostplane_schema::GlobalId::new("Server", &link.connection, &link.local_id);
            if let Some(server) = Server::from_global(&gid, link.provider) {
                found.push(server);
            }
        }
    }
    Ok(found)
}
