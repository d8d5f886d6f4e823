//! The stateful HosterAPI simulator used by the adapter tests and `hostplane demo`: the 37 documented
//! routes over an in-memory datacenter (VMs, dedicated servers, jobs, backups) seeded with the data
//! the docs' examples show. Long-running work (jobs, backups, dedicated installs) advances with wall
//! time against `SimConfig::job_duration` and its side effects are settled lazily at the start of
//! every request, so no background task exists and the simulator works under any runtime.
//!
//! Where the docs are silent the behaviour is modelled on what the request and resource imply; each
//! such place says so in a comment.

use crate::SimServer;
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Request, State},
    http::{HeaderMap, StatusCode, Uri, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use hostplane_adapters::hosterapi::envelope::{error_body, success};
use serde_json::{Map, Value, json};
use std::{
    collections::BTreeMap,
    hash::{BuildHasher, RandomState},
    net::Ipv4Addr,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// The docs name the `0xb0` failure but not the limits behind it; these are the simulator's.
const MAX_CPU_CORES: u64 = 32;
const MAX_MEM_MB: u64 = 262_144;
/// Not a documented limit: it keeps a typo'd ipCount from allocating millions of addresses.
const MAX_IP_COUNT: u64 = 64;
const LIMITS_EXCEEDED: &str = "0xb0: Requested resources exceed administrative limits";
/// The progress at which an over-limit job fails, as in the docs' failed-job example.
const FAIL_AT: f64 = 0.33;
/// The share of the duration timed work stays queued/pending before it visibly moves.
const QUEUED_SHARE: f64 = 0.1;

const VM_TEMPLATES: [&str; 2] = ["Debian10.0", "Ubuntu20.04"];
const DEDICATED_TEMPLATES: [&str; 23] = [
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
const SOFTWARE: [(&str, &str); 2] = [("ts3", "TeamSpeak 3"), ("wordpress", "WordPress")];

/// How the simulator authenticates callers and paces its long-running work.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub token: String,
    pub job_duration: Duration,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        SimConfig {
            token: "sim-hosterapi-token".into(),
            job_duration: Duration::from_secs(3),
        }
    }
}

/// A handle on one simulated HosterAPI account; clones share the same datacenter.
#[derive(Clone)]
pub struct Simulator {
    token: Arc<str>,
    state: Arc<Mutex<Datacenter>>,
}

impl Simulator {
    /// A simulator seeded with the demo data.
    pub fn new(config: SimConfig) -> Simulator {
        Simulator {
            token: config.token.into(),
            state: Arc::new(Mutex::new(Datacenter::seeded(config.job_duration))),
        }
    }

    /// All 37 documented routes, each behind the bearer-token check.
    pub fn router(&self) -> Router {
        routes()
            .route_layer(middleware::from_fn_with_state(self.clone(), authorize))
            .with_state(self.clone())
    }

    /// Serves a new simulator on a free loopback port.
    pub async fn start(config: SimConfig) -> std::io::Result<(Simulator, SimServer)> {
        let sim = Simulator::new(config);
        let server = SimServer::start(sim.router(), ([127, 0, 0, 1], 0).into()).await?;
        Ok((sim, server))
    }

    /// The ids `GET /api/v1/datacenter/server` would list right now.
    pub fn vm_ids(&self) -> Vec<u64> {
        self.lock().vms.keys().copied().collect()
    }

    /// Locks the datacenter with all due work settled, so every handler sees the present.
    fn lock(&self) -> MutexGuard<'_, Datacenter> {
        let mut dc = self
            .state
            .lock()
            .expect("hosterapi simulator state lock poisoned");
        dc.settle(Instant::now());
        dc
    }
}

// ---------------------------------------------------------------------------------------------
// State

struct Datacenter {
    job_duration: Duration,
    /// When the current request settled the datacenter: every view reads progress at this instant,
    /// so a job never reads "finished" before its side effects are applied.
    now: Instant,
    vms: BTreeMap<u64, Vm>,
    jobs: BTreeMap<u64, Job>,
    dedicated: BTreeMap<u64, Dedicated>,
    next_vm_id: u64,
    next_job_id: u64,
    next_ip: u32,
}

#[derive(Clone)]
struct VmSpec {
    cpu_cores: u64,
    mem: u64,
    disk: String,
    ips: Vec<String>,
    template: String,
}

