//! Cross-origin access for browser apps on other origins: tower-http's CORS layer over every route
//! (GraphQL, the REST layer, `/openapi.json`), and the same origin list checked on WebSocket
//! upgrades, which browsers do not subject to CORS. Closed unless origins are configured
//! (`[cors]`); `demo` allows loopback origins on any port.

use crate::config::CorsConfig;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use hostplane_adapters::Provider;
use std::{sync::Arc, time::Duration};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Headers a browser app may send: the gateway's own and the upstream pass-through ones (the REST
/// credential headers; each provider's acting-user header is added from its wire).
const ALLOWED_HEADERS: [HeaderName; 6] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::ACCEPT,
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static(super::ORCHESTRIX_AUTHORIZATION),
    HeaderName::from_static("hosttoken"),
];

/// The configured origins: exact (`https://app.example`), any port of one host
/// (`http://localhost:*`), or `*` for any.
#[derive(Debug, Clone, Default)]
pub struct Origins(Arc<Vec<String>>);

impl Origins {
    pub fn new(config: &CorsConfig) -> Origins {
        let trimmed = config.allowed_origins.iter();
        Origins(Arc::new(
            trimmed
                .map(|o| o.trim_end_matches('/').to_string())
                .collect(),
        ))
    }

    pub fn allows(&self, origin: &str) -> bool {
        self.0.iter().any(|allowed| {
            if allowed == "*" || allowed == origin {
                return true;
            }
            let Some(host) = allowed.strip_suffix(":*") else {
                return false;
            };
            origin.strip_prefix(host).is_some_and(|rest| {
                rest.strip_prefix(':').is_some_and(|port| {
                    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                })
            })
        })
    }

    /// Whether a WebSocket upgrade may proceed: without `Origin` (not a browser), from the
    /// gateway's own origin, or from an allowed one.
    pub fn admits_upgrade(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
            return true;
        };
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        let own = host.is_some_and(|h| {
            origin
                .split_once("://")
                .is_some_and(|(_, authority)| authority == h)
        });
        own || self.allows(origin)
    }
}

/// The CORS layer for `config`, or `None` when no origin is allowed (browsers then refuse every
/// cross-origin call, as they do without CORS headers).
pub fn layer(config: &CorsConfig, origins: &Origins) -> Option<CorsLayer> {
    if config.allowed_origins.is_empty() {
        return None;
    }
    let origins = origins.clone();
    let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        origin.to_str().is_ok_and(|o| origins.allows(o))
    });
    let user_headers = Provider::ALL.iter().filter_map(|p| p.wire().user_header());
    let user_headers = user_headers.map(|h| HeaderName::try_from(h).expect("a valid header name"));
    let headers: Vec<HeaderName> = ALLOWED_HEADERS.into_iter().chain(user_headers).collect();
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods(methods)
            .allow_headers(headers)
            .expose_headers([HeaderName::from_static("x-request-id")])
            .allow_credentials(config.allow_credentials)
            .max_age(Duration::from_secs(config.max_age_s)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[&str]) -> Origins {
        Origins::new(&CorsConfig {
            allowed_origins: list.iter().map(|s| s.to_string()).collect(),
            allow_credentials: false,
            max_age_s: 600,
        })
    }

    /// Exact origins, any port of a host, or any origin; nothing else.
    #[test]
    fn matching() {
        let o = origins(&["https://app.example/", "http://localhost:*"]);
        assert!(o.allows("https://app.example"));
        assert!(!o.allows("https://app.example.evil"));
        assert!(!o.allows("http://app.example"));
        assert!(o.allows("http://localhost:5173"));
        assert!(!o.allows("http://localhost"));
        assert!(!o.allows("http://localhost:5173.evil"));
        assert!(!o.allows("http://localhost.evil:80"));
        assert!(origins(&["*"]).allows("https://anything.example"));
        assert!(!origins(&[]).allows("https://app.example"));
    }

    /// A WebSocket from a browser on another origin needs that origin allowed; its own origin and
    /// clients that send no `Origin` pass.
    #[test]
    fn upgrades() {
        let o = origins(&["https://app.example"]);
        let headers = |origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_static("gw.example:8080"));
            if let Some(origin) = origin {
                h.insert(header::ORIGIN, origin.parse().unwrap());
            }
            h
        };
        assert!(o.admits_upgrade(&headers(None)));
        assert!(o.admits_upgrade(&headers(Some("http://gw.example:8080"))));
        assert!(o.admits_upgrade(&headers(Some("https://app.example"))));
        assert!(!o.admits_upgrade(&headers(Some("https://other.example"))));
    }
}
