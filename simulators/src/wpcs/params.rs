//! What WPCS requests carry: the query string (ids are lowercased, as WPCS compares GUIDs), JSON
//! bodies and their properties, and the naming rules, worded as the docs state them.

use super::{
    model::is_uuid,
    routes::{Fail, invalid, null, validation},
};
use crate::kit::{
    Absent, Fields, Problem,
    body::{Params, json_object},
    time::parse_iso,
};
use axum::{
    extract::{FromRequestParts, Query},
    http::{HeaderMap, header, request::Parts},
};
use serde_json::Value;
use std::{collections::BTreeMap, time::SystemTime};

pub(super) type Body = Params;

/// Blank strings count as absent; a missing property is "cannot be null", as the docs' example.
pub(super) const FIELDS: Fields = Fields {
    absent: Absent::NullOrBlank,
    trim: false,
    coerce: false,
    fail: field_fail,
};

pub(super) fn field_fail(name: &str, problem: Problem) -> Fail {
    match problem {
        Problem::Missing => null(name),
        _ => invalid(name),
    }
}

/// The deprecated tenant-user fields and their replacements: strings when present.
pub(super) const USER_FIELDS: [&str; 8] = [
    "tenantName",
    "tenantUserRole",
    "tenantEmail",
    "tenantPassword",
    "wordPressUserName",
    "wordPressUserRole",
    "wordPressUserEmail",
    "wordPressUserPassword",
];

/// What a new version is made of: its parameters and the snapshots it starts with.
pub(super) struct VersionParams {
    pub(super) name: String,
    pub(super) wordpress_version: String,
    pub(super) php_version: String,
    pub(super) custom_upload: bool,
    pub(super) as_zip: bool,
    pub(super) snapshot_id: Option<String>,
    pub(super) copies: Vec<String>,
}

/// The query string; `uuid` values are lowercased so ids compare as WPCS's GUIDs do.
pub(super) struct Args(BTreeMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Args {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Args, Fail> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|_| validation("The query string is malformed"))?;
        Ok(Args(pairs.into_iter().collect()))
    }
}

impl Args {
    /// A parameter; empty or blank reads as absent.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        let value = self.0.get(name).map(String::as_str);
        value.filter(|v| !v.trim().is_empty())
    }

    pub(super) fn required(&self, name: &str) -> Result<&str, Fail> {
        self.get(name).ok_or_else(|| null(name))
    }

    pub(super) fn uuid(&self, name: &str) -> Result<Option<String>, Fail> {
        self.get(name).map(|v| uuid(v, name)).transpose()
    }

    pub(super) fn required_uuid(&self, name: &str) -> Result<String, Fail> {
        uuid(self.required(name)?, name)
    }

    pub(super) fn flag(&self, name: &str) -> Result<bool, Fail> {
        match self.get(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(_) => Err(invalid(name)),
        }
    }
}

/// An empty body reads as no properties; anything but a JSON object is refused (modelled).
pub(super) fn parse(bytes: &[u8]) -> Result<Body, Fail> {
    json_object(bytes).ok_or_else(|| validation("The request body is not a valid JSON object"))
}

/// Unlike the string properties, a blank string is no boolean: only `null` reads as absent.
pub(super) fn flag(body: &Body, name: &str) -> Result<bool, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| invalid(name)),
    }
}

pub(super) fn uuid_field(body: &Body, name: &str) -> Result<Option<String>, Fail> {
    FIELDS.text(body, name)?.map(|v| uuid(&v, name)).transpose()
}

pub(super) fn required_uuid(body: &Body, name: &str) -> Result<String, Fail> {
    uuid_field(body, name)?.ok_or_else(|| null(name))
}

pub(super) fn object<'a>(body: &'a Body, name: &str) -> Result<Option<&'a Body>, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(invalid(name)),
    }
}

pub(super) fn uuid(value: &str, name: &str) -> Result<String, Fail> {
    if is_uuid(value) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(validation(format!("Property {name} is not a valid uuid")))
    }
}

