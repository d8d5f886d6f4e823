//! The documented rules are refused before any upstream call, on both surfaces, in Laravel's
//! wording, and on REST in Laravel's 422 shape.

use super::{rest, upstream_calls};
use crate::helpers::{admin, spawn};
use serde_json::{Value, json};

/// Each documented rule, broken on the REST path and in GraphQL: the same message, the field named,
/// nothing sent upstream.
#[tokio::test]
async fn rules_in_laravel_wording_on_both_surfaces() {
    let gw = spawn().await;
    let before = upstream_calls(&gw);
    let ok = json!({"email": "alan@example.com", "password": "enigma-machine"});
    let cases = [
        (
            json!({"password": "enigma-machine"}),
            "email",
            "The email field is required.",
        ),
        (
            json!({"email": "alan", "password": "enigma-machine"}),
            "email",
            "The email field must be a valid email address.",
        ),
        (
            json!({"email": "alan@example.com", "password": "short"}),
            "password",
            "The password field must be at least 8 characters.",
        ),
        (
            json!({"first_name": "x".repeat(256), "email": "alan@example.com", "password": "enigma-machine"}),
            "first_name",
            "The first name field must not be greater than 255 characters.",
        ),
    ];
    for (body, field, message) in cases {
        let (status, answer) = rest(
            &gw,
            Some(&admin()),
            &[],
            "POST",
            "/api/admin/users",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(
            answer,
            json!({"message": message, "errors": {field: [message]}})
        );
        if body.get("email").is_some() {
            let gql = gw
                .gql("mutation($i: PanelalphaCreateUserInput!) { panelalphaCreateUser(input: $i) { id } }",
                    json!({"i": camel(&body)}))
                .await;
            let error = &gql["errors"][0];
            assert_eq!(error["message"], message, "{gql}");
            assert_eq!(error["extensions"]["code"], "VALIDATION", "{gql}");
            assert_eq!(error["extensions"]["field"], field, "{gql}");
        }
    }
    let (status, answer) = rest(&gw, Some(&admin()), &[], "POST", "/api/admin/plans",
        Some(json!({"name": "P", "application_limit": 1, "server_type": "x", "server_assign_rule": "first_fit"})))
        .await;
    assert_eq!(
        (status, answer["message"].clone()),
        (422, json!("The selected server assign rule is invalid."))
    );
    assert_eq!(upstream_calls(&gw), before, "nothing reached the upstream");
    let (status, _) = rest(
        &gw,
        Some(&admin()),
        &[],
        "POST",
        "/api/admin/users",
        Some(ok),
    )
    .await;
    assert_eq!(status, 200, "valid input passes");
}

/// Without a credential every PanelAlpha route answers its documented 401 exactly.
#[tokio::test]
async fn unauthenticated_is_the_documented_401() {
    let gw = spawn().await;
    let (status, body) = rest(&gw, None, &[], "GET", "/api/admin/users", None).await;
    assert_eq!(
        (status, body),
        (401, json!({"message": "Unauthenticated."}))
    );
}

/// The GraphQL spelling of a REST body: the same fields in camelCase.
fn camel(body: &Value) -> Value {
    let object = body.as_object().expect("a JSON object");
    object
        .iter()
        .map(|(key, value)| {
            let mut parts = key.split('_');
            let mut name = parts.next().unwrap_or_default().to_owned();
            for part in parts {
                let mut chars = part.chars();
                name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                name.push_str(chars.as_str());
            }
            (name, value.clone())
        })
        .collect()
}
