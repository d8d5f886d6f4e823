//! `Instance`: one WordPress installation a hosting panel manages (PanelAlpha's instances), and as a
//! `Site` the same domain at every other upstream.

use super::{Site, redacted_raw};
use async_graphql::{Context, ID, Json, Object, Result, SimpleObject};
use hostplane_adapters::Provider;
use hostplane_schema::{GlobalId, ProviderEnum, panelalpha::PanelalphaInstance, reply::FromRaw};
use serde_json::Value;

/// An instance's WordPress as its panel reports it: the core version, its modes, and its plugins
/// and themes.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct WordpressView {
    pub version: Option<String>,
    pub maintenance_mode: Option<bool>,
    pub debug_mode: Option<bool>,
    pub plugins: Vec<WordpressExtension>,
    pub themes: Vec<WordpressExtension>,
}

/// A plugin or theme of an instance.
#[derive(SimpleObject, Debug, Clone)]
pub struct WordpressExtension {
    pub name: String,
    pub version: Option<String>,
    pub active: bool,
    /// The version an update would bring, if there is one.
    pub update: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub provider: Provider,
    pub connection: String,
    pub instance_id: String,
    pub name: Option<String>,
    pub url: Option<String>,
    pub status: Option<String>,
    /// The upstream IDs of the user it belongs to and the server it is on, and its labels.
    pub user_id: Option<String>,
    pub server_id: Option<String>,
    pub labels: Vec<String>,
    pub raw: Value,
    id: ID,
}

impl Instance {
    pub fn new(provider: Provider, connection: &str, instance_id: &str, raw: Value) -> Instance {
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        let id_of = |k: &str| raw.get(k).and_then(crate::unified::sources::id_text);
        let labels = raw
            .get("labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        Instance {
            provider,
            connection: connection.to_string(),
            instance_id: instance_id.to_string(),
            name: text("name"),
            url: text("url").or_else(|| text("domain")),
            status: text("status"),
            user_id: id_of("user_id"),
            server_id: id_of("server_id"),
            labels: labels
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect(),
            id: GlobalId::new("Instance", connection, instance_id).into(),
            raw,
        }
    }
}

impl Instance {
    /// Its WordPress, as its provider's role reads it.
    pub async fn wordpress_view(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<WordpressView>, hostplane_schema::GatewayError> {
        match crate::roles(self.provider).instance_wordpress {
            Some(read) => read(ctx, self).await.map(Some),
            None => Ok(None),
        }
    }

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

    /// The upstream's ID of the user the instance belongs to.
    async fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The upstream's ID of the server the instance is on (a `Server`'s `serverId`).
    async fn server_id(&self) -> Option<&str> {
        self.server_id.as_deref()
    }

    /// The titles of the labels its owner gave it.
    async fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The instance as a WordPress site, linked by domain to the other upstreams that know it.
    async fn site(&self) -> Site {
        self.as_site()
    }

    /// Its WordPress: version, modes, plugins and themes (a few upstream reads when selected, as
    /// the instance's owner); null where the provider has no such view.
    async fn wordpress(&self, ctx: &Context<'_>) -> Result<Option<WordpressView>> {
        Ok(self.wordpress_view(ctx).await?)
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
