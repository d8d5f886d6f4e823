//! The provider-independent roots: `node`, tasks, connections, the viewer, API keys, and the task
//! subscription.

use crate::{
    Services, apikeys,
    objects::{Node, node},
};
use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject, Subscription,
};
use futures_util::{Stream, StreamExt, stream};
use hostplane_schema::{
    GatewayError, GlobalId, ProviderEnum,
    principal::{Binding, Scope, ScopeGuard, require},
    task::Task,
};
use std::{collections::BTreeSet, sync::Arc};
use tokio::sync::broadcast::error::RecvError;

fn services<'a>(ctx: &'a Context<'_>) -> &'a Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>()
}

/// An upstream account the gateway calls. Credentials are write-only and never appear here.
#[derive(SimpleObject)]
pub struct ProviderConnection {
    pub name: String,
    pub provider: ProviderEnum,
    pub base_url: String,
    /// Where it came from: `config`, `demo` or `api`.
    pub source: String,
}

/// Who the gateway takes the caller to be.
#[derive(SimpleObject)]
pub struct Viewer {
    pub subject: String,
    pub scopes: Vec<String>,
    /// Connections the caller is limited to; null for all.
    pub connections: Option<Vec<String>>,
}

/// A task's ID may be its global ID or the gateway's own UUID.
async fn find_task(ctx: &Context<'_>, id: &str) -> Result<Option<Task>, GatewayError> {
    let principal = require(ctx, Scope::Read)?;
    let local = GlobalId::decode(id)
        .filter(|g| g.kind == "Task")
        .map(|g| g.local)
        .unwrap_or_else(|| id.to_string());
    let task = services(ctx).tasks.get(&local).await?;
    Ok(task.filter(|t| t.visible_to(principal)))
}

#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// Any object by its global ID.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        Ok(node::resolve(ctx, &id).await?)
    }

    /// Several objects by global ID, in order; unknown IDs give null.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(GatewayError::Validation("at most 100 ids per call".into()).into());
        }
        let found =
            futures_util::future::join_all(ids.iter().map(|id| node::resolve(ctx, id))).await;
        Ok(found.into_iter().collect::<Result<Vec<_>, _>>()?)
    }

    /// A task by its global ID or UUID.
    async fn task(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Task>> {
        Ok(find_task(ctx, &id).await?)
    }

    /// The upstream accounts the caller may use.
    async fn connections(&self, ctx: &Context<'_>) -> Result<Vec<ProviderConnection>> {
        let principal = require(ctx, Scope::Read)?;
        Ok(services(ctx)
            .connections
            .list()
            .into_iter()
            .filter(|c| principal.may_use(&c.name))
            .map(|c| ProviderConnection::from(c.as_ref()))
            .collect())
    }

    /// The caller, as authenticated.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let p = hostplane_schema::principal::principal(ctx)?;
        Ok(Viewer {
            subject: p.subject.clone(),
            scopes: p.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            connections: p.connections.as_ref().map(|c| c.iter().cloned().collect()),
        })
    }
}

#[derive(InputObject)]
pub struct CreateApiKeyInput {
    #[graphql(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// `read`, `write`, `admin`.
    pub scopes: Vec<String>,
    /// Limit the key to these connections.
    pub connections: Option<Vec<String>>,
    /// Bind the key to one customer, a PanelAlpha user on one connection: it then acts as that
    /// user only, reaches that connection's customer endpoints and sees that user's objects. A
    /// bound key cannot carry the `admin` scope.
    pub panelalpha_user: Option<CustomerInput>,
}

/// One PanelAlpha user on one connection.
#[derive(InputObject)]
pub struct CustomerInput {
    pub connection: String,
    pub user: i32,
}

/// A key's new grant: what is given replaces what it had; what is left out stays.
#[derive(InputObject)]
pub struct UpdateApiKeyInput {
    pub id: String,
    /// `read`, `write`, `admin`.
    pub scopes: Option<Vec<String>>,
    /// Limit the key to these connections; `null` lifts the limit.
    pub connections: MaybeUndefined<Vec<String>>,
}

#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub id: String,
    /// The key itself: shown this once, stored only as a hash.
    pub key: String,
}

#[derive(Default)]
pub struct CoreMutation;

#[Object]
impl CoreMutation {
    /// Issues an API key for the REST compatibility layer.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> Result<CreateApiKeyPayload> {
        let scopes = scopes_of(&input.scopes)?;
        if let Some(c) = &input.panelalpha_user {
            let panel = services(ctx).connections.get(&c.connection);
            if panel.is_none_or(|p| p.provider != hostplane_adapters::Provider::Panelalpha) {
                return Err(GatewayError::Validation(format!(
                    "`panelalphaUser.connection`: `{}` is not a PanelAlpha connection",
                    c.connection
                ))
                .into());
            }
        }
        let (id, key) = apikeys::create(
            &services(ctx).db,
            &input.name,
            &scopes,
            input.connections.as_deref(),
            input.panelalpha_user.map(|c| Binding {
                connection: c.connection,
                user: c.user.to_string(),
            }),
        )
        .await?;
        Ok(CreateApiKeyPayload { id, key })
    }

    /// Changes a live key's scopes or connections; false if there is no live key of that ID. Its
    /// open streams end (WebSocket close 4403, an event stream's `UNAUTHENTICATED`): they were
    /// authorised under the grant it had.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn update_api_key(&self, ctx: &Context<'_>, input: UpdateApiKeyInput) -> Result<bool> {
        let scopes = input.scopes.as_deref().map(scopes_of).transpose()?;
        let connections = match &input.connections {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(c) => Some(Some(c.as_slice())),
        };
        let services = services(ctx);
        let updated =
            apikeys::update(&services.db, &input.id, scopes.as_ref(), connections).await?;
        services.keys.wake();
        Ok(updated)
    }

    /// Revokes an API key; false if it did not exist or was already revoked.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: String) -> Result<bool> {
        let services = services(ctx);
        let revoked = apikeys::revoke(&services.db, &id).await?;
        // Its open streams end now rather than at the next read of their keys.
        services.keys.wake();
        Ok(revoked)
    }
}

