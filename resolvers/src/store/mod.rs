//! The gateway's own state in SQL (SQLite embedded, PostgreSQL when configured): sea-orm entities for
//! the tables `hostplane-migrations` creates, and the connect-and-migrate entry point.

pub mod entities;

use hostplane_migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Connects to `url` (`sqlite://file.db?mode=rwc`, `postgres://...`) and applies pending migrations.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // SQLite allows one writer at a time; a small pool avoids lock contention errors.
        opts.max_connections(4);
    }
    let db = Database::connect(opts).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}
