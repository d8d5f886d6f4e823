//! The harness every simulator runs in: an axum router served on a loopback port (port 0 by default)
//! that records the requests it receives, with their answers (the newest `KEPT`, or none for a
//! simulator that serves for long), and shuts down when its handle is dropped.

use axum::{
    Router,
    body::{Body, HttpBody, to_bytes},
    extract::Request,
    middleware::Next,
    response::Response,
};
use serde_json::Value;
use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};
use tokio::{net::TcpListener, sync::oneshot};

/// The most of a request body the log keeps; simulated uploads stay far below it.
const MAX_RECORDED_BODY: usize = 64 * 1024 * 1024;

/// One request as the simulator received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The query string as sent (still percent-encoded), if there was one.
    pub query: Option<String>,
    /// The body as JSON; a body that is not JSON is the JSON string of its text, an empty one `None`.
    pub body: Option<Value>,
    /// The user the request asks to act as (PanelAlpha's `X-PanelAlpha-User`), which tests check
    /// a customer's credential always sends as its own.
    pub acting_user: Option<String>,
    /// The status answered, once the simulator has answered.
    pub status: Option<u16>,
    /// The body answered, as sent; `None` until answered, and for a streamed answer (one whose
    /// length is not known up front), which is passed on unread.
    pub response: Option<Vec<u8>>,
}

/// How many requests a log keeps: the newest, for a test to read; older ones are only counted.
pub const KEPT: usize = 10_000;

/// The requests a simulator received, in order: the newest [`KEPT`] of them, and a count of all. A
/// simulator that serves for long (`demo`) keeps none (`keep_none`): it then only counts, and its
/// request path takes no lock and reads no body for the log.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Log>);

#[derive(Debug, Default)]
struct Log {
    /// Requests received, kept or not.
    total: AtomicUsize,
    off: AtomicBool,
    /// The kept requests, each with its place among all of them.
    kept: Mutex<VecDeque<(usize, Recorded)>>,
}

impl RequestLog {
    /// The kept requests, oldest first.
    pub fn all(&self) -> Vec<Recorded> {
        self.kept().iter().map(|(_, r)| r.clone()).collect()
    }

    /// The kept requests from the `n`th received on (`n` being an earlier `len()`).
    pub fn since(&self, n: usize) -> Vec<Recorded> {
        self.kept()
            .iter()
            .filter(|(at, _)| *at >= n)
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Requests received, kept or not.
    pub fn len(&self) -> usize {
        self.0.total.load(Ordering::Acquire)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many kept requests matched this method and path exactly.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.kept()
            .iter()
            .filter(|(_, r)| r.method == method && r.path == path)
            .count()
    }

    /// The last request received, if kept.
    pub fn last(&self) -> Option<Recorded> {
        self.kept().back().map(|(_, r)| r.clone())
    }

    /// From now on, only count requests.
    pub fn keep_none(&self) {
        self.0.off.store(true, Ordering::Release);
        self.kept().clear();
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, VecDeque<(usize, Recorded)>> {
        self.0.kept.lock().expect("request log lock poisoned")
    }

    /// Appends `r`, answering its place among all requests.
    fn push(&self, r: Recorded) -> usize {
        let mut kept = self.kept();
        // Counted under the lock, so places are in the order of the log.
        let at = self.0.total.fetch_add(1, Ordering::AcqRel);
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back((at, r));
        at
    }

    /// Records `req` and hands it on with its body intact, with its place in the log; `None` when
    /// the log keeps nothing.
    async fn record(&self, req: Request) -> (Request, Option<usize>) {
        if self.0.off.load(Ordering::Acquire) {
            self.0.total.fetch_add(1, Ordering::AcqRel);
            return (req, None);
        }
        let (parts, body) = req.into_parts();
        // A body that cannot be read whole is recorded as absent and passed on empty; the handler
        // then answers as it would to a client that sent nothing.
        let bytes = to_bytes(body, MAX_RECORDED_BODY).await.unwrap_or_default();
        let at = self.push(Recorded {
            method: parts.method.to_string(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            body: recorded_body(&bytes),
            acting_user: parts
                .headers
                .get("x-panelalpha-user")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            status: None,
            response: None,
        });
        (Request::from_parts(parts, Body::from(bytes)), Some(at))
    }

    /// Records the answer to the request at `at` and hands it on intact.
    async fn answer(&self, at: usize, resp: Response) -> Response {
        let (parts, body) = resp.into_parts();
        let whole = body
            .size_hint()
            .exact()
            .is_some_and(|n| n <= MAX_RECORDED_BODY as u64);
        let (body, bytes) = if whole {
            let bytes = to_bytes(body, MAX_RECORDED_BODY).await.unwrap_or_default();
            (Body::from(bytes.clone()), Some(bytes.to_vec()))
        } else {
            (body, None)
        };
        let mut kept = self.kept();
        let first = kept.front().map_or(at, |(first, _)| *first);
        if let Some((_, r)) = at.checked_sub(first).and_then(|i| kept.get_mut(i)) {
            r.status = Some(parts.status.as_u16());
            r.response = bytes;
        }
        Response::from_parts(parts, body)
    }
}

fn recorded_body(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        return None;
    }
    Some(
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned())),
    )
}

