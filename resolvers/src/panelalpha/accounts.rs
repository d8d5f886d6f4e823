//! PanelAlpha's hosting accounts (`/api/admin/hosting-accounts`): a customer's space on a hosting
//! server.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaAccountsQuery;
    mutation_root: PanelalphaAccountsMutation;
    queries {
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
