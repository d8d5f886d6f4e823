//! WPCS (WordPress SaaS: tenants, domains, versions, snapshots, subscriptions, products): Basic key:secret auth, plain JSON, and scheduled writes that carry statusCode/statusName until Done.

pub mod client;
pub mod wire;

pub use client::WpcsClient;
