//! The HosterAPI client: adds the bearer token, unwraps `result`, and maps `0xNN:` errors to stable codes.

use super::envelope;
use crate::{
    Request, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

pub struct HosterapiClient {
    transport: Transport,
    token: SecretString,
}

impl HosterapiClient {
    pub fn new(base_url: &str, token: SecretString, timeout: Duration) -> HosterapiClient {
        HosterapiClient {
            transport: Transport::new(base_url, timeout),
            token,
        }
    }

    async fn send(&self, request: Request<'_>) -> Result<Value, UpstreamError> {
        let auth = format!("Bearer {}", self.token.expose_secret());
        let headers = request.headers("Authorization", &auth, None)?;
        let raw = self
            .transport
            .send(
                request.method,
                request.path,
                &headers,
                request.body.as_ref(),
            )
            .await?;
        read_envelope(raw)
    }
}

impl Upstream for HosterapiClient {
    fn send<'a>(&'a self, request: Request<'a>) -> UpstreamFuture<'a> {
        Box::pin(HosterapiClient::send(self, request))
    }
}

/// Reads HosterAPI's envelope. The incidents endpoint documents `{"response": [...], "error": false}`
/// instead of `result`; both shapes are accepted and the payload returned.
fn read_envelope(raw: RawResponse) -> Result<Value, UpstreamError> {
    let body: Value = serde_json::from_slice(&raw.body).map_err(|e| UpstreamError::Malformed {
        status: raw.status,
        detail: format!("not JSON: {e}"),
    })?;
    if let Some(error) = body.get("error").and_then(Value::as_str) {
        return Err(envelope::rejected(raw.status, error));
    }
    if !(200..300).contains(&raw.status) {
        return Err(UpstreamError::Malformed {
            status: raw.status,
            detail: "error status without an error body".into(),
        });
    }
    match body {
        Value::Object(mut map) => map
            .remove("result")
            .or_else(|| map.remove("response"))
            .ok_or_else(|| UpstreamError::Malformed {
                status: raw.status,
                detail: "no result key".into(),
            }),
        _ => Err(UpstreamError::Malformed {
            status: raw.status,
            detail: "envelope is not an object".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            body: body.as_bytes().to_vec(),
            ..RawResponse::default()
        }
    }

    /// The documented success envelope yields the payload inside `result`.
    #[test]
    fn unwraps_result() {
        let v = read_envelope(raw(200, r#"{"result":[4001,4002]}"#)).unwrap();
        assert_eq!(v, serde_json::json!([4001, 4002]));
    }

    /// The incidents endpoint's `response` key is read too.
    #[test]
    fn unwraps_response_key() {
        let v = read_envelope(raw(200, r#"{"response":[{"gid":1}],"error":false}"#)).unwrap();
        assert_eq!(v, serde_json::json!([{"gid": 1}]));
    }

    /// A documented error keeps its status and text and gets a stable code.
    #[test]
    fn maps_errors() {
        let e = read_envelope(raw(
            404,
            r#"{"result":false,"error":"0x01: no vm with id 4010 found"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::NotFound);
        assert_eq!(e.upstream_status(), Some(404));
        assert_eq!(e.upstream_error(), Some("0x01: no vm with id 4010 found"));
    }

    /// HTML from a proxy in front of the upstream is malformed, not a panic.
    #[test]
    fn malformed_body() {
        let e = read_envelope(raw(502, "<html>bad gateway</html>")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UpstreamMalformed);
    }
}
