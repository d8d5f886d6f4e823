//! `GET /downloads/{token}`: follows a signed, short-lived download URL to the upstream file and
//! streams it through, as the upstream user the link was made for. The token is the authorization;
//! no header is needed. Refusals are worded as the API of the link's connection words them.

use super::{AppState, envelope::Reply};
use axum::{
    body::Body,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{ErrorCode, Provider};
use hostplane_resolvers::downloads::UrlSigner;

pub async fn get(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    // A link that does not verify still names its connection, which words the refusal; one that
    // names none is refused in the gateway's own words.
    let named = UrlSigner::named_connection(&token);
    let provider = named.and_then(|c| state.services.connections.get(&c).map(|c| c.provider));
    serve(&state, &token, provider).await
}

/// Streams the file a token grants, or answers in `provider`'s error shape.
pub async fn serve(state: &AppState, token: &str, provider: Option<Provider>) -> Response {
    let Some(grant) = state.services.signer.verify(token, chrono::Utc::now()) else {
        return expired(provider);
    };
    let Some(conn) = state.services.connections.get(&grant.connection) else {
        return expired(provider);
    };
    match conn
        .client
        .download(&grant.path, grant.user.as_deref())
        .await
    {
        Ok(download) => {
            let mut resp = Response::new(Body::from_stream(download.body));
            let headers = resp.headers_mut();
            if let Ok(v) = download.content_type.parse() {
                headers.insert(header::CONTENT_TYPE, v);
            }
            if let Some(v) = download.disposition.and_then(|d| d.parse().ok()) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            headers.insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            resp
        }
        Err(e) => match (e.upstream_status(), e.upstream_error()) {
            (Some(status), Some(text)) => {
                Reply::from(conn.provider.wire().upstream_error(status, text)).into_response()
            }
            _ => {
                tracing::warn!(connection = %conn.name, error = %e, "download failed");
                let refusal = conn.provider.wire().refusal(e.code(), &e.to_string(), None);
                let mut r = Reply::from(refusal).into_response();
                if e.code() == ErrorCode::UpstreamTimeout {
                    *r.status_mut() = StatusCode::GATEWAY_TIMEOUT;
                }
                r
            }
        },
    }
}

fn expired(provider: Option<Provider>) -> Response {
    let message = "download link invalid or expired";
    match provider {
        Some(p) => {
            Reply::from(p.wire().refusal(ErrorCode::NotFound, message, None)).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"error": message})),
        )
            .into_response(),
    }
}
