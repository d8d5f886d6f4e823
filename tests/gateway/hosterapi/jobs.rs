//! HosterAPI's jobs as Tasks: VM creation and reinstallation, resource limits, software installs.

use super::*;

const LIMITS_EXCEEDED: &str = "0xb0: Requested resources exceed administrative limits";

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
