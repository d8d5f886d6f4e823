//! The hostplane binary's library: configuration, gateway credentials, the HTTP surfaces (GraphQL,
//! WebSocket subscriptions, the REST compatibility layer, health and metrics) and start-up. `main.rs`
//! is only the CLI over this, so tests start the same gateway in process.

pub mod auth;
pub mod config;
pub mod demo;
pub mod http;
pub mod startup;

pub use startup::{Gateway, StartError};
