//! The gateway's credentials: JWT bearer tokens and API keys, verified into a [`Principal`].
//!
//! JWTs are checked against exactly one configured algorithm (HS256, RS256 or ES256), issuer and
//! audience; their `scope` (space-separated, OAuth style) and `scopes` (array) claims are merged
//! into the principal's scopes, and an optional `connections` claim limits which upstream
//! connections it may use. API keys are random `hp_…` strings of which only a SHA-256 hash is
//! stored. No error message produced here ever contains a token, a key or a secret.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Mutex, Once};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hostplane_schema::principal::{Binding, Principal, Scope, check_binding};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// Longest scope name echoed back in an [`AuthError::UnknownScope`] (the name is caller-supplied).
const MAX_ECHOED_SCOPE_LEN: usize = 64;

/// The one signing algorithm the gateway accepts for JWTs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum JwtAlgorithm {
    HS256,
    RS256,
    ES256,
}

impl JwtAlgorithm {
    /// The JOSE `alg` header value, e.g. `"HS256"`.
    pub fn as_str(self) -> &'static str {
        match self {
            JwtAlgorithm::HS256 => "HS256",
            JwtAlgorithm::RS256 => "RS256",
            JwtAlgorithm::ES256 => "ES256",
        }
    }

    fn to_jwt(self) -> Algorithm {
        match self {
            JwtAlgorithm::HS256 => Algorithm::HS256,
            JwtAlgorithm::RS256 => Algorithm::RS256,
            JwtAlgorithm::ES256 => Algorithm::ES256,
        }
    }
}

/// How JWTs are verified: who must have issued them, for whom, and with which key.
#[derive(Debug, Clone, Deserialize)]
pub struct JwtSettings {
    pub issuer: String,
    pub audience: String,
    pub algorithm: JwtAlgorithm,
    /// The shared secret, for HS256.
    pub hs256_secret: Option<SecretString>,
    /// The PEM-encoded public key (`-----BEGIN PUBLIC KEY-----`), for RS256 and ES256.
    pub public_key_pem: Option<String>,
}

/// Why a credential was not accepted, or why the verifier could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credential was presented")]
    Missing,
    #[error("the credential is malformed")]
    Malformed,
    #[error("the token has expired or is not yet valid")]
    Expired,
    #[error("the token signature is invalid")]
    InvalidSignature,
    #[error("the token was issued for a different audience")]
    WrongAudience,
    #[error("the token was issued by an untrusted issuer")]
    WrongIssuer,
    #[error("the token's signing algorithm is not accepted")]
    DisallowedAlgorithm,
    #[error("unknown scope `{0}`")]
    UnknownScope(String),
    /// A customer binding that is incomplete or asks for more than a customer may have.
    #[error("{0}")]
    Binding(&'static str),
    #[error("the API key is not recognised")]
    UnknownApiKey,
    #[error("authentication is misconfigured: {0}")]
    Config(String),
}

impl AuthError {
    /// Maps a `jsonwebtoken` failure onto this boundary's errors, dropping its details (which may
    /// quote parts of the token).
    fn from_jwt(err: &jsonwebtoken::errors::Error) -> AuthError {
        match err.kind() {
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => AuthError::Expired,
            ErrorKind::InvalidSignature => AuthError::InvalidSignature,
            ErrorKind::InvalidAudience => AuthError::WrongAudience,
            ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                AuthError::DisallowedAlgorithm
            }
            ErrorKind::InvalidEcdsaKey
            | ErrorKind::InvalidEddsaKey
            | ErrorKind::InvalidRsaKey(_)
            | ErrorKind::InvalidKeyFormat
            | ErrorKind::MissingAlgorithm => {
                AuthError::Config("the JWT verification key is unusable".into())
            }
            _ => AuthError::Malformed,
        }
    }
}

/// jsonwebtoken 10 needs a process-wide crypto provider. With only the `rust_crypto` feature it
/// picks one itself, but installing it explicitly keeps working should feature unification ever
/// also enable `aws_lc_rs` (then automatic selection would panic). Losing the race to another
/// installer is fine: any installed provider will do.
fn ensure_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    });
}

