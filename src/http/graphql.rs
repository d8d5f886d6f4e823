//! GraphQL over HTTP: `POST` and `GET /graphql` per the GraphQL-over-HTTP spec. The response type is
//! negotiated from `Accept` (`application/graphql-response+json` or `application/json`); with the former,
//! requests that fail before execution answer 400. A request that is not a well-formed GraphQL request
//! (not JSON, a `query` that is not a string, `variables` that are not an object, ...) is a 400 and one
//! whose body is not `application/json` a 415, whatever the media type. GET never runs a mutation. A
//! browser asking for HTML gets GraphiQL, and a client accepting `text/event-stream` Server-Sent
//! Events (`sse`).
//!
//! The request is read here rather than with async-graphql-axum's extractor: that one reads any
//! content type as JSON and, for GET, ignores `operationName` (it expects `operation_name`).

use super::AppState;
use async_graphql::{
    BatchRequest, BatchResponse,
    parser::types::{DocumentOperations, OperationType},
};
use axum::{
    body::Bytes,
    extract::{FromRequest, Query, Request, State},
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use futures_util::{StreamExt, stream::FuturesOrdered};
use hostplane_schema::{ErrorCode, principal::Caller};
use serde_json::{Map, Value, json};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
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

/// Whether a media type's parameters allow UTF-8, the only encoding the gateway reads and writes:
/// no `charset`, or `charset=utf-8`.
fn utf8_charset<'a>(params: impl IntoIterator<Item = &'a str>) -> bool {
    params
        .into_iter()
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| value.trim().trim_matches('"'))
        })
        .all(|charset| {
            charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
        })
}

/// Picks the response type from `Accept`: highest quality first, the listed order breaking ties.
/// No header means `application/json`, as the spec asks for legacy clients, and so do the wildcards:
/// a client that accepts anything (curl, `fetch`, a browser) was not written for the new media type
/// and reads GraphQL errors from a 200. Nothing acceptable is `None`.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let mime = parts.next().unwrap_or_default().to_ascii_lowercase();
        let params: Vec<&str> = parts.collect();
        let q = params
            .iter()
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        if !utf8_charset(params.iter().copied()) {
            continue;
        }
        let media = match mime.as_str() {
            GRAPHQL_RESPONSE => MediaType::GraphqlResponse,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, media));
        }
    }
    best.map(|(_, m)| m)
}

/// One GraphQL error with its `extensions.code`, as every surface writes errors of its own.
pub(super) fn coded_error(message: &str, code: &str) -> Value {
    json!({"message": message, "extensions": {"code": code}})
}

pub(super) fn error_response(
    status: StatusCode,
    media: MediaType,
    code: &str,
    message: &str,
) -> Response {
    let body = json!({"errors": [coded_error(message, code)]});
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

/// An HTTP request that is not a GraphQL request the gateway can run: refused before anything runs.
#[derive(Debug)]
pub(super) struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
}

impl Refusal {
    pub(super) fn bad_request(message: impl Into<String>) -> Refusal {
        Refusal {
            status: StatusCode::BAD_REQUEST,
            code: ErrorCode::Validation,
            message: message.into(),
        }
    }

    pub(super) fn respond(self, media: MediaType) -> Response {
        let mut resp = error_response(self.status, media, self.code.as_str(), &self.message);
        // Only GET is refused a method, for a mutation: POST is the one that runs it.
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            resp.headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        }
        resp
    }
}

/// "a string", "an array", ... for messages about a parameter of the wrong JSON type.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A POST body must be `application/json` in UTF-8 (the one body type the spec requires); anything
/// else, or no `Content-Type` at all, is a 415 rather than a guess.
fn require_json_body(headers: &HeaderMap) -> Result<(), Refusal> {
    let unsupported = |message: String| Refusal {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: ErrorCode::Validation,
        message,
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(unsupported(format!("a POST needs Content-Type: {JSON}")));
    };
    let value = value.to_str().unwrap_or_default();
    let mut parts = value.split(';').map(str::trim);
    let mime = parts.next().unwrap_or_default();
    if mime.eq_ignore_ascii_case(JSON) && utf8_charset(parts) {
        Ok(())
    } else {
        Err(unsupported(format!(
            "Content-Type must be {JSON} (UTF-8), not {value:?}"
        )))
    }
}

