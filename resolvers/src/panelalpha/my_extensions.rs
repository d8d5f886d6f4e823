//! The plugins and themes of a PanelAlpha user's own instance (`/api/instances/{id}/wordpress/
//! plugins` and `themes`), acting as that user: installed ones, the directory's search and featured
//! lists, activation, deletion, and installs and updates, each a Task.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyExtensionsQuery;
    mutation_root: PanelalphaMyExtensionsMutation;
    queries {
        /// List installed plugins
        panelalpha_my_plugins = Get "/api/instances/{id}/wordpress/plugins" (id: i32) -> Vec<PanelalphaPlugin> => parse;
        /// Search for new plugins
        panelalpha_search_my_plugins = Get "/api/instances/{id}/wordpress/plugins/new/search/{term}" (id: i32, term: String) -> Vec<PanelalphaPlugin> => parse;
        /// List featured plugins
        panelalpha_my_featured_plugins = Get "/api/instances/{id}/wordpress/plugins/new/featured" (id: i32) -> Vec<PanelalphaPlugin> => parse;
        /// List installed themes
        panelalpha_my_themes = Get "/api/instances/{id}/wordpress/themes" (id: i32) -> Vec<PanelalphaWordpressTheme> => parse;
        /// Search for new themes
        panelalpha_search_my_themes = Get "/api/instances/{id}/wordpress/themes/new/search/{term}" (id: i32, term: String) -> Vec<PanelalphaWordpressTheme> => parse;
        /// List featured themes
        panelalpha_my_featured_themes = Get "/api/instances/{id}/wordpress/themes/new/featured" (id: i32) -> Vec<PanelalphaWordpressTheme> => parse;
    }
    mutations {
        /// Install plugin: a Task until it is installed
        panelalpha_install_my_plugin = Post "/api/instances/{id}/wordpress/plugins/new/{pluginName}/install" (id: i32, pluginName: String) -> TaskPayload => instance_task;
        /// Activate plugin
        panelalpha_activate_my_plugin = Put "/api/instances/{id}/wordpress/plugins/{pluginName}/activate" (id: i32, pluginName: String) -> PanelalphaPlugin => parse;
        /// Deactivate plugin
        panelalpha_deactivate_my_plugin = Put "/api/instances/{id}/wordpress/plugins/{pluginName}/deactivate" (id: i32, pluginName: String) -> PanelalphaPlugin => parse;
        /// Update plugin: a Task until the new version is in place
        panelalpha_update_my_plugin = Put "/api/instances/{id}/wordpress/plugins/{pluginName}/update" (id: i32, pluginName: String) -> TaskPayload => instance_task;
        /// Delete plugin
        panelalpha_delete_my_plugin = Delete "/api/instances/{id}/wordpress/plugins/{pluginName}" (id: i32, pluginName: String) -> ActionResult => done;
        /// Install theme: a Task until it is installed
        panelalpha_install_my_theme = Post "/api/instances/{id}/wordpress/themes/new/{themeName}/install" (id: i32, themeName: String) -> TaskPayload => instance_task;
        /// Activate theme
        panelalpha_activate_my_theme = Put "/api/instances/{id}/wordpress/themes/{themeName}/activate" (id: i32, themeName: String) -> PanelalphaWordpressTheme => parse;
        /// Update theme: a Task until the new version is in place
        panelalpha_update_my_theme = Put "/api/instances/{id}/wordpress/themes/{themeName}/update" (id: i32, themeName: String) -> TaskPayload => instance_task;
        /// Delete theme
        panelalpha_delete_my_theme = Delete "/api/instances/{id}/wordpress/themes/{themeName}" (id: i32, themeName: String) -> ActionResult => done;
    }
}
