//! The Orchestrix simulator's own tests: both kinds of token, sites and the records under them,
//! pagination, snapshots and pipelines over time, signed webhooks, and Rails-style validation.

use super::*;
use crate::kit::encode::hex;
use axum::{body::Bytes, http::HeaderMap, routing::post};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeSet;

const TOKEN: &str = "test-token";
const AUTH: &str = "token test-token";
const HOME: &str = "sites/site_abc123";

/// A running simulator and a caller that prefixes `/api/v1/`.
struct Api {
    sim: Simulator,
    server: SimServer,
    client: reqwest::Client,
}

impl Api {
    async fn boot(job_ms: u64) -> Api {
        let job_duration = Duration::from_millis(job_ms);
        let api_token = TOKEN.into();
        let config = SimConfig {
            api_token,
            job_duration,
            ..SimConfig::default()
        };
        let (sim, server) = Simulator::start(config).await.unwrap();
        let client = reqwest::Client::new();
        Api {
            sim,
            server,
            client,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/api/v1/{path}", self.server.base_url())
    }

    /// Sends with this `Authorization` (none when empty); a body-less answer reads as null.
    async fn send(&self, auth: &str, call: &str, body: Option<Value>) -> (u16, Value) {
        let (method, path) = call.split_once(' ').unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, self.url(path));
        if !auth.is_empty() {
            req = req.header("Authorization", auth);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    /// `call` is `"METHOD path"`; authenticates with the API token.
    async fn call(&self, call: &str, body: Option<Value>) -> (u16, Value) {
        self.send(AUTH, call, body).await
    }

    /// Asserts the status and returns the body.
    async fn expect(&self, call: &str, body: Option<Value>, status: u16) -> Value {
        let (got, body) = self.call(call, body).await;
        assert_eq!(got, status, "{call}: {body}");
        body
    }

    async fn get(&self, path: &str) -> Value {
        self.expect(&format!("GET {path}"), None, 200).await
    }
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

fn error(message: &str) -> Value {
    json!({"error": message})
}

fn strs<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
    let items = items.as_array().unwrap().iter();
    items.map(|i| i[key].as_str().unwrap()).collect()
}

/// A missing, wrong or wrongly-schemed token gets 401 `{"error": "Unauthorized"}`.
#[tokio::test]
async fn unauthorized() {
    let api = Api::boot(300).await;
    let bearer = format!("Bearer {TOKEN}");
    for auth in ["", "token wrong", bearer.as_str()] {
        for call in [
            "GET sites",
            "GET sites/site_abc123/snapshots",
            "DELETE auth",
        ] {
            let got = api.send(auth, call, None).await;
            assert_eq!(got, (401, error("Unauthorized")), "{auth:?} {call}");
        }
    }
}

/// Logging in issues a working API token, and logging out revokes it.
#[tokio::test]
async fn login_token_and_logout() {
    let api = Api::boot(300).await;
    let wrong = json!({"email": "owner@example.com", "password": "nope"});
    let got = api.send("", "POST auth", Some(wrong)).await;
    assert_eq!(got, (401, error("Invalid email or password")));
    let creds = json!({"email": "Owner@Example.com", "password": "correct horse"});
    let (status, body) = api.send("", "POST auth", Some(creds)).await;
    assert_eq!(status, 201);
    let auth = format!("token {}", body["token"].as_str().unwrap());
    let (status, me) = api.send(&auth, "GET me", None).await;
    let expected = json!({"id": "usr_1", "email": "owner@example.com", "name": "Site Owner",
                          "account_id": "acc_1", "role": "owner"});
    assert_eq!((status, me), (200, expected));
    let got = api.send(&auth, "DELETE auth", None).await;
    assert_eq!(got, (204, Value::Null));
    let got = api.send(&auth, "GET me", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    let users = api.get("users").await;
    assert_eq!(strs(&users, "id"), ["usr_1", "usr_2", "usr_3"]);
}

/// A JWT pair authenticates, refreshing rotates it, and a revoked token stops working.
#[tokio::test]
async fn jwt_refresh_and_revoke() {
    let api = Api::boot(300).await;
    let creds = json!({"email": "owner@example.com", "password": "correct horse"});
    let (status, pair) = api.send("", "POST jwt", Some(creds)).await;
    assert_eq!((status, &pair["token_type"]), (201, &json!("Bearer")));
    assert_eq!(pair["expires_in"], 900);
    let bearer = |pair: &Value| format!("Bearer {}", pair["access_token"].as_str().unwrap());
    assert_eq!(api.send(&bearer(&pair), "GET sites", None).await.0, 200);

    let refresh = Some(json!({"refresh_token": pair["refresh_token"]}));
    let (status, next) = api.send("", "POST jwt/refresh", refresh.clone()).await;
    assert_eq!(status, 200);
    assert_ne!(next["access_token"], pair["access_token"]);
    assert_ne!(next["refresh_token"], pair["refresh_token"]);
    let reused = api.send("", "POST jwt/refresh", refresh).await;
    assert_eq!(reused, (401, error("Invalid refresh token")));

    let auth = bearer(&next);
    assert_eq!(api.send(&auth, "GET me", None).await.0, 200);
    let revoke = Some(json!({"token": next["access_token"]}));
    let revoked = api.expect("POST jwt/revoke", revoke, 200).await;
    assert_eq!(revoked, json!({"revoked": true}));
    let got = api.send(&auth, "GET me", None).await;
    assert_eq!(got, (401, error("Unauthorized")));
    let revoke = Some(json!({"token": next["refresh_token"]}));
    api.expect("POST jwt/revoke", revoke, 200).await;
    let refresh = Some(json!({"refresh_token": next["refresh_token"]}));
    let got = api.send("", "POST jwt/refresh", refresh).await;
    assert_eq!(got, (401, error("Invalid refresh token")));
}

/// Sites list the docs' example first; create, update and delete work; unknown ids are 404.
#[tokio::test]
async fn site_crud() {
    let api = Api::boot(300).await;
    let sites = api.get("sites").await;
    let example = json!({
        "id": "site_abc123", "name": "My WordPress Site", "url": "https://example.com",
        "status": "healthy", "wp_version": "6.5", "php_version": "8.2",
        "created_at": "2026-01-15T10:30:00Z"
    });
    assert_eq!((&sites[0], sites.as_array().unwrap().len()), (&example, 3));
    assert_eq!(api.sim.site_ids()[0], "site_abc123");

    let body = json!({"site": {"name": "New Site", "url": "https://new.example.net"}});
    let site = api.expect("POST sites", Some(body), 201).await;
    assert_eq!(site["status"], "healthy");
    let path = format!("sites/{}", site["id"].as_str().unwrap());
    assert!(path.starts_with("sites/site_"), "{path}");
    assert_eq!(api.get(&path).await, site);
    let rename = Some(json!({"name": "Renamed"}));
    let renamed = api.expect(&format!("PATCH {path}"), rename, 200).await;
    assert_eq!(renamed["name"], "Renamed");
    assert_eq!(api.get(&path).await, renamed);
    let got = api.call(&format!("DELETE {path}"), None).await;
    assert_eq!(got, (204, Value::Null));
    let gone = [format!("GET {path}"), format!("GET {path}/snapshots")];
    for call in gone
        .iter()
        .map(String::as_str)
        .chain(["GET sites/site_abc123/snapshots/x"])
    {
        let got = api.call(call, None).await;
        assert_eq!(got, (404, error("Record not found")), "{call}");
    }
    let checks = api.get(&format!("{HOME}/health_checks")).await;
    assert_eq!(checks.as_array().unwrap().len(), 2);
    let id = checks[0]["id"].as_str().unwrap();
    let check = api.get(&format!("{HOME}/health_checks/{id}")).await;
    assert_eq!(check["checks"]["http"]["status"], "passed");
}

/// Activity logs page 25 at a time with `X-Total-Count` and `Link`; past the end is `[]`.
#[tokio::test]
async fn pagination() {
    let api = Api::boot(300).await;
    let mut seen = BTreeSet::new();
    for (page, len, has_next) in [(1, 25, true), (2, 25, true), (3, 10, false), (4, 0, false)] {
        let url = api.url(&format!("activity_logs?page={page}"));
        let req = api.client.get(url).header("Authorization", AUTH);
        let resp = req.send().await.unwrap();
        let headers = resp.headers().clone();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body.as_array().unwrap().len(), len, "page {page}");
        seen.extend(strs(&body, "id").into_iter().map(String::from));
        assert_eq!(headers["x-total-count"], "60");
        let link = headers.get("link").map_or("", |v| v.to_str().unwrap());
        let next = format!("/api/v1/activity_logs?page={}>; rel=\"next\"", page + 1);
        assert_eq!(link.contains(&next), has_next, "page {page}: {link}");
    }
    assert_eq!(seen.len(), 60);
    let first = &api.get("activity_logs").await[0];
    let keys = ["id", "action", "subject_type", "subject_id", "created_at"];
    assert!(keys.iter().all(|k| first[k].is_string()), "{first}");
}

/// A snapshot goes pending -> running -> completed with a size; upload and delete work.
#[tokio::test]
async fn snapshot_progresses_to_completed() {
    let api = Api::boot(600).await;
    let create = format!("POST {HOME}/snapshots");
    let body = Some(json!({"description": "before upgrade"}));
    let snap = api.expect(&create, body, 201).await;
    let state = |s: &Value| (s["status"].clone(), s["progress"].clone());
    assert_eq!(state(&snap), (json!("pending"), json!(0)));
    assert_eq!(snap["size_bytes"], Value::Null);
    let one = format!("{HOME}/snapshots/{}", snap["id"].as_str().unwrap());
    sleep_ms(300).await;
    let running = api.get(&one).await;
    let progress = running["progress"].as_f64().unwrap();
    assert_eq!(running["status"], "running");
    assert!(progress > 0.0 && progress < 1.0, "{progress}");
    sleep_ms(400).await;
    let done = api.get(&one).await;
    assert_eq!(state(&done), (json!("completed"), json!(1)));
    assert!(done["size_bytes"].as_u64().unwrap() > 0);
    assert_eq!(api.get(&format!("{HOME}/snapshots")).await[0], done);

    let upload = format!("PUT {one}/upload");
    let data = Some(json!({"data": "aGVsbG8gd29ybGQ="}));
    let uploaded = api.expect(&upload, data, 200).await;
    assert_eq!(
        (&uploaded["uploaded"], &uploaded["size_bytes"]),
        (&json!(true), &json!(11))
    );
    let raw = api.client.put(api.url(&format!("{one}/upload")));
    let raw = raw.header("Authorization", AUTH).body(vec![7u8; 1000]);
    let raw: Value = raw.send().await.unwrap().json().await.unwrap();
    assert_eq!(raw["size_bytes"], 1000);
    let got = api.call(&format!("DELETE {one}"), None).await;
    assert_eq!(got, (204, Value::Null));
    assert_eq!(api.call(&format!("GET {one}"), None).await.0, 404);

    // The seeded site that is down cannot be snapshotted.
    let down = format!("sites/{}/snapshots", api.sim.site_ids()[2]);
    let snap = api.expect(&format!("POST {down}"), None, 201).await;
    sleep_ms(250).await;
    let failed = api
        .get(&format!("{down}/{}", snap["id"].as_str().unwrap()))
        .await;
    assert_eq!(state(&failed), (json!("failed"), json!(0.3)));
    assert!(failed["error"].as_str().unwrap().contains("unreachable"));
}

/// Approval runs a pipeline to completion and bumps core; re-approval is 422; a broken plugin fails.
#[tokio::test]
async fn pipeline_approve_and_fail() {
    let api = Api::boot(400).await;
    let create = format!("POST {HOME}/upgrade_pipelines");
    let body = Some(json!({"plugins": ["akismet"], "core": true}));
    let pipe = api.expect(&create, body, 201).await;
    assert_eq!(pipe["status"], "awaiting_approval");
    let steps = ["snapshot", "update_plugin", "update_core", "health_check"];
    assert_eq!(strs(&pipe["steps"], "name"), steps);
    let one = format!("{HOME}/upgrade_pipelines/{}", pipe["id"].as_str().unwrap());
    let approve = format!("POST {one}/approve");
    let running = api.expect(&approve, None, 200).await;
    assert_eq!(running["status"], "running");
    let again = api.call(&approve, None).await;
    assert_eq!(again, (422, error("Pipeline is not awaiting approval")));
    sleep_ms(450).await;
    let done = api.get(&one).await;
    assert_eq!(
        (&done["status"], &done["progress"]),
        (&json!("completed"), &json!(1))
    );
    assert_eq!(api.get(HOME).await["wp_version"], "6.6");

    let body = Some(json!({"plugins": ["akismet", "broken-plugin", "jetpack"]}));
    let pipe = api.expect(&create, body, 201).await;
    let one = format!("{HOME}/upgrade_pipelines/{}", pipe["id"].as_str().unwrap());
    api.expect(&format!("POST {one}/approve"), None, 200).await;
    sleep_ms(450).await;
    let failed = api.get(&one).await;
    assert_eq!(failed["status"], "failed");
    assert!(failed["error"].as_str().unwrap().contains("broken-plugin"));
    let steps = ["completed", "completed", "failed", "skipped", "skipped"];
    assert_eq!(strs(&failed["steps"], "status"), steps);
}

/// Webhooks reach a local receiver without reads, signed with the endpoint's secret.
#[tokio::test]
async fn webhook_delivery_is_signed() {
    let api = Api::boot(300).await;
    let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let sink = received.clone();
    let hook = move |headers: HeaderMap, body: Bytes| async move {
        sink.lock().unwrap().push((headers, body));
        StatusCode::OK
    };
    let app = Router::new().route("/hook", post(hook));
    let receiver = SimServer::start(app, ([127, 0, 0, 1], 0).into());
    let receiver = receiver.await.unwrap();
    let url = format!("{}/hook", receiver.base_url());
    let events = ["snapshot.created", "snapshot.completed"];
    let body = Some(json!({"url": url, "events": events}));
    let hook = api.expect("POST webhook_endpoints", body, 201).await;
    let secret = hook["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    // An endpoint nobody listens on: its attempt is recorded as unreachable.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let body = Some(json!({"url": dead, "events": ["snapshot.created"]}));
    api.expect("POST webhook_endpoints", body, 201).await;

    let snap = api
        .expect(&format!("POST {HOME}/snapshots"), None, 201)
        .await;
    for _ in 0..60 {
        if received.lock().unwrap().len() >= 2 {
            break;
        }
        sleep_ms(50).await;
    }
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    for ((headers, body), event) in got.iter().zip(events) {
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            (&payload["event"], &payload["data"]["id"]),
            (&json!(event), &snap["id"])
        );
        assert_eq!(headers["x-orchestrix-event"], event);
        assert_eq!(
            headers["x-orchestrix-delivery"],
            payload["id"].as_str().unwrap()
        );
        assert_eq!(headers["content-type"], "application/json");
        let signature = headers["x-orchestrix-signature"].to_str().unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        let expected = format!("sha256={}", hex(&mac.finalize().into_bytes()));
        assert_eq!(signature, expected);
    }
    sleep_ms(100).await;
    let mut deliveries = api.sim.deliveries();
    deliveries.sort();
    let mut expected = vec![
        (dead, events[0].to_string(), None),
        (url.clone(), events[0].to_string(), Some(200)),
        (url, events[1].to_string(), Some(200)),
    ];
    expected.sort();
    assert_eq!(deliveries, expected);
}

/// Invalid bodies get Rails-style 422 messages; a valid vulnerability status is saved.
#[tokio::test]
async fn validation_errors() {
    let api = Api::boot(300).await;
    let h = "https://h.example";
    #[rustfmt::skip]
    let cases = [
        ("POST sites", json!({"url": "https://x.example"}), "Name can't be blank"),
        ("POST sites", json!({"name": "X"}), "Url can't be blank"),
        ("POST sites", json!({"name": "X", "url": "ftp://x"}), "Url is invalid"),
        ("POST sites", json!({"name": "X", "url": "https://example.com"}), "Url has already been taken"),
        ("PATCH sites/site_abc123", json!({"name": ""}), "Name can't be blank"),
        ("POST webhook_endpoints", json!({"url": h}), "Events can't be blank"),
        ("POST webhook_endpoints", json!({"url": h, "events": []}), "Events can't be blank"),
        ("POST webhook_endpoints", json!({"url": h, "events": ["x.y"]}), "Events includes unknown event x.y"),
        ("POST webhook_endpoints", json!({"url": "mailto:x", "events": ["site.updated"]}), "Url is invalid"),
        ("POST sites/site_abc123/upgrade_pipelines", json!({}), "Plugins can't be blank"),
    ];
    for (call, body, message) in cases {
        let got = api.call(call, Some(body)).await;
        assert_eq!(got, (422, error(message)), "{call}");
    }
    let vulns = api.get(&format!("{HOME}/vulnerability_records")).await;
    assert_eq!(strs(&vulns, "status"), ["open", "open"]);
    let id = vulns[0]["id"].as_str().unwrap();
    let patch = format!("PATCH {HOME}/vulnerability_records/{id}");
    let got = api.call(&patch, Some(json!({"status": "fixed"}))).await;
    assert_eq!(got, (422, error("Status is not included in the list")));
    let body = Some(json!({"status": "acknowledged"}));
    let vuln = api.expect(&patch, body, 200).await;
    assert_eq!(vuln["status"], "acknowledged");
}

/// Each of the 34 documented routes is served by a handler, not by the fallback or a 405.
#[tokio::test]
async fn all_documented_routes_answer() {
    let api = Api::boot(300).await;
    let s = HOME;
    // `DELETE auth` comes last: it revokes the token the other calls use.
    let routes = format!(
        "POST auth, POST jwt, POST jwt/refresh, POST jwt/revoke, GET sites, GET {s},
        POST sites, PATCH {s}, DELETE sites/site_x, GET {s}/health_checks,
        GET {s}/health_checks/x, GET {s}/snapshots, GET {s}/snapshots/x, POST {s}/snapshots,
        DELETE {s}/snapshots/x, PUT {s}/snapshots/x/upload, GET {s}/upgrade_pipelines,
        GET {s}/upgrade_pipelines/x, POST {s}/upgrade_pipelines,
        POST {s}/upgrade_pipelines/x/approve, GET {s}/vulnerability_records,
        GET {s}/vulnerability_records/x, PATCH {s}/vulnerability_records/x,
        GET activity_logs, GET webhook_endpoints, GET webhook_endpoints/x,
        POST webhook_endpoints, PATCH webhook_endpoints/x, DELETE webhook_endpoints/x,
        GET me, GET accounts, GET accounts/acc_1, GET users, DELETE auth"
    );
    let routes: Vec<&str> = routes.split(',').map(str::trim).collect();
    assert_eq!(routes.len(), 34);
    for call in routes {
        let (status, body) = api.call(call, Some(json!({}))).await;
        assert!(
            status != 405 && body != error("Not found"),
            "{call}: {status}"
        );
    }
}

/// Dropping every handle frees the state, so the background tick ends.
#[tokio::test]
async fn dropping_the_simulator_stops_the_tick() {
    let sim = Simulator::new(SimConfig::default());
    let state = Arc::downgrade(&sim.state);
    drop(sim);
    sleep_ms(120).await;
    assert!(state.upgrade().is_none());
}
