//! The simulated panel as the resource engine holds it: its Laravel dialect, its collections and
//! the seed. The docs give paths, parameters and the 401 only, so everything else is assumed, here:
//!
//! - Auth: `Authorization: Bearer <token>`; without it, or with another token, 401
//!   `{"message": "Unauthenticated."}`. `/api/user/...` also needs `X-PanelAlpha-User` naming an
//!   existing, non-archived user (else the same 401), and acts on that user.
//! - Success is 200 `{"data": ...}` for every answer, creates too; lists are whole (no pages);
//!   every DELETE (and forgetting or logging out a device) answers `{"data": null}`; actions on an
//!   object answer the object after the action.
//! - Errors: an unknown id (or an object outside the path's scope, e.g. an active user at
//!   `/users/{id}/archived`) is 404 `{"message": "Not found."}`; validation is Laravel's 422
//!   `{"message", "errors": {field: [message]}}` in current wording, first failing field only;
//!   cancelling a finished task or retrying one that neither failed nor was canceled is 422 with a
//!   message only.
//! - List filters come from the JSON body or the query string alike: `filter`/`search_term` match
//!   text in any string field, `*_id` and `status` equal, `filter_types`/`filter_statuses` are
//!   comma-separated; any other (`date_range`, `archived`) is ignored.
//! - Scopes: `/users` lists active users, `/instances` active and installing ones, `/services`
//!   pending, active and suspended ones, `/tasks/running` pending and processing ones;
//!   `.../archived` and `.../failed` paths see only those. DELETE on a user, service or instance
//!   archives it; the `.../delete` paths (and DELETE `/instances/failed/{id}`) delete one in their
//!   scope for good.
//! - Tasks (`{id, type, status, progress, message, related_type, related_id, created_at}`) go
//!   `pending` → `processing` (progress 10..90 in steps of 10) → `completed` (100) over
//!   `job_duration`, or `failed` halfway with a message when the plan of the object worked on has
//!   `fail` in its name; `canceled` leaves the object as a failure would. Queuing work answers the
//!   object with `task_id` (kept on it). Creating a service (`pending`, then `active` with a new
//!   hosting account and instance), changing its plan (the plan changes at once, its instances' on
//!   completion), retrying a failed instance (`installing`, then `active`; `failed` again on
//!   failure) and reinstalling a hosting account (`reinstalling`, then `active`) queue one.
//! - Users never show a password; passwords are kept beside the objects. Deleting a user archives
//!   it; `/users/{id}/delete` deletes an archived one. `last_activity_at` is when the user last
//!   used a user endpoint (null if never). SSO answers `{token, url, expires_at}`, valid five
//!   minutes.
//! - Sharing: user 1 (Ada) shares her instance 1 with user 2 (Grace). `/users/{id}/sharing-with`
//!   lists the users `id` shares instances with, `.../shared-instances` those instances, and
//!   `all-instances` the user's own non-archived instances and those shared with them.
//! - Plans take every documented field; `name`, `application_limit` and `server_type` are required
//!   on update too, as the docs list them without "optional" (so is a user's `email`).
//! - Admins `{id, name, email, admin_group_id, disabled, api_token_enabled}`; their group must
//!   exist. Admin groups `{id, name, type, permissions, notifications}`; new ones are `custom`.
//! - Timestamps are Laravel's `2026-01-12T09:30:00.000000Z`; one hosting server (1, cPanel,
//!   `{id, name, type, server_groups, status}`) holds every account (`server_id` is always 1);
//!   `/tasks/worker-status` is always `{"running": true, "workers": 2}`.
//! - System settings are one object (`company_name`, `default_language`, `timezone`); an update
//!   merges the body's keys into it. Server groups `{id, name, server_type, servers}` (group 1
//!   holds server 1); theme categories `{id, name}` (1 `Business`) hold themes `{id, category_id,
//!   name, slug, description, screenshot_url, preview_url, homepage}` (1 `Astra`); deleting a category deletes its
//!   themes. Email settings are one object like the system's (with an SMTP password, which only
//!   admins see in `raw`). Notification templates `{id, recipient, name, subject, message,
//!   enabled}` have string ids (`user_welcome`, `admin_task_failed`); restoring one brings back
//!   its shipped subject and message; a preview answers `{subject, html}` from the body's (or a sample); a test email
//!   answers `{sent: true, to}`; the mail server's test-connection answers `{connected: true}`.
//!   DNS zones and backup logs are read-only lists.
//! - Server-like records (hosting servers, DNS and email servers, remote backup stores) are
//!   `{id, name, type, connection_config, status}` (hosting servers add `server_groups`, a list of
//!   `{id, name, server_type}` as the docs' nested fields say); `connection_config` is any object,
//!   even an empty one (its keys depend on the type, which `/types` lists with its
//!   `connection_fields`). A test-connection answers `{connected, message}` and test-wp-cli
//!   `{available, version, message}`, unreachable when the config has no `host` or one under
//!   `.invalid`; validation failures are 422 as for any write. `/servers/{id}/config` answers
//!   `{server_id, type, connection_config}`.
//! - What servers hold (remote accounts, WordPress installations, DNS zones, email domains) is
//!   seeded on server 1 (`legacy01`, `legacy.example.net`, not imported); importing one marks it
//!   imported and answers the new object with a task: an account becomes a service (pending,
//!   then active) with its hosting account at once; an installation needs its account imported
//!   first and becomes an instance (`importing`, then `active`); a zone or email domain becomes
//!   one of the service's (`importing`, then `active`). An unknown or already imported name,
//!   user, plan or service is 422 "The selected {field} is invalid.".
//! - DNS zone templates `{id, name, records}` (records `{name, type, ttl, rdata}`); backup
//!   containers take every documented field, and their rules are the body's list of `{type,
//!   values}`; packages `{id, name, plugin_automation, theme_automation, plugins, themes}`, whose
//!   force-install is a task on the package. SSL orders `{id, domain, instance_id, provider,
//!   status}`: processing a pending or failed one is a task (`processing`, then `issued`);
//!   abandoning one not issued sets `abandoned`; other states are 422.
//! - The user API's instances (`customer`): a user reaches the instances they own and those shared
//!   with them; a share's role allows reads (`view_only`), sign-in links (`view_and_sso`) and
//!   changes (`developer`, `full_access`, `custom`), and deleting or sharing is the owner's; another
//!   user's instance is 404 and a role that falls short 403 `{"message": "This action is
//!   unauthorized."}`. Installs, retries, imports, WordPress, plugin and theme installs and updates,
//!   backups and their restores, staging and pushes, and domain changes are tasks on the instance
//!   (`installing`, `updating`, `restoring`, ...; a backup is `creating` until `completed`); what
//!   they change is changed at once. Each instance's WordPress (version 6.5.5, auto-update, modes,
//!   automatic backup, Cloudflare, two plugins, two themes, wp-config entries, an `admin` user) is
//!   made on first use; the directory offers four plugins and four themes. Labels are per user
//!   (`Clients`, Ada's); sign-in links are `https://<domain>/wp-login.php?sso=...`, five minutes.
//!   Reports take Laravel's optional segments (last week, visits by page where left out). Files
//!   are a zip of a manifest (backups) and a PNG signature with a name (screenshots).
//! - The user API's hosting accounts (`hosting`) are those of the acting user's services (another
//!   user's is 404). FTP accounts `{user, domain, directory, quota, unlimited_quota}` log in as
//!   `user@domain` (`deploy@blog.example.org` on account 1); a password is required on create and
//!   never kept or answered. The docs say `quota` is required "when unlimited_quota is true", taken
//!   to mean false (an unlimited quota needs no figure); the `quote` they also list is ignored.
//!   Cron jobs `{line, minute, hour, day_of_month, month, day_of_week, command}` take crontab's
//!   text (`*/15`); MySQL databases `{name, size_mb}` and users `{name, grants}` are per account
//!   (names unique there), a user's password is required on create and never kept, and
//!   privileges are a text per user and database (`ALL PRIVILEGES`); phpMyAdmin sign-in links
//!   are `https://<domain>/phpmyadmin/?sso=...`, five minutes. An account's DNS zone is its
//!   domain; records `{line, name, type, ttl, proxied, ...}` keep every field sent, their type
//!   one of `/record-types`, and toggling the proxy flips `proxied`.
//! - Seed (ids the gateway's tests use): users 1 Ada Lovelace `ada@example.com` (password
//!   `correct-horse-1`; service 1 on plan 1 `WordPress Starter`, hosting account 1, instance 1
//!   `blog.example.org` active; devices 1 and 2), 2 Grace Hopper `grace@example.com` (service 2 on
//!   plan 2 `Business`, hosting account 2, instance 2 `shop.example.com` failed; device 3), 3
//!   Charles Babbage archived; admin 1 `root` in group 1 `Administrators`; task 1 completed.