/// The claims the gateway reads from a JWT. `exp`, `iss` and `aud` are checked by `jsonwebtoken`.
#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: u64,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
    #[serde(default)]
    connections: Option<Vec<String>>,
    /// The PanelAlpha user the token stands for (an ID, as a number or a string)...
    #[serde(default)]
    panelalpha_user: Option<serde_json::Value>,
    /// ... on this PanelAlpha connection: both or neither.
    #[serde(default)]
    panelalpha_connection: Option<String>,
}

/// Just enough of a JOSE header to see which algorithm it claims.
#[derive(Deserialize)]
struct AlgOnly {
    alg: String,
}

/// The shortest signing or sealing secret the gateway takes: HS256 wants a key of at least 256 bits
/// (RFC 7518, section 3.2), and the credential seal derives its key from a secret the same way.
pub const MIN_SECRET_BYTES: usize = 32;

/// Refuses a secret too short to resist guessing, naming the setting and how to make a good one.
pub fn strong_enough(setting: &str, secret: &SecretString) -> Result<(), AuthError> {
    let len = secret.expose_secret().len();
    if len < MIN_SECRET_BYTES {
        return Err(AuthError::Config(format!(
            "{setting} is {len} bytes; it must be at least {MIN_SECRET_BYTES} random bytes \
             (make one with `openssl rand -base64 48`)"
        )));
    }
    Ok(())
}

/// Verifies JWT bearer tokens into principals. Cheap to share behind an `Arc`.
pub struct JwtVerifier {
    algorithm: JwtAlgorithm,
    key: DecodingKey,
    validation: Validation,
    issuer: String,
    /// Tokens that verified, with their principal and the last second they stay valid. A client
    /// sends the same token on every request, and verifying it again cost a twentieth of a REST
    /// call's CPU (`cargo bench --bench gateway`). Gateway JWTs cannot be revoked before `exp`, so
    /// a cached answer is the answer verification would give; failures are never cached.
    verified: Mutex<HashMap<Box<str>, Verified>>,
}

#[derive(Clone)]
struct Verified {
    principal: Principal,
    valid_until: u64,
}

