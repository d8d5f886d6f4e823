//! Each user-API instance's WordPress (`/api/instances/{id}/wordpress/...`): its state, one object
//! of the `wordpress` collection made on first use, with the handlers of its settings, wp-config
//! entries, users, plugins and themes, and its backups and screenshots. What is assumed is in
//! `model`'s header.

use super::{
    customer::{Handled, Need, Need::*, VERSIONS, json_params, reach, store},
    flows,
    model::{FIELDS, World, field_fail, invalid, not_found, refused, stamp, text},
    routes::body,
};
use crate::{
    kit::{Fail, Problem, body::Params},
    resource::{Answer, PATCH, PUT, Req},
};
use serde_json::{Value, json};
use std::time::SystemTime;

/// The instance's WordPress, made as a fresh install has it on first use.
pub(super) fn wordpress<'a>(world: &'a mut World, instance: &Value) -> &'a mut Value {
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
pub(super) fn wp<'a>(world: &'a mut World, req: &Req, need: Need) -> Result<&'a mut Value, Fail> {
    let instance = reach(world, req, need)?;
    Ok(wordpress(world, &instance))
}

pub(super) fn updates(world: &mut World, req: &Req) -> Handled {
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
pub(super) fn work(world: &mut World, req: &Req, name: &'static str) -> Handled {
    let mut instance = reach(world, req, Change)?;
    flows::start(world, name, &mut instance);
    store(world, &instance);
    Ok(Answer::Object(instance))
}

pub(super) fn update_core(world: &mut World, req: &Req) -> Handled {
    let version = FIELDS.required_text(&body(req)?, "version")?;
    if !VERSIONS.contains(&version.as_str()) {
        return Err(field_fail("version", Problem::NotAllowed));
    }
    wp(world, req, Change)?["version"] = json!(version);
    work(world, req, "wordpress.update")
}

pub(super) const AUTO_UPDATE: [&str; 3] =
    ["auto_update", "auto_update_plugins", "auto_update_themes"];

pub(super) fn read(world: &mut World, req: &Req, keys: &[&str]) -> Handled {
    let wp = wp(world, req, See)?;
    let fields = keys.iter().map(|k| (k.to_string(), wp[*k].clone()));
    Ok(Answer::Object(Value::Object(fields.collect())))
}

/// The one object a read of one key answers.
pub(super) fn inner(answer: Answer) -> Answer {
    match answer {
        Answer::Object(Value::Object(mut map)) if map.len() == 1 => {
            Answer::Object(map.values_mut().next().map(Value::take).unwrap_or_default())
        }
        other => other,
    }
}

/// Sets the auto-update switches (each one of its documented integers).
pub(super) fn write(world: &mut World, req: &Req, keys: &[&str]) -> Handled {
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
pub(super) fn automatic_backup(world: &mut World, req: &Req) -> Handled {
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

pub(super) const CRON: [(&str, u64, u64); 4] = [
    ("cron_minute", 0, 59),
    ("cron_hour", 0, 23),
    ("cron_day_of_month", 1, 28),
    ("cron_day_of_week", 0, 6),
];

pub(super) fn site_name(world: &mut World, req: &Req) -> Handled {
    let name = FIELDS.required_text(&body(req)?, "name")?;
    wp(world, req, Change)?["site_name"] = json!(name);
    Ok(Answer::Object(json!({ "name": name })))
}

/// Reads a mode (`{status}`), or switches it with the body's `status`.
pub(super) fn mode(world: &mut World, req: &Req, key: &str) -> Handled {
    if req.method == PUT {
        let status = FIELDS.required_flag(&body(req)?, "status")?;
        wp(world, req, Change)?[key] = json!(status);
    }
    let wp = wp(world, req, See)?;
    Ok(Answer::Object(json!({"status": wp[key]})))
}

/// Reads a Cloudflare setting (`{value}`), or sets it with the body's `value`.
pub(super) fn cloudflare(world: &mut World, req: &Req, key: &str) -> Handled {
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

pub(super) fn listed(world: &mut World, req: &Req, key: &str) -> Handled {
    let wp = wp(world, req, See)?;
    Ok(Answer::List(
        wp[key].as_array().cloned().unwrap_or_default(),
    ))
}

/// Where in the WordPress list `key` the entry whose `field` is `value` is.
pub(super) fn find(wp: &Value, key: &str, field: &str, value: &str) -> Option<usize> {
    let all = wp[key].as_array()?;
    all.iter().position(|e| text(&e[field]) == value)
}

pub(super) fn config_type(given: &Params) -> Result<String, Fail> {
    let kind = FIELDS.required_text(given, "type")?;
    match kind.as_str() {
        "constant" | "variable" => Ok(kind),
        _ => Err(field_fail("type", Problem::NotAllowed)),
    }
}

pub(super) fn add_config(world: &mut World, req: &Req) -> Handled {
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

pub(super) fn update_config(world: &mut World, req: &Req) -> Handled {
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

pub(super) fn delete_config(world: &mut World, req: &Req) -> Handled {
    let kind = config_type(&body(req)?)?;
    let wp = wp(world, req, Change)?;
    let name = req.param("name").unwrap_or_default();
    let at = find(wp, "config", "name", name).filter(|at| wp["config"][*at]["type"] == kind);
    let at = at.ok_or_else(not_found)?;
    wp["config"].as_array_mut().expect("a list").remove(at);
    Ok(Answer::Deleted(Value::Null))
}

pub(super) const ROLES: [&str; 5] = [
    "administrator",
    "editor",
    "author",
    "contributor",
    "subscriber",
];

/// A WordPress user's email, display name and role, checked.
pub(super) fn user_fields(given: &Params) -> Result<(String, String, String), Fail> {
    let email = FIELDS.required_email(given, "email")?;
    let name = FIELDS.required_text(given, "display_name")?;
    let role = FIELDS.required_text(given, "role")?;
    if !ROLES.contains(&role.as_str()) {
        return Err(field_fail("role", Problem::NotAllowed));
    }
    Ok((email, name, role))
}

pub(super) fn wordpress_users(world: &mut World, req: &Req) -> Handled {
    let role = json_params(req).get("role").map(text);
    let wp = wp(world, req, See)?;
    let all = wp["users"].as_array().into_iter().flatten();
    let users = all.filter(|u| role.as_ref().is_none_or(|r| u["role"] == *r));
    Ok(Answer::List(users.cloned().collect()))
}

/// A new WordPress user; its password is WordPress's, never shown again.
pub(super) fn create_user(world: &mut World, req: &Req) -> Handled {
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
pub(super) fn update_user(world: &mut World, req: &Req) -> Handled {
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

pub(super) fn delete_user(world: &mut World, req: &Req) -> Handled {
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
pub(super) struct Directory {
    key: &'static str,
    param: &'static str,
    entries: [(&'static str, &'static str, &'static str); 4],
    install: &'static str,
    update: &'static str,
    noun: &'static str,
}

pub(super) const PLUGINS: Directory = Directory {
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

pub(super) const THEMES: Directory = Directory {
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
pub(super) fn directory(world: &mut World, req: &Req, dir: &Directory) -> Handled {
    reach(world, req, See)?;
    let term = req.param("term").unwrap_or_default().to_lowercase();
    let found = (0..dir.entries.len())
        .map(|at| dir.entry(at, "available", None))
        .filter(|e| {
            text(&e["name"]).contains(&term) || text(&e["title"]).to_lowercase().contains(&term)
        });
    Ok(Answer::List(found.collect()))
}

pub(super) fn installed(
    world: &mut World,
    req: &Req,
    dir: &Directory,
    need: Need,
) -> Result<usize, Fail> {
    let name = req.param(dir.param).unwrap_or_default().to_string();
    let wp = wp(world, req, need)?;
    find(wp, dir.key, "name", &name).ok_or_else(not_found)
}

pub(super) fn add_extension(world: &mut World, req: &Req, dir: &Directory) -> Handled {
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
pub(super) fn activate(world: &mut World, req: &Req, dir: &Directory, status: &str) -> Handled {
    let at = installed(world, req, dir, Change)?;
    let wp = wp(world, req, Change)?;
    let all = wp[dir.key].as_array_mut().expect("a list");
    if dir.key == "themes" {
        all.iter_mut().for_each(|t| t["status"] = json!("inactive"));
    }
    all[at]["status"] = json!(status);
    Ok(Answer::Object(all[at].clone()))
}

pub(super) fn update_extension(world: &mut World, req: &Req, dir: &Directory) -> Handled {
    let at = installed(world, req, dir, Change)?;
    let wp = wp(world, req, Change)?;
    let entry = &mut wp[dir.key][at];
    if entry["update"].is_null() {
        return Err(refused(&format!("The {} is up to date.", dir.noun)));
    }
    entry["version"] = entry["update"].take();
    work(world, req, dir.update)
}

pub(super) fn delete_extension(world: &mut World, req: &Req, dir: &Directory) -> Handled {
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
pub(super) fn png(name: &str) -> Answer {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(name.as_bytes());
    let headers = [(axum::http::header::CONTENT_TYPE, "image/png")];
    Answer::Raw(axum::response::IntoResponse::into_response((
        headers, bytes,
    )))
}

pub(super) fn screenshot(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    Ok(png(&text(&instance["domain"])))
}

pub(super) fn theme_screenshot(world: &mut World, req: &Req) -> Handled {
    installed(world, req, &THEMES, See)?;
    Ok(png(req.param("themeName").unwrap_or_default()))
}

pub(super) fn backups(world: &mut World, req: &Req) -> Handled {
    let instance = reach(world, req, See)?;
    let all = world.store.all("backups").iter();
    let of = all.filter(|b| b["instance_id"] == instance["id"]);
    Ok(Answer::List(of.cloned().collect()))
}

/// A backup of the instance, `creating` until its task ends.
pub(super) fn create_backup(world: &mut World, req: &Req) -> Handled {
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
pub(super) fn backup(world: &mut World, req: &Req, need: Need) -> Result<(Value, Value), Fail> {
    let instance = reach(world, req, need)?;
    let id = req.param("backupId").unwrap_or_default();
    let backup = world
        .store
        .get("backups", id)
        .filter(|b| b["instance_id"] == instance["id"]);
    Ok((instance, backup.cloned().ok_or_else(not_found)?))
}

/// Brings a completed backup back: the instance is `restoring` until the task ends.
pub(super) fn restore_backup(world: &mut World, req: &Req) -> Handled {
    let (mut instance, backup) = backup(world, req, Change)?;
    if backup["status"] != "completed" {
        return Err(refused("Only a completed backup can be restored."));
    }
    flows::start(world, "backup.restore", &mut instance);
    store(world, &instance);
    Ok(Answer::Object(instance))
}

pub(super) fn delete_backup(world: &mut World, req: &Req) -> Handled {
    let (_, backup) = backup(world, req, Change)?;
    world.store.remove("backups", &text(&backup["id"]));
    Ok(Answer::Deleted(Value::Null))
}

/// A completed backup's archive: its note and what it holds, as a zip.
pub(super) fn download_backup(world: &mut World, req: &Req) -> Handled {
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
