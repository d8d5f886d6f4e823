//! Patchstack's one piece of timed state: single sign-on tokens, valid for a day and dropped lazily
//! once expired, so the next request for one issues a fresh token.

use super::{
    model::{Store, User},
    routes::random_alnum,
};

/// How long an SSO token stays valid, as documented.
pub(super) const SSO_TTL_SECS: u64 = 24 * 60 * 60;
/// The portal the SSO URLs point at; the simulator does not serve it.
pub(super) const SSO_BASE: &str = "https://app.patchstack.com/sso/";

pub(super) struct SsoToken {
    pub(super) token: String,
    /// Unix seconds.
    pub(super) expires_at: u64,
}

impl Store {
    /// Drops the SSO tokens that have expired.
    pub(super) fn settle(&mut self, now: u64) {
        self.now = now;
        for user in self.users.values_mut() {
            if user.sso.as_ref().is_some_and(|t| t.expires_at <= now) {
                user.sso = None;
            }
        }
    }
}

impl User {
    /// "Each user can only have 1 non-expired and unused token": while one exists it is answered
    /// again. The simulator does not serve the portal, so a token is never used up, only expired.
    pub(super) fn sso_token(&mut self, now: u64) -> &SsoToken {
        self.sso.get_or_insert_with(|| SsoToken {
            token: random_alnum(64),
            expires_at: now + SSO_TTL_SECS,
        })
    }
}