/// Distinct verified tokens kept; past it the cache starts over (expired entries go first).
const VERIFIED_CACHE_SIZE: usize = 4096;

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtVerifier")
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.validation.iss)
            .field("audience", &self.validation.aud)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl JwtVerifier {
    /// Builds a verifier; fails with [`AuthError::Config`] if the key for the configured
    /// algorithm is missing or unusable.
    pub fn new(settings: &JwtSettings) -> Result<JwtVerifier, AuthError> {
        ensure_crypto_provider();
        if settings.issuer.trim().is_empty() {
            return Err(AuthError::Config("the JWT issuer is empty".into()));
        }
        if settings.audience.trim().is_empty() {
            return Err(AuthError::Config("the JWT audience is empty".into()));
        }
        let key = match settings.algorithm {
            JwtAlgorithm::HS256 => {
                let secret = settings
                    .hs256_secret
                    .as_ref()
                    .ok_or_else(|| AuthError::Config("HS256 needs auth.hs256_secret".into()))?;
                strong_enough("auth.hs256_secret (HOSTPLANE_AUTH__HS256_SECRET)", secret)?;
                DecodingKey::from_secret(secret.expose_secret().as_bytes())
            }
            JwtAlgorithm::RS256 => {
                let pem = public_pem(settings)?;
                DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| {
                    AuthError::Config("the RS256 public key is not a valid RSA PEM".into())
                })?
            }
            JwtAlgorithm::ES256 => {
                let pem = public_pem(settings)?;
                DecodingKey::from_ec_pem(pem.as_bytes()).map_err(|_| {
                    AuthError::Config("the ES256 public key is not a valid EC PEM".into())
                })?
            }
        };
        // Building a verifier checks the key against the algorithm now rather than on the first
        // request (e.g. that an ES256 key really is a P-256 point).
        (jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.verifier_factory)(
            &settings.algorithm.to_jwt(),
            &key,
        )
        .map_err(|_| {
            AuthError::Config(format!(
                "the public key does not fit {}",
                settings.algorithm.as_str()
            ))
        })?;

        let mut validation = Validation::new(settings.algorithm.to_jwt());
        validation.algorithms = vec![settings.algorithm.to_jwt()];
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        Ok(JwtVerifier {
            algorithm: settings.algorithm,
            key,
            validation,
            issuer: settings.issuer.clone(),
            verified: Mutex::default(),
        })
    }

    /// Verifies signature, algorithm, expiry, issuer and audience, then reads the principal.
    /// Whether a token claims to be one of this gateway's (its issuer), valid or not: such a token
    /// is refused, never passed on to an upstream as somebody's upstream credential.
    pub fn claims_this_issuer(&self, token: &str) -> bool {
        unverified_issuer(token).is_some_and(|iss| iss == self.issuer)
    }

    pub fn verify(&self, token: &str) -> Result<Principal, AuthError> {
        self.verify_until(token).map(|(principal, _)| principal)
    }

    /// [`verify`](Self::verify), with the last second (Unix time) at which the token still
    /// verifies: its `exp` plus the leeway.
    pub fn verify_until(&self, token: &str) -> Result<(Principal, u64), AuthError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(AuthError::Missing);
        }
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(hit) = self.cached(token, now) {
            return Ok((hit.principal, hit.valid_until));
        }
        // Check the header's `alg` ourselves first: `none` (which jsonwebtoken cannot even parse)
        // and any other algorithm than the configured one are reported as such, not as malformed.
        if header_alg(token)? != self.algorithm.as_str() {
            return Err(AuthError::DisallowedAlgorithm);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| AuthError::from_jwt(&e))?;
        // The same bound `decode` applies to `exp`.
        let valid_until = data.claims.exp.saturating_add(LEEWAY_SECS);
        let principal = principal_from_claims(data.claims)?;
        let mut verified = self
            .verified
            .lock()
            .expect("the token cache lock is never poisoned");
        if verified.len() >= VERIFIED_CACHE_SIZE {
            verified.retain(|_, v| v.valid_until >= now);
            if verified.len() >= VERIFIED_CACHE_SIZE {
                verified.clear();
            }
        }
        verified.insert(
            token.into(),
            Verified {
                principal: principal.clone(),
                valid_until,
            },
        );
        Ok((principal, valid_until))
    }

    fn cached(&self, token: &str, now: u64) -> Option<Verified> {
        let verified = self
            .verified
            .lock()
            .expect("the token cache lock is never poisoned");
        verified
            .get(token)
            .filter(|v| v.valid_until >= now)
            .cloned()
    }
}

fn public_pem(settings: &JwtSettings) -> Result<&str, AuthError> {
    let pem = settings
        .public_key_pem
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            AuthError::Config(format!(
                "{} needs a PEM public key",
                settings.algorithm.as_str()
            ))
        })?;
    if pem.contains("PRIVATE KEY") {
        return Err(AuthError::Config(
            "the configured PEM is a private key; configure the public key only".into(),
        ));
    }
    Ok(pem)
}

/// The `alg` of a compact JWS (`header.payload.signature`).
/// The unverified `iss` claim of a JWT-shaped string, if it has one.
fn unverified_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let json: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    json.get("iss")?.as_str().map(str::to_string)
}

fn header_alg(token: &str) -> Result<String, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed);
    };
    let json = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| AuthError::Malformed)?;
    let header: AlgOnly = serde_json::from_slice(&json).map_err(|_| AuthError::Malformed)?;
    Ok(header.alg)
}

