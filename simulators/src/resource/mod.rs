//! A generic, stateful JSON resource simulator: a store of named collections of JSON objects that a
//! provider declares as a table of routes, so a CRUD endpoint costs one row.
//!
//! ```text
//! let table = Table::new(Panel) // the provider's Dialect: envelope, statuses, error bodies
//!     .collection(Collection::new("users").fields(["name", "email"])
//!         .rules([Required("name"), MaxLen("name", 255), Email("email"), Unique("email")])
//!         .filters(["status"], Some("filter")).after_create(create_first_service))
//!     .collection(Collection::new("services").under("users", "user_id"))
//!     .collection(Collection::new("tasks").job(Job::new(d).fails_when(|t| t["name"] == "x", 0.5)))
//!     .rows([
//!         (GET, "/api/admin/users", List("users")),
//!         (POST, "/api/admin/users", Create("users")),
//!         (GET, "/api/admin/users/{id}", Show("users")),
//!         (PUT, "/api/admin/users/{id}", Update("users")),
//!         (DELETE, "/api/admin/users/{id}", Delete("users")),
//!         (PUT, "/api/admin/users/{id}/archive", Archive("users")),
//!         (GET, "/api/admin/users/{userId}/services", List("services")),
//!         (POST, "/api/admin/users/{id}/suspend", Custom(suspend)),
//!     ]);
//! let engine = Engine::new(table, PanelState::default());
//! let server = SimServer::loopback(engine.router(Credential::Bearer(token), denied)).await?;
//! ```
//!
//! The provider's `Dialect` says how bodies are read and answers look (envelope, statuses, the
//! not-found and validation bodies). Hooks on a collection's writes carry the side effects across
//! collections, `Custom` rows the flows that are more than CRUD, and `World::ext` the provider's own
//! state. Timed work (a collection with a `Job`) and the table's `settle` are brought up to date at
//! the start of every request, so no background task is needed. Every route sits behind the kit's
//! credential check, and `Engine::faults` makes the next calls of a route fail on demand.

mod dialect;
mod ops;
mod store;
mod table;
#[cfg(test)]
mod tests;

pub use dialect::{Answer, Dialect, Req};
pub use store::{Store, World, id_text};
pub use table::{Collection, Handler, Hook, Ids, Job, Op, Row, Rule, Table};

use crate::kit::{
    Fail,
    auth::{self, Credential},
    body::{form_pairs, percent_decode},
    inject::Faults,
};
use axum::{
    Router,
    body::Bytes,
    http::{HeaderMap, Method, Uri},
    response::{IntoResponse, Response},
    routing::{MethodFilter, MethodRouter},
};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard},
    time::Instant,
};

pub const GET: Method = Method::GET;
pub const POST: Method = Method::POST;
pub const PUT: Method = Method::PUT;
pub const PATCH: Method = Method::PATCH;
pub const DELETE: Method = Method::DELETE;

/// A running simulator's handle: its world and its table; clones share both.
pub struct Engine<S> {
    pub state: Arc<Mutex<World<S>>>,
    pub table: Arc<Table<S>>,
    /// Failures to answer instead of the rows' own (`faults.fail_next(...)`).
    pub faults: Faults,
}

impl<S> Clone for Engine<S> {
    fn clone(&self) -> Self {
        Engine {
            state: self.state.clone(),
            table: self.table.clone(),
            faults: self.faults.clone(),
        }
    }
}

impl<S: Send + 'static> Engine<S> {
    /// A world seeded from the table's collections, with the provider's own state beside it.
    pub fn new(table: Table<S>, ext: S) -> Engine<S> {
        let world = World::new(&table.collections, ext);
        Engine {
            state: Arc::new(Mutex::new(world)),
            table: Arc::new(table),
            faults: Faults::default(),
        }
    }

    /// The world with all due work settled, so every handler sees the present.
    pub fn lock(&self) -> MutexGuard<'_, World<S>> {
        settled(&self.state, &self.table)
    }

    /// Every row, behind `credential` (a request without it gets `denied`) and the injected
    /// failures. Paths no row names fall through to the router's fallback.
    pub fn router(&self, credential: Credential, denied: Fail) -> Router {
        let mut paths: BTreeMap<&'static str, MethodRouter> = BTreeMap::new();
        for (i, (method, path, _)) in self.table.rows.iter().enumerate() {
            let filter =
                MethodFilter::try_from(method.clone()).expect("a row's method is a standard one");
            let engine = self.clone();
            let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| async move {
                engine.answer(i, method, uri, headers, body)
            };
            let routes = paths.remove(path).unwrap_or_default();
            paths.insert(path, routes.on(filter, handler));
        }
        let router = paths
            .into_iter()
            .fold(Router::new(), |r, (path, routes)| r.route(path, routes));
        auth::require(self.faults.layer(router), credential, denied)
    }

    fn answer(
        &self,
        row: usize,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> Response {
        let (_, template, op) = &self.table.rows[row];
        let req = Req {
            method,
            params: path_params(template, uri.path()),
            path: uri.path().to_string(),
            template,
            query: uri.query().map(form_pairs).unwrap_or_default(),
            headers,
            body,
        };
        let mut world = self.lock();
        let dialect = &self.table.dialect;
        match ops::run(&self.table, &mut world, op, &req) {
            Ok(answer) => dialect.render(answer, &req),
            Err(fail) => fail.into_response(),
        }
    }
}

/// Locks `state` with its timed work and the provider's own state settled at this instant.
pub fn settled<'a, S>(state: &'a Mutex<World<S>>, table: &Table<S>) -> MutexGuard<'a, World<S>> {
    let mut world = state
        .lock()
        .expect("resource simulator state lock poisoned");
    for (collection, object) in world.settle_jobs(Instant::now()) {
        if let Some(settled) = table.spec(collection).settled {
            settled(&mut world, &object);
        }
    }
    if let Some(settle) = table.settle {
        settle(&mut world);
    }
    world
}

/// The values of a template's `{name}` segments in `path`, percent-decoded.
fn path_params(template: &str, path: &str) -> Vec<(String, String)> {
    let names = template.split('/');
    names
        .zip(path.split('/'))
        .filter_map(|(name, value)| {
            let name = name.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_string(), percent_decode(value)))
        })
        .collect()
}
