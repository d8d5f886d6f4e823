//! The simulated HosterAPI datacenter: its VMs, dedicated servers and jobs, the offers and templates
//! the docs list, and the data they are seeded with.

use super::flows::{BackupTask, Job};
use serde_json::{Value, json};
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

/// The docs name the `0xb0` failure but not the limits behind it; these are the simulator's.
pub(super) const MAX_CPU_CORES: u64 = 32;
pub(super) const MAX_MEM_MB: u64 = 262_144;
/// Not a documented limit: it keeps a typo'd ipCount from allocating millions of addresses.
pub(super) const MAX_IP_COUNT: u64 = 64;

pub(super) const VM_TEMPLATES: [&str; 2] = ["Debian10.0", "Ubuntu20.04"];
pub(super) const DEDICATED_TEMPLATES: [&str; 23] = [
    "CentOS 7 (latest) (DE)",
    "Debian 8 Jessie (DE)",
    "Debian 9 Stretch (DE)",
    "Ubuntu 16.04 LTS",
    "Ubuntu 18.04 LTS (DE)",
    "OpenSuse 42.3",
    "VMware ESXi 6.5 U1",
    "VMware ESXi 6.5 U2",
    "Debian 10 Buster (DE)",
    "Proxmox VE 6 (DE)",
    "Debian 10 Buster - Software RAID (DE)",
    "[COPY] Debian 10 Buster - Software RAID (DE) Test",
    "CentOS 7 (latest)",
    "Debian Jessie",
    "Debian Stretch",
    "Ubuntu 16.04 LTS",
    "Ubuntu 18.04 LTS",
    "OpenSuse 42.3",
    "VMware ESXi 6.5 U1",
    "VMware ESXi 6.5 U2",
    "Debian Buster",
    "Proxmox VE 6",
    "Ubuntu 20.04 LTS",
];
/// The docs show no 200 body for `software/list`; this `{package, name}` catalogue is modelled.
pub(super) const SOFTWARE: [(&str, &str); 2] = [("ts3", "TeamSpeak 3"), ("wordpress", "WordPress")];

pub(super) struct Datacenter {
    pub(super) job_duration: Duration,
    /// When the current request settled the datacenter: every view reads progress at this instant,
    /// so a job never reads "finished" before its side effects are applied.
    pub(super) now: Instant,
    pub(super) vms: BTreeMap<u64, Vm>,
    pub(super) jobs: BTreeMap<u64, Job>,
    pub(super) dedicated: BTreeMap<u64, Dedicated>,
    pub(super) next_vm_id: u64,
    pub(super) next_job_id: u64,
    pub(super) next_ip: u32,
}

#[derive(Clone)]
pub(super) struct VmSpec {
    pub(super) cpu_cores: u64,
    pub(super) mem: u64,
    pub(super) disk: String,
    pub(super) ips: Vec<String>,
    pub(super) template: String,
}