fn principal_from_claims(claims: Claims) -> Result<Principal, AuthError> {
    if claims.sub.trim().is_empty() {
        return Err(AuthError::Malformed);
    }
    let names = claims
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .chain(claims.scopes.iter().flatten().map(String::as_str));
    let mut scopes = BTreeSet::new();
    for name in names {
        let scope = Scope::parse(name).ok_or_else(|| {
            AuthError::UnknownScope(name.chars().take(MAX_ECHOED_SCOPE_LEN).collect())
        })?;
        scopes.insert(scope);
    }
    let user = claims.panelalpha_user.map(|u| match u {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    let bound = match (user, claims.panelalpha_connection) {
        (None, None) => None,
        (Some(user), Some(connection)) if !user.is_empty() && !connection.is_empty() => {
            Some(Binding { connection, user })
        }
        _ => return Err(AuthError::Binding(BINDING_NAMES_BOTH)),
    };
    check_binding(bound.as_ref(), &scopes).map_err(AuthError::Binding)?;
    Ok(Principal {
        subject: claims.sub,
        scopes,
        connections: claims.connections.map(|c| c.into_iter().collect()),
        bound,
    })
}

const BINDING_NAMES_BOTH: &str =
    "a customer binding names both the PanelAlpha user and its connection";

/// The claims of a token minted by [`TokenMinter`].
#[derive(Serialize)]
struct MintedClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    iat: u64,
    exp: u64,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    connections: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    panelalpha_user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    panelalpha_connection: Option<&'a str>,
}

/// Mints HS256 tokens the gateway's own [`JwtVerifier`] accepts (for `hostplane token` and `demo`).
#[derive(Clone)]
pub struct TokenMinter {
    issuer: String,
    audience: String,
    key: EncodingKey,
}

impl fmt::Debug for TokenMinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenMinter")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl TokenMinter {
    pub fn new(issuer: &str, audience: &str, secret: &SecretString) -> TokenMinter {
        ensure_crypto_provider();
        TokenMinter {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            key: EncodingKey::from_secret(secret.expose_secret().as_bytes()),
        }
    }

    /// A token for `subject` with `scopes`, optionally limited to `connections`, valid for `ttl`.
    pub fn mint(
        &self,
        subject: &str,
        scopes: &[Scope],
        connections: Option<&[String]>,
        ttl: Duration,
    ) -> String {
        self.mint_bound(subject, scopes, connections, None, ttl)
            .expect("an unbound token takes any scope")
    }

    /// As `mint`, optionally bound to one customer (one PanelAlpha user on one connection): the
    /// token then stands for that customer only, and cannot carry the admin scope.
    pub fn mint_bound(
        &self,
        subject: &str,
        scopes: &[Scope],
        connections: Option<&[String]>,
        bound: Option<&Binding>,
        ttl: Duration,
    ) -> Result<String, AuthError> {
        let now = jsonwebtoken::get_current_timestamp();
        let scopes: BTreeSet<Scope> = scopes.iter().copied().collect();
        check_binding(bound, &scopes).map_err(AuthError::Binding)?;
        let scope = scopes
            .into_iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(" ");
        let claims = MintedClaims {
            iss: &self.issuer,
            aud: &self.audience,
            sub: subject,
            iat: now,
            exp: now.saturating_add(ttl.as_secs()),
            scope,
            connections,
            panelalpha_user: bound.map(|b| b.user.as_str()),
            panelalpha_connection: bound.map(|b| b.connection.as_str()),
        };
        // HMAC accepts keys of any length and the claims always serialise, so this cannot fail.
        Ok(
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.key)
                .expect("HS256 signing with an HMAC key cannot fail"),
        )
    }
}

/// Extracts the credential from an `Authorization: Bearer <x>` header value (case-insensitive scheme).
pub fn bearer(header_value: &str) -> Option<&str> {
    let (scheme, credential) = header_value.trim().split_once(char::is_whitespace)?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && !credential.is_empty()
        && !credential.contains(char::is_whitespace))
    .then_some(credential)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    // Test-only key pairs, generated with `openssl genpkey` for these tests and used nowhere else.
    const RSA_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCuW+uHMxEk2Rjg
