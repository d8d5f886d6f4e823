//! HosterAPI's timed work: jobs (VM builds, reinstalls, software installs), backup tasks and
//! dedicated installs, which advance with wall time and apply their effects when they come due.

use super::{
    model::{Datacenter, DedicatedState, Vm, VmSpec},
    routes::internal,
};
use crate::kit::{
    Fail,
    progress::{Phase, fraction, phase},
    time::unix_now,
};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(super) const LIMITS_EXCEEDED: &str = "0xb0: Requested resources exceed administrative limits";
/// The progress at which an over-limit job fails, as in the docs' failed-job example.
const FAIL_AT: f64 = 0.33;

pub(super) struct Job {
    started: Instant,
    kind: JobKind,
    applied: bool,
}

pub(super) enum JobKind {
    /// The id, IPs and password are fixed when the job is queued so every read reports the same.
    CreateVm {
        vmid: u64,
        spec: VmSpec,
        password: String,
    },
    OverLimits,
    Reinstall {
        sid: u64,
        template: String,
    },
    Software {
        sid: u64,
        package: String,
    },
}

pub(super) struct BackupTask {
    kind: BackupKind,
    started: Instant,
    applied: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BackupKind {
    Create,
    Restore,
}

impl Datacenter {
    /// Applies the side effects of every job, backup and install that has come due.
    pub(super) fn settle(&mut self, now: Instant) {
        self.now = now;
        let d = self.job_duration;
        for job in self.jobs.values_mut() {
            if job.applied || fraction(job.started, now, d) < 1.0 {
                continue;
            }
            job.applied = true;
            match &job.kind {
                JobKind::CreateVm { vmid, spec, .. } => {
                    self.vms.insert(*vmid, Vm::fresh(spec.clone(), now));
                }
                JobKind::Reinstall { sid, template } => {
                    // A VM deleted mid-reinstall simply stays deleted.
                    if let Some(vm) = self.vms.get_mut(sid) {
                        vm.spec.template = template.clone();
                        vm.boot(now);
                    }
                }
                JobKind::OverLimits | JobKind::Software { .. } => {}
            }
        }
        for vm in self.vms.values_mut() {
            if let Some(task) = &mut vm.backup_task
                && !task.applied
                && fraction(task.started, now, d) >= 1.0
            {
                task.applied = true;
                if task.kind == BackupKind::Create {
                    // Strictly newer than the last, so two quick backups never share a timestamp.
                    let ts = unix_now().max(vm.backups.first().map_or(0, |t| t + 1));
                    vm.backups.insert(0, ts);
                }
            }
        }
        for server in self.dedicated.values_mut() {
            if let DedicatedState::Installing(since) = server.state
                && fraction(since, now, d) >= 1.0
            {
                server.state = DedicatedState::Running;
                server.order_complete = true;
            }
        }
    }

    pub(super) fn queue_job(&mut self, kind: JobKind) -> Value {
        let id = self.next_job_id;
        self.next_job_id += 1;
        self.jobs.insert(
            id,
            Job {
                started: self.now,
                kind,
                applied: false,
            },
        );
        json!({"status": "queued", "jobId": id, "progress": 0})
    }
}

impl Job {
    pub(super) fn view(&self, now: Instant, d: Duration) -> Value {
        let fail_at = matches!(self.kind, JobKind::OverLimits).then_some(FAIL_AT);
        match phase(self.started, now, d, fail_at) {
            Phase::Queued => json!({"status": "queued", "progress": 0, "output": null}),
            Phase::Failed => {
                json!({"status": "failed", "progress": FAIL_AT, "output": LIMITS_EXCEEDED})
            }
            Phase::Running(p) => json!({"status": "executing", "progress": p, "output": null}),
            Phase::Done => json!({"status": "finished", "progress": 1, "output": self.output()}),
        }
    }

    /// The docs show only the create-VM output; the reinstall and software outputs are modelled.
    fn output(&self) -> Value {
        match &self.kind {
            JobKind::CreateVm {
                vmid,
                spec,
                password,
            } => json!({"vmid": vmid, "ips": spec.ips, "user": "root", "password": password}),
            JobKind::Reinstall { sid, template } => json!({"vmid": sid, "template": template}),
            JobKind::Software { sid, package } => json!({"package": package, "sid": sid}),
            JobKind::OverLimits => Value::Null,
        }
    }
}

impl BackupTask {
    pub(super) fn view(&self, now: Instant, d: Duration) -> Value {
        let mut view = match phase(self.started, now, d, None) {
            Phase::Queued => json!({"status": "pending", "progress": 0}),
            Phase::Running(p) => json!({"status": "running", "progress": p}),
            Phase::Done | Phase::Failed => json!({"status": "finished", "progress": 1}),
        };
        // The docs show one status shape for both tasks; marking restores lets callers tell them apart.
        if self.kind == BackupKind::Restore {
            view["type"] = json!("restore");
        }
        view
    }
}

impl Vm {
    pub(super) fn start_backup(&mut self, kind: BackupKind, now: Instant) -> Result<(), Fail> {
        // One backup task at a time per VM (modelled: the single status endpoint implies it).
        if self.backup_task.as_ref().is_some_and(|t| !t.applied) {
            return Err(internal(
                "0xa1: a backup task is already running on this vm",
            ));
        }
        self.backup_task = Some(BackupTask {
            kind,
            started: now,
            applied: false,
        });
        Ok(())
    }
}
