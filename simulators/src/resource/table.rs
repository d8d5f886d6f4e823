//! How a provider declares its simulator: collections of JSON objects (seed data, writable fields,
//! validation rules, timed work, hooks) and a table of routes, each row one method and path doing one
//! thing to one collection.

use super::{Answer, Dialect, Req, World};
use crate::kit::Fail;
use axum::http::Method;
use serde_json::{Map, Value};
use std::time::Duration;

/// What a row does.
pub enum Op<S> {
    /// The collection's objects, filtered; nested under the parent its path names, if any.
    List(&'static str),
    /// One object by the path's last parameter.
    Show(&'static str),
    /// A new object from the body; nested under the parent its path names, if any.
    Create(&'static str),
    /// The given writable fields of one object.
    Update(&'static str),
    Delete(&'static str),
    /// Marks one object archived (its collection says how).
    Archive(&'static str),
    /// Anything the operations above cannot express.
    Custom(Handler<S>),
}

/// A route the operations cannot express: it gets the locked world and the request.
pub type Handler<S> = fn(&mut World<S>, &Req) -> Result<Answer, Fail>;

/// A side effect of a write: it gets the world, the request and the object (before a write, the
/// object about to be stored, which it may change or refuse; after, the object as stored).
pub type Hook<S> = fn(&mut World<S>, &Req, &mut Value) -> Result<(), Fail>;

/// One route: `(GET, "/api/admin/users/{id}", Show("users"))`.
pub type Row<S> = (Method, &'static str, Op<S>);

/// A check on one field of a written object, answered in the provider's words on failure.
#[derive(Clone, Copy)]
pub enum Rule {
    /// Given on create; an update may leave it out.
    Required(&'static str),
    /// Given on every write, updates included.
    Always(&'static str),
    /// A string (trimmed, where the provider trims).
    Text(&'static str),
    /// At most this many characters.
    MaxLen(&'static str, usize),
    Email(&'static str),
    /// One of these values.
    OneOf(&'static str, &'static [&'static str]),
    /// No other object of the collection has the same value.
    Unique(&'static str),
    /// The provider's own check, which may also normalise the value.
    Check(&'static str, fn(&Value) -> Result<Value, Fail>),
}

impl Rule {
    pub fn field(&self) -> &'static str {
        match *self {
            Rule::Required(f)
            | Rule::Always(f)
            | Rule::Text(f)
            | Rule::MaxLen(f, _)
            | Rule::Email(f)
            | Rule::OneOf(f, _)
            | Rule::Unique(f)
            | Rule::Check(f, _) => f,
        }
    }
}

/// How new objects get their `id`.
#[derive(Clone, Copy)]
pub enum Ids {
    /// 1, 2, 3, ... per collection, after the highest numeric id seeded.
    Sequential,
    /// The provider's own (`site_x7k2...`).
    With(fn() -> Value),
}

/// Timed work an object stands for: its status field moves from queued through running (with
/// progress) to done, or to failed, over `duration`, settled whenever a request looks.
#[derive(Clone, Copy)]
pub struct Job {
    pub duration: Duration,
    pub status: &'static str,
    /// The field progress (0 to 1) is written to, if any.
    pub progress: Option<&'static str>,
    /// The status values: queued, running, done, failed.
    pub states: [&'static str; 4],
    /// Whether this object's work is doomed (a field value that makes it fail).
    pub fails: Option<fn(&Value) -> bool>,
    /// The share of the duration at which doomed work fails.
    pub fail_at: f64,
}

impl Job {
    /// `status` going `queued` → `running` → `done` / `failed`, with `progress`.
    pub fn new(duration: Duration) -> Job {
        Job {
            duration,
            status: "status",
            progress: Some("progress"),
            states: ["queued", "running", "done", "failed"],
            fails: None,
            fail_at: 0.5,
        }
    }

    /// Work on an object for which `fails` holds ends failed, at `fail_at` of the duration.
    pub fn fails_when(mut self, fails: fn(&Value) -> bool, fail_at: f64) -> Job {
        self.fails = Some(fails);
        self.fail_at = fail_at;
        self
    }
}

/// A named collection of JSON objects and what writing to it involves.
pub struct Collection<S> {
    pub name: &'static str,
    pub seed: Vec<Value>,
    pub ids: Ids,
    /// The fields a write may set, in the order a new object lists them; empty: any field given.
    pub fields: Vec<&'static str>,
    /// What a new object holds where the body is silent.
    pub defaults: Map<String, Value>,
    pub rules: Vec<Rule>,
    /// The parent collection and the field naming the parent: nested routes list and create under
    /// the parent, and deleting a parent deletes its children.
    pub parent: Option<(&'static str, &'static str)>,
    /// Lists show the newest first.
    pub newest_first: bool,
    /// Fields left out of lists (secrets shown only on the object itself).
    pub unlisted: Vec<&'static str>,
    /// The key a body may nest the fields under (`{"site": {...}}`), for the dialect.
    pub wrap: Option<&'static str>,
    /// Fields stamped with the dialect's timestamp on create, and on every update.
    pub created: Option<&'static str>,
    pub updated: Option<&'static str>,
    /// Query (or GET body) parameters a list filters on by equality, and the one searched freely.
    pub filters: Vec<&'static str>,
    pub search: Option<&'static str>,
    /// The field and value an archive sets.
    pub archive: (&'static str, Value),
    pub job: Option<Job>,
    pub before_create: Option<Hook<S>>,
    pub after_create: Option<Hook<S>>,
    pub before_update: Option<Hook<S>>,
    pub after_update: Option<Hook<S>>,
    pub before_delete: Option<Hook<S>>,
    pub after_delete: Option<Hook<S>>,
    /// Called once when the object's timed work ends, done or failed, with the object as it ended.
    pub settled: Option<fn(&mut World<S>, &Value)>,
}

impl<S> Collection<S> {
    pub fn new(name: &'static str) -> Collection<S> {
        Collection {
            name,
            seed: Vec::new(),
            ids: Ids::Sequential,
            fields: Vec::new(),
            defaults: Map::new(),
            rules: Vec::new(),
            parent: None,
            newest_first: false,
            unlisted: Vec::new(),
            wrap: None,
            created: None,
            updated: None,
            filters: Vec::new(),
            search: None,
            archive: ("status", Value::from("archived")),
            job: None,
            before_create: None,
            after_create: None,
            before_update: None,
            after_update: None,
            before_delete: None,
            after_delete: None,
            settled: None,
        }
    }

    /// The objects it starts with: a JSON array.
    pub fn seed(mut self, objects: Value) -> Self {
        self.seed = match objects {
            Value::Array(items) => items,
            other => vec![other],
        };
        self
    }

    pub fn ids(mut self, ids: fn() -> Value) -> Self {
        self.ids = Ids::With(ids);
        self
    }

    pub fn fields<const N: usize>(mut self, fields: [&'static str; N]) -> Self {
        self.fields = fields.to_vec();
        self
    }

    /// A JSON object.
    pub fn defaults(mut self, defaults: Value) -> Self {
        self.defaults = defaults.as_object().cloned().unwrap_or_default();
        self
    }

    pub fn rules<const N: usize>(mut self, rules: [Rule; N]) -> Self {
        self.rules = rules.to_vec();
        self
    }

    pub fn under(mut self, parent: &'static str, key: &'static str) -> Self {
        self.parent = Some((parent, key));
        self
    }

    pub fn newest_first(mut self) -> Self {
        self.newest_first = true;
        self
    }

    pub fn unlisted<const N: usize>(mut self, fields: [&'static str; N]) -> Self {
        self.unlisted = fields.to_vec();
        self
    }

    pub fn wrap(mut self, key: &'static str) -> Self {
        self.wrap = Some(key);
        self
    }

    /// Stamped with the dialect's timestamp when an object is created.
    pub fn created_at(mut self, field: &'static str) -> Self {
        self.created = Some(field);
        self
    }

    /// Stamped with the dialect's timestamp whenever an object is updated or archived.
    pub fn updated_at(mut self, field: &'static str) -> Self {
        self.updated = Some(field);
        self
    }

    pub fn filters<const N: usize>(
        mut self,
        fields: [&'static str; N],
        search: Option<&'static str>,
    ) -> Self {
        self.filters = fields.to_vec();
        self.search = search;
        self
    }

    pub fn archive(mut self, field: &'static str, value: Value) -> Self {
        self.archive = (field, value);
        self
    }

    pub fn job(mut self, job: Job) -> Self {
        self.job = Some(job);
        self
    }

    pub fn before_create(mut self, hook: Hook<S>) -> Self {
        self.before_create = Some(hook);
        self
    }

    pub fn after_create(mut self, hook: Hook<S>) -> Self {
        self.after_create = Some(hook);
        self
    }

    pub fn before_update(mut self, hook: Hook<S>) -> Self {
        self.before_update = Some(hook);
        self
    }

    pub fn after_update(mut self, hook: Hook<S>) -> Self {
        self.after_update = Some(hook);
        self
    }

    pub fn before_delete(mut self, hook: Hook<S>) -> Self {
        self.before_delete = Some(hook);
        self
    }

    pub fn after_delete(mut self, hook: Hook<S>) -> Self {
        self.after_delete = Some(hook);
        self
    }

    pub fn settled(mut self, hook: fn(&mut World<S>, &Value)) -> Self {
        self.settled = Some(hook);
        self
    }
}

/// A provider's whole simulator: its dialect, collections and routes, and what settles its own
/// state before each request.
pub struct Table<S> {
    pub dialect: Box<dyn Dialect>,
    pub collections: Vec<Collection<S>>,
    pub rows: Vec<Row<S>>,
    pub settle: Option<fn(&mut World<S>)>,
}

impl<S> Table<S> {
    pub fn new(dialect: impl Dialect) -> Table<S> {
        Table {
            dialect: Box::new(dialect),
            collections: Vec::new(),
            rows: Vec::new(),
            settle: None,
        }
    }

    pub fn collection(mut self, collection: Collection<S>) -> Self {
        self.collections.push(collection);
        self
    }

    pub fn rows(mut self, rows: impl IntoIterator<Item = Row<S>>) -> Self {
        self.rows.extend(rows);
        self
    }

    pub fn settle(mut self, settle: fn(&mut World<S>)) -> Self {
        self.settle = Some(settle);
        self
    }

    /// The collection of this name; a table naming one it does not declare is a bug in the table.
    pub fn spec(&self, name: &str) -> &Collection<S> {
        self.collections
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("the route table names an undeclared collection {name}"))
    }
}
