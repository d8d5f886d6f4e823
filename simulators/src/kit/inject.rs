//! Injected failures: a test tells a simulator that the next N requests to a route answer a given
//! status and body, to see how the caller copes with an upstream that errs, without a special seed.

use super::Fail;
use axum::{
    Router,
    extract::{MatchedPath, Request},
    http::{Method, StatusCode},
    middleware::{self, Next},
    response::IntoResponse,
};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// The failures still to be answered; clones share them.
#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

struct Fault {
    method: Method,
    /// A concrete path (`/users/3`) or a route template (`/users/{id}`).
    path: String,
    left: usize,
    answer: Fail,
}

impl Faults {
    /// The next `times` requests of `method` to `path` (concrete, or the route's template) answer
    /// `status` with `body`. Failures injected for the same route answer in the order given.
    pub fn fail_next(
        &self,
        method: Method,
        path: &str,
        times: usize,
        status: StatusCode,
        body: Value,
    ) {
        if times == 0 {
            return;
        }
        let fault = Fault {
            method,
            path: path.into(),
            left: times,
            answer: Fail::new(status, body),
        };
        self.0.lock().expect("fault list lock poisoned").push(fault);
    }

    /// The failure due for a request, using up one of its times.
    pub fn take(&self, method: &Method, paths: &[&str]) -> Option<Fail> {
        let mut faults = self.0.lock().expect("fault list lock poisoned");
        let at = faults
            .iter()
            .position(|f| f.method == *method && paths.contains(&f.path.as_str()))?;
        let fault = &mut faults[at];
        fault.left -= 1;
        let answer = fault.answer.clone();
        if fault.left == 0 {
            faults.remove(at);
        }
        Some(answer)
    }

    /// Answers the injected failures in front of `router`'s routes. Layered before the credential
    /// check (`auth::require`), it runs after it: only authenticated calls use failures up.
    pub fn layer<S>(&self, router: Router<S>) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let faults = self.clone();
        router.route_layer(middleware::from_fn(move |req: Request, next: Next| {
            let template = req
                .extensions()
                .get::<MatchedPath>()
                .map(|p| p.as_str().to_string());
            let path = req.uri().path().to_string();
            let paths = [path.as_str(), template.as_deref().unwrap_or(&path)];
            let due = faults.take(req.method(), &paths);
            async move {
                match due {
                    Some(fail) => fail.into_response(),
                    None => next.run(req).await,
                }
            }
        }))
    }
}
