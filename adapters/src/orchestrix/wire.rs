//! WP Orchestrix on the wire: `Authorization: token <key>` (or `Bearer <jwt>`), plain JSON with 201 for
//! a creation and 204 for an empty answer, `{"error": "..."}` errors worded as its Rails API words
//! them. It issues per-user credentials, so a caller's own token passes through.

use super::OrchestrixClient;
use crate::{
    ErrorCode, Method, Provider, Upstream,
    rules::Rule,
    shape::{Failure, Kind},
    wire::{Credentials, Wire, error_body, header_text, scheme_credential},
};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};

pub struct OrchestrixWire;

/// The status of a success: 204 for an empty answer, 201 for a creation (a POST that is not an
/// action on an existing object), 200 otherwise.
fn success_status(method: Method, path_template: &str, result: &Value) -> u16 {
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

impl Wire for OrchestrixWire {
    fn provider(&self) -> Provider {
        Provider::Orchestrix
    }

    fn connect(
        &self,
        base_url: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Arc<dyn Upstream>, String> {
        let token = credentials.require("token")?;
        Ok(Arc::new(OrchestrixClient::new(base_url, token, timeout)))
    }

    fn probe(&self) -> &'static str {
        "/api/v1/me"
    }

    fn credential(&self, headers: &::http::HeaderMap) -> Option<String> {
        scheme_credential(header_text(headers, "authorization")?, &["token", "bearer"])
            .map(str::to_string)
    }

    fn passes_through(&self) -> bool {
        true
    }

    fn success(&self, method: Method, path_template: &str, result: Value) -> (u16, Value) {
        (success_status(method, path_template, &result), result)
    }

    fn refusal(&self, code: ErrorCode, message: &str, _: Option<&str>) -> (u16, Value) {
        match code {
            ErrorCode::Validation => (422, error_body(message)),
            ErrorCode::Unauthenticated => (401, error_body("Unauthorized")),
            ErrorCode::NotFound => (404, error_body("Record not found")),
            other => (other.http_status(), error_body(message)),
        }
    }

    fn upstream_error(&self, status: u16, text: &str) -> (u16, Value) {
        (status, error_body(text))
    }

    /// Rails' wording (`Name can't be blank`), an assumption: the docs show `{"error": ...}` bodies
    /// but no validation message. Rails names the attribute humanized and appends the message of
    /// the validation that failed.
    fn word(&self, field: &str, failure: &Failure) -> String {
        let mut name = field.replace(['_', '.'], " ");
        if let Some(first) = name.get(..1) {
            name = first.to_uppercase() + &name[1..];
        }
        let what = match failure {
            Failure::Rule(Rule::Matches(p)) => return p.message.to_string(),
            Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required | Rule::NotBlank) => {
                "can't be blank".to_string()
            }
            Failure::Type(Kind::Integer) => "is not an integer".into(),
            Failure::Type(Kind::Number) => "is not a number".into(),
            Failure::Type(Kind::Enum) | Failure::Rule(Rule::OneOf(_) | Rule::In(_)) => {
                "is not included in the list".into()
            }
            Failure::Type(_)
            | Failure::Rule(
                Rule::Email | Rule::Url | Rule::AlphaDash | Rule::Regex(_) | Rule::Each(_),
            ) => "is invalid".into(),
            Failure::Rule(Rule::MaxLen(n)) => format!("is too long (maximum is {n} characters)"),
            Failure::Rule(Rule::MinLen(n)) => format!("is too short (minimum is {n} characters)"),
            Failure::Rule(Rule::Confirmed) => format!("confirmation doesn't match {name}"),
            Failure::Rule(Rule::Min(n)) => format!("must be greater than or equal to {n}"),
            Failure::Rule(Rule::Max(n)) => format!("must be less than or equal to {n}"),
        };
        format!("{name} {what}")
    }

    fn security_schemes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (
                "orchestrixToken",
                json!({
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "Orchestrix's `Authorization: token <key>`: a gateway JWT or API key, or else \
                        the caller's own Orchestrix token, passed through.",
                }),
            ),
            (
                "orchestrixBearer",
                json!({
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <jwt>`: a gateway JWT, or else the caller's own \
                        Orchestrix JWT, passed through.",
                }),
            ),
        ]
    }

    /// Deletes (and logout) answer with no body upstream, which is a 204.
    fn success_responses(&self, method: Method, path_template: &str) -> Vec<(u16, Option<Value>)> {
        let status = success_status(method, path_template, &json!({}));
        let mut out = vec![(status, Some(json!({})))];
        if method == Method::Delete {
            let empty = success_status(method, path_template, &Value::Null);
            out.retain(|(s, _)| *s != empty);
            out.push((empty, None));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut headers = ::http::HeaderMap::new();
        for (value, want) in [
            ("token abc", Some("abc")),
            ("Bearer ey.x", Some("ey.x")),
            ("Basic abc", None),
        ] {
            headers.insert("authorization", value.parse().expect("a header value"));
            assert_eq!(OrchestrixWire.credential(&headers).as_deref(), want);
        }
    }
}
