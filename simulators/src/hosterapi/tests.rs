//! The HosterAPI simulator's own tests: auth, the seeded datacenter, errors, and jobs, backups and
//! orders progressing over time.

use super::{flows::LIMITS_EXCEEDED, *};
use hostplane_adapters::hosterapi::envelope::{error_body, success};
use serde_json::{Value, json};

const TOKEN: &str = "test-token";

/// A running simulator and a caller that authenticates and prefixes `/api/v1/`.
struct Api {
    sim: Simulator,
    server: SimServer,
    client: reqwest::Client,
}

impl Api {
    async fn boot(job_ms: u64) -> Api {
        let job_duration = Duration::from_millis(job_ms);
        let config = SimConfig {
            token: TOKEN.into(),
            job_duration,
        };
        let (sim, server) = Simulator::start(config).await.unwrap();
        Api {
            sim,
            server,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.server.base_url())
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.bearer_auth(TOKEN).send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let req = self.client.request(method, self.url(path));
        self.send(match body {
            Some(body) => req.json(&body),
            None => req,
        })
        .await
    }

    async fn get(&self, path: &str) -> Value {
        self.call("GET", path, None).await.1
    }
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

/// A missing or wrong bearer token gets the documented 401 body.
#[tokio::test]
async fn unauthorized() {
    let api = Api::boot(300).await;
    let (top, nested) = (
        api.url("datacenter/server"),
        api.url("datacenter/server/4001/status"),
    );
    let client = &api.client;
    for req in [client.get(&top), client.get(&nested).bearer_auth("wrong")] {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body,
            json!({"result": false, "error": "0x03: unauthorized"})
        );
    }
}

/// The seeded VMs are listed and the seeded one's config and incidents match the docs.
#[tokio::test]
async fn lists_seeded_vms() {
    let api = Api::boot(300).await;
    assert_eq!(
        api.get("datacenter/server").await,
        json!({"result": [4001, 4002]})
    );
    assert_eq!(api.sim.vm_ids(), vec![4001, 4002]);
    let config = json!({
        "cpuCores": 2, "mem": 2048, "disk": "100G", "ips": ["127.0.0.1", "fe80::1"],
        "template": "Ubuntu20.04"
    });
    assert_eq!(
        api.get("datacenter/server/4001/config").await,
        success(config)
    );
    let incidents = api.get("datacenter/server/4001/incidents").await;
    assert_eq!(incidents["error"], json!(false));
    assert_eq!(incidents["response"].as_array().unwrap().len(), 2);
}

/// Unknown and non-numeric VM ids, and unknown jobs, get the documented 404 bodies.
#[tokio::test]
async fn unknown_ids_are_404() {
    let api = Api::boot(300).await;
    for sid in ["4010", "abc"] {
        let got = api
            .call("GET", &format!("datacenter/server/{sid}/status"), None)
            .await;
        let error = format!("0x01: no vm with id {sid} found");
        assert_eq!(got, (404, error_body(&error)));
    }
    let got = api.call("GET", "job/99", None).await;
    assert_eq!(got, (404, error_body("0xc1: job not found")));
}

/// A missing body parameter and an unparsable body get the documented 400 bodies.
#[tokio::test]
async fn bad_bodies_are_400() {
    let api = Api::boot(300).await;
    let body = json!({"cpuCores": 2, "mem": 2048, "disk": "10G", "ipCount": 1});
    let got = api.call("POST", "datacenter/server", Some(body)).await;
    assert_eq!(
        got,
        (400, error_body("0xb1: Missing required parameter template"))
    );
    let garbled = api
        .client
        .post(api.url("datacenter/server"))
        .body("{not json");
    let got = api.send(garbled).await;
    assert_eq!(got, (400, error_body("0xb1: invalid JSON body")));
}

