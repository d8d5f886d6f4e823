//! HosterAPI on the wire: `Authorization: Bearer <key>`, `{"result": ...}` (the incidents endpoint
//! documents `{"response": [...], "error": false}`), and `{"result": false, "error": "0xNN: ..."}`
//! errors with the hex code closest in meaning.

use super::{
    HosterapiClient,
    envelope::{error_body, success},
};
use crate::{
    ErrorCode, Method, Provider, Upstream,
    rules::Rule,
    shape::Failure,
    wire::{Credentials, Wire, header_text, scheme_credential},
};
use serde_json::{Map, Value, json};
use std::{sync::Arc, time::Duration};

pub struct HosterapiWire;

fn is_incidents(path_template: &str) -> bool {
    path_template.ends_with("/incidents")
}

impl Wire for HosterapiWire {
    fn provider(&self) -> Provider {
        Provider::Hosterapi
    }

    fn connect(
        &self,
        base_url: &str,
        credentials: &Credentials,
        timeout: Duration,
    ) -> Result<Arc<dyn Upstream>, String> {
        let token = credentials.require("token")?;
        Ok(Arc::new(HosterapiClient::new(base_url, token, timeout)))
    }

    fn probe(&self) -> &'static str {
        "/api/v1/datacenter/templates"
    }

    fn credential(&self, headers: &::http::HeaderMap) -> Option<String> {
        scheme_credential(header_text(headers, "authorization")?, &["bearer"]).map(str::to_string)
    }

    fn success(&self, _: Method, path_template: &str, result: Value) -> (u16, Value) {
        if is_incidents(path_template) {
            (200, json!({ "response": result, "error": false }))
        } else {
            (200, success(result))
        }
    }

    fn refusal(&self, code: ErrorCode, message: &str, _: Option<&str>) -> (u16, Value) {
        let (status, hex) = match code {
            ErrorCode::Validation => (400, "0xb1"),
            ErrorCode::Unauthenticated => (401, "0x03"),
            ErrorCode::Forbidden => (403, "0x03"),
            ErrorCode::NotFound => (404, "0x01"),
            ErrorCode::UpstreamTimeout => (504, "0xa3"),
            ErrorCode::RateLimited => (429, "0xa2"),
            other => (other.http_status(), "0xa0"),
        };
        (status, error_body(&format!("{hex}: {message}")))
    }

    fn upstream_error(&self, status: u16, text: &str) -> (u16, Value) {
        (status, error_body(text))
    }

    /// Worded as the upstream words an unknown ID (`/server/abc/status`).
    fn invalid_path_param(&self, name: &str, value: &str) -> (u16, Value) {
        let text = match name {
            "jobId" => "0xc1: job not found".to_string(),
            _ => format!("0x01: no vm with id {value} found"),
        };
        (404, error_body(&text))
    }

    /// HosterAPI's documented `0xb1: Missing required parameter template` for a missing field; a
    /// value it does not take is `Invalid parameter`, in the same style (an assumption: the docs
    /// show no other). The code comes with `refusal`.
    fn word(&self, field: &str, failure: &Failure) -> String {
        match failure {
            Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required) => {
                format!("Missing required parameter {field}")
            }
            Failure::Rule(Rule::Matches(p)) => p.message.to_string(),
            Failure::Type(_) | Failure::Rule(_) => format!("Invalid parameter {field}"),
        }
    }

    fn security_schemes(&self) -> Vec<(&'static str, Value)> {
        vec![(
            "hosterapiBearer",
            json!({
                "type": "http",
                "scheme": "bearer",
                "description": "HosterAPI's `Authorization: Bearer <key>`, with a gateway JWT or API key.",
            }),
        )]
    }

    fn error_schema(&self) -> Value {
        json!({
            "type": "object",
            "required": ["result", "error"],
            "properties": {
                "result": { "const": false },
                "error": { "type": "string", "description": "`0xNN: message`" },
            },
        })
    }

    /// The envelope's own shape around the upstream's JSON (any), its other keys constants.
    fn success_responses(&self, method: Method, path_template: &str) -> Vec<(u16, Option<Value>)> {
        let (_, sample) = self.success(method, path_template, Value::Null);
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (k, v) in sample.as_object().into_iter().flatten() {
            required.push(k.clone());
            let schema = if v.is_null() {
                json!({})
            } else {
                json!({ "const": v })
            };
            properties.insert(k.clone(), schema);
        }
        vec![(
            200,
            Some(json!({ "type": "object", "required": required, "properties": properties })),
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gateway validation errors read like HosterAPI's own missing-parameter error; the incidents
    /// endpoint keeps its documented envelope.
    #[test]
    fn shapes() {
        let wire = HosterapiWire;
        assert_eq!(
            wire.refusal(
                ErrorCode::Validation,
                "Missing required parameter template",
                None
            ),
            (
                400,
                json!({"result": false, "error": "0xb1: Missing required parameter template"})
            )
        );
        assert_eq!(
            wire.success(
                Method::Get,
                "/api/v1/datacenter/server/{sid}/incidents",
                json!([])
            )
            .1,
            json!({"response": [], "error": false})
        );
        assert_eq!(
            wire.success(Method::Get, "/api/v1/datacenter/server", json!([1]))
                .1,
            json!({"result": [1]})
        );
        assert_eq!(wire.invalid_path_param("jobId", "x").0, 404);
    }
}
