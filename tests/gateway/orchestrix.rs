//! WP Orchestrix through the gateway: its 34 endpoints on the REST layer at their original paths
//! (checked against the simulator's own answers), Relay lists over its numbered pages, the unified
//! `Site`, snapshots and upgrade pipelines as Tasks, the caller's own upstream credentials passed
//! through on both surfaces, and the webhook signing secret kept for admins.

use crate::helpers::{ORCHESTRIX, TestGateway, admin, spawn, token};
use hostplane_schema::{GlobalId, list::decode_cursor, principal::Scope};
use serde_json::{Value, json};
use std::{collections::BTreeSet, time::Duration};

const HOME: &str = "site_abc123";
const LOGIN: &str = "owner@example.com";
const PASSWORD: &str = "correct horse";

fn parse(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(bytes)))
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

/// `Authorization: token <admin gateway JWT>`.
fn admin_auth() -> String {
    format!("token {}", admin())
}

/// An Orchestrix REST call through the gateway with `Authorization` set verbatim (or absent): status
/// and JSON body (null for an empty one). Every non-empty answer must be JSON.
async fn rest(
    gw: &TestGateway,
    authorization: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, content_type, bytes) = gw.orchestrix_rest(authorization, method, path, body).await;
    if !bytes.is_empty() {
        assert_eq!(
            content_type, "application/json",
            "{method} {path} through the gateway"
        );
    }
    (status, parse(&bytes))
}

/// A REST call as an admin of the gateway.
async fn rest_admin(
    gw: &TestGateway,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    rest(gw, Some(&admin_auth()), method, path, body).await
}

/// The same call straight to the simulator, with the stored token.
async fn direct(gw: &TestGateway, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, bytes) = gw.orchestrix_direct(method, path, body).await;
    (status, parse(&bytes))
}

/// A GraphQL call as an admin that acts upstream with the caller's own credential
/// (`X-Orchestrix-Authorization`).
async fn gql_passing(gw: &TestGateway, upstream: &str, query: &str, variables: Value) -> Value {
    let resp = gw
        .http
        .post(gw.url("/graphql"))
        .bearer_auth(admin())
        .header("X-Orchestrix-Authorization", upstream)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("gateway answers");
    assert_eq!(resp.status().as_u16(), 200);
    resp.json().await.expect("GraphQL answers JSON")
}

/// The extensions of a GraphQL response's first error.
fn ext(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]
}

