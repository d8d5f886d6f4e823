//! The stateful Patchstack simulator used by the adapter tests and `hostplane demo`: the 11
//! documented Hosting API routes (under `/hosting/`) over an in-memory account of users and their
//! sites, seeded with the data the docs' examples show. Time-bound state (SSO tokens) is settled
//! lazily at the start of every request, so no background task exists and the simulator works under
//! any runtime.
//!
//! Patchstack is a Laravel app: bodies may be JSON or form-encoded, validation failures answer 422
//! with the first failing field's Laravel message, and every error is `{"error": "<message>"}`.
//! Where the docs are silent the behaviour is modelled on what the request and resource imply; each
//! such place says so in a comment.
use crate::SimServer;
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Map, Value, json};
use std::{
    collections::BTreeMap,
    hash::{BuildHasher, RandomState},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

/// How long an SSO token stays valid, as documented.
const SSO_TTL_SECS: u64 = 24 * 60 * 60;
/// The portal the SSO URLs point at; the simulator does not serve it.
const SSO_BASE: &str = "https://app.patchstack.com/sso/";
/// The site view reports one attack count per day for this many days, ending today.
const ATTACK_WINDOW_DAYS: i64 = 30;
/// The length of the per-site API secret, as in the docs' example.
const SECRET_LEN: usize = 40;
/// The seeded site the docs' site-view example shows, with that example's secret.
const DOC_SECRET: &str = "D4ajwfPddOQ6VAhhPYCOR5sggkpe9byNsSCobxxP";

const USER_NOT_FOUND: &str = "User not found.";
const SITE_NOT_FOUND: &str = "Site not found.";

/// How the simulator authenticates callers.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub token: String,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            token: "sim-patchstack-token".into(),
        }
    }
}

/// A handle on one simulated Patchstack hosting account; clones share the same users and sites.
#[derive(Clone)]
pub struct Simulator {
    token: Arc<str>,
    state: Arc<Mutex<Store>>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        Simulator {
            token: config.token.into(),
            state: Arc::new(Mutex::new(Store::seeded())),
        }
    }

    /// All 11 documented routes, each behind the `HostToken` check.
    pub fn router(&self) -> Router {
        routes()
            .route_layer(middleware::from_fn_with_state(self.clone(), authorize))
            .fallback(unknown_route)
            .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        let sim = Simulator::new(config);
        let server = SimServer::start(sim.router(), ([127, 0, 0, 1], 0).into()).await?;
        Ok((sim, server))
    }

    /// The ids of the users that exist right now, ascending.
    pub fn user_ids(&self) -> Vec<u64> {
        self.lock().users.keys().copied().collect()
    }

    /// The ids of the sites that exist right now (of every user), ascending.
    pub fn site_ids(&self) -> Vec<u64> {
        self.lock().sites.keys().copied().collect()
    }

    /// Locks the store with expired SSO tokens dropped, so every handler sees the present.
    fn lock(&self) -> MutexGuard<'_, Store> {
        let mut store = self
            .state
            .lock()
            .expect("patchstack simulator state lock poisoned");
        store.settle(unix_now());
        store
    }
}

// ---------------------------------------------------------------------------------------------
// State

struct Store {
    /// When the current request settled the store (Unix seconds): every view reads time at this
    /// instant, so an SSO token never reads as valid after it was dropped.
    now: u64,
    users: BTreeMap<u64, User>,
    sites: BTreeMap<u64, Site>,
    next_user_id: u64,
    next_site_id: u64,
}

/// A portal user. The password, company, phone and newsletter flag are validated but not kept: no
/// documented response reads them back, so keeping them would only be dead state.
struct User {
    name: String,
    email: String,
    /// Unix seconds.
    created_at: u64,
    /// Unix seconds; the end of the current plan period.
    expires_at: u64,
    class: &'static str,
    renew_freq: &'static str,
    /// The one unused, unexpired SSO token the docs allow per user.
    sso: Option<SsoToken>,
}

struct SsoToken {
    token: String,
    /// Unix seconds.
    expires_at: u64,
}

struct Site {
    user_id: u64,
    /// As the caller gave it; `normalised_url` is what duplicates are compared by.
    url: String,
    /// Days since the Unix epoch.
    created_day: i64,
    secret: String,
    /// What the site's plugin has reported. A site added through the API has no plugin installed
    /// yet, so it reports nothing (modelled).
    software: &'static [Software],
}

/// One entry of a site's software inventory. "Outdated" is derived from there being a newer
/// version, as in every entry of the docs' example, so the counts can never disagree.
struct Software {
    name: &'static str,
    kind: &'static str,
    version: &'static str,
    version_new: Option<&'static str>,
    slug: Option<&'static str>,
    is_active: bool,
    is_vulnerable: bool,
}

impl Software {
    const fn new(name: &'static str, kind: &'static str, version: &'static str) -> Software {
        Software {
            name,
            kind,
            version,
            version_new: None,
            slug: None,
            is_active: true,
            is_vulnerable: false,
        }
    }

    const fn slug(mut self, slug: &'static str) -> Software {
        self.slug = Some(slug);
        self
    }

    const fn inactive(mut self) -> Software {
        self.is_active = false;
        self
    }

    const fn newer(mut self, version: &'static str) -> Software {
        self.version_new = Some(version);
        self
    }

    const fn vulnerable(mut self) -> Software {
        self.is_vulnerable = true;
        self
    }

    fn is_outdated(&self) -> bool {
        self.version_new.is_some()
    }

    fn view(&self) -> Value {
        json!({
            "name": self.name, "type": self.kind, "version": self.version,
            "version_new": self.version_new, "slug": self.slug, "is_active": self.is_active,
            "is_outdated": self.is_outdated(), "is_vulnerable": self.is_vulnerable
        })
    }
}

