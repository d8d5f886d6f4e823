//! Orchestrix's route table and handlers, its Rails conventions (`{"site": {...}}` bodies, 201 on
//! create, 204 on delete, `?page=N` lists with `Link` headers) and the token check in front of them.

use super::{
    Simulator,
    flows::{Outcome, Pipeline, Snapshot, next_minor},
    model::{
        Account, HealthCheck, Nested, Vuln, accounts, find, find_doc, health_check, new_id,
        secure_token, text, users,
    },
};
use crate::kit::{
    Absent, Fail, Fields, Problem, auth,
    body::{Params, json_object},
    random::random_u64,
    time::rfc3339,
};
use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{FromRequestParts, Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde_json::{Value, json};
use std::{convert::Infallible, time::SystemTime};

type Reply = Result<Response, Fail>;
type Sim = State<Simulator>;
type Ids = Path<(String, String)>;

/// The webhook events an endpoint may subscribe to.
pub const EVENTS: [&str; 7] = [
    "snapshot.created",
    "snapshot.completed",
    "snapshot.failed",
    "pipeline.approved",
    "pipeline.completed",
    "pipeline.failed",
    "site.updated",
];
const VULN_STATUSES: [&str; 4] = ["open", "acknowledged", "resolved", "ignored"];

/// Strings are read trimmed; a blank one "can't be blank", as a Rails presence validation has it.
const FIELDS: Fields = Fields {
    absent: Absent::Null,
    trim: true,
    coerce: false,
    fail: field_fail,
};

/// Validation errors read like Rails' full messages: `"Name can't be blank"`.
fn field_fail(field: &str, problem: Problem) -> Fail {
    let field = humanize(field);
    unprocessable(match problem {
        Problem::Missing => format!("{field} can't be blank"),
        Problem::NotAllowed => format!("{field} is not included in the list"),
        Problem::Taken => format!("{field} has already been taken"),
        _ => format!("{field} is invalid"),
    })
}

#[rustfmt::skip]
pub(super) fn routes() -> Router<Simulator> {
    let site = Router::new()
        .route("/health_checks", get(list::<HealthCheck>))
        .route("/health_checks/{id}", get(show::<HealthCheck>))
        .route("/snapshots", get(list::<Snapshot>).post(snapshot_create))
        .route("/snapshots/{id}", get(show::<Snapshot>).delete(snapshot_delete))
        .route("/snapshots/{id}/upload", put(snapshot_upload))
        .route("/upgrade_pipelines", get(list::<Pipeline>).post(pipeline_create))
        .route("/upgrade_pipelines/{id}", get(show::<Pipeline>))
        .route("/upgrade_pipelines/{id}/approve", post(pipeline_approve))
        .route("/vulnerability_records", get(list::<Vuln>))
        .route("/vulnerability_records/{id}", get(show::<Vuln>).patch(vuln_update));
    Router::new()
        .route("/api/v1/auth", post(login).delete(logout))
        .route("/api/v1/jwt", post(jwt_login))
        .route("/api/v1/jwt/refresh", post(jwt_refresh))
        .route("/api/v1/jwt/revoke", post(jwt_revoke))
        .route("/api/v1/sites", get(sites_list).post(site_create))
        .route("/api/v1/sites/{site_id}", get(site_get).patch(site_update).delete(site_delete))
        .nest("/api/v1/sites/{site_id}", site)
        .route("/api/v1/activity_logs", get(activity_list))
        .route("/api/v1/webhook_endpoints", get(webhooks_list).post(webhook_create))
        .route("/api/v1/webhook_endpoints/{id}", get(webhook_get).patch(webhook_update).delete(webhook_delete))
        .route("/api/v1/me", get(me))
        .route("/api/v1/accounts", get(accounts_list))
        .route("/api/v1/accounts/{id}", get(account_get))
        .route("/api/v1/users", get(users_list))
}

/// The token a request authenticated with, for logout.
#[derive(Clone)]
struct Presented(String);

/// `Authorization: token <api token>` or `Authorization: Bearer <access token>`; the scheme is
/// matched case-insensitively, as Rails' token parser does. Logging in needs no token.
pub(super) fn authorize(sim: &Simulator, req: &mut Request) -> bool {
    let public = ["/api/v1/auth", "/api/v1/jwt", "/api/v1/jwt/refresh"];
    if req.method() == Method::POST && public.contains(&req.uri().path()) {
        return true;
    }
    match auth::scheme(req.headers()) {
        Some((scheme, token)) if sim.lock().accepts(&scheme, &token) => {
            req.extensions_mut().insert(Presented(token));
            true
        }
        _ => false,
    }
}

async fn list<T: Nested>(State(sim): Sim, Path(site_id): Path<String>, page: Page) -> Reply {
    let mut account = sim.lock();
    account.site(&site_id)?;
    let (now, d, per_page) = (account.now, account.job_duration, account.page_size);
    let records = T::all(&mut account).iter().rev();
    let items = records
        .filter(|r| r.keys().0 == site_id)
        .map(|r| r.view(now, d))
        .collect();
    page.respond(items, per_page)
}

async fn show<T: Nested>(State(sim): Sim, Path((site_id, id)): Ids) -> Reply {
    let mut account = sim.lock();
    let (now, d) = (account.now, account.job_duration);
    ok(find::<T>(&mut account, &site_id, &id)?.view(now, d))
}

// ---------------------------------------------------------------------------------------------
// Handlers: authentication

fn check_credentials(account: &Account, body: &Bytes) -> Result<(), Fail> {
    // Devise-style `{"user": {...}}` bodies are accepted as well as bare ones.
    let params = parse(body, "user")?;
    let text = |key| params.get(key).and_then(Value::as_str).unwrap_or("");
    // Devise compares emails case-insensitively. Upstream, an account with two-factor enabled
    // answers 422 `{"error": "otp_attempt_required"}` until `otp_attempt` is sent; the simulated
    // owner has no second factor, so `otp_required`/`otp_attempt` are ignored.
    let email_ok = text("email").eq_ignore_ascii_case(&account.email);
    if email_ok && text("password") == account.password {
        Ok(())
    } else {
        Err(unauthorized("Invalid email or password"))
    }
}

async fn login(State(sim): Sim, body: Bytes) -> Reply {
    let mut account = sim.lock();
    check_credentials(&account, &body)?;
    // Shaped like Rails' `has_secure_token` (24 base58 characters).
    let token = secure_token(24);
    account.api_tokens.insert(token.clone());
    created(json!({"token": token}))
}

/// Revokes whichever token authenticated the request, API or access token alike.
async fn logout(State(sim): Sim, Extension(Presented(token)): Extension<Presented>) -> Reply {
    let mut account = sim.lock();
    account.api_tokens.remove(&token);
    account.access_tokens.remove(&token);
    no_content()
}

async fn jwt_login(State(sim): Sim, body: Bytes) -> Reply {
    let mut account = sim.lock();
    check_credentials(&account, &body)?;
    created(account.issue_pair())
}

/// Rotates the pair: the presented refresh token is spent; the old access token lives on until
/// it expires, as a stateless JWT would.
async fn jwt_refresh(State(sim): Sim, body: Bytes) -> Reply {
    let mut account = sim.lock();
    let params = parse(&body, "jwt")?;
    let presented = params.get("refresh_token").and_then(Value::as_str);
    if !presented.is_some_and(|t| account.refresh_tokens.remove(t)) {
        return Err(unauthorized("Invalid refresh token"));
    }
    ok(account.issue_pair())
}

/// Revoking an unknown token still answers `revoked: true`, as RFC 7009 prescribes.
async fn jwt_revoke(State(sim): Sim, body: Bytes) -> Reply {
    let mut account = sim.lock();
    let token = FIELDS.required_text(&parse(&body, "jwt")?, "token")?;
    account.access_tokens.remove(&token);
    account.refresh_tokens.remove(&token);
    ok(json!({"revoked": true}))
}

// ---------------------------------------------------------------------------------------------
// Handlers: sites

/// Sites are listed oldest first, as the docs' example is the first one created.
async fn sites_list(State(sim): Sim, page: Page) -> Reply {
    let account = sim.lock();
    page.respond(account.sites.clone(), account.page_size)
}

async fn site_get(State(sim): Sim, Path(id): Path<String>) -> Reply {
    ok(sim.lock().site(&id)?.clone())
}

/// A new site reports the versions of the docs' example as its agent's first check-in and is
/// healthy with one passed check (modelled). URLs are unique per account, as a Rails uniqueness
/// validation would make them.
async fn site_create(State(sim): Sim, body: Bytes) -> Reply {
    let params = parse(&body, "site")?;
    let name = FIELDS.required_text(&params, "name")?;
    let url = web_url(FIELDS.required_text(&params, "url")?)?;
    let mut account = sim.lock();
    if account.sites.iter().any(|s| s["url"] == url) {
        return Err(unprocessable("Url has already been taken"));
    }
    let now = SystemTime::now();
    let site = json!({
        "id": new_id("site"), "name": name, "url": url, "status": "healthy",
        "wp_version": "6.5", "php_version": "8.2", "created_at": rfc3339(now)
    });
    account
        .health_checks
        .push(health_check(&site["id"], "passed", now));
    account.record("create", "Site", text(&site["id"]));
    account.sites.push(site.clone());
    created(site)
}

async fn site_update(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Reply {
    let params = parse(&body, "site")?;
    let name = FIELDS.text(&params, "name")?;
    let url = FIELDS.text(&params, "url")?.map(web_url).transpose()?;
    let mut account = sim.lock();
    account.site(&id)?;
    if let Some(url) = &url
        && account
            .sites
            .iter()
            .any(|s| s["url"] == url.as_str() && s["id"] != id)
    {
        return Err(unprocessable("Url has already been taken"));
    }
    let site = find_doc(&mut account.sites, &id)?;
    for (field, value) in [("name", name), ("url", url)] {
        if let Some(value) = value {
            site[field] = json!(value);
        }
    }
    let site = site.clone();
    account.record("update", "Site", &id);
    account.emit("site.updated", site.clone());
    ok(site)
}

/// Destroys the site's health checks, snapshots, pipelines and vulnerability records with it, as
/// `dependent: :destroy` would.
async fn site_delete(State(sim): Sim, Path(id): Path<String>) -> Reply {
    let mut account = sim.lock();
    account.site(&id)?;
    account.sites.retain(|s| s["id"] != id);
    account.health_checks.retain(|c| c.keys().0 != id);
    account.snapshots.retain(|s| s.site_id != id);
    account.pipelines.retain(|p| p.site_id != id);
    account.vulns.retain(|v| v.keys().0 != id);
    account.record("destroy", "Site", &id);
    no_content()
}

// ---------------------------------------------------------------------------------------------
// Handlers: snapshots, pipelines, vulnerabilities

async fn snapshot_create(State(sim): Sim, Path(site_id): Path<String>, body: Bytes) -> Reply {
    let description = FIELDS.text(&parse(&body, "snapshot")?, "description")?;
    let mut account = sim.lock();
    let fails = account.site(&site_id)?["status"] == "down";
    let snap = Snapshot {
        id: new_id("snap"),
        site_id,
        description,
        created_at: SystemTime::now(),
        started: account.now,
        fails,
        size_bytes: 40 * 1024 * 1024 + random_u64() % (200 * 1024 * 1024),
        uploaded: false,
        outcome: None,
    };
    let view = snap.view(account.now, account.job_duration);
    account.record("create", "Snapshot", &snap.id);
    account.snapshots.push(snap);
    account.emit("snapshot.created", view.clone());
    created(view)
}

/// Deleting a snapshot still in progress cancels it.
async fn snapshot_delete(State(sim): Sim, Path((site_id, id)): Ids) -> Reply {
    let mut account = sim.lock();
    find::<Snapshot>(&mut account, &site_id, &id)?;
    account.snapshots.retain(|s| s.id != id);
    account.record("destroy", "Snapshot", &id);
    no_content()
}

/// The archive the site's agent produced: a JSON `{"data": "<base64>"}` body or the raw bytes
/// (modelled: the docs give no body). The upload completes the snapshot with the data's size,
/// whatever state it was in; only the size is kept.
async fn snapshot_upload(
    State(sim): Sim,
    Path((site_id, id)): Ids,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let size = if content_type.is_some_and(|v| v.starts_with("application/json")) {
        let data = FIELDS.required_text(&parse(&body, "snapshot")?, "data")?;
        base64_len(&data).ok_or_else(|| invalid("data"))?
    } else if body.is_empty() {
        return Err(blank("data"));
    } else {
        body.len()
    };
    let mut account = sim.lock();
    let (now, d) = (account.now, account.job_duration);
    let snap = find::<Snapshot>(&mut account, &site_id, &id)?;
    snap.size_bytes = size as u64;
    snap.uploaded = true;
    let newly_completed = snap
        .outcome
        .as_ref()
        .is_none_or(|o| o.status != "completed");
    if newly_completed {
        snap.outcome = Outcome::completed(SystemTime::now());
    }
    let view = snap.view(now, d);
    account.record("upload", "Snapshot", &id);
    if newly_completed {
        account.emit("snapshot.completed", view.clone());
    }
    ok(view)
}

/// `{"plugins": [slugs], "core": bool}`; a pipeline must upgrade something (modelled).
async fn pipeline_create(State(sim): Sim, Path(site_id): Path<String>, body: Bytes) -> Reply {
    let params = parse(&body, "upgrade_pipeline")?;
    let plugins: Vec<String> = match params.get("plugins") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|p| p.as_str().map(str::trim).filter(|p| !p.is_empty()))
            .map(|p| p.map(str::to_string).ok_or_else(|| invalid("plugins")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("plugins")),
    };
    let core = FIELDS.flag(&params, "core")?.unwrap_or(false);
    if plugins.is_empty() && !core {
        return Err(blank("plugins"));
    }
    let mut account = sim.lock();
    let site = account.site(&site_id)?;
    let pipe = Pipeline {
        id: new_id("pipe"),
        site_id,
        plugins,
        core_target: core.then(|| next_minor(text(&site["wp_version"]))),
        created_at: rfc3339(SystemTime::now()),
        approved: None,
        outcome: None,
    };
    let view = pipe.view(account.now, account.job_duration);
    account.record("create", "UpgradePipeline", &pipe.id);
    account.pipelines.push(pipe);
    created(view)
}

async fn pipeline_approve(State(sim): Sim, Path((site_id, id)): Ids) -> Reply {
    let mut account = sim.lock();
    let (now, d) = (account.now, account.job_duration);
    let pipe = find::<Pipeline>(&mut account, &site_id, &id)?;
    if pipe.approved.is_some() {
        return Err(unprocessable("Pipeline is not awaiting approval"));
    }
    pipe.approved = Some((now, SystemTime::now()));
    let view = pipe.view(now, d);
    account.record("approve", "UpgradePipeline", &id);
    account.emit("pipeline.approved", view.clone());
    ok(view)
}

/// `{"status": ...}`, one of the four triage states (modelled).
async fn vuln_update(State(sim): Sim, Path((site_id, id)): Ids, body: Bytes) -> Reply {
    let status = FIELDS.required_text(&parse(&body, "vulnerability_record")?, "status")?;
    if !VULN_STATUSES.contains(&status.as_str()) {
        return Err(unprocessable("Status is not included in the list"));
    }
    let mut account = sim.lock();
    let vuln = find::<Vuln>(&mut account, &site_id, &id)?;
    vuln.0["status"] = json!(status);
    vuln.0["updated_at"] = json!(rfc3339(SystemTime::now()));
    let view = vuln.0.clone();
    account.record("update", "VulnerabilityRecord", &id);
    ok(view)
}

// ---------------------------------------------------------------------------------------------
// Handlers: activity, webhook endpoints, users and accounts

/// Newest first.
async fn activity_list(State(sim): Sim, page: Page) -> Reply {
    let account = sim.lock();
    let items = account.activity.iter().rev().cloned().collect();
    page.respond(items, account.page_size)
}

/// The secret is shown on create, GET and PATCH but left out of lists (modelled).
async fn webhooks_list(State(sim): Sim, page: Page) -> Reply {
    let account = sim.lock();
    let mut items = account.webhooks.clone();
    for item in &mut items {
        item.as_object_mut().map(|hook| hook.remove("secret"));
    }
    page.respond(items, account.page_size)
}

async fn webhook_get(State(sim): Sim, Path(id): Path<String>) -> Reply {
    ok(find_doc(&mut sim.lock().webhooks, &id)?.clone())
}

async fn webhook_create(State(sim): Sim, body: Bytes) -> Reply {
    let params = parse(&body, "webhook_endpoint")?;
    let url = web_url(FIELDS.required_text(&params, "url")?)?;
    let events = event_list(&params)?.ok_or_else(|| blank("events"))?;
    let enabled = FIELDS.flag(&params, "enabled")?.unwrap_or(true);
    let hook = json!({
        "id": new_id("wh"), "url": url, "events": events, "enabled": enabled,
        "secret": format!("whsec_{}", secure_token(32)), "created_at": rfc3339(SystemTime::now())
    });
    let mut account = sim.lock();
    account.record("create", "WebhookEndpoint", text(&hook["id"]));
    account.webhooks.push(hook.clone());
    created(hook)
}

async fn webhook_update(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Reply {
    let params = parse(&body, "webhook_endpoint")?;
    let url = FIELDS.text(&params, "url")?.map(web_url).transpose()?;
    let (events, enabled) = (event_list(&params)?, FIELDS.flag(&params, "enabled")?);
    let mut account = sim.lock();
    let hook = find_doc(&mut account.webhooks, &id)?;
    let changes = [
        ("url", url.map(Value::from)),
        ("events", events.map(Value::from)),
    ];
    for (field, value) in changes
        .into_iter()
        .chain([("enabled", enabled.map(Value::from))])
    {
        if let Some(value) = value {
            hook[field] = value;
        }
    }
    let hook = hook.clone();
    account.record("update", "WebhookEndpoint", &id);
    ok(hook)
}

async fn webhook_delete(State(sim): Sim, Path(id): Path<String>) -> Reply {
    let mut account = sim.lock();
    find_doc(&mut account.webhooks, &id)?;
    account.webhooks.retain(|w| w["id"] != id);
    account.record("destroy", "WebhookEndpoint", &id);
    no_content()
}

/// `events`: a non-empty array of known event names, duplicates dropped; `None` when absent.
fn event_list(params: &Params) -> Result<Option<Vec<String>>, Fail> {
    let items = match params.get("events") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) if items.is_empty() => return Err(blank("events")),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("events")),
    };
    let mut events: Vec<String> = Vec::new();
    for item in items {
        let name = item.as_str().ok_or_else(|| invalid("events"))?;
        if !EVENTS.contains(&name) {
            let message = format!("Events includes unknown event {name}");
            return Err(unprocessable(message));
        }
        if !events.iter().any(|e| e == name) {
            events.push(name.into());
        }
    }
    Ok(Some(events))
}

