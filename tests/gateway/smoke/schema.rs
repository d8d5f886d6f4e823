//! The gateway's root fields as the smoke test reads them by introspection: each field's argument
//! types (to declare the variables of its call) and whether it selects subfields.

use crate::helpers::spawn;
use serde_json::{Value, json};
use std::collections::HashMap;

pub struct FieldInfo {
    /// Argument types, as a variable declares them (`Int!`, `[String!]`).
    pub args: HashMap<String, String>,
    /// Whether the field's type is a scalar or enum (selected without braces).
    pub leaf: bool,
}

pub type Fields = HashMap<String, FieldInfo>;

/// The query and mutation roots' fields, read by introspection from a gateway.
pub async fn introspect() -> Fields {
    const TYPE: &str = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";
    let query = format!(
        "{{ __schema {{ queryType {{ ...Root }} mutationType {{ ...Root }} }} }}
         fragment Root on __Type {{ fields(includeDeprecated: true) {{
             name args {{ name type {{ {TYPE} }} }} type {{ {TYPE} }} }} }}"
    );
    let gw = spawn().await;
    let data = gw.data(&query, json!({})).await;
    let mut fields = HashMap::new();
    for root in ["queryType", "mutationType"] {
        for field in data["__schema"][root]["fields"]
            .as_array()
            .expect("root fields")
        {
            let args = field["args"]
                .as_array()
                .expect("arguments")
                .iter()
                .map(|a| (text(&a["name"]), type_ref(&a["type"])))
                .collect();
            let mut ty = &field["type"];
            while matches!(ty["kind"].as_str(), Some("NON_NULL" | "LIST")) {
                ty = &ty["ofType"];
            }
            let leaf = matches!(ty["kind"].as_str(), Some("SCALAR" | "ENUM"));
            fields.insert(text(&field["name"]), FieldInfo { args, leaf });
        }
    }
    fields
}

fn type_ref(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_ref(&ty["ofType"])),
        Some("LIST") => format!("[{}]", type_ref(&ty["ofType"])),
        _ => text(&ty["name"]),
    }
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}
