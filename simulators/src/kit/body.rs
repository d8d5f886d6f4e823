//! Reading a request body into a map of fields: JSON objects, and form-encoded bodies for the
//! providers (Laravel apps) that accept both.

use axum::http::{HeaderMap, header};
use serde_json::{Map, Value};

/// A request's fields by name.
pub type Params = Map<String, Value>;

/// A JSON object body. An empty (or blank) body reads as no fields, so body-less writes need no
/// `{}`; anything but an object is `None`, for the provider to refuse in its own words.
pub fn json_object(bytes: &[u8]) -> Option<Params> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Some(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// Whether the body is `application/x-www-form-urlencoded`.
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// A form-encoded body (or query string) as string fields; a repeated name keeps its last value.
pub fn form(bytes: &[u8]) -> Params {
    form_pairs(&String::from_utf8_lossy(bytes))
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect()
}

/// The `name=value` pairs of a form-encoded text, in order.
pub fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

/// Percent-decoding with `+` as space, as `application/x-www-form-urlencoded` encodes.
pub fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

/// Percent-decoding, as URL paths encode; a `%` not followed by two hex digits stays as it is.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
