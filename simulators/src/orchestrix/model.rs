//! The simulated WP Orchestrix account as the resource engine holds it: sites, health checks,
//! vulnerability records, the activity log, webhook endpoints, accounts and users as collections
//! seeded with the docs' example site, and beside them the account's own state (credentials and
//! tokens, snapshots and pipelines, webhooks on their way out).

use super::{
    SimConfig,
    flows::{Outcome, Outgoing, Pipeline, Snapshot, emit},
    routes::{self, Rails, VULN_STATUSES, event_list, flag, web_url},
};
use crate::{
    kit::{
        Fail,
        random::{BASE58, LOWER_ALNUM, random_string},
        time::rfc3339,
    },
    resource::{Collection, Rule::*, Table},
};
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, BTreeSet},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

pub(super) type World = crate::resource::World<Account>;

/// Lifetime of a JWT access token, matching the `expires_in` the pair reports.
const ACCESS_TTL: Duration = Duration::from_secs(900);
/// When the docs' example site was created (2026-01-15T10:30:00Z), in Unix seconds.
const SITE_CREATED: u64 = 1_768_473_000;
const USER_ID: &str = "usr_1";

/// What the account holds beside its collections.
pub(super) struct Account {
    pub(super) email: String,
    pub(super) password: String,
    pub(super) job_duration: Duration,
    pub(super) ticking: bool,
    /// The configured token and those issued by `POST /auth`.
    pub(super) api_tokens: BTreeSet<String>,
    /// JWT access tokens and when they were issued.
    pub(super) access_tokens: BTreeMap<String, Instant>,
    pub(super) refresh_tokens: BTreeSet<String>,
    /// Snapshots and pipelines run timed work, so they are kept as state, not as documents.
    pub(super) snapshots: Vec<Snapshot>,
    pub(super) pipelines: Vec<Pipeline>,
    /// Deliveries queued since the last tick.
    pub(super) outbox: Vec<Outgoing>,
    pub(super) deliveries: Vec<(String, String, Option<u16>)>,
}

impl Account {
    pub(super) fn accepts(&self, now: Instant, scheme: &str, token: &str) -> bool {
        match scheme {
            "token" => self.api_tokens.contains(token),
            "bearer" => self
                .access_tokens
                .get(token)
                .is_some_and(|issued| now.saturating_duration_since(*issued) < ACCESS_TTL),
            _ => false,
        }
    }

    /// Access and refresh tokens are opaque random strings, not real JWTs: callers must treat
    /// them as opaque anyway, and the simulator checks them by lookup.
    pub(super) fn issue_pair(&mut self, now: Instant) -> Value {
        let access = format!("ey{}", secure_token(40));
        let refresh = secure_token(40);
        self.access_tokens.insert(access.clone(), now);
        self.refresh_tokens.insert(refresh.clone());
        json!({
            "access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": ACCESS_TTL.as_secs()
        })
    }
}

