//! GraphiQL served by the gateway itself, so that it works with no network beyond the gateway: the
//! page at `GET /graphql` (for a browser), and pinned production builds of GraphiQL, React and
//! graphql-ws embedded in the binary (`graphiql/vendor/`, refreshed by `graphiql/refresh`),
//! gzipped, under a versioned path that browsers may cache for good. The page's
//! `Content-Security-Policy` allows nothing but the gateway's own origin.

use axum::{
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use std::{io::Read, sync::OnceLock};

/// GraphiQL's version, as `graphiql/refresh` pins it.
const GRAPHIQL: &str = "3.8.3";

/// The assets' path: the gateway's and GraphiQL's versions, so a new build is a new URL.
fn assets_path() -> String {
    format!("/graphiql/{}-{GRAPHIQL}", env!("CARGO_PKG_VERSION"))
}

struct Asset {
    name: &'static str,
    media: &'static str,
    gzipped: &'static [u8],
    /// The inflated bytes, made once for the rare client that does not take gzip.
    plain: OnceLock<Vec<u8>>,
}

macro_rules! vendor {
    ($name:literal, $media:expr) => {
        Asset {
            name: $name,
            media: $media,
            gzipped: include_bytes!(concat!("graphiql/vendor/", $name, ".gz")),
            plain: OnceLock::new(),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

static VENDOR: [Asset; 5] = [
    vendor!("graphiql.min.js", JS),
    vendor!("graphiql.min.css", "text/css; charset=utf-8"),
    vendor!("react.production.min.js", JS),
    vendor!("react-dom.production.min.js", JS),
    vendor!("graphql-ws.min.js", JS),
];

const INIT: &str = include_str!("graphiql/init.js");

/// The page, for the request's host.
pub fn page(headers: &HeaderMap) -> Response {
    static HTML: OnceLock<String> = OnceLock::new();
    let html =
        HTML.get_or_init(|| include_str!("graphiql/page.html").replace("{assets}", &assets_path()));
    // GraphiQL's editors set inline styles.
    html_page(headers, html.as_str(), "'self' 'unsafe-inline'")
}

/// One of the gateway's own pages, under a policy that allows nothing but the gateway's origin: its
/// WebSocket origin named explicitly, since not every browser counts `ws:` as `'self'`.
pub(super) fn html_page(
    headers: &HeaderMap,
    html: impl Into<axum::body::Body>,
    style_src: &str,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src {style_src}; \
         font-src 'self' data:; img-src 'self' data:; connect-src 'self' ws://{host} wss://{host}; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let mut resp = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html.into(),
    )
        .into_response();
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    resp
}

/// `GET /graphiql/{build}/{name}`: an embedded asset, gzipped where the client takes it.
pub async fn asset(Path((build, name)): Path<(String, String)>, headers: HeaderMap) -> Response {
    if format!("/graphiql/{build}") != assets_path() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let forever = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    if name == "init.js" {
        return ([(header::CONTENT_TYPE, JS), forever], INIT).into_response();
    }
    let Some(asset) = VENDOR.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let vary = (header::VARY, "accept-encoding");
    if accepts_gzip(&headers) {
        let gzip = (header::CONTENT_ENCODING, "gzip");
        return (
            [(header::CONTENT_TYPE, asset.media), forever, vary, gzip],
            asset.gzipped,
        )
            .into_response();
    }
    let plain = asset.plain.get_or_init(|| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(asset.gzipped)
            .read_to_end(&mut out)
            .expect("the embedded assets are valid gzip");
        out
    });
    (
        [(header::CONTENT_TYPE, asset.media), forever, vary],
        plain.as_slice(),
    )
        .into_response()
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(accepted) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    accepted.split(',').any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or("").trim();
        let quality = |p: &str| p.trim().strip_prefix("q=")?.trim().parse::<f32>().ok();
        let refused = parts.any(|p| quality(p) == Some(0.0));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_negotiation() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, value.parse().unwrap());
            accepts_gzip(&h)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, deflate"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    /// Every embedded asset inflates, and the page names each one under the versioned path.
    #[test]
    fn assets_are_whole() {
        let html = include_str!("graphiql/page.html");
        for asset in &VENDOR {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(asset.gzipped)
                .read_to_end(&mut out)
                .expect("valid gzip");
            assert!(out.len() > 1000, "{}", asset.name);
            assert!(
                html.contains(&format!("{{assets}}/{}", asset.name)),
                "{}",
                asset.name
            );
        }
        assert!(
            !html.contains("http"),
            "the page loads nothing from elsewhere"
        );
    }
}
