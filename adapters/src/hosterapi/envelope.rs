//! HosterAPI's envelope and error codes, in both directions: reading the upstream's `0xNN:` errors,
//! and writing the gateway's REST answers as HosterAPI would.

use crate::{ErrorCode, UpstreamError};
use serde_json::{Value, json};

/// Maps a documented HosterAPI error code to the gateway's stable code.
pub fn code_of(hex: &str) -> ErrorCode {
    match hex {
        "0x01" | "0xc1" => ErrorCode::NotFound,
        "0x03" => ErrorCode::UpstreamUnauthorized,
        "0xa3" => ErrorCode::UpstreamTimeout,
        "0xa5" | "0xb1" => ErrorCode::Validation,
        _ => ErrorCode::UpstreamRejected,
    }
}

/// Builds the error for an upstream `error` string such as `0x01: no vm with id 4010 found`.
pub fn rejected(status: u16, error: &str) -> UpstreamError {
    let (hex, message) = match error.split_once(':') {
        Some((hex, msg)) if hex.starts_with("0x") => (hex.trim(), msg.trim()),
        _ => ("", error.trim()),
    };
    UpstreamError::Rejected {
        code: code_of(hex),
        status,
        upstream_error: error.to_string(),
        message: message.to_string(),
    }
}

/// A success body: `{"result": ...}`.
pub fn success(result: Value) -> Value {
    json!({ "result": result })
}

/// The success body of the endpoint with this path template: `success`, except for the incidents
/// endpoint, which documents `{"response": [...], "error": false}`.
pub fn success_for(path_template: &str, result: Value) -> Value {
    if path_template.ends_with("/incidents") {
        json!({ "response": result, "error": false })
    } else {
        success(result)
    }
}

/// An error body for an error raised by the gateway itself (no upstream text to repeat), with the
/// HosterAPI status and code closest in meaning.
pub fn gateway_error(code: ErrorCode, message: &str) -> (u16, Value) {
    let (status, hex) = match code {
        ErrorCode::Validation => (400, "0xb1"),
        ErrorCode::Unauthenticated => (401, "0x03"),
        ErrorCode::Forbidden => (403, "0x03"),
        ErrorCode::NotFound => (404, "0x01"),
        ErrorCode::UpstreamTimeout => (504, "0xa3"),
        ErrorCode::RateLimited => (429, "0xa2"),
        other => (other.http_status(), "0xa0"),
    };
    (status, error_body(&format!("{hex}: {message}")))
}

/// The answer to a path parameter that cannot be an ID (`/server/abc/status`), worded as the upstream
/// words an unknown ID.
pub fn invalid_path_param(name: &str, value: &str) -> (u16, Value) {
    let text = match name {
        "jobId" => "0xc1: job not found".to_string(),
        _ => format!("0x01: no vm with id {value} found"),
    };
    (404, error_body(&text))
}

/// A request body the gateway could not read, in HosterAPI's missing-parameter wording.
pub fn input_error(missing: bool, field: &str) -> (u16, Value) {
    let text = if missing {
        format!("0xb1: Missing required parameter {field}")
    } else {
        format!("0xb1: Invalid parameter {field}")
    };
    (400, error_body(&text))
}

/// `{"result": false, "error": "<text>"}`.
pub fn error_body(error: &str) -> Value {
    json!({ "result": false, "error": error })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error string without a hex code still maps, to the generic rejection.
    #[test]
    fn error_without_code() {
        let e = rejected(500, "something broke");
        assert_eq!(e.code(), ErrorCode::UpstreamRejected);
        assert_eq!(e.to_string(), "something broke");
    }

    /// Gateway validation errors read like HosterAPI's own missing-parameter error.
    #[test]
    fn gateway_validation_error_shape() {
        let (status, body) =
            gateway_error(ErrorCode::Validation, "Missing required parameter template");
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({"result": false, "error": "0xb1: Missing required parameter template"})
        );
    }
}
