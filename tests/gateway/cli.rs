//! The `hostplane` command line: the committed SDL and the printed tables stay equal to what the code
//! builds, and `demo` (the README's first command) serves real data.

use std::process::Command;
#[cfg(feature = "demo")]
use std::{
    io::{BufRead, BufReader},
    process::{Child, Stdio},
    time::Duration,
};

/// `schema/schema.graphql` is the schema the code builds; `UPDATE_SCHEMA=1` rewrites it after a change.
#[test]
fn committed_sdl_matches_built_schema() {
    let built = hostplane_resolvers::build_schema(None, &Default::default()).sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/schema.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &built).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(path).expect("schema/schema.graphql exists");
    assert!(
        committed == built,
        "schema/schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test --test gateway schema`"
    );
}

/// `hostplane schema` prints the same SDL.
#[test]
fn cli_prints_the_schema() {
    let out = Command::new(env!("CARGO_BIN_EXE_hostplane"))
        .arg("schema")
        .output()
        .expect("run hostplane schema");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        printed,
        hostplane_resolvers::build_schema(None, &Default::default()).sdl()
    );
    assert!(printed.contains("hosterapiCreateServer"));
}

/// `hostplane routes` lists every HosterAPI row of endpoints.tsv with its GraphQL field.
#[test]
fn cli_routes_cover_endpoints_tsv() {
    let out = Command::new(env!("CARGO_BIN_EXE_hostplane"))
        .arg("routes")
        .output()
        .expect("run hostplane routes");
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = printed
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    let wanted: Vec<(&str, &str)> = include_str!("../fixtures/endpoints.tsv")
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cols| cols[0] == "hosterapi")
        .map(|cols| (cols[1], cols[2]))
        .collect();
    assert_eq!(wanted.len(), 37);
    for (method, path) in &wanted {
        let row = rows
            .iter()
            .find(|r| r[0] == "hosterapi" && r[1] == *method && r[2] == *path)
            .unwrap_or_else(|| panic!("no route for {method} {path}"));
        assert!(row[3].starts_with("hosterapi"), "field {}", row[3]);
    }
    let hoster_rows = rows.iter().filter(|r| r[0] == "hosterapi").count();
    assert_eq!(
        hoster_rows,
        wanted.len(),
        "routes list something endpoints.tsv does not"
    );
}

