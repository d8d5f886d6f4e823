//! Patchstack's answers as the REST compatibility layer writes them: plain JSON objects on success and
//! `{"error": "..."}` with the documented statuses (401, 403, 404, 422) otherwise.

use crate::ErrorCode;
use serde_json::{Value, json};

/// `{"error": "<text>"}`.
pub fn error_body(text: &str) -> Value {
    json!({ "error": text })
}

/// An error raised by the gateway itself, with the status Patchstack uses for that meaning
/// (validation is a 422 there).
pub fn gateway_error(code: ErrorCode, message: &str) -> (u16, Value) {
    let status = match code {
        ErrorCode::Validation => 422,
        other => other.http_status(),
    };
    let message = match code {
        ErrorCode::Unauthenticated => "Unauthenticated.",
        _ => message,
    };
    (status, error_body(message))
}

/// A request body the gateway could not read, in the upstream's (Laravel's) validation wording.
pub fn input_error(missing: bool, field: &str, detail: &str) -> (u16, Value) {
    let name = field.replace('_', " ");
    let text = if missing {
        format!("The {name} field is required.")
    } else if detail.contains("0 or 1") || detail.contains("boolean") {
        format!("The {name} field must be true or false.")
    } else if ["i64", "integer", "u64", "invalid digit"]
        .iter()
        .any(|t| detail.contains(t))
    {
        format!("The {name} must be an integer.")
    } else {
        format!("The {name} format is invalid.")
    };
    (422, error_body(&text))
}

/// A path parameter that cannot be an ID, answered as an unknown one.
pub fn invalid_path_param(name: &str) -> (u16, Value) {
    let what = if name == "siteid" { "Site" } else { "User" };
    (404, error_body(&format!("{what} not found.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validation failures are 422 `{"error": ...}`, as Patchstack answers them.
    #[test]
    fn shapes() {
        assert_eq!(
            gateway_error(
                ErrorCode::Validation,
                "The email must be a valid email address."
            ),
            (
                422,
                json!({"error": "The email must be a valid email address."})
            )
        );
        assert_eq!(
            gateway_error(ErrorCode::Unauthenticated, "x").1,
            json!({"error": "Unauthenticated."})
        );
        assert_eq!(
            invalid_path_param("siteid"),
            (404, json!({"error": "Site not found."}))
        );
    }
}
