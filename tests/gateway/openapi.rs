//! The OpenAPI 3.1 document of the REST compatibility layer: well formed, one operation per declared
//! endpoint (per connection when served with a credential) with the template's parameters and the
//! provider's security scheme, served at `/openapi.json` without auth, and printed by `hostplane
//! openapi` identically.

use crate::helpers::{self, CONNECTION, ORCHESTRIX, PATCHSTACK, WPCS};
use hostplane::http::openapi::document;
use hostplane_adapters::Provider;
use hostplane_schema::principal::Scope;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of the document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths is an object") {
        for (method, op) in item.as_object().expect("a path item is an object") {
            assert!(METHODS.contains(&method.as_str()), "{path}: `{method}`");
            out.push((path.clone(), method.clone(), op));
        }
    }
    out
}

/// The `{name}` placeholders of a path, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// Follows a local `$ref` (`#/components/...`) to what it names.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Every `$ref` anywhere in `value` names something in the document.
fn assert_refs_resolve(doc: &Value, value: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                assert!(resolve(doc, r).is_some(), "dangling $ref {r}");
            }
            map.values().for_each(|v| assert_refs_resolve(doc, v));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_refs_resolve(doc, v)),
        _ => {}
    }
}

/// The security scheme names each provider's operations accept (the empty requirement aside).
fn schemes_of(op: &Value) -> BTreeSet<String> {
    op["security"]
        .as_array()
        .expect("every operation states its security")
        .iter()
        .flat_map(|req| req.as_object().unwrap().keys().cloned())
        .collect()
}

fn expected_schemes(provider: Provider) -> BTreeSet<String> {
    let names: &[&str] = match provider {
        Provider::Hosterapi => &["hosterapiBearer"],
        Provider::Patchstack => &["patchstackHostToken"],
        Provider::Orchestrix => &["orchestrixToken", "orchestrixBearer"],
        Provider::Wpcs => &["wpcsBasic", "wpcsBearer"],
        Provider::Panelalpha => &["panelalphaBearer"],
    };
    names.iter().map(|s| s.to_string()).collect()
}

/// The structure every variant of the document shares, checked for the given connections (`None`:
/// the `{connection}` parameter): each declared endpoint once per connection with its method, its
/// template's path parameters exactly, query parameters for the rest, a request body where it takes
/// input, its provider's security, statuses from its envelope, and references that resolve.
fn assert_document(doc: &Value, connections: &[(Option<&str>, Provider)]) {
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(
        doc["jsonSchemaDialect"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_refs_resolve(doc, doc);
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for scheme in schemes.values() {
        match scheme["type"].as_str() {
            Some("http") => assert!(scheme["scheme"].is_string()),
            Some("apiKey") => {
                assert_eq!(scheme["in"], "header");
                assert!(scheme["name"].is_string());
            }
            other => panic!("unexpected scheme type {other:?}"),
        }
    }

    let ops = operations(doc);
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    for (path, method, op) in &ops {
        *seen.entry((path.clone(), method.clone())).or_default() += 1;
        let id = op["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_string()), "operationId {id} twice");
    }
    let mut expected = 0;
    for (connection, provider) in connections {
        for e in hostplane_resolvers::endpoints().filter(|e| e.provider == *provider) {
            expected += 1;
            let path = format!("/rest/{}{}", connection.unwrap_or("{connection}"), e.path);
            let method = e.method.as_str().to_ascii_lowercase();
            assert_eq!(
                seen.get(&(path.clone(), method.clone())),
                Some(&1),
                "{method} {path} ({}) once",
                e.field()
            );
            let op = &doc["paths"][&path][&method];
            assert_eq!(op["x-graphql-field"], e.field());

            // Path parameters are exactly the template's placeholders, all required.
            let params = op["parameters"].as_array().expect("parameters");
            let in_path: BTreeSet<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            let template: BTreeSet<&str> = placeholders(&path).into_iter().collect();
            assert_eq!(in_path, template, "{method} {path}");
            for p in params {
                assert!(p["schema"].is_object(), "{method} {path}: {p}");
                if p["in"] == "path" {
                    assert_eq!(p["required"], true, "{method} {path}: {p}");
                } else {
                    assert_eq!(p["in"], "query", "{method} {path}: {p}");
                }
            }
            // Integer IDs are documented as integers (`sid: i64`).
            if e.path.contains("{sid}") {
                let sid = params.iter().find(|p| p["name"] == "sid").unwrap();
                assert_eq!(sid["schema"]["type"], "integer");
            }

            let route = (e.doc)(&mut schemars::SchemaGenerator::default());
            assert_eq!(
                op.get("requestBody").is_some(),
                route.body.is_some(),
                "{method} {path}: request body"
            );
            if let Some(body) = op.get("requestBody") {
                assert!(body["content"]["application/json"]["schema"].is_object());
            }
            assert_eq!(
                schemes_of(op),
                expected_schemes(e.provider),
                "{method} {path}"
            );

            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("default"), "{method} {path}");
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} has a success"
            );
            let gateway_statuses: &[&str] = match e.provider {
                Provider::Hosterapi | Provider::Wpcs => &["400", "401", "403", "404", "502", "504"],
                _ => &["401", "403", "404", "422", "502", "504"],
            };
            for status in gateway_statuses {
                assert!(
                    responses.contains_key(*status),
                    "{method} {path} lacks {status}"
                );
            }
        }
    }
    assert_eq!(ops.len(), expected, "no operation the route table lacks");
}

