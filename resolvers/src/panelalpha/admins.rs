//! PanelAlpha's admin accounts, their API tokens and admin groups (`/api/admin/admins`,
//! `/api/admin/api-tokens`, `/api/admin/admin-groups`, `/api/admin/admin-group`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaAdminsQuery;
    mutation_root: PanelalphaAdminsMutation;
    queries {
        /// List admin accounts
        panelalpha_admins = Get "/api/admin/admins" () -> Vec<PanelalphaAdmin> => parse;
        /// Show admin account details
        panelalpha_admin = Get "/api/admin/admins/{id}" (id: i32) -> PanelalphaAdmin => parse;
        /// List admin group types
        panelalpha_admin_group_types = Get "/api/admin/admin-groups/types" () -> RawAnswer => raw;
        /// List admin groups
        panelalpha_admin_groups = Get "/api/admin/admin-groups" () -> Vec<PanelalphaAdminGroup> => parse;
        /// List admin group permissions and notifications
        panelalpha_admin_group_permissions = Get "/api/admin/admin-groups/permissions" () -> RawAnswer => raw;
        /// Show admin group details
        panelalpha_admin_group = Get "/api/admin/admin-groups/{id}" (id: i32) -> PanelalphaAdminGroup => parse;
    }
    mutations {
        /// Add admin account
        panelalpha_create_admin = Post "/api/admin/admins" (; input: PanelalphaCreateAdminInput) -> PanelalphaAdmin => parse;
        /// Update admin account
        panelalpha_update_admin = Put "/api/admin/admins/{id}" (id: i32; input: PanelalphaUpdateAdminInput) -> PanelalphaAdmin => parse;
        /// Delete admin account
        panelalpha_delete_admin = Delete "/api/admin/admins/{id}" (id: i32) -> ActionResult => done;
        /// Change admin account status
        panelalpha_set_admin_status = Put "/api/admin/admins/{id}/status" (id: i32; input: PanelalphaAdminStatusInput) -> PanelalphaAdmin => parse;
        /// Enable API token (admins only: the answer may carry the token)
        panelalpha_enable_api_token = Post "/api/admin/api-tokens/{id}" (id: i32) -> ActionResult => admin_done;
        /// Disable API token
        panelalpha_disable_api_token = Delete "/api/admin/api-tokens/{id}" (id: i32) -> ActionResult => done;
        /// Create admin group
        panelalpha_create_admin_group = Post "/api/admin/admin-group" (; input: PanelalphaAdminGroupInput) -> PanelalphaAdminGroup => parse;
        /// Update admin group
        panelalpha_update_admin_group = Put "/api/admin/admin-group/{id}" (id: i32; input: PanelalphaAdminGroupInput) -> PanelalphaAdminGroup => parse;
        /// Delete admin group
        panelalpha_delete_admin_group = Delete "/api/admin/admin-group/{id}" (id: i32) -> ActionResult => done;
    }
}
