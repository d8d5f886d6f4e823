//! Customers: a bound API key names its PanelAlpha connection as well as the user (user 7 of one
//! panel is not user 7 of another), and a task records the customer it acts for, so a customer's
//! credential sees its own tasks only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    BoundConnection,
}

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Customer,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .add_column(string_null(ApiKeys::BoundConnection))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tasks::Table)
                .add_column(string_null(Tasks::Customer))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tasks::Table)
                .drop_column(Tasks::Customer)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ApiKeys::Table)
                .drop_column(ApiKeys::BoundConnection)
                .to_owned(),
        )
        .await
    }
}
