//! The Patchstack simulator's own tests: auth, users and sites through their documented routes,
//! Laravel's validation messages, SSO tokens and the plugin download.

use super::{
    flows::{SSO_BASE, SSO_TTL_SECS},
    model::{DOC_SECRET, SECRET_LEN, date, datetime, iso_datetime},
    routes::random_alnum,
    *,
};
use crate::kit::{
    encode::crc32,
    time::{civil_from_days, days_from_civil},
};
use axum::http::header;
use serde_json::{Value, json};

const TOKEN: &str = "test-token";

/// A running simulator and a caller that sends `HostToken` and prefixes `/hosting/`.
struct Api {
    sim: Simulator,
    server: SimServer,
    client: reqwest::Client,
}

impl Api {
    async fn boot() -> Api {
        let config = SimConfig {
            token: TOKEN.into(),
        };
        let (sim, server) = Simulator::start(config).await.unwrap();
        Api {
            sim,
            server,
            client: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/hosting/{path}", self.server.base_url())
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.header("HostToken", TOKEN).send().await.unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(self.url(path))).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.client.post(self.url(path)).json(&body))
            .await
    }
}

fn new_user(email: &str) -> Value {
    json!({
        "name": "Frank", "company": "Acme", "email": email, "password": "secret1",
        "password_confirmation": "secret1", "newsletter": 0, "phone": "+31 20 000 0000"
    })
}

fn error(message: &str) -> Value {
    json!({ "error": message })
}

/// A missing or wrong `HostToken` gets 401 with Laravel's unauthenticated body.
#[tokio::test]
async fn unauthorized() {
    let api = Api::boot().await;
    let client = &api.client;
    let view = api.url("user/1/view");
    let add = api.url("site/add");
    for req in [
        client.get(&view),
        client.get(&view).header("HostToken", "wrong"),
        client.post(&add).json(&json!({})),
    ] {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        assert_eq!(
            resp.json::<Value>().await.unwrap(),
            error("Unauthenticated.")
        );
    }
    assert_eq!(api.server.log.count("GET", "/hosting/user/1/view"), 2);
}

/// An added user is found by (case-insensitive) email search and viewed with its sites.
#[tokio::test]
async fn add_user_then_search_and_view() {
    let api = Api::boot().await;
    let (status, body) = api.post("user/add", new_user("frank@example.com")).await;
    assert_eq!((status, body), (200, json!({"id": 3})));
    assert_eq!(api.sim.user_ids(), vec![1, 2, 3]);

    let (status, found) = api
        .post("user/search", json!({"email": "Frank@Example.com"}))
        .await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = found
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let documented = [
        "id",
        "name",
        "email",
        "created_at",
        "blocked_attacks",
        "expires_at",
        "class",
        "renew_freq",
    ];
    assert_eq!(keys, documented);
    assert_eq!((&found["id"], &found["name"]), (&json!(3), &json!("Frank")));
    assert_eq!(
        (&found["class"], &found["blocked_attacks"]),
        (&json!("free"), &json!(0))
    );
    let created = found["created_at"].as_str().unwrap();
    assert!(
        created.ends_with(".000000Z") && created.len() == 27,
        "{created}"
    );

    let site = json!({"url": "https://frank.example.com", "userid": 3});
    let (status, added) = api.post("site/add", site).await;
    assert_eq!(status, 200, "{added}");
    let (_, view) = api.get("user/3/view").await;
    assert_eq!(view["user"]["addon_mr"], "false");
    assert_eq!(view["user"]["addon_wl"], "false");
    assert_eq!(view["user"]["email"], "frank@example.com");
    let sites = json!([{"id": added["siteid"], "url": "https://frank.example.com"}]);
    assert_eq!(view["sites"], sites);

    let (_, seeded) = api.get("user/1/view").await;
    let sites = json!([
        {"id": 315, "url": "https://my-site.com"},
        {"id": 16106, "url": "http://test1.com"}
    ]);
    assert_eq!(seeded["sites"], sites);
    assert_eq!(seeded["user"]["expires_at"], "2025-01-01 11:11:11");
    assert_eq!(seeded["user"]["created_at"], "2017-10-19T00:00:00.000000Z");
}

