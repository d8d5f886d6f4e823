//! The REST compatibility layer: every documented path, served at `/rest/{connection}/<original path>`
//! with the API's own auth header, envelope, status codes and error bodies. Each call becomes the
//! endpoint's GraphQL operation, executed in process by the same resolvers, so auth, validation, tasks
//! and audit hold for both surfaces by construction.

use super::{AppState, envelope};
use axum::{
    body::Bytes,
    extract::{Path, Query, State, rejection::BytesRejection},
    http::{HeaderMap, Method as HttpMethod, StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{ErrorCode, Method, Provider};
use hostplane_resolvers::{
    call::PassThrough,
    endpoint::{Endpoint, RestInput},
};
use hostplane_schema::{
    RestBody,
    error::code_of,
    principal::{Caller, Principal, Scope},
};
use secrecy::SecretString;
use serde_json::Value;
use std::{
    collections::{BTreeMap, HashMap},
    sync::OnceLock,
};

/// Each provider's endpoints by number of path segments, most specific first: a request is matched
/// only against the templates of its own provider and length (scanning every endpoint cost a
/// twentieth of a REST call, `cargo bench --bench gateway`).
type Table = HashMap<(Provider, usize), Vec<&'static Endpoint>>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = Table::new();
        for e in hostplane_resolvers::endpoints() {
            table
                .entry((e.provider, segments(e.path)))
                .or_default()
                .push(e);
        }
        for endpoints in table.values_mut() {
            endpoints.sort_by_key(|e| std::cmp::Reverse(e.specificity()));
        }
        table
    })
}

fn segments(path: &str) -> usize {
    path.trim_matches('/').split('/').count()
}

/// The endpoint for a method and path: the most specific template wins; a path that exists under
/// another method is reported so the caller gets 405.
fn route(
    provider: Provider,
    method: Option<Method>,
    path: &str,
) -> Result<(&'static Endpoint, BTreeMap<String, String>), Vec<Method>> {
    let mut allowed = Vec::new();
    let candidates = table().get(&(provider, segments(path)));
    for e in candidates.into_iter().flatten() {
        if let Some(params) = e.match_path(path) {
            if Some(e.method) == method {
                return Ok((e, params));
            }
            if !allowed.contains(&e.method) {
                allowed.push(e.method);
            }
        }
    }
    Err(allowed)
}

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
    let refuse =
        |code, message: &str| envelope::gateway_error(provider, code, message).into_response();
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
    // Orchestrix issues per-user credentials: one that is not the gateway's is the caller's own, passed
    // through (and no credential at all reaches only what the upstream serves anonymously, its logins).
    let passthrough = |authorization: Option<String>| {
        // The upstream, not the gateway, authorizes such a caller, so the gateway hides nothing the
        // upstream shows it (webhook secrets included); the REST layer reaches no gateway administration.
        let principal = Principal {
            subject: format!("passthrough:{connection}"),
            scopes: [Scope::Admin].into(),
            connections: Some([connection.clone()].into()),
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
    let (principal, passthrough) = match envelope::credential(provider, &headers) {
        None if provider == Provider::Orchestrix => passthrough(None),
        None => return refuse(ErrorCode::Unauthenticated, "unauthorized"),
        Some(c) => match state.authenticate_credential(&c).await {
            Ok(p) if p.may_use(&connection) => (p, None),
            // A connection outside the principal's limit is as invisible here as in GraphQL.
            Ok(_) => return refuse(ErrorCode::NotFound, "no such connection"),
            // A gateway credential that fails (expired, revoked, a database error) is refused: it
            // must never travel on to an upstream.
            Err(_) if provider == Provider::Orchestrix && !state.is_gateway_credential(&c) => {
                passthrough(upstream_authorization())
            }
            Err(_) => return refuse(ErrorCode::Unauthenticated, "unauthorized"),
        },
    };
    let path = format!("/{path}");
    let (endpoint, mut params) = match route(provider, Method::from_http(&method), &path) {
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
    // Query-string parameters (`?page=2`) join the path's; a path parameter wins a clash.
    for (k, v) in query {
        params.entry(k).or_insert(v);
    }
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(_) => return refuse(ErrorCode::Validation, "invalid JSON body"),
        }
    };
    let variables = match (endpoint.rest)(&RestInput {
        connection: &connection,
        params: &params,
        body,
    }) {
        Ok(r) => r,
        Err(e) => return envelope::input_error(provider, &e).into_response(),
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
            return envelope::upstream_error(provider, status, &text).into_response();
        }
        return refuse(code_of(err), &err.message);
    }
    let mut data = response.data.into_json().unwrap_or(Value::Null);
    let result = data.get_mut("r").map(Value::take).unwrap_or(Value::Null);
    match (endpoint.reply)(result) {
        RestBody::Json(result) => envelope::success(endpoint, result).into_response(),
        RestBody::Download(url) => {
            let token = url.rsplit('/').next().unwrap_or_default();
            super::downloads::serve(&state, token, provider).await
        }
    }
}
