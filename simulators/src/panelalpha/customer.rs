//! The user API's instances (`/api/instances`, `/api/labels`): what a panel user does with the
//! WordPress instances they own or that are shared with them, acting as the user the request names.
//! Every route row, and the handlers of instances, labels, reports, staging, domains and sharing;
//! those of an instance's WordPress are in `wordpress`. What is assumed is in `model`'s header.

use super::{
    flows,
    model::{FIELDS, Panel, World, field_fail, not_found, refused, sign_in, stamp, text},
    routes::{acting, body},
};
use crate::{
    kit::{Fail, Problem, body::Params},
    resource::{Answer, DELETE, GET, Op::*, PATCH, POST, PUT, Req, Row},
};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::SystemTime;

pub(super) type Handled = Result<Answer, Fail>;

#[rustfmt::skip]
pub(super) fn rows() -> Vec<Row<Panel>> {
    vec![
        (GET, "/api/instances", Custom(my_instances)),
        (POST, "/api/instances/install", Custom(install)),
        (GET, "/api/instances/wordpress-versions", Custom(|_, _| Ok(Answer::List(VERSIONS.map(|v| json!({"version": v})).into())))),
        (GET, "/api/instances/{id}", Custom(|w, r| reach(w, r, See).map(Answer::Object))),
        (PUT, "/api/instances/{id}/retry-install", Custom(|w, r| retry(w, r, "instance.install"))),
        (PUT, "/api/instances/{id}/import/quick-retry", Custom(|w, r| retry(w, r, "instance.import"))),
        (DELETE, "/api/instances/{id}", Custom(delete)),
        (GET, "/api/instances/{id}/installation-details", Custom(installation)),
        (GET, "/api/instances/{id}/website-details", Custom(website)),
        (GET, "/api/instances/{id}/logs", Custom(logs)),
        (POST, "/api/instances/{id}/sso-url", Custom(sso_url)),
        (PUT, "/api/instances/{id}/clear-cache", Custom(|w, r| reach(w, r, Change).map(|_| done("Cache cleared.")))),
        (POST, "/api/instances/{id}/labels", Custom(|w, r| label(w, r, true))),
        (DELETE, "/api/instances/{id}/labels", Custom(|w, r| label(w, r, false))),
        (GET, "/api/labels", Custom(labels)),
        (POST, "/api/labels", Custom(create_label)),
        (DELETE, "/api/labels", Custom(delete_label)),
        (GET, "/api/instances/{id}/wordpress/updates", Custom(updates)),
        (PUT, "/api/instances/{id}/wordpress/update", Custom(update_core)),
        (GET, "/api/instances/{id}/wordpress/auto-update", Custom(|w, r| read(w, r, &AUTO_UPDATE))),
        (PUT, "/api/instances/{id}/wordpress/auto-update", Custom(|w, r| write(w, r, &AUTO_UPDATE))),
        (GET, "/api/instances/{id}/wordpress/automatic-backup", Custom(|w, r| read(w, r, &["automatic_backup"]).map(inner))),
        (PUT, "/api/instances/{id}/wordpress/automatic-backup", Custom(automatic_backup)),
        (PUT, "/api/instances/{id}/wordpress/site-name", Custom(site_name)),
        (GET, "/api/instances/{id}/wordpress/maintenance-mode", Custom(|w, r| mode(w, r, "maintenance_mode"))),
        (PUT, "/api/instances/{id}/wordpress/maintenance-mode", Custom(|w, r| mode(w, r, "maintenance_mode"))),
        (GET, "/api/instances/{id}/wordpress/debug-mode", Custom(|w, r| mode(w, r, "debug_mode"))),
        (PUT, "/api/instances/{id}/wordpress/debug-mode", Custom(|w, r| mode(w, r, "debug_mode"))),
        (GET, "/api/instances/{id}/wordpress/config", Custom(|w, r| listed(w, r, "config"))),
        (POST, "/api/instances/{id}/wordpress/config", Custom(add_config)),
        (PUT, "/api/instances/{id}/wordpress/config/{name}", Custom(update_config)),
        (DELETE, "/api/instances/{id}/wordpress/config/{name}", Custom(delete_config)),
        (GET, "/api/instances/{id}/wordpress/users", Custom(wordpress_users)),
        (POST, "/api/instances/{id}/wordpress/users", Custom(create_user)),
        (PUT, "/api/instances/{id}/wordpress/users/{userId}", Custom(update_user)),
        (DELETE, "/api/instances/{id}/wordpress/users/{userId}", Custom(delete_user)),
        (PUT, "/api/instances/{id}/wordpress/users/{userId}/reset-password", Custom(update_user)),
        (GET, "/api/instances/{id}/wordpress/cloudflare/security", Custom(|w, r| cloudflare(w, r, "security"))),
        (PATCH, "/api/instances/{id}/wordpress/cloudflare/security", Custom(|w, r| cloudflare(w, r, "security"))),
        (GET, "/api/instances/{id}/wordpress/cloudflare/browser-check", Custom(|w, r| cloudflare(w, r, "browser_check"))),
        (PATCH, "/api/instances/{id}/wordpress/cloudflare/browser-check", Custom(|w, r| cloudflare(w, r, "browser_check"))),
        (GET, "/api/instances/{id}/wordpress/cloudflare/development-mode", Custom(|w, r| cloudflare(w, r, "development_mode"))),
        (PATCH, "/api/instances/{id}/wordpress/cloudflare/development-mode", Custom(|w, r| cloudflare(w, r, "development_mode"))),
        (POST, "/api/instances/{id}/wordpress/cloudflare/purge-cache", Custom(|w, r| reach(w, r, Change).map(|_| done("Cache purged.")))),
        (GET, "/api/instances/{id}/wordpress/plugins", Custom(|w, r| listed(w, r, "plugins"))),
        (GET, "/api/instances/{id}/wordpress/plugins/new/search/{term}", Custom(|w, r| directory(w, r, &PLUGINS))),
        (GET, "/api/instances/{id}/wordpress/plugins/new/featured", Custom(|w, r| directory(w, r, &PLUGINS))),
        (POST, "/api/instances/{id}/wordpress/plugins/new/{pluginName}/install", Custom(|w, r| add_extension(w, r, &PLUGINS))),
        (PUT, "/api/instances/{id}/wordpress/plugins/{pluginName}/activate", Custom(|w, r| activate(w, r, &PLUGINS, "active"))),
        (PUT, "/api/instances/{id}/wordpress/plugins/{pluginName}/deactivate", Custom(|w, r| activate(w, r, &PLUGINS, "inactive"))),
        (PUT, "/api/instances/{id}/wordpress/plugins/{pluginName}/update", Custom(|w, r| update_extension(w, r, &PLUGINS))),
        (DELETE, "/api/instances/{id}/wordpress/plugins/{pluginName}", Custom(|w, r| delete_extension(w, r, &PLUGINS))),
        (GET, "/api/instances/{id}/wordpress/themes", Custom(|w, r| listed(w, r, "themes"))),
        (GET, "/api/instances/{id}/wordpress/themes/new/search/{term}", Custom(|w, r| directory(w, r, &THEMES))),
        (GET, "/api/instances/{id}/wordpress/themes/new/featured", Custom(|w, r| directory(w, r, &THEMES))),
        (POST, "/api/instances/{id}/wordpress/themes/new/{themeName}/install", Custom(|w, r| add_extension(w, r, &THEMES))),
        (PUT, "/api/instances/{id}/wordpress/themes/{themeName}/activate", Custom(|w, r| activate(w, r, &THEMES, "active"))),
        (PUT, "/api/instances/{id}/wordpress/themes/{themeName}/update", Custom(|w, r| update_extension(w, r, &THEMES))),
        (DELETE, "/api/instances/{id}/wordpress/themes/{themeName}", Custom(|w, r| delete_extension(w, r, &THEMES))),
        (GET, "/api/instances/{id}/wordpress/themes/{themeName}/screenshot", Custom(theme_screenshot)),
        (GET, "/api/instances/{id}/screenshot", Custom(screenshot)),
        (GET, "/api/instances/{id}/wordpress/backups", Custom(backups)),
        (POST, "/api/instances/{id}/wordpress/backups", Custom(create_backup)),
        (PUT, "/api/instances/{id}/wordpress/backups/{backupId}/restore", Custom(restore_backup)),
        (DELETE, "/api/instances/{id}/wordpress/backups/{backupId}", Custom(delete_backup)),
        (GET, "/api/instances/{id}/wordpress/backups/{backupId}/download", Custom(download_backup)),
        // Laravel's optional segments: each shorter path is the same route.
        (GET, "/api/instances/{id}/reporting/bandwidth/{period}", Custom(|w, r| report(w, r, "bandwidth"))),
        (GET, "/api/instances/{id}/reporting/bandwidth", Custom(|w, r| report(w, r, "bandwidth"))),
        (GET, "/api/instances/{id}/reporting/visitors/{period}", Custom(|w, r| report(w, r, "visitors"))),
        (GET, "/api/instances/{id}/reporting/visitors", Custom(|w, r| report(w, r, "visitors"))),
        (GET, "/api/instances/{id}/reporting/{type}/{period}", Custom(|w, r| report(w, r, ""))),
        (GET, "/api/instances/{id}/reporting/{type}", Custom(|w, r| report(w, r, ""))),
        (GET, "/api/instances/{id}/reporting", Custom(|w, r| report(w, r, ""))),
        (POST, "/api/instances/{id}/staging", Custom(|w, r| staging(w, r, false))),
        (PUT, "/api/instances/{id}/retry-staging/{stagingId}", Custom(|w, r| staging(w, r, true))),
        (PUT, "/api/instances/{id}/push-to-live", Custom(push_to_live)),
        (GET, "/api/instances/{id}/push-to-live", Custom(staging_changes)),
        (GET, "/api/instances/{id}/shared-access", Custom(shared_with)),
        (POST, "/api/instances/{id}/shared-access", Custom(share)),
        (POST, "/api/instances/{id}/shared-access/resend-invite", Custom(resend_invite)),
        (DELETE, "/api/instances/{id}/shared-access", Custom(unshare)),
        (GET, "/api/instances/{id}/change-domain/options", Custom(domain_options)),
        (PUT, "/api/instances/{id}/change-domain/domain", Custom(|w, r| change_domain(w, r, false))),
        (PUT, "/api/instances/{id}/change-domain/subdomain", Custom(|w, r| change_domain(w, r, true))),
    ]
}

