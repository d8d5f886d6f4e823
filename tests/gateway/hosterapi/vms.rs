//! HosterAPI's VM actions: power signals, resizing, reverse DNS, password resets and deletion.

use super::*;

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
