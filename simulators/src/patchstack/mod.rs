//! The stateful Patchstack simulator used by the gateway's tests and `hostplane demo`: the 11
//! documented Hosting API routes (under `/hosting/`) over an in-memory account of users and their
//! sites, seeded with the data the docs' examples show. Time-bound state (SSO tokens) is settled
//! lazily at the start of every request, so no background task exists and the simulator works under
//! any runtime.
//!
//! Patchstack is a Laravel app: bodies may be JSON or form-encoded, validation failures answer 422
//! with the first failing field's Laravel message, and every error is `{"error": "<message>"}`.
//! Where the docs are silent the behaviour is modelled on what the request and resource imply; each
//! such place says so in a comment.

mod flows;
mod model;
mod routes;
#[cfg(test)]
mod tests;

use crate::{
    SimServer,
    kit::{
        auth::{self, Credential},
        time::unix_now,
    },
};
use axum::{Router, http::StatusCode};
use model::Store;
use std::sync::{Arc, Mutex, MutexGuard};

/// How the simulator authenticates callers.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub token: String,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            token: "sim-patchstack-token".into(),
        }
    }
}

/// A handle on one simulated Patchstack hosting account; clones share the same users and sites.
#[derive(Clone)]
pub struct Simulator {
    token: Arc<str>,
    state: Arc<Mutex<Store>>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        Simulator {
            token: config.token.into(),
            state: Arc::new(Mutex::new(Store::seeded())),
        }
    }

    /// All 11 documented routes, each behind the `HostToken` check. The docs name the header but
    /// not the 401 body; this one is Laravel's default unauthenticated message (modelled).
    pub fn router(&self) -> Router {
        let denied = routes::fail(StatusCode::UNAUTHORIZED, "Unauthenticated.");
        let host_token = Credential::Header("hosttoken", self.token.clone());
        auth::require(routes::routes(), host_token, denied)
            .fallback(routes::unknown_route)
            .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        SimServer::serve(Simulator::new(config), Simulator::router).await
    }

    /// The ids of the users that exist right now, ascending.
    pub fn user_ids(&self) -> Vec<u64> {
        self.lock().users.keys().copied().collect()
    }

    /// The ids of the sites that exist right now (of every user), ascending.
    pub fn site_ids(&self) -> Vec<u64> {
        self.lock().sites.keys().copied().collect()
    }

    /// Locks the store with expired SSO tokens dropped, so every handler sees the present.
    fn lock(&self) -> MutexGuard<'_, Store> {
        let mut store = self
            .state
            .lock()
            .expect("patchstack simulator state lock poisoned");
        store.settle(unix_now());
        store
    }
}
