//! PanelAlpha, parts 1 to 3, declared by section: the whole admin API (customers and their work:
//! users and their services, plans, instances, hosting accounts, the task queue, admins and admin
//! groups; the platform: settings, hosting, DNS and email servers, backups, notifications, themes,
//! packages, SSL orders, its writes for admins only), and the user API's own account
//! (`/api/user`) and instances (`/api/instances`, `/api/labels`: `my_*` sections). Users, services, instances and hosting servers are the unified `User`,
//! `Service`, `Instance` and `Server`; queued work is a Task followed through PanelAlpha's own task
//! status. User endpoints act as a panel user (`X-PanelAlpha-User`): the one a bound caller is
//! bound to, or the one an unbound caller names.
//!
//! What is assumed, the docs showing one success body and the 401 only (the simulator models the
//! same, `simulators/src/panelalpha/model.rs`):
//! - answers are `{"data": ...}` (the client takes a body without `data` whole); the gateway's own
//!   refusals on REST use Laravel's shape (`adapters/src/panelalpha/wire.rs`);
//! - objects carry the fields their create and update requests send, plus `id` and `status`
//!   (`schema/src/panelalpha.rs`); nothing else is typed, all of it is in `raw`;
//! - work the upstream queues answers its object with a `task_id`, whose
//!   `/api/admin/tasks/{id}/status` says `pending`, `processing` (with `progress` 0 to 100),
//!   `completed`, `failed` (with `message`) or `canceled`;
//! - list filters the docs give as body parameters travel upstream as a GET body, as the docs send
//!   them;
//! - fields the docs list after a list's own line are its objects' fields (a zone template's
//!   `records`, a server's `server_groups`, a `*  object` body that is itself a list), and
//!   `connection_config` is any object, sealed for non-admins (`adapters/src/panelalpha/wire.rs`).

mod accounts;
mod admins;
mod backups;
mod dns;
mod email_servers;
mod instances;
mod me;
mod my_backups;
mod my_databases;
mod my_dns;
mod my_extensions;
mod my_hosting;
mod my_instances;
mod my_site;
mod my_wordpress;
mod notifications;
mod packages;
mod plans;
mod server_groups;
mod servers;
mod services;
mod ssl;
mod system;
mod tasks;
mod themes;
mod users;
mod watch;

pub use watch::PanelalphaWatch;

use crate::{
    call::{UpstreamCall, done, parse, raw},
    connections::Live,
    downloads::{DownloadLink, link},
    endpoint::Endpoint,
    objects::{Instance, Node, Server, ServerKind, Service, TaskPayload, User},
};
use async_graphql::Context;
use hostplane_adapters::{Provider, panelalpha::client::USER_HEADER};
use hostplane_schema::{
    GatewayError, GlobalId,
    generic::{ActionResult, RawAnswer},
    panelalpha::*,
    principal::{Scope, require},
    scalars::JsonObject,
    task::Progress,
};
use serde_json::Value;

crate::enum_param!(PanelalphaPeriod, PanelalphaReport);