/// The WordPress versions the panel installs, newest first.
pub(super) const VERSIONS: [&str; 3] = ["6.6.1", "6.5.5", "6.4.5"];

/// What a call needs of an instance, least first: to see it, to sign in to it, to change it, or
/// to be its owner (deleting it).
#[derive(Clone, Copy, PartialEq, PartialOrd)]
pub(super) enum Need {
    See,
    SignIn,
    Change,
    Own,
}
use super::wordpress::*;
use Need::*;

/// What a share's role lets its user do.
fn granted(role: &str) -> Need {
    match role {
        "view_and_sso" => SignIn,
        "developer" | "full_access" | "custom" => Change,
        _ => See,
    }
}

/// The path's instance, if the acting user owns it or it is shared with them for `need`: another
/// user's is as unknown as a missing one (404), and a share's role that falls short is 403.
pub(super) fn reach(world: &mut World, req: &Req, need: Need) -> Result<Value, Fail> {
    let user = acting(world, req);
    let id = req.param("id").unwrap_or_default();
    let instance = world
        .store
        .get("instances", id)
        .filter(|i| i["status"] != "archived");
    let instance = instance.cloned().ok_or_else(not_found)?;
    if text(&instance["user_id"]) == user {
        return Ok(instance);
    }
    let shares = world.store.all("shares").iter();
    let mut mine = shares.filter(|s| text(&s["shared_with_id"]) == user);
    let share = mine
        .find(|s| text(&s["instance_id"]) == id)
        .ok_or_else(not_found)?;
    if granted(share["role"].as_str().unwrap_or_default()) < need {
        let body = json!({"message": "This action is unauthorized."});
        return Err(Fail::new(StatusCode::FORBIDDEN, body));
    }
    Ok(instance)
}

