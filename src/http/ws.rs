//! GraphQL subscriptions over WebSocket, with both subprotocols (`graphql-transport-ws` and the older
//! `graphql-ws`). Credentials come from the `connection_init` payload (`Authorization` or `token`),
//! or from the upgrade request's `Authorization` header for clients that can set one.

use super::AppState;
use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{FromRequestParts, Request, State, WebSocketUpgrade},
    http::{header, request::Parts},
    response::{IntoResponse, Response},
};
use hostplane_schema::principal::Caller;

pub async fn upgrade(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    accept(state, &mut parts).await
}

pub async fn accept(state: AppState, parts: &mut Parts) -> Response {
    let upgrade = match WebSocketUpgrade::from_request_parts(parts, &state).await {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    let protocol = match GraphQLProtocol::from_request_parts(parts, &state).await {
        Ok(p) => p,
        Err(rejection) => return rejection.into_response(),
    };
    let headers = &parts.headers;
    let header_principal = match state
        .authenticate(
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return (axum::http::StatusCode::UNAUTHORIZED, e.to_string()).into_response(),
    };
    let origin = state.origin(headers);
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let schema = state.schema.clone();
            let mut initial = Data::default();
            initial.insert(Caller(header_principal.clone()));
            initial.insert(origin);
            GraphQLWebSocket::new(stream, schema, protocol)
                .with_data(initial)
                .on_connection_init(move |payload| async move {
                    let mut data = Data::default();
                    let credential = ["Authorization", "authorization", "token"]
                        .iter()
                        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
                        .map(|v| crate::auth::bearer(v).unwrap_or(v).to_string());
                    let principal = match credential {
                        Some(c) => Some(
                            state
                                .authenticate_credential(&c)
                                .await
                                .map_err(|e| async_graphql::Error::new(e.to_string()))?,
                        ),
                        None => header_principal,
                    };
                    data.insert(Caller(principal));
                    Ok(data)
                })
                .serve()
        })
}
