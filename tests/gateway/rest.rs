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
