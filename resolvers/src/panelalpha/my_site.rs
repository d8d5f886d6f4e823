//! A PanelAlpha user's own instance as a website (`/api/instances/{id}/...`), acting as that user:
//! screenshots (signed gateway links), visitor and bandwidth reports (their optional path segments
//! left out when not given), staging copies and pushing one live, a new domain, and sharing the
//! instance with other users by role; the long work a Task each.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMySiteQuery;
    mutation_root: PanelalphaMySiteMutation;
    queries {
        /// Get website screenshot: a signed gateway URL valid for five minutes
        panelalpha_my_instance_screenshot = Get "/api/instances/{id}/screenshot" (id: i32) -> DownloadLink => link;
        /// Get theme screenshot: a signed gateway URL valid for five minutes
        panelalpha_my_theme_screenshot = Get "/api/instances/{id}/wordpress/themes/{themeName}/screenshot" (id: i32, themeName: String) -> DownloadLink => link;
        /// Get bandwidth usage
        panelalpha_my_bandwidth = Get "/api/instances/{id}/reporting/bandwidth/{period}" (id: i32, period: Option<PanelalphaPeriod>) -> RawAnswer => raw;
        /// Get visitors statistics
        panelalpha_my_visitors = Get "/api/instances/{id}/reporting/visitors/{period}" (id: i32, period: Option<PanelalphaPeriod>) -> RawAnswer => raw;
        /// Get visitors details
        panelalpha_my_visitor_details = Get "/api/instances/{id}/reporting/{type}/{period}" (id: i32, r#type: Option<PanelalphaReport>, period: Option<PanelalphaPeriod>) -> RawAnswer => raw;
        /// Show staging changes
        panelalpha_my_staging_changes = Get "/api/instances/{id}/push-to-live" (id: i32) -> RawAnswer => raw;
        /// List users with instance's shared access
        panelalpha_my_shared_access = Get "/api/instances/{id}/shared-access" (id: i32) -> Vec<PanelalphaSharedAccess> => parse;
        /// List available options for changing domain
        panelalpha_my_domain_options = Get "/api/instances/{id}/change-domain/options" (id: i32) -> RawAnswer => raw;
    }
    mutations {
        /// Create staging instance: a Task until the copy is made
        panelalpha_create_my_staging = Post "/api/instances/{id}/staging" (id: i32; input: PanelalphaStagingInput) -> TaskPayload => instance_task;
        /// Retry create staging instance: a Task until the copy is made
        panelalpha_retry_my_staging = Put "/api/instances/{id}/retry-staging/{stagingId}" (id: i32, stagingId: String; input: PanelalphaStagingInput) -> TaskPayload => instance_task;
        /// Push staging instance to live: a Task until the live site has the changes
        panelalpha_push_my_staging_live = Put "/api/instances/{id}/push-to-live" (id: i32) -> TaskPayload => instance_task;
        /// Share instance access
        panelalpha_share_my_instance = Post "/api/instances/{id}/shared-access" (id: i32; input: PanelalphaShareInput) -> Vec<PanelalphaSharedAccess> => parse;
        /// Resend invitation
        panelalpha_resend_my_invite = Post "/api/instances/{id}/shared-access/resend-invite" (id: i32; input: PanelalphaResendInviteInput) -> ActionResult => done;
        /// Remove access
        panelalpha_unshare_my_instance = Delete "/api/instances/{id}/shared-access" (id: i32; input: PanelalphaUnshareInput) -> ActionResult => done;
        /// Change instance's domain to custom domain: a Task until the site answers there
        panelalpha_change_my_domain = Put "/api/instances/{id}/change-domain/domain" (id: i32; input: PanelalphaCustomDomainInput) -> TaskPayload => instance_task;
        /// Change instance's domain to subdomain: a Task until the site answers there
        panelalpha_change_my_subdomain = Put "/api/instances/{id}/change-domain/subdomain" (id: i32; input: PanelalphaSubdomainInput) -> TaskPayload => instance_task;
    }
}
