//! The user API's instances (`/api/instances`, `/api/labels`): what a panel user does with the
//! WordPress instances they own or that are shared with them, acting as the user the request names.
//! Route rows and handlers; each instance's WordPress (version, modes, settings, plugins, themes,
//! config, users) is one object of the `wordpress` collection, made on first use. What is assumed is
//! in `model`'s header.

use super::{
    flows,
    model::{FIELDS, Panel, World, field_fail, invalid, not_found, stamp, text},
    routes::{acting, body},
};
use crate::{
    kit::{
        Fail, Problem,
        body::Params,
        random::{ALNUM, random_string},
    },
    resource::{Answer, DELETE, GET, Op::*, PATCH, POST, PUT, Req, Row},
};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

type Handled = Result<Answer, Fail>;

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
const VERSIONS: [&str; 3] = ["6.6.1", "6.5.5", "6.4.5"];

/// What a call needs of an instance, least first: to see it, to sign in to it, to change it, or
/// to be its owner (deleting it).
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Need {
    See,
    SignIn,
    Change,
    Own,
}
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
fn reach(world: &mut World, req: &Req, need: Need) -> Result<Value, Fail> {
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

fn done(message: &str) -> Answer {
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
fn json_params(req: &Req) -> Params {
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

fn refused(message: &str) -> Fail {
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "message": message }),
    )
}

fn store(world: &mut World, instance: &Value) {
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
    let token = random_string(ALNUM, 40);
    let url = format!(
        "https://{}/wp-login.php?sso={token}",
        text(&instance["domain"])
    );
    let expires = stamp(SystemTime::now() + Duration::from_secs(300));
    Ok(Answer::Object(
        json!({"token": token, "url": url, "expires_at": expires}),
    ))
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
// WordPress

/// The instance's WordPress, made as a fresh install has it on first use.
fn wordpress<'a>(world: &'a mut World, instance: &Value) -> &'a mut Value {
    let id = text(&instance["id"]);
    if world.store.get("wordpress", &id).is_none() {
        let owner = world.store.get("users", &text(&instance["user_id"]));
        let email = owner.map_or(Value::Null, |u| u["email"].clone());
        world.store.insert("wordpress", json!({"id": instance["id"], "version": VERSIONS[1],
            "site_name": instance["name"], "auto_update": 1, "auto_update_plugins": 0,
            "auto_update_themes": 0, "maintenance_mode": false, "debug_mode": false,
            "automatic_backup": {"location": null, "frequency": "weekly",
                "cron_frequency": "0 0 * * 0", "cron_minute": "0", "cron_hour": "0",
                "cron_day_of_month": "*", "cron_day_of_week": "0", "rotation": null},
            "cloudflare": {"security": "medium", "browser_check": true,
                "development_mode": false},
            "plugins": [PLUGINS.entry(0, "active", Some("5.3.3")), PLUGINS.entry(1, "inactive", None)],
            "themes": [THEMES.entry(0, "active", None), THEMES.entry(1, "inactive", Some("1.4"))],
            "config": [{"name": "WP_DEBUG", "value": "false", "type": "constant"},
                {"name": "table_prefix", "value": "wp_", "type": "variable"}],
            "users": [{"id": 1, "username": "admin", "email": email, "display_name": "Admin",
                "role": "administrator"}]}));
    }
    world.store.get_mut("wordpress", &id).expect("made above")
}

/// The instance's WordPress, for `need`.
fn wp<'a>(world: &'a mut World, req: &Req, need: Need) -> Result<&'a mut Value, Fail> {
    let instance = reach(world, req, need)?;
    Ok(wordpress(world, &instance))
}

fn updates(world: &mut World, req: &Req) -> Handled {
    let wp = wp(world, req, See)?;
    let core: Vec<Value> = VERSIONS
        .iter()
        .take_while(|v| wp["version"] != **v)
        .map(|v| json!({"version": v}))
        .collect();
    let pending = |key: &str| -> Vec<Value> {
        let all = wp[key].as_array().into_iter().flatten();
        all.filter(|e| !e["update"].is_null()).cloned().collect()
    };
    Ok(Answer::Object(
        json!({"core": core, "plugins": pending("plugins"), "themes": pending("themes")}),
    ))
}

/// Starts WordPress work on the instance (`updating` until its task ends); the change itself is
/// made at once.
fn work(world: &mut World, req: &Req, name: &'static str) -> Handled {
    let mut instance = reach(world, req, Change)?;
    flows::start(world, name, &mut instance);
    store(world, &instance);
    Ok(Answer::Object(instance))
}

