//! Orchestrix's timed work and its webhooks: snapshots and approved upgrade pipelines advance with
//! wall time and fix their outcome once reached, and every event goes out signed to the endpoints
//! subscribed to it. A background tick (every 50 ms) settles the account and delivers, so webhooks
//! arrive without reads; it holds only a `Weak` on the state and ends once the state is dropped.

use super::model::{Account, World, new_id, text};
use crate::{
    kit::{
        encode::hex,
        progress::{QUEUED_SHARE, fraction, partial, progress_json, round2},
        time::rfc3339,
    },
    resource::{self, Table},
};
use axum::http::header;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::{
    sync::{Arc, Mutex, Weak},
    time::{Duration, Instant, SystemTime},
};

/// How often the background task settles timed work and sends queued webhooks.
pub(super) const TICK: Duration = Duration::from_millis(50);
/// Per-attempt deadline of a webhook delivery.
pub(super) const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(2);
/// The progress at which a snapshot of an unreachable site fails.
const FAIL_AT: f64 = 0.3;
/// A plugin slug whose upgrade always fails, so callers can exercise a failed pipeline.
const BROKEN_PLUGIN: &str = "broken-plugin";

/// Settles the account and sends what it queued, until the state is dropped.
pub(super) async fn tick(
    state: Weak<Mutex<World>>,
    table: Arc<Table<Account>>,
    client: reqwest::Client,
) {
    let mut interval = tokio::time::interval(TICK);
    loop {
        interval.tick().await;
        let Some(strong) = state.upgrade() else {
            return;
        };
        let batch = std::mem::take(&mut resource::settled(&strong, &table).ext.outbox);
        drop(strong);
        // One task per endpoint per tick: an endpoint gets a tick's events in order, and a slow
        // endpoint does not hold up the others.
        let mut queues: Vec<Vec<Outgoing>> = Vec::new();
        for out in batch {
            match queues.iter_mut().find(|q| q[0].url == out.url) {
                Some(queue) => queue.push(out),
                None => queues.push(vec![out]),
            }
        }
        for queue in queues {
            let (state, client) = (state.clone(), client.clone());
            tokio::spawn(async move {
                for out in queue {
                    let status = deliver(&client, &out).await;
                    if let Some(strong) = state.upgrade() {
                        let mut world = strong
                            .lock()
                            .expect("orchestrix simulator state lock poisoned");
                        world.ext.deliveries.push((out.url, out.event, status));
                    }
                }
            });
        }
    }
}