pub(super) fn done(message: &str) -> Answer {
    Answer::Object(json!({ "message": message }))
}

/// The acting user's instances and those shared with them, filtered by label title and hosting
/// account.
fn my_instances(world: &mut World, req: &Req) -> Handled {
    let user = acting(world, req);
    let given = json_params(req);
    let shared: Vec<String> = world
        .store
        .all("shares")
        .iter()
        .filter(|s| text(&s["shared_with_id"]) == user)
        .map(|s| text(&s["instance_id"]))
        .collect();
    let label = given.get("labels").map(text);
    let account = given.get("server_account_id").map(text);
    let all = world.store.all("instances").iter();
    let mine = all.filter(|i| {
        (text(&i["user_id"]) == user || shared.contains(&text(&i["id"])))
            && i["status"] != "archived"
            && label.as_ref().is_none_or(|l| has_label(i, l))
            && account
                .as_ref()
                .is_none_or(|a| text(&i["hosting_account_id"]) == *a)
    });
    Ok(Answer::List(mine.cloned().collect()))
}

fn has_label(instance: &Value, title: &str) -> bool {
    let labels = instance["labels"].as_array().into_iter().flatten();
    labels.into_iter().any(|l| l == title)
}

/// A list's filters, from the body or the query string.
pub(super) fn json_params(req: &Req) -> Params {
    let mut given = crate::kit::body::json_object(&req.body).unwrap_or_default();
    for (k, v) in &req.query {
        given.insert(k.clone(), json!(v));
    }
    given
}

