//! HosterAPI's dedicated servers: market, orders, power, reinstallation and termination.

use super::*;

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