/// `serve` refuses a signing secret or a sealing key shorter than 32 bytes before it opens anything,
/// naming the setting and how to make a good one.
#[test]
fn serve_refuses_short_secrets() {
    let dir = std::env::temp_dir().join(format!("hostplane-short-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let strong = "0123456789abcdef0123456789abcdef";
    for (secret, key, setting) in [
        ("a", None, "auth.hs256_secret"),
        (strong, Some("short-key"), "encryption_key"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_hostplane"))
            .arg("serve")
            .env("HOSTPLANE_LISTEN", "127.0.0.1:0")
            .env("HOSTPLANE_AUTH__HS256_SECRET", secret)
            .env_remove("HOSTPLANE_ENCRYPTION_KEY")
            .envs(key.map(|k| ("HOSTPLANE_ENCRYPTION_KEY", k)))
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.join("gw.db").display()),
            )
            .output()
            .expect("run hostplane serve");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{setting}: serve started");
        assert!(
            err.contains(setting) && err.contains("at least 32") && err.contains("openssl rand"),
            "{setting}: {err}"
        );
        assert!(
            key.is_none_or(|k| !err.contains(k)),
            "the key is echoed: {err}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// `token` refuses a token bound to a customer with the admin scope, and a user without its
/// connection; a bound token it mints names both.
#[test]
fn token_refuses_admin_customers() {
    let token = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hostplane"))
            .arg("token")
            .args(args)
            .env(
                "HOSTPLANE_AUTH__HS256_SECRET",
                "0123456789abcdef0123456789abcdef",
            )
            .output()
            .expect("run hostplane token")
    };
    let out = token(&[
        "--panelalpha-user",
        "7",
        "--panelalpha-connection",
        "panelalpha-demo",
        "--scopes",
        "admin",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("cannot carry the admin scope"),
        "{err}"
    );
    let out = token(&["--panelalpha-user", "7"]);
    assert!(!out.status.success(), "a user without its connection");
    let out = token(&[
        "--panelalpha-user",
        "7",
        "--panelalpha-connection",
        "panelalpha-demo",
    ]);
    assert!(out.status.success());
    let jwt = String::from_utf8(out.stdout).expect("text");
    let claims = jwt.split('.').nth(1).expect("a JWT");
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims)
            .expect("base64"),
    )
    .expect("JSON claims");
    assert_eq!(
        (&claims["panelalpha_user"], &claims["panelalpha_connection"]),
        (
            &serde_json::json!("7"),
            &serde_json::json!("panelalpha-demo")
        )
    );
}

/// Stops the child process when the test ends, whatever happens: asked to stop (so `demo` removes
/// its database file), then killed if it has not within five seconds.
#[cfg(feature = "demo")]
struct KillOnDrop(Child);

#[cfg(feature = "demo")]
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let pid = libc::pid_t::try_from(self.0.id()).expect("a process id");
        // SAFETY: signals our own child, whose id is live until it is waited for below.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `hostplane demo`: its base URL and dev token; killed when dropped.
#[cfg(feature = "demo")]
pub(crate) struct Demo {
    pub(crate) base: String,
    pub(crate) token: String,
    _process: KillOnDrop,
}

/// Starts `hostplane demo` on a free loopback port and reads its banner.
#[cfg(feature = "demo")]
pub(crate) async fn start_demo() -> Demo {
    start_demo_with(&[]).await
}

#[cfg(feature = "demo")]
async fn start_demo_with(env: &[(&str, &str)]) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hostplane"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hostplane demo");
    let stdout = child.stdout.take().expect("piped stdout");
    let process = KillOnDrop(child);
    let banner = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut graphql = None;
        while let Some(Ok(line)) = lines.next() {
            if let Some(rest) = line.trim().strip_prefix("GraphQL:") {
                graphql = rest.split_whitespace().next().map(str::to_string);
            }
            if line.contains("Dev token") {
                let token = lines.next().and_then(Result::ok).unwrap_or_default();
                return (graphql, token);
            }
        }
        (graphql, String::new())
    });
    let (graphql, token) = tokio::time::timeout(Duration::from_secs(30), banner)
        .await
        .expect("demo printed its banner in time")
        .unwrap();
    let graphql = graphql.expect("the banner names the GraphQL URL");
    assert!(!token.is_empty(), "the banner carries a token");
    Demo {
        base: graphql.trim_end_matches("/graphql").to_string(),
        token,
        _process: process,
    }
}

#[cfg(feature = "demo")]
impl Demo {
    pub(crate) async fn graphql(&self, query: &str) -> serde_json::Value {
        reqwest::Client::new()
            .post(format!("{}/graphql", self.base))
            .bearer_auth(&self.token)
            .json(&serde_json::json!({"query": query}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

/// `hostplane demo` starts on the embedded defaults, prints its URLs and a token that works, and
/// serves the simulated HosterAPI account at its original path.
#[cfg(feature = "demo")]
#[tokio::test]
async fn demo_serves_the_simulators() {
    let demo = start_demo().await;
    let rest: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/rest/hosterapi-demo/api/v1/datacenter/server",
            demo.base
        ))
        .bearer_auth(&demo.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest, serde_json::json!({"result": [4001, 4002]}));
    let gql = demo
        .graphql("{ hosterapiServers { serverId state } }")
        .await;
    assert_eq!(gql["data"]["hosterapiServers"][0]["state"], "running");
}

/// A demo started with a signing secret of one's own takes tokens `hostplane token` makes with it.
#[cfg(feature = "demo")]
#[tokio::test]
async fn demo_takes_tokens_minted_with_its_configured_secret() {
    let secret = "a-demo-secret-of-at-least-32-bytes-0123456789";
    let mut demo = start_demo_with(&[("HOSTPLANE_AUTH__HS256_SECRET", secret)]).await;
    let minted = Command::new(env!("CARGO_BIN_EXE_hostplane"))
        .args(["token", "--sub", "you", "--scopes", "read"])
        .env("HOSTPLANE_AUTH__HS256_SECRET", secret)
        .output()
        .expect("run hostplane token");
    assert!(minted.status.success(), "{minted:?}");
    demo.token = String::from_utf8(minted.stdout)
        .expect("a token")
        .trim()
        .to_string();
    let viewer = demo.graphql("{ viewer { subject scopes } }").await;
    assert_eq!(
        viewer["data"]["viewer"],
        serde_json::json!({"subject": "you", "scopes": ["read"]}),
        "{viewer}"
    );
}
