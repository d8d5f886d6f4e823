//! HosterAPI's own objects and inputs. Objects deserialize leniently from the upstream JSON (counts the
//! docs show as strings, numbers elsewhere) and keep that JSON in `raw`; inputs serialize to the
//! upstream's parameter names (`sid|ip`) while GraphQL sees camelCase names.

use crate::{Int64, raw_reply};
use async_graphql::{InputObject, Json, SimpleObject};
use chrono::{DateTime, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::from_raw_by_serde;
pub use crate::reply::FromRaw;

/// Accepts a JSON string or number as a string (the docs mix `"count": "1"` and `"price": 39`).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

/// What `lenient_string` reads, for the REST body's JSON Schema (anything else counts as absent).
fn lenient_string_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "number", "boolean", "null"] })
}

/// What `required_lenient_string` reads.
fn required_lenient_string_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "number", "boolean"] })
}

/// Accepts `0`/`1`, booleans and `"0"`/`"1"`.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => s != "0" && !s.is_empty() && s != "false",
        _ => false,
    })
}

#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
#[graphql(name = "HosterapiLocation")]
pub struct Location {
    pub id: Option<i32>,
    pub name: Option<String>,
}

/// A hardware part as the market and configs describe it (`cpu`, `ram`, `storage`).
#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
#[graphql(name = "HosterapiPart")]
pub struct Part {
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    #[graphql(name = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub count: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub size: Option<String>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
#[graphql(name = "HosterapiHardware")]
pub struct Hardware {
    pub cpu: Option<Part>,
    pub ram: Option<Part>,
    pub storage: Option<Part>,
    pub price: Option<f64>,
    pub location: Option<Location>,
}

/// A dedicated server offered for purchase.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiDedicatedOffer {
    pub id: i64,
    pub model: Option<String>,
    pub description: Option<String>,
    pub configuration: Option<Hardware>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiDedicatedStatus {
    /// `running`, `halted`, ... as the upstream reports it.
    pub state: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
pub struct HosterapiLogin {
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
pub struct HosterapiSshAccess {
    pub root: Option<HosterapiLogin>,
    pub user: Option<HosterapiLogin>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiDedicatedConfig {
    pub ssh: Option<HosterapiSshAccess>,
    #[serde(default)]
    pub ips: Vec<String>,
    pub template: Option<String>,
    pub configuration: Option<Hardware>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// A HosterAPI job as `GET /api/v1/job/{jobId}` reports it.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiJob {
    /// `queued`, `executing`, `finished` or `failed`.
    pub status: String,
    pub progress: Option<f64>,
    /// The job's result when finished, or its error text when failed.
    pub output: Option<Json<Value>>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// Live state of a VM.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiVmStatus {
    pub state: Option<String>,
    /// CPU usage as the upstream reports it.
    pub cpu: Option<f64>,
    /// Memory in use, bytes.
    pub mem: Option<Int64>,
    pub memfree: Option<Int64>,
    pub netin: Option<Int64>,
    pub netout: Option<Int64>,
    /// Seconds since boot.
    pub uptime: Option<Int64>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct HosterapiVmConfig {
    pub cpu_cores: Option<i32>,
    /// Memory, MB.
    pub mem: Option<i32>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub disk: Option<String>,
    #[serde(default)]
    pub ips: Vec<String>,
    pub template: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// A network incident (DDoS attempt, suspicious traffic) on a VM.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiIncident {
    pub gid: Option<Int64>,
    pub start: Option<String>,
    pub stop: Option<String>,
    pub host: Option<String>,
    pub direction: Option<i32>,
    pub impact: Option<Int64>,
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub ongoing: bool,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct HosterapiBackupStatus {
    /// `pending`, `running`, `finished`, ... as the upstream reports it.
    pub status: Option<String>,
    pub progress: Option<f64>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// Software the upstream can install. The docs show no response body for the list; the package key
/// and name are what the install request implies, and `raw` keeps whatever else arrives.
#[derive(SimpleObject, Debug, Clone)]
pub struct HosterapiSoftwarePackage {
    pub package: Option<String>,
    pub name: Option<String>,
    pub raw: Json<Value>,
}

impl FromRaw for HosterapiSoftwarePackage {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error> {
        let field = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_string);
        let package = match &raw {
            Value::String(s) => Some(s.clone()),
            _ => field("package"),
        };
        Ok(HosterapiSoftwarePackage {
            name: field("name"),
            package,
            raw: Json(raw),
        })
    }
}

/// A noVNC console URL. The VM console's ticket expires 10 seconds after it is issued.
#[derive(SimpleObject, Debug, Clone)]
pub struct HosterapiConsole {
    pub url: String,
    pub raw: Json<Value>,
}

impl FromRaw for HosterapiConsole {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error> {
        let url = String::deserialize(&raw)?;
        Ok(HosterapiConsole {
            url,
            raw: Json(raw),
        })
    }
}

/// A VM backup, named by the unix time it was taken.
#[derive(SimpleObject, Debug, Clone)]
pub struct HosterapiBackup {
    pub timestamp: Int64,
    pub taken_at: Option<DateTime<Utc>>,
    pub raw: Json<Value>,
}

impl FromRaw for HosterapiBackup {
    fn from_raw(raw: Value) -> Result<Self, serde_json::Error> {
        let timestamp = i64::deserialize(&raw)?;
        Ok(HosterapiBackup {
            timestamp: Int64(timestamp),
            taken_at: DateTime::from_timestamp(timestamp, 0),
            raw: Json(raw),
        })
    }
}

from_raw_by_serde!(
    HosterapiDedicatedOffer,
    HosterapiDedicatedStatus,
    HosterapiDedicatedConfig,
    HosterapiJob,
    HosterapiVmStatus,
    HosterapiVmConfig,
    HosterapiIncident,
    HosterapiBackupStatus
);

raw_reply!(
    HosterapiDedicatedOffer,
    HosterapiDedicatedStatus,
    HosterapiDedicatedConfig,
    HosterapiJob,
    HosterapiVmStatus,
    HosterapiVmConfig,
    HosterapiIncident,
    HosterapiBackupStatus,
    HosterapiSoftwarePackage,
    HosterapiConsole,
    HosterapiBackup,
);

// ---- inputs ----

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct HosterapiOrderDedicatedServerInput {
    /// Market offer ID to order.
    pub id: i32,
    /// Template to install.
    pub template: String,
    /// Number of IPs (the docs send it as a string).
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(schema_with = "lenient_string_schema")]
    pub ip_count: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct HosterapiReinstallDedicatedServerInput {
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct HosterapiDeleteServerInput {
    /// Delete even if the VM is running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct HosterapiSetServerRdnsInput {
    /// The IPv4 address to set the reverse DNS for.
    pub ip: String,
    /// The reverse DNS FQDN.
    pub hostname: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct HosterapiChangeServerInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_cores: Option<i32>,
    /// Memory, MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem: Option<i32>,
    /// Root disk size (`10G`); the upstream refuses downgrades.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<String>,
    /// IP downgrades are silently ignored by the upstream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_count: Option<i32>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct HosterapiReinstallServerInput {
    /// Overrides the automatic template selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct HosterapiRestoreServerBackupInput {
    /// The backup to restore, as its unix timestamp.
    pub backup: Int64,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
pub struct HosterapiCreateServerInput {
    /// OS template name.
    pub template: String,
    pub cpu_cores: i32,
    /// Memory, MB.
    pub mem: i32,
    /// Root disk size (`10G`).
    pub disk: String,
    pub ip_count: i32,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct HosterapiSoftwareInput {
    /// Server ID or IP (`sid|ip` upstream).
    #[serde(rename = "sid|ip", deserialize_with = "required_lenient_string")]
    #[schemars(schema_with = "required_lenient_string_schema")]
    pub sid_or_ip: String,
    /// Package to install or uninstall.
    pub package: String,
    /// SSH root password of the server; passed to the upstream, never stored or logged.
    pub password: String,
    /// SSH port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

// The gateway's own bounds on what HosterAPI takes, refused before any call in its `0xb1` words.
crate::rules! {
    HosterapiSetServerRdnsInput { hostname: [Filled, MaxLen(253)] }
    HosterapiChangeServerInput { cpuCores: [Min(1)], mem: [Min(1)], ipCount: [Min(0)] }
    HosterapiCreateServerInput {
        template: [Filled], cpuCores: [Min(1)], mem: [Min(1)], disk: [Filled], ipCount: [Min(0)],
    }
}

crate::no_extra_validation!(
    HosterapiOrderDedicatedServerInput,
    HosterapiReinstallDedicatedServerInput,
    HosterapiDeleteServerInput,
    HosterapiReinstallServerInput,
    HosterapiRestoreServerBackupInput,
    HosterapiSoftwareInput,
);

fn required_lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient_string(d)?.ok_or_else(|| serde::de::Error::custom("expected a string"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The documented market offer parses, mixing string and numeric counts, and keeps its JSON.
    #[test]
    fn market_offer_parses() {
        let raw = json!({"id": 9, "model": "HP ProLiant BL460c G8", "description": "",
            "configuration": {"cpu": {"type": "Intel Xeon E5-2609 v2", "count": "1"},
            "ram": {"type": "DDR3 ECC", "size": "32"}, "storage": {"type": "SSD", "count": 2, "size": "250"},
            "price": 39, "location": {"id": 2, "name": "Maincubes, Frankfurt"}}});
        let offer = HosterapiDedicatedOffer::from_raw(raw.clone()).unwrap();
        let cfg = offer.configuration.unwrap();
        assert_eq!(cfg.storage.unwrap().count.as_deref(), Some("2"));
        assert_eq!(cfg.price, Some(39.0));
        assert_eq!(offer.raw.0, raw);
    }

    /// The software input writes the upstream's `sid|ip` key and accepts a numeric sid on the way in.
    #[test]
    fn software_input_uses_upstream_names() {
        let input: HosterapiSoftwareInput =
            serde_json::from_value(json!({"sid|ip": 4001, "package": "ts3", "password": "x"}))
                .unwrap();
        assert_eq!(input.sid_or_ip, "4001");
        let out = serde_json::to_value(&input).unwrap();
        assert_eq!(
            out,
            json!({"sid|ip": "4001", "package": "ts3", "password": "x"})
        );
    }

    /// Incidents' numeric `ongoing` flag becomes a boolean.
    #[test]
    fn incident_flag() {
        let i = HosterapiIncident::from_raw(
            json!({"gid": 1, "ongoing": 1, "types": ["DNS Amplification"]}),
        )
        .unwrap();
        assert!(i.ongoing);
    }
}
