//! The WP Orchestrix client: `Authorization: token <api token>` with the stored credentials, or the
//! caller's own `Authorization` value (an API token or a JWT from the upstream's login) passed through
//! verbatim. Lists are pages (`?page=N`) whose `X-Total-Count` and `Link` headers say what is left.

use crate::{
    Page, PageFuture, Request, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
    plain::read_body,
};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

pub struct OrchestrixClient {
    transport: Transport,
    token: SecretString,
}

impl OrchestrixClient {
    pub fn new(base_url: &str, token: SecretString, timeout: Duration) -> OrchestrixClient {
        OrchestrixClient {
            transport: Transport::new(base_url, timeout),
            token,
        }
    }

    async fn send(&self, request: &Request<'_>) -> Result<RawResponse, UpstreamError> {
        let stored = format!("token {}", self.token.expose_secret());
        let headers = request.headers("Authorization", &stored, None)?;
        self.transport
            .send(
                request.method,
                request.path,
                &headers,
                request.body.as_ref(),
            )
            .await
    }
}

impl Upstream for OrchestrixClient {
    fn send<'a>(&'a self, request: Request<'a>) -> UpstreamFuture<'a> {
        Box::pin(async move { read_body(OrchestrixClient::send(self, &request).await?) })
    }

    fn page<'a>(&'a self, request: Request<'a>) -> PageFuture<'a> {
        Box::pin(async move {
            let raw = OrchestrixClient::send(self, &request).await?;
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
