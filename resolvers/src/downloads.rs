//! Short-lived download URLs. A file an upstream serves (Patchstack's plugin zip, a PanelAlpha
//! backup) is reached through `/downloads/<token>` on the gateway, where the token names the
//! connection, the upstream path, the user the upstream acts as (a PanelAlpha customer) and when it
//! expires; it is signed (HMAC-SHA256), so it carries its own authorization and needs no header.

use crate::{Origin, Services, call::UpstreamCall};
use async_graphql::{Context, SimpleObject};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use hostplane_schema::{
    GatewayError, RestBody, RestReply,
    principal::{Scope, require},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use std::sync::Arc;

/// How long a download link stays valid.
const LINK_TTL_SECS: i64 = 300;

/// Where to download a file an upstream serves (a Patchstack plugin zip, a WPCS snapshot). Such files
/// carry secrets (API keys, database dumps): fetch promptly and keep the URL private.
#[derive(SimpleObject, Debug, Clone)]
pub struct DownloadLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

impl RestReply for DownloadLink {
    fn selection() -> &'static str {
        "{ url }"
    }
    fn upstream(value: Value) -> Value {
        value
    }
    fn rest_body(value: Value) -> RestBody {
        RestBody::Download(value["url"].as_str().unwrap_or_default().to_string())
    }
}

/// The conversion of download endpoints: no upstream call here, the signed link makes it when
/// followed. An operator's downloads are for admins only, like the secrets inside them; a
/// customer endpoint's link acts as its user, so the upstream serves that user's files only.
pub async fn link(ctx: &Context<'_>, call: &UpstreamCall) -> Result<DownloadLink, GatewayError> {
    if call.endpoint.audience == crate::endpoint::Audience::Operator {
        require(ctx, Scope::Admin)?;
    }
    let services = ctx.data_unchecked::<Arc<Services>>();
    let expires_at = Utc::now() + chrono::Duration::seconds(LINK_TTL_SECS);
    let token = services.signer.sign(&Grant {
        connection: call.connection.name.clone(),
        path: call.path(),
        user: call.acting_user().map(str::to_string),
        expires: expires_at.timestamp(),
    });
    let origin = ctx
        .data_opt::<Origin>()
        .map(|o| o.0.as_str())
        .unwrap_or_default();
    Ok(DownloadLink {
        url: format!("{origin}/downloads/{token}"),
        expires_at,
    })
}

type HmacSha256 = Hmac<Sha256>;

/// What a download token grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    #[serde(rename = "c")]
    pub connection: String,
    #[serde(rename = "p")]
    pub path: String,
    /// The upstream user the download acts as, where it acts as one.
    #[serde(rename = "u", default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
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

    /// The connection a token names, unverified: only to word its refusal as that API would.
    pub fn named_connection(token: &str) -> Option<String> {
        let payload = URL_SAFE_NO_PAD.decode(token.split_once('.')?.0).ok()?;
        Some(serde_json::from_slice::<Grant>(&payload).ok()?.connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(expires: i64) -> Grant {
        Grant {
            connection: "ps".into(),
            path: "/hosting/site/315/download".into(),
            user: None,
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