fn code(body: &Value) -> &str {
    ext(body)["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

fn site_gid(id: &str) -> String {
    GlobalId::new("Site", ORCHESTRIX, id).encode()
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

/// The `id`s of a list of upstream objects.
fn ids(items: &Value) -> Vec<String> {
    let items = items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"));
    items.iter().map(|i| text(&i["id"])).collect()
}

// ---------------------------------------------------------------------------------------------
// Reads

/// Every read endpoint answers through the REST layer exactly as the upstream does, not-found errors
/// included.
#[tokio::test]
async fn rest_reads_match_the_upstream() {
    let gw = spawn().await;
    // Objects that lists start empty of: a pipeline awaiting approval and a webhook endpoint.
    let body = Some(json!({"plugins": ["akismet"]}));
    let (status, pipe) = direct(
        &gw,
        "POST",
        "/api/v1/sites/site_abc123/upgrade_pipelines",
        body,
    )
    .await;
    assert_eq!(status, 201, "{pipe}");
    let body = Some(json!({"url": "https://hooks.example.com/o", "events": ["site.updated"]}));
    let (status, hook) = direct(&gw, "POST", "/api/v1/webhook_endpoints", body).await;
    assert_eq!(status, 201, "{hook}");

    let home = format!("/api/v1/sites/{HOME}");
    let (_, checks) = direct(&gw, "GET", &format!("{home}/health_checks"), None).await;
    let check = &ids(&checks)[0];
    let (_, vulns) = direct(&gw, "GET", &format!("{home}/vulnerability_records"), None).await;
    let vuln = &ids(&vulns)[0];
    let (_, snaps) = direct(&gw, "GET", &format!("{home}/snapshots"), None).await;
    let snap = &ids(&snaps)[0];
    let pipe_id = text(&pipe["id"]);
    let hook_id = text(&hook["id"]);
    let shop = &gw.orchestrix.site_ids()[1];

    let reads = [
        "/api/v1/sites".to_string(),
        home.clone(),
        format!("/api/v1/sites/{shop}"),
        format!("{home}/health_checks"),
        format!("{home}/health_checks/{check}"),
        format!("{home}/snapshots"),
        format!("{home}/snapshots/{snap}"),
        format!("{home}/upgrade_pipelines"),
        format!("{home}/upgrade_pipelines/{pipe_id}"),
        format!("{home}/vulnerability_records"),
        format!("{home}/vulnerability_records/{vuln}"),
        "/api/v1/activity_logs".to_string(),
        "/api/v1/activity_logs?page=2".to_string(),
        "/api/v1/activity_logs?page=3".to_string(),
        "/api/v1/webhook_endpoints".to_string(),
        format!("/api/v1/webhook_endpoints/{hook_id}"),
        "/api/v1/me".to_string(),
        "/api/v1/accounts".to_string(),
        "/api/v1/accounts/acc_2".to_string(),
        "/api/v1/users".to_string(),
    ];
    for path in &reads {
        let through = rest_admin(&gw, "GET", path, None).await;
        let upstream = direct(&gw, "GET", path, None).await;
        assert_eq!(through.0, 200, "GET {path}: {}", through.1);
        assert_eq!(through, upstream, "GET {path}");
    }

    let missing = [
        "/api/v1/sites/site_nope".to_string(),
        "/api/v1/sites/site_nope/snapshots".to_string(),
        format!("{home}/health_checks/hc_nope"),
        format!("{home}/snapshots/snap_nope"),
        format!("{home}/upgrade_pipelines/pipe_nope"),
        format!("{home}/vulnerability_records/vuln_nope"),
        "/api/v1/webhook_endpoints/wh_nope".to_string(),
        "/api/v1/accounts/acc_nope".to_string(),
    ];
    for path in &missing {
        let through = rest_admin(&gw, "GET", path, None).await;
        assert_eq!(through, (404, error("Record not found")), "GET {path}");
        assert_eq!(through, direct(&gw, "GET", path, None).await, "GET {path}");
    }

    // Spot checks, so that two empty answers cannot pass.
    let (_, sites) = rest_admin(&gw, "GET", "/api/v1/sites", None).await;
    assert_eq!(
        sites[0],
        json!({"id": "site_abc123", "name": "My WordPress Site", "url": "https://example.com",
               "status": "healthy", "wp_version": "6.5", "php_version": "8.2",
               "created_at": "2026-01-15T10:30:00Z"})
    );
    assert_eq!(sites.as_array().map(Vec::len), Some(3));
    let (_, page3) = rest_admin(&gw, "GET", "/api/v1/activity_logs?page=3", None).await;
    let (_, page2) = rest_admin(&gw, "GET", "/api/v1/activity_logs?page=2", None).await;
    assert_eq!(page2.as_array().map(Vec::len), Some(25));
    // 60 seeded entries and the two creations above.
    assert_eq!(page3.as_array().map(Vec::len), Some(12));
    assert!(ids(&page2).iter().all(|id| !ids(&page3).contains(id)));
    let (_, hooks) = rest_admin(&gw, "GET", "/api/v1/webhook_endpoints", None).await;
    assert_eq!(ids(&hooks), vec![hook_id.clone()]);
    assert!(
        hooks[0].get("secret").is_none(),
        "lists leave the secret out"
    );
    let (_, users) = rest_admin(&gw, "GET", "/api/v1/users", None).await;
    assert_eq!(ids(&users), ["usr_1", "usr_2", "usr_3"]);
    let (_, me) = rest_admin(&gw, "GET", "/api/v1/me", None).await;
    assert_eq!(me["email"], LOGIN);
    let (_, pipes) = rest_admin(&gw, "GET", &format!("{home}/upgrade_pipelines"), None).await;
    assert_eq!(ids(&pipes), [pipe_id]);
}

/// `first`/`after` walk the upstream's pages as one Relay connection; `page` is one upstream page.
#[tokio::test]
async fn relay_pagination() {
    let gw = spawn().await;
    const LOGS: &str = "query($first: Int, $after: String, $page: Int) {
        orchestrixActivityLogs(first: $first, after: $after, page: $page) {
            edges { cursor node { id action subjectType } }
            pageInfo { hasNextPage hasPreviousPage endCursor }
            totalCount raw } }";
    let mut upstream = Vec::new();
    for page in 1..=3 {
        let path = format!("/api/v1/activity_logs?page={page}");
        let (status, items) = direct(&gw, "GET", &path, None).await;
        assert_eq!(status, 200);
        upstream.push(items);
    }
    let all_upstream: Vec<Value> = upstream
        .iter()
        .flat_map(|p| p.as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(all_upstream.len(), 60);

    let first = gw.data(LOGS, json!({"first": 30})).await["orchestrixActivityLogs"].clone();
    let edges = first["edges"].as_array().expect("edges").clone();
    assert_eq!(edges.len(), 30);
    assert_eq!(first["totalCount"], 60);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    let pages: BTreeSet<i32> = edges
        .iter()
        .map(|e| {
            decode_cursor(e["cursor"].as_str().unwrap())
                .expect("a cursor")
                .0
        })
        .collect();
    assert_eq!(
        pages,
        BTreeSet::from([1, 2]),
        "30 items span upstream pages 1 and 2"
    );
    assert_eq!(first["pageInfo"]["endCursor"], edges[29]["cursor"]);
    for (edge, raw) in edges.iter().zip(first["raw"].as_array().unwrap()) {
        assert_eq!(edge["node"]["id"], raw["id"]);
        assert_eq!(edge["node"]["subjectType"], raw["subject_type"]);
    }

    let vars = json!({"first": 30, "after": first["pageInfo"]["endCursor"]});
    let rest = gw.data(LOGS, vars).await["orchestrixActivityLogs"].clone();
    let more = rest["edges"].as_array().expect("edges").clone();
    assert_eq!(more.len(), 30);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);
    let seen: BTreeSet<String> = edges
        .iter()
        .chain(&more)
        .map(|e| text(&e["node"]["id"]))
        .collect();
    assert_eq!(seen.len(), 60, "no item twice, none left out");
    let mut raws = first["raw"].as_array().unwrap().clone();
    raws.extend(rest["raw"].as_array().unwrap().iter().cloned());
    assert_eq!(raws, all_upstream);

    let page3 = gw.data(LOGS, json!({"page": 3})).await["orchestrixActivityLogs"].clone();
    assert_eq!(page3["raw"], upstream[2]);
    assert_eq!(page3["edges"].as_array().map(Vec::len), Some(10));
    assert_eq!(page3["totalCount"], 60);
    assert_eq!(page3["pageInfo"]["hasNextPage"], false);

    let calls = gw
        .orchestrix_upstream
        .log
        .count("GET", "/api/v1/activity_logs");
    let garbage = json!({"first": 5, "after": "not-a-cursor"});
    let both = json!({"page": 2, "after": first["pageInfo"]["endCursor"]});
    for vars in [json!({"first": 0}), json!({"first": 500}), garbage, both] {
        let body = gw.gql(LOGS, vars.clone()).await;
        assert_eq!(code(&body), "VALIDATION", "{vars}: {body}");
    }
    assert_eq!(
        gw.orchestrix_upstream
            .log
            .count("GET", "/api/v1/activity_logs"),
        calls,
        "refused arguments reach no upstream"
    );
}

/// When `first` needs more upstream pages than one request may fetch, the connection stops short
/// but still says more follow, and `after` picks up where it stopped.
#[tokio::test]
async fn relay_pagination_past_the_page_budget() {
    use hostplane_adapters::Provider;
    use hostplane_resolvers::connections::{ConnectionSpec, Credentials};
    use hostplane_simulators::orchestrix::{SimConfig, Simulator};
    let gw = spawn().await;
    // An account whose lists come 10 to a page: `first: 100` needs more than 5 upstream pages.
    let config = SimConfig {
        api_token: "small-token".into(),
        page_size: 10,
        ..SimConfig::default()
    };
    let (_sim, server) = Simulator::start(config).await.expect("start a simulator");
    let spec = ConnectionSpec {
        name: "orch-small".into(),
        provider: Provider::Orchestrix,
        base_url: server.base_url(),
        credentials: Credentials::token("small-token"),
    };
    hostplane::startup::upsert(&gw.services.connections, spec, "test")
        .await
        .expect("register the second simulator");
    const LOGS: &str = "query($after: String) {
        orchestrixActivityLogs(connection: \"orch-small\", first: 100, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }";
    let mut seen = BTreeSet::new();
    let mut after = Value::Null;
    for _ in 0..3 {
        let data = gw.data(LOGS, json!({"after": after})).await;
        let list = &data["orchestrixActivityLogs"];
        assert_eq!(list["totalCount"], 60);
        let edges = list["edges"].as_array().expect("edges");
        seen.extend(edges.iter().map(|e| text(&e["node"]["id"])));
        if list["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 60, "following hasNextPage reaches every item");
}

// ---------------------------------------------------------------------------------------------
// Sites

/// Sites are created, read, updated and deleted on either surface alike; they are unified `Site`s
/// with their Orchestrix details, reachable by global ID.
#[tokio::test]
async fn site_crud_on_both_surfaces() {
    let gw = spawn().await;
    let body = Some(json!({"name": "New Site", "url": "https://www.New.example.net/"}));
    let (status, site) = rest_admin(&gw, "POST", "/api/v1/sites", body).await;
    assert_eq!(status, 201, "{site}");
    assert_eq!(site["name"], "New Site");
    let id = text(&site["id"]);
    let path = format!("/api/v1/sites/{id}");
    assert_eq!(
        rest_admin(&gw, "GET", &path, None).await,
        (200, site.clone())
    );
    assert_eq!(direct(&gw, "GET", &path, None).await, (200, site.clone()));

    const UPDATE: &str = "mutation($id: String!, $name: String!) {
        orchestrixUpdateSite(id: $id, input: {name: $name}) { id siteId orchestrix { name } raw } }";
    let data = gw.data(UPDATE, json!({"id": id, "name": "Renamed"})).await;
    let updated = &data["orchestrixUpdateSite"];
    assert_eq!(updated["orchestrix"]["name"], "Renamed");
    assert_eq!(updated["id"], site_gid(&id));
    assert_eq!(updated["siteId"], id.as_str());
    let (_, now) = rest_admin(&gw, "GET", &path, None).await;
    assert_eq!(now["name"], "Renamed");
    assert_eq!(now, updated["raw"]);

    // Refused before any call, worded as the upstream words it.
    let posts = gw.orchestrix_upstream.log.count("POST", "/api/v1/sites");
    assert_eq!(posts, 1);
    for body in [
        json!({"name": "", "url": "https://blank.example"}),
        json!({"name": "   ", "url": "https://blank.example"}),
        json!({"url": "https://blank.example"}),
    ] {
        let got = rest_admin(&gw, "POST", "/api/v1/sites", Some(body.clone())).await;
        assert_eq!(got, (422, error("Name can't be blank")), "{body}");
    }
    let got = rest_admin(&gw, "PATCH", &path, Some(json!({"name": ""}))).await;
    assert_eq!(got, (422, error("Name can't be blank")));
    const CREATE: &str = "mutation($name: String!) {
        orchestrixCreateSite(input: {name: $name, url: \"https://blank.example\"}) { id } }";
    let body = gw.gql(CREATE, json!({"name": " "})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(body["errors"][0]["message"], "Name can't be blank");
    let body = gw.gql(UPDATE, json!({"id": id, "name": ""})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(
        gw.orchestrix_upstream.log.count("POST", "/api/v1/sites"),
        posts
    );
    assert_eq!(gw.orchestrix_upstream.log.count("PATCH", &path), 1);

    // The unified Site, and its global ID back through `node`.
    const SITE: &str = "query($id: String!) { orchestrixSite(id: $id) {
        id provider connection siteId url domain
        orchestrix { name status wpVersion phpVersion }
        health { id status } snapshots { id status } vulnerabilities { id severity } } }";
    let home = gw.data(SITE, json!({"id": HOME})).await["orchestrixSite"].clone();
    assert_eq!(home["id"], site_gid(HOME));
    assert_eq!(home["provider"], "ORCHESTRIX");
    assert_eq!(home["connection"], ORCHESTRIX);
    assert_eq!(home["domain"], "example.com");
    assert_eq!(
        home["orchestrix"],
        json!({"name": "My WordPress Site", "status": "healthy", "wpVersion": "6.5", "phpVersion": "8.2"})
    );
    let health = home["health"].as_array().expect("health checks");
    assert!(!health.is_empty(), "{home}");
    let (_, checks) = direct(&gw, "GET", "/api/v1/sites/site_abc123/health_checks", None).await;
    assert_eq!(health.len(), checks.as_array().unwrap().len());
    assert_eq!(home["snapshots"].as_array().map(Vec::len), Some(1));
    assert_eq!(home["vulnerabilities"].as_array().map(Vec::len), Some(2));
    let new = gw.data(SITE, json!({"id": id})).await["orchestrixSite"].clone();
    assert_eq!(new["domain"], "new.example.net");
    assert_eq!(new["orchestrix"]["wpVersion"], "6.5");
    assert_eq!(new["health"].as_array().map(Vec::len), Some(1));

    const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on Site {
        siteId domain orchestrix { name wpVersion } } } }";
    let node = gw.data(NODE, json!({"id": site_gid(&id)})).await["node"].clone();
    assert_eq!(
        node,
        json!({"id": site_gid(&id), "siteId": id, "domain": "new.example.net",
               "orchestrix": {"name": "Renamed", "wpVersion": "6.5"}})
    );
    const LIST: &str = "{ orchestrixSites { totalCount edges { node { id siteId } } } }";
    let list = gw.data(LIST, json!({})).await["orchestrixSites"].clone();
    assert_eq!(list["totalCount"], 4);
    assert_eq!(list["edges"][3]["node"]["id"], site_gid(&id));

    // Deleted: 204 with no body, then not found everywhere.
    let (status, content_type, bytes) = gw
        .orchestrix_rest(Some(&admin_auth()), "DELETE", &path, None)
        .await;
    assert_eq!((status, bytes.len()), (204, 0), "{content_type}");
    assert_eq!(
        rest_admin(&gw, "GET", &path, None).await,
        (404, error("Record not found"))
    );
    let body = gw.gql(SITE, json!({"id": id})).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
    assert_eq!(ext(&body)["upstreamStatus"], 404);
    assert_eq!(ext(&body)["upstreamError"], "Record not found");
    let node = gw.data(NODE, json!({"id": site_gid(&id)})).await;
    assert_eq!(node["node"], Value::Null);
    assert_eq!(
        rest_admin(&gw, "DELETE", &path, None).await,
        (404, error("Record not found"))
    );
}

// ---------------------------------------------------------------------------------------------
// Tasks

const SNAPSHOT: &str = "mutation($site: String!) {
    orchestrixCreateSnapshot(siteId: $site, input: {description: \"before upgrade\"}) {
        task { taskId status operation subjectId upstreamRef } raw } }";

/// A snapshot is a Task that follows the upstream's snapshot to its end, failures included.
#[tokio::test]
async fn snapshot_is_a_task() {
    let gw = spawn().await;
    let data = gw.data(SNAPSHOT, json!({"site": HOME})).await;
    let payload = &data["orchestrixCreateSnapshot"];
    let task = &payload["task"];
    assert_eq!(task["status"], "QUEUED", "{payload}");
    assert_eq!(task["operation"], "orchestrixCreateSnapshot");
    assert_eq!(payload["raw"]["status"], "pending");
    let snap_id = text(&payload["raw"]["id"]);
    assert_eq!(task["upstreamRef"], format!("snapshot:{snap_id}"));
    let done = gw.wait_task(task["taskId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"]["status"], "completed");
    assert_eq!(done["output"]["id"], snap_id.as_str());
    assert_eq!(done["subjectId"], site_gid(HOME));
    let one = format!("/api/v1/sites/{HOME}/snapshots/{snap_id}");
    let (_, upstream) = direct(&gw, "GET", &one, None).await;
    assert_eq!(upstream["status"], "completed");
    assert_eq!(done["output"], upstream);

    // The blog is down: its snapshot fails part-way, with the upstream's reason.
    let blog = gw.orchestrix.site_ids()[2].clone();
    let data = gw.data(SNAPSHOT, json!({"site": blog})).await;
    let task = &data["orchestrixCreateSnapshot"]["task"];
    assert_eq!(task["subjectId"], site_gid(&blog));
    let failed = gw.wait_task(task["taskId"].as_str().unwrap()).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    let blog_snap = text(&data["orchestrixCreateSnapshot"]["raw"]["id"]);
    let (_, upstream) = direct(
        &gw,
        "GET",
        &format!("/api/v1/sites/{blog}/snapshots/{blog_snap}"),
        None,
    )
    .await;
    assert_eq!(upstream["status"], "failed");
    assert_eq!(failed["message"], upstream["error"]);
    assert!(text(&failed["message"]).contains("unreachable"), "{failed}");

    // Upload and delete on the REST layer.
    let upload = format!("{one}/upload");
    let (status, uploaded) = rest_admin(
        &gw,
        "PUT",
        &upload,
        Some(json!({"data": "aGVsbG8gd29ybGQ="})),
    )
    .await;
    assert_eq!(status, 200, "{uploaded}");
    assert_eq!(uploaded["uploaded"], true);
    assert_eq!(uploaded["size_bytes"], 11);
    assert_eq!(uploaded["id"], snap_id.as_str());
    assert_eq!(direct(&gw, "GET", &one, None).await, (200, uploaded));
    let got = rest_admin(&gw, "PUT", &upload, Some(json!({}))).await;
    assert_eq!(got, (422, error("Data can't be blank")));
    let (status, _, bytes) = gw
        .orchestrix_rest(Some(&admin_auth()), "DELETE", &one, None)
        .await;
    assert_eq!((status, bytes.len()), (204, 0));
    assert_eq!(
        rest_admin(&gw, "GET", &one, None).await,
        (404, error("Record not found"))
    );
    assert_eq!(direct(&gw, "GET", &one, None).await.0, 404);
}

const PIPELINE: &str = "mutation($site: String!, $plugins: [String!]) {
    orchestrixCreateUpgradePipeline(siteId: $site, input: {plugins: $plugins, core: true}) {
        task { taskId status message operation subjectId upstreamRef } raw } }";

/// An upgrade pipeline is one Task from its creation: queued until approved (on either surface),
/// then followed to its end.
#[tokio::test]
async fn pipeline_is_a_task_from_creation_to_end() {
    let gw = spawn().await;
    let data = gw
        .data(PIPELINE, json!({"site": HOME, "plugins": ["akismet"]}))
        .await;
    let payload = &data["orchestrixCreateUpgradePipeline"];
    let task = payload["task"].clone();
    assert_eq!(task["status"], "QUEUED", "{payload}");
    assert_eq!(task["message"], "awaiting approval");
    assert_eq!(task["subjectId"], site_gid(HOME));
    assert_eq!(payload["raw"]["status"], "awaiting_approval");
    let pipe_id = text(&payload["raw"]["id"]);
    let task_id = text(&task["taskId"]);
    assert_eq!(task["upstreamRef"], format!("pipeline:{pipe_id}"));

    // Unapproved, it waits however often it is polled.
    tokio::time::sleep(Duration::from_millis(400)).await;
    const TASK: &str = "query($id: ID!) { task(id: $id) { status message finishedAt } }";
    let waiting = gw.data(TASK, json!({"id": task_id})).await["task"].clone();
    assert_eq!(
        waiting,
        json!({"status": "QUEUED", "message": "awaiting approval", "finishedAt": null})
    );
    let one = format!("/api/v1/sites/{HOME}/upgrade_pipelines/{pipe_id}");
    assert!(
        gw.orchestrix_upstream.log.count("GET", &one) >= 2,
        "the task polls the pipeline: {:?}",
        gw.orchestrix_upstream.log.all()
    );

    let approve = format!("{one}/approve");
    let (status, running) = rest_admin(&gw, "POST", &approve, None).await;
    assert_eq!(status, 200, "{running}");
    assert_eq!(running["status"], "running");
    assert_eq!(running["id"], pipe_id.as_str());

    const TASKS: &str = "{ tasks { nodes { taskId operation upstreamRef } } }";
    let tasks = gw.data(TASKS, json!({})).await["tasks"]["nodes"].clone();
    let following: Vec<&Value> = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["upstreamRef"] == format!("pipeline:{pipe_id}"))
        .collect();
    assert_eq!(following.len(), 1, "{tasks}");
    assert_eq!(following[0]["taskId"], task_id.as_str());
    assert_eq!(following[0]["operation"], "orchestrixCreateUpgradePipeline");
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");

    let done = gw.wait_task(&task_id).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"]["status"], "completed");
    assert_eq!(done["subjectId"], site_gid(HOME));
    const VERSION: &str = "{ orchestrixSite(id: \"site_abc123\") { orchestrix { wpVersion } } }";
    let site = gw.data(VERSION, json!({})).await;
    assert_eq!(site["orchestrixSite"]["orchestrix"]["wpVersion"], "6.6");

    // A second approval is the upstream's 422 on both surfaces, and starts nothing.
    let again = rest_admin(&gw, "POST", &approve, None).await;
    assert_eq!(again, (422, error("Pipeline is not awaiting approval")));
    const APPROVE: &str = "mutation($site: String!, $id: String!) {
        orchestrixApproveUpgradePipeline(siteId: $site, id: $id) { task { taskId status } raw } }";
    let body = gw.gql(APPROVE, json!({"site": HOME, "id": pipe_id})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(ext(&body)["upstreamStatus"], 422);
    assert_eq!(
        ext(&body)["upstreamError"],
        "Pipeline is not awaiting approval"
    );
    let tasks = gw.data(TASKS, json!({})).await["tasks"]["nodes"].clone();
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");

    // A broken plugin fails the pipeline, and so its task (approved through GraphQL this time).
    let data = gw
        .data(
            PIPELINE,
            json!({"site": HOME, "plugins": ["akismet", "broken-plugin"]}),
        )
        .await;
    let payload = &data["orchestrixCreateUpgradePipeline"];
    let broken_task = text(&payload["task"]["taskId"]);
    let broken = text(&payload["raw"]["id"]);
    let approved = gw.data(APPROVE, json!({"site": HOME, "id": broken})).await;
    let approved = &approved["orchestrixApproveUpgradePipeline"];
    assert_eq!(approved["task"]["taskId"], broken_task.as_str());
    assert_eq!(approved["raw"]["status"], "running");
    let failed = gw.wait_task(&broken_task).await;
    assert_eq!(failed["status"], "FAILED", "{failed}");
    assert!(
        text(&failed["message"]).contains("broken-plugin"),
        "{failed}"
    );
    assert_eq!(failed["output"]["status"], "failed");
    // The failed pipeline rolled back: core stays where the first pipeline put it.
    let site = gw.data(VERSION, json!({})).await;
    assert_eq!(site["orchestrixSite"]["orchestrix"]["wpVersion"], "6.6");
}

// ---------------------------------------------------------------------------------------------
// Credentials

/// The simulated owner's login.
fn credentials() -> Value {
    json!({"email": LOGIN, "password": PASSWORD})
}

/// The caller's own upstream credentials pass through verbatim on both surfaces, the upstream's
/// logins work anonymously, and the stored token is never lent to anyone else.
#[tokio::test]
async fn pass_through_credentials() {
    let gw = spawn().await;
    // REST: an anonymous login gets the upstream's own token.
    let (status, login) = rest(&gw, None, "POST", "/api/v1/auth", Some(credentials())).await;
    assert_eq!(status, 201, "{login}");
    let keys: Vec<&String> = login.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["token"]);
    let user_token = format!("token {}", text(&login["token"]));
    assert_ne!(user_token, "token orch-token");
    let me = rest(&gw, Some(&user_token), "GET", "/api/v1/me", None).await;
    assert_eq!(me, direct(&gw, "GET", "/api/v1/me", None).await);
    assert_eq!(me.0, 200);
    let sites = rest(&gw, Some(&user_token), "GET", "/api/v1/sites", None).await;
    assert_eq!(sites.0, 200);
    assert_eq!(ids(&sites.1), gw.orchestrix.site_ids());

    let (status, content_type, bytes) = gw
        .orchestrix_rest(Some(&user_token), "DELETE", "/api/v1/auth", None)
        .await;
    assert_eq!((status, bytes.len()), (204, 0), "{content_type}");
    let got = rest(&gw, Some(&user_token), "GET", "/api/v1/me", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    // Revoking the caller's token left the gateway's own alone.
    assert_eq!(direct(&gw, "GET", "/api/v1/me", None).await.0, 200);

    let wrong = json!({"email": LOGIN, "password": "battery staple"});
    let got = rest(&gw, None, "POST", "/api/v1/auth", Some(wrong)).await;
    assert_eq!(got, (401, error("Invalid email or password")));
    let got = rest(&gw, None, "POST", "/api/v1/jwt", Some(credentials())).await;
    assert_eq!(got.0, 201, "{}", got.1);
    assert_eq!(got.1["token_type"], "Bearer");

    // Anonymous callers reach only the logins: the stored token is not theirs.
    let got = rest(&gw, None, "GET", "/api/v1/sites", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    let got = rest(&gw, None, "DELETE", "/api/v1/auth", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    let got = rest(
        &gw,
        Some("token not-a-real-token"),
        "GET",
        "/api/v1/sites",
        None,
    )
    .await;
    assert_eq!(got, (401, error("Unauthorized")));
    assert_eq!(direct(&gw, "GET", "/api/v1/me", None).await.0, 200);

    // GraphQL: a JWT pair, used with `X-Orchestrix-Authorization`.
    const JWT: &str = "mutation($email: String!, $password: String!) {
        orchestrixCreateJwt(input: {email: $email, password: $password}) {
            accessToken refreshToken tokenType expiresIn raw } }";
    let pair = gw.data(JWT, credentials()).await["orchestrixCreateJwt"].clone();
    assert_eq!(pair["tokenType"], "Bearer");
    assert_eq!(pair["expiresIn"], 900);
    assert_eq!(pair["accessToken"], pair["raw"]["access_token"]);
    let bearer = |pair: &Value| format!("Bearer {}", text(&pair["accessToken"]));
    const ME: &str = "{ orchestrixMe { id userId email name } }";
    let me = gql_passing(&gw, &bearer(&pair), ME, json!({})).await;
    assert!(me.get("errors").is_none(), "{me}");
    assert_eq!(me["data"]["orchestrixMe"]["userId"], "usr_1");
    assert_eq!(me["data"]["orchestrixMe"]["email"], LOGIN);
    // The header is really what the upstream sees: a bogus one is refused there.
    let bogus = gql_passing(&gw, "Bearer eyBogus", ME, json!({})).await;
    assert_eq!(ext(&bogus)["upstreamStatus"], 401, "{bogus}");
    assert_eq!(ext(&bogus)["upstreamError"], "Unauthorized");

    const REFRESH: &str = "mutation($token: String!) {
        orchestrixRefreshJwt(input: {refreshToken: $token}) { accessToken refreshToken } }";
    let vars = json!({"token": pair["refreshToken"]});
    let next = gw.data(REFRESH, vars.clone()).await["orchestrixRefreshJwt"].clone();
    assert_ne!(next["accessToken"], pair["accessToken"]);
    assert_ne!(next["refreshToken"], pair["refreshToken"]);
    let reused = gw.gql(REFRESH, vars).await;
    assert_eq!(ext(&reused)["upstreamStatus"], 401, "{reused}");
    assert_eq!(ext(&reused)["upstreamError"], "Invalid refresh token");
    let me = gql_passing(&gw, &bearer(&next), ME, json!({})).await;
    assert_eq!(me["data"]["orchestrixMe"]["userId"], "usr_1", "{me}");

    // Logout revokes the presented token, so without one of the caller's it is refused.
    const LOGOUT: &str = "mutation { orchestrixLogout { ok } }";
    let logouts = gw.orchestrix_upstream.log.count("DELETE", "/api/v1/auth");
    let body = gw.gql(LOGOUT, json!({})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(
        gw.orchestrix_upstream.log.count("DELETE", "/api/v1/auth"),
        logouts
    );
    let (status, _, bytes) = gw.orchestrix_direct("GET", "/api/v1/me", None).await;
    assert_eq!(status, 200, "the stored token survives");
    assert_eq!(parse(&bytes)["id"], "usr_1");
    let out = gql_passing(&gw, &bearer(&next), LOGOUT, json!({})).await;
    assert_eq!(out["data"]["orchestrixLogout"]["ok"], true, "{out}");
    let me = gql_passing(&gw, &bearer(&next), ME, json!({})).await;
    assert_eq!(ext(&me)["upstreamStatus"], 401, "{me}");
    assert_eq!(direct(&gw, "GET", "/api/v1/me", None).await.0, 200);
    // And plain GraphQL calls keep using the stored token.
    let me = gw.data(ME, json!({})).await;
    assert_eq!(me["orchestrixMe"]["userId"], "usr_1");
}

// ---------------------------------------------------------------------------------------------
// Vulnerabilities and webhooks

const HOOK: &str = "query($id: String!) { orchestrixWebhookEndpoint(id: $id) {
    id url events enabled secret raw } }";

/// Vulnerability triage and webhook endpoints: inputs checked before any call, and the signing
/// secret shown to admins only.
#[tokio::test]
async fn vulnerabilities_and_webhooks() {
    let gw = spawn().await;
    const VULNS: &str = "{ orchestrixVulnerabilities(siteId: \"site_abc123\") {
        totalCount edges { node { id status severity cve } } } }";
    let vulns = gw.data(VULNS, json!({})).await["orchestrixVulnerabilities"].clone();
    assert_eq!(vulns["totalCount"], 2);
    let vuln = text(&vulns["edges"][0]["node"]["id"]);
    assert_eq!(vulns["edges"][0]["node"]["status"], "open");
    const TRIAGE: &str = "mutation($id: String!, $status: String!) {
        orchestrixUpdateVulnerability(siteId: \"site_abc123\", id: $id, input: {status: $status}) {
            id status raw } }";
    let data = gw
        .data(TRIAGE, json!({"id": vuln, "status": "acknowledged"}))
        .await;
    assert_eq!(
        data["orchestrixUpdateVulnerability"]["status"],
        "acknowledged"
    );
    let one = format!("/api/v1/sites/{HOME}/vulnerability_records/{vuln}");
    let (_, upstream) = direct(&gw, "GET", &one, None).await;
    assert_eq!(upstream["status"], "acknowledged");
    assert_eq!(data["orchestrixUpdateVulnerability"]["raw"], upstream);
    let body = gw.gql(TRIAGE, json!({"id": vuln, "status": "fixed"})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    let got = rest_admin(&gw, "PATCH", &one, Some(json!({"status": "fixed"}))).await;
    assert_eq!(got, (422, error("Status is not included in the list")));
    assert_eq!(gw.orchestrix_upstream.log.count("PATCH", &one), 1);
    assert_eq!(
        direct(&gw, "GET", &one, None).await.1["status"],
        "acknowledged"
    );

    // A webhook endpoint made on the REST layer.
    let body = json!({"url": "https://hooks.example.com/orch", "events": ["snapshot.completed"]});
    let (status, hook) = rest_admin(&gw, "POST", "/api/v1/webhook_endpoints", Some(body)).await;
    assert_eq!(status, 201, "{hook}");
    let id = text(&hook["id"]);
    let secret = text(&hook["secret"]);
    assert!(secret.starts_with("whsec_"), "{hook}");
    let path = format!("/api/v1/webhook_endpoints/{id}");
    assert_eq!(direct(&gw, "GET", &path, None).await, (200, hook.clone()));

    let seen = gw.data(HOOK, json!({"id": id})).await["orchestrixWebhookEndpoint"].clone();
    assert_eq!(seen["secret"], secret.as_str());
    assert_eq!(seen["raw"], hook);
    assert_eq!(seen["events"], json!(["snapshot.completed"]));
    assert_eq!(seen["enabled"], true);
    let reader = token(&[Scope::Read]);
    let (_, body) = gw.gql_as(Some(&reader), HOOK, json!({"id": id})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let redacted = &body["data"]["orchestrixWebhookEndpoint"];
    assert_eq!(redacted["id"], id.as_str(), "{body}");
    assert_eq!(redacted["secret"], Value::Null);
    assert_eq!(redacted["raw"]["secret"], Value::Null);
    assert_eq!(redacted["raw"]["url"], "https://hooks.example.com/orch");
    assert!(!body.to_string().contains(&secret), "{body}");
    // A read-only key on the REST layer gets the same redacted object.
    let (status, reader_view) =
        rest(&gw, Some(&format!("token {reader}")), "GET", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(reader_view["secret"], Value::Null);
    assert_eq!(reader_view["id"], id.as_str());

    // Unknown events are refused before any call.
    let posts = gw
        .orchestrix_upstream
        .log
        .count("POST", "/api/v1/webhook_endpoints");
    assert_eq!(posts, 1);
    const CREATE: &str = "mutation($events: [String!]!) {
        orchestrixCreateWebhookEndpoint(input: {url: \"https://hooks.example.com/x\", events: $events}) {
            id } }";
    for events in [json!(["snapshot.exploded"]), json!([])] {
        let body = gw.gql(CREATE, json!({"events": events})).await;
        assert_eq!(code(&body), "VALIDATION", "{events}: {body}");
    }
    let body = json!({"url": "https://hooks.example.com/x", "events": ["snapshot.exploded"]});
    let (status, refused) = rest_admin(&gw, "POST", "/api/v1/webhook_endpoints", Some(body)).await;
    assert_eq!(status, 422, "{refused}");
    assert!(text(&refused["error"]).starts_with("Events"), "{refused}");
    assert_eq!(
        gw.orchestrix_upstream
            .log
            .count("POST", "/api/v1/webhook_endpoints"),
        posts
    );
    const UPDATE: &str = "mutation($id: String!) {
        orchestrixUpdateWebhookEndpoint(id: $id, input: {events: [\"snapshot.exploded\"]}) { id } }";
    let body = gw.gql(UPDATE, json!({"id": id})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert_eq!(gw.orchestrix_upstream.log.count("PATCH", &path), 0);

    // Update on GraphQL, then on REST; delete.
    const CHANGE: &str = "mutation($id: String!) {
        orchestrixUpdateWebhookEndpoint(id: $id,
            input: {enabled: false, events: [\"pipeline.completed\", \"pipeline.failed\"]}) {
            id enabled events secret } }";
    let changed =
        gw.data(CHANGE, json!({"id": id})).await["orchestrixUpdateWebhookEndpoint"].clone();
    assert_eq!(changed["enabled"], false);
    assert_eq!(
        changed["events"],
        json!(["pipeline.completed", "pipeline.failed"])
    );
    assert_eq!(changed["secret"], secret.as_str());
    let body = Some(json!({"url": "https://hooks.example.com/moved"}));
    let (status, moved) = rest_admin(&gw, "PATCH", &path, body).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["url"], "https://hooks.example.com/moved");
    assert_eq!(moved["enabled"], false);
    assert_eq!(direct(&gw, "GET", &path, None).await, (200, moved));

    const DELETE: &str =
        "mutation($id: String!) { orchestrixDeleteWebhookEndpoint(id: $id) { ok } }";
    let gone = gw.data(DELETE, json!({"id": id})).await;
    assert_eq!(gone["orchestrixDeleteWebhookEndpoint"]["ok"], true);
    assert_eq!(
        rest_admin(&gw, "GET", &path, None).await,
        (404, error("Record not found"))
    );
    let (_, hooks) = direct(&gw, "GET", "/api/v1/webhook_endpoints", None).await;
    assert_eq!(hooks, json!([]));
    let body = gw.gql(DELETE, json!({"id": id})).await;
    assert_eq!(code(&body), "NOT_FOUND", "{body}");
}

// ---------------------------------------------------------------------------------------------
// Route table

/// Each Orchestrix row of the endpoint inventory has exactly one declared endpoint with its method
/// and path, and each declared Orchestrix endpoint has its row.
#[test]
fn route_table_covers_orchestrix_rows() {
    crate::helpers::assert_route_table(hostplane_adapters::Provider::Orchestrix, 34);
}
