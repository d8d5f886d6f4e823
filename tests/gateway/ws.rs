//! The GraphQL-over-WebSocket protocol layer from outside, on raw sockets: every close code of
//! `graphql-transport-ws`, ping/pong and the server's keep-alives in both subprotocols, the init
//! timeout, the per-socket limit on running operations, and credentials in `connection_init`. (Tasks
//! followed end to end over both subprotocols are in `tasks`.)
//!
//! These gateways need no upstream: `viewer` answers from the credential and the `tasks` feed stays
//! open until completed, so each test starts a bare gateway with the WebSocket settings it pins.

use crate::helpers::{Bare, admin, bare, forged_token, fresh_database, token_for, token_valid_for};
use futures_util::{SinkExt, StreamExt};
use hostplane_schema::principal::Scope;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::{net::TcpStream, time::timeout};
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

const VIEWER: &str = "{ viewer { subject scopes } }";
/// A subscription that stays open (no task changes in these tests) until the client completes it.
const FEED: &str = "subscription { tasks { taskId } }";

async fn default_gateway() -> Bare {
    bare(|_| {}).await
}

// ---------------------------------------------------------------------------------------------
// A raw client

const TRANSPORT: &str = "graphql-transport-ws";
const LEGACY: &str = "graphql-ws";

/// What the server sent: a JSON message, or the end of the connection (with its close frame, if any).
#[derive(Debug)]
enum Incoming {
    Message(Value),
    Closed(Option<(u16, String)>),
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    async fn connect(gw: &Bare, protocol: &str) -> Client {
        Self::connect_with(gw, protocol, None)
            .await
            .expect("the WebSocket upgrade succeeds")
    }