/// `wpOptions` (an object) and `phpConstants` (an object of `{value, isPrivate}`): whether either
/// was given.
pub(super) fn settings(body: &Body) -> Result<bool, Fail> {
    let options = object(body, "wpOptions")?;
    let constants = object(body, "phpConstants")?;
    for (key, constant) in constants.into_iter().flatten() {
        let field = format!("phpConstants.{key}.value");
        let Value::Object(constant) = constant else {
            return Err(invalid(&format!("phpConstants.{key}")));
        };
        match constant.get("value") {
            None | Some(Value::Null) => return Err(null(&field)),
            Some(Value::Object(_) | Value::Array(_)) => return Err(invalid(&field)),
            Some(_) => {}
        }
        flag(constant, "isPrivate")
            .map_err(|_| invalid(&format!("phpConstants.{key}.isPrivate")))?;
    }
    Ok(options.is_some() || constants.is_some())
}

pub(super) fn version_params(body: &Body) -> Result<VersionParams, Fail> {
    let name = FIELDS.required_text(body, "name")?;
    check_version_name(&name)?;
    let wordpress_version = FIELDS.required_text(body, "wordPressVersion")?;
    let php_version = FIELDS.required_text(body, "phpVersion")?;
    let custom_upload = flag(body, "useCustomUpload")?;
    let as_zip = flag(body, "asZip")?;
    if as_zip && !custom_upload {
        return Err(validation(
            "asZip can only be used when useCustomUpload is true",
        ));
    }
    let snapshot_id = uuid_field(body, "snapshotId")?;
    let copies = match body.get("snapshotIdsToCopy") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| uuid(id.as_str().unwrap_or_default(), "snapshotIdsToCopy"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("snapshotIdsToCopy")),
    };
    if snapshot_id.is_none() && !custom_upload {
        return Err(no_source());
    }
    Ok(VersionParams {
        name,
        wordpress_version,
        php_version,
        custom_upload,
        as_zip,
        snapshot_id,
        copies,
    })
}

pub(super) fn no_source() -> Fail {
    validation("Either a valid snapshotId is required or useCustomUpload must be true")
}

/// A product's name and optional version.
pub(super) fn product_params(body: &Body) -> Result<(String, Option<VersionParams>), Fail> {
    let name = FIELDS.required_text(body, "name")?;
    let version = object(body, "version")?.map(version_params).transpose()?;
    Ok((name, version))
}

/// The usage period: two ISO 8601 date-times, the end not before the start.
pub(super) fn period(args: &Args) -> Result<(SystemTime, SystemTime), Fail> {
    let date = |name: &str| {
        let value = args.required(name)?;
        parse_iso(value)
            .ok_or_else(|| validation(format!("Property {name} is not a valid date-time")))
    };
    let (from, to) = (date("startDate")?, date("endDate")?);
    if to < from {
        return Err(validation("endDate must be later than startDate"));
    }
    Ok((from, to))
}

// The naming rules, worded as the docs state them.

pub(super) fn check_tenant_name(name: &str) -> Result<(), Fail> {
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if name.chars().count() <= 30 && alnum(name.chars().next()) && alnum(name.chars().last()) {
        return Ok(());
    }
    Err(validation(
        "Tenant name cannot be longer than 30 characters and must start and end on an alpha \
         numeric character",
    ))
}

pub(super) fn check_external_id(id: &str) -> Result<(), Fail> {
    if id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(());
    }
    Err(validation(
        "ExternalIds cannot contain spaces or special characters other than '-'",
    ))
}

pub(super) fn check_version_name(name: &str) -> Result<(), Fail> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if name.chars().count() <= 30 && name.chars().all(allowed) {
        return Ok(());
    }
    Err(validation(
        "The version name cannot be longer than 30 characters and can only contain alpha numeric \
         characters, dashes and dots",
    ))
}

pub(super) fn check_base_snapshot_name(name: &str) -> Result<(), Fail> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == ' ' || c == '-';
    if (5..=50).contains(&name.chars().count()) && name.chars().all(allowed) {
        return Ok(());
    }
    Err(validation(
        "The name of the BaseSnapshot must be between 5 and 50 characters and may only contain \
         alphanumeric characters, spaces and dashes",
    ))
}

/// A host name of at least two labels of letters, digits and inner dashes (modelled: the docs only
/// say "domain name").
pub(super) fn domain_name(name: String, field: &str) -> Result<String, Fail> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = name.split('.').collect();
    if name.len() <= 253 && labels.len() >= 2 && labels.iter().all(|l| label_ok(l)) {
        return Ok(name);
    }
    Err(validation(format!(
        "Property {field} is not a valid domain name"
    )))
}

pub(super) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}