/// Each failing rule of user add, edit, search and site add answers its exact 422 or 404 body.
#[tokio::test]
async fn validation_failures() {
    let api = Api::boot().await;
    let cases = [
        ("name", json!(null), "The name field is required."),
        ("name", json!(""), "The name field is required."),
        ("name", json!(5), "The name must be a string."),
        ("company", json!(5), "The company must be a string."),
        ("email", json!(null), "The email field is required."),
        (
            "email",
            json!("not-an-email"),
            "The email must be a valid email address.",
        ),
        ("password", json!(null), "The password field is required."),
        (
            "password",
            json!("short"),
            "The password must be at least 6 characters.",
        ),
        (
            "password_confirmation",
            json!(null),
            "The password confirmation field is required.",
        ),
        (
            "password_confirmation",
            json!("secret2"),
            "The password confirmation does not match.",
        ),
        (
            "newsletter",
            json!(null),
            "The newsletter field is required.",
        ),
        (
            "newsletter",
            json!(2),
            "The newsletter field must be true or false.",
        ),
        (
            "newsletter",
            json!("yes"),
            "The newsletter field must be true or false.",
        ),
        ("phone", json!(31), "The phone must be a string."),
    ];
    for (field, value, message) in cases {
        let mut body = new_user("v@example.com");
        match value {
            Value::Null => body.as_object_mut().unwrap().remove(field),
            v => body.as_object_mut().unwrap().insert(field.into(), v),
        };
        let got = api.post("user/add", body).await;
        assert_eq!(got, (422, error(message)), "{field}");
    }
    for newsletter in [json!(1), json!("0"), json!(true), json!(false)] {
        let mut body = new_user(&format!("n{}@example.com", random_alnum(6)));
        body["newsletter"] = newsletter;
        assert_eq!(api.post("user/add", body).await.0, 200);
    }
    assert_eq!(api.sim.user_ids().len(), 6);

    let got = api.post("user/1/edit", json!({"email": "nope"})).await;
    assert_eq!(
        got,
        (422, error("The email must be a valid email address."))
    );
    let got = api.post("user/1/edit", json!({"newsletter": "x"})).await;
    assert_eq!(
        got,
        (422, error("The newsletter field must be true or false."))
    );
    let got = api.post("user/99/edit", json!({"name": "X"})).await;
    assert_eq!(got, (404, error("User not found.")));

    let got = api.post("user/search", json!({})).await;
    assert_eq!(got, (422, error("The email field is required.")));
    let got = api.post("user/search", json!({"email": "a b@c"})).await;
    assert_eq!(
        got,
        (422, error("The email must be a valid email address."))
    );
    let got = api
        .post("user/search", json!({"email": "nobody@example.com"}))
        .await;
    assert_eq!(got, (404, error("User not found.")));

    let sites = [
        (json!({"userid": 1}), 422, "The url field is required."),
        (
            json!({"url": "my-site.com", "userid": 1}),
            422,
            "The url must be a valid URL.",
        ),
        (
            json!({"url": "ftp://x.com", "userid": 1}),
            422,
            "The url must be a valid URL.",
        ),
        (
            json!({"url": "https://", "userid": 1}),
            422,
            "The url must be a valid URL.",
        ),
        (
            json!({"url": "https://x.com"}),
            422,
            "The userid field is required.",
        ),
        (
            json!({"url": "https://x.com", "userid": "one"}),
            422,
            "The userid must be an integer.",
        ),
        (
            json!({"url": "https://x.com", "userid": 1, "strict": "maybe"}),
            422,
            "The strict field must be true or false.",
        ),
        (
            json!({"url": "https://x.com", "userid": 99}),
            404,
            "User not found.",
        ),
    ];
    for (body, status, message) in sites {
        let got = api.post("site/add", body.clone()).await;
        assert_eq!(got, (status, error(message)), "{body}");
    }
    let got = api.post("site/315/edit", json!({"url": "nope"})).await;
    assert_eq!(got, (422, error("The url must be a valid URL.")));
    let got = api
        .post("site/1/edit", json!({"url": "https://x.com"}))
        .await;
    assert_eq!(got, (404, error("Site not found.")));
}

