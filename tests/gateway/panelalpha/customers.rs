//! Two customers of one panel, Ada (user 1) and Grace (user 2, with whom Ada shares her blog), each
//! holding a credential bound to themselves: neither sees the other's objects in the unified lists,
//! their totals and `sources` counts, `node`, or the tasks; an admin sees both. Keys are made for
//! customers by admins only, never with the admin scope, and name their panel.

use super::acting::bound_token;
use crate::helpers::{Options, admin, spawn, spawn_with, token};
use hostplane_schema::principal::Scope;
use serde_json::{Value, json};
use std::time::Duration;

const LISTS: &str = "{
    users { totalCount sources { connection count } nodes { id connection userId } }
    services { totalCount sources { connection count } nodes { id serviceId } }
    instances { totalCount sources { connection count } nodes { id instanceId } }
    sites { totalCount sources { connection count } nodes { id connection siteId } }
    servers { totalCount nodes { id } }
}";

/// The `field` of each node of a list, sorted.
fn ids(data: &Value, list: &str, field: &str) -> Vec<String> {
    let mut ids: Vec<String> = data[list]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}: {data}"))
        .iter()
        .map(|n| n[field].as_str().expect("an id").to_string())
        .collect();
    ids.sort();
    ids
}

async fn lists(gw: &crate::helpers::TestGateway, credential: &str) -> Value {
    let (_, body) = gw.gql_as(Some(credential), LISTS, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// Each customer's lists hold its own objects only, counted as such, from its own panel only; an
/// admin's hold everyone's from every connection.
#[tokio::test]
async fn each_customer_lists_its_own() {
    let gw = spawn().await;
    let (ada, grace) = (bound_token("1"), bound_token("2"));
    let everything = lists(&gw, &admin()).await;
    let mine = lists(&gw, &ada).await;
    let theirs = lists(&gw, &grace).await;
    assert_eq!(ids(&mine, "users", "userId"), ["1"], "{mine}");
    assert_eq!(ids(&theirs, "users", "userId"), ["2"], "{theirs}");
    assert!(
        ids(&everything, "users", "userId").len() > 2,
        "{everything}"
    );
    assert_eq!(ids(&mine, "services", "serviceId"), ["1"], "{mine}");
    assert_eq!(ids(&theirs, "services", "serviceId"), ["2"], "{theirs}");
    // Ada's blog is shared with Grace; Grace's shop is hers alone.
    let (ada_sees, grace_sees) = (
        ids(&mine, "instances", "instanceId"),
        ids(&theirs, "instances", "instanceId"),
    );
    assert!(!ada_sees.contains(&"2".to_string()), "{mine}");
    assert!(grace_sees.contains(&"2".to_string()), "{theirs}");
    for data in [&mine, &theirs] {
        for list in ["users", "services", "instances", "sites"] {
            let sources = data[list]["sources"].as_array().expect("sources");
            let only_panel = sources.iter().all(|s| s["connection"] == "panel");
            let count: u64 = sources.iter().map(|s| s["count"].as_u64().unwrap()).sum();
            let shown = data[list]["nodes"].as_array().unwrap().len() as u64;
            assert!(only_panel && count == shown, "{list}: {data}");
            assert_eq!(data[list]["totalCount"], json!(shown), "{list}: {data}");
        }
        assert_eq!(
            data["servers"]["totalCount"], 0,
            "hosting servers are the operator's"
        );
        assert!(
            data["sites"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["connection"] == "panel"),
            "{data}"
        );
    }
    assert!(
        everything["services"]["totalCount"].as_u64().unwrap() >= 2,
        "{everything}"
    );
}

/// `node` of another customer's object answers as an ID that does not exist; its own resolves.
#[tokio::test]
async fn node_hides_other_customers() {
    let gw = spawn().await;
    let everything = lists(&gw, &admin()).await;
    let id_of = |list: &str, field: &str, local: &str| {
        everything[list]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n[field] == local && n.get("connection").is_none_or(|c| c == "panel"))
            .unwrap_or_else(|| panic!("{list} {local}: {everything}"))["id"]
            .clone()
    };
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let (ada, grace) = (bound_token("1"), bound_token("2"));
    let cases = [
        (&ada, id_of("users", "userId", "1"), true),
        (&ada, id_of("users", "userId", "2"), false),
        (&ada, id_of("services", "serviceId", "1"), true),
        (&ada, id_of("services", "serviceId", "2"), false),
        (&grace, id_of("services", "serviceId", "1"), false),
        (&ada, id_of("instances", "instanceId", "1"), true),
        // Ada shares her blog with Grace.
        (&grace, id_of("instances", "instanceId", "1"), true),
        (&grace, id_of("sites", "siteId", "1"), true),
    ];
    for (credential, id, visible) in cases {
        let (_, body) = gw.gql_as(Some(credential), node, json!({"id": id})).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(!body["data"]["node"].is_null(), visible, "{id}: {body}");
        let (_, as_admin) = gw.gql_as(Some(&admin()), node, json!({"id": id})).await;
        assert!(!as_admin["data"]["node"].is_null(), "{as_admin}");
    }
    // A HosterAPI server is not the customer's either.
    let vm = json!(hostplane_schema::GlobalId::new("Server", "hoster", "vm:4001").encode());
    let (_, body) = gw.gql_as(Some(&ada), node, json!({"id": vm})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["node"].is_null(), "{body}");
}

/// Work an admin starts for a customer is that customer's: it sees it in `task` and `tasks`, and
/// cancels it; the other customer sees neither and cannot cancel it; the admin sees both.
#[tokio::test]
async fn each_customer_sees_its_own_tasks() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_secs(30),
        ..Options::default()
    })
    .await;
    let create = "mutation($user: Int!) { panelalphaCreateUserService(userId: $user,
        input: {planId: 1}) { task { id } } }";
    let mut started = Vec::new();
    for user in [1, 2] {
        let data = gw.data(create, json!({"user": user})).await;
        started.push(data["panelalphaCreateUserService"]["task"]["id"].clone());
    }
    let (ada, grace) = (bound_token("1"), bound_token("2"));
    let listed = |data: &Value| -> Vec<Value> {
        data["tasks"]["nodes"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|t| t["id"].clone())
            .collect()
    };
    let tasks = "{ tasks { totalCount nodes { id } } }";
    for (credential, own, other) in [(&ada, 0, 1), (&grace, 1, 0)] {
        let (_, body) = gw.gql_as(Some(credential), tasks, json!({})).await;
        assert_eq!(listed(&body["data"]), [started[own].clone()], "{body}");
        assert_eq!(body["data"]["tasks"]["totalCount"], 1, "{body}");
        let task = "query($id: ID!) { task(id: $id) { id } }";
        let (_, body) = gw
            .gql_as(Some(credential), task, json!({"id": started[other]}))
            .await;
        assert!(body["data"]["task"].is_null(), "{body}");
        let cancel = "mutation($id: ID!) { cancelTask(id: $id) { operation } }";
        let (_, body) = gw
            .gql_as(Some(credential), cancel, json!({"id": started[other]}))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{body}"
        );
    }
    let (_, body) = gw.gql_as(Some(&admin()), tasks, json!({})).await;
    assert_eq!(listed(&body["data"]).len(), 2, "{body}");
    // Its own it may cancel, though PanelAlpha cancels at an admin endpoint.
    let cancel = "mutation($id: ID!) { cancelTask(id: $id) { operation } }";
    let (_, body) = gw
        .gql_as(Some(&ada), cancel, json!({"id": started[0]}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    // The audit log names the customer a credential stands for.
    use sea_orm::EntityTrait;
    let rows = hostplane_resolvers::store::entities::audit::Entity::find()
        .all(&gw.services.db)
        .await
        .expect("the audit log");
    let cancels: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r.operation.contains("Cancel"))
        .map(|r| (r.principal.as_str(), r.outcome.as_str()))
        .collect();
    assert!(cancels.contains(&("ada as panel/1", "ok")), "{cancels:?}");
}

