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
pub mod shape;
pub mod wire;
pub mod wpcs;

pub use code::ErrorCode;
pub use error::UpstreamError;
pub use http::{
    Acting, Download, DownloadFuture, Method, Page, PageFuture, Request, Upstream, UpstreamFuture,
};
pub use wire::{Credentials, Wire};

use serde::{Deserialize, Serialize};

/// Registers the providers, one line each: its variant, its key (config files, the database,
/// `endpoints.tsv`) and its wire. Other crates list the providers through `with_providers!`.
macro_rules! providers {
    ($($variant:ident = $key:literal => $wire:expr,)+) => {
        /// The hosting APIs the gateway federates.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Provider {
            $($variant,)+
        }

        impl Provider {
            pub const ALL: &[Provider] = &[$(Provider::$variant,)+];

            /// The key used in config files, the database and `endpoints.tsv`.
            pub fn key(self) -> &'static str {
                match self {
                    $(Provider::$variant => $key,)+
                }
            }

            /// The provider's wire knowledge: the one place the gateway learns how its API speaks.
            pub fn wire(self) -> &'static dyn Wire {
                match self {
                    $(Provider::$variant => &$wire,)+
                }
            }
        }

        /// Calls `$callback!` with the providers' variants, so a crate that mirrors the enum (the
        /// GraphQL `Provider`) never lists them again.
        #[macro_export]
        macro_rules! with_providers {
            ($callback:ident) => {
                $callback!($($variant),+);
            };
        }
    };
}

providers! {
    Patchstack = "patchstack" => patchstack::wire::PatchstackWire,
    Panelalpha = "panelalpha" => panelalpha::wire::PanelalphaWire,
    Orchestrix = "orchestrix" => orchestrix::wire::OrchestrixWire,
    Wpcs = "wpcs" => wpcs::wire::WpcsWire,
    Hosterapi = "hosterapi" => hosterapi::wire::HosterapiWire,
}

impl Provider {
    pub fn from_key(key: &str) -> Option<Provider> {
        Provider::ALL.iter().copied().find(|p| p.key() == key)
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
