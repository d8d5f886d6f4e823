//! Orchestrix's route table, as rows of the resource engine: sites, the records under them,
//! webhook endpoints, accounts and users are plain collections; logins, snapshots and upgrade
//! pipelines are its own handlers. Its Rails conventions are the engine's dialect here: bodies that
//! may nest the fields under the resource name, 201 on create, 204 on delete, `?page=N` lists with
//! `Link` headers, and `{"error": "..."}` with Rails' full messages.

use super::{
    Simulator,
    flows::{Outcome, Pipeline, Snapshot, emit, next_minor},
    model::{Account, World, new_id, record, secure_token, text},
};
use crate::{
    kit::{
        Absent, Fail, Fields, Problem, auth,
        body::{Params, json_object},
        random::random_u64,
        time::rfc3339,
    },
    resource::{Answer, DELETE, Dialect, GET, Op::*, PATCH, POST, PUT, Req, Row},
};
use axum::{
    Json,
    extract::Request,
    http::{HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime};

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
pub(super) const VULN_STATUSES: [&str; 4] = ["open", "acknowledged", "resolved", "ignored"];

#[rustfmt::skip]
pub(super) fn rows() -> Vec<Row<Account>> {
    vec![
        (POST, "/api/v1/auth", Custom(login)),
        (DELETE, "/api/v1/auth", Custom(logout)),
        (POST, "/api/v1/jwt", Custom(jwt_login)),
        (POST, "/api/v1/jwt/refresh", Custom(jwt_refresh)),
        (POST, "/api/v1/jwt/revoke", Custom(jwt_revoke)),
        (GET, "/api/v1/sites", List("sites")),
        (POST, "/api/v1/sites", Create("sites")),
        (GET, "/api/v1/sites/{site_id}", Show("sites")),
        (PATCH, "/api/v1/sites/{site_id}", Update("sites")),
        (DELETE, "/api/v1/sites/{site_id}", Delete("sites")),
        (GET, "/api/v1/sites/{site_id}/health_checks", List("health_checks")),
        (GET, "/api/v1/sites/{site_id}/health_checks/{id}", Show("health_checks")),
        (GET, "/api/v1/sites/{site_id}/snapshots", Custom(list::<Snapshot>)),
        (POST, "/api/v1/sites/{site_id}/snapshots", Custom(snapshot_create)),
        (GET, "/api/v1/sites/{site_id}/snapshots/{id}", Custom(show::<Snapshot>)),
        (DELETE, "/api/v1/sites/{site_id}/snapshots/{id}", Custom(snapshot_delete)),
        (PUT, "/api/v1/sites/{site_id}/snapshots/{id}/upload", Custom(snapshot_upload)),
        (GET, "/api/v1/sites/{site_id}/upgrade_pipelines", Custom(list::<Pipeline>)),
        (POST, "/api/v1/sites/{site_id}/upgrade_pipelines", Custom(pipeline_create)),
        (GET, "/api/v1/sites/{site_id}/upgrade_pipelines/{id}", Custom(show::<Pipeline>)),
        (POST, "/api/v1/sites/{site_id}/upgrade_pipelines/{id}/approve", Custom(pipeline_approve)),
        (GET, "/api/v1/sites/{site_id}/vulnerability_records", List("vulnerability_records")),
        (GET, "/api/v1/sites/{site_id}/vulnerability_records/{id}", Show("vulnerability_records")),
        (PATCH, "/api/v1/sites/{site_id}/vulnerability_records/{id}", Update("vulnerability_records")),
        (GET, "/api/v1/activity_logs", List("activity_logs")),
        (GET, "/api/v1/webhook_endpoints", List("webhook_endpoints")),
        (POST, "/api/v1/webhook_endpoints", Create("webhook_endpoints")),
        (GET, "/api/v1/webhook_endpoints/{id}", Show("webhook_endpoints")),
        (PATCH, "/api/v1/webhook_endpoints/{id}", Update("webhook_endpoints")),
        (DELETE, "/api/v1/webhook_endpoints/{id}", Delete("webhook_endpoints")),
        (GET, "/api/v1/me", Custom(me)),
        (GET, "/api/v1/accounts", List("accounts")),
        (GET, "/api/v1/accounts/{id}", Show("accounts")),
        (GET, "/api/v1/users", List("users")),
    ]
}

/// `Authorization: token <api token>` or `Authorization: Bearer <access token>`; the scheme is
/// matched case-insensitively, as Rails' token parser does. Logging in needs no token.
pub(super) fn authorize(sim: &Simulator, req: &mut Request) -> bool {
    let world = sim.lock();
    let public = ["/api/v1/auth", "/api/v1/jwt", "/api/v1/jwt/refresh"];
    if req.method() == Method::POST && public.contains(&req.uri().path()) {
        return true;
    }
    let presented = auth::scheme(req.headers());
    presented.is_some_and(|(scheme, token)| world.ext.accepts(world.now, &scheme, &token))
}

// ---------------------------------------------------------------------------------------------
// The dialect

/// Rails as Orchestrix speaks it; lists come `page_size` to a page.
pub(super) struct Rails {
    pub(super) page_size: usize,
}

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

impl Dialect for Rails {
    fn fields(&self) -> &Fields {
        &FIELDS
    }

    fn not_found(&self, _: &str) -> Fail {
        not_found()
    }

    fn params(&self, req: &Req, wrap: Option<&str>) -> Result<Params, Fail> {
        parse(&req.body, wrap)
    }

    fn render(&self, answer: Answer, req: &Req) -> Response {
        match answer {
            Answer::List(items) => page(req, items, self.page_size),
            Answer::Object(object) => Json(object).into_response(),
            Answer::Created(object) => (StatusCode::CREATED, Json(object)).into_response(),
            Answer::Deleted(_) => StatusCode::NO_CONTENT.into_response(),
            Answer::Raw(response) => response,
        }
    }
}

/// One page of a list (`?page=N`, 1-based; anything else reads as 1, as Kaminari does): a plain
/// JSON array with `X-Total-Count`, `X-Per-Page` and a `Link` header of first/prev/next/last
/// (modelled on the api-pagination gem; the docs name only `page`).
fn page(req: &Req, items: Vec<Value>, per_page: usize) -> Response {
    let number = req.query.iter().find(|(k, _)| k == "page");
    let number: usize = number
        .and_then(|(_, n)| n.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(1);
    let host = req.headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let base = format!("http://{}{}", host.unwrap_or("127.0.0.1"), req.path);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let skip = (number - 1).saturating_mul(per_page);
    let slice: Vec<Value> = items.into_iter().skip(skip).take(per_page).collect();
    let link = |n: usize, rel: &str| format!("<{base}?page={n}>; rel=\"{rel}\"");
    let mut links = Vec::new();
    if number > 1 {
        links.push(link(1, "first"));
        links.push(link((number - 1).min(last), "prev"));
    }
    if number < last {
        links.push(link(number + 1, "next"));
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
    resp
}

/// An empty body reads as no parameters. Rails' `wrap_parameters` lets callers nest the fields
/// under the resource name (`{"site": {...}}`), so both shapes are accepted. Malformed JSON answers
/// 400 (modelled on Rails' parse error).
fn parse(bytes: &[u8], wrap: Option<&str>) -> Result<Params, Fail> {
    let mut map =
        json_object(bytes).ok_or_else(|| fail(StatusCode::BAD_REQUEST, "Invalid JSON body"))?;
    let Some(root) = wrap else {
        return Ok(map);
    };
    Ok(match map.remove(root) {
        Some(Value::Object(inner)) => inner,
        Some(other) => {
            map.insert(root.into(), other);
            map
        }
        None => map,
    })
}

// ---------------------------------------------------------------------------------------------
// Field checks of the collections

/// An http(s) URL with a host.
pub(super) fn web_url(url: &Value) -> Result<Value, Fail> {
    let url = text(url);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(' ') => {
            Ok(json!(url))
        }
        _ => Err(invalid("url")),
    }
}

/// `events`: a non-empty array of known event names, duplicates dropped.
pub(super) fn event_list(events: &Value) -> Result<Value, Fail> {
    let items = match events {
        Value::Array(items) if items.is_empty() => return Err(blank("events")),
        Value::Array(items) => items,
        _ => return Err(invalid("events")),
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
    Ok(json!(events))
}

pub(super) fn flag(enabled: &Value) -> Result<Value, Fail> {
    FIELDS.as_flag(enabled, "enabled").map(Value::from)
}

// ---------------------------------------------------------------------------------------------
// Handlers: authentication

fn check_credentials(account: &Account, req: &Req) -> Result<(), Fail> {
    // Devise-style `{"user": {...}}` bodies are accepted as well as bare ones.
    let params = parse(&req.body, Some("user"))?;
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

fn login(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    check_credentials(&world.ext, req)?;
    // Shaped like Rails' `has_secure_token` (24 base58 characters).
    let token = secure_token(24);
    world.ext.api_tokens.insert(token.clone());
    Ok(Answer::Created(json!({"token": token})))
}

/// Revokes whichever token authenticated the request, API or access token alike.
fn logout(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    if let Some((_, token)) = auth::scheme(&req.headers) {
        world.ext.api_tokens.remove(&token);
        world.ext.access_tokens.remove(&token);
    }
    Ok(Answer::Deleted(Value::Null))
}

fn jwt_login(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    check_credentials(&world.ext, req)?;
    Ok(Answer::Created(world.ext.issue_pair(world.now)))
}

/// Rotates the pair: the presented refresh token is spent; the old access token lives on until
/// it expires, as a stateless JWT would.
fn jwt_refresh(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let params = parse(&req.body, Some("jwt"))?;
    let presented = params.get("refresh_token").and_then(Value::as_str);
    if !presented.is_some_and(|t| world.ext.refresh_tokens.remove(t)) {
        return Err(unauthorized("Invalid refresh token"));
    }
    Ok(Answer::Object(world.ext.issue_pair(world.now)))
}

/// Revoking an unknown token still answers `revoked: true`, as RFC 7009 prescribes.
fn jwt_revoke(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let token = FIELDS.required_text(&parse(&req.body, Some("jwt"))?, "token")?;
    world.ext.access_tokens.remove(&token);
    world.ext.refresh_tokens.remove(&token);
    Ok(Answer::Object(json!({"revoked": true})))
}

/// The current user: the account's owner.
fn me(world: &mut World, _: &Req) -> Result<Answer, Fail> {
    let owner = world.store.all("users").first().cloned();
    owner.map(Answer::Object).ok_or_else(not_found)
}

// ---------------------------------------------------------------------------------------------
// Handlers: snapshots and upgrade pipelines

/// Timed work under a site: listed newest first (modelled on Rails' `order(created_at: :desc)`)
/// and found by its site and id.
trait Timed: Sized + 'static {
    fn all(account: &mut Account) -> &mut Vec<Self>;
    fn keys(&self) -> (&str, &str);
    fn view(&self, now: Instant, d: Duration) -> Value;
}

impl Timed for Snapshot {
    fn all(account: &mut Account) -> &mut Vec<Self> {
        &mut account.snapshots
    }
    fn keys(&self) -> (&str, &str) {
        (&self.site_id, &self.id)
    }
    fn view(&self, now: Instant, d: Duration) -> Value {
        Snapshot::view(self, now, d)
    }
}

impl Timed for Pipeline {
    fn all(account: &mut Account) -> &mut Vec<Self> {
        &mut account.pipelines
    }
    fn keys(&self) -> (&str, &str) {
        (&self.site_id, &self.id)
    }
    fn view(&self, now: Instant, d: Duration) -> Value {
        Pipeline::view(self, now, d)
    }
}

/// The site the path names, which must exist.
fn site<'a>(world: &'a World, req: &Req) -> Result<&'a Value, Fail> {
    let id = req.param("site_id").unwrap_or_default();
    world.store.get("sites", id).ok_or_else(not_found)
}

fn find<'a, T: Timed>(world: &'a mut World, req: &Req) -> Result<&'a mut T, Fail> {
    site(world, req)?;
    let keys = (req.param("site_id").unwrap_or_default(), req.id());
    let mut records = T::all(&mut world.ext).iter_mut();
    records.find(|r| r.keys() == keys).ok_or_else(not_found)
}

