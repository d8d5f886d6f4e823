//! HosterAPI's 37 endpoints through both surfaces against the stateful simulator: every GET read over
//! REST equals the upstream's own answer and over GraphQL yields typed seeded data; every mutation,
//! called through GraphQL and through its original REST path, changes the simulated datacenter in a
//! way a later read observes, and work the upstream runs in the background ends as a Task.

use crate::helpers::{CONNECTION, TestGateway, spawn};
use hostplane_adapters::Provider;
use serde_json::{Value, json};
use std::{
    collections::{BTreeSet, HashSet},
    time::Duration,
};

const LIMITS_EXCEEDED: &str = "0xb0: Requested resources exceed administrative limits";
const ACTION: &str = "{ ok server { serverId kind provider connection } raw }";
const TASK: &str = "{ task { id taskId operation provider connection status progress subjectId upstreamRef } raw }";

// ---------------------------------------------------------------------------------------------
// Helpers

/// A REST call that must succeed; returns the body.
async fn rest_ok(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, reply) = gw.rest(method, path, body).await;
    assert_eq!(status, 200, "{method} {path}: {reply}");
    assert!(!reply["error"].is_string(), "{method} {path}: {reply}");
    reply
}

/// A REST call the upstream refuses: the gateway repeats the upstream's status and error body exactly.
/// The direct call is made second and must fail too, so it changes nothing.
async fn rest_error_as_upstream(
    gw: &TestGateway,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let through = gw.rest(method, path, body.clone()).await;
    let direct = gw.direct(method, path, body).await;
    assert_eq!(through, direct, "{method} {path}: REST and upstream differ");
    assert!(
        through.0 >= 400,
        "{method} {path} was expected to fail: {through:?}"
    );
    assert_eq!(through.1["result"], json!(false), "{method} {path}");
    through
}

/// The first GraphQL error of a call that must fail upstream, checked against the upstream's answer.
async fn gql_upstream_error(
    gw: &TestGateway,
    query: &str,
    variables: Value,
    status: u16,
    text: &str,
) -> Value {
    let body = gw.gql(query, variables).await;
    let err = body["errors"][0].clone();
    assert!(err.is_object(), "expected an error: {body}");
    let ext = &err["extensions"];
    assert_eq!(ext["upstreamStatus"], json!(status), "{body}");
    assert_eq!(ext["upstreamError"], json!(text), "{body}");
    assert_eq!(ext["provider"], "hosterapi", "{body}");
    assert_eq!(ext["connection"], CONNECTION, "{body}");
    err
}

/// A GraphQL server action (`sid` only) that must succeed; returns its payload.
async fn act(gw: &TestGateway, field: &str, sid: u64, kind: &str) -> Value {
    let query = format!("mutation($sid: Int!) {{ r: {field}(sid: $sid) {ACTION} }}");
    let r = gw.data(&query, json!({"sid": sid})).await["r"].clone();
    assert_eq!(r["ok"], true, "{field}: {r}");
    assert_eq!(r["raw"], true, "{field}: {r}");
    assert_eq!(r["server"]["serverId"], sid.to_string(), "{field}: {r}");
    assert_eq!(r["server"]["kind"], kind, "{field}: {r}");
    assert_eq!(r["server"]["provider"], "HOSTERAPI", "{field}: {r}");
    assert_eq!(r["server"]["connection"], CONNECTION, "{field}: {r}");
    r
}

/// A VM's power state through GraphQL, read both as `Server.state` in the list and as its status.
async fn vm_state(gw: &TestGateway, sid: u64) -> String {
    let data = gw
        .data(
            "query($sid: Int!) { hosterapiServers { serverId state } hosterapiServerStatus(sid: $sid) { state } }",
            json!({"sid": sid}),
        )
        .await;
    let listed = data["hosterapiServers"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["serverId"].as_str() == Some(sid.to_string().as_str()))
        .unwrap_or_else(|| panic!("VM {sid} not listed: {data}"))["state"]
        .clone();
    assert_eq!(listed, data["hosterapiServerStatus"]["state"], "{data}");
    listed.as_str().expect("a state").to_string()
}

/// A dedicated server's state through GraphQL, read both as `Server.state` and as its status.
async fn dedicated_state(gw: &TestGateway, sid: u64) -> String {
    let data = gw
        .data(
            "query($sid: Int!) { hosterapiDedicatedServers { serverId state } \
             hosterapiDedicatedServerStatus(sid: $sid) { state } }",
            json!({"sid": sid}),
        )
        .await;
    let listed = data["hosterapiDedicatedServers"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["serverId"].as_str() == Some(sid.to_string().as_str()))
        .unwrap_or_else(|| panic!("dedicated server {sid} not listed: {data}"))["state"]
        .clone();
    assert_eq!(
        listed, data["hosterapiDedicatedServerStatus"]["state"],
        "{data}"
    );
    listed.as_str().expect("a state").to_string()
}

async fn vm_ids(gw: &TestGateway) -> Vec<String> {
    let data = gw
        .data("{ hosterapiServers { serverId kind } }", json!({}))
        .await;
    data["hosterapiServers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| {
            assert_eq!(s["kind"], "VM");
            s["serverId"].as_str().expect("serverId").to_string()
        })
        .collect()
}

