//! The WP Orchestrix client: `Authorization: token <api token>` with the stored credentials, or the
//! caller's own `Authorization` value (an API token or a JWT from the upstream's login) passed through
//! verbatim. Lists are pages (`?page=N`) whose `X-Total-Count` and `Link` headers say what is left.

use crate::{
    ErrorCode, Method, Page, PageFuture, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

pub struct OrchestrixClient {
    transport: Transport,
    token: SecretString,
}

/// Whose credential a request carries.
enum As<'a> {
    Stored,
    Caller(Option<&'a str>),
}

impl OrchestrixClient {
    pub fn new(base_url: &str, token: SecretString, timeout: Duration) -> OrchestrixClient {
        OrchestrixClient {
            transport: Transport::new(base_url, timeout),
            token,
        }
    }

    async fn send(
        &self,
        who: As<'_>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<RawResponse, UpstreamError> {
        let stored;
        let auth = match who {
            As::Stored => {
                stored = format!("token {}", self.token.expose_secret());
                Some(stored.as_str())
            }
            As::Caller(c) => c,
        };
        let headers: Vec<(&str, &str)> = auth.map(|a| ("Authorization", a)).into_iter().collect();
        self.transport
            .send(method, path, &headers, body.as_ref())
            .await
    }
}

impl Upstream for OrchestrixClient {
    fn call<'a>(
        &'a self,
        method: Method,
        path: &'a str,
        body: Option<Value>,
    ) -> UpstreamFuture<'a> {
        Box::pin(async move { read_body(self.send(As::Stored, method, path, body).await?) })
    }

    fn call_as<'a>(
        &'a self,
        caller: Option<&'a str>,
        method: Method,
        path: &'a str,
        body: Option<Value>,
    ) -> UpstreamFuture<'a> {
        Box::pin(async move { read_body(self.send(As::Caller(caller), method, path, body).await?) })
    }

    fn page<'a>(&'a self, caller: Option<Option<&'a str>>, path: &'a str) -> PageFuture<'a> {
        Box::pin(async move {
            let who = caller.map_or(As::Stored, As::Caller);
            let raw = self.send(who, Method::Get, path, None).await?;
            let header = |name: &str| {
                raw.headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let total = header("x-total-count").and_then(|t| t.trim().parse().ok());
            let has_next = header("link").map(|l| l.contains("rel=\"next\""));
            let items = read_body(raw)?;
            Ok(Page {
                items,
                total,
                has_next,
            })
        })
    }
}

/// The gateway code for a documented Orchestrix error status.
pub fn code_of(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::UpstreamUnauthorized,
        404 => ErrorCode::NotFound,
        422 => ErrorCode::Validation,
        _ => ErrorCode::UpstreamRejected,
    }
}

fn read_body(raw: RawResponse) -> Result<Value, UpstreamError> {
    // 204 No Content (deletes, logout) has no body.
    if raw.body.iter().all(u8::is_ascii_whitespace) && (200..300).contains(&raw.status) {
        return Ok(Value::Null);
    }
    let body: Value = serde_json::from_slice(&raw.body).map_err(|e| UpstreamError::Malformed {
        status: raw.status,
        detail: format!("not JSON: {e}"),
    })?;
    if (200..300).contains(&raw.status) {
        return Ok(body);
    }
    let text = match body.get("error") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => {
            return Err(UpstreamError::Malformed {
                status: raw.status,
                detail: "error status without an error key".into(),
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

    /// Plain bodies pass, 204s are null, documented errors keep status and text.
    #[test]
    fn bodies() {
        assert_eq!(
            read_body(raw(200, r#"[{"id":"site_abc123"}]"#)).unwrap()[0]["id"],
            "site_abc123"
        );
        assert_eq!(read_body(raw(204, "")).unwrap(), Value::Null);
        let e = read_body(raw(422, r#"{"error": "otp_attempt_required"}"#)).unwrap_err();
        assert_eq!(
            (e.code(), e.upstream_status()),
            (ErrorCode::Validation, Some(422))
        );
        assert_eq!(
            read_body(raw(404, r#"{"error": "Record not found"}"#))
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
        assert_eq!(
            read_body(raw(401, r#"{"error": "Invalid email or password"}"#))
                .unwrap_err()
                .upstream_error(),
            Some("Invalid email or password")
        );
    }
}