/// The docs' site-view example inventory (site 315).
const DOC_SOFTWARE: &[Software] = &[
    Software::new("PHP", "php", "7.4.3"),
    Software::new("Akismet Anti-Spam", "plugin", "5.0")
        .newer("5.0.1")
        .slug("akismet")
        .inactive(),
    Software::new("Hello Dolly", "plugin", "1.7.2")
        .slug("hello.php")
        .inactive(),
    Software::new("Patchstack Security", "plugin", "2.1.22").slug("patchstack"),
    Software::new("Twenty Twenty", "theme", "2.0").slug("twentytwenty"),
    Software::new("Twenty Twenty-One", "theme", "1.6").slug("twentytwentyone"),
    Software::new("Twenty Twenty-Two", "theme", "1.2").slug("twentytwentytwo"),
    Software::new("WordPress", "wordpress", "6.0.2")
        .newer("6.0.3")
        .vulnerable(),
];

/// Seeded so a vulnerable *plugin* exists somewhere too.
const TEST1_SOFTWARE: &[Software] = &[
    Software::new("PHP", "php", "8.1.2"),
    Software::new("Contact Form 7", "plugin", "5.3.1")
        .newer("5.3.2")
        .slug("contact-form-7")
        .vulnerable(),
    Software::new("Patchstack Security", "plugin", "2.1.22").slug("patchstack"),
    Software::new("Twenty Twenty-Two", "theme", "1.2").slug("twentytwentytwo"),
    Software::new("WordPress", "wordpress", "6.0.3"),
];

/// Seeded so one site is fully up to date.
const BLOG_SOFTWARE: &[Software] = &[
    Software::new("PHP", "php", "8.2.0"),
    Software::new("Patchstack Security", "plugin", "2.1.22").slug("patchstack"),
    Software::new("Twenty Twenty-Three", "theme", "1.1").slug("twentytwentythree"),
    Software::new("WordPress", "wordpress", "6.2"),
];

impl Store {
    fn seeded() -> Store {
        let at = |y, m, d, secs: u64| days_from_civil(y, m, d) as u64 * 86_400 + secs;
        let user = |name: &str, email: &str, created_at, expires_at, class, renew_freq| User {
            name: name.into(),
            email: email.into(),
            created_at,
            expires_at,
            class,
            renew_freq,
            sso: None,
        };
        let site = |user_id, url: &str, created_day, secret: &str, software| Site {
            user_id,
            url: url.into(),
            created_day,
            secret: secret.into(),
            software,
        };
        let dave = user(
            "Dave",
            "support@patchstack.com",
            at(2017, 10, 19, 0),
            at(2025, 1, 1, 11 * 3600 + 11 * 60 + 11),
            "premium",
            "monthly",
        );
        let erin = user(
            "Erin",
            "erin@example.com",
            at(2021, 3, 2, 9 * 3600 + 30 * 60),
            at(2027, 3, 2, 9 * 3600 + 30 * 60),
            "free",
            "annually",
        );
        // Fixed secrets keep the seeded downloads and views deterministic.
        let sites = [
            (
                315,
                site(
                    1,
                    "https://my-site.com",
                    days_from_civil(2019, 1, 1),
                    DOC_SECRET,
                    DOC_SOFTWARE,
                ),
            ),
            (
                16106,
                site(
                    1,
                    "http://test1.com",
                    days_from_civil(2020, 5, 14),
                    "k9Qx2LmPz7VtR4sWc8YhN1bJd6FgA3eUo5iKq0Tn",
                    TEST1_SOFTWARE,
                ),
            ),
            (
                400,
                site(
                    2,
                    "https://blog.example.org",
                    days_from_civil(2021, 3, 2),
                    "Zr7Wm2Qp9XkL4vNc1BtH8sYd3GfJ6aUe0oPiT5qE",
                    BLOG_SOFTWARE,
                ),
            ),
        ];
        Store {
            now: unix_now(),
            users: BTreeMap::from([(1, dave), (2, erin)]),
            sites: BTreeMap::from(sites),
            next_user_id: 3,
            next_site_id: 16107,
        }
    }

    /// Drops the SSO tokens that have expired, so the next request for one issues a fresh token.
    fn settle(&mut self, now: u64) {
        self.now = now;
        for user in self.users.values_mut() {
            if user.sso.as_ref().is_some_and(|t| t.expires_at <= now) {
                user.sso = None;
            }
        }
    }

    fn today(&self) -> i64 {
        (self.now / 86_400) as i64
    }

    fn user(&self, id: &str) -> Result<&User, Fail> {
        id.parse()
            .ok()
            .and_then(|id| self.users.get(&id))
            .ok_or_else(|| not_found(USER_NOT_FOUND))
    }

    fn user_mut(&mut self, id: &str) -> Result<&mut User, Fail> {
        id.parse()
            .ok()
            .and_then(|id| self.users.get_mut(&id))
            .ok_or_else(|| not_found(USER_NOT_FOUND))
    }

    fn site(&self, id: &str) -> Result<(u64, &Site), Fail> {
        id.parse()
            .ok()
            .and_then(|id| self.sites.get(&id).map(|s| (id, s)))
            .ok_or_else(|| not_found(SITE_NOT_FOUND))
    }

    /// The user with this email, compared case-insensitively as MySQL's default collation does.
    fn user_by_email(&self, email: &str) -> Option<(u64, &User)> {
        self.users
            .iter()
            .find(|(_, u)| u.email.eq_ignore_ascii_case(email))
            .map(|(id, u)| (*id, u))
    }

