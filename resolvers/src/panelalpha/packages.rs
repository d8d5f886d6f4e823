//! PanelAlpha's packages (`/api/admin/package(s)`): sets of plugins and themes a service can be
//! given; forcing one's install on every instance that has it is a Task.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaPackagesQuery;
    mutation_root: PanelalphaPackagesMutation;
    queries {
        /// List packages
        panelalpha_packages = Get "/api/admin/packages" () -> Vec<PanelalphaPackage> => parse;
        /// Show package details
        panelalpha_package = Get "/api/admin/package/{id}" (id: i32) -> PanelalphaPackage => parse;
    }
    mutations {
        /// Create package
        panelalpha_create_package = Post "/api/admin/package" (; input: PanelalphaPackageDefinition) -> PanelalphaPackage => admin_parse;
        /// Update package
        panelalpha_update_package = Put "/api/admin/package/{id}" (id: i32; input: PanelalphaPackageDefinition) -> PanelalphaPackage => admin_parse;
        /// Delete package
        panelalpha_delete_package = Delete "/api/admin/package/{id}" (id: i32) -> ActionResult => admin_done;
        /// Force install package: a Task until every instance with the package has it
        panelalpha_force_install_package = Post "/api/admin/package/{id}/force-install" (id: i32) -> TaskPayload => admin_task;
    }
}