UxW35zOCFOg6kAVJ0UsDkjYo83p7HeL5cvjcEvyIYObQ6h8HYTkzy+Vg/BM1Ns61
szX0OjL8lOyUq28jPJarH9i0MNUL4SLKeG0TkYIXDKSTqElEVpZhiYxYc9sPhruH
qnqd7la6w3POUoybKxKiNxOTGCO5lXzrfbVRGCEDqM9ZR+8/aNLtUdIxP/rNZ4qU
sgOd+SH6aHEaRhDcxF3EBTugTe0MTWsFWxSVTdU8ei8uOJaOuDwBDyuE/1aF1L+7
Dh9EJ5Ou6czqL1kop3fAo2SVnYrHQRIfaH8u3DxlGDI+uuVxBeBUT/Ep7dvTHYga
UsNyCbQVAgMBAAECggEAA2n+2mKcWROcKlZOJE/1YPxuUKk9xUSBGsSL5XDhCtSa
u2YuK8b+ZWA6XMhcy6zybQp2xxege6gDU6j66zmRgoMa/808i5zV2Wtx95NGNKmX
oA3MGvg8Kx3fAhonNxyX7LiABEJefXcWqHEk3f9K+PS3SYixwp8NChqYekaceneD
wQ2gEpC3VuenT5qyHaXv/gzrihg7fxQebYMS+U6uutRa4RxFuzg4EuVQ0/oI1LuO
4RuMqJX9h4/vMqJX7z8SBxsTW3cpFnpt3ZmsuaVw1bkl1XbilAAIaGWjT0QVpeNQ
VtpE12SGiYiiKX9XXtdWzNDXT/4MlGcXNElPmTReiQKBgQD1ZIgnH3AyZyLLmHAs
EumEdejN/ewKRPd2mnysNlXbzy3qwf2rv8hB3huWUL2zbgWQTDzoK04tC+D8HPEr
/0tMQtbCuj/2zozcy9pDqog+hJYt7/eiZ4BYFXCdK2G+6ztG1QBz0XFLJofCiUx6
d1JHdJXrfF4l9Kud3gAwLnC63QKBgQC15Vf6+smdl8lzRMGsqYTqBh2KQdYwzrx7
lo+dc2BvtgJgJhR1X6AiQkzZXsCXOig2W3hKnD3Gs6w/xYNZr2Sz3B+t9Uk2l7Uj
6duqqQAKeOFzEQQWIqIUdhL36Tt24XdpAcTrdq4iwb86d7y+03Ttk/Dbd+zcCBrq
HE0DLUK+mQKBgGyfja1Tu0R0ZvCcj7rSvE+IKf9VETESikAT7nAEtUjRks/CA1oN
UMXnXWrSXsaYQxo2xRc4ZCiIg5TV8uO45EnjpFEaRMopcC0kh39Ac4LJCflXqdRX
4HYdN3Y7B8+NLPYTv1mFMpNDgQDZ6eKkAuXic6KDsOE4Rudgp9CsHfZ5AoGAfKHl
k8HM7Z94V/PvpIgO229PRFFyGsU83o2+X8sTc9fJbuoIsJfSGEdHctV6ruQZc41f
Mfg2V/T6fEOwiX4lSRv11PMxtCdk5XOyoQ/lSEelantpSmV2mwCAZL+5j+5TLG8a
55/NF2GbzssGV9Z50uPAcBCPCgC/uFOl7RxRFFkCgYBt2FQODPZsI2rDDlNkQygX
8qE1IRJGCtq1sMhyhKB4VJudndRVFqGimOmGS4EuUDAKrkb4iegSOUuFHsDoQuIH
6IwbpiUDxASpHg7QqDh09C6Bt8idY7aAsWrtHIw9T/amP33MGkCFLmnQn5bJFB81
H4279GTytoDKoNDmcevfOQ==
-----END PRIVATE KEY-----
";

    const RSA_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArlvrhzMRJNkY4FMVt+cz
ghToOpAFSdFLA5I2KPN6ex3i+XL43BL8iGDm0OofB2E5M8vlYPwTNTbOtbM19Doy
/JTslKtvIzyWqx/YtDDVC+EiynhtE5GCFwykk6hJRFaWYYmMWHPbD4a7h6p6ne5W
usNzzlKMmysSojcTkxgjuZV86321URghA6jPWUfvP2jS7VHSMT/6zWeKlLIDnfkh
+mhxGkYQ3MRdxAU7oE3tDE1rBVsUlU3VPHovLjiWjrg8AQ8rhP9WhdS/uw4fRCeT
runM6i9ZKKd3wKNklZ2Kx0ESH2h/Ltw8ZRgyPrrlcQXgVE/xKe3b0x2IGlLDcgm0
FQIDAQAB
-----END PUBLIC KEY-----
";

    const EC_PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1xhcxjIiAGi3I9y7
/rdTo4JoY/lNkGivic1ZLqYjd6yhRANCAATIFok0Px+SmtpSmRsxnn+K/1Aj1KNi
FvQo9iskiRNj5RHyntb1H5jo7jjbYWIEmzcNLt0yosxZVGGIRDCjj5an
-----END PRIVATE KEY-----
";

    const EC_PUBLIC_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEyBaJND8fkpraUpkbMZ5/iv9QI9Sj
