//! The engine's own tests, on a small PanelAlpha-like provider: `{"data": ...}` envelopes, 422
//! validation bodies, users with nested services, timed tasks, and a hook across collections.

use super::{Op::*, Rule::*, *};
use crate::{
    SimServer,
    kit::{Absent, Fields, Problem, body::json_object},
};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const TOKEN: &str = "panel-token";

/// PanelAlpha-like: everything in `{"data": ...}`, 200 on create, and field errors as Laravel's.
struct Panel;

impl Dialect for Panel {
    fn fields(&self) -> &Fields {
        const FIELDS: Fields = Fields {
            absent: Absent::NullOrBlank,
            trim: true,
            coerce: true,
            fail: invalid,
        };
        &FIELDS
    }

    fn not_found(&self, collection: &str) -> Fail {
        Fail::new(
            StatusCode::NOT_FOUND,
            json!({"message": format!("No {collection} found")}),
        )
    }

    fn render(&self, answer: Answer, _: &Req) -> Response {
        let data = match answer {
            Answer::List(items) => json!(items),
            Answer::Object(o) | Answer::Created(o) | Answer::Deleted(o) => o,
            Answer::Raw(response) => return response,
        };
        axum::Json(json!({"data": data})).into_response()
    }
}

fn invalid(field: &str, problem: Problem) -> Fail {
    let message = match problem {
        Problem::Missing => format!("The {field} field is required."),
        Problem::TooLong(max) => format!("The {field} may not be greater than {max} characters."),
        Problem::Email => format!("The {field} must be a valid email address."),
        Problem::Taken => format!("The {field} has already been taken."),
        Problem::NotAllowed => format!("The selected {field} is invalid."),
        _ => format!("The {field} is invalid."),
    };
    Fail::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": message, "errors": {field: [message]}}),
    )
}

/// How many services the hook created, kept in the provider's own state.
#[derive(Default)]
struct Counts {
    services_by_hook: usize,
    settled: Vec<String>,
}

/// A user given with `first_service` gets that service created with it.
fn create_first_service(
    world: &mut World<Counts>,
    req: &Req,
    user: &mut Value,
) -> Result<(), Fail> {
    let params = json_object(&req.body).unwrap_or_default();
    if let Some(name) = params.get("first_service").and_then(Value::as_str) {
        let id = world.store.next_id("services");
        let service = json!({"id": id, "user_id": user["id"], "name": name, "status": "active"});
        world.store.insert("services", service);
        world.ext.services_by_hook += 1;
    }
    Ok(())
}

/// A custom row: suspends every service of a user.
fn suspend(world: &mut World<Counts>, req: &Req) -> Result<Answer, Fail> {
    let user = world.store.get("users", req.id()).cloned();
    let user = user.ok_or_else(|| Panel.not_found("users"))?;
    for service in world.store.all_mut("services") {
        if service["user_id"] == user["id"] {
            service["status"] = json!("suspended");
        }
    }
    Ok(Answer::Object(user))
}

