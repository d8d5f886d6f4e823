//! PanelAlpha's email servers (`/api/admin/email-servers`, server-like records whose credentials
//! only admins read back) and importing the email domains they already hold (a Task each). The docs
//! give a string ID where they show or sync one, an integer where they change one.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaEmailServersQuery;
    mutation_root: PanelalphaEmailServersMutation;
    queries {
        /// List email server types
        panelalpha_email_server_types = Get "/api/admin/email-servers/types" () -> RawAnswer => raw;
        /// List email servers
        panelalpha_email_servers = Get "/api/admin/email-servers" (; input: Option<PanelalphaTypeFilter>) -> Vec<PanelalphaConnection> => parse;
        /// Show email server details
        panelalpha_email_server = Get "/api/admin/email-servers/{id}" (id: String) -> PanelalphaConnection => parse;
        /// List remote email domains
        panelalpha_email_server_domains = Get "/api/admin/email-servers/{id}/sync/domains" (id: String) -> RawAnswer => raw;
    }
    mutations {
        /// Test connection (whether the server answers is data)
        panelalpha_test_email_server_connection = Post "/api/admin/email-servers/test-connection" (; input: PanelalphaConnectionInput) -> RawAnswer => admin_raw;
        /// Add email server
        panelalpha_create_email_server = Post "/api/admin/email-servers" (; input: PanelalphaConnectionInput) -> PanelalphaConnection => admin_parse;
        /// Update email server
        panelalpha_update_email_server = Put "/api/admin/email-servers/{id}" (id: i32; input: PanelalphaConnectionInput) -> PanelalphaConnection => admin_parse;
        /// Delete email server
        panelalpha_delete_email_server = Delete "/api/admin/email-servers/{id}" (id: i32) -> ActionResult => admin_done;
        /// Import email domain: a Task until the domain is the service's
        panelalpha_import_email_domain = Post "/api/admin/email-servers/{id}/sync/import-domain" (id: String; input: PanelalphaImportInput) -> TaskPayload => admin_task;
    }
}