crate::sections!(PanelalphaQuery, PanelalphaMutation:
    users(PanelalphaUsersQuery, PanelalphaUsersMutation),
    services(PanelalphaServicesQuery, PanelalphaServicesMutation),
    plans(PanelalphaPlansQuery, PanelalphaPlansMutation),
    instances(PanelalphaInstancesQuery, PanelalphaInstancesMutation),
    accounts(PanelalphaAccountsQuery, PanelalphaAccountsMutation),
    tasks(PanelalphaTasksQuery, PanelalphaTasksMutation),
    admins(PanelalphaAdminsQuery, PanelalphaAdminsMutation),
    me(PanelalphaMeQuery, PanelalphaMeMutation),
    system(PanelalphaSystemQuery, PanelalphaSystemMutation),
    server_groups(PanelalphaServerGroupsQuery, PanelalphaServerGroupsMutation),
    themes(PanelalphaThemesQuery, PanelalphaThemesMutation),
    notifications(PanelalphaNotificationsQuery, PanelalphaNotificationsMutation),
    servers(PanelalphaServersQuery, PanelalphaServersMutation),
    ssl(PanelalphaSslQuery, PanelalphaSslMutation),
    dns(PanelalphaDnsQuery, PanelalphaDnsMutation),
    email_servers(PanelalphaEmailServersQuery, PanelalphaEmailServersMutation),
    backups(PanelalphaBackupsQuery, PanelalphaBackupsMutation),
    packages(PanelalphaPackagesQuery, PanelalphaPackagesMutation),
    my_instances(PanelalphaMyInstancesQuery, PanelalphaMyInstancesMutation),
    my_wordpress(PanelalphaMyWordpressQuery, PanelalphaMyWordpressMutation),
    my_extensions(PanelalphaMyExtensionsQuery, PanelalphaMyExtensionsMutation),
    my_backups(PanelalphaMyBackupsQuery, PanelalphaMyBackupsMutation),
    my_site(PanelalphaMySiteQuery, PanelalphaMySiteMutation),
    my_hosting(PanelalphaMyHostingQuery, PanelalphaMyHostingMutation),
    my_databases(PanelalphaMyDatabasesQuery, PanelalphaMyDatabasesMutation),
    my_dns(PanelalphaMyDnsQuery, PanelalphaMyDnsMutation),
);

/// The handles unified actions and lists use.
pub use {instances::ENDPOINTS as INSTANCES, servers::ENDPOINTS as SERVERS};
pub use {my_backups::ENDPOINTS as BACKUPS, task as backup_task};
pub use {services::ENDPOINTS as SERVICES, tasks::ENDPOINTS as TASKS, users::ENDPOINTS as USERS};

/// The objects of a list answer, each made into `T` (`None`: the object has no ID).
fn each<T>(
    call: &UpstreamCall,
    raw: Value,
    make: impl Fn(&str, Value) -> Option<T>,
) -> Result<Vec<T>, GatewayError> {
    let Value::Array(items) = raw else {
        return Err(call.malformed("a list is not a list"));
    };
    let conn = &call.connection.name;
    items
        .into_iter()
        .map(|item| make(conn, item).ok_or_else(|| call.malformed("an object without id")))
        .collect()
}

/// A PanelAlpha instance, as the unified `Instance` (and through it its `Site`).
pub fn instance_of(connection: &str, raw: Value) -> Option<Instance> {
    let id = crate::unified::sources::id_text(raw.get("id")?)?;
    Some(Instance::new(Provider::Panelalpha, connection, &id, raw))
}

