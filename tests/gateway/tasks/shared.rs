//! Shared executions: identical subscriptions share one execution, and only identical ones.

use super::*;

/// Waits until no shared execution runs or is registered any more.
async fn until_no_groups(gw: &TestGateway) {
    let deadline = Instant::now() + WAIT;
    let shared = &gw.subscriptions;
    while shared.groups() > 0 || shared.executions_running() > 0 {
        assert!(
            Instant::now() < deadline,
            "a shared execution outlived its members: {} registered, {} running",
            shared.groups(),
            shared.executions_running()
        );
        sleep(Duration::from_millis(10)).await;
    }
}

/// Fifty identical `taskUpdated` subscriptions over ten sockets, in both subprotocols, run as one
/// execution, and every one of them sees every change from its first message on, in order, up to
/// SUCCEEDED and `complete`; the execution is gone once they all are.
#[tokio::test]
async fn identical_subscriptions_share_one_execution() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let mut sockets = Vec::new();
    for i in 0..10 {
        let protocol = if i % 2 == 0 {
            Protocol::TransportWs
        } else {
            Protocol::LegacyWs
        };
        sockets.push(socket(&gw, protocol, bearer_admin()).await);
    }
    let ids = ["a", "b", "c", "d", "e"];
    let task = create_vm(&gw).await;
    for ws in &mut sockets {
        for id in ids {
            ws.subscribe(id, TASK_UPDATED, json!({"id": task.id})).await;
        }
    }
    let seen = join_all(sockets.iter_mut().map(|ws| ws.follow_all(&ids))).await;
    let followed: Vec<&Vec<Value>> = seen.iter().flat_map(|s| s.values()).collect();
    assert_eq!(followed.len(), 50);
    // Whoever started the execution saw all of it; the others joined it at most a little later.
    let all = followed
        .iter()
        .max_by_key(|updates| updates.len())
        .expect("fifty subscribers");
    assert_build_followed(all);
    for updates in &followed {
        assert!(
            !updates.is_empty() && all.ends_with(updates),
            "a subscriber missed, repeated or reordered a change: {updates:?}\nthe execution's: {all:?}"
        );
    }
    assert_eq!(
        gw.subscriptions.executions_started(),
        1,
        "one execution for all fifty"
    );
    until_no_groups(&gw).await;
}

/// A subscriber joining a running execution gets the task's state now first: the latest state
/// right away even while the task does not change (a queued job), and after changes the latest of
/// them, not the first; then the same changes as the subscriber already there, from one execution.
#[tokio::test]
async fn a_late_subscriber_gets_the_current_state_first() {
    // Queued for its first half second (no change to publish), then a change every poll or so.
    let gw = spawn_with(options(Duration::from_millis(5000))).await;
    let mut early = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut queued = socket(&gw, Protocol::LegacyWs, bearer_admin()).await;
    let mut late = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let task = create_vm(&gw).await;
    early
        .subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let mut before = vec![early.update("1").await];
    assert_eq!(status(&before[0]), "QUEUED");
    queued
        .subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let replayed = queued.update("1").await;
    assert_eq!(
        replayed, before[0],
        "the state now, before the task changed again"
    );
    // At least one change after the state the execution started with.
    while before.len() < 2 || status(before.last().expect("an update")) != "RUNNING" {
        before.push(early.update("1").await);
    }
    late.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let (rest, queued_rest, joined) =
        tokio::join!(early.follow("1"), queued.follow("1"), late.follow("1"));
    let all: Vec<Value> = before.iter().cloned().chain(rest).collect();
    assert_build_followed(&all);
    let queued_all: Vec<Value> = [replayed].into_iter().chain(queued_rest).collect();
    assert_eq!(queued_all, all, "both saw the whole execution");
    assert_ne!(
        status(&joined[0]),
        "QUEUED",
        "the late subscriber starts with the state now: {joined:?}"
    );
    assert!(
        all.ends_with(&joined),
        "the late subscriber gets the same changes: {joined:?}\nthe execution's: {all:?}"
    );
    let start = all.len() - joined.len();
    assert!(
        start + 1 >= before.len(),
        "the late subscriber started at update #{start}, older than the #{} published before it \
         joined",
        before.len() - 1
    );
    assert_eq!(gw.subscriptions.executions_started(), 1);
}