/// An email already registered (in any case) cannot be added again or taken over by an edit.
#[tokio::test]
async fn duplicate_email() {
    let api = Api::boot().await;
    let got = api
        .post("user/add", new_user("SUPPORT@patchstack.com"))
        .await;
    assert_eq!(got, (422, error("The email has already been taken.")));
    let got = api
        .post("user/2/edit", json!({"email": "support@patchstack.com"}))
        .await;
    assert_eq!(got, (422, error("The email has already been taken.")));
    let got = api
        .post("user/1/edit", json!({"email": "support@patchstack.com"}))
        .await;
    assert_eq!(got, (200, json!({"success": "User updated."})));
    assert_eq!(api.sim.user_ids(), vec![1, 2]);
}

/// A strict add of a URL anyone registered is refused; a non-strict one is allowed.
#[tokio::test]
async fn strict_duplicate_site() {
    let api = Api::boot().await;
    let dup = |strict: Value| json!({"url": "https://MY-SITE.com/", "userid": 2, "strict": strict});
    for strict in [json!(true), json!(1), json!("true")] {
        let got = api.post("site/add", dup(strict)).await;
        assert_eq!(
            got,
            (
                422,
                error("This site has already been added to Patchstack.")
            )
        );
    }
    let (status, added) = api.post("site/add", dup(json!(false))).await;
    assert_eq!(status, 200);
    let id = added["siteid"].as_u64().unwrap();
    assert_eq!(id, 16107);
    assert_eq!(added["success"], "Site added.");
    assert_eq!(added["api"]["id"], id);
    let secret = added["api"]["secret"].as_str().unwrap();
    assert_eq!(secret.len(), SECRET_LEN);
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
    let unstrict = json!({"url": "https://my-site.com", "userid": 1});
    assert_eq!(api.post("site/add", unstrict).await.0, 200);
    let fresh = json!({"url": "https://fresh.example.net", "userid": 2, "strict": true});
    assert_eq!(api.post("site/add", fresh).await.0, 200);
    assert_eq!(
        api.sim.site_ids(),
        vec![315, 400, 16106, 16107, 16108, 16109]
    );
}

/// SSO answers the same unexpired token twice, and a fresh one once it has expired.
#[tokio::test]
async fn sso_same_url_twice() {
    let api = Api::boot().await;
    let before = unix_now();
    let (status, first) = api.post("user/1/sso", json!({})).await;
    let after = unix_now();
    assert_eq!(status, 200);
    let url = first["url"].as_str().unwrap();
    assert!(url.starts_with(SSO_BASE), "{url}");
    // `Y-m-d H:i:s` sorts as it reads, so the expiry can be bracketed as text.
    let expires = first["expires_at"].as_str().unwrap().to_string();
    let bracket = datetime(before + SSO_TTL_SECS)..=datetime(after + SSO_TTL_SECS);
    assert!(bracket.contains(&expires), "{expires}");
    assert_eq!(
        api.post("user/1/sso", json!({})).await,
        (200, first.clone())
    );
    let (_, other) = api.post("user/2/sso", json!({})).await;
    assert_ne!(other["url"], first["url"]);

    // Back-date the token past its expiry: the next request must issue a new one.
    if let Some(token) = &mut api.sim.state.lock().unwrap().users.get_mut(&1).unwrap().sso {
        token.expires_at = unix_now() - 1;
    }
    let (_, renewed) = api.post("user/1/sso", json!({})).await;
    assert_ne!(renewed["url"], first["url"]);
    assert_eq!(
        api.post("user/99/sso", json!({})).await,
        (404, error("User not found."))
    );
}