struct Vm {
    power: Power,
    booted: Instant,
    spec: VmSpec,
    /// Unix timestamps, newest first, as `backups/list` answers.
    backups: Vec<u64>,
    incidents: Vec<Value>,
    /// The latest backup or restore; `backups/status` reports on it.
    backup_task: Option<BackupTask>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Power {
    Running,
    Stopped,
}

struct BackupTask {
    kind: BackupKind,
    started: Instant,
    applied: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BackupKind {
    Create,
    Restore,
}

struct Job {
    started: Instant,
    kind: JobKind,
    applied: bool,
}

enum JobKind {
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

struct Dedicated {
    state: DedicatedState,
    order_complete: bool,
    template: String,
    ips: Vec<String>,
    password: String,
    configuration: Value,
}

#[derive(Clone, Copy)]
enum DedicatedState {
    Running,
    /// Reported as `halted`, the state the docs' status example shows.
    Stopped,
    Installing(Instant),
}

impl Datacenter {
    fn seeded(job_duration: Duration) -> Datacenter {
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

    /// Applies the side effects of every job, backup and install that has come due.
    fn settle(&mut self, now: Instant) {
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

    fn queue_job(&mut self, kind: JobKind) -> Value {
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

impl Vm {
    fn fresh(spec: VmSpec, now: Instant) -> Vm {
        Vm {
            power: Power::Running,
            booted: now,
            spec,
            backups: Vec::new(),
            incidents: Vec::new(),
            backup_task: None,
        }
    }

    fn boot(&mut self, now: Instant) {
        self.power = Power::Running;
        self.booted = now;
    }

    fn config(&self) -> Value {
        let s = &self.spec;
        json!({"cpuCores": s.cpu_cores, "mem": s.mem, "disk": s.disk, "ips": s.ips, "template": s.template})
    }

    /// Plausible live figures: memory use is a fixed share of the VM's size, traffic grows with uptime.
    fn status(&self, now: Instant) -> Value {
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

impl Job {
    fn view(&self, now: Instant, d: Duration) -> Value {
        let f = fraction(self.started, now, d);
        let failing = matches!(self.kind, JobKind::OverLimits);
        if f < QUEUED_SHARE {
            json!({"status": "queued", "progress": 0, "output": null})
        } else if failing && f >= FAIL_AT {
            json!({"status": "failed", "progress": FAIL_AT, "output": LIMITS_EXCEEDED})
        } else if f < 1.0 {
            json!({"status": "executing", "progress": partial(f), "output": null})
        } else {
            json!({"status": "finished", "progress": 1, "output": self.output()})
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
    fn view(&self, now: Instant, d: Duration) -> Value {
        let f = fraction(self.started, now, d);
        let mut view = if f < QUEUED_SHARE {
            json!({"status": "pending", "progress": 0})
        } else if f < 1.0 {
            json!({"status": "running", "progress": partial(f)})
        } else {
            json!({"status": "finished", "progress": 1})
        };
        // The docs show one status shape for both tasks; marking restores lets callers tell them apart.
        if self.kind == BackupKind::Restore {
            view["type"] = json!("restore");
        }
        view
    }
}

impl Dedicated {
    fn state_name(&self) -> &'static str {
        match self.state {
            DedicatedState::Running => "running",
            DedicatedState::Stopped => "halted",
            DedicatedState::Installing(_) => "installing",
        }
    }

    fn config(&self) -> Value {
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
fn market() -> Value {
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

// ---------------------------------------------------------------------------------------------
// Route table

fn routes() -> Router<Simulator> {
    let dedicated = Router::new()
        .route("/market", get(dedicated_market))
        .route("/templates", get(dedicated_templates))
        .route("/order", post(dedicated_order))
        .route("/{sid}/start", put(dedicated_power))
        .route("/{sid}/shutdown", put(dedicated_power))
        .route("/{sid}/reboot", put(dedicated_power))
        .route("/{sid}/reinstall", put(dedicated_reinstall))
        .route("/{sid}/console", get(dedicated_console))
        .route("/{sid}/status", get(dedicated_status))
        .route("/{sid}/config", get(dedicated_config))
        .route("/{sid}/terminate", post(dedicated_terminate));
    let server = Router::new()
        .route("/{sid}/status", get(vm_status))
        .route("/{sid}/config", get(vm_config))
        .route("/{sid}/incidents", get(vm_incidents))
        .route("/{sid}/console", get(vm_console))
        .route("/{sid}/delete", post(vm_delete))
        .route("/{sid}/rdns", post(vm_rdns))
        .route("/{sid}/change", put(vm_change))
        .route("/{sid}/start", put(vm_power))
        .route("/{sid}/shutdown", put(vm_power))
        .route("/{sid}/stop", put(vm_power))
        .route("/{sid}/reboot", put(vm_power))
        .route("/{sid}/reboot/force", put(vm_power))
        .route("/{sid}/reinstall", put(vm_reinstall))
        .route("/{sid}/password/reset", put(vm_password_reset))
        .route("/{sid}/backups/list", get(backups_list))
        .route("/{sid}/backups/status", get(backups_status))
        .route("/{sid}/backups/create", put(backups_create))
        .route("/{sid}/backups/restore", post(backups_restore));
    Router::new()
        .route("/api/v1/datacenter/dedicated", get(dedicated_list))
        .nest("/api/v1/datacenter/dedicated", dedicated)
        .route("/api/v1/job/{job_id}", get(job))
        .route("/api/v1/datacenter/server", get(vm_list).post(vm_create))
        .nest("/api/v1/datacenter/server", server)
        .route("/api/v1/datacenter/templates", get(vm_templates))
        .route("/api/v1/software/list", get(software_list))
        .route("/api/v1/software/install", post(software_install))
        .route("/api/v1/software/uninstall", post(software_install))
}

/// The power signal a request carries: its path after the server id (`start`, `reboot/force`, ...).
fn signal_of<'a>(uri: &'a Uri, sid: &str) -> &'a str {
    let path = uri.path();
    path.rfind(&format!("/{sid}/"))
        .map_or("", |at| &path[at + sid.len() + 2..])
}

async fn authorize(State(sim): Sim, req: Request, next: Next) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if presented == Some(&*sim.token) {
        next.run(req).await
    } else {
        Fail(StatusCode::UNAUTHORIZED, "0x03: unauthorized".into()).into_response()
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers: dedicated servers

async fn dedicated_market() -> Reply {
    ok(market())
}

async fn dedicated_templates() -> Reply {
    ok(json!(DEDICATED_TEMPLATES))
}

async fn dedicated_list(State(sim): Sim) -> Reply {
    let dc = sim.lock();
    let owned: Vec<Value> = dc
        .dedicated
        .iter()
        .map(|(id, s)| json!({"id": id, "orderComplete": s.order_complete}))
        .collect();
    ok(json!(owned))
}

/// Owned servers keep the id of the offer they were bought from, as the docs' examples show (offer 9,
/// owned server 9); so an offer already owned cannot be ordered again (modelled).
async fn dedicated_order(State(sim): Sim, body: Bytes) -> Reply {
    let body = parse_body(&body)?;
    let id = int_param(&body, "id")?;
    let template = text_param(&body, "template")?;
    // The docs type ipCount as a string and their example sends "2"; numbers are accepted too.
    let ip_count = match optional(&body, "ipCount") {
        Some(Value::String(s)) => s.trim().parse().map_err(|_| invalid("ipCount"))?,
        Some(v) => integer(v, "ipCount")?,
        None => 1,
    };
    if ip_count > MAX_IP_COUNT {
        return Err(bad(LIMITS_EXCEEDED));
    }
    let offer = market()
        .as_array()
        .and_then(|offers| offers.iter().find(|o| o["id"] == id).cloned())
        .ok_or_else(|| no_vm(id))?;
    let mut guard = sim.lock();
    let dc = &mut *guard;
    if dc.dedicated.contains_key(&id) {
        return Err(internal(format!("0xa1: server {id} is already ordered")));
    }
    let server = Dedicated {
        state: DedicatedState::Installing(dc.now),
        order_complete: false,
        template,
        ips: fresh_ips(&mut dc.next_ip, ip_count),
        password: random_password(),
        configuration: offer["configuration"].clone(),
    };
    dc.dedicated.insert(id, server);
    ok(json!(true))
}

/// A server that is still being installed cannot take power signals (modelled, with the docs' 0xa1).
async fn dedicated_power(State(sim): Sim, Path(sid): Sid, uri: Uri) -> Reply {
    let mut dc = sim.lock();
    let server = find(&mut dc.dedicated, &sid)?;
    let signal = signal_of(&uri, &sid);
    if matches!(server.state, DedicatedState::Installing(_)) {
        return Err(internal(format!(
            "0xa1: failed to send {signal} signal to vm"
        )));
    }
    server.state = match signal {
        "shutdown" => DedicatedState::Stopped,
        _ => DedicatedState::Running,
    };
    ok(json!(true))
}

async fn dedicated_reinstall(State(sim): Sim, Path(sid): Sid, body: Bytes) -> Reply {
    let mut dc = sim.lock();
    let now = dc.now;
    let server = find(&mut dc.dedicated, &sid)?;
    let body = parse_body(&body)?;
    server.template = text_param(&body, "template")?;
    server.state = DedicatedState::Installing(now);
    ok(json!(true))
}

async fn dedicated_console(State(sim): Sim, Path(sid): Sid, headers: HeaderMap) -> Reply {
    let mut dc = sim.lock();
    find(&mut dc.dedicated, &sid)?;
    ok(json!(console_url(&headers, "dedicated", &sid)))
}

async fn dedicated_status(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    let server = find(&mut dc.dedicated, &sid)?;
    ok(json!({"state": server.state_name()}))
}

async fn dedicated_config(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    ok(find(&mut dc.dedicated, &sid)?.config())
}

async fn dedicated_terminate(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    find(&mut dc.dedicated, &sid)?;
    dc.dedicated
        .remove(&sid.parse().expect("find accepted a numeric id"));
    ok(json!(true))
}

// ---------------------------------------------------------------------------------------------
// Handlers: jobs, VMs, backups, software

async fn job(State(sim): Sim, Path(job_id): Path<String>) -> Reply {
    let dc = sim.lock();
    let unknown = || not_found("0xc1: job not found");
    let id: u64 = job_id.parse().map_err(|_| unknown())?;
    let job = dc.jobs.get(&id).ok_or_else(unknown)?;
    ok(job.view(dc.now, dc.job_duration))
}

async fn vm_list(State(sim): Sim) -> Reply {
    ok(json!(sim.vm_ids()))
}

async fn vm_templates() -> Reply {
    ok(json!(VM_TEMPLATES))
}

/// Parameters are checked in the documented order, so the first missing one is the one named.
async fn vm_create(State(sim): Sim, body: Bytes) -> Reply {
    let body = parse_body(&body)?;
    let template = text_param(&body, "template")?;
    let cpu_cores = int_param(&body, "cpuCores")?;
    let mem = int_param(&body, "mem")?;
    let disk = text_param(&body, "disk")?;
    disk_bytes(&disk).ok_or_else(|| invalid("disk"))?;
    let ip_count = int_param(&body, "ipCount")?;
    let mut guard = sim.lock();
    let dc = &mut *guard;
    if cpu_cores > MAX_CPU_CORES || mem > MAX_MEM_MB || ip_count > MAX_IP_COUNT {
        return ok(dc.queue_job(JobKind::OverLimits));
    }
    let vmid = dc.next_vm_id;
    dc.next_vm_id += 1;
    let ips = fresh_ips(&mut dc.next_ip, ip_count);
    let spec = VmSpec {
        cpu_cores,
        mem,
        disk,
        ips,
        template,
    };
    ok(dc.queue_job(JobKind::CreateVm {
        vmid,
        spec,
        password: random_password(),
    }))
}

async fn vm_status(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    let now = dc.now;
    ok(find(&mut dc.vms, &sid)?.status(now))
}

async fn vm_config(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    ok(find(&mut dc.vms, &sid)?.config())
}

/// The one endpoint the docs answer with `{"response": ..., "error": false}` instead of `result`.
async fn vm_incidents(State(sim): Sim, Path(sid): Sid) -> Result<Json<Value>, Fail> {
    let mut dc = sim.lock();
    let vm = find(&mut dc.vms, &sid)?;
    Ok(Json(json!({"response": vm.incidents, "error": false})))
}

async fn vm_console(State(sim): Sim, Path(sid): Sid, headers: HeaderMap) -> Reply {
    let mut dc = sim.lock();
    find(&mut dc.vms, &sid)?;
    ok(json!(console_url(&headers, "pve-sim", &sid)))
}

/// Deleting a running VM without `force` is refused (modelled on the documented `force` flag).
async fn vm_delete(State(sim): Sim, Path(sid): Sid, body: Bytes) -> Reply {
    let mut dc = sim.lock();
    let vm = find(&mut dc.vms, &sid)?;
    let body = parse_body(&body)?;
    let force = optional(&body, "force")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if vm.power == Power::Running && !force {
        return Err(internal("0xa1: vm is running, use force"));
    }
    dc.vms
        .remove(&sid.parse().expect("find accepted a numeric id"));
    ok(json!(true))
}

/// The docs say IPv4 only; the IP must also be one of the VM's own (both checks modelled).
async fn vm_rdns(State(sim): Sim, Path(sid): Sid, body: Bytes) -> Reply {
    let mut dc = sim.lock();
    let vm = find(&mut dc.vms, &sid)?;
    let body = parse_body(&body)?;
    let ip = text_param(&body, "ip")?;
    text_param(&body, "hostname")?;
    if ip.parse::<Ipv4Addr>().is_err() {
        return Err(bad("0xb1: RDNS can only be set for IPv4 addresses"));
    }
    if !vm.spec.ips.contains(&ip) {
        return Err(bad(format!("0xb1: ip {ip} is not assigned to vm {sid}")));
    }
    ok(json!(true))
}

/// The docs give no response body; `true` is modelled. Fewer IPs are silently ignored, as documented.
async fn vm_change(State(sim): Sim, Path(sid): Sid, body: Bytes) -> Reply {
    let mut guard = sim.lock();
    let dc = &mut *guard;
    let vm = find(&mut dc.vms, &sid)?;
    let body = parse_body(&body)?;
    let int = |name| optional(&body, name).map(|v| integer(v, name)).transpose();
    let cpu_cores = int("cpuCores")?.unwrap_or(vm.spec.cpu_cores);
    let mem = int("mem")?.unwrap_or(vm.spec.mem);
    let ip_count = int("ipCount")?.unwrap_or(0);
    let disk = optional(&body, "disk")
        .map(|v| text(v, "disk"))
        .transpose()?;
    if cpu_cores > MAX_CPU_CORES || mem > MAX_MEM_MB || ip_count > MAX_IP_COUNT {
        return Err(bad(LIMITS_EXCEEDED));
    }
    if let Some(disk) = &disk {
        let wanted = disk_bytes(disk).ok_or_else(|| invalid("disk"))?;
        if disk_bytes(&vm.spec.disk).is_some_and(|current| wanted < current) {
            return Err(bad("0xb1: Downgrading disk size is not allowed"));
        }
    }
    vm.spec.cpu_cores = cpu_cores;
    vm.spec.mem = mem;
    if let Some(disk) = disk {
        vm.spec.disk = disk;
    }
    let extra = ip_count.saturating_sub(vm.spec.ips.len() as u64);
    vm.spec.ips.extend(fresh_ips(&mut dc.next_ip, extra));
    ok(json!(true))
}

/// Graceful signals need a running guest to receive them, so they fail on a stopped VM (modelled).
async fn vm_power(State(sim): Sim, Path(sid): Sid, uri: Uri) -> Reply {
    let mut dc = sim.lock();
    let now = dc.now;
    let vm = find(&mut dc.vms, &sid)?;
    match signal_of(&uri, &sid) {
        graceful @ ("shutdown" | "reboot") if vm.power == Power::Stopped => {
            return Err(internal(format!(
                "0xa1: failed to send {graceful} signal to vm"
            )));
        }
        "start" if vm.power == Power::Running => {}
        "shutdown" | "stop" => vm.power = Power::Stopped,
        _ => vm.boot(now),
    }
    ok(json!(true))
}

/// Without a template the VM is reinstalled with the one it has, as the docs describe.
async fn vm_reinstall(State(sim): Sim, Path(sid): Sid, body: Bytes) -> Reply {
    let mut dc = sim.lock();
    let vm = find(&mut dc.vms, &sid)?;
    let current = vm.spec.template.clone();
    let body = parse_body(&body)?;
    let template = match optional(&body, "template") {
        Some(v) => text(v, "template")?,
        None => current,
    };
    let sid = sid.parse().expect("find accepted a numeric id");
    ok(dc.queue_job(JobKind::Reinstall { sid, template }))
}

async fn vm_password_reset(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    find(&mut dc.vms, &sid)?;
    ok(json!({"status": "success", "password": random_password()}))
}

async fn backups_list(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    ok(json!(find(&mut dc.vms, &sid)?.backups))
}

/// A VM that never ran a backup task reports `none` (modelled: the docs show only `pending`).
async fn backups_status(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    let (now, d) = (dc.now, dc.job_duration);
    let vm = find(&mut dc.vms, &sid)?;
    ok(match &vm.backup_task {
        Some(task) => task.view(now, d),
        None => json!({"status": "none", "progress": 0}),
    })
}

async fn backups_create(State(sim): Sim, Path(sid): Sid) -> Reply {
    let mut dc = sim.lock();
    let now = dc.now;
    start_backup_task(find(&mut dc.vms, &sid)?, BackupKind::Create, now)?;
    ok(json!(true))
}

/// An unknown backup timestamp answers 404 `0x01: no backup {ts} found` (modelled on the not-found
/// code). The restore itself changes nothing visible beyond the task status.
async fn backups_restore(State(sim): Sim, Path(sid): Sid, body: Bytes) -> Reply {
    let mut dc = sim.lock();
    let now = dc.now;
    let vm = find(&mut dc.vms, &sid)?;
    let body = parse_body(&body)?;
    let no_target = || bad("0xa5: no target backup defined");
    let ts = optional(&body, "backup")
        .and_then(Value::as_u64)
        .ok_or_else(no_target)?;
    if !vm.backups.contains(&ts) {
        return Err(not_found(format!("0x01: no backup {ts} found")));
    }
    start_backup_task(vm, BackupKind::Restore, now)?;
    ok(json!("pending"))
}

async fn software_list() -> Reply {
    let catalogue: Vec<Value> = SOFTWARE
        .iter()
        .map(|(package, name)| json!({"package": package, "name": name}))
        .collect();
    ok(json!(catalogue))
}

/// Serves install and uninstall alike: both queue a job against a VM named by id or by one of its
/// IPs. The password is not checked against the VM, and an unknown package answers 404 (modelled).
async fn software_install(State(sim): Sim, body: Bytes) -> Reply {
    let body = parse_body(&body)?;
    let target = match required(&body, "sid|ip")? {
        Value::Number(n) => n.to_string(),
        v => text(v, "sid|ip")?,
    };
    let package = text_param(&body, "package")?;
    text_param(&body, "password")?;
    let mut dc = sim.lock();
    let sid = dc
        .vms
        .iter()
        .find(|(id, vm)| id.to_string() == target || vm.spec.ips.contains(&target))
        .map(|(id, _)| *id)
        .ok_or_else(|| no_vm(&target))?;
    if !SOFTWARE.iter().any(|(p, _)| *p == package) {
        return Err(not_found(format!("0x01: no package {package} found")));
    }
    ok(dc.queue_job(JobKind::Software { sid, package }))
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A HosterAPI error: the status and the `0xNN: message` text of `{"result": false, "error": ...}`.
struct Fail(StatusCode, String);

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        (self.0, Json(error_body(&self.1))).into_response()
    }
}

type Reply = Result<Json<Value>, Fail>;
type Sim = State<Simulator>;
type Sid = Path<String>;

fn ok(result: Value) -> Reply {
    Ok(Json(success(result)))
}

fn bad(error: impl Into<String>) -> Fail {
    Fail(StatusCode::BAD_REQUEST, error.into())
}

fn not_found(error: impl Into<String>) -> Fail {
    Fail(StatusCode::NOT_FOUND, error.into())
}

fn internal(error: impl Into<String>) -> Fail {
    Fail(StatusCode::INTERNAL_SERVER_ERROR, error.into())
}

fn no_vm(sid: impl std::fmt::Display) -> Fail {
    not_found(format!("0x01: no vm with id {sid} found"))
}

/// The docs name no error for a present but ill-typed parameter; this one is modelled.
fn invalid(name: &str) -> Fail {
    bad(format!("0xb1: Invalid parameter {name}"))
}

/// The VM or dedicated server a path's `{sid}` names; VMs and dedicated servers share the error.
fn find<'a, T>(servers: &'a mut BTreeMap<u64, T>, sid: &str) -> Result<&'a mut T, Fail> {
    sid.parse()
        .ok()
        .and_then(|id| servers.get_mut(&id))
        .ok_or_else(|| no_vm(sid))
}

fn start_backup_task(vm: &mut Vm, kind: BackupKind, now: Instant) -> Result<(), Fail> {
    // One backup task at a time per VM (modelled: the single status endpoint implies it).
    if vm.backup_task.as_ref().is_some_and(|t| !t.applied) {
        return Err(internal(
            "0xa1: a backup task is already running on this vm",
        ));
    }
    vm.backup_task = Some(BackupTask {
        kind,
        started: now,
        applied: false,
    });
    Ok(())
}

/// An empty body reads as no parameters, so body-less PUTs and POSTs need no `{}`.
fn parse_body(bytes: &Bytes) -> Result<Map<String, Value>, Fail> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("0xb1: invalid JSON body")),
    }
}

/// HosterAPI is a Laravel app, whose `required` rule also rejects null and empty strings.
fn optional<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name)
        .filter(|v| !v.is_null() && v.as_str() != Some(""))
}

fn required<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a Value, Fail> {
    optional(body, name).ok_or_else(|| bad(format!("0xb1: Missing required parameter {name}")))
}

fn text_param(body: &Map<String, Value>, name: &str) -> Result<String, Fail> {
    text(required(body, name)?, name)
}

fn int_param(body: &Map<String, Value>, name: &str) -> Result<u64, Fail> {
    integer(required(body, name)?, name)
}

fn integer(v: &Value, name: &str) -> Result<u64, Fail> {
    v.as_u64().ok_or_else(|| invalid(name))
}

fn text(v: &Value, name: &str) -> Result<String, Fail> {
    v.as_str().map(str::to_string).ok_or_else(|| invalid(name))
}

/// A disk size like `"10G"` in bytes; a bare number counts as gigabytes, as HosterAPI's sizes are.
fn disk_bytes(disk: &str) -> Option<u64> {
    let disk = disk.trim();
    let split = disk
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(disk.len());
    let (digits, unit) = disk.split_at(split);
    let shift = match unit.to_ascii_uppercase().as_str() {
        "K" => 10,
        "M" => 20,
        "G" | "" => 30,
        "T" => 40,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// Addresses from 10.40.0.0/16, so simulated IPs never collide with the seeded ones.
fn fresh_ips(next: &mut u32, count: u64) -> Vec<String> {
    (0..count)
        .map(|_| {
            let n = *next;
            *next += 1;
            format!("10.40.{}.{}", n / 250 % 256, n % 250 + 1)
        })
        .collect()
}

/// A noVNC URL on the host the caller reached the simulator by, with a fresh one-off ticket.
fn console_url(headers: &HeaderMap, node: &str, sid: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let ticket = format!("{:016X}{:016X}", random_u64(), random_u64());
    format!(
        "http://{host}/novnc/vnc.html?host={host}&password=PVEVNC%3A{ticket}\
         &path=novnc%2Fproxy%2F{node}%2F{sid}%2F%3Fport%3D5900%26vncticket%3DPVEVNC%253A{ticket}"
    )
}

/// Random enough for passwords and tickets without a `rand` dependency: std's SipHash keys are
/// seeded randomly per process, and a counter keeps successive values distinct.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one(COUNTER.fetch_add(1, Ordering::Relaxed))
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..12)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

/// How far timed work has come: 0 when started, 1 once the duration has passed.
fn fraction(started: Instant, now: Instant, d: Duration) -> f64 {
    if d.is_zero() {
        return 1.0;
    }
    (now.saturating_duration_since(started).as_secs_f64() / d.as_secs_f64()).min(1.0)
}

/// In-flight progress to two decimals, never reading as not-started or done.
fn partial(f: f64) -> f64 {
    ((f * 100.0).round() / 100.0).clamp(0.01, 0.99)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// ---------------------------------------------------------------------------------------------
// Tests

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "test-token";

    /// A running simulator and a caller that authenticates and prefixes `/api/v1/`.
    struct Api {
        sim: Simulator,
        server: SimServer,
        client: reqwest::Client,
    }

    impl Api {
        async fn boot(job_ms: u64) -> Api {
            let job_duration = Duration::from_millis(job_ms);
            let config = SimConfig {
                token: TOKEN.into(),
                job_duration,
            };
            let (sim, server) = Simulator::start(config).await.unwrap();
            Api {
                sim,
                server,
                client: reqwest::Client::new(),
            }
        }

        fn url(&self, path: &str) -> String {
            format!("{}/api/v1/{path}", self.server.base_url())
        }

        async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
            let resp = req.bearer_auth(TOKEN).send().await.unwrap();
            (resp.status().as_u16(), resp.json().await.unwrap())
        }

        async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let req = self.client.request(method, self.url(path));
            self.send(match body {
                Some(body) => req.json(&body),
                None => req,
            })
            .await
        }

        async fn get(&self, path: &str) -> Value {
            self.call("GET", path, None).await.1
        }
    }

