//! A closed-loop HTTP/1.1 load generator: N keep-alive connections (one hyper client connection each,
//! no pool), each sending the same request back to back for a warm-up and then a measured window,
//! recording every measured request's latency (`run`), or only counting them for as long as a soak
//! lasts (`sustain`).

use http_body_util::{BodyExt, Full};
use hyper::{
    Method, Request, StatusCode,
    body::Bytes,
    client::conn::http1::SendRequest,
    header::{HeaderName, HeaderValue},
};
use hyper_util::rt::TokioIo;
use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::net::TcpStream;

/// One request, sent over and over.
#[derive(Clone)]
pub struct Call {
    pub addr: SocketAddr,
    pub method: Method,
    pub path: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
}

impl Call {
    pub fn get(addr: SocketAddr, path: &str, authorization: &str) -> Call {
        Call {
            addr,
            method: Method::GET,
            path: path.to_string(),
            headers: vec![(
                hyper::header::AUTHORIZATION,
                HeaderValue::from_str(authorization).expect("a header value"),
            )],
            body: Bytes::new(),
        }
    }

    pub fn graphql(addr: SocketAddr, query: &str, authorization: &str) -> Call {
        let body = serde_json::json!({ "query": query }).to_string();
        Call {
            addr,
            method: Method::POST,
            path: "/graphql".into(),
            headers: vec![
                (
                    hyper::header::AUTHORIZATION,
                    HeaderValue::from_str(authorization).expect("a header value"),
                ),
                (
                    hyper::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                ),
            ],
            body: Bytes::from(body),
        }
    }

    fn request(&self) -> Request<Full<Bytes>> {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(self.path.as_str())
            .header(hyper::header::HOST, self.addr.to_string());
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(Full::new(self.body.clone()))
            .expect("a valid request")
    }
}

type Sender = SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake {addr}: {e}"))?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn send(sender: &mut Sender, call: &Call) -> Result<(StatusCode, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let resp = sender
        .send_request(call.request())
        .await
        .map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// One request on a fresh connection: status and body, to check a row's call before loading it.
pub async fn probe(call: &Call) -> Result<(StatusCode, Bytes), String> {
    let mut sender = connect(call.addr).await?;
    send(&mut sender, call).await
}

/// What one load run measured.
pub struct Sample {
    /// Measured requests that answered 2xx.
    pub ok: u64,
    /// Measured requests that failed or answered otherwise.
    pub errors: u64,
    pub window: Duration,
    /// Latencies of the measured requests, in nanoseconds, sorted.
    pub latencies: Vec<u64>,
}

impl Sample {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.window.as_secs_f64()
    }

    /// The `q` quantile (0..1) of the measured latencies.
    pub fn quantile(&self, q: f64) -> Duration {
        quantile(&self.latencies, q)
    }
}

pub fn quantile(sorted: &[u64], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    Duration::from_nanos(sorted[rank - 1])
}

struct Worker {
    ok: u64,
    errors: u64,
    latencies: Vec<u64>,
}

/// Runs `call` on `conns` connections for `warmup`, then measures for `window`.
pub async fn run(call: &Call, conns: usize, warmup: Duration, window: Duration) -> Sample {
    let call = Arc::new(call.clone());
    let start = Instant::now();
    let measure_from = start + warmup;
    let end = measure_from + window;
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let mut w = Worker {
                    ok: 0,
                    errors: 0,
                    latencies: Vec::with_capacity(1 << 16),
                };
                let mut sender = None;
                while Instant::now() < end {
                    let s = match &mut sender {
                        Some(s) => s,
                        None => match connect(call.addr).await {
                            Ok(s) => sender.insert(s),
                            Err(_) => {
                                w.errors += 1;
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        },
                    };
                    let t0 = Instant::now();
                    let result = send(s, &call).await;
                    let t1 = Instant::now();
                    let measured = t0 >= measure_from && t1 <= end;
                    match result {
                        Ok((status, _)) if status.is_success() => {
                            if measured {
                                w.ok += 1;
                                w.latencies.push((t1 - t0).as_nanos() as u64);
                            }
                        }
                        Ok(_) => w.errors += u64::from(measured),
                        Err(_) => {
                            w.errors += u64::from(measured);
                            sender = None;
                        }
                    }
                }
                w
            })
        })
        .collect();
    let mut sample = Sample {
        ok: 0,
        errors: 0,
        window,
        latencies: Vec::new(),
    };
    for worker in workers {
        let w = worker.await.expect("a load worker finished");
        sample.ok += w.ok;
        sample.errors += w.errors;
        sample.latencies.extend(w.latencies);
    }
    sample.latencies.sort_unstable();
    sample
}

/// Sends `call` on `conns` connections back to back until `until`, counting answers: (2xx, other).
pub async fn sustain(call: &Call, conns: usize, until: Instant) -> (u64, u64) {
    let call = Arc::new(call.clone());
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let call = call.clone();
            tokio::spawn(async move {
                let (mut ok, mut errors) = (0u64, 0u64);
                let mut sender = None;
                while Instant::now() < until {
                    let s = match &mut sender {
                        Some(s) => s,
                        None => match connect(call.addr).await {
                            Ok(s) => sender.insert(s),
                            Err(_) => {
                                errors += 1;
                                tokio::time::sleep(Duration::from_millis(10)).await;
                                continue;
                            }
                        },
                    };
                    match send(s, &call).await {
                        Ok((status, _)) if status.is_success() => ok += 1,
                        Ok(_) => errors += 1,
                        Err(_) => {
                            errors += 1;
                            sender = None;
                        }
                    }
                }
                (ok, errors)
            })
        })
        .collect();
    let mut total = (0, 0);
    for worker in workers {
        let (ok, errors) = worker.await.expect("a load worker finished");
        total.0 += ok;
        total.1 += errors;
    }
    total
}
