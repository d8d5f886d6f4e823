//! PanelAlpha's WordPress instances, failed and archived ones included (`/api/admin/instances`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaInstancesQuery;
    mutation_root: PanelalphaInstancesMutation;
    queries {
        /// List instances
        panelalpha_instances = Get "/api/admin/instances" (; input: Option<PanelalphaInstanceFilter>) -> Vec<Instance> => instances;
        /// List failed instances
        panelalpha_failed_instances = Get "/api/admin/instances/failed" (; input: Option<PanelalphaFailedInstanceFilter>) -> Vec<Instance> => instances;
        /// Show failed instance details
        panelalpha_failed_instance = Get "/api/admin/instances/failed/{id}" (id: i32) -> Instance => instance;
        /// List archived instances
        panelalpha_archived_instances = Get "/api/admin/instances/archived" (; input: Option<PanelalphaArchivedInstanceFilter>) -> Vec<Instance> => instances;
        /// Show archived instance details
        panelalpha_archived_instance = Get "/api/admin/instances/archived/{id}" (id: i32) -> Instance => instance;
        /// Show instance details
        panelalpha_instance = Get "/api/admin/instances/{id}" (id: i32) -> Instance => instance;
        /// Get installed SSL certificate
        panelalpha_instance_ssl_certificate = Get "/api/admin/instances/{id}/installed-ssl-cert" (id: i32) -> RawAnswer => raw;
        /// List WordPress users
        panelalpha_instance_wordpress_users = Get "/api/admin/instances/{id}/wordpress/users" (id: i32) -> RawAnswer => raw;
    }
    mutations {
        /// Delete failed instance
        panelalpha_delete_failed_instance = Delete "/api/admin/instances/failed/{id}" (id: i32) -> ActionResult => done;
        /// Retry install failed instance: a Task until the install ends
        panelalpha_retry_failed_instance = Put "/api/admin/instances/failed/{id}/retry" (id: i32) -> TaskPayload => instance_task;
        /// Delete archived instance
        panelalpha_delete_archived_instance = Delete "/api/admin/instances/archived/{id}/delete" (id: i32) -> ActionResult => done;
        /// Delete (archive) instance
        panelalpha_delete_instance = Delete "/api/admin/instances/{id}" (id: i32; input: Option<PanelalphaDeleteInstanceInput>) -> ActionResult => done;
        /// Create WordPress SSO URL (admins only: it signs in to WordPress)
        panelalpha_create_wordpress_sso_url = Post "/api/admin/instances/{id}/wordpress/sso-url" (id: i32; input: PanelalphaWordpressSsoInput) -> PanelalphaSsoToken => admin_parse;
    }
}
