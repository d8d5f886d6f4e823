//! The user API's hosting accounts (`/api/server-accounts`): the accounts of the acting user's
//! services, their usage and PHP versions, and their FTP accounts, whose passwords are taken and
//! never kept in an answer. What is assumed is in `model`'s header.

use super::{
    customer::Handled,
    model::{
        FIELDS, Panel, World, field_fail, not_found, offered_php_versions, refused, sign_in, text,
    },
    routes::{acting, body, usage},
};
use crate::{
    kit::{Fail, Problem},
    resource::{Answer, DELETE, GET, Op::*, PATCH, POST, PUT, Req, Row},
};
use serde_json::{Value, json};

#[rustfmt::skip]
pub(super) fn rows() -> Vec<Row<Panel>> {
    vec![
        (GET, "/api/server-accounts", Custom(accounts)),
        (GET, "/api/server-accounts/{id}", Custom(|w, r| account(w, r).map(Answer::Object))),
        (GET, "/api/server-accounts/{id}/usage", Custom(|w, r| { account(w, r)?; usage(w, r) })),
        (GET, "/api/server-accounts/{id}/php-versions", Custom(php_versions)),
        (GET, "/api/server-accounts/{id}/ftp-accounts", Custom(ftp_accounts)),
        (GET, "/api/server-accounts/{id}/ftp-accounts/server-info", Custom(ftp_server)),
        (POST, "/api/server-accounts/{id}/ftp-accounts", Custom(create_ftp)),
        (PUT, "/api/server-accounts/{id}/ftp-accounts/{user}", Custom(update_ftp)),
        (DELETE, "/api/server-accounts/{id}/ftp-accounts/{user}", Custom(delete_ftp)),
        (GET, "/api/server-accounts/{id}/cron-jobs", Custom(|w, r| owned_list(w, r, "cron_jobs"))),
        (POST, "/api/server-accounts/{id}/cron-jobs", Custom(|w, r| cron_job(w, r, false))),
        (PUT, "/api/server-accounts/{id}/cron-jobs/{line}", Custom(|w, r| cron_job(w, r, true))),
        (DELETE, "/api/server-accounts/{id}/cron-jobs/{line}", Custom(|w, r| remove(w, r, "cron_jobs", "line", "line"))),
        (POST, "/api/server-accounts/{id}/mysql/phpmyadmin-sso-url", Custom(phpmyadmin)),
        (GET, "/api/server-accounts/{id}/mysql/databases", Custom(|w, r| owned_list(w, r, "databases"))),
        (POST, "/api/server-accounts/{id}/mysql/databases", Custom(create_database)),
        (DELETE, "/api/server-accounts/{id}/mysql/databases/{name}", Custom(|w, r| remove(w, r, "databases", "name", "name"))),
        (PUT, "/api/server-accounts/{id}/mysql/databases/{name}/name", Custom(rename_database)),
        (GET, "/api/server-accounts/{id}/mysql/server-info", Custom(mysql_server)),
        (GET, "/api/server-accounts/{id}/mysql/users", Custom(|w, r| owned_list(w, r, "database_users"))),
        (POST, "/api/server-accounts/{id}/mysql/users", Custom(create_database_user)),
        (DELETE, "/api/server-accounts/{id}/mysql/users/{name}", Custom(|w, r| remove(w, r, "database_users", "name", "name"))),
        (PUT, "/api/server-accounts/{id}/mysql/users/{name}", Custom(update_database_user)),
        (GET, "/api/server-accounts/{id}/mysql/privileges/{user}/{database}", Custom(privileges)),
        (PUT, "/api/server-accounts/{id}/mysql/privileges/{user}/{database}", Custom(privileges)),
        (DELETE, "/api/server-accounts/{id}/mysql/privileges/{user}/{database}", Custom(privileges)),
        (GET, "/api/server-accounts/{id}/dns-zones", Custom(zones)),
        (GET, "/api/server-accounts/{id}/dns-zones/record-types", Custom(|w, r| { account(w, r)?; Ok(Answer::List(RECORD_TYPES.map(|t| json!(t)).into())) })),
        (GET, "/api/server-accounts/{id}/dns-zones/{name}/records", Custom(records)),
        (POST, "/api/server-accounts/{id}/dns-zones/{name}/records", Custom(|w, r| record(w, r, false))),
        (PUT, "/api/server-accounts/{id}/dns-zones/{name}/records/{line}", Custom(|w, r| record(w, r, true))),
        (DELETE, "/api/server-accounts/{id}/dns-zones/{name}/records/{line}", Custom(delete_record)),
        (PATCH, "/api/server-accounts/{id}/dns-zones/{name}/records/{line}/toggle-proxy", Custom(toggle_proxy)),
    ]
}

