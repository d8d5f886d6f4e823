//! hostplane's resolvers: the Query, Mutation and Subscription roots (one module per provider, merged),
//! the endpoint declarations they are generated from, the connections they call through, and the task
//! engine that turns upstream jobs into progress streams. `build_schema` assembles the schema.

// A provider's merged roots nest one level per section (`sections!`); computing their layout goes
// deeper than the compiler's default limit of 128 (the binary's library raises it too).
#![recursion_limit = "256"]

pub mod admin;
pub mod apikeys;
pub mod audit;
pub mod call;
pub mod connections;
pub mod core;
pub mod crypto;
pub mod downloads;
pub mod endpoint;
pub mod hosterapi;
pub mod keywatch;
pub mod limits;
pub mod links;
pub mod objects;
pub mod orchestrix;
pub mod order;
pub mod pages;
pub mod panelalpha;
pub mod patchstack;
pub mod reads;
pub mod retention;
pub mod routes;
pub mod store;
pub mod tasks;
pub mod unified;
pub mod webhooks;
pub mod wpcs;

use async_graphql::{MergedObject, Schema, ValidationMode};
use connections::Connections;
use endpoint::Endpoint;
use limits::DocumentLimits;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tasks::TaskEngine;

/// What every resolver reaches through the context.
pub struct Services {
    pub db: DatabaseConnection,
    pub connections: Arc<Connections>,
    pub tasks: Arc<TaskEngine>,
    pub signer: downloads::UrlSigner,
    /// Site events pushed by upstreams, for `siteEvents`.
    pub site_events: tokio::sync::broadcast::Sender<webhooks::SiteEvent>,
    /// How long one connection may take to answer its part of a unified query.
    pub fanout_deadline: std::time::Duration,
    /// The API keys of open streams, which end when their key is revoked or changed.
    pub keys: keywatch::KeyWatch,
}

/// The gateway's own origin as the client reached it (`https://gw.example`), for the URLs it hands
/// out; request data, set by the HTTP layer.
#[derive(Debug, Clone)]
pub struct Origin(pub String);

/// The providers whose endpoints the gateway serves, one line each: a provider's module exports its
/// query and mutation roots, its endpoints (`table()`, whether declared in one `endpoints!` or in
/// sections with `sections!`) and, where it runs long work, the kinds of work a task follows.
macro_rules! providers {
    ($($provider:ident = $variant:ident($query:ident, $mutation:ident $(, $watch:ident)?)),+ $(,)?) => {
        #[derive(MergedObject, Default)]
        pub struct ProviderQuery($($provider::$query),+);

        #[derive(MergedObject, Default)]
        pub struct ProviderMutation($($provider::$mutation),+);

        /// Every declared endpoint of every provider: the route table.
        pub fn endpoints() -> impl Iterator<Item = &'static Endpoint> {
            std::iter::empty()$(.chain($provider::table()))+
        }

        /// The roles a provider's endpoints play for the unified objects (`objects::Roles`).
        pub fn roles(provider: hostplane_adapters::Provider) -> &'static objects::Roles {
            match provider {
                $(hostplane_adapters::Provider::$variant => &$provider::ROLES,)+
            }
        }

        /// The upstream work a task follows, as the provider that runs it declares it. Each
        /// provider's kinds are tagged by `kind`, with names of their own, so the stored form
        /// says which it is.
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(untagged)]
        pub enum Watch {
            $($( $watch($provider::$watch), )?)+
        }

        $($(
            impl From<$provider::$watch> for Watch {
                fn from(watch: $provider::$watch) -> Watch {
                    Watch::$watch(watch)
                }
            }
        )?)+

        impl std::ops::Deref for Watch {
            type Target = dyn tasks::watch::Follow + Send + Sync;
            fn deref(&self) -> &Self::Target {
                match self {
                    $($( Watch::$watch(watch) => watch, )?)+
                }
            }
        }
    };
}

providers!(
    hosterapi = Hosterapi(HosterapiQuery, HosterapiMutation, HosterapiWatch),
    patchstack = Patchstack(PatchstackQuery, PatchstackMutation),
    orchestrix = Orchestrix(OrchestrixQuery, OrchestrixMutation, OrchestrixWatch),
    wpcs = Wpcs(WpcsQuery, WpcsMutation, WpcsWatch),
    panelalpha = Panelalpha(PanelalphaQuery, PanelalphaMutation, PanelalphaWatch),
);

#[derive(MergedObject, Default)]
pub struct Query(
    core::CoreQuery,
    unified::query::UnifiedQuery,
    admin::ConnectionQuery,
    ProviderQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    core::CoreMutation,
    unified::actions::UnifiedMutation,
    admin::ConnectionMutation,
    ProviderMutation,
);

pub type AppSchema = Schema<Query, Mutation, core::Subscription>;

/// Limits that protect the gateway from expensive documents (see the `[limits]` configuration).
#[derive(Debug, Clone)]
pub struct SchemaLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_tokens: usize,
    pub max_query_bytes: usize,
    pub introspection: bool,
    pub field_suggestions: bool,
}

impl Default for SchemaLimits {
    fn default() -> Self {
        SchemaLimits {
            max_depth: 12,
            max_complexity: 2_000,
            max_aliases: 50,
            max_root_fields: 20,
            max_tokens: 10_000,
            max_query_bytes: 100_000,
            introspection: true,
            field_suggestions: true,
        }
    }
}

/// Assembles the schema. Without services it still builds (for `hostplane schema`), but resolvers
/// must not run.
pub fn build_schema(services: Option<Arc<Services>>, limits: &SchemaLimits) -> AppSchema {
    build(
        services,
        DocumentLimits::new(limits.clone()),
        limits,
        ValidationMode::Strict,
    )
}

/// The schema twice over, with the same types, resolvers, limits and kept documents: `full`
/// validates every request; `prevalidated` runs documents known to be valid without validating them
/// again. Those are the REST layer's own documents (one fixed text per endpoint, which the test
/// `rest::every_document_passes_validation` validates in full, with variables built from typed
/// values) and the documents `documents.prevalidated` names. Validating again cost a sixth of a REST
/// call's CPU (`cargo bench --bench gateway`).
pub struct Schemas {
    pub full: AppSchema,
    pub prevalidated: AppSchema,
    pub documents: DocumentLimits,
}

pub fn build_schemas(services: Arc<Services>, limits: &SchemaLimits) -> Schemas {
    let documents = DocumentLimits::new(limits.clone());
    Schemas {
        full: build(
            Some(services.clone()),
            documents.clone(),
            limits,
            ValidationMode::Strict,
        ),
        prevalidated: build(
            Some(services),
            documents.without_validity_notes(),
            limits,
            ValidationMode::Fast,
        ),
        documents,
    }
}

fn build(
    services: Option<Arc<Services>>,
    documents: DocumentLimits,
    limits: &SchemaLimits,
    validation: ValidationMode,
) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), core::Subscription)
        .validation_mode(validation)
        .limit_complexity(limits.max_complexity)
        // First, so that it sees the document however it was had (parsed, or kept parsed).
        .extension(order::FieldOrder)
        .extension(documents)
        .extension(reads::PerRequest);
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if !limits.field_suggestions {
        builder = builder.disable_suggestions();
    }
    if let Some(services) = services {
        builder = builder.data(services);
    }
    builder.finish()
}
