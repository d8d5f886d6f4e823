//! PanelAlpha's server groups (`/api/admin/server-groups`): hosting servers of one type that plans
//! place accounts on.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaServerGroupsQuery;
    mutation_root: PanelalphaServerGroupsMutation;
    queries {
        /// List server groups
        panelalpha_server_groups = Get "/api/admin/server-groups" () -> Vec<PanelalphaServerGroup> => parse;
        /// Show server group details
        panelalpha_server_group = Get "/api/admin/server-groups/{id}" (id: i32) -> PanelalphaServerGroup => parse;
    }
    mutations {
        /// Create server group
        panelalpha_create_server_group = Post "/api/admin/server-groups" (; input: PanelalphaServerGroupInput) -> PanelalphaServerGroup => admin_parse;
        /// Update server group
        panelalpha_update_server_group = Put "/api/admin/server-groups/{id}" (id: i32; input: PanelalphaServerGroupInput) -> PanelalphaServerGroup => admin_parse;
        /// Delete server group
        panelalpha_delete_server_group = Delete "/api/admin/server-groups/{id}" (id: i32) -> ActionResult => admin_done;
    }
}
