//! How Orchestrix's long-running work is followed: a snapshot being taken and an upgrade pipeline,
//! each read through its endpoint's handle until it ends (or pushed by its webhooks).

use super::ENDPOINTS;
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
pub enum OrchestrixWatch {
    /// A snapshot being taken.
    OrchestrixSnapshot { site_id: String, id: String },
    /// An upgrade pipeline, from approval to its end.
    OrchestrixPipeline { site_id: String, id: String },
}

impl Follow for OrchestrixWatch {
    fn upstream_ref(&self) -> String {
        match self {
            OrchestrixWatch::OrchestrixSnapshot { id, .. } => format!("snapshot:{id}"),
            OrchestrixWatch::OrchestrixPipeline { id, .. } => format!("pipeline:{id}"),
        }
    }

    fn poll<'a>(
        &'a self,
        upstream: &'a dyn Upstream,
    ) -> BoxFuture<'a, Result<Progress, UpstreamError>> {
        let (endpoint, site_id, id) = match self {
            OrchestrixWatch::OrchestrixSnapshot { site_id, id } => {
                (&ENDPOINTS.orchestrix_snapshot, site_id, id)
            }
            OrchestrixWatch::OrchestrixPipeline { site_id, id } => {
                (&ENDPOINTS.orchestrix_upgrade_pipeline, site_id, id)
            }
        };
        Box::pin(async move {
            // The IDs are the upstream's own; one that names no resource is its malformed answer.
            let path = endpoint
                .path_for(&[("site_id", site_id), ("id", id)])
                .map_err(|e| UpstreamError::Malformed {
                    status: 200,
                    detail: e.message(),
                })?;
            orchestrix_progress(&upstream.call(endpoint.method, &path, None).await?)
        })
    }

    fn subject(&self, connection: &str, _: Option<&Value>) -> Option<GlobalId> {
        let (OrchestrixWatch::OrchestrixSnapshot { site_id, .. }
        | OrchestrixWatch::OrchestrixPipeline { site_id, .. }) = self;
        Some(GlobalId::new("Site", connection, site_id))
    }
}

/// Reads an Orchestrix snapshot or pipeline object: its `status`, `progress` and `error`.
pub fn orchestrix_progress(v: &Value) -> Result<Progress, UpstreamError> {
    let status = v
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("object without status"))?;
    let error = v.get("error").and_then(Value::as_str).map(str::to_string);
    let (status, message) = match status {
        "pending" | "queued" => (TaskStatus::Queued, None),
        "awaiting_approval" => (TaskStatus::Queued, Some("awaiting approval".to_string())),
        "running" | "in_progress" => (TaskStatus::Running, None),
        "completed" | "succeeded" => (TaskStatus::Succeeded, None),
        "failed" => (
            TaskStatus::Failed,
            Some(error.unwrap_or_else(|| "failed".into())),
        ),
        other => return Err(malformed(&format!("unknown status `{other}`"))),
    };
    Ok(Progress {
        status,
        progress: v.get("progress").and_then(Value::as_f64),
        message,
        output: status.is_terminal().then(|| v.clone()),
    })
}
