//! Patchstack's own objects and inputs: a user's plan details, a site's security report (attacks per
//! day, software inventory, vulnerable and outdated counts) and its plugin API credentials, whose secret
//! only admins may read. Inputs write Patchstack's wire format (`newsletter` as 0/1, snake_case keys).

use crate::{
    GatewayError,
    principal::{Scope, ScopeGuard},
};
use async_graphql::{InputObject, SimpleObject};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Accepts 0/1, "0"/"1" and booleans; anything else is refused (the upstream says "0 or 1").
fn zero_or_one<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
        Some(Value::String(s)) if s == "0" || s == "1" => Ok(Some(s == "1")),
        Some(other) => Err(serde::de::Error::custom(format!(
            "newsletter must be 0 or 1, not {other}"
        ))),
    }
}

/// What `zero_or_one` reads, for the REST body's JSON Schema: a boolean, as the docs declare it
/// (the REST layer takes 0, 1, "0" and "1" for any boolean, as Laravel does).
fn zero_or_one_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "boolean", "description": "true or false; 0 and 1 are taken too" })
}

/// What `lenient_i32` reads: an integer, or a string Rust reads as one, within 32 bits.
fn lenient_i32_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "anyOf": [
        { "type": "integer", "format": "int32" },
        { "type": "string", "pattern": "^[+-]?[0-9]{1,9}$" }
    ] })
}

fn as_zero_or_one<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_u8(u8::from(*b)),
        None => s.serialize_none(),
    }
}

/// Accepts an integer or a numeric string, within GraphQL's 32-bit `Int`.
fn lenient_i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| serde::de::Error::custom("expected a 32-bit integer")),
        Value::String(s) => s.parse().map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!(
            "expected an integer, not {other}"
        ))),
    }
}

/// A Patchstack user's plan, as its user objects report it.
#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct PatchstackUserDetail {
    /// `free` or `premium`.
    pub class: Option<String>,
    /// `monthly` or `annually`.
    pub renew_freq: Option<String>,
    pub blocked_attacks: Option<crate::Int64>,
    pub expires_at: Option<String>,
    pub created_at: Option<String>,
    /// Sites of the user, where the object says (a site view's owner does).
    pub site_count: Option<i32>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct PatchstackAttackDay {
    /// The day, `YYYY-MM-DD`.
    #[serde(rename = "dateday")]
    pub day: String,
    /// Attacks blocked that day.
    #[serde(rename = "num")]
    pub count: i32,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct PatchstackSoftware {
    pub name: String,
    /// `php`, `wordpress`, `plugin` or `theme`.
    #[serde(rename = "type")]
    #[graphql(name = "type")]
    pub kind: Option<String>,
    pub version: Option<String>,
    /// The newer version available, if any.
    pub version_new: Option<String>,
    pub slug: Option<String>,
    #[serde(default)]
    pub is_active: bool,
    #[serde(default)]
    pub is_outdated: bool,
    #[serde(default)]
    pub is_vulnerable: bool,
}

/// The credentials the site's Patchstack plugin authenticates with.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct PatchstackApiCredentials {
    #[serde(deserialize_with = "lenient_i32")]
    pub id: i32,
    /// Secret: only principals with the `admin` scope may read it.
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    pub secret: String,
}

/// What Patchstack knows about a site's security.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct PatchstackSecurityReport {
    /// Attacks blocked per day, oldest first.
    #[serde(default)]
    pub attacks: Vec<PatchstackAttackDay>,
    #[serde(default)]
    pub software: Vec<PatchstackSoftware>,
    #[serde(default, rename = "has_vuln_plugin", deserialize_with = "flag")]
    pub has_vulnerable_plugin: bool,
    #[serde(default)]
    pub software_outdated: i32,
    #[serde(default)]
    pub software_vulnerable: i32,
    pub api: Option<PatchstackApiCredentials>,
}

impl PatchstackSecurityReport {
    /// Attacks blocked over the days the report covers.
    pub fn attacks_total(&self) -> i64 {
        self.attacks.iter().map(|d| i64::from(d.count)).sum()
    }
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => s == "1" || s == "true",
        _ => false,
    })
}

// ---- inputs ----

/// The upstream's own rules are checked here, with its own wording, so both surfaces refuse bad input
/// the same way before any call.
#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct PatchstackAddUserInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    pub email: String,
    /// At least 6 characters; never stored or logged by the gateway.
    pub password: String,
    /// Must equal `password`.
    pub password_confirmation: String,
    /// Subscribe to the newsletter (sent as 0 or 1).
    #[serde(
        default,
        deserialize_with = "zero_or_one",
        serialize_with = "as_zero_or_one"
    )]
    #[schemars(schema_with = "zero_or_one_schema")]
    pub newsletter: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

pub use hostplane_adapters::rules::{valid_email, valid_url};

