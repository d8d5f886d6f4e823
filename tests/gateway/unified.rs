//! The unified graph's queries: one question over every connection, merged into Relay connections
//! whose cursors survive upstream changes between pages, narrowed by filters, with one site's views
//! at several upstreams linked by domain.

use crate::helpers::{PANELALPHA, TestGateway, admin, spawn};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Runs the demo's onboarding (`hostplane::demo::ONBOARDING`) on the test connections, so
/// `blog.example.org` is known to Patchstack, Orchestrix, WPCS and VM 4001 as in the demo.
pub async fn onboard(gw: &TestGateway) {
    for (operation, vars) in [
        ("Learn", json!({"patchstack": "patch"})),
        ("Link", json!({"hosterapi": "hoster"})),
    ] {
        let body: Value = gw
            .http
            .post(gw.url("/graphql"))
            .bearer_auth(admin())
            .json(
                &json!({"query": hostplane::demo::ONBOARDING, "operationName": operation,
                "variables": vars}),
            )
            .send()
            .await
            .expect("gateway answers")
            .json()
            .await
            .expect("JSON");
        assert!(body.get("errors").is_none(), "{operation}: {body}");
    }
}

fn nodes(data: &Value, list: &str) -> Vec<Value> {
    data[list]["nodes"].as_array().expect("a node list").clone()
}

fn texts(items: &[Value], key: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[key].as_str().unwrap_or_default().to_string())
        .collect()
}

const SITE_PAGE: &str =
    "query($first: Int!, $after: String) { sites(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id provider connection siteId domain } } } }";

/// Walks `sites` `first` at a time from `after`, returning the node IDs in order.
async fn walk(gw: &TestGateway, first: i64, mut after: Option<String>) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let data = gw
            .data(SITE_PAGE, json!({"first": first, "after": after}))
            .await;
        let page = &data["sites"];
        for edge in page["edges"].as_array().expect("edges") {
            ids.push(edge["node"]["id"].as_str().expect("id").to_string());
        }
        assert_eq!(page["pageInfo"]["hasPreviousPage"], after.is_some());
        if page["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
}

/// The demo's first query: every upstream's record of one domain, each answering every view from
/// whichever upstream knows it.
#[tokio::test]
async fn one_site_many_views() {
    let gw = spawn().await;
    onboard(&gw).await;
    let data = gw.data(hostplane::demo::FIRST_QUERY, json!({})).await;
    let sites = nodes(&data, "sites");
    let providers: BTreeSet<String> = texts(&sites, "provider").into_iter().collect();
    assert_eq!(
        providers,
        ["ORCHESTRIX", "PANELALPHA", "PATCHSTACK", "WPCS"]
            .map(String::from)
            .into(),
        "{data}"
    );
    assert_eq!(data["sites"]["totalCount"], 4);
    for site in &sites {
        // The WPCS tenant's main domain is another one; blog.example.org is one of its domains.
        assert!(site["security"]["softwareVulnerable"].is_number(), "{site}");
        assert_eq!(site["orchestrix"]["status"], "down", "{site}");
        assert_eq!(
            site["wordpress"],
            json!({"version": "6.5.5", "maintenanceMode": false}),
            "PanelAlpha's view of the same domain: {site}"
        );
        assert_eq!(site["health"][0]["status"], "failed", "{site}");
        assert_eq!(site["tenant"]["name"], "Second-Tenant", "{site}");
        // PanelAlpha's instance is on its own hosting server; the others' is the VM whose reverse
        // DNS name is the domain.
        let state = match site["provider"] == "PANELALPHA" {
            true => "active",
            false => "running",
        };
        assert_eq!(site["server"]["state"], state, "{site}");
        let views: BTreeSet<String> = texts(site["views"].as_array().unwrap(), "provider")
            .into_iter()
            .collect();
        assert_eq!(views, providers, "{site}");
        assert_eq!(
            site["views"][0]["provider"], site["provider"],
            "itself first"
        );
    }
}

/// A site no other upstream knows has no linked views: null, not an error.
#[tokio::test]
async fn unlinked_views_are_null() {
    let gw = spawn().await;
    let data = gw
        .data(
            r#"{ sites(filter: {text: "shop.example.com"}) { nodes { provider views { provider }
                security { softwareVulnerable } tenant { name } server { id } owner { id }
                orchestrix { status } } } }"#,
            json!({}),
        )
        .await;
    let sites = nodes(&data, "sites");
    assert_eq!(sites.len(), 1, "{data}");
    let site = &sites[0];
    assert_eq!(site["provider"], "ORCHESTRIX");
    assert_eq!(site["views"], json!([{"provider": "ORCHESTRIX"}]));
    for view in ["security", "tenant", "server", "owner"] {
        assert!(site[view].is_null(), "{view}: {site}");
    }
    assert_eq!(site["orchestrix"]["status"], "warning");
}

