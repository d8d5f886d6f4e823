//! Subscription fan-out: N subscribers on one task's `taskUpdated` stream, over WebSocket
//! (`graphql-transport-ws`, one subscription per socket) or Server-Sent Events (one stream per
//! connection). Each change's delivery latency is its arrival here minus the
//! `updatedAt` the gateway stamped when it observed the change; the first message of each subscription
//! (the task's state when it subscribed) is not a delivery and is left out.

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use std::{
    collections::BTreeSet,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async_with_config,
    tungstenite::{
        Message,
        client::IntoClientRequest,
        http::{HeaderValue, header::SEC_WEBSOCKET_PROTOCOL},
        protocol::WebSocketConfig,
    },
};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const SUBSCRIPTION: &str =
    "subscription($id: ID!) { taskUpdated(id: $id) { status progress updatedAt } }";
/// WebSocket handshakes, or event streams not yet answering, in flight at once while connecting.
const CONNECT_CONCURRENCY: usize = 128;

/// How the subscribers reach the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    WebSocket,
    Sse,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::WebSocket => "WebSocket",
            Transport::Sse => "SSE",
        }
    }
}

/// Opens `n` WebSockets to the gateway and has each acknowledged (`connection_init` with the bearer).
pub async fn connect(gateway: SocketAddr, bearer: &str, n: usize) -> Result<Vec<Ws>, String> {
    let url = format!("ws://{gateway}/graphql/ws");
    let init = json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {bearer}")}})
        .to_string();
    let results: Vec<Result<Ws, String>> = stream::iter(0..n)
        .map(|_| {
            let (url, init) = (url.clone(), init.clone());
            async move {
                let mut request = url.into_client_request().map_err(|e| e.to_string())?;
                request.headers_mut().insert(
                    SEC_WEBSOCKET_PROTOCOL,
                    HeaderValue::from_static("graphql-transport-ws"),
                );
                // Small client buffers: the messages are small and 10,000 sockets live in this process.
                let config = WebSocketConfig::default()
                    .read_buffer_size(4096)
                    .write_buffer_size(0);
                let (mut ws, _) = connect_async_with_config(request, Some(config), true)
                    .await
                    .map_err(|e| format!("WebSocket upgrade: {e}"))?;
                ws.send(Message::text(init))
                    .await
                    .map_err(|e| e.to_string())?;
                match tokio::time::timeout(Duration::from_secs(60), next_json(&mut ws)).await {
                    Ok(Some(m)) if m["type"] == "connection_ack" => Ok(ws),
                    Ok(other) => Err(format!("expected connection_ack, got {other:?}")),
                    Err(_) => Err("no connection_ack within 60 s".into()),
                }
            }
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect()
        .await;
    results.into_iter().collect()
}

/// The next JSON text message, answering graphql-transport-ws pings; `None` once the socket ends.
async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(text)) => {
                let v: Value = serde_json::from_str(text.as_str()).ok()?;
                if v["type"] == "ping" {
                    let _ = ws.send(Message::text(r#"{"type":"pong"}"#)).await;
                    continue;
                }
                return Some(v);
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => continue,
        }
    }
}

/// What one subscriber saw.
#[derive(Default)]
struct Seen {
    /// When its first message (the state at subscription) arrived.
    first: Option<DateTime<Utc>>,
    /// Each later change: its `updatedAt` and how long it took to arrive, in nanoseconds.
    changes: Vec<(DateTime<Utc>, i64)>,
    completed: bool,
    error: Option<String>,
}

impl Seen {
    /// One `next` result that arrived at `arrived`; an error for one that names no `updatedAt`.
    fn record(&mut self, result: &Value, arrived: DateTime<Utc>) -> Result<(), String> {
        let updated = result["data"]["taskUpdated"]["updatedAt"]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("a result without updatedAt: {result}"))?;
        if self.first.is_none() {
            self.first = Some(arrived);
        } else {
            let latency = (arrived - updated).num_nanoseconds().unwrap_or(i64::MAX);
            self.changes.push((updated, latency));
        }
        Ok(())
    }
}

