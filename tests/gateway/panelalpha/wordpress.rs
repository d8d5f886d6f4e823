//! PanelAlpha's user API for instances (part 3), as a bound customer: installing WordPress and
//! its plugins are Tasks followed to their end, its settings read back what was written, labels
//! filter the customer's instances (and scope the unified `instances`), and what another customer
//! reaches of it is what a share's role allows (sign-in links, changes, deletion, sharing), nothing
//! of what is not shared.

use super::bound_token;
use crate::helpers::{Options, TestGateway, spawn_with};
use serde_json::{Value, json};
use std::time::Duration;

/// A call as a customer that must fail: its error code.
async fn refused(gw: &TestGateway, token: &str, query: &str) -> Value {
    let (_, body) = gw.gql_as(Some(token), query, json!({})).await;
    body["errors"][0]["extensions"]["code"].clone()
}

#[tokio::test]
async fn a_customer_installs_and_runs_its_wordpress() {
    let gw = spawn_with(Options {
        job_duration: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let (ada, grace) = (bound_token("1"), bound_token("2"));

    // The install is a Task to its end; the instance is then Ada's, active, in her lists.
    let started = gw
        .data_as(
            &ada,
            r#"mutation { panelalphaInstallMyInstance(input: {serviceId: 1, name: "Notes",
            domain: "notes.example.org"}) { task { id } raw } }"#,
            json!({}),
        )
        .await;
    let payload = &started["panelalphaInstallMyInstance"];
    let id = payload["raw"]["id"]
        .as_u64()
        .expect("the new instance's id");
    let task = gw.wait_task(payload["task"]["id"].as_str().unwrap()).await;
    assert_eq!(task["status"], "SUCCEEDED", "{task}");
    let mine = gw
        .data_as(
            &ada,
            "{ panelalphaMyInstances { instanceId status } }",
            json!({}),
        )
        .await;
    assert!(
        mine["panelalphaMyInstances"]
            .as_array()
            .unwrap()
            .contains(&json!({"instanceId": id.to_string(), "status": "active"})),
        "{mine}"
    );

    // A plugin's install is a Task; settings read back; a WordPress user's password never does.
    let install = format!(
        r#"mutation {{ panelalphaInstallMyPlugin(id: {id}, pluginName: "wordfence") {{ task {{ id }} }} }}"#
    );
    let started = gw.data_as(&ada, &install, json!({})).await;
    let task = started["panelalphaInstallMyPlugin"]["task"]["id"].clone();
    assert_eq!(
        gw.wait_task(task.as_str().unwrap()).await["status"],
        "SUCCEEDED"
    );
    let plugins = gw
        .data_as(
            &ada,
            &format!("{{ panelalphaMyPlugins(id: {id}) {{ name status }} }}"),
            json!({}),
        )
        .await;
    assert!(
        plugins["panelalphaMyPlugins"]
            .as_array()
            .unwrap()
            .contains(&json!({"name": "wordfence", "status": "inactive"})),
        "{plugins}"
    );
    assert_eq!(
        refused(&gw, &ada, &install).await,
        "VALIDATION",
        "installed twice"
    );
    let maintenance = format!(
        r#"mutation {{ panelalphaSetMyWordpressMaintenanceMode(id: {id},
            input: {{status: true}}) {{ raw }} }}"#
    );
    gw.data_as(&ada, &maintenance, json!({})).await;
    let mode = gw
        .data_as(
            &ada,
            &format!("{{ panelalphaMyWordpressMaintenanceMode(id: {id}) {{ raw }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        mode["panelalphaMyWordpressMaintenanceMode"]["raw"],
        json!({"status": true})
    );
    let user = gw
        .data_as(
            &ada,
            &format!(
                r#"mutation {{ panelalphaCreateMyWordpressUser(id: {id}, input: {{username: "ed",
            email: "ed@example.org", displayName: "Ed", password: "s3cret-pass-9", role: "editor"}})
            {{ username role raw }} }}"#
            ),
            json!({}),
        )
        .await;
    assert_eq!(user["panelalphaCreateMyWordpressUser"]["role"], "editor");
    assert!(!user.to_string().contains("s3cret-pass-9"), "{user}");

    // Labels: a colour outside `#rrggbb` is refused in Laravel's words; a label filters the list.
    let (_, body) = gw
        .gql_as(
            Some(&ada),
            r##"mutation { panelalphaCreateMyLabel(input: {title: "Live", color: "#(0559cb"}) { title } }"##,
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["message"], "The color field format is invalid.",
        "{body}"
    );
    let assign = format!(
        r#"mutation {{ panelalphaAssignMyInstanceLabel(id: {id}, input: {{title: "Clients"}})
            {{ instanceId }} }}"#
    );
    gw.data_as(&ada, &assign, json!({})).await;
    let labelled = gw
        .data_as(
            &ada,
            r#"{ panelalphaMyInstances(input: {labels: "Clients"}) { instanceId } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        labelled["panelalphaMyInstances"],
        json!([{"instanceId": id.to_string()}])
    );
    let scoped = gw
        .data_as(
            &ada,
            r#"{ instances(scope: {userId: "1", serverId: "1", label: "Clients"})
            { nodes { instanceId labels } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        scoped["instances"]["nodes"],
        json!([{"instanceId": id.to_string(), "labels": ["Clients"]}])
    );

    // Sign-in links: Ada's own, a new one each time; Grace's share of Ada's blog is view-only, so
    // she sees the blog but gets no link to it; Ada's new instance is not shared, so Grace does not
    // reach it at all.
    let sso = |instance: u64| {
        format!(
            r#"mutation {{ panelalphaCreateMyInstanceSsoUrl(id: {instance}, input: {{user: 1}}) {{ url }} }}"#
        )
    };
    let first = gw.data_as(&ada, &sso(id), json!({})).await;
    let second = gw.data_as(&ada, &sso(id), json!({})).await;
    let url = first["panelalphaCreateMyInstanceSsoUrl"]["url"]
        .as_str()
        .unwrap();
    assert!(
        url.starts_with("https://notes.example.org/wp-login.php?sso="),
        "{first}"
    );
    assert_ne!(first, second, "never cached");
    let blog = gw
        .data_as(
            &grace,
            "{ panelalphaMyInstance(id: 1) { instanceId } }",
            json!({}),
        )
        .await;
    assert_eq!(blog["panelalphaMyInstance"]["instanceId"], "1");
    assert_eq!(refused(&gw, &grace, &sso(1)).await, "FORBIDDEN");
    let theirs = format!("{{ panelalphaMyInstance(id: {id}) {{ instanceId }} }}");
    assert_eq!(refused(&gw, &grace, &theirs).await, "NOT_FOUND");
    let plugins = format!("{{ panelalphaMyPlugins(id: {id}) {{ name }} }}");
    assert_eq!(refused(&gw, &grace, &plugins).await, "NOT_FOUND");

    // Shared with Grace as a developer, she works on its plugins but neither deletes the
    // instance nor manages who else it is shared with.
    let shared = gw.data_as(&ada,
        &format!(
            r#"mutation {{ panelalphaShareMyInstance(id: {id}, input: {{emails: ["grace@example.com"],
            role: "developer"}}) {{ email role status }} }}"#
        ), json!({}))
    .await;
    assert_eq!(
        shared["panelalphaShareMyInstance"],
        json!([{"email": "grace@example.com", "role": "developer", "status": "accepted"}])
    );
    let activate = format!(
        r#"mutation {{ panelalphaActivateMyPlugin(id: {id}, pluginName: "wordfence")
            {{ status }} }}"#
    );
    gw.data_as(&grace, &activate, json!({})).await;
    let delete = format!("mutation {{ panelalphaDeleteMyInstance(id: {id}) {{ ok }} }}");
    assert_eq!(refused(&gw, &grace, &delete).await, "FORBIDDEN");
    let grants = format!("{{ panelalphaMySharedAccess(id: {id}) {{ email }} }}");
    assert_eq!(refused(&gw, &grace, &grants).await, "FORBIDDEN");

    // Grace's shop failed to install: it is in the failed list, and her retry is a Task to the
    // end, after which it is active.
    let failed = gw
        .data_as(
            &grace,
            "{ panelalphaMyInstance(id: 2) { status } }",
            json!({}),
        )
        .await;
    assert_eq!(failed["panelalphaMyInstance"]["status"], "failed");
    let retried = gw
        .data_as(
            &grace,
            r#"mutation { panelalphaRetryMyInstanceInstall(id: 2, input: {name: "Grace's shop"})
            { task { id } } }"#,
            json!({}),
        )
        .await;
    let task = retried["panelalphaRetryMyInstanceInstall"]["task"]["id"].clone();
    assert_eq!(
        gw.wait_task(task.as_str().unwrap()).await["status"],
        "SUCCEEDED"
    );
    let shop = gw
        .data_as(
            &grace,
            "{ panelalphaMyInstance(id: 2) { status } }",
            json!({}),
        )
        .await;
    assert_eq!(shop["panelalphaMyInstance"]["status"], "active");
}
