//! The task engine: turns upstream jobs into tasks the gateway owns. Each unfinished task has exactly
//! one watcher, which polls the upstream, persists every change (row and event) and publishes it on one
//! broadcast channel that all subscriptions read, so a task costs one upstream poll per interval
//! however many clients follow it. At start-up `resume` picks unfinished tasks up again.

pub mod watch;

use crate::{
    connections::Connections,
    store::entities::{task, task_event},
};
use hostplane_adapters::Provider;
use hostplane_schema::{
    GatewayError, GlobalId, ProviderEnum,
    task::{Progress, Task, TaskStatus},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::{
    collections::HashSet,
    sync::{Arc, Mutex, Weak},
    time::Duration,
};
use tokio::sync::broadcast;
pub use watch::Watch;

/// What a resolver knows when upstream work starts.
pub struct NewTask {
    pub operation: String,
    pub provider: Provider,
    pub connection: String,
    pub watch: Watch,
    pub initial: Progress,
    /// The customer the work is for (`Binding::key`).
    pub customer: Option<String>,
}

impl crate::call::UpstreamCall {
    /// Starts the Task that follows this call's upstream work, and answers with it and the
    /// upstream's own answer.
    pub async fn start_task(
        &self,
        ctx: &async_graphql::Context<'_>,
        raw: serde_json::Value,
        watch: impl Into<Watch>,
        initial: Progress,
    ) -> Result<crate::objects::TaskPayload, GatewayError> {
        let services = ctx.data_unchecked::<Arc<crate::Services>>();
        let task = services
            .tasks
            .create(NewTask {
                operation: self.endpoint.field(),
                provider: self.endpoint.provider,
                connection: self.connection.name.clone(),
                watch: watch.into(),
                initial,
                customer: self.customer(),
            })
            .await?;
        Ok(crate::objects::TaskPayload {
            task,
            raw: async_graphql::Json(raw),
        })
    }
}

#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub poll_interval: Duration,
    /// Consecutive transient poll failures (upstream down, timeouts) tolerated before the task fails.
    pub max_poll_failures: u32,
    /// How long upstream work may take before the task fails (an order the upstream never completes).
    pub max_duration: Duration,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            poll_interval: Duration::from_secs(1),
            max_poll_failures: 60,
            max_duration: Duration::from_secs(6 * 3600),
        }
    }
}

pub struct TaskEngine {
    db: DatabaseConnection,
    connections: Arc<Connections>,
    events: broadcast::Sender<Task>,
    settings: EngineSettings,
    watching: Mutex<HashSet<String>>,
}

impl TaskEngine {
    pub fn new(
        db: DatabaseConnection,
        connections: Arc<Connections>,
        settings: EngineSettings,
    ) -> Arc<TaskEngine> {
        let (events, _) = broadcast::channel(1024);
        Arc::new(TaskEngine {
            db,
            connections,
            events,
            settings,
            watching: Mutex::new(HashSet::new()),
        })
    }

    /// Every task change, as it is persisted.
    pub fn subscribe(&self) -> broadcast::Receiver<Task> {
        self.events.subscribe()
    }

    /// Records a new task and starts watching it unless it already ended.
    pub async fn create(self: &Arc<Self>, new: NewTask) -> Result<Task, GatewayError> {
        let now = chrono::Utc::now();
        let id = uuid::Uuid::new_v4().to_string();
        let terminal = new.initial.status.is_terminal();
        let row = task::ActiveModel {
            id: Set(id.clone()),
            operation: Set(new.operation),
            provider: Set(new.provider.key().to_string()),
            connection: Set(new.connection.clone()),
            status: Set(new.initial.status.as_str().to_string()),
            progress: Set(new.initial.progress),
            message: Set(new.initial.message.clone()),
            output: Set(new.initial.output.as_ref().map(|o| o.to_string())),
            subject_id: Set(new
                .watch
                .subject(&new.connection, new.initial.output.as_ref())
                .map(|g| g.encode())),
            upstream_ref: Set(Some(new.watch.upstream_ref())),
            customer: Set(new.customer),
            watch: Set(serde_json::to_string(&new.watch).expect("a Watch always serializes")),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(terminal.then_some(now)),
        }
        .insert(&self.db)
        .await
        .map_err(GatewayError::internal)?;
        self.record_event(&row).await?;
        let task = to_task(row);
        let _ = self.events.send(task.clone());
        if !terminal {
            self.spawn_watcher(id, new.connection, new.watch, new.initial, now);
        }
        Ok(task)
    }