async fn follow_one(mut ws: Ws, subscribe: String, deadline: Instant) -> Seen {
    let mut seen = Seen::default();
    if let Err(e) = ws.send(Message::text(subscribe)).await {
        seen.error = Some(e.to_string());
        return seen;
    }
    loop {
        let frame = match tokio::time::timeout_at(deadline.into(), ws.next()).await {
            Ok(Some(Ok(frame))) => frame,
            Ok(_) => {
                seen.error = Some("the socket ended before `complete`".into());
                break;
            }
            Err(_) => {
                seen.error = Some("no `complete` before the deadline".into());
                break;
            }
        };
        // The arrival time is read before anything else is done with the message.
        let arrived = Utc::now();
        let Message::Text(text) = frame else { continue };
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
            seen.error = Some(format!("not JSON: {text}"));
            break;
        };
        match message["type"].as_str() {
            Some("next") => {
                if let Err(e) = seen.record(&message["payload"], arrived) {
                    seen.error = Some(e);
                    break;
                }
            }
            Some("complete") => {
                seen.completed = true;
                break;
            }
            Some("ping") => {
                let _ = ws.send(Message::text(r#"{"type":"pong"}"#)).await;
            }
            _ => {
                seen.error = Some(format!("unexpected message: {message}"));
                break;
            }
        }
    }
    let _ = ws.close(None).await;
    seen
}

/// What the fan-out of one task to every subscriber measured.
pub struct Fanout {
    /// From the first `subscribe` sent until every subscriber had its first message.
    pub subscribe_time: Duration,
    /// Changes the gateway published after every subscriber was in place.
    pub changes: usize,
    /// Deliveries of those changes expected (changes x subscribers) and received.
    pub expected: u64,
    pub delivered: u64,
    /// Delivery latencies of those changes, nanoseconds, sorted.
    pub latencies: Vec<u64>,
    pub completed: usize,
    pub errors: Vec<String>,
}

/// Subscribes every socket to `taskUpdated(id)` and follows the task to its end.
pub async fn follow(sockets: Vec<Ws>, task_id: &str, timeout: Duration) -> Fanout {
    let subscribe = json!({
        "id": "1", "type": "subscribe",
        "payload": {"query": SUBSCRIPTION, "variables": {"id": task_id}}
    })
    .to_string();
    let started = Utc::now();
    let deadline = Instant::now() + timeout;
    let handles: Vec<_> = sockets
        .into_iter()
        .map(|ws| tokio::spawn(follow_one(ws, subscribe.clone(), deadline)))
        .collect();
    summarize(handles, started).await
}

/// Opens `n` event streams of `taskUpdated(id)` at `/graphql/stream` and follows the task to its
/// end. At most `CONNECT_CONCURRENCY` streams are opening at once (until their first event).
pub async fn follow_sse(
    gateway: SocketAddr,
    bearer: &str,
    n: usize,
    task_id: &str,
    timeout: Duration,
) -> Fanout {
    let client = reqwest::Client::new();
    let url = format!("http://{gateway}/graphql/stream");
    let body = json!({"query": SUBSCRIPTION, "variables": {"id": task_id}}).to_string();
    let opening = Arc::new(tokio::sync::Semaphore::new(CONNECT_CONCURRENCY));
    let started = Utc::now();
    let deadline = Instant::now() + timeout;
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let request = client
                .post(&url)
                .bearer_auth(bearer)
                .header(reqwest::header::ACCEPT, "text/event-stream")
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
            tokio::spawn(follow_one_sse(request, opening.clone(), deadline))
        })
        .collect();
    summarize(handles, started).await
}

async fn follow_one_sse(
    request: reqwest::RequestBuilder,
    opening: Arc<tokio::sync::Semaphore>,
    deadline: Instant,
) -> Seen {
    let mut seen = Seen::default();
    let mut permit = opening.acquire_owned().await.ok();
    let mut response = match tokio::time::timeout_at(deadline.into(), request.send()).await {
        Ok(Ok(r)) if r.status() == 200 => r,
        Ok(Ok(r)) => {
            seen.error = Some(format!("HTTP {}", r.status()));
            return seen;
        }
        Ok(Err(e)) => {
            seen.error = Some(e.to_string());
            return seen;
        }
        Err(_) => {
            seen.error = Some("no answer before the deadline".into());
            return seen;
        }
    };
    let mut buffer = String::new();
    loop {
        let chunk = match tokio::time::timeout_at(deadline.into(), response.chunk()).await {
            Ok(Ok(Some(chunk))) => chunk,
            Ok(_) => {
                seen.error = Some("the stream ended before `complete`".into());
                return seen;
            }
            Err(_) => {
                seen.error = Some("no `complete` before the deadline".into());
                return seen;
            }
        };
        // The arrival time is read before anything else is done with the event.
        let arrived = Utc::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            let mut kind = "";
            let mut data = "";
            for line in event.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    kind = v;
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = v;
                }
            }
            match kind {
                "next" => {
                    let result = serde_json::from_str(data).unwrap_or(Value::Null);
                    if let Err(e) = seen.record(&result, arrived) {
                        seen.error = Some(e);
                        return seen;
                    }
                    // Open: the next stream may start.
                    permit.take();
                }
                "complete" => {
                    seen.completed = true;
                    return seen;
                }
                // A keep-alive comment.
                _ => {}
            }
        }
    }
}

