//! The foundation's tables: connections (credentials encrypted), API keys (hashed), tasks and their
//! events, and the audit log of mutations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Connections {
    Table,
    Name,
    Provider,
    BaseUrl,
    Credentials,
    Source,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    Name,
    KeyHash,
    Scopes,
    Connections,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    Operation,
    Provider,
    Connection,
    Status,
    Progress,
    Message,
    Output,
    SubjectId,
    UpstreamRef,
    Watch,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum TaskEvents {
    Table,
    Id,
    TaskId,
    Status,
    Progress,
    Message,
    At,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    Principal,
    Operation,
    Connection,
    Target,
    Outcome,
    ErrorCode,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Connections::Table)
                .col(string(Connections::Name).primary_key())
                .col(string(Connections::Provider))
                .col(string(Connections::BaseUrl))
                .col(text(Connections::Credentials))
                .col(string(Connections::Source))
                .col(timestamp_with_time_zone(Connections::CreatedAt))
                .col(timestamp_with_time_zone(Connections::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(string(ApiKeys::Id).primary_key())
                .col(string(ApiKeys::Name))
                .col(string_uniq(ApiKeys::KeyHash))
                .col(string(ApiKeys::Scopes))
                .col(text_null(ApiKeys::Connections))
                .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Tasks::Table)
                .col(string(Tasks::Id).primary_key())
                .col(string(Tasks::Operation))
                .col(string(Tasks::Provider))
                .col(string(Tasks::Connection))
                .col(string(Tasks::Status))
                .col(double_null(Tasks::Progress))
                .col(text_null(Tasks::Message))
                .col(text_null(Tasks::Output))
                .col(string_null(Tasks::SubjectId))
                .col(string_null(Tasks::UpstreamRef))
                .col(text(Tasks::Watch))
                .col(timestamp_with_time_zone(Tasks::CreatedAt))
                .col(timestamp_with_time_zone(Tasks::UpdatedAt))
                .col(timestamp_with_time_zone_null(Tasks::FinishedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_tasks_status")
                .table(Tasks::Table)
                .col(Tasks::Status)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TaskEvents::Table)
                .col(big_integer(TaskEvents::Id).primary_key().auto_increment())
                .col(string(TaskEvents::TaskId))
                .col(string(TaskEvents::Status))
                .col(double_null(TaskEvents::Progress))
                .col(text_null(TaskEvents::Message))
                .col(timestamp_with_time_zone(TaskEvents::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(TaskEvents::Table, TaskEvents::TaskId)
                        .to(Tasks::Table, Tasks::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_task_events_task")
                .table(TaskEvents::Table)
                .col(TaskEvents::TaskId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_integer(AuditLog::Id).primary_key().auto_increment())
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(string(AuditLog::Principal))
                .col(string(AuditLog::Operation))
                .col(string_null(AuditLog::Connection))
                .col(string_null(AuditLog::Target))
                .col(string(AuditLog::Outcome))
                .col(string_null(AuditLog::ErrorCode))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            TaskEvents::Table.into_iden(),
            Tasks::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            Connections::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
