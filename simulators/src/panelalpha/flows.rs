//! PanelAlpha's tasks: queued by the routes that start long-running work, moved along with wall
//! time at the start of every request (the table's `settle`), and applied to the object they work
//! on when they end: a created service gets its hosting account and instance, a retried instance
//! is installed, a changed plan reaches the service's instances.

use super::model::{World, not_found, refused, stamp, text};
use crate::kit::{
    Fail,
    progress::{Phase, phase},
};
use serde_json::{Value, json};
use std::time::SystemTime;

/// How far into its duration a doomed task fails.
const FAIL_AT: f64 = 0.5;

/// Each kind of task: the collection it works on, and the status of the object worked on while
/// it runs, once it completes and once it fails or is canceled (`-`: left as it is).
const KINDS: [(&str, &str, &str); 19] = [
    ("backup.create", "backups", "creating completed failed"),
    ("backup.restore", "instances", "restoring active active"),
    ("staging.push", "instances", "updating active active"),
    (
        "instance.change_domain",
        "instances",
        "updating active active",
    ),
    ("wordpress.update", "instances", "updating active active"),
    ("plugin.install", "instances", "updating active active"),
    ("plugin.update", "instances", "updating active active"),
    ("theme.install", "instances", "updating active active"),
    ("theme.update", "instances", "updating active active"),
    ("service.create", "services", "pending active -"),
    ("service.import", "services", "pending active -"),
    ("instance.import", "instances", "importing active failed"),
    ("dns_zone.import", "dns_zones", "importing active failed"),
    (
        "email_domain.import",
        "email_domains",
        "importing active failed",
    ),
    ("package.force_install", "packages", "- - -"),
    (
        "ssl_order.process",
        "ssl_orders",
        "processing issued failed",
    ),
    ("service.change_plan", "services", "- - -"),
    ("instance.install", "instances", "installing active failed"),
    (
        "hosting_account.reinstall",
        "hosting_accounts",
        "reinstalling active active",
    ),
];

/// The collection a kind of task works on, and its object's status at `stage` (0 running, 1
/// completed, 2 failed or canceled).
fn kind(task: &Value, stage: usize) -> (&'static str, Option<&'static str>) {
    let name = task["type"].as_str().unwrap_or_default();
    let &(_, collection, statuses) = KINDS.iter().find(|k| k.0 == name).unwrap_or(&("", "", ""));
    let status = statuses.split(' ').nth(stage).filter(|s| *s != "-");
    (collection, status)
}

/// Queues a task of `kind` on `object`, which then shows its running status and the `task_id`.
pub(super) fn start(world: &mut World, name: &'static str, object: &mut Value) {
    let id = world.store.next_id("tasks");
    let related = name.split('.').next().unwrap_or_default();
    let at = stamp(SystemTime::now());
    let task = json!({"id": id, "type": name, "status": "pending", "progress": 0,
        "message": null, "related_type": related, "related_id": object["id"], "created_at": at});
    if let (_, Some(status)) = kind(&task, 0) {
        object["status"] = json!(status);
    }
    world.store.insert("tasks", task);
    world.ext.running.insert(id.to_string(), world.now);
    object["task_id"] = json!(id);
}

/// Puts a failed or canceled task back to `pending`.
pub(super) fn retry(world: &mut World, id: &str) -> Result<Value, Fail> {
    let task = world.store.get_mut("tasks", id).ok_or_else(not_found)?;
    if !matches!(task["status"].as_str(), Some("failed" | "canceled")) {
        return Err(refused("Only failed or canceled tasks can be retried."));
    }
    task["status"] = json!("pending");
    task["progress"] = json!(0);
    task["message"] = Value::Null;
    let task = task.clone();
    world.ext.running.insert(id.into(), world.now);
    mark(world, &task, 0);
    Ok(task)
}

/// Stops a task that has not finished; what it worked on is left as a failure would leave it.
pub(super) fn cancel(world: &mut World, id: &str) -> Result<(), Fail> {
    let task = world.store.get_mut("tasks", id).ok_or_else(not_found)?;
    if !matches!(task["status"].as_str(), Some("pending" | "processing")) {
        return Err(refused("Only pending or processing tasks can be canceled."));
    }
    task["status"] = json!("canceled");
    let task = task.clone();
    world.ext.running.remove(id);
    mark(world, &task, 2);
    Ok(())
}

