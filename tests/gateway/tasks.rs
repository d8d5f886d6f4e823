//! The task engine from outside: `taskUpdated` over both WebSocket subprotocols, one upstream poll per
//! task however many clients follow it, one shared execution per identical `taskUpdated`
//! subscription (and none across principals or variables), credentials and unknown IDs on
//! subscriptions, and unfinished tasks picked up again by a restarted gateway.

use crate::helpers::{
    CONNECTION, Options, TestGateway, admin, forged_token, spawn_gateway, spawn_with,
};
use futures_util::{SinkExt, StreamExt, future::join_all};
use hostplane_schema::{GlobalId, principal::Scope};
use hostplane_simulators::hosterapi::{SimConfig, Simulator};
use serde_json::{Value, json};
use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};
use tokio::{
    net::TcpStream,
    time::{Instant, sleep, timeout},
};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{
        self, Message,
        client::IntoClientRequest,
        http::{
            HeaderValue,
            header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL},
        },
    },
};

/// The longest any single wait may take before the test fails instead of hanging.
const WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

const CREATE_VM: &str = r#"mutation {
  hosterapiCreateServer(input: {template: "Debian10.0", cpuCores: 2, mem: 2048, disk: "10G", ipCount: 1}) {
    task { id taskId status }
    raw
  }
}"#;
const TASK_UPDATED: &str =
    "subscription($id: ID!) { taskUpdated(id: $id) { status progress subjectId output } }";

// ---------------------------------------------------------------------------------------------
// A small GraphQL-over-WebSocket client

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// `graphql-transport-ws` (the graphql-ws library's protocol).
    TransportWs,
    /// The older `graphql-ws` (subscriptions-transport-ws).
    LegacyWs,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::LegacyWs => "graphql-ws",
        }
    }

    fn subscribe_type(self) -> &'static str {
        match self {
            Protocol::TransportWs => "subscribe",
            Protocol::LegacyWs => "start",
        }
    }

    fn complete_type(self) -> &'static str {
        match self {
            Protocol::TransportWs => "complete",
            Protocol::LegacyWs => "stop",
        }
    }

    fn next_type(self) -> &'static str {
        match self {
            Protocol::TransportWs => "next",
            Protocol::LegacyWs => "data",
        }
    }
}

/// What the server sent: a JSON message, or the end of the connection (with its close frame, if any).
#[derive(Debug)]
enum Incoming {
    Message(Value),
    Closed(Option<(u16, String)>),
}

/// One event of one subscription.
#[derive(Debug)]
enum Event {
    Next(Value),
    Complete,
}

struct WsClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    protocol: Protocol,
}

impl WsClient {
    async fn connect(gw: &TestGateway, path: &str, protocol: Protocol) -> WsClient {
        Self::try_connect(gw, path, protocol, None)
            .await
            .expect("the WebSocket upgrade succeeds")
    }

