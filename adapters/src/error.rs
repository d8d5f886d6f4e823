//! The one error type of the upstream boundary. Each variant carries what the GraphQL and REST layers
//! need to answer faithfully: a stable code, the upstream's HTTP status and its own error text.

use crate::ErrorCode;
use std::time::Duration;

#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    /// Connection refused, reset, DNS failure: the upstream never answered.
    #[error("upstream unavailable")]
    Unavailable { detail: String },
    /// No answer within the deadline.
    #[error("upstream did not answer within {0:?}")]
    Timeout(Duration),
    /// The upstream answered with its own error body.
    #[error("{message}")]
    Rejected {
        code: ErrorCode,
        /// HTTP status the upstream answered with.
        status: u16,
        /// The upstream's own error text, verbatim (e.g. `0x01: no vm with id 4001 found`).
        upstream_error: String,
        /// A readable message for GraphQL clients.
        message: String,
    },
    /// The upstream answered something that is not its documented envelope.
    #[error("upstream sent a malformed response")]
    Malformed { status: u16, detail: String },
}

impl UpstreamError {
    pub fn code(&self) -> ErrorCode {
        match self {
            UpstreamError::Unavailable { .. } => ErrorCode::UpstreamUnavailable,
            UpstreamError::Timeout(_) => ErrorCode::UpstreamTimeout,
            UpstreamError::Rejected { code, .. } => *code,
            UpstreamError::Malformed { .. } => ErrorCode::UpstreamMalformed,
        }
    }

    pub fn upstream_status(&self) -> Option<u16> {
        match self {
            UpstreamError::Rejected { status, .. } | UpstreamError::Malformed { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    pub fn upstream_error(&self) -> Option<&str> {
        match self {
            UpstreamError::Rejected { upstream_error, .. } => Some(upstream_error),
            _ => None,
        }
    }

    /// Whether a retry later may succeed (used by the task engine's pollers).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            UpstreamError::Unavailable { .. }
                | UpstreamError::Timeout(_)
                | UpstreamError::Malformed { .. }
        ) || matches!(self, UpstreamError::Rejected { status, .. } if *status >= 500)
    }
}