/// The connection-agnostic document: every declared endpoint once, under `{connection}`.
#[test]
fn agnostic_document_covers_the_route_table() {
    let doc = document(None);
    let providers: Vec<(Option<&str>, Provider)> = [
        Provider::Hosterapi,
        Provider::Patchstack,
        Provider::Orchestrix,
        Provider::Wpcs,
        Provider::Panelalpha,
    ]
    .into_iter()
    .map(|p| (None, p))
    .collect();
    assert_document(&doc, &providers);
    assert_eq!(
        operations(&doc).len(),
        hostplane_resolvers::endpoints().count()
    );
    // OpenAPI forbids two templated paths that differ only in their placeholders' names.
    let mut shapes = BTreeMap::new();
    for path in doc["paths"].as_object().unwrap().keys() {
        let shape: Vec<&str> = path
            .split('/')
            .map(|s| if s.starts_with('{') { "{}" } else { s })
            .collect();
        if let Some(other) = shapes.insert(shape.join("/"), path.clone()) {
            panic!("{path} and {other} are the same template");
        }
    }
}

/// Status codes and bodies follow each API's envelope: Orchestrix creations are 201 and deletes 204,
/// Patchstack validation 422, WPCS errors `{statusCode, message}`, HosterAPI successes `{result}`
/// (its incidents `{response, error: false}`), downloads a file.
#[test]
fn responses_follow_each_envelope() {
    let doc = document(None);
    let op = |method: &str, path: &str| {
        doc["paths"][format!("/rest/{{connection}}{path}")][method].clone()
    };
    let responses = |method: &str, path: &str| {
        op(method, path)["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>()
    };
    assert!(responses("post", "/api/v1/sites").contains("201"));
    assert!(!responses("post", "/api/v1/sites").contains("200"));
    assert!(
        responses(
            "post",
            "/api/v1/sites/{site_id}/upgrade_pipelines/{id}/approve"
        )
        .contains("200")
    );
    assert!(responses("delete", "/api/v1/sites/{id}").contains("204"));
    assert!(responses("post", "/hosting/user/add").contains("422"));
    assert!(responses("get", "/api/v1/datacenter/server").contains("400"));

    let success = &op("get", "/api/v1/datacenter/server")["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(success["required"], serde_json::json!(["result"]));
    let incidents = &op("get", "/api/v1/datacenter/server/{sid}/incidents")["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert_eq!(incidents["properties"]["error"]["const"], false);

    let wpcs_error = &doc["components"]["schemas"]["WpcsError"];
    assert_eq!(
        wpcs_error["required"],
        serde_json::json!(["statusCode", "message"])
    );
    let zip = &op("get", "/hosting/site/{siteid}/download")["responses"]["200"]["content"];
    assert!(zip.get("application/zip").is_some(), "{zip}");

    // Bodies are the inputs as serde reads them: upstream names, and the gateway's own limits.
    let body = &doc["components"]["schemas"]["HosterapiSoftwareInput"];
    assert!(body["properties"].get("sid|ip").is_some(), "{body}");
    let create = &doc["components"]["schemas"]["HosterapiCreateServerInput"];
    assert_eq!(create["properties"]["cpuCores"]["minimum"], 1);
    let add_user = &doc["components"]["schemas"]["PatchstackAddUserInput"];
    assert!(
        add_user["properties"]
            .get("password_confirmation")
            .is_some()
    );
    // Each documented rule, written once, is a constraint here too.
    let field =
        |schema: &str, name: &str| doc["components"]["schemas"][schema]["properties"][name].clone();
    assert_eq!(field("PatchstackAddUserInput", "email")["format"], "email");
    assert_eq!(field("PatchstackAddUserInput", "password")["minLength"], 6);
    assert_eq!(field("PatchstackAddUserInput", "name")["minLength"], 1);
    assert_eq!(
        field("PatchstackAddSiteInput", "url")["pattern"],
        "^https?://[^\\s/?#]+"
    );
    assert_eq!(field("PatchstackEditUserInput", "email")["format"], "email");
    // Relay pagination is GraphQL's; the original API's `page` is offered, `first`/`after` are not.
    let sites = op("get", "/api/v1/sites");
    let names: Vec<&str> = sites["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["connection", "page"]);
    // The deprecated WPCS route says so.
    assert_eq!(op("post", "/v1/tenants/domain")["deprecated"], true);
}

/// Served without auth, the document is the agnostic one, and `hostplane openapi` prints the same.
#[tokio::test]
async fn served_without_auth_and_printed_by_the_cli() {
    let g = helpers::spawn().await;
    let resp = g.http.get(g.url("/openapi.json")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let served: Value = resp.json().await.unwrap();
    assert_eq!(served, document(None));
    // No connection name reaches an anonymous caller.
    let text = served.to_string();
    for name in [
        "/rest/hoster/",
        "/rest/patch/",
        "/rest/orch/",
        "/rest/wpcs/",
    ] {
        assert!(!text.contains(name), "{name} listed anonymously");
    }

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hostplane"))
        .arg("openapi")
        .output()
        .expect("run hostplane openapi");
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).expect("the CLI prints JSON");
    assert_eq!(printed, served);
}

/// With a gateway credential the document names the connections it may use, each endpoint once per
/// connection; a refused credential is a 401, not the anonymous document.
#[tokio::test]
async fn served_with_a_credential_names_its_connections() {
    let g = helpers::spawn().await;
    let get = |token: String| {
        let req = g.http.get(g.url("/openapi.json")).bearer_auth(token);
        async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };

    let (status, doc) = get(helpers::admin()).await;
    assert_eq!(status, 200);
    let all = [
        (Some(CONNECTION), Provider::Hosterapi),
        (Some(ORCHESTRIX), Provider::Orchestrix),
        (Some(PATCHSTACK), Provider::Patchstack),
        (Some(WPCS), Provider::Wpcs),
        (Some(helpers::PANELALPHA), Provider::Panelalpha),
    ];
    assert_document(&doc, &all);
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.keys().all(|p| !p.contains("{connection}")));

    let only = vec![CONNECTION.to_string()];
    let (status, doc) = get(helpers::token_for("limited", &[Scope::Read], Some(&only))).await;
    assert_eq!(status, 200);
    assert_document(&doc, &[(Some(CONNECTION), Provider::Hosterapi)]);

    let (status, body) = get("not-a-token".into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
}

/// A documented route answers what the document says: the HosterAPI VM list in `{result}`, and an
/// unknown VM with a documented status in HosterAPI's error shape.
#[tokio::test]
async fn answers_match_the_document() {
    let g = helpers::spawn().await;
    let doc = document(None);
    let (status, body) = g.rest("GET", "/api/v1/datacenter/server", None).await;
    assert_eq!(status, 200);
    assert!(body.get("result").is_some(), "{body}");
    let (status, body) = g
        .rest("GET", "/api/v1/datacenter/server/999999/status", None)
        .await;
    let responses = &doc["paths"]["/rest/{connection}/api/v1/datacenter/server/{sid}/status"]["get"]
        ["responses"];
    assert!(responses.get(status.to_string()).is_some(), "{status}");
    let error = &doc["components"]["schemas"]["HosterapiError"];
    for key in error["required"].as_array().unwrap() {
        assert!(
            body.get(key.as_str().unwrap()).is_some(),
            "{body} lacks {key}"
        );
    }
}
