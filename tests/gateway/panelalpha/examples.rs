//! Every request example of PanelAlpha's docs for the served endpoints (their parameters and bodies,
//! `tests/fixtures/panelalpha_examples.json`, extracted from the docs by the script beside it) is
//! accepted through the REST path and reaches the simulator as the docs send it; the examples the
//! docs' own rules refuse are refused before any upstream call, in the rule's wording.

use super::rest;
use crate::helpers::{admin, spawn};
use hostplane_adapters::Provider;
use serde_json::{Value, json};

/// The docs' examples that break their own rules, and the refusal: admin passwords shorter than
/// "at least 8 characters", and a label colour that does not match the colour pattern.
const REFUSED: &[(&str, &str, &str)] = &[
    ("POST", "/api/admin/admins", PASSWORD),
    ("PUT", "/api/admin/admins/{id}", PASSWORD),
    ("POST", "/api/labels", "The color field format is invalid."),
];
const PASSWORD: &str = "The password field must be at least 8 characters.";

fn decoded(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let mut out = Vec::new();
            let mut bytes = v.bytes();
            while let Some(b) = bytes.next() {
                match b {
                    b'%' => {
                        let hex: String = bytes.by_ref().take(2).map(char::from).collect();
                        out.push(u8::from_str_radix(&hex, 16).expect("a percent escape"));
                    }
                    b'+' => out.push(b' '),
                    b => out.push(b),
                }
            }
            (k.to_string(), String::from_utf8(out).expect("UTF-8"))
        })
        .collect()
}

#[tokio::test]
async fn docs_examples_reach_the_upstream_as_sent() {
    let gw = spawn().await;
    let examples: Vec<Value> =
        serde_json::from_str(include_str!("../../fixtures/panelalpha_examples.json")).unwrap();
    let mut served = 0;
    for ex in &examples {
        let method = ex["method"].as_str().unwrap();
        let template = ex["template"].as_str().unwrap();
        let declared = hostplane_resolvers::endpoints().any(|e| {
            e.provider == Provider::Panelalpha && e.path == template && e.method.as_str() == method
        });
        if !declared {
            continue;
        }
        served += 1;
        // A path parameter the docs give no example of (`themeName` of a theme's install) leaves
        // nothing to send as the docs do.
        if ex["path"].as_str().unwrap().contains('{') {
            continue;
        }
        let query: Vec<(String, String)> = ex["query"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_string),
                )
            })
            .collect();
        let mut path = ex["path"].as_str().unwrap().to_string();
        if !query.is_empty() {
            let pairs: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            path = format!("{path}?{}", pairs.join("&"));
        }
        let body = (!ex["body"].is_null()).then(|| ex["body"].clone());
        let user = if !template.starts_with("/api/admin/") {
            &[("X-PanelAlpha-User", "1")][..]
        } else {
            &[]
        };
        let before = gw.panelalpha_upstream.log.len();
        let (status, answer) = rest(&gw, Some(&admin()), user, method, &path, body.clone()).await;
        let log = gw.panelalpha_upstream.log.all();
        let sent = &log[before..];
        if let Some((.., message)) = REFUSED.iter().find(|r| (r.0, r.1) == (method, template)) {
            assert_eq!(
                (status, &answer["message"]),
                (422, &json!(message)),
                "{method} {template}"
            );
            assert!(
                sent.is_empty(),
                "{method} {template} refused before the upstream"
            );
            continue;
        }
        assert_eq!(sent.len(), 1, "{method} {path}: {status} {answer}");
        let r = &sent[0];
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (method, ex["path"].as_str().unwrap())
        );
        assert_eq!(
            decoded(r.query.as_deref().unwrap_or("")),
            query,
            "{method} {template}"
        );
        assert_eq!(r.body, body, "{method} {template}");
        // The upstream's answer came back in PanelAlpha's envelope, whatever it was.
        assert!(
            answer.get("data").is_some() || answer.get("message").is_some(),
            "{answer}"
        );
    }
    let declared = hostplane_resolvers::endpoints()
        .filter(|e| e.provider == Provider::Panelalpha)
        .count();
    assert_eq!(
        served, declared,
        "every served endpoint's examples are walked"
    );
}
