//! What the gateway has learnt about where sites and servers live, for the upstreams it cannot ask:
//! Patchstack lists no sites and searches none by domain, and HosterAPI knows a server's hostname only
//! as a caller gives it (rDNS). Every such answer passing through the gateway is recorded here by
//! normalised domain, so a site found at another upstream reaches its Patchstack report and its
//! server. Upstreams that list their sites (Orchestrix, WPCS) are read live instead.
//!
//! Recording is best effort: a failed write is logged and never fails the caller's request, and a
//! stale link costs one upstream 404 (the linked view is then null), never a wrong answer.

use crate::{objects::site::normalize_domain, store::entities::link};
use hostplane_adapters::Provider;
use hostplane_schema::GatewayError;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::OnConflict,
};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Site,
    Server,
}

impl LinkKind {
    fn key(self) -> &'static str {
        match self {
            LinkKind::Site => "site",
            LinkKind::Server => "server",
        }
    }
}

/// One thing seen at one connection.
#[derive(Debug, Clone)]
pub struct Link {
    pub provider: Provider,
    pub connection: String,
    pub local_id: String,
    pub domain: String,
    pub url: Option<String>,
    pub owner_id: Option<String>,
}

fn from_model(m: link::Model) -> Option<Link> {
    Some(Link {
        provider: serde_json::from_value(Value::from(m.provider)).ok()?,
        connection: m.connection,
        local_id: m.local_id,
        domain: m.domain,
        url: m.url,
        owner_id: m.owner_id,
    })
}

/// Records (or refreshes) where something lives. `url` is anything `normalize_domain` reads.
pub async fn record(
    db: &DatabaseConnection,
    kind: LinkKind,
    provider: Provider,
    connection: &str,
    local_id: &str,
    url: &str,
    owner_id: Option<&str>,
) {
    let Some(domain) = normalize_domain(url) else {
        return;
    };
    let row = link::ActiveModel {
        kind: Set(kind.key().into()),
        connection: Set(connection.into()),
        local_id: Set(local_id.into()),
        provider: Set(provider.key().into()),
        domain: Set(domain),
        url: Set(Some(url.into())),
        owner_id: Set(owner_id.map(str::to_string)),
        seen_at: Set(chrono::Utc::now()),
    };
    let mut update = vec![
        link::Column::Provider,
        link::Column::Domain,
        link::Column::Url,
        link::Column::SeenAt,
    ];
    // An answer that does not name the owner keeps the one already known.
    if owner_id.is_some() {
        update.push(link::Column::OwnerId);
    }
    let upsert = link::Entity::insert(row).on_conflict(
        OnConflict::columns([
            link::Column::Kind,
            link::Column::Connection,
            link::Column::LocalId,
        ])
        .update_columns(update)
        .to_owned(),
    );
    if let Err(e) = upsert.exec(db).await {
        tracing::warn!(connection, local_id, error = %e, "could not record a link");
    }
}

/// Forgets one thing (deleted upstream).
pub async fn forget(db: &DatabaseConnection, kind: LinkKind, connection: &str, local_id: &str) {
    forget_where(db, kind, connection, link::Column::LocalId, local_id).await;
}

/// Forgets every site of an owner (a Patchstack user deletion takes its sites with it).
pub async fn forget_owner(db: &DatabaseConnection, connection: &str, owner_id: &str) {
    forget_where(
        db,
        LinkKind::Site,
        connection,
        link::Column::OwnerId,
        owner_id,
    )
    .await;
}

async fn forget_where(
    db: &DatabaseConnection,
    kind: LinkKind,
    connection: &str,
    column: link::Column,
    value: &str,
) {
    let deleted = link::Entity::delete_many()
        .filter(link::Column::Kind.eq(kind.key()))
        .filter(link::Column::Connection.eq(connection))
        .filter(column.eq(value))
        .exec(db)
        .await;
    if let Err(e) = deleted {
        tracing::warn!(connection, value, error = %e, "could not forget links");
    }
}

/// Everything of a kind known at a connection, in a stable order.
pub async fn of_connection(
    db: &DatabaseConnection,
    kind: LinkKind,
    connection: &str,
) -> Result<Vec<Link>, GatewayError> {
    find(db, kind, link::Column::Connection, connection).await
}

/// Everything of a kind known by this normalised domain.
pub async fn by_domain(
    db: &DatabaseConnection,
    kind: LinkKind,
    domain: &str,
) -> Result<Vec<Link>, GatewayError> {
    find(db, kind, link::Column::Domain, domain).await
}

async fn find(
    db: &DatabaseConnection,
    kind: LinkKind,
    column: link::Column,
    value: &str,
) -> Result<Vec<Link>, GatewayError> {
    let rows = link::Entity::find()
        .filter(link::Column::Kind.eq(kind.key()))
        .filter(column.eq(value))
        .order_by_asc(link::Column::Connection)
        .order_by_asc(link::Column::LocalId)
        .all(db)
        .await
        .map_err(GatewayError::internal)?;
    Ok(rows.into_iter().filter_map(from_model).collect())
}

/// Learns the sites a Patchstack answer shows: a user view (`{"user", "sites"}`) or a site view
/// (`{"id", "url", "user"}`).
pub async fn learn_patchstack(db: &DatabaseConnection, connection: &str, answer: &Value) {
    let id = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    let (sites, owner) = match (answer.get("user"), answer.get("sites")) {
        (Some(user), Some(Value::Array(sites))) => (sites.iter().collect(), user.get("id")),
        _ => (vec![answer], answer.get("user").and_then(|u| u.get("id"))),
    };
    let owner = owner.map(id);
    for site in sites {
        if let (Some(site_id), Some(url)) =
            (site.get("id"), site.get("url").and_then(Value::as_str))
        {
            let (kind, provider) = (LinkKind::Site, Provider::Patchstack);
            record(
                db,
                kind,
                provider,
                connection,
                &id(site_id),
                url,
                owner.as_deref(),
            )
            .await;
        }
    }
}
