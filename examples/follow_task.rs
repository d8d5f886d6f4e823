//! Follows one task over the gateway's WebSocket with the `graphql-transport-ws` protocol, printing
//! each state as it comes, until the task ends. The README's WebSocket example; its test runs
//! `follow` against a live `hostplane demo`.
//!
//! ```text
//! TOKEN=... cargo run --example follow_task -- <task id> [ws://localhost:8080/graphql/ws]
//! ```

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

/// Subscribes to `taskUpdated(id)` at `url` with `token`, and calls `each` with every result's
/// `data` (or its errors) until the server completes the subscription.
pub async fn follow(
    url: &str,
    token: &str,
    task_id: &str,
    mut each: impl FnMut(&Value),
) -> Result<(), Box<dyn std::error::Error>> {
    let mut request = url.into_client_request()?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws"
            .parse()
            .expect("a valid header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let send = |message: Value| Message::text(message.to_string());

    // The token travels in `connection_init`: browsers cannot set headers on a WebSocket.
    socket
        .send(send(json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})))
        .await?;
    socket
        .send(send(json!({
            "type": "subscribe",
            "id": "1",
            "payload": {
                "query": "subscription($id: ID!) { taskUpdated(id: $id) { status progress message } }",
                "variables": {"id": task_id},
            },
        })))
        .await?;

    while let Some(message) = socket.next().await {
        let text = match message? {
            Message::Text(text) => text,
            Message::Close(frame) => return Err(format!("closed: {frame:?}").into()),
            _ => continue,
        };
        let message: Value = serde_json::from_str(&text)?;
        match message["type"].as_str() {
            Some("next") => each(&message["payload"]),
            Some("error") => return Err(format!("refused: {}", message["payload"]).into()),
            Some("complete") => break,
            Some("ping") => socket.send(send(json!({"type": "pong"}))).await?,
            _ => {} // connection_ack, pong
        }
    }
    socket.close(None).await?;
    Ok(())
}

#[allow(dead_code)] // the test includes this file for `follow` alone
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let task_id = args.next().ok_or("usage: follow_task <task id> [ws url]")?;
    let url = args
        .next()
        .unwrap_or_else(|| "ws://localhost:8080/graphql/ws".into());
    let token = std::env::var("TOKEN").map_err(|_| "set TOKEN to the demo's token")?;
    follow(&url, &token, &task_id, |result| println!("{result}")).await
}