async fn me(State(sim): Sim) -> Reply {
    ok(users(&sim.lock().email).swap_remove(0))
}

async fn accounts_list(State(sim): Sim, page: Page) -> Reply {
    let per_page = sim.lock().page_size;
    page.respond(accounts(), per_page)
}

async fn account_get(Path(id): Path<String>) -> Reply {
    let found = accounts().into_iter().find(|a| a["id"] == id.as_str());
    ok(found.ok_or_else(not_found)?)
}

async fn users_list(State(sim): Sim, page: Page) -> Reply {
    let account = sim.lock();
    page.respond(users(&account.email), account.page_size)
}

// ---------------------------------------------------------------------------------------------
// Responses, pagination and parameters

/// An error answered as `{"error": "..."}` with its status.
pub(super) fn fail(status: StatusCode, error: impl Into<String>) -> Fail {
    Fail::new(status, json!({"error": error.into()}))
}

fn ok(body: Value) -> Reply {
    Ok(Json(body).into_response())
}

fn created(body: Value) -> Reply {
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn no_content() -> Reply {
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) fn unauthorized(error: &str) -> Fail {
    fail(StatusCode::UNAUTHORIZED, error)
}

pub(super) fn not_found() -> Fail {
    fail(StatusCode::NOT_FOUND, "Record not found")
}

fn unprocessable(error: impl Into<String>) -> Fail {
    fail(StatusCode::UNPROCESSABLE_ENTITY, error)
}

fn blank(field: &str) -> Fail {
    field_fail(field, Problem::Missing)
}

fn invalid(field: &str) -> Fail {
    field_fail(field, Problem::Invalid)
}

fn humanize(field: &str) -> String {
    let mut chars = field.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    first
        .into_iter()
        .chain(chars)
        .collect::<String>()
        .replace('_', " ")
}

/// The requested page (`?page=N`, 1-based; anything else reads as 1, as Kaminari does) and the
/// absolute URL of the list, for `Link`.
struct Page {
    number: usize,
    base: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Page, Infallible> {
        let query = parts.uri.query().unwrap_or("");
        let number = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("page="))
            .and_then(|n| n.parse().ok())
            .filter(|n| *n >= 1)
            .unwrap_or(1);
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok());
        let base = format!("http://{}{}", host.unwrap_or("127.0.0.1"), parts.uri.path());
        Ok(Page { number, base })
    }
}

