//! What an endpoint's input declares, field by field (its JSON type, whether it is required, its
//! documented rules), read from the input's JSON Schema and its `rules!`; and the check of a REST
//! body against it, made before the body is read into the input. Every refusal names its field and
//! what the declaration asked, so each API's wire words it (`Wire::word`) without ever reading a
//! deserializer's message.

use crate::rules::{FieldRules, Rule};
use serde_json::{Map, Value};

/// A field's declared JSON type, as a refusal words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    /// One of the declared values.
    Enum,
    List,
    Object,
    /// An ISO 8601 date or date-time.
    Date,
    /// Anything (a value several types may take).
    Any,
}

/// One declared field.
#[derive(Debug, Clone)]
pub struct Field {
    /// The upstream's (JSON) name.
    pub name: String,
    pub kind: Kind,
    /// Absent or null is refused.
    pub required: bool,
    /// For `Enum`, the values; for `List`, the items' kind and values.
    pub values: Vec<Value>,
    pub items: Option<Kind>,
    /// An object's own fields, where it declares them.
    pub fields: Option<Shape>,
    pub rules: &'static [Rule],
}

/// An input's declared fields, in declaration order, or the JSON type of a body that is no object
/// (a list body's elements have their own shape).
#[derive(Debug, Clone, Default)]
pub struct Shape {
    pub kind: Option<Kind>,
    pub fields: Vec<Field>,
    pub items: Option<Box<Shape>>,
}

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Required and absent (or null).
    Missing,
    /// Present with a value its declared kind does not take.
    Type(Kind),
    /// Present, of its kind, and breaking a documented rule.
    Rule(Rule),
}

/// One refused field: its path (`version.name` inside an object) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub field: String,
    pub failure: Failure,
}

/// Why a body was refused before it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The body is not of the declared kind (an array where an object is declared).
    Body(Kind),
    /// These fields, in declaration order, each with its first failure.
    Fields(Vec<Refusal>),
}

