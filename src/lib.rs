//! The hostplane binary's library: configuration, gateway credentials, the HTTP surfaces (GraphQL,
//! WebSocket subscriptions, the REST compatibility layer, health and metrics) and start-up. `main.rs`
//! is only the CLI over this, so tests start the same gateway in process.

// The merged query root nests one level per provider section; computing its layout goes deeper than
// the compiler's default limit of 128.
#![recursion_limit = "256"]

pub mod auth;
pub mod config;
pub mod demo;
pub mod http;
pub mod startup;

pub use startup::{Gateway, StartError};
