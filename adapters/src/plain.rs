//! Plain JSON answers: the JSON on success (nothing for a 204), and an error body that carries its
//! text under one key with a meaningful status otherwise. Patchstack and WP Orchestrix share one
//! (`{"error": "..."}`, 401, 403, 404, 422); WPCS and PanelAlpha say `message` and map their own
//! statuses.

use crate::{ErrorCode, UpstreamError, http::RawResponse};
use serde_json::Value;

/// The gateway code for a documented error status.
pub fn code_of(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::UpstreamUnauthorized,
        404 => ErrorCode::NotFound,
        422 => ErrorCode::Validation,
        _ => ErrorCode::UpstreamRejected,
    }
}

/// The answer's JSON, or its `{"error": ...}` mapped by status.
pub fn read_body(raw: RawResponse) -> Result<Value, UpstreamError> {
    read_json(raw, "error", code_of)
}

/// The answer's JSON, or the text of its error body's `key` (its JSON where it is no string) with
/// the code `code_of` gives its status.
pub fn read_json(
    raw: RawResponse,
    key: &str,
    code_of: fn(u16) -> ErrorCode,
) -> Result<Value, UpstreamError> {
    let success = (200..300).contains(&raw.status);
    if success && raw.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let body: Value = serde_json::from_slice(&raw.body).map_err(|e| UpstreamError::Malformed {
        status: raw.status,
        detail: format!("not JSON: {e}"),
    })?;
    if success {
        return Ok(body);
    }
    let text = match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => {
            return Err(UpstreamError::Malformed {
                status: raw.status,
                detail: format!("error status without `{key}`"),
            });
        }
    };
    Err(UpstreamError::Rejected {
        code: code_of(raw.status),
        status: raw.status,
        upstream_error: text.clone(),
        message: text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            body: body.as_bytes().to_vec(),
            ..RawResponse::default()
        }
    }

    /// Successes are the plain JSON (null for an empty 204); documented errors keep status and text.
    #[test]
    fn bodies() {
        assert_eq!(
            read_body(raw(200, r#"{"id": 7}"#)).unwrap(),
            serde_json::json!({"id": 7})
        );
        assert_eq!(read_body(raw(204, "")).unwrap(), Value::Null);
        let e = read_body(raw(
            422,
            r#"{"error": "The email must be a valid email address."}"#,
        ))
        .unwrap_err();
        assert_eq!(
            (e.code(), e.upstream_status()),
            (ErrorCode::Validation, Some(422))
        );
        assert_eq!(
            e.upstream_error(),
            Some("The email must be a valid email address.")
        );
        assert_eq!(
            read_body(raw(404, r#"{"error": "Record not found"}"#))
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
        assert_eq!(
            read_body(raw(401, r#"{"error": "x"}"#)).unwrap_err().code(),
            ErrorCode::UpstreamUnauthorized
        );
        assert_eq!(
            read_body(raw(500, "oops")).unwrap_err().code(),
            ErrorCode::UpstreamMalformed
        );
        assert_eq!(
            read_body(raw(500, "{}")).unwrap_err().code(),
            ErrorCode::UpstreamMalformed
        );
    }
}