/// Moves every task in flight to where it stands now, and applies the ones that ended.
pub(super) fn settle(world: &mut World) {
    let (now, d) = (world.now, world.ext.job_duration);
    let due: Vec<(String, Phase, Option<String>)> = world
        .ext
        .running
        .iter()
        .map(|(id, started)| {
            let doomed = world.store.get("tasks", id).and_then(|t| doomed(world, t));
            let at = phase(*started, now, d, doomed.as_ref().map(|_| FAIL_AT));
            (id.clone(), at, doomed)
        })
        .collect();
    for (id, at, doomed) in due {
        let Some(task) = world.store.get_mut("tasks", &id) else {
            world.ext.running.remove(&id);
            continue;
        };
        let (status, progress) = match at {
            Phase::Queued => ("pending", 0.0),
            Phase::Running(p) => ("processing", p.clamp(0.1, 0.9)),
            Phase::Done => ("completed", 1.0),
            Phase::Failed => ("failed", FAIL_AT),
        };
        task["status"] = json!(status);
        // Steps of ten, as a worker reporting its stages would.
        task["progress"] = json!((progress * 10.0).floor() as u64 * 10);
        if let Some(plan) = doomed.filter(|_| at == Phase::Failed) {
            let message = format!("No server can provision plan \"{plan}\".");
            task["message"] = json!(message);
        }
        if matches!(at, Phase::Done | Phase::Failed) {
            let task = task.clone();
            world.ext.running.remove(&id);
            mark(world, &task, if at == Phase::Done { 1 } else { 2 });
            if at == Phase::Done {
                complete(world, &task);
            }
        }
    }
}

/// The name of the plan behind the task's object when that plan is one that fails (its name has
/// `fail` in it): a hosting account's plan is its service's.
fn doomed(world: &World, task: &Value) -> Option<String> {
    let object = world
        .store
        .get(kind(task, 0).0, &text(&task["related_id"]))?;
    let service = || world.store.get("services", &text(&object["service_id"]));
    let plan_id = object.get("plan_id");
    let plan_id = plan_id.or_else(|| service().map(|s| &s["plan_id"]))?;
    let plan = text(&world.store.get("plans", &text(plan_id))?["name"]);
    plan.to_lowercase().contains("fail").then_some(plan)
}

/// Sets the status of the task's object for the task's `stage` (0 running, 1 completed, 2 failed).
fn mark(world: &mut World, task: &Value, stage: usize) {
    let (collection, status) = kind(task, stage);
    let object = world.store.get_mut(collection, &text(&task["related_id"]));
    if let (Some(object), Some(status)) = (object, status) {
        object["status"] = json!(status);
    }
}

/// What a completed service task leaves behind beyond its status (an import brought its
/// hosting account along at once).
fn complete(world: &mut World, task: &Value) {
    let id = text(&task["related_id"]);
    let service = world.store.get("services", &id).cloned();
    let creates = ["service.create", "service.change_plan"].contains(&text(&task["type"]).as_str());
    let Some(service) = service.filter(|_| creates) else {
        return;
    };
    if task["type"] == "service.change_plan" {
        let instances = world.store.all_mut("instances").iter_mut();
        for instance in instances.filter(|i| i["service_id"] == service["id"]) {
            instance["plan_id"] = service["plan_id"].clone();
        }
        return;
    }
    let account = world.store.next_id("hosting_accounts");
    let instance = world.store.next_id("instances");
    let (domain, at) = (format!("site{id}.example.net"), stamp(SystemTime::now()));
    let (user, plan) = (&service["user_id"], &service["plan_id"]);
    let hosting = json!({"id": account, "username": format!("user{id}"), "domain": domain,
        "server_id": 1, "service_id": service["id"], "status": "active", "created_at": at});
    world.store.insert("hosting_accounts", hosting);
    let wordpress = json!({"id": instance, "name": domain, "domain": domain, "user_id": user,
        "service_id": service["id"], "hosting_account_id": account, "plan_id": plan,
        "server_id": 1, "status": "active", "created_at": at});
    world.store.insert("instances", wordpress);
    if let Some(service) = world.store.get_mut("services", &id) {
        service["hosting_account_id"] = json!(account);
    }
}
