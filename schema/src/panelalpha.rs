//! PanelAlpha's inputs, as its docs list the body parameters (with their documented rules, refused in
//! Laravel's wording before any call), and its objects, typed by what the requests send: the docs show
//! almost no responses, so every field is nullable and the upstream's JSON stays whole in `raw`.

use crate::{input, object, scalars::JsonObject};
use async_graphql::{Enum, ID};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a plan picks the server of a new hosting account.
#[derive(Enum, JsonSchema, Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PanelalphaServerAssignRule {
    Random,
    LeastAccounts,
    SpecificServer,
}

/// The period a report covers.
#[derive(Enum, JsonSchema, Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PanelalphaPeriod {
    LastWeek,
    LastMonth,
    LastYear,
}

/// What a visitors report is by. The docs write one value as `visitors-by-referrer'`, a stray
/// quote taken to be a typo.
#[derive(Enum, JsonSchema, Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum PanelalphaReport {
    VisitsByPage,
    VisitorsByCountry,
    VisitorsByContinent,
    VisitorsByRegion,
    VisitorsByReferrer,
    VisitorsByDevice,
    VisitorsByDeviceBrand,
    VisitorsByDeviceOs,
    VisitorsByDeviceBrowser,
}

#[derive(Enum, JsonSchema, Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PanelalphaBackupFrequency {
    Daily,
    Weekly,
    Monthly,
}

const INSTALL_TYPES: [&str; 3] = ["clean", "from_template", "clone"];
const PROTOCOLS: [&str; 2] = ["https://", "http://"];
const CONFIG_TYPES: [&str; 2] = ["constant", "variable"];
const WORDPRESS_ROLES: [&str; 5] = [
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
];