/// A hosting server the panel deploys to, as the unified `Server`, its list's `status` its state
/// and its `server_groups` (each `{id, name, ...}`, or a bare ID) its groups.
pub fn server_of(connection: &str, raw: Value) -> Option<Server> {
    use crate::{objects::ServerGroup, unified::sources::id_text};
    let id = id_text(raw.get("id")?)?;
    let status = Server::state_of(&raw);
    let groups = raw.get("server_groups").and_then(Value::as_array);
    let groups = groups.into_iter().flatten().filter_map(|group| {
        Some(ServerGroup {
            group_id: id_text(group.get("id").unwrap_or(group))?,
            name: group
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    });
    let groups = groups.collect();
    let kind = ServerKind::HostingPanel;
    let mut server = Server::new(Provider::Panelalpha, connection, kind, id, raw);
    server.known_state = status;
    server.groups = groups;
    Some(server)
}

/// The instances on a hosting server: the instance list filtered by its `server_id`.
async fn server_instances(
    ctx: &Context<'_>,
    server: &Server,
) -> Result<Vec<Instance>, GatewayError> {
    let list = &INSTANCES.panelalpha_instances;
    let mut call = UpstreamCall::begin(ctx, list, Some(&server.connection))?;
    let id = server.server_id.parse::<i64>().map(Value::from);
    call.body = Some(serde_json::json!({ "server_id": id.unwrap_or(Value::Null) }));
    instances(ctx, &call).await
}

async fn servers(_: &Context<'_>, call: &UpstreamCall) -> Result<Vec<Server>, GatewayError> {
    each(call, call.send().await?, server_of)
}

async fn server(_: &Context<'_>, call: &UpstreamCall) -> Result<Server, GatewayError> {
    let raw = call.send().await?;
    server_of(&call.connection.name, raw).ok_or_else(|| call.malformed("a server without id"))
}

fn user_of(connection: &str, raw: Value) -> Option<User> {
    raw.get("id")?;
    Some(User::from_panelalpha(connection, raw))
}

async fn users(_: &Context<'_>, call: &UpstreamCall) -> Result<Vec<User>, GatewayError> {
    each(call, call.send().await?, user_of)
}

async fn user(_: &Context<'_>, call: &UpstreamCall) -> Result<User, GatewayError> {
    let conn = &call.connection.name;
    user_of(conn, call.send().await?).ok_or_else(|| call.malformed("a user without id"))
}

async fn services(_: &Context<'_>, call: &UpstreamCall) -> Result<Vec<Service>, GatewayError> {
    each(call, call.send().await?, Service::from_panelalpha)
}

async fn service(_: &Context<'_>, call: &UpstreamCall) -> Result<Service, GatewayError> {
    let raw = call.send().await?;
    Service::from_panelalpha(&call.connection.name, raw)
        .ok_or_else(|| call.malformed("a service without id"))
}

async fn instances(_: &Context<'_>, call: &UpstreamCall) -> Result<Vec<Instance>, GatewayError> {
    each(call, call.send().await?, instance_of)
}

async fn instance(_: &Context<'_>, call: &UpstreamCall) -> Result<Instance, GatewayError> {
    let raw = call.send().await?;
    instance_of(&call.connection.name, raw).ok_or_else(|| call.malformed("an instance without id"))
}

/// What only admins may do or read, asked for nothing upstream otherwise: sign-in tokens and
/// links, answers that may carry a secret (an API token), and every write to the platform's
/// configuration (settings, servers, groups, themes).
async fn admin_parse<T: hostplane_schema::reply::FromRaw>(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<T, GatewayError> {
    require(ctx, Scope::Admin)?;
    parse(ctx, call).await
}

async fn admin_done(ctx: &Context<'_>, call: &UpstreamCall) -> Result<ActionResult, GatewayError> {
    require(ctx, Scope::Admin)?;
    done(ctx, call).await
}

async fn admin_raw(ctx: &Context<'_>, call: &UpstreamCall) -> Result<RawAnswer, GatewayError> {
    require(ctx, Scope::Admin)?;
    raw(ctx, call).await
}

/// A PanelAlpha object by its global ID (`node`): a user, a service, an instance, an instance as
/// a site, or a hosting server; `None` for what the panel does not have.
pub async fn node(
    ctx: &Context<'_>,
    conn: &Live,
    gid: &GlobalId,
) -> Result<Option<Node>, GatewayError> {
    type Make = fn(&str, Value) -> Option<Node>;
    let (read, make): (&Endpoint, Make) = match gid.kind.as_str() {
        "User" => (&USERS.panelalpha_user, |c, v| user_of(c, v).map(Node::User)),
        "Service" => (&SERVICES.panelalpha_service, |c, v| {
            Service::from_panelalpha(c, v).map(Node::Service)
        }),
        "Instance" => (&INSTANCES.panelalpha_instance, |c, v| {
            instance_of(c, v).map(Node::Instance)
        }),
        "Site" => (&INSTANCES.panelalpha_instance, |c, v| {
            instance_of(c, v).map(|i| Node::Site(i.as_site()))
        }),
        "Server" => (&SERVERS.panelalpha_server, |c, v| {
            server_of(c, v).map(Node::Server)
        }),
        _ => return Ok(None),
    };
    // A server's local ID names its kind first (`panel:1`).
    let id = gid.local.strip_prefix("panel:").unwrap_or(&gid.local);
    let path = read.path_for(&[("id", id)])?;
    let found = crate::objects::node::read_found(ctx, conn, &path).await?;
    let found = match (found, require(ctx, Scope::Read)?.customer()) {
        (Some(raw), Some(customer))
            if !owns(ctx, conn, &customer.user, &gid.kind, &raw).await? =>
        {
            None
        }
        (found, _) => found,
    };
    Ok(found.and_then(|v| make(&conn.name, v)))
}

/// Whether `user` may see the object `raw` of `kind`: itself, its own services, and the instances
/// it owns or that are shared with it (its `all-instances`). Nothing else, hosting servers included.
async fn owns(
    ctx: &Context<'_>,
    conn: &Live,
    user: &str,
    kind: &str,
    raw: &Value,
) -> Result<bool, GatewayError> {
    let id_of = |key: &str| raw.get(key).and_then(crate::unified::sources::id_text);
    match kind {
        "User" => Ok(id_of("id").as_deref() == Some(user)),
        "Service" => Ok(id_of("user_id").as_deref() == Some(user)),
        "Instance" | "Site" if id_of("user_id").as_deref() == Some(user) => Ok(true),
        "Instance" | "Site" => {
            let list = &USERS.panelalpha_user_all_instances;
            let shared = crate::unified::sources::own(ctx, conn, list, "id", user).await?;
            let id = id_of("id");
            Ok(shared.as_array().is_some_and(|all| {
                all.iter()
                    .any(|i| i.get("id").and_then(crate::unified::sources::id_text) == id)
            }))
        }
        _ => Ok(false),
    }
}

/// Work PanelAlpha queues: its answer names the task (`task_id`), which the gateway's Task follows;
/// the object it answers with is the Task's subject where `subject` names its type.
async fn queued(
    ctx: &Context<'_>,
    call: &UpstreamCall,
    subject: Option<&str>,
) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let task_id = raw
        .get("task_id")
        .and_then(|t| t.as_u64().or_else(|| t.as_str()?.parse().ok()))
        .ok_or_else(|| call.malformed("queued work without task_id"))?;
    let id = raw.get("id").and_then(crate::unified::sources::id_text);
    let subject = subject.zip(id).map(|(k, id)| (k.to_string(), id));
    let watch = PanelalphaWatch::PanelalphaTask { task_id, subject };
    call.start_task(ctx, raw, watch, Progress::queued()).await
}

/// An instance's WordPress, read as its owner (the instance names it): the installation's
/// version, both modes, and the installed plugins and themes, at once.
async fn wordpress(
    ctx: &Context<'_>,
    instance: &Instance,
) -> Result<crate::objects::WordpressView, GatewayError> {
    use crate::objects::{WordpressExtension, WordpressView};
    let id: i32 = instance.instance_id.parse().map_err(|_| {
        GatewayError::Validation(format!("`{}` is not an instance ID", instance.instance_id))
    })?;
    // A customer acts as itself (the panel refuses what is not its own or shared with it).
    let customer = require(ctx, Scope::Read)?.customer().is_some();
    let owner = instance.user_id.clone().filter(|_| !customer);
    let read = |endpoint: &'static Endpoint| {
        let owner = &owner;
        async move {
            let mut call = UpstreamCall::begin(ctx, endpoint, Some(&instance.connection))?;
            call.path_param("id", &id)?;
            call.header_param(ctx, USER_HEADER, owner)?;
            call.send().await
        }
    };
    let (details, maintenance, debug, plugins, themes) = futures_util::try_join!(
        read(&my_instances::ENDPOINTS.panelalpha_my_instance_installation_details),
        read(&my_wordpress::ENDPOINTS.panelalpha_my_wordpress_maintenance_mode),
        read(&my_wordpress::ENDPOINTS.panelalpha_my_wordpress_debug_mode),
        read(&my_extensions::ENDPOINTS.panelalpha_my_plugins),
        read(&my_extensions::ENDPOINTS.panelalpha_my_themes),
    )?;
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let extensions = |list: Value| -> Vec<WordpressExtension> {
        let all = list.as_array().cloned().unwrap_or_default();
        all.iter()
            .filter_map(|e| {
                Some(WordpressExtension {
                    name: text(e, "name")?,
                    version: text(e, "version"),
                    active: e.get("status").and_then(Value::as_str) == Some("active"),
                    update: text(e, "update"),
                })
            })
            .collect()
    };
    Ok(WordpressView {
        version: text(&details, "version"),
        maintenance_mode: maintenance.get("status").and_then(Value::as_bool),
        debug_mode: debug.get("status").and_then(Value::as_bool),
        plugins: extensions(plugins),
        themes: extensions(themes),
    })
}

/// Makes `call` (a user endpoint on `instance`, known by its ID only) act as the instance's owner:
/// a customer acts as itself (the panel refuses an instance that is not its own or shared with
/// it), an operator as the user the instance belongs to, read from the panel.
pub async fn act_as_owner(
    ctx: &Context<'_>,
    call: &mut UpstreamCall,
    instance: i32,
) -> Result<(), GatewayError> {
    let owner = match require(ctx, Scope::Read)?.customer() {
        Some(_) => None,
        None => {
            let read = INSTANCES
                .panelalpha_instance
                .path_for(&[("id", &instance.to_string())])?;
            let conn = &call.connection;
            let found = crate::objects::node::read_found(ctx, conn, &read).await?;
            let found =
                found.ok_or_else(|| GatewayError::NotFound(format!("instance {instance}")))?;
            found
                .get("user_id")
                .and_then(crate::unified::sources::id_text)
        }
    };
    call.header_param(ctx, USER_HEADER, &owner)
}

/// A hosting account's reinstall, a backup's creation.
pub async fn task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    queued(ctx, call, None).await
}

