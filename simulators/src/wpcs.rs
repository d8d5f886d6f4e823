//! The stateful WPCS simulator used by the adapter tests and `hostplane demo`: the 28 documented
//! `/v1` routes over one in-memory account (a subscription with its product, the product's
//! versions, snapshots and tenants with their domains, and the base snapshots), seeded with the ids
//! and values the docs' examples show, behind `Authorization: Basic base64(key:secret)`. With
//! `SimConfig::partner` the key is a partner key: tenant, version and snapshot calls must name
//! their product with `?productId=`; otherwise they act on the key's own product and ignore it.
//!
//! Scheduled writes queue work on the object they change. Each object runs its work one item at a
//! time, each item taking `SimConfig::job_duration`, and every read derives `statusCode` and
//! `statusName` from that queue at the moment of the request: 0 `Pending` (queued, waiting for a
//! custom upload, or in the first tenth of its run), 2 `InProgress`, then 1 `Done`, or 3 `Failed`
//! when a custom upload is not an archive. The docs show only `1`/`Done`; the other codes are
//! modelled. Effects (a move, a new main domain, a removal) apply when the item completes; finished
//! work is settled lazily at the start of every request, so no background task exists and the
//! simulator works under any runtime.
//!
//! The docs show few response bodies; where they are silent the behaviour is modelled on what the
//! request and resource imply, and each such place says so.

use crate::SimServer;
use axum::{
    Json, Router,
    body::Bytes,
    extract::{FromRequestParts, Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde_json::{Map, Value, json};
use std::{
    collections::{BTreeMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// The share of its run a scheduled item still reads as `Pending` before it visibly runs.
const QUEUED_SHARE: f64 = 0.1;
const VALIDATION: &str = "Validation error occured: ";
/// Tenants get `<externalId>.staging.my-site.com` as base domain, as in the docs' tenant example.
const BASE_DOMAIN: &str = "staging.my-site.com";
const VERSION_DOMAIN: &str = "snapshots.us1.wpcs.io";
const STORAGE: &str = "https://storage.us1.wpcs.io";
/// The deprecated tenant-user fields and their replacements: strings when present.
const USER_FIELDS: [&str; 8] = [
    "tenantName",
    "tenantUserRole",
    "tenantEmail",
    "tenantPassword",
    "wordPressUserName",
    "wordPressUserRole",
    "wordPressUserEmail",
    "wordPressUserPassword",
];

// Seeded ids, taken from the docs' examples.
const SUBSCRIPTION_ID: &str = "1f3ea976-d862-499d-8be2-b99c1aef21a9";
const PRODUCT_ID: &str = "dcd53ddb-8104-4e48-8cc0-5df1088c6113";
const VERSION_1: &str = "aebceb97-1296-49fc-81bc-b9e86aefe011";
const VERSION_2: &str = "745e1ebd-d00e-4b6b-b6bc-bffd450c0942";
const SNAPSHOT_INITIAL: &str = "ed142f0f-cae8-441d-ac8d-dbb22c88caa6";
const SNAPSHOT_FRENCH: &str = "7395de9a-bfc3-45cd-8dfd-92f760d5aee7";
const SNAPSHOT_WOO: &str = "347b6a3b-4b68-4888-acc5-d5d546a33d86";
const SNAPSHOT_SPANISH: &str = "09520abc-01e6-4da1-8fa5-f10e3883c861";
const TENANT_1: &str = "68c6b25c-74ef-4401-acbe-0b1d560d8647";
const TENANT_2: &str = "59733291-9f60-46f9-acbc-6f73e8d6a8fb";
const BASE_SNAPSHOT: &str = "193463fd-ce54-43d9-ba61-304ceef2885e";

/// The credentials the simulator accepts, whether they are a partner key, and how long scheduled
/// work takes.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub key: String,
    pub secret: String,
    pub partner: bool,
    pub job_duration: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            key: "sim-wpcs-key".into(),
            secret: "sim-wpcs-secret".into(),
            partner: false,
            job_duration: Duration::from_secs(3),
        }
    }
}

/// A handle on one simulated WPCS account; clones share the same state.
#[derive(Clone)]
pub struct Simulator {
    key: Arc<str>,
    secret: Arc<str>,
    state: Arc<Mutex<Account>>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        let account = Account::seeded(config.partner, config.job_duration);
        Simulator {
            key: config.key.into(),
            secret: config.secret.into(),
            state: Arc::new(Mutex::new(account)),
        }
    }

    /// All 28 documented routes behind the Basic check, plus the storage URL custom uploads go to.
    pub fn router(&self) -> Router {
        routes()
            .route_layer(middleware::from_fn_with_state(self.clone(), authorize))
            // Stands for the blob storage an `uploadUrl` points at: its token is the credential.
            .route("/uploads/{token}", put(upload))
            .fallback(|| async { Fail(StatusCode::NOT_FOUND, "Not found".into()) })
            .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        let sim = Simulator::new(config);
        let server = SimServer::start(sim.router(), ([127, 0, 0, 1], 0).into()).await?;
        Ok((sim, server))
    }

    /// Every tenant of every product in creation order, including those scheduled for removal.
    pub fn tenant_ids(&self) -> Vec<String> {
        self.lock().tenants.iter().map(|t| t.id.clone()).collect()
    }

    /// Every product, in creation order.
    pub fn product_ids(&self) -> Vec<String> {
        self.lock().products.iter().map(|p| p.id.clone()).collect()
    }

    /// Locks the account with all due work settled, so every handler sees the present.
    fn lock(&self) -> MutexGuard<'_, Account> {
        let mut account = self
            .state
            .lock()
            .expect("wpcs simulator state lock poisoned");
        account.settle(Instant::now());
        account
    }
}

// ---------------------------------------------------------------------------------------------
// Scheduled work

/// What `statusCode`/`statusName` report. Only `1`/`Done` is documented; the rest is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Done,
    InProgress,
    Failed,
}

impl Status {
    fn code(self) -> u8 {
        match self {
            Status::Pending => 0,
            Status::Done => 1,
            Status::InProgress => 2,
            Status::Failed => 3,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Done => "Done",
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
        }
    }

    /// Appends `statusCode` and `statusName` to a rendered object.
    fn stamp(self, mut body: Value) -> Value {
        body["statusCode"] = json!(self.code());
        body["statusName"] = json!(self.name());
        body
    }
}

/// One scheduled change. Products and subscriptions only ever schedule their creation.
enum Op {
    Create,
    Update,
    Delete,
    Move(String),
    AddDomain { domain_id: String, set_main: bool },
    RemoveDomain(String),
    SetMainDomain(String),
    SetProduction,
}

impl Op {
    fn domain(&self) -> Option<&str> {
        match self {
            Op::AddDomain { domain_id, .. }
            | Op::RemoveDomain(domain_id)
            | Op::SetMainDomain(domain_id) => Some(domain_id),
            _ => None,
        }
    }
}

struct Item {
    op: Op,
    /// Work never starts before this: a product waits for its subscription, a version for its
    /// product.
    not_before: Instant,
    /// The token of the custom upload this item waits for; it does not start until it arrives.
    upload: Option<String>,
}

/// The work scheduled on one object, run one item at a time in order.
struct Queue {
    items: VecDeque<Item>,
    /// When the previous item finished (or the object was created): the next starts no earlier.
    free_at: Instant,
    /// The last scheduled work failed; cleared when a later item completes.
    failed: bool,
}

impl Queue {
    fn idle(now: Instant) -> Queue {
        Queue {
            items: VecDeque::new(),
            free_at: now,
            failed: false,
        }
    }

    fn with(op: Op, now: Instant, not_before: Instant, upload: Option<String>) -> Queue {
        let mut queue = Queue::idle(now);
        queue.push(op, not_before, upload);
        queue
    }

    /// Schedules `op` behind whatever is queued; returns its position.
    fn push(&mut self, op: Op, not_before: Instant, upload: Option<String>) -> usize {
        self.items.push_back(Item {
            op,
            not_before,
            upload,
        });
        self.items.len() - 1
    }

    fn position(&self, matches: impl Fn(&Op) -> bool) -> Option<usize> {
        self.items.iter().position(|item| matches(&item.op))
    }

    fn has(&self, matches: impl Fn(&Op) -> bool) -> bool {
        self.position(matches).is_some()
    }

    /// The object's status: that of the running item, else how the last work ended.
    fn status(&self, now: Instant, d: Duration) -> Status {
        self.status_at(0, now, d)
    }

    /// Items behind the head are `Pending`; the head is `Pending` until it has run for a tenth of
    /// the duration, then `InProgress`.
    fn status_at(&self, i: usize, now: Instant, d: Duration) -> Status {
        let Some(item) = self.items.get(i) else {
            return if self.failed {
                Status::Failed
            } else {
                Status::Done
            };
        };
        let start = item.not_before.max(self.free_at);
        if i > 0 || item.upload.is_some() || now < start {
            return Status::Pending;
        }
        if fraction(start, now, d) < QUEUED_SHARE {
            Status::Pending
        } else {
            Status::InProgress
        }
    }

    /// Pops every item that has finished by `now`, with the instant it finished.
    fn settle(&mut self, now: Instant, d: Duration) -> Vec<(Instant, Op)> {
        let mut done = Vec::new();
        while let Some(item) = self.items.front() {
            let end = item.not_before.max(self.free_at) + d;
            if item.upload.is_some() || now < end {
                break;
            }
            if let Some(item) = self.items.pop_front() {
                done.push((end, item.op));
            }
            self.free_at = end;
            self.failed = false;
        }
        done
    }

    /// A custom upload arrived: valid, its item starts now (or when it may); not an archive, the
    /// item fails and is dropped (modelled: the docs only say what to send).
    fn received(&mut self, token: &str, valid: bool, now: Instant) {
        let Some(i) = self
            .items
            .iter()
            .position(|item| item.upload.as_deref() == Some(token))
        else {
            return;
        };
        if valid {
            let item = &mut self.items[i];
            item.upload = None;
            item.not_before = item.not_before.max(now);
        } else {
            self.items.remove(i);
            self.failed = true;
        }
    }
}

/// The object a settled item or a custom upload belongs to.
#[derive(Clone, PartialEq, Eq)]
enum Target {
    Tenant(String),
    Version(String),
}

// ---------------------------------------------------------------------------------------------
// State

struct Account {
    partner: bool,
    job_duration: Duration,
    /// When the current request settled the account: every view reads status at this instant.
    now: Instant,
    /// The product a product-specific (non-partner) key acts on: the seeded one.
    home: String,
    /// New ids come from a fixed sequence, so runs are reproducible.
    sequence: u64,
    subscriptions: Vec<Subscription>,
    products: Vec<Product>,
    versions: Vec<Version>,
    /// Oldest first, so "the latest snapshot" is the last match.
    snapshots: Vec<Snapshot>,
    tenants: Vec<Tenant>,
    base_snapshots: Vec<BaseSnapshot>,
    /// Custom uploads still expected, by the token in their URL.
    uploads: BTreeMap<String, Upload>,
    /// Removed products, versions and tenants, so usage still counts the hours they ran.
    retired: Vec<Lifetime>,
}

struct Subscription {
    id: String,
    name: String,
    queue: Queue,
}

struct Product {
    id: String,
    name: String,
    subscription_id: String,
    created: SystemTime,
    queue: Queue,
}

struct Version {
    id: String,
    product_id: String,
    name: String,
    domain: String,
    wordpress_version: String,
    php_version: String,
    is_production: bool,
    created: SystemTime,
    changed: SystemTime,
    queue: Queue,
}

struct Snapshot {
    id: String,
    version_id: String,
    created: SystemTime,
    name: String,
    group_name: Option<String>,
    is_custom: bool,
    is_tenant: bool,
}

/// The snapshot a tenant was based on, as it was named then.
struct BasedOn {
    id: String,
    name: String,
    group_name: Option<String>,
}

struct Tenant {
    id: String,
    external_id: Option<String>,
    name: String,
    version_id: String,
    based_on: Option<BasedOn>,
    created: SystemTime,
    changed: SystemTime,
    domains: Vec<Domain>,
    queue: Queue,
}

struct Domain {
    id: String,
    name: String,
    is_main: bool,
    is_base: bool,
    /// False while its addition is scheduled: the tenant's domain fields leave it out until then.
    live: bool,
}

struct BaseSnapshot {
    id: String,
    name: String,
    comment: String,
    is_default: bool,
    is_tenant: bool,
    group_name: Option<String>,
    show_in_console: bool,
    /// Created through the API key rather than provided by WPCS.
    partner_specific: bool,
}

struct Upload {
    target: Target,
    as_zip: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Product,
    Version,
    Tenant,
}

/// How long something counted towards usage: until `to`, or until now while it exists.
#[derive(Clone)]
struct Lifetime {
    kind: Kind,
    product_id: String,
    subscription_id: String,
    from: SystemTime,
    to: Option<SystemTime>,
}

/// What a new version is made of: its parameters and the snapshots it starts with.
struct VersionParams {
    name: String,
    wordpress_version: String,
    php_version: String,
    custom_upload: bool,
    as_zip: bool,
    snapshot_id: Option<String>,
    copies: Vec<String>,
}

/// A snapshot a new version starts with, copied from a snapshot or base snapshot.
struct Seed {
    name: String,
    group_name: Option<String>,
    is_custom: bool,
    is_tenant: bool,
}

