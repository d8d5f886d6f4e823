//! How upstream work is followed: each provider declares its kinds of work (a serde enum tagged
//! `kind`, in its own module) and how to poll each and read the answer as `Progress`; `Watch`, one
//! variant per registering provider (`crate::providers!`), is stored with its task, so a restarted
//! gateway knows how to pick the work up again.

use futures_util::future::BoxFuture;
use hostplane_adapters::{Upstream, UpstreamError};
use hostplane_schema::{GlobalId, task::Progress};
use serde_json::Value;

pub use crate::Watch;

/// One provider's kinds of upstream work.
pub trait Follow {
    /// The upstream's own reference to the work (`job:15`), stored with the task for lookups.
    fn upstream_ref(&self) -> String;

    /// Asks the upstream once.
    fn poll<'a>(
        &'a self,
        upstream: &'a dyn Upstream,
    ) -> BoxFuture<'a, Result<Progress, UpstreamError>>;

    /// The object the work acts on, or produced once the output says (a new VM's `vmid`).
    fn subject(&self, connection: &str, output: Option<&Value>) -> Option<GlobalId>;
}

/// The upstream answered, but not in a shape the watch can read.
pub fn malformed(detail: &str) -> UpstreamError {
    UpstreamError::Malformed {
        status: 200,
        detail: detail.to_string(),
    }
}
