//! The simulated WP Orchestrix account: its credentials and tokens, sites, health checks,
//! vulnerability records, activity log, webhook endpoints, users and accounts, and the data they are
//! seeded with. Sites, endpoints and the records under sites never run timed work, so they are kept as
//! the JSON documents the API renders.

use super::{
    SimConfig,
    flows::{Outcome, Outgoing, Pipeline, Snapshot},
    routes::not_found,
};
use crate::kit::{
    Fail,
    random::{BASE58, LOWER_ALNUM, random_string},
    time::rfc3339,
};
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Lifetime of a JWT access token, matching the `expires_in` the pair reports.
const ACCESS_TTL: Duration = Duration::from_secs(900);
/// When the docs' example site was created (2026-01-15T10:30:00Z), in Unix seconds.
const SITE_CREATED: u64 = 1_768_473_000;
const ACCOUNT_ID: &str = "acc_1";
const USER_ID: &str = "usr_1";

pub(super) struct Account {
    pub(super) email: String,
    pub(super) password: String,
    pub(super) job_duration: Duration,
    pub(super) page_size: usize,
    /// When the current request settled the account: every view reads progress at this instant.
    pub(super) now: Instant,
    pub(super) ticking: bool,
    /// The configured token and those issued by `POST /auth`.
    pub(super) api_tokens: BTreeSet<String>,
    /// JWT access tokens and when they were issued.
    pub(super) access_tokens: BTreeMap<String, Instant>,
    pub(super) refresh_tokens: BTreeSet<String>,
    /// Sites, webhook endpoints, health checks, vulnerabilities and activity never run timed work,
    /// so they are kept as the JSON documents the API renders (snapshots and pipelines are not).
    pub(super) sites: Vec<Value>,
    pub(super) health_checks: Vec<HealthCheck>,
    pub(super) snapshots: Vec<Snapshot>,
    pub(super) pipelines: Vec<Pipeline>,
    pub(super) vulns: Vec<Vuln>,
    /// Oldest first.
    pub(super) activity: Vec<Value>,
    /// Rendered with their secret, which lists leave out.
    pub(super) webhooks: Vec<Value>,
    /// Deliveries queued since the last tick.
    pub(super) outbox: Vec<Outgoing>,
    pub(super) deliveries: Vec<(String, String, Option<u16>)>,
}

/// Health checks never change once taken.
pub(super) struct HealthCheck(pub(super) Value);

/// Only `status` and `updated_at` change.
pub(super) struct Vuln(pub(super) Value);

impl Account {
    pub(super) fn seeded(config: SimConfig) -> Account {
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
        let reported = rfc3339(ago(5 * 86400));
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

    /// Every write through the API is logged (modelled on a Rails audit trail; logins are not).
    pub(super) fn record(&mut self, action: &str, subject_type: &str, subject_id: &str) {
        let entry = activity(action, subject_type, subject_id, SystemTime::now());
        self.activity.push(entry);
    }

    pub(super) fn accepts(&self, scheme: &str, token: &str) -> bool {
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
    pub(super) fn issue_pair(&mut self) -> Value {
        let access = format!("ey{}", secure_token(40));
        let refresh = secure_token(40);
        self.access_tokens.insert(access.clone(), self.now);
        self.refresh_tokens.insert(refresh.clone());
        json!({
            "access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": ACCESS_TTL.as_secs()
        })
    }

    pub(super) fn site(&self, id: &str) -> Result<&Value, Fail> {
        self.sites
            .iter()
            .find(|s| s["id"] == id)
            .ok_or_else(not_found)
    }
}

/// The individual checks are modelled on what an uptime/WordPress monitor reports.
pub(super) fn health_check(site_id: &Value, status: &str, at: SystemTime) -> HealthCheck {
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
        "checked_at": rfc3339(at)
    }))
}

pub(super) fn activity(
    action: &str,
    subject_type: &str,
    subject_id: &str,
    at: SystemTime,
) -> Value {
    json!({
        "id": new_id("act"), "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "user_id": USER_ID, "created_at": rfc3339(at)
    })
}

/// The current user and their account's members (modelled: the docs show no user bodies).
pub(super) fn users(owner_email: &str) -> Vec<Value> {
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
pub(super) fn accounts() -> Vec<Value> {
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
pub(super) trait Nested: Sized + 'static {
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

pub(super) fn json_keys(record: &Value) -> (&str, &str) {
    (text(&record["site_id"]), text(&record["id"]))
}

/// A string field of a stored document (empty when absent).
pub(super) fn text(field: &Value) -> &str {
    field.as_str().unwrap_or_default()
}

/// A top-level document (a site or webhook endpoint) by id.
pub(super) fn find_doc<'a>(docs: &'a mut [Value], id: &str) -> Result<&'a mut Value, Fail> {
    docs.iter_mut()
        .find(|d| d["id"] == id)
        .ok_or_else(not_found)
}

pub(super) fn find<'a, T: Nested>(
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

/// A token shaped like Rails' `has_secure_token` (base58).
pub(super) fn secure_token(len: usize) -> String {
    random_string(BASE58, len)
}

/// `prefix_` and 12 lowercase alphanumerics, like the docs' `site_abc123`.
pub(super) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_string(LOWER_ALNUM, 12))
}
