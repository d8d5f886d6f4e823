//! The task engine itself: one upstream poll per task, resumption after a restart, and the deadline.

use super::*;

/// Five subscribers on one task cost one upstream poll per interval, and all of them see it succeed.
#[tokio::test]
async fn one_poll_per_task_whatever_the_subscribers() {
    let gw = spawn_with(options(Duration::from_millis(1500))).await;
    let started = Instant::now();
    let task = create_vm(&gw).await;
    let job_path = format!("/api/v1/job/{}", task.job_id);
    let mut clients = Vec::new();
    for _ in 0..5 {
        let mut ws = WsClient::connect(&gw, "/graphql/ws", Protocol::TransportWs).await;
        ws.init(bearer_admin()).await;
        ws.subscribe("1", TASK_UPDATED, json!({"id": task.id}))
            .await;
        clients.push(ws);
    }
    let seen = join_all(clients.iter_mut().map(|ws| ws.follow("1"))).await;
    for (i, updates) in seen.iter().enumerate() {
        let last = updates.last().expect("every subscriber saw something");
        assert_eq!(status(last), "SUCCEEDED", "subscriber {i}: {updates:?}");
        assert_names_vm(last);
    }
    let polls_at_end = gw.upstream.log.count("GET", &job_path);
    // The watcher stops with the task: no poll comes after it ended.
    sleep(POLL * 6).await;
    let polls = gw.upstream.log.count("GET", &job_path);
    assert_eq!(polls, polls_at_end, "polling went on after the task ended");
    let bound = (started.elapsed().as_millis() / POLL.as_millis()) as usize + 2;
    assert!(
        polls >= 2,
        "the job was polled at {job_path} (queued, then finished): {polls}"
    );
    assert!(
        polls <= bound,
        "{polls} polls of {job_path} in {:?}: more than one per {POLL:?} (bound {bound})",
        started.elapsed()
    );
}

/// An unfinished task survives a gateway restart: the new gateway resumes polling it to SUCCEEDED.
#[tokio::test]
async fn tasks_resume_after_restart() {
    let job_duration = Duration::from_millis(1500);
    let mut old = spawn_with(options(job_duration)).await;
    let task = create_vm(&old).await;
    let job_path = format!("/api/v1/job/{}", task.job_id);

    // Keep the simulator (its datacenter and its server) for the next gateway; the old fixture gets a
    // throwaway server in its place, since a type with `Drop` cannot be taken apart.
    let sim = old.sim.clone();
    let (_, spare) = Simulator::start(SimConfig {
        token: "unused".into(),
        job_duration,
    })
    .await
    .expect("start a spare simulator");
    let upstream = std::mem::replace(&mut old.upstream, spare);
    let database_url = old.database_url.clone();
    // The database outlives the gateway that made it: the next one starts on it.
    let _database = old._scratch.take();
    let engine = Arc::downgrade(&old.services.tasks);
    drop(old);

    // The old engine, and with it its watcher, goes away with the gateway.
    let deadline = Instant::now() + WAIT;
    while engine.upgrade().is_some() {
        assert!(
            Instant::now() < deadline,
            "the old gateway's task engine outlived it"
        );
        sleep(Duration::from_millis(10)).await;
    }
    let polls_down = upstream.log.count("GET", &job_path);
    sleep(POLL * 4).await;
    assert_eq!(
        upstream.log.count("GET", &job_path),
        polls_down,
        "nothing polls the job while no gateway runs"
    );

    let base_url = upstream.base_url();
    let new = spawn_gateway(
        Options {
            database_url: Some(database_url),
            ..options(job_duration)
        },
        sim,
        upstream,
        &base_url,
    )
    .await;
    let at_restart = new
        .data(
            "query($id: ID!) { task(id: $id) { status } }",
            json!({"id": task.id}),
        )
        .await;
    let at_restart = status(&at_restart["task"]).to_string();
    assert!(
        ["QUEUED", "RUNNING"].contains(&at_restart.as_str()),
        "the task was still unfinished when the gateway restarted: {at_restart}"
    );
    let done = new.wait_task(&task.task_id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_names_vm(&done);
    assert!(
        new.upstream.log.count("GET", &job_path) > polls_down,
        "the new gateway polled the job itself"
    );
}

/// Work the upstream never finishes in time fails its task at the configured deadline, not never.
#[tokio::test]
async fn unfinished_work_fails_at_the_deadline() {
    let gw = spawn_with(Options {
        max_task_duration: Duration::from_secs(1),
        ..options(Duration::from_secs(30))
    })
    .await;
    let (status, body) = gw
        .rest(
            "POST",
            "/api/v1/datacenter/dedicated/order",
            Some(json!({"id": 84, "template": "Debian Buster"})),
        )
        .await;
    assert_eq!((status, body), (200, json!({"result": true})));
    let tasks = gw
        .data("{ tasks { nodes { taskId operation } } }", json!({}))
        .await;
    let task_id = tasks["tasks"]["nodes"][0]["taskId"]
        .as_str()
        .expect("the order's task")
        .to_string();
    let done = gw.wait_task(&task_id).await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert!(
        done["message"]
            .as_str()
            .unwrap_or_default()
            .contains("did not finish"),
        "{done}"
    );
}
