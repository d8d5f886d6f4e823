//! The PanelAlpha client: the bearer token, `X-PanelAlpha-User` when acting as one of the panel's
//! users, `{"data": ...}` unwrapped. The docs show one success body and the 401 only; other errors are
//! read as Laravel answers them (`{"message": ..., "errors": {...}}`), an assumption.

use crate::{
    Download, DownloadFuture, ErrorCode, Request, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

/// The header user endpoints act as one of the panel's users with.
pub const USER_HEADER: &str = "X-PanelAlpha-User";

pub struct PanelalphaClient {
    transport: Transport,
    token: SecretString,
}

impl PanelalphaClient {
    pub fn new(base_url: &str, token: SecretString, timeout: Duration) -> PanelalphaClient {
        PanelalphaClient {
            transport: Transport::new(base_url, timeout),
            token,
        }
    }

    async fn send(&self, request: Request<'_>) -> Result<Value, UpstreamError> {
        let auth = format!("Bearer {}", self.token.expose_secret());
        let headers = request.headers("Authorization", &auth, Some(USER_HEADER))?;
        let raw = self
            .transport
            .send(
                request.method,
                request.path,
                &headers,
                request.body.as_ref(),
            )
            .await?;
        read_body(raw)
    }

    /// A file the panel serves (a backup, a screenshot), as `user` where one is acted as.
    async fn open(&self, path: &str, user: Option<&str>) -> Result<Download, UpstreamError> {
        let auth = format!("Bearer {}", self.token.expose_secret());
        let mut headers = vec![("Authorization", auth.as_str())];
        headers.extend(user.map(|u| (USER_HEADER, u)));
        match self.transport.open(path, &headers).await? {
            Ok(download) => Ok(download),
            Err(raw) => Err(read_body(raw).err().unwrap_or(UpstreamError::Malformed {
                status: 200,
                detail: "download refused without an error body".into(),
            })),
        }
    }
}

impl Upstream for PanelalphaClient {
    fn send<'a>(&'a self, request: Request<'a>) -> UpstreamFuture<'a> {
        Box::pin(PanelalphaClient::send(self, request))
    }

    fn download<'a>(&'a self, path: &'a str, user: Option<&'a str>) -> DownloadFuture<'a> {
        Box::pin(self.open(path, user))
    }
}

fn code_of(status: u16) -> ErrorCode {
    match status {
        400 | 422 => ErrorCode::Validation,
        401 => ErrorCode::UpstreamUnauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        _ => ErrorCode::UpstreamRejected,
    }
}

/// The payload of a success (`data` where the body has it: a body without it is taken whole), or
/// the upstream's `message` mapped by status.
fn read_body(raw: RawResponse) -> Result<Value, UpstreamError> {
    Ok(match crate::plain::read_json(raw, "message", code_of)? {
        Value::Object(mut map) if map.contains_key("data") => {
            map.remove("data").unwrap_or_default()
        }
        other => other,
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

    /// `data` is unwrapped; the documented 401 and Laravel's 422 keep status and message.
    #[test]
    fn bodies() {
        assert_eq!(
            read_body(raw(200, r#"{"data": {"id": 1}}"#)).unwrap(),
            serde_json::json!({"id": 1})
        );
        assert_eq!(
            read_body(raw(200, r#"{"id": 1}"#)).unwrap(),
            serde_json::json!({"id": 1})
        );
        let e = read_body(raw(401, r#"{"message": "Unauthenticated."}"#)).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UpstreamUnauthorized);
        assert_eq!(e.upstream_error(), Some("Unauthenticated."));
        let e = read_body(raw(
            422,
            r#"{"message": "The email field is required.", "errors": {"email": ["The email field is required."]}}"#,
        ))
        .unwrap_err();
        assert_eq!(
            (e.code(), e.upstream_status()),
            (ErrorCode::Validation, Some(422))
        );
        assert_eq!(
            read_body(raw(500, "<html>")).unwrap_err().code(),
            ErrorCode::UpstreamMalformed
        );
    }
}
