//! The error every simulator handler returns: a status and the body the provider answers errors with.
//! Each provider builds its bodies with its own constructor, so one type serves every envelope.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Fail {
    pub status: StatusCode,
    pub body: Value,
}

impl Fail {
    pub fn new(status: StatusCode, body: Value) -> Fail {
        Fail { status, body }
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// What most handlers answer: a JSON body with 200, or a failure.
pub type Reply = Result<Json<Value>, Fail>;