fn invalid(message: &str) -> Result<(), GatewayError> {
    Err(GatewayError::Validation(message.into()))
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct PatchstackSearchUserInput {
    pub email: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct PatchstackEditUserInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(
        default,
        deserialize_with = "zero_or_one",
        serialize_with = "as_zero_or_one",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "zero_or_one_schema")]
    pub newsletter: Option<bool>,
}

/// A blank name is refused as not a string, where Patchstack words it so (no rule of `rules!`).
fn name_is_text(input: &PatchstackEditUserInput) -> Result<(), GatewayError> {
    if input.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return invalid("The name must be a string.");
    }
    Ok(())
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct PatchstackAddSiteInput {
    /// The site's URL, as `https://www.domain.com`.
    pub url: String,
    /// The Patchstack user the site belongs to.
    #[serde(deserialize_with = "lenient_i32")]
    #[schemars(schema_with = "lenient_i32_schema")]
    pub userid: i32,
    /// Refuse a site already added to Patchstack by anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct PatchstackEditSiteInput {
    pub url: String,
}

// The upstream's own rules, in the order it checks them; refused before any call on both surfaces,
// in Patchstack's wording (its wire's `rule_message`).
crate::rules! {
    PatchstackAddUserInput {
        name: [Filled],
        email: [Email],
        newsletter: [Required],
        password: [MinLen(6), Confirmed],
    }
    PatchstackSearchUserInput { email: [Email] }
    PatchstackEditUserInput { email: [Email] } => name_is_text
    PatchstackAddSiteInput { url: [Url] }
    PatchstackEditSiteInput { url: [Url] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn add_user(v: Value) -> Result<PatchstackAddUserInput, serde_json::Error> {
        serde_json::from_value(v)
    }

    /// The newsletter flag reads 0/1 in and writes 0/1 out; other values are refused.
    #[test]
    fn newsletter_wire_format() {
        let input = add_user(
            json!({"name": "A", "email": "a@b.co", "password": "secret1",
            "password_confirmation": "secret1", "newsletter": "1"}),
        )
        .unwrap();
        assert_eq!(input.newsletter, Some(true));
        assert_eq!(
            serde_json::to_value(&input).unwrap()["newsletter"],
            json!(1)
        );
        assert!(
            add_user(
                json!({"name": "A", "email": "a@b.co", "password": "secret1",
            "password_confirmation": "secret1", "newsletter": 2})
            )
            .is_err()
        );
    }

    /// Emails and URLs are checked the way the upstream words its refusals.
    #[test]
    fn emails_and_urls() {
        assert!(valid_email("a@b.co"));
        for bad in ["", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@.co"] {
            assert!(!valid_email(bad), "{bad}");
        }
        assert!(valid_url("https://www.domain.com"));
        assert!(valid_url("http://test1.com/x"));
        for bad in ["domain.com", "ftp://x.com", "https://", "https:// x"] {
            assert!(!valid_url(bad), "{bad}");
        }
    }

    /// Mismatched confirmation, short passwords and a missing flag are refused before any call.
    #[test]
    fn add_user_checks() {
        use crate::validate::check;
        let ok = add_user(
            json!({"name": "A", "email": "a@b.co", "password": "secret1",
            "password_confirmation": "secret1", "newsletter": 0}),
        )
        .unwrap();
        let patchstack = hostplane_adapters::Provider::Patchstack;
        assert!(check(&ok, patchstack).is_ok());
        let mut bad = ok.clone();
        bad.password_confirmation = "other".into();
        assert_eq!(
            check(&bad, patchstack).unwrap_err().message(),
            "The password confirmation does not match."
        );
        let mut short = ok.clone();
        short.password = "abc".into();
        short.password_confirmation = "abc".into();
        assert_eq!(
            check(&short, patchstack).unwrap_err().message(),
            "The password must be at least 6 characters."
        );
        let mut missing = ok;
        missing.newsletter = None;
        assert_eq!(
            check(&missing, patchstack).unwrap_err().message(),
            "The newsletter field is required."
        );
    }

    /// The documented site view parses into a report whose counts agree.
    #[test]
    fn security_report() {
        let r: PatchstackSecurityReport = serde_json::from_value(json!({
            "attacks": [{"num": 1, "dateday": "2023-06-30"}, {"num": 30, "dateday": "2023-07-04"}],
            "api": {"id": 315, "secret": "s"},
            "software": [{"name": "WordPress", "type": "wordpress", "version": "6.0.2", "version_new": "6.0.3",
                "slug": null, "is_active": true, "is_outdated": true, "is_vulnerable": true}],
            "has_vuln_plugin": 1, "software_outdated": 2, "software_vulnerable": 1
        }))
        .unwrap();
        assert_eq!(r.attacks_total(), 31);
        assert!(r.has_vulnerable_plugin);
        assert_eq!(r.software[0].kind.as_deref(), Some("wordpress"));
        assert_eq!(r.api.unwrap().id, 315);
    }
}