/// Whether the hosting account belongs to one of `user`'s services.
fn mine(world: &World, account: &Value, user: &str) -> bool {
    let service = world.store.get("services", &text(&account["service_id"]));
    service.is_some_and(|s| text(&s["user_id"]) == user)
}

fn accounts(world: &mut World, req: &Req) -> Handled {
    let user = acting(world, req);
    let all = world.store.all("hosting_accounts").iter();
    let own: Vec<Value> = all.filter(|a| mine(world, a, &user)).cloned().collect();
    Ok(Answer::List(own))
}

/// The path's hosting account, if it is the acting user's (another's is as unknown as a missing
/// one).
fn account(world: &mut World, req: &Req) -> Result<Value, Fail> {
    let user = acting(world, req);
    let id = req.param("id").unwrap_or_default();
    let account = world
        .store
        .get("hosting_accounts", id)
        .filter(|a| mine(world, a, &user));
    account.cloned().ok_or_else(not_found)
}

fn php_versions(world: &mut World, req: &Req) -> Handled {
    account(world, req)?;
    Ok(offered_php_versions())
}

fn ftp_accounts(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let all = world.store.all("ftp_accounts").iter();
    let of = all.filter(|f| f["account_id"] == account["id"]);
    Ok(Answer::List(of.map(view).collect()))
}

/// An FTP account as answered: its login is `user`.
fn view(ftp: &Value) -> Value {
    json!({"user": ftp["user"], "domain": ftp["domain"], "directory": ftp["directory"],
        "quota": ftp["quota"], "unlimited_quota": ftp["unlimited_quota"]})
}

fn ftp_server(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let host = format!("ftp.{}", text(&account["domain"]));
    Ok(Answer::Object(
        json!({"host": host, "port": 21, "tls": true}),
    ))
}

/// A quota in megabytes, where one is given.
fn quota(given: &crate::kit::body::Params) -> Result<Option<u64>, Fail> {
    match FIELDS.get(given, "quota") {
        Some(q) => FIELDS.as_integer(q, "quota").map(Some),
        None => Ok(None),
    }
}

/// A new FTP account `user@domain`; the password is checked for presence and dropped.
fn create_ftp(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let given = body(req)?;
    let user = FIELDS.required_text(&given, "user")?;
    let domain = FIELDS.required_text(&given, "domain")?;
    FIELDS.required_text(&given, "password")?;
    let quota = quota(&given)?;
    let login = format!("{user}@{domain}");
    if world
        .store
        .all("ftp_accounts")
        .iter()
        .any(|f| f["user"] == login)
    {
        return Err(field_fail("user", Problem::Taken));
    }
    let directory = FIELDS
        .text(&given, "directory")?
        .unwrap_or_else(|| "/public_html".into());
    let id = world.store.next_id("ftp_accounts");
    let ftp = json!({"id": id, "account_id": account["id"], "user": login, "domain": domain,
        "directory": directory, "quota": quota, "unlimited_quota": quota.is_none()});
    world.store.insert("ftp_accounts", ftp.clone());
    Ok(Answer::Object(view(&ftp)))
}

/// The path's FTP account of the path's hosting account, by its login.
fn ftp_id(world: &mut World, req: &Req) -> Result<String, Fail> {
    let account = account(world, req)?;
    let login = req.param("user").unwrap_or_default();
    let all = world.store.all("ftp_accounts").iter();
    let mut of = all.filter(|f| f["account_id"] == account["id"]);
    of.find(|f| f["user"] == login)
        .map(|f| text(&f["id"]))
        .ok_or_else(not_found)
}

/// Changes an FTP account's quota (a password given is taken and dropped).
fn update_ftp(world: &mut World, req: &Req) -> Handled {
    let id = ftp_id(world, req)?;
    let given = crate::kit::body::json_object(&req.body).unwrap_or_default();
    let unlimited = FIELDS.flag(&given, "unlimited_quota")?;
    let quota = quota(&given)?;
    if unlimited == Some(false) && quota.is_none() {
        return Err(refused(
            "The quota field is required when unlimited quota is false.",
        ));
    }
    let ftp = world
        .store
        .get_mut("ftp_accounts", &id)
        .ok_or_else(not_found)?;
    if let Some(unlimited) = unlimited {
        ftp["unlimited_quota"] = json!(unlimited);
    }
    if let Some(quota) = quota {
        ftp["quota"] = json!(quota);
    }
    Ok(Answer::Object(view(ftp)))
}

fn delete_ftp(world: &mut World, req: &Req) -> Handled {
    let id = ftp_id(world, req)?;
    world.store.remove("ftp_accounts", &id);
    Ok(Answer::Deleted(Value::Null))
}

// ---------------------------------------------------------------------------------------------
// Cron jobs and MySQL: objects of one hosting account (`account_id`), each found by a key