    /// Opens a WebSocket offering `protocol`, optionally with an `Authorization` header on the upgrade.
    async fn try_connect(
        gw: &TestGateway,
        path: &str,
        protocol: Protocol,
        authorization: Option<&str>,
    ) -> Result<WsClient, tungstenite::Error> {
        let mut request = format!("ws://{}{}", gw.addr, path)
            .into_client_request()
            .expect("a valid WebSocket URL");
        let headers = request.headers_mut();
        headers.insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_static(protocol.name()),
        );
        if let Some(value) = authorization {
            headers.insert(
                AUTHORIZATION,
                HeaderValue::from_str(value).expect("a valid header value"),
            );
        }
        let (ws, response) = timeout(WAIT, connect_async(request))
            .await
            .expect("the upgrade is answered in time")?;
        let chosen = response
            .headers()
            .get(SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            chosen,
            Some(protocol.name()),
            "the server accepts the offered subprotocol"
        );
        Ok(WsClient { ws, protocol })
    }

    async fn send(&mut self, message: Value) {
        timeout(WAIT, self.ws.send(Message::text(message.to_string())))
            .await
            .expect("the message is sent in time")
            .expect("the message is sent");
    }

    /// The next JSON message or the close; WebSocket pings and keep-alives are skipped.
    async fn recv(&mut self) -> Incoming {
        loop {
            let frame = timeout(WAIT, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("the server sent nothing for {WAIT:?}"));
            match frame {
                None => return Incoming::Closed(None),
                Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                )) => {
                    return Incoming::Closed(None);
                }
                Some(Err(e)) => panic!("the WebSocket failed: {e}"),
                Some(Ok(Message::Text(text))) => {
                    let message: Value = serde_json::from_str(text.as_str())
                        .unwrap_or_else(|e| panic!("the server sent non-JSON text ({e}): {text}"));
                    if message["type"] == "ka" {
                        continue;
                    }
                    return Incoming::Message(message);
                }
                Some(Ok(Message::Close(frame))) => {
                    return Incoming::Closed(
                        frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                    );
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Sends `connection_init` and returns whatever the server answers.
    async fn try_init(&mut self, payload: Value) -> Incoming {
        self.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        self.recv().await
    }

    /// Sends `connection_init`; the server must acknowledge it.
    async fn init(&mut self, payload: Value) {
        match self.try_init(payload).await {
            Incoming::Message(m) if m["type"] == "connection_ack" => {}
            other => panic!("expected connection_ack, got {other:?}"),
        }
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        let kind = self.protocol.subscribe_type();
        self.send(
            json!({"id": id, "type": kind, "payload": {"query": query, "variables": variables}}),
        )
        .await;
    }

    /// The next event of subscription `id`; anything else (another id, a close) fails the test.
    async fn event(&mut self, id: &str) -> Event {
        loop {
            let message = match self.recv().await {
                Incoming::Message(m) => m,
                Incoming::Closed(close) => {
                    panic!("the connection closed during subscription {id}: {close:?}")
                }
            };
            let kind = message["type"].as_str().unwrap_or_default().to_string();
            if kind == "ping" {
                self.send(json!({"type": "pong"})).await;
                continue;
            }
            if kind == "pong" {
                continue;
            }
            assert_eq!(
                message["id"], id,
                "a message for another subscription: {message}"
            );
            if kind == self.protocol.next_type() {
                return Event::Next(message["payload"].clone());
            }
            if kind == "complete" {
                return Event::Complete;
            }
            panic!("unexpected message on subscription {id}: {message}");
        }
    }

    /// Every `taskUpdated` of subscription `id` up to the first terminal state, which must be followed
    /// by the server's `complete`.
    async fn follow(&mut self, id: &str) -> Vec<Value> {
        let mut seen: Vec<Value> = Vec::new();
        loop {
            match self.event(id).await {
                Event::Next(payload) => {
                    assert!(
                        payload.get("errors").is_none(),
                        "the subscription failed: {payload}"
                    );
                    let task = payload["data"]["taskUpdated"].clone();
                    assert!(task.is_object(), "an update without a task: {payload}");
                    let terminal = is_terminal(&task);
                    seen.push(task);
                    if terminal {
                        break;
                    }
                    assert!(seen.len() < 10_000, "the subscription never ends");
                }
                Event::Complete => panic!("completed before the task ended: {seen:?}"),
            }
        }
        match self.event(id).await {
            Event::Complete => seen,
            Event::Next(p) => panic!("an update after the terminal state: {p} (before: {seen:?})"),
        }
    }

    /// The client stops listening to `id`.
    async fn complete(&mut self, id: &str) {
        let kind = self.protocol.complete_type();
        self.send(json!({"id": id, "type": kind})).await;
    }

    /// The task of the next update of subscription `id`, which must be one.
    async fn update(&mut self, id: &str) -> Value {
        match self.event(id).await {
            Event::Next(payload) => {
                let task = payload["data"]["taskUpdated"].clone();
                assert!(task.is_object(), "an update without a task: {payload}");
                task
            }
            Event::Complete => panic!("subscription {id} completed instead of an update"),
        }
    }

    /// The next update of any subscription on this socket: its id and task.
    async fn any_update(&mut self) -> (String, Value) {
        let message = self.operation_message().await;
        let kind = message["type"].as_str().unwrap_or_default();
        assert_eq!(kind, self.protocol.next_type(), "{message}");
        let id = message["id"].as_str().expect("an operation id").to_string();
        let task = message["payload"]["data"]["taskUpdated"].clone();
        assert!(task.is_object(), "an update without a task: {message}");
        (id, task)
    }

    /// The next message other than the server's pings, which are answered; the connection must
    /// stay open.
    async fn answered(&mut self) -> Value {
        loop {
            let message = match self.recv().await {
                Incoming::Message(m) => m,
                Incoming::Closed(close) => panic!("the connection closed: {close:?}"),
            };
            if message["type"] != "ping" {
                return message;
            }
            self.send(json!({"type": "pong"})).await;
        }
    }

    /// The next message about an operation: the server's pings are answered, pongs skipped.
    async fn operation_message(&mut self) -> Value {
        loop {
            let message = self.answered().await;
            if message["type"] != "pong" {
                return message;
            }
        }
    }

    /// Every `taskUpdated` of each of `ids`, all running at once on this socket, up to its terminal
    /// state, which must be followed by the server's `complete`.
    async fn follow_all(&mut self, ids: &[&str]) -> HashMap<String, Vec<Value>> {
        let mut seen: HashMap<String, Vec<Value>> =
            ids.iter().map(|id| (id.to_string(), Vec::new())).collect();
        let mut open: HashSet<String> = ids.iter().map(|id| id.to_string()).collect();
        while !open.is_empty() {
            let message = self.operation_message().await;
            let kind = message["type"].as_str().unwrap_or_default();
            let id = message["id"].as_str().unwrap_or_default().to_string();
            assert!(
                open.contains(&id),
                "a message for no open subscription: {message}"
            );
            let updates = seen.get_mut(&id).expect("every open id is seen");
            let ended = updates.last().is_some_and(is_terminal);
            if kind == "complete" {
                assert!(ended, "{id} completed before the task ended: {updates:?}");
                open.remove(&id);
                continue;
            }
            assert_eq!(kind, self.protocol.next_type(), "{message}");
            assert!(!ended, "an update after the terminal state: {message}");
            let task = message["payload"]["data"]["taskUpdated"].clone();
            assert!(task.is_object(), "an update without a task: {message}");
            updates.push(task);
        }
        seen
    }

    /// Nothing is pending on this socket: a `ping` is answered by its `pong` with nothing before it.
    async fn assert_idle(&mut self) {
        self.send(json!({"type": "ping", "payload": {"probe": true}}))
            .await;
        assert_eq!(
            self.answered().await,
            json!({"type": "pong", "payload": {"probe": true}})
        );
    }

    /// Sends a `ping` and reads up to its `pong`, letting through updates of `completed` (operations
    /// the client completed, whose updates may have left before the server read that) but not their
    /// `complete`: whatever comes after the `pong` was sent after the server read the completions.
    async fn settle(&mut self, completed: &[&str]) {
        self.send(json!({"type": "ping", "payload": {"settle": true}}))
            .await;
        loop {
            let message = self.answered().await;
            match message["type"].as_str().unwrap_or_default() {
                "pong" => {
                    assert_eq!(message["payload"], json!({"settle": true}));
                    return;
                }
                kind => {
                    let id = message["id"].as_str().unwrap_or_default();
                    assert!(
                        kind == self.protocol.next_type() && completed.contains(&id),
                        "only updates of completed operations may still arrive: {message}"
                    );
                }
            }
        }
    }

    /// A subscription that must fail: one payload with errors and no data, then `complete`. Returns
    /// the first error's `extensions.code`.
    async fn error_code(&mut self, id: &str) -> String {
        let payload = match self.event(id).await {
            Event::Next(p) => p,
            Event::Complete => panic!("subscription {id} completed without an error"),
        };
        assert!(
            payload["data"].is_null(),
            "a failed subscription carries no data: {payload}"
        );
        let code = payload["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("an error with a code: {payload}"))
            .to_string();
        assert!(
            matches!(self.event(id).await, Event::Complete),
            "the failed subscription is completed"
        );
        code
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures

fn options(job_duration: Duration) -> Options {
    Options {
        job_duration,
        poll_interval: POLL,
        ..Options::default()
    }
}

fn bearer_admin() -> Value {
    bearer(&admin())
}

fn bearer(token: &str) -> Value {
    json!({"Authorization": format!("Bearer {token}")})
}

/// A socket of `protocol`, acknowledged with `init`.
async fn socket(gw: &TestGateway, protocol: Protocol, init: Value) -> WsClient {
    let mut ws = WsClient::connect(gw, "/graphql/ws", protocol).await;
    ws.init(init).await;
    ws
}

/// Waits until no shared execution runs or is registered any more.
async fn until_no_groups(gw: &TestGateway) {
    let deadline = Instant::now() + WAIT;
    let shared = &gw.subscriptions;
    while shared.groups() > 0 || shared.executions_running() > 0 {
        assert!(
            Instant::now() < deadline,
            "a shared execution outlived its members: {} registered, {} running",
            shared.groups(),
            shared.executions_running()
        );
        sleep(Duration::from_millis(10)).await;
    }
}

struct Created {
    /// The task's global ID.
    id: String,
    /// The gateway's UUID for it.
    task_id: String,
    job_id: u64,
}

/// Starts a VM build through GraphQL.
async fn create_vm(gw: &TestGateway) -> Created {
    let data = gw.data(CREATE_VM, json!({})).await;
    let payload = &data["hosterapiCreateServer"];
    assert_eq!(
        payload["task"]["status"], "QUEUED",
        "a new job is queued: {payload}"
    );
    Created {
        id: payload["task"]["id"]
            .as_str()
            .expect("a task ID")
            .to_string(),
        task_id: payload["task"]["taskId"]
            .as_str()
            .expect("a task UUID")
            .to_string(),
        job_id: payload["raw"]["jobId"]
            .as_u64()
            .expect("the upstream's jobId"),
    }
}

fn status(task: &Value) -> &str {
    task["status"]
        .as_str()
        .unwrap_or_else(|| panic!("a task without status: {task}"))
}

fn is_terminal(task: &Value) -> bool {
    ["SUCCEEDED", "FAILED", "CANCELLED"].contains(&status(task))
}

/// The subject a finished VM build must name: the new VM's global ID.
fn assert_names_vm(task: &Value) {
    let vmid = task["output"]["vmid"]
        .as_u64()
        .unwrap_or_else(|| panic!("the output names the new VM: {task}"));
    let subject = task["subjectId"]
        .as_str()
        .unwrap_or_else(|| panic!("a subjectId: {task}"));
    assert_eq!(
        GlobalId::decode(subject),
        Some(GlobalId::new("Server", CONNECTION, format!("vm:{vmid}"))),
        "the subject is the new VM"
    );
}

/// A VM build as followed by a subscriber: QUEUED first, statuses and progress only move forward, some
/// progress in between, and SUCCEEDED last with the new VM named.
fn assert_build_followed(updates: &[Value]) {
    let rank = |task: &Value| match status(task) {
        "QUEUED" => 0,
        "RUNNING" => 1,
        "SUCCEEDED" => 2,
        other => panic!("unexpected status {other} in {updates:?}"),
    };
    let progress = |task: &Value| {
        task["progress"]
            .as_f64()
            .unwrap_or_else(|| panic!("a job always reports progress: {task}"))
    };
    assert_eq!(
        status(&updates[0]),
        "QUEUED",
        "the current state comes first: {updates:?}"
    );
    for pair in updates.windows(2) {
        assert!(
            rank(&pair[0]) <= rank(&pair[1]),
            "the status went back: {pair:?}"
        );
        assert!(
            progress(&pair[0]) <= progress(&pair[1]),
            "the progress went back: {pair:?}"
        );
    }
    assert!(
        updates
            .iter()
            .any(|t| status(t) == "RUNNING" && progress(t) > 0.0 && progress(t) < 1.0),
        "some progress is seen while the job runs: {updates:?}"
    );
    let last = updates.last().expect("at least one update");
    assert_eq!(status(last), "SUCCEEDED", "{updates:?}");
    assert_names_vm(last);
}

// ---------------------------------------------------------------------------------------------
// Tests

/// A `graphql-transport-ws` subscriber sees a VM build from QUEUED through RUNNING to SUCCEEDED, then `complete`.
#[tokio::test]
async fn subscription_follows_vm_creation_to_success() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    // Connect first, so only the subscribe message lies between the job's start and the first read.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(bearer_admin()).await;
    let task = create_vm(&gw).await;
    ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let updates = ws.follow("1").await;
    assert_build_followed(&updates);
    // The stored task agrees with what the subscriber saw last.
    let stored = gw.wait_task(&task.task_id).await;
    assert_eq!(stored["status"], "SUCCEEDED");
    assert_eq!(stored["output"], updates.last().unwrap()["output"]);
}

/// The older `graphql-ws` subprotocol (`start`/`data`/`complete`), upgraded on `/graphql` itself, follows a build to the end.
#[tokio::test]
async fn legacy_graphql_ws_protocol_works() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let mut ws = WsClient::connect(&gw, "/graphql", Protocol::LegacyWs).await;
    ws.init(bearer_admin()).await;
    let task = create_vm(&gw).await;
    ws.subscribe("build", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let updates = ws.follow("build").await;
    assert_build_followed(&updates);
}

/// Five subscribers on one task cost one upstream poll per interval, and all of them see it succeed.
#[tokio::test]
async fn one_poll_per_task_whatever_the_subscribers() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let started = Instant::now();
    let task = create_vm(&gw).await;
    let job_path = format!("/api/v1/job/{}", task.job_id);
    let mut clients = Vec::new();
    for _ in 0..5 {
        let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
        ws.init(bearer_admin()).await;
        ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
            .await;
        clients.push(ws);
    }
    let seen = join_all(clients.iter_mut().map(|ws| ws.follow("1"))).await;
    for (i, updates) in seen.iter().enumerate() {
        let last = updates.last().expect("every subscriber saw something");
        assert_eq!(status(last), "SUCCEEDED", "subscriber {i}: {updates:?}");
        assert_names_vm(last);
    }
    let polls_at_end = gw.upstream.log.count("GET", &job_path);
    // The watcher stops with the task: no poll comes after it ended.
    sleep(POLL * 6).await;
    let polls = gw.upstream.log.count("GET", &job_path);
    assert_eq!(polls, polls_at_end, "polling went on after the task ended");
    let bound = (started.elapsed().as_millis() / POLL.as_millis()) as usize + 2;
    assert!(
        polls >= 2,
        "the job was polled at {job_path} (queued, then finished): {polls}"
    );
    assert!(
        polls <= bound,
        "{polls} polls of {job_path} in {:?}: more than one per {POLL:?} (bound {bound})",
        started.elapsed()
    );
}

/// Subscriptions need credentials: none gives UNAUTHENTICATED, a forged token is refused at init.
#[tokio::test]
async fn subscription_requires_credentials() {
    let gw = spawn_with(options(Duration::from_millis(800))).await;
    let task = create_vm(&gw).await;

    // No credential at all: the connection is accepted, the subscription is not.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(json!({})).await;
    ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    assert_eq!(ws.error_code("1").await, "UNAUTHENTICATED");

    // A forged token in connection_init: graphql-transport-ws closes with 4403 and the reason.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    let forged = forged_token();
    match ws
        .try_init(json!({"Authorization": format!("Bearer {forged}")}))
        .await
    {
        Incoming::Closed(Some((code, reason))) => {
            assert_eq!(
                code, 4403,
                "rejected init closes the connection (reason: {reason})"
            );
            assert!(
                reason.contains("signature"),
                "the reason says why: {reason}"
            );
        }
        other => panic!("a forged token must not be acknowledged: {other:?}"),
    }

    // The same under the `token` key with the legacy protocol: a connection_error message.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::LegacyWs).await;
    match ws.try_init(json!({"token": forged})).await {
        Incoming::Message(m) if m["type"] == "connection_error" => {
            let message = m["payload"]["message"].as_str().unwrap_or_default();
            assert!(message.contains("signature"), "the error says why: {m}");
        }
        other => panic!("a forged token must not be acknowledged: {other:?}"),
    }

    // A forged token on the upgrade request itself is refused before any WebSocket exists.
    match WsClient::try_connect(
        &gw,
        "/graphql/ws",
        Protocol::TransportWs,
        Some(&format!("Bearer {forged}")),
    )
    .await
    {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 401),
        Err(e) => panic!("expected an HTTP 401 refusal, got {e}"),
        Ok(_) => panic!("a forged Authorization header must not be upgraded"),
    }

    // Control: a valid token under the `token` key does get the task.
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(json!({"token": admin()})).await;
    ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    match ws.event("1").await {
        Event::Next(p) => assert!(
            p["data"]["taskUpdated"]["status"].is_string(),
            "the task is delivered: {p}"
        ),
        Event::Complete => panic!("completed without the task"),
    }
}

/// An unfinished task survives a gateway restart: the new gateway resumes polling it to SUCCEEDED.
#[tokio::test]
async fn tasks_resume_after_restart() {
    let job_duration = Duration::from_millis(1500);
    let mut old = spawn_with(options(job_duration)).await;
    let task = create_vm(&old).await;
    let job_path = format!("/api/v1/job/{}", task.job_id);

    // Keep the simulator (its datacenter and its server) for the next gateway; the old fixture gets a
    // throwaway server in its place, since a type with `Drop` cannot be taken apart.
    let sim = old.sim.clone();
    let (_, spare) = Simulator::start(SimConfig {
        token: "unused".into(),
        job_duration,
    })
    .await
    .expect("start a spare simulator");
    let upstream = std::mem::replace(&mut old.upstream, spare);
    let database_url = old.database_url.clone();
    let engine = Arc::downgrade(&old.services.tasks);
    drop(old);

    // The old engine, and with it its watcher, goes away with the gateway.
    let deadline = Instant::now() + WAIT;
    while engine.upgrade().is_some() {
        assert!(
            Instant::now() < deadline,
            "the old gateway's task engine outlived it"
        );
        sleep(Duration::from_millis(10)).await;
    }
    let polls_down = upstream.log.count("GET", &job_path);
    sleep(POLL * 4).await;
    assert_eq!(
        upstream.log.count("GET", &job_path),
        polls_down,
        "nothing polls the job while no gateway runs"
    );

    let base_url = upstream.base_url();
    let new = spawn_gateway(
        Options {
            database_url: Some(database_url),
            ..options(job_duration)
        },
        sim,
        upstream,
        &base_url,
    )
    .await;
    let at_restart = new
        .data(
            "query($id: ID!) { task(id: $id) { status } }",
            json!({"id": task.id}),
        )
        .await;
    let at_restart = status(&at_restart["task"]).to_string();
    assert!(
        ["QUEUED", "RUNNING"].contains(&at_restart.as_str()),
        "the task was still unfinished when the gateway restarted: {at_restart}"
    );
    let done = new.wait_task(&task.task_id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_names_vm(&done);
    assert!(
        new.upstream.log.count("GET", &job_path) > polls_down,
        "the new gateway polled the job itself"
    );
}

/// Subscribing to a task that does not exist, by UUID or by global ID, fails with NOT_FOUND.
#[tokio::test]
async fn unknown_task_subscription_errors() {
    let gw = spawn_with(options(Duration::from_millis(800))).await;
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(bearer_admin()).await;
    let missing = uuid::Uuid::new_v4().to_string();
    ws.subscribe("uuid", TASK_UPDATED, json!({"id": missing}))
        .await;
    assert_eq!(ws.error_code("uuid").await, "NOT_FOUND");
    let global = GlobalId::new("Task", CONNECTION, &missing).encode();
    ws.subscribe("global", TASK_UPDATED, json!({"id": global}))
        .await;
    assert_eq!(ws.error_code("global").await, "NOT_FOUND");
}

/// Work the upstream never finishes in time fails its task at the configured deadline, not never.
#[tokio::test]
async fn unfinished_work_fails_at_the_deadline() {
    let gw = spawn_with(Options {
        max_task_duration: Duration::from_secs(1),
        ..options(Duration::from_secs(30))
    })
    .await;
    let (status, body) = gw
        .rest(
            "POST",
            "/api/v1/datacenter/dedicated/order",
            Some(json!({"id": 84, "template": "Debian Buster"})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"result": true})));
    let tasks = gw
        .data("{ tasks { nodes { taskId operation } } }", json!({}))
        .await;
    let task_id = tasks["tasks"]["nodes"][0]["taskId"]
        .as_str()
        .expect("the order's task")
        .to_string();
    let done = gw.wait_task(&task_id).await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert!(
        done["message"]
            .as_str()
            .unwrap_or_default()
            .contains("did not finish"),
        "{done}"
    );
}

