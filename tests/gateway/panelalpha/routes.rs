//! Which of PanelAlpha's documented endpoints the gateway serves.

use crate::helpers::assert_route_table_of;
use hostplane_adapters::Provider;

/// Parts 1 and 2: the whole admin API, and the user API's own account (`/api/user/`); part 3, the
/// user API's instances and labels, as far as it is served.
const PREFIXES: &[&str] = &["/api/admin/", "/api/user/", "/api/instances", "/api/labels"];

/// Part 3's endpoints still to come: backups, screenshots, reporting, staging, shared access and
/// changes of domain.
const NOT_YET: &[&str] = &[
    "/wordpress/backups",
    "/screenshot",
    "/reporting/",
    "staging",
    "push-to-live",
    "/shared-access",
    "/change-domain/",
];

/// The rows of `endpoints.tsv` under the served prefixes and the declared endpoints match one to
/// one, each a field named after the provider.
#[test]
fn route_table_matches_endpoints_tsv() {
    fn served(_: &str, path: &str) -> bool {
        PREFIXES.iter().any(|p| path.starts_with(p)) && !NOT_YET.iter().any(|n| path.contains(n))
    }
    assert_route_table_of(Provider::Panelalpha, served);
}
