//! WPCS's route table and its tenant and domain handlers, with the `{"statusCode", "message"}` errors
//! every handler answers in. The product side (versions, snapshots, subscriptions, products, base
//! snapshots, uploads) is in `products`.

use super::{
    Simulator,
    flows::{Op, Queue, Target},
    model::{BASE_DOMAIN, Domain, Tenant},
    params::{
        Args, FIELDS, USER_FIELDS, base_url, check_external_id, check_tenant_name, domain_name,
        flag, parse, required_uuid, settings, uuid_field,
    },
    products::{
        base_snapshot_create, base_snapshot_delete, base_snapshots_list, product_create,
        product_delete, product_usage, products_list, snapshot_download, snapshots_list,
        subscription_create, subscription_delete, subscription_usage, subscriptions_list,
        version_create, version_delete, version_set_production, versions_list,
    },
};
pub(super) use crate::kit::{Fail, Reply};
use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{get, post, put},
};
use serde_json::{Value, json};
use std::time::SystemTime;

pub(super) type Sim = State<Simulator>;

const VALIDATION: &str = "Validation error occured: ";

#[rustfmt::skip]
pub(super) fn routes() -> Router<Simulator> {
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
    let name = FIELDS.required_text(&body, "name")?;
    check_tenant_name(&name)?;
    let external_id = FIELDS.text(&body, "externalId")?;
    if let Some(x) = &external_id {
        check_external_id(x)?;
    }
    let custom_domain = FIELDS
        .text(&body, "customDomainName")?
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
    let group = FIELDS.text(&body, "groupName")?;
    for field in USER_FIELDS {
        FIELDS.text(&body, field)?;
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
    let name = domain_name(FIELDS.required_text(&body, "domainName")?, "domainName")?;
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
    let (id, name) = (
        uuid_field(&body, "domainId")?,
        FIELDS.text(&body, "domainName")?,
    );
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
// Responses

/// An error answered as `{"statusCode": <status>, "message": "..."}`.
pub(super) fn fail(status: StatusCode, message: impl Into<String>) -> Fail {
    let message = message.into();
    Fail::new(
        status,
        json!({"statusCode": status.as_u16(), "message": message}),
    )
}

pub(super) fn ok(body: Value) -> Reply {
    Ok(Json(body))
}

/// The documented 400: `Validation error occured: ...` (the docs' spelling).
pub(super) fn validation(message: impl AsRef<str>) -> Fail {
    let message = format!("{VALIDATION}{}", message.as_ref());
    fail(StatusCode::BAD_REQUEST, message)
}

pub(super) fn not_found(message: String) -> Fail {
    fail(StatusCode::NOT_FOUND, message)
}

/// The docs' example message for a missing property.
pub(super) fn null(name: &str) -> Fail {
    validation(format!("Property {name} cannot be null"))
}

pub(super) fn invalid(name: &str) -> Fail {
    validation(format!("Property {name} has an invalid value"))
}
