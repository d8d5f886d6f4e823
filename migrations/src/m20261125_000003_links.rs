//! Links: where the gateway has seen a site or a server, by normalised domain, for upstreams it cannot
//! ask (Patchstack lists no sites and searches none by domain; HosterAPI knows a server's hostname
//! only as a caller gives it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Links {
    Table,
    Kind,
    Connection,
    LocalId,
    Provider,
    Domain,
    Url,
    OwnerId,
    SeenAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Links::Table)
                .col(string(Links::Kind))
                .col(string(Links::Connection))
                .col(string(Links::LocalId))
                .col(string(Links::Provider))
                .col(string(Links::Domain))
                .col(string_null(Links::Url))
                .col(string_null(Links::OwnerId))
                .col(timestamp_with_time_zone(Links::SeenAt))
                .primary_key(
                    Index::create()
                        .col(Links::Kind)
                        .col(Links::Connection)
                        .col(Links::LocalId),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("links_by_domain")
                .table(Links::Table)
                .col(Links::Domain)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Links::Table).to_owned())
            .await
    }
}