/// Pages of any size walk the same merged order as one big page, without repeats.
#[tokio::test]
async fn pages_cover_the_merged_list() {
    let gw = spawn().await;
    onboard(&gw).await;
    let all = walk(&gw, 500, None).await;
    // Orchestrix 3, WPCS 2, Patchstack 3 (learned from the two seeded users), PanelAlpha's live
    // instance 1 (its instance 2 failed to install).
    assert_eq!(all.len(), 9, "{all:?}");
    for first in [1, 2, 3] {
        assert_eq!(walk(&gw, first, None).await, all, "pages of {first}");
    }
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), all.len());
    let data = gw.data(SITE_PAGE, json!({"first": 2})).await;
    assert_eq!(data["sites"]["totalCount"], 9);
}

/// A cursor names a position in the merged order, not an index: sites added upstream between two
/// pages shift nothing, and the walk resumes right after the last site seen.
#[tokio::test]
async fn cursors_survive_upstream_changes() {
    let gw = spawn().await;
    let first = gw.data(SITE_PAGE, json!({"first": 2})).await;
    let seen: Vec<String> = first["sites"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_string())
        .collect();
    let cursor = first["sites"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_string();
    let before = walk(&gw, 500, None).await;
    // One new site sorts before the cursor (its domain starts with "a"), one after ("zz").
    for (name, url) in [
        ("Early", "https://aaa-early.example.com"),
        ("Late", "https://zz-late.example.com"),
    ] {
        gw.data(
            "mutation($i: OrchestrixCreateSiteInput!) { orchestrixCreateSite(input: $i) { id } }",
            json!({"i": {"name": name, "url": url}}),
        )
        .await;
    }
    let rest = walk(&gw, 2, Some(cursor)).await;
    let after_now = walk(&gw, 500, None).await;
    assert_eq!(after_now.len(), before.len() + 2);
    let position = after_now
        .iter()
        .position(|id| id == seen.last().unwrap())
        .expect("the last site seen is still listed");
    assert_eq!(rest, after_now[position + 1..], "resumes right after it");
    assert!(
        rest.iter().all(|id| !seen.contains(id)),
        "nothing seen twice"
    );
}

/// Bad Relay arguments are refused with VALIDATION and a clear message.
#[tokio::test]
async fn bad_pages_are_refused() {
    let gw = spawn().await;
    for (first, after) in [(0, None), (501, None), (2, Some("bm90IGEgY3Vyc29y"))] {
        let body = gw
            .gql(SITE_PAGE, json!({"first": first, "after": after}))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "VALIDATION",
            "{body}"
        );
        assert!(body["data"].is_null() || body["data"]["sites"].is_null());
    }
}

/// Every filter narrows; totals count what matched.
#[tokio::test]
async fn filters_narrow() {
    let gw = spawn().await;
    let count = |data: &Value| data["sites"]["totalCount"].as_u64().expect("a total");
    let q = "query($f: UnifiedFilter) { sites(filter: $f) { totalCount nodes { provider connection domain } } }";

    let wpcs = gw.data(q, json!({"f": {"providers": ["WPCS"]}})).await;
    assert_eq!(count(&wpcs), 2);
    assert!(
        nodes(&wpcs, "sites")
            .iter()
            .all(|s| s["provider"] == "WPCS")
    );

    let orch = gw.data(q, json!({"f": {"connections": ["orch"]}})).await;
    assert_eq!(count(&orch), 3);
    assert_eq!(
        gw.data(q, json!({"f": {"connections": ["orch"]}})).await["sites"]["nodes"],
        orch["sites"]["nodes"]
    );

    let shop = gw.data(q, json!({"f": {"text": "SHOP"}})).await;
    assert_eq!(
        texts(&nodes(&shop, "sites"), "domain"),
        ["shop.example.com"]
    );

    let healthy = gw.data(q, json!({"f": {"status": "healthy"}})).await;
    assert_eq!(texts(&nodes(&healthy, "sites"), "domain"), ["example.com"]);

    let none = gw
        .data(
            q,
            json!({"f": {"providers": ["WPCS"], "status": "healthy"}}),
        )
        .await;
    assert_eq!(count(&none), 0);
    // The sources that were asked, whatever matched.
    let sources = gw
        .data(
            "{ sites(filter: {providers: [ORCHESTRIX, WPCS]}) { sources { connection provider count complete error } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        sources["sites"]["sources"],
        json!([
            {"connection": "orch", "provider": "ORCHESTRIX", "count": 3, "complete": true, "error": null},
            {"connection": "wpcs", "provider": "WPCS", "count": 2, "complete": true, "error": null},
        ])
    );
}

