//! PanelAlpha's route table, as rows of the resource engine: plans, admins, admin groups, user
//! services and the plain writes are the engine's own operations; lists, shows and deletes that see
//! one scope of a collection (active, archived, failed, running) share one handler keyed by the
//! path, and the rest (tasks, sharing, SSO, the acting user) are small handlers, also shared by the
//! rows that differ only in their last segment.

use super::{
    flows,
    model::{FIELDS, NOTIFICATIONS, PERMISSIONS, Panel, World, field_fail, invalid, not_found},
    model::{password, stamp, text},
};
use crate::{
    kit::{
        Fail, Problem,
        body::{Params, json_object},
        random::{ALNUM, random_string},
    },
    resource::{Answer, DELETE, GET, Op::*, POST, PUT, Req, Row},
};
use hostplane_adapters::panelalpha::client::USER_HEADER;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

#[rustfmt::skip]
pub(super) fn rows() -> Vec<Row<Panel>> {
    vec![
        (GET, "/api/admin/users", Custom(scoped)),
        (POST, "/api/admin/users", Create("users")),
        (GET, "/api/admin/users/archived", Custom(scoped)),
        (GET, "/api/admin/users/email", Custom(by_email)),
        (GET, "/api/admin/users/{id}/archived", Custom(scoped)),
        (GET, "/api/admin/users/{id}", Custom(scoped)),
        (GET, "/api/admin/users/{id}/last-activity", Custom(last_activity)),
        (PUT, "/api/admin/users/{id}/unarchive", Custom(set_status)),
        (PUT, "/api/admin/users/{id}", Update("users")),
        (DELETE, "/api/admin/users/{id}/delete", Custom(scoped)),
        (DELETE, "/api/admin/users/{id}", Archive("users")),
        (POST, "/api/admin/users/{id}/sso-token", Custom(sso)),
        (POST, "/api/admin/users/{id}/login-as-user-sso-token", Custom(sso)),
        (GET, "/api/admin/users/{id}/sharing-with", Custom(sharing)),
        (GET, "/api/admin/users/{id}/sharing-with/{with}/shared-instances", Custom(sharing)),
        (GET, "/api/admin/users/{id}/all-instances", Custom(sharing)),
        (GET, "/api/admin/users/{userId}/services", List("services")),
        (POST, "/api/admin/users/{userId}/services", Create("services")),
        (PUT, "/api/admin/users/{userId}/services/{id}/suspend", Custom(set_status)),
        (PUT, "/api/admin/users/{userId}/services/{id}/unsuspend", Custom(set_status)),
        (PUT, "/api/admin/users/{userId}/services/{id}/change-plan", Custom(queue)),
        (DELETE, "/api/admin/users/{userId}/services/{id}", Archive("services")),
        (GET, "/api/admin/admins", List("admins")),
        (POST, "/api/admin/admins", Create("admins")),
        (GET, "/api/admin/admins/{id}", Show("admins")),
        (PUT, "/api/admin/admins/{id}", Update("admins")),
        (DELETE, "/api/admin/admins/{id}", Delete("admins")),
        (PUT, "/api/admin/admins/{id}/status", Custom(admin_flag)),
        (POST, "/api/admin/api-tokens/{id}", Custom(admin_flag)),
        (DELETE, "/api/admin/api-tokens/{id}", Custom(admin_flag)),
        (GET, "/api/admin/plans", List("plans")),
        (POST, "/api/admin/plans", Create("plans")),
        (GET, "/api/admin/plans/{id}", Show("plans")),
        (PUT, "/api/admin/plans/{id}", Update("plans")),
        (DELETE, "/api/admin/plans/{id}", Delete("plans")),
        (GET, "/api/admin/instances", Custom(scoped)),
        (GET, "/api/admin/instances/failed", Custom(scoped)),
        (GET, "/api/admin/instances/failed/{id}", Custom(scoped)),
        (DELETE, "/api/admin/instances/failed/{id}", Custom(scoped)),
        (PUT, "/api/admin/instances/failed/{id}/retry", Custom(queue)),
        (GET, "/api/admin/instances/archived", Custom(scoped)),
        (GET, "/api/admin/instances/archived/{id}", Custom(scoped)),
        (DELETE, "/api/admin/instances/archived/{id}/delete", Custom(scoped)),
        (GET, "/api/admin/instances/{id}", Custom(scoped)),
        (DELETE, "/api/admin/instances/{id}", Archive("instances")),
        (GET, "/api/admin/instances/{id}/installed-ssl-cert", Custom(detail)),
        (GET, "/api/admin/instances/{id}/wordpress/users", Custom(detail)),
        (POST, "/api/admin/instances/{id}/wordpress/sso-url", Custom(detail)),
        (GET, "/api/admin/services", Custom(scoped)),
        (GET, "/api/admin/services/archived", Custom(scoped)),
        (GET, "/api/admin/services/{id}", Custom(scoped)),
        (GET, "/api/admin/services/{id}/archived", Custom(scoped)),
        (POST, "/api/admin/service/{id}/package", Custom(package)),
        (DELETE, "/api/admin/service/{id}/package/{packageId}", Custom(package)),
        (DELETE, "/api/admin/services/{id}", Archive("services")),
        (DELETE, "/api/admin/services/{id}/delete", Custom(scoped)),
        (GET, "/api/admin/servers", List("servers")),
        (GET, "/api/admin/servers/{id}", Show("servers")),
        (GET, "/api/admin/hosting-accounts/{id}", Show("hosting_accounts")),
        (GET, "/api/admin/hosting-accounts/{id}/domains", Custom(detail)),
        (GET, "/api/admin/hosting-accounts/{id}/ssl-domains", Custom(detail)),
        (GET, "/api/admin/hosting-accounts/{id}/usage", Custom(detail)),
        (PUT, "/api/admin/hosting-accounts/{id}/reinstall", Custom(queue)),
        (GET, "/api/admin/admin-groups/types", Custom(fixed)),
        (GET, "/api/admin/admin-groups", List("admin_groups")),
        (GET, "/api/admin/admin-groups/permissions", Custom(fixed)),
        (GET, "/api/admin/admin-groups/{id}", Show("admin_groups")),
        (POST, "/api/admin/admin-group", Create("admin_groups")),
        (PUT, "/api/admin/admin-group/{id}", Update("admin_groups")),
        (DELETE, "/api/admin/admin-group/{id}", Delete("admin_groups")),
        (GET, "/api/admin/tasks", Custom(scoped)),
        (GET, "/api/admin/tasks/running", Custom(scoped)),
        (DELETE, "/api/admin/tasks/{id}/cancel", Custom(task)),
        (GET, "/api/admin/tasks/worker-status", Custom(fixed)),
        (GET, "/api/admin/tasks/{id}/status", Custom(task)),
        (GET, "/api/admin/tasks/{id}/retry", Custom(task)),
        (PUT, "/api/user/edit", Custom(edit)),
        (PUT, "/api/user/edit/email", Custom(edit_email)),
        (GET, "/api/user/devices", Custom(devices)),
        (POST, "/api/user/device/forget", Custom(device)),
        (POST, "/api/user/device/logout", Custom(device)),
    ]
}

