//! The stateful PanelAlpha simulator used by the gateway's tests and `hostplane demo`: the admin and
//! user routes (users, their services, plans, instances, hosting accounts, admins and their groups,
//! tasks, the acting user's profile and devices in `routes`; servers, DNS, email, backups, packages
//! and SSL orders in `platform`) over one in-memory panel, built on the resource engine: plain
//! collections are rows of its table, the rest small handlers.
//! Long-running work is a PanelAlpha task that advances with wall time against
//! `SimConfig::job_duration`, settled lazily at the start of every request (`flows`), so no
//! background task exists.
//!
//! The docs show almost no response bodies: what the simulator assumes instead is listed once, in
//! `model`'s header.

mod customer;
mod flows;
mod hosting;
mod model;
mod platform;
mod routes;
#[cfg(test)]
mod tests;
mod wordpress;

use crate::{
    SimServer,
    kit::{Fail, auth::Credential, inject::Faults},
    resource::Engine,
};
use axum::{
    Router,
    extract::Request,
    http::{StatusCode, Uri},
};
use hostplane_adapters::panelalpha::client::USER_HEADER;
use model::Panel;
use serde_json::json;
use std::{sync::Arc, time::Duration};

/// The API token callers present and how long a task takes.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub token: String,
    pub job_duration: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            token: "sim-panelalpha-token".into(),
            job_duration: Duration::from_secs(3),
        }
    }
}

/// A handle on one simulated panel; clones share the same state.
#[derive(Clone)]
pub struct Simulator {
    engine: Engine<Panel>,
    token: Arc<str>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        let (table, panel) = model::seeded(config.job_duration);
        Simulator {
            engine: Engine::new(table, panel),
            token: config.token.into(),
        }
    }

    /// Every route, behind the bearer token (and, outside `/api/admin/`, the acting user's header).
    pub fn router(&self) -> Router {
        let (engine, token) = (self.engine.clone(), self.token.clone());
        let check = move |req: &mut Request| {
            let headers = req.headers();
            let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
            let bearer = text("authorization").and_then(|v| v.strip_prefix("Bearer "));
            if bearer != Some(&*token) {
                return false;
            }
            // Every path outside the admin API acts as a user.
            if req.uri().path().starts_with("/api/admin/") {
                return true;
            }
            // The user acted as must exist and not be archived, as a logged-in user would.
            let world = engine.lock();
            let user = text(USER_HEADER).and_then(|id| world.store.get("users", id.trim()));
            user.is_some_and(|u| u["status"] != "archived")
        };
        let denied = Fail::new(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Unauthenticated."}),
        );
        self.engine
            .router(Credential::Check(Arc::new(check)), denied)
            .fallback(|uri: Uri| async move { model::no_route(uri.path()) })
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        SimServer::serve(Simulator::new(config), Simulator::router).await
    }

    /// Failures to answer instead of the routes' own (`faults().fail_next(...)`).
    pub fn faults(&self) -> &Faults {
        &self.engine.faults
    }
}