impl Shape {
    /// The shape a JSON Schema declares, resolving `$ref`s in `definitions`, with `rules` (by
    /// field name) on the top-level fields.
    pub fn from_schema(
        schema: &Value,
        definitions: &Map<String, Value>,
        rules: &[FieldRules],
    ) -> Shape {
        let schema = resolve(schema, definitions);
        let kind = kind_of(schema);
        if kind != Kind::Object {
            // A list of objects (`*  object` in the docs): each element is checked as an input.
            let items = (kind == Kind::List)
                .then(|| schema.get("items"))
                .flatten()
                .map(|items| resolve(items, definitions))
                .filter(|items| kind_of(items) == Kind::Object)
                .map(|items| Box::new(Shape::from_schema(items, definitions, rules)));
            return Shape {
                kind: Some(kind),
                fields: Vec::new(),
                items,
            };
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .map(|(name, property)| {
                        let property = resolve(property, definitions);
                        let kind = kind_of(property);
                        let items = (kind == Kind::List)
                            .then(|| property.get("items"))
                            .flatten()
                            .map(|i| resolve(i, definitions));
                        Field {
                            name: name.clone(),
                            kind,
                            required: required.contains(&name.as_str()),
                            values: enum_values(items.unwrap_or(property)),
                            items: items.map(kind_of),
                            fields: (kind == Kind::Object && property.get("properties").is_some())
                                .then(|| Shape::from_schema(property, definitions, &[])),
                            rules: rules
                                .iter()
                                .find(|(f, _)| f == name)
                                .map_or(&[], |(_, r)| r),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Shape {
            kind: Some(Kind::Object),
            fields,
            items: None,
        }
    }

    /// Checks a body: its kind, then each declared field in order (missing, of the wrong kind,
    /// breaking its first broken rule). Undeclared fields pass, as the APIs ignore them.
    pub fn check(&self, body: &Value) -> Result<(), Refused> {
        let mut refused = Vec::new();
        match (self.kind, body) {
            (Some(Kind::Object), Value::Object(_)) => self.check_fields(body, "", &mut refused),
            (Some(Kind::List), Value::Array(elements)) if self.items.is_some() => {
                let items = self.items.as_deref().expect("a list of objects");
                for (i, element) in elements.iter().enumerate() {
                    if element.is_object() {
                        items.check_fields(element, &format!("{i}."), &mut refused);
                    } else {
                        refused.push(Refusal {
                            field: i.to_string(),
                            failure: Failure::Type(Kind::Object),
                        });
                    }
                }
            }
            (Some(kind), body) if kind == Kind::Object || !takes(kind, &[], body) => {
                return Err(Refused::Body(kind));
            }
            _ => {}
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(Refused::Fields(refused))
        }
    }

    fn check_fields(&self, body: &Value, prefix: &str, refused: &mut Vec<Refusal>) {
        for field in &self.fields {
            // Built only for a refusal: a body that passes allocates no paths.
            let path = || format!("{prefix}{}", field.name);
            // A required rule on an optional field refuses it absent, as a missing one.
            let required = field.required
                || field
                    .rules
                    .iter()
                    .any(|r| matches!(r, Rule::Filled | Rule::Required));
            let refusal = match body.get(&field.name).filter(|v| !v.is_null()) {
                None if required => Some((path(), Failure::Missing)),
                None => None,
                Some(v) if !field.takes(v) => Some((path(), Failure::Type(field.kind))),
                Some(v) => {
                    if let (Some(inner), Value::Object(_)) = (&field.fields, v) {
                        inner.check_fields(v, &format!("{}.", path()), refused);
                    }
                    // Rules read the value as the input will: `"5"` as 5.
                    let normal = normal(field.kind, v);
                    let v = normal.as_ref().unwrap_or(v);
                    let broken = field
                        .rules
                        .iter()
                        .find(|r| !r.check(&field.name, Some(v), body));
                    broken.map(|r| {
                        let (at, rule) = r.refused_at(&path(), v, body);
                        (at, Failure::Rule(rule))
                    })
                }
            };
            if let Some((field, failure)) = refusal {
                refused.push(Refusal { field, failure });
            }
        }
    }
}

impl Shape {
    /// Writes the numbers and booleans a checked body gives as text (or booleans as 0 and 1) as
    /// JSON's own, so the input reads them.
    pub fn normalize(&self, body: &mut Value) {
        if let (Some(items), Value::Array(elements)) = (&self.items, &mut *body) {
            elements.iter_mut().for_each(|e| items.normalize(e));
            return;
        }
        let Value::Object(map) = body else { return };
        for field in &self.fields {
            let Some(value) = map.get_mut(&field.name) else {
                continue;
            };
            if let (Some(inner), Value::Object(_)) = (&field.fields, &*value) {
                inner.normalize(value);
            } else if let Some(normal) = normal(field.kind, value) {
                *value = normal;
            }
        }
    }
}

/// A number or boolean given as text (or a boolean as 0 or 1), as JSON's own; `None` when the
/// value is already so, or is none.
fn normal(kind: Kind, value: &Value) -> Option<Value> {
    match kind {
        Kind::Integer if value.is_string() => integer(value).map(Value::from),
        Kind::Number if value.is_string() => number(value).map(Value::from),
        Kind::Boolean if !value.is_boolean() => boolean(value).map(Value::Bool),
        _ => None,
    }
}

/// The refusal an API with one message names: the first field missing or of the wrong kind, else
/// the first breaking a rule (presence and kinds are read before rules, as the upstreams do).
pub fn first(refused: &[Refusal]) -> Option<&Refusal> {
    refused
        .iter()
        .min_by_key(|r| matches!(r.failure, Failure::Rule(_)))
}

impl Field {
    /// Whether a (non-null) value is of the field's kind.
    pub fn takes(&self, value: &Value) -> bool {
        match (self.kind, value) {
            (Kind::List, Value::Array(items)) => self
                .items
                .is_none_or(|k| items.iter().all(|i| takes(k, &self.values, i))),
            (kind, v) => takes(kind, &self.values, v),
        }
    }
}

/// Whether a value is of a kind. Numbers and booleans are taken as the PHP APIs take them: `"5"`
/// is an integer, `0`, `1`, `"0"` and `"1"` are booleans (`Shape::normalize` writes them as JSON's).
fn takes(kind: Kind, values: &[Value], value: &Value) -> bool {
    match kind {
        Kind::String => value.is_string(),
        Kind::Integer => integer(value).is_some(),
        Kind::Number => number(value).is_some(),
        Kind::Boolean => boolean(value).is_some(),
        Kind::Enum => values.is_empty() || values.contains(value),
        Kind::List => value.is_array(),
        Kind::Object => value.is_object(),
        Kind::Date => value.as_str().is_some_and(iso_date),
        Kind::Any => true,
    }
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok().filter(|n: &f64| n.is_finite()),
        _ => None,
    }
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.as_str() {
            "0" | "false" => Some(false),
            "1" | "true" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// `YYYY-MM-DD`, optionally followed by a time.
fn iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b.len() == 10 || b[10] == b'T' || b[10] == b' ')
}

/// The schema a `$ref` points at, or the first of an `anyOf`'s non-null options.
fn resolve<'a>(schema: &'a Value, definitions: &'a Map<String, Value>) -> &'a Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return definitions
            .get(name)
            .map_or(schema, |def| resolve(def, definitions));
    }
    if let Some(Value::Array(options)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let not_null: Vec<&Value> = options
            .iter()
            .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        // Several readings (an integer, or a string of digits): the first is the declared kind.
        if let Some(first) = not_null.first() {
            return resolve(first, definitions);
        }
    }
    schema
}

fn enum_values(schema: &Value) -> Vec<Value> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values.clone();
    }
    // `oneOf` of `const`s or of one-value enums, as schemars writes documented values.
    match schema.get("oneOf") {
        Some(Value::Array(options)) if is_enum(schema) => options
            .iter()
            .filter_map(|o| {
                o.get("const")
                    .or_else(|| o.get("enum").and_then(|e| e.get(0)))
                    .cloned()
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A schema's kind: its `type` without `null`, documented values, a date format; a schema that
/// says nothing of its type is `Any`.
fn kind_of(schema: &Value) -> Kind {
    if is_enum(schema) {
        return Kind::Enum;
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    };
    let format = schema.get("format").and_then(Value::as_str);
    match (types.as_slice(), format) {
        (["string"], Some("date" | "date-time")) => Kind::Date,
        (["string"], _) => Kind::String,
        (["integer"], _) => Kind::Integer,
        (["number"], _) => Kind::Number,
        (["boolean"], _) => Kind::Boolean,
        (["array"], _) => Kind::List,
        (["object"], _) => Kind::Object,
        ([], _) if schema.get("properties").is_some() => Kind::Object,
        _ => Kind::Any,
    }
}

/// An `enum` keyword, or a `oneOf` whose every option is one constant string (schemars' form for
/// documented values).
fn is_enum(schema: &Value) -> bool {
    schema.get("enum").is_some()
        || schema
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|options| {
                options.iter().all(|o| {
                    o.get("const").is_some_and(Value::is_string)
                        || o.get("enum")
                            .and_then(Value::as_array)
                            .is_some_and(|e| e.len() == 1 && e[0].is_string())
                })
            })
}

/// A query string's parameters as the JSON body the shape declares: each declared integer, number
/// or boolean read as one where its text is one (else left as text, to be refused as the wrong
/// kind); everything else as text.
pub fn from_query(shape: &Shape, params: &[(&str, &str)]) -> Value {
    let body: Map<String, Value> = params
        .iter()
        .map(|(name, text)| ((*name).to_string(), Value::from(*text)))
        .collect();
    let mut body = Value::Object(body);
    shape.normalize(&mut body);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape() -> Shape {
        let definitions = json!({
            "Rule": {"type": "string", "enum": ["random", "least_accounts"]},
            "Version": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        });
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "count": {"type": "integer", "format": "int32"},
                "on": {"type": ["boolean", "null"]},
                "rule": {"anyOf": [{"$ref": "#/$defs/Rule"}, {"type": "null"}]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "version": {"$ref": "#/$defs/Version"},
                "from": {"type": "string", "format": "date"},
                "email": {"type": "string"},
            },
            "required": ["name", "count"],
        });
        static RULES: &[FieldRules] = &[("email", &[Rule::Email]), ("name", &[Rule::MaxLen(3)])];
        Shape::from_schema(&schema, definitions.as_object().expect("an object"), RULES)
    }

    /// Kinds, requiredness, enums, nested objects and rules come from the declaration.
    #[test]
    fn read_from_the_schema() {
        let shape = shape();
        let kinds: Vec<(&str, Kind, bool)> = shape
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.kind, f.required))
            .collect();
        assert_eq!(
            kinds,
            [
                ("name", Kind::String, true),
                ("count", Kind::Integer, true),
                ("on", Kind::Boolean, false),
                ("rule", Kind::Enum, false),
                ("tags", Kind::List, false),
                ("version", Kind::Object, false),
                ("from", Kind::Date, false),
                ("email", Kind::String, false),
            ]
        );
        assert_eq!(shape.fields[3].values, ["random", "least_accounts"]);
        assert_eq!(shape.fields[0].rules, &[Rule::MaxLen(3)]);
    }

    /// Every failed field at once, in declaration order, each with its first failure; a body of
    /// the wrong kind is refused whole.
    #[test]
    fn every_failure_in_order() {
        let shape = shape();
        let refused = shape
            .check(
                &json!({"name": "long", "on": "yes", "rule": "other", "tags": ["a", 2],
                "version": {"name": 5}, "from": "yesterday", "email": "nope", "extra": []}),
            )
            .unwrap_err();
        let Refused::Fields(refused) = refused else {
            panic!("fields refused")
        };
        let got: Vec<(&str, Failure)> = refused
            .iter()
            .map(|r| (r.field.as_str(), r.failure))
            .collect();
        assert_eq!(
            got,
            [
                ("name", Failure::Rule(Rule::MaxLen(3))),
                ("count", Failure::Missing),
                ("on", Failure::Type(Kind::Boolean)),
                ("rule", Failure::Type(Kind::Enum)),
                ("tags", Failure::Type(Kind::List)),
                ("version.name", Failure::Type(Kind::String)),
                ("from", Failure::Type(Kind::Date)),
                ("email", Failure::Rule(Rule::Email)),
            ]
        );
        assert_eq!(
            shape.check(&json!({"name": "ab", "count": 2, "on": null})),
            Ok(())
        );
        assert_eq!(shape.check(&json!([1])), Err(Refused::Body(Kind::Object)));
        assert_eq!(shape.check(&json!("x")), Err(Refused::Body(Kind::Object)));
    }

    /// A list body (`*  object` in the docs) checks each element as an input, naming it by
    /// position; a rule on each element of a list names the element; numbers given as text meet
    /// their rules as numbers.
    #[test]
    fn lists_and_their_elements() {
        let schema = json!({"type": "array", "items": {"type": "object",
            "properties": {"type": {"type": "string"}, "values": {"type": "array", "items": {"type": "integer"}}},
            "required": ["type"]}});
        static RULES: &[FieldRules] = &[("type", &[Rule::OneOf(&["instance", "plan"])])];
        let shape = Shape::from_schema(&schema, &Map::new(), RULES);
        assert_eq!(
            shape.check(&json!([{"type": "plan", "values": [1]}])),
            Ok(())
        );
        let refused = shape
            .check(&json!([{"type": "plan"}, {"values": [2]}, {"type": "moon"}, 7]))
            .unwrap_err();
        assert_eq!(
            refused,
            Refused::Fields(vec![
                Refusal {
                    field: "1.type".into(),
                    failure: Failure::Missing
                },
                Refusal {
                    field: "2.type".into(),
                    failure: Failure::Rule(Rule::OneOf(&["instance", "plan"]))
                },
                Refusal {
                    field: "3".into(),
                    failure: Failure::Type(Kind::Object)
                },
            ])
        );
        assert_eq!(
            shape.check(&json!({"type": "plan"})),
            Err(Refused::Body(Kind::List))
        );

        let schema = json!({"type": "object", "properties": {
            "emails": {"type": "array", "items": {"type": "string"}},
            "hour": {"type": "integer"}}});
        static EACH: &[FieldRules] = &[
            ("emails", &[Rule::Each(&Rule::Email)]),
            ("hour", &[Rule::Min(0), Rule::Max(23)]),
        ];
        let shape = Shape::from_schema(&schema, &Map::new(), EACH);
        assert_eq!(
            shape.check(&json!({"emails": ["a@b.co", "nope"], "hour": "24"})),
            Err(Refused::Fields(vec![
                Refusal {
                    field: "emails.1".into(),
                    failure: Failure::Rule(Rule::Email)
                },
                Refusal {
                    field: "hour".into(),
                    failure: Failure::Rule(Rule::Max(23))
                },
            ]))
        );
        let mut body = json!({"hour": "9"});
        assert_eq!(shape.check(&body), Ok(()));
        shape.normalize(&mut body);
        assert_eq!(body, json!({"hour": 9}));
    }

    /// Query-string text becomes the declared kind where it is one.
    #[test]
    fn query_strings_take_the_declared_kinds() {
        let body = from_query(
            &shape(),
            &[("count", "7"), ("on", "1"), ("name", "5"), ("x", "y")],
        );
        assert_eq!(body, json!({"count": 7, "on": true, "name": "5", "x": "y"}));
        let body = from_query(&shape(), &[("count", "seven")]);
        assert!(shape().check(&body).is_err());
    }
}