impl Page {
    /// A plain JSON array of one page, with `X-Total-Count`, `X-Per-Page` and a `Link` header of
    /// first/prev/next/last (modelled on the api-pagination gem; the docs name only `page`).
    fn respond(&self, items: Vec<Value>, per_page: usize) -> Reply {
        let total = items.len();
        let last = total.div_ceil(per_page).max(1);
        let skip = (self.number - 1).saturating_mul(per_page);
        let slice: Vec<Value> = items.into_iter().skip(skip).take(per_page).collect();
        let link = |n: usize, rel: &str| format!("<{}?page={n}>; rel=\"{rel}\"", self.base);
        let mut links = Vec::new();
        if self.number > 1 {
            links.push(link(1, "first"));
            links.push(link((self.number - 1).min(last), "prev"));
        }
        if self.number < last {
            links.push(link(self.number + 1, "next"));
            links.push(link(last, "last"));
        }
        let mut resp = Json(slice).into_response();
        let headers = resp.headers_mut();
        headers.insert("x-total-count", HeaderValue::from(total));
        headers.insert("x-per-page", HeaderValue::from(per_page));
        if !links.is_empty() {
            let value = HeaderValue::from_str(&links.join(", ")).expect("link header is ASCII");
            headers.insert(header::LINK, value);
        }
        Ok(resp)
    }
}

