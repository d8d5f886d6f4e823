//! PanelAlpha on the wire: `Authorization: Bearer <token>`, `{"data": ...}` successes and the
//! documented 401 `{"message": "Unauthenticated."}`. The docs give no other error body, so the
//! gateway's own refusals use Laravel's shape (`{"message": ..., "errors": {field: [...]}}` with 422 for
//! validation), an assumption.

use super::PanelalphaClient;
use crate::{
    ErrorCode, Method, Provider, Upstream,
    wire::{Credentials, Wire, header_text, scheme_credential},
};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};

pub struct PanelalphaWire;

fn message(text: &str) -> Value {
    json!({ "message": text })
}

impl Wire for PanelalphaWire {
    fn provider(&self) -> Provider {
        Provider::Panelalpha
    }

    fn connect(
        &self,
        base_url: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Arc<dyn Upstream>, String> {
        let token = credentials.require("token")?;
        Ok(Arc::new(PanelalphaClient::new(base_url, token, timeout)))
    }

    fn probe(&self) -> &'static str {
        "/api/admin/users"
    }

    fn credential(&self, headers: &::http::HeaderMap) -> Option<String> {
        scheme_credential(header_text(headers, "authorization")?, &["bearer"]).map(str::to_string)
    }

    fn user_header(&self) -> Option<&'static str> {
        Some(super::client::USER_HEADER)
    }

    /// Sign-in tokens and links, and passwords, are for admins only.
    fn secret_keys(&self) -> &'static [&'static str] {
        &["password", "token", "sso_token", "url", "api_token"]
    }

    fn success(&self, _: Method, _: &str, result: Value) -> (u16, Value) {
        (200, json!({ "data": result }))
    }

    fn refusal(&self, code: ErrorCode, text: &str, field: Option<&str>) -> (u16, Value) {
        match code {
            ErrorCode::Unauthenticated => (401, message("Unauthenticated.")),
            ErrorCode::Validation => {
                let mut body = message(text);
                if let Some(field) = field {
                    body["errors"] = json!({ field: [text] });
                }
                (422, body)
            }
            other => (other.http_status(), message(text)),
        }
    }

    fn upstream_error(&self, status: u16, text: &str) -> (u16, Value) {
        (status, message(text))
    }

    /// Laravel's wording.
    fn input_error(&self, missing: bool, field: &str, detail: &str) -> (u16, Value) {
        let name = field.replace('_', " ");
        let text = if missing {
            format!("The {name} field is required.")
        } else if detail.contains("unknown variant") {
            format!("The selected {name} is invalid.")
        } else if detail.contains("boolean") {
            format!("The {name} field must be true or false.")
        } else if ["i64", "i32", "integer", "invalid digit"]
            .iter()
            .any(|t| detail.contains(t))
        {
            format!("The {name} field must be an integer.")
        } else if detail.contains("string") {
            format!("The {name} field must be a string.")
        } else {
            format!("The {name} field format is invalid.")
        };
        self.refusal(ErrorCode::Validation, &text, Some(field))
    }

    fn security_schemes(&self) -> Vec<(&'static str, Value)> {
        vec![(
            "panelalphaBearer",
            json!({
                "type": "http",
                "scheme": "bearer",
                "description": "PanelAlpha's `Authorization: Bearer <token>`, with a gateway JWT or API key.",
            }),
        )]
    }

    fn error_schema(&self) -> Value {
        json!({
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": { "type": "string" },
                "errors": {
                    "type": "object",
                    "additionalProperties": { "type": "array", "items": { "type": "string" } },
                },
            },
        })
    }

    fn success_responses(&self, _: Method, _: &str) -> Vec<(u16, Option<Value>)> {
        vec![(
            200,
            Some(json!({ "type": "object", "required": ["data"], "properties": { "data": {} } })),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented 401 exactly; validation in Laravel's shape, naming the field.
    #[test]
    fn shapes() {
        let wire = PanelalphaWire;
        assert_eq!(
            wire.unauthenticated(),
            (401, json!({"message": "Unauthenticated."}))
        );
        assert_eq!(
            wire.input_error(true, "email", ""),
            (
                422,
                json!({"message": "The email field is required.",
                    "errors": {"email": ["The email field is required."]}})
            )
        );
        assert_eq!(
            wire.success(Method::Get, "/api/admin/users", json!([])).1,
            json!({"data": []})
        );
    }
}