    async fn sleep_ms(ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    /// A missing or wrong bearer token gets the documented 401 body.
    #[tokio::test]
    async fn unauthorized() {
        let api = Api::boot(300).await;
        let (top, nested) = (
            api.url("datacenter/server"),
            api.url("datacenter/server/4001/status"),
        );
        let client = &api.client;
        for req in [client.get(&top), client.get(&nested).bearer_auth("wrong")] {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status().as_u16(), 401);
            let body: Value = resp.json().await.unwrap();
            assert_eq!(
                body,
                json!({"result": false, "error": "0x03: unauthorized"})
            );
        }
    }

    /// The seeded VMs are listed and the seeded one's config and incidents match the docs.
    #[tokio::test]
    async fn lists_seeded_vms() {
        let api = Api::boot(300).await;
        assert_eq!(
            api.get("datacenter/server").await,
            json!({"result": [4001, 4002]})
        );
        assert_eq!(api.sim.vm_ids(), vec![4001, 4002]);
        let config = json!({
            "cpuCores": 2, "mem": 2048, "disk": "100G", "ips": ["127.0.0.1", "fe80::1"],
            "template": "Ubuntu20.04"
        });
        assert_eq!(
            api.get("datacenter/server/4001/config").await,
            success(config)
        );
        let incidents = api.get("datacenter/server/4001/incidents").await;
        assert_eq!(incidents["error"], json!(false));
        assert_eq!(incidents["response"].as_array().unwrap().len(), 2);
    }

