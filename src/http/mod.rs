//! The HTTP surfaces: GraphQL over HTTP, WebSocket and Server-Sent Events, the REST compatibility
//! layer, the browser pages (GraphiQL, the operations console), health and metrics, with request
//! ids, tracing, CORS and body limits around them. `router` builds the app; `serve`
//! runs it on a listener until the shutdown future resolves.

mod console;
mod cors;
mod downloads;
mod envelope;
mod graphiql;
mod graphql;
mod lease;
pub mod openapi;
mod ops;
mod rest;
mod server;
mod shared;
mod sse;
mod webhooks;
mod ws;

pub use server::ConnectionLimits;
pub use shared::SharedSubscriptions;

use lease::{Grant, Lease};

use crate::{
    auth::{AuthError, JwtVerifier, bearer},
    config::CorsConfig,
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, Request},
    http::HeaderName,
    middleware::{self, Next},
    response::Response,
    routing::{any, get, post},
};
use hostplane_adapters::ErrorCode;
use hostplane_resolvers::{AppSchema, Origin, Schemas, Services, apikeys, limits::DocumentLimits};
use hostplane_schema::principal::Principal;
use std::{future::Future, sync::Arc, time::Instant};
use tokio::net::TcpListener;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

/// Limits of the HTTP and WebSocket surfaces (see the `[limits]` and `[websocket]` configuration).
#[derive(Debug, Clone)]
pub struct HttpLimits {
    pub max_body_bytes: usize,
    /// Operations in one batched request.
    pub max_batch: usize,
    /// Subscriptions running at once on one WebSocket.
    pub max_subscriptions_per_connection: usize,
    /// How often an idle WebSocket is pinged.
    pub keepalive: std::time::Duration,
    /// How long a new WebSocket may take to send `connection_init`.
    pub init_timeout: std::time::Duration,
    /// The accept loop's.
    pub connections: ConnectionLimits,
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// Validates every request.
    pub schema: AppSchema,
    /// The same schema for documents known to be valid, which it does not validate again
    /// (`hostplane_resolvers::Schemas`): the REST layer's own, and those `documents` names.
    pub prevalidated: AppSchema,
    pub documents: DocumentLimits,
    pub services: Arc<Services>,
    verifier: Arc<JwtVerifier>,
    pub limits: Arc<HttpLimits>,
    public_url: Option<String>,
    /// The CORS layer, when any origin is allowed.
    cors: Option<tower_http::cors::CorsLayer>,
    /// Browser origins allowed besides the gateway's own (CORS and WebSocket upgrades).
    pub origins: cors::Origins,
    /// Identical `taskUpdated` subscriptions, one execution each, across every WebSocket.
    pub subscriptions: Arc<SharedSubscriptions>,
    /// The server's stop, as open WebSockets see it.
    pub closing: Closing,
}

