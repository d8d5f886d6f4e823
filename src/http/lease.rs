//! How long an open stream's credential holds. A request checks its credential each time; a stream
//! (a WebSocket session, an event stream) checks it once, when it opens, and then holds a lease
//! that ends when a request with that credential would be refused: the token's `exp` passes (with
//! the leeway verification allows), or its API key is revoked or changed (`keywatch`). The stream
//! then ends: a WebSocket closes with 4401 (expired) or 4403 (revoked or changed), an event stream
//! sends an `UNAUTHENTICATED` error and its `complete`.

use hostplane_resolvers::keywatch::{KeyEnd, KeyLease, KeyWatch};
use hostplane_schema::principal::Principal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::{Instant, sleep_until};

/// A credential that verified: whom it names, and what ends it.
#[derive(Clone)]
pub struct Grant {
    pub principal: Principal,
    /// A token's last valid second (Unix time).
    pub valid_until: Option<u64>,
    /// An API key's hash.
    pub key_hash: Option<String>,
}

/// Why a stream's credential stopped holding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Expired,
    Revoked,
    Changed,
}

impl Ending {
    /// What the client is told: why, and what to do.
    pub fn message(self) -> &'static str {
        match self {
            Ending::Expired => "the token has expired; reconnect with a new one",
            Ending::Revoked => "the API key was revoked",
            Ending::Changed => {
                "the API key's scopes or connections changed; reconnect to continue under its new grant"
            }
        }
    }
}

/// One stream's hold on its credential.
pub struct Lease {
    expires: Option<Instant>,
    key: Option<KeyLease>,
}

impl Lease {
    pub fn new(grant: &Grant, keys: &KeyWatch) -> Lease {
        Lease {
            expires: grant.valid_until.and_then(instant_after),
            key: grant
                .key_hash
                .as_deref()
                .map(|hash| keys.lease(hash, &grant.principal)),
        }
    }

    /// Resolves when the credential no longer holds; never, for one that cannot end.
    pub async fn ended(&mut self) -> Ending {
        let expired = async {
            match self.expires {
                Some(at) => sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let key = async {
            match &mut self.key {
                Some(key) => key.ended().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = expired => Ending::Expired,
            end = key => match end {
                KeyEnd::Revoked => Ending::Revoked,
                KeyEnd::Changed => Ending::Changed,
            },
        }
    }
}

/// When a lease may end, for a stream that may have none.
pub async fn ended(lease: &mut Option<Lease>) -> Ending {
    match lease {
        Some(lease) => lease.ended().await,
        None => std::future::pending().await,
    }
}

/// The instant the second after `last` (Unix time) begins: verification accepts a token through
/// its last valid second. `None` past what a clock can name (an `exp` of centuries hence).
fn instant_after(last: u64) -> Option<Instant> {
    let end = UNIX_EPOCH.checked_add(Duration::from_secs(last.checked_add(1)?))?;
    Instant::now().checked_add(end.duration_since(SystemTime::now()).unwrap_or_default())
}
