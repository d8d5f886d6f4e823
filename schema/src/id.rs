//! Global IDs: opaque, URL-safe strings that encode an object's type, its connection and the upstream's
//! own ID, so `node(id:)` can route any of them back to the right upstream.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalId {
    pub kind: String,
    pub connection: String,
    pub local: String,
}

impl GlobalId {
    pub fn new(kind: &str, connection: &str, local: impl ToString) -> GlobalId {
        GlobalId {
            kind: kind.to_string(),
            connection: connection.to_string(),
            local: local.to_string(),
        }
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}:{}", self.kind, self.connection, self.local))
    }

    /// `None` for anything that is not an ID this gateway issued.
    pub fn decode(id: &str) -> Option<GlobalId> {
        let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(3, ':');
        let (kind, connection, local) = (parts.next()?, parts.next()?, parts.next()?);
        if kind.is_empty() || local.is_empty() {
            return None;
        }
        Some(GlobalId::new(kind, connection, local))
    }
}

impl From<GlobalId> for async_graphql::ID {
    fn from(id: GlobalId) -> async_graphql::ID {
        async_graphql::ID(id.encode())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ID survives the round trip, including a local part that itself holds colons.
    #[test]
    fn round_trip() {
        let id = GlobalId::new("Server", "hoster-main", "vm:4001");
        assert_eq!(GlobalId::decode(&id.encode()), Some(id));
    }

    /// Garbage is not an ID.
    #[test]
    fn rejects_garbage() {
        assert_eq!(GlobalId::decode("not base64!"), None);
        assert_eq!(GlobalId::decode(&URL_SAFE_NO_PAD.encode("Server")), None);
    }
}
