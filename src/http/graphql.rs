//! GraphQL over HTTP: `POST` and `GET /graphql` per the GraphQL-over-HTTP spec. The response type is
//! negotiated from `Accept` (`application/graphql-response+json` or `application/json`); with the former,
//! requests that fail before execution answer 400. GET never runs a mutation. A browser asking for HTML
//! gets GraphiQL.

use super::AppState;
use async_graphql::{
    BatchRequest, BatchResponse,
    http::GraphiQLSource,
    parser::types::{DocumentOperations, OperationType},
};
use async_graphql_axum::GraphQLBatchRequest;
use axum::{
    extract::{FromRequest, Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use hostplane_schema::principal::Caller;
use serde_json::json;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponse => GRAPHQL_RESPONSE,
            MediaType::Json => JSON,
        }
    }
}

/// Picks the response type from `Accept`: highest quality first, the listed order breaking ties.
/// No header means `application/json`, as the spec asks for legacy clients; nothing acceptable is `None`.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let mime = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let media = match mime.as_str() {
            GRAPHQL_RESPONSE => MediaType::GraphqlResponse,
            JSON => MediaType::Json,
            "*/*" | "application/*" => MediaType::GraphqlResponse,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, media));
        }
    }
    best.map(|(_, m)| m)
}

fn error_response(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    let body = json!({"errors": [{"message": message, "extensions": {"code": code}}]});
    (
        status,
        [(header::CONTENT_TYPE, media.as_str())],
        body.to_string(),
    )
        .into_response()
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        [(header::CONTENT_TYPE, JSON)],
        json!({"errors": [{"message": format!("Accept must allow {GRAPHQL_RESPONSE} or {JSON}")}]})
            .to_string(),
    )
        .into_response()
}

/// Authenticates, executes and writes the response in the negotiated type.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    media: MediaType,
    batch: BatchRequest,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let principal = match state.authenticate(authorization).await {
        Ok(p) => p,
        Err(e) => {
            return error_response(
                StatusCode::UNAUTHORIZED,
                media,
                "UNAUTHENTICATED",
                &e.to_string(),
            );
        }
    };
    let mut batch = batch.data(Caller(principal)).data(state.origin(headers));
    if let Some(passthrough) = super::passthrough(headers) {
        batch = batch.data(passthrough);
    }
    let mut response = state.schema.execute_batch(batch).await;
    match &mut response {
        BatchResponse::Single(r) => add_missing_codes(r),
        BatchResponse::Batch(rs) => rs.iter_mut().for_each(add_missing_codes),
    }
    // With the new media type, a request that never reached execution is a 400. Field errors carry a
    // path; parse and validation errors do not.
    let failed_before_execution = match &response {
        BatchResponse::Single(r) => {
            r.data == async_graphql::Value::Null
                && !r.errors.is_empty()
                && r.errors.iter().all(|e| e.path.is_empty())
        }
        BatchResponse::Batch(_) => false,
    };
    let status = if media == MediaType::GraphqlResponse && failed_before_execution {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_vec(&response).expect("a GraphQL response always serializes");
    (status, [(header::CONTENT_TYPE, media.as_str())], body).into_response()
}

/// Errors raised by async-graphql itself (parse, validation, input coercion, limits) carry no code;
/// every error a client sees has one.
fn add_missing_codes(response: &mut async_graphql::Response) {
    for err in &mut response.errors {
        let ext = err.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", hostplane_schema::ErrorCode::Validation.as_str());
        }
    }
}

pub async fn post(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let batch =
        match GraphQLBatchRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(
            request, &state,
        )
        .await
        {
            Ok(b) => b.into_inner(),
            Err(rejection) => {
                let message = rejection.0.to_string();
                let status = if message.contains("content type") || message.contains("Content-Type")
                {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                } else {
                    StatusCode::BAD_REQUEST
                };
                return error_response(status, media, "VALIDATION", &message);
            }
        };
    if let BatchRequest::Batch(operations) = &batch
        && operations.len() > state.limits.max_batch
    {
        let message = format!(
            "a batch may hold at most {} operations; this one holds {}",
            state.limits.max_batch,
            operations.len()
        );
        return error_response(StatusCode::BAD_REQUEST, media, "LIMIT_EXCEEDED", &message);
    }
    execute(&state, &headers, media, batch).await
}

fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    match &doc.operations {
        DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops
                .get(name.as_str())
                .is_some_and(|op| op.node.ty == OperationType::Mutation),
            None => false,
        },
    }
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    if parts.headers.contains_key(header::UPGRADE) {
        return super::ws::accept(state, &mut parts).await;
    }
    let headers = parts.headers;
    let query = parts.uri.query().unwrap_or_default();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && !query.split('&').any(|kv| kv.starts_with("query=")) {
        return Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql/ws")
                .finish(),
        )
        .into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let request = match async_graphql::http::parse_query_string(query) {
        Ok(r) => r,
        Err(e) => {
            return error_response(StatusCode::BAD_REQUEST, media, "VALIDATION", &e.to_string());
        }
    };
    if is_mutation(&request) {
        let mut resp = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            "VALIDATION",
            "mutations are not allowed over GET; use POST",
        );
        resp.headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return resp;
    }
    execute(&state, &headers, media, BatchRequest::Single(request)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        h
    }

    /// The preferred type wins by quality; unknown types alone are not acceptable.
    #[test]
    fn negotiation() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(negotiate(&accept(JSON)), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/json;q=0.5, application/graphql-response+json"
            )),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json;q=0.1, application/json"
            )),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(&accept("text/plain")), None);
    }
}
