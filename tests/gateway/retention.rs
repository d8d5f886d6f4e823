//! Retention on the gateway's own tables, on SQLite and PostgreSQL alike: a prune removes exactly
//! what the periods say, in batches, and never a running task; one holder of the lease at a time.

use crate::helpers::fresh_database;
use chrono::{DateTime, Duration as Days, Utc};
use hostplane_resolvers::{
    retention::{Pruned, Retention, lease, prune},
    store::{
        self,
        entities::{audit, link, task, task_event},
    },
};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, NotSet, PaginatorTrait};
use std::time::Duration;

fn day(n: u64) -> Duration {
    Duration::from_secs(n * 86_400)
}

fn task(id: &str, created: DateTime<Utc>, finished: Option<DateTime<Utc>>) -> task::ActiveModel {
    task::ActiveModel {
        id: Set(id.into()),
        operation: Set("hosterapiCreateServer".into()),
        provider: Set("hosterapi".into()),
        connection: Set("hoster".into()),
        status: Set(if finished.is_some() {
            "SUCCEEDED"
        } else {
            "RUNNING"
        }
        .into()),
        progress: Set(None),
        message: Set(None),
        output: Set(None),
        subject_id: Set(None),
        upstream_ref: Set(None),
        customer: Set(None),
        watch: Set("{}".into()),
        created_at: Set(created),
        updated_at: Set(finished.unwrap_or(created)),
        finished_at: Set(finished),
    }
}

fn event(task: &str, at: DateTime<Utc>) -> task_event::ActiveModel {
    task_event::ActiveModel {
        id: NotSet,
        task_id: Set(task.into()),
        status: Set("RUNNING".into()),
        progress: Set(None),
        message: Set(None),
        at: Set(at),
    }
}

fn audit_row(at: DateTime<Utc>) -> audit::ActiveModel {
    audit::ActiveModel {
        id: NotSet,
        at: Set(at),
        principal: Set("admin".into()),
        operation: Set("hosterapiStartServer".into()),
        connection: Set(Some("hoster".into())),
        target: Set(None),
        outcome: Set("ok".into()),
        error_code: Set(None),
    }
}

fn link_row(id: &str, seen: DateTime<Utc>) -> link::ActiveModel {
    link::ActiveModel {
        kind: Set("site".into()),
        connection: Set("orch".into()),
        local_id: Set(id.into()),
        provider: Set("orchestrix".into()),
        domain: Set(format!("{id}.example")),
        url: Set(None),
        owner_id: Set(None),
        seen_at: Set(seen),
    }
}

async fn count<E>(db: &DatabaseConnection) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(db).await.expect("count rows")
}

/// Past the periods (30 days for tasks, 90 for audit rows and links): 1,101 finished tasks (more
/// than two batches) with their events, three audit rows and a link go; a task running for 100
/// days, a task finished 10 days ago with its event, newer audit rows and a link seen yesterday
/// stay. A second prune finds nothing.
#[tokio::test]
async fn pruning_removes_exactly_what_retention_says() {
    let scratch = fresh_database().await;
    let db = store::connect(&scratch.url)
        .await
        .expect("a migrated database");
    let now = Utc::now();
    let ago = |d: i64| now - Days::days(d);
    let old: Vec<_> = (0..1_101)
        .map(|i| task(&format!("old-{i}"), ago(41), Some(ago(40))))
        .collect();
    for chunk in old.chunks(300) {
        task::Entity::insert_many(chunk.to_vec())
            .exec(&db)
            .await
            .expect("insert old tasks");
    }
    task::Entity::insert_many([
        task("running", ago(100), None),
        task("recent", ago(11), Some(ago(10))),
    ])
    .exec(&db)
    .await
    .expect("insert tasks");
    task_event::Entity::insert_many([
        event("old-0", ago(41)),
        event("old-1100", ago(40)),
        event("running", ago(100)),
        event("recent", ago(10)),
    ])
    .exec(&db)
    .await
    .expect("insert events");
    audit::Entity::insert_many([
        audit_row(ago(100)),
        audit_row(ago(95)),
        audit_row(ago(91)),
        audit_row(ago(89)),
        audit_row(ago(1)),
    ])
    .exec(&db)
    .await
    .expect("insert audit rows");
    link::Entity::insert_many([link_row("gone", ago(100)), link_row("seen", ago(1))])
        .exec(&db)
        .await
        .expect("insert links");

    let retention = Retention {
        tasks: Some(day(30)),
        audit: Some(day(90)),
        links: Some(day(90)),
        every: Duration::from_secs(3600),
    };
    let pruned = prune(&db, &retention, now).await.expect("prune");
    assert_eq!(
        pruned,
        Pruned {
            tasks: 1_101,
            task_events: 2,
            audit: 3,
            links: 1
        }
    );
    let mut left: Vec<String> = task::Entity::find()
        .all(&db)
        .await
        .expect("tasks")
        .into_iter()
        .map(|t| t.id)
        .collect();
    left.sort();
    assert_eq!(left, ["recent", "running"]);
    assert_eq!(count::<task_event::Entity>(&db).await, 2);
    assert_eq!(count::<audit::Entity>(&db).await, 2);
    let links = link::Entity::find().all(&db).await.expect("links");
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].local_id, "seen");

    assert_eq!(
        prune(&db, &retention, now).await.expect("prune"),
        Pruned::default()
    );
    // A period of none keeps everything.
    let forever = Retention {
        tasks: None,
        audit: None,
        links: None,
        ..retention
    };
    let later = now + Days::days(1000);
    assert_eq!(
        prune(&db, &forever, later).await.expect("prune"),
        Pruned::default()
    );
}

/// One replica prunes at a time: the lease is the first taker's until it runs out, its holder may
/// renew it, and another takes it once it has run out.
#[tokio::test]
async fn one_replica_holds_the_retention_lease() {
    let scratch = fresh_database().await;
    let db = store::connect(&scratch.url)
        .await
        .expect("a migrated database");
    let now = Utc::now();
    let hour = Days::hours(1);
    assert!(lease(&db, "retention", "a", now, now + hour).await.unwrap());
    assert!(!lease(&db, "retention", "b", now, now + hour).await.unwrap());
    assert!(
        lease(&db, "retention", "a", now + hour / 2, now + hour * 2)
            .await
            .unwrap()
    );
    assert!(
        !lease(&db, "retention", "b", now + hour, now + hour * 2)
            .await
            .unwrap()
    );
    assert!(
        lease(&db, "retention", "b", now + hour * 2, now + hour * 3)
            .await
            .unwrap()
    );
    assert!(
        !lease(&db, "retention", "a", now + hour * 2, now + hour * 3)
            .await
            .unwrap()
    );
    // Another job's lease is its own.
    assert!(lease(&db, "other", "a", now, now + hour).await.unwrap());
}
