//! The `hostplane` command line: the committed SDL and the printed tables stay equal to what the code
//! builds, and `demo` (the README's first command) serves real data.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
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

/// Kills the child process when the test ends, whatever happens.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `hostplane demo` starts on the embedded defaults, prints its URLs and a token that works, and
/// serves the simulated HosterAPI account at its original path.
#[tokio::test]
async fn demo_serves_the_simulators() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hostplane"))
        .args(["demo", "--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start hostplane demo");
    let stdout = child.stdout.take().expect("piped stdout");
    let guard = KillOnDrop(child);
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
    let base = graphql.trim_end_matches("/graphql");
    let http = reqwest::Client::new();
    let rest: serde_json::Value = http
        .get(format!(
            "{base}/rest/hosterapi-demo/api/v1/datacenter/server"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest, serde_json::json!({"result": [4001, 4002]}));
    let gql: serde_json::Value = http
        .post(&graphql)
        .bearer_auth(&token)
        .json(&serde_json::json!({"query": "{ hosterapiServers { serverId state } }"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(gql["data"]["hosterapiServers"][0]["state"], "running");
    drop(guard);
}
