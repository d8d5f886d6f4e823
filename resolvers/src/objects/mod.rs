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

/// Upstream JSON for `raw`, with secrets shown to admins only.
pub use hostplane_schema::principal::redacted as redacted_raw;
