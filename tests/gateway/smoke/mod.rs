//! One smoke test over every declared endpoint (`hostplane_resolvers::endpoints()`, whatever its
//! provider): each is called through GraphQL and through its REST path, each time on a fresh fixture,
//! with the example arguments of its row in `rows` (an endpoint without required arguments needs
//! none). Each call must reach the provider's simulator as exactly one request with the method, path,
//! query string and JSON body that the declaration and the row give, and come back as a success: over
//! GraphQL without errors, on the REST path as what the provider's `Wire::success` makes of the
//! upstream's own answer in that same exchange (the simulator records it). A file download's link
//! reaches the upstream when it is followed, and its bytes come back as the upstream sent them.

mod audience;
mod paths;
mod refusals;
mod rows;
mod schema;

use crate::helpers::{Options, TestGateway, Upstream, admin, spawn_with};
use base64::{Engine, engine::general_purpose::STANDARD};
use futures_util::{StreamExt, stream};
use hostplane_adapters::Provider;
use hostplane_resolvers::endpoint::{Endpoint, LOCAL_ARGS, Operation, RestInput, RouteDoc};
use hostplane_simulators::Recorded;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use schema::{Fields, introspect};
use serde_json::{Value, json};
use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::Arc,
    time::Duration,
};

/// Fixtures running at once (each is four simulators and a gateway with its own database).
const CONCURRENCY: usize = 8;

/// HosterAPI's endpoints, each on both surfaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosterapi() {
    smoke(Provider::Hosterapi).await;
}

/// Patchstack's endpoints, each on both surfaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patchstack() {
    smoke(Provider::Patchstack).await;
}

/// WP Orchestrix's endpoints, each on both surfaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orchestrix() {
    smoke(Provider::Orchestrix).await;
}

/// WPCS's endpoints, each on both surfaces.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wpcs() {
    smoke(Provider::Wpcs).await;
}

/// PanelAlpha's endpoints, each on both surfaces, once it declares some (its simulator must then
/// join the fixture: `TestGateway::upstream_of`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panelalpha() {
    smoke(Provider::Panelalpha).await;
}

/// Every row names a declared endpoint's GraphQL field, once, with only parameters that endpoint
/// declares, and a body only where it takes an input.
#[test]
fn rows_name_declared_fields_and_arguments() {
    let mut seen = BTreeSet::new();
    for row in rows::rows() {
        assert!(seen.insert(row.field), "two rows for {}", row.field);
        let endpoint = hostplane_resolvers::endpoints()
            .find(|e| e.field() == row.field)
            .unwrap_or_else(|| panic!("a row for {}, which no endpoint declares", row.field));
        let doc = route_doc(endpoint);
        for (name, _) in &row.params {
            assert!(
                doc.params.iter().any(|p| p.name == *name),
                "{}: the row gives `{name}`, which the endpoint does not declare",
                row.field
            );
        }
        assert!(
            row.body.is_none() || doc.body.is_some(),
            "{}: the row gives a body, but the endpoint takes no input",
            row.field
        );
    }
}

