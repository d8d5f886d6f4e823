//! One WebSocket connection: a single loop reads the client's messages, forwards the results of its
//! operations, keeps the connection alive and enforces the init timeout. Operations run as streams
//! polled by that same loop, so a slow reader slows its own operations down instead of buffering
//! their results without bound; a shared `taskUpdated` (see `shared`) is not slowed for one member,
//! whose backlog is bounded and skips to the latest state instead.

use super::protocol::{ClientMessage, Close, Protocol, parse, server};
use crate::http::{
    AppState,
    graphql::coded_error,
    lease::{self, Grant, Lease},
    shared::{self, Rendered},
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{
    FutureExt, StreamExt,
    stream::{self, AbortHandle, BoxStream, SelectAll},
};
use hostplane_resolvers::{Origin, call::PassThrough};
use hostplane_schema::{ErrorCode, principal::Caller};
use serde_json::{Map, Value};
use std::{collections::HashMap, sync::Arc, time::Duration};
use tokio::time::{Instant, sleep_until, timeout};

/// How long a closing connection waits for the client's own close frame, so the close frame is not
/// lost to a reset of a socket that still has unread data.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// What the upgrade request established: who the upgrade's own `Authorization` header named, and
/// the origin.
pub struct Upgrade {
    pub protocol: Protocol,
    pub header_grant: Option<Grant>,
    pub origin: Origin,
    /// The upgrade request's `X-Orchestrix-Authorization`, if any.
    pub passthrough: Option<PassThrough>,
}

/// Why the loop stopped.
enum End {
    /// The server closes with this code.
    Close(Close),
    /// The client closed: its close frame is answered, which completes the handshake.
    ClosedByClient,
    /// The socket failed or went silent: there is nobody to tell.
    Gone,
}

/// What an operation's stream yields, tagged with the operation it belongs to.
enum Event {
    Result(Key, Arc<Rendered>),
    Done(Key),
}

/// An operation id and the generation of the operation that used it: a client may reuse an id once
/// the operation ended, and events of the earlier one still in flight must not reach the new one.
#[derive(Clone, PartialEq, Eq)]
struct Key {
    id: String,
    generation: u64,
}

struct Running {
    generation: u64,
    abort: AbortHandle,
}

struct Session {
    socket: WebSocket,
    state: AppState,
    upgrade: Upgrade,
    /// The caller, once the connection is acknowledged.
    caller: Option<Caller>,
    /// The caller's hold on its credential: the connection closes when it ends.
    lease: Option<Lease>,
    init_received: bool,
    init_deadline: Option<Instant>,
    /// When to send the next keep-alive; `None` until acknowledged or with keep-alives off.
    next_keepalive: Option<Instant>,
    /// When the client last sent anything, a WebSocket pong included.
    last_heard: Instant,
    /// When to ping the client next (see `probe`); `None` with keep-alives off.
    next_probe: Option<Instant>,
    running: HashMap<String, Running>,
    streams: SelectAll<BoxStream<'static, Event>>,
    generation: u64,
    /// Whether the server is stopping; the server waits for sessions until they drop this.
    closing: tokio::sync::watch::Receiver<bool>,
}

pub async fn run(socket: WebSocket, state: AppState, upgrade: Upgrade) {
    let init_timeout = state.limits.init_timeout;
    let keepalive = state.limits.keepalive;
    let closing = state.closing.watch();
    let mut session = Session {
        socket,
        state,
        upgrade,
        caller: None,
        lease: None,
        init_received: false,
        // A zero duration switches the limit off rather than closing every connection at once.
        init_deadline: (!init_timeout.is_zero()).then(|| Instant::now() + init_timeout),
        next_keepalive: None,
        last_heard: Instant::now(),
        next_probe: (!keepalive.is_zero()).then(|| Instant::now() + keepalive),
        running: HashMap::new(),
        streams: SelectAll::new(),
        generation: 0,
        closing,
    };
    let end = session.serve().await;
    session.finish(end).await;
}

/// Sleeps until `deadline`, or forever without one.
async fn at(deadline: Option<Instant>) {
    match deadline {
        Some(d) => sleep_until(d).await,
        None => std::future::pending().await,
    }
}

impl Session {
    fn protocol(&self) -> Protocol {
        self.upgrade.protocol
    }

    async fn serve(&mut self) -> End {
        loop {
            let step = tokio::select! {
                frame = self.socket.recv() => {
                    self.last_heard = Instant::now();
                    match frame {
                        Some(Ok(Message::Text(text))) => self.on_text(text.as_str()).await,
                        // The reference server reads binary frames as text too.
                        Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                            Ok(text) => self.on_text(text).await,
                            Err(_) => Err(End::Close(Close::bad_request("not UTF-8"))),
                        },
                        // WebSocket-level pings are answered by the WebSocket layer itself.
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                        Some(Ok(Message::Close(_))) => Err(End::ClosedByClient),
                        None => Err(End::Gone),
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "WebSocket read failed");
                            Err(End::Gone)
                        }
                    }
                }
                Some(event) = self.streams.next(), if !self.streams.is_empty() => {
                    self.on_event(event).await
                }
                () = at(self.init_deadline), if !self.init_received => {
                    Err(End::Close(Close::init_timeout()))
                }
                () = at(self.next_keepalive) => {
                    self.send(server::keepalive(self.protocol())).await
                }
                () = at(self.next_probe) => self.probe().await,
                ending = lease::ended(&mut self.lease) => Err(End::Close(Close::ended(ending))),
                true = self.closing.wait_for(|stopping| *stopping).map(|r| r.is_ok()) => {
                    Err(End::Close(Close::going_away()))
                }
            };
            if let Err(end) = step {
                return end;
            }
        }
    }

    /// Sends one message; every message sent postpones the next keep-alive, which only idle
    /// connections need.
    async fn send(&mut self, message: Value) -> Result<(), End> {
        self.send_text(message.to_string()).await
    }

    async fn send_text(&mut self, message: String) -> Result<(), End> {
        self.send_frame(Message::text(message)).await?;
        if self.next_keepalive.is_some() {
            self.schedule_keepalive();
        }
        Ok(())
    }

    /// One frame to the client, within two keep-alive intervals: a client that reads nothing for
    /// that long (its buffers full) is as gone as one that answers no ping, and must not hold its
    /// session, and the operations it runs, in a write that never ends.
    async fn send_frame(&mut self, frame: Message) -> Result<(), End> {
        let every = self.state.limits.keepalive;
        let sent = if every.is_zero() {
            self.socket.send(frame).await
        } else {
            timeout(every * 2, self.socket.send(frame))
                .await
                .map_err(|_| End::Gone)?
        };
        sent.map_err(|_| End::Gone)
    }

    /// Every keep-alive interval, busy or idle, the client is pinged at the WebSocket level, which
    /// every client's WebSocket layer answers (the legacy protocol's `ka` asks for no answer). A
    /// client that has sent nothing for two intervals, a vanished or stalled peer, is dropped with
    /// its operations rather than kept until TCP gives up on it.
    async fn probe(&mut self) -> Result<(), End> {
        let every = self.state.limits.keepalive;
        if self.last_heard.elapsed() >= every * 2 {
            tracing::debug!("dropping a GraphQL WebSocket whose client stopped answering pings");
            return Err(End::Gone);
        }
        self.next_probe = Some(Instant::now() + every);
        self.send_frame(Message::Ping(Default::default())).await
    }

    fn schedule_keepalive(&mut self) {
        let every = self.state.limits.keepalive;
        self.next_keepalive = (!every.is_zero()).then(|| Instant::now() + every);
    }

    async fn on_text(&mut self, text: &str) -> Result<(), End> {
        let message =
            parse(self.protocol(), text).map_err(|why| End::Close(Close::bad_request(why)))?;
        match message {
            ClientMessage::Init(payload) => self.on_init(payload).await,
            ClientMessage::Ping(payload) => self.send(server::pong(payload)).await,
            ClientMessage::Pong => Ok(()),
            ClientMessage::Subscribe { id, request } => self.on_subscribe(id, *request).await,
            ClientMessage::Complete { id } => {
                // The client stops listening: nothing more is sent for it, `complete` included.
                if let Some(running) = self.running.remove(&id) {
                    running.abort.abort();
                }
                Ok(())
            }
            ClientMessage::Terminate => Err(End::Close(Close::new(Close::NORMAL, ""))),
        }
    }

    async fn on_init(&mut self, payload: Option<Map<String, Value>>) -> Result<(), End> {
        if self.init_received {
            return Err(End::Close(Close::too_many_inits()));
        }
        self.init_received = true;
        let grant = authenticate(&self.state, &self.upgrade.header_grant, payload.as_ref())
            .await
            .map_err(|why| End::Close(Close::forbidden(why)))?;
        self.lease = grant.as_ref().map(|g| self.state.lease(g));
        self.caller = Some(Caller(grant.map(|g| g.principal)));
        // Browsers cannot set headers on an upgrade: the payload may carry the caller's own
        // Orchestrix credential too, as `X-Orchestrix-Authorization` does over HTTP.
        if let Some(passthrough) = payload.as_ref().and_then(orchestrix_credential) {
            self.upgrade.passthrough = Some(passthrough);
        }
        self.send(server::ack()).await?;
        self.schedule_keepalive();
        // subscriptions-transport-ws servers send the first `ka` right after the ack; its client
        // starts its own keep-alive timeout only once it has seen one.
        if self.protocol() == Protocol::LegacyWs && self.next_keepalive.is_some() {
            self.send(server::keepalive(Protocol::LegacyWs)).await?;
        }
        Ok(())
    }

    async fn on_subscribe(
        &mut self,
        id: String,
        request: async_graphql::Request,
    ) -> Result<(), End> {
        let Some(caller) = self.caller.clone() else {
            return Err(End::Close(Close::unauthorized()));
        };
        if self.running.contains_key(&id) {
            return Err(End::Close(Close::subscriber_exists(&id)));
        }
        let max = self.state.limits.max_subscriptions_per_connection;
        if self.running.len() >= max {
            // Refuse this operation alone: the ones already running, and the socket, carry on.
            let message = format!(
                "a WebSocket may run at most {max} operations at once; complete one before starting another"
            );
            let error = coded_error(&message, ErrorCode::LimitExceeded.as_str());
            return self
                .send(server::error(self.protocol(), &id, vec![error]))
                .await;
        }
        self.generation += 1;
        let key = Key {
            id: id.clone(),
            generation: self.generation,
        };
        let results = shared::results(
            &self.state,
            request,
            caller,
            &self.upgrade.origin,
            self.upgrade.passthrough.as_ref(),
        );
        let (results, abort) = stream::abortable(results);
        let done = key.clone();
        let events = results
            .map(move |r| Event::Result(key.clone(), r))
            .chain(stream::once(async move { Event::Done(done) }));
        self.streams.push(events.boxed());
        self.running.insert(
            id,
            Running {
                generation: self.generation,
                abort,
            },
        );
        Ok(())
    }

    async fn on_event(&mut self, event: Event) -> Result<(), End> {
        let key = match &event {
            Event::Result(key, _) | Event::Done(key) => key,
        };
        // Events of an operation the client completed, or of an earlier one under the same id.
        if self
            .running
            .get(&key.id)
            .is_none_or(|r| r.generation != key.generation)
        {
            return Ok(());
        }
        match event {
            Event::Result(key, rendered) => {
                if self.protocol() == Protocol::TransportWs
                    && let Some(errors) = &rendered.refused
                {
                    // graphql-transport-ws reports a request that never ran (parse, validation,
                    // limits) as `error`, which ends the operation without `complete`.
                    if let Some(running) = self.running.remove(&key.id) {
                        running.abort.abort();
                    }
                    return self
                        .send_text(server::error_rendered(&key.id, errors))
                        .await;
                }
                self.send_text(server::next_rendered(
                    self.protocol(),
                    &key.id,
                    &rendered.payload,
                ))
                .await
            }
            Event::Done(key) => {
                self.running.remove(&key.id);
                self.send(server::complete(&key.id)).await
            }
        }
    }

    /// Stops every operation, tells the client why (when there is a reason to give and someone to
    /// give it to) and waits, within a bound, for the close handshake to finish.
    async fn finish(mut self, end: End) {
        for (_, running) in self.running.drain() {
            running.abort.abort();
        }
        drop(std::mem::take(&mut self.streams));
        let close = match end {
            End::Close(close) => close,
            // The WebSocket layer queued the answering close frame when it read the client's;
            // flushing sends it (a client that never sees it reports an unclean close, 1006).
            End::ClosedByClient => {
                let _ = timeout(CLOSE_GRACE, futures_util::SinkExt::flush(&mut self.socket)).await;
                return;
            }
            End::Gone => return,
        };
        tracing::debug!(code = close.code, reason = %close.reason, "closing a GraphQL WebSocket");
        // The legacy protocol has no close codes of its own: its clients learn why from a
        // `connection_error` first.
        if self.protocol() == Protocol::LegacyWs && close.code != Close::NORMAL {
            let _ = self.send(server::connection_error(&close.reason)).await;
        }
        let frame = CloseFrame {
            code: close.code,
            reason: close.reason.into(),
        };
        if !matches!(
            timeout(CLOSE_GRACE, self.socket.send(Message::Close(Some(frame)))).await,
            Ok(Ok(()))
        ) {
            return;
        }
        let _ = timeout(CLOSE_GRACE, async {
            while let Some(Ok(message)) = self.socket.recv().await {
                if matches!(message, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}

/// The credential a `connection_init` payload names under `Authorization`, `authorization` or
/// `token` (a bearer value or the bare credential), or else the upgrade request's own.
async fn authenticate(
    state: &AppState,
    header_grant: &Option<Grant>,
    payload: Option<&Map<String, Value>>,
) -> Result<Option<Grant>, String> {
    let presented = payload.and_then(|p| {
        ["Authorization", "authorization", "token"]
            .iter()
            .find_map(|k| p.get(*k))
    });
    let credential = match presented {
        None | Some(Value::Null) => return Ok(header_grant.clone()),
        Some(Value::String(v)) => crate::auth::bearer(v).unwrap_or(v),
        Some(_) => return Err("the credential must be a string".into()),
    };
    state
        .grant_credential(credential)
        .await
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The caller's own Orchestrix credential from a `connection_init` payload, under the header's name
/// in either case.
fn orchestrix_credential(payload: &Map<String, Value>) -> Option<PassThrough> {
    let value = [
        "X-Orchestrix-Authorization",
        crate::http::ORCHESTRIX_AUTHORIZATION,
    ]
    .iter()
    .find_map(|k| payload.get(*k)?.as_str())?
    .trim();
    (!value.is_empty()).then(|| PassThrough {
        provider: hostplane_adapters::Provider::Orchestrix,
        authorization: Some(secrecy::SecretString::from(value.to_string())),
    })
}
