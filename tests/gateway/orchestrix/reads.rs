//! WP Orchestrix's reads: every read endpoint through the REST layer against the simulator's own
//! answers, Relay lists over its numbered pages, and the route table.

use super::*;

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

/// Each Orchestrix row of the endpoint inventory has exactly one declared endpoint with its method
/// and path, and each declared Orchestrix endpoint has its row.
#[test]
fn route_table_covers_orchestrix_rows() {
    crate::helpers::assert_route_table(hostplane_adapters::Provider::Orchestrix);
}