/// An Orchestrix upgrade pipeline is followed over a subscription from its creation (queued, awaiting
/// approval) through approval to completion, as one task.
#[tokio::test]
async fn subscription_follows_an_upgrade_pipeline() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    ws.init(bearer_admin()).await;
    let data = gw
        .data(
            r#"mutation { orchestrixCreateUpgradePipeline(siteId: "site_abc123", input: {plugins: ["akismet"], core: true}) {
                task { id taskId status message } raw } }"#,
            json!({}),
        )
        .await;
    let payload = &data["orchestrixCreateUpgradePipeline"];
    assert_eq!(payload["task"]["status"], "QUEUED");
    assert_eq!(payload["task"]["message"], "awaiting approval");
    let pipeline = payload["raw"]["id"]
        .as_str()
        .expect("the pipeline's id")
        .to_string();
    ws.subscribe("p", TASK_UPDATED, json!({"id": payload["task"]["id"]}))
        .await;
    let approved = gw
        .data(
            "mutation($id: String!) { orchestrixApproveUpgradePipeline(siteId: \"site_abc123\", id: $id) { task { taskId } } }",
            json!({"id": pipeline}),
        )
        .await;
    assert_eq!(
        approved["orchestrixApproveUpgradePipeline"]["task"]["taskId"], payload["task"]["taskId"],
        "approval continues the task creation started"
    );
    let updates = ws.follow("p").await;
    let statuses: Vec<&str> = updates.iter().map(status).collect();
    assert_eq!(statuses.first(), Some(&"QUEUED"), "{statuses:?}");
    assert!(statuses.contains(&"RUNNING"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"SUCCEEDED"), "{statuses:?}");
    let last = updates.last().unwrap();
    assert_eq!(last["output"]["status"], "completed");
}

