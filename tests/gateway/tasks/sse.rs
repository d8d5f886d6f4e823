//! Following tasks over Server-Sent Events (the `graphql-sse` protocol's distinct connections
//! mode): a build followed to SUCCEEDED at `/graphql/stream`, at `/graphql` by `Accept`, and by GET
//! with the credential in the query string as an `EventSource` sends it; errors before execution
//! as `next` events; requests refused before any stream; the stream's end when the server stops.

use super::*;
use crate::helpers::{spawn, token_valid_for};

/// An open event stream, read event by event.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

/// One event: its type and its data (`data` lines joined).
#[derive(Debug)]
struct SseEvent {
    event: String,
    data: String,
}

impl EventStream {
    fn new(response: reqwest::Response) -> EventStream {
        assert_eq!(response.status(), 200, "a stream is accepted");
        let media = response.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .expect("a textual content type");
        assert!(media.starts_with("text/event-stream"), "{media}");
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event that is not a comment, or `None` when the stream ends.
    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    event: String::new(),
                    data: String::new(),
                };
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim_start().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v));
                    }
                }
                event.data = data.join("\n");
                if !event.event.is_empty() || !data.is_empty() {
                    return Some(event);
                }
            }
            let chunk = timeout(WAIT, self.response.chunk())
                .await
                .expect("the stream says something within the wait");
            match chunk {
                Ok(Some(bytes)) => self
                    .buffer
                    .push_str(std::str::from_utf8(&bytes).expect("UTF-8 events")),
                Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Each `next` event's payload up to `complete`, which must come, and then the stream's end.
    async fn results(mut self) -> Vec<Value> {
        let mut results = Vec::new();
        loop {
            let event = self.next().await.expect("`complete` before the end");
            match event.event.as_str() {
                "next" => results.push(serde_json::from_str(&event.data).expect("JSON results")),
                "complete" => break,
                other => panic!("unexpected event {other}: {event:?}"),
            }
        }
        assert!(self.next().await.is_none(), "nothing after `complete`");
        results
    }
}

/// A POST of one GraphQL request to `path`, accepting an event stream.
async fn post(gw: &TestGateway, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut req = gw
        .http
        .post(gw.url(path))
        .header(reqwest::header::ACCEPT, "text/event-stream")
        .json(&body);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("the gateway answers")
}

fn task_updated(task: &Created) -> Value {
    json!({"query": TASK_UPDATED, "variables": {"id": task.id}})
}

fn updates(results: &[Value]) -> Vec<Value> {
    results
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "no errors: {r}");
            r["data"]["taskUpdated"].clone()
        })
        .collect()
}