    async fn connect_with(
        gw: &Bare,
        protocol: &str,
        authorization: Option<&str>,
    ) -> Result<Client, tungstenite::Error> {
        let mut request = format!("ws://{}/graphql/ws", gw.addr)
            .into_client_request()
            .expect("a valid WebSocket URL");
        let headers = request.headers_mut();
        headers.insert(
            SEC_WEBSOCKET_PROTOCOL,
            HeaderValue::from_str(protocol).expect("a valid header value"),
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
        assert_eq!(
            response
                .headers()
                .get(SEC_WEBSOCKET_PROTOCOL)
                .and_then(|v| v.to_str().ok()),
            Some(protocol),
            "the server accepts the offered subprotocol"
        );
        Ok(Client { ws })
    }

    async fn send_text(&mut self, text: &str) {
        timeout(WAIT, self.ws.send(Message::text(text.to_string())))
            .await
            .expect("the message is sent in time")
            .expect("the message is sent");
    }

    async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    /// The next JSON message or the close, keep-alives included.
    async fn recv_any(&mut self) -> Incoming {
        loop {
            let frame = timeout(WAIT, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("the server sent nothing for {WAIT:?}"));
            match frame {
                None
                | Some(Err(
                    tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed,
                )) => return Incoming::Closed(None),
                Some(Err(e)) => panic!("the WebSocket failed: {e}"),
                Some(Ok(Message::Text(text))) => {
                    return Incoming::Message(serde_json::from_str(text.as_str()).unwrap_or_else(
                        |e| panic!("the server sent non-JSON text ({e}): {text}"),
                    ));
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

    /// The next JSON message or the close; the server's keep-alives (`ping`, `ka`) are skipped.
    async fn recv(&mut self) -> Incoming {
        loop {
            match self.recv_any().await {
                Incoming::Message(m) if m["type"] == "ping" || m["type"] == "ka" => continue,
                other => return other,
            }
        }
    }

    async fn message(&mut self) -> Value {
        match self.recv().await {
            Incoming::Message(m) => m,
            Incoming::Closed(close) => panic!("closed instead of a message: {close:?}"),
        }
    }

    /// The close the server ends the connection with; any other message fails the test.
    async fn closed(&mut self) -> (u16, String) {
        match self.recv().await {
            Incoming::Closed(Some(close)) => close,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }

    async fn init(&mut self, payload: Value) {
        self.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        let ack = self.message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({"id": id, "type": "subscribe", "payload": {"query": query}}))
            .await;
    }

    /// The connection is open and in order: a `ping` is answered by its `pong`, with nothing before.
    async fn assert_alive(&mut self) {
        self.send(json!({"type": "ping", "payload": {"probe": true}}))
            .await;
        assert_eq!(
            self.message().await,
            json!({"type": "pong", "payload": {"probe": true}})
        );
    }
}

fn bearer(token: &str) -> Value {
    json!({"Authorization": format!("Bearer {token}")})
}

// ---------------------------------------------------------------------------------------------
// Close codes

/// A message that is not JSON, not an object, of an unknown type or malformed closes with 4400.
#[tokio::test]
async fn invalid_messages_close_with_4400() {
    let gw = default_gateway().await;
    let invalid = [
        "not json".to_string(),
        "[1]".to_string(),
        json!({"type": "shout"}).to_string(),
        json!({"type": "start", "id": "1", "payload": {"query": VIEWER}}).to_string(),
        json!({"type": "subscribe", "id": "1", "payload": {"query": 42}}).to_string(),
        json!({"type": "connection_init", "payload": "a string"}).to_string(),
    ];
    for text in &invalid {
        let mut ws = Client::connect(&gw, TRANSPORT).await;
        ws.init(bearer(&admin())).await;
        ws.send_text(text).await;
        let (code, reason) = ws.closed().await;
        assert_eq!(code, 4400, "{text} closes with 4400 ({reason})");
    }
    // Before the ack too.
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.send_text("{").await;
    assert_eq!(ws.closed().await.0, 4400);
}

/// Subscribing before `connection_ack` closes with 4401, in either subprotocol.
#[tokio::test]
async fn subscribe_before_ack_closes_with_4401() {
    let gw = default_gateway().await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.subscribe("1", VIEWER).await;
    assert_eq!(ws.closed().await, (4401, "Unauthorized".to_string()));

    let mut ws = Client::connect(&gw, LEGACY).await;
    ws.send(json!({"id": "1", "type": "start", "payload": {"query": VIEWER}}))
        .await;
    let error = ws.message().await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert_eq!(ws.closed().await.0, 4401);
}

/// A credential in `connection_init` that does not verify closes with 4403 and says why; so does one
/// that is not a string. The legacy protocol sends `connection_error` first.
#[tokio::test]
async fn bad_credentials_close_with_4403() {
    let gw = default_gateway().await;
    let forged = forged_token();
    for payload in [
        bearer(&forged),
        json!({"authorization": format!("Bearer {forged}")}),
        json!({"token": forged}),
        json!({"token": "not-a-jwt"}),
        json!({"token": 42}),
    ] {
        let mut ws = Client::connect(&gw, TRANSPORT).await;
        ws.send(json!({"type": "connection_init", "payload": payload}))
            .await;
        let (code, reason) = ws.closed().await;
        assert_eq!(code, 4403, "{payload} is refused ({reason})");
        assert!(reason.starts_with("Forbidden"), "{reason}");
    }
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.send(json!({"type": "connection_init", "payload": bearer(&forged)}))
        .await;
    let (_, reason) = ws.closed().await;
    assert!(
        reason.contains("signature"),
        "the reason says why: {reason}"
    );

    let mut ws = Client::connect(&gw, LEGACY).await;
    ws.send(json!({"type": "connection_init", "payload": {"token": forged}}))
        .await;
    let error = ws.message().await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert!(
        error["payload"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("signature"),
        "{error}"
    );
    assert_eq!(ws.closed().await.0, 4403);

    // A forged token on the upgrade request itself is refused before any WebSocket exists.
    match Client::connect_with(&gw, TRANSPORT, Some(&format!("Bearer {forged}"))).await {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 401),
        Err(e) => panic!("expected an HTTP 401 refusal, got {e}"),
        Ok(_) => panic!("a forged Authorization header must not be upgraded"),
    }
}

/// A second `subscribe` with the id of a running operation closes with 4409; an id whose operation
/// ended, or that the client completed, may be used again.
#[tokio::test]
async fn duplicate_ids_close_with_4409() {
    let gw = default_gateway().await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.init(bearer(&admin())).await;
    ws.subscribe("q", VIEWER).await;
    assert_eq!(ws.message().await["type"], "next");
    assert_eq!(ws.message().await, json!({"type": "complete", "id": "q"}));
    ws.subscribe("q", VIEWER).await;
    assert_eq!(ws.message().await["type"], "next");
    assert_eq!(ws.message().await, json!({"type": "complete", "id": "q"}));

    ws.subscribe("feed", FEED).await;
    ws.send(json!({"type": "complete", "id": "feed"})).await;
    ws.subscribe("feed", FEED).await;
    // No `complete` answers the client's own, and the reused id is running again.
    ws.assert_alive().await;
    ws.subscribe("feed", FEED).await;
    assert_eq!(
        ws.closed().await,
        (4409, "Subscriber for feed already exists".to_string())
    );
}

/// A second `connection_init` closes with 4429, acknowledged or not yet.
#[tokio::test]
async fn second_init_closes_with_4429() {
    let gw = default_gateway().await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.init(bearer(&admin())).await;
    ws.send(json!({"type": "connection_init"})).await;
    assert_eq!(
        ws.closed().await,
        (4429, "Too many initialisation requests".to_string())
    );

    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.send(json!({"type": "connection_init"})).await;
    ws.send(json!({"type": "connection_init"})).await;
    assert_eq!(ws.message().await["type"], "connection_ack");
    assert_eq!(ws.closed().await.0, 4429);
}

/// Without `connection_init` in time, graphql-transport-ws closes with 4408; the legacy protocol
/// says so in `connection_error` first.
#[tokio::test]
async fn init_timeout_closes_with_4408() {
    let gw = bare(|c| c.websocket.init_timeout_ms = 500).await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    assert_eq!(
        ws.closed().await,
        (4408, "Connection initialisation timeout".to_string())
    );

    let mut ws = Client::connect(&gw, LEGACY).await;
    let error = ws.message().await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert_eq!(ws.closed().await.0, 4408);

    // A connection initialised in time stays open past the timeout: had the server closed it, the
    // close would come instead of the pong.
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.init(json!({})).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    ws.assert_alive().await;
}

/// `connection_terminate` (legacy) ends the connection normally.
#[tokio::test]
async fn legacy_terminate_closes_normally() {
    let gw = default_gateway().await;
    let mut ws = Client::connect(&gw, LEGACY).await;
    ws.init(json!({})).await;
    ws.send(json!({"type": "connection_terminate"})).await;
    assert_eq!(ws.closed().await.0, 1000);
}

// ---------------------------------------------------------------------------------------------
// Keep-alive

/// A client's `ping` gets a `pong` with its payload, before and after the ack.
#[tokio::test]
async fn pings_are_answered() {
    let gw = default_gateway().await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.send(json!({"type": "ping"})).await;
    assert_eq!(ws.message().await, json!({"type": "pong"}));
    ws.init(json!({})).await;
    ws.assert_alive().await;
    // A `pong` needs no answer.
    ws.send(json!({"type": "pong"})).await;
    ws.assert_alive().await;
}

/// An idle acknowledged connection is pinged (`ping` in graphql-transport-ws, `ka` in the legacy
/// protocol) again and again, and stays open.
#[tokio::test]
async fn idle_connections_are_kept_alive() {
    let gw = bare(|c| c.websocket.keepalive_ms = 100).await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.init(json!({})).await;
    for _ in 0..3 {
        match ws.recv_any().await {
            Incoming::Message(m) => assert_eq!(m, json!({"type": "ping"})),
            other => panic!("expected a ping, got {other:?}"),
        }
        ws.send(json!({"type": "pong"})).await;
    }
    ws.subscribe("q", VIEWER).await;
    assert_eq!(ws.message().await["type"], "next");

    let mut ws = Client::connect(&gw, LEGACY).await;
    ws.send(json!({"type": "connection_init"})).await;
    match ws.recv_any().await {
        Incoming::Message(m) => assert_eq!(m["type"], "connection_ack"),
        other => panic!("expected the ack, got {other:?}"),
    }
    for _ in 0..3 {
        match ws.recv_any().await {
            Incoming::Message(m) => assert_eq!(m, json!({"type": "ka"})),
            other => panic!("expected a keep-alive, got {other:?}"),
        }
    }
}

/// A client that stops answering (it reads nothing, so its WebSocket layer sends no pong) is dropped
/// after two keep-alive intervals, in both subprotocols: reading afterwards finds the connection
/// ended instead of pings that would go on forever.
#[tokio::test]
async fn silent_clients_are_dropped() {
    let gw = bare(|c| c.websocket.keepalive_ms = 100).await;
    for protocol in [TRANSPORT, LEGACY] {
        let mut ws = Client::connect(&gw, protocol).await;
        ws.init(json!({})).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let ended = timeout(Duration::from_secs(3), async {
            loop {
                match ws.ws.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => continue,
                }
            }
        })
        .await;
        assert!(ended.is_ok(), "{protocol}: a silent client was kept");
    }
}

/// A client that keeps reading answers the WebSocket pings on its own and stays connected through
/// many intervals, the legacy one too, whose `ka` asks for no answer of its own.
#[tokio::test]
async fn answering_clients_stay_connected() {
    let gw = bare(|c| c.websocket.keepalive_ms = 100).await;
    for (protocol, start, result) in [(TRANSPORT, "subscribe", "next"), (LEGACY, "start", "data")] {
        let mut ws = Client::connect(&gw, protocol).await;
        ws.init(json!({})).await;
        let until = tokio::time::Instant::now() + Duration::from_millis(700);
        while tokio::time::Instant::now() < until {
            match ws.recv_any().await {
                Incoming::Message(m) => assert!(m["type"] == "ping" || m["type"] == "ka", "{m}"),
                Incoming::Closed(close) => panic!("{protocol}: closed while answering: {close:?}"),
            }
        }
        ws.send(json!({"id": "v", "type": start, "payload": {"query": VIEWER}}))
            .await;
        assert_eq!(ws.message().await["type"], result, "{protocol}");
    }
}

/// A stopping server closes its WebSockets with 1001 (the legacy protocol says why in a
/// `connection_error` first), ends their operations, and `serve` returns once they are gone.
#[tokio::test]
async fn stopping_closes_websockets_with_1001() {
    let gw = default_gateway().await;
    let mut modern = Client::connect(&gw, TRANSPORT).await;
    modern.init(json!({})).await;
    let mut legacy = Client::connect(&gw, LEGACY).await;
    legacy.init(json!({})).await;
    let Bare { stop, served, .. } = gw;
    drop(stop);
    assert_eq!(
        modern.closed().await,
        (1001, "the server is shutting down".to_string())
    );
    let error = legacy.message().await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert_eq!(legacy.closed().await.0, 1001);
    timeout(Duration::from_secs(5), served)
        .await
        .expect("the server stops")
        .expect("the server task ends")
        .expect("the server stops cleanly");
}

// ---------------------------------------------------------------------------------------------
// Limits and errors

/// At most `max_subscriptions_per_connection` operations run at once on one socket: the one over
/// gets an `error` with LIMIT_EXCEEDED, the others and the socket carry on, and a completed one
/// frees its place.
#[tokio::test]
async fn running_operations_are_limited_per_socket() {
    let gw = bare(|c| c.limits.max_subscriptions_per_connection = 2).await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.init(bearer(&admin())).await;
    ws.subscribe("a", FEED).await;
    ws.subscribe("b", FEED).await;
    ws.subscribe("c", FEED).await;
    let refused = ws.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "c", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{refused}"
    );
    ws.assert_alive().await;

    // Another socket has its own allowance.
    let mut other = Client::connect(&gw, TRANSPORT).await;
    other.init(bearer(&admin())).await;
    other.subscribe("q", VIEWER).await;
    assert_eq!(other.message().await["type"], "next");

    ws.send(json!({"type": "complete", "id": "a"})).await;
    ws.subscribe("c", VIEWER).await;
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "c");
    assert_eq!(ws.message().await, json!({"type": "complete", "id": "c"}));

    // The legacy protocol refuses with its own `error`, one error object.
    let mut legacy = Client::connect(&gw, LEGACY).await;
    legacy.init(bearer(&admin())).await;
    for id in ["1", "2", "3"] {
        legacy
            .send(json!({"id": id, "type": "start", "payload": {"query": FEED}}))
            .await;
    }
    let refused = legacy.message().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "3", "{refused}");
    assert_eq!(
        refused["payload"]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{refused}"
    );
}

/// A request that never runs (here, invalid) is an `error` message with coded GraphQL errors and no
/// `complete` in graphql-transport-ws; the legacy protocol sends it as `data`, then `complete`.
#[tokio::test]
async fn invalid_operations_are_error_messages() {
    let gw = default_gateway().await;
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.init(bearer(&admin())).await;
    ws.subscribe("bad", "subscription { noSuchField }").await;
    let error = ws.message().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "bad");
    assert_eq!(
        error["payload"][0]["extensions"]["code"], "VALIDATION",
        "{error}"
    );
    ws.assert_alive().await;

