//! Patchstack's Hosting API (users, sites, site security): `HostToken` auth, plain JSON objects, and
//! `{"error": "..."}` errors with 401, 403, 404 and 422.

pub mod client;
pub mod wire;

pub use client::PatchstackClient;
