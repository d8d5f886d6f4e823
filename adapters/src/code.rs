//! The gateway's stable error codes: the `extensions.code` of every GraphQL error and the key the REST
//! layer maps to each API's own status codes. Codes are part of the public contract; never rename one.

/// A stable, SCREAMING_SNAKE error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request was malformed or failed validation; nothing was changed.
    Validation,
    /// No valid gateway credential was presented.
    Unauthenticated,
    /// The credential lacks the scope or connection the operation needs.
    Forbidden,
    /// The object does not exist (upstream or in the gateway).
    NotFound,
    /// The upstream could not be reached (connection refused, DNS, reset).
    UpstreamUnavailable,
    /// The upstream did not answer within the connection's deadline.
    UpstreamTimeout,
    /// The upstream refused the gateway's stored credentials.
    UpstreamUnauthorized,
    /// The upstream answered with an error of its own.
    UpstreamRejected,
    /// The upstream answered with a body the gateway could not read.
    UpstreamMalformed,
    /// The request is over one of the gateway's abuse limits (depth, aliases, batch size, ...).
    LimitExceeded,
    /// Too many requests.
    RateLimited,
    /// The upstream has no operation with this meaning.
    Unsupported,
    /// A failure inside the gateway; details are in the log only.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::UpstreamUnavailable => "UPSTREAM_UNAVAILABLE",
            ErrorCode::UpstreamTimeout => "UPSTREAM_TIMEOUT",
            ErrorCode::UpstreamUnauthorized => "UPSTREAM_UNAUTHORIZED",
            ErrorCode::UpstreamRejected => "UPSTREAM_REJECTED",
            ErrorCode::UpstreamMalformed => "UPSTREAM_MALFORMED",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    pub fn parse(code: &str) -> Option<ErrorCode> {
        use ErrorCode::*;
        [
            Validation,
            Unauthenticated,
            Forbidden,
            NotFound,
            UpstreamUnavailable,
            UpstreamTimeout,
            UpstreamUnauthorized,
            UpstreamRejected,
            UpstreamMalformed,
            LimitExceeded,
            RateLimited,
            Unsupported,
            Internal,
        ]
        .into_iter()
        .find(|c| c.as_str() == code)
    }

    /// The HTTP status this code maps to where the surface has no status of its own to repeat.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Validation | ErrorCode::LimitExceeded => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unsupported => 501,
            ErrorCode::UpstreamUnavailable
            | ErrorCode::UpstreamUnauthorized
            | ErrorCode::UpstreamRejected
            | ErrorCode::UpstreamMalformed => 502,
            ErrorCode::UpstreamTimeout => 504,
            ErrorCode::Internal => 500,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code survives the round trip through its string form, so clients can rely on it.
    #[test]
    fn codes_round_trip() {
        for code in [
            ErrorCode::Validation,
            ErrorCode::UpstreamTimeout,
            ErrorCode::Internal,
        ] {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }
}
