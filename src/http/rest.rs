//! The REST compatibility layer: every documented path, served at `/rest/{connection}/<original path>`
//! with the API's own auth header, envelope, status codes and error bodies. Each call becomes the
//! endpoint's GraphQL operation, executed in process on the same schema, so auth, validation, tasks and
//! audit hold for both surfaces by construction.

use super::AppState;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, Method as HttpMethod, StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{ErrorCode, Method, Provider, hosterapi::envelope as hosterapi};
use hostplane_resolvers::endpoint::{Endpoint, RestInput, RestInputError};
use hostplane_schema::{error::code_of, principal::Caller};
use serde_json::Value;

/// An answer in the provider's own shape.
struct Reply {
    status: u16,
    body: Value,
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body.to_string(),
        )
            .into_response()
    }
}

/// The envelope of each provider: its success body, and its error body for a gateway-side error.
fn success(endpoint: &Endpoint, result: Value) -> Reply {
    match endpoint.provider {
        Provider::Hosterapi => Reply {
            status: 200,
            body: hosterapi::success_for(endpoint.path, result),
        },
        _ => Reply {
            status: 200,
            body: result,
        },
    }
}

fn gateway_error(provider: Provider, code: ErrorCode, message: &str) -> Reply {
    match provider {
        Provider::Hosterapi => {
            let (status, body) = hosterapi::gateway_error(code, message);
            Reply { status, body }
        }
        _ => Reply {
            status: code.http_status(),
            body: serde_json::json!({ "error": message }),
        },
    }
}

/// A path segment that cannot be the ID the endpoint takes: the upstream's not-found answer.
fn invalid_path_param(provider: Provider, name: &str, value: &str) -> Reply {
    match provider {
        Provider::Hosterapi => {
            let (status, body) = hosterapi::invalid_path_param(name, value);
            Reply { status, body }
        }
        _ => gateway_error(
            provider,
            ErrorCode::NotFound,
            &format!("invalid value `{value}` for {name}"),
        ),
    }
}

/// An upstream's own error, repeated as it came (status and text).
fn upstream_error(provider: Provider, status: u16, text: &str) -> Reply {
    match provider {
        Provider::Hosterapi => Reply {
            status,
            body: hosterapi::error_body(text),
        },
        _ => Reply {
            status,
            body: serde_json::json!({ "error": text }),
        },
    }
}

/// The credential in the provider's own header format (HosterAPI: `Authorization: Bearer <key>`).
fn credential(provider: Provider, headers: &HeaderMap) -> Option<String> {
    let value = match provider {
        Provider::Hosterapi => headers.get(header::AUTHORIZATION)?.to_str().ok()?,
        // Providers without an adapter have no connections, so no request reaches here for them.
        _ => return None,
    };
    crate::auth::bearer(value).map(str::to_string)
}

/// The endpoint for a method and path: the most specific template wins; a path that exists under
/// another method is reported so the caller gets 405.
fn route(
    provider: Provider,
    method: Method,
    path: &str,
) -> Result<
    (
        &'static Endpoint,
        std::collections::BTreeMap<String, String>,
    ),
    bool,
> {
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
    let principal = match credential(provider, &headers) {
        None => {
            return gateway_error(provider, ErrorCode::Unauthenticated, "unauthorized")
                .into_response();
        }
        Some(c) => match state.authenticate_credential(&c).await {
            Ok(p) if p.may_use(&connection) => p,
            // A connection outside the principal's limit is as invisible here as in GraphQL.
            Ok(_) => {
                return gateway_error(provider, ErrorCode::NotFound, "no such connection")
                    .into_response();
            }
            Err(_) => {
                return gateway_error(provider, ErrorCode::Unauthenticated, "unauthorized")
                    .into_response();
            }
        },
    };
    let path = format!("/{path}");
    let Some(method) = Method::from_http(&method) else {
        return gateway_error(provider, ErrorCode::Validation, "method not allowed")
            .into_response();
    };
    let (endpoint, params) = match route(provider, method, &path) {
        Ok(found) => found,
        Err(true) => {
            let mut r = gateway_error(provider, ErrorCode::Validation, "method not allowed")
                .into_response();
            *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            return r;
        }
        Err(false) => {
            return gateway_error(
                provider,
                ErrorCode::NotFound,
                &format!("no endpoint at {path}"),
            )
            .into_response();
        }
    };
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => Some(v),
            Err(_) => {
                return gateway_error(provider, ErrorCode::Validation, "invalid JSON body")
                    .into_response();
            }
        }
    };
    let request = match (endpoint.rest)(&RestInput {
        connection: &connection,
        params: &params,
        body,
    }) {
        Ok(r) => r,
        Err(RestInputError::PathParam { name, value }) => {
            return invalid_path_param(provider, name, &value).into_response();
        }
        Err(e) => {
            return gateway_error(provider, ErrorCode::Validation, &e.to_string()).into_response();
        }
    };
    let gql = async_graphql::Request::new(request.query)
        .variables(async_graphql::Variables::from_json(request.variables))
        .data(Caller(Some(principal)));
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
            return upstream_error(provider, status, &text).into_response();
        }
        return gateway_error(provider, code_of(err), &err.message).into_response();
    }
    let data = response.data.into_json().unwrap_or(Value::Null);
    let result = data.get("r").cloned().unwrap_or(Value::Null);
    success(endpoint, (endpoint.reply)(result)).into_response()
}