pub(super) struct Vm {
    pub(super) power: Power,
    pub(super) booted: Instant,
    pub(super) spec: VmSpec,
    /// Unix timestamps, newest first, as `backups/list` answers.
    pub(super) backups: Vec<u64>,
    pub(super) incidents: Vec<Value>,
    /// The latest backup or restore; `backups/status` reports on it.
    pub(super) backup_task: Option<BackupTask>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Power {
    Running,
    Stopped,
}

pub(super) struct Dedicated {
    pub(super) state: DedicatedState,
    pub(super) order_complete: bool,
    pub(super) template: String,
    pub(super) ips: Vec<String>,
    pub(super) password: String,
    pub(super) configuration: Value,
}

#[derive(Clone, Copy)]
pub(super) enum DedicatedState {
    Running,
    /// Reported as `halted`, the state the docs' status example shows.
    Stopped,
    Installing(Instant),
}

impl Datacenter {
    pub(super) fn seeded(job_duration: Duration) -> Datacenter {
        let now = Instant::now();
        let incident = |gid: u64| {
            json!({
                "gid": gid, "start": "2021-02-22 18:50:33", "stop": "2021-02-22 18:50:33",
                "host": "10.50.23.5", "direction": 1, "impact": 90107632,
                "types": ["NTP Amplification", "DNS Amplification"], "ongoing": 0
            })
        };
        let vm = |cpu_cores, mem, disk: &str, ips: &[&str], template: &str| {
            let ips = ips.iter().map(|ip| ip.to_string()).collect();
            let (disk, template) = (disk.into(), template.into());
            // Back-dated so the seeded VM's uptime reads like the docs' example.
            let booted = now.checked_sub(Duration::from_secs(1164)).unwrap_or(now);
            Vm::fresh(
                VmSpec {
                    cpu_cores,
                    mem,
                    disk,
                    ips,
                    template,
                },
                booted,
            )
        };
        let mut running = vm(2, 2048, "100G", &["127.0.0.1", "fe80::1"], "Ubuntu20.04");
        running.backups = vec![1606685300, 1606585800, 1606575200];
        running.incidents = vec![incident(117896), incident(215486)];
        let mut stopped = vm(1, 1024, "25G", &["127.0.0.2"], "Debian10.0");
        stopped.power = Power::Stopped;
        let owned = Dedicated {
            state: DedicatedState::Running,
            order_complete: true,
            template: "Debian Jessie".into(),
            ips: vec!["92.246.85.200".into()],
            password: "UOosKBueLhn8".into(),
            configuration: json!({
                "cpu": {"type": "Intel Xeon E5-2609 v1", "count": "1"},
                "ram": {"size": "16", "type": "DDR3 ECC"},
                "price": 0,
                "storage": {"size": "240", "type": "SSD", "count": "2"},
                "location": {"id": 2, "name": "SkyLink, Eygelshoven"}
            }),
        };
        Datacenter {
            job_duration,
            now,
            vms: BTreeMap::from([(4001, running), (4002, stopped)]),
            jobs: BTreeMap::new(),
            dedicated: BTreeMap::from([(9, owned)]),
            next_vm_id: 4003,
            next_job_id: 1,
            next_ip: 0,
        }
    }
}

impl Vm {
    pub(super) fn fresh(spec: VmSpec, now: Instant) -> Vm {
        Vm {
            power: Power::Running,
            booted: now,
            spec,
            backups: Vec::new(),
            incidents: Vec::new(),
            backup_task: None,
        }
    }

    pub(super) fn boot(&mut self, now: Instant) {
        self.power = Power::Running;
        self.booted = now;
    }

    pub(super) fn config(&self) -> Value {
        let s = &self.spec;
        json!({"cpuCores": s.cpu_cores, "mem": s.mem, "disk": s.disk, "ips": s.ips, "template": s.template})
    }

    /// Plausible live figures: memory use is a fixed share of the VM's size, traffic grows with uptime.
    pub(super) fn status(&self, now: Instant) -> Value {
        let total = self.spec.mem * 1024 * 1024;
        match self.power {
            Power::Running => {
                let uptime = now.saturating_duration_since(self.booted).as_secs();
                let used = total / 100 * 44;
                json!({
                    "cpu": 0.02, "mem": used, "memfree": total - used,
                    "netin": 52240 + uptime * 45, "netout": 47492 + uptime * 41,
                    "uptime": uptime, "state": "running"
                })
            }
            Power::Stopped => json!({
                "cpu": 0, "mem": 0, "memfree": total, "netin": 0, "netout": 0, "uptime": 0,
                "state": "stopped"
            }),
        }
    }
}

impl Dedicated {
    pub(super) fn state_name(&self) -> &'static str {
        match self.state {
            DedicatedState::Running => "running",
            DedicatedState::Stopped => "halted",
            DedicatedState::Installing(_) => "installing",
        }
    }

    pub(super) fn config(&self) -> Value {
        json!({
            "ssh": {
                "root": {"password": self.password},
                "user": {"username": "user", "password": self.password}
            },
            "ips": self.ips,
            "template": self.template,
            "configuration": self.configuration
        })
    }
}

/// The two offers the docs' market example lists.
pub(super) fn market() -> Value {
    json!([
        {
            "id": 9, "model": "HP ProLiant BL460c G8", "description": "",
            "configuration": {
                "cpu": {"type": "Intel Xeon E5-2609 v2", "count": "1"},
                "ram": {"type": "DDR3 ECC", "size": "32"},
                "storage": {"type": "SSD", "count": "2", "size": "250"},
                "price": 39,
                "location": {"id": 2, "name": "Maincubes, Frankfurt"}
            }
        },
        {
            "id": 84, "model": "Generic", "description": null,
            "configuration": {
                "cpu": {"type": "AMD Ryzen 7 3800X", "count": "1"},
                "ram": {"type": "DDR4 ECC", "size": "32 GB DDR4 ECC"},
                "storage": {"type": "NVMe", "count": "2", "size": "256"},
                "price": 139,
                "location": {"id": 1, "name": "Maincubes, Frankfurt"}
            }
        }
    ])
}
