//! The accept loop, with what a gateway that runs for months needs of it: each connection is served
//! by hyper's HTTP/1.1 (upgrades included) and let go when it does nothing. A client gets
//! `header_read_timeout` to send a request's headers once it has started them (the watchdog looks
//! once per header timeout, so a slow client goes after one to two of them), and a connection
//! with no request in flight is closed after `idle_timeout`; a response still streaming (an event
//! stream) is in flight, and a WebSocket, once upgraded, is no longer this loop's (it keeps its
//! own pings) but still counts against `max_connections`. Past it, new connections are closed at
//! once, with one log line each time the limit is reached. On stop, the loop accepts nothing more, lets each connection finish
//! the request it is serving, and waits for them within `drain_timeout`.

use super::Closing;
use axum::{
    Router,
    body::{Body, HttpBody},
    response::Response,
};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::{
    future::Future,
    io,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore},
    time::{Instant, sleep_until},
};
use tower::ServiceExt as _;

/// Limits of the accept loop (the `[server]` configuration).
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// How long a client may take over a request's headers, from their first byte.
    pub header_read_timeout: Duration,
    /// How long a connection with no request in flight is kept.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// How long a stop waits for requests in flight.
    pub drain_timeout: Duration,
}

/// Accepts and serves connections until `stop` resolves, then drains them.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    closing: Closing,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    let limits = Arc::new(limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let saturated = AtomicBool::new(false);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, _) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, most likely: wait rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if !saturated.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "refusing new connections: server.max_connections are open"
                );
            }
            drop(stream);
            continue;
        };
        if saturated.swap(false, Ordering::Relaxed) {
            tracing::info!("accepting connections again");
        }
        let router = router.clone();
        let limits = limits.clone();
        // Held for the connection's life: the stop waits for every holder.
        let mut stopping = closing.watch();
        tokio::spawn(async move {
            serve_one(stream, slot, router, &limits, &mut stopping).await;
        });
    }
    // New connections are refused from now on, not left waiting in the backlog.
    drop(listener);
    closing.begin();
    closing.drained(limits.drain_timeout).await;
    Ok(())
}

/// Serves one connection until it ends, idles out, or the server stops.
async fn serve_one(
    stream: TcpStream,
    slot: OwnedSemaphorePermit,
    router: Router,
    limits: &ConnectionLimits,
    stopping: &mut tokio::sync::watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        io: stream,
        activity: activity.clone(),
        _slot: slot,
    });
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let guard = activity.begin();
            let response = router.clone().oneshot(request.map(Body::new));
            async move {
                let response: Response = response.await.expect("a router never fails");
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    Body::new(Guarded {
                        body,
                        _guard: guard,
                    })
                }))
            }
        })
    };
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The watchdog below keeps time; hyper's own header timer would also fire on idle connections.
    builder.timer(TokioTimer::new()).header_read_timeout(None);
    let connection = builder.serve_connection(io, service).with_upgrades();
    let mut connection = std::pin::pin!(connection);
    loop {
        let deadline = activity.deadline(limits);
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return;
            }
            () = sleep_until(deadline) => {
                // Checked again: a request may have begun since the deadline was read.
                if activity.deadline(limits) <= Instant::now() {
                    tracing::debug!("closing a connection that did nothing in time");
                    return;
                }
            }
            true = async { stopping.wait_for(|s| *s).await.is_ok() } => {
                // Finish the request in flight, if any, then close.
                connection.as_mut().graceful_shutdown();
                let _ = connection.as_mut().await;
                return;
            }
        }
    }
}

/// What a connection is doing, as the watchdog sees it: requests in flight, and when the current
/// wait (for headers, or for anything at all) began. Times are milliseconds since `start`, plus
/// one, so that 0 means none. Requests only write these; the watchdog reads them when it wakes,
/// at least once every header timeout, so a request costs it no wake-up.
struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    /// When the first byte of a request not yet begun arrived.
    head_since: AtomicU64,
    /// When the connection last had no request in flight.
    idle_since: AtomicU64,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            in_flight: AtomicUsize::new(0),
            head_since: AtomicU64::new(0),
            idle_since: AtomicU64::new(1),
        }
    }

    fn now(&self) -> u64 {
        self.start.elapsed().as_millis() as u64 + 1
    }

    fn instant(&self, at: u64) -> Instant {
        self.start + Duration::from_millis(at - 1)
    }

    /// Bytes arrived: the first of a new request starts its header clock.
    fn read(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.head_since.load(Ordering::Acquire) == 0
        {
            let _ = self.head_since.compare_exchange(
                0,
                self.now(),
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    /// A request's headers are in: it is in flight until its response is sent or dropped.
    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_since.store(0, Ordering::Release);
        InFlight(self.clone())
    }

    /// When to look again: the moment the connection is to be closed if nothing changes, or one
    /// header timeout from now while that moment is not known (a request in flight, or headers
    /// that may start arriving).
    fn deadline(&self, limits: &ConnectionLimits) -> Instant {
        let look_again = Instant::now() + limits.header_read_timeout;
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return look_again;
        }
        match self.head_since.load(Ordering::Acquire) {
            0 => {
                let idle_since = self.instant(self.idle_since.load(Ordering::Acquire));
                (idle_since + limits.idle_timeout).min(look_again)
            }
            since => self.instant(since) + limits.header_read_timeout,
        }
    }
}

/// A request in flight, until its response body is done with.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.0;
        activity.idle_since.store(activity.now(), Ordering::Release);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request in flight until it is sent or dropped.
struct Guarded {
    body: Body,
    _guard: InFlight,
}

impl HttpBody for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// The socket, telling the watchdog when bytes arrive. It holds the connection's slot, so an
/// upgraded WebSocket, which takes the socket over, still counts against `max_connections`.
struct Watched {
    io: TcpStream,
    activity: Arc<Activity>,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
