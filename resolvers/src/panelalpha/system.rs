//! PanelAlpha's system configuration (`/api/admin/settings`): the docs name no keys, so it is read
//! and written as the panel's own JSON object.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaSystemQuery;
    mutation_root: PanelalphaSystemMutation;
    queries {
        /// Show system configuration
        panelalpha_settings = Get "/api/admin/settings" () -> RawAnswer => raw;
    }
    mutations {
        /// Update system configuration
        panelalpha_update_settings = Put "/api/admin/settings" (; input: Option<JsonObject>) -> RawAnswer => admin_raw;
    }
}