fn list<T: Timed>(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let site_id = text(&site(world, req)?["id"]).to_string();
    let (now, d) = (world.now, world.ext.job_duration);
    let records = T::all(&mut world.ext).iter().rev();
    let items = records
        .filter(|r| r.keys().0 == site_id)
        .map(|r| r.view(now, d));
    Ok(Answer::List(items.collect()))
}

fn show<T: Timed>(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let (now, d) = (world.now, world.ext.job_duration);
    Ok(Answer::Object(find::<T>(world, req)?.view(now, d)))
}

fn snapshot_create(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let description = FIELDS.text(&parse(&req.body, Some("snapshot"))?, "description")?;
    let site = site(world, req)?;
    let fails = site["status"] == "down";
    let snap = Snapshot {
        id: new_id("snap"),
        site_id: text(&site["id"]).into(),
        description,
        created_at: SystemTime::now(),
        started: world.now,
        fails,
        size_bytes: 40 * 1024 * 1024 + random_u64() % (200 * 1024 * 1024),
        uploaded: false,
        outcome: None,
    };
    let view = snap.view(world.now, world.ext.job_duration);
    record(world, "create", "Snapshot", &json!(snap.id))?;
    world.ext.snapshots.push(snap);
    emit(world, "snapshot.created", view.clone());
    Ok(Answer::Created(view))
}

