//! The transport every adapter shares: one reqwest client with deadlines, the `Upstream` trait that the
//! resolvers call, and the mapping of transport failures to `UpstreamError`.

use crate::UpstreamError;
use serde_json::Value;
use std::{future::Future, pin::Pin, time::Duration};

pub type UpstreamFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Value, UpstreamError>> + Send + 'a>>;
pub type DownloadFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Download, UpstreamError>> + Send + 'a>>;

/// A file the upstream serves, with its body still streaming.
pub struct Download {
    pub content_type: String,
    pub disposition: Option<String>,
    pub body: Pin<Box<dyn futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send>>,
}

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

    pub fn from_http(m: &::http::Method) -> Option<Method> {
        Some(match *m {
            ::http::Method::GET => Method::Get,
            ::http::Method::POST => Method::Post,
            ::http::Method::PUT => Method::Put,
            ::http::Method::PATCH => Method::Patch,
            ::http::Method::DELETE => Method::Delete,
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

pub type PageFuture<'a> = Pin<Box<dyn Future<Output = Result<Page, UpstreamError>> + Send + 'a>>;

/// One page of a paginated list, with what the upstream says about the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page's items as the upstream sent them.
    pub items: Value,
    /// Items in the whole list, where the upstream says.
    pub total: Option<u64>,
    /// Whether a next page exists, where the upstream says.
    pub has_next: Option<bool>,
}

fn unsupported(what: &str) -> UpstreamError {
    UpstreamError::Rejected {
        code: crate::ErrorCode::Unsupported,
        status: 501,
        upstream_error: what.to_string(),
        message: what.to_string(),
    }
}

/// Whose credential an upstream request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acting<'a> {
    /// The connection's stored credential.
    Stored,
    /// The caller's own `Authorization` value, passed through verbatim (`None`: anonymously, as an
    /// upstream login is called), never the stored one. Only upstreams that issue per-user
    /// credentials take it.
    Caller(Option<&'a str>),
    /// The stored credential, acting as one of the upstream's own users (PanelAlpha's
    /// `X-PanelAlpha-User`). Only upstreams with such a header take it.
    User(&'a str),
}

/// One request to an upstream path (with its query string).
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: Method,
    pub path: &'a str,
    pub body: Option<Value>,
    pub acting: Acting<'a>,
    /// Header parameters the endpoint declares, sent as they are.
    pub headers: &'a [(&'static str, String)],
}

impl<'a> Request<'a> {
    /// A request with the stored credential and no declared headers.
    pub fn new(method: Method, path: &'a str, body: Option<Value>) -> Request<'a> {
        Request {
            method,
            path,
            body,
            acting: Acting::Stored,
            headers: &[],
        }
    }

    /// A `GET` with the stored credential.
    pub fn get(path: &'a str) -> Request<'a> {
        Request::new(Method::Get, path, None)
    }

    /// The headers to send: the credential `acting` names (`stored` for [`Acting::Stored`] and
    /// [`Acting::User`]), the user header where acting as a user, then the declared headers.
    /// `user_header` is `None` for upstreams without one, which then refuse [`Acting::User`].
    pub fn headers<'s>(
        &'s self,
        credential_header: &'static str,
        stored: &'s str,
        user_header: Option<&'static str>,
    ) -> Result<Vec<(&'static str, &'s str)>, UpstreamError> {
        let mut out = Vec::with_capacity(2 + self.headers.len());
        match self.acting {
            Acting::Stored => out.push((credential_header, stored)),
            Acting::Caller(caller) => out.extend(caller.map(|c| ("Authorization", c))),
            Acting::User(user) => {
                let header = user_header
                    .ok_or_else(|| unsupported("this upstream does not act as its users"))?;
                out.push((credential_header, stored));
                out.push((header, user));
            }
        }
        out.extend(self.headers.iter().map(|(k, v)| (*k, v.as_str())));
        Ok(out)
    }
}

/// One upstream account, reachable through its API's auth and envelope. `send` returns the payload
/// inside the envelope (HosterAPI's `result`), or the mapped error.
pub trait Upstream: Send + Sync {
    fn send<'a>(&'a self, request: Request<'a>) -> UpstreamFuture<'a>;

    /// A call with the connection's stored credentials.
    fn call<'a>(
        &'a self,
        method: Method,
        path: &'a str,
        body: Option<Value>,
    ) -> UpstreamFuture<'a> {
        self.send(Request::new(method, path, body))
    }

    /// One page of a list (`GET`), with what the upstream says about the rest where it says.
    fn page<'a>(&'a self, request: Request<'a>) -> PageFuture<'a> {
        Box::pin(async move {
            Ok(Page {
                items: self.send(request).await?,
                total: None,
                has_next: None,
            })
        })
    }

    /// Opens a file download (`GET path`), as `user` where the upstream acts as its users. Only
    /// upstreams that serve files implement it.
    fn download<'a>(&'a self, path: &'a str, user: Option<&'a str>) -> DownloadFuture<'a> {
        let _ = (path, user);
        Box::pin(async { Err(unsupported("this upstream serves no downloads")) })
    }
}

/// Shared HTTP settings of a connection.
#[derive(Debug, Clone)]
pub struct Transport {
    pub client: reqwest::Client,
    pub base_url: String,
    /// `base_url` parsed once: a call then parses only its own path and query (parsing the whole
    /// URL, host and all, cost a twentieth of a call's CPU, `cargo bench --bench gateway`). `None`
    /// for a base that does not parse, whose calls fail as they always did.
    base: Option<reqwest::Url>,
    pub timeout: Duration,
}

