//! One upstream call made by a resolver: the scope check, the choice of connection, the filled-in
//! path and body, and the mapping of transport errors to the GraphQL boundary's error.

use crate::{
    Services,
    connections::Live,
    endpoint::{Audience, Endpoint, LOCAL_ARGS, Operation, Param},
};
use async_graphql::Context;
use hostplane_adapters::{Method, Request, UpstreamError};
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
    /// Whose credential the call carries upstream.
    pub acting: Acting,
    /// Declared header parameters, by their upstream names.
    pub headers: Vec<(&'static str, String)>,
    /// The path template with its placeholders filled.
    base: String,
    /// Upstream query parameters, in declaration order.
    query: Vec<(&'static str, String)>,
}

/// Whose credential a call carries upstream: the connection's stored one, the caller's own (passed
/// through), or the stored one acting as one of the upstream's users (a user header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acting {
    Stored,
    /// The caller's `Authorization` value (`None`: anonymously, as an upstream login does).
    Caller(Option<String>),
    /// The upstream user's ID.
    User(String),
}

/// Request data: act upstream as the caller, with this `Authorization` value (`None`: anonymously,
/// as an upstream login does), never with the connection's stored credentials. Set by the HTTP layer
/// for the provider named.
#[derive(Clone)]
pub struct PassThrough {
    pub provider: hostplane_adapters::Provider,
    pub authorization: Option<secrecy::SecretString>,
}

/// Ends a filled path template before its first placeholder left unfilled (see
/// `UpstreamCall::trim_absent`).
pub(crate) fn trim_absent(path: &mut String) -> Result<(), GatewayError> {
    let Some(at) = path.find("/{") else {
        return Ok(());
    };
    let rest = &path[at..];
    let mut segments = rest.split('/').skip(1);
    if let Some(given) = segments.find(|s| !(s.starts_with('{') && s.ends_with('}'))) {
        let absent = rest[2..].split('}').next().unwrap_or_default();
        return Err(GatewayError::Validation(format!(
            "`{absent}` is needed before the path segment `{given}`"
        )));
    }
    path.truncate(at);
    Ok(())
}

impl UpstreamCall {
    /// Checks the caller's scope (read for queries, write for mutations) and audience (a customer's
    /// credential reaches its own connection's customer endpoints only), and picks the connection.
    pub fn begin(
        ctx: &Context<'_>,
        endpoint: &'static Endpoint,
        connection: Option<&str>,
    ) -> Result<UpstreamCall, GatewayError> {
        UpstreamCall::start(ctx, endpoint, connection, false)
    }

    /// As `begin`, for a customer's action on an object the gateway has found to be its own (its
    /// own task, which PanelAlpha cancels at an admin endpoint): the audience is not checked.
    pub fn begin_on_behalf(
        ctx: &Context<'_>,
        endpoint: &'static Endpoint,
        connection: Option<&str>,
    ) -> Result<UpstreamCall, GatewayError> {
        UpstreamCall::start(ctx, endpoint, connection, true)
    }

    fn start(
        ctx: &Context<'_>,
        endpoint: &'static Endpoint,
        connection: Option<&str>,
        on_behalf: bool,
    ) -> Result<UpstreamCall, GatewayError> {
        let scope = match endpoint.operation {
            Operation::Query => Scope::Read,
            Operation::Mutation => Scope::Write,
        };
        let principal = require(ctx, scope)?;
        let connection = match principal.customer() {
            Some(binding) if !on_behalf => Some(customer_connection(
                endpoint,
                &binding.connection,
                connection,
            )?),
            _ => connection,
        };
        let services = ctx.data_unchecked::<Arc<Services>>();
        let connection = services
            .connections
            .resolve(principal, endpoint.provider, connection)?;
        let acting = match ctx
            .data_opt::<PassThrough>()
            .filter(|p| p.provider == endpoint.provider)
        {
            Some(p) => {
                use secrecy::ExposeSecret;
                Acting::Caller(
                    p.authorization
                        .as_ref()
                        .map(|a| a.expose_secret().to_string()),
                )
            }
            None => Acting::Stored,
        };
        Ok(UpstreamCall {
            endpoint,
            connection,
            params: BTreeMap::new(),
            body: None,
            acting,
            headers: Vec::new(),
            base: endpoint.path.to_string(),
            query: Vec::new(),
        })
    }

    /// Fills `{name}` in the path, or adds `name=value` to the upstream query string when the
    /// template has no such placeholder; Relay arguments (`LOCAL_ARGS`) stay in the gateway.
    /// A path segment that would not name the declared resource (see `segment`) is VALIDATION.
    pub fn path_param(
        &mut self,
        name: &'static str,
        value: &impl Param,
    ) -> Result<(), GatewayError> {
        let Some(value) = value.to_upstream() else {
            return Ok(());
        };
        let placeholder = format!("{{{name}}}");
        if self.base.contains(&placeholder) {
            self.base = self.base.replace(&placeholder, &segment(name, &value)?);
        } else if !LOCAL_ARGS.contains(&name) {
            self.query.push((name, value.clone()));
        }
        self.params.insert(name, value);
        Ok(())
    }

