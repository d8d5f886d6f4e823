//! Patchstack's plugin zip, reached through a signed gateway link, for admins only.

use super::*;

/// The plugin zip streams through the REST path and through a signed, header-free, five-minute
/// URL; tampered tokens and unknown sites are refused.
#[tokio::test]
async fn plugin_download() {
    let gw = spawn().await;
    let admin = admin();
    let (status, content_type, zip) = gw
        .patchstack_rest(Some(&admin), "GET", "/hosting/site/315/download", None)
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&zip));
    assert_eq!(content_type, "application/zip");
    let (direct_status, direct_type, direct_zip) = gw
        .patchstack_direct("GET", "/hosting/site/315/download", None)
        .await;
    assert_eq!(
        (direct_status, direct_type.as_str()),
        (200, "application/zip")
    );
    assert_eq!(zip, direct_zip);
    assert!(zip.starts_with(b"PK\x03\x04"));
    assert!(
        zip.windows(SITE_315_SECRET.len())
            .any(|w| w == SITE_315_SECRET.as_bytes()),
        "the zip carries the site's secret"
    );

    let before = chrono::Utc::now();
    let data = gw
        .data(
            "{ patchstackSiteDownload(siteid: 315) { url expiresAt } }",
            json!({}),
        )
        .await;
    let download = &data["patchstackSiteDownload"];
    let url = download["url"].as_str().unwrap().to_string();
    let prefix = format!("http://127.0.0.1:{}/downloads/", gw.addr.port());
    assert!(url.starts_with(&prefix), "{url}");
    let token = &url[prefix.len()..];
    assert!(!token.is_empty() && !token.contains('/'), "{url}");
    let expires_at = chrono::DateTime::parse_from_rfc3339(download["expiresAt"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc);
    let ttl = expires_at - before;
    assert!(
        (ttl - chrono::Duration::minutes(5)).num_seconds().abs() <= 5,
        "{ttl}"
    );
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/315/download"),
        2,
        "issuing the URL calls nothing upstream"
    );

    // Followed without any credential, the URL streams the same zip.
    let resp = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("content-type"), "application/zip");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"patchstack-315.zip\""
    );
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), zip);

    // One changed character in the signature: refused, as JSON.
    let (payload, sig) = token.split_once('.').expect("payload.signature");
    let first = sig.chars().next().unwrap();
    let swapped = if first == 'A' { 'B' } else { 'A' };
    let tampered = format!("{payload}.{swapped}{}", &sig[first.len_utf8()..]);
    let resp = reqwest::get(gw.url(&format!("/downloads/{tampered}")))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, error("download link invalid or expired"));
    // Nor is a token for another path made from a valid one's signature.
    let other = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let mut grant: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        grant["p"] = json!("/hosting/site/400/download");
        URL_SAFE_NO_PAD.encode(grant.to_string())
    };
    let resp = reqwest::get(gw.url(&format!("/downloads/{other}.{sig}")))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/315/download"),
        3,
        "refused tokens call nothing upstream"
    );
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/400/download"),
        0
    );

    // An unknown site: the upstream's own 404 body.
    let through = rest(&gw, Some(&admin), "GET", "/hosting/site/999/download", None).await;
    assert_eq!(through, (404, error("Site not found.")));
    assert_eq!(
        through,
        direct(&gw, "GET", "/hosting/site/999/download", None).await
    );
}

/// The plugin zip embeds the site's API secret, so downloading it takes the admin scope, like the
/// secret itself, on both surfaces.
#[tokio::test]
async fn plugin_download_needs_admin() {
    let gw = spawn().await;
    let reader = crate::helpers::token(&[
        hostplane_schema::principal::Scope::Read,
        hostplane_schema::principal::Scope::Write,
    ]);
    let (_, body) = gw
        .gql_as(
            Some(&reader),
            "{ patchstackSiteDownload(siteid: 315) { url } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    let (status, _, bytes) = gw
        .patchstack_rest(Some(&reader), "GET", "/hosting/site/315/download", None)
        .await;
    assert_eq!(status, 403);
    assert!(!bytes.starts_with(b"PK"), "no zip for a non-admin");
    assert_eq!(
        gw.patchstack_upstream
            .log
            .count("GET", "/hosting/site/315/download"),
        0
    );
}
