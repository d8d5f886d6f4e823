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

/// Declares an input as the docs list its body parameters, one line each: its type (`Option<T>` for
/// an optional one, left out upstream when absent) and, in brackets, its documented rules
/// (`rules!`). The upstream's names are the fields' names.
/// `input! { /// Doc. PanelalphaUserInput { email: String [Email, MaxLen(255)], company_name: Option<String> } }`
#[macro_export]
macro_rules! input {
    ($(#[doc = $doc:literal])* $name:ident { $($fields:tt)* }) => {
        $crate::input!(@munch [$(#[doc = $doc])*] $name [] [] $($fields)*);
    };
    // An optional field: absent on the way in, left out on the way out.
    (@munch $docs:tt $name:ident [$($done:tt)*] [$($rules:tt)*]
        $field:ident : Option<$ty:ty> $([$($rule:expr),* $(,)?])? $(, $($rest:tt)*)?) => {
        $crate::input!(@munch $docs $name
            [$($done)* #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>,]
            [$($rules)* $($field: [$($rule),*],)?]
            $($($rest)*)?);
    };
    (@munch $docs:tt $name:ident [$($done:tt)*] [$($rules:tt)*]
        $field:ident : $ty:ty $([$($rule:expr),* $(,)?])? $(, $($rest:tt)*)?) => {
        $crate::input!(@munch $docs $name
            [$($done)* pub $field: $ty,]
            [$($rules)* $($field: [$($rule),*],)?]
            $($($rest)*)?);
    };
    (@munch [$($docs:tt)*] $name:ident [$($done:tt)*] [$($rules:tt)*]) => {
        $($docs)*
        #[derive(async_graphql::InputObject, schemars::JsonSchema, serde::Deserialize, serde::Serialize, Debug, Clone)]
        #[allow(non_snake_case)]
        pub struct $name {
            $($done)*
        }

        $crate::rules! { $name { $($rules)* } }
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

    crate::input! {
        /// A test input.
        ThingInput {
            email: String [Email, MaxLen(20)],
            nickname: Option<String> [MaxLen(3)],
            deviceId: i32,
        }
    }

    /// An input declared line by line: required and optional fields as serde reads and writes them,
    /// its rules checked, camelCase upstream names kept.
    #[test]
    fn inputs_line_by_line() {
        use crate::validate::check;
        let provider = crate::Provider::Panelalpha;
        let input: ThingInput =
            serde_json::from_value(json!({"email": "a@b.co", "deviceId": 3})).unwrap();
        assert_eq!(
            check(&input, provider).unwrap(),
            json!({"email": "a@b.co", "deviceId": 3}),
            "an absent optional field is left out"
        );
        assert!(serde_json::from_value::<ThingInput>(json!({"deviceId": 3})).is_err());
        let long = ThingInput {
            nickname: Some("long".into()),
            ..input
        };
        let e = check(&long, provider).unwrap_err();
        assert_eq!(
            e.message(),
            "The nickname field must not be greater than 3 characters."
        );
        let mut generator = schemars::SchemaGenerator::default();
        let schema = <ThingInput as schemars::JsonSchema>::json_schema(&mut generator);
        assert_eq!(schema.get("required"), Some(&json!(["email", "deviceId"])));
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