/// The global ID the gateway gives a server of this connection.
async fn server_gid(gw: &TestGateway, field: &str, sid: u64) -> String {
    let data = gw
        .data(&format!("{{ {field} {{ id serverId }} }}"), json!({}))
        .await;
    data[field]
        .as_array()
        .expect("a list")
        .iter()
        .find(|s| s["serverId"].as_str() == Some(sid.to_string().as_str()))
        .unwrap_or_else(|| panic!("{sid} not in {field}: {data}"))["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

async fn task_ids(gw: &TestGateway) -> HashSet<String> {
    let data = gw
        .data("{ tasks(first: 500) { nodes { taskId } } }", json!({}))
        .await;
    data["tasks"]["nodes"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| t["taskId"].as_str().expect("taskId").to_string())
        .collect()
}

/// The one task started since `before` (a REST call's task, which the REST answer does not name).
async fn new_task(gw: &TestGateway, before: &HashSet<String>, operation: &str) -> Value {
    let data = gw
        .data(
            "{ tasks(first: 500) { nodes { taskId operation provider connection status subjectId upstreamRef } } }",
            json!({}),
        )
        .await;
    let fresh: Vec<&Value> = data["tasks"]["nodes"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|t| !before.contains(t["taskId"].as_str().expect("taskId")))
        .collect();
    assert_eq!(fresh.len(), 1, "expected exactly one new task: {fresh:?}");
    let task = fresh[0].clone();
    assert_eq!(task["operation"], operation, "{task}");
    assert_eq!(task["provider"], "HOSTERAPI", "{task}");
    assert_eq!(task["connection"], CONNECTION, "{task}");
    task
}

/// Waits for a task and checks it ended as expected.
async fn finish(gw: &TestGateway, task_id: &str, status: &str) -> Value {
    let done = gw.wait_task(task_id).await;
    assert_eq!(done["status"], status, "task {task_id}: {done}");
    done
}

/// Polls a job straight at the simulator until it ends; returns the job.
async fn wait_job(gw: &TestGateway, job_id: u64) -> Value {
    for _ in 0..300 {
        let (status, body) = gw
            .direct("GET", &format!("/api/v1/job/{job_id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        let job = body["result"].clone();
        if job["status"] == "finished" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {job_id} did not end");
}

/// A console URL with its one-off VNC ticket (both occurrences) replaced, and the ticket.
fn without_ticket(url: &str) -> (String, String) {
    const MARK: &str = "password=PVEVNC%3A";
    let at = url
        .find(MARK)
        .unwrap_or_else(|| panic!("no ticket in {url}"))
        + MARK.len();
    let ticket = url[at..].split('&').next().expect("a ticket").to_string();
    assert!(ticket.len() >= 16, "short ticket in {url}");
    (url.replace(&ticket, "TICKET"), ticket)
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("an object").keys().cloned().collect()
}

// ---------------------------------------------------------------------------------------------
// Reads

/// Every GET endpoint's REST answer is the upstream's own answer (status and JSON); volatile
/// answers (live VM figures, one-off console tickets) agree in shape and in everything stable.
#[tokio::test]
async fn rest_reads_match_the_upstream() {
    let gw = spawn().await;
    let install = json!({"sid|ip": "4001", "package": "ts3", "password": "testing123"});
    let (status, queued) = gw
        .direct("POST", "/api/v1/software/install", Some(install))
        .await;
    assert_eq!(status, 200, "{queued}");
    let job_id = queued["result"]["jobId"].as_u64().expect("a job id");
    let job = wait_job(&gw, job_id).await;
    assert_eq!(job["output"], json!({"package": "ts3", "sid": 4001}));

    let job_path = format!("/api/v1/job/{job_id}");
    let stable = [
        "/api/v1/datacenter/dedicated/market",
        "/api/v1/datacenter/dedicated/templates",
        "/api/v1/datacenter/dedicated",
        "/api/v1/datacenter/dedicated/9/status",
        "/api/v1/datacenter/dedicated/9/config",
        job_path.as_str(),
        "/api/v1/datacenter/server/4001/config",
        "/api/v1/datacenter/server/4001/incidents",
        "/api/v1/datacenter/server/4001/backups/list",
        "/api/v1/datacenter/server/4001/backups/status",
        "/api/v1/datacenter/server",
        "/api/v1/datacenter/templates",
        "/api/v1/software/list",
    ];
    for path in stable {
        let through = gw.rest("GET", path, None).await;
        let direct = gw.direct("GET", path, None).await;
        assert_eq!(through.0, 200, "{path}: {through:?}");
        assert_eq!(through, direct, "{path}: REST and upstream differ");
    }
    // Spot checks that the compared answers are the seeded data, not two equal errors.
    let market = rest_ok(&gw, "GET", "/api/v1/datacenter/dedicated/market", None).await;
    assert_eq!(market["result"][0]["model"], "HP ProLiant BL460c G8");
    let vms = rest_ok(&gw, "GET", "/api/v1/datacenter/server", None).await;
    assert_eq!(vms, json!({"result": [4001, 4002]}));
    let job = rest_ok(&gw, "GET", &job_path, None).await;
    assert_eq!(job["result"]["status"], "finished");

    // Live VM figures: uptime and traffic grow between the two reads.
    let status_path = "/api/v1/datacenter/server/4001/status";
    let (rs, through) = gw.rest("GET", status_path, None).await;
    let (ds, direct) = gw.direct("GET", status_path, None).await;
    assert_eq!((rs, ds), (200, 200), "{through} {direct}");
    assert_eq!(keys(&through), keys(&direct));
    assert_eq!(keys(&through["result"]), keys(&direct["result"]));
    for stable in ["state", "mem", "memfree", "cpu"] {
        assert_eq!(
            through["result"][stable], direct["result"][stable],
            "{stable}"
        );
    }
    assert_eq!(through["result"]["state"], "running");
    let (up_rest, up_direct) = (
        through["result"]["uptime"].as_u64().expect("uptime"),
        direct["result"]["uptime"].as_u64().expect("uptime"),
    );
    assert!(
        up_rest >= 1164 && up_direct >= up_rest && up_direct - up_rest <= 2,
        "{through} {direct}"
    );

    // Console URLs carry a fresh ticket each time; the rest of the URL is the upstream's.
    for path in [
        "/api/v1/datacenter/server/4001/console",
        "/api/v1/datacenter/dedicated/9/console",
    ] {
        let (rs, through) = gw.rest("GET", path, None).await;
        let (ds, direct) = gw.direct("GET", path, None).await;
        assert_eq!((rs, ds), (200, 200), "{path}: {through} {direct}");
        assert_eq!(keys(&through), keys(&direct), "{path}");
        let (via, via_ticket) = without_ticket(through["result"].as_str().expect("a URL"));
        let (own, own_ticket) = without_ticket(direct["result"].as_str().expect("a URL"));
        assert_eq!(via, own, "{path}");
        assert_ne!(via_ticket, own_ticket, "{path}: tickets are one-off");
        assert!(via.contains("/novnc/vnc.html?"), "{via}");
    }

    // The one endpoint documented with another envelope keeps it.
    let incidents = rest_ok(&gw, "GET", "/api/v1/datacenter/server/4001/incidents", None).await;
    assert_eq!(incidents["error"], json!(false), "{incidents}");
    assert_eq!(
        incidents["response"].as_array().map(Vec::len),
        Some(2),
        "{incidents}"
    );

    // Upstream errors come back as the upstream wrote them.
    rest_error_as_upstream(&gw, "GET", "/api/v1/datacenter/server/4010/status", None).await;
    let (status, body) = rest_error_as_upstream(&gw, "GET", "/api/v1/job/99", None).await;
    assert_eq!(
        (status, body),
        (
            404,
            json!({"result": false, "error": "0xc1: job not found"})
        )
    );
}

/// All 16 query fields in one request return typed seeded data.
#[tokio::test]
async fn graphql_queries_return_typed_data() {
    let gw = spawn().await;
    let install = json!({"sid|ip": "4001", "package": "ts3", "password": "testing123"});
    let (_, queued) = gw
        .direct("POST", "/api/v1/software/install", Some(install))
        .await;
    let job_id = queued["result"]["jobId"].as_u64().expect("a job id");
    wait_job(&gw, job_id).await;

    let query = r#"query($job: Int!) {
        market: hosterapiDedicatedMarket { id model description
            configuration { cpu { type count } ram { type size } storage { type count size } price location { id name } } raw }
        dedicatedTemplates: hosterapiDedicatedTemplates
        dedicated: hosterapiDedicatedServers { id provider connection kind serverId orderComplete state raw }
        dedicatedConsole: hosterapiDedicatedServerConsole(sid: 9) { url raw }
        dedicatedStatus: hosterapiDedicatedServerStatus(sid: 9) { state raw }
        dedicatedConfig: hosterapiDedicatedServerConfig(sid: 9) { ips template
            ssh { root { password } user { username password } } configuration { cpu { type } ram { size } location { name } price } }
        job: hosterapiJob(jobId: $job) { status progress output }
        status: hosterapiServerStatus(sid: 4001) { state cpu mem memfree netin netout uptime }
        config: hosterapiServerConfig(sid: 4001) { cpuCores mem disk ips template raw }
        incidents: hosterapiServerIncidents(sid: 4001) { gid start stop host direction impact types ongoing }
        console: hosterapiServerConsole(sid: 4001) { url }
        backups: hosterapiServerBackups(sid: 4001) { timestamp takenAt raw }
        backupStatus: hosterapiServerBackupStatus(sid: 4001) { status progress }
        servers: hosterapiServers { id provider connection kind serverId orderComplete state raw }
        templates: hosterapiTemplates
        software: hosterapiSoftware { package name }
    }"#;
    let d = gw.data(query, json!({"job": job_id})).await;

    let market = d["market"].as_array().expect("offers");
    assert_eq!(market.len(), 2);
    assert_eq!(
        (&market[0]["id"], &market[0]["model"]),
        (&json!(9), &json!("HP ProLiant BL460c G8"))
    );
    let hw = &market[0]["configuration"];
    assert_eq!(
        hw["location"],
        json!({"id": 2, "name": "Maincubes, Frankfurt"})
    );
    assert_eq!(
        hw["cpu"],
        json!({"type": "Intel Xeon E5-2609 v2", "count": "1"})
    );
    assert_eq!(hw["storage"]["size"], "250");
    assert_eq!(hw["price"], json!(39.0));
    assert_eq!(
        (&market[1]["id"], &market[1]["description"]),
        (&json!(84), &Value::Null)
    );
    assert_eq!(market[1]["configuration"]["price"], json!(139.0));
    assert_eq!(market[1]["raw"]["model"], "Generic");

    let dt = d["dedicatedTemplates"].as_array().expect("templates");
    assert_eq!(dt.len(), 23);
    assert!(dt.contains(&json!("Debian Buster")) && dt.contains(&json!("Ubuntu 20.04 LTS")));

    let owned = d["dedicated"].as_array().expect("owned servers");
    assert_eq!(owned.len(), 1);
    let nine = &owned[0];
    assert_eq!(nine["serverId"], "9");
    assert_eq!(nine["kind"], "DEDICATED");
    assert_eq!(nine["provider"], "HOSTERAPI");
    assert_eq!(nine["connection"], CONNECTION);
    assert_eq!(nine["orderComplete"], true);
    assert_eq!(nine["state"], "running");
    assert_eq!(nine["raw"], json!({"id": 9, "orderComplete": true}));
    assert!(
        nine["id"]
            .as_str()
            .is_some_and(|id| !id.is_empty() && id != "9"),
        "{nine}"
    );

    let url = d["dedicatedConsole"]["url"].as_str().expect("a URL");
    assert!(
        url.contains("/novnc/vnc.html?") && url.contains("dedicated%2F9%2F"),
        "{url}"
    );
    assert_eq!(d["dedicatedConsole"]["raw"], json!(url));
    assert_eq!(d["dedicatedStatus"]["state"], "running");
    assert_eq!(d["dedicatedStatus"]["raw"], json!({"state": "running"}));

    let dc = &d["dedicatedConfig"];
    assert_eq!(dc["ips"], json!(["92.246.85.200"]));
    assert_eq!(dc["template"], "Debian Jessie");
    assert_eq!(dc["ssh"]["root"]["password"], "UOosKBueLhn8");
    assert_eq!(
        dc["ssh"]["user"],
        json!({"username": "user", "password": "UOosKBueLhn8"})
    );
    assert_eq!(dc["configuration"]["cpu"]["type"], "Intel Xeon E5-2609 v1");
    assert_eq!(dc["configuration"]["ram"]["size"], "16");
    assert_eq!(
        dc["configuration"]["location"]["name"],
        "SkyLink, Eygelshoven"
    );
    assert_eq!(dc["configuration"]["price"], json!(0.0));

    assert_eq!(d["job"]["status"], "finished");
    assert_eq!(d["job"]["progress"], json!(1.0));
    assert_eq!(d["job"]["output"], json!({"package": "ts3", "sid": 4001}));

    let st = &d["status"];
    assert_eq!(st["state"], "running");
    assert_eq!(st["cpu"], json!(0.02));
    // 44% of 2048 MB in use, as the simulator models it.
    assert_eq!(st["mem"], json!(944_892_784));
    assert_eq!(st["memfree"], json!(1_202_590_864));
    assert!(st["uptime"].as_i64().is_some_and(|u| u >= 1164), "{st}");
    assert!(st["netin"].as_i64().is_some_and(|n| n >= 52240), "{st}");
    assert!(st["netout"].as_i64().is_some_and(|n| n >= 47492), "{st}");

    let cfg = &d["config"];
    assert_eq!(cfg["cpuCores"], 2);
    assert_eq!(cfg["mem"], 2048);
    assert_eq!(cfg["disk"], "100G");
    assert_eq!(cfg["ips"], json!(["127.0.0.1", "fe80::1"]));
    assert_eq!(cfg["template"], "Ubuntu20.04");
    assert_eq!(cfg["raw"]["cpuCores"], 2);

    let incidents = d["incidents"].as_array().expect("incidents");
    assert_eq!(incidents.len(), 2);
    assert_eq!(incidents[0]["gid"], 117896);
    assert_eq!(incidents[1]["gid"], 215486);
    for i in incidents {
        assert_eq!(
            i["types"],
            json!(["NTP Amplification", "DNS Amplification"])
        );
        assert_eq!(i["ongoing"], false);
        assert_eq!(i["host"], "10.50.23.5");
        assert_eq!(i["impact"], 90107632);
        assert_eq!(i["start"], "2021-02-22 18:50:33");
    }

    let url = d["console"]["url"].as_str().expect("a URL");
    assert!(
        url.contains("password=PVEVNC%3A") && url.contains("pve-sim%2F4001%2F"),
        "{url}"
    );

    let backups = d["backups"].as_array().expect("backups");
    let stamps: Vec<&Value> = backups.iter().map(|b| &b["timestamp"]).collect();
    assert_eq!(
        stamps,
        [&json!(1606685300), &json!(1606585800), &json!(1606575200)]
    );
    assert!(
        backups[0]["takenAt"]
            .as_str()
            .is_some_and(|t| t.starts_with("2020-11-29T21:28:20")),
        "{backups:?}"
    );
    assert!(
        backups[2]["takenAt"]
            .as_str()
            .is_some_and(|t| t.starts_with("2020-11-28T14:53:20")),
        "{backups:?}"
    );
    assert_eq!(backups[1]["raw"], 1606585800);
    assert_eq!(
        d["backupStatus"],
        json!({"status": "none", "progress": 0.0})
    );

    let servers = d["servers"].as_array().expect("servers");
    let ids: Vec<&Value> = servers.iter().map(|s| &s["serverId"]).collect();
    assert_eq!(ids, [&json!("4001"), &json!("4002")]);
    let states: Vec<&Value> = servers.iter().map(|s| &s["state"]).collect();
    assert_eq!(states, [&json!("running"), &json!("stopped")]);
    for s in servers {
        assert_eq!(s["kind"], "VM");
        assert_eq!(s["provider"], "HOSTERAPI");
        assert_eq!(s["connection"], CONNECTION);
        assert_eq!(s["orderComplete"], Value::Null);
    }
    assert_eq!(servers[0]["raw"], 4001);
    assert_ne!(servers[0]["id"], servers[1]["id"]);

    assert_eq!(d["templates"], json!(["Debian10.0", "Ubuntu20.04"]));
    assert_eq!(
        d["software"],
        json!([{"package": "ts3", "name": "TeamSpeak 3"}, {"package": "wordpress", "name": "WordPress"}])
    );
}

// ---------------------------------------------------------------------------------------------
// VM actions

/// Start, graceful and forced stop, and graceful and forced reboot, through both surfaces, each
/// observed in the VM's state; a graceful signal to a stopped VM fails as the upstream says.
#[tokio::test]
async fn vm_power_actions_change_state() {
    let gw = spawn().await;
    let base = "/api/v1/datacenter/server/4001";

    // A forced reboot boots the VM afresh: the seeded uptime (1164 s) starts over.
    let reply = rest_ok(&gw, "PUT", &format!("{base}/reboot/force"), None).await;
    assert_eq!(reply, json!({"result": true}));
    let status = gw
        .data(
            "{ hosterapiServerStatus(sid: 4001) { state uptime } }",
            json!({}),
        )
        .await;
    assert_eq!(status["hosterapiServerStatus"]["state"], "running");
    assert!(
        status["hosterapiServerStatus"]["uptime"]
            .as_i64()
            .is_some_and(|u| u < 60),
        "{status}"
    );

    let reply = rest_ok(&gw, "PUT", &format!("{base}/shutdown"), None).await;
    assert_eq!(reply, json!({"result": true}));
    assert_eq!(vm_state(&gw, 4001).await, "stopped");

    // Graceful signals need a running guest.
    let reboot = "mutation { hosterapiRebootServer(sid: 4001) { ok } }";
    let err = gql_upstream_error(
        &gw,
        reboot,
        json!({}),
        500,
        "0xa1: failed to send reboot signal to vm",
    )
    .await;
    assert_eq!(err["extensions"]["code"], "UPSTREAM_REJECTED");
    rest_error_as_upstream(&gw, "PUT", &format!("{base}/reboot"), None).await;
    rest_error_as_upstream(&gw, "PUT", &format!("{base}/shutdown"), None).await;
    assert_eq!(vm_state(&gw, 4001).await, "stopped");

    act(&gw, "hosterapiStartServer", 4001, "VM").await;
    assert_eq!(vm_state(&gw, 4001).await, "running");

    act(&gw, "hosterapiStopServer", 4001, "VM").await;
    assert_eq!(vm_state(&gw, 4001).await, "stopped");

    rest_ok(&gw, "PUT", &format!("{base}/start"), None).await;
    assert_eq!(vm_state(&gw, 4001).await, "running");

    act(&gw, "hosterapiRebootServer", 4001, "VM").await;
    assert_eq!(vm_state(&gw, 4001).await, "running");

    rest_ok(&gw, "PUT", &format!("{base}/stop"), None).await;
    assert_eq!(vm_state(&gw, 4001).await, "stopped");

    // A forced reboot also starts a stopped VM.
    act(&gw, "hosterapiForceRebootServer", 4001, "VM").await;
    assert_eq!(vm_state(&gw, 4001).await, "running");

    rest_ok(&gw, "PUT", &format!("{base}/reboot"), None).await;
    assert_eq!(vm_state(&gw, 4001).await, "running");

    act(&gw, "hosterapiShutdownServer", 4001, "VM").await;
    assert_eq!(vm_state(&gw, 4001).await, "stopped");

    // The other VM was never touched.
    assert_eq!(vm_state(&gw, 4002).await, "stopped");
    // An unknown VM is the upstream's 404 on both surfaces.
    let start = "mutation { hosterapiStartServer(sid: 4010) { ok } }";
    let err =
        gql_upstream_error(&gw, start, json!({}), 404, "0x01: no vm with id 4010 found").await;
    assert_eq!(err["extensions"]["code"], "NOT_FOUND");
    rest_error_as_upstream(&gw, "PUT", "/api/v1/datacenter/server/4010/start", None).await;
}

/// Resizing, rDNS, password resets and deletion through both surfaces, each observed afterwards;
/// refusals (disk downgrade, IPv6 rDNS, deleting a running VM unforced) come back as the upstream's.
#[tokio::test]
async fn vm_change_rdns_password_delete() {
    let gw = spawn().await;
    let base = "/api/v1/datacenter/server/4001";
    let config = "{ hosterapiServerConfig(sid: 4001) { cpuCores mem disk ips } }";

    // Change through GraphQL, then through REST.
    let change = format!(
        "mutation($input: HosterapiChangeServerInput!) {{ r: hosterapiChangeServer(sid: 4001, input: $input) {ACTION} }}"
    );
    let r = gw
        .data(&change, json!({"input": {"cpuCores": 4, "mem": 4096}}))
        .await["r"]
        .clone();
    assert_eq!(
        (&r["ok"], &r["server"]["serverId"]),
        (&json!(true), &json!("4001")),
        "{r}"
    );
    let c = gw.data(config, json!({})).await["hosterapiServerConfig"].clone();
    assert_eq!(
        (&c["cpuCores"], &c["mem"], &c["disk"]),
        (&json!(4), &json!(4096), &json!("100G")),
        "{c}"
    );

    let reply = rest_ok(
        &gw,
        "PUT",
        &format!("{base}/change"),
        Some(json!({"disk": "200G", "ipCount": 3})),
    )
    .await;
    assert_eq!(reply, json!({"result": true}));
    let c = gw.data(config, json!({})).await["hosterapiServerConfig"].clone();
    assert_eq!(
        (&c["cpuCores"], &c["disk"]),
        (&json!(4), &json!("200G")),
        "{c}"
    );
    let ips = c["ips"].as_array().expect("ips");
    assert_eq!(ips.len(), 3, "{c}");
    assert_eq!(&ips[..2], &[json!("127.0.0.1"), json!("fe80::1")]);
    let (status, body) = rest_error_as_upstream(
        &gw,
        "PUT",
        &format!("{base}/change"),
        Some(json!({"disk": "50G"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "0xb1: Downgrading disk size is not allowed");
    let err = gql_upstream_error(
        &gw,
        &change,
        json!({"input": {"disk": "50G"}}),
        400,
        "0xb1: Downgrading disk size is not allowed",
    )
    .await;
    assert_eq!(err["extensions"]["code"], "VALIDATION");
    assert_eq!(
        gw.data(config, json!({})).await["hosterapiServerConfig"]["disk"],
        "200G"
    );

    // rDNS on the VM's IPv4 address.
    let rdns = format!(
        "mutation($input: HosterapiSetServerRdnsInput!) {{ r: hosterapiSetServerRdns(sid: 4001, input: $input) {ACTION} }}"
    );
    let r = gw
        .data(
            &rdns,
            json!({"input": {"ip": "127.0.0.1", "hostname": "vm1.example.com"}}),
        )
        .await["r"]
        .clone();
    assert_eq!((&r["ok"], &r["raw"]), (&json!(true), &json!(true)), "{r}");
    let body = json!({"ip": "127.0.0.1", "hostname": "vm1.example.net"});
    assert_eq!(
        rest_ok(&gw, "POST", &format!("{base}/rdns"), Some(body)).await,
        json!({"result": true})
    );
    let body = json!({"ip": "fe80::1", "hostname": "vm1.example.net"});
    let (status, body) =
        rest_error_as_upstream(&gw, "POST", &format!("{base}/rdns"), Some(body)).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("0xb1: RDNS can only be set for IPv4 addresses"))
    );
    let someone_elses = json!({"input": {"ip": "127.0.0.2", "hostname": "x.example.com"}});
    gql_upstream_error(
        &gw,
        &rdns,
        someone_elses,
        400,
        "0xb1: ip 127.0.0.2 is not assigned to vm 4001",
    )
    .await;

    // Password resets: each surface gets a fresh generated password.
    let reset = "mutation { r: hosterapiResetServerPassword(sid: 4001) { status password server { serverId kind } raw } }";
    let r = gw.data(reset, json!({})).await["r"].clone();
    assert_eq!(r["status"], "success");
    assert_eq!(r["server"], json!({"serverId": "4001", "kind": "VM"}));
    let first = r["password"].as_str().expect("a password").to_string();
    assert_eq!(first.len(), 12);
    assert_eq!(r["raw"], json!({"status": "success", "password": first}));
    let reply = rest_ok(&gw, "PUT", &format!("{base}/password/reset"), None).await;
    assert_eq!(reply["result"]["status"], "success");
    let second = reply["result"]["password"].as_str().expect("a password");
    assert_eq!(second.len(), 12);
    assert_ne!(second, first);
    assert_eq!(
        keys(&reply["result"]),
        keys(&json!({"status": 0, "password": 0}))
    );

    // Deleting a running VM needs force, on both surfaces.
    let delete = format!(
        "mutation($sid: Int!, $input: HosterapiDeleteServerInput) {{ r: hosterapiDeleteServer(sid: $sid, input: $input) {ACTION} }}"
    );
    let err = gql_upstream_error(
        &gw,
        &delete,
        json!({"sid": 4001}),
        500,
        "0xa1: vm is running, use force",
    )
    .await;
    assert_eq!(err["extensions"]["code"], "UPSTREAM_REJECTED");
    let (status, body) = rest_error_as_upstream(&gw, "POST", &format!("{base}/delete"), None).await;
    assert_eq!(
        (status, body),
        (
            500,
            json!({"result": false, "error": "0xa1: vm is running, use force"})
        )
    );
    let unforced = Some(json!({"force": false}));
    rest_error_as_upstream(&gw, "POST", &format!("{base}/delete"), unforced).await;
    assert_eq!(vm_ids(&gw).await, ["4001", "4002"]);

    let reply = rest_ok(
        &gw,
        "POST",
        &format!("{base}/delete"),
        Some(json!({"force": true})),
    )
    .await;
    assert_eq!(reply, json!({"result": true}));
    assert_eq!(vm_ids(&gw).await, ["4002"]);
    assert_eq!(gw.sim.vm_ids(), [4002]);
    rest_error_as_upstream(&gw, "GET", &format!("{base}/status"), None).await;

    // A stopped VM goes without force, through GraphQL.
    let r = gw.data(&delete, json!({"sid": 4002})).await["r"].clone();
    assert_eq!(
        (&r["ok"], &r["server"]["serverId"]),
        (&json!(true), &json!("4002")),
        "{r}"
    );
    assert!(vm_ids(&gw).await.is_empty());
    gql_upstream_error(
        &gw,
        &delete,
        json!({"sid": 4002, "input": {"force": true}}),
        404,
        "0x01: no vm with id 4002 found",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// Creating and reinstalling VMs start Tasks on both surfaces that follow the upstream job to
/// SUCCEEDED, name the VM, and leave the change visible.
#[tokio::test]
async fn create_and_reinstall_vm_are_tasks() {
    let gw = spawn().await;
    let create = format!(
        "mutation($input: HosterapiCreateServerInput!) {{ r: hosterapiCreateServer(input: $input) {TASK} }}"
    );
    let input =
        json!({"template": "Debian10.0", "cpuCores": 4, "mem": 2048, "disk": "20G", "ipCount": 2});
    let r = gw.data(&create, json!({"input": input})).await["r"].clone();
    let task = &r["task"];
    assert_eq!(task["status"], "QUEUED", "{r}");
    assert_eq!(task["operation"], "hosterapiCreateServer");
    assert_eq!(task["provider"], "HOSTERAPI");
    assert_eq!(task["connection"], CONNECTION);
    assert_eq!(task["progress"], json!(0.0));
    assert_eq!(task["upstreamRef"], "job:1");
    assert_eq!(
        task["subjectId"],
        Value::Null,
        "the VM is not known before the job ends"
    );
    assert_eq!(
        r["raw"],
        json!({"status": "queued", "jobId": 1, "progress": 0})
    );

    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    assert_eq!(done["progress"], json!(1.0));
    let out = &done["output"];
    assert_eq!(
        (&out["vmid"], &out["user"]),
        (&json!(4003), &json!("root")),
        "{done}"
    );
    assert_eq!(out["ips"].as_array().map(Vec::len), Some(2), "{done}");
    assert_eq!(
        done["subjectId"],
        server_gid(&gw, "hosterapiServers", 4003).await
    );
    // The global task ID works as well as the UUID.
    let by_gid = gw
        .data(
            "query($id: ID!) { task(id: $id) { status operation } }",
            json!({"id": task["id"]}),
        )
        .await;
    assert_eq!(
        by_gid["task"],
        json!({"status": "SUCCEEDED", "operation": "hosterapiCreateServer"})
    );

    assert_eq!(vm_ids(&gw).await, ["4001", "4002", "4003"]);
    assert_eq!(vm_state(&gw, 4003).await, "running");
    let cfg = gw
        .data(
            "{ hosterapiServerConfig(sid: 4003) { cpuCores template disk ips } }",
            json!({}),
        )
        .await;
    let cfg = &cfg["hosterapiServerConfig"];
    assert_eq!(
        (&cfg["cpuCores"], &cfg["template"], &cfg["disk"]),
        (&json!(4), &json!("Debian10.0"), &json!("20G"))
    );
    assert_eq!(cfg["ips"], out["ips"]);
    let job = gw
        .data("{ hosterapiJob(jobId: 1) { status output } }", json!({}))
        .await;
    assert_eq!(job["hosterapiJob"]["status"], "finished");
    assert_eq!(&job["hosterapiJob"]["output"], out);

    // REST: the upstream's job answer exactly, and a task behind it.
    let before = task_ids(&gw).await;
    let body =
        json!({"template": "Ubuntu20.04", "cpuCores": 1, "mem": 1024, "disk": "10G", "ipCount": 1});
    let reply = rest_ok(&gw, "POST", "/api/v1/datacenter/server", Some(body)).await;
    assert_eq!(
        reply,
        json!({"result": {"status": "queued", "jobId": 2, "progress": 0}})
    );
    let task = new_task(&gw, &before, "hosterapiCreateServer").await;
    assert_eq!(task["upstreamRef"], "job:2");
    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    assert_eq!(done["output"]["vmid"], 4004);
    assert_eq!(vm_ids(&gw).await, ["4001", "4002", "4003", "4004"]);
    // A missing parameter is refused with the upstream's wording, and no job or task is started.
    let before = task_ids(&gw).await;
    let (status, body) = gw
        .rest(
            "POST",
            "/api/v1/datacenter/server",
            Some(json!({"cpuCores": 1})),
        )
        .await;
    assert_eq!(
        (status, body["result"].clone()),
        (400, json!(false)),
        "{body}"
    );
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("0xb1: ") && e.contains("template")),
        "{body}"
    );
    assert_eq!(task_ids(&gw).await, before);

    // Reinstall through REST with a template, then through GraphQL with the VM's own.
    let before = task_ids(&gw).await;
    let path = "/api/v1/datacenter/server/4003/reinstall";
    let reply = rest_ok(&gw, "PUT", path, Some(json!({"template": "Ubuntu20.04"}))).await;
    assert_eq!(
        reply,
        json!({"result": {"status": "queued", "jobId": 3, "progress": 0}})
    );
    let task = new_task(&gw, &before, "hosterapiReinstallServer").await;
    assert_eq!(task["upstreamRef"], "job:3");
    assert_eq!(
        task["subjectId"],
        server_gid(&gw, "hosterapiServers", 4003).await
    );
    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    assert_eq!(
        done["output"],
        json!({"vmid": 4003, "template": "Ubuntu20.04"})
    );
    let cfg = gw
        .data(
            "{ hosterapiServerConfig(sid: 4003) { template } }",
            json!({}),
        )
        .await;
    assert_eq!(cfg["hosterapiServerConfig"]["template"], "Ubuntu20.04");

    let reinstall = format!("mutation {{ r: hosterapiReinstallServer(sid: 4002) {TASK} }}");
    let r = gw.data(&reinstall, json!({})).await["r"].clone();
    assert_eq!(r["task"]["status"], "QUEUED");
    assert_eq!(r["task"]["operation"], "hosterapiReinstallServer");
    assert_eq!(
        r["raw"],
        json!({"status": "queued", "jobId": 4, "progress": 0})
    );
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(
        done["output"],
        json!({"vmid": 4002, "template": "Debian10.0"})
    );
    assert_eq!(
        done["subjectId"],
        server_gid(&gw, "hosterapiServers", 4002).await
    );
    // A reinstall boots the stopped VM.
    assert_eq!(vm_state(&gw, 4002).await, "running");
}

/// A VM over the upstream's limits gets a job that fails; its Task ends FAILED with the upstream's
/// `0xb0` message, and no VM appears.
#[tokio::test]
async fn resource_limits_fail_the_task() {
    let gw = spawn().await;
    let create = format!(
        "mutation($input: HosterapiCreateServerInput!) {{ r: hosterapiCreateServer(input: $input) {TASK} }}"
    );
    let input =
        json!({"template": "Debian10.0", "cpuCores": 64, "mem": 2048, "disk": "10G", "ipCount": 1});
    let r = gw.data(&create, json!({"input": input})).await["r"].clone();
    assert_eq!(r["task"]["status"], "QUEUED");
    let job_id = r["raw"]["jobId"].as_u64().expect("a job id");
    let done = finish(&gw, r["task"]["taskId"].as_str().expect("taskId"), "FAILED").await;
    let message = done["message"].as_str().expect("a message");
    assert!(message.contains("0xb0"), "{done}");
    assert_eq!(message, LIMITS_EXCEEDED);
    assert_eq!(done["progress"], json!(0.33));
    assert_eq!(done["subjectId"], Value::Null);
    let job = gw
        .data(
            "query($id: Int!) { hosterapiJob(jobId: $id) { status progress output } }",
            json!({"id": job_id}),
        )
        .await;
    assert_eq!(
        job["hosterapiJob"],
        json!({"status": "failed", "progress": 0.33, "output": LIMITS_EXCEEDED})
    );

    // The same through REST, over the memory limit.
    let before = task_ids(&gw).await;
    let body = json!({"template": "Debian10.0", "cpuCores": 2, "mem": 300000, "disk": "10G", "ipCount": 1});
    let reply = rest_ok(&gw, "POST", "/api/v1/datacenter/server", Some(body)).await;
    assert_eq!(reply["result"]["status"], "queued");
    let task = new_task(&gw, &before, "hosterapiCreateServer").await;
    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "FAILED").await;
    assert_eq!(done["message"], LIMITS_EXCEEDED);
    assert_eq!(vm_ids(&gw).await, ["4001", "4002"]);

    // A resize over the limits is refused at once rather than as a job.
    let path = "/api/v1/datacenter/server/4001/change";
    let (status, body) =
        rest_error_as_upstream(&gw, "PUT", path, Some(json!({"cpuCores": 64}))).await;
    assert_eq!(
        (status, body),
        (400, json!({"result": false, "error": LIMITS_EXCEEDED}))
    );
    let change = "mutation { hosterapiChangeServer(sid: 4001, input: {cpuCores: 64}) { ok } }";
    let err = gql_upstream_error(&gw, change, json!({}), 400, LIMITS_EXCEEDED).await;
    assert_eq!(err["extensions"]["code"], "UPSTREAM_REJECTED");
    let cfg = gw
        .data(
            "{ hosterapiServerConfig(sid: 4001) { cpuCores } }",
            json!({}),
        )
        .await;
    assert_eq!(cfg["hosterapiServerConfig"]["cpuCores"], 2);
}

/// Backups and restores, through both surfaces, are Tasks that follow the VM's backup status to
/// SUCCEEDED; a finished backup heads the list, and a second backup task at once is refused.
#[tokio::test]
async fn backups_are_tasks() {
    let gw = spawn().await;
    let base = "/api/v1/datacenter/server/4001/backups";
    let status = "{ hosterapiServerBackupStatus(sid: 4001) { status progress raw } }";
    let s = gw.data(status, json!({})).await;
    assert_eq!(s["hosterapiServerBackupStatus"]["status"], "none");

    let create = format!("mutation {{ r: hosterapiCreateServerBackup(sid: 4001) {TASK} }}");
    let before = task_ids(&gw).await;
    let r = gw.data(&create, json!({})).await["r"].clone();
    // The upstream is busy with it: a second backup task now is refused on both surfaces.
    let (code, body) = rest_error_as_upstream(&gw, "PUT", &format!("{base}/create"), None).await;
    let busy = "0xa1: a backup task is already running on this vm";
    assert_eq!((code, &body["error"]), (500, &json!(busy)));
    let mut expected = before.clone();
    expected.insert(r["task"]["taskId"].as_str().expect("taskId").to_string());
    assert_eq!(
        task_ids(&gw).await,
        expected,
        "a refused call starts no task"
    );
    assert_eq!(r["raw"], true);
    assert_eq!(r["task"]["status"], "QUEUED");
    assert_eq!(r["task"]["operation"], "hosterapiCreateServerBackup");
    assert_eq!(r["task"]["upstreamRef"], "backup:4001");
    let vm = server_gid(&gw, "hosterapiServers", 4001).await;
    assert_eq!(r["task"]["subjectId"], vm);
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(done["subjectId"], vm);

    let list = "{ hosterapiServerBackups(sid: 4001) { timestamp takenAt } }";
    let backups = gw.data(list, json!({})).await["hosterapiServerBackups"].clone();
    let backups = backups.as_array().expect("backups");
    assert_eq!(backups.len(), 4, "{backups:?}");
    let newest = backups[0]["timestamp"].as_i64().expect("a timestamp");
    assert!(newest > 1606685300, "{backups:?}");
    assert!(
        backups.iter().all(|b| b["takenAt"].is_string()),
        "{backups:?}"
    );
    let s = gw.data(status, json!({})).await;
    assert_eq!(s["hosterapiServerBackupStatus"]["status"], "finished");
    assert_eq!(s["hosterapiServerBackupStatus"]["progress"], json!(1.0));

    // Restore through REST: the upstream's `pending`, and a task behind it.
    let before = task_ids(&gw).await;
    let reply = rest_ok(
        &gw,
        "POST",
        &format!("{base}/restore"),
        Some(json!({"backup": 1606585800})),
    )
    .await;
    assert_eq!(reply, json!({"result": "pending"}));
    let task = new_task(&gw, &before, "hosterapiRestoreServerBackup").await;
    assert_eq!(task["subjectId"], vm);
    finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    let through = gw.rest("GET", &format!("{base}/status"), None).await;
    assert_eq!(
        through,
        (
            200,
            json!({"result": {"status": "finished", "progress": 1, "type": "restore"}})
        )
    );
    assert_eq!(
        through,
        gw.direct("GET", &format!("{base}/status"), None).await
    );
    let (code, body) = rest_error_as_upstream(
        &gw,
        "POST",
        &format!("{base}/restore"),
        Some(json!({"backup": 1})),
    )
    .await;
    assert_eq!(
        (code, &body["error"]),
        (404, &json!("0x01: no backup 1 found"))
    );

    // Create through REST.
    let before = task_ids(&gw).await;
    let reply = rest_ok(&gw, "PUT", &format!("{base}/create"), None).await;
    assert_eq!(reply, json!({"result": true}));
    let task = new_task(&gw, &before, "hosterapiCreateServerBackup").await;
    finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    let listed = rest_ok(&gw, "GET", &format!("{base}/list"), None).await;
    let stamps = listed["result"].as_array().expect("backups");
    assert_eq!(stamps.len(), 5, "{listed}");
    assert!(
        stamps[0].as_i64().expect("a timestamp") > newest,
        "{listed}"
    );
    assert_eq!(stamps[1], newest);

    // Restore through GraphQL.
    let restore = format!(
        "mutation($ts: Int!) {{ r: hosterapiRestoreServerBackup(sid: 4001, input: {{backup: $ts}}) {TASK} }}"
    );
    let r = gw.data(&restore, json!({"ts": 1606575200})).await["r"].clone();
    assert_eq!(r["raw"], "pending");
    assert_eq!(r["task"]["operation"], "hosterapiRestoreServerBackup");
    finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    let s = gw.data(status, json!({})).await;
    assert_eq!(
        s["hosterapiServerBackupStatus"]["raw"],
        json!({"status": "finished", "progress": 1, "type": "restore"})
    );
    // Restoring changes nothing in the list.
    assert_eq!(
        gw.data(list, json!({})).await["hosterapiServerBackups"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
}

/// Software installs and uninstalls, by VM id or IP, through both surfaces, are Tasks that end
/// SUCCEEDED with the upstream job's output.
#[tokio::test]
async fn software_install_and_uninstall_are_tasks() {
    let gw = spawn().await;

    let before = task_ids(&gw).await;
    let body = json!({"sid|ip": "4001", "package": "ts3", "password": "testing123", "port": 22});
    let reply = rest_ok(&gw, "POST", "/api/v1/software/install", Some(body)).await;
    assert_eq!(
        reply,
        json!({"result": {"status": "queued", "jobId": 1, "progress": 0}})
    );
    let task = new_task(&gw, &before, "hosterapiInstallSoftware").await;
    assert_eq!(task["upstreamRef"], "job:1");
    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    assert_eq!(done["output"], json!({"package": "ts3", "sid": 4001}));

    let install = format!(
        "mutation($input: HosterapiSoftwareInput!) {{ r: hosterapiInstallSoftware(input: $input) {TASK} }}"
    );
    let input = json!({"sidOrIp": "127.0.0.2", "package": "wordpress", "password": "pw"});
    let r = gw.data(&install, json!({"input": input})).await["r"].clone();
    assert_eq!(r["task"]["operation"], "hosterapiInstallSoftware");
    assert_eq!(r["raw"]["jobId"], 2);
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(
        done["output"],
        json!({"package": "wordpress", "sid": 4002}),
        "found by its IP"
    );

    let uninstall = format!(
        "mutation($input: HosterapiSoftwareInput!) {{ r: hosterapiUninstallSoftware(input: $input) {TASK} }}"
    );
    let input = json!({"sidOrIp": "4001", "package": "ts3", "password": "testing123", "port": 22});
    let r = gw.data(&uninstall, json!({"input": input})).await["r"].clone();
    assert_eq!(r["task"]["status"], "QUEUED");
    assert_eq!(r["task"]["operation"], "hosterapiUninstallSoftware");
    assert_eq!(
        r["raw"],
        json!({"status": "queued", "jobId": 3, "progress": 0})
    );
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(done["output"], json!({"package": "ts3", "sid": 4001}));

    // A numeric `sid|ip` is accepted over REST, as the upstream accepts it.
    let before = task_ids(&gw).await;
    let body = json!({"sid|ip": 4002, "package": "wordpress", "password": "pw"});
    let reply = rest_ok(&gw, "POST", "/api/v1/software/uninstall", Some(body)).await;
    assert_eq!(reply["result"]["jobId"], 4);
    let task = new_task(&gw, &before, "hosterapiUninstallSoftware").await;
    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    assert_eq!(done["output"], json!({"package": "wordpress", "sid": 4002}));
    let job = gw
        .data("{ hosterapiJob(jobId: 4) { status output } }", json!({}))
        .await;
    assert_eq!(job["hosterapiJob"]["status"], "finished");

    // Unknown packages and servers are the upstream's 404s.
    let before = task_ids(&gw).await;
    let body = json!({"sid|ip": "4001", "package": "nginx", "password": "pw"});
    let (code, body) =
        rest_error_as_upstream(&gw, "POST", "/api/v1/software/install", Some(body)).await;
    assert_eq!(
        (code, &body["error"]),
        (404, &json!("0x01: no package nginx found"))
    );
    let input = json!({"sidOrIp": "10.9.9.9", "package": "ts3", "password": "pw"});
    let err = gql_upstream_error(
        &gw,
        &uninstall,
        json!({"input": input}),
        404,
        "0x01: no vm with id 10.9.9.9 found",
    )
    .await;
    assert_eq!(err["extensions"]["code"], "NOT_FOUND");
    assert_eq!(task_ids(&gw).await, before, "refused calls start no task");
}

// ---------------------------------------------------------------------------------------------
// Dedicated servers

/// A dedicated server's whole life through both surfaces: ordered (a Task until the order
/// completes), powered off and on, reinstalled (a Task), given a console, and terminated.
#[tokio::test]
async fn dedicated_lifecycle() {
    let gw = spawn().await;

    // Order offer 84 through REST.
    let before = task_ids(&gw).await;
    let order = json!({"id": 84, "template": "Debian Buster", "ipCount": "2", "hostname": "d84.example.com"});
    let reply = rest_ok(
        &gw,
        "POST",
        "/api/v1/datacenter/dedicated/order",
        Some(order),
    )
    .await;
    assert_eq!(reply, json!({"result": true}));
    let listed = rest_ok(&gw, "GET", "/api/v1/datacenter/dedicated", None).await;
    assert_eq!(
        listed["result"][1],
        json!({"id": 84, "orderComplete": false})
    );
    // Installing: power signals are refused, as the upstream refuses them.
    let (code, body) =
        rest_error_as_upstream(&gw, "PUT", "/api/v1/datacenter/dedicated/84/start", None).await;
    assert_eq!(
        (code, &body["error"]),
        (500, &json!("0xa1: failed to send start signal to vm"))
    );
    let task = new_task(&gw, &before, "hosterapiOrderDedicatedServer").await;
    assert_eq!(task["upstreamRef"], "order:84");
    let done = finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    assert_eq!(done["output"], json!({"id": 84, "orderComplete": true}));
    let gid84 = server_gid(&gw, "hosterapiDedicatedServers", 84).await;
    assert_eq!(done["subjectId"], gid84);
    assert_eq!(
        task["subjectId"], gid84,
        "the order names its server from the start"
    );

    let owned = gw
        .data(
            "{ hosterapiDedicatedServers { serverId kind orderComplete state } }",
            json!({}),
        )
        .await;
    assert_eq!(
        owned["hosterapiDedicatedServers"],
        json!([
            {"serverId": "9", "kind": "DEDICATED", "orderComplete": true, "state": "running"},
            {"serverId": "84", "kind": "DEDICATED", "orderComplete": true, "state": "running"}
        ])
    );
    let cfg = gw
        .data(
            "{ hosterapiDedicatedServerConfig(sid: 84) { ips template ssh { root { password } } \
             configuration { cpu { type } price location { name } } } }",
            json!({}),
        )
        .await;
    let cfg = &cfg["hosterapiDedicatedServerConfig"];
    assert_eq!(cfg["ips"].as_array().map(Vec::len), Some(2), "{cfg}");
    assert_eq!(cfg["template"], "Debian Buster");
    assert_eq!(cfg["configuration"]["cpu"]["type"], "AMD Ryzen 7 3800X");
    assert_eq!(cfg["configuration"]["price"], json!(139.0));
    assert_ne!(
        cfg["ssh"]["root"]["password"], "UOosKBueLhn8",
        "a fresh server gets its own password"
    );

    // An offer already owned cannot be ordered again; no task is started for the refusal.
    let order_gql = format!(
        "mutation($input: HosterapiOrderDedicatedServerInput!) {{ r: hosterapiOrderDedicatedServer(input: $input) {TASK} }}"
    );
    let before = task_ids(&gw).await;
    let again = json!({"input": {"id": 84, "template": "Debian Buster"}});
    gql_upstream_error(
        &gw,
        &order_gql,
        again,
        500,
        "0xa1: server 84 is already ordered",
    )
    .await;
    assert_eq!(task_ids(&gw).await, before);

    // Power through both surfaces.
    act(&gw, "hosterapiShutdownDedicatedServer", 84, "DEDICATED").await;
    assert_eq!(dedicated_state(&gw, 84).await, "halted");
    assert_eq!(
        dedicated_state(&gw, 9).await,
        "running",
        "only 84 was stopped"
    );
    let reply = rest_ok(&gw, "PUT", "/api/v1/datacenter/dedicated/84/start", None).await;
    assert_eq!(reply, json!({"result": true}));
    assert_eq!(dedicated_state(&gw, 84).await, "running");
    rest_ok(&gw, "PUT", "/api/v1/datacenter/dedicated/84/shutdown", None).await;
    assert_eq!(dedicated_state(&gw, 84).await, "halted");
    act(&gw, "hosterapiRebootDedicatedServer", 84, "DEDICATED").await;
    assert_eq!(dedicated_state(&gw, 84).await, "running");
    act(&gw, "hosterapiShutdownDedicatedServer", 84, "DEDICATED").await;
    act(&gw, "hosterapiStartDedicatedServer", 84, "DEDICATED").await;
    assert_eq!(dedicated_state(&gw, 84).await, "running");
    rest_ok(&gw, "PUT", "/api/v1/datacenter/dedicated/9/shutdown", None).await;
    rest_ok(&gw, "PUT", "/api/v1/datacenter/dedicated/9/reboot", None).await;
    assert_eq!(dedicated_state(&gw, 9).await, "running");

    // Reinstall through GraphQL, then through REST.
    let reinstall = format!(
        "mutation($sid: Int!, $input: HosterapiReinstallDedicatedServerInput!) \
         {{ r: hosterapiReinstallDedicatedServer(sid: $sid, input: $input) {TASK} }}"
    );
    let vars = json!({"sid": 84, "input": {"template": "Ubuntu 20.04 LTS", "hostname": "d84.example.com"}});
    let r = gw.data(&reinstall, vars).await["r"].clone();
    assert_eq!(r["raw"], true);
    assert_eq!(r["task"]["status"], "QUEUED");
    assert_eq!(r["task"]["operation"], "hosterapiReinstallDedicatedServer");
    assert_eq!(r["task"]["subjectId"], gid84);
    assert_eq!(dedicated_state(&gw, 84).await, "installing");
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(done["output"], json!({"state": "running"}));
    let cfg = gw
        .data(
            "{ hosterapiDedicatedServerConfig(sid: 84) { template } }",
            json!({}),
        )
        .await;
    assert_eq!(
        cfg["hosterapiDedicatedServerConfig"]["template"],
        "Ubuntu 20.04 LTS"
    );

    let before = task_ids(&gw).await;
    let body = json!({"template": "Proxmox VE 6"});
    let reply = rest_ok(
        &gw,
        "PUT",
        "/api/v1/datacenter/dedicated/9/reinstall",
        Some(body),
    )
    .await;
    assert_eq!(reply, json!({"result": true}));
    let task = new_task(&gw, &before, "hosterapiReinstallDedicatedServer").await;
    assert_eq!(task["upstreamRef"], "reinstall:9");
    finish(&gw, task["taskId"].as_str().expect("taskId"), "SUCCEEDED").await;
    let config = rest_ok(&gw, "GET", "/api/v1/datacenter/dedicated/9/config", None).await;
    assert_eq!(config["result"]["template"], "Proxmox VE 6");
    assert_eq!(dedicated_state(&gw, 9).await, "running");

    // Consoles.
    let console = gw
        .data(
            "{ hosterapiDedicatedServerConsole(sid: 84) { url } }",
            json!({}),
        )
        .await;
    let url = console["hosterapiDedicatedServerConsole"]["url"]
        .as_str()
        .expect("a URL");
    assert!(
        url.starts_with("http://") && url.contains("/novnc/vnc.html?"),
        "{url}"
    );
    assert!(url.contains("dedicated%2F84%2F"), "{url}");
    let reply = rest_ok(&gw, "GET", "/api/v1/datacenter/dedicated/84/console", None).await;
    let rest_url = reply["result"].as_str().expect("a URL");
    assert_eq!(without_ticket(rest_url).0, without_ticket(url).0);

    // Terminate 9 through GraphQL, order it again through GraphQL, terminate 84 through REST.
    let r = act(&gw, "hosterapiTerminateDedicatedServer", 9, "DEDICATED").await;
    assert_eq!(r["server"]["serverId"], "9");
    let owned = gw
        .data("{ hosterapiDedicatedServers { serverId } }", json!({}))
        .await;
    assert_eq!(
        owned["hosterapiDedicatedServers"],
        json!([{"serverId": "84"}])
    );

    let vars = json!({"input": {"id": 9, "template": "Debian Buster", "ipCount": "1"}});
    let r = gw.data(&order_gql, vars).await["r"].clone();
    assert_eq!(r["raw"], true);
    assert_eq!(r["task"]["operation"], "hosterapiOrderDedicatedServer");
    assert_eq!(r["task"]["upstreamRef"], "order:9");
    assert!(
        ["QUEUED", "RUNNING"].contains(&r["task"]["status"].as_str().unwrap_or_default()),
        "{r}"
    );
    let done = finish(
        &gw,
        r["task"]["taskId"].as_str().expect("taskId"),
        "SUCCEEDED",
    )
    .await;
    assert_eq!(done["output"], json!({"id": 9, "orderComplete": true}));

    let reply = rest_ok(
        &gw,
        "POST",
        "/api/v1/datacenter/dedicated/84/terminate",
        None,
    )
    .await;
    assert_eq!(reply, json!({"result": true}));
    let owned = gw
        .data(
            "{ hosterapiDedicatedServers { serverId orderComplete } }",
            json!({}),
        )
        .await;
    assert_eq!(
        owned["hosterapiDedicatedServers"],
        json!([{"serverId": "9", "orderComplete": true}])
    );
    let (code, body) =
        rest_error_as_upstream(&gw, "GET", "/api/v1/datacenter/dedicated/84/status", None).await;
    assert_eq!(
        (code, &body["error"]),
        (404, &json!("0x01: no vm with id 84 found"))
    );
    let terminate = "mutation { hosterapiTerminateDedicatedServer(sid: 84) { ok } }";
    gql_upstream_error(
        &gw,
        terminate,
        json!({}),
        404,
        "0x01: no vm with id 84 found",
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Route table

/// The declared endpoints are exactly the 37 HosterAPI rows of `endpoints.tsv` (method and path),
/// each a query (GET) or mutation field of the schema named `hosterapi...`.
#[test]
fn route_table_matches_endpoints_tsv() {
    crate::helpers::assert_route_table(Provider::Hosterapi, 37);

    let sdl = hostplane_resolvers::build_schema(None, &Default::default()).sdl();
    let section = |name: &str| {
        let start = sdl
            .find(&format!("type {name} {{"))
            .unwrap_or_else(|| panic!("no {name}"));
        let end = start + sdl[start..].find("\n}").expect("end of type");
        sdl[start..end].to_string()
    };
    let (query, mutation) = (section("Query"), section("Mutation"));
    let mut fields = HashSet::new();
    for e in hostplane_resolvers::endpoints().filter(|e| e.provider == Provider::Hosterapi) {
        let field = e.field();
        assert!(field.starts_with("hosterapi"), "{field}");
        assert!(fields.insert(field.clone()), "{field} declared twice");
        let (is_in, not_in) = if e.method.as_str() == "GET" {
            (&query, &mutation)
        } else {
            (&mutation, &query)
        };
        let pattern = format!("\t{field}(");
        assert!(
            is_in.contains(&pattern),
            "{} {} -> {field} is on the wrong root",
            e.method.as_str(),
            e.path
        );
        assert!(!not_in.contains(&pattern), "{field} is on both roots");
        for param in e.path.split('/').filter(|s| s.starts_with('{')) {
            let name = param.trim_matches(|c| c == '{' || c == '}');
            let at = is_in.find(&pattern).expect("field found above");
            let signature = &is_in[at..at + is_in[at..].find("):").expect("end of arguments")];
            assert!(
                signature.contains(&format!("{name}: Int!")),
                "{field} lacks argument {name}"
            );
        }
    }
}