/// Keys for customers: only an admin makes one, it names a PanelAlpha connection, it cannot carry
/// the admin scope (nor be given it later), and a customer's own key cannot make keys.
#[tokio::test]
async fn customer_keys_are_made_by_admins_without_admin() {
    let gw = spawn().await;
    let make = "mutation($scopes: [String!]!, $panel: String!) { createApiKey(input: {name: \"c\",
        scopes: $scopes, panelalphaUser: {connection: $panel, user: 1}}) { id key } }";
    let code = |body: &Value| body["errors"][0]["extensions"]["code"].clone();
    let writer = token(&[Scope::Read, Scope::Write]);
    let cases = [
        (admin(), json!(["read", "admin"]), "panel", "VALIDATION"),
        (admin(), json!(["read"]), "hoster", "VALIDATION"),
        (writer, json!(["read"]), "panel", "FORBIDDEN"),
        (bound_token("1"), json!(["read"]), "panel", "FORBIDDEN"),
    ];
    for (credential, scopes, panel, expected) in cases {
        let vars = json!({"scopes": scopes, "panel": panel});
        let (_, body) = gw.gql_as(Some(&credential), make, vars).await;
        assert_eq!(code(&body), expected, "{body}");
    }
    let vars = json!({"scopes": ["read", "write"], "panel": "panel"});
    let (_, body) = gw.gql_as(Some(&admin()), make, vars).await;
    let key = body["data"]["createApiKey"]["key"]
        .as_str()
        .expect("a key")
        .to_string();
    let promote = "mutation($id: String!) { updateApiKey(input: {id: $id, scopes: [\"admin\"]}) }";
    let id = body["data"]["createApiKey"]["id"].clone();
    let (_, body) = gw.gql_as(Some(&admin()), promote, json!({"id": id})).await;
    assert_eq!(code(&body), "VALIDATION", "{body}");
    let (_, body) = gw
        .gql_as(Some(&key), "{ users { nodes { userId } } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["users"]["nodes"],
        json!([{"userId": "1"}]),
        "{body}"
    );
}