/// Installs WordPress on one of the acting user's services: `installing` until its task ends.
fn install(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let service = FIELDS.required_integer(&given, "service_id")?;
    let name = FIELDS.required_text(&given, "name")?;
    let user = acting(world, req);
    let service = world.store.get("services", &service.to_string()).cloned();
    let service = service.filter(|s| text(&s["user_id"]) == user && s["status"] == "active");
    let service = service.ok_or_else(|| field_fail("service_id", Problem::NotAllowed))?;
    let id = world.store.next_id("instances");
    let slug: String = name
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let domain = given
        .get("domain")
        .map_or_else(|| format!("{slug}{id}.example.net"), text);
    let mut instance = json!({"id": id, "name": name, "domain": domain, "user_id": service["user_id"],
        "service_id": service["id"], "hosting_account_id": service["hosting_account_id"],
        "plan_id": service["plan_id"], "server_id": 1, "labels": [],
        "created_at": stamp(SystemTime::now())});
    flows::start(world, "instance.install", &mut instance);
    world.store.insert("instances", instance.clone());
    Ok(Answer::Object(instance))
}

/// Installs (or imports) a failed instance again.
fn retry(world: &mut World, req: &Req, work: &'static str) -> Handled {
    let mut instance = reach(world, req, Change)?;
    if instance["status"] != "failed" {
        return Err(refused("Only a failed instance can be retried."));
    }
    if work == "instance.install" {
        instance["name"] = json!(FIELDS.required_text(&body(req)?, "name")?);
    }
    flows::start(world, work, &mut instance);
    store(world, &instance);
    Ok(Answer::Object(instance))
}

pub(super) fn store(world: &mut World, instance: &Value) {
    if let Some(stored) = world.store.get_mut("instances", &text(&instance["id"])) {
        *stored = instance.clone();
    }
}

/// Archives the instance, as the admin API's delete does.
fn delete(world: &mut World, req: &Req) -> Handled {
    let mut instance = reach(world, req, Own)?;
    instance["status"] = json!("archived");
    store(world, &instance);
    Ok(Answer::Deleted(Value::Null))
}

fn installation(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    let wp = wordpress(world, &instance);
    Ok(Answer::Object(
        json!({"version": wp["version"], "path": "/public_html",
        "php_version": "8.2", "db_name": format!("wp_{}", text(&instance["id"]))}),
    ))
}

