//! The REST compatibility layer: every documented path, served at `/rest/{connection}/<original path>`
//! with the API's own auth header, envelope, status codes and error bodies. Each call becomes the
//! endpoint's GraphQL operation, executed in process by the same resolvers, so auth, validation, tasks
//! and audit hold for both surfaces by construction.

use super::{
    AppState,
    envelope::{self, Reply},
};
use axum::{
    body::Bytes,
    extract::{Path, Query, State, rejection::BytesRejection},
    http::{HeaderMap, Method as HttpMethod, StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{ErrorCode, Method};
use hostplane_resolvers::{
    call::{PassThrough, customer_connection},
    endpoint::RestInput,
    routes,
};
use hostplane_schema::{
    RestBody,
    error::code_of,
    principal::{Caller, Principal, Scope},
};
use secrecy::SecretString;
use serde_json::Value;

pub async fn handle(
    State(state): State<AppState>,
    Path((connection, path)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
    method: HttpMethod,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
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
    let wire = provider.wire();
    let refuse =
        |code, message: &str| Reply::from(wire.refusal(code, message, None)).into_response();
    // A body over `max_body_bytes` (or one that could not be read) is refused in the API's own
    // error shape, with the status that says why.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let mut r = refuse(
                super::body_rejection_code(&rejection),
                &rejection.body_text(),
            );
            *r.status_mut() = rejection.status();
            return r;
        }
    };
    let path = format!("/{path}");
    let routed = routes::route(provider, Method::from_http(&method), &path);
    // An API that issues per-user credentials takes the caller's own: one that is not the gateway's
    // passes through, and no credential at all reaches only what the upstream serves anonymously
    // (its logins). Every other call without a usable credential gets the API's own 401 first,
    // before its path or body is looked at, as the upstream answers.
    let passthrough = |authorization: Option<String>| {
        // The upstream, not the gateway, authorizes such a caller, so the gateway hides nothing the
        // upstream shows it (webhook secrets included); the REST layer reaches no gateway administration.
        let principal = Principal {
            subject: format!("passthrough:{connection}"),
            scopes: [Scope::Admin].into(),
            connections: Some([connection.clone()].into()),
            bound: None,
        };
        let data = PassThrough {
            provider,
            authorization: authorization.map(SecretString::from),
        };
        (principal, Some(data))
    };
    let upstream_authorization = || {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let unauthenticated = || Reply::from(wire.unauthenticated()).into_response();
    let (principal, passthrough) = match wire.credential(&headers) {
        None => match &routed {
            Ok((endpoint, _)) if endpoint.anonymous && wire.passes_through() => passthrough(None),
            _ => return unauthenticated(),
        },
        Some(c) => match state.authenticate_credential(&c).await {
            // A customer's credential is refused below for what it may not reach (403), as on GraphQL.
            Ok(p) if p.may_use(&connection) || p.customer().is_some() => (p, None),
            // A connection outside the principal's limit is as invisible here as in GraphQL.
            Ok(_) => return refuse(ErrorCode::NotFound, "no such connection"),
            // A gateway credential that fails (expired, revoked, a database error) is refused: it
            // must never travel on to an upstream.
            Err(_) if wire.passes_through() && !state.is_gateway_credential(&c) => {
                passthrough(upstream_authorization())
            }
            Err(_) => return unauthenticated(),
        },
    };
    let (endpoint, mut params) = match routed {
        Ok(found) => found,
        Err(allowed) if allowed.is_empty() => {
            return refuse(ErrorCode::NotFound, &format!("no endpoint at {path}"));
        }
        // RFC 9110: a 405 names the methods the path does serve.
        Err(allowed) => {
            let mut r = refuse(ErrorCode::Validation, "method not allowed");
            *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            let allow: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
            let allow = header::HeaderValue::from_str(&allow.join(", "))
                .expect("method names are header-safe");
            r.headers_mut().insert(header::ALLOW, allow);
            return r;
        }
    };
    // A customer's credential reaches its own panel's customer endpoints only: anything else is
    // refused before the request is read further, with the resolvers' own words.
    if let Some(binding) = principal.customer()
        && let Err(e) = customer_connection(endpoint, &binding.connection, Some(&connection))
    {
        return refuse(e.code(), &e.message());
    }
    // Query-string parameters (`?page=2`) join the path's; a path parameter wins a clash.
    for (k, v) in query {
        params.entry(k).or_insert(v);
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(_) => {
                return refuse(
                    ErrorCode::Validation,
                    hostplane_adapters::wire::MALFORMED_BODY,
                );
            }
        }
    };
    let variables = match (endpoint.rest)(&RestInput {
        connection: &connection,
        params: &params,
        headers: &headers,
        body,
    }) {
        Ok(r) => r,
        Err(e) => return envelope::input_error(wire, &e).into_response(),
    };
    let mut gql = async_graphql::Request::new((endpoint.document)())
        .variables(async_graphql::Variables::from_json(variables))
        .data(Caller(Some(principal)))
        .data(state.origin(&headers));
    if let Some(passthrough) = passthrough {
        gql = gql.data(passthrough);
    }
    // The endpoint's own document, valid by construction: see `hostplane_resolvers::Schemas`.
    let response = state.prevalidated.execute(gql).await;
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
            return Reply::from(wire.upstream_error(status, &text)).into_response();
        }
        let field = ext.and_then(|e| e.get("field")).and_then(|f| match f {
            async_graphql::Value::String(f) => Some(f.as_str()),
            _ => None,
        });
        return Reply::from(wire.refusal(code_of(err), &err.message, field)).into_response();
    }
    let mut data = response.data.into_json().unwrap_or(Value::Null);
    let result = data.get_mut("r").map(Value::take).unwrap_or(Value::Null);
    match (endpoint.reply)(result) {
        RestBody::Json(result) => {
            Reply::from(wire.success(endpoint.method, endpoint.path, result)).into_response()
        }
        RestBody::Download(url) => {
            let token = url.rsplit('/').next().unwrap_or_default();
            super::downloads::serve(&state, token, Some(provider)).await
        }
    }
}
