//! The stateful WPCS simulator used by the gateway's tests and `hostplane demo`: the 28 documented
//! `/v1` routes over one in-memory account (a subscription with its product, the product's
//! versions, snapshots and tenants with their domains, and the base snapshots), seeded with the ids
//! and values the docs' examples show, behind `Authorization: Basic base64(key:secret)`. With
//! `SimConfig::partner` the key is a partner key: tenant, version and snapshot calls must name
//! their product with `?productId=`; otherwise they act on the key's own product and ignore it.
//!
//! Scheduled writes queue work on the object they change. Each object runs its work one item at a
//! time, each item taking `SimConfig::job_duration`, and every read derives `statusCode` and
//! `statusName` from that queue at the moment of the request: 0 `Pending` (queued, waiting for a
//! custom upload, or in the first tenth of its run), 2 `InProgress`, then 1 `Done`, or 3 `Failed`
//! when a custom upload is not an archive. The docs show only `1`/`Done`; the other codes are
//! modelled. Effects (a move, a new main domain, a removal) apply when the item completes; finished
//! work is settled lazily at the start of every request, so no background task exists and the
//! simulator works under any runtime.
//!
//! The docs show few response bodies; where they are silent the behaviour is modelled on what the
//! request and resource imply, and each such place says so.

mod flows;
mod model;
mod params;
mod products;
mod routes;
#[cfg(test)]
mod tests;

use crate::{
    SimServer,
    kit::auth::{self, Credential},
};
use axum::{Router, http::StatusCode, routing::put};
use model::Account;
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// The credentials the simulator accepts, whether they are a partner key, and how long scheduled
/// work takes.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub key: String,
    pub secret: String,
    pub partner: bool,
    pub job_duration: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            key: "sim-wpcs-key".into(),
            secret: "sim-wpcs-secret".into(),
            partner: false,
            job_duration: Duration::from_secs(3),
        }
    }
}

/// A handle on one simulated WPCS account; clones share the same state.
#[derive(Clone)]
pub struct Simulator {
    key: Arc<str>,
    secret: Arc<str>,
    state: Arc<Mutex<Account>>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        let account = Account::seeded(config.partner, config.job_duration);
        Simulator {
            key: config.key.into(),
            secret: config.secret.into(),
            state: Arc::new(Mutex::new(account)),
        }
    }

    /// All 28 documented routes behind the Basic check, plus the storage URL custom uploads go to.
    pub fn router(&self) -> Router {
        let basic = Credential::Basic {
            key: self.key.clone(),
            secret: self.secret.clone(),
        };
        let denied = routes::fail(StatusCode::UNAUTHORIZED, "Unauthorized");
        auth::require(routes::routes(), basic, denied)
            // Stands for the blob storage an `uploadUrl` points at: its token is the credential.
            .route("/uploads/{token}", put(products::upload))
            .fallback(|| async { routes::fail(StatusCode::NOT_FOUND, "Not found") })
            .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        SimServer::serve(Simulator::new(config), Simulator::router).await
    }

    /// Every tenant of every product in creation order, including those scheduled for removal.
    pub fn tenant_ids(&self) -> Vec<String> {
        self.lock().tenants.iter().map(|t| t.id.clone()).collect()
    }

    /// Every product, in creation order.
    pub fn product_ids(&self) -> Vec<String> {
        self.lock().products.iter().map(|p| p.id.clone()).collect()
    }

    /// Locks the account with all due work settled, so every handler sees the present.
    fn lock(&self) -> MutexGuard<'_, Account> {
        let mut account = self
            .state
            .lock()
            .expect("wpcs simulator state lock poisoned");
        account.settle(Instant::now());
        account
    }
}
