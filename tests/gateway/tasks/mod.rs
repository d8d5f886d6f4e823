//! The task engine from outside: `taskUpdated` over both WebSocket subprotocols and Server-Sent Events, one upstream poll per
//! task however many clients follow it, one shared execution per identical `taskUpdated`
//! subscription (and none across principals or variables), credentials and unknown IDs on
//! subscriptions, and unfinished tasks picked up again by a restarted gateway.

mod engine;
mod shared;
mod sse;
mod subscriptions;

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

struct Created {
    /// The task's global ID.
    id: String,
    /// The gateway's UUID for it.
    task_id: String,
    job_id: u64,
}

/// An admin starts a PanelAlpha service for Ada (user 1), then one for Grace (user 2): their task
/// IDs, in that order.
async fn services_for_ada_and_grace(gw: &TestGateway) -> [Value; 2] {
    let create = "mutation($user: Int!) { panelalphaCreateUserService(userId: $user,
        input: {planId: 1}) { task { taskId } } }";
    let mut started = [Value::Null, Value::Null];
    for (task, user) in started.iter_mut().zip([1, 2]) {
        let data = gw.data(create, json!({"user": user})).await;
        *task = data["panelalphaCreateUserService"]["task"]["taskId"].clone();
    }
    started
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
