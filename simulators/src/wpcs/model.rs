//! The simulated WPCS account: a subscription with its product, the product's versions, snapshots
//! and tenants with their domains, and the base snapshots, seeded with the ids and values the docs'
//! examples show; how requests find them, and the views the API answers with.

use super::{
    flows::{Lifetime, Op, Queue, Status, Upload},
    params::{Args, VersionParams, no_source},
    routes::{Fail, not_found, validation},
};
use crate::kit::{
    random::splitmix64,
    time::{iso_seconds, parse_iso},
};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// Tenants get `<externalId>.staging.my-site.com` as base domain, as in the docs' tenant example.
pub(super) const BASE_DOMAIN: &str = "staging.my-site.com";
pub(super) const VERSION_DOMAIN: &str = "snapshots.us1.wpcs.io";
pub(super) const STORAGE: &str = "https://storage.us1.wpcs.io";

// Seeded ids, taken from the docs' examples.
pub(super) const SUBSCRIPTION_ID: &str = "1f3ea976-d862-499d-8be2-b99c1aef21a9";
pub(super) const PRODUCT_ID: &str = "dcd53ddb-8104-4e48-8cc0-5df1088c6113";
pub(super) const VERSION_1: &str = "aebceb97-1296-49fc-81bc-b9e86aefe011";
pub(super) const VERSION_2: &str = "745e1ebd-d00e-4b6b-b6bc-bffd450c0942";
pub(super) const SNAPSHOT_INITIAL: &str = "ed142f0f-cae8-441d-ac8d-dbb22c88caa6";
pub(super) const SNAPSHOT_FRENCH: &str = "7395de9a-bfc3-45cd-8dfd-92f760d5aee7";
pub(super) const SNAPSHOT_WOO: &str = "347b6a3b-4b68-4888-acc5-d5d546a33d86";
pub(super) const SNAPSHOT_SPANISH: &str = "09520abc-01e6-4da1-8fa5-f10e3883c861";
pub(super) const TENANT_1: &str = "68c6b25c-74ef-4401-acbe-0b1d560d8647";
pub(super) const TENANT_2: &str = "59733291-9f60-46f9-acbc-6f73e8d6a8fb";
pub(super) const BASE_SNAPSHOT: &str = "193463fd-ce54-43d9-ba61-304ceef2885e";

pub(super) struct Account {
    pub(super) partner: bool,
    pub(super) job_duration: Duration,
    /// When the current request settled the account: every view reads status at this instant.
    pub(super) now: Instant,
    /// The product a product-specific (non-partner) key acts on: the seeded one.
    pub(super) home: String,
    /// New ids come from a fixed sequence, so runs are reproducible.
    pub(super) sequence: u64,
    pub(super) subscriptions: Vec<Subscription>,
    pub(super) products: Vec<Product>,
    pub(super) versions: Vec<Version>,
    /// Oldest first, so "the latest snapshot" is the last match.
    pub(super) snapshots: Vec<Snapshot>,
    pub(super) tenants: Vec<Tenant>,
    pub(super) base_snapshots: Vec<BaseSnapshot>,
    /// Custom uploads still expected, by the token in their URL.
    pub(super) uploads: BTreeMap<String, Upload>,
    /// Removed products, versions and tenants, so usage still counts the hours they ran.
    pub(super) retired: Vec<Lifetime>,
}

pub(super) struct Subscription {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) queue: Queue,
}

pub(super) struct Product {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) subscription_id: String,
    pub(super) created: SystemTime,
    pub(super) queue: Queue,
}

pub(super) struct Version {
    pub(super) id: String,
    pub(super) product_id: String,
    pub(super) name: String,
    pub(super) domain: String,
    pub(super) wordpress_version: String,
    pub(super) php_version: String,
    pub(super) is_production: bool,
    pub(super) created: SystemTime,
    pub(super) changed: SystemTime,
    pub(super) queue: Queue,
}

