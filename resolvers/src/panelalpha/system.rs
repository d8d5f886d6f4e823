//! PanelAlpha's system configuration (`/api/admin/settings`: the docs name no keys, so it is read
//! and written as the panel's own JSON object), and the panel-wide DNS zones and backup logs.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaSystemQuery;
    mutation_root: PanelalphaSystemMutation;
    queries {
        /// Show system configuration
        panelalpha_settings = Get "/api/admin/settings" () -> RawAnswer => raw;
        /// List DNS zones
        panelalpha_dns_zones = Get "/api/admin/dns-zones" () -> RawAnswer => raw;
        /// List backup logs
        panelalpha_backup_logs = Get "/api/admin/backup-logs" (; input: Option<PanelalphaBackupLogFilter>) -> RawAnswer => raw;
    }
    mutations {
        /// Update system configuration
        panelalpha_update_settings = Put "/api/admin/settings" (; input: Option<JsonObject>) -> RawAnswer => admin_raw;
    }
}
