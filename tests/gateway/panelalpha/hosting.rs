//! PanelAlpha's user API for hosting accounts (part 4, as far as it is served), as a bound
//! customer: its own accounts only, FTP and MySQL passwords that go in and never come back, its
//! own phpMyAdmin link, and its zone's DNS records.

use super::{bound_token, rest};
use crate::helpers::spawn;
use serde_json::json;

#[tokio::test]
async fn ftp_passwords_are_write_only_and_accounts_stay_their_users() {
    let gw = spawn().await;
    let (ada, grace) = (bound_token("1"), bound_token("2"));
    let (_, body) = gw
        .gql_as(
            Some(&ada),
            r#"mutation { panelalphaCreateMyFtpAccount(id: 1, input: {user: "upload",
                domain: "blog.example.org", password: "ftp-secret-9", quota: 500})
                { user quota unlimitedQuota raw } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["panelalphaCreateMyFtpAccount"]["user"], "upload@blog.example.org",
        "{body}"
    );
    let (_, listed) = gw
        .gql_as(
            Some(&ada),
            "{ panelalphaMyFtpAccounts(id: 1) { user raw } panelalphaMyHostingAccounts { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["panelalphaMyHostingAccounts"],
        json!([{"id": "1"}])
    );
    let (status, over_rest) = rest(
        &gw,
        Some(&ada),
        &[],
        "GET",
        "/api/server-accounts/1/ftp-accounts",
        None,
    )
    .await;
    assert_eq!(status, 200, "{over_rest}");
    for answer in [&body, &listed, &over_rest] {
        assert!(!answer.to_string().contains("ftp-secret-9"), "{answer}");
    }
    // A MySQL user's password goes in and never comes back either; the phpMyAdmin link is Ada's
    // own account's, and Grace gets none for it.
    let (_, created) = gw
        .gql_as(
            Some(&ada),
            r#"mutation { panelalphaCreateMyDatabaseUser(id: 1, input: {name: "adalovel_ro",
                password: "db-secret-77", database: "adalovel_wp"}) { name raw } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        created["data"]["panelalphaCreateMyDatabaseUser"]["name"],
        "adalovel_ro"
    );
    assert!(!created.to_string().contains("db-secret-77"), "{created}");
    let link = "mutation { panelalphaCreateMyPhpmyadminSsoUrl(id: 1) { url } }";
    let (_, mine) = gw.gql_as(Some(&ada), link, json!({})).await;
    let url = mine["data"]["panelalphaCreateMyPhpmyadminSsoUrl"]["url"].as_str();
    assert!(
        url.is_some_and(|u| u.starts_with("https://blog.example.org/phpmyadmin/?sso=")),
        "{mine}"
    );
    let (_, refused) = gw.gql_as(Some(&grace), link, json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{refused}"
    );

    // A DNS record made on the account's zone reads back, its proxy switched; a type the server
    // does not take is refused in the panel's words.
    let (_, made) = gw
        .gql_as(
            Some(&ada),
            r#"mutation { panelalphaCreateMyDnsRecord(id: 1, name: "blog.example.org",
                input: {name: "www", type: "CNAME", cname: "blog.example.org"}) { line } }"#,
            json!({}),
        )
        .await;
    let line = made["data"]["panelalphaCreateMyDnsRecord"]["line"].clone();
    let toggle = format!(
        r#"mutation {{ panelalphaToggleMyDnsProxy(id: 1, name: "blog.example.org", line: {line})
            {{ name type proxied }} }}"#
    );
    let (_, toggled) = gw.gql_as(Some(&ada), &toggle, json!({})).await;
    assert_eq!(
        toggled["data"]["panelalphaToggleMyDnsProxy"],
        json!({"name": "www", "type": "CNAME", "proxied": true}),
        "{toggled}"
    );
    let (_, bad) = gw
        .gql_as(
            Some(&ada),
            r#"mutation { panelalphaCreateMyDnsRecord(id: 1, name: "blog.example.org",
                input: {name: "x", type: "BOGUS"}) { line } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        bad["errors"][0]["message"], "The selected type is invalid.",
        "{bad}"
    );

    // Grace's accounts are hers: Ada's is unknown to her, and hers are not Ada's.
    let (_, theirs) = gw
        .gql_as(
            Some(&grace),
            "{ panelalphaMyHostingAccounts { id } panelalphaMyFtpAccounts(id: 1) { user } }",
            json!({}),
        )
        .await;
    assert_eq!(
        theirs["data"]["panelalphaMyHostingAccounts"],
        json!([{"id": "2"}])
    );
    assert_eq!(
        theirs["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{theirs}"
    );
}