/// Deleting a user deletes their sites; deleting a site drops it from its user's view.
#[tokio::test]
async fn delete_user_cascades_sites() {
    let api = Api::boot().await;
    let got = api.post("site/16106/delete", json!({})).await;
    assert_eq!(got, (200, json!({"success": "Site deleted."})));
    let (_, view) = api.get("user/1/view").await;
    assert_eq!(
        view["sites"],
        json!([{"id": 315, "url": "https://my-site.com"}])
    );
    let got = api
        .post(
            "site/315/edit",
            json!({"url": "https://renamed.example.com"}),
        )
        .await;
    assert_eq!(got, (200, json!({"success": "Site updated."})));
    assert_eq!(
        api.get("site/315/view").await.1["url"],
        "https://renamed.example.com"
    );

    let got = api.post("user/1/delete", json!({})).await;
    assert_eq!(got, (200, json!({"success": "User deleted."})));
    assert_eq!(api.sim.user_ids(), vec![2]);
    assert_eq!(api.sim.site_ids(), vec![400]);
    assert_eq!(
        api.get("site/315/view").await,
        (404, error("Site not found."))
    );
    assert_eq!(
        api.get("user/1/view").await,
        (404, error("User not found."))
    );
    let got = api.post("user/1/delete", json!({})).await;
    assert_eq!(got, (404, error("User not found.")));
    let got = api.post("site/16106/delete", json!({})).await;
    assert_eq!(got, (404, error("Site not found.")));
}

/// The download is a valid stored zip holding the site's own keys; an unknown site is a 404.
#[tokio::test]
async fn download_is_zip() {
    let api = Api::boot().await;
    let resp = api
        .client
        .get(api.url("site/315/download"))
        .header("HostToken", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let header = |name| resp.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header(header::CONTENT_TYPE), "application/zip");
    assert_eq!(
        header(header::CONTENT_DISPOSITION),
        "attachment; filename=\"patchstack-315.zip\""
    );
    let zip = resp.bytes().await.unwrap().to_vec();
    assert!(zip.starts_with(b"PK\x03\x04"));
    let u16_at = |at: usize| u16::from_le_bytes([zip[at], zip[at + 1]]) as usize;
    let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
    let (name_len, size) = (u16_at(26), u32_at(22) as usize);
    assert_eq!(&zip[30..30 + name_len], b"patchstack/config.php");
    let data = &zip[30 + name_len..30 + name_len + size];
    assert_eq!(crc32(data), u32_at(14));
    let text = std::str::from_utf8(data).unwrap();
    assert!(text.contains(DOC_SECRET) && text.contains("PATCHSTACK_API_ID', 315"));
    let end = zip.len() - 22;
    assert_eq!(u32_at(end), 0x0605_4b50);
    let central = u32_at(end + 16) as usize;
    assert_eq!(u32_at(central), 0x0201_4b50);
    assert_eq!(u32_at(central + 16), crc32(data));

    let other = api
        .client
        .get(api.url("site/400/download"))
        .header("HostToken", TOKEN)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(
        !other
            .windows(DOC_SECRET.len())
            .any(|w| w == DOC_SECRET.as_bytes())
    );
    assert_eq!(
        api.get("site/999/download").await,
        (404, error("Site not found."))
    );
}

/// CRC-32 matches the standard check value.
#[test]
fn crc32_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

