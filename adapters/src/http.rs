//! The transport every adapter shares: one reqwest client with deadlines, the `Upstream` trait that the
//! resolvers call, and the mapping of transport failures to `UpstreamError`.

use crate::UpstreamError;
use serde_json::Value;
use std::{future::Future, pin::Pin, time::Duration};

pub type UpstreamFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Value, UpstreamError>> + Send + 'a>>;

/// HTTP methods the documented endpoints use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn from_http(m: &axum::http::Method) -> Option<Method> {
        Some(match *m {
            axum::http::Method::GET => Method::Get,
            axum::http::Method::POST => Method::Post,
            axum::http::Method::PUT => Method::Put,
            axum::http::Method::PATCH => Method::Patch,
            axum::http::Method::DELETE => Method::Delete,
            _ => return None,
        })
    }

    fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One upstream account, reachable through its API's auth and envelope. `call` returns the payload
/// inside the envelope (HosterAPI's `result`), or the mapped error.
pub trait Upstream: Send + Sync {
    fn call<'a>(&'a self, method: Method, path: &'a str, body: Option<Value>)
    -> UpstreamFuture<'a>;
}

/// Shared HTTP settings of a connection.
#[derive(Debug, Clone)]
pub struct Transport {
    pub client: reqwest::Client,
    pub base_url: String,
    pub timeout: Duration,
}

/// A raw HTTP answer, before the API's envelope is read.
pub struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Transport {
    pub fn new(base_url: &str, timeout: Duration) -> Transport {
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .build()
            .expect("the reqwest client builder has no invalid settings here");
        Transport {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            timeout,
        }
    }

    /// Sends one request with the deadline covering connect, headers and body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<RawResponse, UpstreamError> {
        let url = format!("{}{}", self.base_url, path);
        let mut req = self
            .client
            .request(method.to_reqwest(), &url)
            .header("Accept", "application/json");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let work = async {
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let body = resp.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(RawResponse { status, body })
        };
        match tokio::time::timeout(self.timeout, work).await {
            Err(_) => Err(UpstreamError::Timeout(self.timeout)),
            Ok(Err(e)) if e.is_timeout() => Err(UpstreamError::Timeout(self.timeout)),
            Ok(Err(e)) => Err(UpstreamError::Unavailable {
                // reqwest's Display never includes headers, so no credential reaches the log.
                detail: e.to_string(),
            }),
            Ok(Ok(raw)) => Ok(raw),
        }
    }
}