impl Account {
    fn seeded(partner: bool, job_duration: Duration) -> Account {
        let now = Instant::now();
        let idle = || Queue::idle(now);
        let version =
            |id: &str, name: &str, domain: &str, wp: &str, created, changed, prod| Version {
                id: id.into(),
                product_id: PRODUCT_ID.into(),
                name: name.into(),
                domain: domain.into(),
                wordpress_version: wp.into(),
                php_version: "7.4".into(),
                is_production: prod,
                created: seed_time(created),
                changed: seed_time(changed),
                queue: idle(),
            };
        let snapshot = |id: &str, version: &str, created, name: &str, tenant| Snapshot {
            id: id.into(),
            version_id: version.into(),
            created: seed_time(created),
            name: name.into(),
            group_name: Some("language-school-template".into()),
            is_custom: false,
            is_tenant: tenant,
        };
        let domain = |id: &str, name: &str, is_main, is_base| Domain {
            id: id.into(),
            name: name.into(),
            is_main,
            is_base,
            live: true,
        };
        let mut initial = snapshot(
            SNAPSHOT_INITIAL,
            VERSION_1,
            "2021-11-04T10:20:41.100214+00:00",
            "v1-initial",
            false,
        );
        initial.group_name = None;
        // The first tenant is exactly the docs' example; the second is modelled like it.
        let first = Tenant {
            id: TENANT_1.into(),
            external_id: Some("T001".into()),
            name: "First-Tenant".into(),
            version_id: VERSION_1.into(),
            based_on: Some(BasedOn {
                id: SNAPSHOT_FRENCH.into(),
                name: "V2: Added french".into(),
                group_name: Some("language-school-template".into()),
            }),
            created: seed_time("2021-12-01T12:27:34.891662+00:00"),
            changed: seed_time("2021-12-02T12:27:34.891662+00:00"),
            domains: vec![
                domain(
                    "3f2b8c1e-6a0d-4e8f-9b7a-1c5d2e4f6a80",
                    "T001.staging.my-site.com",
                    false,
                    true,
                ),
                domain(
                    "497f6eca-6276-4993-bfeb-53cbbbba6f08",
                    "my-domain.com",
                    true,
                    false,
                ),
                domain(
                    "b2a9e6f4-3c1d-4d7e-8f5a-6b0c9d2e1f34",
                    "www.my-domain.com",
                    false,
                    false,
                ),
            ],
            queue: idle(),
        };
        let second = Tenant {
            id: TENANT_2.into(),
            external_id: Some("T002".into()),
            name: "Second-Tenant".into(),
            version_id: VERSION_2.into(),
            based_on: Some(BasedOn {
                id: SNAPSHOT_SPANISH.into(),
                name: "V3: Added spanish".into(),
                group_name: Some("language-school-template".into()),
            }),
            created: seed_time("2022-01-10T08:00:00+00:00"),
            changed: seed_time("2022-01-10T08:00:00+00:00"),
            domains: vec![
                domain(
                    "c4d1e7a2-9b3f-4a6e-8d0c-2f5b7e9a1c36",
                    "T002.staging.my-site.com",
                    false,
                    true,
                ),
                domain(
                    "e8f3a5b7-1d2c-4e9f-a6b0-3c7d9e1f5a28",
                    "school-two.example.org",
                    true,
                    false,
                ),
                // Modelled: the same blog Patchstack and Orchestrix know, so the demo links it.
                domain(
                    "5a1c9e3b-7d2f-4b8a-9c6e-0f4d2b8a6e13",
                    "blog.example.org",
                    false,
                    false,
                ),
            ],
            queue: idle(),
        };
        Account {
            partner,
            job_duration,
            now,
            home: PRODUCT_ID.into(),
            sequence: 0,
            subscriptions: vec![Subscription {
                id: SUBSCRIPTION_ID.into(),
                name: "WPCS Inc".into(),
                queue: idle(),
            }],
            products: vec![Product {
                id: PRODUCT_ID.into(),
                name: "Language School".into(),
                subscription_id: SUBSCRIPTION_ID.into(),
                created: seed_time("2021-11-01T09:00:00+00:00"),
                queue: idle(),
            }],
            versions: vec![
                version(
                    VERSION_1,
                    "V1.1",
                    "v1-1-aebceb97129649fc81bcb9e86aefe011.snapshots.us1.wpcs.io",
                    "5.8.1",
                    "2021-11-04T10:12:05.512377+00:00",
                    "2021-11-04T10:20:41.100214+00:00",
                    false,
                ),
                // The docs' version example.
                version(
                    VERSION_2,
                    "v2.4",
                    "v2-5ea23421dba24a99e4a583c5dea4397f.snapshots.us1.wpcs.io",
                    "5.8.2",
                    "2021-11-18T15:47:40.17337+00:00",
                    "2021-11-20T15:47:40.17337+00:00",
                    true,
                ),
            ],
            snapshots: vec![
                initial,
                snapshot(
                    SNAPSHOT_FRENCH,
                    VERSION_1,
                    "2021-11-10T08:31:12.004512+00:00",
                    "V2: Added french",
                    true,
                ),
                // The docs' snapshot example.
                snapshot(
                    SNAPSHOT_WOO,
                    VERSION_2,
                    "2021-11-18T15:47:40.17337+00:00",
                    "v2-addition-woo-commerce",
                    false,
                ),
                snapshot(
                    SNAPSHOT_SPANISH,
                    VERSION_2,
                    "2021-11-25T13:02:55.781033+00:00",
                    "V3: Added spanish",
                    true,
                ),
            ],
            tenants: vec![first, second],
            base_snapshots: vec![BaseSnapshot {
                id: BASE_SNAPSHOT.into(),
                name: "WordPress Starter".into(),
                comment: "A clean WordPress install with the default theme".into(),
                is_default: true,
                is_tenant: false,
                group_name: None,
                show_in_console: true,
                partner_specific: false,
            }],
            uploads: BTreeMap::new(),
            retired: Vec::new(),
        }
    }

    /// Applies every scheduled item that has finished, in the order they finished.
    fn settle(&mut self, now: Instant) {
        self.now = now;
        let d = self.job_duration;
        let mut done: Vec<(Instant, Target, Op)> = Vec::new();
        for t in &mut self.tenants {
            let target = || Target::Tenant(t.id.clone());
            let finished = t.queue.settle(now, d);
            done.extend(finished.into_iter().map(|(at, op)| (at, target(), op)));
        }
        for v in &mut self.versions {
            let target = || Target::Version(v.id.clone());
            let finished = v.queue.settle(now, d);
            done.extend(finished.into_iter().map(|(at, op)| (at, target(), op)));
        }
        // Creating a product or subscription has no effect beyond its status.
        for p in &mut self.products {
            p.queue.settle(now, d);
        }
        for s in &mut self.subscriptions {
            s.queue.settle(now, d);
        }
        done.sort_by_key(|(at, ..)| *at);
        let wall = SystemTime::now();
        for (at, target, op) in done {
            let ago = now.saturating_duration_since(at);
            self.apply(target, op, wall.checked_sub(ago).unwrap_or(wall));
        }
    }

    fn apply(&mut self, target: Target, op: Op, when: SystemTime) {
        match target {
            Target::Tenant(id) => {
                let Some(i) = self.tenants.iter().position(|t| t.id == id) else {
                    return;
                };
                if let Op::Delete = op {
                    self.remove_tenant(i, when);
                    return;
                }
                // A version removed while the move was queued leaves the tenant where it is.
                let target_exists = match &op {
                    Op::Move(v) => self.versions.iter().any(|version| version.id == *v),
                    _ => true,
                };
                let t = &mut self.tenants[i];
                t.changed = when;
                match op {
                    Op::Move(version_id) if target_exists => t.version_id = version_id,
                    Op::AddDomain {
                        domain_id,
                        set_main,
                    } => {
                        if let Some(domain) = t.domains.iter_mut().find(|d| d.id == domain_id) {
                            domain.live = true;
                        }
                        if set_main {
                            t.set_main(&domain_id);
                        }
                    }
                    Op::RemoveDomain(domain_id) => t.domains.retain(|d| d.id != domain_id),
                    Op::SetMainDomain(domain_id) => t.set_main(&domain_id),
                    _ => {}
                }
            }
            Target::Version(id) => {
                let Some(version) = self.versions.iter_mut().find(|v| v.id == id) else {
                    return;
                };
                version.changed = when;
                if let Op::SetProduction = op {
                    let product = version.product_id.clone();
                    for v in self.versions.iter_mut().filter(|v| v.product_id == product) {
                        v.is_production = v.id == id;
                    }
                }
            }
        }
    }

    /// The product tenant, version and snapshot calls act on: the partner's `?productId=`, or the
    /// key's own product.
    fn scope(&self, args: &Args) -> Result<String, Fail> {
        if !self.partner {
            return Ok(self.home.clone());
        }
        let id = args.required_uuid("productId")?;
        self.product(&id)?;
        Ok(id)
    }

    fn new_id(&mut self) -> String {
        self.sequence += 1;
        uuid_from(self.sequence)
    }

    /// Registers a custom upload and returns its token.
    fn expect_upload(&mut self, target: Target, as_zip: bool) -> String {
        let token = self.new_id().replace('-', "");
        self.uploads
            .insert(token.clone(), Upload { target, as_zip });
        token
    }

    fn queue_mut(&mut self, target: &Target) -> Option<&mut Queue> {
        match target {
            Target::Tenant(id) => self
                .tenants
                .iter_mut()
                .find(|t| t.id == *id)
                .map(|t| &mut t.queue),
            Target::Version(id) => self
                .versions
                .iter_mut()
                .find(|v| v.id == *id)
                .map(|v| &mut v.queue),
        }
    }

    fn product(&self, id: &str) -> Result<&Product, Fail> {
        let found = self.products.iter().find(|p| p.id == id);
        found.ok_or_else(|| not_found(format!("Product {id} not found")))
    }

    fn subscription(&self, id: &str) -> Result<&Subscription, Fail> {
        let found = self.subscriptions.iter().find(|s| s.id == id);
        found.ok_or_else(|| not_found(format!("Subscription {id} not found")))
    }

    fn version_in(&self, product: &str, id: &str) -> Result<&Version, Fail> {
        let found = self
            .versions
            .iter()
            .find(|v| v.id == id && v.product_id == product);
        found.ok_or_else(|| not_found(format!("Version {id} not found")))
    }

    fn product_of(&self, version_id: &str) -> Option<&str> {
        let version = self.versions.iter().find(|v| v.id == version_id);
        version.map(|v| v.product_id.as_str())
    }

    fn in_product(&self, t: &Tenant, product: &str) -> bool {
        self.product_of(&t.version_id) == Some(product)
    }

    /// New tenants and moves need a version whose creation is done (modelled).
    fn ready(&self, version: &Version) -> Result<(), Fail> {
        if version.queue.has(|op| matches!(op, Op::Create)) || version.queue.failed {
            let name = &version.name;
            return Err(validation(format!("Version {name} is not ready")));
        }
        Ok(())
    }

    /// The tenant `?tenantId=` and/or `?externalId=` name within the product.
    fn tenant_at(&self, product: &str, args: &Args) -> Result<usize, Fail> {
        let id = args.uuid("tenantId")?;
        let external = args.get("externalId");
        let Some(key) = id.as_deref().or(external) else {
            return Err(validation(
                "Either tenantId or externalId must be specified",
            ));
        };
        self.tenants
            .iter()
            .position(|t| {
                self.in_product(t, product)
                    && id.as_ref().is_none_or(|id| t.id == *id)
                    && external.is_none_or(|x| t.external_id.as_deref() == Some(x))
            })
            .ok_or_else(|| not_found(format!("Tenant {key} not found")))
    }

    /// As `tenant_at`, refusing a tenant whose removal is scheduled (modelled).
    fn schedulable(&self, product: &str, args: &Args) -> Result<usize, Fail> {
        let i = self.tenant_at(product, args)?;
        let t = &self.tenants[i];
        if t.queue.has(|op| matches!(op, Op::Delete)) {
            let id = &t.id;
            return Err(validation(format!("Tenant {id} is scheduled for removal")));
        }
        Ok(i)
    }

    /// Queues `op` on tenant `i` and renders the answer with the status of the new item.
    fn schedule(&mut self, i: usize, op: Op, render: impl FnOnce(&Tenant) -> Value) -> Value {
        let (now, d) = (self.now, self.job_duration);
        let t = &mut self.tenants[i];
        let at = t.queue.push(op, now, None);
        t.queue.status_at(at, now, d).stamp(render(t))
    }

