//! HosterAPI's reads: every read endpoint through the REST layer against the simulator's own
//! answers, the typed GraphQL queries, and the route table.

use super::*;

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

/// The declared endpoints are exactly the HosterAPI rows of `endpoints.tsv` (method and path),
/// each a query (GET) or mutation field of the schema named `hosterapi...`.
#[test]
fn route_table_matches_endpoints_tsv() {
    crate::helpers::assert_route_table(Provider::Hosterapi);

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
