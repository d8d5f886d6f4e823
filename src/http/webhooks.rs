//! `POST /webhooks/orchestrix/{connection}`: where an Orchestrix upstream delivers the events the
//! gateway registered for. Deliveries carry no gateway credential; their signature is the proof.

use super::AppState;
use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use hostplane_resolvers::webhooks::{DeliveryError, receive};

pub async fn orchestrix(
    State(state): State<AppState>,
    Path(connection): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers
        .get("x-orchestrix-signature")
        .and_then(|v| v.to_str().ok());
    match receive(&state.services, &connection, signature, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            let status = match e {
                DeliveryError::Unknown => StatusCode::NOT_FOUND,
                DeliveryError::BadSignature => StatusCode::UNAUTHORIZED,
                DeliveryError::Malformed => StatusCode::BAD_REQUEST,
                DeliveryError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::warn!(%connection, error = %e, "webhook delivery refused");
            (status, e.to_string()).into_response()
        }
    }
}
