//! API keys: random `hp_…` strings for integrators that send one static credential in their API's own
//! header. Only a SHA-256 hash is stored; the key is shown once, when created.

use crate::store::entities::api_key;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hostplane_schema::{
    GatewayError,
    principal::{Binding, Principal, Scope, check_binding},
};
use rand::RngCore as _;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use sha2::{Digest as _, Sha256};
use std::collections::BTreeSet;

/// Prefix of every API key; lets a bearer credential be told apart from a JWT.
const API_KEY_PREFIX: &str = "hp_";

/// Returns `(plaintext, hash_hex)`: "hp_" + 32 random bytes base64url; keep only the hash.
pub fn generate_api_key() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = format!("{API_KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash_api_key(&key);
    (key, hash)
}

/// The lowercase hex SHA-256 of an API key, as stored and looked up. A fast hash is enough: keys
/// carry 256 random bits, so there is nothing to brute-force.
pub fn hash_api_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a bearer credential is an API key (`hp_…`) rather than a JWT.
pub fn looks_like_api_key(s: &str) -> bool {
    s.starts_with(API_KEY_PREFIX)
}

/// Stores a new key; returns its ID and the plaintext (shown once).
pub async fn create(
    db: &DatabaseConnection,
    name: &str,
    scopes: &BTreeSet<Scope>,
    connections: Option<&[String]>,
    bound: Option<Binding>,
) -> Result<(String, String), GatewayError> {
    if name.trim().is_empty() || name.len() > 100 {
        return Err(GatewayError::Validation(
            "API key names are 1-100 characters".into(),
        ));
    }
    check_binding(bound.as_ref(), scopes).map_err(|e| GatewayError::Validation(e.into()))?;
    let (bound_user, bound_connection) = bound.map(|b| (b.user, b.connection)).unzip();
    let (key, hash) = generate_api_key();
    let id = uuid::Uuid::new_v4().to_string();
    api_key::ActiveModel {
        id: Set(id.clone()),
        name: Set(name.to_string()),
        key_hash: Set(hash),
        scopes: Set(scope_list(scopes)),
        connections: Set(connections.map(|c| serde_json::to_string(c).expect("strings serialize"))),
        bound_user: Set(bound_user),
        bound_connection: Set(bound_connection),
        created_at: Set(chrono::Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .map_err(GatewayError::internal)?;
    Ok((id, key))
}

/// The principal of a presented key, by its `hash_api_key`, or `None` if it is unknown or revoked.
pub async fn authenticate(
    db: &DatabaseConnection,
    key_hash: &str,
) -> Result<Option<Principal>, GatewayError> {
    let row = api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(key_hash))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await
        .map_err(GatewayError::internal)?;
    Ok(row.as_ref().map(principal_of))
}

/// The principal a key's row grants.
pub fn principal_of(row: &api_key::Model) -> Principal {
    Principal {
        subject: format!("apikey:{}", row.name),
        scopes: row
            .scopes
            .split_whitespace()
            .filter_map(Scope::parse)
            .collect(),
        connections: row
            .connections
            .as_deref()
            .and_then(|c| serde_json::from_str::<BTreeSet<String>>(c).ok()),
        // A key bound before bindings named their connection names none, so it reaches no
        // connection at all: its user is ambiguous across panels.
        bound: row.bound_user.clone().map(|user| Binding {
            connection: row.bound_connection.clone().unwrap_or_default(),
            user,
        }),
    }
}

/// Narrows or widens a live key: new scopes, and connections when `connections` is `Some` (its
/// `None` lifting the limit). Its binding stays. `false` if there is no live key of that ID.
pub async fn update(
    db: &DatabaseConnection,
    id: &str,
    scopes: Option<&BTreeSet<Scope>>,
    connections: Option<Option<&[String]>>,
) -> Result<bool, GatewayError> {
    let Some(row) = api_key::Entity::find_by_id(id.to_string())
        .filter(api_key::Column::RevokedAt.is_null())
        .one(db)
        .await
        .map_err(GatewayError::internal)?
    else {
        return Ok(false);
    };
    if let Some(scopes) = scopes {
        check_binding(principal_of(&row).bound.as_ref(), scopes)
            .map_err(|e| GatewayError::Validation(e.into()))?;
    }
    let mut row: api_key::ActiveModel = row.into();
    if let Some(scopes) = scopes {
        row.scopes = Set(scope_list(scopes));
    }
    if let Some(connections) = connections {
        row.connections =
            Set(connections.map(|c| serde_json::to_string(c).expect("strings serialize")));
    }
    row.update(db).await.map_err(GatewayError::internal)?;
    Ok(true)
}

fn scope_list(scopes: &BTreeSet<Scope>) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Revokes a key by ID; `false` if there was none to revoke.
pub async fn revoke(db: &DatabaseConnection, id: &str) -> Result<bool, GatewayError> {
    let Some(row) = api_key::Entity::find_by_id(id.to_string())
        .one(db)
        .await
        .map_err(GatewayError::internal)?
    else {
        return Ok(false);
    };
    if row.revoked_at.is_some() {
        return Ok(false);
    }
    let mut row: api_key::ActiveModel = row.into();
    row.revoked_at = Set(Some(chrono::Utc::now()));
    row.update(db).await.map_err(GatewayError::internal)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated API keys have the documented shape, hash deterministically and are recognised.
    #[test]
    fn api_key_round_trip() {
        let (key, hash) = generate_api_key();
        assert!(looks_like_api_key(&key));
        assert_eq!(key.len(), 3 + 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(&key[3..]).unwrap().len(), 32);
        assert_eq!(hash, hash_api_key(&key));
        assert_eq!(hash.len(), 64);
        assert!(
            hash.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(!hash.contains(&key[3..]));

        let (other, other_hash) = generate_api_key();
        assert_ne!(key, other);
        assert_ne!(hash, other_hash);

        assert_eq!(
            hash_api_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!looks_like_api_key("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
