//! One upstream call made by a resolver: the scope check, the choice of connection, the filled-in
//! path and body, and the mapping of transport errors to the GraphQL boundary's error.

use crate::{
    Services,
    connections::Live,
    endpoint::{Endpoint, Operation},
};
use async_graphql::Context;
use hostplane_adapters::UpstreamError;
use hostplane_schema::{
    GatewayError,
    principal::{Scope, require},
};
use serde_json::Value;
use std::{collections::BTreeMap, sync::Arc, time::Instant};

pub struct UpstreamCall {
    pub endpoint: &'static Endpoint,
    pub connection: Arc<Live>,
    pub params: BTreeMap<&'static str, String>,
    pub body: Option<Value>,
    path: String,
}

impl UpstreamCall {
    /// Checks the caller's scope (read for queries, write for mutations) and picks the connection.
    pub fn begin(
        ctx: &Context<'_>,
        endpoint: &'static Endpoint,
        connection: Option<&str>,
    ) -> Result<UpstreamCall, GatewayError> {
        let scope = match endpoint.operation {
            Operation::Query => Scope::Read,
            Operation::Mutation => Scope::Write,
        };
        let principal = require(ctx, scope)?;
        let services = ctx.data_unchecked::<Arc<Services>>();
        let connection = services
            .connections
            .resolve(principal, endpoint.provider, connection)?;
        Ok(UpstreamCall {
            endpoint,
            connection,
            params: BTreeMap::new(),
            body: None,
            path: endpoint.path.to_string(),
        })
    }

    pub fn path_param(&mut self, name: &'static str, value: &impl std::fmt::Display) {
        let value = value.to_string();
        self.path = self
            .path
            .replace(&format!("{{{name}}}"), &encode_segment(&value));
        self.params.insert(name, value);
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub async fn send(&self) -> Result<Value, GatewayError> {
        let started = Instant::now();
        let result = self
            .connection
            .client
            .call(self.endpoint.method, &self.path, self.body.clone())
            .await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.code().as_str(),
        };
        tracing::debug!(
            provider = %self.endpoint.provider,
            connection = %self.connection.name,
            method = self.endpoint.method.as_str(),
            path = %self.path,
            outcome,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "upstream call"
        );
        metrics::histogram!("hostplane_upstream_request_seconds",
            "provider" => self.endpoint.provider.key(), "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
        result.map_err(|e| self.error(e))
    }

    pub fn error(&self, source: UpstreamError) -> GatewayError {
        GatewayError::Upstream {
            provider: self.endpoint.provider,
            connection: self.connection.name.clone(),
            source,
        }
    }

    /// The upstream answered, but not in the shape its docs give.
    pub fn malformed(&self, detail: impl std::fmt::Display) -> GatewayError {
        self.error(UpstreamError::Malformed {
            status: 200,
            detail: detail.to_string(),
        })
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so an argument can't add a
/// segment or a query string to the upstream path.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// A path argument cannot smuggle a slash or a query string into the upstream path.
    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::encode_segment("4001"), "4001");
        assert_eq!(super::encode_segment("../x?y"), "..%2Fx%3Fy");
    }
}