    fn sites_of(&self, user_id: u64) -> impl Iterator<Item = (u64, &Site)> {
        self.sites
            .iter()
            .filter(move |(_, s)| s.user_id == user_id)
            .map(|(id, s)| (*id, s))
    }

    /// The attacks blocked for a user: the sum over their sites' attack windows (modelled; the
    /// docs' two examples disagree, and this keeps the user, search and site views consistent).
    fn blocked_attacks(&self, user_id: u64) -> u64 {
        let today = self.today();
        self.sites_of(user_id)
            .map(|(id, s)| {
                attack_window(id, s, today)
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<u64>()
            })
            .sum()
    }

    /// The user object `user/search` answers and `user/{id}/view` nests.
    fn user_view(&self, id: u64, user: &User) -> Value {
        json!({
            "id": id,
            "name": user.name,
            "email": user.email,
            "created_at": iso_datetime(user.created_at),
            "blocked_attacks": self.blocked_attacks(id),
            "expires_at": datetime(user.expires_at),
            "class": user.class,
            "renew_freq": user.renew_freq,
        })
    }

    fn site_view(&self, id: u64, site: &Site) -> Value {
        let today = self.today();
        let attacks: Vec<Value> = attack_window(id, site, today)
            .into_iter()
            .map(|(day, num)| json!({"num": num, "dateday": date(day)}))
            .collect();
        let owner = self.users.get(&site.user_id);
        let user = owner.map_or(Value::Null, |u| {
            json!({
                "id": site.user_id,
                "name": u.name,
                "email": u.email,
                "created_at": iso_datetime(u.created_at),
                "site_count": self.sites_of(site.user_id).count(),
                "blocked_attacks": self.blocked_attacks(site.user_id),
            })
        });
        let software: Vec<Value> = site.software.iter().map(Software::view).collect();
        let outdated = site.software.iter().filter(|s| s.is_outdated()).count();
        let vulnerable = site.software.iter().filter(|s| s.is_vulnerable).count();
        json!({
            "id": id,
            "url": site.url,
            "created_at": date(site.created_day),
            "user": user,
            "attacks": attacks,
            "api": {"id": id, "secret": site.secret},
            "software": software,
            // The docs' example answers 1 although only WordPress core is vulnerable there, so any
            // vulnerable software counts (modelled).
            "has_vuln_plugin": u8::from(vulnerable > 0),
            "software_outdated": outdated,
            "software_vulnerable": vulnerable,
        })
    }

    /// Whether a site with this URL is registered by anyone, for `strict` adds.
    fn url_taken(&self, url: &str) -> bool {
        let wanted = normalised_url(url);
        self.sites
            .values()
            .any(|s| normalised_url(&s.url) == wanted)
    }
}

/// The per-day attack counts of the window ending today: deterministic pseudo-random numbers per
/// site and day, mostly zero with occasional spikes like the docs' example. Days up to and
/// including the day the site was added count zero, as no plugin could have blocked anything yet
/// (modelled).
fn attack_window(id: u64, site: &Site, today: i64) -> Vec<(i64, u64)> {
    (today - ATTACK_WINDOW_DAYS + 1..=today)
        .map(|day| {
            let num = if day > site.created_day {
                attacks_on(id, day)
            } else {
                0
            };
            (day, num)
        })
        .collect()
}

