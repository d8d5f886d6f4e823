//! Scalars of the schema's own. `JSONObject` carries a free-form JSON object (WordPress options) as an
//! object both ways: async-graphql's `JSON` writes input values back as strings, which would turn an
//! object into text when the REST layer builds its GraphQL variables.

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
            Ok(other) => Err(InputValueError::custom(format!(
                "expected a JSON object, got {other}"
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

#[cfg(test)]
mod tests {
    use super::*;

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