/// A create-VM job goes queued -> executing -> finished, and only then does the VM exist.
#[tokio::test]
async fn create_vm_job_progresses() {
    let api = Api::boot(1000).await;
    let body =
        json!({"template": "Debian10.0", "cpuCores": 4, "mem": 2048, "disk": "10G", "ipCount": 2});
    let (status, queued) = api.call("POST", "datacenter/server", Some(body)).await;
    let job_id = queued["result"]["jobId"].as_u64().unwrap();
    let expected = json!({"status": "queued", "jobId": job_id, "progress": 0});
    assert_eq!((status, queued), (200, success(expected)));
    let path = format!("job/{job_id}");
    let queued = json!({"status": "queued", "progress": 0, "output": null});
    assert_eq!(api.get(&path).await, success(queued));

    sleep_ms(400).await;
    let executing = api.get(&path).await["result"].clone();
    assert_eq!(executing["status"], "executing");
    let progress = executing["progress"].as_f64().unwrap();
    assert!(progress > 0.0 && progress < 1.0, "{progress}");
    assert_eq!(api.sim.vm_ids(), vec![4001, 4002]);

    sleep_ms(700).await;
    let done = api.get(&path).await["result"].clone();
    assert_eq!(
        (&done["status"], &done["progress"]),
        (&json!("finished"), &json!(1))
    );
    let out = &done["output"];
    assert_eq!((&out["vmid"], &out["user"]), (&json!(4003), &json!("root")));
    assert_eq!(out["ips"].as_array().unwrap().len(), 2);
    assert_eq!(out["password"].as_str().unwrap().len(), 12);
    assert_eq!(
        api.get("datacenter/server").await,
        success(json!([4001, 4002, 4003]))
    );
    assert_eq!(
        api.get("datacenter/server/4003/status").await["result"]["state"],
        "running"
    );
}

/// A VM over the resource limits fails its job at 0.33 with `0xb0` and is never created.
#[tokio::test]
async fn over_limit_job_fails() {
    let api = Api::boot(300).await;
    let body =
        json!({"template": "Debian10.0", "cpuCores": 64, "mem": 2048, "disk": "10G", "ipCount": 1});
    let (_, queued) = api.call("POST", "datacenter/server", Some(body)).await;
    let job_id = queued["result"]["jobId"].as_u64().unwrap();
    sleep_ms(350).await;
    let failed = json!({"status": "failed", "progress": 0.33, "output": LIMITS_EXCEEDED});
    assert_eq!(api.get(&format!("job/{job_id}")).await, success(failed));
    assert_eq!(api.sim.vm_ids(), vec![4001, 4002]);
}

/// A backup goes pending -> running -> finished, then heads the list and can be restored.
#[tokio::test]
async fn backup_cycle() {
    let api = Api::boot(1000).await;
    let status = "datacenter/server/4001/backups/status";
    assert_eq!(
        api.get(status).await,
        success(json!({"status": "none", "progress": 0}))
    );
    let created = api
        .call("PUT", "datacenter/server/4001/backups/create", None)
        .await;
    assert_eq!(created, (200, success(json!(true))));
    assert_eq!(
        api.get(status).await,
        success(json!({"status": "pending", "progress": 0}))
    );
    sleep_ms(400).await;
    assert_eq!(api.get(status).await["result"]["status"], "running");
    sleep_ms(700).await;
    assert_eq!(
        api.get(status).await,
        success(json!({"status": "finished", "progress": 1}))
    );
    let list = api.get("datacenter/server/4001/backups/list").await["result"].clone();
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert!(list[0].as_u64().unwrap() > 1606685300);

    let restore = "datacenter/server/4001/backups/restore";
    let got = api.call("POST", restore, None).await;
    assert_eq!(got, (400, error_body("0xa5: no target backup defined")));
    let got = api.call("POST", restore, Some(json!({"backup": 1}))).await;
    assert_eq!(got, (404, error_body("0x01: no backup 1 found")));
    let got = api
        .call("POST", restore, Some(json!({"backup": list[1]})))
        .await;
    assert_eq!(got, (200, success(json!("pending"))));
    assert_eq!(api.get(status).await["result"]["type"], "restore");
}

