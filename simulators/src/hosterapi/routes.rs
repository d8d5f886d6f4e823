//! HosterAPI's route table and handlers, the `0xNN: message` errors they answer, and the request
//! parameters they read (Laravel-style: null and empty strings count as missing).

use super::{
    Simulator,
    flows::{BackupKind, JobKind, LIMITS_EXCEEDED},
    model::{
        DEDICATED_TEMPLATES, Dedicated, DedicatedState, MAX_CPU_CORES, MAX_IP_COUNT, MAX_MEM_MB,
        Power, SOFTWARE, VM_TEMPLATES, VmSpec, market,
    },
};
use crate::kit::{
    Absent, Fail, Fields, Problem, Reply,
    body::{Params, json_object},
    random::{ALNUM, random_string, random_u64},
};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, Uri, header},
    routing::{get, post, put},
};
use hostplane_adapters::hosterapi::envelope::{error_body, success};
use serde_json::{Value, json};
use std::{collections::BTreeMap, net::Ipv4Addr};

type Sim = State<Simulator>;
type Sid = Path<String>;

/// HosterAPI is a Laravel app, whose `required` rule also rejects null and empty strings.
const FIELDS: Fields = Fields {
    absent: Absent::NullOrEmpty,
    trim: false,
    coerce: false,
    fail: field_fail,
};

/// The docs name no error for a present but ill-typed parameter; `Invalid parameter` is modelled.
fn field_fail(name: &str, problem: Problem) -> Fail {
    match problem {
        Problem::Missing => bad(format!("0xb1: Missing required parameter {name}")),
        _ => bad(format!("0xb1: Invalid parameter {name}")),
    }
}

pub(super) fn routes() -> Router<Simulator> {
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
    let id = FIELDS.required_integer(&body, "id")?;
    let template = FIELDS.required_text(&body, "template")?;
    // The docs type ipCount as a string and their example sends "2"; numbers are accepted too.
    let ip_count = match FIELDS.get(&body, "ipCount") {
        Some(Value::String(s)) => s.trim().parse().map_err(|_| invalid("ipCount"))?,
        Some(v) => FIELDS.as_integer(v, "ipCount")?,
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
    server.template = FIELDS.required_text(&body, "template")?;
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
    let template = FIELDS.required_text(&body, "template")?;
    let cpu_cores = FIELDS.required_integer(&body, "cpuCores")?;
    let mem = FIELDS.required_integer(&body, "mem")?;
    let disk = FIELDS.required_text(&body, "disk")?;
    disk_bytes(&disk).ok_or_else(|| invalid("disk"))?;
    let ip_count = FIELDS.required_integer(&body, "ipCount")?;
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
async fn vm_incidents(State(sim): Sim, Path(sid): Sid) -> Reply {
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
    let force = FIELDS
        .get(&body, "force")
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
    let ip = FIELDS.required_text(&body, "ip")?;
    FIELDS.required_text(&body, "hostname")?;
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
    let int = |name| {
        let given = FIELDS.get(&body, name);
        given.map(|v| FIELDS.as_integer(v, name)).transpose()
    };
    let cpu_cores = int("cpuCores")?.unwrap_or(vm.spec.cpu_cores);
    let mem = int("mem")?.unwrap_or(vm.spec.mem);
    let ip_count = int("ipCount")?.unwrap_or(0);
    let disk = FIELDS.text(&body, "disk")?;
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
    let template = FIELDS.text(&body, "template")?.unwrap_or(current);
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
    find(&mut dc.vms, &sid)?.start_backup(BackupKind::Create, now)?;
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
    let ts = FIELDS
        .get(&body, "backup")
        .and_then(Value::as_u64)
        .ok_or_else(no_target)?;
    if !vm.backups.contains(&ts) {
        return Err(not_found(format!("0x01: no backup {ts} found")));
    }
    vm.start_backup(BackupKind::Restore, now)?;
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
    let target = match FIELDS.required(&body, "sid|ip")? {
        Value::Number(n) => n.to_string(),
        v => FIELDS.as_text(v, "sid|ip")?,
    };
    let package = FIELDS.required_text(&body, "package")?;
    FIELDS.required_text(&body, "password")?;
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
pub(super) fn fail(status: StatusCode, error: impl Into<String>) -> Fail {
    Fail::new(status, error_body(&error.into()))
}

fn ok(result: Value) -> Reply {
    Ok(Json(success(result)))
}

fn bad(error: impl Into<String>) -> Fail {
    fail(StatusCode::BAD_REQUEST, error)
}

fn not_found(error: impl Into<String>) -> Fail {
    fail(StatusCode::NOT_FOUND, error)
}

pub(super) fn internal(error: impl Into<String>) -> Fail {
    fail(StatusCode::INTERNAL_SERVER_ERROR, error)
}

fn no_vm(sid: impl std::fmt::Display) -> Fail {
    not_found(format!("0x01: no vm with id {sid} found"))
}

fn invalid(name: &str) -> Fail {
    field_fail(name, Problem::Invalid)
}

/// The VM or dedicated server a path's `{sid}` names; VMs and dedicated servers share the error.
fn find<'a, T>(servers: &'a mut BTreeMap<u64, T>, sid: &str) -> Result<&'a mut T, Fail> {
    sid.parse()
        .ok()
        .and_then(|id| servers.get_mut(&id))
        .ok_or_else(|| no_vm(sid))
}

fn parse_body(bytes: &Bytes) -> Result<Params, Fail> {
    json_object(bytes).ok_or_else(|| bad("0xb1: invalid JSON body"))
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

fn random_password() -> String {
    random_string(ALNUM, 12)
}
