//! GraphQL over Server-Sent Events: the `graphql-sse` protocol's distinct connections mode, for a
//! dashboard behind a proxy that refuses WebSocket upgrades and for a browser's plain
//! `EventSource`. One operation per request, at `/graphql/stream`, or at `/graphql` for a request
//! whose `Accept` names `text/event-stream`. The request is a GraphQL-over-HTTP one (a POST's JSON
//! body, or GET's query string, which never runs a mutation); each result is a `next` event, and
//! the end a `complete` event. Errors found before execution (parse, validation, the document
//! limits) are `next` events too, as the protocol asks: a user agent that reads a 400 instead of a
//! stream loses the details. A request that is not a GraphQL request at all, or a refused
//! credential, is answered as `/graphql` answers it (400, 401, 413, 415), before any stream.
//!
//! Operations run as they do over a WebSocket (`shared::results`), under the same schema, so the
//! same document limits apply, and identical `taskUpdated` subscriptions share one execution.
//!
//! Credentials: `Authorization`, as on every surface. The stream ends when its credential does
//! (`lease`): one last `next` carries an `UNAUTHENTICATED` error saying why, then `complete`. `EventSource` cannot set a header, so a GET
//! may carry its credential in a `token` query parameter instead; the gateway never logs query
//! strings, but proxies may, so such a client should use a short-lived token.

use super::{
    AppState,
    graphql::{self, MediaType, Refusal},
    lease, shared,
};
use async_graphql::BatchRequest;
use axum::{
    extract::{Query, Request, State},
    http::{HeaderMap, HeaderValue, header, request::Parts},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures_util::{StreamExt, stream};
use hostplane_schema::{ErrorCode, principal::Caller};
use serde_json::json;
use std::convert::Infallible;

const EVENT_STREAM: &str = "text/event-stream";

/// Whether a request to `/graphql` asks for an event stream: its `Accept` names
/// `text/event-stream` with a non-zero quality.
pub fn wanted(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            parts
                .next()
                .is_some_and(|mime| mime.eq_ignore_ascii_case(EVENT_STREAM))
                && parts.all(|p| !matches!(p.split_once('='), Some(("q" | "Q", q)) if q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)))
        })
}

/// Refusals before the stream are JSON, as `/graphql` writes them for a client that accepts
/// anything: an event stream cannot carry a request that was never a GraphQL request.
const REFUSAL: MediaType = MediaType::Json;

pub async fn post(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Response {
    // One operation per stream: a batch has no place in distinct connections mode.
    let request = match graphql::read_post(&state, &headers, request, REFUSAL, usize::MAX).await {
        Ok(BatchRequest::Single(request)) => request,
        Ok(BatchRequest::Batch(_)) => {
            return Refusal::bad_request("an event stream runs one operation, not a batch")
                .respond(REFUSAL);
        }
        Err(refused) => return refused,
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    respond(state, &headers, request, authorization).await
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    respond_get(state, request.into_parts().0).await
}

pub async fn respond_get(state: AppState, parts: Parts) -> Response {
    let request = match graphql::get_request(graphql::get_params(&parts.uri)) {
        Ok(request) => request,
        Err(refusal) => return refusal.respond(REFUSAL),
    };
    let token = token_param(&parts);
    let authorization = match (parts.headers.get(header::AUTHORIZATION), &token) {
        (Some(value), _) => value.to_str().ok().map(str::to_string),
        (None, Some(token)) => Some(format!("Bearer {token}")),
        (None, None) => None,
    };
    respond(state, &parts.headers, request, authorization.as_deref()).await
}

/// The `token` query parameter of an `EventSource`, which cannot send `Authorization`.
fn token_param(parts: &Parts) -> Option<String> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).ok()?;
    pairs
        .into_iter()
        .find_map(|(name, value)| (name == "token" && !value.is_empty()).then_some(value))
}

/// Authenticates, then streams the operation's results until it ends, the client goes away or the
/// server stops.
async fn respond(
    state: AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
    authorization: Option<&str>,
) -> Response {
    let grant = match state.grant(authorization).await {
        Ok(grant) => grant,
        Err(e) => return graphql::unauthenticated(REFUSAL, &e),
    };
    let mut lease = grant.as_ref().map(|g| state.lease(g));
    let origin = state.origin(headers);
    let passthrough = super::passthrough(headers);
    let results = shared::results(
        &state,
        request,
        Caller(grant.map(|g| g.principal)),
        &origin,
        passthrough.as_ref(),
    );
    let mut closing = state.closing.watch();
    let stopping = async move {
        let _ = closing.wait_for(|stopping| *stopping).await;
    };
    // When the credential stops holding, the results stop and one last `next` says why.
    let (ended_tx, ended_rx) = tokio::sync::oneshot::channel();
    let ending = async move {
        let _ = ended_tx.send(lease::ended(&mut lease).await);
    };
    let refusal = stream::once(ended_rx).filter_map(|ended| async move {
        let ending = ended.ok()?;
        let error = graphql::coded_error(ending.message(), ErrorCode::Unauthenticated.as_str());
        Some(
            Event::default()
                .event("next")
                .data(json!({"errors": [error]}).to_string()),
        )
    });
    // A comment first, so the client sees the stream open before the first result; `complete`
    // carries `null` as its data, since an `EventSource` drops an event without a data line.
    let events = stream::once(async { Event::default().comment("") })
        .chain(
            results
                .map(|r| {
                    let event = Event::default().event("next");
                    // A request error has no `data` entry, as over HTTP.
                    match &r.refused {
                        Some(errors) => event.data(format!("{{\"errors\":{errors}}}")),
                        None => event.data(&*r.payload),
                    }
                })
                .take_until(ending),
        )
        .chain(refusal)
        .chain(stream::once(async {
            Event::default().event("complete").data("null")
        }))
        .take_until(stopping)
        .map(Ok::<_, Infallible>);
    let keepalive = state.limits.keepalive;
    let mut response = if keepalive.is_zero() {
        Sse::new(events).into_response()
    } else {
        Sse::new(events)
            .keep_alive(KeepAlive::new().interval(keepalive))
            .into_response()
    };
    // Proxies that buffer responses (nginx) would hold events back.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        h
    }

    #[test]
    fn wanted_from_accept() {
        assert!(wanted(&accept("text/event-stream")));
        assert!(wanted(&accept("application/json, Text/Event-Stream;q=0.5")));
        assert!(!wanted(&accept("text/event-stream;q=0")));
        assert!(!wanted(&accept("application/json")));
        assert!(!wanted(&accept("*/*")));
        assert!(!wanted(&HeaderMap::new()));
    }
}
