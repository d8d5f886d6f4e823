//! Patchstack's route table and handlers, with the Laravel validation they answer in: the first
//! failing field's message, 422, as `{"error": "..."}`.

use super::{
    Simulator,
    flows::SSO_BASE,
    model::{SECRET_LEN, Site, User, datetime},
};
pub(super) use crate::kit::Fail;
use crate::kit::{
    Absent, Fields, Problem, Reply,
    archive::stored_zip,
    body::{Params, form, is_form, json_object},
    random::{ALNUM, random_string},
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

type Sim = State<Simulator>;
type Id = Path<String>;

const FIELDS: Fields = Fields {
    absent: Absent::NullOrBlank,
    trim: true,
    coerce: true,
    fail: field_fail,
};

/// Laravel's messages, naming a field with underscores read as spaces.
fn field_fail(field: &str, problem: Problem) -> Fail {
    let label = field.replace('_', " ");
    invalid(match problem {
        Problem::Missing => format!("The {label} field is required."),
        Problem::Text => format!("The {label} must be a string."),
        Problem::Email => format!("The {label} must be a valid email address."),
        Problem::Bool => format!("The {label} field must be true or false."),
        Problem::Integer => format!("The {label} must be an integer."),
        _ => format!("The {label} is invalid."),
    })
}

pub(super) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/hosting/user/add", post(user_add))
        .route("/hosting/user/search", post(user_search))
        .route("/hosting/user/{userid}/edit", post(user_edit))
        // The docs write `/user{userid}/delete`, a typo for this path.
        .route("/hosting/user/{userid}/delete", post(user_delete))
        .route("/hosting/user/{userid}/sso", post(user_sso))
        .route("/hosting/user/{userid}/view", get(user_view))
        .route("/hosting/site/add", post(site_add))
        .route("/hosting/site/{siteid}/edit", post(site_edit))
        .route("/hosting/site/{siteid}/delete", post(site_delete))
        .route("/hosting/site/{siteid}/download", get(site_download))
        .route("/hosting/site/{siteid}/view", get(site_view))
}

/// Unknown paths answer in the API's error shape rather than axum's empty 404 (modelled).
pub(super) async fn unknown_route() -> Fail {
    not_found("Not found.")
}

// ---------------------------------------------------------------------------------------------
// Handlers: users

/// Fields are checked in the documented order, so the first failing one is the one named. The
/// email's uniqueness is checked at the email's place, as a Laravel `unique` rule would be.
async fn user_add(State(sim): Sim, headers: HeaderMap, body: Bytes) -> Reply {
    let input = parse_input(&headers, &body);
    let name = FIELDS.required_text(&input, "name")?;
    FIELDS.text(&input, "company")?;
    let email = FIELDS.required_email(&input, "email")?;
    let mut store = sim.lock();
    if store.user_by_email(&email).is_some() {
        return Err(invalid("The email has already been taken."));
    }
    let password = FIELDS.required_text(&input, "password")?;
    if password.chars().count() < 6 {
        return Err(invalid("The password must be at least 6 characters."));
    }
    let confirmation = FIELDS.required_text(&input, "password_confirmation")?;
    if confirmation != password {
        return Err(invalid("The password confirmation does not match."));
    }
    FIELDS.required_flag(&input, "newsletter")?;
    FIELDS.text(&input, "phone")?;
    let id = store.next_user_id;
    store.next_user_id += 1;
    let now = store.now;
    // New users start on the free plan with a year's period (modelled: the docs only show values).
    let user = User {
        name,
        email,
        created_at: now,
        expires_at: now + 365 * 86_400,
        class: "free",
        renew_freq: "annually",
        sso: None,
    };
    store.users.insert(id, user);
    Ok(Json(json!({"id": id})))
}

async fn user_search(State(sim): Sim, headers: HeaderMap, body: Bytes) -> Reply {
    let input = parse_input(&headers, &body);
    let email = FIELDS.required_email(&input, "email")?;
    let store = sim.lock();
    let (id, user) = store
        .user_by_email(&email)
        .ok_or_else(|| not_found("User not found."))?;
    Ok(Json(store.user_view(id, user)))
}

/// An unknown user answers 404 before the body is validated (modelled). Taking another user's email
/// answers 422 as on add (modelled).
async fn user_edit(State(sim): Sim, Path(userid): Id, headers: HeaderMap, body: Bytes) -> Reply {
    let mut store = sim.lock();
    store.user(&userid)?;
    let input = parse_input(&headers, &body);
    let name = FIELDS.text(&input, "name")?;
    FIELDS.text(&input, "company")?;
    let email = FIELDS.get(&input, "email");
    let email = email.map(|v| FIELDS.as_email(v, "email")).transpose()?;
    FIELDS.text(&input, "phone")?;
    FIELDS.flag(&input, "newsletter")?;
    if let Some(email) = &email
        && store
            .user_by_email(email)
            .is_some_and(|(id, _)| id.to_string() != userid)
    {
        return Err(invalid("The email has already been taken."));
    }
    let user = store.user_mut(&userid)?;
    if let Some(name) = name {
        user.name = name;
    }
    if let Some(email) = email {
        user.email = email;
    }
    Ok(success("User updated."))
}

/// Deleting a user deletes their sites with them (modelled: a site cannot outlive its owner).
async fn user_delete(State(sim): Sim, Path(userid): Id) -> Reply {
    let mut store = sim.lock();
    store.user(&userid)?;
    let id: u64 = userid.parse().expect("user() accepted a numeric id");
    store.users.remove(&id);
    store.sites.retain(|_, s| s.user_id != id);
    Ok(success("User deleted."))
}

