//! Each API's own shapes on the REST compatibility layer: where its credential travels, its success
//! body, and its error bodies and statuses. The wire details live with each adapter; this module only
//! picks the provider.

use axum::{
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{
    ErrorCode, Provider, hosterapi::envelope as hosterapi, orchestrix::envelope as orchestrix,
    patchstack::envelope as patchstack, wpcs::envelope as wpcs,
};
use hostplane_resolvers::endpoint::{Endpoint, RestInputError};
use serde_json::Value;

/// An answer in the provider's own shape.
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    fn new((status, body): (u16, Value)) -> Reply {
        Reply { status, body }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status == StatusCode::NO_CONTENT {
            return status.into_response();
        }
        (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            self.body.to_string(),
        )
            .into_response()
    }
}

/// The credential in the provider's own header format: HosterAPI `Authorization: Bearer <key>`,
/// Patchstack `HostToken: <key>`, Orchestrix `Authorization: token <key>` (or `Bearer`), WPCS
/// `Authorization: Basic base64(<label>:<key>)` (or `Bearer`).
pub fn credential(provider: Provider, headers: &HeaderMap) -> Option<String> {
    let text = |name: &str| {
        headers
            .get(name)?
            .to_str()
            .ok()
            .map(str::trim)
            .map(str::to_string)
    };
    match provider {
        Provider::Hosterapi => {
            crate::auth::bearer(&text(header::AUTHORIZATION.as_str())?).map(str::to_string)
        }
        Provider::Patchstack => text("hosttoken").filter(|t| !t.is_empty()),
        Provider::Orchestrix => {
            orchestrix::credential(&text(header::AUTHORIZATION.as_str())?).map(str::to_string)
        }
        Provider::Wpcs => wpcs::credential(&text(header::AUTHORIZATION.as_str())?),
        // Providers without an adapter have no connections, so no request reaches here for them.
        Provider::Panelalpha => None,
    }
}

pub fn success(endpoint: &Endpoint, result: Value) -> Reply {
    match endpoint.provider {
        Provider::Hosterapi => Reply::new((200, hosterapi::success_for(endpoint.path, result))),
        Provider::Orchestrix => Reply::new((
            orchestrix::success_status(endpoint.method, endpoint.path, &result),
            result,
        )),
        _ => Reply::new((200, result)),
    }
}

/// An error raised by the gateway (no upstream text to repeat).
pub fn gateway_error(provider: Provider, code: ErrorCode, message: &str) -> Reply {
    Reply::new(match provider {
        Provider::Hosterapi => hosterapi::gateway_error(code, message),
        Provider::Patchstack => patchstack::gateway_error(code, message),
        Provider::Orchestrix => orchestrix::gateway_error(code, message),
        Provider::Wpcs => wpcs::gateway_error(code, message),
        _ => (code.http_status(), serde_json::json!({ "error": message })),
    })
}

/// An upstream's own error, repeated as it came (status and text).
pub fn upstream_error(provider: Provider, status: u16, text: &str) -> Reply {
    Reply::new(match provider {
        Provider::Hosterapi => (status, hosterapi::error_body(text)),
        Provider::Wpcs => (status, wpcs::error_body(status, text)),
        _ => (status, patchstack::error_body(text)),
    })
}

/// A path segment that cannot be the ID the endpoint takes: the upstream's not-found answer.
pub fn invalid_path_param(provider: Provider, name: &str, value: &str) -> Reply {
    Reply::new(match provider {
        Provider::Hosterapi => hosterapi::invalid_path_param(name, value),
        Provider::Patchstack => patchstack::invalid_path_param(name),
        // WPCS takes everything in the query string: a missing or unreadable one is a validation error.
        Provider::Wpcs => wpcs::input_error(value.is_empty(), name),
        _ => (
            404,
            serde_json::json!({ "error": format!("invalid value `{value}` for {name}") }),
        ),
    })
}

/// A request the gateway could not read into the endpoint's input, worded as the upstream words its
/// own validation errors.
pub fn input_error(provider: Provider, error: &RestInputError) -> Reply {
    let (missing, field, detail) = match error {
        RestInputError::PathParam { name, value } => {
            return invalid_path_param(provider, name, value);
        }
        RestInputError::Missing(field) => (true, field.as_str(), ""),
        RestInputError::Invalid { field, detail } => {
            (false, field.as_deref().unwrap_or("body"), detail.as_str())
        }
    };
    Reply::new(match provider {
        Provider::Hosterapi => hosterapi::input_error(missing, field),
        Provider::Patchstack => patchstack::input_error(missing, field, detail),
        Provider::Wpcs => wpcs::input_error(missing, field),
        _ => orchestrix::input_error(missing, field),
    })
}