type Handled = Result<Answer, Fail>;

/// The last segment of the row's path, which tells the rows sharing a handler apart.
fn last(req: &Req) -> &str {
    req.template.rsplit('/').next().unwrap_or_default()
}

fn body(req: &Req) -> Result<Params, Fail> {
    json_object(&req.body).ok_or_else(|| field_fail("body", Problem::Invalid))
}

/// The object of `collection` with this id, if its status is one of `statuses` (empty: any).
fn found(world: &World, collection: &str, id: &str, statuses: &[&str]) -> Result<Value, Fail> {
    let object = world.store.get(collection, id);
    let object = object.filter(|o| within(o, statuses));
    object.cloned().ok_or_else(not_found)
}

fn within(object: &Value, statuses: &[&str]) -> bool {
    statuses.is_empty() || statuses.iter().any(|s| object["status"] == *s)
}

// ---------------------------------------------------------------------------------------------
// Scoped lists, shows and deletes

/// The collection a scoped path reaches and the statuses it sees (empty: all).
fn scope(template: &str) -> (&'static str, &'static [&'static str]) {
    let has = |segment| template.split('/').any(|s| s == segment);
    let collection = match template.split('/').nth(3) {
        Some("users") => "users",
        Some("instances") => "instances",
        Some("services") => "services",
        _ => "tasks",
    };
    let statuses: &[&str] = match collection {
        _ if has("archived") || has("delete") => &["archived"],
        _ if has("failed") => &["failed"],
        _ if has("running") => &["pending", "processing"],
        "users" => &["active"],
        "instances" => &["active", "installing"],
        "services" => &["pending", "active", "suspended"],
        _ => &[],
    };
    (collection, statuses)
}

/// Lists a scope (filtered), or shows or deletes one object in it.
fn scoped(world: &mut World, req: &Req) -> Handled {
    let (collection, statuses) = scope(req.template);
    if req.params.is_empty() {
        let mut given = req.query.clone();
        let body = json_object(&req.body).unwrap_or_default();
        given.extend(body.iter().map(|(k, v)| (k.clone(), text(v))));
        let all = world.store.all(collection).iter();
        let items = all.filter(|o| within(o, statuses) && matches(o, &given));
        return Ok(Answer::List(items.cloned().collect()));
    }
    let object = found(world, collection, req.id(), statuses)?;
    if req.method == DELETE {
        world.store.remove(collection, req.id());
    }
    Ok(Answer::Object(object))
}

/// Whether an object passes a list's filters.
fn matches(object: &Value, given: &[(String, String)]) -> bool {
    let field = |k: &str| text(&object[k]);
    let any_of = |list: &str, k| list.split(',').any(|v| v.trim() == field(k));
    let fields = object.as_object().into_iter().flatten();
    let strings = fields.filter_map(|(_, v)| v.as_str());
    let given = given.iter().filter(|(_, v)| !v.is_empty());
    given.into_iter().all(|(k, v)| match k.as_str() {
        "filter" | "search_term" => {
            let v = v.to_lowercase();
            strings.clone().any(|s| s.to_lowercase().contains(&v))
        }
        "filter_types" => any_of(v, "type"),
        "filter_statuses" => any_of(v, "status"),
        k if k.ends_with("_id") || k == "status" => field(k) == *v,
        _ => true,
    })
}

// ---------------------------------------------------------------------------------------------
// Users, services, admins

fn by_email(world: &mut World, req: &Req) -> Handled {
    let mut given = body(req)?;
    if let Some(email) = req.query("email") {
        given.insert("email".into(), json!(email));
    }
    let email = FIELDS.required_email(&given, "email")?;
    let users = world.store.all("users");
    let user = users.iter().find(|u| u["email"] == email);
    user.cloned().map(Answer::Object).ok_or_else(not_found)
}

fn last_activity(world: &mut World, req: &Req) -> Handled {
    found(world, "users", req.id(), &[])?;
    let at = world.ext.last_activity.get(req.id());
    Ok(Answer::Object(json!({ "last_activity_at": at })))
}

/// Unarchives a user, or suspends or unsuspends one of a user's services.
fn set_status(world: &mut World, req: &Req) -> Handled {
    let (collection, status) = match last(req) {
        "suspend" => ("services", "suspended"),
        "unsuspend" => ("services", "active"),
        _ => ("users", "active"),
    };
    let object = owned(world, collection, req)?;
    object["status"] = json!(status);
    Ok(Answer::Object(object.clone()))
}

/// The object the path's `{id}` names, which must be the path's `{userId}`'s when it names one.
fn owned<'a>(world: &'a mut World, name: &'static str, req: &Req) -> Result<&'a mut Value, Fail> {
    let id = req.param("id").unwrap_or_default();
    let object = world.store.get_mut(name, id);
    let user = req.param("userId");
    let mine = |o: &&mut Value| user.is_none_or(|u| text(&o["user_id"]) == u);
    object.filter(mine).ok_or_else(not_found)
}

fn sso(world: &mut World, req: &Req) -> Handled {
    found(world, "users", req.id(), &[])?;
    let token = random_string(ALNUM, 40);
    let expires = stamp(SystemTime::now() + Duration::from_secs(300));
    let url = format!("https://panel.example.com/sso/{token}");
    let sso = json!({"token": token, "url": url, "expires_at": expires});
    Ok(Answer::Object(sso))
}

/// The users a user shares instances with, the instances shared with one of them, or every
/// instance a user can reach: their own and those shared with them.
fn sharing(world: &mut World, req: &Req) -> Handled {
    let id = req.param("id").unwrap_or_default();
    found(world, "users", id, &[])?;
    let (store, with) = (&world.store, req.param("with"));
    let shares = store.all("shares").iter();
    let (mine, theirs): (Vec<&Value>, Vec<&Value>) =
        shares.partition(|s| text(&s["user_id"]) == id);
    let ids: Vec<String> = match last(req) {
        "sharing-with" => {
            let users = mine.iter().map(|s| text(&s["shared_with_id"]));
            let users = users.filter_map(|u| store.get("users", &u).cloned());
            return Ok(Answer::List(users.collect()));
        }
        "shared-instances" => {
            let with = with.unwrap_or_default();
            let shared = mine.iter().filter(|s| text(&s["shared_with_id"]) == with);
            shared.map(|s| text(&s["instance_id"])).collect()
        }
        _ => {
            let own = store.all("instances").iter();
            let own = own.filter(|i| text(&i["user_id"]) == id);
            let shared = theirs.iter().filter(|s| text(&s["shared_with_id"]) == id);
            let shared = shared.map(|s| text(&s["instance_id"]));
            own.map(|i| text(&i["id"])).chain(shared).collect()
        }
    };
    let instances = ids.iter().filter_map(|i| store.get("instances", i));
    let live = instances.filter(|i| i["status"] != "archived");
    Ok(Answer::List(live.cloned().collect()))
}

/// Work that runs as a task: a service's plan change, a failed instance's reinstall, a hosting
/// account's reinstall.
fn queue(world: &mut World, req: &Req) -> Handled {
    let (collection, name, statuses): (_, _, &[&str]) = match last(req) {
        "change-plan" => ("services", "service.change_plan", &[]),
        "retry" => ("instances", "instance.install", &["failed"]),
        _ => ("hosting_accounts", "hosting_account.reinstall", &[]),
    };
    let plan = match collection {
        "services" => Some(FIELDS.required_integer(&body(req)?, "plan_id")?),
        _ => None,
    };
    let unknown = plan.is_some_and(|p| world.store.get("plans", &p.to_string()).is_none());
    if unknown {
        return Err(field_fail("plan_id", Problem::NotAllowed));
    }
    let mut object = owned(world, collection, req)?.clone();
    if !within(&object, statuses) {
        return Err(not_found());
    }
    if let Some(plan) = plan {
        object["plan_id"] = json!(plan);
    }
    flows::start(world, name, &mut object);
    *owned(world, collection, req)? = object.clone();
    Ok(Answer::Object(object))
}

/// Adds a package to a service, or removes one.
fn package(world: &mut World, req: &Req) -> Handled {
    let adding = match req.method == POST {
        true => Some(FIELDS.required_integer(&body(req)?, "package_id")?),
        false => None,
    };
    let service = owned(world, "services", req)?;
    let packages = service["packages"].as_array_mut().ok_or_else(not_found)?;
    let named = req.param("packageId").unwrap_or_default();
    let at = packages.iter().position(|p| text(p) == named);
    match (adding, at) {
        (Some(id), _) if !packages.contains(&json!(id)) => packages.push(json!(id)),
        (Some(_), _) => {}
        (None, Some(at)) => drop(packages.remove(at)),
        (None, None) => return Err(not_found()),
    }
    Ok(Answer::Object(service.clone()))
}

/// An admin's `disabled` flag (from the body), or whether its API token is enabled (POST enables).
fn admin_flag(world: &mut World, req: &Req) -> Handled {
    let (field, value) = match last(req) {
        "status" => ("disabled", FIELDS.required_flag(&body(req)?, "disabled")?),
        _ => ("api_token_enabled", req.method == POST),
    };
    let admin = world.store.get_mut("admins", req.id());
    let admin = admin.ok_or_else(not_found)?;
    admin[field] = json!(value);
    Ok(Answer::Object(admin.clone()))
}

/// What an instance or hosting account shows beyond itself: its certificate, WordPress users and
/// logins, domains and usage.
fn detail(world: &mut World, req: &Req) -> Handled {
    // `instances` or `hosting_accounts`, as the path names them.
    let collection = req.template.split('/').nth(3).unwrap_or_default();
    let collection = collection.replace('-', "_");
    let domain = text(&found(world, &collection, req.id(), &[])?["domain"]);
    let expires = stamp(SystemTime::now() + Duration::from_secs(60 * 86_400));
    let wp_user = |id, role: &str| {
        let email = format!("{role}@{domain}");
        json!({"id": id, "username": role, "email": email, "roles": [role]})
    };
    Ok(match last(req) {
        "installed-ssl-cert" => Answer::Object(json!({"issuer": "Let's Encrypt",
            "expires_at": expires, "domains": [domain, format!("www.{domain}")]})),
        "users" => Answer::List(vec![wp_user(1, "administrator"), wp_user(2, "editor")]),
        "sso-url" => {
            let user = FIELDS.required_integer(&body(req)?, "user")?;
            let token = random_string(ALNUM, 32);
            let url = format!("https://{domain}/wp-login.php?user={user}&sso={token}");
            Answer::Object(json!({ "url": url }))
        }
        "domains" => Answer::List(vec![json!({"domain": domain, "type": "main"})]),
        "ssl-domains" => Answer::List(vec![json!({"domain": domain, "expires_at": expires})]),
        _ => Answer::Object(json!({"disk_used_mb": 812, "disk_limit_mb": 10_240,
            "bandwidth_used_mb": 2_365})),
    })
}

/// What belongs to the panel rather than its data.
fn fixed(_: &mut World, req: &Req) -> Handled {
    Ok(match last(req) {
        "types" => Answer::List(vec![
            json!({"type": "full_access", "name": "Full access"}),
            json!({"type": "custom", "name": "Custom permissions"}),
        ]),
        "permissions" => {
            Answer::Object(json!({"permissions": PERMISSIONS, "notifications": NOTIFICATIONS}))
        }
        _ => Answer::Object(json!({"running": true, "workers": 2})),
    })
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// A task's status, or canceling or retrying it.
fn task(world: &mut World, req: &Req) -> Handled {
    match last(req) {
        "cancel" => flows::cancel(world, req.id()).map(|()| Answer::Deleted(Value::Null)),
        "retry" => flows::retry(world, req.id()).map(Answer::Object),
        _ => {
            let task = found(world, "tasks", req.id(), &[])?;
            let keep = ["id", "status", "progress", "message"];
            let keep = keep.map(|k| (k.into(), task[k].clone())).into_iter();
            Ok(Answer::Object(Value::Object(keep.collect())))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The acting user

/// The user the request acts as (the credential check made sure it exists), now active.
fn acting(world: &mut World, req: &Req) -> String {
    let id = req.headers.get(USER_HEADER).and_then(|v| v.to_str().ok());
    let id = id.unwrap_or_default().trim().to_string();
    let now = stamp(SystemTime::now());
    world.ext.last_activity.insert(id.clone(), now);
    id
}

/// What a user may change of their own.
const PROFILE: &str = "first_name last_name company_name language new_device_detection";

fn edit(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let mut changes = Vec::new();
    for field in PROFILE.split(' ') {
        let Some(value) = FIELDS.text(&given, field)? else {
            continue;
        };
        if value.chars().count() > 255 {
            return Err(field_fail(field, Problem::TooLong(255)));
        }
        changes.push((field, value));
    }
    let id = acting(world, req);
    let user = world.store.get_mut("users", &id).ok_or_else(not_found)?;
    for (field, value) in changes {
        user[field] = json!(value);
    }
    Ok(Answer::Object(user.clone()))
}

fn edit_email(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let entered = password(FIELDS.required(&given, "password")?)?;
    let email = FIELDS.required_email(&given, "email")?;
    if email.chars().count() > 255 {
        return Err(field_fail("email", Problem::TooLong(255)));
    }
    let id = acting(world, req);
    if world.ext.passwords.get(&id).map(String::as_str) != entered.as_str() {
        return Err(invalid("password", "The password is incorrect.".into()));
    }
    let users = world.store.all("users").iter();
    let mut others = users.filter(|u| text(&u["id"]) != id);
    if others.any(|u| u["email"] == email) {
        return Err(field_fail("email", Problem::Taken));
    }
    let user = world.store.get_mut("users", &id).ok_or_else(not_found)?;
    user["email"] = json!(email);
    Ok(Answer::Object(user.clone()))
}

fn devices(world: &mut World, req: &Req) -> Handled {
    let id = acting(world, req);
    let all = world.store.all("devices").iter();
    let mine = all.filter(|d| text(&d["user_id"]) == id);
    Ok(Answer::List(mine.cloned().collect()))
}

/// Forgets one of the acting user's devices (`deviceId`), or ends its session (`session_id`).
fn device(world: &mut World, req: &Req) -> Handled {
    let given = body(req)?;
    let (key, wanted) = if last(req) == "forget" {
        let id = FIELDS.required_integer(&given, "deviceId")?;
        ("id", id.to_string())
    } else {
        ("session_id", FIELDS.required_text(&given, "session_id")?)
    };
    let id = acting(world, req);
    let devices = world.store.all_mut("devices");
    let mine = |d: &Value| text(&d["user_id"]) == id && text(&d[key]) == wanted;
    let at = devices.iter().position(mine).ok_or_else(not_found)?;
    match key {
        "id" => drop(devices.remove(at)),
        _ => devices[at]["session_id"] = Value::Null,
    }
    Ok(Answer::Deleted(Value::Null))
}