/// The other unified lists: users from Orchestrix and the Patchstack owners the gateway has seen,
/// tenants linked to their site's other views, services, servers, and instances (no connected
/// provider has them yet: an empty, complete list).
#[tokio::test]
async fn other_lists() {
    let gw = spawn().await;
    onboard(&gw).await;
    let data = gw
        .data(
            r#"{
              users { totalCount nodes { provider name email } }
              owners: users(filter: {providers: [PATCHSTACK]}) { nodes { name sites { domain } } }
              members: users(filter: {status: "viewer"}) { nodes { email } }
              tenants { totalCount nodes { name domain site { domains security { softwareVulnerable } } } }
              services { totalCount nodes { id provider name wpcs { id } } }
              servers { totalCount nodes { id kind serverId } }
              instances { totalCount sources { connection } nodes { id } }
            }"#,
            json!({}),
        )
        .await;
    // Orchestrix's three account members, Patchstack's two seeded users, PanelAlpha's two active
    // users (its third is archived).
    assert_eq!(data["users"]["totalCount"], 7, "{data}");
    // Users sort by email: erin@example.com before support@patchstack.com (Dave).
    assert_eq!(texts(&nodes(&data, "owners"), "name"), ["Erin", "Dave"]);
    let erin = &nodes(&data, "owners")[0];
    assert_eq!(erin["sites"], json!([{"domain": "blog.example.org"}]));
    assert_eq!(
        texts(&nodes(&data, "members"), "email"),
        ["client@example.com"]
    );

    assert_eq!(data["tenants"]["totalCount"], 2);
    let second = nodes(&data, "tenants")
        .into_iter()
        .find(|t| t["name"] == "Second-Tenant")
        .expect("the second tenant");
    assert!(
        second["site"]["domains"]
            .as_array()
            .unwrap()
            .contains(&json!("blog.example.org"))
    );
    assert!(second["site"]["security"]["softwareVulnerable"].is_number());

    let services = nodes(&data, "services");
    assert!(!services.is_empty(), "{data}");
    let providers: BTreeSet<&str> = services
        .iter()
        .filter_map(|s| s["provider"].as_str())
        .collect();
    assert_eq!(providers, BTreeSet::from(["PANELALPHA", "WPCS"]), "{data}");
    // A service is a node too.
    let id = services[0]["id"].as_str().unwrap();
    let node = gw
        .data(
            "query($id: ID!) { node(id: $id) { ... on Service { id name } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(node["node"]["id"], id);

    // VMs 4001 and 4002 and dedicated server 9 by connection, numeric IDs in numeric order, then
    // PanelAlpha's hosting server 1.
    assert_eq!(data["servers"]["totalCount"], 4);
    assert_eq!(
        texts(&nodes(&data, "servers"), "serverId"),
        ["9", "4001", "4002", "1"]
    );
    // PanelAlpha's live instance, a node too.
    assert_eq!(data["instances"]["totalCount"], 1, "{data}");
    assert_eq!(
        data["instances"]["sources"],
        json!([{"connection": PANELALPHA}])
    );
    let id = data["instances"]["nodes"][0]["id"].as_str().unwrap();
    let node = gw
        .data(
            "query($id: ID!) { node(id: $id) { ... on Instance { id instanceId site { domain } } } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(node["node"]["site"]["domain"], "blog.example.org", "{node}");
}

/// A WPCS site's ID resolves through `node` to the same site (its tenant).
#[tokio::test]
async fn wpcs_sites_are_nodes() {
    let gw = spawn().await;
    let data = gw
        .data(
            "{ sites(filter: {providers: [WPCS]}) { nodes { id domain } } }",
            json!({}),
        )
        .await;
    for site in nodes(&data, "sites") {
        let found = gw
            .data(
                "query($id: ID!) { node(id: $id) { ... on Site { id domain } } }",
                json!({"id": site["id"]}),
            )
            .await;
        assert_eq!(found["node"], site);
    }
}

/// `tasks` is a Relay list too: newest first, filtered by status and operation text.
#[tokio::test]
async fn tasks_page_newest_first() {
    let gw = spawn().await;
    let start =
        "mutation($sid: Int!) { hosterapiCreateServerBackup(sid: $sid) { task { taskId } } }";
    let mut started = Vec::new();
    for sid in [4001, 4002] {
        let data = gw.data(start, json!({"sid": sid})).await;
        let id = data["hosterapiCreateServerBackup"]["task"]["taskId"]
            .as_str()
            .unwrap()
            .to_string();
        gw.wait_task(&id).await;
        started.push(id);
    }
    let q =
        "query($f: UnifiedFilter, $after: String) { tasks(first: 1, filter: $f, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { taskId status operation } } }";
    let page = gw.data(q, json!({})).await;
    assert_eq!(page["tasks"]["totalCount"], 2);
    assert_eq!(page["tasks"]["nodes"][0]["taskId"], started[1].as_str());
    let next = gw
        .data(q, json!({"after": page["tasks"]["pageInfo"]["endCursor"]}))
        .await;
    assert_eq!(next["tasks"]["nodes"][0]["taskId"], started[0].as_str());
    assert_eq!(next["tasks"]["pageInfo"]["hasNextPage"], false);

    let done = gw
        .data(q, json!({"f": {"status": "succeeded", "text": "backup"}}))
        .await;
    assert_eq!(done["tasks"]["totalCount"], 2, "{done}");
    let failed = gw.data(q, json!({"f": {"status": "FAILED"}})).await;
    assert_eq!(failed["tasks"]["totalCount"], 0);
    let other = gw.data(q, json!({"f": {"providers": ["WPCS"]}})).await;
    assert_eq!(other["tasks"]["totalCount"], 0);
}
