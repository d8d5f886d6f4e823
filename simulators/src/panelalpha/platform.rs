//! The panel's platform beyond its settings: hosting, DNS and email servers and remote backup
//! stores (server-like records sharing `name`, `type` and `connection_config`), what those servers
//! already hold and its import, backup containers, packages and SSL orders: their collections and
//! route rows, and the handlers the resource engine's operations do not cover. What is assumed is
//! in `model`'s header.

use super::{
    flows,
    model::{
        FIELDS, Panel, World, field_fail, invalid, not_found, offered_php_versions, refused, stamp,
        text,
    },
    routes::{body, found},
};
use crate::{
    kit::{Fail, Problem},
    resource::{Answer, Collection, DELETE, GET, Op::*, POST, PUT, Req, Row, Rule::*},
};
use serde_json::{Value, json};
use std::time::SystemTime;

type Handled = Result<Answer, Fail>;

#[rustfmt::skip]
pub(super) fn rows() -> Vec<Row<Panel>> {
    vec![
        (POST, "/api/admin/servers/test-connection", Custom(test_connection)),
        (POST, "/api/admin/servers/test-wp-cli", Custom(test_wp_cli)),
        (GET, "/api/admin/servers/types", Custom(|_, _| types(SERVER_TYPES))),
        (GET, "/api/admin/servers/types/{type}", Custom(server_type)),
        (GET, "/api/admin/servers/logs", List("server_logs")),
        (GET, "/api/admin/servers", List("servers")),
        (GET, "/api/admin/servers/{id}", Show("servers")),
        (GET, "/api/admin/servers/{id}/config", Custom(server_config)),
        (POST, "/api/admin/servers", Create("servers")),
        (PUT, "/api/admin/servers/{id}", Update("servers")),
        (DELETE, "/api/admin/servers/{id}", Delete("servers")),
        (GET, "/api/admin/servers/{id}/php/versions", Custom(php_versions)),
        (GET, "/api/admin/servers/{id}/sync/accounts", Custom(|w, r| remote(w, r, "servers", "remote_accounts"))),
        (POST, "/api/admin/servers/{id}/sync/import-service", Custom(import_service)),
        (GET, "/api/admin/servers/{id}/sync/find-applications", Custom(|w, r| remote(w, r, "servers", "applications"))),
        (POST, "/api/admin/servers/{id}/sync/import-instance", Custom(import_instance)),
        (POST, "/api/admin/dns-servers/test-connection", Custom(test_connection)),
        (GET, "/api/admin/dns-servers/types", Custom(|_, _| types(DNS_TYPES))),
        (GET, "/api/admin/dns-servers", List("dns_servers")),
        (GET, "/api/admin/dns-servers/{id}", Show("dns_servers")),
        (POST, "/api/admin/dns-servers", Create("dns_servers")),
        (PUT, "/api/admin/dns-servers/{id}", Update("dns_servers")),
        (DELETE, "/api/admin/dns-servers/{id}", Delete("dns_servers")),
        (GET, "/api/admin/dns-servers/{id}/sync/zones", Custom(|w, r| remote(w, r, "dns_servers", "remote_zones"))),
        (POST, "/api/admin/dns-servers/{id}/sync/import-zone", Custom(|w, r| import(w, r, ZONES))),
        (GET, "/api/admin/dns-zone-templates", List("dns_zone_templates")),
        (POST, "/api/admin/dns-zone-template", Create("dns_zone_templates")),
        (PUT, "/api/admin/dns-zone-template/{id}", Update("dns_zone_templates")),
        (DELETE, "/api/admin/dns-zone-template/{id}", Delete("dns_zone_templates")),
        (POST, "/api/admin/email-servers/test-connection", Custom(test_connection)),
        (GET, "/api/admin/email-servers/types", Custom(|_, _| types(EMAIL_TYPES))),
        (GET, "/api/admin/email-servers", List("email_servers")),
        (GET, "/api/admin/email-servers/{id}", Show("email_servers")),
        (POST, "/api/admin/email-servers", Create("email_servers")),
        (PUT, "/api/admin/email-servers/{id}", Update("email_servers")),
        (DELETE, "/api/admin/email-servers/{id}", Delete("email_servers")),
        (GET, "/api/admin/email-servers/{id}/sync/domains", Custom(|w, r| remote(w, r, "email_servers", "remote_domains"))),
        (POST, "/api/admin/email-servers/{id}/sync/import-domain", Custom(|w, r| import(w, r, DOMAINS))),
        (GET, "/api/admin/remote-backups/types", Custom(|_, _| types(BACKUP_TYPES))),
        (POST, "/api/admin/remote-backups/test-connection", Custom(test_connection)),
        (GET, "/api/admin/remote-backups", List("remote_backups")),
        (POST, "/api/admin/remote-backups", Create("remote_backups")),
        (PUT, "/api/admin/remote-backups/{id}", Update("remote_backups")),
        (DELETE, "/api/admin/remote-backups/{id}", Delete("remote_backups")),
        (GET, "/api/admin/backup-containers", List("backup_containers")),
        (POST, "/api/admin/backup-containers", Create("backup_containers")),
        (PUT, "/api/admin/backup-containers/{id}", Update("backup_containers")),
        (DELETE, "/api/admin/backup-containers/{id}", Delete("backup_containers")),
        (PUT, "/api/admin/backup-containers/{id}/rules", Custom(container_rules)),
        (GET, "/api/admin/packages", List("packages")),
        (POST, "/api/admin/package", Create("packages")),
        (GET, "/api/admin/package/{id}", Show("packages")),
        (PUT, "/api/admin/package/{id}", Update("packages")),
        (DELETE, "/api/admin/package/{id}", Delete("packages")),
        (POST, "/api/admin/package/{id}/force-install", Custom(force_install)),
        (GET, "/api/admin/ssl/providers", Custom(|_, _| types(SSL_PROVIDERS))),
        (GET, "/api/admin/ssl-orders", List("ssl_orders")),
        (GET, "/api/admin/ssl-orders/logs", List("ssl_logs")),
        (PUT, "/api/admin/ssl-orders/{id}/process", Custom(process_order)),
        (PUT, "/api/admin/ssl-orders/{id}/abandon", Custom(abandon_order)),
    ]
}

