//! The harness every simulator runs in: an axum router served on a loopback port (port 0 by default)
//! that records each request it receives and shuts down when its handle is dropped.

use axum::{Router, extract::Request, middleware::Next, response::Response};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};
use tokio::{net::TcpListener, sync::oneshot};

/// One request as the simulator received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
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

    fn push(&self, r: Recorded) {
        self.0.lock().expect("request log lock poisoned").push(r);
    }
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
                    recorder.push(Recorded {
                        method: req.method().to_string(),
                        path: req.uri().path().to_string(),
                    });
                    let resp: Response = next.run(req).await;
                    resp
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