    pub async fn get(&self, id: &str) -> Result<Option<Task>, GatewayError> {
        Ok(task::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await
            .map_err(GatewayError::internal)?
            .map(to_task))
    }

    /// How a task's upstream work is followed, as stored with it.
    pub async fn watch_of(&self, id: &str) -> Result<Option<Watch>, GatewayError> {
        let row = task::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await
            .map_err(GatewayError::internal)?;
        Ok(row.and_then(|r| serde_json::from_str(&r.watch).ok()))
    }

    /// The unfinished task following this upstream work, if any.
    pub async fn open_by_ref(
        &self,
        connection: &str,
        upstream_ref: &str,
    ) -> Result<Option<Task>, GatewayError> {
        Ok(task::Entity::find()
            .filter(task::Column::Connection.eq(connection))
            .filter(task::Column::UpstreamRef.eq(upstream_ref))
            .filter(task::Column::FinishedAt.is_null())
            .one(&self.db)
            .await
            .map_err(GatewayError::internal)?
            .map(to_task))
    }

    /// The most recent tasks first.
    pub async fn recent(&self, limit: u64) -> Result<Vec<Task>, GatewayError> {
        Ok(task::Entity::find()
            .order_by_desc(task::Column::CreatedAt)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(GatewayError::internal)?
            .into_iter()
            .map(to_task)
            .collect())
    }

    /// Starts a watcher for every unfinished task (after a restart). Returns how many.
    pub async fn resume(self: &Arc<Self>) -> Result<usize, GatewayError> {
        let open = task::Entity::find()
            .filter(task::Column::FinishedAt.is_null())
            .all(&self.db)
            .await
            .map_err(GatewayError::internal)?;
        let mut n = 0;
        for row in open {
            let Ok(watch) = serde_json::from_str::<Watch>(&row.watch) else {
                tracing::warn!(task = %row.id, "stored watch unreadable; task left as is");
                continue;
            };
            let last = progress_of(&row);
            self.spawn_watcher(row.id, row.connection, watch, last, row.created_at);
            n += 1;
        }
        Ok(n)
    }

    fn spawn_watcher(
        self: &Arc<Self>,
        id: String,
        connection: String,
        watch: Watch,
        last: Progress,
        created: chrono::DateTime<chrono::Utc>,
    ) {
        if !self
            .watching
            .lock()
            .expect("watcher set lock poisoned")
            .insert(id.clone())
        {
            return;
        }
        // The watcher holds the engine weakly: when the gateway that owns the engine goes away, so
        // do its watchers, and the task stays unfinished in the database for the next start.
        let engine = Arc::downgrade(self);
        let deadline = created
            + chrono::Duration::from_std(self.settings.max_duration)
                .unwrap_or(chrono::Duration::MAX);
        let interval = self.settings.poll_interval;
        tokio::spawn(run_watcher(
            engine, interval, deadline, id, connection, watch, last,
        ));
    }

    /// Persists one observed change and publishes it. An observation equal to the stored state, or
    /// one arriving after the task ended, changes nothing (polls and webhook deliveries may both
    /// report the same change). Returns the task when it changed.
    async fn apply(&self, id: &str, p: &Progress) -> Result<Option<Task>, GatewayError> {
        let now = chrono::Utc::now();
        let model = task::Entity::find_by_id(id.to_string())
            .one(&self.db)
            .await
            .map_err(GatewayError::internal)?
            .ok_or_else(|| GatewayError::NotFound(format!("task {id}")))?;
        if model.finished_at.is_some() || progress_of(&model) == *p {
            return Ok(None);
        }
        let watch: Option<Watch> = serde_json::from_str(&model.watch).ok();
        let subject = watch.and_then(|w| w.subject(&model.connection, p.output.as_ref()));
        let mut row: task::ActiveModel = model.into();
        row.status = Set(p.status.as_str().to_string());
        row.progress = Set(p.progress);
        row.message = Set(p.message.clone());
        row.output = Set(p.output.as_ref().map(|o| o.to_string()));
        row.updated_at = Set(now);
        if p.status.is_terminal() {
            row.finished_at = Set(Some(now));
        }
        if let Some(subject) = subject {
            row.subject_id = Set(Some(subject.encode()));
        }
        let row = row.update(&self.db).await.map_err(GatewayError::internal)?;
        self.record_event(&row).await?;
        let task = to_task(row);
        let _ = self.events.send(task.clone());
        Ok(Some(task))
    }

