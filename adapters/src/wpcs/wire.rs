//! WPCS on the wire: `Authorization: Basic base64(key:secret)`, plain JSON, and
//! `{"statusCode": <status>, "message": "..."}` errors, validation ones worded
//! `Validation error occured: ...` as WPCS words them (its spelling).

use super::WpcsClient;
use crate::{
    ErrorCode, Provider, Upstream,
    rules::Rule,
    shape::{Failure, Kind},
    wire::{Credentials, Wire, header_text},
};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};

const VALIDATION_PREFIX: &str = "Validation error occured: ";

pub struct WpcsWire;

pub fn error_body(status: u16, message: &str) -> Value {
    json!({ "statusCode": status, "message": message })
}

impl Wire for WpcsWire {
    fn provider(&self) -> Provider {
        Provider::Wpcs
    }

    /// `key` and `secret`, with an optional `product_id` pinning a partner key to one product.
    fn connect(
        &self,
        base_url: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Arc<dyn Upstream>, String> {
        Ok(Arc::new(WpcsClient::new(
            base_url,
            &credentials.require("key")?,
            &credentials.require("secret")?,
            credentials
                .get("product_id")
                .map(|p| p.expose_secret().to_string()),
            timeout,
        )))
    }

    fn probe(&self) -> &'static str {
        "/v1/products"
    }

    /// The gateway reads its own credential from the secret part of `Basic base64(key:secret)` (the
    /// key part is free, an integrator's label), or from `Bearer`.
    fn credential(&self, headers: &::http::HeaderMap) -> Option<String> {
        use base64::{Engine, engine::general_purpose::STANDARD};
        let header = header_text(headers, "authorization")?;
        let (scheme, value) = header.split_once(char::is_whitespace)?;
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

    fn refusal(&self, code: ErrorCode, message: &str, _: Option<&str>) -> (u16, Value) {
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

    fn upstream_error(&self, status: u16, text: &str) -> (u16, Value) {
        (status, error_body(status, text))
    }

    /// WPCS takes everything in the query string: a missing or unreadable one is a validation error.
    fn invalid_path_param(&self, name: &str, value: &str) -> (u16, Value) {
        let failure = if value.is_empty() {
            Failure::Missing
        } else {
            Failure::Type(Kind::Any)
        };
        let text = self.word(name, &failure);
        self.refusal(ErrorCode::Validation, &text, Some(name))
    }

    /// WPCS's documented `Property xxx cannot be null` for a missing field; its other refusals are
    /// worded in the same style, an assumption (the docs show no other validation message).
    fn word(&self, field: &str, failure: &Failure) -> String {
        let what = match failure {
            // The documented sentences of WPCS's naming rules stand alone.
            Failure::Rule(Rule::Matches(p)) => return p.message.to_string(),
            Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required | Rule::NotBlank) => {
                "cannot be null".to_string()
            }
            Failure::Type(Kind::String) => "must be a string".into(),
            Failure::Type(Kind::Integer) => "must be an integer".into(),
            Failure::Type(Kind::Number) => "must be a number".into(),
            Failure::Type(Kind::Boolean) => "must be a boolean".into(),
            Failure::Type(Kind::Enum) | Failure::Rule(Rule::OneOf(_) | Rule::In(_)) => {
                "must be one of the allowed values".into()
            }
            Failure::Type(Kind::List) => "must be an array".into(),
            Failure::Type(Kind::Object) => "must be an object".into(),
            Failure::Type(Kind::Date) => "must be an ISO 8601 date".into(),
            Failure::Type(Kind::Any) | Failure::Rule(_) => "is invalid".into(),
        };
        format!("Property {field} {what}")
    }

    fn security_schemes(&self) -> Vec<(&'static str, Value)> {
        vec![
            (
                "wpcsBasic",
                json!({
                    "type": "http",
                    "scheme": "basic",
                    "description": "WPCS's `Authorization: Basic base64(<label>:<credential>)`: the password part \
                        is a gateway JWT or API key, the user part any label.",
                }),
            ),
            (
                "wpcsBearer",
                json!({
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <credential>` with a gateway JWT or API key.",
                }),
            ),
        ]
    }

    fn error_schema(&self) -> Value {
        json!({
            "type": "object",
            "required": ["statusCode", "message"],
            "properties": {
                "statusCode": { "type": "integer" },
                "message": { "type": "string" },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validation errors read like WPCS's own, once prefixed; Basic credentials yield their secret.
    #[test]
    fn shapes() {
        let wire = WpcsWire;
        assert_eq!(
            wire.refusal(ErrorCode::Validation, "Property name cannot be null", None),
            (
                400,
                json!({"statusCode": 400, "message": "Validation error occured: Property name cannot be null"})
            )
        );
        assert_eq!(
            wire.refusal(ErrorCode::Validation, "Validation error occured: x", None)
                .1["message"],
            "Validation error occured: x"
        );
        use base64::{Engine, engine::general_purpose::STANDARD};
        let credential = |value: &str| {
            let mut headers = ::http::HeaderMap::new();
            headers.insert("authorization", value.parse().expect("a header value"));
            wire.credential(&headers)
        };
        let basic = format!("Basic {}", STANDARD.encode("key:hp_abc"));
        assert_eq!(credential(&basic).as_deref(), Some("hp_abc"));
        assert_eq!(credential("Bearer t").as_deref(), Some("t"));
        assert_eq!(credential("Basic !!!"), None);
    }
}
