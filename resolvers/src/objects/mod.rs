//! Unified objects whose fields may call upstreams, and the mutation payloads.

pub mod node;
pub mod payload;
pub mod server;
pub mod site;
pub mod user;

pub use node::Node;
pub use payload::{ActionPayload, ServerActionPayload, TaskPayload};
pub use server::{Server, ServerKind};
pub use site::Site;
pub use user::User;

use async_graphql::{Context, Json};
use hostplane_schema::principal::{Scope, require};
use serde_json::Value;

/// An upstream object for `raw`: keys named `secret` (Patchstack's plugin API secret) are nulled
/// unless the caller is an admin, the same rule as the typed secret fields.
pub fn redacted_raw(ctx: &Context<'_>, raw: &Value) -> Json<Value> {
    if require(ctx, Scope::Admin).is_ok() {
        return Json(raw.clone());
    }
    fn redact(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "secret" {
                        *v = Value::Null;
                    } else {
                        redact(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(redact),
            _ => {}
        }
    }
    let mut raw = raw.clone();
    redact(&mut raw);
    Json(raw)
}
