//! How a subscription runs for the streaming transports (WebSocket and Server-Sent Events):
//! `results` renders each result to JSON text once.
//!
//! Identical `taskUpdated` subscriptions share one execution. A subscriber that ran its own
//! async-graphql stream resolved the selection and serialised every change on its own, and 10,000
//! of them on one task cost a third of a GiB; a group runs the stream once, renders each response
//! to JSON text once, and every member only wraps that text in its own `next`.
//!
//! Only `taskUpdated` is shared: a member that joins late is handed the group's latest message
//! first, which is right for a state stream ("a task's state now, then every change") and would be
//! wrong for an event stream, whose late subscriber must not see an event from before it came.
//!
//! A group is keyed by everything that can change what the execution yields: the document, the
//! operation name, the variables, the caller's principal and the origin, so callers never share
//! across identities. It runs while it has members: the last one leaving aborts the execution,
//! and a finished group is replaced by the next subscriber to its key.

use crate::http::{
    AppState,
    graphql::{add_missing_codes, failed_before_execution},
};
use async_graphql::parser::{
    parse_query,
    types::{DocumentOperations, OperationType, Selection},
};
use futures_util::{
    Stream, StreamExt,
    stream::{self, BoxStream},
};
use hostplane_resolvers::{AppSchema, Origin, call::PassThrough};
use hostplane_schema::principal::{Caller, Principal};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError, Weak,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
};
use tokio::{
    sync::broadcast::{self, error::RecvError},
    task::AbortHandle,
};

/// The one root field whose subscriptions are shared.
const SHARED_FIELD: &str = "taskUpdated";

/// Messages a group keeps for members that are slow to read them; one further behind skips to the
/// latest, which is all a state stream owes it.
const CAPACITY: usize = 64;

/// One execution result, rendered once for every subscriber it goes to.
pub(crate) struct Rendered {
    /// The response as JSON text: the payload of `next` (legacy: `data`).
    pub(crate) payload: Box<str>,
    /// For a request refused before it ran (parse, validation, limits), its errors as a JSON array:
    /// graphql-transport-ws reports that as `error` instead. Only an execution's first result can
    /// be such a refusal.
    pub(crate) refused: Option<Box<str>>,
}

impl Rendered {
    fn new(mut response: async_graphql::Response, first: bool) -> Rendered {
        add_missing_codes(&mut response);
        let refused =
            (first && failed_before_execution(&response)).then(|| render(&response.errors));
        Rendered {
            payload: render(&response),
            refused,
        }
    }
}

/// The results of an operation that runs on its own, rendered as a group renders them.
fn render_each(
    results: impl Stream<Item = async_graphql::Response>,
) -> impl Stream<Item = Arc<Rendered>> {
    let mut first = true;
    results.map(move |r| Arc::new(Rendered::new(r, std::mem::take(&mut first))))
}

/// The rendered results of `request` for `caller` at `origin`: a shared execution's where the
/// operation is shared, its own otherwise. An operation acting upstream with the caller's own
/// credential (`passthrough`) is never shared with another caller's.
pub(crate) fn results(
    state: &AppState,
    request: async_graphql::Request,
    caller: Caller,
    origin: &Origin,
    passthrough: Option<&PassThrough>,
) -> BoxStream<'static, Arc<Rendered>> {
    let shared = match passthrough {
        None => GroupKey::of(&request, &caller, origin),
        Some(_) => None,
    };
    let mut request = request.data(caller).data(origin.clone());
    if let Some(passthrough) = passthrough {
        request = request.data(passthrough.clone());
    }
    match shared {
        Some(key) => state
            .subscriptions
            .join(key, &state.schema, request)
            .boxed(),
        None => render_each(state.schema.execute_stream(request)).boxed(),
    }
}

fn render<T: serde::Serialize>(value: &T) -> Box<str> {
    serde_json::to_string(value)
        .expect("a GraphQL response always serializes")
        .into_boxed_str()
}

/// Everything an execution's results depend on.
#[derive(Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    query: String,
    operation: Option<String>,
    /// The variables as JSON text: equal variables in another order only miss a chance to share.
    variables: String,
    principal: Option<Principal>,
    origin: String,
}

