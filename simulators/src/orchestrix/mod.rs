//! The stateful WP Orchestrix simulator used by the gateway's tests and `hostplane demo`: the 34
//! documented `/api/v1` routes over one in-memory account (sites, health checks, snapshots, upgrade
//! pipelines, vulnerability records, activity logs, webhook endpoints, users) seeded with the docs'
//! example site. It is built on the resource engine: its plain collections are rows of the
//! engine's table (`routes`), and snapshots, pipelines and logins are its own handlers. Snapshots
//! and approved pipelines advance with wall time against `SimConfig::job_duration`; they are
//! settled lazily at the start of every request and by a background tick that also delivers the
//! signed webhooks (see `flows`).
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
    kit::{auth::Credential, inject::Faults},
    resource::{self, Engine, Table},
};
use axum::{Router, http::StatusCode};
use flows::{WEBHOOK_TIMEOUT, tick};
use model::{Account, World, text};
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
    state: Arc<Mutex<World>>,
    table: Arc<Table<Account>>,
    faults: Faults,
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
        let (table, account) = model::seeded(config);
        let engine = Engine::new(table, account);
        let sim = Simulator {
            state: engine.state,
            table: engine.table,
            faults: engine.faults,
            client,
        };
        drop(sim.lock());
        sim
    }

    /// All 34 documented routes; all but login, JWT login and JWT refresh need a token.
    pub fn router(&self) -> Router {
        let sim = self.clone();
        let token = Credential::Check(Arc::new(move |req| routes::authorize(&sim, req)));
        let engine = Engine {
            state: self.state.clone(),
            table: self.table.clone(),
            faults: self.faults.clone(),
        };
        engine
            .router(token, routes::unauthorized("Unauthorized"))
            .fallback(|| async { routes::fail(StatusCode::NOT_FOUND, "Not found") })
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        SimServer::serve(Simulator::new(config), Simulator::router).await
    }

    /// The ids `GET /api/v1/sites` would list right now, in order.
    pub fn site_ids(&self) -> Vec<String> {
        let world = self.lock();
        let sites = world.store.all("sites").iter();
        sites.map(|s| text(&s["id"]).into()).collect()
    }

    /// Deliveries the simulator attempted to registered webhook endpoints: (url, event name, HTTP
    /// status or None when unreachable).
    pub fn deliveries(&self) -> Vec<(String, String, Option<u16>)> {
        self.lock().ext.deliveries.clone()
    }

    /// Locks the account with all due work settled, starting the background tick if it is not
    /// running yet and a runtime is available.
    fn lock(&self) -> MutexGuard<'_, World> {
        let mut world = resource::settled(&self.state, &self.table);
        if !world.ext.ticking
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            world.ext.ticking = true;
            let state = Arc::downgrade(&self.state);
            runtime.spawn(tick(state, self.table.clone(), self.client.clone()));
        }
        world
    }
}
