//! Retention: what old rows are found by (finished tasks by `finished_at`, audit rows by `at`, links
//! by `seen_at`), and `maintenance_leases`, which lets one replica at a time run a background job
//! such as pruning.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    FinishedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    At,
}

#[derive(DeriveIden)]
enum Links {
    Table,
    SeenAt,
}

#[derive(DeriveIden)]
enum MaintenanceLeases {
    Table,
    Job,
    Holder,
    Until,
}

const INDEXES: [(&str, &str); 3] = [
    ("idx_tasks_finished_at", "tasks"),
    ("idx_audit_log_at", "audit_log"),
    ("idx_links_seen_at", "links"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let [tasks, audit, links] = INDEXES;
        m.create_index(
            Index::create()
                .name(tasks.0)
                .table(Tasks::Table)
                .col(Tasks::FinishedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(audit.0)
                .table(AuditLog::Table)
                .col(AuditLog::At)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name(links.0)
                .table(Links::Table)
                .col(Links::SeenAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MaintenanceLeases::Table)
                .col(string(MaintenanceLeases::Job).primary_key())
                .col(string(MaintenanceLeases::Holder))
                .col(timestamp_with_time_zone(MaintenanceLeases::Until))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MaintenanceLeases::Table).to_owned())
            .await?;
        for (name, table) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
