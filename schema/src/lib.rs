//! hostplane's GraphQL types: the data objects, inputs and enums of the schema, the global ID codec,
//! the principal and its guards, and the error type every resolver returns. Objects whose fields call
//! upstreams, the roots and the schema's assembly live in `hostplane-resolvers`, which builds on these.

pub mod error;
pub mod generic;
pub mod hosterapi;
pub mod id;
pub mod list;
pub mod orchestrix;
pub mod panelalpha;
pub mod patchstack;
pub mod principal;
pub mod reply;
pub mod scalars;
pub mod task;
pub mod validate;
pub mod wpcs;

// `object!` names this crate by its name, which serde attributes need.
extern crate self as hostplane_schema;

pub use error::GatewayError;
pub use hostplane_adapters::{ErrorCode, Provider};
pub use id::GlobalId;
pub use reply::{RestBody, RestReply};
pub use scalars::Int64;

macro_rules! provider_enum {
    ($($variant:ident),+) => {
        /// The `Provider` enum as GraphQL shows it.
        #[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
        #[graphql(remote = "hostplane_adapters::Provider", name = "Provider")]
        pub enum ProviderEnum {
            $($variant,)+
        }
    };
}

hostplane_adapters::with_providers!(provider_enum);
