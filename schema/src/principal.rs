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
    /// The customer the principal stands for: one user of one PanelAlpha connection. `None`: an
    /// operator's credential, bound to nobody.
    pub bound: Option<Binding>,
}

/// One PanelAlpha user on one connection (user 7 of one panel is not user 7 of another). A bound
/// principal acts upstream as that user only, reaches customer endpoints of that connection only,
/// and sees in the unified graph only what that user owns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Binding {
    pub connection: String,
    /// The user's ID on that connection.
    pub user: String,
}

impl Principal {
    /// Whether the principal holds `scope`. A bound principal never holds `admin`, whatever its
    /// credential says: keys and tokens that ask for both are refused when made and when presented,
    /// and this keeps a row written before that rule from meaning more.
    pub fn has(&self, scope: Scope) -> bool {
        if scope == Scope::Admin && self.bound.is_some() {
            return false;
        }
        self.scopes.iter().any(|s| *s >= scope)
    }

    /// Whether `connection` is visible to the principal: any an unlimited operator names; for a
    /// bound principal, its own connection and those its connection list adds (views of its sites
    /// elsewhere), nothing by default.
    pub fn may_use(&self, connection: &str) -> bool {
        let listed = |allowed: &BTreeSet<String>| allowed.contains(connection);
        match &self.bound {
            Some(b) => b.connection == connection || self.connections.as_ref().is_some_and(listed),
            None => self.connections.as_ref().is_none_or(listed),
        }
    }

    /// The binding of a principal that stands for one customer.
    pub fn customer(&self) -> Option<&Binding> {
        self.bound.as_ref()
    }
}

impl Binding {
    /// The customer as one text (`connection/user`), as a task records whom it acts for.
    pub fn key(&self) -> String {
        format!("{}/{}", self.connection, self.user)
    }

    /// Whether `key` is this customer's `key()`, without making one (asked of every task change
    /// for every subscription a customer holds).
    pub fn is(&self, key: &str) -> bool {
        key.strip_prefix(self.connection.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            == Some(self.user.as_str())
    }
}

/// A credential bound to a customer reads and writes as that customer and never administers the
/// gateway: asking for both is refused when a key or token is made, and when one is presented.
pub fn check_binding(
    bound: Option<&Binding>,
    scopes: &BTreeSet<Scope>,
) -> Result<(), &'static str> {
    if bound.is_some() && scopes.contains(&Scope::Admin) {
        return Err("a credential bound to a customer cannot carry the admin scope");
    }
    Ok(())
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
            bound: None,
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

    /// A bound principal sees its own connection and what its list adds, nothing else by default;
    /// an operator's list limits it, and no list means every connection.
    #[test]
    fn bound_principals_see_their_connection() {
        let mut p = principal(&[Scope::Write]);
        assert!(p.may_use("anything"));
        p.connections = Some(["a".to_string()].into());
        assert!(p.may_use("a") && !p.may_use("b"));
        p.bound = Some(Binding {
            connection: "panel".into(),
            user: "7".into(),
        });
        assert!(p.may_use("panel") && p.may_use("a") && !p.may_use("b"));
        p.connections = None;
        assert!(p.may_use("panel") && !p.may_use("a"));
        let ada = p.bound.as_ref().expect("bound");
        assert!(ada.is(&ada.key()));
        for other in ["panel/70", "panel/", "panel7", "pane/7", "other/7", ""] {
            assert!(!ada.is(other), "{other}");
        }
    }
}
