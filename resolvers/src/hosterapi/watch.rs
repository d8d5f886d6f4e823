//! How HosterAPI's long-running work is followed: jobs, a VM's backups, dedicated orders and
//! reinstalls, each polled through its endpoint's handle.

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
pub enum HosterapiWatch {
    /// A job: VM creation, reinstall, software installs; `sid` is the VM it acts on, where known
    /// before the job ends.
    HosterapiJob {
        job_id: u64,
        #[serde(default)]
        sid: Option<u64>,
    },
    /// A VM's backup or restore, read from its backup status.
    HosterapiBackup { sid: u64 },
    /// A dedicated order, complete when the owned list shows `orderComplete: true`.
    HosterapiDedicatedOrder { id: u64 },
    /// A dedicated reinstall, complete when the server's state is `running` again.
    HosterapiDedicatedReinstall { sid: u64 },
}

impl Follow for HosterapiWatch {
    fn upstream_ref(&self) -> String {
        match self {
            HosterapiWatch::HosterapiJob { job_id, .. } => format!("job:{job_id}"),
            HosterapiWatch::HosterapiBackup { sid } => format!("backup:{sid}"),
            HosterapiWatch::HosterapiDedicatedOrder { id } => format!("order:{id}"),
            HosterapiWatch::HosterapiDedicatedReinstall { sid } => format!("reinstall:{sid}"),
        }
    }

    fn poll<'a>(
        &'a self,
        upstream: &'a dyn Upstream,
    ) -> BoxFuture<'a, Result<Progress, UpstreamError>> {
        let e = &ENDPOINTS;
        Box::pin(async move {
            match self {
                HosterapiWatch::HosterapiJob { job_id, .. } => {
                    let path = e
                        .hosterapi_job
                        .path_for(&[("jobId", &job_id.to_string())])
                        .expect("a number is one segment");
                    job_progress(&upstream.call(e.hosterapi_job.method, &path, None).await?)
                }
                HosterapiWatch::HosterapiBackup { sid } => {
                    let status = &e.hosterapi_server_backup_status;
                    let path = status
                        .path_for(&[("sid", &sid.to_string())])
                        .expect("a number is one segment");
                    backup_progress(&upstream.call(status.method, &path, None).await?)
                }
                HosterapiWatch::HosterapiDedicatedOrder { id } => {
                    let list = &e.hosterapi_dedicated_servers;
                    let v = upstream.call(list.method, list.path, None).await?;
                    Ok(order_progress(&v, *id))
                }
                HosterapiWatch::HosterapiDedicatedReinstall { sid } => {
                    let status = &e.hosterapi_dedicated_server_status;
                    let path = status
                        .path_for(&[("sid", &sid.to_string())])
                        .expect("a number is one segment");
                    Ok(reinstall_progress(
                        &upstream.call(status.method, &path, None).await?,
                    ))
                }
            }
        })
    }

    /// The VM or dedicated server, or the VM a build created once its output says (`vmid`).
    fn subject(&self, connection: &str, output: Option<&Value>) -> Option<GlobalId> {
        match self {
            HosterapiWatch::HosterapiJob { sid, .. } => output
                .and_then(|o| o.get("vmid"))
                .and_then(Value::as_u64)
                .or(*sid)
                .map(|vmid| GlobalId::new("Server", connection, format!("vm:{vmid}"))),
            HosterapiWatch::HosterapiBackup { sid } => {
                Some(GlobalId::new("Server", connection, format!("vm:{sid}")))
            }
            HosterapiWatch::HosterapiDedicatedOrder { id }
            | HosterapiWatch::HosterapiDedicatedReinstall { sid: id } => Some(GlobalId::new(
                "Server",
                connection,
                format!("dedicated:{id}"),
            )),
        }
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
        let w = HosterapiWatch::HosterapiJob {
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
        let w = HosterapiWatch::HosterapiJob {
            job_id: 1,
            sid: Some(4001),
        };
        assert_eq!(w.subject("h", None).unwrap().local, "vm:4001");
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
