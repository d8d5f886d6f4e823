//! WP Orchestrix's answers as the REST compatibility layer writes them: plain JSON, 201 for what a
//! POST creates (logins included), 204 with no body for deletes and logout, and `{"error": "..."}`
//! with 401, 404 or 422 otherwise.

use crate::{ErrorCode, Method};
use serde_json::{Value, json};

/// The success status for an endpoint and its result.
pub fn success_status(method: Method, path_template: &str, result: &Value) -> u16 {
    if result.is_null() {
        return 204;
    }
    let action = ["/approve", "/refresh", "/revoke"]
        .iter()
        .any(|a| path_template.ends_with(a));
    if method == Method::Post && !action {
        201
    } else {
        200
    }
}

pub fn error_body(text: &str) -> Value {
    json!({ "error": text })
}

/// An error raised by the gateway, with the status Orchestrix uses for that meaning.
pub fn gateway_error(code: ErrorCode, message: &str) -> (u16, Value) {
    match code {
        ErrorCode::Validation => (422, error_body(message)),
        ErrorCode::Unauthenticated => (401, error_body("Unauthorized")),
        ErrorCode::NotFound => (404, error_body("Record not found")),
        other => (other.http_status(), error_body(message)),
    }
}

/// A request body the gateway could not read, in the upstream's (Rails') validation wording.
pub fn input_error(missing: bool, field: &str) -> (u16, Value) {
    let mut name = field.replace('_', " ");
    if let Some(first) = name.get(..1) {
        name = first.to_uppercase() + &name[1..];
    }
    let text = if missing {
        format!("{name} can't be blank")
    } else {
        format!("{name} is invalid")
    };
    (422, error_body(&text))
}

/// The credential in `Authorization: token <x>` (or `Bearer <x>`, as its JWTs are sent).
pub fn credential(header: &str) -> Option<&str> {
    let (scheme, value) = header.trim().split_once(char::is_whitespace)?;
    let value = value.trim();
    (scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer"))
        .then_some(value)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Creations are 201, actions 200, empty answers 204.
    #[test]
    fn statuses() {
        let obj = json!({"id": "x"});
        assert_eq!(success_status(Method::Post, "/api/v1/sites", &obj), 201);
        assert_eq!(
            success_status(
                Method::Post,
                "/api/v1/sites/{site_id}/upgrade_pipelines/{id}/approve",
                &obj
            ),
            200
        );
        assert_eq!(
            success_status(Method::Delete, "/api/v1/sites/{id}", &Value::Null),
            204
        );
        assert_eq!(
            success_status(Method::Get, "/api/v1/sites", &json!([])),
            200
        );
        assert_eq!(credential("token abc"), Some("abc"));
        assert_eq!(credential("Bearer ey.x"), Some("ey.x"));
        assert_eq!(credential("Basic abc"), None);
    }
}
