//! The WordPress of a PanelAlpha user's own instance (`/api/instances/{id}/wordpress/...`), acting as
//! that user: core updates (a Task), automatic updates and backups, site name, maintenance and debug
//! modes, wp-config entries, WordPress users and Cloudflare settings.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyWordpressQuery;
    mutation_root: PanelalphaMyWordpressMutation;
    queries {
        /// List available updates
        panelalpha_my_wordpress_updates = Get "/api/instances/{id}/wordpress/updates" (id: i32) -> RawAnswer => raw;
        /// Return auto-update status
        panelalpha_my_wordpress_auto_update = Get "/api/instances/{id}/wordpress/auto-update" (id: i32) -> RawAnswer => raw;
        /// Show automatic backup settings
        panelalpha_my_wordpress_automatic_backup = Get "/api/instances/{id}/wordpress/automatic-backup" (id: i32) -> RawAnswer => raw;
        /// Show maintenance mode status
        panelalpha_my_wordpress_maintenance_mode = Get "/api/instances/{id}/wordpress/maintenance-mode" (id: i32) -> RawAnswer => raw;
        /// Show debug mode status
        panelalpha_my_wordpress_debug_mode = Get "/api/instances/{id}/wordpress/debug-mode" (id: i32) -> RawAnswer => raw;
        /// List config entries
        panelalpha_my_wordpress_config = Get "/api/instances/{id}/wordpress/config" (id: i32) -> Vec<PanelalphaConfigEntry> => parse;
        /// List users
        panelalpha_my_wordpress_users = Get "/api/instances/{id}/wordpress/users" (id: i32; input: Option<PanelalphaWordpressUserFilter>) -> Vec<PanelalphaWordpressUser> => parse;
        /// Show Cloudflare settings
        panelalpha_my_cloudflare_security = Get "/api/instances/{id}/wordpress/cloudflare/security" (id: i32) -> RawAnswer => raw;
        /// Show Cloudflare browser check setting
        panelalpha_my_cloudflare_browser_check = Get "/api/instances/{id}/wordpress/cloudflare/browser-check" (id: i32) -> RawAnswer => raw;
        /// Show Cloudflare development mode setting
        panelalpha_my_cloudflare_development_mode = Get "/api/instances/{id}/wordpress/cloudflare/development-mode" (id: i32) -> RawAnswer => raw;
    }
    mutations {
        /// Update WordPress: a Task until the new version is in place
        panelalpha_update_my_wordpress = Put "/api/instances/{id}/wordpress/update" (id: i32; input: PanelalphaWordpressUpdateInput) -> TaskPayload => instance_task;
        /// Toggle auto-update
        panelalpha_set_my_wordpress_auto_update = Put "/api/instances/{id}/wordpress/auto-update" (id: i32; input: PanelalphaAutoUpdateInput) -> RawAnswer => raw;
        /// Update automatic backup settings
        panelalpha_set_my_wordpress_automatic_backup = Put "/api/instances/{id}/wordpress/automatic-backup" (id: i32; input: PanelalphaAutomaticBackupInput) -> RawAnswer => raw;
        /// Update site name
        panelalpha_set_my_wordpress_site_name = Put "/api/instances/{id}/wordpress/site-name" (id: i32; input: PanelalphaSiteNameInput) -> RawAnswer => raw;
        /// Toggle maintenance mode
        panelalpha_set_my_wordpress_maintenance_mode = Put "/api/instances/{id}/wordpress/maintenance-mode" (id: i32; input: PanelalphaModeInput) -> RawAnswer => raw;
        /// Toggle debug mode
        panelalpha_set_my_wordpress_debug_mode = Put "/api/instances/{id}/wordpress/debug-mode" (id: i32; input: PanelalphaModeInput) -> RawAnswer => raw;
        /// Add config entry
        panelalpha_add_my_wordpress_config = Post "/api/instances/{id}/wordpress/config" (id: i32; input: PanelalphaConfigEntryInput) -> PanelalphaConfigEntry => parse;
        /// Update config entry
        panelalpha_update_my_wordpress_config = Put "/api/instances/{id}/wordpress/config/{name}" (id: i32, name: String; input: PanelalphaConfigValueInput) -> PanelalphaConfigEntry => parse;
        /// Delete config entry
        panelalpha_delete_my_wordpress_config = Delete "/api/instances/{id}/wordpress/config/{name}" (id: i32, name: String; input: PanelalphaConfigTypeInput) -> ActionResult => done;
        /// Create user
        panelalpha_create_my_wordpress_user = Post "/api/instances/{id}/wordpress/users" (id: i32; input: PanelalphaCreateWordpressUserInput) -> PanelalphaWordpressUser => parse;
        /// Update user
        panelalpha_update_my_wordpress_user = Put "/api/instances/{id}/wordpress/users/{userId}" (id: i32, userId: i32; input: PanelalphaUpdateWordpressUserInput) -> PanelalphaWordpressUser => parse;
        /// Delete user
        panelalpha_delete_my_wordpress_user = Delete "/api/instances/{id}/wordpress/users/{userId}" (id: i32, userId: i32) -> ActionResult => done;
        /// Reset user password (WordPress mails the user a link)
        panelalpha_reset_my_wordpress_user_password = Put "/api/instances/{id}/wordpress/users/{userId}/reset-password" (id: i32, userId: i32; input: PanelalphaUpdateWordpressUserInput) -> PanelalphaWordpressUser => parse;
        /// Update Cloudflare settings
        panelalpha_set_my_cloudflare_security = Patch "/api/instances/{id}/wordpress/cloudflare/security" (id: i32; input: PanelalphaCloudflareSecurityInput) -> RawAnswer => raw;
        /// Update Cloudflare browser check setting
        panelalpha_set_my_cloudflare_browser_check = Patch "/api/instances/{id}/wordpress/cloudflare/browser-check" (id: i32; input: PanelalphaCloudflareToggleInput) -> RawAnswer => raw;
        /// Update Cloudflare development mode setting
        panelalpha_set_my_cloudflare_development_mode = Patch "/api/instances/{id}/wordpress/cloudflare/development-mode" (id: i32; input: PanelalphaCloudflareToggleInput) -> RawAnswer => raw;
        /// Purge Cloudflare cache
        panelalpha_purge_my_cloudflare_cache = Post "/api/instances/{id}/wordpress/cloudflare/purge-cache" (id: i32) -> ActionResult => done;
    }
}
