//! Relay paging everywhere: every query field that takes `first` and `after` (read from the schema,
//! so a list added later is walked too) is followed two at a time to its end on the seeded
//! simulators. What it saw matches `totalCount`, no item comes twice, `hasNextPage` is false on the
//! last page, and an `after` past the end gives an empty page that says so.

use crate::helpers::spawn;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Pages (of two) any walk may take before it is a walk that never ends.
const MOST_PAGES: usize = 200;

#[tokio::test]
async fn every_paged_field_ends() {
    let gw = spawn().await;
    let schema = gw
        .data(
            "{ __schema { queryType { fields { name args { name type { kind } } } } } }",
            json!({}),
        )
        .await;
    let site = gw
        .data(
            "{ orchestrixSites(first: 1) { edges { node { siteId } } } }",
            json!({}),
        )
        .await;
    let site_id = site["orchestrixSites"]["edges"][0]["node"]["siteId"].clone();
    let mut walked = Vec::new();
    for field in schema["__schema"]["queryType"]["fields"]
        .as_array()
        .expect("fields")
    {
        let name = field["name"].as_str().expect("a name");
        let args = field["args"].as_array().expect("args");
        let has = |arg: &str| args.iter().any(|a| a["name"] == arg);
        if !(has("first") && has("after")) {
            continue;
        }
        // The only other required argument a paged field takes is an Orchestrix site.
        let mut declared = vec!["$first: Int!".to_string(), "$after: String".to_string()];
        let mut passed = vec!["first: $first".to_string(), "after: $after".to_string()];
        let mut vars = json!({"first": 2});
        for arg in args {
            let arg_name = arg["name"].as_str().expect("an argument name");
            if arg["type"]["kind"] == "NON_NULL" && !["first", "after"].contains(&arg_name) {
                assert_eq!(
                    arg_name, "siteId",
                    "{name} needs an argument this test lacks"
                );
                declared.push("$siteId: String!".into());
                passed.push("siteId: $siteId".into());
                vars["siteId"] = site_id.clone();
            }
        }
        let query = format!(
            "query({}) {{ {name}({}) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor }} }} }}",
            declared.join(", "),
            passed.join(", ")
        );
        let mut cursors = BTreeSet::new();
        let mut seen = 0;
        let mut after = Value::Null;
        let (total, last_end) = loop {
            assert!(cursors.len() / 2 < MOST_PAGES, "{name} never ends");
            vars["after"] = after.clone();
            let data = gw.data(&query, vars.clone()).await;
            let list = &data[name];
            for edge in list["edges"].as_array().expect("edges") {
                seen += 1;
                cursors.insert(edge["cursor"].as_str().expect("a cursor").to_string());
            }
            let end = list["pageInfo"]["endCursor"].clone();
            if list["pageInfo"]["hasNextPage"] != true {
                break (list["totalCount"].clone(), end);
            }
            assert!(end.is_string(), "{name}: more pages but no endCursor");
            after = end;
        };
        assert_eq!(cursors.len(), seen, "{name}: an item came twice");
        if let Some(total) = total.as_u64() {
            assert_eq!(seen, total as usize, "{name}: walked {seen} of {total}");
        }
        // The last page's `endCursor` as `after`: nothing more, and it says so.
        if last_end.is_string() {
            vars["after"] = last_end;
            let data = gw.data(&query, vars.clone()).await;
            let list = &data[name];
            assert_eq!(list["edges"], json!([]), "{name} past the end");
            assert_eq!(
                list["pageInfo"]["hasNextPage"], false,
                "{name} past the end"
            );
        }
        walked.push((name.to_string(), seen));
    }
    let names: Vec<&str> = walked.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "sites",
        "servers",
        "users",
        "orchestrixSites",
        "orchestrixActivityLogs",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} was walked: {names:?}"
        );
    }
    assert!(
        walked.iter().filter(|(_, seen)| *seen > 2).count() >= 5,
        "several lists span more than one page: {walked:?}"
    );
}