    /// Unknown and non-numeric VM ids, and unknown jobs, get the documented 404 bodies.
    #[tokio::test]
    async fn unknown_ids_are_404() {
        let api = Api::boot(300).await;
        for sid in ["4010", "abc"] {
            let got = api
                .call("GET", &format!("datacenter/server/{sid}/status"), None)
                .await;
            let error = format!("0x01: no vm with id {sid} found");
            assert_eq!(got, (404, error_body(&error)));
        }
        let got = api.call("GET", "job/99", None).await;
        assert_eq!(got, (404, error_body("0xc1: job not found")));
    }

    /// A missing body parameter and an unparsable body get the documented 400 bodies.
    #[tokio::test]
    async fn bad_bodies_are_400() {
        let api = Api::boot(300).await;
        let body = json!({"cpuCores": 2, "mem": 2048, "disk": "10G", "ipCount": 1});
        let got = api.call("POST", "datacenter/server", Some(body)).await;
        assert_eq!(
            got,
            (400, error_body("0xb1: Missing required parameter template"))
        );
        let garbled = api
            .client
            .post(api.url("datacenter/server"))
            .body("{not json");
        let got = api.send(garbled).await;
        assert_eq!(got, (400, error_body("0xb1: invalid JSON body")));
    }

    /// A create-VM job goes queued -> executing -> finished, and only then does the VM exist.
    #[tokio::test]
    async fn create_vm_job_progresses() {
        let api = Api::boot(1000).await;
        let body = json!({"template": "Debian10.0", "cpuCores": 4, "mem": 2048, "disk": "10G", "ipCount": 2});
        let (status, queued) = api.call("POST", "datacenter/server", Some(body)).await;
        let job_id = queued["result"]["jobId"].as_u64().unwrap();
        let expected = json!({"status": "queued", "jobId": job_id, "progress": 0});
        assert_eq!((status, queued), (200, success(expected)));
        let path = format!("job/{job_id}");
        let queued = json!({"status": "queued", "progress": 0, "output": null});
        assert_eq!(api.get(&path).await, success(queued));

        sleep_ms(400).await;
        let executing = api.get(&path).await["result"].clone();
        assert_eq!(executing["status"], "executing");
        let progress = executing["progress"].as_f64().unwrap();
        assert!(progress > 0.0 && progress < 1.0, "{progress}");
        assert_eq!(api.sim.vm_ids(), vec![4001, 4002]);

        sleep_ms(700).await;
        let done = api.get(&path).await["result"].clone();
        assert_eq!(
            (&done["status"], &done["progress"]),
            (&json!("finished"), &json!(1))
        );
        let out = &done["output"];
        assert_eq!((&out["vmid"], &out["user"]), (&json!(4003), &json!("root")));
        assert_eq!(out["ips"].as_array().unwrap().len(), 2);
        assert_eq!(out["password"].as_str().unwrap().len(), 12);
        assert_eq!(
            api.get("datacenter/server").await,
            success(json!([4001, 4002, 4003]))
        );
        assert_eq!(
            api.get("datacenter/server/4003/status").await["result"]["state"],
            "running"
        );
    }