fn attacks_on(site_id: u64, day: i64) -> u64 {
    let r = splitmix64(site_id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ day as u64);
    let spread = r >> 8;
    match r % 100 {
        0..70 => 0,
        70..90 => 1 + spread % 5,
        90..98 => 6 + spread % 35,
        _ => 100 + spread % 500,
    }
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

// ---------------------------------------------------------------------------------------------
// Route table

fn routes() -> Router<Simulator> {
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

/// The docs name the `HostToken` header but not the 401 body; this one is Laravel's default
/// unauthenticated message (modelled).
async fn authorize(State(sim): Sim, req: Request, next: Next) -> Response {
    let presented = req.headers().get("hosttoken").and_then(|v| v.to_str().ok());
    if presented == Some(&*sim.token) {
        next.run(req).await
    } else {
        Fail(StatusCode::UNAUTHORIZED, "Unauthenticated.".into()).into_response()
    }
}

/// Unknown paths answer in the API's error shape rather than axum's empty 404 (modelled).
async fn unknown_route() -> Fail {
    not_found("Not found.")
}

// ---------------------------------------------------------------------------------------------
// Handlers: users

/// Fields are checked in the documented order, so the first failing one is the one named. The
/// email's uniqueness is checked at the email's place, as a Laravel `unique` rule would be.
async fn user_add(State(sim): Sim, headers: HeaderMap, body: Bytes) -> Reply {
    let input = parse_input(&headers, &body);
    let name = required_string(&input, "name")?;
    optional_string(&input, "company")?;
    let email = required_email(&input, "email")?;
    let mut store = sim.lock();
    if store.user_by_email(&email).is_some() {
        return Err(invalid("The email has already been taken."));
    }
    let password = required_string(&input, "password")?;
    if password.chars().count() < 6 {
        return Err(invalid("The password must be at least 6 characters."));
    }
    let confirmation = required_string(&input, "password_confirmation")?;
    if confirmation != password {
        return Err(invalid("The password confirmation does not match."));
    }
    required_bool(&input, "newsletter")?;
    optional_string(&input, "phone")?;
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
    let email = required_email(&input, "email")?;
    let store = sim.lock();
    let (id, user) = store
        .user_by_email(&email)
        .ok_or_else(|| not_found(USER_NOT_FOUND))?;
    Ok(Json(store.user_view(id, user)))
}

/// An unknown user answers 404 before the body is validated (modelled). Taking another user's email
/// answers 422 as on add (modelled).
async fn user_edit(State(sim): Sim, Path(userid): Id, headers: HeaderMap, body: Bytes) -> Reply {
    let mut store = sim.lock();
    store.user(&userid)?;
    let input = parse_input(&headers, &body);
    let name = optional_string(&input, "name")?;
    optional_string(&input, "company")?;
    let email = match present(&input, "email") {
        Some(v) => Some(email_value(v, "email")?),
        None => None,
    };
    optional_string(&input, "phone")?;
    if present(&input, "newsletter").is_some() {
        required_bool(&input, "newsletter")?;
    }
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

/// "Each user can only have 1 non-expired and unused token": while one exists it is answered again.
/// The simulator does not serve the portal, so a token is never used up, only expired.
async fn user_sso(State(sim): Sim, Path(userid): Id) -> Reply {
    let mut store = sim.lock();
    let now = store.now;
    let user = store.user_mut(&userid)?;
    let token = user.sso.get_or_insert_with(|| SsoToken {
        token: random_alnum(64),
        expires_at: now + SSO_TTL_SECS,
    });
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
    let user_id = required_integer(&input, "userid")?;
    let strict = match present(&input, "strict") {
        Some(_) => required_bool(&input, "strict")?,
        None => false,
    };
    let mut store = sim.lock();
    if !store.users.contains_key(&user_id) {
        return Err(not_found(USER_NOT_FOUND));
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
    let zip = stored_zip("patchstack/config.php", config.as_bytes());
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
struct Fail(StatusCode, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

type Reply = Result<Json<Value>, Fail>;
type Sim = State<Simulator>;
type Id = Path<String>;

fn success(message: &str) -> Json<Value> {
    Json(json!({"success": message}))
}

fn not_found(error: impl Into<String>) -> Fail {
    Fail(StatusCode::NOT_FOUND, error.into())
}

fn invalid(error: impl Into<String>) -> Fail {
    Fail(StatusCode::UNPROCESSABLE_ENTITY, error.into())
}

/// Laravel names a field in messages with underscores read as spaces.
fn label(field: &str) -> String {
    field.replace('_', " ")
}

/// The request's fields, from a form-encoded or JSON body as Laravel accepts either. A body that is
/// neither reads as no fields, as Laravel's request does, so validation names what is missing.
fn parse_input(headers: &HeaderMap, body: &Bytes) -> Map<String, Value> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let text = String::from_utf8_lossy(body);
        return text
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (form_decode(k), Value::String(form_decode(v)))
            })
            .collect();
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Percent-decoding with `+` as space, as `application/x-www-form-urlencoded` encodes.
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A field that is present in Laravel's sense: its middleware trims strings and turns empty ones
/// into null, and `required` rejects null.
fn present<'a>(input: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    input
        .get(field)
        .filter(|v| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
}

fn required<'a>(input: &'a Map<String, Value>, field: &str) -> Result<&'a Value, Fail> {
    present(input, field).ok_or_else(|| invalid(format!("The {} field is required.", label(field))))
}

fn string_value(v: &Value, field: &str) -> Result<String, Fail> {
    v.as_str()
        .map(|s| s.trim().to_string())
        .ok_or_else(|| invalid(format!("The {} must be a string.", label(field))))
}

fn required_string(input: &Map<String, Value>, field: &str) -> Result<String, Fail> {
    string_value(required(input, field)?, field)
}

fn optional_string(input: &Map<String, Value>, field: &str) -> Result<Option<String>, Fail> {
    present(input, field)
        .map(|v| string_value(v, field))
        .transpose()
}

fn email_value(v: &Value, field: &str) -> Result<String, Fail> {
    v.as_str()
        .map(str::trim)
        .filter(|s| is_email(s))
        .map(str::to_string)
        .ok_or_else(|| {
            invalid(format!(
                "The {} must be a valid email address.",
                label(field)
            ))
        })
}

fn required_email(input: &Map<String, Value>, field: &str) -> Result<String, Fail> {
    email_value(required(input, field)?, field)
}

/// Laravel's `boolean` accepts true/false, 0/1 and "0"/"1". The strings "true"/"false" are accepted
/// too, since the docs spell `strict` that way and a form-encoded caller can only send strings
/// (modelled).
fn required_bool(input: &Map<String, Value>, field: &str) -> Result<bool, Fail> {
    let parsed = match required(input, field)? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.trim() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| invalid(format!("The {} field must be true or false.", label(field))))
}

/// Laravel's `integer` accepts numbers and numeric strings alike.
fn required_integer(input: &Map<String, Value>, field: &str) -> Result<u64, Fail> {
    let parsed = match required(input, field)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| invalid(format!("The {} must be an integer.", label(field))))
}

fn required_url(input: &Map<String, Value>) -> Result<String, Fail> {
    required(input, "url")?
        .as_str()
        .map(str::trim)
        .filter(|s| url_host(s).is_some())
        .map(str::to_string)
        .ok_or_else(|| invalid("The url must be a valid URL."))
}

/// One `@` between a non-empty local part and a dotted-or-single-label domain, no whitespace: the
/// shape Laravel's RFC `email` rule accepts for everyday addresses.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    !local.is_empty() && !s.chars().any(char::is_whitespace) && domain.split('.').all(label_ok)
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

