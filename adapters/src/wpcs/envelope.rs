//! WPCS's answers as the REST compatibility layer writes them: plain JSON, and
//! `{"statusCode": <status>, "message": "..."}` errors, validation ones worded
//! `Validation error occured: ...` as WPCS words them (its spelling).

use crate::ErrorCode;
use serde_json::{Value, json};

const VALIDATION_PREFIX: &str = "Validation error occured: ";

pub fn error_body(status: u16, message: &str) -> Value {
    json!({ "statusCode": status, "message": message })
}

/// An error raised by the gateway itself, with the status WPCS uses for that meaning.
pub fn gateway_error(code: ErrorCode, message: &str) -> (u16, Value) {
    match code {
        ErrorCode::Validation => {
            let message = if message.starts_with(VALIDATION_PREFIX) {
                message.to_string()
            } else {
                format!("{VALIDATION_PREFIX}{message}")
            };
            (400, error_body(400, &message))
        }
        ErrorCode::Unauthenticated => (401, error_body(401, "Unauthorized")),
        other => (
            other.http_status(),
            error_body(other.http_status(), message),
        ),
    }
}

/// A request the gateway could not read, in WPCS's validation wording.
pub fn input_error(missing: bool, field: &str) -> (u16, Value) {
    let what = if missing {
        "cannot be null"
    } else {
        "is invalid"
    };
    gateway_error(ErrorCode::Validation, &format!("Property {field} {what}"))
}

/// The credential in WPCS's `Authorization: Basic base64(key:secret)`: the gateway reads its own
/// credential from the secret part (the key part is free, an integrator's label), or from `Bearer`.
pub fn credential(header: &str) -> Option<String> {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let (scheme, value) = header.trim().split_once(char::is_whitespace)?;
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return (!value.is_empty()).then(|| value.to_string());
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(value).ok()?).ok()?;
    let (_, secret) = decoded.split_once(':')?;
    (!secret.is_empty()).then(|| secret.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validation errors read like WPCS's own, once prefixed; Basic credentials yield their secret.
    #[test]
    fn shapes() {
        assert_eq!(
            gateway_error(ErrorCode::Validation, "Property name cannot be null"),
            (
                400,
                json!({"statusCode": 400, "message": "Validation error occured: Property name cannot be null"})
            )
        );
        assert_eq!(
            gateway_error(ErrorCode::Validation, "Validation error occured: x").1["message"],
            "Validation error occured: x"
        );
        use base64::{Engine, engine::general_purpose::STANDARD};
        let basic = format!("Basic {}", STANDARD.encode("key:hp_abc"));
        assert_eq!(credential(&basic).as_deref(), Some("hp_abc"));
        assert_eq!(credential("Bearer t").as_deref(), Some("t"));
        assert_eq!(credential("Basic !!!"), None);
    }
}
