//! What each provider's endpoints do for the unified objects, by role: a provider declares its
//! `ROLES` beside its endpoints and `providers!` registers them, so objects ask by role (this
//! site's report, this server's state, this global ID) and name no provider module, and a new
//! provider touches no object.

use super::{Instance, Node, Server, ServerKind, WordpressView};
use crate::{connections::Live, endpoint::Endpoint};
use async_graphql::{Context, futures_util::future::BoxFuture};
use hostplane_schema::{GatewayError, GlobalId};

/// A read of one object by its upstream ID: the endpoint and the parameter the ID fills.
pub struct Read {
    pub endpoint: &'static Endpoint,
    pub param: &'static str,
}

impl Read {
    pub fn path(&self, id: &str) -> Result<String, GatewayError> {
        self.endpoint.path_for(&[(self.param, id)])
    }
}

/// A provider's object by its global ID (`node`); `None` for what the provider does not have.
pub type NodeLookup = for<'a> fn(
    &'a Context<'a>,
    &'a Live,
    &'a GlobalId,
) -> BoxFuture<'a, Result<Option<Node>, GatewayError>>;

/// The instances on one server.
pub type ServerInstances =
    for<'a> fn(&'a Context<'a>, &'a Server) -> BoxFuture<'a, Result<Vec<Instance>, GatewayError>>;

/// An instance's WordPress.
pub type InstanceWordpress =
    for<'a> fn(&'a Context<'a>, &'a Instance) -> BoxFuture<'a, Result<WordpressView, GatewayError>>;

/// The roles a provider's endpoints play; what it does not have is `None`.
pub struct Roles {
    pub node: Option<NodeLookup>,
    /// One site by its ID, as a security report and its owner (`Site.security`, `Site.owner`).
    pub site_report: Option<Read>,
    /// One user by its ID, with its sites.
    pub user: Option<Read>,
    /// One site's lists, first page (`Site.health`, `snapshots`, `vulnerabilities`).
    pub health_checks: Option<Read>,
    pub snapshots: Option<Read>,
    pub vulnerabilities: Option<Read>,
    /// A tenant's domains.
    pub tenant_domains: Option<Read>,
    /// A server's live state, by its kind.
    pub server_state: &'static [(ServerKind, Read)],
    /// The accounts a hosting server holds, as it reports them, and the instances on it.
    pub server_accounts: Option<Read>,
    pub server_instances: Option<ServerInstances>,
    /// The key of a site's object that names the server it is on, and that server's kind.
    pub site_server: Option<(&'static str, ServerKind)>,
    /// An instance's WordPress view.
    pub instance_wordpress: Option<InstanceWordpress>,
}

impl Roles {
    /// A provider that plays none of the roles; each declares what it plays over this.
    pub const NONE: Roles = Roles {
        node: None,
        site_report: None,
        user: None,
        health_checks: None,
        snapshots: None,
        vulnerabilities: None,
        tenant_domains: None,
        server_state: &[],
        server_accounts: None,
        server_instances: None,
        site_server: None,
        instance_wordpress: None,
    };
}

#[cfg(test)]
mod tests {
    /// The objects name no provider module: a provider's part in them is its `ROLES`.
    #[test]
    fn objects_name_no_provider_module() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/objects");
        for entry in std::fs::read_dir(dir).expect("the objects folder") {
            let path = entry.expect("an entry").path();
            let text = std::fs::read_to_string(&path).expect("a source file");
            for provider in hostplane_adapters::Provider::ALL {
                let module = format!("crate::{}", provider.key());
                assert!(!text.contains(&module), "{} names {module}", path.display());
            }
        }
    }
}