/// The `tasks` feed streams every change a dashboard may see: filters narrow it, and a principal
/// limited to other connections sees nothing of this one.
#[tokio::test]
async fn task_feed_for_dashboards() {
    let gw = spawn_with(options(Duration::from_millis(600))).await;
    let mut admin = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    admin.init(bearer_admin()).await;
    let feed =
        "subscription($f: TaskFilter) { tasks(filter: $f) { taskId status operation connection } }";
    admin
        .subscribe(
            "all",
            feed,
            json!({"f": {"operation": "hosterapiCreateServer"}}),
        )
        .await;
    admin
        .subscribe(
            "done",
            feed,
            json!({"f": {"statuses": ["SUCCEEDED"], "connection": "hoster"}}),
        )
        .await;
    let limited = crate::helpers::token_for("l", &[Scope::Read], Some(&["patch".to_string()]));
    let mut other = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
    other
        .init(json!({"Authorization": format!("Bearer {limited}")}))
        .await;
    other.subscribe("mine", feed, json!({})).await;
    // Let both subscriptions register before the work starts.
    sleep(Duration::from_millis(100)).await;
    let task = create_vm(&gw).await;

    let mut all = Vec::new();
    let mut done = Vec::new();
    while done.is_empty()
        || all
            .last()
            .map(|t: &Value| t["status"] != "SUCCEEDED")
            .unwrap_or(true)
    {
        let message = match admin.recv().await {
            Incoming::Message(m) => m,
            Incoming::Closed(c) => panic!("closed: {c:?}"),
        };
        let item = message["payload"]["data"]["tasks"].clone();
        match message["id"].as_str() {
            Some("all") => all.push(item),
            Some("done") => done.push(item),
            _ => {}
        }
    }
    assert!(
        all.iter().all(|t| t["taskId"] == task.task_id.as_str()),
        "{all:?}"
    );
    assert_eq!(all.first().unwrap()["status"], "QUEUED");
    assert_eq!(
        done.len(),
        1,
        "only the terminal change passes the status filter: {done:?}"
    );
    assert_eq!(done[0]["status"], "SUCCEEDED");
    assert!(
        timeout(Duration::from_millis(300), other.ws.next())
            .await
            .is_err(),
        "a principal limited to another connection sees nothing"
    );
}

