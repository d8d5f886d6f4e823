//! The stateful WP Orchestrix simulator used by the gateway's tests and `hostplane demo`: the 34
//! documented `/api/v1` routes over one in-memory account (sites, health checks, snapshots, upgrade
//! pipelines, vulnerability records, activity logs, webhook endpoints, users) seeded with the docs'
//! example site. Snapshots and approved pipelines advance with wall time against
//! `SimConfig::job_duration`. They are settled lazily at the start of every request and by a
//! background tick that also delivers the signed webhooks (see `flows`).
//!
//! The docs show one response body (the sites list) and the `{"error": ...}` shape. Every other body
//! is modelled on what the request and resource imply for a Rails app, and each such place says so.

mod flows;
mod model;
mod routes;
#[cfg(test)]
mod tests;

pub use routes::EVENTS;

use crate::{
    SimServer,
    kit::auth::{self, Credential},
};
use axum::{Router, http::StatusCode};
use flows::{WEBHOOK_TIMEOUT, tick};
use model::{Account, text};
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

/// Who may log in, how long timed work takes and how long list pages are.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub api_token: String,
    pub email: String,
    pub password: String,
    pub job_duration: Duration,
    pub page_size: usize,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            api_token: "sim-orchestrix-token".into(),
            email: "owner@example.com".into(),
            password: "correct horse".into(),
            job_duration: Duration::from_secs(3),
            page_size: 25,
        }
    }
}

/// A handle on one simulated WP Orchestrix account; clones share the same state.
#[derive(Clone)]
pub struct Simulator {
    state: Arc<Mutex<Account>>,
    /// Sends webhooks; built once with the per-attempt deadline.
    client: reqwest::Client,
}

impl Simulator {
    /// A simulator seeded with the demo data. Inside a tokio runtime the background tick starts
    /// at once; otherwise it starts with the first request.
    pub fn new(config: SimConfig) -> Simulator {
        let client = reqwest::Client::builder()
            .timeout(WEBHOOK_TIMEOUT)
            .user_agent("Orchestrix-Webhooks/1.0")
            .build()
            .expect("webhook client builds");
        let sim = Simulator {
            state: Arc::new(Mutex::new(Account::seeded(config))),
            client,
        };
        drop(sim.lock());
        sim
    }

    /// All 34 documented routes; all but login, JWT login and JWT refresh need a token.
    pub fn router(&self) -> Router {
        let sim = self.clone();
        let token = Credential::Check(Arc::new(move |req| routes::authorize(&sim, req)));
        auth::require(
            routes::routes(),
            token,
            routes::unauthorized("Unauthorized"),
        )
        .fallback(|| async { routes::fail(StatusCode::NOT_FOUND, "Not found") })
        .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        SimServer::serve(Simulator::new(config), Simulator::router).await
    }

    /// The ids `GET /api/v1/sites` would list right now, in order.
    pub fn site_ids(&self) -> Vec<String> {
        self.lock()
            .sites
            .iter()
            .map(|s| text(&s["id"]).into())
            .collect()
    }

    /// Deliveries the simulator attempted to registered webhook endpoints: (url, event name, HTTP
    /// status or None when unreachable).
    pub fn deliveries(&self) -> Vec<(String, String, Option<u16>)> {
        self.lock().deliveries.clone()
    }

    /// Locks the account with all due work settled, starting the background tick if it is not
    /// running yet and a runtime is available.
    fn lock(&self) -> MutexGuard<'_, Account> {
        let mut account = guard(&self.state);
        account.settle();
        if !account.ticking
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            account.ticking = true;
            runtime.spawn(tick(Arc::downgrade(&self.state), self.client.clone()));
        }
        account
    }
}

fn guard(state: &Mutex<Account>) -> MutexGuard<'_, Account> {
    state
        .lock()
        .expect("orchestrix simulator state lock poisoned")
}