fn table(job: Duration) -> Table<Counts> {
    let users = Collection::new("users")
        .seed(json!([
            {"name": "Ada", "email": "ada@example.com", "status": "active"},
            {"name": "Bob", "email": "bob@example.org", "status": "active"}
        ]))
        .fields(["name", "email"])
        .defaults(json!({"status": "active"}))
        .rules([
            Required("name"),
            Text("name"),
            MaxLen("name", 10),
            Required("email"),
            Email("email"),
            Unique("email"),
        ])
        .filters(["status", "email"], Some("filter"))
        .after_create(create_first_service);
    let services = Collection::new("services")
        .seed(json!([{"user_id": 1, "name": "blog", "status": "active"}]))
        .fields(["name", "plan"])
        .rules([Required("name"), OneOf("plan", &["basic", "pro"])])
        .defaults(json!({"status": "active"}))
        .under("users", "user_id");
    let tasks = Collection::new("tasks")
        .fields(["name"])
        .job(Job::new(job).fails_when(|task| task["name"] == "fail", 0.5))
        .settled(|world: &mut World<Counts>, task: &Value| {
            let (name, status) = (task["name"].as_str(), task["status"].as_str());
            let ended = format!(
                "{} {}",
                name.unwrap_or_default(),
                status.unwrap_or_default()
            );
            world.ext.settled.push(ended);
        });
    Table::new(Panel)
        .collection(users)
        .collection(services)
        .collection(tasks)
        .rows([
            (GET, "/api/admin/users", List("users")),
            (POST, "/api/admin/users", Create("users")),
            (GET, "/api/admin/users/{id}", Show("users")),
            (PUT, "/api/admin/users/{id}", Update("users")),
            (DELETE, "/api/admin/users/{id}", Delete("users")),
            (PUT, "/api/admin/users/{id}/archive", Archive("users")),
            (POST, "/api/admin/users/{id}/suspend", Custom(suspend)),
            (GET, "/api/admin/users/{userId}/services", List("services")),
            (
                POST,
                "/api/admin/users/{userId}/services",
                Create("services"),
            ),
            (
                GET,
                "/api/admin/users/{userId}/services/{id}",
                Show("services"),
            ),
            (GET, "/api/admin/services", List("services")),
            (POST, "/api/admin/tasks", Create("tasks")),
            (GET, "/api/admin/tasks/{id}", Show("tasks")),
        ])
}

struct Api {
    engine: Engine<Counts>,
    server: SimServer,
    client: reqwest::Client,
}

impl Api {
    async fn boot(job_ms: u64) -> Api {
        let engine = Engine::new(table(Duration::from_millis(job_ms)), Counts::default());
        let denied = Fail::new(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Unauthenticated."}),
        );
        let router = engine.router(Credential::Bearer(TOKEN.into()), denied);
        let server = SimServer::loopback(router).await.unwrap();
        Api {
            engine,
            server,
            client: reqwest::Client::new(),
        }
    }