    let mut legacy = Client::connect(&gw, LEGACY).await;
    legacy.init(json!({})).await;
    legacy
        .send(json!({"id": "bad", "type": "start", "payload": {"query": "{ noSuchField }"}}))
        .await;
    let data = legacy.message().await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(
        data["payload"]["errors"][0]["extensions"]["code"],
        "VALIDATION"
    );
    assert_eq!(
        legacy.message().await,
        json!({"type": "complete", "id": "bad"})
    );
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// Who `viewer` is over a socket initialised with `payload` (and, optionally, an upgrade header).
async fn viewer_over(gw: &Bare, protocol: &str, header: Option<&str>, payload: Value) -> Value {
    let mut ws = Client::connect_with(gw, protocol, header)
        .await
        .expect("the WebSocket upgrade succeeds");
    ws.init(payload).await;
    let subscribe = if protocol == TRANSPORT {
        "subscribe"
    } else {
        "start"
    };
    ws.send(json!({"id": "v", "type": subscribe, "payload": {"query": VIEWER}}))
        .await;
    let result = ws.message().await;
    assert_eq!(ws.message().await["type"], "complete");
    result["payload"].clone()
}

/// The `connection_init` payload authenticates the socket under `Authorization`, `authorization` or
/// `token`, bearer or bare, in both subprotocols; without one, the upgrade's header counts, and
/// with neither, operations are unauthenticated.
#[tokio::test]
async fn connection_init_authenticates() {
    let gw = default_gateway().await;
    let alice = token_for("alice", &[Scope::Read], None);
    let bob = token_for("bob", &[Scope::Read], None);
    for (protocol, payload) in [
        (TRANSPORT, bearer(&alice)),
        (
            TRANSPORT,
            json!({"authorization": format!("Bearer {alice}")}),
        ),
        (TRANSPORT, json!({"token": alice})),
        (TRANSPORT, json!({"Authorization": alice})),
        (LEGACY, bearer(&alice)),
        (LEGACY, json!({"token": alice})),
    ] {
        let result = viewer_over(&gw, protocol, None, payload.clone()).await;
        assert_eq!(
            result["data"]["viewer"]["subject"], "alice",
            "{protocol} {payload}: {result}"
        );
    }
    // The payload's credential wins over the upgrade's; the upgrade's serves when the payload has none.
    let header = format!("Bearer {bob}");
    let result = viewer_over(&gw, TRANSPORT, Some(&header), bearer(&alice)).await;
    assert_eq!(result["data"]["viewer"]["subject"], "alice", "{result}");
    let result = viewer_over(&gw, TRANSPORT, Some(&header), json!({})).await;
    assert_eq!(result["data"]["viewer"]["subject"], "bob", "{result}");
    // `connection_init` without a payload at all.
    let mut ws = Client::connect(&gw, TRANSPORT).await;
    ws.send(json!({"type": "connection_init"})).await;
    assert_eq!(ws.message().await["type"], "connection_ack");
    ws.subscribe("v", VIEWER).await;
    let result = ws.message().await;
    assert_eq!(
        result["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{result}"
    );
    assert_eq!(ws.message().await, json!({"type": "complete", "id": "v"}));
}

// ---------------------------------------------------------------------------------------------
// Credentials that end

/// The longest a credential's end may take to close its streams here: the watcher reads the keys
/// every half second (and at once after a change made through the same gateway); the rest is room
/// for a shared machine, while a stream that is never ended still fails.
const ENDS_WITHIN: Duration = Duration::from_secs(2);

/// Runs a GraphQL operation over HTTP as an admin; it must succeed.
async fn as_admin(gw: &Bare, query: &str, variables: Value) -> Value {
    let body: Value = reqwest::Client::new()
        .post(format!("http://{}/graphql", gw.addr))
        .bearer_auth(admin())
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("the gateway answers")
        .json()
        .await
        .expect("a JSON answer");
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

/// A new API key with `scopes`: its ID and the key.
async fn api_key(gw: &Bare, scopes: &[&str]) -> (String, String) {
    let created = as_admin(
        gw,
        "mutation($scopes: [String!]!) { createApiKey(input: {name: \"feed\", scopes: $scopes}) { id key } }",
        json!({"scopes": scopes}),
    )
    .await;
    let field = |f: &str| created["createApiKey"][f].as_str().expect(f).to_string();
    (field("id"), field("key"))
}

/// A socket authenticated with `key` and following the task feed, in either subprotocol.
async fn following(gw: &Bare, protocol: &str, key: &str) -> Client {
    let mut ws = Client::connect(gw, protocol).await;
    ws.init(bearer(key)).await;
    let start = if protocol == TRANSPORT {
        "subscribe"
    } else {
        "start"
    };
    ws.send(json!({"id": "feed", "type": start, "payload": {"query": FEED}}))
        .await;
    ws
}

/// The close that ends `ws`, which must come within `ENDS_WITHIN` of `since`.
async fn closed_since(ws: &mut Client, since: tokio::time::Instant) -> (u16, String) {
    let close = ws.closed().await;
    assert!(
        since.elapsed() < ENDS_WITHIN,
        "closed {:?} after the credential ended",
        since.elapsed()
    );
    close
}

/// Revoking a key closes the sockets it opened with 4403, in both subprotocols (the legacy one
/// says why in a `connection_error` first), and the key opens no new one.
#[tokio::test]
async fn a_revoked_key_closes_its_websockets_with_4403() {
    let gw = default_gateway().await;
    let (id, key) = api_key(&gw, &["read"]).await;
    let (_, other) = api_key(&gw, &["read"]).await;
    let mut modern = following(&gw, TRANSPORT, &key).await;
    let mut legacy = following(&gw, LEGACY, &key).await;
    let mut bystander = following(&gw, TRANSPORT, &other).await;
    modern.assert_alive().await;

    let revoked = tokio::time::Instant::now();
    let answer = as_admin(
        &gw,
        "mutation($id: String!) { revokeApiKey(id: $id) }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(answer["revokeApiKey"], true);
    let (code, reason) = closed_since(&mut modern, revoked).await;
    assert_eq!(code, 4403);
    assert!(reason.contains("revoked"), "{reason}");
    let error = legacy.message().await;
    assert_eq!(error["type"], "connection_error", "{error}");
    assert_eq!(closed_since(&mut legacy, revoked).await.0, 4403);

    // Another key's socket carries on; the revoked key opens nothing.
    bystander.assert_alive().await;
    let mut again = Client::connect(&gw, TRANSPORT).await;
    again
        .send(json!({"type": "connection_init", "payload": bearer(&key)}))
        .await;
    assert_eq!(again.closed().await.0, 4403);
}

/// A key revoked through another gateway on the same database (a replica) closes this one's
/// sockets too: the watcher reads the keys of open streams, not only its own process's changes.
#[tokio::test]
async fn a_key_revoked_on_a_replica_closes_the_sockets_here() {
    let database = fresh_database().await;
    let here = bare(|c| c.database_url = database.url.clone()).await;
    let replica = bare(|c| c.database_url = database.url.clone()).await;
    let (id, key) = api_key(&here, &["read"]).await;
    let mut ws = following(&here, TRANSPORT, &key).await;
    ws.assert_alive().await;
    let revoked = tokio::time::Instant::now();
    as_admin(
        &replica,
        "mutation($id: String!) { revokeApiKey(id: $id) }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(closed_since(&mut ws, revoked).await.0, 4403);
}

/// Narrowing a key's grant closes the sockets opened under the old one (4403, saying so); a new
/// socket has the new grant. A change that leaves the grant as it was closes nothing.
#[tokio::test]
async fn a_narrowed_key_closes_its_websockets() {
    let gw = default_gateway().await;
    let (id, key) = api_key(&gw, &["read", "write"]).await;
    let mut ws = following(&gw, TRANSPORT, &key).await;
    let update = "mutation($id: String!, $scopes: [String!]) {
        updateApiKey(input: {id: $id, scopes: $scopes}) }";
    as_admin(&gw, update, json!({"id": id, "scopes": ["read", "write"]})).await;
    tokio::time::sleep(ENDS_WITHIN).await;
    ws.assert_alive().await;

    let narrowed = tokio::time::Instant::now();
    let answer = as_admin(&gw, update, json!({"id": id, "scopes": ["read"]})).await;
    assert_eq!(answer["updateApiKey"], true);
    let (code, reason) = closed_since(&mut ws, narrowed).await;
    assert_eq!(code, 4403);
    assert!(reason.contains("changed"), "{reason}");
    let viewer = viewer_over(&gw, TRANSPORT, None, bearer(&key)).await;
    assert_eq!(
        viewer["data"]["viewer"]["scopes"],
        json!(["read"]),
        "{viewer}"
    );
}

/// A token's socket closes with 4401 once the token expires, as verification judges it (`exp`
/// plus its 30 s leeway for clock skew).
#[tokio::test]
async fn an_expired_token_closes_its_websocket_with_4401() {
    let gw = default_gateway().await;
    let now = chrono::Utc::now().timestamp();
    let token = token_valid_for("brief", 2);
    let mut ws = following(&gw, TRANSPORT, &token).await;
    ws.assert_alive().await;
    let (code, reason) = ws.closed().await;
    assert_eq!(code, 4401);
    assert!(reason.contains("expired"), "{reason}");
    let after = chrono::Utc::now().timestamp();
    assert!(
        after >= now + 2,
        "it held until it expired, not before ({} s)",
        after - now
    );
}

/// A WebSocket following a quiet feed is not an idle connection: it outlives the server's idle and
/// header timeouts many times over (keep-alives are its own, every 15 s by default).
#[tokio::test]
async fn a_quiet_websocket_outlives_the_idle_timeout() {
    let gw = bare(|c| {
        c.server.idle_timeout_ms = 200;
        c.server.header_read_timeout_ms = 100;
    })
    .await;
    let mut ws = following(&gw, TRANSPORT, &admin()).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    ws.assert_alive().await;
}

/// A client's close is answered with a close frame echoing its code, in both subprotocols, so the
/// client sees a clean close rather than a dropped connection (1006).
#[tokio::test]
async fn client_closes_are_answered() {
    let gw = default_gateway().await;
    for protocol in [TRANSPORT, LEGACY] {
        let mut ws = following(&gw, protocol, &admin()).await;
        timeout(
            WAIT,
            ws.ws
                .send(Message::Close(Some(tungstenite::protocol::CloseFrame {
                    code: tungstenite::protocol::frame::coding::CloseCode::Normal,
                    reason: "bye".into(),
                }))),
        )
        .await
        .expect("sent in time")
        .expect("the close is sent");
        assert_eq!(ws.closed().await.0, 1000, "{protocol}");
    }
}
