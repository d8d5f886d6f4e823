//! The harness every simulator runs in: an axum router served on a loopback port (port 0 by default)
//! that records each request it receives, with its answer, and shuts down when its handle is dropped.

use axum::{
    Router,
    body::{Body, HttpBody, to_bytes},
    extract::Request,
    middleware::Next,
    response::Response,
};
use serde_json::Value;
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
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

/// The requests a simulator received, in order.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<Recorded>>>);

impl RequestLog {
    pub fn all(&self) -> Vec<Recorded> {
        self.0.lock().expect("request log lock poisoned").clone()
    }

    pub fn len(&self) -> usize {
        self.0.lock().expect("request log lock poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many requests matched this method and path exactly.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.all()
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .count()
    }

    /// The last request received, if any.
    pub fn last(&self) -> Option<Recorded> {
        self.0
            .lock()
            .expect("request log lock poisoned")
            .last()
            .cloned()
    }

    /// Appends `r`, answering its place in the log.
    fn push(&self, r: Recorded) -> usize {
        let mut log = self.0.lock().expect("request log lock poisoned");
        log.push(r);
        log.len() - 1
    }

    /// Records `req` and hands it on with its body intact, with its place in the log.
    async fn record(&self, req: Request) -> (Request, usize) {
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
        (Request::from_parts(parts, Body::from(bytes)), at)
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
        if let Some(r) = self
            .0
            .lock()
            .expect("request log lock poisoned")
            .get_mut(at)
        {
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
                    recorder.answer(at, resp).await
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
}
