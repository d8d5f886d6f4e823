//! Scalars of the schema's own. `JSONObject` carries a free-form JSON object (WordPress options) as an
//! object both ways: async-graphql's `JSON` writes input values back as strings, which would turn an
//! object into text when the REST layer builds its GraphQL variables. `Int64` carries the upstream
//! numbers that can exceed GraphQL's 32-bit `Int` (byte counts, Unix times).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use serde::{Deserialize, Serialize};
use serde_json::Map;

/// A JSON object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JsonObject(pub Map<String, serde_json::Value>);

#[Scalar(name = "JSONObject")]
impl ScalarType for JsonObject {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value.into_json() {
            Ok(serde_json::Value::Object(map)) => Ok(JsonObject(map)),
            // The kind, never the value: an object here may hold credentials.
            Ok(other) => Err(InputValueError::custom(format!(
                "expected a JSON object, got {}",
                match other {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Array(_) => "a list",
                    serde_json::Value::Object(_) => "an object",
                }
            ))),
            Err(e) => Err(InputValueError::custom(e)),
        }
    }

    fn to_value(&self) -> Value {
        Value::from_json(serde_json::Value::Object(self.0.clone())).unwrap_or(Value::Null)
    }
}

/// On the REST layer a JSON object is read by serde as it is.
impl schemars::JsonSchema for JsonObject {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "JSONObject".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object" })
    }
}

/// A 64-bit integer, where GraphQL's `Int` is 32-bit as its spec says. Written as a JSON number; read
/// from a number or a decimal string (JavaScript clients lose integers past 2^53 as numbers).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Int64(pub i64);

#[Scalar(name = "Int64")]
impl ScalarType for Int64 {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .map(Int64)
                .ok_or_else(|| InputValueError::custom(format!("{n} is not a 64-bit integer"))),
            Value::String(s) => s
                .parse()
                .map(Int64)
                .map_err(|_| InputValueError::custom(format!("`{s}` is not a 64-bit integer"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

impl schemars::JsonSchema for Int64 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Int64".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "format": "int64" })
    }
}

impl std::fmt::Display for Int64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past 32 bits as a number or a string; not past 64 bits, nor as a fraction or a boolean.
    #[test]
    fn int64() {
        let big = 1u64 << 40;
        assert_eq!(
            <Int64 as ScalarType>::parse(Value::from(big)).unwrap(),
            Int64(1 << 40)
        );
        assert_eq!(
            <Int64 as ScalarType>::parse(Value::String("-9000000000".into())).unwrap(),
            Int64(-9_000_000_000)
        );
        assert!(<Int64 as ScalarType>::parse(Value::from(u64::MAX)).is_err());
        assert!(<Int64 as ScalarType>::parse(Value::from(1.5)).is_err());
        assert!(<Int64 as ScalarType>::parse(Value::Boolean(true)).is_err());
        assert_eq!(Int64(5).to_value(), Value::from(5));
    }

    /// An object survives the trip through a GraphQL value as an object, not a string.
    #[test]
    fn stays_an_object() {
        let obj = JsonObject(
            serde_json::json!({"blogname": "x", "n": 1})
                .as_object()
                .unwrap()
                .clone(),
        );
        let v = obj.to_value();
        assert!(matches!(v, Value::Object(_)));
        assert_eq!(<JsonObject as ScalarType>::parse(v).unwrap(), obj);
        assert!(<JsonObject as ScalarType>::parse(Value::String("{}".into())).is_err());
    }
}

// A free-form body (a configuration the docs name no keys of): any object passes.
crate::no_extra_validation!(JsonObject);