input! { /// Filters of the user list.
PanelalphaUserFilter { filter: Option<String> } }
input! { /// A new panel user.
PanelalphaCreateUserInput {
    first_name: Option<String> [MaxLen(255)], last_name: Option<String> [MaxLen(255)],
    company_name: Option<String> [MaxLen(255)], email: String [Email, MaxLen(255)],
    password: String [MinLen(8)],
} }
input! { /// A panel user's new details; a password only to change it.
PanelalphaUpdateUserInput {
    first_name: Option<String> [MaxLen(255)], last_name: Option<String> [MaxLen(255)],
    company_name: Option<String> [MaxLen(255)], email: String [Email, MaxLen(255)],
    password: Option<String> [MinLen(8)],
} }
input! { /// The plan of a new service, or a service's new plan.
PanelalphaPlanChoice { plan_id: i32 } }
input! { /// A new admin account.
PanelalphaCreateAdminInput {
    name: String [MaxLen(255)], admin_group_id: i32, email: String [Email, MaxLen(255)],
    password: String [MinLen(8)],
} }
input! { /// An admin account's new details.
PanelalphaUpdateAdminInput {
    name: String [MaxLen(255)], admin_group_id: i32, email: Option<String> [Email, MaxLen(255)],
    password: Option<String> [MinLen(8)],
} }
input! { /// Disables or enables an admin account.
PanelalphaAdminStatusInput { disabled: bool } }
input! { /// An admin group: its name, and the permissions and notifications it grants.
PanelalphaAdminGroupInput {
    name: String, permissions: Option<JsonObject>, notifications: Option<JsonObject>,
} }
input! { /// A plan: where its accounts are created, what they get, and their automatic backups.
PanelalphaPlanInput {
    name: String, application_limit: i32, server_type: String, server_group_id: Option<i32>,
    server_assign_rule: Option<PanelalphaServerAssignRule>, server_id: Option<i32>,
    account_config: Option<JsonObject>, remote_suspend: Option<bool>,
    dns_server_internal: Option<bool>, dns_server_type: Option<String>,
    dns_server_id: Option<i32>, dns_account_config: Option<JsonObject>,
    dns_zone_template_id: Option<i32>, email_server_internal: Option<bool>,
    email_server_type: Option<String>, email_server_id: Option<i32>,
    email_account_config: Option<JsonObject>, config: Option<JsonObject>,
    packages: Option<JsonObject>, automatic_install_plugins: Option<JsonObject>,
    automatic_install_themes: Option<JsonObject>, blacklist_plugins: Option<JsonObject>,
    delete_blacklisted_plugins: Option<JsonObject>,
    delete_blacklisted_themes: Option<JsonObject>, scan_interval: Option<i32>,
    is_automatic_backups_enabled: Option<bool>, is_automatic_backups_editable: Option<bool>,
    automatic_backups_frequency: Option<PanelalphaBackupFrequency>,
} }
input! { /// Filters of the hosting server list.
PanelalphaServerFilter { group_id: Option<i32> } }
input! { /// Filters of the instance list.
PanelalphaInstanceFilter {
    filter: Option<String>, user_id: Option<i32>, hosting_account_id: Option<i32>,
    plan_id: Option<i32>, service_id: Option<i32>, server_id: Option<i32>,
    status: Option<String>,
} }
input! { /// Filters of the failed instance list.
PanelalphaFailedInstanceFilter {
    filter: Option<String>, hosting_account_id: Option<i32>, plan_id: Option<i32>,
    service_id: Option<i32>, server_id: Option<i32>,
} }
input! { /// Filters of the archived instance list.
PanelalphaArchivedInstanceFilter {
    filter: Option<String>, user_id: Option<i32>, hosting_account_id: Option<i32>,
    plan_id: Option<i32>, service_id: Option<i32>, server_id: Option<i32>,
} }
input! { /// What a deleted instance leaves behind.
PanelalphaDeleteInstanceInput { remove_data: Option<bool>, remove_database: Option<bool> } }
input! { /// The WordPress user to sign in as.
PanelalphaWordpressSsoInput { user: i32 } }
input! { /// Filters of the service list.
PanelalphaServiceFilter {
    search_term: Option<String>, user_id: Option<i32>, plan_id: Option<i32>,
    archived: Option<bool>,
} }
input! { /// Filters of the archived service list.
PanelalphaArchivedServiceFilter { search_term: Option<String>, user_id: Option<i32> } }
input! { /// A package to add to a service.
PanelalphaPackageInput { package_id: i32 } }
input! { /// Filters of the task list.
PanelalphaTaskFilter {
    search_term: Option<String>, date_range: Option<String>, filter_types: Option<String>,
    filter_statuses: Option<String>,
} }
input! { /// A server group: its name, the type of server it holds, and which servers.
PanelalphaServerGroupInput {
    name: String [MaxLen(255)], server_type: String, servers: Option<JsonObject>,
} }
input! { /// A theme category's name.
PanelalphaThemeCategoryInput { name: String [MaxLen(255)] } }
input! { /// A theme to add to a category.
PanelalphaAddThemeInput {
    name: String [MaxLen(255)], slug: String [AlphaDash], description: String,
    screenshot_url: Option<String>, preview_url: Option<String>, homepage: Option<String>,
} }
input! { /// Filters of the backup logs.
PanelalphaBackupLogFilter {
    search_term: Option<String>, plan_id: Option<i32>, server_id: Option<i32>,
    instance_id: Option<i32>, container_id: Option<i32>, remote_backup_id: Option<i32>,
} }
input! { /// A connection to test before it is saved: the server's type and the credentials the panel
/// reaches it with.
PanelalphaConnectionTest { r#type: String, connection_config: JsonObject } }
input! { /// A DNS server, an email server or a remote backup store: its name, its type and the
/// credentials the panel reaches it with (`connection_config`, read back by admins only).
PanelalphaConnectionInput {
    name: String [MaxLen(255)], r#type: String, connection_config: JsonObject,
} }
input! { /// A group a hosting server belongs to, as the docs list its fields.
PanelalphaServerGroupRef { id: i32, name: String, server_type: String } }
input! { /// A hosting server: a connection like the others, and the groups it is in.
PanelalphaServerInput {
    name: String [MaxLen(255)], r#type: String, connection_config: JsonObject,
    server_groups: Vec<PanelalphaServerGroupRef>,
} }
input! { /// Filters of a list of DNS or email servers.
PanelalphaTypeFilter { r#type: Option<String> } }
input! { /// A hosting account found on a server, to import as a user's service on a plan.
PanelalphaImportServiceInput { username: String, user_id: i32, plan_id: i32 } }
input! { /// A WordPress installation found on a server, to import as an instance.
PanelalphaImportInstanceInput {
    username: String, domain: String, path: String, application: Option<String>,
} }
input! { /// A DNS zone or an email domain found on a server, to import into a service.
PanelalphaImportInput { name: String, service_id: i32 } }
input! { /// A record of a DNS zone template.
PanelalphaZoneRecord {
    name: String, r#type: String [OneOf(&["A", "AAAA", "CNAME", "TXT", "MX", "NS"])], ttl: i32,
    rdata: String,
} }
input! { /// A DNS zone template: its name and the records a new zone starts with.
PanelalphaZoneTemplateInput { name: String, records: Option<Vec<PanelalphaZoneRecord>> } }
input! { /// A backup container: where backups of sites go, and how many of them it keeps.
PanelalphaBackupContainerInput {
    remote_backup_id: i32, name: String, location: String, is_local_storage: bool,
    max_size_backups_per_site: i32, max_number_backups_per_site: i32,
    backup_type: String [OneOf(&["full", "incremental"])], backup_type_rules: Option<JsonObject>,
    rules: Option<JsonObject>,
} }
input! { /// Which objects a backup container serves: all of one type with these IDs.
PanelalphaBackupRule {
    r#type: String [OneOf(&["instance", "service", "client", "plan", "server", "server_group"])],
    values: Vec<i32>,
} }
input! { /// A package of plugins and themes, and how they are installed.
PanelalphaPackageDefinition {
    name: String, plugin_automation: Option<String>, theme_automation: Option<String>,
    plugins: Option<JsonObject>, themes: Option<JsonObject>,
} }
input! { /// Filters of the acting user's instances.
PanelalphaMyInstanceFilter { labels: Option<String>, server_account_id: Option<i32> } }
input! { /// A new WordPress instance on one of the acting user's services.
PanelalphaInstallInput {
    service_id: i32, install_method: Option<String> [OneOf(&["quick", "standard"])],
    install_type: Option<String> [OneOf(&INSTALL_TYPES)], template_id: Option<i32>,
    clone_instance_id: Option<i32>, version: Option<String>, name: String,
    protocol: Option<String> [OneOf(&PROTOCOLS)], domain: Option<String>, dir: Option<String>,
    language: Option<String>, db_name: Option<String>, db_prefix: Option<String>,
    admin_username: Option<String>, admin_email: Option<String> [Email],
    admin_password: Option<String>, theme: Option<String>,
} }
input! { /// A failed install's new attempt.
PanelalphaRetryInstallInput {
    install_type: Option<String> [OneOf(&INSTALL_TYPES)], version: Option<String>,
    template_id: Option<i32>, clone_instance_id: Option<i32>, name: String,
    protocol: Option<String> [OneOf(&PROTOCOLS)], domain: Option<String>, dir: Option<String>,
    language: Option<String>, db_name: Option<String>, db_prefix: Option<String>,
    admin_username: Option<String>, admin_email: Option<String> [Email],
    admin_password: Option<String>, theme: Option<String>,
} }
input! { /// A label, by its title.
PanelalphaLabelRef { title: String [MaxLen(255)] } }
input! { /// A new label: its title and colour (`#rrggbb`; the docs' own pattern is cut short after
/// `{6}`, and their example `#(0559cb` does not match it).
PanelalphaLabelInput {
    title: String [MaxLen(255)], color: String [Regex("^#([A-Fa-f0-9]{6})$")],
} }
input! { /// The WordPress version to update to.
PanelalphaWordpressUpdateInput { version: String, create_backup: Option<bool> } }
input! { /// Automatic updates: of WordPress (0 off, 1 minor, 2 all), of plugins and of themes.
PanelalphaAutoUpdateInput {
    auto_update: i32 [In(&[0, 1, 2])], auto_update_plugins: i32 [In(&[0, 1])],
    auto_update_themes: i32 [In(&[0, 1])],
} }
input! { /// When WordPress backs itself up.
PanelalphaAutomaticBackupInput {
    frequency: String [OneOf(&["never", "daily", "weekly", "monthly", "custom"])],
    cron_hour: Option<i32> [Min(0), Max(23)], cron_minute: Option<i32> [Min(0), Max(59)],
    cron_day_of_month: Option<i32> [Min(1), Max(28)], cron_day_of_week: Option<i32> [Min(0), Max(6)],
} }
input! { /// The site's new name.
PanelalphaSiteNameInput { name: String } }
input! { /// A mode switched on or off.
PanelalphaModeInput { status: bool } }
input! { /// A new wp-config entry.
PanelalphaConfigEntryInput {
    name: String, value: String, r#type: String [OneOf(&CONFIG_TYPES)],
} }
input! { /// A wp-config entry's new value.
PanelalphaConfigValueInput { value: String, r#type: String [OneOf(&CONFIG_TYPES)] } }
input! { /// Which kind of wp-config entry to delete.
PanelalphaConfigTypeInput { r#type: String [OneOf(&CONFIG_TYPES)] } }
input! { /// Filters of the WordPress users.
PanelalphaWordpressUserFilter {
    role: Option<String> [OneOf(&["super-admin", "administrator", "editor", "author",
        "contributor", "subscriber"])],
} }
input! { /// A new WordPress user.
PanelalphaCreateWordpressUserInput {
    username: String, email: String [Email], display_name: String, password: String,
    role: String [OneOf(&WORDPRESS_ROLES)], send_email: Option<bool>,
} }
input! { /// A WordPress user's new details (resetting a password sends the same).
PanelalphaUpdateWordpressUserInput {
    email: String [Email], display_name: String, role: String [OneOf(&WORDPRESS_ROLES)],
} }
input! { /// Cloudflare's security level.
PanelalphaCloudflareSecurityInput {
    value: String [OneOf(&["off", "essentially_off", "low", "medium", "high", "under_attack"])],
} }
input! { /// A Cloudflare setting switched on or off.
PanelalphaCloudflareToggleInput { value: bool } }
input! { /// Where a staging copy of an instance is made.
PanelalphaStagingInput {
    protocol: String, domain: String, dir: Option<String> [AlphaDash],
} }
input! { /// A new backup of an instance: what it holds, and a note.
PanelalphaCreateBackupInput {
    backupDirectory: Option<bool>, backupDatabase: Option<bool>, backupNote: Option<String>,
    retry_id: Option<i32>,
} }
input! { /// What a backup's restore brings back.
PanelalphaRestoreBackupInput {
    restoreDatabase: Option<bool>, restoreDirectory: Option<bool>,
    deleteExistingFiles: Option<bool>,
} }
input! { /// Users to share an instance with (by email), and the role they get.
PanelalphaShareInput {
    emails: Vec<String> [Each(&Email)],
    role: String [OneOf(&["view_only", "view_and_sso", "developer", "full_access", "custom"])],
} }
input! { /// The user whose invitation to send again.
PanelalphaResendInviteInput { email: String [Email] } }
input! { /// A user whose access to end.
PanelalphaSharedUser { email: String [Email] } }
input! { /// Users whose access to an instance to end.
PanelalphaUnshareInput { users: Vec<PanelalphaSharedUser> } }
input! { /// The instance's own domain.
PanelalphaCustomDomainInput { domain: String } }
input! { /// A subdomain of one of the panel's domains.
PanelalphaSubdomainInput { subdomain: String, domain: String } }
input! { /// A new FTP account of a hosting account: its user and domain (its login is
/// `user@domain`), its password (write-only), and where and how much it may store.
PanelalphaCreateFtpInput {
    user: String, domain: String, password: String, directory: Option<String>,
    quota: Option<i32>,
} }
input! { /// An FTP account's changes. The docs also list a `quote` (text), passed on as given.
PanelalphaUpdateFtpInput {
    unlimited_quota: Option<bool>, quota: Option<i32>, password: Option<String>,
    quote: Option<String>,
} }
input! { /// A MySQL database's name (new, or its new one).
PanelalphaDatabaseName { name: String } }
input! { /// A new MySQL user, its password (write-only), and a database it gets every privilege on.
PanelalphaCreateDatabaseUserInput { name: String, password: String, database: Option<String> } }
input! { /// A MySQL user's new name or password (write-only).
PanelalphaUpdateDatabaseUserInput { name: Option<String>, password: Option<String> } }
input! { /// A MySQL user's privileges on a database, as the panel lists them (`ALL PRIVILEGES`, or
/// a comma-separated list such as `SELECT,INSERT`).
PanelalphaPrivilegesInput { privileges: String } }
input! { /// A cron job: crontab's five time fields (text: `*/15`, `1-5`) and the command.
PanelalphaCronJobInput {
    minute: String, hour: String, day_of_month: String, month: String, day_of_week: String,
    command: String,
} }
input! { /// A DNS record of a hosting account's zone: its name and type, and the fields its type
/// takes (`address` for A, `cname`, `exchange` and `preference` for MX, `txtdata`, ...).
PanelalphaDnsRecordInput {
    name: String, r#type: String, rdata: Option<String>, txtdata: Option<String>,
    target: Option<String>, weight: Option<i32>, port: Option<i32>, priority: Option<i32>,
    cname: Option<String>, address: Option<String>, flag: Option<bool>, tag: Option<String>,
    value: Option<String>, preference: Option<i32>, exchange: Option<String>,
    nameserver: Option<String>, pointer: Option<String>, ttl: Option<i32>,
    proxied: Option<bool>,
} }
input! { /// Filters of a recipient's notification templates.
PanelalphaTemplateFilter { filter: Option<String> } }
input! { /// A notification template's new text, or the text to preview.
PanelalphaTemplateInput {
    messages: Option<Vec<JsonObject>>, message: Option<String>, subject: Option<String> [MaxLen(255)],
} }
input! { /// Turns a notification template on or off.
PanelalphaTemplateStatusInput { enabled: bool } }
input! { /// The acting user's new personal information.
PanelalphaUpdateMeInput {
    first_name: Option<String> [MaxLen(255)], last_name: Option<String> [MaxLen(255)],
    company_name: Option<String> [MaxLen(255)], language: Option<String>,
    new_device_detection: Option<String>,
} }
input! { /// The acting user's new email address, confirmed with their password.
PanelalphaUpdateMyEmailInput {
    password: String [MinLen(8)], email: String [Email, MaxLen(255)],
} }
input! { /// A device of the acting user's to forget.
PanelalphaForgetDeviceInput { deviceId: i32 } }
input! { /// A session of the acting user's to end.
PanelalphaLogoutDeviceInput { session_id: String } }

object! { /// A PanelAlpha user, as its create and update requests describe it.
PanelalphaUser(Panelalpha) {
    first_name: String, last_name: String, company_name: String, status: String,
    created_at: String,
} }
object! { /// A customer's hosting service.
PanelalphaService(Panelalpha) {
    user_id: ID, plan_id: ID, hosting_account_id: ID, status: String, created_at: String,
} }
object! { /// A plan, as its create and update requests describe it.
PanelalphaPlan(Panelalpha) {
    id: ID, name: String, application_limit: i32, server_type: String,
    server_group_id: ID, server_assign_rule: String, server_id: ID,
    is_automatic_backups_enabled: bool, automatic_backups_frequency: String,
} }
object! { /// A WordPress instance's place in the panel.
PanelalphaInstance(Panelalpha) {
    domain: String, user_id: ID, service_id: ID, hosting_account_id: ID, plan_id: ID,
    server_id: ID, created_at: String,
} }
object! { /// A hosting account on one of the panel's servers.
PanelalphaHostingAccount(Panelalpha) {
    id: ID, username: String, domain: String, server_id: ID, service_id: ID, status: String,
} }
object! { /// An admin account.
PanelalphaAdmin(Panelalpha) {
    id: ID, name: String, email: String, admin_group_id: ID, disabled: bool,
} }
object! { /// A group of admins and what it may do.
PanelalphaAdminGroup(Panelalpha) { id: ID, name: String } }
object! { /// One of PanelAlpha's own tasks: queued work such as a service's creation.
PanelalphaTask(Panelalpha) {
    id: ID, r#type: String, status: String, progress: f64, message: String,
    created_at: String,
} }
object! { /// A group of hosting servers of one type.
PanelalphaServerGroup(Panelalpha) { id: ID, name: String, server_type: String } }
object! { /// A category of WordPress themes offered to customers.
PanelalphaThemeCategory(Panelalpha) { id: ID, name: String } }
object! { /// A WordPress theme in a category.
PanelalphaTheme(Panelalpha) {
    id: ID, name: String, slug: String, description: String, screenshot_url: String,
    preview_url: String, homepage: String,
} }
object! { /// A message the panel sends: to whom, its subject and text, and whether it is sent.
PanelalphaNotificationTemplate(Panelalpha) {
    id: ID, recipient: String, name: String, subject: String, message: String, enabled: bool,
} }
object! { /// A device the acting user is signed in on.
PanelalphaDevice(Panelalpha) { id: ID, name: String, ip: String, last_active_at: String } }
object! { /// A sign-in token or link: it signs in as someone, so only admins get one.
PanelalphaSsoToken(Panelalpha) { token: String, url: String, expires_at: String } }
object! { /// A DNS server, an email server or a remote backup store the panel connects to; its
/// `connection_config` (the credentials) is in `raw`, for admins only.
PanelalphaConnection(Panelalpha) { id: ID, name: String, r#type: String, status: String } }
object! { /// A DNS zone template.
PanelalphaZoneTemplate(Panelalpha) { id: ID, name: String } }
object! { /// A backup container.
PanelalphaBackupContainer(Panelalpha) {
    id: ID, remote_backup_id: ID, name: String, location: String, is_local_storage: bool,
    max_size_backups_per_site: i32, max_number_backups_per_site: i32, backup_type: String,
} }
object! { /// A package of plugins and themes that services can be given.
PanelalphaPackage(Panelalpha) {
    id: ID, name: String, plugin_automation: String, theme_automation: String,
} }
object! { /// An order for an SSL certificate.
PanelalphaSslOrder(Panelalpha) {
    id: ID, domain: String, instance_id: ID, provider: String, status: String, created_at: String,
} }
object! { /// A label the acting user marks instances with.
PanelalphaLabel(Panelalpha) { title: String, color: String } }
object! { /// A plugin installed on an instance, or found in the WordPress directory.
PanelalphaPlugin(Panelalpha) {
    name: String, title: String, version: String, status: String, update: String,
} }
object! { /// A theme installed on an instance, or found in the WordPress directory.
PanelalphaWordpressTheme(Panelalpha) {
    name: String, title: String, version: String, status: String, update: String,
} }
object! { /// An entry of an instance's wp-config.php.
PanelalphaConfigEntry(Panelalpha) { name: String, value: String, r#type: String } }
object! { /// A user of an instance's WordPress.
PanelalphaWordpressUser(Panelalpha) {
    id: ID, username: String, email: String, display_name: String, role: String,
} }

object! { /// A backup of an instance's WordPress.
PanelalphaBackup(Panelalpha) {
    id: ID, note: String, directory: bool, database: bool, status: String, created_at: String,
} }
object! { /// Someone an instance is shared with, and their role.
PanelalphaSharedAccess(Panelalpha) { id: ID, email: String, role: String, status: String } }
object! { /// An FTP account of a hosting account; its password is never shown.
PanelalphaFtpAccount(Panelalpha) {
    user: String, domain: String, directory: String, quota: i32, unlimited_quota: bool,
} }
object! { /// A MySQL database of a hosting account.
PanelalphaDatabase(Panelalpha) { name: String, size_mb: f64 } }
object! { /// A MySQL user of a hosting account; its password is never shown.
PanelalphaDatabaseUser(Panelalpha) { name: String } }
object! { /// A cron job of a hosting account, by its line in the crontab.
PanelalphaCronJob(Panelalpha) {
    line: String, minute: String, hour: String, day_of_month: String, month: String,
    day_of_week: String, command: String,
} }
object! { /// A DNS record of a hosting account's zone, by its line in the zone.
PanelalphaDnsRecord(Panelalpha) {
    line: String, name: String, r#type: String, ttl: i32, proxied: bool,
} }
