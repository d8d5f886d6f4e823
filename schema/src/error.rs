//! The error type of the GraphQL boundary. Each variant maps to one stable `extensions.code`; upstream
//! failures also carry `provider`, `connection`, `upstreamStatus` and the upstream's own error text so the
//! REST layer can repeat it verbatim. Internal details are logged, never sent.

use async_graphql::ErrorExtensions;
use hostplane_adapters::{ErrorCode, Provider, UpstreamError};

/// Deliberately not `Display`: async-graphql converts any `Display` error into a code-less error, so
/// keeping this type out of that blanket impl makes `?` always go through the mapping below.
#[derive(Debug, Clone)]
pub enum GatewayError {
    Unauthenticated,
    Forbidden(String),
    Validation(String),
    /// An input field that breaks a documented rule, worded as its provider words it.
    Invalid {
        field: String,
        message: String,
    },
    /// What was not found (`server 4001`).
    NotFound(String),
    Unsupported(String),
    Upstream {
        provider: Provider,
        connection: String,
        source: UpstreamError,
    },
    /// The detail is logged; the client sees a generic message.
    Internal(String),
}

impl GatewayError {
    pub fn code(&self) -> ErrorCode {
        match self {
            GatewayError::Unauthenticated => ErrorCode::Unauthenticated,
            GatewayError::Forbidden(_) => ErrorCode::Forbidden,
            GatewayError::Validation(_) | GatewayError::Invalid { .. } => ErrorCode::Validation,
            GatewayError::NotFound(_) => ErrorCode::NotFound,
            GatewayError::Unsupported(_) => ErrorCode::Unsupported,
            GatewayError::Upstream { source, .. } => source.code(),
            GatewayError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The message a client sees.
    pub fn message(&self) -> String {
        match self {
            GatewayError::Unauthenticated => "authentication required".into(),
            GatewayError::Forbidden(m)
            | GatewayError::Validation(m)
            | GatewayError::Unsupported(m)
            | GatewayError::Invalid { message: m, .. } => m.clone(),
            GatewayError::NotFound(what) => format!("{what} not found"),
            GatewayError::Upstream { source, .. } => source.to_string(),
            GatewayError::Internal(_) => "internal error".into(),
        }
    }

    /// An upstream's failure, at a connection.
    pub fn upstream(provider: Provider, connection: &str, source: UpstreamError) -> GatewayError {
        GatewayError::Upstream {
            provider,
            connection: connection.to_string(),
            source,
        }
    }

    /// The upstream answered, but not in the shape its docs give.
    pub fn malformed(
        provider: Provider,
        connection: &str,
        detail: impl std::fmt::Display,
    ) -> GatewayError {
        let source = UpstreamError::Malformed {
            status: 200,
            detail: detail.to_string(),
        };
        GatewayError::upstream(provider, connection, source)
    }

    pub fn internal(detail: impl std::fmt::Display) -> GatewayError {
        GatewayError::Internal(detail.to_string())
    }
}

impl From<GatewayError> for async_graphql::Error {
    fn from(e: GatewayError) -> async_graphql::Error {
        match &e {
            GatewayError::Internal(detail) => tracing::error!(%detail, "internal error"),
            GatewayError::Upstream {
                provider,
                connection,
                source,
            } => tracing::warn!(%provider, %connection, error = ?source, "upstream call failed"),
            _ => {}
        }
        let mut err = async_graphql::Error::new(e.message());
        err = err.extend_with(|_, ext| {
            ext.set("code", e.code().as_str());
            if let GatewayError::Invalid { field, .. } = &e {
                ext.set("field", field.as_str());
            }
            if let GatewayError::Upstream {
                provider,
                connection,
                source,
            } = &e
            {
                // Spelled as the `Provider` enum spells it in data (`HOSTERAPI`).
                ext.set("provider", provider.key().to_ascii_uppercase());
                ext.set("connection", connection.as_str());
                if let Some(status) = source.upstream_status() {
                    ext.set("upstreamStatus", status);
                }
                if let Some(text) = source.upstream_error() {
                    ext.set("upstreamError", text);
                }
            }
        });
        err
    }
}

/// Reads the stable code back from a GraphQL error (REST layer and tests).
pub fn code_of(err: &async_graphql::ServerError) -> ErrorCode {
    err.extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .and_then(|v| match v {
            async_graphql::Value::String(s) => ErrorCode::parse(s),
            _ => None,
        })
        // Errors raised by async-graphql itself (parse, validation, coercion) carry no code.
        .unwrap_or(ErrorCode::Validation)
}