pub(super) struct Snapshot {
    pub(super) id: String,
    pub(super) version_id: String,
    pub(super) created: SystemTime,
    pub(super) name: String,
    pub(super) group_name: Option<String>,
    pub(super) is_custom: bool,
    pub(super) is_tenant: bool,
}

/// The snapshot a tenant was based on, as it was named then.
pub(super) struct BasedOn {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) group_name: Option<String>,
}

pub(super) struct Tenant {
    pub(super) id: String,
    pub(super) external_id: Option<String>,
    pub(super) name: String,
    pub(super) version_id: String,
    pub(super) based_on: Option<BasedOn>,
    pub(super) created: SystemTime,
    pub(super) changed: SystemTime,
    pub(super) domains: Vec<Domain>,
    pub(super) queue: Queue,
}

pub(super) struct Domain {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) is_main: bool,
    pub(super) is_base: bool,
    /// False while its addition is scheduled: the tenant's domain fields leave it out until then.
    pub(super) live: bool,
}

pub(super) struct BaseSnapshot {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) comment: String,
    pub(super) is_default: bool,
    pub(super) is_tenant: bool,
    pub(super) group_name: Option<String>,
    pub(super) show_in_console: bool,
    /// Created through the API key rather than provided by WPCS.
    pub(super) partner_specific: bool,
}

/// A snapshot a new version starts with, copied from a snapshot or base snapshot.
pub(super) struct Seed {
    pub(super) name: String,
    pub(super) group_name: Option<String>,
    pub(super) is_custom: bool,
    pub(super) is_tenant: bool,
}