// ---------------------------------------------------------------------------------------------
// Shared executions

/// Fifty identical `taskUpdated` subscriptions over ten sockets, in both subprotocols, run as one
/// execution, and every one of them sees every change from its first message on, in order, up to
/// SUCCEEDED and `complete`; the execution is gone once they all are.
#[tokio::test]
async fn identical_subscriptions_share_one_execution() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let mut sockets = Vec::new();
    for i in 0..10 {
        let protocol = if i % 2 == 0 {
            Protocol::TransportWs
        } else {
            Protocol::LegacyWs
        };
        sockets.push(socket(&gw, protocol, bearer_admin()).await);
    }
    let ids = ["a", "b", "c", "d", "e"];
    let task = create_vm(&gw).await;
    for ws in &mut sockets {
        for id in ids {
            ws.subscribe(id, TASK_UPDATED, json!({"id": task.id})).await;
        }
    }
    let seen = join_all(sockets.iter_mut().map(|ws| ws.follow_all(&ids))).await;
    let followed: Vec<&Vec<Value>> = seen.iter().flat_map(|s| s.values()).collect();
    assert_eq!(followed.len(), 50);
    // Whoever started the execution saw all of it; the others joined it at most a little later.
    let all = followed
        .iter()
        .max_by_key(|updates| updates.len())
        .expect("fifty subscribers");
    assert_build_followed(all);
    for updates in &followed {
        assert!(
            !updates.is_empty() && all.ends_with(updates),
            "a subscriber missed, repeated or reordered a change: {updates:?}\nthe execution's: {all:?}"
        );
    }
    assert_eq!(
        gw.subscriptions.executions_started(),
        1,
        "one execution for all fifty"
    );
    until_no_groups(&gw).await;
}