fn website(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    let domain = text(&instance["domain"]);
    Ok(Answer::Object(
        json!({"domain": domain, "url": format!("https://{domain}"),
        "ssl": true, "disk_usage_mb": 182}),
    ))
}

fn logs(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    let at = instance["created_at"].clone();
    Ok(Answer::List(vec![
        json!({"id": 1, "message": "Instance created.", "created_at": at}),
    ]))
}

/// A sign-in link for one of the instance's WordPress users, valid five minutes.
fn sso_url(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, SignIn)?;
    let user = FIELDS.required_integer(&body(req)?, "user")?;
    let wp = wordpress(world, &instance);
    let users = wp["users"].as_array().cloned().unwrap_or_default();
    if !users.iter().any(|u| u["id"] == user) {
        return Err(field_fail("user", Problem::NotAllowed));
    }
    let domain = text(&instance["domain"]);
    Ok(sign_in(|token| {
        format!("https://{domain}/wp-login.php?sso={token}")
    }))
}

// ---------------------------------------------------------------------------------------------
// Labels

fn labels(world: &mut World, req: &Req) -> Handled {
    let user = acting(world, req);
    let all = world.store.all("labels").iter();
    let mine = all.filter(|l| text(&l["user_id"]) == user);
    Ok(Answer::List(mine.cloned().collect()))
}

/// The acting user's label of the body's `title`, and where it is.
fn my_label(world: &mut World, req: &Req) -> Result<(String, Option<usize>), Fail> {
    let title = FIELDS.required_text(&body(req)?, "title")?;
    if title.chars().count() > 255 {
        return Err(field_fail("title", Problem::TooLong(255)));
    }
    let user = acting(world, req);
    let labels = world.store.all("labels");
    let at = labels
        .iter()
        .position(|l| text(&l["user_id"]) == user && l["title"] == title);
    Ok((title, at))
}

fn create_label(world: &mut World, req: &Req) -> Handled {
    let (title, at) = my_label(world, req)?;
    let color = FIELDS.required_text(&body(req)?, "color")?;
    let hex = color.len() == 7 && color.starts_with('#');
    if !(hex && color[1..].chars().all(|c| c.is_ascii_hexdigit())) {
        return Err(field_fail("color", Problem::Invalid));
    }
    if at.is_some() {
        return Err(field_fail("title", Problem::Taken));
    }
    let id = world.store.next_id("labels");
    let label = json!({"id": id, "user_id": acting(world, req).parse::<u64>().ok(),
        "title": title, "color": color});
    world.store.insert("labels", label.clone());
    Ok(Answer::Object(label))
}

/// Deletes one of the acting user's labels, and takes it off their instances.
fn delete_label(world: &mut World, req: &Req) -> Handled {
    let (title, at) = my_label(world, req)?;
    let at = at.ok_or_else(|| field_fail("title", Problem::NotAllowed))?;
    let label = world.store.all_mut("labels").remove(at);
    for instance in world.store.all_mut("instances") {
        if instance["user_id"] == label["user_id"]
            && let Some(labels) = instance["labels"].as_array_mut()
        {
            labels.retain(|l| *l != title);
        }
    }
    Ok(Answer::Deleted(Value::Null))
}

/// Puts one of the acting user's labels on the instance, or takes it off.
fn label(world: &mut World, req: &Req, on: bool) -> Handled {
    let mut instance = reach(world, req, Change)?;
    let (title, at) = my_label(world, req)?;
    at.ok_or_else(|| field_fail("title", Problem::NotAllowed))?;
    let mut labels = instance["labels"].as_array().cloned().unwrap_or_default();
    labels.retain(|l| *l != title);
    if on {
        labels.push(json!(title));
    }
    instance["labels"] = json!(labels);
    store(world, &instance);
    Ok(Answer::Object(instance))
}

// ---------------------------------------------------------------------------------------------
// Reporting, staging, domains and sharing

const PERIODS: [&str; 3] = ["last-week", "last-month", "last-year"];
const REPORTS: [&str; 9] = [
    "visits-by-page",
    "visitors-by-country",
    "visitors-by-continent",
    "visitors-by-region",
    "visitors-by-referrer",
    "visitors-by-device",
    "visitors-by-device-brand",
    "visitors-by-device-os",
    "visitors-by-device-browser",
];