use super::flows;
use crate::{
    kit::{Absent, Fail, Fields, Problem, time::rfc3339},
    resource::{Answer, Collection, Dialect, Req, Rule::*, Table},
};
use axum::{
    Json,
    http::{Method, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    time::{Duration, Instant, SystemTime},
};

pub(super) type World = crate::resource::World<Panel>;

/// When the seeded objects were made.
const SEEDED: &str = "2026-01-12T09:30:00.000000Z";

/// The notification templates as shipped (id, recipient, name, subject, message): the seed, and
/// what restoring one brings back.
pub(super) const TEMPLATES: [(&str, &str, &str, &str, &str); 2] = [
    (
        "user_welcome",
        "user",
        "Welcome",
        "Welcome to {{company_name}}",
        "Hello {{first_name}}, your account is ready.",
    ),
    (
        "admin_task_failed",
        "admin",
        "Task failed",
        "A task failed",
        "Task {{task_id}} failed.",
    ),
];

/// What the panel holds beside its collections.
pub(super) struct Panel {
    pub(super) job_duration: Duration,
    /// Tasks in flight, by id, and when they (last) started.
    pub(super) running: BTreeMap<String, Instant>,
    /// Users' passwords by user id, kept out of the objects so no answer can show them.
    pub(super) passwords: BTreeMap<String, String>,
    /// When each user last used a user endpoint, by user id.
    pub(super) last_activity: BTreeMap<String, String>,
}

/// Laravel as PanelAlpha speaks it.
pub(super) struct Laravel;

/// Laravel trims strings and turns blank ones into null before `required` looks.
pub(super) const FIELDS: Fields = Fields {
    absent: Absent::NullOrBlank,
    trim: true,
    coerce: true,
    fail: field_fail,
};

impl Dialect for Laravel {
    fn fields(&self) -> &Fields {
        &FIELDS
    }

    fn not_found(&self, _: &str) -> Fail {
        not_found()
    }

    fn render(&self, answer: Answer, req: &Req) -> Response {
        let data = match answer {
            Answer::Raw(response) => return response,
            Answer::Deleted(_) => Value::Null,
            _ if req.method == Method::DELETE => Value::Null,
            Answer::List(items) => json!(items),
            Answer::Object(object) | Answer::Created(object) => object,
        };
        Json(json!({ "data": data })).into_response()
    }

    fn timestamp(&self) -> Value {
        json!(stamp(SystemTime::now()))
    }
}

pub(super) fn not_found() -> Fail {
    Fail::new(StatusCode::NOT_FOUND, json!({"message": "Not found."}))
}

/// Laravel's answer to a path no route declares.
pub(super) fn no_route(path: &str) -> Fail {
    let path = path.trim_start_matches('/');
    let message = format!("The route {path} could not be found.");
    Fail::new(StatusCode::NOT_FOUND, json!({ "message": message }))
}

/// Laravel's 422 with one failing field.
pub(super) fn invalid(field: &str, message: String) -> Fail {
    let body = json!({"message": message, "errors": {field: [message]}});
    Fail::new(StatusCode::UNPROCESSABLE_ENTITY, body)
}

/// Laravel 10's messages, naming the field as Laravel displays it (`first_name`: "first name").
pub(super) fn field_fail(field: &str, problem: Problem) -> Fail {
    let mut name = String::new();
    for c in field.chars() {
        match c {
            '_' => name.push(' '),
            c if c.is_ascii_uppercase() => name.extend([' ', c.to_ascii_lowercase()]),
            c => name.push(c),
        }
    }
    let must = |what: &str| format!("The {name} field must {what}.");
    let message = match problem {
        Problem::Missing => format!("The {name} field is required."),
        Problem::Text => must("be a string"),
        Problem::Integer => must("be an integer"),
        Problem::Bool => must("be true or false"),
        Problem::Email => must("be a valid email address"),
        Problem::TooLong(max) => must(&format!("not be greater than {max} characters")),
        Problem::NotAllowed => format!("The selected {name} is invalid."),
        Problem::Taken => format!("The {name} has already been taken."),
        Problem::Invalid => format!("The {name} field format is invalid."),
    };
    invalid(field, message)
}

/// A 422 with a message only: an action the object's state does not allow.
pub(super) fn refused(message: &str) -> Fail {
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "message": message }),
    )
}

