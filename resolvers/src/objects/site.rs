//! `Site`: a WordPress site as any provider knows it (Patchstack and Orchestrix sites, WPCS tenants),
//! with its normalised domains. The same site known to several upstreams is linked by domain (see
//! `unified::directory`), so each provider view (`security`, `health`, `snapshots`,
//! `vulnerabilities`, `tenant`, `server`, `owner`) answers from whichever upstream knows the site.

use super::{Read, Roles, Server, Tenant, User, redacted_raw};
use crate::{call::UpstreamCall, unified::directory};
use async_graphql::{Context, ID, Json, Object, Result};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError, GlobalId, ProviderEnum,
    orchestrix::{
        OrchestrixHealthCheck, OrchestrixSiteDetail, OrchestrixSnapshot, OrchestrixVulnerability,
    },
    patchstack::PatchstackSecurityReport,
    reply::FromRaw,
};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::OnceCell;

#[derive(Debug, Clone)]
pub struct Site {
    pub provider: Provider,
    pub connection: String,
    pub site_id: String,
    pub url: Option<String>,
    /// The upstream object as received.
    pub raw: Value,
    /// The upstream's ID of the owning user, where the gateway knows it without asking.
    pub owner_id: Option<String>,
    /// Other hosts the site answers on (a WPCS tenant's redirect domains).
    pub aliases: Vec<String>,
    id: ID,
    /// The same site at other upstreams, found once per object.
    linked: Arc<OnceCell<Vec<Site>>>,
}

/// The host of a URL, lowercased, without `www.` or a port: what links one site across upstreams.
pub fn normalize_domain(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host
        .split(':')
        .next()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    (!host.is_empty()).then_some(host)
}

impl Site {
    pub fn new(
        provider: Provider,
        connection: &str,
        site_id: impl ToString,
        url: Option<String>,
        raw: Value,
    ) -> Site {
        let site_id = site_id.to_string();
        let id = GlobalId::new("Site", connection, &site_id).into();
        Site {
            provider,
            connection: connection.to_string(),
            site_id,
            url,
            raw,
            owner_id: None,
            aliases: Vec::new(),
            id,
            linked: Arc::default(),
        }
    }

    /// Every host the site answers on, normalised, its main one first.
    pub fn domains(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for d in self
            .url
            .iter()
            .chain(&self.aliases)
            .filter_map(|u| normalize_domain(u))
        {
            if !out.contains(&d) {
                out.push(d);
            }
        }
        out
    }

    /// The same site at other upstreams.
    async fn linked(&self, ctx: &Context<'_>) -> Result<&Vec<Site>, GatewayError> {
        self.linked
            .get_or_try_init(|| directory::linked(ctx, self))
            .await
    }

    /// This site if it is the provider's, else the first linked site of the provider.
    async fn view_at(
        &self,
        ctx: &Context<'_>,
        provider: Provider,
    ) -> Result<Option<Site>, GatewayError> {
        if self.provider == provider {
            return Ok(Some(self.clone()));
        }
        Ok(self
            .linked(ctx)
            .await?
            .iter()
            .find(|s| s.provider == provider)
            .cloned())
    }

    /// The site's security report as its provider reads it (Patchstack's site view), from `raw`
    /// when it already is one.
    async fn report(&self, ctx: &Context<'_>) -> Result<Value, GatewayError> {
        if self.raw.get("attacks").is_some() {
            return Ok(self.raw.clone());
        }
        let roles = crate::roles(self.provider);
        let read = roles.site_report.as_ref().ok_or_else(|| {
            GatewayError::Unsupported(format!("{} reads no site report", self.provider))
        })?;
        super::fetch(
            ctx,
            self.provider,
            &self.connection,
            &read.path(&self.site_id)?,
        )
        .await
    }
}

impl Site {
    /// The first page of one of an Orchestrix site's lists (`role` picks which), typed.
    async fn orchestrix_list<T: FromRaw>(
        &self,
        ctx: &Context<'_>,
        role: fn(&Roles) -> &Option<Read>,
    ) -> Result<Option<Vec<T>>> {
        let Some(site) = self.view_at(ctx, Provider::Orchestrix).await? else {
            return Ok(None);
        };
        let Some(list) = role(crate::roles(site.provider)) else {
            return Ok(None);
        };
        let path = list.path(&site.site_id)?;
        let raw = super::fetch(ctx, site.provider, &site.connection, &path).await?;
        let items = Vec::<T>::from_raw(raw)
            .map_err(|e| GatewayError::malformed(site.provider, &site.connection, e))?;
        Ok(Some(items))
    }
}

#[Object]
impl Site {
    pub async fn id(&self) -> &ID {
        &self.id
    }

    async fn provider(&self) -> ProviderEnum {
        self.provider.into()
    }

    async fn connection(&self) -> &str {
        &self.connection
    }

    /// The upstream's own ID of the site.
    async fn site_id(&self) -> &str {
        &self.site_id
    }

    async fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The site's host, lowercased, without `www.`: the key that links one site across upstreams.
    async fn domain(&self) -> Option<String> {
        self.url.as_deref().and_then(normalize_domain)
    }

    /// Every host the site answers on, normalised (a WPCS tenant's redirect domains too).
    #[graphql(name = "domains")]
    async fn all_domains(&self) -> Vec<String> {
        self.domains()
    }

    /// The same site at every upstream that knows one of its domains, this one first.
    async fn views(&self, ctx: &Context<'_>) -> Result<Vec<Site>> {
        let mut all = vec![self.clone()];
        all.extend(self.linked(ctx).await?.iter().cloned());
        Ok(all)
    }