/// A report for a period (the last week where none is given); `kind` is fixed by the route, or the
/// path's `{type}` (visits by page where none is given).
fn report(world: &mut World, req: &Req, kind: &str) -> Handled {
    reach(world, req, See)?;
    let period = req.param("period").unwrap_or(PERIODS[0]);
    let kind = match kind {
        "" => req.param("type").unwrap_or(REPORTS[0]),
        fixed => fixed,
    };
    if !PERIODS.contains(&period)
        || !(REPORTS.contains(&kind) || kind == "bandwidth" || kind == "visitors")
    {
        return Err(not_found());
    }
    Ok(Answer::Object(
        json!({"type": kind, "period": period, "points": [
        {"label": "2026-01-05", "value": 120}, {"label": "2026-01-12", "value": 180}]}),
    ))
}

/// A staging copy of the instance (or another try at one not yet made): the copy is a new
/// instance, `installing` until the task ends.
fn staging(world: &mut World, req: &Req, retry: bool) -> Handled {
    let live = reach(world, req, Change)?;
    let given = body(req)?;
    FIELDS.required_text(&given, "protocol")?;
    let domain = FIELDS.required_text(&given, "domain")?;
    let mut copy = if retry {
        let id = req.param("stagingId").unwrap_or_default();
        let copy = world
            .store
            .get("instances", id)
            .filter(|c| c["staging_of"] == live["id"]);
        let copy = copy.cloned().ok_or_else(not_found)?;
        if copy["status"] == "active" {
            return Err(refused("The staging instance is already made."));
        }
        copy
    } else {
        let mut copy = live.clone();
        copy["id"] = json!(world.store.next_id("instances"));
        copy["staging_of"] = live["id"].clone();
        copy["name"] = json!(format!("{} (staging)", text(&live["name"])));
        copy
    };
    copy["domain"] = json!(domain);
    flows::start(world, "instance.install", &mut copy);
    match retry {
        true => store(world, &copy),
        false => world.store.insert("instances", copy.clone()),
    }
    Ok(Answer::Object(copy))
}

/// The staging copy of the path's instance, if it has one that did not fail.
fn staged(world: &World, live: &Value) -> Option<Value> {
    let all = world.store.all("instances").iter();
    let mut copies = all.filter(|c| c["staging_of"] == live["id"] && c["status"] != "failed");
    copies.next().cloned()
}

fn staging_changes(world: &mut World, req: &Req) -> Handled {
    let live = reach(world, req, See)?;
    let copy = staged(world, &live).ok_or_else(not_found)?;
    Ok(Answer::Object(
        json!({"staging_id": copy["id"], "files_changed": 3,
        "database_changed": true}),
    ))
}

/// Pushes the finished staging copy to the live instance: `updating` until the task ends.
fn push_to_live(world: &mut World, req: &Req) -> Handled {
    let live = reach(world, req, Change)?;
    if staged(world, &live).is_none() {
        return Err(refused("The instance has no staging instance to push."));
    }
    work(world, req, "staging.push")
}

fn domain_options(world: &mut World, req: &Req) -> Handled {
    reach(world, req, See)?;
    Ok(Answer::Object(
        json!({"custom_domain": true, "subdomain_domains": ["example.net"]}),
    ))
}

/// Moves the instance to a domain of its own or a subdomain of the panel's: `updating` until the
/// task ends.
fn change_domain(world: &mut World, req: &Req, sub: bool) -> Handled {
    let given = body(req)?;
    let domain = FIELDS.required_text(&given, "domain")?;
    let domain = match sub {
        true => {
            let name = FIELDS.required_text(&given, "subdomain")?;
            if domain != "example.net" {
                return Err(field_fail("domain", Problem::NotAllowed));
            }
            format!("{name}.{domain}")
        }
        false => domain,
    };
    let mut instance = reach(world, req, Own)?;
    instance["domain"] = json!(domain);
    store(world, &instance);
    work(world, req, "instance.change_domain")
}

