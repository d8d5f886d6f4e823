//! PanelAlpha's hosting accounts (`/api/admin/hosting-accounts`) and the hosting servers they are on
//! (`/api/admin/servers`, whose list and show are all the unified `servers` needs; the rest of that
//! section comes with the panel's configuration).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaAccountsQuery;
    mutation_root: PanelalphaAccountsMutation;
    queries {
        /// List hosting servers
        panelalpha_servers = Get "/api/admin/servers" (; input: Option<PanelalphaServerFilter>) -> Vec<Server> => servers;
        /// Show hosting server details
        panelalpha_server = Get "/api/admin/servers/{id}" (id: i32) -> Server => server;
        /// Show hosting account details
        panelalpha_hosting_account = Get "/api/admin/hosting-accounts/{id}" (id: i32) -> PanelalphaHostingAccount => parse;
        /// List hosting account domains
        panelalpha_hosting_account_domains = Get "/api/admin/hosting-accounts/{id}/domains" (id: i32) -> RawAnswer => raw;
        /// List hosting account SSL domains
        panelalpha_hosting_account_ssl_domains = Get "/api/admin/hosting-accounts/{id}/ssl-domains" (id: i32) -> RawAnswer => raw;
        /// Show hosting account usage
        panelalpha_hosting_account_usage = Get "/api/admin/hosting-accounts/{id}/usage" (id: i32) -> RawAnswer => raw;
    }
    mutations {
        /// Reinstall hosting account: a Task until the reinstall ends
        panelalpha_reinstall_hosting_account = Put "/api/admin/hosting-accounts/{id}/reinstall" (id: i32) -> TaskPayload => task;
    }
}
