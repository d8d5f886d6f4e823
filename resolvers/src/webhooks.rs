//! Upstream webhooks. An admin registers the gateway as a WP Orchestrix webhook endpoint; the upstream
//! then signs each delivery (`X-Orchestrix-Signature: sha256=<hex HMAC-SHA256 of the body>` with the
//! secret it issued), and a verified delivery becomes a task change and a site event at once. Forged
//! or unsigned deliveries change nothing. Task polling goes on underneath, for deliveries that never
//! come.

use crate::{
    Origin, Services, connections::Live, orchestrix::orchestrix_progress,
    store::entities::webhook_subscription,
};
use async_graphql::{Context, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError,
    orchestrix::WEBHOOK_EVENTS,
    principal::{Scope, ScopeGuard, require},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::Arc;

/// Something that happened to a site, as an upstream pushed it.
#[derive(SimpleObject, Debug, Clone)]
pub struct SiteEvent {
    pub connection: String,
    /// The upstream's ID of the site.
    pub site_id: String,
    /// The upstream's event name (`snapshot.completed`, `site.updated`, ...).
    pub event: String,
    pub at: DateTime<Utc>,
    /// The object the event carries, as received.
    pub data: Json<Value>,
}

/// Where the gateway now receives a connection's events.
#[derive(SimpleObject, Debug, Clone)]
pub struct WebhookRegistration {
    pub connection: String,
    pub url: String,
    pub events: Vec<String>,
    /// The upstream's ID of the webhook endpoint.
    pub upstream_id: String,
}

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeliveryError {
    #[error("no webhook is registered for this connection")]
    Unknown,
    #[error("the delivery's signature does not verify")]
    BadSignature,
    #[error("the delivery is not an event")]
    Malformed,
    #[error("internal error")]
    Internal,
}

/// The receiver path for a connection's deliveries.
pub fn receiver_path(connection: &str) -> String {
    format!("/webhooks/orchestrix/{connection}")
}

/// Registers `url` as a webhook endpoint upstream and keeps its secret sealed. A previous
/// registration of the connection is replaced (and removed upstream, best effort).
pub async fn register(
    services: &Services,
    conn: &Live,
    url: &str,
    events: &[String],
) -> Result<WebhookRegistration, GatewayError> {
    let create = &crate::orchestrix::ENDPOINTS.orchestrix_create_webhook_endpoint;
    let body = json!({"url": url, "events": events, "enabled": true});
    let raw = conn
        .client
        .call(create.method, create.path, Some(body))
        .await
        .map_err(|e| conn.error(e))?;
    let (Some(id), Some(secret)) = (
        raw.get("id").and_then(Value::as_str),
        raw.get("secret").and_then(Value::as_str),
    ) else {
        return Err(conn.error(hostplane_adapters::UpstreamError::Malformed {
            status: 201,
            detail: "webhook endpoint without id or secret".into(),
        }));
    };
    let sealed = services.connections.sealer().seal(secret.as_bytes());
    let previous = webhook_subscription::Entity::find_by_id(conn.name.clone())
        .one(&services.db)
        .await
        .map_err(GatewayError::internal)?;
    let row = webhook_subscription::ActiveModel {
        connection: Set(conn.name.clone()),
        upstream_id: Set(id.to_string()),
        url: Set(url.to_string()),
        secret: Set(sealed),
        created_at: Set(Utc::now()),
    };
    match &previous {
        Some(_) => row.update(&services.db).await,
        None => row.insert(&services.db).await,
    }
    .map_err(GatewayError::internal)?;
    if let Some(old) = previous.filter(|p| p.upstream_id != id) {
        let delete = &crate::orchestrix::ENDPOINTS.orchestrix_delete_webhook_endpoint;
        let path = delete.path_for(&[("id", &old.upstream_id)])?;
        if let Err(e) = conn.client.call(delete.method, &path, None).await {
            tracing::warn!(connection = %conn.name, error = %e, "old webhook endpoint not removed upstream");
        }
    }
    Ok(WebhookRegistration {
        connection: conn.name.clone(),
        url: url.to_string(),
        events: events.to_vec(),
        upstream_id: id.to_string(),
    })
}

fn verify(secret: &[u8], signature: Option<&str>, body: &[u8]) -> bool {
    let Some(hex) = signature.and_then(|s| s.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies and applies one delivery.
pub async fn receive(
    services: &Services,
    connection: &str,
    signature: Option<&str>,
    body: &[u8],
) -> Result<(), DeliveryError> {
    let row = webhook_subscription::Entity::find_by_id(connection.to_string())
        .one(&services.db)
        .await
        .map_err(|_| DeliveryError::Internal)?
        .ok_or(DeliveryError::Unknown)?;
    let secret = services
        .connections
        .sealer()
        .open(&row.secret)
        .map_err(|_| DeliveryError::Internal)?;
    if !verify(&secret, signature, body) {
        metrics::counter!("hostplane_webhook_deliveries_total", "outcome" => "forged").increment(1);
        return Err(DeliveryError::BadSignature);
    }
    let event: Value = serde_json::from_slice(body).map_err(|_| DeliveryError::Malformed)?;
    let (Some(name), Some(data)) = (
        event.get("event").and_then(Value::as_str),
        event.get("data"),
    ) else {
        return Err(DeliveryError::Malformed);
    };
    metrics::counter!("hostplane_webhook_deliveries_total", "outcome" => "accepted").increment(1);
    let object_id = data.get("id").and_then(Value::as_str);
    let task_ref = match (name.split('.').next(), object_id) {
        (Some("snapshot"), Some(id)) => Some(format!("snapshot:{id}")),
        (Some("pipeline"), Some(id)) => Some(format!("pipeline:{id}")),
        _ => None,
    };
    if let Some(task_ref) = task_ref
        && let Ok(progress) = orchestrix_progress(data)
        && let Err(e) = services
            .tasks
            .observe(connection, &task_ref, &progress)
            .await
    {
        tracing::error!(connection, error = ?e, "webhook delivery not applied");
        return Err(DeliveryError::Internal);
    }
    let site_id = match name {
        "site.updated" => object_id,
        _ => data.get("site_id").and_then(Value::as_str),
    };
    if let Some(site_id) = site_id {
        let _ = services.site_events.send(SiteEvent {
            connection: connection.to_string(),
            site_id: site_id.to_string(),
            event: name.to_string(),
            at: Utc::now(),
            data: Json(data.clone()),
        });
    }
    Ok(())
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Registers the gateway as a webhook endpoint of an Orchestrix connection, so snapshot and
    /// pipeline changes reach their tasks at once and site events stream on `siteEvents`. The URL is
    /// the gateway's public origin (config `public_url`, else the request's host) plus
    /// `/webhooks/orchestrix/<connection>`.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn register_orchestrix_webhook(
        &self,
        ctx: &Context<'_>,
        connection: String,
        #[graphql(desc = "Events to receive; all by default.")] events: Option<Vec<String>>,
    ) -> Result<WebhookRegistration> {
        let principal = require(ctx, Scope::Admin)?;
        let services = ctx.data_unchecked::<Arc<Services>>();
        let conn =
            services
                .connections
                .resolve(principal, Provider::Orchestrix, Some(&connection))?;
        let events =
            events.unwrap_or_else(|| WEBHOOK_EVENTS.iter().map(|e| e.to_string()).collect());
        if let Some(e) = events
            .iter()
            .find(|e| !WEBHOOK_EVENTS.contains(&e.as_str()))
        {
            return Err(GatewayError::Validation(format!("unknown event `{e}`")).into());
        }
        let origin = ctx
            .data_opt::<Origin>()
            .map(|o| o.0.clone())
            .ok_or_else(|| {
                GatewayError::Validation("the gateway's public URL is unknown".into())
            })?;
        let url = format!("{origin}{}", receiver_path(&conn.name));
        Ok(register(services, &conn, &url, &events).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the exact body signed with the exact secret verifies.
    #[test]
    fn signatures() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec_1").unwrap();
        mac.update(b"{\"event\":\"x\"}");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let header = format!("sha256={hex}");
        assert!(verify(b"whsec_1", Some(&header), b"{\"event\":\"x\"}"));
        assert!(!verify(b"whsec_2", Some(&header), b"{\"event\":\"x\"}"));
        assert!(!verify(b"whsec_1", Some(&header), b"{\"event\":\"y\"}"));
        assert!(!verify(b"whsec_1", None, b"{}"));
        assert!(!verify(b"whsec_1", Some("sha256=zz"), b"{}"));
    }
}