/// What every subscriber saw, as one fan-out's figures.
async fn summarize(handles: Vec<tokio::task::JoinHandle<Seen>>, started: DateTime<Utc>) -> Fanout {
    let n = handles.len();
    let mut all = Vec::with_capacity(n);
    for h in handles {
        all.push(h.await.unwrap_or_else(|e| Seen {
            error: Some(e.to_string()),
            ..Seen::default()
        }));
    }
    // Every subscriber was in place once the last first message arrived.
    let ready = all.iter().filter_map(|s| s.first).max().unwrap_or(started);
    let changes: BTreeSet<DateTime<Utc>> = all
        .iter()
        .flat_map(|s| s.changes.iter().map(|(t, _)| *t))
        .filter(|t| *t > ready)
        .collect();
    let mut latencies: Vec<u64> = all
        .iter()
        .flat_map(|s| s.changes.iter())
        .filter(|(t, _)| *t > ready)
        .map(|(_, l)| (*l).max(0) as u64)
        .collect();
    latencies.sort_unstable();
    let mut errors: Vec<String> = all.iter().filter_map(|s| s.error.clone()).collect();
    errors.dedup();
    Fanout {
        subscribe_time: (ready - started).to_std().unwrap_or_default(),
        changes: changes.len(),
        expected: (changes.len() * n) as u64,
        delivered: latencies.len() as u64,
        latencies,
        completed: all.iter().filter(|s| s.completed).count(),
        errors,
    }
}

/// Samples a process's resident memory every 50 ms until stopped; keeps the largest value.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    handle: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    pub fn start(pid: u32) -> RssSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        let handle = tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                if let Some((rss, _)) = crate::procs::memory(pid) {
                    p.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        RssSampler { stop, peak, handle }
    }

    /// Stops sampling; the peak resident set seen, in bytes.
    pub async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.await;
        self.peak.load(Ordering::Relaxed)
    }
}

/// One subscriber that comes and goes: a WebSocket opened and acknowledged, `taskUpdated(id)`
/// subscribed, its first result read, the socket closed.
pub async fn churn_ws(gateway: SocketAddr, bearer: &str, task_id: &str) -> Result<(), String> {
    let mut ws = connect(gateway, bearer, 1)
        .await?
        .pop()
        .ok_or("no socket")?;
    let subscribe = json!({"id": "1", "type": "subscribe",
        "payload": {"query": SUBSCRIPTION, "variables": {"id": task_id}}});
    ws.send(Message::text(subscribe.to_string()))
        .await
        .map_err(|e| e.to_string())?;
    let first = tokio::time::timeout(Duration::from_secs(30), next_json(&mut ws))
        .await
        .map_err(|_| "no result within 30 s".to_string())?;
    let _ = ws.close(None).await;
    match first {
        Some(m) if m["type"] == "next" && m["payload"]["errors"].is_null() => Ok(()),
        other => Err(format!("expected a result, got {other:?}")),
    }
}

/// The same over an event stream: `taskUpdated(id)` opened, its first `next` read, the stream
/// dropped.
pub async fn churn_sse(
    client: &reqwest::Client,
    gateway: SocketAddr,
    bearer: &str,
    task_id: &str,
) -> Result<(), String> {
    let mut response = client
        .post(format!("http://{gateway}/graphql/stream"))
        .bearer_auth(bearer)
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .json(&json!({"query": SUBSCRIPTION, "variables": {"id": task_id}}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status() != 200 {
        return Err(format!("HTTP {}", response.status()));
    }
    let mut seen = String::new();
    while !seen.contains("event: next") {
        match tokio::time::timeout(Duration::from_secs(30), response.chunk()).await {
            Ok(Ok(Some(chunk))) => seen.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Ok(None)) => return Err("the stream ended before a result".into()),
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err("no result within 30 s".into()),
        }
    }
    Ok(())
}
