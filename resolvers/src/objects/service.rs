//! `Service`: something a customer bought from a provider (WPCS subscriptions, PanelAlpha's hosting
//! services), with its status.

use super::redacted_raw;
use async_graphql::{Context, ID, Json, Object};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GlobalId, ProviderEnum, panelalpha::PanelalphaService, reply::FromRaw, wpcs::WpcsSubscription,
};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Service {
    pub provider: Provider,
    pub connection: String,
    pub service_id: String,
    pub name: Option<String>,
    pub status: Option<String>,
    wpcs: Option<Box<WpcsSubscription>>,
    pub raw: Value,
    id: ID,
}

impl Service {
    /// A WPCS subscription as its list returns it.
    pub fn from_wpcs(connection: &str, raw: Value) -> Result<Service, serde_json::Error> {
        let sub = WpcsSubscription::from_raw(raw.clone())?;
        let service_id = sub
            .id
            .clone()
            .ok_or_else(|| serde::de::Error::custom("subscription without id"))?;
        Ok(Service {
            provider: Provider::Wpcs,
            connection: connection.to_string(),
            id: GlobalId::new("Service", connection, &service_id).into(),
            service_id,
            name: sub.name.clone(),
            status: sub.product.as_ref().and_then(|p| p.status_name.clone()),
            wpcs: Some(Box::new(sub)),
            raw,
        })
    }
}

impl Service {
    /// A PanelAlpha service, named by its plan where the answer says.
    pub fn from_panelalpha(connection: &str, raw: Value) -> Option<Service> {
        let service_id = crate::unified::sources::id_text(raw.get("id")?)?;
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Service {
            provider: Provider::Panelalpha,
            connection: connection.to_string(),
            id: GlobalId::new("Service", connection, &service_id).into(),
            service_id,
            name: text("name").or_else(|| text("plan_name")),
            status: text("status"),
            wpcs: None,
            raw,
        })
    }
}

#[Object]
impl Service {
    pub async fn id(&self) -> &ID {
        &self.id
    }

    async fn provider(&self) -> ProviderEnum {
        self.provider.into()
    }

    async fn connection(&self) -> &str {
        &self.connection
    }

    /// The upstream's own ID of the service.
    async fn service_id(&self) -> &str {
        &self.service_id
    }

    async fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The provider's status of what the service runs (a WPCS product's `statusName`).
    async fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The WPCS subscription, typed; null for other providers.
    async fn wpcs(&self) -> Option<&WpcsSubscription> {
        self.wpcs.as_deref()
    }

    /// The PanelAlpha service, typed; null for other providers.
    async fn panelalpha(&self) -> Option<PanelalphaService> {
        (self.provider == Provider::Panelalpha)
            .then(|| PanelalphaService::from_raw(self.raw.clone()).ok())
            .flatten()
    }

    /// The upstream object as received; secrets in it are shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted_raw(ctx, self.provider, &self.raw)
    }
}

hostplane_schema::raw_reply!(Service);
