//! What each provider contributes to each unified list, read through the request's loader (so a list
//! read for `sites` serves the site links of the same request too). Providers that cannot list a kind
//! are simply not asked; Patchstack's sites and users come from what the gateway has seen (`links`).

use super::{Listed, services};
use crate::{
    connections::Live,
    endpoint::Endpoint,
    hosterapi,
    links::{self, LinkKind},
    objects::{Instance, Server, ServerKind, Service, Site, Tenant, User},
    orchestrix, panelalpha, patchstack, reads, wpcs,
};
use async_graphql::Context;
use hostplane_adapters::{ErrorCode, Provider};
use hostplane_schema::{
    GatewayError,
    principal::{Scope, require},
};
use serde_json::Value;
use std::collections::BTreeSet;

/// Upstream pages one connection's list may take per request.
const MAX_PAGES: usize = 10;

pub const SITES: &[Provider] = &[
    Provider::Patchstack,
    Provider::Orchestrix,
    Provider::Wpcs,
    Provider::Panelalpha,
];
pub const SERVERS: &[Provider] = &[Provider::Hosterapi, Provider::Panelalpha];
pub const USERS: &[Provider] = &[
    Provider::Patchstack,
    Provider::Orchestrix,
    Provider::Panelalpha,
];
pub const TENANTS: &[Provider] = &[Provider::Wpcs];
pub const SERVICES: &[Provider] = &[Provider::Wpcs, Provider::Panelalpha];
pub const INSTANCES: &[Provider] = &[Provider::Panelalpha];

/// Every item of a `?page=N` list, up to `MAX_PAGES` pages.
async fn paged(
    ctx: &Context<'_>,
    live: &Live,
    list: &Endpoint,
) -> Result<Listed<Value>, GatewayError> {
    let mut items = Vec::new();
    let mut total = None;
    for page in 1..=MAX_PAGES {
        let answer =
            reads::read(ctx, live, &list.path_for(&[("page", &page.to_string())])?).await?;
        total = answer.total.or(total);
        let batch = answer
            .items
            .as_array()
            .ok_or_else(|| live.malformed("a list page is not a list"))?;
        let empty = batch.is_empty();
        items.extend(batch.iter().cloned());
        let more = match answer.has_next {
            Some(more) => more,
            None => !empty && total.is_some_and(|t| (items.len() as u64) < t),
        };
        if !more {
            return Ok(Listed {
                items,
                total,
                complete: true,
            });
        }
    }
    Ok(Listed {
        items,
        total,
        complete: false,
    })
}

/// The user whose objects a customer's credential lists; `None` for an operator's. A customer's
/// lists ask its own connection only (`connections_for`), so the user is of `live`.
fn customer(ctx: &Context<'_>) -> Result<Option<String>, GatewayError> {
    let principal = require(ctx, Scope::Read)?;
    Ok(principal.customer().map(|b| b.user.clone()))
}

/// A customer's own list, read at the admin endpoint that lists it for one user.
pub(crate) async fn own(
    ctx: &Context<'_>,
    live: &Live,
    list: &Endpoint,
    param: &str,
    user: &str,
) -> Result<Value, GatewayError> {
    let path = list.path_for(&[(param, user)])?;
    Ok(reads::read(ctx, live, &path).await?.items)
}

/// A whole list the upstream answers in one call.
async fn whole(
    ctx: &Context<'_>,
    live: &Live,
    list: &Endpoint,
) -> Result<Vec<Value>, GatewayError> {
    as_list(live, reads::read(ctx, live, list.path).await?.items)
}

