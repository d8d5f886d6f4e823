//! PanelAlpha's hosting servers (`/api/admin/servers`): the cPanel, Plesk, ... machines it creates
//! accounts on, each the unified `Server`; their types, logs and PHP versions; testing a connection
//! before it is saved (reachability is the answer, not an error); and importing what a server
//! already hosts (accounts as services, WordPress installations as instances), each a Task.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaServersQuery;
    mutation_root: PanelalphaServersMutation;
    queries {
        /// List hosting servers
        panelalpha_servers = Get "/api/admin/servers" (; input: Option<PanelalphaServerFilter>) -> Vec<Server> => servers;
        /// Show hosting server details
        panelalpha_server = Get "/api/admin/servers/{id}" (id: i32) -> Server => server;
        /// Show server config (its connection settings are for admins only)
        panelalpha_server_config = Get "/api/admin/servers/{id}/config" (id: i32) -> RawAnswer => raw;
        /// List server types
        panelalpha_server_types = Get "/api/admin/servers/types" () -> RawAnswer => raw;
        /// Show server type details
        panelalpha_server_type = Get "/api/admin/servers/types/{type}" (r#type: String) -> RawAnswer => raw;
        /// List server logs
        panelalpha_server_logs = Get "/api/admin/servers/logs" () -> RawAnswer => raw;
        /// List PHP versions
        panelalpha_server_php_versions = Get "/api/admin/servers/{id}/php/versions" (id: i32) -> RawAnswer => raw;
        /// List remote accounts
        panelalpha_server_remote_accounts = Get "/api/admin/servers/{id}/sync/accounts" (id: i32) -> RawAnswer => raw;
        /// Find WordPress installations
        panelalpha_server_applications = Get "/api/admin/servers/{id}/sync/find-applications" (id: i32) -> RawAnswer => raw;
    }
    mutations {
        /// Test connection (whether the server answers is data)
        panelalpha_test_server_connection = Post "/api/admin/servers/test-connection" (; input: PanelalphaConnectionTest) -> RawAnswer => admin_raw;
        /// Test WP-CLI (whether it runs there is data)
        panelalpha_test_server_wp_cli = Post "/api/admin/servers/test-wp-cli" (; input: PanelalphaConnectionTest) -> RawAnswer => admin_raw;
        /// Add server
        panelalpha_create_server = Post "/api/admin/servers" (; input: PanelalphaServerInput) -> Server => admin_server;
        /// Update server
        panelalpha_update_server = Put "/api/admin/servers/{id}" (id: i32; input: PanelalphaServerInput) -> Server => admin_server;
        /// Delete server
        panelalpha_delete_server = Delete "/api/admin/servers/{id}" (id: i32) -> ActionResult => admin_done;
        /// Import service: a Task until the account is the user's service
        panelalpha_import_service = Post "/api/admin/servers/{id}/sync/import-service" (id: i32; input: PanelalphaImportServiceInput) -> TaskPayload => import_service;
        /// Import WordPress installation: a Task until it is an instance
        panelalpha_import_instance = Post "/api/admin/servers/{id}/sync/import-instance" (id: i32; input: PanelalphaImportInstanceInput) -> TaskPayload => import_instance;
    }
}

async fn admin_server(ctx: &Context<'_>, call: &UpstreamCall) -> Result<Server, GatewayError> {
    require(ctx, Scope::Admin)?;
    server(ctx, call).await
}