/// A subscriber joining a running execution gets the task's state now first: the latest state
/// right away even while the task does not change (a queued job), and after changes the latest of
/// them, not the first; then the same changes as the subscriber already there, from one execution.
#[tokio::test]
async fn a_late_subscriber_gets_the_current_state_first() {
    // Queued for its first half second (no change to publish), then a change every poll or so.
    let gw = spawn_with(options(Duration::from_millis(5000))).await;
    let mut early = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut queued = socket(&gw, Protocol::LegacyWs, bearer_admin()).await;
    let mut late = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let task = create_vm(&gw).await;
    early
        .subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let mut before = vec![early.update("1").await];
    assert_eq!(status(&before[0]), "QUEUED");
    queued
        .subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let replayed = queued.update("1").await;
    assert_eq!(
        replayed, before[0],
        "the state now, before the task changed again"
    );
    // At least one change after the state the execution started with.
    while before.len() < 2 || status(before.last().expect("an update")) != "RUNNING" {
        before.push(early.update("1").await);
    }
    late.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let (rest, queued_rest, joined) =
        tokio::join!(early.follow("1"), queued.follow("1"), late.follow("1"));
    let all: Vec<Value> = before.iter().cloned().chain(rest).collect();
    assert_build_followed(&all);
    let queued_all: Vec<Value> = [replayed].into_iter().chain(queued_rest).collect();
    assert_eq!(queued_all, all, "both saw the whole execution");
    assert_ne!(
        status(&joined[0]),
        "QUEUED",
        "the late subscriber starts with the state now: {joined:?}"
    );
    assert!(
        all.ends_with(&joined),
        "the late subscriber gets the same changes: {joined:?}\nthe execution's: {all:?}"
    );
    let start = all.len() - joined.len();
    assert!(
        start + 1 >= before.len(),
        "the late subscriber started at update #{start}, older than the #{} published before it \
         joined",
        before.len() - 1
    );
    assert_eq!(gw.subscriptions.executions_started(), 1);
}

/// A member completing its subscription early leaves the others running to the end, and nothing
/// more comes for it, `complete` included.
#[tokio::test]
async fn a_member_leaving_does_not_stop_the_others() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let mut leaving = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut staying = vec![
        socket(&gw, Protocol::TransportWs, bearer_admin()).await,
        socket(&gw, Protocol::LegacyWs, bearer_admin()).await,
    ];
    let task = create_vm(&gw).await;
    leaving
        .subscribe("early", TASK_UPDATED, json!({"id": task.id}))
        .await;
    leaving.update("early").await;
    for ws in &mut staying {
        ws.subscribe("stay", TASK_UPDATED, json!({"id": task.id}))
            .await;
        ws.update("stay").await;
    }
    leaving.complete("early").await;
    leaving.settle(&["early"]).await;
    let seen = join_all(staying.iter_mut().map(|ws| ws.follow("stay"))).await;
    for updates in &seen {
        assert_names_vm(updates.last().expect("updates up to the end"));
    }
    leaving.assert_idle().await;
    assert_eq!(gw.subscriptions.executions_started(), 1);
}

