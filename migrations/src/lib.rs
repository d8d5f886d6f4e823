//! hostplane's database migrations, run by `hostplane migrate` and at start-up. Each migration is a
//! module named `mYYYYMMDD_HHMMSS_name` with `up` and `down`; the schema is written with sea-query so
//! it holds on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_foundation;
mod m20261125_000002_webhooks;
mod m20261125_000003_links;
mod m20261202_000004_bound_keys;
mod m20261207_000005_customers;
mod m20261207_000006_retention;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_foundation::Migration),
            Box::new(m20261125_000002_webhooks::Migration),
            Box::new(m20261125_000003_links::Migration),
            Box::new(m20261202_000004_bound_keys::Migration),
            Box::new(m20261207_000005_customers::Migration),
            Box::new(m20261207_000006_retention::Migration),
        ]
    }
}
