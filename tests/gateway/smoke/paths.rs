//! Every request reaches only its declared upstream resource, proved from the endpoint table: a path
//! parameter that is empty, `.` or `..`, plain or percent-encoded, is refused on both surfaces before
//! any upstream call (on GraphQL as VALIDATION naming the parameter, on REST in the API's own error
//! body), so `DELETE .../snapshots/{id}` can never become a delete of the site above it.

use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The values that would climb out of a segment once decoded, as a client sends them.
const CLIMBING: [&str; 5] = ["", ".", "..", "%2e%2e", "%2E."];

/// One request sent byte for byte as written: HTTP clients normalise `.`, `..` and their encodings
/// out of a URL before sending, as a hostile or careless client need not. Its status and body.
async fn raw_request(
    gw: &TestGateway,
    method: &str,
    target: &str,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(gw.addr)
        .await
        .expect("connect");
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        gw.addr
    );
    for (name, value) in headers {
        request += &format!("{name}: {value}\r\n");
    }
    if method != "GET" {
        request += "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    } else {
        request += "\r\n";
    }
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP answer: {text}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    // A chunked body is one chunk here: its JSON sits between the size line and the end.
    let json = body
        .find(['{', '['])
        .and_then(|start| {
            serde_json::from_str(body[start..].trim_end_matches(['\r', '\n', '0'])).ok()
        })
        .unwrap_or(Value::Null);
    (status, json)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_parameters_cannot_climb() {
    let shared = fixture().await;
    let rows: HashMap<&str, Row> = rows::rows().into_iter().map(|r| (r.field, r)).collect();
    let fields = introspect().await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for endpoint in hostplane_resolvers::endpoints() {
        let names: Vec<&str> = endpoint.path_params().collect();
        if names.is_empty() {
            continue;
        }
        let field = endpoint.field();
        let row = rows.get(field.as_str());
        // A row that sets up state first gets a fixture of its own: earlier rows change the
        // shared one (an instance deleted is gone for the next row's setup).
        let own;
        let gw = match row.is_some_and(|r| !r.given.is_empty()) {
            true => {
                own = fixture().await;
                &own
            }
            false => &shared,
        };
        let upstream = gw.upstream_of(endpoint.provider).expect("a simulator");
        let mut call = Call::prepare(gw, &upstream, endpoint, row).await;
        let before = upstream.server.log.len();
        for name in names {
            let text_typed = fields[&field].args[&hostplane_resolvers::endpoint::camel_case(name)]
                .starts_with("String");
            // An optional trailing segment the row leaves out is not there to climb with.
            let Some(at) = call.params.iter().position(|(n, _)| *n == name) else {
                assert!(
                    endpoint.optional.contains(&name),
                    "{field}: a row value for {name}"
                );
                continue;
            };
            for bad in CLIMBING {
                tried += 1;
                let good = std::mem::replace(&mut call.params[at].1, bad.to_string());
                // GraphQL types an integer parameter itself; a text one is the gateway's to check.
                if text_typed {
                    let (_, body) = call.graphql_as(gw, &fields, &admin()).await;
                    let error = &body["errors"][0]["extensions"];
                    if error["code"] != "VALIDATION" || error["field"] != name {
                        failures.push(format!("{field}({name}: {bad:?}) over GraphQL: {body}"));
                    }
                }
                let mut path = endpoint.path.to_string();
                for (n, v) in &call.params {
                    path = path.replace(&format!("{{{n}}}"), v);
                }
                let target = format!("/rest/{}{path}", call.connection);
                let mut headers = vec![present(endpoint.provider, &admin())];
                headers.extend(call.headers.iter().map(|(h, v)| (*h, v.clone())));
                let (status, body) =
                    raw_request(gw, endpoint.method.as_str(), &target, &headers).await;
                if !(400..500).contains(&status) || status == 401 || status == 403 {
                    failures.push(format!("{field} at {target}: {status} {body}"));
                }
                call.params[at].1 = good;
            }
        }
        if upstream.server.log.len() != before {
            let sent = upstream.server.log.since(before);
            failures.push(format!("{field}: the upstream received {sent:?}"));
        }
    }
    assert!(tried > 500, "the table has its path parameters ({tried})");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
