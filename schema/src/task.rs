//! Tasks: long-running upstream work (VM builds, reinstalls, backups, software installs, orders) as the
//! gateway tracks it, whatever the upstream calls it (a HosterAPI job, a backup status, an order flag).

use async_graphql::{Enum, ID, Json, SimpleObject};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl TaskStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Queued => "QUEUED",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Succeeded => "SUCCEEDED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        [
            TaskStatus::Queued,
            TaskStatus::Running,
            TaskStatus::Succeeded,
            TaskStatus::Failed,
            TaskStatus::Cancelled,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// One observation of a task's upstream work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub status: TaskStatus,
    /// 0..1 where the upstream says.
    pub progress: Option<f64>,
    pub message: Option<String>,
    pub output: Option<serde_json::Value>,
}

impl Progress {
    pub fn queued() -> Progress {
        Progress {
            status: TaskStatus::Queued,
            progress: Some(0.0),
            message: None,
            output: None,
        }
    }
}

/// A long-running piece of upstream work.
#[derive(SimpleObject, Debug, Clone, PartialEq)]
pub struct Task {
    /// Global ID.
    pub id: ID,
    /// The gateway's own task ID (a UUID), also accepted by `task(id:)`.
    pub task_id: String,
    /// The operation that started it, as its GraphQL field name (`hosterapiCreateServer`).
    pub operation: String,
    pub provider: crate::ProviderEnum,
    pub connection: String,
    pub status: TaskStatus,
    /// 0..1, where the upstream reports progress.
    pub progress: Option<f64>,
    pub message: Option<String>,
    /// What the upstream returned when the work ended (a new VM's id and IPs, say).
    pub output: Option<Json<serde_json::Value>>,
    /// Global ID of the object the task acts on, once known.
    pub subject_id: Option<ID>,
    /// The upstream's reference for the work (a HosterAPI job id), where it has one.
    pub upstream_ref: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The customer the work is for (`Binding::key`), where it acts for one.
    #[graphql(skip)]
    pub customer: Option<String>,
}

impl Task {
    /// Whether `principal` may see the task: its connection must be usable, and a customer's
    /// credential sees only the work done for that customer.
    pub fn visible_to(&self, principal: &crate::principal::Principal) -> bool {
        principal.may_use(&self.connection)
            && principal
                .customer()
                .is_none_or(|b| self.customer.as_deref().is_some_and(|c| b.is(c)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the three end states are terminal; statuses round-trip through their stored form.
    #[test]
    fn terminal_states() {
        assert!(TaskStatus::Succeeded.is_terminal());
        assert!(TaskStatus::Failed.is_terminal());
        assert!(!TaskStatus::Running.is_terminal());
        assert_eq!(TaskStatus::parse("QUEUED"), Some(TaskStatus::Queued));
    }
}
