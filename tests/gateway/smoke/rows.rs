//! The smoke test's example arguments: one row per endpoint that needs arguments, keyed by its
//! GraphQL field, on the simulators' seeded data. Parameters by their declared names; bodies in the
//! upstream's JSON names, exactly as the upstream must receive them.

use super::{Row, row};
use serde_json::json;

/// HosterAPI's running VM (with backups and incidents), its stopped one, and the owned dedicated server.
const VM: &str = "4001";
const STOPPED_VM: &str = "4002";
const DEDICATED: &str = "9";

/// Patchstack's users (Dave owns sites 315 and 16106) and sites.
const DAVE: &str = "1";
const ERIN: &str = "2";
const DOC_SITE: &str = "315";
const TEST_SITE: &str = "16106";

/// WP Orchestrix's seeded site and owner.
const HOME: &str = "site_abc123";
const SITES: &str = "/api/v1/sites/site_abc123";

/// WPCS's seeded tenant (externalId T001, on version 1), subscription, product, versions and snapshot.
const TENANT: &str = "68c6b25c-74ef-4401-acbe-0b1d560d8647";
const SUBSCRIPTION: &str = "1f3ea976-d862-499d-8be2-b99c1aef21a9";
const PRODUCT: &str = "dcd53ddb-8104-4e48-8cc0-5df1088c6113";
const VERSION_1: &str = "aebceb97-1296-49fc-81bc-b9e86aefe011";
const VERSION_2: &str = "745e1ebd-d00e-4b6b-b6bc-bffd450c0942";
const SNAPSHOT: &str = "347b6a3b-4b68-4888-acc5-d5d546a33d86";

/// PanelAlpha's seeded users (Ada: service, hosting account and instance 1, devices 1 and 2; Grace:
/// service 2 and instance 2, whose install failed; Charles, archived), plans, admin and group.
const ADA: &str = "1";
const GRACE: &str = "2";
const ARCHIVED_USER: &str = "3";
const FAILED_INSTANCE: &str = "2";
const USER_HEADER: &str = "as_user";

