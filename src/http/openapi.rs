//! The OpenAPI 3.1 document of the REST compatibility layer, generated from the endpoint declarations
//! (`hostplane_resolvers::endpoints()`) and the envelopes the layer answers in, so it cannot drift from
//! what the routes do: parameters and bodies come from each declaration's `doc` (the same types its
//! `rest` recipe reads), statuses and error bodies from the adapters' envelope functions.
//!
//! Served at `GET /openapi.json` and printed by `hostplane openapi`. Without a credential (and on the
//! command line) the connection is a path parameter; with a gateway credential the document names the
//! connections that credential may use, one concrete path per route, so a client (or a fuzzer) calls
//! real routes. Connection names are never listed to anonymous callers, as nowhere else in the gateway.

use super::{AppState, envelope};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use hostplane_adapters::{ErrorCode, Provider};
use hostplane_resolvers::endpoint::{Endpoint, LOCAL_ARGS, RouteDoc};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// Every gateway error code, for the statuses the layer can answer with.
const CODES: [ErrorCode; 13] = [
    ErrorCode::Validation,
    ErrorCode::Unauthenticated,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::UpstreamUnavailable,
    ErrorCode::UpstreamTimeout,
    ErrorCode::UpstreamUnauthorized,
    ErrorCode::UpstreamRejected,
    ErrorCode::UpstreamMalformed,
    ErrorCode::LimitExceeded,
    ErrorCode::RateLimited,
    ErrorCode::Unsupported,
    ErrorCode::Internal,
];

/// Stops compiling when a code is added to `ErrorCode`, so that `CODES` (and the document) gets it.
const _: fn(ErrorCode) = |code| match code {
    ErrorCode::Validation
    | ErrorCode::Unauthenticated
    | ErrorCode::Forbidden
    | ErrorCode::NotFound
    | ErrorCode::UpstreamUnavailable
    | ErrorCode::UpstreamTimeout
    | ErrorCode::UpstreamUnauthorized
    | ErrorCode::UpstreamRejected
    | ErrorCode::UpstreamMalformed
    | ErrorCode::LimitExceeded
    | ErrorCode::RateLimited
    | ErrorCode::Unsupported
    | ErrorCode::Internal => {}
};

/// Providers with declared endpoints, in the route table's order.
fn providers() -> Vec<Provider> {
    let mut seen = Vec::new();
    for e in hostplane_resolvers::endpoints() {
        if !seen.contains(&e.provider) {
            seen.push(e.provider);
        }
    }
    seen
}

/// The document. `connections` names the connections to describe (name and provider); `None` gives
/// the connection-agnostic document with `{connection}` as a path parameter.
pub fn document(connections: Option<&[(String, Provider)]>) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        })
        .into_generator();
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut tags = Vec::new();
    let targets: Vec<(Option<&str>, Provider)> = match connections {
        None => providers().into_iter().map(|p| (None, p)).collect(),
        Some(list) => list.iter().map(|(n, p)| (Some(n.as_str()), *p)).collect(),
    };
    for (connection, provider) in targets {
        let tag = connection.map_or_else(|| provider.to_string(), str::to_string);
        let mut any = false;
        for e in hostplane_resolvers::endpoints().filter(|e| e.provider == provider) {
            any = true;
            let route = (e.doc)(&mut generator);
            let key = format!("/rest/{}{}", connection.unwrap_or("{connection}"), e.path);
            let op = operation(e, &route, connection, &tag);
            paths
                .entry(key)
                .or_default()
                .insert(e.method.as_str().to_ascii_lowercase(), op);
        }
        if any {
            tags.push(json!({
                "name": tag,
                "description": match connection {
                    Some(_) => format!("The {provider} connection `{tag}`"),
                    None => format!("Every {provider} connection"),
                },
            }));
        }
    }
    let mut schemas = generator.take_definitions(true);
    let mut schemes = Map::new();
    for provider in providers() {
        schemas.insert(
            format!("{}Error", schema_prefix(provider)),
            provider.wire().error_schema(),
        );
        schemes.extend(
            provider
                .wire()
                .security_schemes()
                .into_iter()
                .map(|(name, scheme)| (name.to_string(), scheme)),
        );
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "hostplane REST compatibility layer",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every documented path of each upstream API at `/rest/{connection}/<original path>`, \
                with the API's own credential header, envelope, status codes and error bodies. A \
                gateway credential (JWT or API key) goes where the API carries its own. Statuses \
                not listed for an operation are the upstream's own errors, repeated as it sent them.",
        },
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": error_responses(),
            "securitySchemes": schemes,
        },
    })
}

