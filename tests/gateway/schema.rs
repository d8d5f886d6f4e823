//! The committed SDL and the `hostplane` CLI's printed tables stay equal to what the code builds.

use std::process::Command;

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
