//! The operations console at `/console/`: connections and their health, and the live task feed,
//! for a person watching the platform. Plain HTML, CSS and JavaScript (`console/`), embedded in the
//! binary and small enough to send as they are; the page's policy allows only the gateway's own
//! origin. Its script follows tasks over the WebSocket and falls back to Server-Sent Events.

use axum::{
    extract::Path,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};

const INDEX: &str = include_str!("console/index.html");

/// The assets, by name. Revalidated on every load (`no-cache`) rather than versioned: they are a
/// few kilobytes, and a page whose name never changes must never run an older script.
const ASSETS: [(&str, &str, &str); 2] = [
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("console/console.js"),
    ),
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("console/console.css"),
    ),
];

/// `GET /console`: the page lives at `/console/`, so that its assets' relative names resolve.
pub async fn redirect() -> Redirect {
    Redirect::permanent("/console/")
}

/// `GET /console/`.
pub async fn page(headers: HeaderMap) -> Response {
    super::graphiql::html_page(&headers, INDEX, "'self'")
}

/// `GET /console/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, media, body)) => (
            [
                (header::CONTENT_TYPE, *media),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