/// One operation: parameters and body from the declaration, responses from the envelopes.
fn operation(e: &Endpoint, route: &RouteDoc, connection: Option<&str>, tag: &str) -> Value {
    let in_path: BTreeSet<&str> = e.path_params().collect();
    let mut parameters = Vec::new();
    if connection.is_none() {
        parameters.push(json!({
            "name": "connection",
            "in": "path",
            "required": true,
            "description": format!("The connection's name (one of provider {}).", e.provider),
            "schema": { "type": "string", "pattern": "^[A-Za-z0-9_-]+$" },
        }));
    }
    for p in &route.params {
        let location = if in_path.contains(p.name) {
            "path"
        } else if LOCAL_ARGS.contains(&p.name) {
            // Relay pagination shapes the GraphQL result only; the original API has no such
            // parameter, so the REST contract does not offer it.
            continue;
        } else {
            "query"
        };
        let mut param = json!({
            "name": p.name,
            "in": location,
            "required": location == "path" || p.required,
            "schema": p.schema,
        });
        if !p.required && location == "path" {
            param["description"] =
                json!("Optional: the path may end before this segment and those after it.");
        } else if !p.required {
            // `Param for Option<T>`: upstreams read a malformed `?page=` as the first page, and so does
            // the gateway; saying so keeps the document true for such requests.
            param["description"] = json!("Optional; a value that cannot be read counts as absent.");
        }
        parameters.push(param);
    }
    let field = e.field();
    let mut op = json!({
        "operationId": match connection {
            Some(c) => format!("{c}.{field}"),
            None => field.clone(),
        },
        "summary": e.title,
        "description": format!("GraphQL: `{field}` ({}).", match e.operation {
            hostplane_resolvers::endpoint::Operation::Query => "query",
            hostplane_resolvers::endpoint::Operation::Mutation => "mutation",
        }),
        "tags": [tag],
        "parameters": parameters,
        "security": security(e),
        "responses": responses(e),
        "x-graphql-field": field,
    });
    if let Some(body) = &route.body {
        op["requestBody"] = json!({
            "required": body.required,
            "content": { "application/json": { "schema": body.schema } },
        });
    }
    if let Some(why) = e.deprecated {
        op["deprecated"] = json!(true);
        op["description"] = json!(format!(
            "{} Deprecated: {why}.",
            op["description"].as_str().unwrap_or_default()
        ));
    }
    op
}

/// The success answers, then every status the layer itself answers with (mapped by the provider's
/// envelope), then `default` for the upstream's own errors, which keep the upstream's status. The
/// error answers are shared per provider in `components.responses`.
fn responses(e: &Endpoint) -> Value {
    let mut out = Map::new();
    for (status, response) in success(e) {
        out.insert(status.to_string(), response);
    }
    let name = schema_prefix(e.provider);
    for status in gateway_statuses(e.provider).into_keys() {
        out.entry(status.to_string())
            .or_insert_with(|| json!({ "$ref": format!("#/components/responses/{name}{status}") }));
    }
    out.insert(
        "default".into(),
        json!({ "$ref": format!("#/components/responses/{name}Upstream") }),
    );
    Value::Object(out)
}

/// Each provider's error answers, by status, and its upstream's own (`<Provider>Upstream`).
fn error_responses() -> Map<String, Value> {
    let mut out = Map::new();
    for provider in providers() {
        let name = schema_prefix(provider);
        let error = json!({ "$ref": format!("#/components/schemas/{name}Error") });
        for (status, why) in gateway_statuses(provider) {
            // An unknown connection is refused before its provider is known, in the plain shape.
            let schema = if status == 404 && provider.wire().error_schema() != plain_error() {
                json!({ "anyOf": [error, plain_error()] })
            } else {
                error.clone()
            };
            out.insert(
                format!("{name}{status}"),
                json!({
                    "description": why,
                    "content": { "application/json": { "schema": schema } },
                }),
            );
        }
        out.insert(
            format!("{name}Upstream"),
            json!({
                "description": "The upstream's own error: its status and text, in its envelope.",
                "content": { "application/json": { "schema": error } },
            }),
        );
    }
    out
}

