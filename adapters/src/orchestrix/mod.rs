//! WP Orchestrix (sites, health checks, snapshots, upgrade pipelines, vulnerabilities, webhooks):
//! `Authorization: token ...` or a JWT pair, plain JSON, `?page=N` lists, `{"error": "..."}` errors.

pub mod client;
pub mod wire;

pub use client::OrchestrixClient;
