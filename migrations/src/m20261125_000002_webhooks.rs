//! Webhook subscriptions: where the gateway registered itself to receive an upstream's events, with
//! the signing secret the upstream issued (sealed like connection credentials).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookSubscriptions {
    Table,
    Connection,
    UpstreamId,
    Url,
    Secret,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookSubscriptions::Table)
                .col(string(WebhookSubscriptions::Connection).primary_key())
                .col(string(WebhookSubscriptions::UpstreamId))
                .col(string(WebhookSubscriptions::Url))
                .col(text(WebhookSubscriptions::Secret))
                .col(timestamp_with_time_zone(WebhookSubscriptions::CreatedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookSubscriptions::Table).to_owned())
            .await
    }
}