/// A service's creation or plan change.
async fn service_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    queued(ctx, call, Some("Service")).await
}

/// A failed instance's new install.
async fn instance_task(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    queued(ctx, call, Some("Instance")).await
}

/// Platform work, for admins only: a zone's or an email domain's import, a package's forced
/// install, an SSL order's processing.
async fn admin_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    require(ctx, Scope::Admin)?;
    queued(ctx, call, None).await
}

/// A hosting account found on a server, imported as a service (admins only).
async fn import_service(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    require(ctx, Scope::Admin)?;
    queued(ctx, call, Some("Service")).await
}

/// A WordPress installation found on a server, imported as an instance (admins only).
async fn import_instance(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    require(ctx, Scope::Admin)?;
    queued(ctx, call, Some("Instance")).await
}

/// What PanelAlpha's endpoints are to the unified objects: its users, services, instances (and
/// each as a site) and hosting servers by global ID, a customer's own only; a hosting server's
/// state, accounts and instances; and the hosting server an instance's site is on.
pub static ROLES: crate::objects::Roles = crate::objects::Roles {
    node: Some(|ctx, conn, gid| Box::pin(node(ctx, conn, gid))),
    server_state: &[(
        crate::objects::ServerKind::HostingPanel,
        crate::objects::Read {
            endpoint: &SERVERS.panelalpha_server,
            param: "id",
        },
    )],
    server_accounts: Some(crate::objects::Read {
        endpoint: &SERVERS.panelalpha_server_remote_accounts,
        param: "id",
    }),
    server_instances: Some(|ctx, server| Box::pin(server_instances(ctx, server))),
    site_server: Some(("server_id", ServerKind::HostingPanel)),
    instance_wordpress: Some(|ctx, instance| Box::pin(wordpress(ctx, instance))),
    ..crate::objects::Roles::NONE
};
