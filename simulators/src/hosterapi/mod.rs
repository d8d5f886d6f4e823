//! The stateful HosterAPI simulator used by the gateway's tests and `hostplane demo`: the 37
//! documented routes over an in-memory datacenter (VMs, dedicated servers, jobs, backups) seeded with
//! the data the docs' examples show. Long-running work (jobs, backups, dedicated installs) advances
//! with wall time against `SimConfig::job_duration` and its side effects are settled lazily at the
//! start of every request, so no background task exists and the simulator works under any runtime.
//!
//! Where the docs are silent the behaviour is modelled on what the request and resource imply; each
//! such place says so in a comment.

mod flows;
mod model;
mod routes;
#[cfg(test)]
mod tests;

use crate::{
    SimServer,
    kit::auth::{self, Credential},
};
use axum::{Router, http::StatusCode};
use model::Datacenter;
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// How the simulator authenticates callers and paces its long-running work.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub token: String,
    pub job_duration: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            token: "sim-hosterapi-token".into(),
            job_duration: Duration::from_secs(3),
        }
    }
}

/// A handle on one simulated HosterAPI account; clones share the same datacenter.
#[derive(Clone)]
pub struct Simulator {
    token: Arc<str>,
    state: Arc<Mutex<Datacenter>>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        Simulator {
            token: config.token.into(),
            state: Arc::new(Mutex::new(Datacenter::seeded(config.job_duration))),
        }
    }

    /// All 37 documented routes, each behind the bearer-token check.
    pub fn router(&self) -> Router {
        let denied = routes::fail(StatusCode::UNAUTHORIZED, "0x03: unauthorized");
        let bearer = Credential::Bearer(self.token.clone());
        auth::require(routes::routes(), bearer, denied).with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        SimServer::serve(Simulator::new(config), Simulator::router).await
    }

    /// The ids `GET /api/v1/datacenter/server` would list right now.
    pub fn vm_ids(&self) -> Vec<u64> {
        self.lock().vms.keys().copied().collect()
    }

    /// Locks the datacenter with all due work settled, so every handler sees the present.
    fn lock(&self) -> MutexGuard<'_, Datacenter> {
        let mut dc = self
            .state
            .lock()
            .expect("hosterapi simulator state lock poisoned");
        dc.settle(Instant::now());
        dc
    }
}