/// The objects of `collection` on the path's hosting account, as answered (no `account_id`).
fn owned_list(world: &mut World, req: &Req, collection: &str) -> Handled {
    let account = account(world, req)?;
    let all = world.store.all(collection).iter();
    let of = all.filter(|o| o["account_id"] == account["id"]);
    Ok(Answer::List(of.map(shown).collect()))
}

fn shown(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("account_id");
        map.remove("id");
    }
    object
}

/// The store ID of the path's hosting account's object of `collection` whose `key` is the path's
/// `param`.
fn owned(
    world: &mut World,
    req: &Req,
    collection: &str,
    key: &str,
    param: &str,
) -> Result<String, Fail> {
    let account = account(world, req)?;
    let wanted = req.param(param).unwrap_or_default().to_string();
    let all = world.store.all(collection).iter();
    let mut of = all.filter(|o| o["account_id"] == account["id"]);
    of.find(|o| text(&o[key]) == wanted)
        .map(|o| text(&o["id"]))
        .ok_or_else(not_found)
}

fn remove(
    world: &mut World,
    req: &Req,
    collection: &'static str,
    key: &str,
    param: &str,
) -> Handled {
    let id = owned(world, req, collection, key, param)?;
    world.store.remove(collection, &id);
    Ok(Answer::Deleted(Value::Null))
}

/// A cron job, new (on the next line) or changed: crontab's five fields and the command, as text.
fn cron_job(world: &mut World, req: &Req, update: bool) -> Handled {
    let account = account(world, req)?;
    let given = body(req)?;
    let mut fields = serde_json::Map::new();
    for key in [
        "minute",
        "hour",
        "day_of_month",
        "month",
        "day_of_week",
        "command",
    ] {
        fields.insert(key.into(), json!(FIELDS.required_text(&given, key)?));
    }
    let id = match update {
        true => owned(world, req, "cron_jobs", "line", "line")?,
        false => {
            let id = world.store.next_id("cron_jobs");
            let job = json!({"id": id, "account_id": account["id"], "line": id.to_string()});
            world.store.insert("cron_jobs", job);
            id.to_string()
        }
    };
    let job = world
        .store
        .get_mut("cron_jobs", &id)
        .ok_or_else(not_found)?;
    for (key, value) in fields {
        job[key.as_str()] = value;
    }
    Ok(Answer::Object(shown(job)))
}

fn phpmyadmin(world: &mut World, req: &Req) -> Handled {
    let domain = text(&account(world, req)?["domain"]);
    Ok(sign_in(|token| {
        format!("https://{domain}/phpmyadmin/?sso={token}")
    }))
}

fn mysql_server(world: &mut World, req: &Req) -> Handled {
    account(world, req)?;
    Ok(Answer::Object(
        json!({"host": "localhost", "port": 3306, "version": "8.0.36"}),
    ))
}

/// Fails with "The {field} has already been taken." if the account has an object of that name.
fn unique(
    world: &World,
    account: &Value,
    collection: &str,
    field: &str,
    name: &str,
) -> Result<(), Fail> {
    let all = world.store.all(collection).iter();
    let mut of = all.filter(|o| o["account_id"] == account["id"]);
    match of.any(|o| o["name"] == name) {
        true => Err(field_fail(field, Problem::Taken)),
        false => Ok(()),
    }
}

fn create_database(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let name = FIELDS.required_text(&body(req)?, "name")?;
    unique(world, &account, "databases", "name", &name)?;
    let id = world.store.next_id("databases");
    let database = json!({"id": id, "account_id": account["id"], "name": name, "size_mb": 0.0});
    world.store.insert("databases", database.clone());
    Ok(Answer::Object(shown(&database)))
}

fn rename_database(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let id = owned(world, req, "databases", "name", "name")?;
    let name = FIELDS.required_text(&body(req)?, "name")?;
    unique(world, &account, "databases", "name", &name)?;
    let database = world
        .store
        .get_mut("databases", &id)
        .ok_or_else(not_found)?;
    database["name"] = json!(name);
    Ok(Answer::Object(shown(database)))
}

/// A MySQL user; its password is checked for presence and dropped, and a database given gets
/// every privilege.
fn create_database_user(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let given = body(req)?;
    let name = FIELDS.required_text(&given, "name")?;
    FIELDS.required_text(&given, "password")?;
    unique(world, &account, "database_users", "name", &name)?;
    let mut grants = serde_json::Map::new();
    if let Some(database) = FIELDS.text(&given, "database")? {
        let all = world.store.all("databases").iter();
        let mut of = all.filter(|d| d["account_id"] == account["id"]);
        if !of.any(|d| d["name"] == database) {
            return Err(field_fail("database", Problem::NotAllowed));
        }
        grants.insert(database, json!("ALL PRIVILEGES"));
    }
    let id = world.store.next_id("database_users");
    let user = json!({"id": id, "account_id": account["id"], "name": name, "grants": grants});
    world.store.insert("database_users", user.clone());
    Ok(Answer::Object(shown(&user)))
}