/// The form duplicates are compared in: scheme and host lowercased, no trailing slash.
fn normalised_url(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    match url.find("://") {
        Some(at) => {
            let rest = &url[at + 3..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                url[..at].to_ascii_lowercase(),
                rest[..end].to_ascii_lowercase(),
                &rest[end..]
            )
        }
        None => url.to_ascii_lowercase(),
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers: the zip archive

/// A single-entry zip archive with the entry stored uncompressed: local file header, data, central
/// directory and end record, as PKWARE's APPNOTE lays them out. Timestamps are fixed so the same
/// site always downloads the same bytes.
fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    // DOS date 2023-07-31 00:00:00 (the docs' last update).
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = ((2023 - 1980) << 9) | (7 << 5) | 31;
    const VERSION: u16 = 10; // 1.0: stored entries need nothing newer.
    let crc = crc32(data);
    let size = u32::try_from(data.len()).expect("the config file is far below 4 GiB");
    let name_len = u16::try_from(name.len()).expect("the entry name is short");
    let mut zip = Vec::with_capacity(data.len() + 2 * name.len() + 98);
    let put16 = |zip: &mut Vec<u8>, v: u16| zip.extend_from_slice(&v.to_le_bytes());
    let put32 = |zip: &mut Vec<u8>, v: u32| zip.extend_from_slice(&v.to_le_bytes());

    put32(&mut zip, 0x0403_4b50);
    for v in [VERSION, 0, 0, DOS_TIME, DOS_DATE] {
        put16(&mut zip, v); // version needed, flags, method (stored), time, date
    }
    for v in [crc, size, size] {
        put32(&mut zip, v); // crc, compressed size, uncompressed size
    }
    put16(&mut zip, name_len);
    put16(&mut zip, 0); // extra field length
    zip.extend_from_slice(name.as_bytes());
    zip.extend_from_slice(data);

    let central_at = u32::try_from(zip.len()).expect("the archive is far below 4 GiB");
    put32(&mut zip, 0x0201_4b50);
    for v in [20, VERSION, 0, 0, DOS_TIME, DOS_DATE] {
        put16(&mut zip, v); // made by, version needed, flags, method, time, date
    }
    for v in [crc, size, size] {
        put32(&mut zip, v);
    }
    for v in [name_len, 0, 0, 0, 0] {
        put16(&mut zip, v); // name, extra and comment lengths, disk number, internal attributes
    }
    put32(&mut zip, 0); // external attributes
    put32(&mut zip, 0); // offset of the local header
    zip.extend_from_slice(name.as_bytes());
    let central_len =
        u32::try_from(zip.len()).expect("the archive is far below 4 GiB") - central_at;

    put32(&mut zip, 0x0605_4b50);
    for v in [0, 0, 1, 1] {
        put16(&mut zip, v); // this disk, central directory disk, entries here, entries in all
    }
    put32(&mut zip, central_len);
    put32(&mut zip, central_at);
    put16(&mut zip, 0); // comment length
    zip
}

/// CRC-32 (IEEE 802.3, reflected, as zip uses), bit by bit: the archive is small.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

// ---------------------------------------------------------------------------------------------
// Helpers: time and randomness

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `Y-m-d`, as the site view's dates.
fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `Y-m-d H:i:s` in UTC, as the docs' `expires_at` values.
fn datetime(secs: u64) -> String {
    let s = secs % 86_400;
    format!(
        "{} {:02}:{:02}:{:02}",
        date((secs / 86_400) as i64),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Laravel's JSON timestamp form, as the docs' `created_at` values: `2017-10-19T00:00:00.000000Z`.
fn iso_datetime(secs: u64) -> String {
    datetime(secs).replacen(' ', "T", 1) + ".000000Z"
}

/// Random enough for secrets and tokens without a `rand` dependency: std's SipHash keys are seeded
/// randomly per process, and a counter keeps successive values distinct.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn random_alnum(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tests

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "test-token";

    /// A running simulator and a caller that sends `HostToken` and prefixes `/hosting/`.
    struct Api {
        sim: Simulator,
        server: SimServer,
        client: reqwest::Client,
    }

    impl Api {
        async fn boot() -> Api {
            let config = SimConfig {
                token: TOKEN.into(),
            };
            let (sim, server) = Simulator::start(config).await.unwrap();
            Api {
                sim,
                server,
                client: reqwest::Client::new(),
            }
        }

        fn url(&self, path: &str) -> String {
            format!("{}/hosting/{path}", self.server.base_url())
        }

        async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
            let resp = req.header("HostToken", TOKEN).send().await.unwrap();
            (resp.status().as_u16(), resp.json().await.unwrap())
        }

        async fn get(&self, path: &str) -> (u16, Value) {
            self.send(self.client.get(self.url(path))).await
        }

        async fn post(&self, path: &str, body: Value) -> (u16, Value) {
            self.send(self.client.post(self.url(path)).json(&body))
                .await
        }
    }

    fn new_user(email: &str) -> Value {
        json!({
            "name": "Frank", "company": "Acme", "email": email, "password": "secret1",
            "password_confirmation": "secret1", "newsletter": 0, "phone": "+31 20 000 0000"
        })
    }

    fn error(message: &str) -> Value {
        json!({ "error": message })
    }

    /// A missing or wrong `HostToken` gets 401 with Laravel's unauthenticated body.
    #[tokio::test]
    async fn unauthorized() {
        let api = Api::boot().await;
        let client = &api.client;
        let view = api.url("user/1/view");
        let add = api.url("site/add");
        for req in [
            client.get(&view),
            client.get(&view).header("HostToken", "wrong"),
            client.post(&add).json(&json!({})),
        ] {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status().as_u16(), 401);
            assert_eq!(
                resp.json::<Value>().await.unwrap(),
                error("Unauthenticated.")
            );
        }
        assert_eq!(api.server.log.count("GET", "/hosting/user/1/view"), 2);
    }

    /// An added user is found by (case-insensitive) email search and viewed with its sites.
    #[tokio::test]
    async fn add_user_then_search_and_view() {
        let api = Api::boot().await;
        let (status, body) = api.post("user/add", new_user("frank@example.com")).await;
        assert_eq!((status, body), (200, json!({"id": 3})));
        assert_eq!(api.sim.user_ids(), vec![1, 2, 3]);

        let (status, found) = api
            .post("user/search", json!({"email": "Frank@Example.com"}))
            .await;
        assert_eq!(status, 200);
        let keys: Vec<&str> = found
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let documented = [
            "id",
            "name",
            "email",
            "created_at",
            "blocked_attacks",
            "expires_at",
            "class",
            "renew_freq",
        ];
        assert_eq!(keys, documented);
        assert_eq!((&found["id"], &found["name"]), (&json!(3), &json!("Frank")));
        assert_eq!(
            (&found["class"], &found["blocked_attacks"]),
            (&json!("free"), &json!(0))
        );
        let created = found["created_at"].as_str().unwrap();
        assert!(
            created.ends_with(".000000Z") && created.len() == 27,
            "{created}"
        );

        let site = json!({"url": "https://frank.example.com", "userid": 3});
        let (status, added) = api.post("site/add", site).await;
        assert_eq!(status, 200, "{added}");
        let (_, view) = api.get("user/3/view").await;
        assert_eq!(view["user"]["addon_mr"], "false");
        assert_eq!(view["user"]["addon_wl"], "false");
        assert_eq!(view["user"]["email"], "frank@example.com");
        let sites = json!([{"id": added["siteid"], "url": "https://frank.example.com"}]);
        assert_eq!(view["sites"], sites);

        let (_, seeded) = api.get("user/1/view").await;
        let sites = json!([
            {"id": 315, "url": "https://my-site.com"},
            {"id": 16106, "url": "http://test1.com"}
        ]);
        assert_eq!(seeded["sites"], sites);
        assert_eq!(seeded["user"]["expires_at"], "2025-01-01 11:11:11");
        assert_eq!(seeded["user"]["created_at"], "2017-10-19T00:00:00.000000Z");
    }

    /// Each failing rule of user add, edit, search and site add answers its exact 422 or 404 body.
    #[tokio::test]
    async fn validation_failures() {
        let api = Api::boot().await;
        let cases = [
            ("name", json!(null), "The name field is required."),
            ("name", json!(""), "The name field is required."),
            ("name", json!(5), "The name must be a string."),
            ("company", json!(5), "The company must be a string."),
            ("email", json!(null), "The email field is required."),
            (
                "email",
                json!("not-an-email"),
                "The email must be a valid email address.",
            ),
            ("password", json!(null), "The password field is required."),
            (
                "password",
                json!("short"),
                "The password must be at least 6 characters.",
            ),
            (
                "password_confirmation",
                json!(null),
                "The password confirmation field is required.",
            ),
            (
                "password_confirmation",
                json!("secret2"),
                "The password confirmation does not match.",
            ),
            (
                "newsletter",
                json!(null),
                "The newsletter field is required.",
            ),
            (
                "newsletter",
                json!(2),
                "The newsletter field must be true or false.",
            ),
            (
                "newsletter",
                json!("yes"),
                "The newsletter field must be true or false.",
            ),
            ("phone", json!(31), "The phone must be a string."),
        ];
        for (field, value, message) in cases {
            let mut body = new_user("v@example.com");
            match value {
                Value::Null => body.as_object_mut().unwrap().remove(field),
                v => body.as_object_mut().unwrap().insert(field.into(), v),
            };
            let got = api.post("user/add", body).await;
            assert_eq!(got, (422, error(message)), "{field}");
        }
        for newsletter in [json!(1), json!("0"), json!(true), json!(false)] {
            let mut body = new_user(&format!("n{}@example.com", random_alnum(6)));
            body["newsletter"] = newsletter;
            assert_eq!(api.post("user/add", body).await.0, 200);
        }
        assert_eq!(api.sim.user_ids().len(), 6);

        let got = api.post("user/1/edit", json!({"email": "nope"})).await;
        assert_eq!(
            got,
            (422, error("The email must be a valid email address."))
        );
        let got = api.post("user/1/edit", json!({"newsletter": "x"})).await;
        assert_eq!(
            got,
            (422, error("The newsletter field must be true or false."))
        );
        let got = api.post("user/99/edit", json!({"name": "X"})).await;
        assert_eq!(got, (404, error("User not found.")));

        let got = api.post("user/search", json!({})).await;
        assert_eq!(got, (422, error("The email field is required.")));
        let got = api.post("user/search", json!({"email": "a b@c"})).await;
        assert_eq!(
            got,
            (422, error("The email must be a valid email address."))
        );
        let got = api
            .post("user/search", json!({"email": "nobody@example.com"}))
            .await;
        assert_eq!(got, (404, error("User not found.")));

        let sites = [
            (json!({"userid": 1}), 422, "The url field is required."),
            (
                json!({"url": "my-site.com", "userid": 1}),
                422,
                "The url must be a valid URL.",
            ),
            (
                json!({"url": "ftp://x.com", "userid": 1}),
                422,
                "The url must be a valid URL.",
            ),
            (
                json!({"url": "https://", "userid": 1}),
                422,
                "The url must be a valid URL.",
            ),
            (
                json!({"url": "https://x.com"}),
                422,
                "The userid field is required.",
            ),
            (
                json!({"url": "https://x.com", "userid": "one"}),
                422,
                "The userid must be an integer.",
            ),
            (
                json!({"url": "https://x.com", "userid": 1, "strict": "maybe"}),
                422,
                "The strict field must be true or false.",
            ),
            (
                json!({"url": "https://x.com", "userid": 99}),
                404,
                "User not found.",
            ),
        ];
        for (body, status, message) in sites {
            let got = api.post("site/add", body.clone()).await;
            assert_eq!(got, (status, error(message)), "{body}");
        }
        let got = api.post("site/315/edit", json!({"url": "nope"})).await;
        assert_eq!(got, (422, error("The url must be a valid URL.")));
        let got = api
            .post("site/1/edit", json!({"url": "https://x.com"}))
            .await;
        assert_eq!(got, (404, error("Site not found.")));
    }

    /// An email already registered (in any case) cannot be added again or taken over by an edit.
    #[tokio::test]
    async fn duplicate_email() {
        let api = Api::boot().await;
        let got = api
            .post("user/add", new_user("SUPPORT@patchstack.com"))
            .await;
        assert_eq!(got, (422, error("The email has already been taken.")));
        let got = api
            .post("user/2/edit", json!({"email": "support@patchstack.com"}))
            .await;
        assert_eq!(got, (422, error("The email has already been taken.")));
        let got = api
            .post("user/1/edit", json!({"email": "support@patchstack.com"}))
            .await;
        assert_eq!(got, (200, json!({"success": "User updated."})));
        assert_eq!(api.sim.user_ids(), vec![1, 2]);
    }

    /// A strict add of a URL anyone registered is refused; a non-strict one is allowed.
    #[tokio::test]
    async fn strict_duplicate_site() {
        let api = Api::boot().await;
        let dup =
            |strict: Value| json!({"url": "https://MY-SITE.com/", "userid": 2, "strict": strict});
        for strict in [json!(true), json!(1), json!("true")] {
            let got = api.post("site/add", dup(strict)).await;
            assert_eq!(
                got,
                (
                    422,
                    error("This site has already been added to Patchstack.")
                )
            );
        }
        let (status, added) = api.post("site/add", dup(json!(false))).await;
        assert_eq!(status, 200);
        let id = added["siteid"].as_u64().unwrap();
        assert_eq!(id, 16107);
        assert_eq!(added["success"], "Site added.");
        assert_eq!(added["api"]["id"], id);
        let secret = added["api"]["secret"].as_str().unwrap();
        assert_eq!(secret.len(), SECRET_LEN);
        assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
        let unstrict = json!({"url": "https://my-site.com", "userid": 1});
        assert_eq!(api.post("site/add", unstrict).await.0, 200);
        let fresh = json!({"url": "https://fresh.example.net", "userid": 2, "strict": true});
        assert_eq!(api.post("site/add", fresh).await.0, 200);
        assert_eq!(
            api.sim.site_ids(),
            vec![315, 400, 16106, 16107, 16108, 16109]
        );
    }

    /// SSO answers the same unexpired token twice, and a fresh one once it has expired.
    #[tokio::test]
    async fn sso_same_url_twice() {
        let api = Api::boot().await;
        let before = unix_now();
        let (status, first) = api.post("user/1/sso", json!({})).await;
        let after = unix_now();
        assert_eq!(status, 200);
        let url = first["url"].as_str().unwrap();
        assert!(url.starts_with(SSO_BASE), "{url}");
        // `Y-m-d H:i:s` sorts as it reads, so the expiry can be bracketed as text.
        let expires = first["expires_at"].as_str().unwrap().to_string();
        let bracket = datetime(before + SSO_TTL_SECS)..=datetime(after + SSO_TTL_SECS);
        assert!(bracket.contains(&expires), "{expires}");
        assert_eq!(
            api.post("user/1/sso", json!({})).await,
            (200, first.clone())
        );
        let (_, other) = api.post("user/2/sso", json!({})).await;
        assert_ne!(other["url"], first["url"]);

        // Back-date the token past its expiry: the next request must issue a new one.
        if let Some(token) = &mut api.sim.state.lock().unwrap().users.get_mut(&1).unwrap().sso {
            token.expires_at = unix_now() - 1;
        }
        let (_, renewed) = api.post("user/1/sso", json!({})).await;
        assert_ne!(renewed["url"], first["url"]);
        assert_eq!(
            api.post("user/99/sso", json!({})).await,
            (404, error("User not found."))
        );
    }

    /// Deleting a user deletes their sites; deleting a site drops it from its user's view.
    #[tokio::test]
    async fn delete_user_cascades_sites() {
        let api = Api::boot().await;
        let got = api.post("site/16106/delete", json!({})).await;
        assert_eq!(got, (200, json!({"success": "Site deleted."})));
        let (_, view) = api.get("user/1/view").await;
        assert_eq!(
            view["sites"],
            json!([{"id": 315, "url": "https://my-site.com"}])
        );
        let got = api
            .post(
                "site/315/edit",
                json!({"url": "https://renamed.example.com"}),
            )
            .await;
        assert_eq!(got, (200, json!({"success": "Site updated."})));
        assert_eq!(
            api.get("site/315/view").await.1["url"],
            "https://renamed.example.com"
        );

        let got = api.post("user/1/delete", json!({})).await;
        assert_eq!(got, (200, json!({"success": "User deleted."})));
        assert_eq!(api.sim.user_ids(), vec![2]);
        assert_eq!(api.sim.site_ids(), vec![400]);
        assert_eq!(
            api.get("site/315/view").await,
            (404, error("Site not found."))
        );
        assert_eq!(
            api.get("user/1/view").await,
            (404, error("User not found."))
        );
        let got = api.post("user/1/delete", json!({})).await;
        assert_eq!(got, (404, error("User not found.")));
        let got = api.post("site/16106/delete", json!({})).await;
        assert_eq!(got, (404, error("Site not found.")));
    }

    /// The download is a valid stored zip holding the site's own keys; an unknown site is a 404.
    #[tokio::test]
    async fn download_is_zip() {
        let api = Api::boot().await;
        let resp = api
            .client
            .get(api.url("site/315/download"))
            .header("HostToken", TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let header = |name| resp.headers()[name].to_str().unwrap().to_string();
        assert_eq!(header(header::CONTENT_TYPE), "application/zip");
        assert_eq!(
            header(header::CONTENT_DISPOSITION),
            "attachment; filename=\"patchstack-315.zip\""
        );
        let zip = resp.bytes().await.unwrap().to_vec();
        assert!(zip.starts_with(b"PK\x03\x04"));
        let u16_at = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
        let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
        let (name_len, size) = (u16_at(26), u32_at(22) as usize);
        assert_eq!(&zip[30..30 + name_len], b"patchstack/config.php");
        let data = &zip[30 + name_len..30 + name_len + size];
        assert_eq!(crc32(data), u32_at(14));
        let text = std::str::from_utf8(data).unwrap();
        assert!(text.contains(DOC_SECRET) && text.contains("PATCHSTACK_API_ID', 315"));
        let end = zip.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50);
        let central = u32_at(end + 16) as usize;
        assert_eq!(u32_at(central), 0x0201_4b50);
        assert_eq!(u32_at(central + 16), crc32(data));

        let other = api
            .client
            .get(api.url("site/400/download"))
            .header("HostToken", TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(
            !other
                .windows(DOC_SECRET.len())
                .any(|w| w == DOC_SECRET.as_bytes())
        );
        assert_eq!(
            api.get("site/999/download").await,
            (404, error("Site not found."))
        );
    }

    /// CRC-32 matches the standard check value.
    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    /// The site view's counts, attack window, owner and keys agree with each other and the docs.
    #[tokio::test]
    async fn site_view_counts_consistent() {
        let api = Api::boot().await;
        let today = (unix_now() / 86_400) as i64;
        let (status, view) = api.get("site/315/view").await;
        assert_eq!(status, 200);
        assert_eq!(view["url"], "https://my-site.com");
        assert_eq!(view["created_at"], "2019-01-01");
        assert_eq!(view["api"], json!({"id": 315, "secret": DOC_SECRET}));
        let software = view["software"].as_array().unwrap();
        assert_eq!(software.len(), 8);
        assert_eq!(software[1]["version_new"], "5.0.1");
        let count = |flag: &str| software.iter().filter(|s| s[flag] == true).count();
        assert_eq!((count("is_outdated"), count("is_vulnerable")), (2, 1));
        assert_eq!(
            (&view["software_outdated"], &view["software_vulnerable"]),
            (&json!(2), &json!(1))
        );
        assert_eq!(view["has_vuln_plugin"], 1);

        let attacks = view["attacks"].as_array().unwrap();
        let listed: Vec<Value> = attacks.iter().map(|a| a["dateday"].clone()).collect();
        // The request may straddle midnight, so the window ends today or (rarely) tomorrow.
        let window =
            |end: i64| -> Vec<Value> { (end - 29..=end).map(|d| json!(date(d))).collect() };
        assert!(
            listed == window(today) || listed == window(today + 1),
            "{listed:?}"
        );
        let total = |v: &Value| -> u64 {
            v["attacks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["num"].as_u64().unwrap())
                .sum()
        };
        let (_, other) = api.get("site/16106/view").await;
        assert_eq!(other["has_vuln_plugin"], 1);
        assert_eq!(
            (&other["software_outdated"], &other["software_vulnerable"]),
            (&json!(1), &json!(1))
        );
        let user = &view["user"];
        assert_eq!((&user["id"], &user["site_count"]), (&json!(1), &json!(2)));
        assert_eq!(user["blocked_attacks"], total(&view) + total(&other));
        assert_eq!(api.get("site/315/view").await.1["attacks"], view["attacks"]);
        let (_, found) = api
            .post("user/search", json!({"email": "support@patchstack.com"}))
            .await;
        assert_eq!(found["blocked_attacks"], user["blocked_attacks"]);

        let (_, blog) = api.get("site/400/view").await;
        assert_eq!(
            (&blog["has_vuln_plugin"], &blog["software_outdated"]),
            (&json!(0), &json!(0))
        );

        let site = json!({"url": "https://new.example.com", "userid": 2});
        let (_, added) = api.post("site/add", site).await;
        let (_, fresh) = api.get(&format!("site/{}/view", added["siteid"])).await;
        assert_eq!((total(&fresh), &fresh["software"]), (0, &json!([])));
        assert_eq!(fresh["api"], added["api"]);
        let created = &fresh["created_at"];
        assert!(
            *created == date(today) || *created == date(today + 1),
            "{created}"
        );
    }

    /// Form-encoded bodies are read like JSON ones, as Laravel reads both.
    #[tokio::test]
    async fn form_bodies_accepted() {
        let api = Api::boot().await;
        let form = "name=Gina+Bo&email=gina%40example.com&password=secret1\
                    &password_confirmation=secret1&newsletter=1";
        let req = api
            .client
            .post(api.url("user/add"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form);
        assert_eq!(api.send(req).await, (200, json!({"id": 3})));
        let (_, view) = api.get("user/3/view").await;
        assert_eq!(view["user"]["name"], "Gina Bo");
        assert_eq!(view["user"]["email"], "gina@example.com");
    }

    /// Dates round-trip through the civil-date helpers and format as the docs show them.
    #[test]
    fn date_formats() {
        let day = days_from_civil(2017, 10, 19);
        assert_eq!(civil_from_days(day), (2017, 10, 19));
        assert_eq!(date(days_from_civil(2024, 2, 29)), "2024-02-29");
        let secs = day as u64 * 86_400 + 11 * 3600 + 11 * 60 + 11;
        assert_eq!(datetime(secs), "2017-10-19 11:11:11");
        assert_eq!(
            iso_datetime(day as u64 * 86_400),
            "2017-10-19T00:00:00.000000Z"
        );
    }
}
