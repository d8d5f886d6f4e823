//! PanelAlpha's route table, as rows of the resource engine: plans, admins, admin groups, user
//! services and the plain writes are the engine's own operations; lists, shows and deletes that see
//! one scope of a collection (active, archived, failed, running) share one handler given that scope
//! by their row, and the rest (tasks, sharing, SSO, the acting user) are small handlers. Every row
//! names what it does: no handler reads its path to find out.

use super::{
    flows,
    model::{
        FIELDS, NOTIFICATIONS, PERMISSIONS, Panel, TEMPLATES, World, field_fail, invalid, not_found,
    },
    model::{password, sign_in, stamp, text},
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
        (GET, "/api/admin/users", Custom(|w, r| scoped(w, r, USERS))),
        (POST, "/api/admin/users", Create("users")),
        (GET, "/api/admin/users/archived", Custom(|w, r| scoped(w, r, ARCHIVED_USERS))),
        (GET, "/api/admin/users/email", Custom(by_email)),
        (GET, "/api/admin/users/{id}/archived", Custom(|w, r| scoped(w, r, ARCHIVED_USERS))),
        (GET, "/api/admin/users/{id}", Custom(|w, r| scoped(w, r, USERS))),
        (GET, "/api/admin/users/{id}/last-activity", Custom(last_activity)),
        (PUT, "/api/admin/users/{id}/unarchive", Custom(|w, r| set_status(w, r, "users", "active"))),
        (PUT, "/api/admin/users/{id}", Update("users")),
        (DELETE, "/api/admin/users/{id}/delete", Custom(|w, r| scoped(w, r, ARCHIVED_USERS))),
        (DELETE, "/api/admin/users/{id}", Archive("users")),
        (POST, "/api/admin/users/{id}/sso-token", Custom(sso)),
        (POST, "/api/admin/users/{id}/login-as-user-sso-token", Custom(sso)),
        (GET, "/api/admin/users/{id}/sharing-with", Custom(sharing_with)),
        (GET, "/api/admin/users/{id}/sharing-with/{with}/shared-instances", Custom(shared_instances)),
        (GET, "/api/admin/users/{id}/all-instances", Custom(all_instances)),
        (GET, "/api/admin/users/{userId}/services", List("services")),
        (POST, "/api/admin/users/{userId}/services", Create("services")),
        (PUT, "/api/admin/users/{userId}/services/{id}/suspend", Custom(|w, r| set_status(w, r, "services", "suspended"))),
        (PUT, "/api/admin/users/{userId}/services/{id}/unsuspend", Custom(|w, r| set_status(w, r, "services", "active"))),
        (PUT, "/api/admin/users/{userId}/services/{id}/change-plan", Custom(|w, r| queue(w, r, CHANGE_PLAN))),
        (DELETE, "/api/admin/users/{userId}/services/{id}", Archive("services")),
        (GET, "/api/admin/admins", List("admins")),
        (POST, "/api/admin/admins", Create("admins")),
        (GET, "/api/admin/admins/{id}", Show("admins")),
        (PUT, "/api/admin/admins/{id}", Update("admins")),
        (DELETE, "/api/admin/admins/{id}", Delete("admins")),
        (PUT, "/api/admin/admins/{id}/status", Custom(admin_status)),
        (POST, "/api/admin/api-tokens/{id}", Custom(|w, r| api_token(w, r, true))),
        (DELETE, "/api/admin/api-tokens/{id}", Custom(|w, r| api_token(w, r, false))),
        (GET, "/api/admin/plans", List("plans")),
        (POST, "/api/admin/plans", Create("plans")),
        (GET, "/api/admin/plans/{id}", Show("plans")),
        (PUT, "/api/admin/plans/{id}", Update("plans")),
        (DELETE, "/api/admin/plans/{id}", Delete("plans")),
        (GET, "/api/admin/instances", Custom(|w, r| scoped(w, r, INSTANCES))),
        (GET, "/api/admin/instances/failed", Custom(|w, r| scoped(w, r, FAILED_INSTANCES))),
        (GET, "/api/admin/instances/failed/{id}", Custom(|w, r| scoped(w, r, FAILED_INSTANCES))),
        (DELETE, "/api/admin/instances/failed/{id}", Custom(|w, r| scoped(w, r, FAILED_INSTANCES))),
        (PUT, "/api/admin/instances/failed/{id}/retry", Custom(|w, r| queue(w, r, RETRY_INSTALL))),
        (GET, "/api/admin/instances/archived", Custom(|w, r| scoped(w, r, ARCHIVED_INSTANCES))),
        (GET, "/api/admin/instances/archived/{id}", Custom(|w, r| scoped(w, r, ARCHIVED_INSTANCES))),
        (DELETE, "/api/admin/instances/archived/{id}/delete", Custom(|w, r| scoped(w, r, ARCHIVED_INSTANCES))),
        (GET, "/api/admin/instances/{id}", Custom(|w, r| scoped(w, r, INSTANCES))),
        (DELETE, "/api/admin/instances/{id}", Archive("instances")),
        (GET, "/api/admin/instances/{id}/installed-ssl-cert", Custom(ssl_cert)),
        (GET, "/api/admin/instances/{id}/wordpress/users", Custom(wordpress_users)),
        (POST, "/api/admin/instances/{id}/wordpress/sso-url", Custom(wordpress_sso_url)),
        (GET, "/api/admin/services", Custom(|w, r| scoped(w, r, SERVICES))),
        (GET, "/api/admin/services/archived", Custom(|w, r| scoped(w, r, ARCHIVED_SERVICES))),
        (GET, "/api/admin/services/{id}", Custom(|w, r| scoped(w, r, SERVICES))),
        (GET, "/api/admin/services/{id}/archived", Custom(|w, r| scoped(w, r, ARCHIVED_SERVICES))),
        (POST, "/api/admin/service/{id}/package", Custom(package)),
        (DELETE, "/api/admin/service/{id}/package/{packageId}", Custom(package)),
        (DELETE, "/api/admin/services/{id}", Archive("services")),
        (DELETE, "/api/admin/services/{id}/delete", Custom(|w, r| scoped(w, r, ARCHIVED_SERVICES))),
        (GET, "/api/admin/hosting-accounts/{id}", Show("hosting_accounts")),
        (GET, "/api/admin/hosting-accounts/{id}/domains", Custom(account_domains)),
        (GET, "/api/admin/hosting-accounts/{id}/ssl-domains", Custom(ssl_domains)),
        (GET, "/api/admin/hosting-accounts/{id}/usage", Custom(usage)),
        (PUT, "/api/admin/hosting-accounts/{id}/reinstall", Custom(|w, r| queue(w, r, REINSTALL_ACCOUNT))),
        (GET, "/api/admin/admin-groups/types", Custom(admin_group_types)),
        (GET, "/api/admin/admin-groups", List("admin_groups")),
        (GET, "/api/admin/admin-groups/permissions", Custom(admin_group_permissions)),
        (GET, "/api/admin/admin-groups/{id}", Show("admin_groups")),
        (POST, "/api/admin/admin-group", Create("admin_groups")),
        (PUT, "/api/admin/admin-group/{id}", Update("admin_groups")),
        (DELETE, "/api/admin/admin-group/{id}", Delete("admin_groups")),
        (GET, "/api/admin/tasks", Custom(|w, r| scoped(w, r, TASKS))),
        (GET, "/api/admin/tasks/running", Custom(|w, r| scoped(w, r, RUNNING_TASKS))),
        (DELETE, "/api/admin/tasks/{id}/cancel", Custom(task_cancel)),
        (GET, "/api/admin/tasks/worker-status", Custom(worker_status)),
        (GET, "/api/admin/tasks/{id}/status", Custom(task_status)),
        (GET, "/api/admin/tasks/{id}/retry", Custom(task_retry)),
        (GET, "/api/admin/settings", Custom(|w, r| settings(w, r, "settings"))),
        (PUT, "/api/admin/settings", Custom(|w, r| update_settings(w, r, "settings"))),
        (GET, "/api/admin/notifications/settings", Custom(|w, r| settings(w, r, "email_settings"))),
        (PUT, "/api/admin/notifications/settings", Custom(|w, r| update_settings(w, r, "email_settings"))),
        (POST, "/api/admin/notifications/test-connection", Custom(test_mail_connection)),
        (GET, "/api/admin/notification-templates/{recipient}", Custom(templates_for)),
        (GET, "/api/admin/notification-template/{id}", Show("notification_templates")),
        (PUT, "/api/admin/notification-template/{id}/update", Update("notification_templates")),
        (POST, "/api/admin/notification-template/preview", Custom(preview)),
        (GET, "/api/admin/notification-template/{id}/test", Custom(test_email)),
        (PUT, "/api/admin/notification-template/{id}/status", Custom(template_status)),
        (POST, "/api/admin/notification-template/{id}/restore", Custom(restore_template)),
        (GET, "/api/admin/dns-zones", List("dns_zones")),
        (GET, "/api/admin/backup-logs", List("backup_logs")),
        (GET, "/api/admin/server-groups", List("server_groups")),
        (GET, "/api/admin/server-groups/{id}", Show("server_groups")),
        (POST, "/api/admin/server-groups", Create("server_groups")),
        (PUT, "/api/admin/server-groups/{id}", Update("server_groups")),
        (DELETE, "/api/admin/server-groups/{id}", Delete("server_groups")),
        (GET, "/api/admin/theme-categories", List("theme_categories")),
        (POST, "/api/admin/theme-category", Create("theme_categories")),
        (DELETE, "/api/admin/theme-category/{id}", Delete("theme_categories")),
        (GET, "/api/admin/theme-category/{id}/themes", List("themes")),
        (PUT, "/api/admin/theme-category/{id}/update", Update("theme_categories")),
        (DELETE, "/api/admin/theme-category/{id}/delete-theme/{theme_id}", Delete("themes")),
        (POST, "/api/admin/theme-category/{id}/add-theme", Create("themes")),
        (PUT, "/api/user/edit", Custom(edit)),
        (PUT, "/api/user/edit/email", Custom(edit_email)),
        (GET, "/api/user/devices", Custom(devices)),
        (POST, "/api/user/device/forget", Custom(forget_device)),
        (POST, "/api/user/device/logout", Custom(logout_device)),
    ]
}