async fn user_sso(State(sim): Sim, Path(userid): Id) -> Reply {
    let mut store = sim.lock();
    let now = store.now;
    let token = store.user_mut(&userid)?.sso_token(now);
    Ok(Json(json!({
        "url": format!("{SSO_BASE}{}", token.token),
        "expires_at": datetime(token.expires_at),
    })))
}

async fn user_view(State(sim): Sim, Path(userid): Id) -> Reply {
    let store = sim.lock();
    let user = store.user(&userid)?;
    let id: u64 = userid.parse().expect("user() accepted a numeric id");
    let mut view = store.user_view(id, user);
    // The docs show the add-ons as the strings "true"/"false"; no API call buys them.
    view["addon_mr"] = json!("false");
    view["addon_wl"] = json!("false");
    let sites: Vec<Value> = store
        .sites_of(id)
        .map(|(id, s)| json!({"id": id, "url": s.url}))
        .collect();
    Ok(Json(json!({"user": view, "sites": sites})))
}

// ---------------------------------------------------------------------------------------------
// Handlers: sites

/// The body is validated before the user is looked up; a valid but unknown userid answers 404.
async fn site_add(State(sim): Sim, headers: HeaderMap, body: Bytes) -> Reply {
    let input = parse_input(&headers, &body);
    let url = required_url(&input)?;
    let user_id = FIELDS.required_integer(&input, "userid")?;
    let strict = FIELDS.flag(&input, "strict")?.unwrap_or(false);
    let mut store = sim.lock();
    if !store.users.contains_key(&user_id) {
        return Err(not_found("User not found."));
    }
    if strict && store.url_taken(&url) {
        return Err(invalid("This site has already been added to Patchstack."));
    }
    let id = store.next_site_id;
    store.next_site_id += 1;
    let secret = random_alnum(SECRET_LEN);
    let site = Site {
        user_id,
        url,
        created_day: store.today(),
        secret: secret.clone(),
        software: &[],
    };
    store.sites.insert(id, site);
    Ok(Json(json!({
        "success": "Site added.",
        "siteid": id,
        "api": {"id": id, "secret": secret},
    })))
}

/// An unknown site answers 404 before the body is validated (modelled).
async fn site_edit(State(sim): Sim, Path(siteid): Id, headers: HeaderMap, body: Bytes) -> Reply {
    let mut store = sim.lock();
    let (id, _) = store.site(&siteid)?;
    let url = required_url(&parse_input(&headers, &body))?;
    let site = store.sites.get_mut(&id).expect("site() found this id");
    site.url = url;
    Ok(success("Site updated."))
}

async fn site_delete(State(sim): Sim, Path(siteid): Id) -> Reply {
    let mut store = sim.lock();
    let (id, _) = store.site(&siteid)?;
    store.sites.remove(&id);
    Ok(success("Site deleted."))
}

/// The plugin zip with the site's API keys hardcoded, as the docs describe. The real archive is the
/// whole plugin; this one holds only the config file that makes it site-specific (modelled).
async fn site_download(State(sim): Sim, Path(siteid): Id) -> Result<Response, Fail> {
    // Dated 2023-07-31 (the docs' last update), so the same site always downloads the same bytes.
    const DOS_DATE: u16 = ((2023 - 1980) << 9) | (7 << 5) | 31;
    let store = sim.lock();
    let (id, site) = store.site(&siteid)?;
    let config = format!(
        "<?php\n\
         // Patchstack plugin configuration for site {id} ({url}).\n\
         // This file is specific to that site and must not be installed on another.\n\
         define('PATCHSTACK_API_ID', {id});\n\
         define('PATCHSTACK_API_SECRET', '{secret}');\n",
        url = site.url,
        secret = site.secret,
    );
    let zip = stored_zip("patchstack/config.php", config.as_bytes(), DOS_DATE);
    let headers = [
        (header::CONTENT_TYPE, "application/zip".to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"patchstack-{id}.zip\""),
        ),
    ];
    Ok((headers, zip).into_response())
}

async fn site_view(State(sim): Sim, Path(siteid): Id) -> Reply {
    let store = sim.lock();
    let (id, site) = store.site(&siteid)?;
    Ok(Json(store.site_view(id, site)))
}

// ---------------------------------------------------------------------------------------------
// Helpers: responses and validation

/// A Patchstack error: the status and the message of `{"error": ...}`.
pub(super) fn fail(status: StatusCode, error: impl Into<String>) -> Fail {
    Fail::new(status, json!({"error": error.into()}))
}

fn success(message: &str) -> Json<Value> {
    Json(json!({"success": message}))
}

pub(super) fn not_found(error: impl Into<String>) -> Fail {
    fail(StatusCode::NOT_FOUND, error)
}

fn invalid(error: impl Into<String>) -> Fail {
    fail(StatusCode::UNPROCESSABLE_ENTITY, error)
}

/// The request's fields, from a form-encoded or JSON body as Laravel accepts either. A body that is
/// neither reads as no fields, as Laravel's request does, so validation names what is missing.
fn parse_input(headers: &HeaderMap, body: &Bytes) -> Params {
    if is_form(headers) {
        return form(body);
    }
    json_object(body).unwrap_or_default()
}

fn required_url(input: &Params) -> Result<String, Fail> {
    FIELDS
        .required(input, "url")?
        .as_str()
        .map(str::trim)
        .filter(|s| url_host(s).is_some())
        .map(str::to_string)
        .ok_or_else(|| invalid("The url must be a valid URL."))
}

/// The lowercased host of an `http(s)://` URL, or None when the text is not such a URL.
fn url_host(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => authority,
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let valid = host.split('.').all(label_ok) && !url.chars().any(char::is_whitespace);
    valid.then(|| host.to_string())
}

pub(super) fn random_alnum(len: usize) -> String {
    random_string(ALNUM, len)
}
