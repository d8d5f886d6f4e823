//! What the engine leaves to the provider: how a request's fields are read, and how answers and
//! failures look on the wire (bare JSON or an envelope, statuses, pagination).

use crate::kit::{
    Fail, Fields, Problem,
    body::{Params, json_object},
    time::rfc3339,
};
use axum::{
    Json,
    body::Bytes,
    http::{HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};
use std::time::SystemTime;

/// One request as a row's handler sees it.
pub struct Req {
    pub method: Method,
    /// The path as requested.
    pub path: String,
    /// The row's path template (`/users/{id}`).
    pub template: &'static str,
    /// The path's parameters in order, percent-decoded.
    pub params: Vec<(String, String)>,
    /// The query string's pairs in order, decoded.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// A path parameter by name.
    pub fn param(&self, name: &str) -> Option<&str> {
        let found = self.params.iter().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }

    /// The last path parameter: the id of the object a row acts on.
    pub fn id(&self) -> &str {
        self.params.last().map_or("", |(_, v)| v.as_str())
    }

    /// A query parameter by name (the last, if repeated).
    pub fn query(&self, name: &str) -> Option<&str> {
        let found = self.query.iter().rev().find(|(k, _)| k == name);
        found.map(|(_, v)| v.as_str())
    }
}

/// What a row answers, for the dialect to put on the wire.
pub enum Answer {
    List(Vec<Value>),
    Object(Value),
    Created(Value),
    /// The object that was removed (`Null` when there is none to show).
    Deleted(Value),
    /// Anything else, as is (a download, an odd status).
    Raw(Response),
}

/// A provider's wire conventions. Only the field reader and the not-found answer have no default.
pub trait Dialect: Send + Sync + 'static {
    /// How fields are read and how a failing field is worded; the validation rules answer with it.
    fn fields(&self) -> &Fields;

    /// The answer to an id (or a parent's id) that names nothing in `collection`.
    fn not_found(&self, collection: &str) -> Fail;

    /// The request's fields. By default the JSON object body (empty when there is none); `wrap` is
    /// the collection's wrapper key, for providers whose bodies may nest the fields under one.
    fn params(&self, req: &Req, wrap: Option<&str>) -> Result<Params, Fail> {
        let _ = wrap;
        json_object(&req.body).ok_or_else(|| (self.fields().fail)("body", Problem::Invalid))
    }

    /// Renders an answer. By default: bare JSON, 201 with the object on create, 204 on delete.
    fn render(&self, answer: Answer, req: &Req) -> Response {
        let _ = req;
        match answer {
            Answer::List(items) => Json(json!(items)).into_response(),
            Answer::Object(object) => Json(object).into_response(),
            Answer::Created(object) => (StatusCode::CREATED, Json(object)).into_response(),
            Answer::Deleted(_) => StatusCode::NO_CONTENT.into_response(),
            Answer::Raw(response) => response,
        }
    }

    /// The value of a `created`/`updated` timestamp written now.
    fn timestamp(&self) -> Value {
        json!(rfc3339(SystemTime::now()))
    }
}