/// When the last member leaves (by `complete`, or by closing its socket) the group and its execution
/// are gone; a subscriber afterwards starts a fresh one and gets the state now. The id of a running
/// shared operation is taken as any other's (4409).
#[tokio::test]
async fn the_last_member_leaving_ends_the_group() {
    let gw = spawn_with(options(Duration::from_secs(10))).await;
    let mut completing = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut closing = socket(&gw, Protocol::LegacyWs, bearer_admin()).await;
    let task = create_vm(&gw).await;
    for id in ["1", "2"] {
        completing
            .subscribe(id, TASK_UPDATED, json!({"id": task.id}))
            .await;
    }
    closing
        .subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let mut started = HashSet::new();
    while started.len() < 2 {
        started.insert(completing.any_update().await.0);
    }
    closing.update("1").await;
    assert_eq!(gw.subscriptions.executions_running(), 1);

    for id in ["1", "2"] {
        completing.complete(id).await;
    }
    completing.settle(&["1", "2"]).await;
    // One member is left: the execution runs on.
    assert_eq!(gw.subscriptions.executions_running(), 1);
    closing.update("1").await;
    drop(closing);
    until_no_groups(&gw).await;
    assert_eq!(gw.subscriptions.executions_started(), 1);

    let mut fresh = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    fresh
        .subscribe("n", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let now = fresh.update("n").await;
    assert!(
        ["QUEUED", "RUNNING"].contains(&status(&now)),
        "the task is still running: {now}"
    );
    assert_eq!(gw.subscriptions.executions_started(), 2);
    assert_eq!(gw.subscriptions.executions_running(), 1);
    fresh
        .subscribe("n", TASK_UPDATED, json!({"id": task.id}))
        .await;
    loop {
        match fresh.recv().await {
            Incoming::Message(m) if m["id"] == "n" && m["type"] == "next" => continue,
            Incoming::Closed(Some((code, _))) => {
                assert_eq!(code, 4409);
                break;
            }
            other => panic!("expected the 4409 close, got {other:?}"),
        }
    }
    until_no_groups(&gw).await;
}

/// Executions are shared within one principal and one set of variables only: the same task by UUID
/// or by global ID, for an admin, a reader, the reader limited to the task's connection and the
/// reader limited to another connection, are five executions, and the last is refused the task
/// (NOT_FOUND) while the others follow it; a second admin socket shares the admin's.
#[tokio::test]
async fn principals_and_variables_do_not_share() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let reader = |connections: Option<&[String]>| {
        bearer(&crate::helpers::token_for(
            "alice",
            &[Scope::Read],
            connections,
        ))
    };
    let mut admin_ws = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut admin_again = socket(&gw, Protocol::LegacyWs, bearer_admin()).await;
    let mut alice = socket(&gw, Protocol::TransportWs, reader(None)).await;
    let mut alice_hoster = socket(
        &gw,
        Protocol::TransportWs,
        reader(Some(&[CONNECTION.to_string()])),
    )
    .await;
    let mut alice_patch = socket(
        &gw,
        Protocol::TransportWs,
        reader(Some(&["patch".to_string()])),
    )
    .await;
    let task = create_vm(&gw).await;
    let by_id = json!({"id": task.id});
    admin_ws
        .subscribe("global", TASK_UPDATED, by_id.clone())
        .await;
    admin_ws
        .subscribe("uuid", TASK_UPDATED, json!({"id": task.task_id}))
        .await;
    admin_again
        .subscribe("1", TASK_UPDATED, by_id.clone())
        .await;
    alice.subscribe("1", TASK_UPDATED, by_id.clone()).await;
    alice_hoster
        .subscribe("1", TASK_UPDATED, by_id.clone())
        .await;
    alice_patch.subscribe("1", TASK_UPDATED, by_id).await;

    let (admin_seen, again, alice_seen, hoster_seen, refused) = tokio::join!(
        admin_ws.follow_all(&["global", "uuid"]),
        admin_again.follow("1"),
        alice.follow("1"),
        alice_hoster.follow("1"),
        alice_patch.error_code("1"),
    );
    assert_eq!(refused, "NOT_FOUND", "a principal of another connection");
    for updates in admin_seen
        .values()
        .chain([&again, &alice_seen, &hoster_seen])
    {
        assert_names_vm(updates.last().expect("updates up to the end"));
    }
    assert_eq!(gw.subscriptions.executions_started(), 5);
}