    /// Ends the path before an optional segment left out (`/reporting/{type}/{period}` with neither
    /// is `/reporting`), as the upstream routes it; one left out before one given is VALIDATION, as
    /// the path could not say which is which.
    pub fn trim_absent(&mut self) -> Result<(), GatewayError> {
        trim_absent(&mut self.base)
    }

    /// Sends a header parameter upstream (`None` leaves an optional one out). The header the
    /// upstream's users are acted as by (its wire's `user_header`) chooses the acting user instead.
    pub fn header_param(
        &mut self,
        ctx: &Context<'_>,
        header: &'static str,
        value: &impl Param,
    ) -> Result<(), GatewayError> {
        let value = value.to_upstream();
        if Some(header) == self.endpoint.provider.wire().user_header() {
            return self.act_as_user(ctx, header, value);
        }
        if let Some(value) = value {
            self.headers.push((header, value));
        }
        Ok(())
    }

    /// Acts upstream as one of the upstream's own users: the one a bound principal is bound to, which
    /// is the only one it may name (another is FORBIDDEN, with nothing sent), or the one an unbound
    /// principal names.
    fn act_as_user(
        &mut self,
        ctx: &Context<'_>,
        header: &str,
        named: Option<String>,
    ) -> Result<(), GatewayError> {
        let bound = require(ctx, Scope::Read)?
            .customer()
            .map(|b| b.user.clone());
        let user = match (bound, named) {
            (Some(bound), Some(named)) if bound != named => {
                return Err(GatewayError::Forbidden(format!(
                    "this credential acts as user {bound} only"
                )));
            }
            (Some(user), _) | (None, Some(user)) => user,
            (None, None) => {
                return Err(GatewayError::Invalid {
                    field: header.to_string(),
                    message: format!("{header} names the user to act as"),
                });
            }
        };
        self.acting = Acting::User(user);
        Ok(())
    }

    /// The upstream user the call acts as, where it acts as one.
    pub fn acting_user(&self) -> Option<&str> {
        match &self.acting {
            Acting::User(user) => Some(user),
            _ => None,
        }
    }

    /// The customer this call's work is for, as a task records it: the user it acts as upstream,
    /// or the user a PanelAlpha admin endpoint acts on (`/api/admin/users/{userId}/...`).
    pub fn customer(&self) -> Option<String> {
        let user = match &self.acting {
            Acting::User(user) => Some(user.as_str()),
            _ if self.endpoint.provider == hostplane_adapters::Provider::Panelalpha => {
                self.params.get("userId").map(String::as_str)
            }
            _ => None,
        }?;
        let binding = hostplane_schema::principal::Binding {
            connection: self.connection.name.clone(),
            user: user.to_string(),
        };
        Some(binding.key())
    }

    /// The upstream path with its query string.
    pub fn path(&self) -> String {
        self.path_with(&[])
    }

