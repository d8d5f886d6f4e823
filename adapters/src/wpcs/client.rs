//! The WPCS client: `Authorization: Basic base64(key:secret)`, plain JSON, and
//! `{"statusCode": 400, "message": "..."}` errors. A connection may be pinned to one product: partner
//! keys then get `?productId=` on tenant, version and snapshot calls that do not name one.

use crate::{
    Download, DownloadFuture, ErrorCode, Request, Upstream, UpstreamError, UpstreamFuture,
    http::{RawResponse, Transport},
};
use base64::{Engine, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

pub struct WpcsClient {
    transport: Transport,
    /// `Basic <base64(key:secret)>`, built once.
    authorization: SecretString,
    product_id: Option<String>,
}

/// Paths whose calls are product-specific for a partner key.
const PRODUCT_SCOPED: [&str; 3] = ["/v1/tenants", "/v1/versions", "/v1/snapshots"];

impl WpcsClient {
    pub fn new(
        base_url: &str,
        key: &SecretString,
        secret: &SecretString,
        product_id: Option<String>,
        timeout: Duration,
    ) -> WpcsClient {
        let pair = format!("{}:{}", key.expose_secret(), secret.expose_secret());
        WpcsClient {
            transport: Transport::new(base_url, timeout),
            authorization: SecretString::from(format!("Basic {}", STANDARD.encode(pair))),
            product_id,
        }
    }

    /// Adds the pinned product to a product-scoped path that names none.
    fn scoped(&self, path: &str) -> String {
        match &self.product_id {
            Some(product)
                if PRODUCT_SCOPED.iter().any(|p| path.starts_with(p))
                    && !path.contains("productId=") =>
            {
                let sep = if path.contains('?') { '&' } else { '?' };
                format!("{path}{sep}productId={product}")
            }
            _ => path.to_string(),
        }
    }

    async fn send(&self, request: Request<'_>) -> Result<Value, UpstreamError> {
        let path = self.scoped(request.path);
        let headers = request.headers("Authorization", self.authorization.expose_secret(), None)?;
        read_body(
            self.transport
                .send(request.method, &path, &headers, request.body.as_ref())
                .await?,
        )
    }

    async fn open(&self, path: &str) -> Result<Download, UpstreamError> {
        let path = self.scoped(path);
        let headers = [("Authorization", self.authorization.expose_secret())];
        match self.transport.open(&path, &headers).await? {
            Ok(download) => Ok(download),
            Err(raw) => Err(read_body(raw).err().unwrap_or(UpstreamError::Malformed {
                status: 200,
                detail: "download refused without an error body".into(),
            })),
        }
    }
}

impl Upstream for WpcsClient {
    fn send<'a>(&'a self, request: Request<'a>) -> UpstreamFuture<'a> {
        Box::pin(WpcsClient::send(self, request))
    }

    fn download<'a>(&'a self, path: &'a str, _: Option<&'a str>) -> DownloadFuture<'a> {
        Box::pin(self.open(path))
    }
}

pub fn code_of(status: u16) -> ErrorCode {
    match status {
        400 | 422 => ErrorCode::Validation,
        401 => ErrorCode::UpstreamUnauthorized,
        404 => ErrorCode::NotFound,
        _ => ErrorCode::UpstreamRejected,
    }
}

fn read_body(raw: RawResponse) -> Result<Value, UpstreamError> {
    crate::plain::read_json(raw, "message", code_of)
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

    /// The documented error body keeps its status and message; successes are plain JSON.
    #[test]
    fn bodies() {
        let e = read_body(raw(400, r#"{"statusCode": 400, "message": "Validation error occured: Property xxx cannot be null"}"#)).unwrap_err();
        assert_eq!(
            (e.code(), e.upstream_status()),
            (ErrorCode::Validation, Some(400))
        );
        assert_eq!(
            e.upstream_error(),
            Some("Validation error occured: Property xxx cannot be null")
        );
        assert_eq!(read_body(raw(200, "[]")).unwrap(), serde_json::json!([]));
        assert_eq!(read_body(raw(200, "")).unwrap(), Value::Null);
    }

    /// A pinned product is added to product-scoped calls only, and never twice.
    #[test]
    fn pinned_product() {
        let c = WpcsClient::new(
            "http://x",
            &"k".into(),
            &"s".into(),
            Some("p1".into()),
            Duration::from_secs(1),
        );
        assert_eq!(c.scoped("/v1/tenants"), "/v1/tenants?productId=p1");
        assert_eq!(
            c.scoped("/v1/tenants?tenantId=t"),
            "/v1/tenants?tenantId=t&productId=p1"
        );
        assert_eq!(
            c.scoped("/v1/tenants?productId=p2"),
            "/v1/tenants?productId=p2"
        );
        assert_eq!(c.scoped("/v1/products"), "/v1/products");
    }
}