/// A sign-in link valid five minutes, `{token, url, expires_at}`, its URL made from its token.
pub(super) fn sign_in(url: impl FnOnce(&str) -> String) -> Answer {
    let token = crate::kit::random::random_string(crate::kit::random::ALNUM, 40);
    let expires = stamp(SystemTime::now() + Duration::from_secs(300));
    let url = url(&token);
    Answer::Object(json!({"token": token, "url": url, "expires_at": expires}))
}

/// The PHP versions a server (and so each of its accounts) offers.
pub(super) fn offered_php_versions() -> Answer {
    Answer::List(
        ["7.4", "8.1", "8.2", "8.3"]
            .map(|v| json!({"version": v}))
            .into(),
    )
}

/// Laravel's `min:8` on a password, which its middleware leaves untrimmed.
pub(super) fn password(v: &Value) -> Result<Value, Fail> {
    let text = v
        .as_str()
        .ok_or_else(|| field_fail("password", Problem::Text))?;
    if text.chars().count() < 8 {
        let message = "The password field must be at least 8 characters.";
        return Err(invalid("password", message.into()));
    }
    Ok(json!(text))
}

/// A timestamp as Laravel serialises dates.
pub(super) fn stamp(at: SystemTime) -> String {
    rfc3339(at).replace('Z', ".000000Z")
}

