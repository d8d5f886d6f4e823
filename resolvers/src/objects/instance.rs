//! `Instance`: one WordPress installation a hosting panel manages (PanelAlpha's instances), and as a
//! `Site` the same domain at every other upstream.

use super::{Site, redacted_raw};
use async_graphql::{Context, ID, Json, Object};
use hostplane_adapters::Provider;
use hostplane_schema::{GlobalId, ProviderEnum, panelalpha::PanelalphaInstance, reply::FromRaw};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Instance {
    pub provider: Provider,
    pub connection: String,
    pub instance_id: String,
    pub name: Option<String>,
    pub url: Option<String>,
    pub status: Option<String>,
    pub raw: Value,
    id: ID,
}

impl Instance {
    pub fn new(provider: Provider, connection: &str, instance_id: &str, raw: Value) -> Instance {
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        Instance {
            provider,
            connection: connection.to_string(),
            instance_id: instance_id.to_string(),
            name: text("name"),
            url: text("url").or_else(|| text("domain")),
            status: text("status"),
            id: GlobalId::new("Instance", connection, instance_id).into(),
            raw,
        }
    }
}

impl Instance {
    /// The instance as a WordPress site, by its domain.
    pub fn as_site(&self) -> Site {
        Site::new(
            self.provider,
            &self.connection,
            &self.instance_id,
            self.url.clone(),
            self.raw.clone(),
        )
    }
}

#[Object]
impl Instance {
    pub async fn id(&self) -> &ID {
        &self.id
    }

    async fn provider(&self) -> ProviderEnum {
        self.provider.into()
    }

    async fn connection(&self) -> &str {
        &self.connection
    }

    /// The upstream's own ID of the instance.
    async fn instance_id(&self) -> &str {
        &self.instance_id
    }

    async fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    async fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// The instance as a WordPress site, linked by domain to the other upstreams that know it.
    async fn site(&self) -> Site {
        self.as_site()
    }

    /// PanelAlpha's details of the instance; null for other providers.
    async fn panelalpha(&self) -> Option<PanelalphaInstance> {
        (self.provider == Provider::Panelalpha)
            .then(|| PanelalphaInstance::from_raw(self.raw.clone()).ok())
            .flatten()
    }

    /// The upstream object as received; secrets in it are shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted_raw(ctx, self.provider, &self.raw)
    }
}

hostplane_schema::raw_reply!(Instance);
