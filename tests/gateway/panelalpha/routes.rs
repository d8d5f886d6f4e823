//! Which of PanelAlpha's documented endpoints the gateway serves.

use crate::helpers::assert_route_table_of;
use hostplane_adapters::Provider;

/// Parts 1 to 3: the whole admin API, and the user API's own account (`/api/user/`), instances
/// and labels; part 4 (hosting accounts) as far as it is served.
const PREFIXES: &[&str] = &["/api/admin/", "/api/user/", "/api/instances", "/api/labels"];

/// Part 4's endpoints served so far: hosting accounts, their usage, PHP versions, FTP, MySQL, cron
/// jobs and DNS.
const PART_4: &[&str] = &[
    "/api/server-accounts",
    "/api/server-accounts/{id}",
    "/api/server-accounts/{id}/usage",
    "/api/server-accounts/{id}/php-versions",
    "/api/server-accounts/{id}/ftp-accounts",
];

/// The rows of `endpoints.tsv` under the served prefixes and the declared endpoints match one to
/// one, each a field named after the provider.
#[test]
fn route_table_matches_endpoints_tsv() {
    fn served(_: &str, path: &str) -> bool {
        PREFIXES.iter().any(|p| path.starts_with(p))
            || PART_4.contains(&path)
            || path.starts_with("/api/server-accounts/{id}/ftp-accounts/")
            || path.starts_with("/api/server-accounts/{id}/mysql/")
            || path.starts_with("/api/server-accounts/{id}/cron-jobs")
            || path.starts_with("/api/server-accounts/{id}/dns-zones")
    }
    assert_route_table_of(Provider::Panelalpha, served);
}
