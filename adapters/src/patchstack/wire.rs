//! Patchstack on the wire: `HostToken: <key>`, plain JSON objects on success and `{"error": "..."}`
//! with the documented statuses (401, 403, 404, 422) otherwise, validation worded as Laravel words it.

use super::PatchstackClient;
use crate::{
    ErrorCode, Provider, Upstream,
    shape::Failure,
    wire::{Credentials, Wire, error_body, header_text},
};
use serde_json::{Value, json};
use std::{sync::Arc, time::Duration};

pub struct PatchstackWire;

impl Wire for PatchstackWire {
    fn provider(&self) -> Provider {
        Provider::Patchstack
    }

    fn connect(
        &self,
        base_url: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Arc<dyn Upstream>, String> {
        let token = credentials.require("token")?;
        Ok(Arc::new(PatchstackClient::new(base_url, token, timeout)))
    }

    /// No cheap list exists: an unknown user answers 404 with valid credentials, 401 without.
    fn probe(&self) -> &'static str {
        "/hosting/user/0/view"
    }

    fn probe_finds_nothing(&self) -> bool {
        true
    }

    fn credential(&self, headers: &::http::HeaderMap) -> Option<String> {
        header_text(headers, "hosttoken")
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    }

    /// Validation is a 422 there, and a missing token `Unauthenticated.`.
    fn refusal(&self, code: ErrorCode, message: &str, _: Option<&str>) -> (u16, Value) {
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

    fn upstream_error(&self, status: u16, text: &str) -> (u16, Value) {
        (status, error_body(text))
    }

    /// Worded as the upstream words an unknown user or site.
    fn invalid_path_param(&self, name: &str, _: &str) -> (u16, Value) {
        let what = if name == "siteid" { "Site" } else { "User" };
        (404, error_body(&format!("{what} not found.")))
    }

    /// Patchstack's Laravel words its refusals in the older style (`The email must be ...`), in its
    /// documented single `error` message: the first refused field.
    fn word(&self, field: &str, failure: &Failure) -> String {
        crate::rules::laravel(field, failure, false)
    }

    fn security_schemes(&self) -> Vec<(&'static str, Value)> {
        vec![(
            "patchstackHostToken",
            json!({
                "type": "apiKey",
                "in": "header",
                "name": "HostToken",
                "description": "Patchstack's `HostToken: <key>`, with a gateway JWT or API key.",
            }),
        )]
    }

    /// The documented plugin .zip.
    fn download_media_type(&self) -> &'static str {
        "application/zip"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gateway errors read like Patchstack's own.
    #[test]
    fn shapes() {
        let wire = PatchstackWire;
        assert_eq!(
            wire.refusal(
                ErrorCode::Validation,
                "The email must be a valid email address.",
                None
            ),
            (
                422,
                json!({"error": "The email must be a valid email address."})
            )
        );
        assert_eq!(
            wire.unauthenticated().1,
            json!({"error": "Unauthenticated."})
        );
        assert_eq!(
            wire.invalid_path_param("siteid", "x"),
            (404, json!({"error": "Site not found."}))
        );
        let refused = crate::shape::Refused::Fields(vec![
            crate::shape::Refusal {
                field: "email".into(),
                failure: Failure::Type(crate::shape::Kind::String),
            },
            crate::shape::Refusal {
                field: "first_name".into(),
                failure: Failure::Missing,
            },
        ]);
        assert_eq!(
            wire.refused(&refused),
            (422, json!({"error": "The email must be a string."})),
            "one message: the first refused field"
        );
    }
}
