//! `Tenant`: a WPCS tenant, which is also a WordPress site with domains (`site`), its scheduled-work
//! status, and its domains read on demand.

use super::Site;
use async_graphql::{Context, ID, Json, Object, Result};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError, GlobalId, ProviderEnum,
    reply::FromRaw,
    wpcs::{WpcsDomain, WpcsTenant},
};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub connection: String,
    pub tenant_id: String,
    pub detail: WpcsTenant,
    id: ID,
}

impl Tenant {
    /// A tenant object as the tenants list returns it.
    pub fn from_raw(connection: &str, raw: Value) -> Result<Tenant, serde_json::Error> {
        let detail = WpcsTenant::from_raw(raw)?;
        let tenant_id = detail
            .tenant_id
            .clone()
            .or_else(|| detail.id.clone())
            .ok_or_else(|| serde::de::Error::custom("tenant without id"))?;
        let id = GlobalId::new("Tenant", connection, &tenant_id).into();
        Ok(Tenant {
            connection: connection.to_string(),
            tenant_id,
            detail,
            id,
        })
    }

    /// The tenant as a WordPress site, answering on its main and redirect domains.
    pub fn as_site(&self) -> Site {
        let mut site = Site::new(
            Provider::Wpcs,
            &self.connection,
            &self.tenant_id,
            self.url(),
            self.detail.raw.0.clone(),
        );
        site.aliases = self.detail.redirect_domains.clone();
        site
    }

    fn url(&self) -> Option<String> {
        self.detail
            .domain_name
            .as_ref()
            .map(|d| format!("https://{d}"))
    }
}

#[Object]
impl Tenant {
    pub async fn id(&self) -> &ID {
        &self.id
    }

    async fn provider(&self) -> ProviderEnum {
        Provider::Wpcs.into()
    }

    async fn connection(&self) -> &str {
        &self.connection
    }

    /// The upstream's own ID of the tenant.
    async fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    async fn name(&self) -> Option<&str> {
        self.detail.name.as_deref()
    }

    async fn external_id(&self) -> Option<&str> {
        self.detail.external_id.as_deref()
    }

    /// The main domain.
    async fn domain(&self) -> Option<&str> {
        self.detail.domain_name.as_deref()
    }

    /// `Done` once scheduled work has finished.
    async fn status(&self) -> Option<&str> {
        self.detail.status_name.as_deref()
    }

    /// Everything WPCS says about the tenant, typed.
    async fn wpcs(&self) -> &WpcsTenant {
        &self.detail
    }

    /// The tenant as a WordPress site.
    async fn site(&self) -> Site {
        self.as_site()
    }

    /// The tenant's domains, read from the upstream.
    async fn domains(&self, ctx: &Context<'_>) -> Result<Vec<WpcsDomain>> {
        let Some(domains) = &crate::roles(Provider::Wpcs).tenant_domains else {
            return Ok(Vec::new());
        };
        let path = domains.path(&self.tenant_id)?;
        let raw = super::fetch(ctx, Provider::Wpcs, &self.connection, &path).await?;
        Ok(Vec::<WpcsDomain>::from_raw(raw)
            .map_err(|e| GatewayError::malformed(Provider::Wpcs, &self.connection, e))?)
    }

    /// The upstream object as received.
    async fn raw(&self) -> Json<Value> {
        self.detail.raw.clone()
    }
}

hostplane_schema::raw_reply!(Tenant);