/// A field as path and query text: strings as they are, numbers in decimal.
pub(super) fn text(v: &Value) -> String {
    crate::resource::id_text(v)
}

/// Fails with "The selected {field} is invalid." unless `field` names an object of `collection`.
fn exists(
    world: &World,
    field: &'static str,
    collection: &str,
    object: &Value,
) -> Result<(), Fail> {
    match object.get(field) {
        Some(id) if world.store.get(collection, &text(id)).is_none() => {
            Err(field_fail(field, Problem::NotAllowed))
        }
        _ => Ok(()),
    }
}

/// Keeps a user's new password beside the object.
fn keep_password(world: &mut World, _: &Req, user: &mut Value) -> Result<(), Fail> {
    let given = user.as_object_mut().and_then(|u| u.remove("password"));
    if let Some(password) = given {
        let passwords = &mut world.ext.passwords;
        passwords.insert(text(&user["id"]), text(&password));
    }
    Ok(())
}

/// An admin's group must exist; admins' passwords are not simulated, so they are dropped.
fn admin_written(world: &mut World, _: &Req, admin: &mut Value) -> Result<(), Fail> {
    exists(world, "admin_group_id", "admin_groups", admin)?;
    if let Some(admin) = admin.as_object_mut() {
        admin.remove("password");
    }
    Ok(())
}

