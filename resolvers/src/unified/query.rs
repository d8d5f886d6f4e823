//! The unified queries: `sites`, `servers`, `users`, `tenants`, `services`, `instances` across every
//! connection, and `tasks` from the gateway's own store, each a Relay connection with filters.

use super::{
    Entry, Listed, Unified, UnifiedFields, UnifiedFilter, Window, connections_for, directory,
    fan_out, gather, merge, services, sources,
};
use crate::objects::{Instance, Server, Service, Site, Tenant, User};
use async_graphql::{Context, Object, Result};
use hostplane_schema::{
    principal::{Scope, require},
    task::Task,
};
use serde_json::Value;

fn lower(s: Option<&str>) -> String {
    s.unwrap_or_default().to_lowercase()
}

/// Numeric IDs sort as numbers.
fn padded(id: &str) -> String {
    if id.bytes().all(|b| b.is_ascii_digit()) {
        format!("{id:0>20}")
    } else {
        id.to_string()
    }
}

fn raw_text(raw: &Value, key: &str) -> Option<String> {
    raw.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Whose, where, or how labelled the instances of `instances` are (upstream IDs, a label's
/// title); every field set must match.
#[derive(async_graphql::InputObject, Default, Debug)]
pub struct InstanceScope {
    pub user_id: Option<String>,
    pub server_id: Option<String>,
    pub label: Option<String>,
}

impl Entry for Site {
    fn order_key(&self) -> Vec<String> {
        let domain = self.domains().into_iter().next().unwrap_or_default();
        vec![domain, self.connection.clone(), padded(&self.site_id)]
    }
    fn haystack(&self) -> Vec<String> {
        let mut h = self.domains();
        h.extend(self.url.clone());
        h.push(self.site_id.clone());
        h.extend(raw_text(&self.raw, "name"));
        h
    }
    fn status(&self) -> Option<String> {
        raw_text(&self.raw, "status").or_else(|| raw_text(&self.raw, "statusName"))
    }
}

impl Entry for Server {
    fn order_key(&self) -> Vec<String> {
        let gid = self.global_id();
        vec![self.connection.clone(), padded(&self.server_id), gid.local]
    }
    fn haystack(&self) -> Vec<String> {
        vec![self.server_id.clone(), self.global_id().local]
    }
    fn status(&self) -> Option<String> {
        self.known_state.clone()
    }
}

impl Entry for User {
    fn order_key(&self) -> Vec<String> {
        let who = lower(self.email.as_deref().or(self.name.as_deref()));
        vec![who, self.connection.clone(), padded(&self.user_id)]
    }
    fn haystack(&self) -> Vec<String> {
        let mut h = vec![self.user_id.clone()];
        h.extend(self.name.clone());
        h.extend(self.email.clone());
        h
    }
    fn status(&self) -> Option<String> {
        raw_text(&self.raw, "role").or_else(|| {
            let user = self.raw.get("user").unwrap_or(&self.raw);
            raw_text(user, "class")
        })
    }
}

impl Entry for Tenant {
    fn order_key(&self) -> Vec<String> {
        let site = self.as_site();
        let domain = site.domains().into_iter().next().unwrap_or_default();
        vec![domain, self.connection.clone(), self.tenant_id.clone()]
    }
    fn haystack(&self) -> Vec<String> {
        let mut h = self.as_site().domains();
        h.push(self.tenant_id.clone());
        h.extend(self.detail.name.clone());
        h.extend(self.detail.external_id.clone());
        h
    }
    fn status(&self) -> Option<String> {
        self.detail.status_name.clone()
    }
}

impl Entry for Service {
    fn order_key(&self) -> Vec<String> {
        vec![
            lower(self.name.as_deref()),
            self.connection.clone(),
            self.service_id.clone(),
        ]
    }
    fn haystack(&self) -> Vec<String> {
        let mut h = vec![self.service_id.clone()];
        h.extend(self.name.clone());
        h
    }
    fn status(&self) -> Option<String> {
        self.status.clone()
    }
}

impl Entry for Instance {
    fn order_key(&self) -> Vec<String> {
        vec![
            lower(self.url.as_deref()),
            self.connection.clone(),
            self.instance_id.clone(),
        ]
    }
    fn haystack(&self) -> Vec<String> {
        let mut h = vec![self.instance_id.clone()];
        h.extend(self.name.clone());
        h.extend(self.url.clone());
        h
    }
    fn status(&self) -> Option<String> {
        self.status.clone()
    }
}

/// Newest first.
impl Entry for Task {
    fn order_key(&self) -> Vec<String> {
        let age = i64::MAX - self.created_at.timestamp_micros();
        vec![format!("{age:020}"), self.task_id.clone()]
    }
    fn haystack(&self) -> Vec<String> {
        let mut h = vec![self.task_id.clone(), self.operation.clone()];
        h.extend(self.upstream_ref.clone());
        h.extend(self.subject_id.as_ref().map(|id| id.to_string()));
        h
    }
    fn status(&self) -> Option<String> {
        Some(self.status.as_str().to_string())
    }
}

/// Tasks the unified list reads from the store per request.
const MAX_TASKS: u64 = 2_000;

#[derive(Default)]
pub struct UnifiedQuery;

#[Object]
impl UnifiedQuery {
    /// WordPress sites at every connection (Orchestrix sites, WPCS tenants, and the Patchstack
    /// sites the gateway has seen), ordered by domain so one site's views at several upstreams sit
    /// together. A connection that fails or misses the deadline is one error; the rest still answer.
    async fn sites(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<Site>> {
        let filter = filter.unwrap_or_default();
        let connections = connections_for(ctx, sources::SITES, &filter)?;
        let outcomes = fan_out(ctx, connections, |live| async move {
            directory::sites_at(ctx, live)
                .await
                .map(|listed| Listed::clone(&listed))
        })
        .await;
        // Reported here, so the sites' linked views do not report the same failures again.
        if let Some(dir) = ctx.data_opt::<directory::SiteDirectory>() {
            for failed in outcomes.iter().filter(|o| o.result.is_err()) {
                dir.first_report(&failed.live.name);
            }
        }
        Ok(merge(ctx, outcomes, &filter, &Window { first, after })?)
    }

    /// Servers at every connection (HosterAPI VMs and dedicated servers). A `status` filter reads
    /// each server's live state (once per server per request).
    async fn servers(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<Server>> {
        let with_state = filter.as_ref().is_some_and(|f| f.status.is_some());
        Ok(gather(
            ctx,
            sources::SERVERS,
            filter,
            first,
            after,
            |live| async move {
                let mut listed = sources::servers(ctx, &live).await?;
                if with_state {
                    // A hosting server's list already says its status; VMs need a read each.
                    let unknown = listed.items.iter_mut().filter(|s| s.known_state.is_none());
                    let unknown: Vec<&mut Server> = unknown.collect();
                    let states = unknown.iter().map(|s| s.fetch_status(ctx));
                    let states = futures_util::future::join_all(states).await;
                    for (server, state) in unknown.into_iter().zip(states) {
                        server.known_state = Server::state_of(&state?);
                    }
                }
                Ok(listed)
            },
        )
        .await?)
    }

    /// Users at every connection (Orchestrix account members, and the owners of the Patchstack
    /// sites the gateway has seen). `status` matches a role or plan.
    async fn users(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<User>> {
        Ok(gather(
            ctx,
            sources::USERS,
            filter,
            first,
            after,
            |live| async move { sources::users(ctx, &live).await },
        )
        .await?)
    }

    /// WPCS tenants at every connection.
    async fn tenants(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<Tenant>> {
        Ok(gather(
            ctx,
            sources::TENANTS,
            filter,
            first,
            after,
            |live| async move { sources::tenants(ctx, &live).await },
        )
        .await?)
    }

    /// What customers bought, at every connection (WPCS subscriptions).
    async fn services(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<Service>> {
        Ok(gather(
            ctx,
            sources::SERVICES,
            filter,
            first,
            after,
            |live| async move { sources::services_of(ctx, &live).await },
        )
        .await?)
    }

    /// WordPress instances of hosting panels (PanelAlpha's); each is also a `site` by its domain.
    /// `scope` narrows them to one user's, one server's, or those with a label.
    async fn instances(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        scope: Option<InstanceScope>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<Instance>> {
        let InstanceScope {
            user_id,
            server_id,
            label,
        } = scope.unwrap_or_default();
        let (user_id, server_id, label) = (&user_id, &server_id, &label);
        Ok(gather(
            ctx,
            sources::INSTANCES,
            filter,
            first,
            after,
            |live| async move {
                let listed = sources::instances(ctx, &live).await?;
                let kept = listed.items.into_iter().filter(|i| {
                    let is =
                        |want: &Option<String>, got: &Option<String>| want.is_none() || want == got;
                    is(user_id, &i.user_id)
                        && is(server_id, &i.server_id)
                        && label.as_ref().is_none_or(|l| i.labels.contains(l))
                });
                Ok(Listed::all(kept.collect()))
            },
        )
        .await?)
    }

    /// The tasks the caller may see, newest first (the most recent 2,000).
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        filter: Option<UnifiedFilter>,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> Result<Unified<Task>> {
        let principal = require(ctx, Scope::Read)?;
        let filter = filter.unwrap_or_default();
        let recent = services(ctx).tasks.recent(MAX_TASKS).await?;
        let complete = (recent.len() as u64) < MAX_TASKS;
        let items: Vec<Task> = recent
            .into_iter()
            .filter(|t| {
                t.visible_to(principal)
                    && filter
                        .providers
                        .as_ref()
                        .is_none_or(|p| p.contains(&t.provider))
                    && filter
                        .connections
                        .as_ref()
                        .is_none_or(|c| c.contains(&t.connection))
                    && filter.matches(t)
            })
            .collect();
        let fields = UnifiedFields {
            total_count: complete.then_some(items.len() as u64),
            sources: Vec::new(),
        };
        Ok(Window { first, after }.page(items, fields)?)
    }
}
