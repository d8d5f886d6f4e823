//! Who is asking: the authenticated principal every resolver sees in its context, its scopes, and the
//! guards that enforce them.

use crate::error::GatewayError;
use async_graphql::{Context, Guard, Result};
use std::collections::BTreeSet;

/// What a credential allows. `Admin` implies `Write`, which implies `Read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// An authenticated caller: a JWT subject or an API key. Hashed whole where callers must not share
/// (WebSocket subscriptions share an execution only within one principal).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    /// `sub` of a JWT, or `apikey:<name>` for an API key.
    pub subject: String,
    pub scopes: BTreeSet<Scope>,
    /// Connection names the principal may use; `None` means all.
    pub connections: Option<BTreeSet<String>>,
    /// The upstream user the principal is bound to (a PanelAlpha user's ID): it acts upstream as
    /// that user only. `None`: unbound, it may name any.
    pub bound_user: Option<String>,
}

impl Principal {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.iter().any(|s| *s >= scope)
    }

    pub fn may_use(&self, connection: &str) -> bool {
        self.connections
            .as_ref()
            .is_none_or(|allowed| allowed.contains(connection))
    }
}

/// The principal of a request, if any credential was presented. Resolvers read it with `principal()`.
#[derive(Debug, Clone, Default)]
pub struct Caller(pub Option<Principal>);

/// The principal of this request, or UNAUTHENTICATED.
pub fn principal<'a>(ctx: &'a Context<'_>) -> Result<&'a Principal, GatewayError> {
    ctx.data_opt::<Caller>()
        .and_then(|c| c.0.as_ref())
        .ok_or(GatewayError::Unauthenticated)
}

/// The principal of this request, which must hold `scope`: UNAUTHENTICATED without one, FORBIDDEN
/// without the scope.
pub fn require<'a>(ctx: &'a Context<'_>, scope: Scope) -> Result<&'a Principal, GatewayError> {
    let p = principal(ctx)?;
    if p.has(scope) {
        Ok(p)
    } else {
        Err(GatewayError::Forbidden(format!(
            "this operation needs the `{}` scope",
            scope.as_str()
        )))
    }
}

/// An upstream object of `provider` for `raw`: the keys its wire names secret (Patchstack's plugin API
/// secret, Orchestrix's webhook signing secret) are nulled unless the caller is an admin, the rule of
/// the typed secret fields.
pub fn redacted(
    ctx: &Context<'_>,
    provider: hostplane_adapters::Provider,
    raw: &serde_json::Value,
) -> async_graphql::Json<serde_json::Value> {
    use serde_json::Value;
    fn redact(v: &mut Value, keys: &[&str]) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if keys.contains(&k.as_str()) {
                        *v = Value::Null;
                    } else {
                        redact(v, keys);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| redact(v, keys)),
            _ => {}
        }
    }
    let mut raw = raw.clone();
    if require(ctx, Scope::Admin).is_err() {
        redact(&mut raw, provider.wire().secret_keys());
    }
    async_graphql::Json(raw)
}

/// A field guard: `#[graphql(guard = "ScopeGuard(Scope::Admin)")]`.
pub struct ScopeGuard(pub Scope);

impl Guard for ScopeGuard {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        require(ctx, self.0).map(|_| ()).map_err(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(scopes: &[Scope]) -> Principal {
        Principal {
            subject: "t".into(),
            scopes: scopes.iter().copied().collect(),
            connections: None,
            bound_user: None,
        }
    }

    /// Admin implies write and read; read implies nothing more.
    #[test]
    fn scopes_are_ordered() {
        assert!(principal(&[Scope::Admin]).has(Scope::Read));
        assert!(principal(&[Scope::Write]).has(Scope::Read));
        assert!(!principal(&[Scope::Read]).has(Scope::Write));
        assert!(!principal(&[]).has(Scope::Read));
    }
}