fn update_core(world: &mut World, req: &Req) -> Handled {
    let version = FIELDS.required_text(&body(req)?, "version")?;
    if !VERSIONS.contains(&version.as_str()) {
        return Err(field_fail("version", Problem::NotAllowed));
    }
    wp(world, req, Change)?["version"] = json!(version);
    work(world, req, "wordpress.update")
}

const AUTO_UPDATE: [&str; 3] = ["auto_update", "auto_update_plugins", "auto_update_themes"];

fn read(world: &mut World, req: &Req, keys: &[&str]) -> Handled {
    let wp = wp(world, req, See)?;
    let fields = keys.iter().map(|k| (k.to_string(), wp[*k].clone()));
    Ok(Answer::Object(Value::Object(fields.collect())))
}

/// The one object a read of one key answers.
fn inner(answer: Answer) -> Answer {
    match answer {
        Answer::Object(Value::Object(mut map)) if map.len() == 1 => {
            Answer::Object(map.values_mut().next().map(Value::take).unwrap_or_default())
        }
        other => other,
    }
}

/// Sets the auto-update switches (each one of its documented integers).
fn write(world: &mut World, req: &Req, keys: &[&str]) -> Handled {
    let given = body(req)?;
    let mut values = Vec::new();
    for key in keys {
        let value = FIELDS.required_integer(&given, key)?;
        let most = if *key == "auto_update" { 2 } else { 1 };
        if value > most {
            return Err(field_fail(key, Problem::NotAllowed));
        }
        values.push((key, value));
    }
    let wp = wp(world, req, Change)?;
    for (key, value) in values {
        wp[*key] = json!(value);
    }
    read(world, req, keys)
}

/// The automatic backup's schedule: a named frequency, or `custom` from the cron fields.
fn automatic_backup(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let frequency = FIELDS.required_text(&given, "frequency")?;
    let cron = match frequency.as_str() {
        "never" => None,
        "daily" => Some("0 0 * * *".to_string()),
        "weekly" => Some("0 0 * * 0".into()),
        "monthly" => Some("0 0 1 * *".into()),
        "custom" => {
            let mut parts = Vec::new();
            for (key, low, high) in CRON {
                let Some(value) = FIELDS.get(&given, key) else {
                    parts.push("*".to_string());
                    continue;
                };
                let number = FIELDS.as_integer(value, key)?;
                if number < low || number > high {
                    let name = key.replace('_', " ");
                    let message = format!("The {name} field must be between {low} and {high}.");
                    return Err(invalid(key, message));
                }
                parts.push(number.to_string());
            }
            Some(format!(
                "{} {} {} * {}",
                parts[0], parts[1], parts[2], parts[3]
            ))
        }
        _ => return Err(field_fail("frequency", Problem::NotAllowed)),
    };
    let wp = wp(world, req, Change)?;
    let schedule = &mut wp["automatic_backup"];
    schedule["frequency"] = json!(frequency);
    schedule["cron_frequency"] = json!(cron);
    for (at, (key, ..)) in CRON.iter().enumerate() {
        let part = cron
            .as_ref()
            .and_then(|c| c.split(' ').nth([0, 1, 2, 4][at]));
        schedule[*key] = json!(part);
    }
    Ok(Answer::Object(schedule.clone()))
}

const CRON: [(&str, u64, u64); 4] = [
    ("cron_minute", 0, 59),
    ("cron_hour", 0, 23),
    ("cron_day_of_month", 1, 28),
    ("cron_day_of_week", 0, 6),
];

fn site_name(world: &mut World, req: &Req) -> Handled {
    let name = FIELDS.required_text(&body(req)?, "name")?;
    wp(world, req, Change)?["site_name"] = json!(name);
    Ok(Answer::Object(json!({ "name": name })))
}

/// Reads a mode (`{status}`), or switches it with the body's `status`.
fn mode(world: &mut World, req: &Req, key: &str) -> Handled {
    if req.method == PUT {
        let status = FIELDS.required_flag(&body(req)?, "status")?;
        wp(world, req, Change)?[key] = json!(status);
    }
    let wp = wp(world, req, See)?;
    Ok(Answer::Object(json!({"status": wp[key]})))
}