Yhb0KPYrJIkTY+UR8p7W9R+Y6O4422FiBJs3DS7dMqLMWVRhiEQwo4+Wpw==
-----END PUBLIC KEY-----
";

    const ISSUER: &str = "https://issuer.test";
    const AUDIENCE: &str = "hostplane";
    const SECRET: &str = "test-only-hs256-secret-0123456789abcdef";

    fn secret() -> SecretString {
        SecretString::from(SECRET)
    }

    fn settings(algorithm: JwtAlgorithm) -> JwtSettings {
        JwtSettings {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            algorithm,
            hs256_secret: (algorithm == JwtAlgorithm::HS256).then(secret),
            public_key_pem: match algorithm {
                JwtAlgorithm::HS256 => None,
                JwtAlgorithm::RS256 => Some(RSA_PUBLIC_PEM.into()),
                JwtAlgorithm::ES256 => Some(EC_PUBLIC_PEM.into()),
            },
        }
    }

    fn verifier(algorithm: JwtAlgorithm) -> JwtVerifier {
        JwtVerifier::new(&settings(algorithm)).expect("test settings are valid")
    }

    fn now() -> i64 {
        i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
    }

    /// Claims the HS256 verifier accepts, to be modified by each test.
    fn good_claims() -> Value {
        json!({
            "sub": "alice",
            "iss": ISSUER,
            "aud": AUDIENCE,
            "exp": now() + 600,
            "scope": "read write",
        })
    }

    fn sign(alg: Algorithm, key: &EncodingKey, claims: &Value) -> String {
        jsonwebtoken::encode(&Header::new(alg), claims, key).unwrap()
    }

    fn sign_hs256(claims: &Value) -> String {
        sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(SECRET.as_bytes()),
            claims,
        )
    }

    fn b64(json: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(json).unwrap())
    }

    /// A minted HS256 token verifies into a principal with its subject, scopes and connections.
    #[test]
    fn valid_hs256_token_yields_principal() {
        let minter = TokenMinter::new(ISSUER, AUDIENCE, &secret());
        let connections = vec!["kinsta-prod".to_string(), "wpengine".to_string()];
        let token = minter.mint(
            "alice",
            &[Scope::Write, Scope::Read, Scope::Write],
            Some(&connections),
            Duration::from_secs(300),
        );
        let p = verifier(JwtAlgorithm::HS256).verify(&token).unwrap();
        assert_eq!(p.subject, "alice");
        assert_eq!(p.scopes, BTreeSet::from([Scope::Read, Scope::Write]));
        assert_eq!(
            p.connections,
            Some(BTreeSet::from([
                "kinsta-prod".to_string(),
                "wpengine".to_string()
            ]))
        );

        let unrestricted = minter.mint("bob", &[Scope::Admin], None, Duration::from_secs(300));
        let p = verifier(JwtAlgorithm::HS256).verify(&unrestricted).unwrap();
        assert_eq!(p.scopes, BTreeSet::from([Scope::Admin]));
        assert_eq!(p.connections, None);
    }

    /// The `scope` string and the `scopes` array are both read and merged.
    #[test]
    fn scope_string_and_scopes_array_are_unioned() {
        let mut claims = good_claims();
        claims["scope"] = json!("read");
        claims["scopes"] = json!(["admin"]);
        let p = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap();
        assert_eq!(p.scopes, BTreeSet::from([Scope::Read, Scope::Admin]));
    }

    /// An unsigned `alg: none` token is rejected as a disallowed algorithm.
    #[test]
    fn alg_none_rejected() {
        let header = b64(&json!({"alg": "none", "typ": "JWT"}));
        let token = format!("{header}.{}.", b64(&good_claims()));
        let err = verifier(JwtAlgorithm::HS256).verify(&token).unwrap_err();
        assert!(matches!(err, AuthError::DisallowedAlgorithm), "{err:?}");
    }

    /// A token past `exp` plus the 30 s leeway is rejected as expired.
    #[test]
    fn expired_rejected() {
        let mut claims = good_claims();
        claims["exp"] = json!(now() - 120);
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(matches!(err, AuthError::Expired), "{err:?}");
    }

    /// A token that expired a few seconds ago is still inside the 30 s leeway.
    #[test]
    fn just_expired_within_leeway_accepted() {
        let mut claims = good_claims();
        claims["exp"] = json!(now() - 5);
        assert!(
            verifier(JwtAlgorithm::HS256)
                .verify(&sign_hs256(&claims))
                .is_ok()
        );
    }

    /// A verified token is answered from the cache only until it expires: one that is valid for
    /// two more seconds (leeway included) verifies now and is refused as expired three seconds on.
    #[test]
    fn cached_tokens_still_expire() {
        let verifier = verifier(JwtAlgorithm::HS256);
        let mut claims = good_claims();
        claims["exp"] = json!(now() - i64::try_from(LEEWAY_SECS).unwrap() + 2);
        let token = sign_hs256(&claims);
        assert_eq!(verifier.verify(&token).unwrap().subject, "alice");
        assert_eq!(verifier.verify(&token).unwrap().subject, "alice");
        std::thread::sleep(Duration::from_secs(3));
        let err = verifier.verify(&token).unwrap_err();
        assert!(matches!(err, AuthError::Expired), "{err:?}");
    }

    /// A token that failed is not remembered as failed, and a good one is not remembered for a
    /// tampered copy of it.
    #[test]
    fn cache_keys_are_whole_tokens() {
        let verifier = verifier(JwtAlgorithm::HS256);
        let token = sign_hs256(&good_claims());
        verifier.verify(&token).unwrap();
        let tampered = format!("{}x", token);
        assert!(verifier.verify(&tampered).is_err());
        assert!(verifier.verify(&token).is_ok());
    }

    /// A token issued for another audience is rejected.
    #[test]
    fn wrong_audience_rejected() {
        let mut claims = good_claims();
        claims["aud"] = json!("someone-else");
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(matches!(err, AuthError::WrongAudience), "{err:?}");
    }

    /// A token from another issuer is rejected.
    #[test]
    fn wrong_issuer_rejected() {
        let mut claims = good_claims();
        claims["iss"] = json!("https://evil.test");
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(matches!(err, AuthError::WrongIssuer), "{err:?}");
    }

    /// A token without `exp` (or without `sub`) is rejected as malformed.
    #[test]
    fn missing_exp_rejected() {
        let mut claims = good_claims();
        claims.as_object_mut().unwrap().remove("exp");
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(matches!(err, AuthError::Malformed), "{err:?}");

        let mut claims = good_claims();
        claims.as_object_mut().unwrap().remove("sub");
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(matches!(err, AuthError::Malformed), "{err:?}");
    }

    /// A token signed with another secret, or with a tampered payload, fails the signature check.
    #[test]
    fn bad_signature_rejected() {
        let forged = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(b"another"),
            &good_claims(),
        );
        let err = verifier(JwtAlgorithm::HS256).verify(&forged).unwrap_err();
        assert!(matches!(err, AuthError::InvalidSignature), "{err:?}");

        let token = sign_hs256(&good_claims());
        let (header, rest) = token.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let mut claims = good_claims();
        claims["scope"] = json!("admin");
        let tampered = format!("{header}.{}.{signature}", b64(&claims));
        let err = verifier(JwtAlgorithm::HS256).verify(&tampered).unwrap_err();
        assert!(matches!(err, AuthError::InvalidSignature), "{err:?}");
    }

    /// RS256 tokens verify with the public key; an HS256 token keyed with that public PEM does not.
    #[test]
    fn rs256_verifies_and_algorithm_confusion_rejected() {
        let v = verifier(JwtAlgorithm::RS256);
        let key = EncodingKey::from_rsa_pem(RSA_PRIVATE_PEM.as_bytes()).unwrap();
        let p = v
            .verify(&sign(Algorithm::RS256, &key, &good_claims()))
            .unwrap();
        assert_eq!(p.subject, "alice");

        let confused = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(RSA_PUBLIC_PEM.as_bytes()),
            &good_claims(),
        );
        let err = v.verify(&confused).unwrap_err();
        assert!(matches!(err, AuthError::DisallowedAlgorithm), "{err:?}");
    }

    /// ES256 tokens verify with the P-256 public key.
    #[test]
    fn es256_verifies() {
        let key = EncodingKey::from_ec_pem(EC_PRIVATE_PEM.as_bytes()).unwrap();
        let mut claims = good_claims();
        claims["connections"] = json!(["pantheon"]);
        let p = verifier(JwtAlgorithm::ES256)
            .verify(&sign(Algorithm::ES256, &key, &claims))
            .unwrap();
        assert_eq!(p.subject, "alice");
        assert_eq!(
            p.connections,
            Some(BTreeSet::from(["pantheon".to_string()]))
        );
    }

    /// A scope name the gateway does not know is rejected, naming the scope.
    #[test]
    fn unknown_scope_rejected() {
        let mut claims = good_claims();
        claims["scope"] = json!("read superuser");
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(
            matches!(&err, AuthError::UnknownScope(s) if s == "superuser"),
            "{err:?}"
        );

        let mut claims = good_claims();
        claims["scopes"] = json!(["root"]);
        let err = verifier(JwtAlgorithm::HS256)
            .verify(&sign_hs256(&claims))
            .unwrap_err();
        assert!(
            matches!(&err, AuthError::UnknownScope(s) if s == "root"),
            "{err:?}"
        );
    }

    /// Garbage, empty and non-JWT strings are malformed or missing, never a panic.
    #[test]
    fn garbage_tokens_rejected() {
        let v = verifier(JwtAlgorithm::HS256);
        assert!(matches!(v.verify(""), Err(AuthError::Missing)));
        for token in [
            "abc",
            "a.b",
            "a.b.c.d",
            "!!.!!.!!",
            "e30.e30.",
            "bm90IGpzb24.e30.x",
        ] {
            let err = v.verify(token).unwrap_err();
            assert!(matches!(err, AuthError::Malformed), "{token}: {err:?}");
        }
    }

    /// Missing or unusable keys are configuration errors, and nothing leaks the secret.
    #[test]
    fn bad_configuration_rejected() {
        let config_err = |s: JwtSettings| {
            assert!(matches!(JwtVerifier::new(&s), Err(AuthError::Config(_))));
        };
        config_err(JwtSettings {
            hs256_secret: None,
            ..settings(JwtAlgorithm::HS256)
        });
        for short in ["", "a", "0123456789abcdef0123456789abcde"] {
            let err = JwtVerifier::new(&JwtSettings {
                hs256_secret: Some(SecretString::from(short)),
                ..settings(JwtAlgorithm::HS256)
            })
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("auth.hs256_secret") && err.contains("openssl rand"),
                "{err}"
            );
        }
        config_err(JwtSettings {
            public_key_pem: None,
            ..settings(JwtAlgorithm::RS256)
        });
        config_err(JwtSettings {
            public_key_pem: Some("not a pem".into()),
            ..settings(JwtAlgorithm::RS256)
        });
        config_err(JwtSettings {
            public_key_pem: Some(RSA_PRIVATE_PEM.into()),
            ..settings(JwtAlgorithm::RS256)
        });
        config_err(JwtSettings {
            public_key_pem: Some(RSA_PUBLIC_PEM.into()),
            ..settings(JwtAlgorithm::ES256)
        });
        config_err(JwtSettings {
            public_key_pem: Some(EC_PUBLIC_PEM.into()),
            ..settings(JwtAlgorithm::RS256)
        });

        let v = verifier(JwtAlgorithm::HS256);
        let m = TokenMinter::new(ISSUER, AUDIENCE, &secret());
        for text in [
            format!("{v:?}"),
            format!("{m:?}"),
            format!("{:?}", settings(JwtAlgorithm::HS256)),
        ] {
            assert!(!text.contains(SECRET), "{text}");
        }
    }
    /// `Bearer` is matched case-insensitively and the credential is trimmed; anything else is None.
    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer("Bearer abc.def.ghi"), Some("abc.def.ghi"));
        assert_eq!(bearer("bearer hp_xyz"), Some("hp_xyz"));
        assert_eq!(bearer("BEARER   tok  "), Some("tok"));
        assert_eq!(bearer("  Bearer\ttok"), Some("tok"));
        assert_eq!(bearer("Bearer"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Basic dXNlcjpwYXNz"), None);
        assert_eq!(bearer("Bearer a b"), None);
        assert_eq!(bearer("Bearerabc"), None);
        assert_eq!(bearer(""), None);
    }
}