/// A raw HTTP answer, before the API's envelope is read.
#[derive(Default)]
pub struct RawResponse {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
}

impl Transport {
    pub fn new(base_url: &str, timeout: Duration) -> Transport {
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .build()
            .expect("the reqwest client builder has no invalid settings here");
        let base_url = base_url.trim_end_matches('/').to_string();
        let base = reqwest::Url::parse(&base_url)
            .ok()
            .filter(|u| !u.cannot_be_a_base() && u.query().is_none() && u.fragment().is_none());
        Transport {
            client,
            base_url,
            base,
            timeout,
        }
    }

    /// A request to an upstream path (with its query string): the URL `base_url` + `path` names.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        match self.join(path) {
            Some(url) => self.client.request(method, url),
            // What the shortcut does not cover goes the long way, to the same URL.
            None => self
                .client
                .request(method, format!("{}{}", self.base_url, path)),
        }
    }

    /// The parsed base with `path` appended, for an absolute path without a fragment.
    fn join(&self, path: &str) -> Option<reqwest::Url> {
        let base = self.base.as_ref()?;
        let (path_only, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        if !path_only.starts_with('/') || path.contains('#') {
            return None;
        }
        let mut url = base.clone();
        url.set_path(&format!("{}{path_only}", base.path().trim_end_matches('/')));
        url.set_query(query);
        Some(url)
    }

    /// Opens a GET whose body is streamed: the deadline covers the answer's headers; the error body of
    /// a failed download is read whole and returned as the `Err` side for the adapter to map.
    pub async fn open(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Result<Download, RawResponse>, UpstreamError> {
        use futures_util::TryStreamExt;
        let mut req = self.request(reqwest::Method::GET, path);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let resp = match tokio::time::timeout(self.timeout, req.send()).await {
            Err(_) => return Err(UpstreamError::Timeout(self.timeout)),
            Ok(Err(e)) => {
                return Err(UpstreamError::Unavailable {
                    detail: e.to_string(),
                });
            }
            Ok(Ok(resp)) => resp,
        };
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = tokio::time::timeout(self.timeout, resp.bytes())
                .await
                .map_err(|_| UpstreamError::Timeout(self.timeout))?
                .map(|b| b.to_vec())
                .unwrap_or_default();
            return Ok(Err(RawResponse {
                status,
                body,
                ..RawResponse::default()
            }));
        }
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type =
            header("content-type").unwrap_or_else(|| "application/octet-stream".into());
        let disposition = header("content-disposition");
        let body = resp
            .bytes_stream()
            .map_ok(|b| b.to_vec())
            .map_err(std::io::Error::other);
        Ok(Ok(Download {
            content_type,
            disposition,
            body: Box::pin(body),
        }))
    }

    /// Sends one request with the deadline covering connect, headers and body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<RawResponse, UpstreamError> {
        let mut req = self
            .request(method.to_reqwest(), path)
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
            let headers = resp.headers().clone();
            let body = resp.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(RawResponse {
                status,
                body,
                headers,
            })
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

#[cfg(test)]
mod tests {
    use super::{Acting, Method, Request, Transport};
    use std::time::Duration;

    /// Whose credential a request carries: the stored one, the caller's own instead (or none), or
    /// the stored one with the user header; declared headers follow; an upstream without a user
    /// header refuses to act as a user.
    #[test]
    fn acting_headers() {
        let declared = [("X-Extra", "1".to_string())];
        let mut request = Request::get("/x");
        request.headers = &declared;
        let names = |r: &Request, user| {
            r.headers("Authorization", "Bearer stored", user).map(|h| {
                h.into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            names(&request, None).unwrap(),
            ["Authorization: Bearer stored", "X-Extra: 1"]
        );
        request.acting = Acting::Caller(Some("token mine"));
        assert_eq!(
            names(&request, None).unwrap(),
            ["Authorization: token mine", "X-Extra: 1"]
        );
        request.acting = Acting::Caller(None);
        assert_eq!(names(&request, None).unwrap(), ["X-Extra: 1"]);
        request.acting = Acting::User("12");
        assert_eq!(
            names(&request, Some("X-PanelAlpha-User")).unwrap(),
            [
                "Authorization: Bearer stored",
                "X-PanelAlpha-User: 12",
                "X-Extra: 1"
            ]
        );
        assert!(names(&request, None).is_err());
        assert_eq!(
            Request::new(Method::Post, "/y", None).acting,
            Acting::Stored
        );
    }

    /// The parsed-once base gives the very URL that parsing `base_url` + `path` whole gives.
    #[test]
    fn joined_urls_are_parsed_urls() {
        let bases = [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "https://api.example.com/v2",
            "https://api.example.com/v2/",
            "http://[::1]:9000/prefix/deeper",
        ];
        let paths = [
            "/api/v1/datacenter/server/4001/status",
            "/sites?page=2&per_page=50",
            "/sites/%2E%2E%2Fx%3Fy/backups",
            "/a/../b/./c",
            "/search?q=caf%C3%A9&x=a b",
            "/with space/ünïcode",
            "/",
            "/x?",
            "/trailing/",
        ];
        for base in bases {
            let transport = Transport::new(base, Duration::from_secs(1));
            for path in paths {
                let joined = transport.join(path).expect("an absolute path joins");
                let whole =
                    reqwest::Url::parse(&format!("{}{}", transport.base_url, path)).unwrap();
                assert_eq!(joined, whole, "{base} + {path}");
            }
            assert!(transport.join("/x#frag").is_none());
            assert!(transport.join("relative").is_none());
        }
        assert!(
            Transport::new("not a url", Duration::from_secs(1))
                .join("/x")
                .is_none()
        );
    }
}
