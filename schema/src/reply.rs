//! How the REST layer reads an endpoint's GraphQL result back into the upstream's JSON: objects select
//! their `raw` field (the upstream object as received), scalars are the upstream value itself.

use serde_json::Value;

/// What the REST layer answers with.
#[derive(Debug, Clone, PartialEq)]
pub enum RestBody {
    /// The upstream's JSON, to wrap in its envelope.
    Json(Value),
    /// A file behind a signed gateway download URL, streamed as the upstream sends it.
    Download(String),
}

pub trait RestReply {
    /// The selection set the REST layer asks for (empty for scalars).
    fn selection() -> &'static str;
    /// Turns the selected GraphQL result back into the upstream's JSON.
    fn upstream(value: Value) -> Value;
    /// The REST answer; JSON unless the type says otherwise.
    fn rest_body(value: Value) -> RestBody {
        RestBody::Json(Self::upstream(value))
    }
}

impl<T: RestReply> RestReply for Vec<T> {
    fn selection() -> &'static str {
        T::selection()
    }
    fn upstream(value: Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(items.into_iter().map(T::upstream).collect()),
            other => other,
        }
    }
}

impl<T: RestReply> RestReply for Option<T> {
    fn selection() -> &'static str {
        T::selection()
    }
    fn upstream(value: Value) -> Value {
        if value.is_null() {
            value
        } else {
            T::upstream(value)
        }
    }
}

macro_rules! scalar_reply {
    ($($t:ty),*) => {$(
        impl RestReply for $t {
            fn selection() -> &'static str { "" }
            fn upstream(value: Value) -> Value { value }
        }
    )*};
}
scalar_reply!(String, bool, i32, i64, f64);

/// Implements `RestReply` for objects that carry a `raw: JSON!` field.
#[macro_export]
macro_rules! raw_reply {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::RestReply for $t {
            fn selection() -> &'static str { "{ raw }" }
            fn upstream(mut value: serde_json::Value) -> serde_json::Value {
                value.get_mut("raw").map(serde_json::Value::take).unwrap_or(serde_json::Value::Null)
            }
        }
    )*};
}

/// Objects deserialized from an upstream value keep that value in `raw`.
pub trait FromRaw: Sized {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error>;
}

impl<T: FromRaw> FromRaw for Vec<T> {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error> {
        match raw {
            Value::Array(items) => items.into_iter().map(T::from_raw).collect(),
            other => Err(serde::de::Error::custom(format!(
                "expected a list, got {other}"
            ))),
        }
    }
}

impl FromRaw for String {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(raw)
    }
}

/// Implements `FromRaw` for serde objects with a `raw: Json<Value>` field skipped by serde.
#[macro_export]
macro_rules! from_raw_by_serde {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::reply::FromRaw for $t {
            fn from_raw(raw: serde_json::Value) -> Result<Self, serde_json::Error> {
                let mut v: $t = serde_json::from_value(raw.clone())?;
                v.raw = async_graphql::Json(raw);
                Ok(v)
            }
        }
    )*};
}