    /// An observation the upstream pushed (a webhook delivery) for the open task following
    /// `upstream_ref`; polling goes on as the fallback for deliveries that never come.
    pub async fn observe(
        &self,
        connection: &str,
        upstream_ref: &str,
        p: &Progress,
    ) -> Result<Option<Task>, GatewayError> {
        match self.open_by_ref(connection, upstream_ref).await? {
            Some(task) => self.apply(&task.task_id, p).await,
            None => Ok(None),
        }
    }

    async fn record_event(&self, row: &task::Model) -> Result<(), GatewayError> {
        task_event::ActiveModel {
            id: NotSet,
            task_id: Set(row.id.clone()),
            status: Set(row.status.clone()),
            progress: Set(row.progress),
            message: Set(row.message.clone()),
            at: Set(row.updated_at),
        }
        .insert(&self.db)
        .await
        .map_err(GatewayError::internal)?;
        Ok(())
    }
}

async fn run_watcher(
    engine: Weak<TaskEngine>,
    interval: Duration,
    deadline: chrono::DateTime<chrono::Utc>,
    id: String,
    connection: String,
    watch: Watch,
    mut last: Progress,
) {
    let mut failures = 0u32;
    loop {
        tokio::time::sleep(interval).await;
        let Some(engine) = engine.upgrade() else {
            return;
        };
        let next = match engine.connections.get(&connection) {
            _ if chrono::Utc::now() > deadline => Some(failed(format!(
                "the upstream did not finish within {} s",
                engine.settings.max_duration.as_secs()
            ))),
            None => Some(failed("the connection no longer exists".into())),
            Some(conn) => match watch.poll(conn.client.as_ref()).await {
                Ok(p) => {
                    failures = 0;
                    Some(p)
                }
                Err(e) if e.is_transient() && failures < engine.settings.max_poll_failures => {
                    failures += 1;
                    tracing::debug!(task = %id, error = %e, failures, "task poll failed; retrying");
                    None
                }
                Err(e) => Some(failed(format!("{}: {e}", e.code()))),
            },
        };
        metrics::counter!("hostplane_task_polls_total").increment(1);
        if let Some(p) = next
            && p != last
        {
            match engine.apply(&id, &p).await {
                Ok(_) => last = p,
                Err(e) => tracing::error!(task = %id, error = ?e, "task update not persisted"),
            }
        }
        if last.status.is_terminal() {
            engine
                .watching
                .lock()
                .expect("watcher set lock poisoned")
                .remove(&id);
            return;
        }
    }
}

fn failed(message: String) -> Progress {
    Progress {
        status: TaskStatus::Failed,
        progress: None,
        message: Some(message),
        output: None,
    }
}

fn progress_of(row: &task::Model) -> Progress {
    Progress {
        status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Running),
        progress: row.progress,
        message: row.message.clone(),
        output: row
            .output
            .as_deref()
            .and_then(|o| serde_json::from_str(o).ok()),
    }
}

pub fn to_task(row: task::Model) -> Task {
    let progress = progress_of(&row);
    let provider = Provider::from_key(&row.provider).unwrap_or(Provider::Hosterapi);
    Task {
        id: GlobalId::new("Task", &row.connection, &row.id).into(),
        task_id: row.id,
        operation: row.operation,
        provider: ProviderEnum::from(provider),
        connection: row.connection,
        status: progress.status,
        progress: progress.progress,
        message: progress.message,
        output: progress.output.map(async_graphql::Json),
        subject_id: row.subject_id.map(async_graphql::ID),
        upstream_ref: row.upstream_ref,
        created_at: row.created_at,
        updated_at: row.updated_at,
        finished_at: row.finished_at,
        customer: row.customer,
    }
}
