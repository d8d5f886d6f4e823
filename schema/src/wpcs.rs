//! WPCS's own objects and inputs. A tenant is a WordPress site with domains; versions, snapshots,
//! products and WPCS subscriptions (named so they cannot be confused with GraphQL subscriptions) are
//! typed. Writes are scheduled: objects carry `statusCode`/`statusName` until `Done`. Inputs are checked
//! against the documented rules before any upstream call.

use crate::{
    GatewayError, from_raw_by_serde, raw_reply,
    validate::{Pattern, Validate},
};
use async_graphql::{InputObject, Json, SimpleObject};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsTenant {
    pub id: Option<String>,
    pub tenant_id: Option<String>,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub version_id: Option<String>,
    pub version_name: Option<String>,
    pub based_on_snapshot_id: Option<String>,
    pub snapshot_name: Option<String>,
    pub snapshot_group_name: Option<String>,
    pub date_created: Option<String>,
    pub date_changed: Option<String>,
    /// The main domain.
    pub domain_name: Option<String>,
    #[serde(default)]
    pub redirect_domains: Vec<String>,
    pub status_code: Option<i32>,
    /// `Done` once scheduled work has finished.
    pub status_name: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsDomain {
    pub id: Option<String>,
    pub domain_name: Option<String>,
    #[serde(default)]
    pub is_main_domain: bool,
    #[serde(default)]
    pub is_base_domain: bool,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsVersion {
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub is_production: bool,
    pub word_press_version: Option<String>,
    pub php_version: Option<String>,
    pub domain: Option<String>,
    pub domain_name: Option<String>,
    pub date_created: Option<String>,
    pub date_changed: Option<String>,
    pub status_code: Option<i32>,
    pub status_name: Option<String>,
    /// Where to PUT a custom snapshot, when the version was created for one.
    pub upload_url: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsSnapshot {
    pub id: Option<String>,
    pub version_id: Option<String>,
    pub name: Option<String>,
    pub group_name: Option<String>,
    #[serde(default)]
    pub is_custom_snapshot: bool,
    #[serde(default)]
    pub is_tenant_snapshot: bool,
    pub date_created: Option<String>,
    pub status_code: Option<i32>,
    pub status_name: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// A WPCS billing subscription (not a GraphQL subscription).
#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsSubscription {
    pub id: Option<String>,
    pub name: Option<String>,
    /// The product created with it, where the answer carries one.
    pub product: Option<WpcsProduct>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsProduct {
    pub id: Option<String>,
    pub name: Option<String>,
    pub subscription_id: Option<String>,
    pub subscription_name: Option<String>,
    pub version: Option<WpcsVersion>,
    pub status_code: Option<i32>,
    pub status_name: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// Hours used between two dates.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsUsage {
    pub subscription_id: Option<String>,
    pub product_id: Option<String>,
    pub product_hours: Option<f64>,
    pub version_hours: Option<f64>,
    pub tenant_hours: Option<f64>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsBaseSnapshot {
    pub id: Option<String>,
    pub name: Option<String>,
    pub comment: Option<String>,
    pub uri: Option<String>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub is_tenant_snapshot: bool,
    pub group_name: Option<String>,
    pub show_as_base_snapshot: Option<bool>,
    pub show_in_console: Option<bool>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct WpcsDomainAvailability {
    #[serde(default)]
    pub available: bool,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// The answer of a scheduled write or removal that names what it acts on (`{"tenantId": ...}`,
/// `{"productId": ...}`), kept whole in `raw`.
#[derive(SimpleObject, Debug, Clone)]
pub struct WpcsAck {
    pub raw: Json<Value>,
}

impl crate::reply::FromRaw for WpcsAck {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error> {
        Ok(WpcsAck { raw: Json(raw) })
    }
}

from_raw_by_serde!(
    WpcsTenant,
    WpcsDomain,
    WpcsVersion,
    WpcsSnapshot,
    WpcsSubscription,
    WpcsProduct,
    WpcsUsage,
    WpcsBaseSnapshot,
    WpcsDomainAvailability,
);

raw_reply!(
    WpcsTenant,
    WpcsDomain,
    WpcsVersion,
    WpcsSnapshot,
    WpcsSubscription,
    WpcsProduct,
    WpcsUsage,
    WpcsBaseSnapshot,
    WpcsDomainAvailability,
    WpcsAck,
);

// ---- validation rules, as the docs state them ----

fn invalid(message: String) -> Result<(), GatewayError> {
    Err(GatewayError::Validation(message))
}

/// Tenant names: at most 30 characters, starting and ending alphanumeric.
pub const TENANT_NAME: Pattern = Pattern {
    test: |name| {
        let ends = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        name.chars().count() <= 30 && ends(name.chars().next()) && ends(name.chars().last())
    },
    message: "Tenant name cannot be longer than 30 characters and must start and end on an alpha numeric character",
    refused_example: "-tenant",
};

/// External ids: alphanumerics and dashes.
pub const EXTERNAL_ID: Pattern = Pattern {
    test: |id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
    message: "ExternalIds cannot contain spaces or special characters other than '-'",
    refused_example: "T 001",
};

/// Version names: at most 30 characters of alphanumerics, dashes and dots.
pub const VERSION_NAME: Pattern = Pattern {
    test: |name| {
        !name.is_empty()
            && name.chars().count() <= 30
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    },
    message: "The version name cannot be longer than 30 characters and can only contain alpha numeric characters, dashes and dots",
    refused_example: "V3 5",
};

/// Base snapshot names: 5 to 50 characters of alphanumerics, spaces and dashes.
pub const BASE_SNAPSHOT_NAME: Pattern = Pattern {
    test: |name| {
        (5..=50).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    },
    message: "The name of the BaseSnapshot must be between 5 and 50 characters and may only contain alphanumeric characters, spaces and dashes",
    refused_example: "abcd",
};

/// An input inside another, checked whole (its own checks and rules) in WPCS's words.
fn nested<T: Validate + Serialize + JsonSchema + 'static>(
    input: &Option<T>,
) -> Result<(), GatewayError> {
    match input {
        Some(input) => crate::validate::check(input, crate::Provider::Wpcs).map(drop),
        None => Ok(()),
    }
}

// ---- inputs ----

/// A PHP constant: GraphQL has no maps, so constants are a list here and a map upstream.
#[derive(InputObject, Debug, Clone, PartialEq)]
pub struct WpcsPhpConstantInput {
    pub name: String,
    pub value: String,
    /// Obfuscate the value in the WPCS console.
    #[graphql(default)]
    pub is_private: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireConstant {
    value: Value,
    #[serde(default)]
    is_private: bool,
}

fn constants_out<S: Serializer>(
    v: &Option<Vec<WpcsPhpConstantInput>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    let map: Option<std::collections::BTreeMap<&str, WireConstant>> = v.as_ref().map(|list| {
        list.iter()
            .map(|c| {
                (
                    c.name.as_str(),
                    WireConstant {
                        value: Value::String(c.value.clone()),
                        is_private: c.is_private,
                    },
                )
            })
            .collect()
    });
    map.serialize(s)
}

/// What `constants_in` reads: WPCS's map of constant name to value (any JSON; strings are sent as
/// they are, other values as their JSON text) and privacy flag.
fn constants_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": ["object", "null"],
        "additionalProperties": {
            "type": "object",
            "required": ["value"],
            "properties": { "value": {}, "isPrivate": { "type": "boolean" } }
        }
    })
}

fn constants_in<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<WpcsPhpConstantInput>>, D::Error> {
    let map: Option<std::collections::BTreeMap<String, WireConstant>> = Option::deserialize(d)?;
    Ok(map.map(|m| {
        m.into_iter()
            .map(|(name, c)| WpcsPhpConstantInput {
                name,
                value: match c.value {
                    Value::String(s) => s,
                    other => other.to_string(),
                },
                is_private: c.is_private,
            })
            .collect()
    }))
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsCreateTenantInput {
    /// The version to add the tenant to; the production version when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// At most 30 characters, starting and ending alphanumeric.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[graphql(deprecation = "use wordPressUserName")]
    pub tenant_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[graphql(deprecation = "use wordPressUserRole")]
    pub tenant_user_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[graphql(deprecation = "use wordPressUserEmail")]
    pub tenant_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[graphql(deprecation = "use wordPressUserPassword")]
    pub tenant_password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_press_user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_press_user_role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_press_user_email: Option<String>,
    /// Passed to the upstream; never stored or logged by the gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_press_user_password: Option<String>,
    /// Answer with an upload URL for a custom snapshot (a gzipped tar, or a zip with `asZip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_custom_snapshot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_zip: Option<bool>,
    /// WordPress options to initialise, option name to value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wp_options: Option<crate::scalars::JsonObject>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "constants_out",
        deserialize_with = "constants_in"
    )]
    #[schemars(schema_with = "constants_schema")]
    pub php_constants: Option<Vec<WpcsPhpConstantInput>>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct WpcsUpdateTenantInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wp_options: Option<crate::scalars::JsonObject>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "constants_out",
        deserialize_with = "constants_in"
    )]
    #[schemars(schema_with = "constants_schema")]
    pub php_constants: Option<Vec<WpcsPhpConstantInput>>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsAddDomainInput {
    pub domain_name: String,
    /// Make it the tenant's main domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_as_main_domain: Option<bool>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct WpcsSetMainDomainInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_id: Option<String>,
}

impl Validate for WpcsSetMainDomainInput {
    fn validate(&self) -> Result<(), GatewayError> {
        if self.domain_name.is_none() && self.domain_id.is_none() {
            return invalid("domainName is required if domainId is not set".into());
        }
        Ok(())
    }
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsMoveTenantInput {
    pub target_version_id: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct WpcsCreateVersionInput {
    /// The snapshot to base the version on (or `useCustomUpload`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_ids_to_copy: Option<Vec<String>>,
    pub word_press_version: String,
    pub php_version: String,
    /// At most 30 characters of alphanumerics, dashes and dots.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_custom_upload: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_zip: Option<bool>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsSetProductionVersionInput {
    pub version_id: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsCreateProductInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<WpcsCreateVersionInput>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsSubscriptionUserInput {
    pub name: String,
    pub last_name: String,
    pub email_address: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsCreateSubscriptionInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<WpcsCreateProductInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<WpcsSubscriptionUserInput>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct WpcsCreateBaseSnapshotInput {
    /// 5 to 50 characters of alphanumerics, spaces and dashes.
    pub name: String,
    pub comment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_tenant_snapshot: Option<bool>,
    /// Only for tenant snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_in_console: Option<bool>,
}

fn tenant_checks(input: &WpcsCreateTenantInput) -> Result<(), GatewayError> {
    if input.as_zip == Some(true) && input.upload_custom_snapshot != Some(true) {
        return invalid("asZip can only be used when uploadCustomSnapshot is true".into());
    }
    Ok(())
}

fn version_checks(input: &WpcsCreateVersionInput) -> Result<(), GatewayError> {
    if input.as_zip == Some(true) && input.use_custom_upload != Some(true) {
        return invalid("asZip can only be used when useCustomUpload is true".into());
    }
    if input.snapshot_id.is_none() && input.use_custom_upload != Some(true) {
        return invalid(
            "either a valid snapshotId is required or useCustomUpload must be true".into(),
        );
    }
    Ok(())
}

fn product_checks(input: &WpcsCreateProductInput) -> Result<(), GatewayError> {
    nested(&input.version)
}

fn subscription_checks(input: &WpcsCreateSubscriptionInput) -> Result<(), GatewayError> {
    nested(&input.product)
}

fn base_snapshot_checks(input: &WpcsCreateBaseSnapshotInput) -> Result<(), GatewayError> {
    if input.group_name.is_some() && input.is_tenant_snapshot != Some(true) {
        return invalid("GroupName cannot be filled out when trying to upload a BaseSnapshot that is not a tenant snapshot".into());
    }
    Ok(())
}

// The documented rules, refused before any call in WPCS's words; what no rule states (one field
// given only with another, inputs inside inputs) in each input's own check.
crate::rules! {
    WpcsCreateTenantInput {
        name: [Matches(&TENANT_NAME)], externalId: [Matches(&EXTERNAL_ID)],
    } => tenant_checks
    WpcsAddDomainInput { domainName: [Filled] }
    WpcsCreateVersionInput { name: [Matches(&VERSION_NAME)] } => version_checks
    WpcsCreateProductInput { name: [Filled] } => product_checks
    WpcsCreateSubscriptionInput { name: [Filled] } => subscription_checks
    WpcsCreateBaseSnapshotInput { name: [Matches(&BASE_SNAPSHOT_NAME)] } => base_snapshot_checks
}

crate::no_extra_validation!(
    WpcsUpdateTenantInput,
    WpcsMoveTenantInput,
    WpcsSetProductionVersionInput
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Each documented naming rule refuses what it should and passes what it should.
    #[test]
    fn naming_rules() {
        let ok = |p: &Pattern, text: &str| (p.test)(text);
        assert!(ok(&TENANT_NAME, "First-Tenant"));
        assert!(!ok(&TENANT_NAME, "-bad") && !ok(&TENANT_NAME, "bad-"));
        assert!(!ok(&TENANT_NAME, &"a".repeat(31)));
        assert!(ok(&EXTERNAL_ID, "T-001"));
        assert!(!ok(&EXTERNAL_ID, "T 001") && !ok(&EXTERNAL_ID, "T_001"));
        assert!(ok(&VERSION_NAME, "V3.5-beta") && !ok(&VERSION_NAME, "V3 5"));
        assert!(ok(&BASE_SNAPSHOT_NAME, "Base one"));
        assert!(!ok(&BASE_SNAPSHOT_NAME, "abcd") && !ok(&BASE_SNAPSHOT_NAME, "under_score"));
        for p in [
            &TENANT_NAME,
            &EXTERNAL_ID,
            &VERSION_NAME,
            &BASE_SNAPSHOT_NAME,
        ] {
            assert!(!ok(p, p.refused_example), "{}", p.message);
        }
    }

    /// PHP constants are a list in GraphQL and the documented map upstream, both ways.
    #[test]
    fn php_constants_wire_format() {
        let body = json!({"name": "T1", "phpConstants": {"WP_DEBUG": {"value": "true", "isPrivate": true}}});
        let input: WpcsCreateTenantInput = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(
            input.php_constants.as_ref().unwrap()[0],
            WpcsPhpConstantInput {
                name: "WP_DEBUG".into(),
                value: "true".into(),
                is_private: true
            }
        );
        assert_eq!(serde_json::to_value(&input).unwrap(), body);
    }

    /// `asZip` only goes with a custom upload.
    #[test]
    fn as_zip_needs_custom_upload() {
        let mut t: WpcsCreateTenantInput =
            serde_json::from_value(json!({"name": "T1", "asZip": true})).unwrap();
        let check = |t: &WpcsCreateTenantInput| crate::validate::check(t, crate::Provider::Wpcs);
        assert!(check(&t).is_err());
        t.upload_custom_snapshot = Some(true);
        assert!(check(&t).is_ok());
    }
}
