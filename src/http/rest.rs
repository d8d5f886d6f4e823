//! The REST compatibility layer: every documented path, served at `/rest/{connection}/<original path>`
//! with the API's own auth header, envelope, status codes and error bodies. Each call becomes the
//! endpoint's GraphQL operation, executed in process on the same schema, so auth, validation, tasks and
//! audit hold for both surfaces by construction.

use super::{AppState, envelope};
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Method as HttpMethod, StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{ErrorCode, Method, Provider};
use hostplane_resolvers::endpoint::{Endpoint, RestInput, RestInputError};
use hostplane_schema::{RestBody, error::code_of, principal::Caller};
use serde_json::Value;
use std::collections::BTreeMap;

/// The endpoint for a method and path: the most specific template wins; a path that exists under
/// another method is reported so the caller gets 405.
fn route(
    provider: Provider,
    method: Method,
    path: &str,
) -> Result<(&'static Endpoint, BTreeMap<String, String>), bool> {
    let mut path_exists = false;
    let mut best: Option<(&'static Endpoint, _)> = None;
    for e in hostplane_resolvers::endpoints().filter(|e| e.provider == provider) {
        if let Some(params) = e.match_path(path) {
            path_exists = true;
            if e.method == method
                && best
                    .as_ref()
                    .is_none_or(|(b, _)| e.specificity() > b.specificity())
            {
                best = Some((e, params));
            }
        }
    }
    best.ok_or(path_exists)
}

pub async fn handle(
    State(state): State<AppState>,
    Path((connection, path)): Path<(String, String)>,
    method: HttpMethod,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(conn) = state.services.connections.get(&connection) else {
        let body = serde_json::json!({"error": format!("no connection named `{connection}`")});
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    };
    let provider = conn.provider;
    let refuse =
        |code, message: &str| envelope::gateway_error(provider, code, message).into_response();
    let principal = match envelope::credential(provider, &headers) {
        None => return refuse(ErrorCode::Unauthenticated, "unauthorized"),
        Some(c) => match state.authenticate_credential(&c).await {
            Ok(p) if p.may_use(&connection) => p,
            // A connection outside the principal's limit is as invisible here as in GraphQL.
            Ok(_) => return refuse(ErrorCode::NotFound, "no such connection"),
            Err(_) => return refuse(ErrorCode::Unauthenticated, "unauthorized"),
        },
    };
    let path = format!("/{path}");
    let Some(method) = Method::from_http(&method) else {
        return refuse(ErrorCode::Validation, "method not allowed");
    };
    let (endpoint, params) = match route(provider, method, &path) {
        Ok(found) => found,
        Err(true) => {
            let mut r = refuse(ErrorCode::Validation, "method not allowed");
            *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            return r;
        }
        Err(false) => return refuse(ErrorCode::NotFound, &format!("no endpoint at {path}")),
    };
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(_) => return refuse(ErrorCode::Validation, "invalid JSON body"),
        }
    };
    let request = match (endpoint.rest)(&RestInput {
        connection: &connection,
        params: &params,
        body,
    }) {
        Ok(r) => r,
        Err(RestInputError::PathParam { name, value }) => {
            return envelope::invalid_path_param(provider, name, &value).into_response();
        }
        Err(e) => return refuse(ErrorCode::Validation, &e.to_string()),
    };
    let gql = async_graphql::Request::new(request.query)
        .variables(async_graphql::Variables::from_json(request.variables))
        .data(Caller(Some(principal)))
        .data(state.origin(&headers));
    let response = state.schema.execute(gql).await;
    if let Some(err) = response.errors.first() {
        let ext = err.extensions.as_ref();
        let get = |k: &str| ext.and_then(|e| e.get(k)).cloned();
        if let (
            Some(async_graphql::Value::Number(status)),
            Some(async_graphql::Value::String(text)),
        ) = (get("upstreamStatus"), get("upstreamError"))
        {
            let status = status
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(502);
            return envelope::upstream_error(provider, status, &text).into_response();
        }
        return refuse(code_of(err), &err.message);
    }
    let data = response.data.into_json().unwrap_or(Value::Null);
    let result = data.get("r").cloned().unwrap_or(Value::Null);
    match (endpoint.reply)(result) {
        RestBody::Json(result) => envelope::success(endpoint, result).into_response(),
        RestBody::Download(url) => {
            let token = url.rsplit('/').next().unwrap_or_default();
            super::downloads::serve(&state, token, provider).await
        }
    }
}
