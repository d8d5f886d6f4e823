//! PanelAlpha's notification templates and email settings (`/api/admin/notification-template(s)`,
//! `/api/admin/notifications`); what the panel sends its users, and how.

use super::*;

crate::endpoints! {
    provider: Provider::Panelalpha;
    audience: Operator;
    query_root: PanelalphaNotificationsQuery;
    mutation_root: PanelalphaNotificationsMutation;
    queries {
        /// Get list of notification templates assigned to recipient
        panelalpha_notification_templates = Get "/api/admin/notification-templates/{recipient}" (recipient: String; input: Option<PanelalphaTemplateFilter>) -> Vec<PanelalphaNotificationTemplate> => parse;
        /// Get single notification template to edit
        panelalpha_notification_template = Get "/api/admin/notification-template/{id}" (id: String) -> PanelalphaNotificationTemplate => parse;
        /// Show email settings
        panelalpha_email_settings = Get "/api/admin/notifications/settings" () -> RawAnswer => raw;
    }
    mutations {
        /// Update notification template
        panelalpha_update_notification_template = Put "/api/admin/notification-template/{id}/update" (id: String; input: PanelalphaTemplateInput) -> PanelalphaNotificationTemplate => admin_parse;
        /// Show preview of email (rendered by the panel, answered as data)
        panelalpha_preview_notification = Post "/api/admin/notification-template/preview" (; input: Option<PanelalphaTemplateInput>) -> RawAnswer => raw;
        /// Send test email
        panelalpha_test_notification = Get "/api/admin/notification-template/{id}/test" (id: String) -> ActionResult => admin_done;
        /// Change notification template status
        panelalpha_set_notification_status = Put "/api/admin/notification-template/{id}/status" (id: String; input: PanelalphaTemplateStatusInput) -> PanelalphaNotificationTemplate => admin_parse;
        /// Restore notification message to default
        panelalpha_restore_notification = Post "/api/admin/notification-template/{id}/restore" (id: String) -> PanelalphaNotificationTemplate => admin_parse;
        /// Update email settings
        panelalpha_update_email_settings = Put "/api/admin/notifications/settings" (; input: Option<JsonObject>) -> RawAnswer => admin_raw;
        /// Test connection (the mail server's answer is data: reachable or not)
        panelalpha_test_email_connection = Post "/api/admin/notifications/test-connection" () -> RawAnswer => admin_raw;
    }
}