/// The site view's counts, attack window, owner and keys agree with each other and the docs.
#[tokio::test]
async fn site_view_counts_consistent() {
    let api = Api::boot().await;
    let today = (unix_now() / 86_400) as i64;
    let (status, view) = api.get("site/315/view").await;
    assert_eq!(status, 200);
    assert_eq!(view["url"], "https://my-site.com");
    assert_eq!(view["created_at"], "2019-01-01");
    assert_eq!(view["api"], json!({"id": 315, "secret": DOC_SECRET}));
    let software = view["software"].as_array().unwrap();
    assert_eq!(software.len(), 8);
    assert_eq!(software[1]["version_new"], "5.0.1");
    let count = |flag: &str| software.iter().filter(|s| s[flag] == true).count();
    assert_eq!((count("is_outdated"), count("is_vulnerable")), (2, 1));
    assert_eq!(
        (&view["software_outdated"], &view["software_vulnerable"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(view["has_vuln_plugin"], 1);

    let attacks = view["attacks"].as_array().unwrap();
    let listed: Vec<Value> = attacks.iter().map(|a| a["dateday"].clone()).collect();
    // The request may straddle midnight, so the window ends today or (rarely) tomorrow.
    let window = |end: i64| -> Vec<Value> { (end - 29..=end).map(|d| json!(date(d))).collect() };
    assert!(
        listed == window(today) || listed == window(today + 1),
        "{listed:?}"
    );
    let total = |v: &Value| -> u64 {
        v["attacks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["num"].as_u64().unwrap())
            .sum()
    };
    let (_, other) = api.get("site/16106/view").await;
    assert_eq!(other["has_vuln_plugin"], 1);
    assert_eq!(
        (&other["software_outdated"], &other["software_vulnerable"]),
        (&json!(1), &json!(1))
    );
    let user = &view["user"];
    assert_eq!((&user["id"], &user["site_count"]), (&json!(1), &json!(2)));
    assert_eq!(user["blocked_attacks"], total(&view) + total(&other));
    assert_eq!(api.get("site/315/view").await.1["attacks"], view["attacks"]);
    let (_, found) = api
        .post("user/search", json!({"email": "support@patchstack.com"}))
        .await;
    assert_eq!(found["blocked_attacks"], user["blocked_attacks"]);

    let (_, blog) = api.get("site/400/view").await;
    assert_eq!(
        (&blog["has_vuln_plugin"], &blog["software_outdated"]),
        (&json!(0), &json!(0))
    );

    let site = json!({"url": "https://new.example.com", "userid": 2});
    let (_, added) = api.post("site/add", site).await;
    let (_, fresh) = api.get(&format!("site/{}/view", added["siteid"])).await;
    assert_eq!((total(&fresh), &fresh["software"]), (0, &json!([])));
    assert_eq!(fresh["api"], added["api"]);
    let created = &fresh["created_at"];
    assert!(
        *created == date(today) || *created == date(today + 1),
        "{created}"
    );
}

/// Form-encoded bodies are read like JSON ones, as Laravel reads both.
#[tokio::test]
async fn form_bodies_accepted() {
    let api = Api::boot().await;
    let form = "name=Gina+Bo&email=gina%40example.com&password=secret1\
                &password_confirmation=secret1&newsletter=1";
    let req = api
        .client
        .post(api.url("user/add"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form);
    assert_eq!(api.send(req).await, (200, json!({"id": 3})));
    let (_, view) = api.get("user/3/view").await;
    assert_eq!(view["user"]["name"], "Gina Bo");
    assert_eq!(view["user"]["email"], "gina@example.com");
}

/// Dates round-trip through the civil-date helpers and format as the docs show them.
#[test]
fn date_formats() {
    let day = days_from_civil(2017, 10, 19);
    assert_eq!(civil_from_days(day), (2017, 10, 19));
    assert_eq!(date(days_from_civil(2024, 2, 29)), "2024-02-29");
    let secs = day as u64 * 86_400 + 11 * 3600 + 11 * 60 + 11;
    assert_eq!(datetime(secs), "2017-10-19 11:11:11");
    assert_eq!(
        iso_datetime(day as u64 * 86_400),
        "2017-10-19T00:00:00.000000Z"
    );
}
