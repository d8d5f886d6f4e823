//! `User`: an account at any provider (Patchstack users, Orchestrix users and accounts, PanelAlpha's
//! panel users), with provider details as typed fields and its sites read on demand.

use super::{Site, redacted_raw};
use async_graphql::{Context, ID, Json, Object, Result};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError, GlobalId, ProviderEnum, panelalpha::PanelalphaUser,
    patchstack::PatchstackUserDetail, reply::FromRaw,
};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct User {
    pub provider: Provider,
    pub connection: String,
    pub user_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Sites that came with the user object (a Patchstack user view lists them).
    pub sites: Option<Vec<Site>>,
    pub raw: Value,
    id: ID,
}

impl User {
    pub fn new(provider: Provider, connection: &str, user_id: impl ToString, raw: Value) -> User {
        let user_id = user_id.to_string();
        let id = GlobalId::new("User", connection, &user_id).into();
        User {
            provider,
            connection: connection.to_string(),
            user_id,
            name: None,
            email: None,
            sites: None,
            raw,
            id,
        }
    }

    /// A user object carrying `id`, `name` and `email` (Patchstack's search and view answers).
    pub fn from_object(provider: Provider, connection: &str, raw: Value) -> User {
        let text = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        let id = raw
            .get("id")
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_default();
        let mut user = User::new(provider, connection, id, Value::Null);
        user.name = text("name");
        user.email = text("email");
        user.raw = raw;
        user
    }

    /// A PanelAlpha user: its name is its first and last names.
    pub fn from_panelalpha(connection: &str, raw: Value) -> User {
        let mut user = User::from_object(Provider::Panelalpha, connection, raw);
        let text = |k: &str| {
            user.raw
                .get(k)
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
        };
        let names: Vec<&str> = [text("first_name"), text("last_name")]
            .into_iter()
            .flatten()
            .collect();
        user.name = (!names.is_empty()).then(|| names.join(" "));
        user
    }

    /// A Patchstack user view, `{"user": {...}, "sites": [...]}`, kept whole in `raw`.
    pub fn from_view(provider: Provider, connection: &str, view: Value) -> User {
        let mut user = User::from_object(
            provider,
            connection,
            view.get("user").cloned().unwrap_or_default(),
        );
        user.sites = Some(patchstack_sites(connection, &view));
        user.raw = view;
        user
    }

    async fn fetch_sites(&self, ctx: &Context<'_>) -> Result<Vec<Site>, GatewayError> {
        if let Some(sites) = &self.sites {
            return Ok(sites.clone());
        }
        if self.provider != Provider::Patchstack {
            return Ok(Vec::new());
        }
        let Some(read) = &crate::roles(self.provider).user else {
            return Ok(Vec::new());
        };
        let path = read.path(&self.user_id)?;
        let view = super::fetch(ctx, self.provider, &self.connection, &path).await?;
        Ok(patchstack_sites(&self.connection, &view))
    }
}

/// The `sites` of a Patchstack user view.
pub fn patchstack_sites(connection: &str, view: &Value) -> Vec<Site> {
    view.get("sites")
        .and_then(Value::as_array)
        .map(|sites| {
            sites
                .iter()
                .filter_map(|s| {
                    let id = s.get("id")?.as_i64()?;
                    let url = s.get("url").and_then(Value::as_str).map(str::to_string);
                    Some(Site::new(
                        Provider::Patchstack,
                        connection,
                        id,
                        url,
                        s.clone(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[Object]
impl User {
    pub async fn id(&self) -> &ID {
        &self.id
    }

    async fn provider(&self) -> ProviderEnum {
        self.provider.into()
    }

    async fn connection(&self) -> &str {
        &self.connection
    }

    /// The upstream's own ID of the user.
    async fn user_id(&self) -> &str {
        &self.user_id
    }

    async fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    async fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// Patchstack's plan details; null for users of other providers.
    async fn patchstack(&self) -> Option<PatchstackUserDetail> {
        let object = self.raw.get("user").unwrap_or(&self.raw);
        (self.provider == Provider::Patchstack)
            .then(|| serde_json::from_value(object.clone()).unwrap_or_default())
    }

    /// PanelAlpha's details of the user; null for users of other providers.
    async fn panelalpha(&self) -> Option<PanelalphaUser> {
        (self.provider == Provider::Panelalpha)
            .then(|| PanelalphaUser::from_raw(self.raw.clone()).ok())
            .flatten()
    }

    /// The user's sites at this provider.
    async fn sites(&self, ctx: &Context<'_>) -> Result<Vec<Site>> {
        Ok(self.fetch_sites(ctx).await?)
    }

    /// The upstream object as received; secrets in it are shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted_raw(ctx, self.provider, &self.raw)
    }
}

hostplane_schema::raw_reply!(User);
