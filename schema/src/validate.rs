//! Checks on inputs that GraphQL's types and validators cannot express (two fields that must match),
//! run before any upstream call on both surfaces.

use crate::GatewayError;

pub trait Validate {
    fn validate(&self) -> Result<(), GatewayError> {
        Ok(())
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), GatewayError> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

/// Inputs whose GraphQL validators say everything.
#[macro_export]
macro_rules! no_extra_validation {
    ($($t:ty),* $(,)?) => {$( impl $crate::validate::Validate for $t {} )*};
}
