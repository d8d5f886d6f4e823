//! How each kind of upstream work is followed: what to poll and how to read the answer as `Progress`.
//! A `Watch` is stored with its task, so a restarted gateway knows how to pick the work up again.

use hostplane_adapters::{Method, Upstream, UpstreamError};
use hostplane_schema::{
    GlobalId,
    task::{Progress, TaskStatus},
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Watch {
    /// A HosterAPI job (`GET /api/v1/job/{jobId}`): VM creation, reinstall, software installs; `sid`
    /// is the VM it acts on, where known before the job ends.
    HosterapiJob {
        job_id: u64,
        #[serde(default)]
        sid: Option<u64>,
    },
    /// A VM's backup or restore (`GET .../server/{sid}/backups/status`).
    HosterapiBackup { sid: u64 },
    /// A dedicated order, complete when the owned list shows `orderComplete: true`.
    HosterapiDedicatedOrder { id: u64 },
    /// A dedicated reinstall, complete when the server's state is `running` again.
    HosterapiDedicatedReinstall { sid: u64 },
    /// An Orchestrix snapshot being taken.
    OrchestrixSnapshot { site_id: String, id: String },
    /// An Orchestrix upgrade pipeline, from approval to its end.
    OrchestrixPipeline { site_id: String, id: String },
    /// A WPCS object after a scheduled write, read from a filtered list (`/v1/tenants?tenantId=..`)
    /// until its `statusName` is `Done`, or until it is gone for a removal. `object` is the object's
    /// GraphQL type (`object`), `key` the field that names it in the list.
    WpcsStatus {
        object: String,
        list: String,
        key: String,
        value: String,
        gone: bool,
    },
}

impl Watch {
    pub fn upstream_ref(&self) -> String {
        match self {
            Watch::HosterapiJob { job_id, .. } => format!("job:{job_id}"),
            Watch::HosterapiBackup { sid } => format!("backup:{sid}"),
            Watch::HosterapiDedicatedOrder { id } => format!("order:{id}"),
            Watch::HosterapiDedicatedReinstall { sid } => format!("reinstall:{sid}"),
            Watch::OrchestrixSnapshot { id, .. } => format!("snapshot:{id}"),
            Watch::OrchestrixPipeline { id, .. } => format!("pipeline:{id}"),
            Watch::WpcsStatus { object, value, .. } => format!("{}:{value}", object.to_lowercase()),
        }
    }

    /// Asks the upstream once.
    pub async fn poll(&self, upstream: &dyn Upstream) -> Result<Progress, UpstreamError> {
        match self {
            Watch::HosterapiJob { job_id, .. } => {
                let v = upstream
                    .call(Method::Get, &format!("/api/v1/job/{job_id}"), None)
                    .await?;
                job_progress(&v)
            }
            Watch::HosterapiBackup { sid } => {
                let v = upstream
                    .call(
                        Method::Get,
                        &format!("/api/v1/datacenter/server/{sid}/backups/status"),
                        None,
                    )
                    .await?;
                backup_progress(&v)
            }
            Watch::HosterapiDedicatedOrder { id } => {
                let v = upstream
                    .call(Method::Get, "/api/v1/datacenter/dedicated", None)
                    .await?;
                Ok(order_progress(&v, *id))
            }
            Watch::HosterapiDedicatedReinstall { sid } => {
                let v = upstream
                    .call(
                        Method::Get,
                        &format!("/api/v1/datacenter/dedicated/{sid}/status"),
                        None,
                    )
                    .await?;
                Ok(reinstall_progress(&v))
            }
            Watch::OrchestrixSnapshot { site_id, id } => {
                let path = format!("/api/v1/sites/{}/snapshots/{}", seg(site_id), seg(id));
                orchestrix_progress(&upstream.call(Method::Get, &path, None).await?)
            }
            Watch::OrchestrixPipeline { site_id, id } => {
                let path = format!(
                    "/api/v1/sites/{}/upgrade_pipelines/{}",
                    seg(site_id),
                    seg(id)
                );
                orchestrix_progress(&upstream.call(Method::Get, &path, None).await?)
            }
            Watch::WpcsStatus {
                list,
                key,
                value,
                gone,
                ..
            } => {
                let listed = upstream.call(Method::Get, list, None).await?;
                Ok(wpcs_progress(&listed, key, value, *gone))
            }
        }
    }

    /// The object the work acts on, or produced once the output says (a new VM's `vmid`).
    pub fn subject(&self, connection: &str, output: Option<&Value>) -> Option<GlobalId> {
        match self {
            Watch::HosterapiJob { sid, .. } => output
                .and_then(|o| o.get("vmid"))
                .and_then(Value::as_u64)
                .or(*sid)
                .map(|vmid| GlobalId::new("Server", connection, format!("vm:{vmid}"))),
            Watch::HosterapiBackup { sid } => {
                Some(GlobalId::new("Server", connection, format!("vm:{sid}")))
            }
            Watch::HosterapiDedicatedOrder { id }
            | Watch::HosterapiDedicatedReinstall { sid: id } => Some(GlobalId::new(
                "Server",
                connection,
                format!("dedicated:{id}"),
            )),
            Watch::OrchestrixSnapshot { site_id, .. }
            | Watch::OrchestrixPipeline { site_id, .. } => {
                Some(GlobalId::new("Site", connection, site_id))
            }
            Watch::WpcsStatus {
                object, key, value, ..
            } => {
                let id = match output.and_then(|o| o.get("id")).and_then(Value::as_str) {
                    Some(id) => id.to_string(),
                    None if key == "id" => value.clone(),
                    None => return None,
                };
                Some(GlobalId::new(object, connection, id))
            }
        }
    }
}

/// Reads a WPCS object's scheduled work from a filtered list: `Done` (or no status at all) is
/// success, a failed status is failure, anything else is still running; for a removal, absence is
/// success.
pub fn wpcs_progress(listed: &Value, key: &str, value: &str, gone: bool) -> Progress {
    let items = match listed {
        Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    let found = items.iter().find(|item| {
        item.get(key).and_then(Value::as_str) == Some(value)
            || (key == "id" && item.get("tenantId").and_then(Value::as_str) == Some(value))
    });
    let running = |message: String| Progress {
        status: TaskStatus::Running,
        progress: None,
        message: Some(message),
        output: None,
    };
    let done = |output: Option<Value>| Progress {
        status: TaskStatus::Succeeded,
        progress: Some(1.0),
        message: None,
        output,
    };
    match (found, gone) {
        (None, true) => done(None),
        (Some(item), true) => running(format!(
            "removal scheduled ({})",
            item.get("statusName")
                .and_then(Value::as_str)
                .unwrap_or("pending")
        )),
        (None, false) => running("not listed yet".into()),
        (Some(item), false) => match item.get("statusName").and_then(Value::as_str) {
            None | Some("Done") => done(Some(item.clone())),
            Some(name)
                if ["fail", "error"]
                    .iter()
                    .any(|f| name.to_ascii_lowercase().contains(f)) =>
            {
                Progress {
                    status: TaskStatus::Failed,
                    progress: None,
                    message: Some(name.to_string()),
                    output: Some(item.clone()),
                }
            }
            Some(name) => running(name.to_string()),
        },
    }
}

fn seg(s: &str) -> String {
    crate::call::encode_segment(s)
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

fn malformed(detail: &str) -> UpstreamError {
    UpstreamError::Malformed {
        status: 200,
        detail: detail.to_string(),
    }
}

/// Reads a job object (`{status, progress, output}`), as polled or as a create call's answer.
pub fn job_progress(v: &Value) -> Result<Progress, UpstreamError> {
    let status = v
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("job without status"))?;
    let progress = v.get("progress").and_then(Value::as_f64);
    let output = v.get("output").filter(|o| !o.is_null()).cloned();
    let (status, message) = match status {
        "queued" => (TaskStatus::Queued, None),
        "executing" => (TaskStatus::Running, None),
        "finished" => (TaskStatus::Succeeded, None),
        // A failed job's output is its error text (`0xb0: Requested resources exceed ...`).
        "failed" => (
            TaskStatus::Failed,
            Some(
                output
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("job failed")
                    .to_string(),
            ),
        ),
        other => return Err(malformed(&format!("unknown job status `{other}`"))),
    };
    Ok(Progress {
        status,
        progress,
        message,
        output,
    })
}

fn backup_progress(v: &Value) -> Result<Progress, UpstreamError> {
    let status = v
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("backup status without status"))?;
    let status = match status {
        // `none` before the upstream registers the work counts as still queued.
        "pending" | "queued" | "none" => TaskStatus::Queued,
        "running" | "executing" => TaskStatus::Running,
        "finished" | "done" | "success" => TaskStatus::Succeeded,
        "failed" | "error" => TaskStatus::Failed,
        other => return Err(malformed(&format!("unknown backup status `{other}`"))),
    };
    Ok(Progress {
        status,
        progress: v.get("progress").and_then(Value::as_f64),
        message: None,
        output: None,
    })
}

fn order_progress(list: &Value, id: u64) -> Progress {
    let entry = list.as_array().and_then(|items| {
        items
            .iter()
            .find(|s| s.get("id").and_then(Value::as_u64) == Some(id))
    });
    match entry {
        Some(s) if s.get("orderComplete").and_then(Value::as_bool) == Some(true) => Progress {
            status: TaskStatus::Succeeded,
            progress: Some(1.0),
            message: None,
            output: Some(s.clone()),
        },
        // Absent or incomplete: the upstream is still provisioning (its docs say to track orders).
        _ => Progress {
            status: TaskStatus::Running,
            progress: None,
            message: Some("order is being completed".into()),
            output: None,
        },
    }
}

fn reinstall_progress(v: &Value) -> Progress {
    match v.get("state").and_then(Value::as_str) {
        Some("running") => Progress {
            status: TaskStatus::Succeeded,
            progress: Some(1.0),
            message: None,
            output: Some(v.clone()),
        },
        state => Progress {
            status: TaskStatus::Running,
            progress: None,
            message: state.map(|s| format!("server is {s}")),
            output: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The four documented job states map to task states; a failed job's output is its message.
    #[test]
    fn job_states() {
        let p = job_progress(&json!({"status": "executing", "progress": 0.33, "output": null}))
            .unwrap();
        assert_eq!((p.status, p.progress), (TaskStatus::Running, Some(0.33)));
        let p = job_progress(&json!({"status": "failed", "progress": 0.33,
            "output": "0xb0: Requested resources exceed administrative limits"}))
        .unwrap();
        assert_eq!(p.status, TaskStatus::Failed);
        assert_eq!(
            p.message.as_deref(),
            Some("0xb0: Requested resources exceed administrative limits")
        );
        assert!(job_progress(&json!({"status": "weird"})).is_err());
    }

    /// A finished job names the VM it created as the task's subject.
    #[test]
    fn subject_from_output() {
        let w = Watch::HosterapiJob {
            job_id: 1,
            sid: None,
        };
        let id = w.subject("h", Some(&json!({"vmid": 4005}))).unwrap();
        assert_eq!(id.local, "vm:4005");
        assert_eq!(
            w.subject("h", None),
            None,
            "a build names no VM before it ends"
        );
        let w = Watch::HosterapiJob {
            job_id: 1,
            sid: Some(4001),
        };
        assert_eq!(w.subject("h", None).unwrap().local, "vm:4001");
    }

    /// A WPCS object is done at `Done`, failed at a failing status, and a removal is done when gone.
    #[test]
    fn wpcs_states() {
        let list = json!([{"id": "t1", "statusName": "InProgress"}, {"id": "t2", "statusName": "Done"},
            {"id": "t3", "statusName": "Failed"}]);
        assert_eq!(
            wpcs_progress(&list, "id", "t1", false).status,
            TaskStatus::Running
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t2", false).status,
            TaskStatus::Succeeded
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t3", false).status,
            TaskStatus::Failed
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t9", true).status,
            TaskStatus::Succeeded
        );
        assert_eq!(
            wpcs_progress(&list, "id", "t2", true).status,
            TaskStatus::Running
        );
    }

    /// An order is done only when the owned list says so.
    #[test]
    fn order_states() {
        let list = json!([{"id": 9, "orderComplete": false}, {"id": 84, "orderComplete": true}]);
        assert_eq!(order_progress(&list, 9).status, TaskStatus::Running);
        assert_eq!(order_progress(&list, 84).status, TaskStatus::Succeeded);
        assert_eq!(order_progress(&list, 1).status, TaskStatus::Running);
    }
}