impl GroupKey {
    /// The key of a shared operation; `None` for one that runs on its own.
    fn of(request: &async_graphql::Request, caller: &Caller, origin: &Origin) -> Option<GroupKey> {
        // Extensions may change how a request runs, and their order is not stable enough to key on.
        if !request.extensions.is_empty()
            || !is_shared(&request.query, request.operation_name.as_deref())
        {
            return None;
        }
        Some(GroupKey {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: serde_json::to_string(&request.variables)
                .expect("GraphQL variables always serialize"),
            principal: caller.0.clone(),
            origin: origin.0.clone(),
        })
    }
}

/// Whether the operation async-graphql would run is a subscription of `taskUpdated` alone. A
/// document that does not parse or names no such operation is left to async-graphql, which reports
/// it as it always has.
fn is_shared(query: &str, operation_name: Option<&str>) -> bool {
    // Most documents never name the field: no need to parse them.
    if !query.contains(SHARED_FIELD) {
        return false;
    }
    let Ok(doc) = parse_query(query) else {
        return false;
    };
    // The operation async-graphql picks (`Schema::execute`'s rules).
    let operation = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), None) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return false,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return false,
        },
        _ => return false,
    };
    operation.node.ty == OperationType::Subscription
        && matches!(
            operation.node.selection_set.node.items.as_slice(),
            [only] if matches!(&only.node, Selection::Field(f) if f.node.name.node == SHARED_FIELD)
        )
}

/// What a group publishes: a result, or the end of the execution.
#[derive(Clone)]
struct Message {
    /// Counts from 1, so a member never sends a message twice or goes back to an older one.
    seq: u64,
    result: Option<Arc<Rendered>>,
}

#[derive(Default)]
struct Latest {
    /// The sequence number of the last message published.
    seq: u64,
    /// The last result, what a member joining late or falling behind is given first. The end does
    /// not replace it: a member behind still gets the final state before `complete`.
    result: Option<Message>,
    ended: bool,
}

/// A group's output: the latest result, and the channel every member listens on.
struct Slot {
    latest: Mutex<Latest>,
    tx: broadcast::Sender<Message>,
}

impl Slot {
    fn new() -> Slot {
        Slot {
            latest: Mutex::default(),
            tx: broadcast::channel(CAPACITY).0,
        }
    }

    fn publish(&self, result: Option<Arc<Rendered>>) {
        // Stored and sent under one lock, so a member subscribing meanwhile gets it exactly once.
        let mut latest = lock(&self.latest);
        latest.seq += 1;
        let message = Message {
            seq: latest.seq,
            result,
        };
        match message.result {
            Some(_) => latest.result = Some(message.clone()),
            None => latest.ended = true,
        }
        // No receiver is not an error: a group without members is about to be dropped.
        let _ = self.tx.send(message);
    }

    /// A receiver and the latest result to send first; `None` once the execution ended, when a
    /// subscriber must start a new one rather than be told only that this one is over.
    fn subscribe(&self) -> Option<Subscription> {
        let latest = lock(&self.latest);
        (!latest.ended).then(|| (self.tx.subscribe(), latest.result.clone()))
    }

    fn latest_result(&self) -> Option<Message> {
        lock(&self.latest).result.clone()
    }
}

type Subscription = (broadcast::Receiver<Message>, Option<Message>);

/// Publishes the end however the execution stops, a panic or an abort included, so members are
/// never left waiting for a result that will not come.
struct Finish {
    slot: Arc<Slot>,
    running: Arc<AtomicUsize>,
}

impl Drop for Finish {
    fn drop(&mut self) {
        self.slot.publish(None);
        self.running.fetch_sub(1, Ordering::Relaxed);
    }
}

type Groups = Arc<Mutex<HashMap<GroupKey, Weak<Group>>>>;

/// One execution and its members, who each hold it: it ends when the last of them lets go.
struct Group {
    key: GroupKey,
    slot: Arc<Slot>,
    execution: AbortHandle,
    groups: Groups,
}

impl Drop for Group {
    fn drop(&mut self) {
        self.execution.abort();
        let mut groups = lock(&self.groups);
        // Unless a new group already took the key over from this ended one.
        if groups.get(&self.key).is_some_and(|g| g.strong_count() == 0) {
            groups.remove(&self.key);
        }
    }
}

/// The running shared executions, one per key; part of the application state.
#[derive(Default)]
pub struct SharedSubscriptions {
    groups: Groups,
    started: AtomicU64,
    running: Arc<AtomicUsize>,
}

