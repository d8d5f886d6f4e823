//! GraphQL over WebSocket, with both subprotocols: `graphql-transport-ws` (the graphql-ws library's)
//! and the older `graphql-ws` (subscriptions-transport-ws). Credentials come from the
//! `connection_init` payload (`Authorization`, `authorization` or `token`), or from the upgrade
//! request's `Authorization` header for clients that can set one. The connection closes when that
//! credential ends (`lease`): 4401 once a token expires, 4403 once a key is revoked or changed.
//!
//! The protocol layer is the gateway's own rather than async-graphql's `WebSocket`, which closes with
//! codes the protocol does not define (1002 for a refused `connection_init` or a malformed message,
//! 1011 for a subscribe before the ack), replaces a duplicate id instead of closing 4409, never pings
//! and has no per-connection limit on running operations.

mod protocol;
mod session;

use super::AppState;
use axum::{
    extract::{FromRequestParts, Request, State, WebSocketUpgrade},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use protocol::Protocol;

/// A WebSocket's read and write buffer: larger messages still pass, in several reads or writes.
const SOCKET_BUFFER: usize = 4 * 1024;

pub async fn upgrade(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    accept(state, &mut parts).await
}

pub async fn accept(state: AppState, parts: &mut Parts) -> Response {
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let headers = &parts.headers;
    // Browsers send `Origin` on an upgrade but apply no CORS to it: this is the check.
    if !state.origins.admits_upgrade(headers) {
        return (
            StatusCode::FORBIDDEN,
            "this origin may not open a WebSocket here",
        )
            .into_response();
    }
    let Some(protocol) = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(Protocol::negotiate)
    else {
        return (
            StatusCode::BAD_REQUEST,
            "offer the graphql-transport-ws or graphql-ws subprotocol",
        )
            .into_response();
    };
    let header_grant = match state
        .grant(
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return (StatusCode::UNAUTHORIZED, e.to_string()).into_response(),
    };
    let origin = state.origin(headers);
    let passthrough = super::passthrough(headers);
    // A message may be as large as an HTTP request body, not tungstenite's default of 64 MiB.
    let max_message = state.limits.max_body_bytes;
    // GraphQL messages are small: tungstenite's default 128 KiB read and write buffers, zero-filled
    // on first use, made 10,000 idle subscribers cost 1.3 GiB of resident memory.
    upgrade
        .protocols([protocol.name()])
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            session::run(
                socket,
                state,
                session::Upgrade {
                    protocol,
                    header_grant,
                    origin,
                    passthrough,
                },
            )
        })
}
