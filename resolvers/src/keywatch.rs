//! The API keys that open streams (WebSocket sessions, event streams) were authorised by, watched so
//! that a key revoked or changed ends them. Requests check their key each time; a stream checked it
//! once, when it opened, and without this went on for as long as the client stayed.
//!
//! While any such stream is open, one query per tick reads the watched keys' rows, so a key revoked
//! through another replica sharing the database is seen within a tick; a change made through this
//! process wakes the watcher at once. With no stream open it reads nothing.

use crate::{apikeys, store::entities::api_key};
use hostplane_schema::principal::Principal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak, atomic::AtomicBool, atomic::Ordering},
    time::Duration,
};
use tokio::sync::{Notify, watch};

/// How often the watched keys are read: a key revoked elsewhere ends its streams within this and
/// one query.
const TICK: Duration = Duration::from_millis(500);

/// Keys read per query (bind parameters stay well under every database's limit).
const CHUNK: usize = 500;

/// Why a key stopped authorising its streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEnd {
    /// Revoked, or gone.
    Revoked,
    /// Its scopes, connections or binding are no longer those the stream was opened under.
    Changed,
}

/// The watcher, one per process, shared through `Services`.
pub struct KeyWatch(Arc<Inner>);

struct Inner {
    db: DatabaseConnection,
    /// Watched keys by hash: the principal each was opened under, and where its end is told.
    watched: Mutex<HashMap<String, Watched>>,
    wake: Arc<Notify>,
    started: AtomicBool,
}

struct Watched {
    principal: Principal,
    ended: watch::Sender<Option<KeyEnd>>,
}

/// One stream's hold on its key: `ended` resolves when the key no longer authorises it.
pub struct KeyLease(watch::Receiver<Option<KeyEnd>>);

impl KeyLease {
    pub async fn ended(&mut self) -> KeyEnd {
        let end = self
            .0
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|end| *end);
        match end {
            Some(end) => end,
            // The watcher is gone with its process's services: nothing will end this key now.
            None => std::future::pending().await,
        }
    }
}

impl KeyWatch {
    pub fn new(db: DatabaseConnection) -> KeyWatch {
        KeyWatch(Arc::new(Inner {
            db,
            watched: Mutex::default(),
            wake: Arc::default(),
            started: AtomicBool::new(false),
        }))
    }

    /// Watches the key of this hash (`apikeys::hash_api_key`), which authenticated as `principal`
    /// just now.
    pub fn lease(&self, hash: &str, principal: &Principal) -> KeyLease {
        self.start();
        let mut watched = self
            .0
            .watched
            .lock()
            .expect("the key watch lock is never poisoned");
        if let Some(w) = watched.get(hash)
            && w.principal == *principal
            && w.ended.borrow().is_none()
        {
            return KeyLease(w.ended.subscribe());
        }
        // The key authenticated differently than when its other streams opened: those streams'
        // grant is no longer the key's.
        if let Some(old) = watched.remove(hash) {
            old.ended.send_if_modified(|end| {
                let first = end.is_none();
                end.get_or_insert(KeyEnd::Changed);
                first
            });
        }
        let (ended, lease) = watch::channel(None);
        watched.insert(
            hash.to_string(),
            Watched {
                principal: principal.clone(),
                ended,
            },
        );
        KeyLease(lease)
    }

    /// Reads the watched keys now rather than at the next tick: a key was changed here.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// The loop that reads the watched keys, started with the first lease; it ends with the last
    /// reference to the watcher.
    fn start(&self) {
        if self.0.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner: Weak<Inner> = Arc::downgrade(&self.0);
        let wake = self.0.wake.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(TICK) => {}
                    () = wake.notified() => {}
                }
                let Some(inner) = inner.upgrade() else { return };
                inner.check().await;
            }
        });
    }
}

impl Inner {
    /// Ends the leases of every watched key that is revoked, gone or changed; forgets keys no
    /// stream holds any more.
    async fn check(&self) {
        let hashes: Vec<String> = {
            let mut watched = self
                .watched
                .lock()
                .expect("the key watch lock is never poisoned");
            watched.retain(|_, w| w.ended.receiver_count() > 0 && w.ended.borrow().is_none());
            watched.keys().cloned().collect()
        };
        for chunk in hashes.chunks(CHUNK) {
            let rows = match api_key::Entity::find()
                .filter(api_key::Column::KeyHash.is_in(chunk.iter().map(String::as_str)))
                .all(&self.db)
                .await
            {
                Ok(rows) => rows,
                // A database that does not answer for a moment ends nobody's stream: the next
                // tick reads again.
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the keys of open streams");
                    return;
                }
            };
            let rows: HashMap<&str, &api_key::Model> =
                rows.iter().map(|r| (r.key_hash.as_str(), r)).collect();
            let watched = self
                .watched
                .lock()
                .expect("the key watch lock is never poisoned");
            for hash in chunk {
                let Some(w) = watched.get(hash) else { continue };
                let end = match rows.get(hash.as_str()) {
                    None => Some(KeyEnd::Revoked),
                    Some(row) if row.revoked_at.is_some() => Some(KeyEnd::Revoked),
                    Some(row) if apikeys::principal_of(row) != w.principal => Some(KeyEnd::Changed),
                    Some(_) => None,
                };
                if let Some(end) = end {
                    w.ended.send_replace(Some(end));
                }
            }
        }
    }
}