/// A member completing its subscription early leaves the others running to the end, and nothing
/// more comes for it, `complete` included.
#[tokio::test]
async fn a_member_leaving_does_not_stop_the_others() {
    let gw = spawn_with(options(Duration::from_millis(2000))).await;
    let mut leaving = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut staying = vec![
        socket(&gw, Protocol::TransportWs, bearer_admin()).await,
        socket(&gw, Protocol::LegacyWs, bearer_admin()).await,
    ];
    let task = create_vm(&gw).await;
    leaving
        .subscribe("early", TASK_UPDATED, json!({"id": task.id}))
        .await;
    leaving.update("early").await;
    for ws in &mut staying {
        ws.subscribe("stay", TASK_UPDATED, json!({"id": task.id}))
            .await;
        ws.update("stay").await;
    }
    leaving.complete("early").await;
    leaving.settle(&["early"]).await;
    let seen = join_all(staying.iter_mut().map(|ws| ws.follow("stay"))).await;
    for updates in &seen {
        assert_names_vm(updates.last().expect("updates up to the end"));
    }
    leaving.assert_idle().await;
    assert_eq!(gw.subscriptions.executions_started(), 1);
}

/// When the last member leaves (by `complete`, or by closing its socket) the group and its execution
/// are gone; a subscriber afterwards starts a fresh one and gets the state now. The id of a running
/// shared operation is taken as any other's (4409).
#[tokio::test]
async fn the_last_member_leaving_ends_the_group() {
    let gw = spawn_with(options(Duration::from_secs(10))).await;
    let mut completing = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut closing = socket(&gw, Protocol::LegacyWs, bearer_admin()).await;
    let task = create_vm(&gw).await;
    for id in ["1", "2"] {
        completing
            .subscribe(id, TASK_UPDATED, json!({"id": task.id}))
            .await;
    }
    closing
        .subscribe("1", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let mut started = HashSet::new();
    while started.len() < 2 {
        started.insert(completing.any_update().await.0);
    }
    closing.update("1").await;
    assert_eq!(gw.subscriptions.executions_running(), 1);

    for id in ["1", "2"] {
        completing.complete(id).await;
    }
    completing.settle(&["1", "2"]).await;
    // One member is left: the execution runs on.
    assert_eq!(gw.subscriptions.executions_running(), 1);
    closing.update("1").await;
    drop(closing);
    until_no_groups(&gw).await;
    assert_eq!(gw.subscriptions.executions_started(), 1);

    let mut fresh = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    fresh
        .subscribe("n", TASK_UPDATED, json!({"id": task.id}))
        .await;
    let now = fresh.update("n").await;
    assert!(
        ["QUEUED", "RUNNING"].contains(&status(&now)),
        "the task is still running: {now}"
    );
    assert_eq!(gw.subscriptions.executions_started(), 2);
    assert_eq!(gw.subscriptions.executions_running(), 1);
    fresh
        .subscribe("n", TASK_UPDATED, json!({"id": task.id}))
        .await;
    loop {
        match fresh.recv().await {
            Incoming::Message(m) if m["id"] == "n" && m["type"] == "next" => continue,
            Incoming::Closed(Some((code, _))) => {
                assert_eq!(code, 4409);
                break;
            }
            other => panic!("expected the 4409 close, got {other:?}"),
        }
    }
    until_no_groups(&gw).await;
}

/// Executions are shared within one principal and one set of variables only: the same task by UUID
/// or by global ID, for an admin, a reader, the reader limited to the task's connection and the
/// reader limited to another connection, are five executions, and the last is refused the task
/// (NOT_FOUND) while the others follow it; a second admin socket shares the admin's.
#[tokio::test]
async fn principals_and_variables_do_not_share() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let reader = |connections: Option<&[String]>| {
        bearer(&crate::helpers::token_for(
            "alice",
            &[Scope::Read],
            connections,
        ))
    };
    let mut admin_ws = socket(&gw, Protocol::TransportWs, bearer_admin()).await;
    let mut admin_again = socket(&gw, Protocol::LegacyWs, bearer_admin()).await;
    let mut alice = socket(&gw, Protocol::TransportWs, reader(None)).await;
    let mut alice_hoster = socket(
        &gw,
        Protocol::TransportWs,
        reader(Some(&[CONNECTION.to_string()])),
    )
    .await;
    let mut alice_patch = socket(
        &gw,
        Protocol::TransportWs,
        reader(Some(&["patch".to_string()])),
    )
    .await;
    let task = create_vm(&gw).await;
    let by_id = json!({"id": task.id});
    admin_ws
        .subscribe("global", TASK_UPDATED, by_id.clone())
        .await;
    admin_ws
        .subscribe("uuid", TASK_UPDATED, json!({"id": task.task_id}))
        .await;
    admin_again
        .subscribe("1", TASK_UPDATED, by_id.clone())
        .await;
    alice.subscribe("1", TASK_UPDATED, by_id.clone()).await;
    alice_hoster
        .subscribe("1", TASK_UPDATED, by_id.clone())
        .await;
    alice_patch.subscribe("1", TASK_UPDATED, by_id).await;

    let (admin_seen, again, alice_seen, hoster_seen, refused) = tokio::join!(
        admin_ws.follow_all(&["global", "uuid"]),
        admin_again.follow("1"),
        alice.follow("1"),
        alice_hoster.follow("1"),
        alice_patch.error_code("1"),
    );
    assert_eq!(refused, "NOT_FOUND", "a principal of another connection");
    for updates in admin_seen
        .values()
        .chain([&again, &alice_seen, &hoster_seen])
    {
        assert_names_vm(updates.last().expect("updates up to the end"));
    }
    assert_eq!(gw.subscriptions.executions_started(), 5);
}