/// The server's stop, as open WebSockets see it: when it begins, each one closes with 1001 (going
/// away) and ends its operations, and `serve` waits for them (within a bound) before returning.
/// Otherwise a stopping server dropped its sockets without a word, and a client could not tell a
/// restart from a broken network.
#[derive(Clone)]
pub struct Closing(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Closing {
    fn default() -> Closing {
        Closing(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Closing {
    /// What a WebSocket session watches; held for as long as the session runs.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<bool> {
        self.0.subscribe()
    }

    fn begin(&self) {
        self.0.send_replace(true);
    }

    /// Until every session that was watching has ended, or `within` passes.
    async fn drained(&self, within: std::time::Duration) {
        let _ = tokio::time::timeout(within, self.0.closed()).await;
    }
}

impl AppState {
    pub fn new(
        schemas: Schemas,
        services: Arc<Services>,
        verifier: JwtVerifier,
        limits: HttpLimits,
        public_url: Option<String>,
        cors: CorsConfig,
    ) -> AppState {
        let origins = cors::Origins::new(&cors);
        AppState {
            cors: cors::layer(&cors, &origins),
            origins,
            schema: schemas.full,
            prevalidated: schemas.prevalidated,
            documents: schemas.documents,
            services,
            verifier: Arc::new(verifier),
            limits: Arc::new(limits),
            public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
            subscriptions: Arc::default(),
            closing: Closing::default(),
        }
    }

    /// Runs a GraphQL request, without validating it again when its document is known to be valid.
    pub async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        if self.documents.prevalidated(&request.query) {
            self.prevalidated.execute(request).await
        } else {
            self.schema.execute(request).await
        }
    }

    /// The origin clients reach the gateway at: the configured public URL, or the request's `Host`.
    pub fn origin(&self, headers: &axum::http::HeaderMap) -> Origin {
        if let Some(url) = &self.public_url {
            return Origin(url.clone());
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost");
        Origin(format!("http://{host}"))
    }

    /// The principal of an `Authorization` header value: `None` without one, an error for a
    /// credential that is not valid. Bearer JWTs and API keys are both accepted.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
    ) -> Result<Option<Principal>, AuthError> {
        Ok(self.grant(authorization).await?.map(|g| g.principal))
    }

    /// [`authenticate`](Self::authenticate), with what ends the credential, for a stream that
    /// holds it open.
    pub async fn grant(&self, authorization: Option<&str>) -> Result<Option<Grant>, AuthError> {
        let Some(value) = authorization else {
            return Ok(None);
        };
        let credential = bearer(value).ok_or(AuthError::Malformed)?;
        self.grant_credential(credential).await.map(Some)
    }

    /// The lease a stream holds on its credential.
    pub fn lease(&self, grant: &Grant) -> Lease {
        Lease::new(grant, &self.services.keys)
    }

    /// Whether a credential is the gateway's own kind (an API key, or a JWT this gateway would have
    /// issued), whether or not it verifies.
    pub fn is_gateway_credential(&self, credential: &str) -> bool {
        apikeys::looks_like_api_key(credential) || self.verifier.claims_this_issuer(credential)
    }

    pub async fn authenticate_credential(&self, credential: &str) -> Result<Principal, AuthError> {
        self.grant_credential(credential).await.map(|g| g.principal)
    }

    pub async fn grant_credential(&self, credential: &str) -> Result<Grant, AuthError> {
        if apikeys::looks_like_api_key(credential) {
            let key_hash = apikeys::hash_api_key(credential);
            let principal = apikeys::authenticate(&self.services.db, &key_hash)
                .await
                .map_err(|_| AuthError::UnknownApiKey)?
                .ok_or(AuthError::UnknownApiKey)?;
            return Ok(Grant {
                principal,
                valid_until: None,
                key_hash: Some(key_hash),
            });
        }
        let (principal, valid_until) = self.verifier.verify_until(credential)?;
        Ok(Grant {
            principal,
            valid_until: Some(valid_until),
            key_hash: None,
        })
    }
}

/// The code of a body that could not be read: over `max_body_bytes` is a limit, anything else a bad
/// request.
pub fn body_rejection_code(rejection: &axum::extract::rejection::BytesRejection) -> ErrorCode {
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ErrorCode::LimitExceeded
    } else {
        ErrorCode::Validation
    }
}

/// The header a GraphQL client sends its own Orchestrix credential in, to act upstream as itself.
pub const ORCHESTRIX_AUTHORIZATION: &str = "x-orchestrix-authorization";

/// The caller's own upstream credential, from `X-Orchestrix-Authorization`.
pub fn passthrough(
    headers: &axum::http::HeaderMap,
) -> Option<hostplane_resolvers::call::PassThrough> {
    let value = headers.get(ORCHESTRIX_AUTHORIZATION)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| hostplane_resolvers::call::PassThrough {
        provider: hostplane_adapters::Provider::Orchestrix,
        authorization: Some(secrecy::SecretString::from(value.to_string())),
    })
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    ops::prometheus();
    let max_body = state.limits.max_body_bytes;
    let cors = state.cors.clone();
    let app = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/graphql/stream", get(sse::get).post(sse::post))
        .route("/graphiql/{build}/{name}", get(graphiql::asset))
        .route("/console", get(console::redirect))
        .route("/console/", get(console::page))
        .route("/console/{name}", get(console::asset))
        .route("/rest/{connection}/{*path}", any(rest::handle))
        .route("/downloads/{token}", get(downloads::get))
        .route("/webhooks/orchestrix/{connection}", post(webhooks::orchestrix))
        .route("/openapi.json", get(openapi::get))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .with_state(state)
        // Every handler reads its body through `Bytes`, which honours this; each answers its own 413
        // (GraphQL errors, or the REST API's error body).
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn(record_metrics))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                // Debug level: an info span per request cost a fifth of the REST path's throughput
                // (`cargo bench --bench gateway`); errors are still logged at their own levels.
                tracing::debug_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid));
    // Outermost, so that a preflight is answered before any route or limit sees it.
    match cors {
        Some(cors) => app.layer(cors),
        None => app,
    }
}

async fn record_metrics(req: Request, next: Next) -> Response {
    let surface = match req.uri().path() {
        p if p.starts_with("/graphql") => "graphql",
        p if p.starts_with("/rest/") => "rest",
        _ => "ops",
    };
    let started = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("hostplane_http_requests_total", "surface" => surface, "status" => status)
        .increment(1);
    metrics::histogram!("hostplane_http_request_seconds", "surface" => surface)
        .record(started.elapsed().as_secs_f64());
    resp
}

/// Serves until `shutdown` resolves, then stops accepting, lets requests in flight finish and closes
/// open WebSockets with 1001 (`server`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let closing = state.closing.clone();
    let limits = state.limits.connections.clone();
    server::run(listener, router(state), limits, closing, shutdown).await
}