pub fn rows() -> Vec<Row> {
    let login = json!({"email": "owner@example.com", "password": "correct horse"});
    let software = json!({"sid|ip": VM, "package": "wordpress", "password": "hunter22"});
    let version = json!({"snapshotId": SNAPSHOT, "wordPressVersion": "6.4", "phpVersion": "8.2",
        "name": "V3.5"});
    let base = json!({"name": "Smoke Starter", "comment": "smoke"});
    let pipeline = json!({"plugins": ["akismet"]});
    let hook = json!({"url": "https://hooks.example.com/smoke", "events": ["site.updated"]});
    let cpanel = json!({"type": "cpanel", "connection_config": {"host": "cp2.example.net",
        "username": "root", "api_token": "smoke-token"}});
    let mut server = cpanel.clone();
    server["name"] = json!("cp2.example.net");
    server["server_groups"] = json!([{"id": 1, "name": "cPanel servers", "server_type": "cpanel"}]);
    let legacy_account = json!({"username": "legacy01", "user_id": 1, "plan_id": 1});
    let legacy_domain = json!({"name": "legacy.example.net", "service_id": 1});
    let dns = json!({"name": "ns2.example.net", "type": "powerdns",
        "connection_config": {"host": "ns2.example.net", "api_key": "smoke-key"}});
    let mail = json!({"name": "mail2.example.net", "type": "mailcow",
        "connection_config": {"host": "mail2.example.net", "api_key": "smoke-key"}});
    let store = json!({"name": "Offsite SFTP", "type": "sftp",
        "connection_config": {"host": "backup.example.net", "username": "panel",
            "password": "smoke-password"}});
    let template = json!({"name": "Mail", "records": [{"name": "@", "type": "MX", "ttl": 3600,
        "rdata": "10 mail.example.net"}]});
    let container = json!({"remote_backup_id": 1, "name": "Weekly", "location": "weekly/",
        "is_local_storage": false, "max_size_backups_per_site": 5,
        "max_number_backups_per_site": 4, "backup_type": "incremental"});
    let cron = json!({"minute": "0", "hour": "3", "day_of_month": "*", "month": "*",
        "day_of_week": "1-5", "command": "php /home/adalovel/backup.php"});
    let package = json!({"name": "Security", "plugin_automation": "install",
        "plugins": {"wordfence": true}});
    vec![
        // HosterAPI
        row("hosterapiDedicatedServerConsole").param("sid", DEDICATED),
        row("hosterapiDedicatedServerStatus").param("sid", DEDICATED),
        row("hosterapiDedicatedServerConfig").param("sid", DEDICATED),
        row("hosterapiJob")
            .given("job", "PUT", "/api/v1/datacenter/server/4001/reinstall", None, "/result/jobId")
            .param("jobId", "{job}"),
        row("hosterapiServerStatus").param("sid", VM),
        row("hosterapiServerConfig").param("sid", VM),
        row("hosterapiServerIncidents").param("sid", VM),
        row("hosterapiServerConsole").param("sid", VM),
        row("hosterapiServerBackups").param("sid", VM),
        row("hosterapiServerBackupStatus").param("sid", VM),
        row("hosterapiOrderDedicatedServer")
            .body(json!({"id": 84, "template": "Debian Buster", "ipCount": "1"})),
        row("hosterapiStartDedicatedServer").param("sid", DEDICATED),
        row("hosterapiShutdownDedicatedServer").param("sid", DEDICATED),
        row("hosterapiRebootDedicatedServer").param("sid", DEDICATED),
        row("hosterapiReinstallDedicatedServer")
            .param("sid", DEDICATED)
            .body(json!({"template": "Debian Buster"})),
        row("hosterapiTerminateDedicatedServer").param("sid", DEDICATED),
        row("hosterapiDeleteServer").param("sid", STOPPED_VM),
        row("hosterapiSetServerRdns")
            .param("sid", VM)
            .body(json!({"ip": "127.0.0.1", "hostname": "blog.example.org"})),
        row("hosterapiChangeServer")
            .param("sid", VM)
            .body(json!({"cpuCores": 4, "mem": 4096})),
        row("hosterapiStartServer").param("sid", STOPPED_VM),
        row("hosterapiShutdownServer").param("sid", VM),
        row("hosterapiStopServer").param("sid", VM),
        row("hosterapiRebootServer").param("sid", VM),
        row("hosterapiForceRebootServer").param("sid", VM),
        row("hosterapiReinstallServer")
            .param("sid", VM)
            .body(json!({"template": "Debian10.0"})),
        row("hosterapiResetServerPassword").param("sid", VM),
        row("hosterapiCreateServerBackup").param("sid", VM),
        row("hosterapiRestoreServerBackup")
            .param("sid", VM)
            .body(json!({"backup": 1606685300})),
        row("hosterapiCreateServer").body(
            json!({"template": "Debian10.0", "cpuCores": 2, "mem": 2048, "disk": "10G", "ipCount": 1}),
        ),
        row("hosterapiInstallSoftware").body(software.clone()),
        row("hosterapiUninstallSoftware").body(software),
        // Patchstack
        row("patchstackUserByEmail").body(json!({"email": "support@patchstack.com"})),
        row("patchstackUser").param("userid", DAVE),
        row("patchstackSite").param("siteid", DOC_SITE),
        row("patchstackSiteDownload").param("siteid", DOC_SITE),
        row("patchstackAddUser").body(json!({"name": "Smoke", "email": "smoke@example.com",
            "password": "secret-1", "password_confirmation": "secret-1", "newsletter": 0})),
        row("patchstackEditUser")
            .param("userid", DAVE)
            .body(json!({"name": "Dave Smoke"})),
        row("patchstackDeleteUser").param("userid", ERIN),
        row("patchstackCreateUserSsoUrl").param("userid", DAVE),
        row("patchstackAddSite").body(json!({"url": "https://smoke.example.com", "userid": 1})),
        row("patchstackEditSite")
            .param("siteid", TEST_SITE)
            .body(json!({"url": "https://smoke.example.com"})),
        row("patchstackDeleteSite").param("siteid", TEST_SITE),
        // WP Orchestrix
        row("orchestrixSite").param("id", HOME),
        row("orchestrixHealthChecks").param("site_id", HOME),
        row("orchestrixHealthCheck")
            .given("check", "GET", format!("{SITES}/health_checks"), None, "/0/id")
            .param("site_id", HOME)
            .param("id", "{check}"),
        row("orchestrixSnapshots").param("site_id", HOME),
        row("orchestrixSnapshot")
            .given("snap", "GET", format!("{SITES}/snapshots"), None, "/0/id")
            .param("site_id", HOME)
            .param("id", "{snap}"),
        row("orchestrixUpgradePipelines").param("site_id", HOME),
        row("orchestrixUpgradePipeline")
            .given("pipe", "POST", format!("{SITES}/upgrade_pipelines"), Some(pipeline.clone()), "/id")
            .param("site_id", HOME)
            .param("id", "{pipe}"),
        row("orchestrixVulnerabilities").param("site_id", HOME),
        row("orchestrixVulnerability")
            .given("vuln", "GET", format!("{SITES}/vulnerability_records"), None, "/0/id")
            .param("site_id", HOME)
            .param("id", "{vuln}"),
        row("orchestrixWebhookEndpoint")
            .given("hook", "POST", "/api/v1/webhook_endpoints", Some(hook.clone()), "/id")
            .param("id", "{hook}"),
        row("orchestrixAccount").param("id", "acc_2"),
        row("orchestrixLogin").body(login.clone()),
        row("orchestrixLogout")
            .given("token", "POST", "/api/v1/auth", Some(login.clone()), "/token")
            .acting_as("X-Orchestrix-Authorization", "token {token}"),
        row("orchestrixCreateJwt").body(login.clone()),
        row("orchestrixRefreshJwt")
            .given("refresh", "POST", "/api/v1/jwt", Some(login), "/refresh_token")
            .body(json!({"refresh_token": "{refresh}"})),
        row("orchestrixRevokeJwt").body(json!({"token": "smoke-token"})),
        row("orchestrixCreateSite")
            .body(json!({"name": "Smoke", "url": "https://smoke.example.com"})),
        row("orchestrixUpdateSite")
            .param("id", HOME)
            .body(json!({"name": "Smoke"})),
        row("orchestrixDeleteSite").param("id", HOME),
        row("orchestrixCreateSnapshot")
            .param("site_id", HOME)
            .body(json!({"description": "smoke"})),
        row("orchestrixDeleteSnapshot")
            .given("snap", "GET", format!("{SITES}/snapshots"), None, "/0/id")
            .param("site_id", HOME)
            .param("id", "{snap}"),
        row("orchestrixUploadSnapshot")
            .given("snap", "GET", format!("{SITES}/snapshots"), None, "/0/id")
            .param("site_id", HOME)
            .param("id", "{snap}")
            .body(json!({"data": "aGVsbG8gd29ybGQ="})),
        row("orchestrixCreateUpgradePipeline")
            .param("site_id", HOME)
            .body(pipeline.clone()),
        row("orchestrixApproveUpgradePipeline")
            .given("pipe", "POST", format!("{SITES}/upgrade_pipelines"), Some(pipeline.clone()), "/id")
            .param("site_id", HOME)
            .param("id", "{pipe}"),
        row("orchestrixUpdateVulnerability")
            .given("vuln", "GET", format!("{SITES}/vulnerability_records"), None, "/0/id")
            .param("site_id", HOME)
            .param("id", "{vuln}")
            .body(json!({"status": "acknowledged"})),
        row("orchestrixCreateWebhookEndpoint").body(hook.clone()),
        row("orchestrixUpdateWebhookEndpoint")
            .given("hook", "POST", "/api/v1/webhook_endpoints", Some(hook.clone()), "/id")
            .param("id", "{hook}")
            .body(json!({"enabled": false})),
        row("orchestrixDeleteWebhookEndpoint")
            .given("hook", "POST", "/api/v1/webhook_endpoints", Some(hook), "/id")
            .param("id", "{hook}"),
        // WPCS
        row("wpcsTenantDomains").param("tenantId", TENANT),
        row("wpcsDomainAvailability").param("domain", "free-domain.example.org"),
        row("wpcsSnapshotDownload").param("snapshotId", SNAPSHOT),
        row("wpcsSubscriptionUsage")
            .param("subscriptionId", SUBSCRIPTION)
            .param("startDate", "2021-11-01T00:00:00Z")
            .param("endDate", "2021-12-01T00:00:00Z"),
        row("wpcsProductUsage")
            .param("productId", PRODUCT)
            .param("startDate", "2021-11-01T00:00:00Z")
            .param("endDate", "2021-12-01T00:00:00Z"),
        row("wpcsCreateTenant").body(json!({"name": "Smoke-Tenant"})),
        row("wpcsUpdateTenant")
            .param("tenantId", TENANT)
            .body(json!({"wpOptions": {"blogname": "Smoke"}})),
        row("wpcsDeleteTenant").param("tenantId", TENANT),
        row("wpcsAddTenantDomainDeprecated")
            .param("tenantId", TENANT)
            .body(json!({"domainName": "smoke.example.com"})),
        row("wpcsMoveTenant")
            .param("tenantId", TENANT)
            .body(json!({"targetVersionId": VERSION_2})),
        row("wpcsAddTenantDomain")
            .param("tenantId", TENANT)
            .body(json!({"domainName": "smoke.example.com"})),
        row("wpcsRemoveTenantDomain")
            .param("tenantId", TENANT)
            .param("domainName", "www.my-domain.com"),
        row("wpcsSetMainDomain")
            .param("tenantId", TENANT)
            .body(json!({"domainName": "www.my-domain.com"})),
        row("wpcsCreateVersion").body(version.clone()),
        row("wpcsDeleteVersion")
            .given("version", "POST", "/v1/versions", Some(version), "/id")
            .param("versionId", "{version}"),
        row("wpcsSetProductionVersion").body(json!({"versionId": VERSION_1})),
        row("wpcsCreateSubscription").body(json!({"name": "Smoke-Sub"})),
        row("wpcsDeleteSubscription").param("subscriptionId", SUBSCRIPTION),
        row("wpcsCreateProduct")
            .param("subscriptionId", SUBSCRIPTION)
            .body(json!({"name": "Smoke Product"})),
        row("wpcsDeleteProduct").param("productId", PRODUCT),
        row("wpcsCreateBaseSnapshot").body(base.clone()),
        row("wpcsDeleteBaseSnapshot")
            .given("base", "POST", "/v1/basesnapshots", Some(base), "/id")
            .param("id", "{base}"),
        // PanelAlpha
        row("panelalphaUsers").body(json!({"filter": "ada"})),
        row("panelalphaUserByEmail").param("email", "ada@example.com"),
        row("panelalphaArchivedUser").param("id", ARCHIVED_USER),
        row("panelalphaUser").param("id", ADA),
        row("panelalphaUserLastActivity").param("id", ADA),
        row("panelalphaUserSharingWith").param("id", ADA),
        row("panelalphaUserSharedInstances").param("id", ADA).param("sharingWithId", GRACE),
        row("panelalphaUserAllInstances").param("id", GRACE),
        row("panelalphaUserServices").param("userId", ADA),
        row("panelalphaCreateUser").body(json!({"first_name": "Alan", "last_name": "Turing",
            "email": "alan@example.com", "password": "enigma-machine"})),
        row("panelalphaUnarchiveUser").param("id", ARCHIVED_USER),
        row("panelalphaUpdateUser").param("id", ADA)
            .body(json!({"company_name": "Analytical", "email": "ada@example.com"})),
        row("panelalphaDeleteArchivedUser").param("id", ARCHIVED_USER),
        row("panelalphaDeleteUser").param("id", GRACE),
        row("panelalphaCreateUserSsoToken").param("id", ADA),
        row("panelalphaCreateLoginAsUserSsoToken").param("id", ADA),
        row("panelalphaCreateUserService").param("userId", ADA).body(json!({"plan_id": 2})),
        row("panelalphaSuspendUserService").param("userId", ADA).param("id", "1"),
        row("panelalphaUnsuspendUserService").param("userId", ADA).param("id", "1"),
        row("panelalphaChangeUserServicePlan").param("userId", ADA).param("id", "1")
            .body(json!({"plan_id": 2})),
        row("panelalphaDeleteUserService").param("userId", ADA).param("id", "1"),
        row("panelalphaServices").body(json!({"user_id": 1})),
        row("panelalphaArchivedServices").body(json!({"search_term": "a"})),
        row("panelalphaService").param("id", "1"),
        row("panelalphaArchivedService")
            .given("gone", "DELETE", "/api/admin/services/2", None, "/data")
            .param("id", "2"),
        row("panelalphaAddServicePackage").param("id", "1").body(json!({"package_id": 8})),
        row("panelalphaDeleteServicePackage")
            .given("added", "POST", "/api/admin/service/1/package", Some(json!({"package_id": 8})),
                "/data/id")
            .param("id", "1").param("packageId", "8"),
        row("panelalphaDeleteService").param("id", "2"),
        row("panelalphaDeleteArchivedService")
            .given("gone", "DELETE", "/api/admin/services/2", None, "/data")
            .param("id", "2"),
        row("panelalphaPlan").param("id", "1"),
        row("panelalphaCreatePlan").body(json!({"name": "Agency", "application_limit": 50,
            "server_type": "cpanel", "server_assign_rule": "least_accounts"})),
        row("panelalphaUpdatePlan").param("id", "2").body(json!({"name": "Business Plus",
            "application_limit": 20, "server_type": "cpanel",
            "automatic_backups_frequency": "weekly"})),
        row("panelalphaDeletePlan").param("id", "2"),
        row("panelalphaInstances").body(json!({"user_id": 1, "status": "active"})),
        row("panelalphaFailedInstances").body(json!({"plan_id": 2})),
        row("panelalphaFailedInstance").param("id", FAILED_INSTANCE),
        row("panelalphaArchivedInstances").body(json!({"user_id": 1})),
        row("panelalphaArchivedInstance")
            .given("gone", "DELETE", "/api/admin/instances/1", None, "/data")
            .param("id", "1"),
        row("panelalphaInstance").param("id", "1"),
        row("panelalphaInstanceSslCertificate").param("id", "1"),
        row("panelalphaInstanceWordpressUsers").param("id", "1"),
        row("panelalphaDeleteFailedInstance").param("id", FAILED_INSTANCE),
        row("panelalphaRetryFailedInstance").param("id", FAILED_INSTANCE),
        row("panelalphaDeleteArchivedInstance")
            .given("gone", "DELETE", "/api/admin/instances/1", None, "/data")
            .param("id", "1"),
        row("panelalphaDeleteInstance").param("id", "1")
            .body(json!({"remove_data": true, "remove_database": false})),
        row("panelalphaCreateWordpressSsoUrl").param("id", "1").body(json!({"user": 1})),
        row("panelalphaServers").body(json!({"group_id": 1})),
        row("panelalphaServer").param("id", "1"),
        row("panelalphaHostingAccount").param("id", "1"),
        row("panelalphaHostingAccountDomains").param("id", "1"),
        row("panelalphaHostingAccountSslDomains").param("id", "1"),
        row("panelalphaHostingAccountUsage").param("id", "1"),
        row("panelalphaReinstallHostingAccount").param("id", "1"),
        row("panelalphaTasks").body(json!({"filter_statuses": "completed"})),
        row("panelalphaTaskStatus").param("id", "1"),
        row("panelalphaCancelTask")
            .given("task", "POST", "/api/admin/users/1/services", Some(json!({"plan_id": 1})),
                "/data/task_id")
            .param("id", "{task}"),
        row("panelalphaRetryTask")
            .given("task", "POST", "/api/admin/users/1/services", Some(json!({"plan_id": 1})),
                "/data/task_id")
            .given("canceled", "DELETE", "/api/admin/tasks/{task}/cancel", None, "")
            .param("id", "{task}"),
        row("panelalphaAdmin").param("id", "1"),
        row("panelalphaAdminGroup").param("id", "1"),
        row("panelalphaCreateAdmin").body(json!({"name": "ops", "admin_group_id": 1,
            "email": "ops@example.com", "password": "operations-1"})),
        row("panelalphaUpdateAdmin").param("id", "1")
            .body(json!({"name": "root", "admin_group_id": 1})),
        row("panelalphaDeleteAdmin")
            .given("admin", "POST", "/api/admin/admins", Some(json!({"name": "temp",
                "admin_group_id": 1, "email": "temp@example.com", "password": "temporary-1"})),
                "/data/id")
            .param("id", "{admin}"),
        row("panelalphaSetAdminStatus").param("id", "1").body(json!({"disabled": true})),
        row("panelalphaEnableApiToken").param("id", "1"),
        row("panelalphaDisableApiToken").param("id", "1"),
        row("panelalphaCreateAdminGroup").body(json!({"name": "Support",
            "permissions": {"users": ["view"]}})),
        row("panelalphaUpdateAdminGroup").param("id", "1").body(json!({"name": "Owners"})),
        row("panelalphaDeleteAdminGroup")
            .given("group", "POST", "/api/admin/admin-group", Some(json!({"name": "Temp"})),
                "/data/id")
            .param("id", "{group}"),
        row("panelalphaMyDevices").param(USER_HEADER, ADA),
        row("panelalphaUpdateMyInformation").param(USER_HEADER, ADA)
            .body(json!({"language": "en", "company_name": "Analytical Engines"})),
        row("panelalphaUpdateMyEmail").param(USER_HEADER, ADA)
            .body(json!({"password": "correct-horse-1", "email": "ada@lovelace.example"})),
        row("panelalphaForgetMyDevice").param(USER_HEADER, ADA).body(json!({"deviceId": 2})),
        row("panelalphaLogOutMyDevice").param(USER_HEADER, ADA)
            .body(json!({"session_id": "sess-ada-phone"})),
        // PanelAlpha part 2: the platform.
        row("panelalphaUpdateSettings").body(json!({"timezone": "Europe/Tallinn"})),
        row("panelalphaServerGroup").param("id", "1"),
        row("panelalphaCreateServerGroup").body(json!({"name": "Plesk servers",
            "server_type": "plesk"})),
        row("panelalphaUpdateServerGroup").param("id", "1").body(json!({"name": "cPanel EU",
            "server_type": "cpanel", "servers": {"1": true}})),
        row("panelalphaDeleteServerGroup").param("id", "1"),
        row("panelalphaCategoryThemes").param("id", "1"),
        row("panelalphaCreateThemeCategory").body(json!({"name": "Portfolio"})),
        row("panelalphaUpdateThemeCategory").param("id", "1").body(json!({"name": "Shops"})),
        row("panelalphaDeleteThemeCategory").param("id", "1"),
        row("panelalphaAddCategoryTheme").param("id", "1").body(json!({"name": "Kadence",
            "slug": "kadence", "description": "Blocks everywhere."})),
        row("panelalphaDeleteCategoryTheme").param("id", "1").param("theme_id", "1"),
        row("panelalphaNotificationTemplates").param("recipient", "user"),
        row("panelalphaNotificationTemplate").param("id", "user_welcome"),
        row("panelalphaUpdateNotificationTemplate").param("id", "user_welcome")
            .body(json!({"subject": "Hello from {{company_name}}", "message": "Hi!"})),
        row("panelalphaTestNotification").param("id", "user_welcome"),
        row("panelalphaSetNotificationStatus").param("id", "admin_task_failed")
            .body(json!({"enabled": false})),
        row("panelalphaRestoreNotification").param("id", "user_welcome"),
        row("panelalphaServerConfig").param("id", "1"),
        row("panelalphaServerType").param("type", "cpanel"),
        row("panelalphaServerPhpVersions").param("id", "1"),
        row("panelalphaServerRemoteAccounts").param("id", "1"),
        row("panelalphaServerApplications").param("id", "1"),
        row("panelalphaTestServerConnection").body(cpanel.clone()),
        row("panelalphaTestServerWpCli").body(cpanel.clone()),
        row("panelalphaCreateServer").body(server.clone()),
        row("panelalphaUpdateServer").param("id", "1").body(server),
        row("panelalphaDeleteServer").param("id", "1"),
        row("panelalphaImportService").param("id", "1").body(legacy_account.clone()),
        row("panelalphaImportInstance")
            .given("service", "POST", "/api/admin/servers/1/sync/import-service",
                Some(legacy_account), "/data/id")
            .param("id", "1").body(json!({"username": "legacy01", "domain": "legacy.example.net",
                "path": "/public_html", "application": "wordpress"})),
        row("panelalphaProcessSslOrder").param("id", "1"),
        row("panelalphaAbandonSslOrder").param("id", "1"),
        row("panelalphaDnsServers").body(json!({"type": "powerdns"})),
        row("panelalphaDnsServer").param("id", "1"),
        row("panelalphaDnsServerZones").param("id", "1"),
        row("panelalphaTestDnsServerConnection").body(dns.clone()),
        row("panelalphaCreateDnsServer").body(dns.clone()),
        row("panelalphaUpdateDnsServer").param("id", "1").body(dns),
        row("panelalphaDeleteDnsServer").param("id", "1"),
        row("panelalphaImportDnsZone").param("id", "1").body(legacy_domain.clone()),
        row("panelalphaCreateDnsZoneTemplate").body(template.clone()),
        row("panelalphaUpdateDnsZoneTemplate").param("id", "1").body(template),
        row("panelalphaDeleteDnsZoneTemplate").param("id", "1"),
        row("panelalphaEmailServers").body(json!({"type": "mailcow"})),
        row("panelalphaEmailServer").param("id", "1"),
        row("panelalphaEmailServerDomains").param("id", "1"),
        row("panelalphaTestEmailServerConnection").body(mail.clone()),
        row("panelalphaCreateEmailServer").body(mail.clone()),
        row("panelalphaUpdateEmailServer").param("id", "1").body(mail),
        row("panelalphaDeleteEmailServer").param("id", "1"),
        row("panelalphaImportEmailDomain").param("id", "1").body(legacy_domain),
        row("panelalphaTestRemoteBackupConnection").body(store.clone()),
        row("panelalphaCreateRemoteBackup").body(store.clone()),
        row("panelalphaUpdateRemoteBackup").param("id", "1").body(store),
        row("panelalphaDeleteRemoteBackup").param("id", "1"),
        row("panelalphaCreateBackupContainer").body(container.clone()),
        row("panelalphaUpdateBackupContainer").param("id", "1").body(container),
        row("panelalphaDeleteBackupContainer").param("id", "1"),
        row("panelalphaUpdateBackupContainerRules").param("id", "1")
            .body(json!([{"type": "plan", "values": [1, 2]}])),
        row("panelalphaPackage").param("id", "1"),
        row("panelalphaCreatePackage").body(package.clone()),
        row("panelalphaUpdatePackage").param("id", "1").body(package),
        row("panelalphaDeletePackage").param("id", "1"),
        row("panelalphaForceInstallPackage").param("id", "1"),
        // PanelAlpha part 3: a user's instances, acting as Ada on her blog (instance 1).
        row("panelalphaMyInstances").param(USER_HEADER, ADA)
            .body(json!({"labels": "Clients"})),
        row("panelalphaMyInstance").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyInstanceInstallationDetails").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyInstanceWebsiteDetails").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyInstanceLogs").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressVersions").param(USER_HEADER, ADA),
        row("panelalphaMyLabels").param(USER_HEADER, ADA),
        row("panelalphaInstallMyInstance").param(USER_HEADER, ADA)
            .body(json!({"service_id": 1, "name": "Shop", "install_type": "clean", "protocol": "https://"})),
        row("panelalphaRetryMyInstanceInstall").param(USER_HEADER, GRACE)
            .param("id", FAILED_INSTANCE).body(json!({"name": "Grace's shop"})),
        row("panelalphaRetryMyInstanceImport").param(USER_HEADER, GRACE)
            .param("id", FAILED_INSTANCE),
        row("panelalphaDeleteMyInstance").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"remove_data": true})),
        row("panelalphaCreateMyInstanceSsoUrl").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"user": 1})),
        row("panelalphaClearMyInstanceCache").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaAssignMyInstanceLabel").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"title": "Clients"})),
        row("panelalphaUnassignMyInstanceLabel").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"title": "Clients"})),
        row("panelalphaCreateMyLabel").param(USER_HEADER, ADA)
            .body(json!({"title": "Drafts", "color": "#ff8800"})),
        row("panelalphaDeleteMyLabel").param(USER_HEADER, ADA)
            .body(json!({"title": "Clients"})),
        row("panelalphaMyWordpressUpdates").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressAutoUpdate").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressAutomaticBackup").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressMaintenanceMode").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressDebugMode").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressConfig").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyWordpressUsers").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"role": "administrator"})),
        row("panelalphaMyCloudflareSecurity").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyCloudflareBrowserCheck").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyCloudflareDevelopmentMode").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaUpdateMyWordpress").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"version": "6.6.1", "create_backup": false})),
        row("panelalphaSetMyWordpressAutoUpdate").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"auto_update": 2, "auto_update_plugins": 1, "auto_update_themes": 0})),
        row("panelalphaSetMyWordpressAutomaticBackup").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"frequency": "custom", "cron_hour": 3, "cron_minute": 30})),
        row("panelalphaSetMyWordpressSiteName").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"name": "Ada's notes"})),
        row("panelalphaSetMyWordpressMaintenanceMode").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"status": true})),
        row("panelalphaSetMyWordpressDebugMode").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"status": true})),
        row("panelalphaAddMyWordpressConfig").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"name": "WP_CACHE", "value": "true", "type": "constant"})),
        row("panelalphaUpdateMyWordpressConfig").param(USER_HEADER, ADA).param("id", "1").param("name", "WP_DEBUG")
            .body(json!({"value": "true", "type": "constant"})),
        row("panelalphaDeleteMyWordpressConfig").param(USER_HEADER, ADA).param("id", "1").param("name", "table_prefix")
            .body(json!({"type": "variable"})),
        row("panelalphaCreateMyWordpressUser").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"username": "grace", "email": "grace@example.com", "display_name": "Grace", "password": "a-long-secret-1", "role": "editor"})),
        row("panelalphaUpdateMyWordpressUser").param(USER_HEADER, ADA).param("id", "1").param("userId", "1")
            .body(json!({"email": "ada@example.com", "display_name": "Ada", "role": "administrator"})),
        row("panelalphaDeleteMyWordpressUser").param(USER_HEADER, ADA).param("id", "1").param("userId", "1"),
        row("panelalphaResetMyWordpressUserPassword").param(USER_HEADER, ADA).param("id", "1").param("userId", "1")
            .body(json!({"email": "ada@example.com", "display_name": "Ada", "role": "administrator"})),
        row("panelalphaSetMyCloudflareSecurity").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"value": "high"})),
        row("panelalphaSetMyCloudflareBrowserCheck").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"value": false})),
        row("panelalphaSetMyCloudflareDevelopmentMode").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"value": true})),
        row("panelalphaPurgeMyCloudflareCache").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyPlugins").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaSearchMyPlugins").param(USER_HEADER, ADA).param("id", "1").param("term", "word"),
        row("panelalphaMyFeaturedPlugins").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyThemes").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaSearchMyThemes").param(USER_HEADER, ADA).param("id", "1").param("term", "astra"),
        row("panelalphaMyFeaturedThemes").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaInstallMyPlugin").param(USER_HEADER, ADA).param("id", "1").param("pluginName", "wordfence"),
        row("panelalphaActivateMyPlugin").param(USER_HEADER, ADA).param("id", "1").param("pluginName", "hello-dolly"),
        row("panelalphaDeactivateMyPlugin").param(USER_HEADER, ADA).param("id", "1").param("pluginName", "akismet"),
        row("panelalphaUpdateMyPlugin").param(USER_HEADER, ADA).param("id", "1").param("pluginName", "akismet"),
        row("panelalphaDeleteMyPlugin").param(USER_HEADER, ADA).param("id", "1").param("pluginName", "hello-dolly"),
        row("panelalphaInstallMyTheme").param(USER_HEADER, ADA).param("id", "1").param("themeName", "astra"),
        row("panelalphaActivateMyTheme").param(USER_HEADER, ADA).param("id", "1").param("themeName", "twentytwentythree"),
        row("panelalphaUpdateMyTheme").param(USER_HEADER, ADA).param("id", "1").param("themeName", "twentytwentythree"),
        row("panelalphaMyInstanceScreenshot").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyThemeScreenshot").param(USER_HEADER, ADA).param("id", "1")
            .param("themeName", "twentytwentyfour"),
        row("panelalphaMyBackups").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaDownloadMyBackup").param(USER_HEADER, ADA).param("id", "1")
            .param("backupId", "1"),
        row("panelalphaCreateMyBackup").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"backupDirectory": true, "backupDatabase": true,
                "backupNote": "Before the update"})),
        row("panelalphaRestoreMyBackup").param(USER_HEADER, ADA).param("id", "1")
            .param("backupId", "1").body(json!({"restoreDatabase": true})),
        row("panelalphaDeleteMyBackup").param(USER_HEADER, ADA).param("id", "1")
            .param("backupId", "1"),
        row("panelalphaMyBandwidth").param(USER_HEADER, ADA).param("id", "1")
            .param("period", "last-month"),
        row("panelalphaMyVisitors").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyVisitorDetails").param(USER_HEADER, ADA).param("id", "1")
            .param("type", "visitors-by-country").param("period", "last-year"),
        row("panelalphaMyStagingChanges").param(USER_HEADER, ADA)
            .given("staging", "POST", "/api/instances/1/staging",
                Some(json!({"protocol": "https://", "domain": "staging.example.org"})), "/data/id")
            .param("id", "1"),
        row("panelalphaCreateMyStaging").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"protocol": "https://", "domain": "staging.example.org",
                "dir": "stage_1"})),
        row("panelalphaRetryMyStaging").param(USER_HEADER, ADA)
            .given("staging", "POST", "/api/instances/1/staging",
                Some(json!({"protocol": "https://", "domain": "staging.example.org"})), "/data/id")
            .param("id", "1").param("stagingId", "{staging}")
            .body(json!({"protocol": "https://", "domain": "staging2.example.org"})),
        row("panelalphaPushMyStagingLive").param(USER_HEADER, ADA)
            .given("staging", "POST", "/api/instances/1/staging",
                Some(json!({"protocol": "https://", "domain": "staging.example.org"})), "/data/id")
            .param("id", "1"),
        row("panelalphaMySharedAccess").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaShareMyInstance").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"emails": ["charles@example.com", "new@example.org"],
                "role": "developer"})),
        row("panelalphaResendMyInvite").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"email": "grace@example.com"})),
        row("panelalphaUnshareMyInstance").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"users": [{"email": "grace@example.com"}]})),
        row("panelalphaMyDomainOptions").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaChangeMyDomain").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"domain": "ada.example.org"})),
        row("panelalphaChangeMySubdomain").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"subdomain": "ada", "domain": "example.net"})),
        row("panelalphaMyHostingAccount").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyHostingAccounts").param(USER_HEADER, ADA),
        row("panelalphaMyHostingAccountUsage").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyHostingPhpVersions").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyFtpAccounts").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyFtpServer").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaCreateMyFtpAccount").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"user": "upload", "domain": "blog.example.org",
                "password": "ftp-secret-1", "quota": 500})),
        row("panelalphaUpdateMyFtpAccount").param(USER_HEADER, ADA).param("id", "1")
            .param("user", "deploy@blog.example.org")
            .body(json!({"unlimited_quota": false, "quota": 250})),
        row("panelalphaDeleteMyFtpAccount").param(USER_HEADER, ADA).param("id", "1")
            .param("user", "deploy@blog.example.org"),
        row("panelalphaMyCronJobs").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaCreateMyCronJob").param(USER_HEADER, ADA).param("id", "1")
            .body(cron.clone()),
        row("panelalphaUpdateMyCronJob").param(USER_HEADER, ADA).param("id", "1")
            .param("line", "1").body(cron),
        row("panelalphaDeleteMyCronJob").param(USER_HEADER, ADA).param("id", "1")
            .param("line", "1"),
        row("panelalphaCreateMyPhpmyadminSsoUrl").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyDatabases").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyMysqlServer").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyDatabaseUsers").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyDatabasePrivileges").param(USER_HEADER, ADA).param("id", "1")
            .param("user", "adalovel_wp").param("database", "adalovel_wp"),
        row("panelalphaCreateMyDatabase").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"name": "adalovel_shop"})),
        row("panelalphaDeleteMyDatabase").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "adalovel_wp"),
        row("panelalphaRenameMyDatabase").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "adalovel_wp").body(json!({"name": "adalovel_blog"})),
        row("panelalphaCreateMyDatabaseUser").param(USER_HEADER, ADA).param("id", "1")
            .body(json!({"name": "adalovel_ro", "password": "db-secret-12",
                "database": "adalovel_wp"})),
        row("panelalphaDeleteMyDatabaseUser").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "adalovel_wp"),
        row("panelalphaUpdateMyDatabaseUser").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "adalovel_wp").body(json!({"password": "db-secret-13"})),
        row("panelalphaSetMyDatabasePrivileges").param(USER_HEADER, ADA).param("id", "1")
            .param("user", "adalovel_wp").param("database", "adalovel_wp")
            .body(json!({"privileges": "SELECT,INSERT"})),
        row("panelalphaRemoveMyDatabasePrivileges").param(USER_HEADER, ADA).param("id", "1")
            .param("user", "adalovel_wp").param("database", "adalovel_wp"),
        row("panelalphaMyDnsZones").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyDnsRecordTypes").param(USER_HEADER, ADA).param("id", "1"),
        row("panelalphaMyDnsRecords").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "blog.example.org"),
        row("panelalphaCreateMyDnsRecord").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "blog.example.org").body(json!({"name": "mail", "type": "MX",
                "exchange": "mx.example.net", "preference": 10, "ttl": 3600})),
        row("panelalphaUpdateMyDnsRecord").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "blog.example.org").param("line", "1")
            .body(json!({"name": "blog.example.org.", "type": "A", "address": "203.0.113.11",
                "proxied": true})),
        row("panelalphaDeleteMyDnsRecord").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "blog.example.org").param("line", "1"),
        row("panelalphaToggleMyDnsProxy").param(USER_HEADER, ADA).param("id", "1")
            .param("name", "blog.example.org").param("line", "1"),
        row("panelalphaDeleteMyTheme").param(USER_HEADER, ADA).param("id", "1").param("themeName", "twentytwentythree"),
    ]
}
