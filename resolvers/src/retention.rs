//! Retention: the gateway's own rows that would otherwise grow for as long as it runs are pruned in
//! the background, in small batches: finished tasks with their events, audit rows, and links not
//! seen for long. A task still running is never pruned (it has no `finished_at`). With several
//! replicas on one database, a lease row lets one of them prune at a time.

use crate::store::entities::{audit, link, maintenance_lease, task, task_event};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::OnConflict,
};
use std::time::Duration;

/// Rows deleted per statement: small enough that a prune never holds SQLite's writer for long.
const BATCH: u64 = 500;

/// The lease's job name.
const JOB: &str = "retention";

/// How long rows are kept; `None` keeps them for ever.
#[derive(Debug, Clone)]
pub struct Retention {
    /// Finished tasks (and their events), after they finished.
    pub tasks: Option<Duration>,
    pub audit: Option<Duration>,
    /// Links, after they were last seen.
    pub links: Option<Duration>,
    /// How often to prune.
    pub every: Duration,
}

/// What one prune deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub tasks: u64,
    pub task_events: u64,
    pub audit: u64,
    pub links: u64,
}

/// Deletes what `retention` no longer keeps at `now`.
pub async fn prune(
    db: &DatabaseConnection,
    retention: &Retention,
    now: DateTime<Utc>,
) -> Result<Pruned, DbErr> {
    let mut pruned = Pruned::default();
    if let Some(cutoff) = cutoff(now, retention.tasks) {
        loop {
            let ids: Vec<String> = task::Entity::find()
                .select_only()
                .column(task::Column::Id)
                .filter(task::Column::FinishedAt.lt(cutoff))
                .order_by_asc(task::Column::FinishedAt)
                .limit(BATCH)
                .into_tuple()
                .all(db)
                .await?;
            if ids.is_empty() {
                break;
            }
            // Events first: SQLite enforces the foreign key only where it is switched on.
            pruned.task_events += task_event::Entity::delete_many()
                .filter(task_event::Column::TaskId.is_in(ids.iter().cloned()))
                .exec(db)
                .await?
                .rows_affected;
            pruned.tasks += task::Entity::delete_many()
                .filter(task::Column::Id.is_in(ids.iter().cloned()))
                .exec(db)
                .await?
                .rows_affected;
            if (ids.len() as u64) < BATCH {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    if let Some(cutoff) = cutoff(now, retention.audit) {
        loop {
            let ids: Vec<i64> = audit::Entity::find()
                .select_only()
                .column(audit::Column::Id)
                .filter(audit::Column::At.lt(cutoff))
                .order_by_asc(audit::Column::Id)
                .limit(BATCH)
                .into_tuple()
                .all(db)
                .await?;
            if ids.is_empty() {
                break;
            }
            pruned.audit += audit::Entity::delete_many()
                .filter(audit::Column::Id.is_in(ids.iter().copied()))
                .exec(db)
                .await?
                .rows_affected;
            if (ids.len() as u64) < BATCH {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    if let Some(cutoff) = cutoff(now, retention.links) {
        loop {
            let keys: Vec<(String, String, String)> = link::Entity::find()
                .select_only()
                .columns([
                    link::Column::Kind,
                    link::Column::Connection,
                    link::Column::LocalId,
                ])
                .filter(link::Column::SeenAt.lt(cutoff))
                .limit(BATCH)
                .into_tuple()
                .all(db)
                .await?;
            if keys.is_empty() {
                break;
            }
            let mut these = Condition::any();
            for (kind, connection, local_id) in &keys {
                these = these.add(
                    Condition::all()
                        .add(link::Column::Kind.eq(kind.as_str()))
                        .add(link::Column::Connection.eq(connection.as_str()))
                        .add(link::Column::LocalId.eq(local_id.as_str())),
                );
            }
            // Seen again since it was read: kept.
            pruned.links += link::Entity::delete_many()
                .filter(these)
                .filter(link::Column::SeenAt.lt(cutoff))
                .exec(db)
                .await?
                .rows_affected;
            if (keys.len() as u64) < BATCH {
                break;
            }
            tokio::task::yield_now().await;
        }
    }
    Ok(pruned)
}

fn cutoff(now: DateTime<Utc>, keep: Option<Duration>) -> Option<DateTime<Utc>> {
    now.checked_sub_signed(chrono::Duration::from_std(keep?).ok()?)
}

/// Takes (or keeps) the lease on `job` for `holder` until `until`: `true` when `holder` has it, that
/// is when nobody else held it past `now`.
pub async fn lease(
    db: &DatabaseConnection,
    job: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = maintenance_lease::ActiveModel {
        job: sea_orm::Set(job.to_string()),
        holder: sea_orm::Set(holder.to_string()),
        until: sea_orm::Set(now),
    };
    // The row exists from the first attempt on; whoever updates it holds the lease.
    maintenance_lease::Entity::insert(row)
        .on_conflict(
            OnConflict::column(maintenance_lease::Column::Job)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    let taken = maintenance_lease::Entity::update_many()
        .col_expr(maintenance_lease::Column::Holder, holder.into())
        .col_expr(maintenance_lease::Column::Until, until.into())
        .filter(maintenance_lease::Column::Job.eq(job))
        .filter(
            Condition::any()
                .add(maintenance_lease::Column::Until.lte(now))
                .add(maintenance_lease::Column::Holder.eq(holder)),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Prunes every `retention.every`, the first time a minute after start, whenever this process
/// holds the lease. Ends with the gateway's services: it holds them (and their database pool)
/// only while it prunes.
pub async fn run(services: std::sync::Weak<crate::Services>, retention: Retention) {
    let holder = uuid::Uuid::new_v4().to_string();
    let mut wait = retention.every.min(Duration::from_secs(60));
    loop {
        tokio::time::sleep(wait).await;
        wait = retention.every;
        let Some(services) = services.upgrade() else {
            return;
        };
        let db = &services.db;
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(retention.every).unwrap_or_default();
        match lease(db, JOB, &holder, now, until).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "could not take the retention lease");
                continue;
            }
        }
        match prune(db, &retention, now).await {
            Ok(pruned) if pruned != Pruned::default() => {
                tracing::info!(?pruned, "pruned rows past retention");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning failed; retrying at the next round"),
        }
    }
}
