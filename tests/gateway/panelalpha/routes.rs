//! Which of PanelAlpha's documented endpoints the gateway serves.

use crate::helpers::assert_route_table_of;
use hostplane_adapters::Provider;

/// Part 1: the admin API for customers and their work, and the user API's own account; part 2
/// (the platform) as far as it is served.
const PREFIXES: &[&str] = &[
    "/api/admin/users",
    "/api/admin/services",
    "/api/admin/service/",
    "/api/admin/plans",
    "/api/admin/instances",
    "/api/admin/hosting-accounts",
    "/api/admin/tasks",
    "/api/admin/admins",
    "/api/admin/api-tokens",
    "/api/admin/admin-groups",
    "/api/admin/admin-group/",
    "/api/user/",
    // Part 2 (the platform), as it is served.
    "/api/admin/settings",
    "/api/admin/server-groups",
    "/api/admin/theme-categor",
    "/api/admin/notification",
    "/api/admin/dns-zones",
    "/api/admin/backup-logs",
];

/// The rows of `endpoints.tsv` under part 1's prefixes, with the hosting server list and show
/// that the unified `servers` reads, and the declared endpoints match one to one, each a field
/// named after the provider.
#[test]
fn route_table_matches_endpoints_tsv() {
    fn served(method: &str, path: &str) -> bool {
        const SERVERS: [&str; 2] = ["/api/admin/servers", "/api/admin/servers/{id}"];
        PREFIXES.iter().any(|p| path.starts_with(p))
            || path == "/api/admin/admin-group"
            || (method == "GET" && SERVERS.contains(&path))
    }
    assert_route_table_of(Provider::Panelalpha, served);
}
