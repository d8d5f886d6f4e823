//! PanelAlpha (WordPress hosting panel: users, services, instances, servers, hosting accounts):
//! `Authorization: Bearer <token>`, `X-PanelAlpha-User` on user endpoints, `{"data": ...}` bodies.

pub mod client;
pub mod wire;

pub use client::PanelalphaClient;
