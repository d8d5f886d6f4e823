//! The stateful WP Orchestrix simulator used by the adapter tests and `hostplane demo`: the 34
//! documented `/api/v1` routes over one in-memory account (sites, health checks, snapshots, upgrade
//! pipelines, vulnerability records, activity logs, webhook endpoints, users) seeded with the docs'
//! example site. Snapshots and approved pipelines advance with wall time against
//! `SimConfig::job_duration`. They are settled lazily at the start of every request and by a
//! background tick (every 50 ms) that also delivers the signed webhooks, so deliveries happen without
//! reads; the tick holds only a `Weak` on the state and ends once the simulator's state is dropped.
//!
//! The docs show one response body (the sites list) and the `{"error": ...}` shape. Every other body
//! is modelled on what the request and resource imply for a Rails app, and each such place says so.

use crate::SimServer;
use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{FromRequestParts, Path, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;
use std::{
    collections::{BTreeMap, BTreeSet},
    convert::Infallible,
    hash::{BuildHasher, RandomState},
    sync::{
        Arc, Mutex, MutexGuard, Weak,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// How often the background task settles timed work and sends queued webhooks.
const TICK: Duration = Duration::from_millis(50);
/// Per-attempt deadline of a webhook delivery.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(2);
/// Lifetime of a JWT access token, matching the `expires_in` the pair reports.
const ACCESS_TTL: Duration = Duration::from_secs(900);
/// The share of the duration a snapshot stays `pending` before it visibly runs.
const QUEUED_SHARE: f64 = 0.1;
/// The progress at which a snapshot of an unreachable site fails.
const FAIL_AT: f64 = 0.3;
/// A plugin slug whose upgrade always fails, so callers can exercise a failed pipeline.
const BROKEN_PLUGIN: &str = "broken-plugin";
/// When the docs' example site was created (2026-01-15T10:30:00Z), in Unix seconds.
const SITE_CREATED: u64 = 1_768_473_000;
const ACCOUNT_ID: &str = "acc_1";
const USER_ID: &str = "usr_1";
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

/// Who may log in, how long timed work takes and how long list pages are.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub api_token: String,
    pub email: String,
    pub password: String,
    pub job_duration: Duration,
    pub page_size: usize,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            api_token: "sim-orchestrix-token".into(),
            email: "owner@example.com".into(),
            password: "correct horse".into(),
            job_duration: Duration::from_secs(3),
            page_size: 25,
        }
    }
}

/// A handle on one simulated WP Orchestrix account; clones share the same state.
#[derive(Clone)]
pub struct Simulator {
    state: Arc<Mutex<Account>>,
    /// Sends webhooks; built once with the per-attempt deadline.
    client: reqwest::Client,
}

impl Simulator {
    /// A simulator seeded with the demo data. Inside a tokio runtime the background tick starts
    /// at once; otherwise it starts with the first request.
    pub fn new(config: SimConfig) -> Simulator {
        let client = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .user_agent("Orchestrix-Webhooks/1.0")
            .build()
            .expect("webhook client builds");
        let sim = Simulator {
            state: Arc::new(Mutex::new(Account::seeded(config))),
            client,
        };
        drop(sim.lock());
        sim
    }

    /// All 34 documented routes; all but login, JWT login and JWT refresh need a token.
    pub fn router(&self) -> Router {
        routes()
            .route_layer(middleware::from_fn_with_state(self.clone(), authorize))
            .fallback(|| async { Fail(StatusCode::NOT_FOUND, "Not found".into()) })
            .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        let sim = Simulator::new(config);
        let server = SimServer::start(sim.router(), ([127, 0, 0, 1], 0).into()).await?;
        Ok((sim, server))
    }

    /// The ids `GET /api/v1/sites` would list right now, in order.
    pub fn site_ids(&self) -> Vec<String> {
        self.lock()
            .sites
            .iter()
            .map(|s| text(&s["id"]).into())
            .collect()
    }

    /// Deliveries the simulator attempted to registered webhook endpoints: (url, event name, HTTP
    /// status or None when unreachable).
    pub fn deliveries(&self) -> Vec<(String, String, Option<u16>)> {
        self.lock().deliveries.clone()
    }

    /// Locks the account with all due work settled, starting the background tick if it is not
    /// running yet and a runtime is available.
    fn lock(&self) -> MutexGuard<'_, Account> {
        let mut account = guard(&self.state);
        account.settle();
        if !account.ticking
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            account.ticking = true;
            runtime.spawn(tick(Arc::downgrade(&self.state), self.client.clone()));
        }
        account
    }
}

fn guard(state: &Mutex<Account>) -> MutexGuard<'_, Account> {
    state
        .lock()
        .expect("orchestrix simulator state lock poisoned")
}

// ---------------------------------------------------------------------------------------------
// Background work: settling and webhook delivery

/// Settles the account and sends what it queued, until the state is dropped.
async fn tick(state: Weak<Mutex<Account>>, client: reqwest::Client) {
    let mut interval = tokio::time::interval(TICK);
    loop {
        interval.tick().await;
        let Some(strong) = state.upgrade() else {
            return;
        };
        let batch = {
            let mut account = guard(&strong);
            account.settle();
            std::mem::take(&mut account.outbox)
        };
        drop(strong);
        // One task per endpoint per tick: an endpoint gets a tick's events in order, and a slow
        // endpoint does not hold up the others.
        let mut queues: Vec<Vec<Outgoing>> = Vec::new();
        for out in batch {
            match queues.iter_mut().find(|q| q[0].url == out.url) {
                Some(queue) => queue.push(out),
                None => queues.push(vec![out]),
            }
        }
        for queue in queues {
            let (state, client) = (state.clone(), client.clone());
            tokio::spawn(async move {
                for out in queue {
                    let status = deliver(&client, &out).await;
                    if let Some(strong) = state.upgrade() {
                        guard(&strong).deliveries.push((out.url, out.event, status));
                    }
                }
            });
        }
    }
}

