//! The REST layer's own operations: the schema it runs them on skips validating them on every call
//! (`hostplane_resolvers::Schemas`), so each one must pass validation in full.

use crate::helpers::{spawn, token};
use serde_json::{Value, json};

/// Every endpoint's REST document, sent to `/graphql` (which validates each request in full) by a
/// caller with no scopes, fails only at its field `r`, never as a whole request: the document is valid.
#[tokio::test]
async fn every_document_passes_validation() {
    let gw = spawn().await;
    let caller = token(&[]);
    let field_errors = |body: &Value| -> Vec<Value> {
        body["errors"]
            .as_array()
            .expect("a caller without scopes is refused")
            .iter()
            .map(|e| e["path"].clone())
            .collect()
    };
    // The check tells the two apart: a document that does not validate fails without a path.
    let (_, body) = gw
        .gql_as(
            Some(&caller),
            "query Rest { r: hosterapiNoSuchField }",
            json!({}),
        )
        .await;
    assert_eq!(field_errors(&body), [Value::Null], "{body}");

    for e in hostplane_resolvers::endpoints() {
        let (_, body) = gw.gql_as(Some(&caller), (e.document)(), json!({})).await;
        for path in field_errors(&body) {
            assert_eq!(path, json!(["r"]), "{}: {body}", e.name);
        }
    }
}

/// A call without a credential gets the API's own 401 before its path or body is looked at, on every
/// route but the logins an upstream serves anonymously, and nothing reaches an upstream.
#[tokio::test]
async fn no_credential_is_refused_first_everywhere() {
    use crate::helpers::{CONNECTION, ORCHESTRIX, PATCHSTACK, WPCS};
    use hostplane_adapters::Provider;
    let gw = spawn().await;
    let before = gw.upstream_requests();
    let mut anonymous = Vec::new();
    for e in hostplane_resolvers::endpoints() {
        if e.anonymous {
            anonymous.push(e.field());
            continue;
        }
        let connection = match e.provider {
            Provider::Hosterapi => CONNECTION,
            Provider::Patchstack => PATCHSTACK,
            Provider::Orchestrix => ORCHESTRIX,
            Provider::Wpcs => WPCS,
            Provider::Panelalpha => continue,
        };
        let path = e.path.replace(['{', '}'], "");
        let url = gw.url(&format!("/rest/{connection}{path}"));
        let method = reqwest::Method::from_bytes(e.method.as_str().as_bytes()).expect("a method");
        // A body that fits no input: a body checked first would be a validation error instead.
        let resp = gw
            .http
            .request(method, &url)
            .header("content-type", "application/json")
            .body(r#"{"unexpected": ["shape"]}"#)
            .send()
            .await
            .expect("gateway answers");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.expect("a JSON body");
        let (want_status, want_body) = e.provider.wire().unauthenticated();
        assert_eq!(
            (status, &body),
            (want_status, &want_body),
            "{} {}",
            e.method.as_str(),
            e.path
        );
    }
    assert_eq!(
        anonymous,
        [
            "orchestrixLogin",
            "orchestrixCreateJwt",
            "orchestrixRefreshJwt"
        ]
    );
    assert_eq!(
        gw.upstream_requests(),
        before,
        "nothing reached an upstream"
    );
}