/// A new service needs an existing plan, and its provisioning is a task.
fn service_created(world: &mut World, _: &Req, service: &mut Value) -> Result<(), Fail> {
    exists(world, "plan_id", "plans", service)?;
    flows::start(world, "service.create", service);
    Ok(())
}

/// Every field the docs give a plan's create and update.
#[rustfmt::skip]
const PLAN_FIELDS: [&str; 28] = [
    "name", "application_limit", "server_type", "server_group_id", "server_assign_rule",
    "server_id", "account_config", "remote_suspend", "dns_server_internal", "dns_server_type",
    "dns_server_id", "dns_account_config", "dns_zone_template_id", "email_server_internal",
    "email_server_type", "email_server_id", "email_account_config", "config", "packages",
    "automatic_install_plugins", "automatic_install_themes", "blacklist_plugins",
    "delete_blacklisted_plugins", "delete_blacklisted_themes", "scan_interval",
    "is_automatic_backups_enabled", "is_automatic_backups_editable", "automatic_backups_frequency",
];

/// What `/admin-groups/permissions` lists; the seeded group has them all.
#[rustfmt::skip]
pub(super) const PERMISSIONS: [&str; 6] = [
    "users.manage", "services.manage", "instances.manage", "plans.manage", "servers.manage",
    "tasks.manage",
];
pub(super) const NOTIFICATIONS: [&str; 3] = ["task.failed", "instance.failed", "user.created"];

/// Laravel's `integer` rule on `field`, as a field check.
macro_rules! integer {
    ($field:literal) => {
        Check($field, |v| FIELDS.as_integer(v, $field).map(Value::from))
    };
}

/// The seed's objects, each made when the seed was.
fn made(objects: Value) -> Value {
    let mut objects = objects;
    for object in objects.as_array_mut().into_iter().flatten() {
        object["created_at"] = json!(SEEDED);
    }
    objects
}