/// Reads a Cloudflare setting (`{value}`), or sets it with the body's `value`.
fn cloudflare(world: &mut World, req: &Req, key: &str) -> Handled {
    if req.method == PATCH {
        let given = body(req)?;
        let value = match key {
            "security" => json!(FIELDS.required_text(&given, "value")?),
            _ => json!(FIELDS.required_flag(&given, "value")?),
        };
        const LEVELS: [&str; 6] = [
            "off",
            "essentially_off",
            "low",
            "medium",
            "high",
            "under_attack",
        ];
        if key == "security" && !LEVELS.iter().any(|l| value == *l) {
            return Err(field_fail("value", Problem::NotAllowed));
        }
        wp(world, req, Change)?["cloudflare"][key] = value;
    }
    let wp = wp(world, req, See)?;
    Ok(Answer::Object(json!({"value": wp["cloudflare"][key]})))
}

fn listed(world: &mut World, req: &Req, key: &str) -> Handled {
    let wp = wp(world, req, See)?;
    Ok(Answer::List(
        wp[key].as_array().cloned().unwrap_or_default(),
    ))
}

/// Where in the WordPress list `key` the entry whose `field` is `value` is.
fn find(wp: &Value, key: &str, field: &str, value: &str) -> Option<usize> {
    let all = wp[key].as_array()?;
    all.iter().position(|e| text(&e[field]) == value)
}

fn config_type(given: &Params) -> Result<String, Fail> {
    let kind = FIELDS.required_text(given, "type")?;
    match kind.as_str() {
        "constant" | "variable" => Ok(kind),
        _ => Err(field_fail("type", Problem::NotAllowed)),
    }
}

fn add_config(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let name = FIELDS.required_text(&given, "name")?;
    let value = FIELDS.required_text(&given, "value")?;
    let kind = config_type(&given)?;
    let wp = wp(world, req, Change)?;
    if find(wp, "config", "name", &name).is_some() {
        return Err(field_fail("name", Problem::Taken));
    }
    let entry = json!({"name": name, "value": value, "type": kind});
    wp["config"]
        .as_array_mut()
        .expect("a list")
        .push(entry.clone());
    Ok(Answer::Object(entry))
}

fn update_config(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let value = FIELDS.required_text(&given, "value")?;
    let kind = config_type(&given)?;
    let wp = wp(world, req, Change)?;
    let name = req.param("name").unwrap_or_default();
    let at = find(wp, "config", "name", name).ok_or_else(not_found)?;
    let entry = &mut wp["config"][at];
    entry["value"] = json!(value);
    entry["type"] = json!(kind);
    Ok(Answer::Object(entry.clone()))
}

fn delete_config(world: &mut World, req: &Req) -> Handled {
    let kind = config_type(&body(req)?)?;
    let wp = wp(world, req, Change)?;
    let name = req.param("name").unwrap_or_default();
    let at = find(wp, "config", "name", name).filter(|at| wp["config"][*at]["type"] == kind);
    let at = at.ok_or_else(not_found)?;
    wp["config"].as_array_mut().expect("a list").remove(at);
    Ok(Answer::Deleted(Value::Null))
}

const ROLES: [&str; 5] = [
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
];

/// A WordPress user's email, display name and role, checked.
fn user_fields(given: &Params) -> Result<(String, String, String), Fail> {
    let email = FIELDS.required_email(given, "email")?;
    let name = FIELDS.required_text(given, "display_name")?;
    let role = FIELDS.required_text(given, "role")?;
    if !ROLES.contains(&role.as_str()) {
        return Err(field_fail("role", Problem::NotAllowed));
    }
    Ok((email, name, role))
}

fn wordpress_users(world: &mut World, req: &Req) -> Handled {
    let role = json_params(req).get("role").map(text);
    let wp = wp(world, req, See)?;
    let all = wp["users"].as_array().into_iter().flatten();
    let users = all.filter(|u| role.as_ref().is_none_or(|r| u["role"] == *r));
    Ok(Answer::List(users.cloned().collect()))
}

/// A new WordPress user; its password is WordPress's, never shown again.
fn create_user(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let username = FIELDS.required_text(&given, "username")?;
    let (email, name, role) = user_fields(&given)?;
    FIELDS.required_text(&given, "password")?;
    let wp = wp(world, req, Change)?;
    if find(wp, "users", "username", &username).is_some() {
        return Err(field_fail("username", Problem::Taken));
    }
    let users = wp["users"].as_array_mut().expect("a list");
    let id = users
        .iter()
        .filter_map(|u| u["id"].as_u64())
        .max()
        .unwrap_or(0)
        + 1;
    let user = json!({"id": id, "username": username, "email": email, "display_name": name,
        "role": role});
    users.push(user.clone());
    Ok(Answer::Object(user))
}

