//! The PanelAlpha simulator's own tests, over HTTP: the token and the acting user, CRUD, list
//! filters, Laravel's validation bodies, and tasks that progress, fail, are canceled and retried.

use super::*;
use serde_json::Value;

const TOKEN: &str = "test-token";
const BEARER: (&str, &str) = ("Authorization", "Bearer test-token");

struct Api {
    server: SimServer,
    client: reqwest::Client,
}

impl Api {
    async fn boot(job_ms: u64) -> Api {
        let job_duration = Duration::from_millis(job_ms);
        let token = TOKEN.into();
        let (_, server) = Simulator::start(SimConfig {
            token,
            job_duration,
        })
        .await
        .unwrap();
        let client = reqwest::Client::new();
        Api { server, client }
    }

    /// `call` is `"METHOD /api/..."`; a body-less answer reads as null.
    async fn send(&self, headers: &[(&str, &str)], call: &str, body: Value) -> (u16, Value) {
        let (method, path) = call.split_once(' ').unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let url = format!("{}{path}", self.server.base_url());
        let mut req = self.client.request(method, url);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if !body.is_null() {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }

    /// An admin call: `"METHOD /path"` under `/api/admin`, with the token.
    async fn call(&self, call: &str, body: Value) -> (u16, Value) {
        let call = call.replacen(' ', " /api/admin", 1);
        self.send(&[BEARER], &call, body).await
    }

    /// Asserts a 200 and answers `data`.
    async fn data(&self, call: &str, body: Value) -> Value {
        let (status, got) = self.call(call, body).await;
        assert_eq!(status, 200, "{call}: {got}");
        got["data"].clone()
    }

    async fn get(&self, path: &str) -> Value {
        self.data(&format!("GET {path}"), Value::Null).await
    }

    /// The ids a list answers.
    async fn ids(&self, path: &str, body: Value) -> Vec<u64> {
        let list = self.data(&format!("GET {path}"), body).await;
        let items = list.as_array().unwrap().iter();
        items.map(|o| o["id"].as_u64().unwrap()).collect()
    }

    /// A user call: `"METHOD /path"` under `/api/user`, acting as `user`.
    async fn user(&self, user: &str, call: &str, body: Value) -> (u16, Value) {
        let call = call.replacen(' ', " /api/user", 1);
        let headers = [BEARER, ("X-PanelAlpha-User", user)];
        self.send(&headers, &call, body).await
    }
}

/// The named fields of an object, as text joined by spaces (strings unquoted).
fn get(object: &Value, keys: &str) -> String {
    let texts = keys.split(' ').map(|k| model::text(&object[k]));
    texts.collect::<Vec<_>>().join(" ")
}

async fn sleep_ms(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

const NONE: Value = Value::Null;

/// The token and, on user endpoints, an existing non-archived acting user; 401 exactly otherwise.
#[tokio::test]
async fn auth_and_acting_user() {
    let api = Api::boot(300).await;
    let denied = (401, json!({"message": "Unauthenticated."}));
    assert_eq!(api.send(&[], "GET /api/admin/users", NONE).await, denied);
    let wrong = [("Authorization", "Bearer nope")];
    assert_eq!(api.send(&wrong, "GET /api/admin/users", NONE).await, denied);
    assert_eq!(
        api.send(&[BEARER], "GET /api/user/devices", NONE).await,
        denied
    );
    for user in ["99", "3", "x"] {
        let answer = api.user(user, "GET /devices", NONE).await;
        assert_eq!(answer, denied, "{user}");
    }
    let (status, mine) = api.user("1", "GET /devices", NONE).await;
    assert_eq!(
        (status, get(&mine["data"][1], "id user_id")),
        (200, "2 1".into())
    );
    assert_eq!(mine["data"].as_array().unwrap().len(), 2, "{mine}");
    let forget = "POST /device/forget";
    assert_eq!(api.user("1", forget, json!({"deviceId": 3})).await.0, 404);
    let forgot = api.user("1", forget, json!({"deviceId": 2})).await;
    assert_eq!(forgot, (200, json!({"data": null})));
    // The email changes only with the user's own password.
    let wrong = json!({"password": "not-the-one", "email": "ada@lovelace.org"});
    let (status, body) = api.user("1", "PUT /edit/email", wrong).await;
    let message = &body["errors"]["password"][0];
    assert_eq!(
        (status, message),
        (422, &json!("The password is incorrect."))
    );
    let right = json!({"password": "correct-horse-1", "email": "ada@lovelace.org"});
    let (_, body) = api.user("1", "PUT /edit/email", right).await;
    assert_eq!(body["data"]["email"], "ada@lovelace.org");
    let last = "/users/2/last-activity";
    assert_eq!(api.get(last).await, json!({"last_activity_at": null}));
    api.user("2", "GET /devices", NONE).await;
    assert!(api.get(last).await["last_activity_at"].is_string());
}

/// Plans and users through create, show, update, list and delete; users archive, never show a
/// password, and are deleted for good only once archived.
#[tokio::test]
async fn crud_round_trip() {
    let api = Api::boot(300).await;
    let plan = json!({"name": "Agency", "application_limit": 25, "server_type": "cpanel",
        "automatic_backups_frequency": "monthly"});
    let created = api.data("POST /plans", plan).await;
    assert_eq!(get(&created, "id name application_limit"), "3 Agency 25");
    let update = json!({"name": "Agency Plus", "application_limit": 30, "server_type": "plesk"});
    api.data("PUT /plans/3", update).await;
    assert_eq!(
        get(&api.get("/plans/3").await, "name server_type"),
        "Agency Plus plesk"
    );
    assert_eq!(api.ids("/plans", NONE).await, [1, 2, 3]);
    assert_eq!(api.data("DELETE /plans/3", NONE).await, NONE);
    let gone = (404, json!({"message": "Not found."}));
    assert_eq!(api.call("GET /plans/3", NONE).await, gone);

    let alan = json!({"first_name": "Alan", "email": "alan@example.com", "password": "enigma-12"});
    let alan = api.data("POST /users", alan).await;
    assert_eq!(get(&alan, "id first_name status"), "4 Alan active");
    assert!(alan.get("password").is_none(), "{alan}");
    assert!(api.get("/users/4").await.get("password").is_none());
    assert_eq!(api.call("DELETE /users/4/delete", NONE).await, gone);
    api.data("DELETE /users/4", NONE).await;
    assert_eq!(api.call("GET /users/4", NONE).await, gone);
    assert_eq!(api.ids("/users/archived", NONE).await, [3, 4]);
    api.data("DELETE /users/4/delete", NONE).await;
    assert_eq!(api.call("GET /users/4/archived", NONE).await, gone);
    let grace = api.get("/users/email?email=grace@example.com").await;
    assert_eq!(grace["first_name"], "Grace");
}

/// List filters read from the query string and from a GET's JSON body alike.
#[tokio::test]
async fn list_filters() {
    let api = Api::boot(300).await;
    assert_eq!(api.ids("/users?filter=GRACE", NONE).await, [2]);
    assert_eq!(api.ids("/users", json!({"filter": "lovelace"})).await, [1]);
    assert_eq!(api.ids("/services?user_id=2", NONE).await, [2]);
    assert_eq!(api.ids("/services", json!({"plan_id": 1})).await, [1]);
    let failed = json!({"filter_statuses": "failed,canceled"});
    assert_eq!(api.ids("/tasks", failed).await, [0u64; 0]);
    let done = "/tasks?filter_types=service.create&filter_statuses=completed";
    assert_eq!(api.ids(done, NONE).await, [1]);
    assert_eq!(api.ids("/instances", NONE).await, [1]);
    assert_eq!(api.ids("/users/2/all-instances", NONE).await, [2, 1]);
    assert_eq!(api.ids("/users/1/sharing-with", NONE).await, [2]);
}

/// Field errors are Laravel's 422 bodies in its current wording; nothing is stored.
#[tokio::test]
async fn validation_in_laravel_shape() {
    let api = Api::boot(300).await;
    let answer = api
        .call("POST /users", json!({"password": "long-enough"}))
        .await;
    let required = "The email field is required.";
    let laravel = json!({"message": required, "errors": {"email": [required]}});
    assert_eq!(answer, (422, laravel));
    let cases = [
        (
            json!({"email": "nope"}),
            "email",
            "must be a valid email address.",
        ),
        (
            json!({"first_name": "x".repeat(256), "email": "a@b.co"}),
            "first_name",
            "must not be greater than 255 characters.",
        ),
        (
            json!({"email": "a@b.co", "password": "short"}),
            "password",
            "must be at least 8 characters.",
        ),
    ];
    for (body, field, rule) in cases {
        let (status, got) = api.call("POST /users", body).await;
        let message = format!("The {} field {rule}", field.replace('_', " "));
        assert_eq!(get(&got, "message"), message);
        assert_eq!(
            (status, model::text(&got["errors"][field][0])),
            (422, message)
        );
    }
    let taken = json!({"email": "ada@example.com", "password": "long-enough"});
    let (_, got) = api.call("POST /users", taken).await;
    assert_eq!(
        got["errors"]["email"][0],
        "The email has already been taken."
    );
    let plan = json!({"name": "X", "application_limit": 1, "server_type": "cpanel",
        "server_assign_rule": "nearest"});
    let (_, got) = api.call("POST /plans", plan).await;
    assert_eq!(
        got["message"],
        "The selected server assign rule is invalid."
    );
    let (_, got) = api
        .call("POST /users/1/services", json!({"plan_id": 9}))
        .await;
    assert_eq!(
        got["errors"]["plan_id"][0],
        "The selected plan id is invalid."
    );
    assert_eq!(api.ids("/users", NONE).await, [1, 2]);
}

/// A new service's task goes pending, processing, completed; the service is then active with a
/// hosting account and an instance.
#[tokio::test]
async fn service_creation_task() {
    let api = Api::boot(1500).await;
    let service = api
        .data("POST /users/2/services", json!({"plan_id": 1}))
        .await;
    assert_eq!(get(&service, "id status user_id task_id"), "3 pending 2 2");
    let task = api.get("/tasks/2/status").await;
    assert_eq!(get(&task, "status progress"), "pending 0");
    sleep_ms(700).await;
    let task = api.get("/tasks/2/status").await;
    let progress = task["progress"].as_u64().unwrap();
    assert_eq!(task["status"], "processing");
    assert!(
        (10..=90).contains(&progress) && progress % 10 == 0,
        "{progress}"
    );
    assert_eq!(api.ids("/tasks/running", NONE).await, [2]);
    sleep_ms(1000).await;
    let task = api.get("/tasks/2/status").await;
    let done = json!({"id": 2, "status": "completed", "progress": 100, "message": null});
    assert_eq!(task, done);
    let service = api.get("/services/3").await;
    assert_eq!(get(&service, "status hosting_account_id"), "active 3");
    let instances = api.get("/instances?service_id=3").await;
    let keys = "status user_id hosting_account_id plan_id";
    assert_eq!(get(&instances[0], keys), "active 2 3 1");
    assert_eq!(api.get("/hosting-accounts/3").await["service_id"], 3);
}

/// A plan named for failure fails its service's task with a message; the service stays pending.
#[tokio::test]
async fn failing_plan_fails_the_task() {
    let api = Api::boot(300).await;
    let plan = json!({"name": "Always fail", "application_limit": 1, "server_type": "cpanel"});
    api.data("POST /plans", plan).await;
    let service = api
        .data("POST /users/1/services", json!({"plan_id": 3}))
        .await;
    assert_eq!(get(&service, "id task_id"), "3 2");
    sleep_ms(400).await;
    let failed = api.get("/tasks?filter_statuses=failed").await;
    assert_eq!(get(&failed[0], "id progress"), "2 50");
    let message = failed[0]["message"].as_str().unwrap();
    assert!(message.contains("Always fail"), "{message}");
    assert_eq!(api.get("/services/3").await["status"], "pending");
    assert_eq!(api.get("/instances?service_id=3").await, json!([]));
}

/// A failed instance retried installs again, leaves the failed list and ends active.
#[tokio::test]
async fn failed_instance_retried() {
    let api = Api::boot(300).await;
    assert_eq!(api.ids("/instances/failed", NONE).await, [2]);
    let retried = api.data("PUT /instances/failed/2/retry", NONE).await;
    assert_eq!(get(&retried, "status task_id"), "installing 2");
    assert_eq!(api.ids("/instances/failed", NONE).await, [0u64; 0]);
    let active = api.call("PUT /instances/failed/1/retry", NONE).await;
    assert_eq!(active.0, 404);
    sleep_ms(400).await;
    assert_eq!(api.get("/instances/2").await["status"], "active");
    assert_eq!(api.ids("/instances", NONE).await, [1, 2]);
}

/// A running task canceled stays canceled; retried, it runs again to completion. Finished tasks
/// can be neither canceled nor retried.
#[tokio::test]
async fn cancel_and_retry() {
    let api = Api::boot(400).await;
    let account = api.data("PUT /hosting-accounts/1/reinstall", NONE).await;
    assert_eq!(get(&account, "status task_id"), "reinstalling 2");
    assert_eq!(api.data("DELETE /tasks/2/cancel", NONE).await, NONE);
    sleep_ms(500).await;
    assert_eq!(api.get("/tasks/2/status").await["status"], "canceled");
    assert_eq!(api.get("/tasks/running").await, json!([]));
    let retried = api.get("/tasks/2/retry").await;
    assert_eq!(get(&retried, "status progress"), "pending 0");
    let account = "/hosting-accounts/1";
    assert_eq!(api.get(account).await["status"], "reinstalling");
    sleep_ms(500).await;
    assert_eq!(api.get("/tasks/2/status").await["status"], "completed");
    assert_eq!(api.get(account).await["status"], "active");
    assert_eq!(api.call("DELETE /tasks/2/cancel", NONE).await.0, 422);
    assert_eq!(api.call("GET /tasks/1/retry", NONE).await.0, 422);
}

/// Every declared route reaches a handler of its own (the table names each), and a path no row
/// declares is Laravel's route 404.
#[tokio::test]
async fn every_declared_route_is_served_and_no_other() {
    let api = Api::boot(50).await;
    let headers = [BEARER, ("X-PanelAlpha-User", "1")];
    for (method, template, _) in routes::rows() {
        let path: String = template
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let (_, answer) = api
            .send(&headers, &format!("{method} {path}"), json!({}))
            .await;
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(
            !message.starts_with("The route"),
            "{method} {template}: {answer}"
        );
    }
    let (status, answer) = api.send(&headers, "GET /api/admin/moons", NONE).await;
    assert_eq!(
        (status, answer),
        (
            404,
            json!({"message": "The route api/admin/moons could not be found."})
        )
    );
    let (status, _) = api.send(&headers, "PATCH /api/admin/users", NONE).await;
    assert_eq!(status, 405, "a declared path with an undeclared method");
}
