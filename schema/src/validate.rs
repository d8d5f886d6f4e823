//! Checks on inputs, run before any upstream call on both surfaces: the documented rules of each
//! field (`rules!`, written once: they also word the refusal as the provider does and constrain the
//! OpenAPI schema), and what no rule expresses (`validate`).

use crate::GatewayError;
pub use hostplane_adapters::rules::{FieldRules, Pattern, Rule};
use hostplane_adapters::shape::{Failure, Refusal, Refused, Shape, first};
use std::{
    any::TypeId,
    collections::HashMap,
    sync::{OnceLock, RwLock},
};

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
/// declared rules, refused in `provider`'s wording as the REST layer refuses them), and the input as
/// the upstream takes it. GraphQL has checked the types already.
pub fn check<T: Validate + serde::Serialize + schemars::JsonSchema + 'static>(
    input: &T,
    provider: hostplane_adapters::Provider,
) -> Result<serde_json::Value, GatewayError> {
    input.validate()?;
    let v = serde_json::to_value(input).map_err(GatewayError::internal)?;
    if v.is_null() {
        return Ok(v);
    }
    if let Err(Refused::Fields(refused)) = shape_of::<T>().check(&v) {
        let refused: Vec<Refusal> = refused
            .into_iter()
            .filter(|r| !matches!(r.failure, Failure::Type(_)))
            .collect();
        if let Some(first) = first(&refused) {
            return Err(GatewayError::Invalid {
                field: first.field.clone(),
                message: provider.wire().word(&first.field, &first.failure),
            });
        }
    }
    Ok(v)
}

/// What `T` declares, built once per input type (a handful of leaked shapes, one per type).
pub fn shape_of<T: Validate + schemars::JsonSchema + 'static>() -> &'static Shape {
    static SHAPES: OnceLock<RwLock<HashMap<TypeId, &'static Shape>>> = OnceLock::new();
    let shapes = SHAPES.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(shape) = shapes
        .read()
        .expect("the shapes lock is never poisoned")
        .get(&id)
    {
        return shape;
    }
    let shape: &'static Shape = Box::leak(Box::new(shape::<T>()));
    shapes
        .write()
        .expect("the shapes lock is never poisoned")
        .entry(id)
        .or_insert(shape)
}

/// A Rust field's wire name: a raw identifier (`r#type`) without its `r#`.
pub const fn unraw(name: &'static str) -> &'static str {
    match name.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(wire) => wire,
            Err(_) => name,
        },
        _ => name,
    }
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
                const RULES: &[$crate::validate::FieldRules] =
                    &[$(($crate::rules!(@name $field), &[$($rule),*])),*];
                RULES
            }
        }
    )*};
    (@name $field:ident) => { $crate::validate::unraw(stringify!($field)) };
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

/// A list body (`*  object` in the docs): each element checked, with the element's rules.
impl<T: Validate> Validate for Vec<T> {
    fn validate(&self) -> Result<(), GatewayError> {
        self.iter().try_for_each(Validate::validate)
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