/// One GraphQL request from its parameters (a POST body's object, or GET's query string as one):
/// `query` a string, `operationName` a string or null, `variables` and `extensions` objects or null.
/// Other keys are ignored.
fn parse_params(params: Map<String, Value>) -> Result<async_graphql::Request, String> {
    match params.get("query") {
        Some(Value::String(_)) => {}
        None | Some(Value::Null) => return Err("the `query` parameter is required".into()),
        Some(other) => return Err(format!("`query` must be a string, not {}", kind(other))),
    }
    for (name, wants_object) in [
        ("operationName", false),
        ("variables", true),
        ("extensions", true),
    ] {
        match params.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(_)) if !wants_object => {}
            Some(Value::Object(_)) if wants_object => {}
            Some(other) => {
                let wanted = if wants_object {
                    "an object"
                } else {
                    "a string"
                };
                return Err(format!(
                    "`{name}` must be {wanted} or null, not {}",
                    kind(other)
                ));
            }
        }
    }
    // The shapes are checked; async-graphql's own deserializer builds the request, as it always did.
    serde_json::from_value(Value::Object(params)).map_err(|e| format!("invalid request: {e}"))
}

/// A POST body: one request object, or a non-empty array of them (a batch of at most `max_batch`).
fn parse_body(body: &[u8], max_batch: usize) -> Result<BatchRequest, Refusal> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::bad_request(
            "the request body is empty: send a JSON object with a `query`",
        ));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Refusal::bad_request(format!("the request body is not JSON: {e}")))?;
    match value {
        Value::Object(params) => parse_params(params)
            .map(BatchRequest::Single)
            .map_err(Refusal::bad_request),
        Value::Array(items) if items.is_empty() => Err(Refusal::bad_request(
            "a batch must hold at least one operation",
        )),
        Value::Array(items) if items.len() > max_batch => Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            code: ErrorCode::LimitExceeded,
            message: format!(
                "a batch may hold at most {max_batch} operations; this one holds {}",
                items.len()
            ),
        }),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                match item {
                    Value::Object(params) => parse_params(params),
                    other => Err(format!("must be an object, not {}", kind(&other))),
                }
                .map_err(|e| Refusal::bad_request(format!("operation {i} of the batch: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(BatchRequest::Batch),
        other => Err(Refusal::bad_request(format!(
            "the request body must be a JSON object (or an array of them, a batch), not {}",
            kind(&other)
        ))),
    }
}

/// GET's query string as the parameters a POST body would hold: `variables` and `extensions` are JSON
/// text. A URL cannot say null, so an empty `operationName`, `variables` or `extensions` is absent.
/// Unknown parameters (cache busters) are ignored; a parameter given twice is ambiguous and refused.
pub(super) fn get_params(uri: &Uri) -> Result<Map<String, Value>, String> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|e| format!("the query string cannot be read: {e}"))?;
    let mut params = Map::new();
    for (name, text) in pairs {
        let value = match name.as_str() {
            "query" => Value::String(text),
            "operationName" | "variables" | "extensions" if text.is_empty() => continue,
            "operationName" => Value::String(text),
            "variables" | "extensions" => serde_json::from_str(&text)
                .map_err(|e| format!("`{name}` must be JSON text: {e}"))?,
            _ => continue,
        };
        if params.insert(name.clone(), value).is_some() {
            return Err(format!("`{name}` is given more than once"));
        }
    }
    Ok(params)
}