type Handled = Result<Answer, Fail>;

pub(super) fn body(req: &Req) -> Result<Params, Fail> {
    json_object(&req.body).ok_or_else(|| field_fail("body", Problem::Invalid))
}

/// The object of `collection` with this id, if its status is one of `statuses` (empty: any).
pub(super) fn found(
    world: &World,
    collection: &str,
    id: &str,
    statuses: &[&str],
) -> Result<Value, Fail> {
    let object = world.store.get(collection, id);
    let object = object.filter(|o| within(o, statuses));
    object.cloned().ok_or_else(not_found)
}

fn within(object: &Value, statuses: &[&str]) -> bool {
    statuses.is_empty() || statuses.iter().any(|s| object["status"] == *s)
}

// ---------------------------------------------------------------------------------------------
// Scoped lists, shows and deletes

/// A collection as one scoped row sees it: the objects whose status is one of these (empty: all).
type Scope = (&'static str, &'static [&'static str]);

const USERS: Scope = ("users", &["active"]);
const ARCHIVED_USERS: Scope = ("users", &["archived"]);
const INSTANCES: Scope = (
    "instances",
    &["active", "installing", "importing", "updating"],
);
const FAILED_INSTANCES: Scope = ("instances", &["failed"]);
const ARCHIVED_INSTANCES: Scope = ("instances", &["archived"]);
const SERVICES: Scope = ("services", &["pending", "active", "suspended"]);
const ARCHIVED_SERVICES: Scope = ("services", &["archived"]);
const TASKS: Scope = ("tasks", &[]);
const RUNNING_TASKS: Scope = ("tasks", &["pending", "processing"]);

/// Lists a scope (filtered), or shows or deletes one object in it.
fn scoped(world: &mut World, req: &Req, (collection, statuses): Scope) -> Handled {
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
fn set_status(world: &mut World, req: &Req, collection: &'static str, status: &str) -> Handled {
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
    Ok(sign_in(|token| {
        format!("https://panel.example.com/sso/{token}")
    }))
}

/// The shares of instances a user's `{id}` has given (`mine`) and been given (`theirs`).
fn shares(world: &World, req: &Req) -> Result<(Vec<Value>, Vec<Value>), Fail> {
    let id = req.param("id").unwrap_or_default();
    found(world, "users", id, &[])?;
    let shares = world.store.all("shares").iter().cloned();
    Ok(shares.partition(|s| text(&s["user_id"]) == id))
}

/// The users a user shares instances with.
fn sharing_with(world: &mut World, req: &Req) -> Handled {
    let (mine, _) = shares(world, req)?;
    let users = mine.iter().map(|s| text(&s["shared_with_id"]));
    let users = users.filter_map(|u| world.store.get("users", &u).cloned());
    Ok(Answer::List(users.collect()))
}

/// The instances a user shares with one other user.
fn shared_instances(world: &mut World, req: &Req) -> Handled {
    let (mine, _) = shares(world, req)?;
    let with = req.param("with").unwrap_or_default();
    let shared = mine.iter().filter(|s| text(&s["shared_with_id"]) == with);
    live_instances(world, shared.map(|s| text(&s["instance_id"])))
}

/// Every instance a user can reach: their own and those shared with them.
fn all_instances(world: &mut World, req: &Req) -> Handled {
    let (_, theirs) = shares(world, req)?;
    let id = req.param("id").unwrap_or_default();
    let own = world.store.all("instances").iter();
    let own = own
        .filter(|i| text(&i["user_id"]) == id)
        .map(|i| text(&i["id"]));
    let shared = theirs.iter().filter(|s| text(&s["shared_with_id"]) == id);
    let ids: Vec<String> = own.chain(shared.map(|s| text(&s["instance_id"]))).collect();
    live_instances(world, ids.into_iter())
}

fn live_instances(world: &World, ids: impl Iterator<Item = String>) -> Handled {
    let instances = ids.filter_map(|i| world.store.get("instances", &i));
    let live = instances.filter(|i| i["status"] != "archived");
    Ok(Answer::List(live.cloned().collect()))
}

/// Work that runs as a task: the collection its object is in, the task's name, and the statuses
/// the object must have (empty: any).
type Work = (&'static str, &'static str, &'static [&'static str]);

const CHANGE_PLAN: Work = ("services", "service.change_plan", &[]);
const RETRY_INSTALL: Work = ("instances", "instance.install", &["failed"]);
const REINSTALL_ACCOUNT: Work = ("hosting_accounts", "hosting_account.reinstall", &[]);

/// Starts work on the object the path names: a service's plan change (with the body's plan), a
/// failed instance's reinstall, a hosting account's reinstall.
fn queue(world: &mut World, req: &Req, (collection, name, statuses): Work) -> Handled {
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

/// An admin's `disabled` flag, from the body.
fn admin_status(world: &mut World, req: &Req) -> Handled {
    let disabled = FIELDS.required_flag(&body(req)?, "disabled")?;
    set_admin(world, req, "disabled", disabled)
}

/// Whether an admin's API token is enabled.
fn api_token(world: &mut World, req: &Req, enabled: bool) -> Handled {
    set_admin(world, req, "api_token_enabled", enabled)
}

fn set_admin(world: &mut World, req: &Req, field: &str, value: bool) -> Handled {
    let admin = world.store.get_mut("admins", req.id());
    let admin = admin.ok_or_else(not_found)?;
    admin[field] = json!(value);
    Ok(Answer::Object(admin.clone()))
}

/// The domain of the instance or hosting account the path's `{id}` names.
fn domain_of(world: &World, collection: &str, req: &Req) -> Result<String, Fail> {
    Ok(text(&found(world, collection, req.id(), &[])?["domain"]))
}

fn in_sixty_days() -> String {
    stamp(SystemTime::now() + Duration::from_secs(60 * 86_400))
}

fn ssl_cert(world: &mut World, req: &Req) -> Handled {
    let domain = domain_of(world, "instances", req)?;
    Ok(Answer::Object(
        json!({"issuer": "Let's Encrypt", "expires_at": in_sixty_days(),
        "domains": [domain, format!("www.{domain}")]}),
    ))
}

fn wordpress_users(world: &mut World, req: &Req) -> Handled {
    let domain = domain_of(world, "instances", req)?;
    let wp_user = |id, role: &str| {
        let email = format!("{role}@{domain}");
        json!({"id": id, "username": role, "email": email, "roles": [role]})
    };
    Ok(Answer::List(vec![
        wp_user(1, "administrator"),
        wp_user(2, "editor"),
    ]))
}

fn wordpress_sso_url(world: &mut World, req: &Req) -> Handled {
    let domain = domain_of(world, "instances", req)?;
    let user = FIELDS.required_integer(&body(req)?, "user")?;
    let token = random_string(ALNUM, 32);
    let url = format!("https://{domain}/wp-login.php?user={user}&sso={token}");
    Ok(Answer::Object(json!({ "url": url })))
}

fn account_domains(world: &mut World, req: &Req) -> Handled {
    let domain = domain_of(world, "hosting_accounts", req)?;
    Ok(Answer::List(vec![
        json!({"domain": domain, "type": "main"}),
    ]))
}

fn ssl_domains(world: &mut World, req: &Req) -> Handled {
    let domain = domain_of(world, "hosting_accounts", req)?;
    Ok(Answer::List(vec![
        json!({"domain": domain, "expires_at": in_sixty_days()}),
    ]))
}

pub(super) fn usage(world: &mut World, req: &Req) -> Handled {
    domain_of(world, "hosting_accounts", req)?;
    Ok(Answer::Object(
        json!({"disk_used_mb": 812, "disk_limit_mb": 10_240,
        "bandwidth_used_mb": 2_365}),
    ))
}

/// What belongs to the panel rather than its data: admin group types and permissions, and the
/// task workers.
fn admin_group_types(_: &mut World, _: &Req) -> Handled {
    Ok(Answer::List(vec![
        json!({"type": "full_access", "name": "Full access"}),
        json!({"type": "custom", "name": "Custom permissions"}),
    ]))
}

fn admin_group_permissions(_: &mut World, _: &Req) -> Handled {
    Ok(Answer::Object(
        json!({"permissions": PERMISSIONS, "notifications": NOTIFICATIONS}),
    ))
}

fn worker_status(_: &mut World, _: &Req) -> Handled {
    Ok(Answer::Object(json!({"running": true, "workers": 2})))
}

/// A configuration of the panel's (the system's, or its email's): one object.
fn settings(world: &mut World, _: &Req, name: &'static str) -> Handled {
    found(world, name, "1", &[]).map(Answer::Object)
}

/// Merges the body's keys into a configuration.
fn update_settings(world: &mut World, req: &Req, name: &'static str) -> Handled {
    let given = body(req)?;
    let settings = world.store.get_mut(name, "1").ok_or_else(not_found)?;
    for (key, value) in given {
        if key != "id" {
            settings[key.as_str()] = value;
        }
    }
    Ok(Answer::Object(settings.clone()))
}

// ---------------------------------------------------------------------------------------------
// Notifications

/// The templates sent to one recipient, filtered by text.
fn templates_for(world: &mut World, req: &Req) -> Handled {
    let recipient = req.param("recipient").unwrap_or_default();
    let mut given = req.query.clone();
    let body = json_object(&req.body).unwrap_or_default();
    given.extend(body.iter().map(|(k, v)| (k.clone(), text(v))));
    let all = world.store.all("notification_templates").iter();
    let mine = all.filter(|t| t["recipient"] == recipient && matches(t, &given));
    Ok(Answer::List(mine.cloned().collect()))
}

fn preview(_: &mut World, req: &Req) -> Handled {
    let given = json_object(&req.body).unwrap_or_default();
    let subject = given
        .get("subject")
        .map_or("Welcome to Example Hosting".into(), text);
    let message = given
        .get("message")
        .map_or("Hello Ada, your account is ready.".into(), text);
    Ok(Answer::Object(
        json!({"subject": subject, "html": format!("<p>{message}</p>")}),
    ))
}

fn test_email(world: &mut World, req: &Req) -> Handled {
    found(world, "notification_templates", req.id(), &[])?;
    Ok(Answer::Object(
        json!({"sent": true, "to": "root@example.com"}),
    ))
}

fn template_status(world: &mut World, req: &Req) -> Handled {
    let enabled = FIELDS.required_flag(&body(req)?, "enabled")?;
    let template = world.store.get_mut("notification_templates", req.id());
    let template = template.ok_or_else(not_found)?;
    template["enabled"] = json!(enabled);
    Ok(Answer::Object(template.clone()))
}

/// Brings back a template's shipped subject and message.
fn restore_template(world: &mut World, req: &Req) -> Handled {
    let shipped = TEMPLATES.iter().find(|(id, ..)| *id == req.id());
    let (.., subject, message) = shipped.ok_or_else(not_found)?;
    let template = world.store.get_mut("notification_templates", req.id());
    let template = template.ok_or_else(not_found)?;
    template["subject"] = json!(subject);
    template["message"] = json!(message);
    Ok(Answer::Object(template.clone()))
}

fn test_mail_connection(_: &mut World, _: &Req) -> Handled {
    Ok(Answer::Object(json!({"connected": true})))
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// A task's status.
fn task_status(world: &mut World, req: &Req) -> Handled {
    let task = found(world, "tasks", req.id(), &[])?;
    let keep = ["id", "status", "progress", "message"];
    let keep = keep.map(|k| (k.into(), task[k].clone())).into_iter();
    Ok(Answer::Object(Value::Object(keep.collect())))
}

fn task_cancel(world: &mut World, req: &Req) -> Handled {
    flows::cancel(world, req.id()).map(|()| Answer::Deleted(Value::Null))
}

fn task_retry(world: &mut World, req: &Req) -> Handled {
    flows::retry(world, req.id()).map(Answer::Object)
}

// ---------------------------------------------------------------------------------------------
// The acting user

/// The user the request acts as (the credential check made sure it exists), now active.
pub(super) fn acting(world: &mut World, req: &Req) -> String {
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

/// Forgets one of the acting user's devices (`deviceId`).
fn forget_device(world: &mut World, req: &Req) -> Handled {
    let id = FIELDS.required_integer(&body(req)?, "deviceId")?;
    let at = my_device(world, req, "id", &id.to_string())?;
    world.store.all_mut("devices").remove(at);
    Ok(Answer::Deleted(Value::Null))
}

/// Ends the session (`session_id`) of one of the acting user's devices.
fn logout_device(world: &mut World, req: &Req) -> Handled {
    let session = FIELDS.required_text(&body(req)?, "session_id")?;
    let at = my_device(world, req, "session_id", &session)?;
    world.store.all_mut("devices")[at]["session_id"] = Value::Null;
    Ok(Answer::Deleted(Value::Null))
}

/// Where the acting user's device whose `key` is `wanted` is.
fn my_device(world: &mut World, req: &Req, key: &str, wanted: &str) -> Result<usize, Fail> {
    let id = acting(world, req);
    let devices = world.store.all("devices");
    let mine = |d: &Value| text(&d["user_id"]) == id && text(&d[key]) == wanted;
    devices.iter().position(mine).ok_or_else(not_found)
}