/// An ordered dedicated server is listed at once as incomplete and completes after the duration.
#[tokio::test]
async fn dedicated_order_completes() {
    let api = Api::boot(300).await;
    let order = json!({"id": 84, "template": "Debian Buster", "ipCount": "2"});
    let got = api
        .call("POST", "datacenter/dedicated/order", Some(order))
        .await;
    assert_eq!(got, (200, success(json!(true))));
    let owned = json!([{"id": 9, "orderComplete": true}, {"id": 84, "orderComplete": false}]);
    assert_eq!(api.get("datacenter/dedicated").await, success(owned));
    let status = api.get("datacenter/dedicated/84/status").await;
    assert_eq!(status, success(json!({"state": "installing"})));
    sleep_ms(350).await;
    let owned = api.get("datacenter/dedicated").await;
    assert_eq!(owned["result"][1], json!({"id": 84, "orderComplete": true}));
    let config = api.get("datacenter/dedicated/84/config").await["result"].clone();
    assert_eq!(config["ips"].as_array().unwrap().len(), 2);
    assert_eq!(config["configuration"]["price"], 139);
    let unknown = json!({"id": 5, "template": "Debian Buster"});
    let got = api
        .call("POST", "datacenter/dedicated/order", Some(unknown))
        .await;
    assert_eq!(got, (404, error_body("0x01: no vm with id 5 found")));
}

/// Power signals move a VM between states; graceful ones and unforced deletes are refused.
#[tokio::test]
async fn vm_power_and_delete() {
    let api = Api::boot(300).await;
    let got = api.call("PUT", "datacenter/server/4002/reboot", None).await;
    assert_eq!(
        got,
        (500, error_body("0xa1: failed to send reboot signal to vm"))
    );
    assert_eq!(
        api.call("PUT", "datacenter/server/4002/start", None)
            .await
            .0,
        200
    );
    assert_eq!(
        api.get("datacenter/server/4002/status").await["result"]["state"],
        "running"
    );
    let got = api
        .call("POST", "datacenter/server/4002/delete", None)
        .await;
    assert_eq!(got, (500, error_body("0xa1: vm is running, use force")));
    let force = Some(json!({"force": true}));
    let got = api
        .call("POST", "datacenter/server/4002/delete", force)
        .await;
    assert_eq!(got, (200, success(json!(true))));
    assert_eq!(api.sim.vm_ids(), vec![4001]);
}

/// Each of the 37 documented routes answers a HosterAPI envelope, not axum's bare 404/405.
#[tokio::test]
async fn all_documented_routes_answer() {
    let api = Api::boot(300).await;
    let routes = "GET dedicated/market, POST dedicated/order, GET dedicated/templates,
        GET dedicated, PUT dedicated/9/start, PUT dedicated/9/shutdown, PUT dedicated/9/reboot,
        PUT dedicated/9/reinstall, GET dedicated/9/console, GET dedicated/9/status,
        GET dedicated/9/config, POST dedicated/9/terminate, GET server/4001/status,
        GET server/4001/config, GET server/4001/incidents, GET server/4001/console,
        POST server/4001/delete, POST server/4001/rdns, PUT server/4001/change,
        PUT server/4001/start, PUT server/4001/shutdown, PUT server/4001/stop,
        PUT server/4001/reboot, PUT server/4001/reboot/force, PUT server/4001/reinstall,
        PUT server/4001/password/reset, GET server/4001/backups/list,
        GET server/4001/backups/status, PUT server/4001/backups/create,
        POST server/4001/backups/restore, POST server, GET server, GET templates";
    let mut all: Vec<(&str, String)> = routes
        .split(',')
        .map(|r| r.trim().split_once(' ').unwrap())
        .map(|(method, path)| (method, format!("datacenter/{path}")))
        .collect();
    all.extend([("GET", "job/1"), ("GET", "software/list")].map(|(m, p)| (m, p.into())));
    all.extend(["install", "uninstall"].map(|p| ("POST", format!("software/{p}"))));
    assert_eq!(all.len(), 37);
    for (method, path) in all {
        let (_, body) = api.call(method, &path, Some(json!({}))).await;
        assert!(
            body.get("result").or(body.get("response")).is_some(),
            "{method} {path}: {body}"
        );
    }
}