/// Subscriptions other than a lone `taskUpdated` run on their own, as before: two identical `tasks`
/// feeds (an event stream, where a late subscriber must not be handed an earlier event) and two
/// identical `taskUpdated` with request extensions (which may change how a request runs) all
/// deliver, and no shared execution starts.
#[tokio::test]
async fn other_subscriptions_are_not_shared() {
    let gw = spawn_with(options(Duration::from_millis(1000))).await;
    let feed = "subscription { tasks { taskId status } }";
    let mut sockets = vec![
        socket(&gw, Protocol::TransportWs, bearer_admin()).await,
        socket(&gw, Protocol::LegacyWs, bearer_admin()).await,
    ];
    for ws in &mut sockets {
        ws.subscribe("feed", feed, json!({})).await;
    }
    // Let the feeds register before the work starts.
    sleep(Duration::from_millis(100)).await;
    let task = create_vm(&gw).await;
    for ws in &mut sockets {
        match ws.event("feed").await {
            Event::Next(p) => assert_eq!(p["data"]["tasks"]["taskId"], task.task_id.as_str()),
            Event::Complete => panic!("the feed completed"),
        }
        ws.complete("feed").await;
        let kind = ws.protocol.subscribe_type();
        ws.send(json!({"id": "alone", "type": kind, "payload": {
            "query": TASK_UPDATED,
            "variables": {"id": task.id},
            "extensions": {"unshared": true},
        }}))
        .await;
    }
    // Feed items published before the feed's `complete` arrived may still be on their way.
    for ws in &mut sockets {
        let updates = loop {
            match ws.recv().await {
                Incoming::Message(m) if m["type"] == "ping" => {
                    ws.send(json!({"type": "pong"})).await;
                }
                Incoming::Message(m) if m["id"] == "feed" => continue,
                Incoming::Message(m) if m["id"] == "alone" => {
                    assert_eq!(m["type"], ws.protocol.next_type(), "{m}");
                    let first = m["payload"]["data"]["taskUpdated"].clone();
                    let mut rest = ws.follow("alone").await;
                    rest.insert(0, first);
                    break rest;
                }
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_names_vm(updates.last().expect("updates up to the end"));
    }
    assert_eq!(gw.subscriptions.executions_started(), 0);
    assert_eq!(gw.subscriptions.groups(), 0);
}

/// An invalid `taskUpdated` subscription is reported exactly as the same request run on its own
/// (request extensions keep it out of any group): a bad field is an `error` with the same GraphQL
/// errors and no `complete` on graphql-transport-ws, and `data` then `complete` on the legacy
/// protocol; an unknown task is the same NOT_FOUND `next`, then `complete`.
#[tokio::test]
async fn invalid_shared_subscriptions_are_reported_as_before() {
    let gw = spawn_with(options(Duration::from_millis(800))).await;
    let task = create_vm(&gw).await;
    let bad = "subscription($id: ID!) { taskUpdated(id: $id) { status noSuchField } }";
    let missing = json!({"id": uuid::Uuid::new_v4().to_string()});
    let start = |protocol: Protocol, id: &str, query: &str, variables: &Value, alone: bool| {
        let mut payload = json!({"query": query, "variables": variables});
        if alone {
            payload["extensions"] = json!({"unshared": true});
        }
        json!({"id": id, "type": protocol.subscribe_type(), "payload": payload})
    };
    let message = |incoming: Incoming| match incoming {
        Incoming::Message(m) => m,
        Incoming::Closed(close) => panic!("closed: {close:?}"),
    };

    let transport = Protocol::TransportWs;
    let mut ws = socket(&gw, transport, bearer_admin()).await;
    let vars = json!({"id": task.id});
    let mut refusals = Vec::new();
    for (id, alone) in [("shared", false), ("alone", true)] {
        ws.send(start(transport, id, bad, &vars, alone)).await;
        let error = message(ws.recv().await);
        assert_eq!(error["type"], "error", "{error}");
        assert_eq!(error["id"], id, "{error}");
        assert_eq!(
            error["payload"][0]["extensions"]["code"], "VALIDATION",
            "{error}"
        );
        refusals.push(error["payload"].clone());
        // No `complete` follows an `error`.
        ws.assert_idle().await;
    }
    assert_eq!(refusals[0], refusals[1]);

    let mut not_found = Vec::new();
    for (id, alone) in [("gone", false), ("gone-alone", true)] {
        ws.send(start(transport, id, TASK_UPDATED, &missing, alone))
            .await;
        let next = message(ws.recv().await);
        assert_eq!(next["type"], "next", "{next}");
        assert_eq!(
            next["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{next}"
        );
        not_found.push(next["payload"].clone());
        assert_eq!(
            message(ws.recv().await),
            json!({"type": "complete", "id": id})
        );
    }
    assert_eq!(not_found[0], not_found[1]);

    let legacy = Protocol::LegacyWs;
    let mut old = socket(&gw, legacy, bearer_admin()).await;
    let mut data = Vec::new();
    for (id, alone) in [("shared", false), ("alone", true)] {
        old.send(start(legacy, id, bad, &vars, alone)).await;
        let next = message(old.recv().await);
        assert_eq!(next["type"], "data", "{next}");
        data.push(next["payload"].clone());
        assert_eq!(
            message(old.recv().await),
            json!({"type": "complete", "id": id})
        );
    }
    assert_eq!(data[0], data[1]);
    assert_eq!(data[0]["errors"], refusals[0], "{data:?}");
    // The shared ones did run shared: one execution each, the earlier one having ended.
    assert_eq!(gw.subscriptions.executions_started(), 3);
}
