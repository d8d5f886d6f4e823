//! WPCS's scheduled writes. Each object runs its work one item at a time, each item taking
//! `SimConfig::job_duration`, and every read derives `statusCode`/`statusName` from that queue at the
//! moment of the request. Effects (a move, a new main domain, a removal) apply when an item
//! completes; creations and removals are kept as lifetimes so usage counts the hours objects ran.

use super::{
    model::{Account, Product, Seed, Snapshot, Tenant, VERSION_DOMAIN, Version, slug},
    params::VersionParams,
};
use crate::kit::progress::{QUEUED_SHARE, fraction};
use serde_json::{Value, json};
use std::{
    collections::VecDeque,
    time::{Duration, Instant, SystemTime},
};

/// What `statusCode`/`statusName` report. Only `1`/`Done` is documented; the rest is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
    Done,
    InProgress,
    Failed,
}

impl Status {
    pub(super) fn code(self) -> u8 {
        match self {
            Status::Pending => 0,
            Status::Done => 1,
            Status::InProgress => 2,
            Status::Failed => 3,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Done => "Done",
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
        }
    }

    /// Appends `statusCode` and `statusName` to a rendered object.
    pub(super) fn stamp(self, mut body: Value) -> Value {
        body["statusCode"] = json!(self.code());
        body["statusName"] = json!(self.name());
        body
    }
}

/// One scheduled change. Products and subscriptions only ever schedule their creation.
pub(super) enum Op {
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
    pub(super) fn domain(&self) -> Option<&str> {
        match self {
            Op::AddDomain { domain_id, .. }
            | Op::RemoveDomain(domain_id)
            | Op::SetMainDomain(domain_id) => Some(domain_id),
            _ => None,
        }
    }
}

pub(super) struct Item {
    pub(super) op: Op,
    /// Work never starts before this: a product waits for its subscription, a version for its
    /// product.
    pub(super) not_before: Instant,
    /// The token of the custom upload this item waits for; it does not start until it arrives.
    pub(super) upload: Option<String>,
}

/// The work scheduled on one object, run one item at a time in order.
pub(super) struct Queue {
    pub(super) items: VecDeque<Item>,
    /// When the previous item finished (or the object was created): the next starts no earlier.
    pub(super) free_at: Instant,
    /// The last scheduled work failed; cleared when a later item completes.
    pub(super) failed: bool,
}

impl Queue {
    pub(super) fn idle(now: Instant) -> Queue {
        Queue {
            items: VecDeque::new(),
            free_at: now,
            failed: false,
        }
    }

    pub(super) fn with(op: Op, now: Instant, not_before: Instant, upload: Option<String>) -> Queue {
        let mut queue = Queue::idle(now);
        queue.push(op, not_before, upload);
        queue
    }

    /// Schedules `op` behind whatever is queued; returns its position.
    pub(super) fn push(&mut self, op: Op, not_before: Instant, upload: Option<String>) -> usize {
        self.items.push_back(Item {
            op,
            not_before,
            upload,
        });
        self.items.len() - 1
    }

    pub(super) fn position(&self, matches: impl Fn(&Op) -> bool) -> Option<usize> {
        self.items.iter().position(|item| matches(&item.op))
    }

    pub(super) fn has(&self, matches: impl Fn(&Op) -> bool) -> bool {
        self.position(matches).is_some()
    }

    /// The object's status: that of the running item, else how the last work ended.
    pub(super) fn status(&self, now: Instant, d: Duration) -> Status {
        self.status_at(0, now, d)
    }

    /// Items behind the head are `Pending`; the head is `Pending` until it has run for a tenth of
    /// the duration, then `InProgress`.
    pub(super) fn status_at(&self, i: usize, now: Instant, d: Duration) -> Status {
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
    pub(super) fn settle(&mut self, now: Instant, d: Duration) -> Vec<(Instant, Op)> {
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
    pub(super) fn received(&mut self, token: &str, valid: bool, now: Instant) {
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
pub(super) enum Target {
    Tenant(String),
    Version(String),
}

pub(super) struct Upload {
    pub(super) target: Target,
    pub(super) as_zip: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Product,
    Version,
    Tenant,
}

/// How long something counted towards usage: until `to`, or until now while it exists.
#[derive(Clone)]
pub(super) struct Lifetime {
    pub(super) kind: Kind,
    pub(super) product_id: String,
    pub(super) subscription_id: String,
    pub(super) from: SystemTime,
    pub(super) to: Option<SystemTime>,
}

impl Account {
    /// Applies every scheduled item that has finished, in the order they finished.
    pub(super) fn settle(&mut self, now: Instant) {
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

    pub(super) fn apply(&mut self, target: Target, op: Op, when: SystemTime) {
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

    /// Registers a custom upload and returns its token.
    pub(super) fn expect_upload(&mut self, target: Target, as_zip: bool) -> String {
        let token = self.new_id().replace('-', "");
        self.uploads
            .insert(token.clone(), Upload { target, as_zip });
        token
    }

    pub(super) fn queue_mut(&mut self, target: &Target) -> Option<&mut Queue> {
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

    /// Queues `op` on tenant `i` and renders the answer with the status of the new item.
    pub(super) fn schedule(
        &mut self,
        i: usize,
        op: Op,
        render: impl FnOnce(&Tenant) -> Value,
    ) -> Value {
        let (now, d) = (self.now, self.job_duration);
        let t = &mut self.tenants[i];
        let at = t.queue.push(op, now, None);
        t.queue.status_at(at, now, d).stamp(render(t))
    }

    /// Creates a version whose work starts no earlier than `not_before`; the first version of a
    /// product is its production version.
    pub(super) fn add_version(
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
    pub(super) fn add_product(
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

    pub(super) fn retire(
        &mut self,
        kind: Kind,
        product_id: &str,
        from: SystemTime,
        to: SystemTime,
    ) {
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

    pub(super) fn remove_tenant(&mut self, i: usize, at: SystemTime) {
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
    pub(super) fn remove_version(&mut self, id: &str, at: SystemTime) {
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
    pub(super) fn remove_product(&mut self, id: &str, at: SystemTime) {
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
    pub(super) fn lifetimes(&self) -> Vec<Lifetime> {
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
    pub(super) fn usage(
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
}