impl SharedSubscriptions {
    /// The results of `request` (which already carries its caller and origin) for one more member
    /// of the group under `key`, starting the group's execution if none is running.
    fn join(
        &self,
        key: GroupKey,
        schema: &AppSchema,
        request: async_graphql::Request,
    ) -> impl Stream<Item = Arc<Rendered>> + Send + 'static {
        let mut groups = lock(&self.groups);
        let found = groups.get(&key).and_then(Weak::upgrade);
        let joined = found
            .as_ref()
            .and_then(|group| Some(Member::new(group.clone(), group.slot.subscribe()?)));
        let member = match joined {
            Some(member) => member,
            None => self.start(&mut groups, key, schema, request),
        };
        drop(groups);
        // Perhaps an ended group's last holder: its `Drop` takes the lock just released.
        drop(found);
        member.results()
    }

    fn start(
        &self,
        groups: &mut HashMap<GroupKey, Weak<Group>>,
        key: GroupKey,
        schema: &AppSchema,
        request: async_graphql::Request,
    ) -> Member {
        let slot = Arc::new(Slot::new());
        // Before the execution runs, so not even a result it has at once is missed.
        let subscription = slot
            .subscribe()
            .expect("an execution not yet started has not ended");
        self.started.fetch_add(1, Ordering::Relaxed);
        self.running.fetch_add(1, Ordering::Relaxed);
        let finish = Finish {
            slot: slot.clone(),
            running: self.running.clone(),
        };
        let execution =
            tokio::spawn(execute(schema.execute_stream(request), finish)).abort_handle();
        let group = Arc::new(Group {
            key: key.clone(),
            slot,
            execution,
            groups: self.groups.clone(),
        });
        groups.insert(key, Arc::downgrade(&group));
        Member::new(group, subscription)
    }

    /// Shared executions started so far: a test's view of whether subscribers did share one.
    #[doc(hidden)]
    pub fn executions_started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// Shared executions not yet ended or aborted.
    #[doc(hidden)]
    pub fn executions_running(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// Keys in the registry: a group leaves it with its last member.
    #[doc(hidden)]
    pub fn groups(&self) -> usize {
        lock(&self.groups).len()
    }
}

async fn execute(mut results: impl Stream<Item = async_graphql::Response> + Unpin, finish: Finish) {
    let mut first = true;
    while let Some(response) = results.next().await {
        let rendered = Rendered::new(response, std::mem::take(&mut first));
        finish.slot.publish(Some(Arc::new(rendered)));
    }
}

/// One subscribing operation's place in a group.
struct Member {
    group: Arc<Group>,
    rx: broadcast::Receiver<Message>,
    /// The group's latest result when this member joined, sent first.
    replay: Option<Message>,
    /// The last message sent.
    seen: u64,
}

impl Member {
    fn new(group: Arc<Group>, (rx, replay): Subscription) -> Member {
        Member {
            group,
            rx,
            replay,
            seen: 0,
        }
    }

    /// The results from the group's latest on, ending with the execution; dropping the stream
    /// leaves the group.
    fn results(self) -> impl Stream<Item = Arc<Rendered>> + Send + 'static {
        stream::unfold(self, |mut member| async move {
            let result = member.next().await?.result?;
            Some((result, member))
        })
    }

    /// The next message newer than any sent; `None` once the channel is gone.
    async fn next(&mut self) -> Option<Message> {
        if let Some(message) = self.replay.take() {
            self.seen = message.seq;
            return Some(message);
        }
        loop {
            let message = match self.rx.recv().await {
                Ok(message) => message,
                // Behind the channel: the latest state is what matters, as in `taskUpdated` itself.
                // The messages still queued after it (the end among them) follow.
                Err(RecvError::Lagged(_)) => match self.group.slot.latest_result() {
                    Some(message) => message,
                    None => continue,
                },
                Err(RecvError::Closed) => return None,
            };
            if message.seq > self.seen {
                self.seen = message.seq;
                return Some(message);
            }
        }
    }
}

