//! The user API's hosting accounts (`/api/server-accounts`): the accounts of the acting user's
//! services, their usage and PHP versions, and their FTP accounts, whose passwords are taken and
//! never kept in an answer. What is assumed is in `model`'s header.

use super::{
    customer::{Handled, refused},
    model::{FIELDS, Panel, World, field_fail, not_found, text},
    routes::{acting, body, usage},
};
use crate::{
    kit::{Fail, Problem},
    resource::{Answer, DELETE, GET, Op::*, POST, PUT, Req, Row},
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
    let versions = ["7.4", "8.1", "8.2", "8.3"].map(|v| json!({"version": v}));
    Ok(Answer::List(versions.into()))
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