/// An empty body reads as no parameters. Rails' `wrap_parameters` lets callers nest the fields
/// under the resource name (`{"site": {...}}`), so both shapes are accepted. Malformed JSON answers
/// 400 (modelled on Rails' parse error).
fn parse(bytes: &Bytes, root: &str) -> Result<Params, Fail> {
    let mut map =
        json_object(bytes).ok_or_else(|| fail(StatusCode::BAD_REQUEST, "Invalid JSON body"))?;
    Ok(match map.remove(root) {
        Some(Value::Object(inner)) => inner,
        Some(other) => {
            map.insert(root.into(), other);
            map
        }
        None => map,
    })
}

/// An http(s) URL with a host.
fn web_url(url: String) -> Result<String, Fail> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(' ') => Ok(url),
        _ => Err(invalid("url")),
    }
}

/// The decoded length of standard or URL-safe base64 (padding optional, whitespace ignored), or
/// `None` when it is not base64. Only the size of uploaded data is kept, so nothing is decoded.
fn base64_len(text: &str) -> Option<usize> {
    let chars: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let unpadded = chars
        .strip_suffix(b"==")
        .or(chars.strip_suffix(b"="))
        .unwrap_or(&chars);
    let valid = |c: &u8| c.is_ascii_alphanumeric() || b"+/-_".contains(c);
    (unpadded.iter().all(valid) && unpadded.len() % 4 != 1).then(|| unpadded.len() * 3 / 4)
}
