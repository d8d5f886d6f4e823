//! PanelAlpha's DNS servers (`/api/admin/dns-servers`, server-like records whose credentials only
//! admins read back), importing the zones they already hold (a Task each), and the templates new
//! zones start from (`/api/admin/dns-zone-template(s)`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaDnsQuery;
    mutation_root: PanelalphaDnsMutation;
    queries {
        /// List DNS server types
        panelalpha_dns_server_types = Get "/api/admin/dns-servers/types" () -> RawAnswer => raw;
        /// List DNS servers
        panelalpha_dns_servers = Get "/api/admin/dns-servers" (; input: Option<PanelalphaTypeFilter>) -> Vec<PanelalphaConnection> => parse;
        /// Show DNS server details
        panelalpha_dns_server = Get "/api/admin/dns-servers/{id}" (id: i32) -> PanelalphaConnection => parse;
        /// List remote DNS zones
        panelalpha_dns_server_zones = Get "/api/admin/dns-servers/{id}/sync/zones" (id: i32) -> RawAnswer => raw;
        /// List DNS zone templates
        panelalpha_dns_zone_templates = Get "/api/admin/dns-zone-templates" () -> Vec<PanelalphaZoneTemplate> => parse;
    }
    mutations {
        /// Test connection (whether the server answers is data)
        panelalpha_test_dns_server_connection = Post "/api/admin/dns-servers/test-connection" (; input: PanelalphaConnectionInput) -> RawAnswer => admin_raw;
        /// Add DNS server
        panelalpha_create_dns_server = Post "/api/admin/dns-servers" (; input: PanelalphaConnectionInput) -> PanelalphaConnection => admin_parse;
        /// Update DNS server
        panelalpha_update_dns_server = Put "/api/admin/dns-servers/{id}" (id: i32; input: PanelalphaConnectionInput) -> PanelalphaConnection => admin_parse;
        /// Delete DNS server
        panelalpha_delete_dns_server = Delete "/api/admin/dns-servers/{id}" (id: i32) -> ActionResult => admin_done;
        /// Import DNS zone: a Task until the zone is the service's
        panelalpha_import_dns_zone = Post "/api/admin/dns-servers/{id}/sync/import-zone" (id: i32; input: PanelalphaImportInput) -> TaskPayload => admin_task;
        /// Create DNS zone template
        panelalpha_create_dns_zone_template = Post "/api/admin/dns-zone-template" (; input: PanelalphaZoneTemplateInput) -> PanelalphaZoneTemplate => admin_parse;
        /// Update DNS zone template
        panelalpha_update_dns_zone_template = Put "/api/admin/dns-zone-template/{id}" (id: i32; input: PanelalphaZoneTemplateInput) -> PanelalphaZoneTemplate => admin_parse;
        /// Delete zone template
        panelalpha_delete_dns_zone_template = Delete "/api/admin/dns-zone-template/{id}" (id: i32) -> ActionResult => admin_done;
    }
}
