//! What every simulator shares, so a provider's module holds only what is its own: the credential
//! check, the error type, reading request bodies and their fields, the pacing of timed work, random
//! ids and secrets, dates, single-file archives and injected failures.

pub mod archive;
pub mod auth;
pub mod body;
pub mod encode;
pub mod fail;
pub mod fields;
pub mod inject;
pub mod progress;
pub mod random;
pub mod time;

pub use fail::{Fail, Reply};
pub use fields::{Absent, Fields, Problem};
