//! Patchstack's 11 documented endpoints, each declared once. Users and sites are the unified `User`
//! and `Site`; a site's security report and its plugin API secret (admins only) hang off `Site`. The
//! plugin zip is reached through a short-lived signed gateway URL, which the REST layer streams.

use crate::{
    Services,
    call::UpstreamCall,
    downloads::{DownloadLink, link},
    endpoints,
    links::{self, LinkKind},
    objects::{ActionPayload, Site, User, redacted_raw},
};
use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDateTime, Utc};
use hostplane_adapters::Provider;
use hostplane_schema::{GatewayError, GlobalId, patchstack::*};
use serde_json::Value;
use std::sync::Arc;

endpoints! {
    provider: Provider::Patchstack;
    audience: Operator;
    query_root: PatchstackQuery;
    mutation_root: PatchstackMutation;
    queries {
        /// Find a user by email address
        patchstack_user_by_email = Post "/hosting/user/search" (; input: PatchstackSearchUserInput) -> User => user_object;
        /// Get a user with its sites
        patchstack_user = Get "/hosting/user/{userid}/view" (userid: i32) -> User => user_view;
        /// Get a site with attacks, software and API keys
        patchstack_site = Get "/hosting/site/{siteid}/view" (siteid: i32) -> Site => site_view;
        /// Download the site's plugin .zip: a signed gateway URL valid for five minutes (admins only:
        /// the zip embeds the site's API secret)
        patchstack_site_download = Get "/hosting/site/{siteid}/download" (siteid: i32) -> DownloadLink => link;
    }
    mutations {
        /// Add a new user
        patchstack_add_user = Post "/hosting/user/add" (; input: PatchstackAddUserInput) -> PatchstackAddUserPayload => add_user;
        /// Modify an existing user
        patchstack_edit_user = Post "/hosting/user/{userid}/edit" (userid: i32; input: PatchstackEditUserInput) -> ActionPayload => action;
        /// Delete an existing user (and its sites)
        patchstack_delete_user = Post "/hosting/user/{userid}/delete" (userid: i32) -> ActionPayload => user_deleted;
        /// Return a one-time portal login URL (valid 24 h)
        patchstack_create_user_sso_url = Post "/hosting/user/{userid}/sso" (userid: i32) -> PatchstackSsoPayload => sso;
        /// Add a site to a user
        patchstack_add_site = Post "/hosting/site/add" (; input: PatchstackAddSiteInput) -> PatchstackAddSitePayload => add_site;
        /// Modify a site's URL
        patchstack_edit_site = Post "/hosting/site/{siteid}/edit" (siteid: i32; input: PatchstackEditSiteInput) -> ActionPayload => site_edited;
        /// Delete a site
        patchstack_delete_site = Post "/hosting/site/{siteid}/delete" (siteid: i32) -> ActionPayload => site_deleted;
    }
}

/// A new Patchstack user.
#[derive(SimpleObject, Debug, Clone)]
pub struct PatchstackAddUserPayload {
    pub user: User,
    pub raw: Json<Value>,
}

/// A one-time portal login URL.
#[derive(SimpleObject, Debug, Clone)]
pub struct PatchstackSsoPayload {
    pub url: Option<String>,
    /// When the URL stops working (the upstream gives UTC `Y-m-d H:i:s`).
    pub expires_at: Option<DateTime<Utc>>,
    pub raw: Json<Value>,
}

/// A new site and the credentials its plugin authenticates with (the secret for admins only).
#[derive(Debug, Clone)]
pub struct PatchstackAddSitePayload {
    pub site: Site,
    pub api: Option<PatchstackApiCredentials>,
    pub raw: Value,
}

#[Object]
impl PatchstackAddSitePayload {
    async fn site(&self) -> &Site {
        &self.site
    }

    async fn api(&self) -> Option<&PatchstackApiCredentials> {
        self.api.as_ref()
    }

    /// The upstream's answer; the secret in it is shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted_raw(ctx, Provider::Patchstack, &self.raw)
    }
}

hostplane_schema::raw_reply!(
    PatchstackAddUserPayload,
    PatchstackSsoPayload,
    PatchstackAddSitePayload
);

fn id_of(raw: &Value, key: &str) -> Option<String> {
    raw.get(key)
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
}

async fn user_object(_: &Context<'_>, call: &UpstreamCall) -> Result<User, GatewayError> {
    let raw = call.send().await?;
    if id_of(&raw, "id").is_none() {
        return Err(call.malformed("user without id"));
    }
    Ok(User::from_object(
        Provider::Patchstack,
        &call.connection.name,
        raw,
    ))
}

fn db<'a>(ctx: &'a Context<'_>) -> &'a sea_orm::DatabaseConnection {
    &ctx.data_unchecked::<Arc<Services>>().db
}

async fn user_view(ctx: &Context<'_>, call: &UpstreamCall) -> Result<User, GatewayError> {
    let raw = call.send().await?;
    if raw.get("user").and_then(|u| u.get("id")).is_none() {
        return Err(call.malformed("user view without user"));
    }
    links::learn_patchstack(db(ctx), &call.connection.name, &raw).await;
    Ok(User::from_view(
        Provider::Patchstack,
        &call.connection.name,
        raw,
    ))
}

async fn site_view(ctx: &Context<'_>, call: &UpstreamCall) -> Result<Site, GatewayError> {
    let raw = call.send().await?;
    let id = id_of(&raw, "id").ok_or_else(|| call.malformed("site view without id"))?;
    links::learn_patchstack(db(ctx), &call.connection.name, &raw).await;
    let url = raw.get("url").and_then(Value::as_str).map(str::to_string);
    Ok(Site::new(
        Provider::Patchstack,
        &call.connection.name,
        id,
        url,
        raw,
    ))
}