/// Whether a response is a request error: the request never reached execution (parse, validation,
/// variable coercion, limits, an unknown operation), so there is no `data` at all. Field errors carry
/// a path; these do not. The WebSocket surface reports them as graphql-transport-ws's `error`.
pub(super) fn failed_before_execution(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// A response as JSON. A request error has no `data` entry (the GraphQL spec: "if an error was raised
/// before execution begins, the data entry should not be present"); async-graphql writes `null`.
fn response_json(response: &async_graphql::Response) -> Value {
    let mut value = serde_json::to_value(response).expect("a GraphQL response always serializes");
    if failed_before_execution(response)
        && let Value::Object(fields) = &mut value
    {
        fields.remove("data");
    }
    value
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
        Err(e) => return unauthenticated(media, &e),
    };
    let mut batch = batch.data(Caller(principal)).data(state.origin(headers));
    if let Some(passthrough) = super::passthrough(headers) {
        batch = batch.data(passthrough);
    }
    // In order, as `Schema::execute_batch` runs a batch.
    let mut response = match batch {
        BatchRequest::Single(request) => BatchResponse::Single(state.execute(request).await),
        BatchRequest::Batch(requests) => BatchResponse::Batch(
            requests
                .into_iter()
                .map(|request| state.execute(request))
                .collect::<FuturesOrdered<_>>()
                .collect()
                .await,
        ),
    };
    match &mut response {
        BatchResponse::Single(r) => add_missing_codes(r),
        BatchResponse::Batch(rs) => rs.iter_mut().for_each(add_missing_codes),
    }
    // With the new media type, a request that never reached execution is a 400; legacy clients read
    // errors from a 200. A batch mixes outcomes, so it is always a 200.
    let (status, body) = match &response {
        BatchResponse::Single(r) => {
            let status = if media == MediaType::GraphqlResponse && failed_before_execution(r) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (status, response_json(r))
        }
        BatchResponse::Batch(rs) => (
            StatusCode::OK,
            Value::Array(rs.iter().map(response_json).collect()),
        ),
    };
    (
        status,
        [(header::CONTENT_TYPE, media.as_str())],
        body.to_string(),
    )
        .into_response()
}

/// A refused credential: 401, before anything runs.
pub(super) fn unauthenticated(media: MediaType, error: &impl std::fmt::Display) -> Response {
    error_response(
        StatusCode::UNAUTHORIZED,
        media,
        "UNAUTHENTICATED",
        &error.to_string(),
    )
}

/// Errors raised by async-graphql itself (parse, validation, input coercion, limits) carry no code;
/// every error a client sees, over HTTP or WebSocket, has one.
pub(super) fn add_missing_codes(response: &mut async_graphql::Response) {
    for err in &mut response.errors {
        let ext = err.extensions.get_or_insert_with(Default::default);
        if ext.get("code").is_none() {
            ext.set("code", ErrorCode::Validation.as_str());
        }
    }
}

pub async fn post(State(state): State<AppState>, headers: HeaderMap, request: Request) -> Response {
    if super::sse::wanted(&headers) {
        return super::sse::post(State(state), headers, request).await;
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    match read_post(&state, &headers, request, media, state.limits.max_batch).await {
        Ok(batch) => execute(&state, &headers, media, batch).await,
        Err(refused) => refused,
    }
}

/// A POST's request or batch of at most `max_batch`, or its refusal in `media`: 415 for a body
/// that is not JSON, 413 over the body limit, 400 for one that is not a GraphQL request.
pub(super) async fn read_post(
    state: &AppState,
    headers: &HeaderMap,
    request: Request,
    media: MediaType,
    max_batch: usize,
) -> Result<BatchRequest, Response> {
    require_json_body(headers).map_err(|refusal| refusal.respond(media))?;
    // `Bytes` honours the router's body limit (a 413); async-graphql-axum's reader did not.
    let body = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            let code = super::body_rejection_code(&rejection);
            error_response(
                rejection.status(),
                media,
                code.as_str(),
                &rejection.body_text(),
            )
        })?;
    parse_body(&body, max_batch).map_err(|refusal| refusal.respond(media))
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
    if super::sse::wanted(&parts.headers) {
        return super::sse::respond_get(state, parts).await;
    }
    let headers = parts.headers;
    let params = get_params(&parts.uri);
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && params.as_ref().is_ok_and(|p| !p.contains_key("query")) {
        return super::graphiql::page(&headers);
    }
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    match get_request(params) {
        Ok(request) => execute(&state, &headers, media, BatchRequest::Single(request)).await,
        Err(refusal) => refusal.respond(media),
    }
}

