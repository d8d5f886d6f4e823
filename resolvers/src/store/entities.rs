//! sea-orm entities, one module per table.

pub mod connection {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "connections")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub name: String,
        pub provider: String,
        pub base_url: String,
        /// Encrypted JSON of the provider's credentials (see `crypto`).
        pub credentials: String,
        /// `config`, `api` or `demo`.
        pub source: String,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod api_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub name: String,
        /// SHA-256 of the key, hex; the key itself is shown once and never stored.
        pub key_hash: String,
        /// Space-separated scopes.
        pub scopes: String,
        /// JSON array of connection names, or null for all.
        pub connections: Option<String>,
        /// The customer the key stands for: a PanelAlpha user's ID...
        pub bound_user: Option<String>,
        /// ... on this PanelAlpha connection (both or neither).
        pub bound_connection: Option<String>,
        pub created_at: ChronoDateTimeUtc,
        pub last_used_at: Option<ChronoDateTimeUtc>,
        pub revoked_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "tasks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub operation: String,
        pub provider: String,
        pub connection: String,
        pub status: String,
        pub progress: Option<f64>,
        pub message: Option<String>,
        /// JSON text.
        pub output: Option<String>,
        pub subject_id: Option<String>,
        pub upstream_ref: Option<String>,
        /// The customer the task acts for (`connection/user`), whom a customer's credential must
        /// be to see it; null for an operator's own work.
        pub customer: Option<String>,
        /// JSON of the `Watch` that says how to follow the work upstream.
        pub watch: String,
        pub created_at: ChronoDateTimeUtc,
        pub updated_at: ChronoDateTimeUtc,
        pub finished_at: Option<ChronoDateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod task_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "task_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub task_id: String,
        pub status: String,
        pub progress: Option<f64>,
        pub message: Option<String>,
        pub at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: ChronoDateTimeUtc,
        pub principal: String,
        /// The GraphQL field of the mutation.
        pub operation: String,
        pub connection: Option<String>,
        /// The upstream path the mutation acted on.
        pub target: Option<String>,
        /// `ok` or `error`.
        pub outcome: String,
        pub error_code: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod webhook_subscription {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_subscriptions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub connection: String,
        /// The upstream's ID of the webhook endpoint.
        pub upstream_id: String,
        /// Where the upstream delivers.
        pub url: String,
        /// The upstream's signing secret, sealed (see `crypto`).
        pub secret: String,
        pub created_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod link {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "links")]
    pub struct Model {
        /// `site` or `server`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub connection: String,
        /// The upstream's ID (for servers, `vm:<sid>` or `dedicated:<sid>`, as in global IDs).
        #[sea_orm(primary_key, auto_increment = false)]
        pub local_id: String,
        pub provider: String,
        /// Normalised: lowercased, without scheme, `www.`, port or path.
        pub domain: String,
        pub url: Option<String>,
        /// The upstream's ID of the owning user, where known.
        pub owner_id: Option<String>,
        pub seen_at: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod maintenance_lease {
    use sea_orm::entity::prelude::*;

    /// Which process runs a background job (`retention`) until when: one replica at a time.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "maintenance_leases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub job: String,
        pub holder: String,
        pub until: ChronoDateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
