//! Who each endpoint is for, proved from the endpoint table, so every endpoint declared later is
//! covered: a customer's credential (bound to PanelAlpha user 1 of the fixture's panel, with read and
//! write scopes) is refused every operator endpoint on both surfaces, with nothing sent to any
//! upstream, and reaches every customer endpoint as its own user, without naming it.

use super::*;
use crate::panelalpha::bound_token;
use hostplane_resolvers::endpoint::Audience;

/// The user the customer's credential stands for.
const CUSTOMER: &str = "1";

/// Every operator endpoint refuses a customer: FORBIDDEN on GraphQL, 403 in the API's own error
/// shape on REST, and no upstream receives anything. One fixture serves them all: nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_endpoints_refuse_customers() {
    let gw = fixture().await;
    let customer = bound_token(CUSTOMER);
    let rows: HashMap<&str, Row> = rows::rows().into_iter().map(|r| (r.field, r)).collect();
    let fields = introspect().await;
    let mut failures = Vec::new();
    let operator = hostplane_resolvers::endpoints().filter(|e| e.audience == Audience::Operator);
    let mut walked = 0;
    for endpoint in operator {
        walked += 1;
        let field = endpoint.field();
        let upstream = gw.upstream_of(endpoint.provider).expect("a simulator");
        let call = Call::prepare(&gw, &upstream, endpoint, rows.get(field.as_str())).await;
        let before = gw.upstream_requests();
        let (_, body) = call.graphql_as(&gw, &fields, &customer).await;
        if body["errors"][0]["extensions"]["code"] != "FORBIDDEN" || !body["data"].is_null() {
            failures.push(format!("{field} over GraphQL: {body}"));
        }
        // The same refusal, in the API's own error body.
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        let wire = endpoint.provider.wire();
        let own = wire.refusal(hostplane_adapters::ErrorCode::Forbidden, message, None);
        let (status, bytes) = call.rest_as(&gw, Some(&customer)).await;
        if (status, json_of(&bytes)) != own {
            failures.push(format!("{field} over REST: {status} {}", json_of(&bytes)));
        }
        if gw.upstream_requests() != before {
            failures.push(format!("{field}: a request reached an upstream"));
        }
    }
    assert!(walked > 150, "the table has its operator endpoints");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every customer endpoint serves a customer as its own user: the upstream receives exactly the
/// declared request with `X-PanelAlpha-User` set to that user, though the call names none. The
/// customer is user 1, or the user its row acts as (the owner of a failed instance, say).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_endpoints_act_as_the_customer() {
    let rows: HashMap<&str, Row> = rows::rows().into_iter().map(|r| (r.field, r)).collect();
    let fields = introspect().await;
    let mut walked = 0;
    for endpoint in hostplane_resolvers::endpoints().filter(|e| e.audience == Audience::Customer) {
        let row = rows.get(endpoint.field().as_str());
        let user = row.and_then(|r| r.value("as_user")).unwrap_or(CUSTOMER);
        let customer = bound_token(user);
        for surface in [Surface::Graphql, Surface::Rest] {
            walked += 1;
            let gw = fixture().await;
            let upstream = gw.upstream_of(endpoint.provider).expect("a simulator");
            let field = endpoint.field();
            let mut call = Call::prepare(&gw, &upstream, endpoint, rows.get(field.as_str())).await;
            // The customer names no user: its credential says who it is.
            call.headers.clear();
            let before = upstream.server.log.len();
            let status = match surface {
                Surface::Graphql => {
                    let (status, body) = call.graphql_as(&gw, &fields, &customer).await;
                    assert!(body.get("errors").is_none(), "{field}: {body}");
                    // A download's link reaches the upstream when followed, as the customer.
                    match body["data"][&field]["url"].as_str() {
                        Some(url) if endpoint.streams_file() => {
                            let resp = gw.http.get(url).send().await.expect("the gateway answers");
                            resp.status().as_u16()
                        }
                        _ => status,
                    }
                }
                Surface::Rest => call.rest_as(&gw, Some(&customer)).await.0,
            };
            assert_eq!(status, 200, "{field} over {surface:?}");
            let seen = upstream.server.log.since(before);
            let (method, path, query, body) = call.upstream_request();
            let got: Vec<_> = seen
                .iter()
                .map(|r| {
                    let sent = (r.method.as_str(), r.path.as_str(), r.query.as_deref());
                    (sent, &r.body, r.acting_user.as_deref())
                })
                .collect();
            assert_eq!(
                got,
                [((method, path.as_str(), query.as_deref()), &body, Some(user))],
                "{field} over {surface:?}"
            );
        }
    }
    assert!(walked >= 10, "the table has its customer endpoints");
}