fn update_database_user(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    let id = owned(world, req, "database_users", "name", "name")?;
    let given = crate::kit::body::json_object(&req.body).unwrap_or_default();
    let name = FIELDS.text(&given, "name")?;
    if let Some(name) = &name {
        unique(world, &account, "database_users", "name", name)?;
    }
    let user = world
        .store
        .get_mut("database_users", &id)
        .ok_or_else(not_found)?;
    if let Some(name) = name {
        user["name"] = json!(name);
    }
    Ok(Answer::Object(shown(user)))
}

/// A user's privileges on a database: read, set (the body's `privileges`) or removed.
fn privileges(world: &mut World, req: &Req) -> Handled {
    let id = owned(world, req, "database_users", "name", "user")?;
    let database = req.param("database").unwrap_or_default().to_string();
    let set = match req.method == PUT {
        true => Some(FIELDS.required_text(&body(req)?, "privileges")?),
        false => None,
    };
    let user = world
        .store
        .get_mut("database_users", &id)
        .ok_or_else(not_found)?;
    let grants = user["grants"].as_object_mut().ok_or_else(not_found)?;
    match (&req.method, set) {
        (_, Some(privileges)) => {
            grants.insert(database.clone(), json!(privileges));
        }
        (m, None) if *m == DELETE => {
            grants.remove(&database).ok_or_else(not_found)?;
            return Ok(Answer::Deleted(Value::Null));
        }
        _ => {}
    }
    let privileges = grants.get(&database).cloned().ok_or_else(not_found)?;
    Ok(Answer::Object(
        json!({"user": user["name"], "database": database,
        "privileges": privileges}),
    ))
}

// ---------------------------------------------------------------------------------------------
// DNS: the account's zone is its domain; records are found by line

const RECORD_TYPES: [&str; 9] = ["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS", "PTR"];

fn zones(world: &mut World, req: &Req) -> Handled {
    let account = account(world, req)?;
    Ok(Answer::List(vec![json!({"name": account["domain"]})]))
}

/// The path's zone, which must be the account's.
fn zone(world: &mut World, req: &Req) -> Result<Value, Fail> {
    let account = account(world, req)?;
    match req.param("name") == account["domain"].as_str() {
        true => Ok(account),
        false => Err(not_found()),
    }
}

fn records(world: &mut World, req: &Req) -> Handled {
    let account = zone(world, req)?;
    let all = world.store.all("dns_records").iter();
    let of = all.filter(|r| r["account_id"] == account["id"]);
    Ok(Answer::List(of.map(shown).collect()))
}

/// The path's record of the path's zone.
fn record_id(world: &mut World, req: &Req) -> Result<String, Fail> {
    zone(world, req)?;
    owned(world, req, "dns_records", "line", "line")
}

/// A record, new (on the next line) or changed: its name, a type the server takes, and the
/// fields given for it, kept as sent.
fn record(world: &mut World, req: &Req, update: bool) -> Handled {
    let account = zone(world, req)?;
    let given = body(req)?;
    let name = FIELDS.required_text(&given, "name")?;
    let kind = FIELDS.required_text(&given, "type")?;
    if !RECORD_TYPES.contains(&kind.as_str()) {
        return Err(field_fail("type", Problem::NotAllowed));
    }
    let id = match update {
        true => record_id(world, req)?,
        false => {
            let id = world.store.next_id("dns_records");
            let record = json!({"id": id, "account_id": account["id"], "line": id.to_string(),
                "ttl": 14400, "proxied": false});
            world.store.insert("dns_records", record);
            id.to_string()
        }
    };
    let record = world
        .store
        .get_mut("dns_records", &id)
        .ok_or_else(not_found)?;
    for (key, value) in given {
        record[key.as_str()] = value;
    }
    record["name"] = json!(name);
    record["type"] = json!(kind);
    Ok(Answer::Object(shown(record)))
}

fn delete_record(world: &mut World, req: &Req) -> Handled {
    let id = record_id(world, req)?;
    world.store.remove("dns_records", &id);
    Ok(Answer::Deleted(Value::Null))
}

fn toggle_proxy(world: &mut World, req: &Req) -> Handled {
    let id = record_id(world, req)?;
    let record = world
        .store
        .get_mut("dns_records", &id)
        .ok_or_else(not_found)?;
    record["proxied"] = json!(record["proxied"] != true);
    Ok(Answer::Object(shown(record)))
}