/// Every critical section here is one assignment or map operation, so a lock poisoned by a panic
/// elsewhere still guards consistent data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(text: &str) -> Option<Arc<Rendered>> {
        Some(Arc::new(Rendered {
            payload: text.into(),
            refused: None,
        }))
    }

    /// A registered group around `slot` whose execution never ends on its own.
    fn group(groups: &Groups, slot: Arc<Slot>) -> (Arc<Group>, tokio::task::JoinHandle<()>) {
        let key = GroupKey {
            query: "subscription { taskUpdated(id: \"x\") { status } }".into(),
            operation: None,
            variables: "{}".into(),
            principal: None,
            origin: "http://gw".into(),
        };
        let execution = tokio::spawn(std::future::pending());
        let group = Arc::new(Group {
            key: key.clone(),
            slot,
            execution: execution.abort_handle(),
            groups: groups.clone(),
        });
        lock(groups).insert(key, Arc::downgrade(&group));
        (group, execution)
    }

    async fn collect(member: Member) -> Vec<String> {
        member
            .results()
            .map(|r| r.payload.to_string())
            .collect()
            .await
    }

    #[tokio::test]
    async fn members_get_the_latest_result_then_every_later_one() {
        let groups = Groups::default();
        let slot = Arc::new(Slot::new());
        let (group, _execution) = group(&groups, slot.clone());
        let first = Member::new(group.clone(), slot.subscribe().expect("running"));
        slot.publish(result("1"));
        slot.publish(result("2"));
        let late = Member::new(group, slot.subscribe().expect("running"));
        slot.publish(result("3"));
        slot.publish(None);
        assert_eq!(collect(first).await, ["1", "2", "3"]);
        assert_eq!(collect(late).await, ["2", "3"]);
        assert!(
            slot.subscribe().is_none(),
            "an ended execution takes no members"
        );
    }

    #[tokio::test]
    async fn a_member_behind_skips_to_the_latest_result_and_still_ends() {
        let groups = Groups::default();
        let slot = Arc::new(Slot::new());
        let (group, _execution) = group(&groups, slot.clone());
        let member = Member::new(group, slot.subscribe().expect("running"));
        for i in 1..=CAPACITY * 2 {
            slot.publish(result(&i.to_string()));
        }
        slot.publish(None);
        assert_eq!(collect(member).await, [(CAPACITY * 2).to_string()]);
    }

    #[tokio::test]
    async fn the_last_member_leaving_aborts_the_execution_and_unregisters() {
        let groups = Groups::default();
        let slot = Arc::new(Slot::new());
        let (group, execution) = group(&groups, slot.clone());
        let members = [
            Member::new(group.clone(), slot.subscribe().expect("running")),
            Member::new(group, slot.subscribe().expect("running")),
        ];
        let [one, other] = members;
        drop(one);
        assert_eq!(lock(&groups).len(), 1, "a member is left");
        assert!(!execution.is_finished());
        drop(other);
        assert_eq!(lock(&groups).len(), 0);
        assert!(execution.await.expect_err("aborted").is_cancelled());
    }

    #[test]
    fn only_task_updated_alone_is_shared() {
        for (query, name) in [
            (
                "subscription($id: ID!) { taskUpdated(id: $id) { status } }",
                None,
            ),
            (
                "subscription { t: taskUpdated(id: \"x\") { status } }",
                None,
            ),
            ("subscription S { taskUpdated(id: \"x\") { status } }", None),
            (
                "subscription A { taskUpdated(id: \"x\") { status } } subscription B { tasks { taskId } }",
                Some("A"),
            ),
        ] {
            assert!(is_shared(query, name), "{query} ({name:?}) is shared");
        }
        for (query, name) in [
            ("subscription { tasks { taskId } }", None),
            (
                "subscription { taskUpdated(id: \"x\") { status } tasks { taskId } }",
                None,
            ),
            (
                "subscription { ... on Subscription { taskUpdated(id: \"x\") { status } } }",
                None,
            ),
            ("query { taskUpdated(id: \"x\") { status } }", None),
            ("subscription { taskUpdated(id: \"x\") { status }", None),
            (
                "subscription A { taskUpdated(id: \"x\") { status } } subscription B { tasks { taskId } }",
                Some("B"),
            ),
            (
                "subscription A { taskUpdated(id: \"x\") { status } } subscription B { tasks { taskId } }",
                None,
            ),
            (
                "subscription { taskUpdated(id: \"x\") { status } }",
                Some("A"),
            ),
        ] {
            assert!(!is_shared(query, name), "{query} ({name:?}) is not shared");
        }
    }
}
