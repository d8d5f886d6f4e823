//! How PanelAlpha's queued work is followed: one of its own tasks, read from its status endpoint
//! until it ends. Its `progress` (0 to 100, where it gives one) becomes the Task's share.

use super::tasks::ENDPOINTS;
use crate::tasks::watch::{Follow, malformed};
use futures_util::future::BoxFuture;
use hostplane_adapters::{Upstream, UpstreamError};
use hostplane_schema::{
    GlobalId,
    task::{Progress, TaskStatus},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PanelalphaWatch {
    /// A PanelAlpha task; `subject` is the kind and upstream ID of the object it acts on, where the
    /// gateway has a type for it.
    PanelalphaTask {
        task_id: u64,
        #[serde(default)]
        subject: Option<(String, String)>,
    },
}

impl Follow for PanelalphaWatch {
    fn upstream_ref(&self) -> String {
        let PanelalphaWatch::PanelalphaTask { task_id, .. } = self;
        format!("task:{task_id}")
    }

    fn poll<'a>(
        &'a self,
        upstream: &'a dyn Upstream,
    ) -> BoxFuture<'a, Result<Progress, UpstreamError>> {
        let PanelalphaWatch::PanelalphaTask { task_id, .. } = self;
        let status = &ENDPOINTS.panelalpha_task_status;
        Box::pin(async move {
            let path = status
                .path_for(&[("id", &task_id.to_string())])
                .expect("a number is one segment");
            task_progress(&upstream.call(status.method, &path, None).await?)
        })
    }

    fn subject(&self, connection: &str, _: Option<&Value>) -> Option<GlobalId> {
        let PanelalphaWatch::PanelalphaTask { subject, .. } = self;
        let (kind, id) = subject.as_ref()?;
        Some(GlobalId::new(kind, connection, id))
    }
}

/// Reads a task's status: `pending`, `processing` (with `progress` 0 to 100), `completed`, `failed`
/// with its `message`, or `canceled`.
pub fn task_progress(v: &Value) -> Result<Progress, UpstreamError> {
    let status = v
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("task without status"))?;
    let message = v.get("message").and_then(Value::as_str).map(str::to_string);
    let status = match status {
        "pending" | "queued" => TaskStatus::Queued,
        "processing" | "running" => TaskStatus::Running,
        "completed" | "finished" => TaskStatus::Succeeded,
        "failed" => TaskStatus::Failed,
        "canceled" | "cancelled" => TaskStatus::Cancelled,
        other => return Err(malformed(&format!("unknown task status `{other}`"))),
    };
    let progress = match status {
        TaskStatus::Succeeded => Some(1.0),
        _ => v.get("progress").and_then(Value::as_f64).map(|p| p / 100.0),
    };
    Ok(Progress {
        status,
        progress,
        message,
        output: status.is_terminal().then(|| v.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each documented state maps to a Task's; progress only where the upstream gives a number.
    #[test]
    fn states() {
        let p = task_progress(&json!({"status": "processing", "progress": 40})).unwrap();
        assert_eq!((p.status, p.progress), (TaskStatus::Running, Some(0.4)));
        let p = task_progress(&json!({"status": "pending"})).unwrap();
        assert_eq!((p.status, p.progress), (TaskStatus::Queued, None));
        let p = task_progress(&json!({"status": "failed", "message": "disk full"})).unwrap();
        assert_eq!(
            (p.status, p.message.as_deref()),
            (TaskStatus::Failed, Some("disk full"))
        );
        let p = task_progress(&json!({"status": "canceled"})).unwrap();
        assert_eq!(p.status, TaskStatus::Cancelled);
        assert!(task_progress(&json!({"status": "odd"})).is_err());
    }
}
