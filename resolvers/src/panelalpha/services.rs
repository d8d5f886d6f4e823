//! PanelAlpha's services across users (`/api/admin/services`, `/api/admin/service`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaServicesQuery;
    mutation_root: PanelalphaServicesMutation;
    queries {
        /// List services
        panelalpha_services = Get "/api/admin/services" (; input: Option<PanelalphaServiceFilter>) -> Vec<Service> => services;
        /// List archived services
        panelalpha_archived_services = Get "/api/admin/services/archived" (; input: Option<PanelalphaArchivedServiceFilter>) -> Vec<Service> => services;
        /// Show service details
        panelalpha_service = Get "/api/admin/services/{id}" (id: i32) -> Service => service;
        /// Show archived service details
        panelalpha_archived_service = Get "/api/admin/services/{id}/archived" (id: i32) -> Service => service;
    }
    mutations {
        /// Add package to service
        panelalpha_add_service_package = Post "/api/admin/service/{id}/package" (id: i32; input: PanelalphaPackageInput) -> Service => service;
        /// Delete package from service
        panelalpha_delete_service_package = Delete "/api/admin/service/{id}/package/{packageId}" (id: i32, packageId: String) -> ActionResult => done;
        /// Delete (archive) service
        panelalpha_delete_service = Delete "/api/admin/services/{id}" (id: i32) -> ActionResult => done;
        /// Delete archived service
        panelalpha_delete_archived_service = Delete "/api/admin/services/{id}/delete" (id: i32) -> ActionResult => done;
    }
}