fn success(e: &Endpoint) -> Vec<(u16, Value)> {
    let wire = e.provider.wire();
    if e.streams_file() {
        let media = wire.download_media_type();
        return vec![(
            200,
            json!({
                "description": "The file, streamed as the upstream sends it.",
                "content": { media: { "schema": { "contentMediaType": media } } },
            }),
        )];
    }
    wire.success_responses(e.method, e.path)
        .into_iter()
        .map(|(status, schema)| {
            let response = match schema {
                Some(schema) => json!({
                    "description": "The upstream's answer.",
                    "content": { "application/json": { "schema": schema } },
                }),
                None => json!({ "description": "Done; the upstream answers no body." }),
            };
            (status, response)
        })
        .collect()
}

/// Each status the layer answers with on its own for this provider, and why: every gateway error
/// code through the provider's envelope, and its answers to unreadable input.
fn gateway_statuses(provider: Provider) -> BTreeMap<u16, String> {
    use hostplane_adapters::shape::{Failure, Kind, Refusal, Refused};
    use hostplane_resolvers::endpoint::RestInputError;
    let mut reasons: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    let wire = provider.wire();
    for code in CODES {
        let (status, _) = wire.refusal(code, "", None);
        reasons
            .entry(status)
            .or_default()
            .push(format!("`{}`", code.as_str()));
    }
    let missing = Refused::Fields(vec![Refusal {
        field: "field".into(),
        failure: Failure::Missing,
    }]);
    let unreadable = [
        (
            envelope::input_error(wire, &RestInputError::Refused(missing)).status,
            "a body field is missing, of the wrong type or breaking a documented rule",
        ),
        (
            envelope::input_error(wire, &RestInputError::Refused(Refused::Body(Kind::Object)))
                .status,
            "the body is not the JSON the endpoint takes",
        ),
        (
            wire.invalid_path_param("id", "x").0,
            "a parameter cannot be read",
        ),
    ];
    for (status, why) in unreadable {
        reasons.entry(status).or_default().push(why.into());
    }
    reasons
        .entry(404)
        .or_default()
        .push("no such connection".into());
    reasons
        .into_iter()
        .map(|(status, why)| {
            let mut why: Vec<String> = why;
            why.dedup();
            (status, format!("Gateway: {}.", why.join(", ")))
        })
        .collect()
}

/// `Hosterapi`, as the provider's names start in `components`.
fn schema_prefix(provider: Provider) -> String {
    let name = provider.to_string();
    match name.get(..1) {
        Some(first) => first.to_uppercase() + &name[1..],
        None => name,
    }
}

fn plain_error() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": { "type": "string" } },
    })
}

/// The credentials a route takes: the API's own header formats, and none at all where the upstream
/// serves the endpoint anonymously (its logins).
fn security(e: &Endpoint) -> Value {
    let mut requirements = e.provider.wire().security();
    if e.anonymous
        && let Value::Array(list) = &mut requirements
    {
        list.push(json!({}));
    }
    requirements
}

/// `GET /openapi.json`: the connection-agnostic document to anyone; with a valid gateway credential
/// (`Authorization: Bearer`), the document of the connections it may use.
pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let document = match state.authenticate(authorization).await {
        Ok(None) => document(None),
        Ok(Some(principal)) => {
            let mut connections: Vec<(String, Provider)> = state
                .services
                .connections
                .list()
                .iter()
                .filter(|c| principal.may_use(&c.name))
                .map(|c| (c.name.clone(), c.provider))
                .collect();
            connections.sort();
            document(Some(&connections))
        }
        // A credential that fails is refused rather than ignored, so a client does not take the
        // agnostic document for "no connections".
        Err(_) => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::CONTENT_TYPE, "application/json")],
                json!({ "error": "unauthorized" }).to_string(),
            )
                .into_response();
        }
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&document).unwrap_or_default(),
    )
        .into_response()
}
