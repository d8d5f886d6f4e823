//! The MySQL of a PanelAlpha user's own hosting account (`/api/server-accounts/{id}/mysql`), acting
//! as that user: databases, users (passwords write-only), their privileges, and a phpMyAdmin sign-in
//! link (the user's own account's only, never cached).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Customer;
    query_root: PanelalphaMyDatabasesQuery;
    mutation_root: PanelalphaMyDatabasesMutation;
    queries {
        /// List MySQL databases
        panelalpha_my_databases = Get "/api/server-accounts/{id}/mysql/databases" (id: i32) -> Vec<PanelalphaDatabase> => parse;
        /// Show MySQL server details
        panelalpha_my_mysql_server = Get "/api/server-accounts/{id}/mysql/server-info" (id: i32) -> RawAnswer => raw;
        /// List MySQL users
        panelalpha_my_database_users = Get "/api/server-accounts/{id}/mysql/users" (id: i32) -> Vec<PanelalphaDatabaseUser> => parse;
        /// Show MySQL user privileges
        panelalpha_my_database_privileges = Get "/api/server-accounts/{id}/mysql/privileges/{user}/{database}" (id: i32, user: String, database: String) -> RawAnswer => raw;
    }
    mutations {
        /// Create PHPMyAdmin SSO URL (the acting user's own account only; never cached)
        panelalpha_create_my_phpmyadmin_sso_url = Post "/api/server-accounts/{id}/mysql/phpmyadmin-sso-url" (id: i32) -> PanelalphaSsoToken => parse;
        /// Create MySQL database
        panelalpha_create_my_database = Post "/api/server-accounts/{id}/mysql/databases" (id: i32; input: PanelalphaDatabaseName) -> PanelalphaDatabase => parse;
        /// Delete MySQL database
        panelalpha_delete_my_database = Delete "/api/server-accounts/{id}/mysql/databases/{name}" (id: i32, name: String) -> ActionResult => done;
        /// Rename MySQL database
        panelalpha_rename_my_database = Put "/api/server-accounts/{id}/mysql/databases/{name}/name" (id: i32, name: String; input: PanelalphaDatabaseName) -> PanelalphaDatabase => parse;
        /// Create MySQL user
        panelalpha_create_my_database_user = Post "/api/server-accounts/{id}/mysql/users" (id: i32; input: PanelalphaCreateDatabaseUserInput) -> PanelalphaDatabaseUser => parse;
        /// Delete MySQL user
        panelalpha_delete_my_database_user = Delete "/api/server-accounts/{id}/mysql/users/{name}" (id: i32, name: String) -> ActionResult => done;
        /// Update MySQL user
        panelalpha_update_my_database_user = Put "/api/server-accounts/{id}/mysql/users/{name}" (id: i32, name: String; input: Option<PanelalphaUpdateDatabaseUserInput>) -> PanelalphaDatabaseUser => parse;
        /// Update MySQL user privileges
        panelalpha_set_my_database_privileges = Put "/api/server-accounts/{id}/mysql/privileges/{user}/{database}" (id: i32, user: String, database: String; input: PanelalphaPrivilegesInput) -> RawAnswer => raw;
        /// Remove MySQL user privileges
        panelalpha_remove_my_database_privileges = Delete "/api/server-accounts/{id}/mysql/privileges/{user}/{database}" (id: i32, user: String, database: String) -> ActionResult => done;
    }
}
