//! Per-request upstream reads. Every GET an object's field makes (a site's owner, a server's status, a
//! site's security report) and every page a unified list reads goes through a `DataLoader` that lives
//! as long as the request, one per connection: the same read is made once however many objects ask
//! for it, and the reads one level of the response asks of a connection leave together. The upstreams
//! have no batch endpoints, so a batch is one wave of concurrent GETs, at most `PER_CONNECTION` at a
//! time. A loader answers a batch only when all of it is done, so each connection has its own: a
//! hanging upstream holds back only its own reads.

use crate::{Services, connections::Live};
use async_graphql::{
    Context, Request, ServerResult,
    dataloader::{DataLoader, HashMapCache, Loader},
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest},
    parser::types::OperationType,
};
use futures_util::{StreamExt, stream};
use hostplane_adapters::{Page, UpstreamError};
use hostplane_schema::GatewayError;
use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Instant,
};

/// Concurrent reads one request makes to one connection.
const PER_CONNECTION: usize = 8;

/// One connection's reads in one request, keyed by path (with its query string).
pub struct ConnectionReads {
    live: Option<Arc<Live>>,
    name: String,
}

type ConnectionLoader = DataLoader<ConnectionReads, HashMapCache>;

/// Request data: the request's loaders, one per connection, made on first use.
pub struct Reads {
    services: Arc<Services>,
    loaders: Mutex<HashMap<String, Arc<ConnectionLoader>>>,
}

impl Reads {
    fn loader(&self, connection: &str) -> Arc<ConnectionLoader> {
        self.loaders
            .lock()
            .expect("reads lock poisoned")
            .entry(connection.to_string())
            .or_insert_with(|| {
                let reads = ConnectionReads {
                    live: self.services.connections.get(connection),
                    name: connection.to_string(),
                };
                Arc::new(DataLoader::with_cache(
                    reads,
                    tokio::spawn,
                    HashMapCache::default(),
                ))
            })
            .clone()
    }
}

impl ConnectionReads {
    async fn read_one(&self, path: &str) -> Result<Page, UpstreamError> {
        let Some(live) = &self.live else {
            return Err(UpstreamError::Unavailable {
                detail: format!("connection `{}` was removed", self.name),
            });
        };
        let started = Instant::now();
        let result = live
            .client
            .page(hostplane_adapters::Request::get(path))
            .await;
        let outcome = result.as_ref().err().map_or("ok", |e| e.code().as_str());
        tracing::debug!(provider = %live.provider, connection = %live.name, path, outcome,
            elapsed_ms = started.elapsed().as_millis() as u64, "upstream read");
        metrics::histogram!("hostplane_upstream_request_seconds",
            "provider" => live.provider.key(), "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
        result
    }
}

impl Loader<String> for ConnectionReads {
    /// A failed read is a value too: one path's failure must not fail the batch's other paths.
    type Value = Result<Page, UpstreamError>;
    type Error = Infallible;

    async fn load(&self, paths: &[String]) -> Result<HashMap<String, Self::Value>, Infallible> {
        Ok(stream::iter(paths.iter().cloned())
            .map(|path| async move {
                let result = self.read_one(&path).await;
                (path, result)
            })
            .buffer_unordered(PER_CONNECTION)
            .collect()
            .await)
    }
}

/// Whether this operation may share reads: a query's or a mutation's. A subscription lives on, so
/// what it reads must be read afresh for each event.
pub fn shares_reads(ctx: &Context<'_>) -> bool {
    ctx.query_env.operation.node.ty != OperationType::Subscription
}

/// Reads `path` on a connection through the request's loader (or directly, outside a request). The
/// caller has already checked that the principal may use the connection.
pub async fn read(ctx: &Context<'_>, live: &Live, path: &str) -> Result<Page, GatewayError> {
    let result = match ctx.data_opt::<Reads>().filter(|_| shares_reads(ctx)) {
        Some(reads) => reads
            .loader(&live.name)
            .load_one(path.to_string())
            .await
            .unwrap_or_else(|never| match never {})
            .unwrap_or_else(|| {
                Err(UpstreamError::Malformed {
                    status: 200,
                    detail: "read lost by the loader".into(),
                })
            }),
        None => {
            live.client
                .page(hostplane_adapters::Request::get(path))
                .await
        }
    };
    result.map_err(|source| live.error(source))
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
            Some(services) => request
                .data(Reads {
                    services: services.clone(),
                    loaders: Mutex::default(),
                })
                .data(crate::unified::directory::SiteDirectory::default()),
            None => request,
        };
        next.run(ctx, request).await
    }
}