/// GET's one request from its query string's parameters, or its refusal: 400 for one that is not
/// a GraphQL request, 405 for a mutation (GET never runs one).
pub(super) fn get_request(
    params: Result<Map<String, Value>, String>,
) -> Result<async_graphql::Request, Refusal> {
    let request = params
        .and_then(parse_params)
        .map_err(Refusal::bad_request)?;
    if is_mutation(&request) {
        return Err(Refusal {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: ErrorCode::Validation,
            message: "mutations are not allowed over GET; use POST".into(),
        });
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, v.parse().unwrap());
        h
    }

    fn content_type(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, v.parse().unwrap());
        h
    }

    /// The preferred type wins by quality; wildcards are legacy JSON; unknown types alone, or only in
    /// another charset, are not acceptable.
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
        assert_eq!(negotiate(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(negotiate(&accept("application/*")), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9, */*;q=0.1"
            )),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept("application/graphql-response+json; charset=utf-8")),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(negotiate(&accept("text/plain")), None);
        assert_eq!(negotiate(&accept("application/json; charset=utf-16")), None);
    }

    /// Only JSON in UTF-8 is read; the charset parameter is optional.
    #[test]
    fn request_content_type() {
        assert!(require_json_body(&content_type("application/json")).is_ok());
        assert!(require_json_body(&content_type("Application/JSON; charset=UTF-8")).is_ok());
        assert!(require_json_body(&content_type("application/json;charset=\"utf-8\"")).is_ok());
        for refused in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/graphql",
            "application/json; charset=iso-8859-1",
        ] {
            let err = require_json_body(&content_type(refused)).unwrap_err();
            assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{refused}");
        }
        let err = require_json_body(&HeaderMap::new()).unwrap_err();
        assert_eq!(err.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }

    fn refused(body: &str) -> Refusal {
        parse_body(body.as_bytes(), 10).expect_err(body)
    }

    /// Parameters of the wrong JSON type are request errors, not silently dropped or defaulted.
    #[test]
    fn body_shapes() {
        let single = parse_body(
            br#"{"query": "query Q($a: Int) { a }", "operationName": "Q", "variables": {"a": 1}, "extensions": {"x": true}, "other": 1}"#,
            10,
        )
        .unwrap();
        let BatchRequest::Single(r) = single else {
            panic!("a single request")
        };
        assert_eq!(r.query, "query Q($a: Int) { a }");
        assert_eq!(r.operation_name.as_deref(), Some("Q"));
        assert_eq!(r.variables.into_value(), async_graphql::value!({"a": 1}));
        assert!(
            parse_body(
                br#"{"query": "{ a }", "operationName": null, "variables": null, "extensions": null}"#,
                10
            )
            .is_ok()
        );
        for body in [
            "",
            "  ",
            "{ \"not a JSON",
            "42",
            "\"{ a }\"",
            "[]",
            "[1]",
            "{}",
            r#"{"qeury": "{ a }"}"#,
            r#"{"query": null}"#,
            r#"{"query": {"obj": "ect"}}"#,
            r#"{"query": ["{ a }"]}"#,
            r#"{"query": "{ a }", "operationName": 0}"#,
            r#"{"query": "{ a }", "variables": "{}"}"#,
            r#"{"query": "{ a }", "variables": []}"#,
            r#"{"query": "{ a }", "extensions": false}"#,
            r#"[{"query": "{ a }"}, {"query": 1}]"#,
        ] {
            let refusal = refused(body);
            assert_eq!(refusal.status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(refusal.code, ErrorCode::Validation, "{body}");
        }
        let BatchRequest::Batch(batch) =
            parse_body(br#"[{"query": "{ a }"}, {"query": "{ b }"}]"#, 2).unwrap()
        else {
            panic!("a batch")
        };
        assert_eq!(batch.len(), 2);
        let over = parse_body(br#"[{"query": "{ a }"}, {"query": "{ b }"}]"#, 1).unwrap_err();
        assert_eq!(over.code, ErrorCode::LimitExceeded);
    }

    /// GET reads `operationName` (async-graphql's reader wanted `operation_name`) and JSON-encoded
    /// `variables`; empty optional parameters are absent, repeated ones refused.
    #[test]
    fn query_string() {
        let uri: Uri = "/graphql?query=query%20A%20%7B%20a%20%7D&operationName=A&variables=%7B%22x%22%3A1%7D&extensions=&_=123"
            .parse()
            .unwrap();
        let r = parse_params(get_params(&uri).unwrap()).unwrap();
        assert_eq!(r.query, "query A { a }");
        assert_eq!(r.operation_name.as_deref(), Some("A"));
        assert_eq!(r.variables.into_value(), async_graphql::value!({"x": 1}));
        for bad in [
            "/graphql",
            "/graphql?operationName=A",
            "/graphql?query=%7Ba%7D&variables=%7Bnot-json",
            "/graphql?query=%7Ba%7D&variables=%5B%5D",
            "/graphql?query=%7Ba%7D&query=%7Bb%7D",
        ] {
            let uri: Uri = bad.parse().unwrap();
            assert!(get_params(&uri).and_then(parse_params).is_err(), "{bad}");
        }
    }
}