    /// `call` is `"METHOD /path"`; answers the status and the body (null when empty).
    async fn call(&self, call: &str, body: Option<Value>) -> (u16, Value) {
        let (method, path) = call.split_once(' ').unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let url = format!("{}/api/admin{path}", self.server.base_url());
        let mut req = self.client.request(method, url).bearer_auth(TOKEN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }

    async fn data(&self, call: &str, body: Option<Value>) -> Value {
        let (status, body) = self.call(call, body).await;
        assert_eq!(status, 200, "{call}: {body}");
        body["data"].clone()
    }
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect()
}

/// Seeded users list and show; a create gets the next id, the defaults and only writable fields;
/// update, archive and delete act on the one object; unknown ids are the provider's 404.
#[tokio::test]
async fn crud_and_archive() {
    let api = Api::boot(300).await;
    assert_eq!(names(&api.data("GET /users", None).await), ["Ada", "Bob"]);
    let ada = api.data("GET /users/1", None).await;
    assert_eq!(
        ada,
        json!({"id": 1, "name": "Ada", "email": "ada@example.com", "status": "active"})
    );

    let body =
        json!({"name": " Cy ", "email": "cy@example.com", "status": "archived", "role": "admin"});
    let cy = api.data("POST /users", Some(body)).await;
    assert_eq!(
        cy,
        json!({"id": 3, "name": "Cy", "email": "cy@example.com", "status": "active"})
    );
    let renamed = api.data("PUT /users/3", Some(json!({"name": "Cyd"}))).await;
    assert_eq!(
        (&renamed["name"], &renamed["email"]),
        (&json!("Cyd"), &json!("cy@example.com"))
    );
    assert_eq!(api.data("GET /users/3", None).await, renamed);
    let archived = api.data("PUT /users/3/archive", None).await;
    assert_eq!(archived["status"], "archived");
    assert_eq!(api.data("DELETE /users/3", None).await["name"], "Cyd");
    let gone = json!({"message": "No users found"});
    assert_eq!(api.call("GET /users/3", None).await, (404, gone.clone()));
    assert_eq!(api.call("PUT /users/x", Some(json!({}))).await, (404, gone));
    assert_eq!(
        api.data(
            "POST /users",
            Some(json!({"name": "Di", "email": "di@x.io"}))
        )
        .await["id"],
        4
    );
}

/// Services nest under their user: listed and created under the parent the path names, with the
/// parent's id; an unknown parent, or a service under another user, is a 404.
#[tokio::test]
async fn nested_under_parent() {
    let api = Api::boot(300).await;
    assert_eq!(
        names(&api.data("GET /users/1/services", None).await),
        ["blog"]
    );
    assert_eq!(api.data("GET /users/2/services", None).await, json!([]));
    let shop = api
        .data(
            "POST /users/2/services",
            Some(json!({"name": "shop", "plan": "pro"})),
        )
        .await;
    assert_eq!(
        shop,
        json!({"id": 2, "user_id": 2, "name": "shop", "plan": "pro", "status": "active"})
    );
    assert_eq!(api.data("GET /users/2/services/2", None).await, shop);
    let users = json!({"message": "No users found"});
    let services = json!({"message": "No services found"});
    assert_eq!(
        api.call("GET /users/9/services", None).await,
        (404, users.clone())
    );
    assert_eq!(
        api.call("POST /users/9/services", Some(json!({"name": "x"})))
            .await,
        (404, users)
    );
    assert_eq!(
        api.call("GET /users/1/services/2", None).await,
        (404, services)
    );
    assert_eq!(
        names(&api.data("GET /services", None).await),
        ["blog", "shop"]
    );
    // Deleting a user takes its services with it.
    api.data("DELETE /users/2", None).await;
    assert_eq!(names(&api.data("GET /services", None).await), ["blog"]);
}

/// Lists filter by the declared parameters from the query string and, on a GET, from the JSON
/// body, and search every field for the free-text `filter`; undeclared parameters change nothing.
#[tokio::test]
async fn filters_from_query_and_body() {
    let api = Api::boot(300).await;
    api.data("PUT /users/2/archive", None).await;
    assert_eq!(
        names(&api.data("GET /users?status=active", None).await),
        ["Ada"]
    );
    assert_eq!(
        names(&api.data("GET /users?status=archived", None).await),
        ["Bob"]
    );
    let body = Some(json!({"email": "ada@example.com"}));
    assert_eq!(names(&api.data("GET /users", body).await), ["Ada"]);
    assert_eq!(
        names(&api.data("GET /users?filter=EXAMPLE.ORG", None).await),
        ["Bob"]
    );
    assert_eq!(
        names(&api.data("GET /users?page=2&name=Zed", None).await),
        ["Ada", "Bob"]
    );
    assert_eq!(
        api.data("GET /users?status=active&filter=bob", None).await,
        json!([])
    );
}

/// Each rule answers the provider's validation body, naming the field; nothing is stored.
#[tokio::test]
async fn validation_rules() {
    let api = Api::boot(300).await;
    let cases = [
        (json!({"email": "x@y.z"}), "The name field is required."),
        (
            json!({"name": "  ", "email": "x@y.z"}),
            "The name field is required.",
        ),
        (json!({"name": 5, "email": "x@y.z"}), "The name is invalid."),
        (
            json!({"name": "Bartholomew", "email": "x@y.z"}),
            "The name may not be greater than 10 characters.",
        ),
        (json!({"name": "Ed"}), "The email field is required."),
        (
            json!({"name": "Ed", "email": "not-mail"}),
            "The email must be a valid email address.",
        ),
        (
            json!({"name": "Ed", "email": "bob@example.org"}),
            "The email has already been taken.",
        ),
    ];
    for (body, message) in cases {
        let (status, got) = api.call("POST /users", Some(body.clone())).await;
        assert_eq!((status, &got["message"]), (422, &json!(message)), "{body}");
        let field = if message.contains("name") {
            "name"
        } else {
            "email"
        };
        assert_eq!(got["errors"][field][0], message);
    }
    let (status, got) = api
        .call(
            "POST /users/1/services",
            Some(json!({"name": "x", "plan": "gold"})),
        )
        .await;
    assert_eq!(
        (status, &got["message"]),
        (422, &json!("The selected plan is invalid."))
    );
    // An update may leave required fields out but not break a rule, nor take another's value.
    assert_eq!(
        api.call("PUT /users/1", Some(json!({"email": "bob@example.org"})))
            .await
            .0,
        422
    );
    assert_eq!(
        api.data("PUT /users/1", Some(json!({"email": "ada@example.com"})))
            .await["name"],
        "Ada"
    );
    assert_eq!(api.engine.lock().store.all("users").len(), 2);
}

/// A task reads queued, then running with progress, then done; one named `fail` ends failed at
/// its point of failure; the settling hook sees each end once.
#[tokio::test]
async fn jobs_progress_to_done_and_failed() {
    let api = Api::boot(600).await;
    let task = api
        .data("POST /tasks", Some(json!({"name": "backup"})))
        .await;
    assert_eq!(
        (&task["status"], &task["progress"]),
        (&json!("queued"), &json!(0))
    );
    let doomed = api.data("POST /tasks", Some(json!({"name": "fail"}))).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let running = api.data("GET /tasks/1", None).await;
    let progress = running["progress"].as_f64().unwrap();
    assert_eq!(running["status"], "running");
    assert!(progress > 0.0 && progress < 1.0, "{progress}");
    tokio::time::sleep(Duration::from_millis(250)).await;
    let failed = api
        .data(&format!("GET /tasks/{}", doomed["id"]), None)
        .await;
    assert_eq!(
        (&failed["status"], &failed["progress"]),
        (&json!("failed"), &json!(0.5))
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let done = api.data("GET /tasks/1", None).await;
    assert_eq!(
        (&done["status"], &done["progress"]),
        (&json!("done"), &json!(1))
    );
    api.data("GET /tasks/1", None).await;
    assert_eq!(
        api.engine.lock().ext.settled,
        ["fail failed", "backup done"]
    );
}

/// Injected failures answer the next N calls to a route, by concrete path or template, after the
/// credential check; then the route answers as before.
#[tokio::test]
async fn injected_failures() {
    let api = Api::boot(300).await;
    let down = json!({"message": "Service Unavailable"});
    api.engine.faults.fail_next(
        GET,
        "/api/admin/users",
        2,
        StatusCode::SERVICE_UNAVAILABLE,
        down.clone(),
    );
    api.engine.faults.fail_next(
        GET,
        "/api/admin/users/{id}",
        1,
        StatusCode::BAD_GATEWAY,
        json!({}),
    );
    let unauthenticated = api
        .client
        .get(format!("{}/api/admin/users", api.server.base_url()));
    assert_eq!(unauthenticated.send().await.unwrap().status().as_u16(), 401);
    assert_eq!(api.call("GET /users", None).await, (503, down.clone()));
    assert_eq!(api.call("GET /users", None).await, (503, down));
    assert_eq!(api.call("GET /users", None).await.0, 200);
    assert_eq!(api.call("GET /users/2", None).await.0, 502);
    assert_eq!(api.call("GET /users/2", None).await.0, 200);
}

/// Hooks and custom rows reach across collections and into the provider's own state.
#[tokio::test]
async fn hooks_and_custom_rows() {
    let api = Api::boot(300).await;
    let body = json!({"name": "Eve", "email": "eve@example.com", "first_service": "wiki"});
    let eve = api.data("POST /users", Some(body)).await;
    assert!(eve.get("first_service").is_none(), "{eve}");
    let services = api.data("GET /users/3/services", None).await;
    assert_eq!(
        services,
        json!([{"id": 2, "user_id": 3, "name": "wiki", "status": "active"}])
    );
    api.data("POST /users/3/suspend", None).await;
    assert_eq!(
        api.data("GET /users/3/services/2", None).await["status"],
        "suspended"
    );
    assert_eq!(api.call("POST /users/9/suspend", None).await.0, 404);
    assert_eq!(api.engine.lock().ext.services_by_hook, 1);
    // A path no row names is left to the router's fallback; a known path's other methods are 405.
    assert_eq!(api.call("GET /nothing", None).await.0, 404);
    assert_eq!(api.call("PATCH /users", None).await.0, 405);
}
