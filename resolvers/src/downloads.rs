//! Short-lived download URLs. A file an upstream serves (Patchstack's plugin zip) is reached through
//! `/downloads/<token>` on the gateway, where the token names the connection and upstream path and
//! expires; it is signed (HMAC-SHA256), so it carries its own authorization and needs no header.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// What a download token grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    #[serde(rename = "c")]
    pub connection: String,
    #[serde(rename = "p")]
    pub path: String,
    /// Expiry, unix seconds.
    #[serde(rename = "e")]
    pub expires: i64,
}

pub struct UrlSigner {
    key: Vec<u8>,
}

impl UrlSigner {
    /// The signing key is derived from a gateway secret with its own label.
    pub fn from_secret(secret: &[u8]) -> UrlSigner {
        let mut mac =
            HmacSha256::new_from_slice(b"hostplane download urls v1").expect("HMAC takes any key");
        mac.update(secret);
        UrlSigner {
            key: mac.finalize().into_bytes().to_vec(),
        }
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(payload.as_bytes());
        mac
    }

    pub fn sign(&self, grant: &Grant) -> String {
        let payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(grant).expect("a grant serializes"));
        let sig = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        format!("{payload}.{sig}")
    }

    /// The grant of a valid, unexpired token.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Grant> {
        let (payload, sig) = token.split_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        self.mac(payload).verify_slice(&sig).ok()?;
        let grant: Grant = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        (grant.expires > now.timestamp()).then_some(grant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(expires: i64) -> Grant {
        Grant {
            connection: "ps".into(),
            path: "/hosting/site/315/download".into(),
            expires,
        }
    }

    /// A signed token verifies until it expires; a tampered one or another key's never does.
    #[test]
    fn sign_and_verify() {
        let s = UrlSigner::from_secret(b"k");
        let now = Utc::now();
        let t = s.sign(&grant(now.timestamp() + 60));
        assert_eq!(s.verify(&t, now), Some(grant(now.timestamp() + 60)));
        assert_eq!(
            s.verify(&t, now + chrono::Duration::seconds(61)),
            None,
            "expired"
        );
        assert_eq!(UrlSigner::from_secret(b"other").verify(&t, now), None);
        let forged = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&grant(now.timestamp() + 3600)).unwrap()),
            t.split_once('.').unwrap().1
        );
        assert_eq!(
            s.verify(&forged, now),
            None,
            "the payload is bound to its signature"
        );
    }
}
