//! Connections the gateway lets go, on raw sockets: one that never finishes its headers, one kept
//! alive with nothing to do, and one past the cap; an event stream is not idle however quiet it is
//! (a quiet WebSocket is in `ws`); a stop drains the requests in flight.

use crate::helpers::{Bare, admin, bare, spawn};
use axum::{Json, Router};
use hostplane::config::Config;
use hostplane_simulators::SimServer;
use serde_json::json;
use std::time::Duration;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::{Instant, timeout},
};

/// The longest any wait may take before the test fails instead of hanging.
const WAIT: Duration = Duration::from_secs(10);

const HEADERS: Duration = Duration::from_millis(300);
const IDLE: Duration = Duration::from_millis(900);

fn short(c: &mut Config) {
    c.server.header_read_timeout_ms = HEADERS.as_millis() as u64;
    c.server.idle_timeout_ms = IDLE.as_millis() as u64;
}

async fn connect(gw: &Bare) -> TcpStream {
    TcpStream::connect(gw.addr).await.expect("connect")
}

/// Reads until the gateway closes the socket, or (with `until_ok`) has answered `/healthz`: what it
/// sent, and when it stopped.
async fn read(socket: &mut TcpStream, until_ok: bool) -> (String, Instant) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match timeout(WAIT, socket.read(&mut buf))
            .await
            .expect("the gateway answers or closes in time")
        {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                if until_ok && seen.ends_with(b"\r\n\r\nok") {
                    break;
                }
            }
        }
    }
    (String::from_utf8_lossy(&seen).into(), Instant::now())
}

async fn until_closed(socket: &mut TcpStream) -> (String, Instant) {
    read(socket, false).await
}

/// One whole `/healthz` answer.
async fn answer(socket: &mut TcpStream) {
    let (said, _) = read(socket, true).await;
    assert!(said.ends_with("ok"), "closed before answering: {said}");
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n";

/// A client that sends half its headers is closed once the header timeout passes, unanswered; a
/// keep-alive connection with nothing to do outlives that timeout and is closed once idle for the
/// idle timeout.
#[tokio::test]
async fn connections_that_do_nothing_are_let_go() {
    let gw = bare(short).await;
    let mut slow = connect(&gw).await;
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: gw\r\n")
        .await
        .expect("write");
    let (said, closed) = until_closed(&mut slow).await;
    assert!(!said.contains("ok"), "{said}");
    assert!(
        closed - started >= HEADERS,
        "closed after {:?}",
        closed - started
    );

    let mut idle = connect(&gw).await;
    idle.write_all(HEALTHZ).await.expect("write");
    answer(&mut idle).await;
    let answered = Instant::now();
    // Still open past the header timeout: idleness is timed on its own.
    tokio::time::sleep(HEADERS * 2).await;
    // Timed from before the request: the gateway's idle clock starts when its answer is written,
    // which is after this and may be before the client has read it.
    let asked_again = Instant::now();
    idle.write_all(HEALTHZ).await.expect("write");
    answer(&mut idle).await;
    assert!(asked_again - answered >= HEADERS * 2);
    let (_, closed) = until_closed(&mut idle).await;
    assert!(
        closed - asked_again >= IDLE,
        "closed after {:?}",
        closed - asked_again
    );
}

/// An event stream sends nothing but keep-alive comments, and is still open long after the idle
/// timeout: a response in flight is never idle.
#[tokio::test]
async fn a_quiet_event_stream_stays_open() {
    let gw = bare(|c| {
        short(c);
        c.websocket.keepalive_ms = 200;
    })
    .await;
    let mut stream = connect(&gw).await;
    let body = r#"{"query": "subscription { tasks { taskId } }"}"#;
    let request = format!(
        "POST /graphql/stream HTTP/1.1\r\nhost: gw\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\naccept: text/event-stream\r\ncontent-length: {}\r\n\r\n{body}",
        admin(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let opened = Instant::now();
    let mut buf = [0u8; 4096];
    let mut seen = String::new();
    while opened.elapsed() < IDLE * 3 {
        let n = timeout(WAIT, stream.read(&mut buf))
            .await
            .expect("keep-alive comments arrive")
            .expect("read");
        assert!(
            n > 0,
            "the stream was closed after {:?}: {seen}",
            opened.elapsed()
        );
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");
}

/// Past `max_connections`, a new connection is closed unanswered; once one closes, another is
/// served.
#[tokio::test]
async fn connections_past_the_cap_are_closed() {
    let gw = bare(|c| c.server.max_connections = 2).await;
    let mut first = connect(&gw).await;
    let mut second = connect(&gw).await;
    for socket in [&mut first, &mut second] {
        socket.write_all(HEALTHZ).await.expect("write");
        answer(socket).await;
    }
    let mut third = connect(&gw).await;
    let _ = third.write_all(HEALTHZ).await;
    let (said, _) = until_closed(&mut third).await;
    assert_eq!(said, "", "the third connection is not served");

    drop(first);
    let served = async {
        loop {
            let mut next = connect(&gw).await;
            let _ = next.write_all(HEALTHZ).await;
            let (said, _) = read(&mut next, true).await;
            if said.ends_with("ok") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    timeout(WAIT, served)
        .await
        .expect("a connection is served once one closed");
}

/// A stop lets the request in flight finish: a query waiting on a slow upstream is answered after
/// the stop began, and new connections are refused from then on.
#[tokio::test]
async fn a_stop_drains_requests_in_flight() {
    let gw = spawn().await;
    let slow = SimServer::loopback(Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        Json(json!({"data": []}))
    }))
    .await
    .expect("a slow upstream");
    gw.data(
        "mutation($i: CreateConnectionInput!) { createConnection(input: $i) { name } }",
        json!({"i": {"name": "orch-slow", "provider": "ORCHESTRIX", "baseUrl": slow.base_url(),
            "credentials": {"token": "t"}}}),
    )
    .await;
    let asked = gw
        .http
        .post(gw.url("/graphql"))
        .bearer_auth(admin())
        .json(&json!({"query": "{ sites { totalCount } }"}))
        .send();
    let in_flight = tokio::spawn(asked);
    // Wait until the slow upstream holds the query.
    timeout(WAIT, async {
        while slow.log.is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the query reaches the slow upstream");
    let addr = gw.addr;
    drop(gw.stop);

    let answered = timeout(WAIT, in_flight)
        .await
        .expect("answered in time")
        .expect("the request task")
        .expect("the request in flight is answered");
    assert_eq!(answered.status(), 200);
    let body: serde_json::Value = answered.json().await.expect("a JSON answer");
    // The slow upstream's answer (no site list) came back and was used: its wait was not cut.
    let error = &body["errors"][0]["extensions"];
    assert_eq!(error["connection"], "orch-slow", "{body}");
    assert_eq!(error["code"], "UPSTREAM_MALFORMED", "{body}");
    timeout(WAIT, async {
        while TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("new connections are refused");
}