    /// A VM over the resource limits fails its job at 0.33 with `0xb0` and is never created.
    #[tokio::test]
    async fn over_limit_job_fails() {
        let api = Api::boot(300).await;
        let body = json!({"template": "Debian10.0", "cpuCores": 64, "mem": 2048, "disk": "10G", "ipCount": 1});
        let (_, queued) = api.call("POST", "datacenter/server", Some(body)).await;
        let job_id = queued["result"]["jobId"].as_u64().unwrap();
        sleep_ms(350).await;
        let failed = json!({"status": "failed", "progress": 0.33, "output": LIMITS_EXCEEDED});
        assert_eq!(api.get(&format!("job/{job_id}")).await, success(failed));
        assert_eq!(api.sim.vm_ids(), vec![4001, 4002]);
    }

    /// A backup goes pending -> running -> finished, then heads the list and can be restored.
    #[tokio::test]
    async fn backup_cycle() {
        let api = Api::boot(1000).await;
        let status = "datacenter/server/4001/backups/status";
        assert_eq!(
            api.get(status).await,
            success(json!({"status": "none", "progress": 0}))
        );
        let created = api
            .call("PUT", "datacenter/server/4001/backups/create", None)
            .await;
        assert_eq!(created, (200, success(json!(true))));
        assert_eq!(
            api.get(status).await,
            success(json!({"status": "pending", "progress": 0}))
        );
        sleep_ms(400).await;
        assert_eq!(api.get(status).await["result"]["status"], "running");
        sleep_ms(700).await;
        assert_eq!(
            api.get(status).await,
            success(json!({"status": "finished", "progress": 1}))
        );
        let list = api.get("datacenter/server/4001/backups/list").await["result"].clone();
        assert_eq!(list.as_array().unwrap().len(), 4);
        assert!(list[0].as_u64().unwrap() > 1606685300);

        let restore = "datacenter/server/4001/backups/restore";
        let got = api.call("POST", restore, None).await;
        assert_eq!(got, (400, error_body("0xa5: no target backup defined")));
        let got = api.call("POST", restore, Some(json!({"backup": 1}))).await;
        assert_eq!(got, (404, error_body("0x01: no backup 1 found")));
        let got = api
            .call("POST", restore, Some(json!({"backup": list[1]})))
            .await;
        assert_eq!(got, (200, success(json!("pending"))));
        assert_eq!(api.get(status).await["result"]["type"], "restore");
    }