fn first_code(result: &Value) -> &str {
    result["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// A build followed from QUEUED to SUCCEEDED at `/graphql/stream`, the stream's headers made for
/// proxies, and the same at `/graphql` for a client that accepts only an event stream.
#[tokio::test]
async fn a_stream_follows_a_build_to_success() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let task = create_vm(&gw).await;
    let response = post(&gw, "/graphql/stream", Some(&admin()), task_updated(&task)).await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let updates = updates(&EventStream::new(response).results().await);
    assert_build_followed(&updates);

    let task = create_vm(&gw).await;
    let response = post(&gw, "/graphql", Some(&admin()), task_updated(&task)).await;
    assert_build_followed(&self::updates(&EventStream::new(response).results().await));
}

/// An `EventSource` sends a GET and no headers: the request in the query string and the
/// credential in `token`. A forged one there is refused as in a header.
#[tokio::test]
async fn an_event_source_follows_a_build_by_get() {
    let gw = spawn_with(options(Duration::from_millis(1000))).await;
    let task = create_vm(&gw).await;
    let get = |token: String| {
        gw.http
            .get(gw.url("/graphql/stream"))
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .query(&[
                ("query", TASK_UPDATED.to_string()),
                ("variables", json!({"id": task.id}).to_string()),
                ("token", token),
            ])
            .send()
    };
    let forged = get(forged_token()).await.expect("the gateway answers");
    assert_eq!(forged.status(), 401);
    let body: Value = forged.json().await.expect("a JSON refusal");
    assert_eq!(first_code(&body), "UNAUTHENTICATED", "{body}");

    let response = get(admin()).await.expect("the gateway answers");
    let updates = updates(&EventStream::new(response).results().await);
    assert_eq!(status(updates.last().expect("updates")), "SUCCEEDED");
}

/// Errors found before execution (no credential, an unknown field, a document over the limits)
/// are `next` events on an accepted stream, as the protocol asks; a request that is not a GraphQL
/// request, a batch, a mutation over GET or a forged credential is refused before any stream, and
/// nothing runs.
#[tokio::test]
async fn errors_before_execution_and_refusals() {
    let gw = spawn().await;
    let feed = json!({"query": "subscription { tasks { taskId } }"});
    let results = EventStream::new(post(&gw, "/graphql/stream", None, feed.clone()).await)
        .results()
        .await;
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(first_code(&results[0]), "UNAUTHENTICATED", "{results:?}");

    let unknown = json!({"query": "subscription { nothingHere }"});
    let results = EventStream::new(post(&gw, "/graphql/stream", Some(&admin()), unknown).await)
        .results()
        .await;
    assert_eq!(first_code(&results[0]), "VALIDATION", "{results:?}");
    assert!(results[0].get("data").is_none(), "{results:?}");

    let mut deep = "id".to_string();
    for _ in 0..14 {
        deep = format!("views {{ {deep} }}");
    }
    let deep = json!({"query": format!("{{ sites {{ nodes {{ {deep} }} }} }}")});
    let results = EventStream::new(post(&gw, "/graphql/stream", Some(&admin()), deep).await)
        .results()
        .await;
    assert_eq!(first_code(&results[0]), "LIMIT_EXCEEDED", "{results:?}");

    let before = gw.upstream.log.len();
    let refusals = [
        (
            post(&gw, "/graphql/stream", Some(&forged_token()), feed.clone()).await,
            401,
            "UNAUTHENTICATED",
        ),
        (
            post(
                &gw,
                "/graphql/stream",
                Some(&admin()),
                json!({"qeury": "{ a }"}),
            )
            .await,
            400,
            "VALIDATION",
        ),
        (
            post(&gw, "/graphql/stream", Some(&admin()), json!([feed, feed])).await,
            400,
            "VALIDATION",
        ),
        (
            gw.http
                .get(gw.url("/graphql/stream"))
                .query(&[("query", CREATE_VM), ("token", &admin())])
                .send()
                .await
                .expect("the gateway answers"),
            405,
            "VALIDATION",
        ),
    ];
    for (response, status, code) in refusals {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.expect("a JSON refusal");
        assert_eq!(first_code(&body), code, "{body}");
    }
    assert_eq!(
        gw.upstream.log.len(),
        before,
        "nothing reached the upstream"
    );
}

/// A stopping server ends its event streams, so it is not held open by a feed that never ends.
#[tokio::test]
async fn stopping_ends_the_streams() {
    let gw = spawn().await;
    let feed = json!({"query": "subscription { tasks { taskId } }"});
    let mut stream = EventStream::new(post(&gw, "/graphql/stream", Some(&admin()), feed).await);
    let TestGateway { stop, .. } = gw;
    drop(stop);
    assert!(stream.next().await.is_none(), "the stream ends");
}

/// A customer's task feed carries the work done for it only: Grace follows every task over an event
/// stream while an admin starts a service for Ada and one for her; each change she receives is of
/// her own task, until it ends, and Ada's never arrives.
#[tokio::test]
async fn a_customer_streams_its_own_tasks_only() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let grace = crate::panelalpha::bound_token("2");
    let feed = json!({"query": "subscription { tasks { taskId status } }"});
    let mut stream = EventStream::new(post(&gw, "/graphql/stream", Some(&grace), feed).await);
    let started = services_for_ada_and_grace(&gw).await;
    loop {
        let event = stream.next().await.expect("the feed goes on");
        let result: Value = serde_json::from_str(&event.data).expect("JSON results");
        let task = &result["data"]["tasks"];
        assert_eq!(task["taskId"], started[1], "only Grace's task: {result}");
        if task["status"] == "SUCCEEDED" {
            break;
        }
    }
}

/// A stream ends with its credential: a revoked key's, and an expired token's (an `EventSource`'s
/// `token` parameter), each get one `next` with an `UNAUTHENTICATED` error saying why, then
/// `complete`, then the end; an admin's stream opened beside them goes on.
#[tokio::test]
async fn streams_end_with_their_credential() {
    let gw = spawn().await;
    let created = gw
        .data(
            "mutation { createApiKey(input: {name: \"feed\", scopes: [\"read\"]}) { id key } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().expect("a key");
    let feed = json!({"query": "subscription { tasks { taskId } }"});
    let mut keyed = EventStream::new(post(&gw, "/graphql/stream", Some(key), feed.clone()).await);
    let mut admins = EventStream::new(post(&gw, "/graphql/stream", Some(&admin()), feed).await);
    let mut timed = EventStream::new(
        gw.http
            .get(gw.url("/graphql/stream"))
            .query(&[
                ("query", "subscription { tasks { taskId } }"),
                ("token", &token_valid_for("brief", 2)),
            ])
            .send()
            .await
            .expect("the gateway answers"),
    );

    gw.data(
        "mutation($id: String!) { revokeApiKey(id: $id) }",
        json!({"id": created["createApiKey"]["id"]}),
    )
    .await;
    for (stream, why) in [(&mut keyed, "revoked"), (&mut timed, "expired")] {
        let event = stream.next().await.expect("an event says why");
        assert_eq!(event.event, "next", "{event:?}");
        let result: Value = serde_json::from_str(&event.data).expect("a JSON result");
        assert_eq!(first_code(&result), "UNAUTHENTICATED", "{result}");
        assert!(
            result["errors"][0]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(why)
        );
        assert_eq!(stream.next().await.expect("complete").event, "complete");
        assert!(stream.next().await.is_none(), "the stream ends");
    }

    let task = create_vm(&gw).await;
    let event = admins.next().await.expect("the admin's stream goes on");
    assert!(event.data.contains(&task.task_id), "{event:?}");
}
