//! `Site`: a WordPress site as any provider knows it (Patchstack and Orchestrix sites today; WPCS
//! tenants later), with its normalised domain, and provider views (`security`, `owner`, `health`,
//! `snapshots`, `vulnerabilities`) read on demand.

use super::{User, redacted_raw};
use crate::call::UpstreamCall;
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

#[derive(Debug, Clone)]
pub struct Site {
    pub provider: Provider,
    pub connection: String,
    pub site_id: String,
    pub url: Option<String>,
    /// The upstream object as received.
    pub raw: Value,
    id: ID,
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
            id,
        }
    }

    /// A Patchstack site view (`GET /hosting/site/{id}/view`), from `raw` when it already is one.
    async fn patchstack_view(&self, ctx: &Context<'_>) -> Result<Value, GatewayError> {
        if self.raw.get("attacks").is_some() {
            return Ok(self.raw.clone());
        }
        let path = format!("/hosting/site/{}/view", self.site_id);
        super::fetch(ctx, self.provider, &self.connection, &path).await
    }
}

impl Site {
    /// The first page of one of an Orchestrix site's lists, typed.
    async fn orchestrix_list<T: FromRaw>(
        &self,
        ctx: &Context<'_>,
        list: &str,
    ) -> Result<Option<Vec<T>>> {
        if self.provider != Provider::Orchestrix {
            return Ok(None);
        }
        let path = format!(
            "/api/v1/sites/{}/{list}",
            crate::call::encode_segment(&self.site_id)
        );
        let raw = super::fetch(ctx, self.provider, &self.connection, &path).await?;
        let items = Vec::<T>::from_raw(raw).map_err(|e| GatewayError::Upstream {
            provider: self.provider,
            connection: self.connection.clone(),
            source: hostplane_adapters::UpstreamError::Malformed {
                status: 200,
                detail: e.to_string(),
            },
        })?;
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

    /// Patchstack's security report: attacks per day, software inventory, vulnerable and outdated
    /// counts. Null for sites of other providers.
    async fn security(&self, ctx: &Context<'_>) -> Result<Option<PatchstackSecurityReport>> {
        if self.provider != Provider::Patchstack {
            return Ok(None);
        }
        let view = self.patchstack_view(ctx).await?;
        Ok(Some(serde_json::from_value(view).map_err(|e| {
            GatewayError::Upstream {
                provider: self.provider,
                connection: self.connection.clone(),
                source: hostplane_adapters::UpstreamError::Malformed {
                    status: 200,
                    detail: e.to_string(),
                },
            }
        })?))
    }

    /// Orchestrix's site details (status, WordPress and PHP versions); null for other providers.
    async fn orchestrix(&self) -> Option<OrchestrixSiteDetail> {
        (self.provider == Provider::Orchestrix)
            .then(|| serde_json::from_value(self.raw.clone()).unwrap_or_default())
    }

    /// Orchestrix's latest health checks (its first page); null for other providers.
    async fn health(&self, ctx: &Context<'_>) -> Result<Option<Vec<OrchestrixHealthCheck>>> {
        self.orchestrix_list(ctx, "health_checks").await
    }

    /// Orchestrix's latest snapshots (its first page); null for other providers.
    async fn snapshots(&self, ctx: &Context<'_>) -> Result<Option<Vec<OrchestrixSnapshot>>> {
        self.orchestrix_list(ctx, "snapshots").await
    }

    /// Orchestrix's vulnerability records (their first page); null for other providers.
    async fn vulnerabilities(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<OrchestrixVulnerability>>> {
        self.orchestrix_list(ctx, "vulnerability_records").await
    }

    /// The user the site belongs to, where the provider says.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        if self.provider != Provider::Patchstack {
            return Ok(None);
        }
        let view = self.patchstack_view(ctx).await?;
        Ok(view
            .get("user")
            .filter(|u| u.is_object())
            .map(|u| User::from_object(self.provider, &self.connection, u.clone())))
    }

    /// The upstream object as received; secrets in it are shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted_raw(ctx, &self.raw)
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