    /// Domain names are unique across all tenants and version domains, whatever their case.
    fn domain_taken(&self, name: &str) -> bool {
        let tenants = self.tenants.iter().flat_map(|t| &t.domains);
        let mut names = tenants
            .map(|d| d.name.as_str())
            .chain(self.versions.iter().map(|v| v.domain.as_str()));
        names.any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The snapshot a new tenant is based on, as the docs describe: the one named, else the latest
    /// in the group, else the latest of the version.
    fn tenant_snapshot(
        &self,
        version_id: &str,
        snapshot_id: Option<&str>,
        group: Option<&str>,
    ) -> Result<Option<BasedOn>, Fail> {
        // Newest first.
        let mut in_version = self
            .snapshots
            .iter()
            .rev()
            .filter(|s| s.version_id == version_id);
        let found = match (snapshot_id, group) {
            (Some(id), _) => Some(
                in_version
                    .find(|s| s.id == id)
                    .ok_or_else(|| not_found(format!("Snapshot {id} not found")))?,
            ),
            (None, Some(group)) => Some(
                in_version
                    .find(|s| s.group_name.as_deref() == Some(group))
                    .ok_or_else(|| not_found(format!("No snapshot found in group {group}")))?,
            ),
            (None, None) => in_version.next(),
        };
        Ok(found.map(|s| BasedOn {
            id: s.id.clone(),
            name: s.name.clone(),
            group_name: s.group_name.clone(),
        }))
    }

    /// The snapshots a new version starts with. Existing products take their own snapshots, and a
    /// partner key may also name a base ("System") snapshot; a new product's version takes base
    /// snapshots only, as the docs say.
    fn seeds(&self, product: Option<&str>, p: &VersionParams) -> Result<Vec<Seed>, Fail> {
        let lookup = |id: &str| -> Result<Seed, Fail> {
            let own = product.and_then(|product| {
                self.snapshots
                    .iter()
                    .find(|s| s.id == id && self.product_of(&s.version_id) == Some(product))
            });
            if let Some(s) = own {
                return Ok(Seed {
                    name: s.name.clone(),
                    group_name: s.group_name.clone(),
                    is_custom: s.is_custom,
                    is_tenant: s.is_tenant,
                });
            }
            let system = product.is_none() || self.partner;
            let base = self.base_snapshots.iter().find(|b| b.id == id);
            match base.filter(|_| system) {
                Some(b) => Ok(Seed {
                    name: b.name.clone(),
                    group_name: b.group_name.clone(),
                    is_custom: false,
                    is_tenant: b.is_tenant,
                }),
                None => Err(not_found(format!("Snapshot {id} not found"))),
            }
        };
        let first = match (&p.snapshot_id, p.custom_upload) {
            (_, true) => Seed {
                name: "custom-upload".into(),
                group_name: None,
                is_custom: true,
                is_tenant: false,
            },
            (Some(id), false) => lookup(id)?,
            (None, false) => return Err(no_source()),
        };
        let mut seeds = vec![first];
        for id in &p.copies {
            seeds.push(lookup(id)?);
        }
        Ok(seeds)
    }

    /// Creates a version whose work starts no earlier than `not_before`; the first version of a
    /// product is its production version.
    fn add_version(
        &mut self,
        product_id: &str,
        p: VersionParams,
        seeds: Vec<Seed>,
        not_before: Instant,
        base_url: &str,
    ) -> Value {
        let id = self.new_id();
        let token = p
            .custom_upload
            .then(|| self.expect_upload(Target::Version(id.clone()), p.as_zip));
        let wall = SystemTime::now();
        let first = !self.versions.iter().any(|v| v.product_id == product_id);
        let version = Version {
            domain: format!("{}-{}.{VERSION_DOMAIN}", slug(&p.name), id.replace('-', "")),
            id: id.clone(),
            product_id: product_id.into(),
            name: p.name,
            wordpress_version: p.wordpress_version,
            php_version: p.php_version,
            is_production: first,
            created: wall,
            changed: wall,
            queue: Queue::with(Op::Create, self.now, not_before, token.clone()),
        };
        for seed in seeds {
            let snapshot_id = self.new_id();
            self.snapshots.push(Snapshot {
                id: snapshot_id,
                version_id: id.clone(),
                created: wall,
                name: seed.name,
                group_name: seed.group_name,
                is_custom: seed.is_custom,
                is_tenant: seed.is_tenant,
            });
        }
        let mut reply = json!({
            "id": version.id, "domainName": version.domain, "name": version.name,
            "wordPressVersion": version.wordpress_version, "phpVersion": version.php_version
        });
        if let Some(token) = token {
            reply["uploadUrl"] = json!(format!("{base_url}/uploads/{token}"));
        }
        let status = version.queue.status(self.now, self.job_duration);
        self.versions.push(version);
        status.stamp(reply)
    }

    /// Creates a product, and its version once the product is created.
    fn add_product(
        &mut self,
        subscription_id: &str,
        name: String,
        version: Option<(VersionParams, Vec<Seed>)>,
        not_before: Instant,
        base_url: &str,
    ) -> Value {
        let (now, d) = (self.now, self.job_duration);
        let id = self.new_id();
        let product = Product {
            id: id.clone(),
            name,
            subscription_id: subscription_id.into(),
            created: SystemTime::now(),
            queue: Queue::with(Op::Create, now, not_before, None),
        };
        let status = product.queue.status(now, d);
        let reply = json!({"id": id, "name": product.name});
        self.products.push(product);
        let version =
            version.map(|(p, seeds)| self.add_version(&id, p, seeds, not_before + d, base_url));
        let mut reply = status.stamp(reply);
        reply["version"] = json!(version);
        reply
    }

    fn retire(&mut self, kind: Kind, product_id: &str, from: SystemTime, to: SystemTime) {
        let product = self.products.iter().find(|p| p.id == product_id);
        let subscription_id = product.map_or_else(String::new, |p| p.subscription_id.clone());
        self.retired.push(Lifetime {
            kind,
            product_id: product_id.into(),
            subscription_id,
            from,
            to: Some(to),
        });
    }

    fn remove_tenant(&mut self, i: usize, at: SystemTime) {
        let t = self.tenants.remove(i);
        let product = self
            .product_of(&t.version_id)
            .unwrap_or_default()
            .to_string();
        self.retire(Kind::Tenant, &product, t.created, at);
        let target = Target::Tenant(t.id);
        self.uploads.retain(|_, u| u.target != target);
    }

    /// Removes a version with its tenants and snapshots.
    fn remove_version(&mut self, id: &str, at: SystemTime) {
        while let Some(i) = self.tenants.iter().position(|t| t.version_id == id) {
            self.remove_tenant(i, at);
        }
        self.snapshots.retain(|s| s.version_id != id);
        if let Some(i) = self.versions.iter().position(|v| v.id == id) {
            let v = self.versions.remove(i);
            self.retire(Kind::Version, &v.product_id, v.created, at);
        }
        let target = Target::Version(id.into());
        self.uploads.retain(|_, u| u.target != target);
    }

    /// Removes a product with everything in it.
    fn remove_product(&mut self, id: &str, at: SystemTime) {
        let versions: Vec<String> = self
            .versions
            .iter()
            .filter(|v| v.product_id == id)
            .map(|v| v.id.clone())
            .collect();
        for version in versions {
            self.remove_version(&version, at);
        }
        if let Some(i) = self.products.iter().position(|p| p.id == id) {
            let created = self.products[i].created;
            self.retire(Kind::Product, id, created, at);
            self.products.remove(i);
        }
    }

    /// Every product, version and tenant that ever counted, with its owners.
    fn lifetimes(&self) -> Vec<Lifetime> {
        let live = |kind, product_id: &str, from| {
            let product = self.products.iter().find(|p| p.id == product_id);
            Lifetime {
                kind,
                product_id: product_id.into(),
                subscription_id: product.map_or_else(String::new, |p| p.subscription_id.clone()),
                from,
                to: None,
            }
        };
        let mut all = self.retired.clone();
        all.extend(
            self.products
                .iter()
                .map(|p| live(Kind::Product, &p.id, p.created)),
        );
        all.extend(
            self.versions
                .iter()
                .map(|v| live(Kind::Version, &v.product_id, v.created)),
        );
        for t in &self.tenants {
            let product = self.product_of(&t.version_id).unwrap_or_default();
            all.push(live(Kind::Tenant, product, t.created));
        }
        all
    }

    /// Whole product, version and tenant hours between `from` and `to`: each object counts from
    /// its creation until its removal or now (modelled: the docs give only the field names).
    fn usage(
        &self,
        keep: impl Fn(&Lifetime) -> bool,
        from: SystemTime,
        to: SystemTime,
    ) -> [u64; 3] {
        let now = SystemTime::now();
        let mut micros = [0u128; 3];
        for l in self.lifetimes().iter().filter(|l| keep(l)) {
            let start = l.from.max(from);
            let end = l.to.unwrap_or(now).min(to);
            if let Ok(span) = end.duration_since(start) {
                let slot = match l.kind {
                    Kind::Product => 0,
                    Kind::Version => 1,
                    Kind::Tenant => 2,
                };
                micros[slot] += span.as_micros();
            }
        }
        micros.map(|m| (m / 3_600_000_000) as u64)
    }

    // Views -----------------------------------------------------------------------------------

    /// The docs' tenant example: the main domain as `domainName`, the others as `redirectDomains`.
    fn tenant_view(&self, t: &Tenant) -> Value {
        let version = self.versions.iter().find(|v| v.id == t.version_id);
        let live = || t.domains.iter().filter(|d| d.live);
        let main = live().find(|d| d.is_main).map(|d| d.name.as_str());
        let redirects: Vec<&str> = live()
            .filter(|d| !d.is_main)
            .map(|d| d.name.as_str())
            .collect();
        let based_on = t.based_on.as_ref();
        let status = t.queue.status(self.now, self.job_duration);
        json!({
            "tenantId": t.id, "id": t.id, "externalId": t.external_id, "name": t.name,
            "versionId": t.version_id, "versionName": version.map(|v| v.name.as_str()),
            "basedOnSnapshotId": based_on.map(|b| b.id.as_str()),
            "snapshotName": based_on.map(|b| b.name.as_str()),
            "snapshotGroupName": based_on.and_then(|b| b.group_name.as_deref()),
            "dateCreated": iso(t.created), "dateChanged": iso(t.changed),
            "domainName": main, "redirectDomains": redirects,
            "statusCode": status.code(), "statusName": status.name()
        })
    }

    /// The docs' domain shape plus the status of the work pending on the domain (modelled): its own
    /// addition, removal or promotion, else the tenant's creation.
    fn domain_view(&self, t: &Tenant, d: &Domain) -> Value {
        let queue = &t.queue;
        let position = queue
            .position(|op| op.domain() == Some(d.id.as_str()))
            .or_else(|| queue.position(|op| matches!(op, Op::Create)));
        let status = position.map_or(Status::Done, |i| {
            queue.status_at(i, self.now, self.job_duration)
        });
        status.stamp(json!({
            "id": d.id, "domainName": d.name, "isMainDomain": d.is_main, "isBaseDomain": d.is_base
        }))
    }

    fn version_view(&self, v: &Version) -> Value {
        let status = v.queue.status(self.now, self.job_duration);
        json!({
            "id": v.id, "isProduction": v.is_production, "name": v.name,
            "dateChanged": iso(v.changed), "dateCreated": iso(v.created),
            "statusCode": status.code(), "statusName": status.name(), "domain": v.domain
        })
    }

    /// A snapshot shares the status of its version's creation (modelled).
    fn snapshot_status(&self, s: &Snapshot) -> Status {
        let Some(version) = self.versions.iter().find(|v| v.id == s.version_id) else {
            return Status::Done;
        };
        let queue = &version.queue;
        match queue.position(|op| matches!(op, Op::Create)) {
            Some(i) => queue.status_at(i, self.now, self.job_duration),
            None if queue.failed => Status::Failed,
            None => Status::Done,
        }
    }

    fn snapshot_view(&self, s: &Snapshot) -> Value {
        let status = self.snapshot_status(s);
        json!({
            "id": s.id, "versionId": s.version_id, "dateCreated": iso(s.created), "name": s.name,
            "groupName": s.group_name, "isCustomSnapshot": s.is_custom,
            "isTenantSnapshot": s.is_tenant,
            "statusCode": status.code(), "statusName": status.name()
        })
    }

    fn product_view(&self, p: &Product) -> Value {
        let subscription = self
            .subscriptions
            .iter()
            .find(|s| s.id == p.subscription_id);
        let status = p.queue.status(self.now, self.job_duration);
        json!({
            "id": p.id, "name": p.name, "subscriptionId": p.subscription_id,
            "subscriptionName": subscription.map(|s| s.name.as_str()),
            "statusCode": status.code(), "statusName": status.name()
        })
    }

    /// The docs' `{id, name}` plus the status of the subscription's creation.
    fn subscription_view(&self, s: &Subscription) -> Value {
        let status = s.queue.status(self.now, self.job_duration);
        status.stamp(json!({"id": s.id, "name": s.name}))
    }
}

impl Tenant {
    fn set_main(&mut self, domain_id: &str) {
        if self.domains.iter().any(|d| d.id == domain_id) {
            for d in &mut self.domains {
                d.is_main = d.id == domain_id;
            }
        }
    }
}

impl BaseSnapshot {
    /// The uri is modelled as the archive's place in WPCS storage.
    fn view(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "comment": self.comment,
            "uri": format!("{STORAGE}/basesnapshots/{}.tar.gz", self.id),
            "isDefault": self.is_default, "isTenantSnapshot": self.is_tenant,
            "groupName": self.group_name, "showAsBaseSnapshot": self.show_in_console
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Route table and auth

#[rustfmt::skip]
fn routes() -> Router<Simulator> {
    Router::new()
        .route("/v1/tenants", get(tenants_list).post(tenant_create).put(tenant_update).delete(tenant_delete))
        .route("/v1/tenants/domain", post(domain_add))
        .route("/v1/tenants/version", put(tenant_move))
        .route("/v1/tenants/domains", get(domains_list).post(domain_add).delete(domain_remove))
        .route("/v1/tenants/domains/main", put(domain_set_main))
        .route("/v1/tenants/domains/available", get(domain_available))
        .route("/v1/versions", get(versions_list).post(version_create).delete(version_delete))
        .route("/v1/versions/production", put(version_set_production))
        .route("/v1/snapshots", get(snapshots_list))
        .route("/v1/snapshots/download", get(snapshot_download))
        .route("/v1/subscriptions", get(subscriptions_list).post(subscription_create).delete(subscription_delete))
        .route("/v1/subscriptions/usage", get(subscription_usage))
        .route("/v1/products", get(products_list).post(product_create).delete(product_delete))
        .route("/v1/products/usage", get(product_usage))
        .route("/v1/basesnapshots", get(base_snapshots_list).post(base_snapshot_create).delete(base_snapshot_delete))
}

/// `Authorization: Basic base64(key:secret)`. A trailing newline in the encoded pair is accepted:
/// the docs' own example header encodes one (`echo key:secret | base64`).
async fn authorize(State(sim): Sim, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(basic_credentials);
    match presented {
        Some((key, secret)) if *key == *sim.key && *secret == *sim.secret => next.run(req).await,
        _ => Fail(StatusCode::UNAUTHORIZED, "Unauthorized".into()).into_response(),
    }
}

fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(encoded.trim())?).ok()?;
    let (key, secret) = decoded.trim_end_matches(['\r', '\n']).split_once(':')?;
    Some((key.into(), secret.into()))
}

// ---------------------------------------------------------------------------------------------
// Handlers: tenants

async fn tenants_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let product = w.scope(&args)?;
    let id = args.uuid("tenantId")?;
    let external = args.get("externalId");
    let list: Vec<Value> = w
        .tenants
        .iter()
        .filter(|t| w.in_product(t, &product))
        .filter(|t| id.as_ref().is_none_or(|id| t.id == *id))
        .filter(|t| external.is_none_or(|x| t.external_id.as_deref() == Some(x)))
        .map(|t| w.tenant_view(t))
        .collect();
    ok(json!(list))
}

/// Answers the docs' `{id, externalId, customDomain}` (plus `uploadUrl` for a custom upload). The
/// custom domain becomes the main domain; the base domain is always added (modelled).
async fn tenant_create(State(sim): Sim, args: Args, headers: HeaderMap, bytes: Bytes) -> Reply {
    let mut guard = sim.lock();
    let w = &mut *guard;
    let product = w.scope(&args)?;
    let body = parse(&bytes)?;
    let name = required_text(&body, "name")?;
    check_tenant_name(&name)?;
    let external_id = text(&body, "externalId")?;
    if let Some(x) = &external_id {
        check_external_id(x)?;
    }
    let custom_domain = text(&body, "customDomainName")?
        .map(|d| domain_name(d, "customDomainName"))
        .transpose()?;
    let custom_upload = flag(&body, "uploadCustomSnapshot")?;
    let as_zip = flag(&body, "asZip")?;
    if as_zip && !custom_upload {
        return Err(validation(
            "asZip can only be used when uploadCustomSnapshot is true",
        ));
    }
    let version_id = uuid_field(&body, "versionId")?;
    let snapshot_id = uuid_field(&body, "snapshotId")?;
    let group = text(&body, "groupName")?;
    for field in USER_FIELDS {
        text(&body, field)?;
    }
    settings(&body)?;

    let version = match &version_id {
        Some(id) => w.version_in(&product, id)?,
        None => w
            .versions
            .iter()
            .find(|v| v.product_id == product && v.is_production)
            .ok_or_else(|| validation("The product has no production version"))?,
    };
    w.ready(version)?;
    let version_id = version.id.clone();
    let based_on = match custom_upload {
        true => None,
        false => w.tenant_snapshot(&version_id, snapshot_id.as_deref(), group.as_deref())?,
    };
    if let Some(x) = &external_id
        && w.tenants
            .iter()
            .any(|t| w.in_product(t, &product) && t.external_id.as_ref() == Some(x))
    {
        return Err(validation(format!("ExternalId {x} is already in use")));
    }
    if let Some(d) = &custom_domain
        && w.domain_taken(d)
    {
        return Err(validation(format!("Domain {d} is not available")));
    }

    let id = w.new_id();
    let label = external_id.clone().unwrap_or_else(|| id[..8].into());
    let mut base = format!("{label}.{BASE_DOMAIN}");
    if w.domain_taken(&base) {
        base = format!("{}.{BASE_DOMAIN}", &id[..8]);
    }
    let mut domains = vec![Domain {
        id: w.new_id(),
        name: base,
        is_main: custom_domain.is_none(),
        is_base: true,
        live: true,
    }];
    if let Some(d) = &custom_domain {
        let domain_id = w.new_id();
        domains.push(Domain {
            id: domain_id,
            name: d.clone(),
            is_main: true,
            is_base: false,
            live: true,
        });
    }
    let token = custom_upload.then(|| w.expect_upload(Target::Tenant(id.clone()), as_zip));
    let wall = SystemTime::now();
    let tenant = Tenant {
        id: id.clone(),
        external_id: external_id.clone(),
        name,
        version_id,
        based_on,
        created: wall,
        changed: wall,
        domains,
        queue: Queue::with(Op::Create, w.now, w.now, token.clone()),
    };
    let mut reply = json!({"id": id, "externalId": external_id, "customDomain": custom_domain});
    if let Some(token) = token {
        reply["uploadUrl"] = json!(format!("{}/uploads/{token}", base_url(&headers)));
    }
    let status = tenant.queue.status(w.now, w.job_duration);
    w.tenants.push(tenant);
    ok(status.stamp(reply))
}

/// The options and constants are checked but not kept: no documented read returns them.
async fn tenant_update(State(sim): Sim, args: Args, bytes: Bytes) -> Reply {
    let mut w = sim.lock();
    let product = w.scope(&args)?;
    let i = w.schedulable(&product, &args)?;
    if !settings(&parse(&bytes)?)? {
        return Err(validation(
            "Either wpOptions or phpConstants must be specified",
        ));
    }
    let reply = w.schedule(
        i,
        Op::Update,
        |t| json!({"tenantId": t.id, "externalId": t.external_id}),
    );
    ok(reply)
}

/// The docs show no success body; the update's shape is modelled. The tenant disappears once done.
async fn tenant_delete(State(sim): Sim, args: Args) -> Reply {
    let mut w = sim.lock();
    let product = w.scope(&args)?;
    let i = w.schedulable(&product, &args)?;
    let reply = w.schedule(
        i,
        Op::Delete,
        |t| json!({"tenantId": t.id, "externalId": t.external_id}),
    );
    ok(reply)
}

