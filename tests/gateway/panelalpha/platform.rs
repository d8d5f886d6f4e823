//! PanelAlpha's platform configuration (part 2): only admins change it, on both surfaces, with
//! nothing sent upstream for anyone else; what an admin writes reads back.

use super::{rest, upstream_calls};
use crate::helpers::{admin, spawn, token};
use hostplane_schema::principal::Scope;
use serde_json::json;

/// A read-and-write credential that is not an admin's reads the platform's settings and groups but
/// changes none of them: `FORBIDDEN` on GraphQL, Laravel's 403 on REST, nothing upstream.
#[tokio::test]
async fn only_admins_write_the_platform() {
    let gw = spawn().await;
    let writer = token(&[Scope::Read, Scope::Write]);
    let (_, read) = gw
        .gql_as(
            Some(&writer),
            "{ panelalphaServerGroups { name serverType } panelalphaSettings { raw } }",
            json!({}),
        )
        .await;
    assert_eq!(
        read["data"]["panelalphaServerGroups"],
        json!([{"name": "cPanel servers", "serverType": "cpanel"}]),
        "{read}"
    );
    let before = upstream_calls(&gw);
    let writes = [
        r#"mutation { panelalphaCreateServerGroup(input: {name: "Plesk", serverType: "plesk"}) { id } }"#,
        r#"mutation { panelalphaUpdateSettings(input: {timezone: "UTC"}) { raw } }"#,
        r#"mutation { panelalphaDeleteThemeCategory(id: 1) { ok } }"#,
        r#"mutation { panelalphaTestServerConnection(input: {type: "cpanel",
            connectionConfig: {host: "cp9.example.net"}}) { raw } }"#,
        r#"mutation { panelalphaImportService(id: 1, input: {username: "legacy01", userId: 1,
            planId: 1}) { task { id } } }"#,
        r#"mutation { panelalphaTestEmailConnection { raw } }"#,
    ];
    for write in writes {
        let (_, body) = gw.gql_as(Some(&writer), write, json!({})).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{write}: {body}"
        );
    }
    let (status, body) = rest(
        &gw,
        Some(&writer),
        &[],
        "POST",
        "/api/admin/theme-category",
        Some(json!({"name": "Portfolio"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].is_string(), "Laravel's shape: {body}");
    assert_eq!(upstream_calls(&gw), before, "nothing reached the panel");

    // An admin's writes read back.
    let created = gw
        .data(
            r#"mutation { panelalphaAddCategoryTheme(id: 1, input: {name: "Kadence", slug: "kadence",
                description: "Blocks."}) { name slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        created["panelalphaAddCategoryTheme"],
        json!({"name": "Kadence", "slug": "kadence"})
    );
    let themes = gw
        .data("{ panelalphaCategoryThemes(id: 1) { slug } }", json!({}))
        .await;
    assert_eq!(
        themes["panelalphaCategoryThemes"],
        json!([{"slug": "astra"}, {"slug": "kadence"}])
    );
    let settings = gw
        .data(
            r#"mutation { panelalphaUpdateSettings(input: {timezone: "Europe/Tallinn"}) { raw } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        settings["panelalphaUpdateSettings"]["raw"]["timezone"],
        "Europe/Tallinn"
    );
    let (status, body) = rest(&gw, Some(&admin()), &[], "GET", "/api/admin/settings", None).await;
    assert_eq!(
        (status, &body["data"]["timezone"]),
        (200, &json!("Europe/Tallinn")),
        "{body}"
    );
}

/// A template edited and restored comes back as shipped; the mail server's password in the email
/// settings is an admin's to read, and nobody else's.
#[tokio::test]
async fn notification_templates_restore_and_mail_secrets_stay_with_admins() {
    let gw = spawn().await;
    let edited = gw
        .data(
            r#"mutation { panelalphaUpdateNotificationTemplate(id: "user_welcome",
                input: {subject: "Hi"}) { subject } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        edited["panelalphaUpdateNotificationTemplate"]["subject"],
        "Hi"
    );
    let restored = gw
        .data(
            r#"mutation { panelalphaRestoreNotification(id: "user_welcome") { subject enabled } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        restored["panelalphaRestoreNotification"],
        json!({"subject": "Welcome to {{company_name}}", "enabled": true})
    );
    let listed = gw
        .data(
            r#"{ panelalphaNotificationTemplates(recipient: "admin") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        listed["panelalphaNotificationTemplates"],
        json!([{"id": "admin_task_failed"}])
    );
    let query = "{ panelalphaEmailSettings { raw } }";
    let admin_view = gw.data(query, json!({})).await;
    assert_eq!(
        admin_view["panelalphaEmailSettings"]["raw"]["password"],
        "smtp-secret"
    );
    let reader = token(&[Scope::Read]);
    let (_, body) = gw.gql_as(Some(&reader), query, json!({})).await;
    let raw = &body["data"]["panelalphaEmailSettings"]["raw"];
    assert_eq!(raw["host"], "smtp.example.com", "{body}");
    assert!(
        !body.to_string().contains("smtp-secret"),
        "the password never reaches a non-admin: {body}"
    );
}
