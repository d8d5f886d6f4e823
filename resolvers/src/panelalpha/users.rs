//! PanelAlpha's users and their services (`/api/admin/users`).

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaUsersQuery;
    mutation_root: PanelalphaUsersMutation;
    queries {
        /// List users
        panelalpha_users = Get "/api/admin/users" (; input: Option<PanelalphaUserFilter>) -> Vec<User> => users;
        /// List archived users
        panelalpha_archived_users = Get "/api/admin/users/archived" () -> Vec<User> => users;
        /// Find user by email
        panelalpha_user_by_email = Get "/api/admin/users/email" (email: String) -> User => user;
        /// Show archived user details
        panelalpha_archived_user = Get "/api/admin/users/{id}/archived" (id: i32) -> User => user;
        /// Show user details
        panelalpha_user = Get "/api/admin/users/{id}" (id: i32) -> User => user;
        /// Get user's last activity
        panelalpha_user_last_activity = Get "/api/admin/users/{id}/last-activity" (id: i32) -> RawAnswer => raw;
        /// List users with shared instances access
        panelalpha_user_sharing_with = Get "/api/admin/users/{id}/sharing-with" (id: i32) -> Vec<User> => users;
        /// List instances shared with user
        panelalpha_user_shared_instances = Get "/api/admin/users/{id}/sharing-with/{sharingWithId}/shared-instances" (id: i32, sharingWithId: i32) -> Vec<Instance> => instances;
        /// List all instances the user has access to
        panelalpha_user_all_instances = Get "/api/admin/users/{id}/all-instances" (id: i32) -> Vec<Instance> => instances;
        /// List user services
        panelalpha_user_services = Get "/api/admin/users/{userId}/services" (userId: i32) -> Vec<Service> => services;
    }
    mutations {
        /// Create user
        panelalpha_create_user = Post "/api/admin/users" (; input: PanelalphaCreateUserInput) -> User => user;
        /// Unarchive user
        panelalpha_unarchive_user = Put "/api/admin/users/{id}/unarchive" (id: i32) -> User => user;
        /// Update user
        panelalpha_update_user = Put "/api/admin/users/{id}" (id: i32; input: PanelalphaUpdateUserInput) -> User => user;
        /// Delete archived user
        panelalpha_delete_archived_user = Delete "/api/admin/users/{id}/delete" (id: i32) -> ActionResult => done;
        /// Delete (archive) user
        panelalpha_delete_user = Delete "/api/admin/users/{id}" (id: i32) -> ActionResult => done;
        /// Create user SSO token (admins only: it signs in as the user)
        panelalpha_create_user_sso_token = Post "/api/admin/users/{id}/sso-token" (id: i32) -> PanelalphaSsoToken => admin_parse;
        /// Create admin-as-user SSO token (admins only: it signs in as the user)
        panelalpha_create_login_as_user_sso_token = Post "/api/admin/users/{id}/login-as-user-sso-token" (id: i32) -> PanelalphaSsoToken => admin_parse;
        /// Create user service: a Task until its hosting account and instance exist
        panelalpha_create_user_service = Post "/api/admin/users/{userId}/services" (userId: i32; input: PanelalphaPlanChoice) -> TaskPayload => service_task;
        /// Suspend user service
        panelalpha_suspend_user_service = Put "/api/admin/users/{userId}/services/{id}/suspend" (userId: i32, id: i32) -> Service => service;
        /// Unsuspend user service
        panelalpha_unsuspend_user_service = Put "/api/admin/users/{userId}/services/{id}/unsuspend" (userId: i32, id: i32) -> Service => service;
        /// Change user service's plan: a Task until the change is done
        panelalpha_change_user_service_plan = Put "/api/admin/users/{userId}/services/{id}/change-plan" (userId: i32, id: i32; input: PanelalphaPlanChoice) -> TaskPayload => service_task;
        /// Delete user service
        panelalpha_delete_user_service = Delete "/api/admin/users/{userId}/services/{id}" (userId: i32, id: i32) -> ActionResult => done;
    }
}