/// Every endpoint with a required parameter or input has a row that gives it.
#[test]
fn every_endpoint_with_required_arguments_has_a_row() {
    let rows = rows::rows();
    for endpoint in hostplane_resolvers::endpoints() {
        let field = endpoint.field();
        let row = rows.iter().find(|r| r.field == field);
        let doc = route_doc(endpoint);
        for p in doc.params.iter().filter(|p| p.required) {
            assert!(
                row.is_some_and(|r| r.value(p.name).is_some()),
                "{field} needs a row giving `{}`",
                p.name
            );
        }
        if doc.body.as_ref().is_some_and(|b| b.required) {
            assert!(
                row.is_some_and(|r| r.body.is_some()),
                "{field} needs a row giving its input"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

/// An endpoint's example arguments, keyed by its GraphQL field. Values may name an object the
/// `given` calls found (`{name}`).
pub struct Row {
    pub field: &'static str,
    /// Calls straight to the upstream before the call under test, each naming a value of its answer.
    pub given: Vec<Given>,
    /// Declared parameters (path, query string or header), by their declared names.
    pub params: Vec<(&'static str, String)>,
    /// The input, in the upstream's JSON names, as the REST layer takes it and the upstream gets it.
    pub body: Option<Value>,
    /// For an endpoint that acts only as the caller upstream: the caller's own credential.
    pub caller: Option<Caller>,
}

/// A call straight to the upstream (with the stored credential); `pointer` picks the value the
/// row then names `{name}`.
pub struct Given {
    pub name: &'static str,
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
    pub pointer: &'static str,
}

/// The caller's own upstream credential: over GraphQL in `graphql_header`, on the REST path as the
/// `Authorization` the upstream takes (passed through instead of a gateway credential).
pub struct Caller {
    pub graphql_header: &'static str,
    pub authorization: String,
}

pub fn row(field: &'static str) -> Row {
    Row {
        field,
        given: Vec::new(),
        params: Vec::new(),
        body: None,
        caller: None,
    }
}

impl Row {
    pub fn param(mut self, name: &'static str, value: impl Into<String>) -> Row {
        self.params.push((name, value.into()));
        self
    }

    pub fn body(mut self, body: Value) -> Row {
        self.body = Some(body);
        self
    }

    pub fn given(
        mut self,
        name: &'static str,
        method: &'static str,
        path: impl Into<String>,
        body: Option<Value>,
        pointer: &'static str,
    ) -> Row {
        self.given.push(Given {
            name,
            method,
            path: path.into(),
            body,
            pointer,
        });
        self
    }

    pub fn acting_as(mut self, graphql_header: &'static str, authorization: &str) -> Row {
        self.caller = Some(Caller {
            graphql_header,
            authorization: authorization.into(),
        });
        self
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// The walk

#[derive(Clone, Copy, Debug)]
enum Surface {
    Graphql,
    Rest,
}

async fn smoke(provider: Provider) {
    let endpoints: Vec<&'static Endpoint> = hostplane_resolvers::endpoints()
        .filter(|e| e.provider == provider)
        .collect();
    if endpoints.is_empty() {
        return;
    }
    let rows: HashMap<&str, Arc<Row>> = rows::rows()
        .into_iter()
        .map(|r| (r.field, Arc::new(r)))
        .collect();
    let fields = Arc::new(introspect().await);
    let calls = endpoints
        .iter()
        .flat_map(|e| [Surface::Graphql, Surface::Rest].map(|s| (*e, s)));
    let failures: Vec<String> = stream::iter(calls)
        .map(|(endpoint, surface)| {
            let row = rows.get(endpoint.field().as_str()).cloned();
            let fields = fields.clone();
            async move {
                let checked = tokio::spawn(async move {
                    check(endpoint, row.as_deref(), surface, &fields).await;
                })
                .await;
                checked.err().map(|e| {
                    let text = match e.try_into_panic() {
                        Ok(panic) => panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default(),
                        Err(e) => e.to_string(),
                    };
                    format!("{} over {surface:?}: {text}", endpoint.field())
                })
            }
        })
        .buffer_unordered(CONCURRENCY)
        .filter_map(|failure| async { failure })
        .collect()
        .await;
    assert!(
        failures.is_empty(),
        "{} of {} calls failed:\n{}",
        failures.len(),
        endpoints.len() * 2,
        failures.join("\n")
    );
}

/// One endpoint on one surface, on a fixture of its own: mutations leave the next call fresh state.
async fn check(endpoint: &'static Endpoint, row: Option<&Row>, surface: Surface, fields: &Fields) {
    let gw = fixture().await;
    let upstream = gw
        .upstream_of(endpoint.provider)
        .unwrap_or_else(|| panic!("the fixture starts no {} simulator", endpoint.provider));
    let call = Call::prepare(&gw, &upstream, endpoint, row).await;
    let before = upstream.server.log.len();
    let answer = match surface {
        Surface::Graphql => call.graphql(&gw, fields).await,
        Surface::Rest => Some(call.rest(&gw).await),
    };
    let seen = upstream.server.log.since(before);
    let got: Vec<_> = seen
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.as_str(),
                r.query.as_deref(),
                &r.body,
            )
        })
        .collect();
    let (method, path, query, body) = call.upstream_request();
    assert_eq!(
        got,
        [(method, path.as_str(), query.as_deref(), &body)],
        "the requests the upstream received"
    );
    let Some((status, bytes)) = answer else {
        return;
    };
    if endpoint.streams_file() {
        assert_eq!(status, 200, "the download answered");
        assert!(
            seen[0].response.as_deref() == Some(&bytes[..]),
            "the file came back as the upstream sent it"
        );
    } else {
        let reply = (status, json_of(&bytes));
        assert!((200..300).contains(&status), "answered {reply:?}");
        assert_eq!(reply, call.envelope(&seen[0]), "the REST answer");
    }
}

/// A fixture whose every upstream request is a call under test: tasks are not followed, since a
/// watcher's poll would be a second upstream request.
async fn fixture() -> TestGateway {
    spawn_with(Options {
        poll_interval: Duration::from_secs(3600),
        ..Options::default()
    })
    .await
}

/// The call a row makes of an endpoint on a fixture, its `given` objects found.
struct Call {
    endpoint: &'static Endpoint,
    connection: &'static str,
    /// Path and query-string parameters, in declaration order.
    params: Vec<(&'static str, String)>,
    /// Header parameters, by header name.
    headers: Vec<(&'static str, String)>,
    body: Option<Value>,
    caller: Option<(&'static str, String)>,
}

impl Call {
    async fn prepare(
        gw: &TestGateway,
        upstream: &Upstream<'_>,
        endpoint: &'static Endpoint,
        row: Option<&Row>,
    ) -> Call {
        let mut found = BTreeMap::new();
        for given in row.map(|r| &r.given[..]).unwrap_or_default() {
            let path = fill(&given.path, &found);
            let body = given.body.as_ref().map(|b| fill_json(b, &found));
            let method = reqwest::Method::from_bytes(given.method.as_bytes()).expect("a method");
            let url = format!("{}{path}", upstream.server.base_url());
            let mut req = gw
                .http
                .request(method, url)
                .header(upstream.credential.0, upstream.credential.1);
            // A row that acts as a user sets up as that user too.
            let user_header = endpoint.provider.wire().user_header();
            if let (Some(header), Some(user)) = (user_header, row.and_then(|r| r.value("as_user")))
            {
                req = req.header(header, user);
            }
            if let Some(body) = body {
                req = req.json(&body);
            }
            let resp = req.send().await.expect("the simulator answers");
            let status = resp.status().as_u16();
            let answer: Value = resp.json().await.expect("a JSON answer");
            assert!(
                (200..300).contains(&status),
                "given {} {path}: {status} {answer}",
                given.method
            );
            let value = answer.pointer(given.pointer).unwrap_or_else(|| {
                panic!(
                    "given {} {path}: no {} in {answer}",
                    given.method, given.pointer
                )
            });
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            found.insert(given.name, text);
        }
        let mut params = Vec::new();
        let mut headers = Vec::new();
        for p in route_doc(endpoint).params {
            let Some(value) = row.and_then(|r| r.value(p.name)) else {
                continue;
            };
            let value = fill(value, &found);
            match p.header {
                Some(header) => headers.push((header, value)),
                None => params.push((p.name, value)),
            }
        }
        Call {
            endpoint,
            connection: upstream.connection,
            params,
            headers,
            body: row
                .and_then(|r| r.body.as_ref())
                .map(|b| fill_json(b, &found)),
            caller: row
                .and_then(|r| r.caller.as_ref())
                .map(|c| (c.graphql_header, fill(&c.authorization, &found))),
        }
    }

    /// What the upstream must receive: the method, the template filled with the row's path and
    /// query parameters (a Relay list reads its first page unless the row names one), and the
    /// row's input as the body.
    fn upstream_request(&self) -> (&'static str, String, Option<String>, Option<Value>) {
        let mut sent: Vec<(&str, &str)> = self
            .params
            .iter()
            .filter(|(name, _)| !LOCAL_ARGS.contains(name))
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let relay = route_doc(self.endpoint)
            .params
            .iter()
            .any(|p| LOCAL_ARGS.contains(&p.name));
        if relay && !sent.iter().any(|(name, _)| *name == "page") {
            sent.push(("page", "1"));
        }
        let full = (self.endpoint.path_for(&sent)).expect("the row's values are segments");
        let (path, query) = match full.split_once('?') {
            Some((path, query)) => (path.to_string(), Some(query.to_string())),
            None => (full, None),
        };
        (
            self.endpoint.method.as_str(),
            path,
            query,
            self.body.clone(),
        )
    }

    /// The GraphQL variables of the call: the REST recipe's, so the row's upstream names are
    /// converted to GraphQL's input once, where the REST layer does it.
    fn variables(&self) -> Value {
        let params: BTreeMap<String, String> = self
            .params
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
                HeaderValue::from_str(value).expect("a header value"),
            );
        }
        let input = RestInput {
            connection: self.connection,
            params: &params,
            headers: &headers,
            body: self.body.clone(),
        };
        (self.endpoint.rest)(&input)
            .unwrap_or_else(|e| panic!("the row's arguments do not make a call: {e}"))
    }

    /// The endpoint's field as an admin, selecting only `__typename` (and a download's link, which
    /// is then followed): its answer, for a download.
    async fn graphql(&self, gw: &TestGateway, fields: &Fields) -> Option<(u16, Vec<u8>)> {
        let field = self.endpoint.field();
        let (status, body) = self.graphql_as(gw, fields, &admin()).await;
        assert!(
            status == 200 && body.get("errors").is_none() && !body["data"][&field].is_null(),
            "GraphQL answered {status}: {body}"
        );
        if !self.endpoint.streams_file() {
            return None;
        }
        let url = body["data"][&field]["url"]
            .as_str()
            .unwrap_or_else(|| panic!("no download link: {body}"));
        let resp = gw.http.get(url).send().await.expect("the gateway answers");
        let status = resp.status().as_u16();
        Some((status, resp.bytes().await.expect("a body").to_vec()))
    }

    /// The endpoint's field with `credential`: the status and the GraphQL response.
    async fn graphql_as(
        &self,
        gw: &TestGateway,
        fields: &Fields,
        credential: &str,
    ) -> (u16, Value) {
        self.graphql_with(gw, fields, credential, self.variables())
            .await
    }

    /// As `graphql_as`, with these variables.
    async fn graphql_with(
        &self,
        gw: &TestGateway,
        fields: &Fields,
        credential: &str,
        variables: Value,
    ) -> (u16, Value) {
        let field = self.endpoint.field();
        let info = fields
            .get(&field)
            .unwrap_or_else(|| panic!("the schema has no root field {field}"));
        let mut declared = Vec::new();
        let mut passed = Vec::new();
        for name in variables
            .as_object()
            .expect("variables are an object")
            .keys()
        {
            let ty = info
                .args
                .get(name)
                .unwrap_or_else(|| panic!("{field} takes no `{name}`, which its recipe sets"));
            declared.push(format!("${name}: {ty}"));
            passed.push(format!("{name}: ${name}"));
        }
        let operation = match self.endpoint.operation {
            Operation::Query => "query",
            Operation::Mutation => "mutation",
        };
        let download = self.endpoint.streams_file();
        let selection = match (info.leaf, download) {
            (true, _) => "",
            (false, true) => "{ __typename url }",
            (false, false) => "{ __typename }",
        };
        let document = format!(
            "{operation} Smoke({}) {{ {field}({}) {selection} }}",
            declared.join(", "),
            passed.join(", ")
        );
        let mut req = gw
            .http
            .post(gw.url("/graphql"))
            .bearer_auth(credential)
            .json(&json!({"query": document, "variables": variables}));
        if let Some((header, value)) = &self.caller {
            req = req.header(*header, value);
        }
        let resp = req.send().await.expect("the gateway answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("GraphQL answers JSON"))
    }

    /// The endpoint's original path through the REST layer, with the gateway credential in the
    /// API's own header format (none for what the upstream serves anonymously; the caller's own
    /// upstream credential where the row acts as the caller).
    async fn rest(&self, gw: &TestGateway) -> (u16, Vec<u8>) {
        self.rest_as(gw, None).await
    }

    /// As `rest`, with this gateway credential presented whatever the row says.
    async fn rest_as(&self, gw: &TestGateway, credential: Option<&str>) -> (u16, Vec<u8>) {
        let endpoint = self.endpoint;
        let params: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        let url = gw.url(&format!(
            "/rest/{}{}",
            self.connection,
            endpoint
                .path_for(&params)
                .expect("the row's values are segments")
        ));
        let method =
            reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes()).expect("a method");
        let mut req = gw.http.request(method, url);
        let credential = match (credential, &self.caller) {
            (Some(credential), _) => Some(present(endpoint.provider, credential)),
            (None, Some((_, authorization))) => Some(("Authorization", authorization.clone())),
            (None, None) if endpoint.anonymous => None,
            (None, None) => Some(present(endpoint.provider, &admin())),
        };
        if let Some((header, value)) = credential {
            req = req.header(header, value);
        }
        for (header, value) in &self.headers {
            req = req.header(*header, value);
        }
        if let Some(body) = &self.body {
            req = req.json(body);
        }
        let resp = req.send().await.expect("the gateway answers");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.expect("a body").to_vec())
    }

    /// What the provider's `Wire::success` makes of the upstream's answer: its payload is where the
    /// success envelope holds its result (the whole body for an API without one).
    fn envelope(&self, recorded: &Recorded) -> (u16, Value) {
        let (method, template) = (self.endpoint.method, self.endpoint.path);
        let wire = self.endpoint.provider.wire();
        let upstream = json_of(recorded.response.as_deref().unwrap_or_default());
        let payload = match wire.success(method, template, Value::Null).1 {
            Value::Null => upstream,
            Value::Object(shape) => {
                let holes: Vec<&String> = shape
                    .iter()
                    .filter(|(_, v)| v.is_null())
                    .map(|(k, _)| k)
                    .collect();
                assert_eq!(holes.len(), 1, "one place for the result in {shape:?}");
                upstream.get(holes[0]).cloned().unwrap_or(Value::Null)
            }
            other => panic!("a success envelope that is neither an object nor the body: {other}"),
        };
        wire.success(method, template, payload)
    }
}

/// How a REST caller presents a gateway credential in each API's own header format; checked
/// against what the provider's `Wire` reads back.
fn present(provider: Provider, credential: &str) -> (&'static str, String) {
    let (header, value) = match provider {
        Provider::Hosterapi | Provider::Panelalpha => {
            ("Authorization", format!("Bearer {credential}"))
        }
        Provider::Orchestrix => ("Authorization", format!("token {credential}")),
        Provider::Patchstack => ("HostToken", credential.to_string()),
        Provider::Wpcs => (
            "Authorization",
            format!("Basic {}", STANDARD.encode(format!("smoke:{credential}"))),
        ),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header,
        HeaderValue::from_str(&value).expect("a header value"),
    );
    assert_eq!(
        provider.wire().credential(&headers).as_deref(),
        Some(credential),
        "{provider} reads the credential back"
    );
    (header, value)
}

fn route_doc(endpoint: &Endpoint) -> RouteDoc {
    (endpoint.doc)(&mut schemars::SchemaGenerator::default())
}

/// A body as JSON: none is null, and one that is not JSON is its text.
fn json_of(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// `text` with each `{name}` replaced by the value found for it.
fn fill(text: &str, found: &BTreeMap<&str, String>) -> String {
    found.iter().fold(text.to_string(), |text, (name, value)| {
        text.replace(&format!("{{{name}}}"), value)
    })
}

fn fill_json(value: &Value, found: &BTreeMap<&str, String>) -> Value {
    match value {
        Value::String(s) => Value::String(fill(s, found)),
        Value::Array(items) => Value::Array(items.iter().map(|v| fill_json(v, found)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill_json(v, found)))
                .collect(),
        ),
        other => other.clone(),
    }
}
