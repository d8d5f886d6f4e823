//! Checks on inputs, run before any upstream call on both surfaces: the documented rules of each
//! field (`rules!`, written once: they also word the refusal as the provider does and constrain the
//! OpenAPI schema), and what no rule expresses (`validate`).

use crate::GatewayError;
pub use hostplane_adapters::rules::{FieldRules, Pattern, Rule};
use hostplane_adapters::shape::{Failure, Shape};

pub trait Validate {
    fn validate(&self) -> Result<(), GatewayError> {
        Ok(())
    }

    /// The documented rules of the input's fields, by their upstream names, in the order the
    /// upstream checks them.
    fn rules() -> &'static [FieldRules]
    where
        Self: Sized,
    {
        &[]
    }
}

/// Everything the gateway checks of an input before any upstream call (its own check, then its
/// documented rules, refused in `provider`'s wording), and the input as the upstream takes it.
pub fn check<T: Validate + serde::Serialize>(
    input: &T,
    provider: hostplane_adapters::Provider,
) -> Result<serde_json::Value, GatewayError> {
    input.validate()?;
    let v = serde_json::to_value(input).map_err(GatewayError::internal)?;
    if !v.is_null()
        && let Some((field, rule)) = hostplane_adapters::rules::first_broken(T::rules(), &v)
    {
        return Err(GatewayError::Invalid {
            field: field.to_string(),
            message: provider.wire().word(field, &Failure::Rule(rule)),
        });
    }
    Ok(v)
}

/// What an input declares, for the REST layer's check of a body before it is read: its JSON Schema
/// as serde reads it (kinds, required fields, documented values) and its `rules!`.
pub fn shape<T: Validate + schemars::JsonSchema>() -> Shape {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let schema = generator.subschema_for::<T>();
    let definitions = generator.take_definitions(true);
    Shape::from_schema(schema.as_value(), &definitions, T::rules())
}

/// Declares an input's documented rules, field by field (upstream names; a name that is no Rust
/// identifier as a string literal), in the order the upstream checks them, and optionally a check no
/// rule expresses, run first:
/// `rules! { PatchstackAddUserInput { name: [Filled], email: [Email], password: [MinLen(6)] } }`.
#[macro_export]
macro_rules! rules {
    ($($t:ty { $($field:tt : [$($rule:expr),* $(,)?]),* $(,)? } $(=> $check:path)?)*) => {$(
        impl $crate::validate::Validate for $t {
            $(
                fn validate(&self) -> Result<(), $crate::GatewayError> {
                    $check(self)
                }
            )?

            fn rules() -> &'static [$crate::validate::FieldRules] {
                #[allow(unused_imports)]
                use $crate::validate::Rule::*;
                &[$(($crate::rules!(@name $field), &[$($rule),*])),*]
            }
        }
    )*};
    (@name $field:ident) => { stringify!($field) };
    (@name $field:literal) => { $field };
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), GatewayError> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }

    fn rules() -> &'static [FieldRules] {
        T::rules()
    }
}

/// Inputs whose GraphQL validators say everything.
#[macro_export]
macro_rules! no_extra_validation {
    ($($t:ty),* $(,)?) => {$( impl $crate::validate::Validate for $t {} )*};
}
