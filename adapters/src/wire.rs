//! Each provider's wire knowledge, in one place: how a REST caller presents a credential, the bodies
//! and statuses the API answers with (success, its 401, its errors), the cheap read that tells a working
//! connection, its OpenAPI security scheme, what `raw` must hide, and how its client is built from a
//! connection's credentials. The gateway asks a provider's `Wire` and never matches on the provider.

use crate::{
    ErrorCode, Method, Provider, Upstream,
    shape::{Failure, Refused},
};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use std::{collections::BTreeMap, sync::Arc, time::Duration};

/// The refusal of a body that is not JSON, or not the JSON kind the endpoint takes (an array where
/// an object is declared), in every API's validation error.
pub const MALFORMED_BODY: &str = "invalid JSON body";

/// A provider's wire knowledge. Statuses and bodies are the API's own, as an integrator written
/// against it expects them.
pub trait Wire: Send + Sync {
    fn provider(&self) -> Provider;

    /// The client of one connection, from its base URL and credentials; the error names what is
    /// missing.
    fn connect(
        &self,
        base_url: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Arc<dyn Upstream>, String>;

    /// The cheap upstream read `testConnection` makes: its refusal tells an unreachable upstream from
    /// refused credentials.
    fn probe(&self) -> &'static str;

    /// Whether `probe` asks for something that does not exist, so that its 404 is the healthy
    /// answer: for an API with no cheap list.
    fn probe_finds_nothing(&self) -> bool {
        false
    }

    /// The gateway credential (JWT or API key) a REST caller presents where the API carries its own.
    fn credential(&self, headers: &::http::HeaderMap) -> Option<String>;

    /// Whether a REST caller's `Authorization` that is not the gateway's own is the caller's own
    /// upstream credential, passed through (APIs that issue per-user credentials).
    fn passes_through(&self) -> bool {
        false
    }

    /// The header a call acts as one of the upstream's own users with (PanelAlpha's
    /// `X-PanelAlpha-User`), where it has one.
    fn user_header(&self) -> Option<&'static str> {
        None
    }

    /// A success: status and body around the upstream's payload.
    fn success(&self, method: Method, path_template: &str, result: Value) -> (u16, Value) {
        let _ = (method, path_template);
        (200, result)
    }

    /// An error the gateway raises itself (no upstream text to repeat), with the status the API uses
    /// for that meaning. `field` names the input field a validation error is about, where known.
    fn refusal(&self, code: ErrorCode, message: &str, field: Option<&str>) -> (u16, Value);

    /// The answer to a call without a usable credential.
    fn unauthenticated(&self) -> (u16, Value) {
        self.refusal(ErrorCode::Unauthenticated, "unauthorized", None)
    }

    /// The upstream's own error, repeated as it came (status and text).
    fn upstream_error(&self, status: u16, text: &str) -> (u16, Value);

    /// A path segment that cannot be the ID the endpoint takes.
    fn invalid_path_param(&self, name: &str, value: &str) -> (u16, Value) {
        let message = format!("invalid value `{value}` for {name}");
        self.refusal(ErrorCode::NotFound, &message, None)
    }

    /// An input field refused before any call (missing, of the wrong kind, breaking a documented
    /// rule), in the API's words: Laravel's by default, which PanelAlpha and Patchstack speak.
    fn word(&self, field: &str, failure: &Failure) -> String {
        crate::rules::laravel(field, failure, true)
    }

    /// The answer to an input refused before any call: a body of the wrong kind as a malformed one;
    /// refused fields as the API's validation error, naming the first (an API whose error carries a
    /// field map names them all).
    fn refused(&self, refused: &Refused) -> (u16, Value) {
        match refused {
            Refused::Body(_) => self.refusal(ErrorCode::Validation, MALFORMED_BODY, None),
            Refused::Fields(fields) => {
                let first = crate::shape::first(fields).expect("a refusal names a field");
                let text = self.word(&first.field, &first.failure);
                self.refusal(ErrorCode::Validation, &text, Some(&first.field))
            }
        }
    }