    /// An ordered dedicated server is listed at once as incomplete and completes after the duration.
    #[tokio::test]
    async fn dedicated_order_completes() {
        let api = Api::boot(300).await;
        let order = json!({"id": 84, "template": "Debian Buster", "ipCount": "2"});
        let got = api
            .call("POST", "datacenter/dedicated/order", Some(order))
            .await;
        assert_eq!(got, (200, success(json!(true))));
        let owned = json!([{"id": 9, "orderComplete": true}, {"id": 84, "orderComplete": false}]);
        assert_eq!(api.get("datacenter/dedicated").await, success(owned));
        let status = api.get("datacenter/dedicated/84/status").await;
        assert_eq!(status, success(json!({"state": "installing"})));
        sleep_ms(350).await;
        let owned = api.get("datacenter/dedicated").await;
        assert_eq!(owned["result"][1], json!({"id": 84, "orderComplete": true}));
        let config = api.get("datacenter/dedicated/84/config").await["result"].clone();
        assert_eq!(config["ips"].as_array().unwrap().len(), 2);
        assert_eq!(config["configuration"]["price"], 139);
        let unknown = json!({"id": 5, "template": "Debian Buster"});
        let got = api
            .call("POST", "datacenter/dedicated/order", Some(unknown))
            .await;
        assert_eq!(got, (404, error_body("0x01: no vm with id 5 found")));
    }