async fn tenant_move(State(sim): Sim, args: Args, bytes: Bytes) -> Reply {
    let mut guard = sim.lock();
    let w = &mut *guard;
    let product = w.scope(&args)?;
    let i = w.schedulable(&product, &args)?;
    let target = required_uuid(&parse(&bytes)?, "targetVersionId")?;
    let version = w.version_in(&product, &target)?;
    w.ready(version)?;
    let t = &w.tenants[i];
    let moving = t.queue.has(|op| matches!(op, Op::Move(_)));
    if t.version_id == target && !moving {
        let name = &version.name;
        return Err(validation(format!(
            "The tenant is already on version {name}"
        )));
    }
    let reply = w.schedule(
        i,
        Op::Move(target.clone()),
        |t| json!({"targetVersionId": target, "tenantId": t.id, "externalId": t.external_id}),
    );
    ok(reply)
}

// ---------------------------------------------------------------------------------------------
// Handlers: tenant domains

async fn domains_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let product = w.scope(&args)?;
    let t = &w.tenants[w.tenant_at(&product, &args)?];
    let list: Vec<Value> = t.domains.iter().map(|d| w.domain_view(t, d)).collect();
    ok(json!(list))
}

/// Serves `POST /v1/tenants/domains` and the deprecated `POST /v1/tenants/domain` alike. The
/// domain is listed at once, with the status of its addition.
async fn domain_add(State(sim): Sim, args: Args, bytes: Bytes) -> Reply {
    let mut guard = sim.lock();
    let w = &mut *guard;
    let product = w.scope(&args)?;
    let i = w.schedulable(&product, &args)?;
    let body = parse(&bytes)?;
    let name = domain_name(required_text(&body, "domainName")?, "domainName")?;
    let set_main = flag(&body, "setAsMainDomain")?;
    if w.domain_taken(&name) {
        return Err(validation(format!("Domain {name} is not available")));
    }
    let domain_id = w.new_id();
    w.tenants[i].domains.push(Domain {
        id: domain_id.clone(),
        name: name.clone(),
        is_main: false,
        is_base: false,
        live: false,
    });
    let op = Op::AddDomain {
        domain_id,
        set_main,
    };
    let reply = w.schedule(i, op, |t| {
        json!({
            "tenantId": t.id, "externalId": t.external_id, "domain": name,
            "setAsMainDomain": set_main
        })
    });
    ok(reply)
}

/// The domain stays listed, with the status of its removal, until the removal is done.
async fn domain_remove(State(sim): Sim, args: Args) -> Reply {
    let mut w = sim.lock();
    let product = w.scope(&args)?;
    let i = w.schedulable(&product, &args)?;
    let (id, name) = (args.uuid("domainId")?, args.get("domainName"));
    let d = find_domain(&w.tenants[i], id.as_deref(), name)?;
    if d.is_main {
        return Err(validation("The main domain cannot be removed"));
    }
    if d.is_base {
        return Err(validation("The base domain cannot be removed"));
    }
    let (id, name) = (d.id.clone(), d.name.clone());
    not_being_removed(&w.tenants[i], &id, &name)?;
    let reply = w.schedule(
        i,
        Op::RemoveDomain(id.clone()),
        |_| json!({"id": id, "domainName": name}),
    );
    ok(reply)
}

async fn domain_set_main(State(sim): Sim, args: Args, bytes: Bytes) -> Reply {
    let mut w = sim.lock();
    let product = w.scope(&args)?;
    let i = w.schedulable(&product, &args)?;
    let body = parse(&bytes)?;
    let (id, name) = (uuid_field(&body, "domainId")?, text(&body, "domainName")?);
    let d = find_domain(&w.tenants[i], id.as_deref(), name.as_deref())?;
    let (id, name) = (d.id.clone(), d.name.clone());
    not_being_removed(&w.tenants[i], &id, &name)?;
    let reply = w.schedule(
        i,
        Op::SetMainDomain(id.clone()),
        |_| json!({"id": id, "domainName": name}),
    );
    ok(reply)
}

/// A domain is available when no tenant (of any product) and no version uses it.
async fn domain_available(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    w.scope(&args)?;
    let name = domain_name(args.required("domain")?.into(), "domain")?;
    ok(json!({"available": !w.domain_taken(&name)}))
}

fn find_domain<'a>(
    t: &'a Tenant,
    id: Option<&str>,
    name: Option<&str>,
) -> Result<&'a Domain, Fail> {
    let Some(key) = id.or(name) else {
        return Err(validation(
            "Either domainId or domainName must be specified",
        ));
    };
    t.domains
        .iter()
        .find(|d| {
            id.is_none_or(|id| d.id == id) && name.is_none_or(|n| d.name.eq_ignore_ascii_case(n))
        })
        .ok_or_else(|| not_found(format!("Domain {key} not found")))
}

fn not_being_removed(t: &Tenant, id: &str, name: &str) -> Result<(), Fail> {
    if t.queue
        .has(|op| matches!(op, Op::RemoveDomain(d) if d == id))
    {
        return Err(validation(format!(
            "Domain {name} is scheduled for removal"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Handlers: versions and snapshots

async fn versions_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let product = w.scope(&args)?;
    let id = args.uuid("versionId")?;
    let name = args.get("versionName");
    let list: Vec<Value> = w
        .versions
        .iter()
        .filter(|v| v.product_id == product)
        .filter(|v| id.as_ref().is_none_or(|id| v.id == *id))
        .filter(|v| name.is_none_or(|n| v.name == n))
        .map(|v| w.version_view(v))
        .collect();
    ok(json!(list))
}

/// Answers the docs' create shape (the sample repeats the domain as `name`; the name is given
/// here). Version names are unique within a product (modelled).
async fn version_create(State(sim): Sim, args: Args, headers: HeaderMap, bytes: Bytes) -> Reply {
    let mut w = sim.lock();
    let product = w.scope(&args)?;
    let p = version_params(&parse(&bytes)?)?;
    if w.versions
        .iter()
        .any(|v| v.product_id == product && v.name == p.name)
    {
        let name = &p.name;
        return Err(validation(format!("A version named {name} already exists")));
    }
    let seeds = w.seeds(Some(&product), &p)?;
    let now = w.now;
    ok(w.add_version(&product, p, seeds, now, &base_url(&headers)))
}

/// Docs' curl passes `?id=`, the parameter list `?versionId=`: both are read. A version that has
/// (or is about to receive) tenants cannot be removed (modelled). Answers `{"versionId"}`
/// (modelled on the product removal's body).
async fn version_delete(State(sim): Sim, args: Args) -> Reply {
    let mut w = sim.lock();
    let product = w.scope(&args)?;
    let id = match args.uuid("versionId")? {
        Some(id) => id,
        None => args.uuid("id")?.ok_or_else(|| null("versionId"))?,
    };
    let v = w.version_in(&product, &id)?;
    if v.is_production {
        return Err(validation("The production version cannot be removed"));
    }
    let moving_in = |t: &Tenant| t.queue.has(|op| matches!(op, Op::Move(v) if *v == id));
    if w.tenants.iter().any(|t| t.version_id == id || moving_in(t)) {
        let name = &v.name;
        return Err(validation(format!("Version {name} still has tenants")));
    }
    w.remove_version(&id, SystemTime::now());
    ok(json!({"versionId": id}))
}

/// Answers the docs' `{id}` with the status of the switch; one already in production answers its
/// current status without scheduling anything.
async fn version_set_production(State(sim): Sim, args: Args, bytes: Bytes) -> Reply {
    let mut guard = sim.lock();
    let w = &mut *guard;
    let product = w.scope(&args)?;
    let id = required_uuid(&parse(&bytes)?, "versionId")?;
    w.version_in(&product, &id)?;
    let (now, d) = (w.now, w.job_duration);
    let v = w
        .versions
        .iter_mut()
        .find(|v| v.id == id)
        .expect("version_in found it");
    let status = if v.is_production {
        v.queue.status(now, d)
    } else {
        let at = v.queue.push(Op::SetProduction, now, None);
        v.queue.status_at(at, now, d)
    };
    ok(status.stamp(json!({"id": id})))
}

async fn snapshots_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let product = w.scope(&args)?;
    let version = args.uuid("versionId")?;
    let id = args.uuid("snapshotId")?;
    let (name, group) = (args.get("snapshotName"), args.get("groupName"));
    let list: Vec<Value> = w
        .snapshots
        .iter()
        .filter(|s| w.product_of(&s.version_id) == Some(product.as_str()))
        .filter(|s| version.as_ref().is_none_or(|v| s.version_id == *v))
        .filter(|s| id.as_ref().is_none_or(|id| s.id == *id))
        .filter(|s| name.is_none_or(|n| s.name == n))
        .filter(|s| group.is_none_or(|g| s.group_name.as_deref() == Some(g)))
        .map(|s| w.snapshot_view(s))
        .collect();
    ok(json!(list))
}

/// The docs give no body: a `.tar.gz` (the format custom snapshots are uploaded in) holding a
/// `snapshot.json` that describes the snapshot is modelled. A snapshot whose version is still
/// being created cannot be downloaded yet (modelled).
async fn snapshot_download(State(sim): Sim, args: Args) -> Result<Response, Fail> {
    let w = sim.lock();
    let product = w.scope(&args)?;
    let id = args.required_uuid("snapshotId")?;
    let s = w
        .snapshots
        .iter()
        .find(|s| s.id == id && w.product_of(&s.version_id) == Some(product.as_str()))
        .ok_or_else(|| not_found(format!("Snapshot {id} not found")))?;
    if w.snapshot_status(s) != Status::Done {
        return Err(validation(format!(
            "Snapshot {id} is not ready to be downloaded"
        )));
    }
    let manifest = json!({
        "snapshotId": s.id, "versionId": s.version_id, "name": s.name,
        "groupName": s.group_name, "dateCreated": iso(s.created)
    });
    let mtime = s
        .created
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let body = tar_gz("snapshot.json", manifest.to_string().as_bytes(), mtime);
    let file = match slug(&s.name) {
        name if name.is_empty() => "snapshot".to_string(),
        name => name,
    };
    let disposition = format!("attachment; filename=\"{file}.tar.gz\"");
    let headers = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/gzip"),
        ),
        (
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition).expect("a slug is a valid header value"),
        ),
    ];
    Ok((headers, body).into_response())
}

// ---------------------------------------------------------------------------------------------
// Handlers: subscriptions and products

async fn subscriptions_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let id = args.uuid("subscriptionId")?;
    let name = args.get("name");
    let list: Vec<Value> = w
        .subscriptions
        .iter()
        .filter(|s| id.as_ref().is_none_or(|id| s.id == *id))
        .filter(|s| name.is_none_or(|n| s.name == n))
        .map(|s| w.subscription_view(s))
        .collect();
    ok(json!(list))
}

/// Answers the docs' shape with a status at each level. The product is created once the
/// subscription is, and its version once the product is, as the docs describe. The user is
/// checked but not kept: no documented read returns it.
async fn subscription_create(State(sim): Sim, headers: HeaderMap, bytes: Bytes) -> Reply {
    let body = parse(&bytes)?;
    let name = required_text(&body, "name")?;
    let product = object(&body, "product")?.map(product_params).transpose()?;
    if let Some(user) = object(&body, "user")? {
        for field in ["name", "lastName", "emailAddress"] {
            text(user, field)?;
        }
    }
    let mut w = sim.lock();
    let product = match product {
        Some((name, Some(p))) => {
            let seeds = w.seeds(None, &p)?;
            Some((name, Some((p, seeds))))
        }
        Some((name, None)) => Some((name, None)),
        None => None,
    };
    let (now, d) = (w.now, w.job_duration);
    let id = w.new_id();
    let subscription = Subscription {
        id: id.clone(),
        name,
        queue: Queue::with(Op::Create, now, now, None),
    };
    let mut reply = json!({"id": id, "name": subscription.name});
    let status = subscription.queue.status(now, d);
    w.subscriptions.push(subscription);
    let base = base_url(&headers);
    let product = product.map(|(name, version)| w.add_product(&id, name, version, now + d, &base));
    reply["product"] = json!(product);
    ok(status.stamp(reply))
}

/// Answers `{"subscriptionId"}` (modelled on the product removal's body).
async fn subscription_delete(State(sim): Sim, args: Args) -> Reply {
    let id = args.required_uuid("subscriptionId")?;
    let mut w = sim.lock();
    w.subscription(&id)?;
    let products: Vec<String> = w
        .products
        .iter()
        .filter(|p| p.subscription_id == id)
        .map(|p| p.id.clone())
        .collect();
    let now = SystemTime::now();
    for product in products {
        w.remove_product(&product, now);
    }
    w.subscriptions.retain(|s| s.id != id);
    ok(json!({"subscriptionId": id}))
}

async fn subscription_usage(State(sim): Sim, args: Args) -> Reply {
    let id = args.required_uuid("subscriptionId")?;
    let (from, to) = period(&args)?;
    let w = sim.lock();
    w.subscription(&id)?;
    let [product, version, tenant] = w.usage(|l| l.subscription_id == id, from, to);
    ok(json!({
        "subscriptionId": id, "productHours": product, "versionHours": version,
        "tenantHours": tenant
    }))
}

async fn products_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let subscription = args.uuid("subscriptionId")?;
    let id = args.uuid("productId")?;
    let name = args.get("productName");
    let list: Vec<Value> = w
        .products
        .iter()
        .filter(|p| {
            subscription
                .as_ref()
                .is_none_or(|s| p.subscription_id == *s)
        })
        .filter(|p| id.as_ref().is_none_or(|id| p.id == *id))
        .filter(|p| name.is_none_or(|n| p.name == n))
        .map(|p| w.product_view(p))
        .collect();
    ok(json!(list))
}

/// Answers the docs' shape with a status on the product and its version.
async fn product_create(State(sim): Sim, args: Args, headers: HeaderMap, bytes: Bytes) -> Reply {
    let subscription = args.required_uuid("subscriptionId")?;
    let (name, version) = product_params(&parse(&bytes)?)?;
    let mut w = sim.lock();
    w.subscription(&subscription)?;
    let version = match version {
        Some(p) => {
            let seeds = w.seeds(None, &p)?;
            Some((p, seeds))
        }
        None => None,
    };
    let now = w.now;
    ok(w.add_product(&subscription, name, version, now, &base_url(&headers)))
}

/// Removes the product with its versions, snapshots and tenants at once.
async fn product_delete(State(sim): Sim, args: Args) -> Reply {
    let id = args.required_uuid("productId")?;
    let mut w = sim.lock();
    w.product(&id)?;
    w.remove_product(&id, SystemTime::now());
    ok(json!({"productId": id}))
}

async fn product_usage(State(sim): Sim, args: Args) -> Reply {
    let id = args.required_uuid("productId")?;
    let (from, to) = period(&args)?;
    let w = sim.lock();
    w.product(&id)?;
    let [product, version, tenant] = w.usage(|l| l.product_id == id, from, to);
    ok(json!({
        "productId": id, "productHours": product, "versionHours": version, "tenantHours": tenant
    }))
}

// ---------------------------------------------------------------------------------------------
// Handlers: base snapshots

async fn base_snapshots_list(State(sim): Sim, args: Args) -> Reply {
    let w = sim.lock();
    let id = args.uuid("baseSnapshotId")?;
    let (name, group) = (args.get("name"), args.get("groupName"));
    let own_only = args.flag("onlyPartnerSpecific")?;
    let list: Vec<Value> = w
        .base_snapshots
        .iter()
        .filter(|b| id.as_ref().is_none_or(|id| b.id == *id))
        .filter(|b| name.is_none_or(|n| b.name == n))
        .filter(|b| group.is_none_or(|g| b.group_name.as_deref() == Some(g)))
        .filter(|b| !own_only || b.partner_specific)
        .map(BaseSnapshot::view)
        .collect();
    ok(json!(list))
}