/// Changes a WordPress user (a password reset sends the same fields and mails the user).
fn update_user(world: &mut World, req: &Req) -> Handled {
    let (email, name, role) = user_fields(&body(req)?)?;
    let wp = wp(world, req, Change)?;
    let id = req.param("userId").unwrap_or_default();
    let at = find(wp, "users", "id", id).ok_or_else(not_found)?;
    let user = &mut wp["users"][at];
    user["email"] = json!(email);
    user["display_name"] = json!(name);
    user["role"] = json!(role);
    Ok(Answer::Object(user.clone()))
}

fn delete_user(world: &mut World, req: &Req) -> Handled {
    let wp = wp(world, req, Change)?;
    let id = req.param("userId").unwrap_or_default();
    let at = find(wp, "users", "id", id).ok_or_else(not_found)?;
    wp["users"].as_array_mut().expect("a list").remove(at);
    Ok(Answer::Deleted(Value::Null))
}

// ---------------------------------------------------------------------------------------------
// Plugins and themes

/// The WordPress directory of plugins or themes: the list's key, the path's parameter, the
/// entries (`name`, title, version), the work an install or update is, and what is refused.
struct Directory {
    key: &'static str,
    param: &'static str,
    entries: [(&'static str, &'static str, &'static str); 4],
    install: &'static str,
    update: &'static str,
    noun: &'static str,
}

const PLUGINS: Directory = Directory {
    key: "plugins",
    param: "pluginName",
    entries: [
        ("akismet", "Akismet Anti-spam", "5.3"),
        ("hello-dolly", "Hello Dolly", "1.7.2"),
        ("wordfence", "Wordfence Security", "7.11.7"),
        ("woocommerce", "WooCommerce", "9.1.2"),
    ],
    install: "plugin.install",
    update: "plugin.update",
    noun: "plugin",
};

const THEMES: Directory = Directory {
    key: "themes",
    param: "themeName",
    entries: [
        ("twentytwentyfour", "Twenty Twenty-Four", "1.2"),
        ("twentytwentythree", "Twenty Twenty-Three", "1.3"),
        ("astra", "Astra", "4.7.3"),
        ("kadence", "Kadence", "1.2.7"),
    ],
    install: "theme.install",
    update: "theme.update",
    noun: "theme",
};

impl Directory {
    fn entry(&self, at: usize, status: &str, update: Option<&str>) -> Value {
        let (name, title, version) = self.entries[at];
        json!({"name": name, "title": title, "version": version, "status": status,
            "update": update})
    }
}

/// The directory's entries matching the path's `term` (all, for the featured list).
fn directory(world: &mut World, req: &Req, dir: &Directory) -> Handled {
    reach(world, req, See)?;
    let term = req.param("term").unwrap_or_default().to_lowercase();
    let found = (0..dir.entries.len())
        .map(|at| dir.entry(at, "available", None))
        .filter(|e| {
            text(&e["name"]).contains(&term) || text(&e["title"]).to_lowercase().contains(&term)
        });
    Ok(Answer::List(found.collect()))
}

fn installed(world: &mut World, req: &Req, dir: &Directory, need: Need) -> Result<usize, Fail> {
    let name = req.param(dir.param).unwrap_or_default().to_string();
    let wp = wp(world, req, need)?;
    find(wp, dir.key, "name", &name).ok_or_else(not_found)
}

fn add_extension(world: &mut World, req: &Req, dir: &Directory) -> Handled {
    let name = req.param(dir.param).unwrap_or_default();
    let at = dir.entries.iter().position(|e| e.0 == name);
    let at = at.ok_or_else(|| refused(&format!("The {} {name} does not exist.", dir.noun)))?;
    let wp = wp(world, req, Change)?;
    if find(wp, dir.key, "name", name).is_some() {
        return Err(refused(&format!(
            "The {} {name} is already installed.",
            dir.noun
        )));
    }
    let entry = dir.entry(at, "inactive", None);
    wp[dir.key].as_array_mut().expect("a list").push(entry);
    work(world, req, dir.install)
}

/// Activates or deactivates an installed one; activating a theme deactivates the others.
fn activate(world: &mut World, req: &Req, dir: &Directory, status: &str) -> Handled {
    let at = installed(world, req, dir, Change)?;
    let wp = wp(world, req, Change)?;
    let all = wp[dir.key].as_array_mut().expect("a list");
    if dir.key == "themes" {
        all.iter_mut().for_each(|t| t["status"] = json!("inactive"));
    }
    all[at]["status"] = json!(status);
    Ok(Answer::Object(all[at].clone()))
}

fn update_extension(world: &mut World, req: &Req, dir: &Directory) -> Handled {
    let at = installed(world, req, dir, Change)?;
    let wp = wp(world, req, Change)?;
    let entry = &mut wp[dir.key][at];
    if entry["update"].is_null() {
        return Err(refused(&format!("The {} is up to date.", dir.noun)));
    }
    entry["version"] = entry["update"].take();
    work(world, req, dir.update)
}

fn delete_extension(world: &mut World, req: &Req, dir: &Directory) -> Handled {
    let at = installed(world, req, dir, Change)?;
    let wp = wp(world, req, Change)?;
    if wp[dir.key][at]["status"] == "active" {
        return Err(refused(&format!(
            "An active {} cannot be deleted.",
            dir.noun
        )));
    }
    wp[dir.key].as_array_mut().expect("a list").remove(at);
    Ok(Answer::Deleted(Value::Null))
}

// ---------------------------------------------------------------------------------------------
// Screenshots and backups

/// A PNG the simulator stands in with: the signature and a name, enough to tell files apart.
fn png(name: &str) -> Answer {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(name.as_bytes());
    let headers = [(axum::http::header::CONTENT_TYPE, "image/png")];
    Answer::Raw(axum::response::IntoResponse::into_response((
        headers, bytes,
    )))
}

fn screenshot(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    Ok(png(&text(&instance["domain"])))
}

fn theme_screenshot(world: &mut World, req: &Req) -> Handled {
    installed(world, req, &THEMES, See)?;
    Ok(png(req.param("themeName").unwrap_or_default()))
}

fn backups(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    let all = world.store.all("backups").iter();
    let of = all.filter(|b| b["instance_id"] == instance["id"]);
    Ok(Answer::List(of.cloned().collect()))
}

/// A backup of the instance, `creating` until its task ends.
fn create_backup(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, Change)?;
    let given = crate::kit::body::json_object(&req.body).unwrap_or_default();
    let flag = |key: &str| FIELDS.flag(&given, key).map(|f| f.unwrap_or(true));
    let (directory, database) = (flag("backupDirectory")?, flag("backupDatabase")?);
    let id = world.store.next_id("backups");
    let mut backup = json!({"id": id, "instance_id": instance["id"],
        "note": given.get("backupNote").map(text), "directory": directory,
        "database": database, "created_at": stamp(SystemTime::now())});
    flows::start(world, "backup.create", &mut backup);
    world.store.insert("backups", backup.clone());
    Ok(Answer::Object(backup))
}

/// The instance's completed backup the path names.
fn backup(world: &mut World, req: &Req, need: Need) -> Result<(Value, Value), Fail> {
    let instance = reach(world, req, need)?;
    let id = req.param("backupId").unwrap_or_default();
    let backup = world
        .store
        .get("backups", id)
        .filter(|b| b["instance_id"] == instance["id"]);
    Ok((instance, backup.cloned().ok_or_else(not_found)?))
}

/// Brings a completed backup back: the instance is `restoring` until the task ends.
fn restore_backup(world: &mut World, req: &Req) -> Handled {
    let (mut instance, backup) = backup(world, req, Change)?;
    if backup["status"] != "completed" {
        return Err(refused("Only a completed backup can be restored."));
    }
    flows::start(world, "backup.restore", &mut instance);
    store(world, &instance);
    Ok(Answer::Object(instance))
}

fn delete_backup(world: &mut World, req: &Req) -> Handled {
    let (_, backup) = backup(world, req, Change)?;
    world.store.remove("backups", &text(&backup["id"]));
    Ok(Answer::Deleted(Value::Null))
}

/// A completed backup's archive: its note and what it holds, as a zip.
fn download_backup(world: &mut World, req: &Req) -> Handled {
    let (instance, backup) = backup(world, req, Change)?;
    if backup["status"] != "completed" {
        return Err(not_found());
    }
    let manifest = format!(
        "instance {}\nbackup {}\nnote {}\n",
        text(&instance["domain"]),
        text(&backup["id"]),
        text(&backup["note"])
    );
    const DOS_DATE: u16 = ((2026 - 1980) << 9) | (1 << 5) | 12;
    let zip = crate::kit::archive::stored_zip("backup/manifest.txt", manifest.as_bytes(), DOS_DATE);
    let name = format!(
        "attachment; filename=\"backup-{}.zip\"",
        text(&backup["id"])
    );
    let headers = [
        (
            axum::http::header::CONTENT_TYPE,
            "application/zip".to_string(),
        ),
        (axum::http::header::CONTENT_DISPOSITION, name),
    ];
    Ok(Answer::Raw(axum::response::IntoResponse::into_response((
        headers, zip,
    ))))
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
