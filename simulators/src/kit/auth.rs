//! The credential check in front of a simulator's routes, in each provider's header format. It guards
//! the routes only, not the fallback, so an unknown path answers the provider's 404 whoever asks.

use super::Fail;
use axum::{
    Router,
    extract::Request,
    http::{HeaderMap, header},
    middleware::{self, Next},
    response::IntoResponse,
};
use std::sync::Arc;

/// What a request must present.
#[derive(Clone)]
pub enum Credential {
    /// `Authorization: Bearer <token>`, the scheme spelled exactly so.
    Bearer(Arc<str>),
    /// The token alone in a header of its own (`HostToken: <token>`).
    Header(&'static str, Arc<str>),
    /// `Authorization: Basic base64(key:secret)`.
    Basic { key: Arc<str>, secret: Arc<str> },
    /// Anything else, decided on the request; it may leave what it found in the extensions.
    Check(Arc<dyn Fn(&mut Request) -> bool + Send + Sync>),
}

impl Credential {
    fn accepts(&self, req: &mut Request) -> bool {
        let headers = req.headers();
        match self {
            Credential::Bearer(token) => authorization(headers)
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|v| v == &**token),
            Credential::Header(name, token) => headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == &**token),
            Credential::Basic { key, secret } => scheme(headers)
                .filter(|(scheme, _)| scheme == "basic")
                .and_then(|(_, encoded)| basic_pair(&encoded))
                .is_some_and(|(k, s)| *k == **key && *s == **secret),
            Credential::Check(check) => check(req),
        }
    }
}

/// Puts the check in front of every route of `router`; a request that fails it gets `denied`.
pub fn require<S>(router: Router<S>, credential: Credential, denied: Fail) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.route_layer(middleware::from_fn(move |mut req: Request, next: Next| {
        let pass = credential.accepts(&mut req);
        let denied = denied.clone();
        async move {
            if pass {
                next.run(req).await
            } else {
                denied.into_response()
            }
        }
    }))
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// The `Authorization` header as (scheme in lowercase, credentials), trimmed: schemes are
/// case-insensitive, as RFC 9110 has them.
pub fn scheme(headers: &HeaderMap) -> Option<(String, String)> {
    let (scheme, rest) = authorization(headers)?.trim().split_once(' ')?;
    Some((scheme.to_ascii_lowercase(), rest.trim().to_string()))
}

/// `key:secret` from Basic credentials. A trailing newline in the encoded pair is accepted, as
/// `echo key:secret | base64` (which docs like to show) encodes one.
fn basic_pair(encoded: &str) -> Option<(String, String)> {
    let decoded = String::from_utf8(super::encode::base64_decode(encoded)?).ok()?;
    let (key, secret) = decoded.trim_end_matches(['\r', '\n']).split_once(':')?;
    Some((key.into(), secret.into()))
}