/// Header names and the `sha256=<hex>` signature are modelled on common practice (GitHub, Stripe):
/// the docs do not describe webhook deliveries.
async fn deliver(client: &reqwest::Client, out: &Outgoing) -> Option<u16> {
    let signature = format!("sha256={}", hex(&sign(&out.secret, out.body.as_bytes())));
    client
        .post(&out.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-Orchestrix-Event", &out.event)
        .header("X-Orchestrix-Delivery", &out.event_id)
        .header("X-Orchestrix-Signature", signature)
        .body(out.body.clone())
        .send()
        .await
        .ok()
        .map(|resp| resp.status().as_u16())
}

/// HMAC-SHA256 of `body` keyed with the endpoint's secret.
fn sign(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

// ---------------------------------------------------------------------------------------------
// State

struct Account {
    email: String,
    password: String,
    job_duration: Duration,
    page_size: usize,
    /// When the current request settled the account: every view reads progress at this instant.
    now: Instant,
    ticking: bool,
    /// The configured token and those issued by `POST /auth`.
    api_tokens: BTreeSet<String>,
    /// JWT access tokens and when they were issued.
    access_tokens: BTreeMap<String, Instant>,
    refresh_tokens: BTreeSet<String>,
    /// Sites, webhook endpoints, health checks, vulnerabilities and activity never run timed work,
    /// so they are kept as the JSON documents the API renders (snapshots and pipelines are not).
    sites: Vec<Value>,
    health_checks: Vec<HealthCheck>,
    snapshots: Vec<Snapshot>,
    pipelines: Vec<Pipeline>,
    vulns: Vec<Vuln>,
    /// Oldest first.
    activity: Vec<Value>,
    /// Rendered with their secret, which lists leave out.
    webhooks: Vec<Value>,
    /// Deliveries queued since the last tick.
    outbox: Vec<Outgoing>,
    deliveries: Vec<(String, String, Option<u16>)>,
}

/// Health checks never change once taken.
struct HealthCheck(Value);

/// Only `status` and `updated_at` change.
struct Vuln(Value);

/// A finished snapshot or pipeline: fixed once reached, so later reads never move it.
struct Outcome {
    status: &'static str,
    progress: f64,
    at: SystemTime,
    error: Option<String>,
}

struct Snapshot {
    id: String,
    site_id: String,
    description: Option<String>,
    created_at: SystemTime,
    started: Instant,
    /// Snapshots of a site that is `down` fail part-way: its agent cannot be reached (modelled).
    fails: bool,
    /// What the simulated agent reports on completion, or the size of the uploaded data.
    size_bytes: u64,
    uploaded: bool,
    outcome: Option<Outcome>,
}

struct Pipeline {
    id: String,
    site_id: String,
    plugins: Vec<String>,
    /// The WordPress version a core upgrade goes to, fixed when the pipeline is created.
    core_target: Option<String>,
    created_at: String,
    approved: Option<(Instant, SystemTime)>,
    outcome: Option<Outcome>,
}

/// One event on its way to one endpoint; the body is built once so the signature covers its bytes.
struct Outgoing {
    url: String,
    secret: String,
    event: String,
    event_id: String,
    body: String,
}

impl Account {
    fn seeded(config: SimConfig) -> Account {
        let wall = SystemTime::now();
        let ago = |secs: u64| wall - Duration::from_secs(secs);
        // The first site is exactly the docs' example; `status` may also be `warning` or `down`
        // (modelled), and the other two sites are modelled.
        let sites = vec![
            json!({"id": "site_abc123", "name": "My WordPress Site", "url": "https://example.com",
                   "status": "healthy", "wp_version": "6.5", "php_version": "8.2",
                   "created_at": "2026-01-15T10:30:00Z"}),
            json!({"id": new_id("site"), "name": "Example Shop", "url": "https://shop.example.com",
                   "status": "warning", "wp_version": "6.4.3", "php_version": "8.1",
                   "created_at": "2026-02-03T14:05:00Z"}),
            json!({"id": new_id("site"), "name": "Example Blog", "url": "https://blog.example.org",
                   "status": "down", "wp_version": "6.3.2", "php_version": "7.4",
                   "created_at": "2026-03-09T08:45:00Z"}),
        ];
        // Two checks per site, newest last: an older pass and one matching the site's status.
        let mut health_checks = Vec::new();
        for site in &sites {
            let latest = match site["status"].as_str() {
                Some("healthy") => "passed",
                Some("warning") => "warning",
                _ => "failed",
            };
            health_checks.push(health_check(&site["id"], "passed", ago(30 * 3600)));
            health_checks.push(health_check(&site["id"], latest, ago(20 * 60)));
        }
        let home = "site_abc123";
        let weekly = Snapshot {
            id: new_id("snap"),
            site_id: home.into(),
            description: Some("Weekly backup".into()),
            created_at: ago(2 * 86400),
            started: Instant::now(),
            fails: false,
            size_bytes: 187_432_960,
            uploaded: false,
            outcome: Outcome::completed(ago(2 * 86400 - 240)),
        };
        // Real advisories, so the records read plausibly (fields modelled).
        let reported = iso(ago(5 * 86400));
        let vulns = vec![
            Vuln(
                json!({"id": new_id("vuln"), "site_id": home, "software": "contact-form-7",
                        "version": "5.3.1", "fixed_in": "5.3.2", "severity": "critical",
                        "title": "Unrestricted File Upload", "cve": "CVE-2020-35489",
                        "status": "open", "created_at": reported, "updated_at": reported}),
            ),
            Vuln(
                json!({"id": new_id("vuln"), "site_id": home, "software": "elementor",
                        "version": "3.6.2", "fixed_in": "3.6.3", "severity": "high",
                        "title": "Authenticated Remote Code Execution", "cve": "CVE-2022-1329",
                        "status": "open", "created_at": reported, "updated_at": reported}),
            ),
        ];
        // Sixty entries three hours apart from the site's creation: three pages of 25.
        let subjects = [
            ("update", "Site", home.to_string()),
            ("create", "Snapshot", weekly.id.clone()),
            (
                "update",
                "VulnerabilityRecord",
                vulns[0].keys().1.to_string(),
            ),
            ("approve", "UpgradePipeline", new_id("pipe")),
        ];
        let activity = (0..60u64)
            .map(|i| {
                let (action, subject_type, subject_id) = match i {
                    0 => ("create", "Site", home.to_string()),
                    _ => subjects[i as usize % subjects.len()].clone(),
                };
                let at = UNIX_EPOCH + Duration::from_secs(SITE_CREATED + i * 3 * 3600);
                activity(action, subject_type, &subject_id, at)
            })
            .collect();
        Account {
            email: config.email,
            password: config.password,
            job_duration: config.job_duration,
            page_size: config.page_size.max(1),
            now: Instant::now(),
            ticking: false,
            api_tokens: BTreeSet::from([config.api_token]),
            access_tokens: BTreeMap::new(),
            refresh_tokens: BTreeSet::new(),
            sites,
            health_checks,
            snapshots: vec![weekly],
            pipelines: Vec::new(),
            vulns,
            activity,
            webhooks: Vec::new(),
            outbox: Vec::new(),
            deliveries: Vec::new(),
        }
    }

    /// Fixes the outcome of every snapshot and approved pipeline that has come due, applies their
    /// side effects and queues their webhooks.
    fn settle(&mut self) {
        self.now = Instant::now();
        let (now, d) = (self.now, self.job_duration);
        let mut events = Vec::new();
        for snap in self.snapshots.iter_mut().filter(|s| s.outcome.is_none()) {
            let f = fraction(snap.started, now, d);
            if snap.fails && f >= FAIL_AT {
                let at = snap.created_at + d.mul_f64(FAIL_AT);
                let error = "Site unreachable: the Orchestrix agent did not respond";
                snap.outcome = Outcome::failed(FAIL_AT, at, error.into());
                events.push(("snapshot.failed", snap.view(now, d)));
            } else if f >= 1.0 {
                snap.outcome = Outcome::completed(snap.created_at + d);
                events.push(("snapshot.completed", snap.view(now, d)));
            }
        }
        let mut bumps = Vec::new();
        for pipe in self.pipelines.iter_mut().filter(|p| p.outcome.is_none()) {
            let Some((started, approved_at)) = pipe.approved else {
                continue;
            };
            let f = fraction(started, now, d);
            let n = pipe.steps().len() as f64;
            if let Some(k) = pipe.failing_step()
                && f >= (k + 1) as f64 / n
            {
                let at = approved_at + d.mul_f64((k + 1) as f64 / n);
                let error = format!(
                    "Plugin {BROKEN_PLUGIN} failed to activate after the update (PHP fatal \
                     error); the site was rolled back to the snapshot"
                );
                pipe.outcome = Outcome::failed(round2(k as f64 / n), at, error);
                events.push(("pipeline.failed", pipe.view(now, d)));
            } else if f >= 1.0 {
                pipe.outcome = Outcome::completed(approved_at + d);
                events.push(("pipeline.completed", pipe.view(now, d)));
                if let Some(target) = &pipe.core_target {
                    bumps.push((pipe.site_id.clone(), target.clone()));
                }
            }
        }
        // A core upgrade changes the site's version, which is a site update (modelled).
        for (site_id, target) in bumps {
            if let Ok(site) = find_doc(&mut self.sites, &site_id) {
                site["wp_version"] = json!(target);
                events.push(("site.updated", site.clone()));
            }
        }
        for (event, data) in events {
            self.emit(event, data);
        }
    }

    /// Queues `event` for every enabled endpoint subscribed to it.
    fn emit(&mut self, event: &str, data: Value) {
        let event_id = new_id("evt");
        let created_at = iso(SystemTime::now());
        let body = json!({"id": event_id, "event": event, "created_at": created_at, "data": data});
        let body = body.to_string();
        for hook in &self.webhooks {
            let subscribed = hook["events"]
                .as_array()
                .is_some_and(|e| e.contains(&json!(event)));
            if hook["enabled"] == true && subscribed {
                self.outbox.push(Outgoing {
                    url: text(&hook["url"]).into(),
                    secret: text(&hook["secret"]).into(),
                    event: event.into(),
                    event_id: event_id.clone(),
                    body: body.clone(),
                });
            }
        }
    }

    /// Every write through the API is logged (modelled on a Rails audit trail; logins are not).
    fn record(&mut self, action: &str, subject_type: &str, subject_id: &str) {
        let entry = activity(action, subject_type, subject_id, SystemTime::now());
        self.activity.push(entry);
    }

    fn accepts(&self, scheme: &str, token: &str) -> bool {
        match scheme {
            "token" => self.api_tokens.contains(token),
            "bearer" => self
                .access_tokens
                .get(token)
                .is_some_and(|issued| self.now.saturating_duration_since(*issued) < ACCESS_TTL),
            _ => false,
        }
    }

    /// Access and refresh tokens are opaque random strings, not real JWTs: callers must treat
    /// them as opaque anyway, and the simulator checks them by lookup.
    fn issue_pair(&mut self) -> Value {
        let access = format!("ey{}", random_string(40));
        let refresh = random_string(40);
        self.access_tokens.insert(access.clone(), self.now);
        self.refresh_tokens.insert(refresh.clone());
        json!({
            "access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": ACCESS_TTL.as_secs()
        })
    }

    fn site(&self, id: &str) -> Result<&Value, Fail> {
        self.sites
            .iter()
            .find(|s| s["id"] == id)
            .ok_or_else(not_found)
    }
}

impl Outcome {
    fn completed(at: SystemTime) -> Option<Outcome> {
        Outcome::new("completed", 1.0, at, None)
    }

    fn failed(progress: f64, at: SystemTime, error: String) -> Option<Outcome> {
        Outcome::new("failed", progress, at, Some(error))
    }

    fn new(
        status: &'static str,
        progress: f64,
        at: SystemTime,
        error: Option<String>,
    ) -> Option<Self> {
        Some(Outcome {
            status,
            progress,
            at,
            error,
        })
    }
}

/// The individual checks are modelled on what an uptime/WordPress monitor reports.
fn health_check(site_id: &Value, status: &str, at: SystemTime) -> HealthCheck {
    let (http, ssl, response_time_ms) = match status {
        "passed" => ("passed", "passed", json!(231)),
        "warning" => ("passed", "warning", json!(412)),
        _ => ("failed", "passed", Value::Null),
    };
    let days_left = if ssl == "warning" { 9 } else { 74 };
    HealthCheck(json!({
        "id": new_id("hc"), "site_id": site_id, "status": status,
        "checks": {
            "http": {"status": http, "response_time_ms": response_time_ms},
            "ssl": {"status": ssl, "days_until_expiry": days_left},
            "wp_cron": {"status": http},
            "database": {"status": http}
        },
        "checked_at": iso(at)
    }))
}

fn activity(action: &str, subject_type: &str, subject_id: &str, at: SystemTime) -> Value {
    json!({
        "id": new_id("act"), "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "user_id": USER_ID, "created_at": iso(at)
    })
}

impl Snapshot {
    fn view(&self, now: Instant, d: Duration) -> Value {
        let (status, progress) = match &self.outcome {
            Some(o) => (o.status, o.progress),
            None => match fraction(self.started, now, d) {
                f if f < QUEUED_SHARE => ("pending", 0.0),
                f => ("running", partial(f)),
            },
        };
        let done = self.outcome.as_ref().filter(|o| o.status == "completed");
        json!({
            "id": self.id, "site_id": self.site_id, "description": self.description,
            "status": status, "progress": progress_json(progress),
            "size_bytes": done.map(|_| self.size_bytes), "uploaded": self.uploaded,
            "error": self.outcome.as_ref().and_then(|o| o.error.clone()),
            "created_at": iso(self.created_at), "completed_at": done.map(|o| iso(o.at))
        })
    }
}

impl Pipeline {
    /// A safety snapshot, each plugin, core, then a health check (modelled on what an upgrade
    /// pipeline needs): `(name, target)`.
    fn steps(&self) -> Vec<(&'static str, Option<String>)> {
        let plugins = self
            .plugins
            .iter()
            .map(|p| ("update_plugin", Some(p.clone())));
        let core = self
            .core_target
            .iter()
            .map(|v| ("update_core", Some(v.clone())));
        let mut steps = vec![("snapshot", None)];
        steps.extend(plugins.chain(core));
        steps.push(("health_check", None));
        steps
    }

    fn failing_step(&self) -> Option<usize> {
        let position = self.plugins.iter().position(|p| p == BROKEN_PLUGIN);
        position.map(|i| i + 1)
    }

    /// Step `i` of `n` runs over the `i/n .. (i+1)/n` share of the duration.
    fn view(&self, now: Instant, d: Duration) -> Value {
        let steps = self.steps();
        let n = steps.len() as f64;
        let (status, progress, f) = match (&self.outcome, self.approved) {
            (Some(o), _) => (o.status, o.progress, o.progress),
            (None, None) => ("awaiting_approval", 0.0, 0.0),
            (None, Some((started, _))) => {
                let f = fraction(started, now, d);
                ("running", round2(f).min(0.99), f)
            }
        };
        let failed_at = self.failing_step().unwrap_or(usize::MAX);
        let steps: Vec<Value> = steps
            .into_iter()
            .enumerate()
            .map(|(i, (name, target))| {
                let step = match status {
                    "awaiting_approval" => "pending",
                    "completed" => "completed",
                    "failed" if i < failed_at => "completed",
                    "failed" if i == failed_at => "failed",
                    "failed" => "skipped",
                    _ if f >= (i + 1) as f64 / n => "completed",
                    _ if f >= i as f64 / n => "running",
                    _ => "pending",
                };
                json!({"name": name, "target": target, "status": step})
            })
            .collect();
        json!({
            "id": self.id, "site_id": self.site_id, "status": status,
            "progress": progress_json(progress), "plugins": self.plugins,
            "core": self.core_target.is_some(), "steps": steps,
            "error": self.outcome.as_ref().and_then(|o| o.error.clone()),
            "created_at": self.created_at,
            "approved_at": self.approved.map(|(_, at)| iso(at)),
            "completed_at": self.outcome.as_ref().map(|o| iso(o.at))
        })
    }
}

/// The current user and their account's members (modelled: the docs show no user bodies).
fn users(owner_email: &str) -> Vec<Value> {
    [
        (USER_ID, owner_email, "Site Owner", "owner"),
        ("usr_2", "dev@example.com", "Dana Developer", "admin"),
        ("usr_3", "client@example.com", "Chris Client", "viewer"),
    ]
    .into_iter()
    .map(|(id, email, name, role)| {
        json!({"id": id, "email": email, "name": name, "account_id": ACCOUNT_ID, "role": role})
    })
    .collect()
}

/// The accounts the current user belongs to (modelled); `acc_1` is the current one.
fn accounts() -> Vec<Value> {
    [
        (ACCOUNT_ID, "Example Agency", "agency", "2026-01-10T09:00:00Z"),
        ("acc_2", "Personal", "free", "2026-04-02T18:20:00Z"),
    ]
    .into_iter()
    .map(|(id, name, plan, at)| {
        json!({"id": id, "name": name, "plan": plan, "owner_id": USER_ID, "created_at": at})
    })
    .collect()
}

// ---------------------------------------------------------------------------------------------
// Records nested under a site

/// A record that lives under a site: listed newest first (modelled on Rails'
/// `order(created_at: :desc)`) and found by its site and id.
trait Nested: Sized + 'static {
    fn all(account: &mut Account) -> &mut Vec<Self>;
    fn keys(&self) -> (&str, &str);
    fn view(&self, now: Instant, d: Duration) -> Value;
}

impl Nested for HealthCheck {
    fn all(account: &mut Account) -> &mut Vec<Self> {
        &mut account.health_checks
    }
    fn keys(&self) -> (&str, &str) {
        json_keys(&self.0)
    }
    fn view(&self, _: Instant, _: Duration) -> Value {
        self.0.clone()
    }
}

impl Nested for Vuln {
    fn all(account: &mut Account) -> &mut Vec<Self> {
        &mut account.vulns
    }
    fn keys(&self) -> (&str, &str) {
        json_keys(&self.0)
    }
    fn view(&self, _: Instant, _: Duration) -> Value {
        self.0.clone()
    }
}

impl Nested for Snapshot {
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

impl Nested for Pipeline {
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

fn json_keys(record: &Value) -> (&str, &str) {
    (text(&record["site_id"]), text(&record["id"]))
}

/// A string field of a stored document (empty when absent).
fn text(field: &Value) -> &str {
    field.as_str().unwrap_or_default()
}

/// A top-level document (a site or webhook endpoint) by id.
fn find_doc<'a>(docs: &'a mut [Value], id: &str) -> Result<&'a mut Value, Fail> {
    docs.iter_mut()
        .find(|d| d["id"] == id)
        .ok_or_else(not_found)
}

fn find<'a, T: Nested>(
    account: &'a mut Account,
    site_id: &str,
    id: &str,
) -> Result<&'a mut T, Fail> {
    account.site(site_id)?;
    let mut records = T::all(account).iter_mut();
    records
        .find(|r| r.keys() == (site_id, id))
        .ok_or_else(not_found)
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
// Route table and auth

