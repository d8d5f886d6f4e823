//! WP Orchestrix's sites, vulnerability triage and webhook endpoints on both surfaces.

use super::*;

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
