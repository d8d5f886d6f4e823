//! The Patchstack client: adds the `HostToken` header, returns the plain JSON object, and maps
//! `{"error": "..."}` answers by their documented statuses (401, 403, 404, 422).

use crate::{
    Download, DownloadFuture, ErrorCode, Method, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

pub struct PatchstackClient {
    transport: Transport,
    token: SecretString,
}

impl PatchstackClient {
    pub fn new(base_url: &str, token: SecretString, timeout: Duration) -> PatchstackClient {
        PatchstackClient {
            transport: Transport::new(base_url, timeout),
            token,
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, UpstreamError> {
        let raw = self
            .transport
            .send(
                method,
                path,
                &[("HostToken", self.token.expose_secret())],
                body.as_ref(),
            )
            .await?;
        read_body(raw)
    }

    async fn open(&self, path: &str) -> Result<Download, UpstreamError> {
        match self
            .transport
            .open(path, &[("HostToken", self.token.expose_secret())])
            .await?
        {
            Ok(download) => Ok(download),
            Err(raw) => Err(read_body(raw).err().unwrap_or(UpstreamError::Malformed {
                status: 200,
                detail: "download refused without an error body".into(),
            })),
        }
    }
}

impl Upstream for PatchstackClient {
    fn call<'a>(
        &'a self,
        method: Method,
        path: &'a str,
        body: Option<Value>,
    ) -> UpstreamFuture<'a> {
        Box::pin(self.send(method, path, body))
    }

    fn download<'a>(&'a self, path: &'a str) -> DownloadFuture<'a> {
        Box::pin(self.open(path))
    }
}

/// The gateway code for a documented Patchstack error status.
pub fn code_of(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::UpstreamUnauthorized,
        404 => ErrorCode::NotFound,
        422 => ErrorCode::Validation,
        _ => ErrorCode::UpstreamRejected,
    }
}

fn read_body(raw: RawResponse) -> Result<Value, UpstreamError> {
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

    /// A success is the plain object; documented errors keep their status and text.
    #[test]
    fn bodies() {
        assert_eq!(
            read_body(raw(200, r#"{"id": 7}"#)).unwrap(),
            serde_json::json!({"id": 7})
        );
        let e = read_body(raw(
            422,
            r#"{"error": "The email must be a valid email address."}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::Validation);
        assert_eq!(e.upstream_status(), Some(422));
        assert_eq!(
            e.upstream_error(),
            Some("The email must be a valid email address.")
        );
        assert_eq!(
            read_body(raw(404, r#"{"error": "x"}"#)).unwrap_err().code(),
            ErrorCode::NotFound
        );
        assert_eq!(
            read_body(raw(500, "oops")).unwrap_err().code(),
            ErrorCode::UpstreamMalformed
        );
    }
}