/// Not scheduled: the docs say "Creates" and answer `{id, name, comment, showInConsole}`.
async fn base_snapshot_create(State(sim): Sim, bytes: Bytes) -> Reply {
    let body = parse(&bytes)?;
    let name = required_text(&body, "name")?;
    check_base_snapshot_name(&name)?;
    let comment = required_text(&body, "comment")?;
    let is_tenant = flag(&body, "isTenantSnapshot")?;
    let group_name = text(&body, "groupName")?;
    let show_in_console = flag(&body, "showInConsole")?;
    if group_name.is_some() && !is_tenant {
        return Err(validation(
            "GroupName cannot be filled out when trying to upload a BaseSnapshot that is not a \
             tenant snapshot",
        ));
    }
    let mut w = sim.lock();
    let id = w.new_id();
    let reply = json!({
        "id": id, "name": name, "comment": comment, "showInConsole": show_in_console
    });
    w.base_snapshots.push(BaseSnapshot {
        id,
        name,
        comment,
        is_default: false,
        is_tenant,
        group_name,
        show_in_console,
        partner_specific: true,
    });
    ok(reply)
}

/// Base snapshots WPCS provides cannot be removed through a key (modelled).
async fn base_snapshot_delete(State(sim): Sim, args: Args) -> Reply {
    let id = args.required_uuid("id")?;
    let mut w = sim.lock();
    let found = w.base_snapshots.iter().find(|b| b.id == id);
    let b = found.ok_or_else(|| not_found(format!("BaseSnapshot {id} not found")))?;
    if !b.partner_specific {
        return Err(validation(
            "Only BaseSnapshots created with your API key can be removed",
        ));
    }
    w.base_snapshots.retain(|b| b.id != id);
    ok(json!({"baseSnapshotId": id}))
}

// ---------------------------------------------------------------------------------------------
// Handler: custom uploads

/// The single PUT an `uploadUrl` takes: a gzipped tar, or a ZIP when `asZip` was set. Anything else
/// fails the scheduled work (modelled). Answers 201 with no body, as blob storage does; each URL
/// takes one upload.
async fn upload(
    State(sim): Sim,
    Path(token): Path<String>,
    bytes: Bytes,
) -> Result<Response, Fail> {
    let mut w = sim.lock();
    let found = w.uploads.remove(&token);
    let Upload { target, as_zip } = found.ok_or_else(|| not_found("Upload not found".into()))?;
    let magic: &[u8] = if as_zip { b"PK\x03\x04" } else { &[0x1f, 0x8b] };
    let now = w.now;
    if let Some(queue) = w.queue_mut(&target) {
        queue.received(&token, bytes.starts_with(magic), now);
    }
    Ok(StatusCode::CREATED.into_response())
}

// ---------------------------------------------------------------------------------------------
// Responses and parameters

/// An error answered as `{"statusCode": <status>, "message": "..."}`.
struct Fail(StatusCode, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let body = json!({"statusCode": self.0.as_u16(), "message": self.1});
        (self.0, Json(body)).into_response()
    }
}

type Reply = Result<Json<Value>, Fail>;
type Sim = State<Simulator>;
type Body = Map<String, Value>;

fn ok(body: Value) -> Reply {
    Ok(Json(body))
}

/// The documented 400: `Validation error occured: ...` (the docs' spelling).
fn validation(message: impl AsRef<str>) -> Fail {
    let message = format!("{VALIDATION}{}", message.as_ref());
    Fail(StatusCode::BAD_REQUEST, message)
}

fn not_found(message: String) -> Fail {
    Fail(StatusCode::NOT_FOUND, message)
}

/// The docs' example message for a missing property.
fn null(name: &str) -> Fail {
    validation(format!("Property {name} cannot be null"))
}

fn invalid(name: &str) -> Fail {
    validation(format!("Property {name} has an invalid value"))
}

/// The query string; `uuid` values are lowercased so ids compare as WPCS's GUIDs do.
struct Args(BTreeMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Args {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Args, Fail> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|_| validation("The query string is malformed"))?;
        Ok(Args(pairs.into_iter().collect()))
    }
}

impl Args {
    /// A parameter; empty or blank reads as absent.
    fn get(&self, name: &str) -> Option<&str> {
        let value = self.0.get(name).map(String::as_str);
        value.filter(|v| !v.trim().is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, Fail> {
        self.get(name).ok_or_else(|| null(name))
    }

    fn uuid(&self, name: &str) -> Result<Option<String>, Fail> {
        self.get(name).map(|v| uuid(v, name)).transpose()
    }

    fn required_uuid(&self, name: &str) -> Result<String, Fail> {
        uuid(self.required(name)?, name)
    }

    fn flag(&self, name: &str) -> Result<bool, Fail> {
        match self.get(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(invalid(name)),
        }
    }
}

/// An empty body reads as no properties; anything but a JSON object is refused (modelled).
fn parse(bytes: &Bytes) -> Result<Body, Fail> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(validation("The request body is not a valid JSON object")),
    }
}

/// A string property; absent, null or blank is `None`.
fn text(body: &Body, name: &str) -> Result<Option<String>, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(name)),
    }
}

fn required_text(body: &Body, name: &str) -> Result<String, Fail> {
    text(body, name)?.ok_or_else(|| null(name))
}

fn flag(body: &Body, name: &str) -> Result<bool, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| invalid(name)),
    }
}

fn uuid_field(body: &Body, name: &str) -> Result<Option<String>, Fail> {
    text(body, name)?.map(|v| uuid(&v, name)).transpose()
}

fn required_uuid(body: &Body, name: &str) -> Result<String, Fail> {
    uuid_field(body, name)?.ok_or_else(|| null(name))
}

fn object<'a>(body: &'a Body, name: &str) -> Result<Option<&'a Body>, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(invalid(name)),
    }
}

fn uuid(value: &str, name: &str) -> Result<String, Fail> {
    if is_uuid(value) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(validation(format!("Property {name} is not a valid uuid")))
    }
}

/// `wpOptions` (an object) and `phpConstants` (an object of `{value, isPrivate}`): whether either
/// was given.
fn settings(body: &Body) -> Result<bool, Fail> {
    let options = object(body, "wpOptions")?;
    let constants = object(body, "phpConstants")?;
    for (key, constant) in constants.into_iter().flatten() {
        let field = format!("phpConstants.{key}.value");
        let Value::Object(constant) = constant else {
            return Err(invalid(&format!("phpConstants.{key}")));
        };
        match constant.get("value") {
            None | Some(Value::Null) => return Err(null(&field)),
            Some(Value::Object(_) | Value::Array(_)) => return Err(invalid(&field)),
            Some(_) => {}
        }
        flag(constant, "isPrivate")
            .map_err(|_| invalid(&format!("phpConstants.{key}.isPrivate")))?;
    }
    Ok(options.is_some() || constants.is_some())
}

fn version_params(body: &Body) -> Result<VersionParams, Fail> {
    let name = required_text(body, "name")?;
    check_version_name(&name)?;
    let wordpress_version = required_text(body, "wordPressVersion")?;
    let php_version = required_text(body, "phpVersion")?;
    let custom_upload = flag(body, "useCustomUpload")?;
    let as_zip = flag(body, "asZip")?;
    if as_zip && !custom_upload {
        return Err(validation(
            "asZip can only be used when useCustomUpload is true",
        ));
    }
    let snapshot_id = uuid_field(body, "snapshotId")?;
    let copies = match body.get("snapshotIdsToCopy") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| uuid(id.as_str().unwrap_or_default(), "snapshotIdsToCopy"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("snapshotIdsToCopy")),
    };
    if snapshot_id.is_none() && !custom_upload {
        return Err(no_source());
    }
    Ok(VersionParams {
        name,
        wordpress_version,
        php_version,
        custom_upload,
        as_zip,
        snapshot_id,
        copies,
    })
}

fn no_source() -> Fail {
    validation("Either a valid snapshotId is required or useCustomUpload must be true")
}

/// A product's name and optional version.
fn product_params(body: &Body) -> Result<(String, Option<VersionParams>), Fail> {
    let name = required_text(body, "name")?;
    let version = object(body, "version")?.map(version_params).transpose()?;
    Ok((name, version))
}

/// The usage period: two ISO 8601 date-times, the end not before the start.
fn period(args: &Args) -> Result<(SystemTime, SystemTime), Fail> {
    let date = |name: &str| {
        let value = args.required(name)?;
        parse_time(value)
            .ok_or_else(|| validation(format!("Property {name} is not a valid date-time")))
    };
    let (from, to) = (date("startDate")?, date("endDate")?);
    if to < from {
        return Err(validation("endDate must be later than startDate"));
    }
    Ok((from, to))
}

// The naming rules, worded as the docs state them.

fn check_tenant_name(name: &str) -> Result<(), Fail> {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if name.chars().count() <= 30 && alnum(name.chars().next()) && alnum(name.chars().last()) {
        return Ok(());
    }
    Err(validation(
        "Tenant name cannot be longer than 30 characters and must start and end on an alpha \
         numeric character",
    ))
}

fn check_external_id(id: &str) -> Result<(), Fail> {
    if id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(());
    }
    Err(validation(
        "ExternalIds cannot contain spaces or special characters other than '-'",
    ))
}

fn check_version_name(name: &str) -> Result<(), Fail> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if name.chars().count() <= 30 && name.chars().all(allowed) {
        return Ok(());
    }
    Err(validation(
        "The version name cannot be longer than 30 characters and can only contain alpha numeric \
         characters, dashes and dots",
    ))
}

fn check_base_snapshot_name(name: &str) -> Result<(), Fail> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == ' ' || c == '-';
    if (5..=50).contains(&name.chars().count()) && name.chars().all(allowed) {
        return Ok(());
    }
    Err(validation(
        "The name of the BaseSnapshot must be between 5 and 50 characters and may only contain \
         alphanumeric characters, spaces and dashes",
    ))
}

/// A host name of at least two labels of letters, digits and inner dashes (modelled: the docs only
/// say "domain name").
fn domain_name(name: String, field: &str) -> Result<String, Fail> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = name.split('.').collect();
    if name.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) {
        return Ok(name);
    }
    Err(validation(format!(
        "Property {field} is not a valid domain name"
    )))
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

// ---------------------------------------------------------------------------------------------
// Small utilities: ids, time, encodings

fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A version-4-shaped uuid drawn from `n` with SplitMix64: distinct per `n`, the same every run.
fn uuid_from(n: u64) -> String {
    let mix = |mut z: u64| {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let (a, b) = (mix(n), mix(!n));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// Lowercase letters and digits with single dashes between runs: `V3.5` → `v3-5`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').into()
}

/// How far timed work has come: 0 when started, 1 once the duration has passed.
fn fraction(started: Instant, now: Instant, d: Duration) -> f64 {
    if d.is_zero() {
        return 1.0;
    }
    (now.saturating_duration_since(started).as_secs_f64() / d.as_secs_f64()).min(1.0)
}

/// As the docs' dates: microseconds with trailing zeros dropped and a `+00:00` offset
/// (`2021-11-18T15:47:40.17337+00:00`).
fn iso(t: SystemTime) -> String {
    let micros = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros()) as i64;
    let (secs, fraction) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
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
    let fraction = format!(".{fraction:06}");
    let fraction = fraction.trim_end_matches('0').trim_end_matches('.');
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{fraction}+00:00")
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An ISO 8601 date-time: `2022-03-01T00:00:00.000+02:00`, `...Z`, no offset (UTC), or a bare date
/// (midnight UTC). A space before the offset reads as `+`, which query decoding makes of an
/// unencoded plus sign.
fn parse_time(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if !text.is_ascii() {
        return None;
    }
    let date = text.get(..10)?;
    let number = |s: Option<&str>| {
        let s = s?;
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    if &date[4..5] != "-" || &date[7..8] != "-" {
        return None;
    }
    let (year, month, day) = (
        number(date.get(..4))?,
        number(date.get(5..7))?,
        number(date.get(8..))?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1..=month_days).contains(&day) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    let mut micros = 0;
    let rest = &text[10..];
    if !rest.is_empty() {
        let rest = rest.strip_prefix(['T', 't'])?;
        let zone_at = rest.find(['Z', 'z', '+', '-', ' ']).unwrap_or(rest.len());
        let (time, zone) = rest.split_at(zone_at);
        let (hms, fraction) = time.split_once('.').unwrap_or((time, "0"));
        let mut parts = hms.split(':');
        let (h, m) = (number(parts.next())?, number(parts.next())?);
        let s = match parts.next() {
            Some(s) => number(Some(s))?,
            None => 0,
        };
        if parts.next().is_some() || h > 23 || m > 59 || s > 59 {
            return None;
        }
        let digits: String = fraction.chars().chain("00000".chars()).take(6).collect();
        micros = number(Some(&digits))?;
        let offset = match zone {
            "" | "Z" | "z" => 0,
            _ => {
                let (sign, hhmm) = zone.split_at(1);
                let (oh, om) = match hhmm.len() {
                    2 => (hhmm, "00"),
                    4 => hhmm.split_at(2),
                    5 if &hhmm[2..3] == ":" => (&hhmm[..2], &hhmm[3..]),
                    _ => return None,
                };
                let (oh, om) = (number(Some(oh))?, number(Some(om))?);
                if oh > 23 || om > 59 {
                    return None;
                }
                let sign = if sign == "-" { -1 } else { 1 };
                sign * (oh * 3600 + om * 60)
            }
        };
        secs += h * 3600 + m * 60 + s - offset;
    }
    let total = u64::try_from(secs.checked_mul(1_000_000)? + micros).ok()?;
    Some(UNIX_EPOCH + Duration::from_micros(total))
}

fn seed_time(text: &str) -> SystemTime {
    parse_time(text).expect("seeded dates are valid ISO 8601")
}

/// Standard or URL-safe base64, padding optional.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A gzip (stored, uncompressed deflate blocks) of a ustar archive holding one file.
fn tar_gz(file_name: &str, contents: &[u8], mtime: u64) -> Vec<u8> {
    let mut tar = vec![0u8; 512];
    let mut put = |at: usize, field: &[u8]| tar[at..at + field.len()].copy_from_slice(field);
    put(0, file_name.as_bytes());
    put(100, b"0000644\0");
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{:011o}\0", contents.len()).as_bytes());
    put(136, format!("{mtime:011o}\0").as_bytes());
    put(148, b"        ");
    put(156, b"0");
    put(257, b"ustar\0");
    put(263, b"00");
    let sum: u32 = tar.iter().map(|&b| u32::from(b)).sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    tar.extend_from_slice(contents);
    // The file padded to a whole block, then two empty blocks end the archive.
    tar.resize(tar.len().div_ceil(512) * 512 + 1024, 0);

    let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let blocks: Vec<&[u8]> = tar.chunks(0xffff).collect();
    for (i, block) in blocks.iter().enumerate() {
        gz.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        gz.extend(len.to_le_bytes());
        gz.extend((!len).to_le_bytes());
        gz.extend_from_slice(block);
    }
    gz.extend(crc32(&tar).to_le_bytes());
    gz.extend((tar.len() as u32).to_le_bytes());
    gz
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// ---------------------------------------------------------------------------------------------
// Tests

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "test-key";
    const SECRET: &str = "test-secret";
    const UNKNOWN: &str = "00000000-1111-4222-8333-444444444444";
    /// March 2022 in UTC+2, encoded as in the docs' example: exactly 29 days (696 hours).
    const USAGE_WINDOW: &str = concat!(
        "startDate=2022-03-01T00%3A00%3A00.000%2B02%3A00",
        "&endDate=2022-03-30T00%3A00%3A00.000%2B02%3A00"
    );

    /// A running simulator and a caller that authenticates and prefixes `/v1/`.
    struct Api {
        sim: Simulator,
        server: SimServer,
        client: reqwest::Client,
    }

    impl Api {
        async fn boot(job_ms: u64) -> Api {
            Api::with(job_ms, false).await
        }

        async fn with(job_ms: u64, partner: bool) -> Api {
            let config = SimConfig {
                key: KEY.into(),
                secret: SECRET.into(),
                partner,
                job_duration: Duration::from_millis(job_ms),
            };
            let (sim, server) = Simulator::start(config).await.unwrap();
            Api {
                sim,
                server,
                client: reqwest::Client::new(),
            }
        }

        fn url(&self, path: &str) -> String {
            format!("{}/v1/{path}", self.server.base_url())
        }

        /// `call` is `"METHOD path"`; sends this `Authorization` (none when `None`).
        async fn send(&self, auth: Option<&str>, call: &str, body: Option<Value>) -> (u16, Value) {
            let (method, path) = call.split_once(' ').unwrap();
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = self.client.request(method, self.url(path));
            if let Some(auth) = auth {
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

        async fn call(&self, call: &str, body: Option<Value>) -> (u16, Value) {
            self.send(Some(&basic(KEY, SECRET)), call, body).await
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

        /// The one item a filtered list holds.
        async fn one(&self, path: &str) -> Value {
            let list = self.get(path).await;
            assert_eq!(list.as_array().map(Vec::len), Some(1), "{path}: {list}");
            list[0].clone()
        }
    }

    fn basic(key: &str, secret: &str) -> String {
        format!("Basic {}", encode(format!("{key}:{secret}").as_bytes()))
    }

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    async fn sleep_ms(ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn status(v: &Value) -> (Value, Value) {
        (v["statusCode"].clone(), v["statusName"].clone())
    }

    fn pending() -> (Value, Value) {
        (json!(0), json!("Pending"))
    }

    fn in_progress() -> (Value, Value) {
        (json!(2), json!("InProgress"))
    }

    fn done() -> (Value, Value) {
        (json!(1), json!("Done"))
    }

    fn error(status: u16, message: &str) -> (u16, Value) {
        (status, json!({"statusCode": status, "message": message}))
    }

    fn invalid(message: &str) -> (u16, Value) {
        error(400, &format!("Validation error occured: {message}"))
    }

    fn strs<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
        let items = items.as_array().unwrap().iter();
        items.map(|i| i[key].as_str().unwrap()).collect()
    }

    /// A missing, wrong or non-Basic credential gets 401; the docs' newline-terminated pair passes.
    #[tokio::test]
    async fn unauthorized() {
        let api = Api::boot(300).await;
        let bearer = format!("Bearer {KEY}");
        let wrong = basic(KEY, "nope");
        let auths = [
            None,
            Some(wrong.as_str()),
            Some(bearer.as_str()),
            Some("Basic !!!"),
        ];
        for auth in auths {
            for call in ["GET tenants", "POST versions", "GET basesnapshots"] {
                let got = api.send(auth, call, None).await;
                assert_eq!(got, error(401, "Unauthorized"), "{auth:?} {call}");
            }
        }
        let newline = format!("Basic {}", encode(format!("{KEY}:{SECRET}\n").as_bytes()));
        assert_eq!(api.send(Some(&newline), "GET tenants", None).await.0, 200);
    }

    /// A new tenant reads Pending, then InProgress, then Done, and is found by either filter.
    #[tokio::test]
    async fn tenant_create_progresses_to_done() {
        let api = Api::boot(400).await;
        let body = json!({
            "name": "My awesome Tenant", "externalId": "T100", "groupName": null,
            "customDomainName": "awesome-tenant.my-waas.io",
            "tenantName": "TenantUser", "wordPressUserName": "TenantUser",
            "wordPressUserRole": "author", "wordPressUserEmail": "example@gmail.com",
            "wordPressUserPassword": "oneV3rryStr0ngP@ss", "uploadCustomSnapshot": false,
            "wpOptions": {"important_option": "initialValue"},
            "phpConstants": {"WP_DEBUG": {"value": "false", "isPrivate": true}}
        });
        let created = api.expect("POST tenants", Some(body), 200).await;
        let id = created["id"].as_str().unwrap().to_string();
        assert!(is_uuid(&id), "{id}");
        let expected = json!({
            "id": id, "externalId": "T100", "customDomain": "awesome-tenant.my-waas.io",
            "statusCode": 0, "statusName": "Pending"
        });
        assert_eq!(created, expected);
        let by_id = format!("tenants?tenantId={id}");
        assert_eq!(status(&api.one(&by_id).await), pending());
        sleep_ms(200).await;
        assert_eq!(status(&api.one(&by_id).await), in_progress());
        sleep_ms(300).await;
        let tenant = api.one("tenants?externalId=T100").await;
        assert_eq!(tenant, api.one(&by_id).await);
        assert_eq!(status(&tenant), done());
        let fields = [
            "tenantId",
            "versionId",
            "versionName",
            "basedOnSnapshotId",
            "snapshotName",
        ];
        let got: Vec<&Value> = fields.iter().map(|f| &tenant[*f]).collect();
        let expected = [
            id.as_str(),
            VERSION_2,
            "v2.4",
            SNAPSHOT_SPANISH,
            "V3: Added spanish",
        ];
        assert_eq!(got, expected.map(|v| json!(v)).iter().collect::<Vec<_>>());
        assert_eq!(tenant["domainName"], "awesome-tenant.my-waas.io");
        assert_eq!(
            tenant["redirectDomains"],
            json!(["T100.staging.my-site.com"])
        );
        assert_eq!(tenant["snapshotGroupName"], "language-school-template");

        // The docs' example tenant, and the filters combined.
        let first = api.one("tenants?externalId=T001").await;
        assert_eq!(
            first["redirectDomains"],
            json!(["T001.staging.my-site.com", "www.my-domain.com"])
        );
        assert_eq!(first["dateCreated"], "2021-12-01T12:27:34.891662+00:00");
        let none = api
            .get(&format!("tenants?tenantId={id}&externalId=T001"))
            .await;
        assert_eq!(none, json!([]));
        assert_eq!(api.get("tenants").await.as_array().unwrap().len(), 3);
        assert_eq!(api.sim.tenant_ids(), [TENANT_1, TENANT_2, id.as_str()]);
        assert_eq!(api.sim.product_ids(), [PRODUCT_ID]);
    }

    /// Update, move and delete queue one after another; the move applies and the delete removes.
    #[tokio::test]
    async fn tenant_update_move_and_delete() {
        let api = Api::boot(400).await;
        let update = Some(json!({"wpOptions": {"blogname": "Ecole"}, "phpConstants": null}));
        let got = api.expect("PUT tenants?externalId=T001", update, 200).await;
        let expected = json!({"tenantId": TENANT_1, "externalId": "T001"});
        assert_eq!(got, pending_body(expected));
        let target = Some(json!({"targetVersionId": VERSION_2}));
        let got = api
            .expect("PUT tenants/version?externalId=T001", target, 200)
            .await;
        let expected =
            json!({"targetVersionId": VERSION_2, "tenantId": TENANT_1, "externalId": "T001"});
        assert_eq!(got, pending_body(expected));
        sleep_ms(460).await;
        let moving = api.one("tenants?externalId=T001").await;
        assert_eq!(
            (status(&moving), &moving["versionId"]),
            (in_progress(), &json!(VERSION_1))
        );
        sleep_ms(400).await;
        let moved = api.one(&format!("tenants?tenantId={TENANT_1}")).await;
        assert_eq!(status(&moved), done());
        assert_eq!(
            (&moved["versionId"], &moved["versionName"]),
            (&json!(VERSION_2), &json!("v2.4"))
        );
        assert_ne!(moved["dateChanged"], "2021-12-02T12:27:34.891662+00:00");

        let got = api
            .expect("DELETE tenants?externalId=T001", None, 200)
            .await;
        assert_eq!(status(&got), pending());
        let again = api.call("DELETE tenants?externalId=T001", None).await;
        assert_eq!(
            again,
            invalid(&format!("Tenant {TENANT_1} is scheduled for removal"))
        );
        assert_eq!(api.get("tenants").await.as_array().unwrap().len(), 2);
        sleep_ms(450).await;
        assert_eq!(api.get("tenants?externalId=T001").await, json!([]));
        assert_eq!(api.sim.tenant_ids(), [TENANT_2]);
        let gone = api.call("GET tenants/domains?externalId=T001", None).await;
        assert_eq!(gone, error(404, "Tenant T001 not found"));
    }

    fn pending_body(mut body: Value) -> Value {
        body["statusCode"] = json!(0);
        body["statusName"] = json!("Pending");
        body
    }

    /// A version body based on `snapshot`, on WordPress 6.4.2 and PHP 8.1.
    fn version_body(name: &str, snapshot: &str) -> Value {
        json!({
            "name": name, "wordPressVersion": "6.4.2", "phpVersion": "8.1", "snapshotId": snapshot
        })
    }

    /// Each documented rule (and the modelled ones) answers 400 with its message, changing nothing.
    #[tokio::test]
    async fn validation_errors() {
        let api = Api::boot(300).await;
        let long = "a".repeat(31);
        let wp = |name: &str| {
            json!({"name": name, "wordPressVersion": "5.8.2", "phpVersion": "7.4",
                   "snapshotId": SNAPSHOT_SPANISH})
        };
        let tenant_rule = "Tenant name cannot be longer than 30 characters and must start and end \
                           on an alpha numeric character";
        let version_rule = "The version name cannot be longer than 30 characters and can only \
                            contain alpha numeric characters, dashes and dots";
        let base_rule = "The name of the BaseSnapshot must be between 5 and 50 characters and may \
                         only contain alphanumeric characters, spaces and dashes";
        let usage = format!("GET products/usage?productId={PRODUCT_ID}");
        #[rustfmt::skip]
        let cases: Vec<(String, Value, String)> = vec![
            ("POST tenants".into(), json!({}), "Property name cannot be null".into()),
            ("POST tenants".into(), json!({"name": long}), tenant_rule.into()),
            ("POST tenants".into(), json!({"name": "-Tenant"}), tenant_rule.into()),
            ("POST tenants".into(), json!({"name": "Tenant."}), tenant_rule.into()),
            ("POST tenants".into(), json!({"name": "Tenant", "externalId": "T 1"}),
             "ExternalIds cannot contain spaces or special characters other than '-'".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "externalId": "T_1"}),
             "ExternalIds cannot contain spaces or special characters other than '-'".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "asZip": true}),
             "asZip can only be used when uploadCustomSnapshot is true".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "versionId": "v2"}),
             "Property versionId is not a valid uuid".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "externalId": "T001"}),
             "ExternalId T001 is already in use".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "customDomainName": "My-Domain.com"}),
             "Domain My-Domain.com is not available".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "customDomainName": "localhost"}),
             "Property customDomainName is not a valid domain name".into()),
            ("POST tenants".into(), json!({"name": "Tenant", "phpConstants": {"A": {"isPrivate": true}}}),
             "Property phpConstants.A.value cannot be null".into()),
            ("PUT tenants?externalId=T001".into(), json!({}),
             "Either wpOptions or phpConstants must be specified".into()),
            ("PUT tenants".into(), json!({"wpOptions": {}}),
             "Either tenantId or externalId must be specified".into()),
            ("PUT tenants/version?externalId=T001".into(), json!({}),
             "Property targetVersionId cannot be null".into()),
            ("PUT tenants/version?externalId=T001".into(), json!({"targetVersionId": VERSION_1}),
             "The tenant is already on version V1.1".into()),
            ("POST tenants/domains?externalId=T001".into(), json!({}),
             "Property domainName cannot be null".into()),
            ("POST tenants/domains?externalId=T001".into(), json!({"domainName": "not a domain"}),
             "Property domainName is not a valid domain name".into()),
            ("POST tenants/domains?externalId=T002".into(), json!({"domainName": "www.my-domain.com"}),
             "Domain www.my-domain.com is not available".into()),
            ("DELETE tenants/domains?externalId=T001".into(), Value::Null,
             "Either domainId or domainName must be specified".into()),
            ("DELETE tenants/domains?externalId=T001&domainName=my-domain.com".into(), Value::Null,
             "The main domain cannot be removed".into()),
            ("DELETE tenants/domains?externalId=T001&domainName=T001.staging.my-site.com".into(),
             Value::Null, "The base domain cannot be removed".into()),
            ("PUT tenants/domains/main?externalId=T001".into(), json!({}),
             "Either domainId or domainName must be specified".into()),
            ("GET tenants/domains/available".into(), Value::Null, "Property domain cannot be null".into()),
            ("POST versions".into(), json!({"wordPressVersion": "5.8.2", "phpVersion": "7.4"}),
             "Property name cannot be null".into()),
            ("POST versions".into(), wp("V 3"), version_rule.into()),
            ("POST versions".into(), wp("v3_5"), version_rule.into()),
            ("POST versions".into(), wp(&long), version_rule.into()),
            ("POST versions".into(), json!({"name": "V3.5", "phpVersion": "7.4", "snapshotId": SNAPSHOT_SPANISH}),
             "Property wordPressVersion cannot be null".into()),
            ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "snapshotId": SNAPSHOT_SPANISH}),
             "Property phpVersion cannot be null".into()),
            ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "phpVersion": "7.4"}),
             "Either a valid snapshotId is required or useCustomUpload must be true".into()),
            ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "phpVersion": "7.4",
                                            "snapshotId": SNAPSHOT_SPANISH, "asZip": true}),
             "asZip can only be used when useCustomUpload is true".into()),
            ("POST versions".into(), json!({"name": "V3.5", "wordPressVersion": "5.8.2", "phpVersion": "7.4",
                                            "snapshotId": SNAPSHOT_SPANISH, "snapshotIdsToCopy": ["x"]}),
             "Property snapshotIdsToCopy is not a valid uuid".into()),
            ("POST versions".into(), wp("v2.4"), "A version named v2.4 already exists".into()),
            (format!("DELETE versions?versionId={VERSION_2}"), Value::Null,
             "The production version cannot be removed".into()),
            (format!("DELETE versions?versionId={VERSION_1}"), Value::Null,
             "Version V1.1 still has tenants".into()),
            ("DELETE versions".into(), Value::Null, "Property versionId cannot be null".into()),
            ("PUT versions/production".into(), json!({}), "Property versionId cannot be null".into()),
            ("POST basesnapshots".into(), json!({"name": "Abcd", "comment": "c"}), base_rule.into()),
            ("POST basesnapshots".into(), json!({"name": "a".repeat(51), "comment": "c"}), base_rule.into()),
            ("POST basesnapshots".into(), json!({"name": "Bad_name", "comment": "c"}), base_rule.into()),
            ("POST basesnapshots".into(), json!({"name": "Good name"}), "Property comment cannot be null".into()),
            ("POST basesnapshots".into(), json!({"name": "Good name", "comment": "c", "groupName": "g"}),
             "GroupName cannot be filled out when trying to upload a BaseSnapshot that is not a tenant snapshot".into()),
            (format!("DELETE basesnapshots?id={BASE_SNAPSHOT}"), Value::Null,
             "Only BaseSnapshots created with your API key can be removed".into()),
            ("POST subscriptions".into(), json!({}), "Property name cannot be null".into()),
            ("POST subscriptions".into(), json!({"name": "S", "product": {}}), "Property name cannot be null".into()),
            ("POST products".into(), json!({"name": "P"}), "Property subscriptionId cannot be null".into()),
            (format!("POST products?subscriptionId={SUBSCRIPTION_ID}"), json!({"name": "P", "version": {"name": "V1"}}),
             "Property wordPressVersion cannot be null".into()),
            ("DELETE products".into(), Value::Null, "Property productId cannot be null".into()),
            ("DELETE subscriptions".into(), Value::Null, "Property subscriptionId cannot be null".into()),
            ("GET snapshots/download".into(), Value::Null, "Property snapshotId cannot be null".into()),
            (format!("{usage}&endDate=2022-03-30T00:00:00Z"), Value::Null, "Property startDate cannot be null".into()),
            (format!("{usage}&startDate=2022-03-01T00:00:00Z"), Value::Null, "Property endDate cannot be null".into()),
            (format!("{usage}&startDate=yesterday&endDate=2022-03-30"), Value::Null,
             "Property startDate is not a valid date-time".into()),
            (format!("{usage}&startDate=2022-02-30&endDate=2022-03-30"), Value::Null,
             "Property startDate is not a valid date-time".into()),
            (format!("{usage}&startDate=2022-03-30&endDate=2022-03-01"), Value::Null,
             "endDate must be later than startDate".into()),
            ("GET subscriptions/usage?subscriptionId=x".into(), Value::Null,
             "Property subscriptionId is not a valid uuid".into()),
        ];
        for (call, body, message) in cases {
            let body = (!body.is_null()).then_some(body);
            let got = api.call(&call, body).await;
            assert_eq!(got, invalid(&message), "{call}");
        }
        let bad_json = api
            .client
            .post(api.url("tenants"))
            .header("Authorization", basic(KEY, SECRET));
        let resp = bad_json.body("{").send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 400);
        assert_eq!(api.sim.tenant_ids(), [TENANT_1, TENANT_2]);
        assert_eq!(api.get("versions").await.as_array().unwrap().len(), 2);
        assert_eq!(api.get("basesnapshots").await.as_array().unwrap().len(), 1);
        let domains = api.get("tenants/domains?externalId=T001").await;
        assert_eq!(strs(&domains, "statusName"), ["Done", "Done", "Done"]);
    }

    /// A partner key must name an existing product on tenant, version and snapshot calls only.
    #[tokio::test]
    async fn partner_mode_requires_product_id() {
        let api = Api::with(300, true).await;
        let scoped = [
            "GET tenants",
            "POST tenants",
            "GET tenants/domains?externalId=T001",
            "GET tenants/domains/available?domain=x.example.com",
            "GET versions",
            "POST versions",
            "GET snapshots",
            "GET snapshots/download",
        ];
        for call in scoped {
            let got = api.call(call, Some(json!({}))).await;
            assert_eq!(got, invalid("Property productId cannot be null"), "{call}");
        }
        let got = api
            .call(&format!("GET versions?productId={UNKNOWN}"), None)
            .await;
        assert_eq!(got, error(404, &format!("Product {UNKNOWN} not found")));
        let got = api.call("GET snapshots?productId=abc", None).await;
        assert_eq!(got, invalid("Property productId is not a valid uuid"));
        let home = format!("productId={PRODUCT_ID}");
        assert_eq!(
            strs(&api.get(&format!("tenants?{home}")).await, "id"),
            [TENANT_1, TENANT_2]
        );
        let upper = PRODUCT_ID.to_ascii_uppercase();
        assert_eq!(
            api.get(&format!("versions?productId={upper}"))
                .await
                .as_array()
                .unwrap()
                .len(),
            2
        );
        for unscoped in ["products", "subscriptions", "basesnapshots"] {
            api.get(unscoped).await;
        }

        // A partner may base a version on a System (base) snapshot.
        let body = json!({"name": "V5", "wordPressVersion": "6.4.2", "phpVersion": "8.1",
                          "snapshotId": BASE_SNAPSHOT});
        let version = api
            .expect(&format!("POST versions?{home}"), Some(body), 200)
            .await;
        assert_eq!(status(&version), pending());

        // A second product is its own scope.
        let version = version_body("V1.0", BASE_SNAPSHOT);
        let body = json!({"name": "Second product", "version": version});
        let path = format!("POST products?subscriptionId={SUBSCRIPTION_ID}");
        let product = api.expect(&path, Some(body), 200).await;
        let other = format!("productId={}", product["id"].as_str().unwrap());
        let versions = api.get(&format!("versions?{other}")).await;
        assert_eq!(strs(&versions, "name"), ["V1.0"]);
        assert_eq!(versions[0]["isProduction"], true);
        assert_eq!(api.get(&format!("tenants?{other}")).await, json!([]));
        let snapshots = api.get(&format!("snapshots?{other}")).await;
        assert_eq!(strs(&snapshots, "name"), ["WordPress Starter"]);
        let cross = format!("GET tenants/domains?{other}&tenantId={TENANT_1}");
        assert_eq!(
            api.call(&cross, None).await,
            error(404, &format!("Tenant {TENANT_1} not found"))
        );

        // A product-specific key ignores productId.
        let plain = Api::boot(300).await;
        let got = plain.get(&format!("tenants?productId={UNKNOWN}")).await;
        assert_eq!(got.as_array().unwrap().len(), 2);
    }

    /// Adding, promoting and removing a domain each run to Done and show in both reads.
    #[tokio::test]
    async fn domain_add_set_main_remove_lifecycle() {
        let api = Api::boot(300).await;
        let body = Some(json!({"domainName": "my-new-domain.io", "setAsMainDomain": false}));
        let got = api
            .expect("POST tenants/domains?externalId=T001", body, 200)
            .await;
        let expected = json!({
            "tenantId": TENANT_1, "externalId": "T001", "domain": "my-new-domain.io",
            "setAsMainDomain": false
        });
        assert_eq!(got, pending_body(expected));
        let list = "tenants/domains?externalId=T001";
        let domains = api.get(list).await;
        let names = [
            "T001.staging.my-site.com",
            "my-domain.com",
            "www.my-domain.com",
            "my-new-domain.io",
        ];
        assert_eq!(strs(&domains, "domainName"), names);
        assert_eq!(status(&domains[3]), pending());
        assert_eq!(
            (&domains[3]["isMainDomain"], &domains[3]["isBaseDomain"]),
            (&json!(false), &json!(false))
        );
        let tenant = api.one("tenants?externalId=T001").await;
        assert_eq!(tenant["redirectDomains"].as_array().unwrap().len(), 2);
        let taken = api
            .get("tenants/domains/available?domain=MY-NEW-DOMAIN.io")
            .await;
        assert_eq!(taken, json!({"available": false}));
        let free = api
            .get("tenants/domains/available?domain=free.example.com")
            .await;
        assert_eq!(free, json!({"available": true}));
        sleep_ms(350).await;
        assert_eq!(strs(&api.get(list).await, "statusName"), ["Done"; 4]);
        let tenant = api.one("tenants?externalId=T001").await;
        assert_eq!(tenant["redirectDomains"][2], "my-new-domain.io");

        let body = Some(json!({"domainName": "my-new-domain.io"}));
        let got = api
            .expect("PUT tenants/domains/main?externalId=T001", body, 200)
            .await;
        let new_id = domains[3]["id"].as_str().unwrap();
        assert_eq!(
            got,
            pending_body(json!({"id": new_id, "domainName": "my-new-domain.io"}))
        );
        assert_eq!(
            api.one("tenants?externalId=T001").await["domainName"],
            "my-domain.com"
        );
        sleep_ms(350).await;
        let domains = api.get(list).await;
        let mains: Vec<bool> = domains
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["isMainDomain"] == true)
            .collect();
        assert_eq!(mains, [false, false, false, true]);
        assert_eq!(
            api.one("tenants?externalId=T001").await["domainName"],
            "my-new-domain.io"
        );

        let remove = "DELETE tenants/domains?externalId=T001&domainName=my-domain.com";
        let got = api.expect(remove, None, 200).await;
        let old_id = "497f6eca-6276-4993-bfeb-53cbbbba6f08";
        assert_eq!(
            got,
            pending_body(json!({"id": old_id, "domainName": "my-domain.com"}))
        );
        assert_eq!(
            api.call(remove, None).await,
            invalid("Domain my-domain.com is scheduled for removal")
        );
        let listed = api.get(list).await;
        assert_eq!(status(&listed[1]), pending());
        sleep_ms(350).await;
        let names = [
            "T001.staging.my-site.com",
            "www.my-domain.com",
            "my-new-domain.io",
        ];
        assert_eq!(strs(&api.get(list).await, "domainName"), names);
        assert_eq!(
            api.get("tenants/domains/available?domain=my-domain.com")
                .await["available"],
            true
        );
        let by_id = format!(
            "DELETE tenants/domains?tenantId={TENANT_1}&domainId={}",
            listed[2]["id"].as_str().unwrap()
        );
        assert_eq!(
            api.expect(&by_id, None, 200).await["domainName"],
            "www.my-domain.com"
        );
    }

    /// A version copies its snapshots, runs to Done, and then takes over production.
    #[tokio::test]
    async fn version_create_and_set_production() {
        let api = Api::boot(300).await;
        let body = json!({"snapshotId": SNAPSHOT_SPANISH, "snapshotIdsToCopy": [SNAPSHOT_WOO],
                          "wordPressVersion": "6.4.2", "phpVersion": "8.1", "name": "V3.5"});
        let created = api.expect("POST versions", Some(body), 200).await;
        let id = created["id"].as_str().unwrap().to_string();
        let domain = format!("v3-5-{}.snapshots.us1.wpcs.io", id.replace('-', ""));
        let expected = json!({"id": id, "domainName": domain, "name": "V3.5",
                              "wordPressVersion": "6.4.2", "phpVersion": "8.1"});
        assert_eq!(created, pending_body(expected));
        let version = api.one("versions?versionName=V3.5").await;
        assert_eq!(
            (&version["domain"], &version["isProduction"]),
            (&json!(domain), &json!(false))
        );
        let snapshots = api.get(&format!("snapshots?versionId={id}")).await;
        assert_eq!(
            strs(&snapshots, "name"),
            ["V3: Added spanish", "v2-addition-woo-commerce"]
        );
        assert_ne!(status(&snapshots[0]), done());
        let early = Some(json!({"name": "Early", "versionId": id}));
        assert_eq!(
            api.call("POST tenants", early).await,
            invalid("Version V3.5 is not ready")
        );
        sleep_ms(350).await;
        assert_eq!(
            status(&api.one(&format!("versions?versionId={id}")).await),
            done()
        );
        assert_eq!(
            strs(
                &api.get(&format!("snapshots?versionId={id}")).await,
                "statusName"
            ),
            ["Done"; 2]
        );

        let body = Some(json!({"versionId": id}));
        let got = api.expect("PUT versions/production", body, 200).await;
        assert_eq!(got, pending_body(json!({"id": id})));
        let production = |list: &Value| {
            let list = list.as_array().unwrap().iter();
            list.filter(|v| v["isProduction"] == true)
                .map(|v| v["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(production(&api.get("versions").await), ["v2.4"]);
        sleep_ms(350).await;
        assert_eq!(production(&api.get("versions").await), ["V3.5"]);
        let again = api
            .expect(
                "PUT versions/production",
                Some(json!({"versionId": id})),
                200,
            )
            .await;
        assert_eq!(status(&again), done());
        let tenant = api
            .expect("POST tenants", Some(json!({"name": "Newcomer"})), 200)
            .await;
        let tenant = api
            .one(&format!(
                "tenants?tenantId={}",
                tenant["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(
            (&tenant["versionName"], &tenant["snapshotName"]),
            (&json!("V3.5"), &json!("v2-addition-woo-commerce"))
        );
        // Without an externalId or custom domain the base domain, labelled by the id, is main.
        let id_label = &tenant["id"].as_str().unwrap()[..8];
        assert_eq!(
            tenant["domainName"],
            format!("{id_label}.staging.my-site.com")
        );
        assert_eq!(tenant["redirectDomains"], json!([]));

        // The docs' curl spelling `?id=` removes a version without tenants.
        let body = version_body("V9", SNAPSHOT_WOO);
        let spare = api.expect("POST versions", Some(body), 200).await;
        let spare = spare["id"].as_str().unwrap();
        let got = api
            .expect(&format!("DELETE versions?id={spare}"), None, 200)
            .await;
        assert_eq!(got, json!({"versionId": spare}));
        assert_eq!(
            api.get(&format!("versions?versionId={spare}")).await,
            json!([])
        );
        assert_eq!(
            api.get(&format!("snapshots?versionId={spare}")).await,
            json!([])
        );
    }

    /// A subscription creates its product then version in turn; usage counts seeded hours.
    #[tokio::test]
    async fn product_subscription_create_and_usage() {
        let api = Api::boot(300).await;
        let body = json!({
            "name": "Johns-Sub",
            "product": {"name": "My Product", "version": {
                "snapshotId": BASE_SNAPSHOT, "snapshotIdsToCopy": [], "wordPressVersion": "5.8.2",
                "phpVersion": "7.4", "name": "V3.5"}},
            "user": {"name": "John", "lastName": "Doe", "emailAddress": "john@doe.io"}
        });
        let sub = api.expect("POST subscriptions", Some(body), 200).await;
        let sub_id = sub["id"].as_str().unwrap().to_string();
        let product_id = sub["product"]["id"].as_str().unwrap().to_string();
        assert_eq!(
            (status(&sub), status(&sub["product"])),
            (pending(), pending())
        );
        assert_eq!(sub["product"]["name"], "My Product");
        assert_eq!(sub["product"]["version"]["wordPressVersion"], "5.8.2");
        assert_eq!(status(&sub["product"]["version"]), pending());
        let listed = api.one("subscriptions?name=Johns-Sub").await;
        assert_eq!(
            listed,
            pending_body(json!({"id": sub_id, "name": "Johns-Sub"}))
        );
        let product = api.one(&format!("products?subscriptionId={sub_id}")).await;
        let expected = json!({"id": product_id, "name": "My Product", "subscriptionId": sub_id,
                              "subscriptionName": "Johns-Sub"});
        assert_eq!(product, pending_body(expected));
        sleep_ms(400).await;
        assert_eq!(
            status(
                &api.one(&format!("subscriptions?subscriptionId={sub_id}"))
                    .await
            ),
            done()
        );
        assert_eq!(
            status(&api.one(&format!("products?productId={product_id}")).await),
            in_progress()
        );
        sleep_ms(600).await;
        assert_eq!(
            status(&api.one("products?productName=My Product").await),
            done()
        );
        assert_eq!(api.sim.product_ids(), [PRODUCT_ID, product_id.as_str()]);

        let path = format!("POST products?subscriptionId={SUBSCRIPTION_ID}");
        let second = api
            .expect(&path, Some(json!({"name": "Second product"})), 200)
            .await;
        let expected = json!({"id": second["id"], "name": "Second product", "statusCode": 0,
                              "statusName": "Pending", "version": null});
        assert_eq!(second, expected);
        let seeded = json!({"productHours": 696, "versionHours": 1392, "tenantHours": 1392});
        let with = |key: &str, id: &str| {
            let mut body = json!({key: id});
            body.as_object_mut()
                .unwrap()
                .extend(seeded.as_object().unwrap().clone());
            body
        };
        let usage = api
            .get(&format!(
                "products/usage?productId={PRODUCT_ID}&{USAGE_WINDOW}"
            ))
            .await;
        assert_eq!(usage, with("productId", PRODUCT_ID));
        let path = format!("subscriptions/usage?subscriptionId={SUBSCRIPTION_ID}&{USAGE_WINDOW}");
        assert_eq!(
            api.get(&path).await,
            with("subscriptionId", SUBSCRIPTION_ID)
        );
        let window = "startDate=2022-03-01&endDate=2022-03-02T00:00:00Z";
        let day = api
            .get(&format!("products/usage?productId={PRODUCT_ID}&{window}"))
            .await;
        assert_eq!(
            (&day["productHours"], &day["tenantHours"]),
            (&json!(24), &json!(48))
        );
        let fresh = api
            .get(&format!(
                "subscriptions/usage?subscriptionId={sub_id}&{USAGE_WINDOW}"
            ))
            .await;
        assert_eq!(
            (&fresh["productHours"], &fresh["versionHours"]),
            (&json!(0), &json!(0))
        );

        let path = format!(
            "DELETE products?productId={}",
            second["id"].as_str().unwrap()
        );
        assert_eq!(
            api.expect(&path, None, 200).await["productId"],
            second["id"]
        );
        let path = format!("DELETE subscriptions?subscriptionId={sub_id}");
        assert_eq!(
            api.expect(&path, None, 200).await,
            json!({"subscriptionId": sub_id})
        );
        assert_eq!(
            api.get(&format!("products?subscriptionId={sub_id}")).await,
            json!([])
        );
        // Removed products still count towards their subscription's usage.
        let path = format!("DELETE products?productId={PRODUCT_ID}");
        api.expect(&path, None, 200).await;
        assert!(api.sim.tenant_ids().is_empty());
        let path = format!("subscriptions/usage?subscriptionId={SUBSCRIPTION_ID}&{USAGE_WINDOW}");
        assert_eq!(
            api.get(&path).await,
            with("subscriptionId", SUBSCRIPTION_ID)
        );
    }

    /// The deprecated `POST /v1/tenants/domain` adds a domain like `/domains` and can make it main.
    #[tokio::test]
    async fn deprecated_domain_route_still_works() {
        let api = Api::boot(300).await;
        let body = Some(json!({"domainName": "legacy.example.com", "setAsMainDomain": true}));
        let path = format!("POST tenants/domain?tenantId={TENANT_2}");
        let got = api.expect(&path, body, 200).await;
        let expected = json!({
            "tenantId": TENANT_2, "externalId": "T002", "domain": "legacy.example.com",
            "setAsMainDomain": true
        });
        assert_eq!(got, pending_body(expected));
        sleep_ms(350).await;
        let tenant = api.one("tenants?externalId=T002").await;
        assert_eq!(tenant["domainName"], "legacy.example.com");
        let redirects = json!([
            "T002.staging.my-site.com",
            "school-two.example.org",
            "blog.example.org"
        ]);
        assert_eq!(tenant["redirectDomains"], redirects);
    }

    /// Unknown ids answer 404 with a message naming them; unknown paths answer 404 too.
    #[tokio::test]
    async fn not_found_bodies() {
        let api = Api::boot(300).await;
        let snapshot = |id: &str| format!("Snapshot {id} not found");
        let version = |id: &str| version_body("V7", id);
        #[rustfmt::skip]
        let cases: Vec<(String, Value, String)> = vec![
            (format!("GET tenants/domains?tenantId={UNKNOWN}"), Value::Null, format!("Tenant {UNKNOWN} not found")),
            ("DELETE tenants?externalId=T404".into(), Value::Null, "Tenant T404 not found".into()),
            ("PUT tenants/version?externalId=T001".into(), json!({"targetVersionId": UNKNOWN}),
             format!("Version {UNKNOWN} not found")),
            ("POST tenants".into(), json!({"name": "X", "versionId": UNKNOWN}), format!("Version {UNKNOWN} not found")),
            ("POST tenants".into(), json!({"name": "X", "snapshotId": UNKNOWN}), snapshot(UNKNOWN)),
            // A snapshot of another version than the tenant's.
            ("POST tenants".into(), json!({"name": "X", "snapshotId": SNAPSHOT_FRENCH}), snapshot(SNAPSHOT_FRENCH)),
            ("POST tenants".into(), json!({"name": "X", "groupName": "nope"}), "No snapshot found in group nope".into()),
            ("DELETE tenants/domains?externalId=T001&domainName=nope.example.com".into(), Value::Null,
             "Domain nope.example.com not found".into()),
            ("PUT tenants/domains/main?externalId=T001".into(), json!({"domainId": UNKNOWN}),
             format!("Domain {UNKNOWN} not found")),
            ("PUT versions/production".into(), json!({"versionId": UNKNOWN}), format!("Version {UNKNOWN} not found")),
            (format!("DELETE versions?versionId={UNKNOWN}"), Value::Null, format!("Version {UNKNOWN} not found")),
            // Base snapshots are for partner keys only.
            ("POST versions".into(), version(BASE_SNAPSHOT), snapshot(BASE_SNAPSHOT)),
            ("POST versions".into(), version(UNKNOWN), snapshot(UNKNOWN)),
            // A new product's version takes base snapshots only.
            (format!("POST products?subscriptionId={SUBSCRIPTION_ID}"),
             json!({"name": "P", "version": version(SNAPSHOT_WOO)}), snapshot(SNAPSHOT_WOO)),
            (format!("GET snapshots/download?snapshotId={UNKNOWN}"), Value::Null, snapshot(UNKNOWN)),
            (format!("POST products?subscriptionId={UNKNOWN}"), json!({"name": "P"}),
             format!("Subscription {UNKNOWN} not found")),
            (format!("DELETE products?productId={UNKNOWN}"), Value::Null, format!("Product {UNKNOWN} not found")),
            (format!("DELETE subscriptions?subscriptionId={UNKNOWN}"), Value::Null,
             format!("Subscription {UNKNOWN} not found")),
            (format!("GET products/usage?productId={UNKNOWN}&{USAGE_WINDOW}"), Value::Null,
             format!("Product {UNKNOWN} not found")),
            (format!("GET subscriptions/usage?subscriptionId={UNKNOWN}&{USAGE_WINDOW}"), Value::Null,
             format!("Subscription {UNKNOWN} not found")),
            (format!("DELETE basesnapshots?id={UNKNOWN}"), Value::Null, format!("BaseSnapshot {UNKNOWN} not found")),
            ("GET nothing".into(), Value::Null, "Not found".into()),
        ];
        for (call, body, message) in cases {
            let body = (!body.is_null()).then_some(body);
            assert_eq!(api.call(&call, body).await, error(404, &message), "{call}");
        }
        let resp = api
            .client
            .put(format!("{}/uploads/nope", api.server.base_url()))
            .body("x");
        let resp = resp.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 404);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body,
            json!({"statusCode": 404, "message": "Upload not found"})
        );
        assert_eq!(
            api.get(&format!("tenants?tenantId={UNKNOWN}")).await,
            json!([])
        );
    }

    /// Custom uploads wait for their PUT; an archive runs to Done, anything else ends Failed.
    #[tokio::test]
    async fn custom_upload_waits_then_runs_or_fails() {
        let api = Api::boot(300).await;
        let body =
            Some(json!({"name": "Upload-Tenant", "uploadCustomSnapshot": true, "asZip": true}));
        let created = api.expect("POST tenants", body, 200).await;
        let url = created["uploadUrl"].as_str().unwrap().to_string();
        assert!(
            url.starts_with(&format!("{}/uploads/", api.server.base_url())),
            "{url}"
        );
        let one = format!("tenants?tenantId={}", created["id"].as_str().unwrap());
        sleep_ms(350).await;
        assert_eq!(status(&api.one(&one).await), pending());
        let put = api.client.put(&url).body(b"PK\x03\x04rest-of-zip".to_vec());
        assert_eq!(put.send().await.unwrap().status().as_u16(), 201);
        let reused = api.client.put(&url).body(b"PK\x03\x04".to_vec());
        assert_eq!(reused.send().await.unwrap().status().as_u16(), 404);
        sleep_ms(150).await;
        assert_eq!(status(&api.one(&one).await), in_progress());
        sleep_ms(250).await;
        let tenant = api.one(&one).await;
        assert_eq!(
            (status(&tenant), &tenant["basedOnSnapshotId"]),
            (done(), &Value::Null)
        );

        let body = json!({"name": "Custom-1", "wordPressVersion": "6.4.2", "phpVersion": "8.1",
                          "useCustomUpload": true});
        let version = api.expect("POST versions", Some(body), 200).await;
        let url = version["uploadUrl"].as_str().unwrap();
        let put = api.client.put(url).body("not a tarball");
        assert_eq!(put.send().await.unwrap().status().as_u16(), 201);
        let failed = (json!(3), json!("Failed"));
        assert_eq!(
            status(&api.one("versions?versionName=Custom-1").await),
            failed
        );
        let path = format!("snapshots?versionId={}", version["id"].as_str().unwrap());
        let snapshot = api.one(&path).await;
        assert_eq!(
            (status(&snapshot), &snapshot["isCustomSnapshot"]),
            (failed, &json!(true))
        );
    }

    /// Snapshots filter by group and name; a download is a valid `.tar.gz` describing the snapshot.
    #[tokio::test]
    async fn snapshots_and_download() {
        let api = Api::boot(300).await;
        let group = api
            .get("snapshots?groupName=language-school-template")
            .await;
        assert_eq!(group.as_array().unwrap().len(), 3);
        let woo = api
            .one("snapshots?snapshotName=v2-addition-woo-commerce")
            .await;
        let expected = json!({
            "id": SNAPSHOT_WOO, "versionId": VERSION_2,
            "dateCreated": "2021-11-18T15:47:40.17337+00:00", "name": "v2-addition-woo-commerce",
            "groupName": "language-school-template", "isCustomSnapshot": false,
            "isTenantSnapshot": false, "statusCode": 1, "statusName": "Done"
        });
        assert_eq!(woo, expected);

        let url = api.url(&format!("snapshots/download?snapshotId={SNAPSHOT_FRENCH}"));
        let resp = api
            .client
            .get(url)
            .header("Authorization", basic(KEY, SECRET))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let headers = resp.headers().clone();
        assert_eq!(headers["content-type"], "application/gzip");
        assert_eq!(
            headers["content-disposition"],
            "attachment; filename=\"v2-added-french.tar.gz\""
        );
        let gz = resp.bytes().await.unwrap();
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
        // One final stored block: header byte, LEN, NLEN, then the tar itself.
        assert_eq!(gz[10], 1);
        let len = usize::from(u16::from_le_bytes([gz[11], gz[12]]));
        let tar = &gz[15..15 + len];
        let trailer = &gz[15 + len..];
        assert_eq!(trailer[..4], crc32(tar).to_le_bytes());
        assert_eq!(trailer[4..], (len as u32).to_le_bytes());
        assert_eq!(
            (&tar[..13], &tar[257..262]),
            (&b"snapshot.json"[..], &b"ustar"[..])
        );
        let size = usize::from_str_radix(std::str::from_utf8(&tar[124..135]).unwrap(), 8).unwrap();
        let manifest: Value = serde_json::from_slice(&tar[512..512 + size]).unwrap();
        assert_eq!(
            (&manifest["snapshotId"], &manifest["name"]),
            (&json!(SNAPSHOT_FRENCH), &json!("V2: Added french"))
        );
        let checksum: u32 = tar[..512]
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(*b)
                }
            })
            .sum();
        let stored = u32::from_str_radix(std::str::from_utf8(&tar[148..154]).unwrap(), 8).unwrap();
        assert_eq!(checksum, stored);

        let body = version_body("V8", SNAPSHOT_WOO);
        let version = api.expect("POST versions", Some(body), 200).await;
        let copy = api
            .one(&format!(
                "snapshots?versionId={}",
                version["id"].as_str().unwrap()
            ))
            .await;
        let id = copy["id"].as_str().unwrap();
        let got = api
            .call(&format!("GET snapshots/download?snapshotId={id}"), None)
            .await;
        assert_eq!(
            got,
            invalid(&format!("Snapshot {id} is not ready to be downloaded"))
        );

        let body = json!({
            "name": "Tenant Starter", "comment": "Tenant template", "isTenantSnapshot": true,
            "groupName": "starters", "showInConsole": true
        });
        let created = api.expect("POST basesnapshots", Some(body), 200).await;
        let id = created["id"].as_str().unwrap();
        let expected = json!({
            "id": id, "name": "Tenant Starter", "comment": "Tenant template", "showInConsole": true
        });
        assert_eq!(created, expected);
        let own = api.one("basesnapshots?onlyPartnerSpecific=true").await;
        assert_eq!(
            (&own["groupName"], &own["isDefault"]),
            (&json!("starters"), &json!(false))
        );
        assert_eq!(api.get("basesnapshots").await.as_array().unwrap().len(), 2);
        assert_eq!(
            api.one(&format!("basesnapshots?baseSnapshotId={BASE_SNAPSHOT}"))
                .await["isDefault"],
            true
        );
        let got = api
            .expect(&format!("DELETE basesnapshots?id={id}"), None, 200)
            .await;
        assert_eq!(got, json!({"baseSnapshotId": id}));
        assert_eq!(api.get("basesnapshots?groupName=starters").await, json!([]));
    }

    /// Each of the 28 documented routes is served by a handler, not by the fallback or a 405.
    #[tokio::test]
    async fn all_documented_routes_answer() {
        let api = Api::boot(300).await;
        let routes = [
            "GET tenants",
            "POST tenants",
            "PUT tenants",
            "DELETE tenants",
            "POST tenants/domain",
            "PUT tenants/version",
            "GET tenants/domains",
            "POST tenants/domains",
            "DELETE tenants/domains",
            "PUT tenants/domains/main",
            "GET tenants/domains/available",
            "GET versions",
            "POST versions",
            "DELETE versions",
            "PUT versions/production",
            "GET snapshots",
            "GET snapshots/download",
            "GET subscriptions",
            "POST subscriptions",
            "DELETE subscriptions",
            "GET subscriptions/usage",
            "GET products",
            "POST products",
            "DELETE products",
            "GET products/usage",
            "GET basesnapshots",
            "POST basesnapshots",
            "DELETE basesnapshots",
        ];
        let rows = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/specs/endpoints.tsv"
        ));
        if let Ok(rows) = rows {
            let documented: Vec<String> = rows
                .lines()
                .filter_map(|l| l.strip_prefix("wpcs\t"))
                .map(|l| {
                    let mut cols = l.split('\t');
                    let (method, path) = (cols.next().unwrap(), cols.next().unwrap());
                    format!("{method} {}", path.trim_start_matches("/v1/"))
                })
                .collect();
            assert_eq!(documented, routes);
        }
        for call in routes {
            let (status, body) = api.call(call, Some(json!({}))).await;
            assert!(
                status != 405 && body["message"] != "Not found",
                "{call}: {status} {body}"
            );
        }
    }

    /// Seeded ids and new ids are well-formed uuids; dates round-trip through the parser.
    #[test]
    fn ids_and_dates() {
        let ids: Vec<String> = (1..=50).map(uuid_from).collect();
        assert!(
            ids.iter()
                .all(|id| is_uuid(id) && id.as_bytes()[14] == b'4'),
            "{ids:?}"
        );
        assert_eq!(
            ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
            50
        );
        for text in [
            "2021-11-18T15:47:40.17337+00:00",
            "2021-12-01T12:27:34.891662+00:00",
            "2024-02-29T00:00:00+00:00",
        ] {
            assert_eq!(iso(seed_time(text)), text);
        }
        let plus = parse_time("2022-03-01T00:00:00.000+02:00");
        assert_eq!(plus, parse_time("2022-02-28T22:00:00Z"));
        assert_eq!(plus, parse_time("2022-03-01T00:00:00 0200"));
        assert_eq!(parse_time("2022-03-01"), parse_time("2022-03-01T00:00Z"));
        for bad in [
            "2022-13-01",
            "2021-02-29",
            "2022-03-01T24:00:00Z",
            "2022-03-01X",
            "2022/03/01",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert_eq!(
            base64_decode(&encode(b"key:secret")).unwrap(),
            b"key:secret"
        );
    }
}