    /// Power signals move a VM between states; graceful ones and unforced deletes are refused.
    #[tokio::test]
    async fn vm_power_and_delete() {
        let api = Api::boot(300).await;
        let got = api.call("PUT", "datacenter/server/4002/reboot", None).await;
        assert_eq!(
            got,
            (500, error_body("0xa1: failed to send reboot signal to vm"))
        );
        assert_eq!(
            api.call("PUT", "datacenter/server/4002/start", None)
                .await
                .0,
            200
        );
        assert_eq!(
            api.get("datacenter/server/4002/status").await["result"]["state"],
            "running"
        );
        let got = api
            .call("POST", "datacenter/server/4002/delete", None)
            .await;
        assert_eq!(got, (500, error_body("0xa1: vm is running, use force")));
        let force = Some(json!({"force": true}));
        let got = api
            .call("POST", "datacenter/server/4002/delete", force)
            .await;
        assert_eq!(got, (200, success(json!(true))));
        assert_eq!(api.sim.vm_ids(), vec![4001]);
    }

    /// Each of the 37 documented routes answers a HosterAPI envelope, not axum's bare 404/405.
    #[tokio::test]
    async fn all_documented_routes_answer() {
        let api = Api::boot(300).await;
        let routes = "GET dedicated/market, POST dedicated/order, GET dedicated/templates,
            GET dedicated, PUT dedicated/9/start, PUT dedicated/9/shutdown, PUT dedicated/9/reboot,
            PUT dedicated/9/reinstall, GET dedicated/9/console, GET dedicated/9/status,
            GET dedicated/9/config, POST dedicated/9/terminate, GET server/4001/status,
            GET server/4001/config, GET server/4001/incidents, GET server/4001/console,
            POST server/4001/delete, POST server/4001/rdns, PUT server/4001/change,
            PUT server/4001/start, PUT server/4001/shutdown, PUT server/4001/stop,
            PUT server/4001/reboot, PUT server/4001/reboot/force, PUT server/4001/reinstall,
            PUT server/4001/password/reset, GET server/4001/backups/list,
            GET server/4001/backups/status, PUT server/4001/backups/create,
            POST server/4001/backups/restore, POST server, GET server, GET templates";
        let mut all: Vec<(&str, String)> = routes
            .split(',')
            .map(|r| r.trim().split_once(' ').unwrap())
            .map(|(method, path)| (method, format!("datacenter/{path}")))
            .collect();
        all.extend([("GET", "job/1"), ("GET", "software/list")].map(|(m, p)| (m, p.into())));
        all.extend(["install", "uninstall"].map(|p| ("POST", format!("software/{p}"))));
        assert_eq!(all.len(), 37);
        for (method, path) in all {
            let (_, body) = api.call(method, &path, Some(json!({}))).await;
            assert!(
                body.get("result").or(body.get("response")).is_some(),
                "{method} {path}: {body}"
            );
        }
    }
}
