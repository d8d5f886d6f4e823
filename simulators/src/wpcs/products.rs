//! WPCS's product side: versions and their snapshots (with the snapshot download), subscriptions
//! and products with their usage, base snapshots, and the storage URL custom uploads go to.

use super::{
    flows::Status,
    flows::{Op, Queue, Upload},
    model::{BaseSnapshot, Subscription, Tenant, iso, slug},
    params::{
        Args, FIELDS, base_url, check_base_snapshot_name, flag, object, parse, period,
        product_params, required_uuid, version_params,
    },
    routes::{Fail, Reply, Sim, not_found, null, ok, validation},
};
use crate::kit::archive::tar_gz;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

// ---------------------------------------------------------------------------------------------
// Handlers: versions and snapshots

pub(super) async fn versions_list(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn version_create(
    State(sim): Sim,
    args: Args,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
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
pub(super) async fn version_delete(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn version_set_production(State(sim): Sim, args: Args, bytes: Bytes) -> Reply {
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

pub(super) async fn snapshots_list(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn snapshot_download(State(sim): Sim, args: Args) -> Result<Response, Fail> {
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

pub(super) async fn subscriptions_list(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn subscription_create(
    State(sim): Sim,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
    let body = parse(&bytes)?;
    let name = FIELDS.required_text(&body, "name")?;
    let product = object(&body, "product")?.map(product_params).transpose()?;
    if let Some(user) = object(&body, "user")? {
        for field in ["name", "lastName", "emailAddress"] {
            FIELDS.text(user, field)?;
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
pub(super) async fn subscription_delete(State(sim): Sim, args: Args) -> Reply {
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

pub(super) async fn subscription_usage(State(sim): Sim, args: Args) -> Reply {
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

pub(super) async fn products_list(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn product_create(
    State(sim): Sim,
    args: Args,
    headers: HeaderMap,
    bytes: Bytes,
) -> Reply {
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
pub(super) async fn product_delete(State(sim): Sim, args: Args) -> Reply {
    let id = args.required_uuid("productId")?;
    let mut w = sim.lock();
    w.product(&id)?;
    w.remove_product(&id, SystemTime::now());
    ok(json!({"productId": id}))
}

pub(super) async fn product_usage(State(sim): Sim, args: Args) -> Reply {
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

pub(super) async fn base_snapshots_list(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn base_snapshot_create(State(sim): Sim, bytes: Bytes) -> Reply {
    let body = parse(&bytes)?;
    let name = FIELDS.required_text(&body, "name")?;
    check_base_snapshot_name(&name)?;
    let comment = FIELDS.required_text(&body, "comment")?;
    let is_tenant = flag(&body, "isTenantSnapshot")?;
    let group_name = FIELDS.text(&body, "groupName")?;
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
pub(super) async fn base_snapshot_delete(State(sim): Sim, args: Args) -> Reply {
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
pub(super) async fn upload(
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
