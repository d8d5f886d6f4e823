//! PanelAlpha's theme categories and the themes in them (`/api/admin/theme-categories`,
//! `/api/admin/theme-category`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaThemesQuery;
    mutation_root: PanelalphaThemesMutation;
    queries {
        /// List theme categories
        panelalpha_theme_categories = Get "/api/admin/theme-categories" () -> Vec<PanelalphaThemeCategory> => parse;
        /// List themes from category
        panelalpha_category_themes = Get "/api/admin/theme-category/{id}/themes" (id: i32) -> Vec<PanelalphaTheme> => parse;
    }
    mutations {
        /// Create theme category
        panelalpha_create_theme_category = Post "/api/admin/theme-category" (; input: PanelalphaThemeCategoryInput) -> PanelalphaThemeCategory => admin_parse;
        /// Update theme category
        panelalpha_update_theme_category = Put "/api/admin/theme-category/{id}/update" (id: i32; input: PanelalphaThemeCategoryInput) -> PanelalphaThemeCategory => admin_parse;
        /// Delete theme category
        panelalpha_delete_theme_category = Delete "/api/admin/theme-category/{id}" (id: i32) -> ActionResult => admin_done;
        /// Add theme to category
        panelalpha_add_category_theme = Post "/api/admin/theme-category/{id}/add-theme" (id: i32; input: PanelalphaAddThemeInput) -> PanelalphaTheme => admin_parse;
        /// Delete theme from category
        panelalpha_delete_category_theme = Delete "/api/admin/theme-category/{id}/delete-theme/{theme_id}" (id: i32, theme_id: String) -> ActionResult => admin_done;
    }
}
