//! The WP Orchestrix client: `Authorization: token <api token>` with the stored credentials, or the
//! caller's own `Authorization` value (an API token or a JWT from the upstream's login) passed through
//! verbatim. Lists are pages (`?page=N`) whose `X-Total-Count` and `Link` headers say what is left.

use crate::{
    Method, Page, PageFuture, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
    plain::read_body,
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