#[rustfmt::skip]
fn routes() -> Router<Simulator> {
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
/// matched case-insensitively, as Rails' token parser does.
async fn authorize(State(sim): Sim, mut req: Request, next: Next) -> Response {
    let public = ["/api/v1/auth", "/api/v1/jwt", "/api/v1/jwt/refresh"];
    if req.method() == Method::POST && public.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .map(|(scheme, token)| (scheme.to_ascii_lowercase(), token.trim().to_string()));
    match presented {
        Some((scheme, token)) if sim.lock().accepts(&scheme, &token) => {
            req.extensions_mut().insert(Presented(token));
            next.run(req).await
        }
        _ => unauthorized("Unauthorized").into_response(),
    }
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
    let token = random_string(24);
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
    let token = required(&parse(&body, "jwt")?, "token")?;
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
    let name = required(&params, "name")?;
    let url = web_url(required(&params, "url")?)?;
    let mut account = sim.lock();
    if account.sites.iter().any(|s| s["url"] == url) {
        return Err(unprocessable("Url has already been taken"));
    }
    let now = SystemTime::now();
    let site = json!({
        "id": new_id("site"), "name": name, "url": url, "status": "healthy",
        "wp_version": "6.5", "php_version": "8.2", "created_at": iso(now)
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
    let name = optional(&params, "name")?;
    let url = optional(&params, "url")?.map(web_url).transpose()?;
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
    let description = optional(&parse(&body, "snapshot")?, "description")?;
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
        let data = required(&parse(&body, "snapshot")?, "data")?;
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
    let core = match params.get("core") {
        None | Some(Value::Null) => false,
        Some(v) => v.as_bool().ok_or_else(|| invalid("core"))?,
    };
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
        created_at: iso(SystemTime::now()),
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
    let status = required(&parse(&body, "vulnerability_record")?, "status")?;
    if !VULN_STATUSES.contains(&status.as_str()) {
        return Err(unprocessable("Status is not included in the list"));
    }
    let mut account = sim.lock();
    let vuln = find::<Vuln>(&mut account, &site_id, &id)?;
    vuln.0["status"] = json!(status);
    vuln.0["updated_at"] = json!(iso(SystemTime::now()));
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
    let url = web_url(required(&params, "url")?)?;
    let events = event_list(&params)?.ok_or_else(|| blank("events"))?;
    let enabled = enabled_flag(&params)?.unwrap_or(true);
    let hook = json!({
        "id": new_id("wh"), "url": url, "events": events, "enabled": enabled,
        "secret": format!("whsec_{}", random_string(32)), "created_at": iso(SystemTime::now())
    });
    let mut account = sim.lock();
    account.record("create", "WebhookEndpoint", text(&hook["id"]));
    account.webhooks.push(hook.clone());
    created(hook)
}

async fn webhook_update(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Reply {
    let params = parse(&body, "webhook_endpoint")?;
    let url = optional(&params, "url")?.map(web_url).transpose()?;
    let (events, enabled) = (event_list(&params)?, enabled_flag(&params)?);
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

fn enabled_flag(params: &Params) -> Result<Option<bool>, Fail> {
    match params.get("enabled") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_bool().map(Some).ok_or_else(|| invalid("enabled")),
    }
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
struct Fail(StatusCode, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

type Reply = Result<Response, Fail>;
type Sim = State<Simulator>;
type Ids = Path<(String, String)>;
type Params = Map<String, Value>;

fn ok(body: Value) -> Reply {
    Ok(Json(body).into_response())
}

fn created(body: Value) -> Reply {
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn no_content() -> Reply {
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn unauthorized(error: &str) -> Fail {
    Fail(StatusCode::UNAUTHORIZED, error.into())
}

fn not_found() -> Fail {
    Fail(StatusCode::NOT_FOUND, "Record not found".into())
}

fn unprocessable(error: impl Into<String>) -> Fail {
    Fail(StatusCode::UNPROCESSABLE_ENTITY, error.into())
}

/// Validation errors read like Rails' full messages: `"Name can't be blank"`.
fn blank(field: &str) -> Fail {
    unprocessable(format!("{} can't be blank", humanize(field)))
}

fn invalid(field: &str) -> Fail {
    unprocessable(format!("{} is invalid", humanize(field)))
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
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(mut map)) => Ok(match map.remove(root) {
            Some(Value::Object(inner)) => inner,
            Some(other) => {
                map.insert(root.into(), other);
                map
            }
            None => map,
        }),
        _ => Err(Fail(StatusCode::BAD_REQUEST, "Invalid JSON body".into())),
    }
}

/// A string field, trimmed; absent or null is `None`, a blank string "can't be blank".
fn optional(params: &Params, field: &str) -> Result<Option<String>, Fail> {
    match params.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Err(blank(field)),
        Some(Value::String(s)) => Ok(Some(s.trim().into())),
        Some(_) => Err(invalid(field)),
    }
}

fn required(params: &Params, field: &str) -> Result<String, Fail> {
    optional(params, field)?.ok_or_else(|| blank(field))
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

// ---------------------------------------------------------------------------------------------
// Small utilities: ids, time, encodings

/// Random enough for ids and tokens without a `rand` dependency: std's SipHash keys are seeded
/// randomly per process, and a counter keeps successive values distinct.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Base58, as Rails' `has_secure_token` uses.
fn random_string(len: usize) -> String {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    (0..len)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

/// `prefix_` and 12 lowercase alphanumerics, like the docs' `site_abc123`.
fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = (0..12)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect();
    format!("{prefix}_{tail}")
}

/// How far timed work has come: 0 when started, 1 once the duration has passed.
fn fraction(started: Instant, now: Instant, d: Duration) -> f64 {
    if d.is_zero() {
        return 1.0;
    }
    (now.saturating_duration_since(started).as_secs_f64() / d.as_secs_f64()).min(1.0)
}

fn round2(f: f64) -> f64 {
    (f * 100.0).round() / 100.0
}

/// In-flight progress to two decimals, never reading as not-started or done.
fn partial(f: f64) -> f64 {
    round2(f).clamp(0.01, 0.99)
}

/// Progress as JSON: integral `0` and `1` at the ends, a fraction in between.
fn progress_json(p: f64) -> Value {
    match p {
        p if p <= 0.0 => json!(0),
        p if p >= 1.0 => json!(1),
        p => json!(p),
    }
}

/// The next minor WordPress release: `6.5` → `6.6`, `6.4.3` → `6.5`, `6.9` → `7.0`.
fn next_minor(version: &str) -> String {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(6), parts.next().unwrap_or(0));
    if minor >= 9 {
        format!("{}.0", major + 1)
    } else {
        format!("{major}.{}", minor + 1)
    }
}

/// RFC 3339 in UTC to the second, as Rails renders `created_at`: `2026-01-15T10:30:00Z`.
fn iso(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
// ---------------------------------------------------------------------------------------------
// Tests

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "test-token";
    const AUTH: &str = "token test-token";
    const HOME: &str = "sites/site_abc123";

    /// A running simulator and a caller that prefixes `/api/v1/`.
    struct Api {
        sim: Simulator,
        server: SimServer,
        client: reqwest::Client,
    }

    impl Api {
        async fn boot(job_ms: u64) -> Api {
            let job_duration = Duration::from_millis(job_ms);
            let api_token = TOKEN.into();
            let config = SimConfig {
                api_token,
                job_duration,
                ..SimConfig::default()
            };
            let (sim, server) = Simulator::start(config).await.unwrap();
            let client = reqwest::Client::new();
            Api {
                sim,
                server,
                client,
            }
        }

        fn url(&self, path: &str) -> String {
            format!("{}/api/v1/{path}", self.server.base_url())
        }

        /// Sends with this `Authorization` (none when empty); a body-less answer reads as null.
        async fn send(&self, auth: &str, call: &str, body: Option<Value>) -> (u16, Value) {
            let (method, path) = call.split_once(' ').unwrap();
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = self.client.request(method, self.url(path));
            if !auth.is_empty() {
                req = req.header("Authorization", auth);
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.unwrap();
            (status, serde_json::from_slice(&bytes).unwrap_or_default())
        }

        /// `call` is `"METHOD path"`; authenticates with the API token.
        async fn call(&self, call: &str, body: Option<Value>) -> (u16, Value) {
            self.send(AUTH, call, body).await
        }

        /// Asserts the status and returns the body.
        async fn expect(&self, call: &str, body: Option<Value>, status: u16) -> Value {
            let (got, body) = self.call(call, body).await;
            assert_eq!(got, status, "{call}: {body}");
            body
        }

        async fn get(&self, path: &str) -> Value {
            self.expect(&format!("GET {path}"), None, 200).await
        }
    }

    async fn sleep_ms(ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn error(message: &str) -> Value {
        json!({"error": message})
    }

    fn strs<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
        let items = items.as_array().unwrap().iter();
        items.map(|i| i[key].as_str().unwrap()).collect()
    }

    /// A missing, wrong or wrongly-schemed token gets 401 `{"error": "Unauthorized"}`.
    #[tokio::test]
    async fn unauthorized() {
        let api = Api::boot(300).await;
        let bearer = format!("Bearer {TOKEN}");
        for auth in ["", "token wrong", bearer.as_str()] {
            for call in [
                "GET sites",
                "GET sites/site_abc123/snapshots",
                "DELETE auth",
            ] {
                let got = api.send(auth, call, None).await;
                assert_eq!(got, (401, error("Unauthorized")), "{auth:?} {call}");
            }
        }
    }

    /// Logging in issues a working API token, and logging out revokes it.
    #[tokio::test]
    async fn login_token_and_logout() {
        let api = Api::boot(300).await;
        let wrong = json!({"email": "owner@example.com", "password": "nope"});
        let got = api.send("", "POST auth", Some(wrong)).await;
        assert_eq!(got, (401, error("Invalid email or password")));
        let creds = json!({"email": "Owner@Example.com", "password": "correct horse"});
        let (status, body) = api.send("", "POST auth", Some(creds)).await;
        assert_eq!(status, 201);
        let auth = format!("token {}", body["token"].as_str().unwrap());
        let (status, me) = api.send(&auth, "GET me", None).await;
        let expected = json!({"id": "usr_1", "email": "owner@example.com", "name": "Site Owner",
                              "account_id": "acc_1", "role": "owner"});
        assert_eq!((status, me), (200, expected));
        let got = api.send(&auth, "DELETE auth", None).await;
        assert_eq!(got, (204, Value::Null));
        let got = api.send(&auth, "GET me", None).await;
        assert_eq!(got, (401, error("Unauthorized")));
        let users = api.get("users").await;
        assert_eq!(strs(&users, "id"), ["usr_1", "usr_2", "usr_3"]);
    }

    /// A JWT pair authenticates, refreshing rotates it, and a revoked token stops working.
    #[tokio::test]
    async fn jwt_refresh_and_revoke() {
        let api = Api::boot(300).await;
        let creds = json!({"email": "owner@example.com", "password": "correct horse"});
        let (status, pair) = api.send("", "POST jwt", Some(creds)).await;
        assert_eq!((status, &pair["token_type"]), (201, &json!("Bearer")));
        assert_eq!(pair["expires_in"], 900);
        let bearer = |pair: &Value| format!("Bearer {}", pair["access_token"].as_str().unwrap());
        assert_eq!(api.send(&bearer(&pair), "GET sites", None).await.0, 200);

        let refresh = Some(json!({"refresh_token": pair["refresh_token"]}));
        let (status, next) = api.send("", "POST jwt/refresh", refresh.clone()).await;
        assert_eq!(status, 200);
        assert_ne!(next["access_token"], pair["access_token"]);
        assert_ne!(next["refresh_token"], pair["refresh_token"]);
        let reused = api.send("", "POST jwt/refresh", refresh).await;
        assert_eq!(reused, (401, error("Invalid refresh token")));

        let auth = bearer(&next);
        assert_eq!(api.send(&auth, "GET me", None).await.0, 200);
        let revoke = Some(json!({"token": next["access_token"]}));
        let revoked = api.expect("POST jwt/revoke", revoke, 200).await;
        assert_eq!(revoked, json!({"revoked": true}));
        let got = api.send(&auth, "GET me", None).await;
        assert_eq!(got, (401, error("Unauthorized")));
        let revoke = Some(json!({"token": next["refresh_token"]}));
        api.expect("POST jwt/revoke", revoke, 200).await;
        let refresh = Some(json!({"refresh_token": next["refresh_token"]}));
        let got = api.send("", "POST jwt/refresh", refresh).await;
        assert_eq!(got, (401, error("Invalid refresh token")));
    }

    /// Sites list the docs' example first; create, update and delete work; unknown ids are 404.
    #[tokio::test]
    async fn site_crud() {
        let api = Api::boot(300).await;
        let sites = api.get("sites").await;
        let example = json!({
            "id": "site_abc123", "name": "My WordPress Site", "url": "https://example.com",
            "status": "healthy", "wp_version": "6.5", "php_version": "8.2",
            "created_at": "2026-01-15T10:30:00Z"
        });
        assert_eq!((&sites[0], sites.as_array().unwrap().len()), (&example, 3));
        assert_eq!(api.sim.site_ids()[0], "site_abc123");

        let body = json!({"site": {"name": "New Site", "url": "https://new.example.net"}});
        let site = api.expect("POST sites", Some(body), 201).await;
        assert_eq!(site["status"], "healthy");
        let path = format!("sites/{}", site["id"].as_str().unwrap());
        assert!(path.starts_with("sites/site_"), "{path}");
        assert_eq!(api.get(&path).await, site);
        let rename = Some(json!({"name": "Renamed"}));
        let renamed = api.expect(&format!("PATCH {path}"), rename, 200).await;
        assert_eq!(renamed["name"], "Renamed");
        assert_eq!(api.get(&path).await, renamed);
        let got = api.call(&format!("DELETE {path}"), None).await;
        assert_eq!(got, (204, Value::Null));
        let gone = [format!("GET {path}"), format!("GET {path}/snapshots")];
        for call in gone
            .iter()
            .map(String::as_str)
            .chain(["GET sites/site_abc123/snapshots/x"])
        {
            let got = api.call(call, None).await;
            assert_eq!(got, (404, error("Record not found")), "{call}");
        }
        let checks = api.get(&format!("{HOME}/health_checks")).await;
        assert_eq!(checks.as_array().unwrap().len(), 2);
        let id = checks[0]["id"].as_str().unwrap();
        let check = api.get(&format!("{HOME}/health_checks/{id}")).await;
        assert_eq!(check["checks"]["http"]["status"], "passed");
    }

    /// Activity logs page 25 at a time with `X-Total-Count` and `Link`; past the end is `[]`.
    #[tokio::test]
    async fn pagination() {
        let api = Api::boot(300).await;
        let mut seen = BTreeSet::new();
        for (page, len, has_next) in [(1, 25, true), (2, 25, true), (3, 10, false), (4, 0, false)] {
            let url = api.url(&format!("activity_logs?page={page}"));
            let req = api.client.get(url).header("Authorization", AUTH);
            let resp = req.send().await.unwrap();
            let headers = resp.headers().clone();
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body.as_array().unwrap().len(), len, "page {page}");
            seen.extend(strs(&body, "id").into_iter().map(String::from));
            assert_eq!(headers["x-total-count"], "60");
            let link = headers.get("link").map_or("", |v| v.to_str().unwrap());
            let next = format!("/api/v1/activity_logs?page={}>; rel=\"next\"", page + 1);
            assert_eq!(link.contains(&next), has_next, "page {page}: {link}");
        }
        assert_eq!(seen.len(), 60);
        let first = &api.get("activity_logs").await[0];
        let keys = ["id", "action", "subject_type", "subject_id", "created_at"];
        assert!(keys.iter().all(|k| first[k].is_string()), "{first}");
    }

    /// A snapshot goes pending -> running -> completed with a size; upload and delete work.
    #[tokio::test]
    async fn snapshot_progresses_to_completed() {
        let api = Api::boot(600).await;
        let create = format!("POST {HOME}/snapshots");
        let body = Some(json!({"description": "before upgrade"}));
        let snap = api.expect(&create, body, 201).await;
        let state = |s: &Value| (s["status"].clone(), s["progress"].clone());
        assert_eq!(state(&snap), (json!("pending"), json!(0)));
        assert_eq!(snap["size_bytes"], Value::Null);
        let one = format!("{HOME}/snapshots/{}", snap["id"].as_str().unwrap());
        sleep_ms(300).await;
        let running = api.get(&one).await;
        let progress = running["progress"].as_f64().unwrap();
        assert_eq!(running["status"], "running");
        assert!(progress > 0.0 && progress < 1.0, "{progress}");
        sleep_ms(400).await;
        let done = api.get(&one).await;
        assert_eq!(state(&done), (json!("completed"), json!(1)));
        assert!(done["size_bytes"].as_u64().unwrap() > 0);
        assert_eq!(api.get(&format!("{HOME}/snapshots")).await[0], done);

        let upload = format!("PUT {one}/upload");
        let data = Some(json!({"data": "aGVsbG8gd29ybGQ="}));
        let uploaded = api.expect(&upload, data, 200).await;
        assert_eq!(
            (&uploaded["uploaded"], &uploaded["size_bytes"]),
            (&json!(true), &json!(11))
        );
        let raw = api.client.put(api.url(&format!("{one}/upload")));
        let raw = raw.header("Authorization", AUTH).body(vec![7u8; 1000]);
        let raw: Value = raw.send().await.unwrap().json().await.unwrap();
        assert_eq!(raw["size_bytes"], 1000);
        let got = api.call(&format!("DELETE {one}"), None).await;
        assert_eq!(got, (204, Value::Null));
        assert_eq!(api.call(&format!("GET {one}"), None).await.0, 404);

        // The seeded site that is down cannot be snapshotted.
        let down = format!("sites/{}/snapshots", api.sim.site_ids()[2]);
        let snap = api.expect(&format!("POST {down}"), None, 201).await;
        sleep_ms(250).await;
        let failed = api
            .get(&format!("{down}/{}", snap["id"].as_str().unwrap()))
            .await;
        assert_eq!(state(&failed), (json!("failed"), json!(0.3)));
        assert!(failed["error"].as_str().unwrap().contains("unreachable"));
    }

    /// Approval runs a pipeline to completion and bumps core; re-approval is 422; a broken plugin fails.
    #[tokio::test]
    async fn pipeline_approve_and_fail() {
        let api = Api::boot(400).await;
        let create = format!("POST {HOME}/upgrade_pipelines");
        let body = Some(json!({"plugins": ["akismet"], "core": true}));
        let pipe = api.expect(&create, body, 201).await;
        assert_eq!(pipe["status"], "awaiting_approval");
        let steps = ["snapshot", "update_plugin", "update_core", "health_check"];
        assert_eq!(strs(&pipe["steps"], "name"), steps);
        let one = format!("{HOME}/upgrade_pipelines/{}", pipe["id"].as_str().unwrap());
        let approve = format!("POST {one}/approve");
        let running = api.expect(&approve, None, 200).await;
        assert_eq!(running["status"], "running");
        let again = api.call(&approve, None).await;
        assert_eq!(again, (422, error("Pipeline is not awaiting approval")));
        sleep_ms(450).await;
        let done = api.get(&one).await;
        assert_eq!(
            (&done["status"], &done["progress"]),
            (&json!("completed"), &json!(1))
        );
        assert_eq!(api.get(HOME).await["wp_version"], "6.6");

        let body = Some(json!({"plugins": ["akismet", "broken-plugin", "jetpack"]}));
        let pipe = api.expect(&create, body, 201).await;
        let one = format!("{HOME}/upgrade_pipelines/{}", pipe["id"].as_str().unwrap());
        api.expect(&format!("POST {one}/approve"), None, 200).await;
        sleep_ms(450).await;
        let failed = api.get(&one).await;
        assert_eq!(failed["status"], "failed");
        assert!(failed["error"].as_str().unwrap().contains("broken-plugin"));
        let steps = ["completed", "completed", "failed", "skipped", "skipped"];
        assert_eq!(strs(&failed["steps"], "status"), steps);
    }

    /// Webhooks reach a local receiver without reads, signed with the endpoint's secret.
    #[tokio::test]
    async fn webhook_delivery_is_signed() {
        let api = Api::boot(300).await;
        let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
        let sink = received.clone();
        let hook = move |headers: HeaderMap, body: Bytes| async move {
            sink.lock().unwrap().push((headers, body));
            StatusCode::OK
        };
        let app = Router::new().route("/hook", post(hook));
        let receiver = SimServer::start(app, ([127, 0, 0, 1], 0).into());
        let receiver = receiver.await.unwrap();
        let url = format!("{}/hook", receiver.base_url());
        let events = ["snapshot.created", "snapshot.completed"];
        let body = Some(json!({"url": url, "events": events}));
        let hook = api.expect("POST webhook_endpoints", body, 201).await;
        let secret = hook["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"), "{secret}");
        // An endpoint nobody listens on: its attempt is recorded as unreachable.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead = format!("http://{}/hook", closed.local_addr().unwrap());
        drop(closed);
        let body = Some(json!({"url": dead, "events": ["snapshot.created"]}));
        api.expect("POST webhook_endpoints", body, 201).await;

        let snap = api
            .expect(&format!("POST {HOME}/snapshots"), None, 201)
            .await;
        for _ in 0..60 {
            if received.lock().unwrap().len() >= 2 {
                break;
            }
            sleep_ms(50).await;
        }
        let got = received.lock().unwrap().clone();
        assert_eq!(got.len(), 2);
        for ((headers, body), event) in got.iter().zip(events) {
            let payload: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(
                (&payload["event"], &payload["data"]["id"]),
                (&json!(event), &snap["id"])
            );
            assert_eq!(headers["x-orchestrix-event"], event);
            assert_eq!(
                headers["x-orchestrix-delivery"],
                payload["id"].as_str().unwrap()
            );
            assert_eq!(headers["content-type"], "application/json");
            let signature = headers["x-orchestrix-signature"].to_str().unwrap();
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
            mac.update(body);
            let expected = format!("sha256={}", hex(&mac.finalize().into_bytes()));
            assert_eq!(signature, expected);
        }
        sleep_ms(100).await;
        let mut deliveries = api.sim.deliveries();
        deliveries.sort();
        let mut expected = vec![
            (dead, events[0].to_string(), None),
            (url.clone(), events[0].to_string(), Some(200)),
            (url, events[1].to_string(), Some(200)),
        ];
        expected.sort();
        assert_eq!(deliveries, expected);
    }

    /// Invalid bodies get Rails-style 422 messages; a valid vulnerability status is saved.
    #[tokio::test]
    async fn validation_errors() {
        let api = Api::boot(300).await;
        let h = "https://h.example";
        #[rustfmt::skip]
        let cases = [
            ("POST sites", json!({"url": "https://x.example"}), "Name can't be blank"),
            ("POST sites", json!({"name": "X"}), "Url can't be blank"),
            ("POST sites", json!({"name": "X", "url": "ftp://x"}), "Url is invalid"),
            ("POST sites", json!({"name": "X", "url": "https://example.com"}), "Url has already been taken"),
            ("PATCH sites/site_abc123", json!({"name": ""}), "Name can't be blank"),
            ("POST webhook_endpoints", json!({"url": h}), "Events can't be blank"),
            ("POST webhook_endpoints", json!({"url": h, "events": []}), "Events can't be blank"),
            ("POST webhook_endpoints", json!({"url": h, "events": ["x.y"]}), "Events includes unknown event x.y"),
            ("POST webhook_endpoints", json!({"url": "mailto:x", "events": ["site.updated"]}), "Url is invalid"),
            ("POST sites/site_abc123/upgrade_pipelines", json!({}), "Plugins can't be blank"),
        ];
        for (call, body, message) in cases {
            let got = api.call(call, Some(body)).await;
            assert_eq!(got, (422, error(message)), "{call}");
        }
        let vulns = api.get(&format!("{HOME}/vulnerability_records")).await;
        assert_eq!(strs(&vulns, "status"), ["open", "open"]);
        let id = vulns[0]["id"].as_str().unwrap();
        let patch = format!("PATCH {HOME}/vulnerability_records/{id}");
        let got = api.call(&patch, Some(json!({"status": "fixed"}))).await;
        assert_eq!(got, (422, error("Status is not included in the list")));
        let body = Some(json!({"status": "acknowledged"}));
        let vuln = api.expect(&patch, body, 200).await;
        assert_eq!(vuln["status"], "acknowledged");
    }

    /// Each of the 34 documented routes is served by a handler, not by the fallback or a 405.
    #[tokio::test]
    async fn all_documented_routes_answer() {
        let api = Api::boot(300).await;
        let s = HOME;
        // `DELETE auth` comes last: it revokes the token the other calls use.
        let routes = format!(
            "POST auth, POST jwt, POST jwt/refresh, POST jwt/revoke, GET sites, GET {s},
            POST sites, PATCH {s}, DELETE sites/site_x, GET {s}/health_checks,
            GET {s}/health_checks/x, GET {s}/snapshots, GET {s}/snapshots/x, POST {s}/snapshots,
            DELETE {s}/snapshots/x, PUT {s}/snapshots/x/upload, GET {s}/upgrade_pipelines,
            GET {s}/upgrade_pipelines/x, POST {s}/upgrade_pipelines,
            POST {s}/upgrade_pipelines/x/approve, GET {s}/vulnerability_records,
            GET {s}/vulnerability_records/x, PATCH {s}/vulnerability_records/x,
            GET activity_logs, GET webhook_endpoints, GET webhook_endpoints/x,
            POST webhook_endpoints, PATCH webhook_endpoints/x, DELETE webhook_endpoints/x,
            GET me, GET accounts, GET accounts/acc_1, GET users, DELETE auth"
        );
        let routes: Vec<&str> = routes.split(',').map(str::trim).collect();
        assert_eq!(routes.len(), 34);
        for call in routes {
            let (status, body) = api.call(call, Some(json!({}))).await;
            assert!(
                status != 405 && body != error("Not found"),
                "{call}: {status}"
            );
        }
    }

    /// Dropping every handle frees the state, so the background tick ends.
    #[tokio::test]
    async fn dropping_the_simulator_stops_the_tick() {
        let sim = Simulator::new(SimConfig::default());
        let state = Arc::downgrade(&sim.state);
        drop(sim);
        sleep_ms(120).await;
        assert!(state.upgrade().is_none());
    }
}
