//! HosterAPI's envelope and error codes: reading the upstream's `0xNN:` errors, and its bodies.

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
}
