//! What an endpoint answers where its upstream's docs show no response: `RawAnswer` (the upstream's
//! JSON as received), `ActionResult` (`ok` and the JSON, for actions), and `object!`, an object typed
//! by what the request's own fields say comes back (every field nullable, since nothing is
//! documented), with the upstream's JSON always reachable in `raw`. Secrets in `raw` are shown to
//! admins only, by the provider's wire.

use crate::{Provider, principal::redacted};
use async_graphql::{Context, Json, Object};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::Value;

/// An answer the upstream documents no shape for: its JSON as received.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub provider: Provider,
    pub raw: Value,
}

#[Object]
impl RawAnswer {
    /// The upstream's answer as received; its secrets shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted(ctx, self.provider, &self.raw)
    }
}

/// The result of an action the upstream documents no answer for.
#[derive(Debug, Clone)]
pub struct ActionResult {
    pub provider: Provider,
    /// The upstream accepted the action (it answered a success).
    pub ok: bool,
    pub message: Option<String>,
    pub raw: Value,
}

impl ActionResult {
    /// A success answer: `ok`, with the upstream's `message` where it gives one.
    pub fn accepted(provider: Provider, raw: Value) -> ActionResult {
        let message = raw
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string);
        ActionResult {
            provider,
            ok: true,
            message,
            raw,
        }
    }
}

#[Object]
impl ActionResult {
    /// Whether the upstream accepted the action.
    async fn ok(&self) -> bool {
        self.ok
    }

    /// The upstream's confirmation, where it gives one.
    async fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The upstream's answer as received; its secrets shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted(ctx, self.provider, &self.raw)
    }
}

crate::raw_reply!(RawAnswer, ActionResult);

/// A field of an undocumented object, read leniently: absent, null, or of another type than the
/// request implies is `None` (the value stays in `raw`), and a number or boolean where text is
/// implied is its text (an ID sent as `12`).
pub fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    if let Ok(v) = T::deserialize(&value) {
        return Ok(Some(v));
    }
    Ok(match &value {
        Value::Number(_) | Value::Bool(_) => T::deserialize(Value::String(value.to_string())).ok(),
        _ => None,
    })
}

/// Reads an object declared with `object!` from the upstream's JSON, keeping the JSON.
pub fn from_raw<T: DeserializeOwned>(raw: &Value) -> Result<T, serde_json::Error> {
    match raw {
        Value::Object(_) => serde_json::from_value(raw.clone()),
        other => Err(serde::de::Error::custom(format!(
            "expected an object, got {other}"
        ))),
    }
}

/// Declares an object an undocumented upstream answers with, typed by what its requests send: every
/// field nullable and read leniently, `raw` the upstream's JSON (secrets for admins only).
/// `object! { /// A panel user. PanelalphaUser(Panelalpha) { id: async_graphql::ID, email: String } }`
#[macro_export]
macro_rules! object {
    ($(#[doc = $doc:literal])* $name:ident($provider:ident) {
        $( $(#[doc = $fdoc:literal])* $(#[serde(rename = $wire:literal)])? $field:ident : $ty:ty ),* $(,)?
    }) => {
        $(#[doc = $doc])*
        #[derive(async_graphql::SimpleObject, serde::Deserialize, Debug, Clone)]
        #[graphql(complex)]
        pub struct $name {
            $(
                $(#[doc = $fdoc])*
                $(#[serde(rename = $wire)])?
                #[serde(default, deserialize_with = "hostplane_schema::generic::lenient")]
                pub $field: Option<$ty>,
            )*
            #[serde(skip)]
            #[graphql(skip)]
            pub raw: serde_json::Value,
        }

        #[async_graphql::ComplexObject]
        impl $name {
            /// The upstream's object as received; its secrets shown to admins only.
            async fn raw(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Json<serde_json::Value> {
                $crate::principal::redacted(ctx, $crate::Provider::$provider, &self.raw)
            }
        }

        impl $crate::reply::FromRaw for $name {
            fn from_raw(raw: serde_json::Value) -> Result<Self, serde_json::Error> {
                let mut object: $name = $crate::generic::from_raw(&raw)?;
                object.raw = raw;
                Ok(object)
            }
        }

        $crate::raw_reply!($name);
    };
}

#[cfg(test)]
mod tests {
    use crate::{RestReply, reply::FromRaw};
    use serde_json::json;

    crate::object! {
        /// A test object.
        Thing(Panelalpha) {
            id: async_graphql::ID,
            #[serde(rename = "first_name")]
            first: String,
            count: i32,
        }
    }

    /// Fields the request implies are typed where the answer has them, `None` where it has not or
    /// sends another type, and the JSON stays whole in `raw`.
    #[test]
    fn typed_where_implied() {
        let raw = json!({"id": 12, "first_name": "Ada", "count": "many", "extra": [1]});
        let thing = Thing::from_raw(raw.clone()).unwrap();
        assert_eq!(thing.id.as_deref().map(String::as_str), Some("12"));
        assert_eq!(thing.first.as_deref(), Some("Ada"));
        assert_eq!(thing.count, None);
        assert_eq!(thing.raw, raw);
        assert!(Thing::from_raw(json!([1])).is_err(), "a list is no object");
        assert_eq!(Thing::selection(), "{ raw }");
        assert_eq!(Thing::upstream(json!({"raw": raw.clone()})), raw);
    }
}