    /// The OpenAPI security schemes of the API's header formats, by name.
    fn security_schemes(&self) -> Vec<(&'static str, Value)>;

    /// The OpenAPI security requirement of its routes.
    fn security(&self) -> Value {
        Value::Array(
            self.security_schemes()
                .into_iter()
                .map(|(name, _)| json!({ name: [] }))
                .collect(),
        )
    }

    /// The JSON Schema of the API's error body.
    fn error_schema(&self) -> Value {
        json!({
            "type": "object",
            "required": ["error"],
            "properties": { "error": { "type": "string" } },
        })
    }

    /// The OpenAPI success answers of a route: status, and the schema of the body (`None`: no body).
    fn success_responses(&self, method: Method, path_template: &str) -> Vec<(u16, Option<Value>)> {
        let _ = (method, path_template);
        vec![(200, Some(json!({})))]
    }

    /// The media type a route that streams a file serves.
    fn download_media_type(&self) -> &'static str {
        "*/*"
    }

    /// Keys of upstream objects whose values only admins see in `raw` (secrets the typed fields guard).
    fn secret_keys(&self) -> &'static [&'static str] {
        &["secret"]
    }
}

/// A connection's credentials by name (`token`; WPCS's `key` and `secret`); Debug never shows the
/// values.
#[derive(Clone, Default, Deserialize)]
pub struct Credentials(pub BTreeMap<String, SecretString>);

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl Credentials {
    pub fn token(token: &str) -> Credentials {
        Credentials(BTreeMap::from([(
            "token".to_string(),
            SecretString::from(token),
        )]))
    }

    pub fn key_secret(key: &str, secret: &str) -> Credentials {
        Credentials(BTreeMap::from([
            ("key".to_string(), SecretString::from(key)),
            ("secret".to_string(), SecretString::from(secret)),
        ]))
    }

    /// The named credential, or what to tell the caller.
    pub fn require(&self, key: &str) -> Result<SecretString, String> {
        self.0
            .get(key)
            .cloned()
            .ok_or_else(|| format!("credentials need `{key}`"))
    }

    pub fn get(&self, key: &str) -> Option<&SecretString> {
        self.0.get(key)
    }

    /// The sealed form's plain text. Only the store calls it, to seal it at once.
    pub fn to_json(&self) -> String {
        let map: BTreeMap<&str, &str> = self
            .0
            .iter()
            .map(|(k, v)| (k.as_str(), v.expose_secret()))
            .collect();
        serde_json::to_string(&map).expect("a string map always serializes")
    }

    pub fn from_json(text: &[u8]) -> Option<Credentials> {
        let map: BTreeMap<String, String> = serde_json::from_slice(text).ok()?;
        Some(Credentials(
            map.into_iter()
                .map(|(k, v)| (k, SecretString::from(v)))
                .collect(),
        ))
    }
}

/// The trimmed text of a header.
pub fn header_text<'h>(headers: &'h ::http::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// The credential of an `Authorization: <scheme> <credential>` header, for any of `schemes`
/// (case-insensitive).
pub fn scheme_credential<'h>(header: &'h str, schemes: &[&str]) -> Option<&'h str> {
    let (scheme, value) = header.trim().split_once(char::is_whitespace)?;
    let value = value.trim();
    schemes
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
        .then_some(value)
        .filter(|v| !v.is_empty())
}

/// The plain `{"error": "..."}` body several APIs share.
pub fn error_body(text: &str) -> Value {
    json!({ "error": text })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Schemes are matched case-insensitively and an empty credential is none.
    #[test]
    fn schemes() {
        assert_eq!(scheme_credential("token abc", &["token"]), Some("abc"));
        assert_eq!(scheme_credential("BEARER ey.x", &["bearer"]), Some("ey.x"));
        assert_eq!(scheme_credential("Basic abc", &["token", "bearer"]), None);
        assert_eq!(scheme_credential("Bearer   ", &["bearer"]), None);
    }

    /// Credentials never show their values in Debug, and survive their sealed text.
    #[test]
    fn credentials() {
        let c = Credentials::key_secret("k", "s3cr3t");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let back = Credentials::from_json(c.to_json().as_bytes()).expect("round trip");
        assert_eq!(
            back.require("secret").expect("kept").expose_secret(),
            "s3cr3t"
        );
        assert!(back.require("token").is_err());
    }
}
