//! The upstream boundary: one module per hosting API with its HTTP client (auth, envelope, error mapping)
//! and its wire knowledge (`Wire`), plus what every adapter shares: the `Provider` key, the stable error
//! codes and the `Upstream` trait the resolvers call through. The simulators of these APIs live in
//! `hostplane-simulators`, so a production gateway carries no server code for them.

pub mod code;
pub mod error;
pub mod hosterapi;
pub mod http;
pub mod orchestrix;
pub mod panelalpha;
pub mod patchstack;
pub mod plain;
pub mod rules;
pub mod wire;
pub mod wpcs;

pub use code::ErrorCode;
pub use error::UpstreamError;
pub use http::{
    Acting, Download, DownloadFuture, Method, Page, PageFuture, Request, Upstream, UpstreamFuture,
};
pub use wire::{Credentials, Wire};

use serde::{Deserialize, Serialize};

/// The five hosting APIs the gateway federates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Patchstack,
    Panelalpha,
    Orchestrix,
    Wpcs,
    Hosterapi,
}

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::Patchstack,
        Provider::Panelalpha,
        Provider::Orchestrix,
        Provider::Wpcs,
        Provider::Hosterapi,
    ];

    /// The key used in config files, the database and `endpoints.tsv`.
    pub fn key(self) -> &'static str {
        match self {
            Provider::Patchstack => "patchstack",
            Provider::Panelalpha => "panelalpha",
            Provider::Orchestrix => "orchestrix",
            Provider::Wpcs => "wpcs",
            Provider::Hosterapi => "hosterapi",
        }
    }

    pub fn from_key(key: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The provider's wire knowledge: the one place the gateway learns how its API speaks.
    pub fn wire(self) -> &'static dyn Wire {
        match self {
            Provider::Patchstack => &patchstack::wire::PatchstackWire,
            Provider::Panelalpha => &panelalpha::wire::PanelalphaWire,
            Provider::Orchestrix => &orchestrix::wire::OrchestrixWire,
            Provider::Wpcs => &wpcs::wire::WpcsWire,
            Provider::Hosterapi => &hosterapi::wire::HosterapiWire,
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
