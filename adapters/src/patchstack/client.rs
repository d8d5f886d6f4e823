//! The Patchstack client: adds the `HostToken` header, returns the plain JSON object, and maps
//! `{"error": "..."}` answers by their documented statuses (401, 403, 404, 422).

use crate::{
    Download, DownloadFuture, Request, Upstream, UpstreamError, UpstreamFuture, http::Transport,
    plain::read_body,
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

    async fn send(&self, request: Request<'_>) -> Result<Value, UpstreamError> {
        let headers = request.headers("HostToken", self.token.expose_secret(), None)?;
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
    fn send<'a>(&'a self, request: Request<'a>) -> UpstreamFuture<'a> {
        Box::pin(PatchstackClient::send(self, request))
    }

    fn download<'a>(&'a self, path: &'a str, _: Option<&'a str>) -> DownloadFuture<'a> {
        Box::pin(self.open(path))
    }
}