fn as_list(live: &Live, items: Value) -> Result<Vec<Value>, GatewayError> {
    match items {
        Value::Array(items) => Ok(items),
        _ => Err(live.malformed("a list is not a list")),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// An upstream ID, whether the JSON has it as text or as a number.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub async fn sites(ctx: &Context<'_>, live: &Live) -> Result<Listed<Site>, GatewayError> {
    match live.provider {
        Provider::Patchstack => {
            let db = &services(ctx).db;
            let known = links::of_connection(db, LinkKind::Site, &live.name).await?;
            Ok(Listed::all(
                known
                    .into_iter()
                    .map(|l| {
                        // What Patchstack showed of the site in a user view: its id and URL.
                        let raw = serde_json::json!({"id": l.local_id, "url": l.url});
                        let mut site =
                            Site::new(live.provider, &live.name, &l.local_id, l.url, raw);
                        site.owner_id = l.owner_id;
                        site
                    })
                    .collect(),
            ))
        }
        Provider::Orchestrix => {
            let listed = paged(ctx, live, &orchestrix::ENDPOINTS.orchestrix_sites).await?;
            listed.try_map(|raw| {
                let id = text(&raw, "id").ok_or_else(|| live.malformed("site without id"))?;
                let url = text(&raw, "url");
                Ok(Site::new(live.provider, &live.name, id, url, raw))
            })
        }
        Provider::Wpcs => {
            let tenants = tenants(ctx, live).await?;
            tenants.try_map(|t| Ok(t.as_site()))
        }
        // A PanelAlpha instance is a site by its domain.
        Provider::Panelalpha => instances(ctx, live).await?.try_map(|i| Ok(i.as_site())),
        _ => Ok(Listed::all(Vec::new())),
    }
}

pub async fn tenants(ctx: &Context<'_>, live: &Live) -> Result<Listed<Tenant>, GatewayError> {
    let items = whole(ctx, live, &wpcs::ENDPOINTS.wpcs_tenants).await?;
    Ok(Listed::all(
        items
            .into_iter()
            .map(|raw| Tenant::from_raw(&live.name, raw).map_err(|e| live.malformed(e)))
            .collect::<Result<_, _>>()?,
    ))
}

pub async fn servers(ctx: &Context<'_>, live: &Live) -> Result<Listed<Server>, GatewayError> {
    if live.provider == Provider::Panelalpha {
        // The panel's hosting servers are the operator's.
        if customer(ctx)?.is_some() {
            return Ok(Listed::all(Vec::new()));
        }
        let items = whole(ctx, live, &panelalpha::SERVERS.panelalpha_servers).await?;
        return items
            .into_iter()
            .map(|raw| {
                let server = panelalpha::server_of(&live.name, raw);
                server.ok_or_else(|| live.malformed("a server without id"))
            })
            .collect::<Result<_, _>>()
            .map(Listed::all);
    }
    let vms = async {
        let items = whole(ctx, live, &hosterapi::ENDPOINTS.hosterapi_servers).await?;
        items
            .into_iter()
            .map(|raw| {
                let id = id_text(&raw).ok_or_else(|| live.malformed("VM id is not a number"))?;
                Ok(Server::new(
                    live.provider,
                    &live.name,
                    ServerKind::Vm,
                    id,
                    raw,
                ))
            })
            .collect::<Result<Vec<_>, GatewayError>>()
    };
    let dedicated = async {
        let items = whole(ctx, live, &hosterapi::ENDPOINTS.hosterapi_dedicated_servers).await?;
        items
            .into_iter()
            .map(|raw| {
                let id = raw
                    .get("id")
                    .and_then(id_text)
                    .ok_or_else(|| live.malformed("dedicated server without id"))?;
                let mut server =
                    Server::new(live.provider, &live.name, ServerKind::Dedicated, id, raw);
                server.order_complete = server.raw.get("orderComplete").and_then(Value::as_bool);
                Ok(server)
            })
            .collect::<Result<Vec<_>, GatewayError>>()
    };
    let (vms, dedicated) = futures_util::future::join(vms, dedicated).await;
    let mut all = vms?;
    all.extend(dedicated?);
    Ok(Listed::all(all))
}

pub async fn users(ctx: &Context<'_>, live: &Live) -> Result<Listed<User>, GatewayError> {
    match live.provider {
        Provider::Orchestrix => {
            let listed = paged(ctx, live, &orchestrix::ENDPOINTS.orchestrix_users).await?;
            listed.try_map(|raw| match raw.get("id") {
                Some(_) => Ok(User::from_object(live.provider, &live.name, raw)),
                None => Err(live.malformed("user without id")),
            })
        }
        // Patchstack lists no users: the owners of the sites the gateway has seen, each read once.
        Provider::Patchstack => {
            let db = &services(ctx).db;
            let known = links::of_connection(db, LinkKind::Site, &live.name).await?;
            let owners: BTreeSet<String> = known.into_iter().filter_map(|l| l.owner_id).collect();
            let views = owners.iter().map(|id| async move {
                let path = patchstack::ENDPOINTS
                    .patchstack_user
                    .path_for(&[("userid", id)])?;
                match reads::read(ctx, live, &path).await {
                    Ok(view) => Ok(Some(User::from_view(live.provider, &live.name, view.items))),
                    // Deleted upstream since the gateway saw it.
                    Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            });
            let users = futures_util::future::join_all(views).await;
            Ok(Listed::all(
                users
                    .into_iter()
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .collect(),
            ))
        }
        Provider::Panelalpha => {
            let users = &panelalpha::USERS;
            let items = match customer(ctx)? {
                Some(user) => vec![own(ctx, live, &users.panelalpha_user, "id", &user).await?],
                None => whole(ctx, live, &users.panelalpha_users).await?,
            };
            Ok(Listed::all(
                items
                    .into_iter()
                    .map(|raw| User::from_panelalpha(&live.name, raw))
                    .collect(),
            ))
        }
        _ => Ok(Listed::all(Vec::new())),
    }
}

/// What customers bought: WPCS subscriptions (with the products made under them) and PanelAlpha's
/// hosting services.
pub async fn services_of(ctx: &Context<'_>, live: &Live) -> Result<Listed<Service>, GatewayError> {
    let services = match live.provider {
        Provider::Panelalpha => {
            let items = match customer(ctx)? {
                Some(user) => {
                    let list = &panelalpha::USERS.panelalpha_user_services;
                    as_list(live, own(ctx, live, list, "userId", &user).await?)?
                }
                None => whole(ctx, live, &panelalpha::SERVICES.panelalpha_services).await?,
            };
            items
                .into_iter()
                .map(|raw| {
                    Service::from_panelalpha(&live.name, raw)
                        .ok_or_else(|| live.malformed("service without id"))
                })
                .collect::<Result<_, _>>()?
        }
        _ => {
            let items = whole(ctx, live, &wpcs::ENDPOINTS.wpcs_subscriptions).await?;
            items
                .into_iter()
                .map(|raw| Service::from_wpcs(&live.name, raw).map_err(|e| live.malformed(e)))
                .collect::<Result<_, _>>()?
        }
    };
    Ok(Listed::all(services))
}

/// PanelAlpha's WordPress instances (the live ones: failed and archived ones have their own lists).
pub async fn instances(ctx: &Context<'_>, live: &Live) -> Result<Listed<Instance>, GatewayError> {
    // A customer's: those it owns and those shared with it.
    let items = match customer(ctx)? {
        Some(user) => {
            let list = &panelalpha::USERS.panelalpha_user_all_instances;
            as_list(live, own(ctx, live, list, "id", &user).await?)?
        }
        None => whole(ctx, live, &panelalpha::INSTANCES.panelalpha_instances).await?,
    };
    Ok(Listed::all(
        items
            .into_iter()
            .map(|raw| {
                panelalpha::instance_of(&live.name, raw)
                    .ok_or_else(|| live.malformed("instance without id"))
            })
            .collect::<Result<_, _>>()?,
    ))
}
