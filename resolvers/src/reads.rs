//! Per-request upstream reads. Every GET an object's field makes (a site's owner, a server's status, a
//! site's security report) and every page a unified list reads goes through one `DataLoader` that lives
//! as long as the request: the same read is made once however many objects ask for it, and the reads
//! one level of the response asks for leave together. The upstreams have no batch endpoints, so a
//! batch is one wave of concurrent GETs, at most `PER_CONNECTION` at a time to one connection.

use crate::{Services, connections::Live};
use async_graphql::{
    Context, Request, ServerResult,
    dataloader::{DataLoader, HashMapCache, Loader},
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
};
use futures_util::{StreamExt, stream};
use hostplane_adapters::{Page, UpstreamError};
use hostplane_schema::GatewayError;
use std::{collections::HashMap, convert::Infallible, sync::Arc, time::Instant};

/// Concurrent reads one request makes to one connection.
const PER_CONNECTION: usize = 8;

/// One GET, with the connection's stored credentials.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Read {
    pub connection: String,
    /// The path with its query string.
    pub path: String,
}

/// The loader behind a request's reads.
pub struct UpstreamReads {
    services: Arc<Services>,
}

pub type Reads = DataLoader<UpstreamReads, HashMapCache>;

async fn read_one(live: Option<Arc<Live>>, read: &Read) -> Result<Page, UpstreamError> {
    let Some(live) = live else {
        return Err(UpstreamError::Unavailable {
            detail: format!("connection `{}` was removed", read.connection),
        });
    };
    let started = Instant::now();
    let result = live.client.page(None, &read.path).await;
    let outcome = result.as_ref().err().map_or("ok", |e| e.code().as_str());
    tracing::debug!(provider = %live.provider, connection = %live.name, path = %read.path,
        outcome, elapsed_ms = started.elapsed().as_millis() as u64, "upstream read");
    metrics::histogram!("hostplane_upstream_request_seconds",
        "provider" => live.provider.key(), "outcome" => outcome)
    .record(started.elapsed().as_secs_f64());
    result
}

impl Loader<Read> for UpstreamReads {
    /// A failed read is a value too: one connection's failure must not fail the others' keys.
    type Value = Result<Page, UpstreamError>;
    type Error = Infallible;

    async fn load(&self, keys: &[Read]) -> Result<HashMap<Read, Self::Value>, Infallible> {
        let mut by_connection: HashMap<String, Vec<Read>> = HashMap::new();
        for key in keys {
            by_connection
                .entry(key.connection.clone())
                .or_default()
                .push(key.clone());
        }
        let waves = by_connection.into_iter().map(|(name, reads)| {
            let live = self.services.connections.get(&name);
            stream::iter(reads)
                .map(move |read| {
                    let live = live.clone();
                    async move {
                        let result = read_one(live, &read).await;
                        (read, result)
                    }
                })
                .buffer_unordered(PER_CONNECTION)
                .collect::<Vec<_>>()
        });
        let done = futures_util::future::join_all(waves).await;
        Ok(done.into_iter().flatten().collect())
    }
}

/// Reads `path` on a connection through the request's loader (or directly, outside a request). The
/// caller has already checked that the principal may use the connection.
pub async fn read(ctx: &Context<'_>, live: &Live, path: &str) -> Result<Page, GatewayError> {
    let key = Read {
        connection: live.name.clone(),
        path: path.to_string(),
    };
    let result = match ctx.data_opt::<Reads>() {
        Some(reads) => reads
            .load_one(key)
            .await
            .unwrap_or_else(|never| match never {})
            .unwrap_or_else(|| {
                Err(UpstreamError::Malformed {
                    status: 200,
                    detail: "read lost by the loader".into(),
                })
            }),
        None => live.client.page(None, path).await,
    };
    result.map_err(|source| GatewayError::Upstream {
        provider: live.provider,
        connection: live.name.clone(),
        source,
    })
}

/// Gives every request (HTTP, REST, each WebSocket operation) its own loader and site directory.
pub struct PerRequest;

impl ExtensionFactory for PerRequest {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequest)
    }
}

#[async_trait::async_trait]
impl Extension for PerRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = match ctx.data_opt::<Arc<Services>>() {
            Some(services) => {
                let loader = UpstreamReads {
                    services: services.clone(),
                };
                request
                    .data(DataLoader::with_cache(
                        loader,
                        tokio::spawn,
                        HashMapCache::default(),
                    ))
                    .data(crate::unified::directory::SiteDirectory::default())
            }
            None => request,
        };
        next.run(ctx, request).await
    }
}