    /// The upstream path, with some query parameters replaced or added.
    pub fn path_with(&self, overrides: &[(&str, String)]) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .query
            .iter()
            .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        pairs.extend(overrides.iter().map(|(k, v)| (*k, v.as_str())));
        if pairs.is_empty() {
            return self.base.clone();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_segment(v)))
            .collect();
        format!("{}?{}", self.base, query.join("&"))
    }

    /// Whether the call acts as the caller upstream rather than with the stored credentials.
    pub fn acts_as_caller(&self) -> bool {
        matches!(self.acting, Acting::Caller(_))
    }

    /// The upstream request for `path`, as the call acts.
    fn request<'a>(&'a self, method: Method, path: &'a str, body: Option<Value>) -> Request<'a> {
        Request {
            method,
            path,
            body,
            acting: match &self.acting {
                Acting::Stored => hostplane_adapters::Acting::Stored,
                Acting::Caller(c) => hostplane_adapters::Acting::Caller(c.as_deref()),
                Acting::User(u) => hostplane_adapters::Acting::User(u),
            },
            headers: &self.headers,
        }
    }

    /// One page of a list endpoint (`?page=N`).
    pub async fn send_page(&self, page: i32) -> Result<hostplane_adapters::Page, GatewayError> {
        let path = self.path_with(&[("page", page.to_string())]);
        let started = Instant::now();
        let result = self
            .connection
            .client
            .page(self.request(Method::Get, &path, None))
            .await;
        self.observe(started, &path, result.as_ref().err());
        result.map_err(|e| self.error(e))
    }

    pub async fn send(&self) -> Result<Value, GatewayError> {
        let started = Instant::now();
        let path = self.path();
        let request = self.request(self.endpoint.method, &path, self.body.clone());
        let result = self.connection.client.send(request).await;
        self.observe(started, &path, result.as_ref().err());
        result.map_err(|e| self.error(e))
    }

    fn observe(&self, started: Instant, path: &str, error: Option<&UpstreamError>) {
        let outcome = error.map_or("ok", |e| e.code().as_str());
        tracing::debug!(
            provider = %self.endpoint.provider,
            connection = %self.connection.name,
            method = self.endpoint.method.as_str(),
            path,
            outcome,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "upstream call"
        );
        metrics::histogram!("hostplane_upstream_request_seconds",
            "provider" => self.endpoint.provider.key(), "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    }

    pub fn error(&self, source: UpstreamError) -> GatewayError {
        GatewayError::upstream(self.endpoint.provider, &self.connection.name, source)
    }

    /// The upstream answered, but not in the shape its docs give.
    pub fn malformed(&self, detail: impl std::fmt::Display) -> GatewayError {
        GatewayError::malformed(self.endpoint.provider, &self.connection.name, detail)
    }
}

/// The conversion of endpoints whose answer is one typed upstream object (or a list of them).
pub async fn parse<T: hostplane_schema::reply::FromRaw>(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<T, GatewayError> {
    let raw = call.send().await?;
    T::from_raw(raw).map_err(|e| call.malformed(e))
}

/// The conversion of endpoints whose answer the upstream does not document: its JSON as received.
pub async fn raw(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<hostplane_schema::generic::RawAnswer, GatewayError> {
    Ok(hostplane_schema::generic::RawAnswer {
        provider: call.endpoint.provider,
        raw: call.send().await?,
    })
}

/// The conversion of actions whose answer the upstream does not document: accepted, and its JSON.
pub async fn done(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<hostplane_schema::generic::ActionResult, GatewayError> {
    let raw = call.send().await?;
    Ok(hostplane_schema::generic::ActionResult::accepted(
        call.endpoint.provider,
        raw,
    ))
}

/// The connection a customer's call goes to: its own, for a customer endpoint; an operator
/// endpoint, or another connection, is FORBIDDEN before anything is looked up or sent.
pub fn customer_connection<'a>(
    endpoint: &Endpoint,
    own: &'a str,
    named: Option<&str>,
) -> Result<&'a str, GatewayError> {
    if endpoint.audience != Audience::Customer {
        return Err(GatewayError::Forbidden(format!(
            "`{}` is an operator endpoint, and this credential stands for one customer",
            endpoint.field()
        )));
    }
    match named {
        Some(named) if named != own => Err(GatewayError::Forbidden(format!(
            "this credential reaches connection `{own}` only"
        ))),
        _ => Ok(own),
    }
}

/// A path parameter's value as one encoded segment of the upstream path, or VALIDATION for a value
/// that would not name the declared resource once the upstream (or a proxy before it) decodes and
/// normalises the path: an empty segment (a list instead of a show), `.` or `..` (the parent
/// resource: `DELETE .../snapshots/..` deletes the site), however many times percent-encoded.
pub fn segment(name: &str, value: &str) -> Result<String, GatewayError> {
    let mut text = std::borrow::Cow::Borrowed(value);
    // Each round undoes one layer of encoding; a value still encoded after a few is refused too.
    for _ in 0..4 {
        if matches!(text.as_ref(), "" | "." | "..") {
            break;
        }
        let decoded = percent_encoding::percent_decode_str(&text).decode_utf8_lossy();
        if decoded == text {
            return Ok(encode_segment(value));
        }
        text = std::borrow::Cow::Owned(decoded.into_owned());
    }
    Err(GatewayError::Invalid {
        field: name.to_string(),
        message: format!("`{name}` must name one resource: not empty, `.` or `..`"),
    })
}

/// Percent-encodes everything but RFC 3986's unreserved characters and `@` (which a segment may
/// hold as it is: an email address in a path is sent as written), so an argument can't add a
/// segment or a query string to the upstream path.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@') {
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
        assert_eq!(super::encode_segment("ftp@example.com"), "ftp@example.com");
    }

    /// A segment that names no resource, or its parent, is refused in every encoding; one that
    /// merely contains dots or percent signs passes, encoded.
    #[test]
    fn segments_cannot_climb() {
        for bad in [
            "",
            ".",
            "..",
            "%2e%2e",
            "%2E.",
            ".%2e",
            "%2e",
            "%252e%252e",
            "%25252e",
        ] {
            assert!(super::segment("id", bad).is_err(), "{bad:?}");
        }
        assert_eq!(super::segment("id", "a..b").unwrap(), "a..b");
        assert_eq!(super::segment("id", "...").unwrap(), "...");
        assert_eq!(super::segment("id", "100%").unwrap(), "100%25");
        assert_eq!(super::segment("id", "%41").unwrap(), "%2541");
    }
}