/// The kinds of server each list offers: `type`, name, and the `connection_config` keys it takes.
type Kinds = &'static [(&'static str, &'static str, &'static [&'static str])];

const SERVER_TYPES: Kinds = &[
    ("cpanel", "cPanel", &["host", "username", "api_token"]),
    ("plesk", "Plesk", &["host", "api_key"]),
    (
        "directadmin",
        "DirectAdmin",
        &["host", "username", "password"],
    ),
];
const DNS_TYPES: Kinds = &[
    ("powerdns", "PowerDNS", &["host", "api_key"]),
    ("cloudflare", "Cloudflare", &["api_token"]),
];
const EMAIL_TYPES: Kinds = &[("mailcow", "mailcow", &["host", "api_key"])];
const BACKUP_TYPES: Kinds = &[
    (
        "s3",
        "Amazon S3",
        &["bucket", "region", "access_key", "secret_key"],
    ),
    ("sftp", "SFTP", &["host", "username", "password"]),
];
const SSL_PROVIDERS: Kinds = &[("letsencrypt", "Let's Encrypt", &[])];

fn kind((r#type, name, keys): &(&str, &str, &[&str])) -> Value {
    json!({"type": r#type, "name": name, "connection_fields": keys})
}

fn types(kinds: Kinds) -> Handled {
    Ok(Answer::List(kinds.iter().map(kind).collect()))
}

fn server_type(_: &mut World, req: &Req) -> Handled {
    let wanted = req.param("type").unwrap_or_default();
    let found = SERVER_TYPES.iter().find(|(t, ..)| *t == wanted);
    found.map(kind).map(Answer::Object).ok_or_else(not_found)
}

/// Laravel's `required|array` on `connection_config`; the keys depend on the type, so any object
/// (even an empty one) passes.
fn config(v: &Value) -> Result<Value, Fail> {
    match v {
        Value::Object(_) => Ok(v.clone()),
        _ => Err(field_fail("connection_config", Problem::Invalid)),
    }
}

/// The host a connection names, if the panel could reach it: hosts under `.invalid` (RFC 6761)
/// never resolve, so they stand for a server that does not answer.
fn reachable(config: &Value) -> Result<String, String> {
    match config.get("host").and_then(Value::as_str) {
        None => Err("No host to connect to.".into()),
        Some(host) if host.ends_with(".invalid") => Err(format!("Could not connect to {host}.")),
        Some(host) => Ok(host.to_string()),
    }
}

/// The connection's parameters, validated as a write would be.
fn connection(req: &Req) -> Result<Value, Fail> {
    let given = body(req)?;
    FIELDS.required_text(&given, "type")?;
    config(FIELDS.required(&given, "connection_config")?)
}

/// Whether the panel reaches the server: an answer either way, since an unreachable server is
/// what the test is for.
fn test_connection(_: &mut World, req: &Req) -> Handled {
    let answer = match reachable(&connection(req)?) {
        Ok(host) => json!({"connected": true, "message": format!("Connected to {host}.")}),
        Err(message) => json!({"connected": false, "message": message}),
    };
    Ok(Answer::Object(answer))
}

fn test_wp_cli(_: &mut World, req: &Req) -> Handled {
    let answer = match reachable(&connection(req)?) {
        Ok(_) => json!({"available": true, "version": "2.10.0", "message": null}),
        Err(message) => json!({"available": false, "version": null, "message": message}),
    };
    Ok(Answer::Object(answer))
}

fn server_config(world: &mut World, req: &Req) -> Handled {
    let server = found(world, "servers", req.id(), &[])?;
    let config = json!({"server_id": server["id"], "type": server["type"],
        "connection_config": server["connection_config"]});
    Ok(Answer::Object(config))
}

fn php_versions(world: &mut World, req: &Req) -> Handled {
    found(world, "servers", req.id(), &[])?;
    Ok(offered_php_versions())
}

/// What a server of `parent` holds that the panel may import (`remote`, by `server_id`).
fn remote(world: &mut World, req: &Req, parent: &str, remote: &str) -> Handled {
    found(world, parent, req.id(), &[])?;
    let all = world.store.all(remote).iter();
    let on = all.filter(|o| text(&o["server_id"]) == req.id());
    Ok(Answer::List(on.cloned().collect()))
}

/// The entry of `remote` on this server whose `key` is `value` and that is not imported yet.
fn unimported(world: &World, req: &Req, remote: &str, key: &str, value: &str) -> Option<Value> {
    let all = world.store.all(remote).iter();
    let mut on = all.filter(|o| text(&o["server_id"]) == req.id() && o["imported"] == false);
    on.find(|o| text(&o[key]) == value).cloned()
}

fn mark_imported(world: &mut World, remote: &'static str, entry: &Value) {
    if let Some(entry) = world.store.get_mut(remote, &text(&entry["id"])) {
        entry["imported"] = json!(true);
    }
}

/// Fails with "The selected {field} is invalid." unless `collection` has the object.
fn known(world: &World, collection: &str, field: &str, id: u64) -> Result<(), Fail> {
    match world.store.get(collection, &id.to_string()) {
        Some(_) => Ok(()),
        None => Err(field_fail(field, Problem::NotAllowed)),
    }
}

/// An account on the server becomes a user's service on a plan: its hosting account at once, the
/// service pending until the import task ends.
fn import_service(world: &mut World, req: &Req) -> Handled {
    found(world, "servers", req.id(), &[])?;
    let given = body(req)?;
    let username = FIELDS.required_text(&given, "username")?;
    let user = FIELDS.required_integer(&given, "user_id")?;
    let plan = FIELDS.required_integer(&given, "plan_id")?;
    known(world, "users", "user_id", user)?;
    known(world, "plans", "plan_id", plan)?;
    let remote = unimported(world, req, "remote_accounts", "username", &username);
    let remote = remote.ok_or_else(|| field_fail("username", Problem::NotAllowed))?;
    mark_imported(world, "remote_accounts", &remote);
    let (account, id) = (
        world.store.next_id("hosting_accounts"),
        world.store.next_id("services"),
    );
    let at = stamp(SystemTime::now());
    world.store.insert(
        "hosting_accounts",
        json!({"id": account, "username": username,
        "domain": remote["domain"], "server_id": remote["server_id"], "service_id": id,
        "status": "active", "created_at": at}),
    );
    let mut service = json!({"id": id, "user_id": user, "plan_id": plan,
        "hosting_account_id": account, "status": "pending", "packages": [], "created_at": at});
    flows::start(world, "service.import", &mut service);
    world.store.insert("services", service.clone());
    Ok(Answer::Object(service))
}

/// A WordPress installation found on the server becomes an instance of the hosting account it
/// is in, which must be imported first; `importing` until the task ends.
fn import_instance(world: &mut World, req: &Req) -> Handled {
    found(world, "servers", req.id(), &[])?;
    let given = body(req)?;
    let username = FIELDS.required_text(&given, "username")?;
    let domain = FIELDS.required_text(&given, "domain")?;
    let path = FIELDS.required_text(&given, "path")?;
    let accounts = world.store.all("hosting_accounts").iter();
    let mut on = accounts.filter(|a| text(&a["server_id"]) == req.id());
    let account = on.find(|a| a["username"] == username).cloned();
    let account = account.ok_or_else(|| field_fail("username", Problem::NotAllowed))?;
    let app = unimported(world, req, "applications", "domain", &domain);
    let app = app.ok_or_else(|| field_fail("domain", Problem::NotAllowed))?;
    mark_imported(world, "applications", &app);
    let service = world
        .store
        .get("services", &text(&account["service_id"]))
        .cloned();
    let service = service.unwrap_or_default();
    let id = world.store.next_id("instances");
    let mut instance = json!({"id": id, "name": domain, "domain": domain, "path": path,
        "user_id": service["user_id"], "service_id": account["service_id"],
        "hosting_account_id": account["id"], "plan_id": service["plan_id"],
        "server_id": account["server_id"], "status": "importing",
        "created_at": stamp(SystemTime::now())});
    flows::start(world, "instance.import", &mut instance);
    world.store.insert("instances", instance.clone());
    Ok(Answer::Object(instance))
}

/// An import of a named thing a server holds into a service: the server's collection, what it
/// holds, what the import makes, and the task's name.
type Import = (&'static str, &'static str, &'static str, &'static str);

const ZONES: Import = (
    "dns_servers",
    "remote_zones",
    "dns_zones",
    "dns_zone.import",
);
const DOMAINS: Import = (
    "email_servers",
    "remote_domains",
    "email_domains",
    "email_domain.import",
);

fn import(world: &mut World, req: &Req, (parent, remote, made, task): Import) -> Handled {
    found(world, parent, req.id(), &[])?;
    let given = body(req)?;
    let name = FIELDS.required_text(&given, "name")?;
    let service = FIELDS.required_integer(&given, "service_id")?;
    known(world, "services", "service_id", service)?;
    let entry = unimported(world, req, remote, "name", &name);
    let entry = entry.ok_or_else(|| field_fail("name", Problem::NotAllowed))?;
    mark_imported(world, remote, &entry);
    let id = world.store.next_id(made);
    let mut object = json!({"id": id, "name": name, "service_id": service,
        "server_id": entry["server_id"], "status": "importing"});
    flows::start(world, task, &mut object);
    world.store.insert(made, object.clone());
    Ok(Answer::Object(object))
}

/// The rules of which objects a container serves: the body is their list.
fn container_rules(world: &mut World, req: &Req) -> Handled {
    let rules: Vec<Value> =
        serde_json::from_slice(&req.body).map_err(|_| field_fail("rules", Problem::Invalid))?;
    for (at, rule) in rules.iter().enumerate() {
        let text = rule.get("type").and_then(Value::as_str);
        text.filter(|t| !t.trim().is_empty())
            .ok_or_else(|| rule_fail(at, "type"))?;
        let values = rule.get("values").and_then(Value::as_array);
        values.ok_or_else(|| rule_fail(at, "values"))?;
    }
    let container = world.store.get_mut("backup_containers", req.id());
    let container = container.ok_or_else(not_found)?;
    container["rules"] = json!(rules);
    Ok(Answer::Object(container.clone()))
}

fn rule_fail(at: usize, field: &str) -> Fail {
    invalid(
        &format!("{at}.{field}"),
        format!("The {at}.{field} field is required."),
    )
}

/// Installs a package's plugins and themes on every instance whose service has it.
fn force_install(world: &mut World, req: &Req) -> Handled {
    let mut package = found(world, "packages", req.id(), &[])?;
    flows::start(world, "package.force_install", &mut package);
    if let Some(stored) = world.store.get_mut("packages", req.id()) {
        stored["task_id"] = package["task_id"].clone();
    }
    Ok(Answer::Object(package))
}

/// Issues an order's certificate, over a task; an issued or abandoned order is done with.
fn process_order(world: &mut World, req: &Req) -> Handled {
    let mut order = found(world, "ssl_orders", req.id(), &["pending", "failed"])
        .map_err(|_| order_done(world, req))?;
    flows::start(world, "ssl_order.process", &mut order);
    if let Some(stored) = world.store.get_mut("ssl_orders", req.id()) {
        *stored = order.clone();
    }
    Ok(Answer::Object(order))
}

fn abandon_order(world: &mut World, req: &Req) -> Handled {
    let order = found(
        world,
        "ssl_orders",
        req.id(),
        &["pending", "processing", "failed"],
    )
    .map_err(|_| order_done(world, req))?;
    let order = world.store.get_mut("ssl_orders", &text(&order["id"]));
    let order = order.ok_or_else(not_found)?;
    order["status"] = json!("abandoned");
    Ok(Answer::Object(order.clone()))
}

/// 404 for an unknown order, 422 for one that is issued or abandoned.
fn order_done(world: &World, req: &Req) -> Fail {
    match world.store.get("ssl_orders", req.id()) {
        None => not_found(),
        Some(order) => {
            let status = text(&order["status"]);
            refused(&format!("The SSL order is {status}."))
        }
    }
}

/// The platform's collections, seeded.
#[rustfmt::skip]
pub(super) fn collections() -> Vec<Collection<Panel>> {
    let max = |field| MaxLen(field, 255);
    let server_like = |name, seed| Collection::new(name)
        .seed(seed)
        .fields(["name", "type", "connection_config"])
        .defaults(json!({"status": "active"}))
        .filters(["type"], None)
        .rules([Always("name"), Text("name"), max("name"), Always("type"), Text("type"),
            Always("connection_config"), Check("connection_config", config)]);
    let servers = Collection::new("servers")
        .seed(json!([{"id": 1, "name": "cp1.example.net", "type": "cpanel",
            "connection_config": {"host": "cp1.example.net", "username": "root",
                "api_token": "cpanel-secret-token"},
            "server_groups": [{"id": 1, "name": "cPanel servers", "server_type": "cpanel"}],
            "status": "active"}]))
        .fields(["name", "type", "connection_config", "server_groups"])
        .defaults(json!({"status": "active"}))
        .rules([Always("name"), Text("name"), max("name"), Always("type"), Text("type"),
            Always("connection_config"), Check("connection_config", config),
            Always("server_groups")]);
    let dns_servers = server_like("dns_servers", json!([{"id": 1, "name": "ns1.example.net",
        "type": "powerdns", "connection_config": {"host": "ns1.example.net",
            "api_key": "pdns-secret-key"}, "status": "active"}]));
    let email_servers = server_like("email_servers", json!([{"id": 1, "name": "mail.example.net",
        "type": "mailcow", "connection_config": {"host": "mail.example.net",
            "api_key": "mailcow-secret-key"}, "status": "active"}]));
    let remote_backups = server_like("remote_backups", json!([{"id": 1, "name": "Offsite S3",
        "type": "s3", "connection_config": {"bucket": "backups", "region": "eu-west-1",
            "access_key": "AKIAEXAMPLE", "secret_key": "s3-secret-key"}, "status": "active"}]));
    let records = |v: &Value| match v {
        Value::Array(_) => Ok(v.clone()),
        _ => Err(field_fail("records", Problem::Invalid)),
    };
    let templates = Collection::new("dns_zone_templates")
        .seed(json!([{"id": 1, "name": "Default", "records": [
            {"name": "@", "type": "A", "ttl": 3600, "rdata": "{{ip}}"},
            {"name": "www", "type": "CNAME", "ttl": 3600, "rdata": "{{domain}}"}]}]))
        .fields(["name", "records"])
        .defaults(json!({"records": []}))
        .rules([Always("name"), Text("name"), Check("records", records)]);
    let containers = Collection::new("backup_containers")
        .seed(json!([{"id": 1, "remote_backup_id": 1, "name": "Daily offsite",
            "location": "sites/", "is_local_storage": false, "max_size_backups_per_site": 10,
            "max_number_backups_per_site": 7, "backup_type": "full", "rules": []}]))
        .fields(["remote_backup_id", "name", "location", "is_local_storage",
            "max_size_backups_per_site", "max_number_backups_per_site", "backup_type",
            "backup_type_rules", "rules"])
        .defaults(json!({"rules": []}))
        .rules([Always("name"), Text("name"), Always("remote_backup_id"), Always("location"),
            Always("backup_type"), OneOf("backup_type", &["full", "incremental"])]);
    let packages = Collection::new("packages")
        .seed(json!([{"id": 1, "name": "Essentials", "plugin_automation": "install",
            "theme_automation": "none", "plugins": {"wordfence": true}, "themes": {}}]))
        .fields(["name", "plugin_automation", "theme_automation", "plugins", "themes"])
        .rules([Always("name"), Text("name"), max("name")]);
    let held = |server, items: Value| {
        let mut items = items;
        for item in items.as_array_mut().into_iter().flatten() {
            item["server_id"] = json!(server);
            item["imported"] = json!(item["imported"].as_bool().unwrap_or(false));
        }
        items
    };
    vec![
        servers, dns_servers, email_servers, remote_backups, templates, containers, packages,
        Collection::new("server_logs").seed(json!([{"id": 1, "server_id": 1, "level": "info",
            "message": "Connected.", "created_at": "2026-01-12T09:30:00.000000Z"}])),
        Collection::new("remote_accounts").seed(held(1, json!([
            {"id": 1, "username": "adalovel", "domain": "blog.example.org", "imported": true},
            {"id": 2, "username": "gracehop", "domain": "shop.example.com", "imported": true},
            {"id": 3, "username": "legacy01", "domain": "legacy.example.net"}]))),
        Collection::new("applications").seed(held(1, json!([
            {"id": 1, "username": "legacy01", "domain": "legacy.example.net",
             "path": "/public_html", "application": "wordpress", "version": "6.5"}]))),
        Collection::new("remote_zones").seed(held(1, json!([
            {"id": 1, "name": "legacy.example.net"}]))),
        Collection::new("email_domains"),
        Collection::new("remote_domains").seed(held(1, json!([
            {"id": 1, "name": "legacy.example.net"}]))),
        Collection::new("ssl_orders").seed(json!([
            {"id": 1, "domain": "blog.example.org", "instance_id": 1, "provider": "letsencrypt",
             "status": "pending", "created_at": "2026-01-12T09:30:00.000000Z"}])),
        Collection::new("ssl_logs").seed(json!([{"id": 1, "ssl_order_id": 1,
            "message": "Order placed.", "created_at": "2026-01-12T09:30:00.000000Z"}])),
    ]
}