/// The users the instance is shared with: `{id, email, role, status}`.
fn shared_with(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, Own)?;
    let all = world.store.all("shares").iter();
    let of = all
        .filter(|s| s["instance_id"] == instance["id"])
        .cloned()
        .collect::<Vec<_>>();
    Ok(Answer::List(
        of.iter().map(|s| grant_view(world, s)).collect(),
    ))
}

fn grant_view(world: &World, share: &Value) -> Value {
    let user = world.store.get("users", &text(&share["shared_with_id"]));
    let email = user.map_or_else(|| share["email"].clone(), |u| u["email"].clone());
    let status = if user.is_some() {
        "accepted"
    } else {
        "invited"
    };
    json!({"id": share["id"], "email": email, "role": share["role"], "status": status})
}

/// Shares the instance with each email's user (an invitation where none has that email) in a
/// role; sharing again changes the role.
fn share(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, Own)?;
    let given = body(req)?;
    let role = FIELDS.required_text(&given, "role")?;
    const SHARE_ROLES: [&str; 5] = [
        "view_only",
        "view_and_sso",
        "developer",
        "full_access",
        "custom",
    ];
    if !SHARE_ROLES.contains(&role.as_str()) {
        return Err(field_fail("role", Problem::NotAllowed));
    }
    let emails = given.get("emails").and_then(Value::as_array).cloned();
    let emails = emails.ok_or_else(|| field_fail("emails", Problem::Missing))?;
    let mut granted = Vec::new();
    for (at, email) in emails.iter().enumerate() {
        let email = FIELDS.as_email(email, &format!("emails.{at}"))?;
        let user = world
            .store
            .all("users")
            .iter()
            .find(|u| u["email"] == email);
        let user = user.map(|u| u["id"].clone()).unwrap_or(Value::Null);
        let all = world.store.all_mut("shares");
        let existing = all.iter_mut().find(|s| {
            s["instance_id"] == instance["id"]
                && (s["email"] == email || (!user.is_null() && s["shared_with_id"] == user))
        });
        let share = match existing {
            Some(share) => {
                share["role"] = json!(role);
                share.clone()
            }
            None => {
                let id = world.store.next_id("shares");
                let share = json!({"id": id, "user_id": instance["user_id"],
                    "shared_with_id": user, "instance_id": instance["id"], "role": role,
                    "email": email});
                world.store.insert("shares", share.clone());
                share
            }
        };
        granted.push(grant_view(world, &share));
    }
    Ok(Answer::List(granted))
}

/// The share of the instance held by `email`, if any.
fn share_of(world: &World, instance: &Value, email: &str) -> Option<String> {
    let user = world
        .store
        .all("users")
        .iter()
        .find(|u| u["email"] == email);
    let user = user.map(|u| u["id"].clone());
    let all = world.store.all("shares").iter();
    let mut of = all.filter(|s| s["instance_id"] == instance["id"]);
    let held = of
        .find(|s| s["email"] == email || user.as_ref().is_some_and(|u| s["shared_with_id"] == *u));
    held.map(|s| text(&s["id"]))
}

fn resend_invite(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, Own)?;
    let email = FIELDS.required_email(&body(req)?, "email")?;
    share_of(world, &instance, &email).ok_or_else(|| field_fail("email", Problem::NotAllowed))?;
    Ok(done("Invitation sent."))
}

/// Ends the access of each `users.*.email`.
fn unshare(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, Own)?;
    let given = body(req)?;
    let users = given.get("users").and_then(Value::as_array).cloned();
    let users = users.ok_or_else(|| field_fail("users", Problem::Missing))?;
    for (at, user) in users.iter().enumerate() {
        let field = format!("users.{at}.email");
        let email = user
            .get("email")
            .ok_or_else(|| field_fail(&field, Problem::Missing))?;
        let email = FIELDS.as_email(email, &field)?;
        let id = share_of(world, &instance, &email)
            .ok_or_else(|| field_fail(&field, Problem::NotAllowed))?;
        world.store.remove("shares", &id);
    }
    Ok(Answer::Deleted(Value::Null))
}
