//! Unified objects whose fields may call upstreams, and the mutation payloads.

pub mod node;
pub mod payload;
pub mod server;

pub use node::Node;
pub use payload::{ServerActionPayload, TaskPayload};
pub use server::{Server, ServerKind};