/// Scope names as a set, refusing an unknown one.
fn scopes_of(names: &[String]) -> Result<BTreeSet<Scope>, GatewayError> {
    names
        .iter()
        .map(|s| {
            Scope::parse(s).ok_or_else(|| GatewayError::Validation(format!("unknown scope `{s}`")))
        })
        .collect()
}

/// Narrows the `tasks` feed, in the lists' words (`providers`, `connections`, as `UnifiedFilter`).
#[derive(InputObject, Clone, Default)]
pub struct TaskFilter {
    /// Only these providers.
    pub providers: Option<Vec<ProviderEnum>>,
    /// Only these connections.
    pub connections: Option<Vec<String>>,
    /// Only changes into these statuses.
    pub statuses: Option<Vec<hostplane_schema::task::TaskStatus>>,
    /// Only tasks started by this operation (`hosterapiCreateServer`).
    pub operation: Option<String>,
    #[graphql(deprecation = "use `providers`, as the lists' filter does")]
    pub provider: Option<ProviderEnum>,
    #[graphql(deprecation = "use `connections`, as the lists' filter does")]
    pub connection: Option<String>,
}

impl TaskFilter {
    fn matches(&self, t: &Task) -> bool {
        self.providers
            .as_ref()
            .is_none_or(|p| p.contains(&t.provider))
            && self
                .connections
                .as_ref()
                .is_none_or(|c| c.contains(&t.connection))
            && self.provider.is_none_or(|p| p == t.provider)
            && self.connection.as_ref().is_none_or(|c| *c == t.connection)
            && self.statuses.as_ref().is_none_or(|s| s.contains(&t.status))
            && self.operation.as_ref().is_none_or(|o| *o == t.operation)
    }
}

#[derive(Default)]
pub struct Subscription;

#[Subscription]
impl Subscription {
    /// Site events upstreams push (webhook deliveries), optionally for one connection.
    async fn site_events(
        &self,
        ctx: &Context<'_>,
        connection: Option<String>,
    ) -> Result<impl Stream<Item = crate::webhooks::SiteEvent> + use<>> {
        let principal = require(ctx, Scope::Read)?.clone();
        if principal.customer().is_some() {
            return Err(GatewayError::Forbidden(
                "site events are the operator's: this credential stands for one customer".into(),
            )
            .into());
        }
        let rx = services(ctx).site_events.subscribe();
        Ok(stream::unfold(rx, move |mut rx| {
            let principal = principal.clone();
            let connection = connection.clone();
            async move {
                loop {
                    match rx.recv().await {
                        Ok(e)
                            if principal.may_use(&e.connection)
                                && connection.as_ref().is_none_or(|c| *c == e.connection) =>
                        {
                            return Some((e, rx));
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        }))
    }

    /// Every task change the caller may see, as it happens: a dashboard's feed. Each filter narrows
    /// it; none means all.
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<TaskFilter>,
    ) -> Result<impl Stream<Item = Task> + use<>> {
        let principal = require(ctx, Scope::Read)?.clone();
        let rx = services(ctx).tasks.subscribe();
        let filter = filter.unwrap_or_default();
        Ok(stream::unfold(rx, move |mut rx| {
            let principal = principal.clone();
            let filter = filter.clone();
            async move {
                loop {
                    match rx.recv().await {
                        Ok(t) if t.visible_to(&principal) && filter.matches(&t) => {
                            return Some((t, rx));
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => continue,
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        }))
    }

    /// A task's state now, then every change until it ends.
    async fn task_updated(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "The task's `id` (its global ID) or its `taskId` (the gateway's UUID): \
                          either names it."
        )]
        id: ID,
    ) -> Result<impl Stream<Item = Task> + use<>> {
        let engine = services(ctx).tasks.clone();
        // Subscribe before reading, so no change between the read and the subscription is lost.
        let rx = engine.subscribe();
        let current = find_task(ctx, &id)
            .await?
            .ok_or_else(|| GatewayError::NotFound(format!("task {}", id.as_str())))?;
        let task_id = current.task_id.clone();
        let state = (
            rx,
            engine,
            task_id,
            current.status.is_terminal(),
            current.updated_at,
        );
        let first = stream::once(async move { current });
        let rest = stream::unfold(state, |(mut rx, engine, task_id, done, seen)| async move {
            if done {
                return None;
            }
            loop {
                let task = match rx.recv().await {
                    // Older than what was already sent: a change from before the first read.
                    Ok(t) if t.task_id == task_id && t.updated_at >= seen => t,
                    Ok(_) => continue,
                    // Behind the channel: the stored state is the truth.
                    Err(RecvError::Lagged(_)) => match engine.get(&task_id).await {
                        Ok(Some(t)) => t,
                        _ => return None,
                    },
                    Err(RecvError::Closed) => return None,
                };
                let (done, seen) = (task.status.is_terminal(), task.updated_at);
                return Some((task, (rx, engine, task_id, done, seen)));
            }
        });
        Ok(first.chain(rest))
    }
}