/// Subscriptions other than a lone `taskUpdated` run on their own, as before: two identical `tasks`
/// feeds (an event stream, where a late subscriber must not be handed an earlier event) and two
/// identical `taskUpdated` with request extensions (which may change how a request runs) all
/// deliver, and no shared execution starts.
#[tokio::test]
async fn other_subscriptions_are_not_shared() {
    let gw = spawn_with(options(Duration::from_millis(1000))).await;
    let feed = "subscription { tasks { taskId status } }";
    let mut sockets = vec![
        socket(&gw, Protocol::TransportWs, bearer_admin()).await,
        socket(&gw, Protocol::LegacyWs, bearer_admin()).await,
    ];
    for ws in &mut sockets {
        ws.subscribe("feed", feed, json!({})).await;
    }
    // Let the feeds register before the work starts.
    sleep(Duration::from_millis(100)).await;
    let task = create_vm(&gw).await;
    for ws in &mut sockets {
        match ws.event("feed").await {
            Event::Next(p) => assert_eq!(p["data"]["tasks"]["taskId"], task.task_id.as_str()),
            Event::Complete => panic!("the feed completed"),
        }
        ws.complete("feed").await;
        let kind = ws.protocol.subscribe_type();
        ws.send(json!({"id": "alone", "type": kind, "payload": {
            "query": TASK_UPDATED,
            "variables": {"id": task.id},
            "extensions": {"unshared": true},
        }}))
        .await;
    }
    // Feed items published before the feed's `complete` arrived may still be on their way.
    for ws in &mut sockets {
        let updates = loop {
            match ws.recv().await {
                Incoming::Message(m) if m["type"] == "ping" => {
                    ws.send(json!({"type": "pong"})).await;
                }
                Incoming::Message(m) if m["id"] == "feed" => continue,
                Incoming::Message(m) if m["id"] == "alone" => {
                    assert_eq!(m["type"], ws.protocol.next_type(), "{m}");
                    let first = m["payload"]["data"]["taskUpdated"].clone();
                    let mut rest = ws.follow("alone").await;
                    rest.insert(0, first);
                    break rest;
                }
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_names_vm(updates.last().expect("updates up to the end"));
    }
    assert_eq!(gw.subscriptions.executions_started(), 0);
    assert_eq!(gw.subscriptions.groups(), 0);
}

/// An invalid `taskUpdated` subscription is reported exactly as the same request run on its own
/// (request extensions keep it out of any group): a bad field is an `error` with the same GraphQL
/// errors and no `complete` on graphql-transport-ws, and `data` then `complete` on the legacy
/// protocol; an unknown task is the same NOT_FOUND `next`, then `complete`.
#[tokio::test]
async fn invalid_shared_subscriptions_are_reported_as_before() {
    let gw = spawn_with(options(Duration::from_millis(800))).await;
    let task = create_vm(&gw).await;
    let bad = "subscription($id: ID!) { taskUpdated(id: $id) { status noSuchField } }";
    let missing = json!({"id": uuid::Uuid::new_v4().to_string()});
    let start = |protocol: Protocol, id: &str, query: &str, variables: &Value, alone: bool| {
        let mut payload = json!({"query": query, "variables": variables});
        if alone {
            payload["extensions"] = json!({"unshared": true});
        }
        json!({"id": id, "type": protocol.subscribe_type(), "payload": payload})
    };
    let message = |incoming: Incoming| match incoming {
        Incoming::Message(m) => m,
        Incoming::Closed(close) => panic!("closed: {close:?}"),
    };

    let transport = Protocol::TransportWs;
    let mut ws = socket(&gw, transport, bearer_admin()).await;
    let vars = json!({"id": task.id});
    let mut refusals = Vec::new();
    for (id, alone) in [("shared", false), ("alone", true)] {
        ws.send(start(transport, id, bad, &vars, alone)).await;
        let error = message(ws.recv().await);
        assert_eq!(error["type"], "error", "{error}");
        assert_eq!(error["id"], id, "{error}");
        assert_eq!(
            error["payload"][0]["extensions"]["code"], "VALIDATION",
            "{error}"
        );
        refusals.push(error["payload"].clone());
        // No `complete` follows an `error`.
        ws.assert_idle().await;
    }
    assert_eq!(refusals[0], refusals[1]);

    let mut not_found = Vec::new();
    for (id, alone) in [("gone", false), ("gone-alone", true)] {
        ws.send(start(transport, id, TASK_UPDATED, &missing, alone))
            .await;
        let next = message(ws.recv().await);
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(
            next["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{next}"
        );
        not_found.push(next["payload"].clone());
        assert_eq!(
            message(ws.recv().await),
            json!({"type": "complete", "id": id})
        );
    }
    assert_eq!(not_found[0], not_found[1]);

    let legacy = Protocol::LegacyWs;
    let mut old = socket(&gw, legacy, bearer_admin()).await;
    let mut data = Vec::new();
    for (id, alone) in [("shared", false), ("alone", true)] {
        old.send(start(legacy, id, bad, &vars, alone)).await;
        let next = message(old.recv().await);
        assert_eq!(next["type"], "data", "{next}");
        data.push(next["payload"].clone());
        assert_eq!(
            message(old.recv().await),
            json!({"type": "complete", "id": id})
        );
    }
    assert_eq!(data[0], data[1]);
    assert_eq!(data[0]["errors"], refusals[0], "{data:?}");
    // The shared ones did run shared: one execution each, the earlier one having ended.
    assert_eq!(gw.subscriptions.executions_started(), 3);
}

/// Over WebSocket, as over HTTP, an operation acts upstream as the caller when the `connection_init`
/// payload carries the caller's own Orchestrix credential (`X-Orchestrix-Authorization`): a bogus
/// one is refused by the upstream itself, and without one the stored token answers.
#[tokio::test]
async fn websocket_operations_can_act_as_the_caller_upstream() {
    let gw = spawn_with(Options::default()).await;
    const ME: &str = "{ orchestrixMe { userId } }";
    for protocol in [Protocol::TransportWs, Protocol::LegacyWs] {
        let mut init = bearer_admin();
        init["X-Orchestrix-Authorization"] = json!("Bearer eyBogus");
        let mut ws = socket(&gw, protocol, init).await;
        ws.subscribe("me", ME, json!({})).await;
        let refused = ws.operation_message().await;
        let ext = &refused["payload"]["errors"][0]["extensions"];
        assert_eq!(ext["upstreamStatus"], 401, "{protocol:?}: {refused}");

        let mut ws = socket(&gw, protocol, bearer_admin()).await;
        ws.subscribe("me", ME, json!({})).await;
        let stored = ws.operation_message().await;
        assert_eq!(
            stored["payload"]["data"]["orchestrixMe"]["userId"], "usr_1",
            "{protocol:?}: {stored}"
        );
    }
}
