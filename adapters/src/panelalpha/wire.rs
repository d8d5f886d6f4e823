//! PanelAlpha on the wire: `Authorization: Bearer <token>`, `{"data": ...}` successes and the
//! documented 401 `{"message": "Unauthenticated."}`. The docs give no other error body, so the
//! gateway's own refusals use Laravel's shape (`{"message": ..., "errors": {field: [...]}}` with 422 for
//! validation), an assumption.

use super::PanelalphaClient;
use crate::{
    ErrorCode, Method, Provider, Upstream,
    shape::Refused,
    wire::{Credentials, MALFORMED_BODY, Wire, header_text, scheme_credential},
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

    /// Sign-in tokens and links, passwords, and the credentials the panel reaches its servers
    /// with (`connection_config`), are for admins only.
    fn secret_keys(&self) -> &'static [&'static str] {
        &[
            "password",
            "token",
            "sso_token",
            "url",
            "api_token",
            "connection_config",
        ]
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

    /// Laravel's 422: every refused field in `errors`, in declaration order, and `message` the
    /// first one's text, followed by `(and N more error[s])` as Laravel adds.
    fn refused(&self, refused: &Refused) -> (u16, Value) {
        let Refused::Fields(fields) = refused else {
            return self.refusal(ErrorCode::Validation, MALFORMED_BODY, None);
        };
        let texts: Vec<(String, String)> = fields
            .iter()
            .map(|r| (r.field.clone(), self.word(&r.field, &r.failure)))
            .collect();
        let mut message = texts.first().map(|(_, t)| t.clone()).unwrap_or_default();
        match texts.len() {
            0 | 1 => {}
            2 => message.push_str(" (and 1 more error)"),
            n => message.push_str(&format!(" (and {} more errors)", n - 1)),
        }
        let errors: serde_json::Map<String, Value> = texts
            .into_iter()
            .map(|(field, text)| (field, json!([text])))
            .collect();
        (422, json!({"message": message, "errors": errors}))
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
    use crate::shape::{Failure, Kind, Refusal};

    /// The documented 401 exactly; validation in Laravel's shape, naming the field.
    #[test]
    fn shapes() {
        let wire = PanelalphaWire;
        assert_eq!(
            wire.unauthenticated(),
            (401, json!({"message": "Unauthenticated."}))
        );
        let refused = |fields: &[(&str, Failure)]| {
            Refused::Fields(
                fields
                    .iter()
                    .map(|(f, failure)| Refusal {
                        field: f.to_string(),
                        failure: *failure,
                    })
                    .collect(),
            )
        };
        assert_eq!(
            wire.refused(&refused(&[("email", Failure::Missing)])),
            (
                422,
                json!({"message": "The email field is required.",
                    "errors": {"email": ["The email field is required."]}})
            )
        );
        assert_eq!(
            wire.refused(&refused(&[
                ("first_name", Failure::Type(Kind::String)),
                ("email", Failure::Missing),
                ("password", Failure::Missing),
            ])),
            (
                422,
                json!({"message": "The first name field must be a string. (and 2 more errors)",
                    "errors": {"first_name": ["The first name field must be a string."],
                        "email": ["The email field is required."],
                        "password": ["The password field is required."]}})
            )
        );
        assert_eq!(
            wire.refused(&Refused::Body(Kind::Object)).0,
            422,
            "a body of the wrong kind is a malformed one"
        );
        assert_eq!(
            wire.success(Method::Get, "/api/admin/users", json!([])).1,
            json!({"data": []})
        );
    }
}
