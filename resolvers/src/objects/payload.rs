//! Mutation payloads shared by every provider: an action on a server, and work that became a Task.
//! Shared shapes (rather than one payload type per field) let clients reuse one fragment for every
//! power action and every task-starting mutation.

use super::Server;
use async_graphql::{Json, SimpleObject};
use hostplane_schema::task::Task;
use serde_json::Value;

/// The result of a synchronous action on a server (start, stop, reboot, delete, rDNS, resize).
#[derive(SimpleObject, Debug, Clone)]
pub struct ServerActionPayload {
    /// Whether the upstream reported success.
    pub ok: bool,
    /// The server acted on.
    pub server: Option<Server>,
    /// The upstream's answer as received.
    pub raw: Json<Value>,
}

/// The result of a mutation that started long-running upstream work; follow `task` with
/// `taskUpdated(id:)`.
#[derive(SimpleObject, Debug, Clone)]
pub struct TaskPayload {
    pub task: Task,
    /// The upstream's answer as received.
    pub raw: Json<Value>,
}

/// The result of a synchronous action the upstream confirms with a message (Patchstack's
/// `{"success": "User updated."}`).
#[derive(SimpleObject, Debug, Clone)]
pub struct ActionPayload {
    pub ok: bool,
    /// The upstream's confirmation, where it gives one.
    pub message: Option<String>,
    /// Global ID of the object acted on.
    pub subject_id: Option<async_graphql::ID>,
    /// The upstream's answer as received.
    pub raw: Json<Value>,
}

hostplane_schema::raw_reply!(ServerActionPayload, TaskPayload, ActionPayload);