/// A running simulator. Dropping it stops the server.
pub struct SimServer {
    pub addr: SocketAddr,
    pub log: RequestLog,
    shutdown: Option<oneshot::Sender<()>>,
}

impl SimServer {
    /// Serves `router` on `bind` (use `127.0.0.1:0` in tests) until the handle is dropped.
    pub async fn start(router: Router, bind: SocketAddr) -> std::io::Result<SimServer> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let log = RequestLog::default();
        let recorder = log.clone();
        let router = router.layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let recorder = recorder.clone();
                async move {
                    let (req, at) = recorder.record(req).await;
                    let resp: Response = next.run(req).await;
                    match at {
                        Some(at) => recorder.answer(at, resp).await,
                        None => resp,
                    }
                }
            },
        ));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "simulator stopped with an error");
            }
        });
        Ok(SimServer {
            addr,
            log,
            shutdown: Some(tx),
        })
    }

    /// Serves `router` on a free loopback port.
    pub async fn loopback(router: Router) -> std::io::Result<SimServer> {
        SimServer::start(router, ([127, 0, 0, 1], 0).into()).await
    }

    /// Serves a simulator's router on a free loopback port, handing back the simulator with it.
    pub async fn serve<T>(sim: T, router: fn(&T) -> Router) -> std::io::Result<(T, SimServer)> {
        let server = SimServer::loopback(router(&sim)).await?;
        Ok((sim, server))
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::any;
    use serde_json::json;

    /// The log keeps each request's method, path, query and body (JSON, text as a string, none when
    /// empty) and the answer's status and body, and the handler still receives the body.
    #[tokio::test]
    async fn records_query_and_body() {
        let echo = Router::new().route("/{*rest}", any(|body: String| async move { body }));
        let server = SimServer::loopback(echo).await.unwrap();
        let client = reqwest::Client::new();
        let url = |p: &str| format!("{}{p}", server.base_url());
        let echoed = client
            .post(url("/a/b?x=1&y=%20"))
            .json(&json!({"k": [1, 2]}))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(echoed, r#"{"k":[1,2]}"#);
        client.put(url("/text")).body("a=1&b").send().await.unwrap();
        client.get(url("/none")).send().await.unwrap();
        let log = server.log.all();
        let seen: Vec<_> = log
            .iter()
            .map(|r| {
                (
                    r.method.as_str(),
                    r.path.as_str(),
                    r.query.as_deref(),
                    r.body.clone(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "POST",
                    "/a/b",
                    Some("x=1&y=%20"),
                    Some(json!({"k": [1, 2]}))
                ),
                ("PUT", "/text", None, Some(json!("a=1&b"))),
                ("GET", "/none", None, None),
            ]
        );
        let answers: Vec<_> = log
            .iter()
            .map(|r| (r.status, r.response.as_deref()))
            .collect();
        assert_eq!(
            answers,
            [
                (Some(200), Some(&br#"{"k":[1,2]}"#[..])),
                (Some(200), Some(&b"a=1&b"[..])),
                (Some(200), Some(&b""[..])),
            ]
        );
        assert_eq!(server.log.count("PUT", "/text"), 1);
        assert_eq!(server.log.last().map(|r| r.path), Some("/none".into()));
    }

    fn request(path: &str) -> Recorded {
        Recorded {
            method: "GET".into(),
            path: path.into(),
            query: None,
            body: None,
            acting_user: None,
            status: None,
            response: None,
        }
    }

    /// The log keeps the newest `KEPT` requests and counts all; `since` reads from a count taken
    /// earlier; a log that keeps none only counts.
    #[tokio::test]
    async fn the_log_keeps_the_newest_and_counts_all() {
        let log = RequestLog::default();
        for i in 0..KEPT + 5 {
            assert_eq!(log.push(request(&format!("/{i}"))), i);
        }
        assert_eq!(log.len(), KEPT + 5);
        let kept = log.all();
        assert_eq!(kept.len(), KEPT);
        assert_eq!(kept[0].path, "/5");
        let paths: Vec<String> = log.since(KEPT + 2).into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/10002", "/10003", "/10004"]);
        let answered = log.answer(KEPT + 4, Response::new(Body::from("{}"))).await;
        assert_eq!(answered.status(), 200);
        assert_eq!(log.last().and_then(|r| r.status), Some(200));

        log.keep_none();
        let (_, at) = log.record(Request::new(Body::from("not kept"))).await;
        assert_eq!(at, None);
        assert_eq!(log.len(), KEPT + 6);
        assert!(log.all().is_empty());
    }
}