/// Deleting a snapshot still in progress cancels it.
fn snapshot_delete(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    find::<Snapshot>(world, req)?;
    world.ext.snapshots.retain(|s| s.id != req.id());
    record(world, "destroy", "Snapshot", &json!(req.id()))?;
    Ok(Answer::Deleted(Value::Null))
}

/// The archive the site's agent produced: a JSON `{"data": "<base64>"}` body or the raw bytes
/// (modelled: the docs give no body). The upload completes the snapshot with the data's size,
/// whatever state it was in; only the size is kept.
fn snapshot_upload(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let content_type = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let size = if content_type.is_some_and(|v| v.starts_with("application/json")) {
        let data = FIELDS.required_text(&parse(&req.body, Some("snapshot"))?, "data")?;
        base64_len(&data).ok_or_else(|| invalid("data"))?
    } else if req.body.is_empty() {
        return Err(blank("data"));
    } else {
        req.body.len()
    };
    let (now, d) = (world.now, world.ext.job_duration);
    let snap = find::<Snapshot>(world, req)?;
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
    record(world, "upload", "Snapshot", &json!(req.id()))?;
    if newly_completed {
        emit(world, "snapshot.completed", view.clone());
    }
    Ok(Answer::Object(view))
}

/// `{"plugins": [slugs], "core": bool}`; a pipeline must upgrade something (modelled).
fn pipeline_create(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let params = parse(&req.body, Some("upgrade_pipeline"))?;
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
    let site = site(world, req)?;
    let pipe = Pipeline {
        id: new_id("pipe"),
        site_id: text(&site["id"]).into(),
        plugins,
        core_target: core.then(|| next_minor(text(&site["wp_version"]))),
        created_at: rfc3339(SystemTime::now()),
        approved: None,
        outcome: None,
    };
    let view = pipe.view(world.now, world.ext.job_duration);
    record(world, "create", "UpgradePipeline", &json!(pipe.id))?;
    world.ext.pipelines.push(pipe);
    Ok(Answer::Created(view))
}

fn pipeline_approve(world: &mut World, req: &Req) -> Result<Answer, Fail> {
    let (now, d) = (world.now, world.ext.job_duration);
    let pipe = find::<Pipeline>(world, req)?;
    if pipe.approved.is_some() {
        return Err(unprocessable("Pipeline is not awaiting approval"));
    }
    pipe.approved = Some((now, SystemTime::now()));
    let view = pipe.view(now, d);
    record(world, "approve", "UpgradePipeline", &json!(req.id()))?;
    emit(world, "pipeline.approved", view.clone());
    Ok(Answer::Object(view))
}

// ---------------------------------------------------------------------------------------------
// Responses

/// An error answered as `{"error": "..."}` with its status.
pub(super) fn fail(status: StatusCode, error: impl Into<String>) -> Fail {
    Fail::new(status, json!({"error": error.into()}))
}

pub(super) fn unauthorized(error: &str) -> Fail {
    fail(StatusCode::UNAUTHORIZED, error)
}

fn not_found() -> Fail {
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
