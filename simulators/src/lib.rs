//! Stateful simulators of the upstream hosting APIs, each serving its API's documented contract (paths,
//! auth, envelopes, error codes, work that progresses over time) on a loopback port. The gateway's
//! tests, its benchmark and `hostplane demo` run against them; a production gateway never links them.
//! What the simulators share lives once, in `kit`; `resource` is the generic simulator a provider
//! declares as a table of collections and routes.

pub mod hosterapi;
pub mod kit;
pub mod orchestrix;
pub mod panelalpha;
pub mod patchstack;
pub mod resource;
pub mod server;
pub mod wpcs;

pub use server::{Recorded, RequestLog, SimServer};
