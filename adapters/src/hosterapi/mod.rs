//! HosterAPI (VMs, dedicated servers, jobs, software installs): `Authorization: Bearer` auth, the
//! `{"result": ...}` envelope and `{"result": false, "error": "0xNN: message"}` errors.

pub mod client;
pub mod envelope;
pub mod wire;

pub use client::HosterapiClient;
