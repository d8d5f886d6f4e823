//! The gateway's own HTTP stack with none of the gateway's work: an axum server on a multi-thread
//! tokio runtime (one thread per core, as `hostplane serve`) forwarding each request through the
//! adapters' `Transport` (the reqwest client every upstream call takes) and answering the upstream's
//! body as it came. No auth, routing table, GraphQL or envelope. Its row is the best any gateway
//! built on this stack could do on this machine, beside nginx's, which is the best forwarding does.
//!
//! It runs as its own process, like the gateway: the bench binary starts itself again with
//! `--stack-floor <upstream> <port>` (see `procs::start_floor`).

use axum::{
    Router,
    body::Bytes,
    extract::{Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{Method, http::Transport};
use std::{net::SocketAddr, sync::Arc, time::Duration};

/// The flag that makes the bench binary this proxy instead.
pub const FLAG: &str = "--stack-floor";

/// Runs the proxy until killed; `args` are what followed the flag.
pub fn main(args: &[String]) -> Result<(), String> {
    let [upstream, port] = args else {
        return Err(format!("usage: {FLAG} <upstream address> <port>"));
    };
    let upstream: SocketAddr = upstream.parse().map_err(|e| format!("upstream: {e}"))?;
    let port: u16 = port.parse().map_err(|e| format!("port: {e}"))?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(async move {
            let transport = Arc::new(Transport::new(
                &format!("http://{upstream}"),
                Duration::from_secs(30),
            ));
            let app = Router::new().fallback(forward).with_state(transport);
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .map_err(|e| format!("bind 127.0.0.1:{port}: {e}"))?;
            axum::serve(listener, app).await.map_err(|e| e.to_string())
        })
}

async fn forward(State(transport): State<Arc<Transport>>, request: Request) -> Response {
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match transport
        .send(
            Method::Get,
            &path,
            &[("Authorization", authorization.as_str())],
            None,
        )
        .await
    {
        Ok(raw) => (
            StatusCode::from_u16(raw.status).unwrap_or(StatusCode::BAD_GATEWAY),
            [(header::CONTENT_TYPE, "application/json")],
            Bytes::from(raw.body),
        )
            .into_response(),
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}