/// Header names and the `sha256=<hex>` signature are modelled on common practice (GitHub, Stripe):
/// the docs do not describe webhook deliveries.
async fn deliver(client: &reqwest::Client, out: &Outgoing) -> Option<u16> {
    let signature = format!("sha256={}", hex(&sign(&out.secret, out.body.as_bytes())));
    client
        .post(&out.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-Orchestrix-Event", &out.event)
        .header("X-Orchestrix-Delivery", &out.event_id)
        .header("X-Orchestrix-Signature", signature)
        .body(out.body.clone())
        .send()
        .await
        .ok()
        .map(|resp| resp.status().as_u16())
}

/// HMAC-SHA256 of `body` keyed with the endpoint's secret.
fn sign(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// A finished snapshot or pipeline: fixed once reached, so later reads never move it.
pub(super) struct Outcome {
    pub(super) status: &'static str,
    pub(super) progress: f64,
    pub(super) at: SystemTime,
    pub(super) error: Option<String>,
}

pub(super) struct Snapshot {
    pub(super) id: String,
    pub(super) site_id: String,
    pub(super) description: Option<String>,
    pub(super) created_at: SystemTime,
    pub(super) started: Instant,
    /// Snapshots of a site that is `down` fail part-way: its agent cannot be reached (modelled).
    pub(super) fails: bool,
    /// What the simulated agent reports on completion, or the size of the uploaded data.
    pub(super) size_bytes: u64,
    pub(super) uploaded: bool,
    pub(super) outcome: Option<Outcome>,
}

pub(super) struct Pipeline {
    pub(super) id: String,
    pub(super) site_id: String,
    pub(super) plugins: Vec<String>,
    /// The WordPress version a core upgrade goes to, fixed when the pipeline is created.
    pub(super) core_target: Option<String>,
    pub(super) created_at: String,
    pub(super) approved: Option<(Instant, SystemTime)>,
    pub(super) outcome: Option<Outcome>,
}

/// One event on its way to one endpoint; the body is built once so the signature covers its bytes.
pub(super) struct Outgoing {
    pub(super) url: String,
    pub(super) secret: String,
    pub(super) event: String,
    pub(super) event_id: String,
    pub(super) body: String,
}

/// Fixes the outcome of every snapshot and approved pipeline that has come due, applies their side
/// effects and queues their webhooks.
pub(super) fn settle(world: &mut World) {
    let (now, d) = (world.now, world.ext.job_duration);
    let account = &mut world.ext;
    let mut events = Vec::new();
    for snap in account.snapshots.iter_mut().filter(|s| s.outcome.is_none()) {
        let f = fraction(snap.started, now, d);
        if snap.fails && f >= FAIL_AT {
            let at = snap.created_at + d.mul_f64(FAIL_AT);
            let error = "Site unreachable: the Orchestrix agent did not respond";
            snap.outcome = Outcome::failed(FAIL_AT, at, error.into());
            events.push(("snapshot.failed", snap.view(now, d)));
        } else if f >= 1.0 {
            snap.outcome = Outcome::completed(snap.created_at + d);
            events.push(("snapshot.completed", snap.view(now, d)));
        }
    }
    let mut bumps = Vec::new();
    for pipe in account.pipelines.iter_mut().filter(|p| p.outcome.is_none()) {
        let Some((started, approved_at)) = pipe.approved else {
            continue;
        };
        let f = fraction(started, now, d);
        let n = pipe.steps().len() as f64;
        if let Some(k) = pipe.failing_step()
            && f >= (k + 1) as f64 / n
        {
            let at = approved_at + d.mul_f64((k + 1) as f64 / n);
            let error = format!(
                "Plugin {BROKEN_PLUGIN} failed to activate after the update (PHP fatal \
                 error); the site was rolled back to the snapshot"
            );
            pipe.outcome = Outcome::failed(round2(k as f64 / n), at, error);
            events.push(("pipeline.failed", pipe.view(now, d)));
        } else if f >= 1.0 {
            pipe.outcome = Outcome::completed(approved_at + d);
            events.push(("pipeline.completed", pipe.view(now, d)));
            if let Some(target) = &pipe.core_target {
                bumps.push((pipe.site_id.clone(), target.clone()));
            }
        }
    }
    // A core upgrade changes the site's version, which is a site update (modelled).
    for (site_id, target) in bumps {
        if let Some(site) = world.store.get_mut("sites", &site_id) {
            site["wp_version"] = json!(target);
            events.push(("site.updated", site.clone()));
        }
    }
    for (event, data) in events {
        emit(world, event, data);
    }
}

/// Queues `event` for every enabled endpoint subscribed to it.
pub(super) fn emit(world: &mut World, event: &str, data: Value) {
    let event_id = new_id("evt");
    let created_at = rfc3339(SystemTime::now());
    let body = json!({"id": event_id, "event": event, "created_at": created_at, "data": data});
    let body = body.to_string();
    for hook in world.store.all("webhook_endpoints") {
        let subscribed = hook["events"]
            .as_array()
            .is_some_and(|e| e.contains(&json!(event)));
        if hook["enabled"] == true && subscribed {
            world.ext.outbox.push(Outgoing {
                url: text(&hook["url"]).into(),
                secret: text(&hook["secret"]).into(),
                event: event.into(),
                event_id: event_id.clone(),
                body: body.clone(),
            });
        }
    }
}

impl Outcome {
    pub(super) fn completed(at: SystemTime) -> Option<Outcome> {
        Outcome::new("completed", 1.0, at, None)
    }

    pub(super) fn failed(progress: f64, at: SystemTime, error: String) -> Option<Outcome> {
        Outcome::new("failed", progress, at, Some(error))
    }

    pub(super) fn new(
        status: &'static str,
        progress: f64,
        at: SystemTime,
        error: Option<String>,
    ) -> Option<Self> {
        Some(Outcome {
            status,
            progress,
            at,
            error,
        })
    }
}

impl Snapshot {
    pub(super) fn view(&self, now: Instant, d: Duration) -> Value {
        let (status, progress) = match &self.outcome {
            Some(o) => (o.status, o.progress),
            None => match fraction(self.started, now, d) {
                f if f < QUEUED_SHARE => ("pending", 0.0),
                f => ("running", partial(f)),
            },
        };
        let done = self.outcome.as_ref().filter(|o| o.status == "completed");
        json!({
            "id": self.id, "site_id": self.site_id, "description": self.description,
            "status": status, "progress": progress_json(progress),
            "size_bytes": done.map(|_| self.size_bytes), "uploaded": self.uploaded,
            "error": self.outcome.as_ref().and_then(|o| o.error.clone()),
            "created_at": rfc3339(self.created_at), "completed_at": done.map(|o| rfc3339(o.at))
        })
    }
}

impl Pipeline {
    /// A safety snapshot, each plugin, core, then a health check (modelled on what an upgrade
    /// pipeline needs): `(name, target)`.
    pub(super) fn steps(&self) -> Vec<(&'static str, Option<String>)> {
        let plugins = self
            .plugins
            .iter()
            .map(|p| ("update_plugin", Some(p.clone())));
        let core = self
            .core_target
            .iter()
            .map(|v| ("update_core", Some(v.clone())));
        let mut steps = vec![("snapshot", None)];
        steps.extend(plugins.chain(core));
        steps.push(("health_check", None));
        steps
    }

    pub(super) fn failing_step(&self) -> Option<usize> {
        let position = self.plugins.iter().position(|p| p == BROKEN_PLUGIN);
        position.map(|i| i + 1)
    }

    /// Step `i` of `n` runs over the `i/n .. (i+1)/n` share of the duration.
    pub(super) fn view(&self, now: Instant, d: Duration) -> Value {
        let steps = self.steps();
        let n = steps.len() as f64;
        let (status, progress, f) = match (&self.outcome, self.approved) {
            (Some(o), _) => (o.status, o.progress, o.progress),
            (None, None) => ("awaiting_approval", 0.0, 0.0),
            (None, Some((started, _))) => {
                let f = fraction(started, now, d);
                ("running", round2(f).min(0.99), f)
            }
        };
        let failed_at = self.failing_step().unwrap_or(usize::MAX);
        let steps: Vec<Value> = steps
            .into_iter()
            .enumerate()
            .map(|(i, (name, target))| {
                let step = match status {
                    "awaiting_approval" => "pending",
                    "completed" => "completed",
                    "failed" if i < failed_at => "completed",
                    "failed" if i == failed_at => "failed",
                    "failed" => "skipped",
                    _ if f >= (i + 1) as f64 / n => "completed",
                    _ if f >= i as f64 / n => "running",
                    _ => "pending",
                };
                json!({"name": name, "target": target, "status": step})
            })
            .collect();
        json!({
            "id": self.id, "site_id": self.site_id, "status": status,
            "progress": progress_json(progress), "plugins": self.plugins,
            "core": self.core_target.is_some(), "steps": steps,
            "error": self.outcome.as_ref().and_then(|o| o.error.clone()),
            "created_at": self.created_at,
            "approved_at": self.approved.map(|(_, at)| rfc3339(at)),
            "completed_at": self.outcome.as_ref().map(|o| rfc3339(o.at))
        })
    }
}

/// The next minor WordPress release: `6.5` → `6.6`, `6.4.3` → `6.5`, `6.9` → `7.0`.
pub(super) fn next_minor(version: &str) -> String {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(6), parts.next().unwrap_or(0));
    if minor >= 9 {
        format!("{}.0", major + 1)
    } else {
        format!("{major}.{}", minor + 1)
    }
}