impl Account {
    pub(super) fn seeded(partner: bool, job_duration: Duration) -> Account {
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

    /// The product tenant, version and snapshot calls act on: the partner's `?productId=`, or the
    /// key's own product.
    pub(super) fn scope(&self, args: &Args) -> Result<String, Fail> {
        if !self.partner {
            return Ok(self.home.clone());
        }
        let id = args.required_uuid("productId")?;
        self.product(&id)?;
        Ok(id)
    }

    pub(super) fn new_id(&mut self) -> String {
        self.sequence += 1;
        uuid_from(self.sequence)
    }

    pub(super) fn product(&self, id: &str) -> Result<&Product, Fail> {
        let found = self.products.iter().find(|p| p.id == id);
        found.ok_or_else(|| not_found(format!("Product {id} not found")))
    }

    pub(super) fn subscription(&self, id: &str) -> Result<&Subscription, Fail> {
        let found = self.subscriptions.iter().find(|s| s.id == id);
        found.ok_or_else(|| not_found(format!("Subscription {id} not found")))
    }

    pub(super) fn version_in(&self, product: &str, id: &str) -> Result<&Version, Fail> {
        let found = self
            .versions
            .iter()
            .find(|v| v.id == id && v.product_id == product);
        found.ok_or_else(|| not_found(format!("Version {id} not found")))
    }

    pub(super) fn product_of(&self, version_id: &str) -> Option<&str> {
        let version = self.versions.iter().find(|v| v.id == version_id);
        version.map(|v| v.product_id.as_str())
    }

    pub(super) fn in_product(&self, t: &Tenant, product: &str) -> bool {
        self.product_of(&t.version_id) == Some(product)
    }

    /// New tenants and moves need a version whose creation is done (modelled).
    pub(super) fn ready(&self, version: &Version) -> Result<(), Fail> {
        if version.queue.has(|op| matches!(op, Op::Create)) || version.queue.failed {
            let name = &version.name;
            return Err(validation(format!("Version {name} is not ready")));
        }
        Ok(())
    }

    /// The tenant `?tenantId=` and/or `?externalId=` name within the product.
    pub(super) fn tenant_at(&self, product: &str, args: &Args) -> Result<usize, Fail> {
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
    pub(super) fn schedulable(&self, product: &str, args: &Args) -> Result<usize, Fail> {
        let i = self.tenant_at(product, args)?;
        let t = &self.tenants[i];
        if t.queue.has(|op| matches!(op, Op::Delete)) {
            let id = &t.id;
            return Err(validation(format!("Tenant {id} is scheduled for removal")));
        }
        Ok(i)
    }

    /// Domain names are unique across all tenants and version domains, whatever their case.
    pub(super) fn domain_taken(&self, name: &str) -> bool {
        let tenants = self.tenants.iter().flat_map(|t| &t.domains);
        let mut names = tenants
            .map(|d| d.name.as_str())
            .chain(self.versions.iter().map(|v| v.domain.as_str()));
        names.any(|n| n.eq_ignore_ascii_case(name))
    }

    /// The snapshot a new tenant is based on, as the docs describe: the one named, else the latest
    /// in the group, else the latest of the version.
    pub(super) fn tenant_snapshot(
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
    pub(super) fn seeds(
        &self,
        product: Option<&str>,
        p: &VersionParams,
    ) -> Result<Vec<Seed>, Fail> {
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

    /// The docs' tenant example: the main domain as `domainName`, the others as `redirectDomains`.
    pub(super) fn tenant_view(&self, t: &Tenant) -> Value {
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
    pub(super) fn domain_view(&self, t: &Tenant, d: &Domain) -> Value {
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

    pub(super) fn version_view(&self, v: &Version) -> Value {
        let status = v.queue.status(self.now, self.job_duration);
        json!({
            "id": v.id, "isProduction": v.is_production, "name": v.name,
            "dateChanged": iso(v.changed), "dateCreated": iso(v.created),
            "statusCode": status.code(), "statusName": status.name(), "domain": v.domain
        })
    }

    /// A snapshot shares the status of its version's creation (modelled).
    pub(super) fn snapshot_status(&self, s: &Snapshot) -> Status {
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

    pub(super) fn snapshot_view(&self, s: &Snapshot) -> Value {
        let status = self.snapshot_status(s);
        json!({
            "id": s.id, "versionId": s.version_id, "dateCreated": iso(s.created), "name": s.name,
            "groupName": s.group_name, "isCustomSnapshot": s.is_custom,
            "isTenantSnapshot": s.is_tenant,
            "statusCode": status.code(), "statusName": status.name()
        })
    }

    pub(super) fn product_view(&self, p: &Product) -> Value {
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
    pub(super) fn subscription_view(&self, s: &Subscription) -> Value {
        let status = s.queue.status(self.now, self.job_duration);
        status.stamp(json!({"id": s.id, "name": s.name}))
    }
}

impl Tenant {
    pub(super) fn set_main(&mut self, domain_id: &str) {
        if self.domains.iter().any(|d| d.id == domain_id) {
            for d in &mut self.domains {
                d.is_main = d.id == domain_id;
            }
        }
    }
}

impl BaseSnapshot {
    /// The uri is modelled as the archive's place in WPCS storage.
    pub(super) fn view(&self) -> Value {
        json!({
            "id": self.id, "name": self.name, "comment": self.comment,
            "uri": format!("{STORAGE}/basesnapshots/{}.tar.gz", self.id),
            "isDefault": self.is_default, "isTenantSnapshot": self.is_tenant,
            "groupName": self.group_name, "showAsBaseSnapshot": self.show_in_console
        })
    }
}

pub(super) fn is_uuid(value: &str) -> bool {
    value.len() == 36
        && value.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A version-4-shaped uuid drawn from `n` with SplitMix64: distinct per `n`, the same every run.
pub(super) fn uuid_from(n: u64) -> String {
    let (a, b) = (splitmix64(n), splitmix64(!n));
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
pub(super) fn slug(name: &str) -> String {
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

/// As the docs' dates: microseconds with trailing zeros dropped and a `+00:00` offset
/// (`2021-11-18T15:47:40.17337+00:00`).
pub(super) fn iso(t: SystemTime) -> String {
    let micros = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros()) as i64;
    let (secs, fraction) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    let fraction = format!(".{fraction:06}");
    let fraction = fraction.trim_end_matches('0').trim_end_matches('.');
    format!("{}{fraction}+00:00", iso_seconds(secs))
}

pub(super) fn seed_time(text: &str) -> SystemTime {
    parse_iso(text).expect("seeded dates are valid ISO 8601")
}