/// The panel's collections and routes, seeded, and its own state.
#[rustfmt::skip]
pub(super) fn seeded(job_duration: Duration) -> (Table<Panel>, Panel) {
    let max = |field| MaxLen(field, 255);
    let users = Collection::new("users")
        .seed(made(json!([
            {"id": 1, "first_name": "Ada", "last_name": "Lovelace",
             "company_name": "Analytical Engines", "email": "ada@example.com", "status": "active"},
            {"id": 2, "first_name": "Grace", "last_name": "Hopper", "company_name": null,
             "email": "grace@example.com", "status": "active"},
            {"id": 3, "first_name": "Charles", "last_name": "Babbage", "company_name": null,
             "email": "charles@example.com", "status": "archived"},
        ])))
        .fields(["first_name", "last_name", "company_name", "email", "password"])
        .defaults(json!({"first_name": null, "last_name": null, "company_name": null,
            "status": "active"}))
        .rules([max("first_name"), max("last_name"), max("company_name"), Always("email"),
            Email("email"), max("email"), Unique("email"), Required("password"),
            Check("password", password)])
        .created_at("created_at")
        .before_create(keep_password)
        .before_update(keep_password);
    let services = Collection::new("services")
        .seed(made(json!([
            {"id": 1, "user_id": 1, "plan_id": 1, "hosting_account_id": 1, "status": "active",
             "packages": []},
            {"id": 2, "user_id": 2, "plan_id": 2, "hosting_account_id": 2, "status": "active",
             "packages": []},
        ])))
        .under("users", "user_id")
        .fields(["plan_id"])
        .defaults(json!({"hosting_account_id": null, "status": "pending", "packages": []}))
        .rules([Required("plan_id"), integer!("plan_id")])
        .created_at("created_at")
        .before_create(service_created);
    let plans = Collection::new("plans")
        .seed(json!([
            {"id": 1, "name": "WordPress Starter", "application_limit": 1, "server_type": "cpanel",
             "server_assign_rule": "least_accounts", "automatic_backups_frequency": "daily"},
            {"id": 2, "name": "Business", "application_limit": 10, "server_type": "cpanel",
             "server_assign_rule": "random", "automatic_backups_frequency": "weekly"},
        ]))
        .fields(PLAN_FIELDS)
        .rules([Always("name"), Text("name"), max("name"), Always("application_limit"),
            integer!("application_limit"), Always("server_type"), Text("server_type"),
            OneOf("server_assign_rule", &["random", "least_accounts", "specific_server"]),
            OneOf("automatic_backups_frequency", &["daily", "weekly", "monthly"])]);
    // Ada's blog is installed; Grace's shop failed to install.
    let instances = Collection::new("instances").seed(made(json!([
        {"id": 1, "name": "Ada's blog", "domain": "blog.example.org", "user_id": 1,
         "service_id": 1, "hosting_account_id": 1, "plan_id": 1, "server_id": 1,
         "status": "active"},
        {"id": 2, "name": "Grace's shop", "domain": "shop.example.com", "user_id": 2,
         "service_id": 2, "hosting_account_id": 2, "plan_id": 2, "server_id": 1,
         "status": "failed"},
    ])));
    let accounts = Collection::new("hosting_accounts").seed(made(json!([
        {"id": 1, "username": "adalovel", "domain": "blog.example.org", "server_id": 1,
         "service_id": 1, "status": "active"},
        {"id": 2, "username": "gracehop", "domain": "shop.example.com", "server_id": 1,
         "service_id": 2, "status": "active"},
    ])));
    let admins = Collection::new("admins")
        .seed(json!([{"id": 1, "name": "root", "email": "root@example.com", "admin_group_id": 1,
            "disabled": false, "api_token_enabled": true}]))
        .fields(["name", "email", "admin_group_id", "password"])
        .defaults(json!({"disabled": false, "api_token_enabled": false}))
        .rules([Always("name"), Text("name"), max("name"), Always("admin_group_id"),
            integer!("admin_group_id"), Required("email"), Email("email"), max("email"),
            Unique("email"), Required("password"), Check("password", password)])
        .before_create(admin_written)
        .before_update(admin_written);
    let groups = Collection::new("admin_groups")
        .seed(json!([{"id": 1, "name": "Administrators", "type": "full_access",
            "permissions": PERMISSIONS, "notifications": NOTIFICATIONS}]))
        .fields(["name", "permissions", "notifications"])
        .defaults(json!({"type": "custom", "permissions": [], "notifications": []}))
        .rules([Always("name"), Text("name"), max("name")]);
    let server_groups = Collection::new("server_groups")
        .seed(json!([{"id": 1, "name": "cPanel servers", "server_type": "cpanel", "servers": [1]}]))
        .fields(["name", "server_type", "servers"])
        .rules([Always("name"), Text("name"), max("name"), Always("server_type"),
            Text("server_type")]);
    let theme_categories = Collection::new("theme_categories")
        .seed(json!([{"id": 1, "name": "Business"}]))
        .fields(["name"])
        .rules([Always("name"), Text("name"), max("name")]);
    let themes = Collection::new("themes")
        .seed(json!([{"id": 1, "category_id": 1, "name": "Astra", "slug": "astra",
            "description": "A fast, light theme.", "screenshot_url": null}]))
        .under("theme_categories", "category_id")
        .fields(["name", "slug", "description", "screenshot_url", "preview_url", "homepage"])
        .rules([Always("name"), Text("name"), max("name"), Always("slug"), Text("slug"),
            Always("description")]);
    let settings = json!([{"id": 1, "company_name": "Example Hosting", "default_language": "en",
        "timezone": "UTC"}]);
    let email_settings = json!([{"id": 1, "driver": "smtp", "host": "smtp.example.com",
        "port": 587, "username": "panel", "password": "smtp-secret", "from": "panel@example.com"}]);
    let templates = TEMPLATES.iter().map(|(id, recipient, name, subject, message)| {
        json!({"id": id, "recipient": recipient, "name": name, "subject": subject,
            "message": message, "enabled": true})
    });
    let templates = Collection::new("notification_templates")
        .seed(Value::Array(templates.collect()))
        .fields(["messages", "message", "subject"]);
    let dns_zones = json!([{"id": 1, "name": "blog.example.org", "server_id": 1}]);
    let backup_logs = made(json!([{"id": 1, "instance_id": 1, "status": "completed"}]));
    let tasks = Collection::new("tasks").seed(made(json!([
        {"id": 1, "type": "service.create", "status": "completed", "progress": 100,
         "message": null, "related_type": "service", "related_id": 1},
    ])));
    // Ada shares her blog with Grace.
    let shares = json!([{"id": 1, "user_id": 1, "shared_with_id": 2, "instance_id": 1,
        "role": "view_only"}]);
    let devices = json!([
        {"id": 1, "user_id": 1, "name": "Firefox on Linux", "ip": "203.0.113.7",
         "session_id": "sess-ada-laptop", "last_active_at": SEEDED},
        {"id": 2, "user_id": 1, "name": "Safari on iPhone", "ip": "198.51.100.23",
         "session_id": "sess-ada-phone", "last_active_at": SEEDED},
        {"id": 3, "user_id": 2, "name": "Chrome on Windows", "ip": "192.0.2.44",
         "session_id": "sess-grace-desk", "last_active_at": SEEDED},
    ]);
    let mut table = Table::new(Laravel)
        .collection(users).collection(services).collection(plans).collection(instances)
        .collection(accounts).collection(admins).collection(groups).collection(tasks)
        .collection(server_groups).collection(theme_categories)
        .collection(themes)
        .collection(Collection::new("settings").seed(settings))
        .collection(Collection::new("email_settings").seed(email_settings))
        .collection(templates)
        .collection(Collection::new("dns_zones").seed(dns_zones))
        .collection(Collection::new("backup_logs").seed(backup_logs))
        .collection(Collection::new("shares").seed(shares))
        .collection(Collection::new("devices").seed(devices))
        .collection(Collection::new("labels").seed(json!([{"id": 1, "user_id": 1,
            "title": "Clients", "color": "#0559cb"}])))
        .collection(Collection::new("wordpress"))
        .collection(Collection::new("ftp_accounts").seed(json!([{"id": 1, "account_id": 1,
            "user": "deploy@blog.example.org", "domain": "blog.example.org",
            "directory": "/public_html", "quota": null, "unlimited_quota": true}])))
        .collection(Collection::new("databases").seed(json!([{"id": 1, "account_id": 1,
            "name": "adalovel_wp", "size_mb": 42.5}])))
        .collection(Collection::new("database_users").seed(json!([{"id": 1, "account_id": 1,
            "name": "adalovel_wp", "grants": {"adalovel_wp": "ALL PRIVILEGES"}}])))
        .collection(Collection::new("cron_jobs").seed(json!([{"id": 1, "account_id": 1,
            "line": "1", "minute": "*/15", "hour": "*", "day_of_month": "*", "month": "*",
            "day_of_week": "*", "command": "php /home/adalovel/wp-cron.php"}])))
        .collection(Collection::new("dns_records").seed(json!([{"id": 1, "account_id": 1,
            "line": "1", "name": "blog.example.org.", "type": "A", "ttl": 14400,
            "address": "203.0.113.10", "proxied": false}])))
        .collection(Collection::new("backups").seed(made(json!([{"id": 1, "instance_id": 1,
            "note": "Before the redesign", "directory": true, "database": true,
            "status": "completed"}]))))
        .rows(super::routes::rows())
        .rows(super::platform::rows())
        .rows(super::customer::rows())
        .rows(super::hosting::rows())
        .settle(flows::settle);
    for collection in super::platform::collections() {
        table = table.collection(collection);
    }
    let passwords = [("1", "correct-horse-1"), ("2", "amazing-grace"), ("3", "difference-3")];
    let panel = Panel {
        job_duration,
        running: BTreeMap::new(),
        passwords: passwords.map(|(id, p)| (id.into(), p.into())).into(),
        last_activity: BTreeMap::from([("1".into(), SEEDED.into())]),
    };
    (table, panel)
}