async fn add_user(
    _: &Context<'_>,
    call: &UpstreamCall,
) -> Result<PatchstackAddUserPayload, GatewayError> {
    let raw = call.send().await?;
    let id = id_of(&raw, "id").ok_or_else(|| call.malformed("add user answer without id"))?;
    let mut user = User::new(Provider::Patchstack, &call.connection.name, id, Value::Null);
    let sent = |k: &str| call.body.as_ref()?.get(k)?.as_str().map(str::to_string);
    user.name = sent("name");
    user.email = sent("email");
    user.sites = Some(Vec::new());
    Ok(PatchstackAddUserPayload {
        user,
        raw: Json(raw),
    })
}

/// `{"success": "..."}` answers of edits and deletes.
async fn action(_: &Context<'_>, call: &UpstreamCall) -> Result<ActionPayload, GatewayError> {
    let raw = call.send().await?;
    let subject = match (call.params.get("userid"), call.params.get("siteid")) {
        (Some(id), _) => Some(GlobalId::new("User", &call.connection.name, id)),
        (_, Some(id)) => Some(GlobalId::new("Site", &call.connection.name, id)),
        _ => None,
    };
    Ok(ActionPayload {
        ok: raw.get("success").is_some(),
        message: raw
            .get("success")
            .and_then(Value::as_str)
            .map(str::to_string),
        subject_id: subject.map(ID::from),
        raw: Json(raw),
    })
}

/// A site's new URL moves its link.
async fn site_edited(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ActionPayload, GatewayError> {
    let payload = action(ctx, call).await?;
    let url = call
        .body
        .as_ref()
        .and_then(|b| b.get("url"))
        .and_then(Value::as_str);
    if let (true, Some(id), Some(url)) = (payload.ok, call.params.get("siteid"), url) {
        let (conn, kind) = (&call.connection.name, LinkKind::Site);
        links::record(db(ctx), kind, Provider::Patchstack, conn, id, url, None).await;
    }
    Ok(payload)
}

pub(crate) async fn site_deleted(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ActionPayload, GatewayError> {
    let payload = action(ctx, call).await?;
    if let (true, Some(id)) = (payload.ok, call.params.get("siteid")) {
        links::forget(db(ctx), LinkKind::Site, &call.connection.name, id).await;
    }
    Ok(payload)
}

/// Deleting a user deletes its sites upstream.
async fn user_deleted(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<ActionPayload, GatewayError> {
    let payload = action(ctx, call).await?;
    if let (true, Some(id)) = (payload.ok, call.params.get("userid")) {
        links::forget_owner(db(ctx), &call.connection.name, id).await;
    }
    Ok(payload)
}

async fn sso(_: &Context<'_>, call: &UpstreamCall) -> Result<PatchstackSsoPayload, GatewayError> {
    let raw = call.send().await?;
    let expires_at = raw
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok())
        .map(|t| t.and_utc());
    Ok(PatchstackSsoPayload {
        url: raw.get("url").and_then(Value::as_str).map(str::to_string),
        expires_at,
        raw: Json(raw),
    })
}

async fn add_site(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<PatchstackAddSitePayload, GatewayError> {
    let raw = call.send().await?;
    let id =
        id_of(&raw, "siteid").ok_or_else(|| call.malformed("add site answer without siteid"))?;
    let url = call
        .body
        .as_ref()
        .and_then(|b| b.get("url"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(url) = &url {
        let owner = call.body.as_ref().and_then(|b| id_of(b, "userid"));
        let (conn, kind) = (&call.connection.name, LinkKind::Site);
        links::record(
            db(ctx),
            kind,
            Provider::Patchstack,
            conn,
            &id,
            url,
            owner.as_deref(),
        )
        .await;
    }
    let api = match raw.get("api") {
        Some(api) => Some(serde_json::from_value(api.clone()).map_err(|e| call.malformed(e))?),
        None => None,
    };
    Ok(PatchstackAddSitePayload {
        site: Site::new(
            Provider::Patchstack,
            &call.connection.name,
            id,
            url,
            Value::Null,
        ),
        api,
        raw,
    })
}

/// What Patchstack's endpoints are to the unified objects: its sites and users by global ID, a
/// site's security report and owner, a user's sites.
pub static ROLES: crate::objects::Roles = crate::objects::Roles {
    node: Some(|ctx, conn, gid| Box::pin(node(ctx, conn, gid))),
    site_report: Some(crate::objects::Read {
        endpoint: &ENDPOINTS.patchstack_site,
        param: "siteid",
    }),
    user: Some(crate::objects::Read {
        endpoint: &ENDPOINTS.patchstack_user,
        param: "userid",
    }),
    ..crate::objects::Roles::NONE
};

/// A Patchstack site or user by its global ID, read by its view.
async fn node(
    ctx: &Context<'_>,
    conn: &crate::connections::Live,
    gid: &GlobalId,
) -> Result<Option<crate::objects::Node>, GatewayError> {
    use crate::objects::{
        Node,
        node::{read_node, site_of_view},
    };
    match (gid.kind.as_str(), &ROLES.site_report, &ROLES.user) {
        ("Site", Some(read), _) => read_node(ctx, conn, gid, read, site_of_view).await,
        ("User", _, Some(read)) => {
            read_node(ctx, conn, gid, read, |conn, _, view| {
                Node::User(User::from_view(conn.provider, &conn.name, view))
            })
            .await
        }
        _ => Ok(None),
    }
}
