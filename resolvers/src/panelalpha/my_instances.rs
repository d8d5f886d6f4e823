//! A PanelAlpha user's own WordPress instances (`/api/instances`, `/api/labels`), acting as that user:
//! listing, installing (a Task), showing and deleting them, their details and logs, their labels,
//! and the user's sign-in link to one (its own instance's only, never cached).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyInstancesQuery;
    mutation_root: PanelalphaMyInstancesMutation;
    queries {
        /// List instances
        panelalpha_my_instances = Get "/api/instances" (; input: Option<PanelalphaMyInstanceFilter>) -> Vec<Instance> => instances;
        /// Show instance details
        panelalpha_my_instance = Get "/api/instances/{id}" (id: i32) -> Instance => instance;
        /// Show installation details
        panelalpha_my_instance_installation_details = Get "/api/instances/{id}/installation-details" (id: i32) -> RawAnswer => raw;
        /// Show website details
        panelalpha_my_instance_website_details = Get "/api/instances/{id}/website-details" (id: i32) -> RawAnswer => raw;
        /// List instance logs
        panelalpha_my_instance_logs = Get "/api/instances/{id}/logs" (id: i32) -> RawAnswer => raw;
        /// List available WordPress versions
        panelalpha_my_wordpress_versions = Get "/api/instances/wordpress-versions" () -> RawAnswer => raw;
        /// List labels
        panelalpha_my_labels = Get "/api/labels" () -> Vec<PanelalphaLabel> => parse;
    }
    mutations {
        /// Create instance: a Task until WordPress is installed
        panelalpha_install_my_instance = Post "/api/instances/install" (; input: PanelalphaInstallInput) -> TaskPayload => instance_task;
        /// Retry create instance: a Task until WordPress is installed
        panelalpha_retry_my_instance_install = Put "/api/instances/{id}/retry-install" (id: i32; input: PanelalphaRetryInstallInput) -> TaskPayload => instance_task;
        /// Retry WordPress import: a Task until the import ends
        panelalpha_retry_my_instance_import = Put "/api/instances/{id}/import/quick-retry" (id: i32) -> TaskPayload => instance_task;
        /// Delete instance
        panelalpha_delete_my_instance = Delete "/api/instances/{id}" (id: i32; input: Option<PanelalphaDeleteInstanceInput>) -> ActionResult => done;
        /// Create WordPress SSO URL (the acting user's own instance only; never cached)
        panelalpha_create_my_instance_sso_url = Post "/api/instances/{id}/sso-url" (id: i32; input: PanelalphaWordpressSsoInput) -> PanelalphaSsoToken => parse;
        /// Clear cache
        panelalpha_clear_my_instance_cache = Put "/api/instances/{id}/clear-cache" (id: i32) -> ActionResult => done;
        /// Assign label to instance
        panelalpha_assign_my_instance_label = Post "/api/instances/{id}/labels" (id: i32; input: PanelalphaLabelRef) -> Instance => instance;
        /// Unassign label from instance
        panelalpha_unassign_my_instance_label = Delete "/api/instances/{id}/labels" (id: i32; input: PanelalphaLabelRef) -> ActionResult => done;
        /// Create label
        panelalpha_create_my_label = Post "/api/labels" (; input: PanelalphaLabelInput) -> PanelalphaLabel => parse;
        /// Delete label
        panelalpha_delete_my_label = Delete "/api/labels" (; input: PanelalphaLabelRef) -> ActionResult => done;
    }
}
