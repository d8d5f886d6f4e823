//! Each API's own shapes on the REST compatibility layer, as answers: the provider's `Wire` says what
//! to answer (status and body); this module turns that into a response, and a request the gateway
//! could not read into the refusal the provider words for it.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::Wire;
use hostplane_resolvers::endpoint::RestInputError;
use serde_json::Value;

/// An answer in the provider's own shape.
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl From<(u16, Value)> for Reply {
    fn from((status, body): (u16, Value)) -> Reply {
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

/// A request the gateway could not read into the endpoint's input, worded as the upstream words
/// its own validation errors.
pub fn input_error(wire: &dyn Wire, error: &RestInputError) -> Reply {
    Reply::from(match error {
        RestInputError::PathParam { name, value } => wire.invalid_path_param(name, value),
        RestInputError::Refused(refused) => wire.refused(refused),
    })
}
