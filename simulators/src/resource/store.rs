//! The engine's state: named collections of JSON objects in insertion order, the provider's own state
//! beside them, and the timed work in flight.

use super::table::{Collection, Ids, Job};
use crate::kit::progress::{Phase, phase, progress_json};
use serde_json::{Value, json};
use std::{collections::BTreeMap, time::Instant};

/// The objects of every collection.
#[derive(Default)]
pub struct Store {
    collections: BTreeMap<&'static str, Objects>,
}

#[derive(Default)]
struct Objects {
    items: Vec<Value>,
    next: u64,
}

/// An id as the path writes it: strings as they are, numbers in decimal.
pub fn id_text(id: &Value) -> String {
    match id {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is(object: &Value, id: &str) -> bool {
    match &object["id"] {
        Value::String(s) => s == id,
        Value::Number(n) => n.to_string() == id,
        _ => false,
    }
}

impl Store {
    fn objects(&mut self, name: &'static str) -> &mut Objects {
        self.collections.entry(name).or_default()
    }

    /// Every object of `name`, oldest first.
    pub fn all(&self, name: &str) -> &[Value] {
        self.collections.get(name).map_or(&[], |c| &c.items)
    }

    pub fn all_mut(&mut self, name: &'static str) -> &mut Vec<Value> {
        &mut self.objects(name).items
    }

    pub fn get(&self, name: &str, id: &str) -> Option<&Value> {
        self.all(name).iter().find(|o| is(o, id))
    }

    pub fn get_mut(&mut self, name: &'static str, id: &str) -> Option<&mut Value> {
        self.all_mut(name).iter_mut().find(|o| is(o, id))
    }

    /// Adds `object` as the newest of `name`.
    pub fn insert(&mut self, name: &'static str, object: Value) {
        self.all_mut(name).push(object);
    }

    pub fn remove(&mut self, name: &'static str, id: &str) -> Option<Value> {
        let items = self.all_mut(name);
        let at = items.iter().position(|o| is(o, id))?;
        Some(items.remove(at))
    }

    /// The next sequential id of `name`.
    pub fn next_id(&mut self, name: &'static str) -> u64 {
        let objects = self.objects(name);
        objects.next += 1;
        objects.next
    }

    fn seed(&mut self, name: &'static str, ids: Ids, seed: &[Value]) {
        for object in seed {
            let mut object = object.clone();
            if object.get("id").is_none() {
                object["id"] = match ids {
                    Ids::Sequential => json!(self.next_id(name)),
                    Ids::With(new) => new(),
                };
            }
            let objects = self.objects(name);
            objects.next = objects.next.max(object["id"].as_u64().unwrap_or(0));
            objects.items.push(object);
        }
    }
}

/// Everything a simulator built on the engine holds: the store, the provider's own state `ext`,
/// and the timed work in flight.
pub struct World<S> {
    pub store: Store,
    pub ext: S,
    /// When the current request settled the world: every view reads progress at this instant.
    pub now: Instant,
    jobs: BTreeMap<&'static str, Job>,
    /// Objects whose timed work is still running: (collection, id, started).
    running: Vec<(&'static str, String, Instant)>,
}

/// Timed work that ended on settling: the collection and the object as it ended.
pub(super) type Ended = (&'static str, Value);

impl<S> World<S> {
    pub(super) fn new(collections: &[Collection<S>], ext: S) -> World<S> {
        let mut store = Store::default();
        let mut jobs = BTreeMap::new();
        for c in collections {
            store.objects(c.name);
            store.seed(c.name, c.ids, &c.seed);
            if let Some(job) = c.job {
                jobs.insert(c.name, job);
            }
        }
        World {
            store,
            ext,
            now: Instant::now(),
            jobs,
            running: Vec::new(),
        }
    }

    /// Starts the timed work of an object of a collection that declares a job: it reads queued now.
    pub fn start_job(&mut self, collection: &'static str, object: &mut Value) {
        let Some(job) = self.jobs.get(collection) else {
            return;
        };
        write_phase(job, object, Phase::Queued);
        self.running
            .push((collection, id_text(&object["id"]), self.now));
    }

    /// Moves every running object to where its work stands now; returns the work that ended.
    pub(super) fn settle_jobs(&mut self, now: Instant) -> Vec<Ended> {
        self.now = now;
        let mut ended = Vec::new();
        let (store, jobs) = (&mut self.store, &self.jobs);
        self.running.retain(|(collection, id, started)| {
            let Some(object) = store.get_mut(collection, id) else {
                return false;
            };
            let job = &jobs[collection];
            let doomed = job.fails.is_some_and(|fails| fails(object));
            let at = phase(*started, now, job.duration, doomed.then_some(job.fail_at));
            write_phase(job, object, at);
            let running = matches!(at, Phase::Queued | Phase::Running(_));
            if !running {
                ended.push((*collection, object.clone()));
            }
            running
        });
        ended
    }
}

fn write_phase(job: &Job, object: &mut Value, at: Phase) {
    let [queued, running, done, failed] = job.states;
    let (status, progress) = match at {
        Phase::Queued => (queued, json!(0)),
        Phase::Running(p) => (running, json!(p)),
        Phase::Done => (done, json!(1)),
        Phase::Failed => (failed, progress_json(job.fail_at)),
    };
    object[job.status] = json!(status);
    if let Some(field) = job.progress {
        object[field] = progress;
    }
}