    /// Patchstack's security report (attacks per day, software inventory, vulnerable and outdated
    /// counts), from this site or the same site at Patchstack; null where Patchstack does not know it.
    async fn security(&self, ctx: &Context<'_>) -> Result<Option<PatchstackSecurityReport>> {
        let Some(site) = self.view_at(ctx, Provider::Patchstack).await? else {
            return Ok(None);
        };
        let view = site.report(ctx).await?;
        Ok(Some(serde_json::from_value(view).map_err(|e| {
            GatewayError::malformed(site.provider, &site.connection, e)
        })?))
    }

    /// Orchestrix's site details (status, WordPress and PHP versions), from this site or the same
    /// site at Orchestrix.
    async fn orchestrix(&self, ctx: &Context<'_>) -> Result<Option<OrchestrixSiteDetail>> {
        Ok(self
            .view_at(ctx, Provider::Orchestrix)
            .await?
            .map(|s| serde_json::from_value(s.raw).unwrap_or_default()))
    }

    /// Orchestrix's latest health checks (its first page), from this site or the same site at
    /// Orchestrix.
    async fn health(&self, ctx: &Context<'_>) -> Result<Option<Vec<OrchestrixHealthCheck>>> {
        self.orchestrix_list(ctx, |r| &r.health_checks).await
    }

    /// Orchestrix's latest snapshots (its first page), from this site or the same site at Orchestrix.
    async fn snapshots(&self, ctx: &Context<'_>) -> Result<Option<Vec<OrchestrixSnapshot>>> {
        self.orchestrix_list(ctx, |r| &r.snapshots).await
    }

    /// Orchestrix's vulnerability records (their first page), from this site or the same site at
    /// Orchestrix.
    async fn vulnerabilities(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<OrchestrixVulnerability>>> {
        self.orchestrix_list(ctx, |r| &r.vulnerabilities).await
    }

    /// The WPCS tenant serving this site, itself or the same site at WPCS.
    async fn tenant(&self, ctx: &Context<'_>) -> Result<Option<Tenant>> {
        let Some(site) = self.view_at(ctx, Provider::Wpcs).await? else {
            return Ok(None);
        };
        Ok(Tenant::from_raw(&site.connection, site.raw.clone()).ok())
    }

    /// Its WordPress as a hosting panel reports it (for this site or the same site there).
    async fn wordpress(&self, ctx: &Context<'_>) -> Result<Option<super::WordpressView>> {
        let Some(site) = self.view_at(ctx, Provider::Panelalpha).await? else {
            return Ok(None);
        };
        let instance =
            super::Instance::new(site.provider, &site.connection, &site.site_id, site.raw);
        Ok(instance.wordpress_view(ctx).await?)
    }

    /// The server the site is on: the one its upstream names (a hosting panel's instance is on
    /// its hosting server), else the server whose hostname, as set through the gateway (rDNS), is
    /// one of the site's domains.
    async fn server(&self, ctx: &Context<'_>) -> Result<Option<Server>> {
        let named = crate::roles(self.provider)
            .site_server
            .and_then(|(key, kind)| {
                let id = self
                    .raw
                    .get(key)
                    .and_then(crate::unified::sources::id_text)?;
                Some(
                    Server::new(self.provider, &self.connection, kind, id, Value::Null).global_id(),
                )
            });
        if let Some(gid) = named {
            // Through the node lookup, so a customer reaches no server its panel keeps for the
            // operator.
            return match super::node::resolve(ctx, &gid.encode()).await? {
                Some(super::Node::Server(server)) => Ok(Some(server)),
                _ => Ok(None),
            };
        }
        Ok(directory::servers_of(ctx, self).await?.into_iter().next())
    }

    /// The user the site belongs to, as Patchstack says (for this site or the same site there).
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(site) = self.view_at(ctx, Provider::Patchstack).await? else {
            return Ok(None);
        };
        if let (Some(owner), Some(read)) = (&site.owner_id, &crate::roles(site.provider).user) {
            // One read per owner however many of its sites are listed.
            let path = read.path(owner)?;
            let view = super::fetch(ctx, site.provider, &site.connection, &path).await?;
            return Ok(Some(User::from_view(site.provider, &site.connection, view)));
        }
        let view = site.report(ctx).await?;
        Ok(view
            .get("user")
            .filter(|u| u.is_object())
            .map(|u| User::from_object(site.provider, &site.connection, u.clone())))
    }

    /// The upstream object as received; secrets in it are shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted_raw(ctx, self.provider, &self.raw)
    }
}

hostplane_schema::raw_reply!(Site);

impl UpstreamCall {
    /// The site named by this call's `siteid` path parameter.
    pub fn site(&self) -> Option<Site> {
        self.params.get("siteid").map(|id| {
            Site::new(
                self.endpoint.provider,
                &self.connection.name,
                id,
                None,
                Value::Null,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_domain;

    /// Scheme, `www.`, case, port, path and credentials do not change a site's domain.
    #[test]
    fn domains() {
        for url in [
            "https://www.Example.com/",
            "http://example.com:8080/wp",
            "example.com",
            "https://user@EXAMPLE.com?x=1",
        ] {
            assert_eq!(
                normalize_domain(url).as_deref(),
                Some("example.com"),
                "{url}"
            );
        }
        assert_eq!(
            normalize_domain("https://blog.example.org").as_deref(),
            Some("blog.example.org")
        );
        assert_eq!(normalize_domain("https://"), None);
    }
}