/// The account's collections and routes, seeded, and its own state.
pub(super) fn seeded(config: SimConfig) -> (Table<Account>, Account) {
    let wall = SystemTime::now();
    let ago = |secs: u64| wall - Duration::from_secs(secs);
    // The first site is exactly the docs' example; `status` may also be `warning` or `down`
    // (modelled), and the other two sites are modelled.
    let sites = json!([
        {"id": "site_abc123", "name": "My WordPress Site", "url": "https://example.com",
         "status": "healthy", "wp_version": "6.5", "php_version": "8.2",
         "created_at": "2026-01-15T10:30:00Z"},
        {"id": new_id("site"), "name": "Example Shop", "url": "https://shop.example.com",
         "status": "warning", "wp_version": "6.4.3", "php_version": "8.1",
         "created_at": "2026-02-03T14:05:00Z"},
        {"id": new_id("site"), "name": "Example Blog", "url": "https://blog.example.org",
         "status": "down", "wp_version": "6.3.2", "php_version": "7.4",
         "created_at": "2026-03-09T08:45:00Z"},
    ]);
    // Two checks per site, newest last: an older pass and one matching the site's status.
    let mut health_checks = Vec::new();
    for site in sites.as_array().into_iter().flatten() {
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
    let critical = new_id("vuln");
    let vulns = json!([
        {"id": critical, "site_id": home, "software": "contact-form-7",
         "version": "5.3.1", "fixed_in": "5.3.2", "severity": "critical",
         "title": "Unrestricted File Upload", "cve": "CVE-2020-35489",
         "status": "open", "created_at": reported, "updated_at": reported},
        {"id": new_id("vuln"), "site_id": home, "software": "elementor",
         "version": "3.6.2", "fixed_in": "3.6.3", "severity": "high",
         "title": "Authenticated Remote Code Execution", "cve": "CVE-2022-1329",
         "status": "open", "created_at": reported, "updated_at": reported},
    ]);
    // Sixty entries three hours apart from the site's creation: three pages of 25.
    let subjects = [
        ("update", "Site", home.to_string()),
        ("create", "Snapshot", weekly.id.clone()),
        ("update", "VulnerabilityRecord", critical),
        ("approve", "UpgradePipeline", new_id("pipe")),
    ];
    let activity: Vec<Value> = (0..60u64)
        .map(|i| {
            let (action, subject_type, subject_id) = match i {
                0 => ("create", "Site", home.to_string()),
                _ => subjects[i as usize % subjects.len()].clone(),
            };
            let at = UNIX_EPOCH + Duration::from_secs(SITE_CREATED + i * 3 * 3600);
            activity(action, subject_type, &subject_id, at)
        })
        .collect();
    // The accounts the current user belongs to (`acc_1` is the current one), and that account's
    // members (modelled: the docs show no bodies for either).
    let accounts = json!([
        {"id": "acc_1", "name": "Example Agency", "plan": "agency", "owner_id": USER_ID,
         "created_at": "2026-01-10T09:00:00Z"},
        {"id": "acc_2", "name": "Personal", "plan": "free", "owner_id": USER_ID,
         "created_at": "2026-04-02T18:20:00Z"},
    ]);
    let users = json!([
        {"id": USER_ID, "email": config.email, "name": "Site Owner", "account_id": "acc_1",
         "role": "owner"},
        {"id": "usr_2", "email": "dev@example.com", "name": "Dana Developer",
         "account_id": "acc_1", "role": "admin"},
        {"id": "usr_3", "email": "client@example.com", "name": "Chris Client",
         "account_id": "acc_1", "role": "viewer"},
    ]);

    // A new site reports the versions of the docs' example as its agent's first check-in and is
    // healthy with one passed check (modelled). URLs are unique per account, as a Rails
    // uniqueness validation would make them. Sites are listed oldest first, as the docs' example
    // is the first one created; the records under a site newest first (Rails'
    // `order(created_at: :desc)`), and go with it, as `dependent: :destroy` would have them.
    let sites = Collection::new("sites")
        .seed(sites)
        .ids(|| json!(new_id("site")))
        .wrap("site")
        .fields(["name", "url"])
        .defaults(json!({"status": "healthy", "wp_version": "6.5", "php_version": "8.2"}))
        .rules([
            Required("name"),
            Text("name"),
            Required("url"),
            Text("url"),
            Check("url", web_url),
            Unique("url"),
        ])
        .created_at("created_at")
        .after_create(|world, _, site| {
            let check = health_check(&site["id"], "passed", SystemTime::now());
            world.store.insert("health_checks", check);
            record(world, "create", "Site", &site["id"])
        })
        .after_update(|world, _, site| {
            emit(world, "site.updated", site.clone());
            record(world, "update", "Site", &site["id"])
        })
        .after_delete(|world, _, site| {
            let account = &mut world.ext;
            account
                .snapshots
                .retain(|s| site["id"] != s.site_id.as_str());
            account
                .pipelines
                .retain(|p| site["id"] != p.site_id.as_str());
            record(world, "destroy", "Site", &site["id"])
        });
    let health_checks = Collection::new("health_checks")
        .seed(json!(health_checks))
        .under("sites", "site_id")
        .newest_first();
    // Triage moves a record between four states (modelled).
    let vulns = Collection::new("vulnerability_records")
        .seed(vulns)
        .under("sites", "site_id")
        .newest_first()
        .wrap("vulnerability_record")
        .fields(["status"])
        .rules([
            Always("status"),
            Text("status"),
            OneOf("status", &VULN_STATUSES),
        ])
        .updated_at("updated_at")
        .after_update(|world, _, vuln| record(world, "update", "VulnerabilityRecord", &vuln["id"]));
    // The secret is shown on create, GET and PATCH but left out of lists (modelled).
    let webhooks = Collection::new("webhook_endpoints")
        .ids(|| json!(new_id("wh")))
        .wrap("webhook_endpoint")
        .fields(["url", "events", "enabled"])
        .defaults(json!({"enabled": true}))
        .rules([
            Required("url"),
            Text("url"),
            Check("url", web_url),
            Required("events"),
            Check("events", event_list),
            Check("enabled", flag),
        ])
        .unlisted(["secret"])
        .created_at("created_at")
        .before_create(|_, _, hook| {
            hook["secret"] = json!(format!("whsec_{}", secure_token(32)));
            Ok(())
        })
        .after_create(|world, _, hook| record(world, "create", "WebhookEndpoint", &hook["id"]))
        .after_update(|world, _, hook| record(world, "update", "WebhookEndpoint", &hook["id"]))
        .after_delete(|world, _, hook| record(world, "destroy", "WebhookEndpoint", &hook["id"]));
    let table = Table::new(Rails {
        page_size: config.page_size.max(1),
    })
    .collection(sites)
    .collection(health_checks)
    .collection(vulns)
    .collection(
        Collection::new("activity_logs")
            .seed(json!(activity))
            .newest_first(),
    )
    .collection(webhooks)
    .collection(Collection::new("accounts").seed(accounts))
    .collection(Collection::new("users").seed(users))
    .rows(routes::rows())
    .settle(super::flows::settle);
    let account = Account {
        email: config.email,
        password: config.password,
        job_duration: config.job_duration,
        ticking: false,
        api_tokens: BTreeSet::from([config.api_token]),
        access_tokens: BTreeMap::new(),
        refresh_tokens: BTreeSet::new(),
        snapshots: vec![weekly],
        pipelines: Vec::new(),
        outbox: Vec::new(),
        deliveries: Vec::new(),
    };
    (table, account)
}

/// Every write through the API is logged (modelled on a Rails audit trail; logins are not).
pub(super) fn record(
    world: &mut World,
    action: &str,
    subject_type: &str,
    id: &Value,
) -> Result<(), Fail> {
    let entry = activity(action, subject_type, text(id), SystemTime::now());
    world.store.insert("activity_logs", entry);
    Ok(())
}

/// The individual checks are modelled on what an uptime/WordPress monitor reports.
fn health_check(site_id: &Value, status: &str, at: SystemTime) -> Value {
    let (http, ssl, response_time_ms) = match status {
        "passed" => ("passed", "passed", json!(231)),
        "warning" => ("passed", "warning", json!(412)),
        _ => ("failed", "passed", Value::Null),
    };
    let days_left = if ssl == "warning" { 9 } else { 74 };
    json!({
        "id": new_id("hc"), "site_id": site_id, "status": status,
        "checks": {
            "http": {"status": http, "response_time_ms": response_time_ms},
            "ssl": {"status": ssl, "days_until_expiry": days_left},
            "wp_cron": {"status": http},
            "database": {"status": http}
        },
        "checked_at": rfc3339(at)
    })
}

fn activity(action: &str, subject_type: &str, subject_id: &str, at: SystemTime) -> Value {
    json!({
        "id": new_id("act"), "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "user_id": USER_ID, "created_at": rfc3339(at)
    })
}

/// A string field of a stored document (empty when absent).
pub(super) fn text(field: &Value) -> &str {
    field.as_str().unwrap_or_default()
}

/// A token shaped like Rails' `has_secure_token` (base58).
pub(super) fn secure_token(len: usize) -> String {
    random_string(BASE58, len)
}

/// `prefix_` and 12 lowercase alphanumerics, like the docs' `site_abc123`.
pub(super) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_string(LOWER_ALNUM, 12))
}
