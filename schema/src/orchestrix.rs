//! WP Orchestrix's own objects and inputs. The upstream documents almost no bodies: the typed fields
//! are what its resources imply (a snapshot has a status and progress, a pipeline steps and an
//! approval), every field is optional where the upstream may leave it out, and `raw` keeps the rest.
//! Inputs write the flat JSON the upstream's Rails controllers read.

use crate::{
    GatewayError, from_raw_by_serde,
    principal::{Scope, ScopeGuard, redacted},
    raw_reply,
};
use async_graphql::{ComplexObject, Context, InputObject, Json, SimpleObject};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixHealthCheck {
    pub id: String,
    pub site_id: Option<String>,
    /// `passed`, `warning` or `failed`.
    pub status: Option<String>,
    /// The individual checks (HTTP, SSL, cron, database, ...) as the upstream reports them.
    pub checks: Option<Json<Value>>,
    pub checked_at: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixSnapshot {
    pub id: String,
    pub site_id: Option<String>,
    pub description: Option<String>,
    /// `pending`, `running`, `completed` or `failed`.
    pub status: Option<String>,
    pub progress: Option<f64>,
    pub size_bytes: Option<crate::Int64>,
    #[serde(default)]
    pub uploaded: bool,
    pub error: Option<String>,
    pub created_at: Option<String>,
    pub completed_at: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixPipelineStep {
    pub name: String,
    pub target: Option<String>,
    pub status: Option<String>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixPipeline {
    pub id: String,
    pub site_id: Option<String>,
    /// `awaiting_approval`, `running`, `completed` or `failed`.
    pub status: Option<String>,
    pub progress: Option<f64>,
    #[serde(default)]
    pub plugins: Vec<String>,
    #[serde(default)]
    pub core: bool,
    #[serde(default)]
    pub steps: Vec<OrchestrixPipelineStep>,
    pub error: Option<String>,
    pub created_at: Option<String>,
    pub approved_at: Option<String>,
    pub completed_at: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixVulnerability {
    pub id: String,
    pub site_id: Option<String>,
    pub software: Option<String>,
    pub version: Option<String>,
    pub fixed_in: Option<String>,
    pub severity: Option<String>,
    /// `open`, `acknowledged`, `resolved` or `ignored`.
    pub status: Option<String>,
    pub cve: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixActivity {
    pub id: String,
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub user_id: Option<String>,
    pub created_at: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// Where the upstream pushes events. The signing secret is for admins only, in `secret` and `raw`.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
#[graphql(complex)]
pub struct OrchestrixWebhookEndpoint {
    pub id: String,
    pub url: Option<String>,
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub enabled: bool,
    pub created_at: Option<String>,
    #[graphql(guard = "ScopeGuard(Scope::Admin)")]
    pub secret: Option<String>,
    #[serde(skip)]
    #[graphql(skip)]
    pub raw: Json<Value>,
}

#[ComplexObject]
impl OrchestrixWebhookEndpoint {
    /// The upstream object as received; the secret in it is shown to admins only.
    async fn raw(&self, ctx: &Context<'_>) -> Json<Value> {
        redacted(ctx, hostplane_adapters::Provider::Orchestrix, &self.raw)
    }
}

/// An API token from `POST /api/v1/auth`, to send as `Authorization: token <token>`.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixToken {
    pub token: Option<String>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// A JWT pair from `POST /api/v1/jwt` or its refresh.
#[derive(SimpleObject, Deserialize, Debug, Clone)]
pub struct OrchestrixJwtPair {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub token_type: Option<String>,
    /// Seconds the access token lives.
    pub expires_in: Option<i32>,
    #[serde(skip)]
    pub raw: Json<Value>,
}

/// What Orchestrix's site object carries beyond the unified `Site` fields.
#[derive(SimpleObject, Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct OrchestrixSiteDetail {
    pub name: Option<String>,
    /// `healthy`, ... as the upstream reports it.
    pub status: Option<String>,
    pub wp_version: Option<String>,
    pub php_version: Option<String>,
    pub created_at: Option<String>,
}

from_raw_by_serde!(
    OrchestrixHealthCheck,
    OrchestrixSnapshot,
    OrchestrixPipeline,
    OrchestrixVulnerability,
    OrchestrixActivity,
    OrchestrixWebhookEndpoint,
    OrchestrixToken,
    OrchestrixJwtPair,
);

raw_reply!(
    OrchestrixHealthCheck,
    OrchestrixSnapshot,
    OrchestrixPipeline,
    OrchestrixVulnerability,
    OrchestrixActivity,
    OrchestrixWebhookEndpoint,
    OrchestrixToken,
    OrchestrixJwtPair,
);

// ---- inputs ----

fn invalid(message: &str) -> Result<(), GatewayError> {
    Err(GatewayError::Validation(message.into()))
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixLoginInput {
    pub email: String,
    /// Passed to the upstream; never stored or logged.
    pub password: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixRefreshInput {
    pub refresh_token: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixRevokeInput {
    /// The access or refresh token to revoke.
    pub token: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixCreateSiteInput {
    pub name: String,
    pub url: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct OrchestrixUpdateSiteInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct OrchestrixCreateSnapshotInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixUploadSnapshotInput {
    /// The snapshot data, base64-encoded.
    pub data: String,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct OrchestrixCreatePipelineInput {
    /// Plugin slugs to upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugins: Option<Vec<String>>,
    /// Upgrade WordPress core too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core: Option<bool>,
}

/// The triage states a vulnerability record takes.
pub const VULNERABILITY_STATUSES: [&str; 4] = ["open", "acknowledged", "resolved", "ignored"];

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixUpdateVulnerabilityInput {
    /// `open`, `acknowledged`, `resolved` or `ignored`.
    pub status: String,
}

/// Events the upstream can push.
pub const WEBHOOK_EVENTS: [&str; 7] = [
    "snapshot.created",
    "snapshot.completed",
    "snapshot.failed",
    "pipeline.approved",
    "pipeline.completed",
    "pipeline.failed",
    "site.updated",
];

fn check_events(events: &[String]) -> Result<(), GatewayError> {
    if events.is_empty() {
        return invalid("Events can't be blank");
    }
    match events
        .iter()
        .find(|e| !WEBHOOK_EVENTS.contains(&e.as_str()))
    {
        Some(e) => invalid(&format!("Events contains an unknown event: {e}")),
        None => Ok(()),
    }
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone)]
pub struct OrchestrixWebhookInput {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

#[derive(InputObject, JsonSchema, Deserialize, Serialize, Debug, Clone, Default)]
pub struct OrchestrixUpdateWebhookInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// A webhook's events, which no rule states: at least one, each one the upstream can push.
fn webhook_events(input: &OrchestrixWebhookInput) -> Result<(), GatewayError> {
    check_events(&input.events)
}

fn changed_webhook_events(input: &OrchestrixUpdateWebhookInput) -> Result<(), GatewayError> {
    input.events.as_deref().map_or(Ok(()), check_events)
}

// Refused before any call in Rails' words (`Name can't be blank`), as the wire words them.
crate::rules! {
    OrchestrixCreateSiteInput { name: [Filled], url: [Url] }
    OrchestrixUpdateSiteInput { name: [NotBlank], url: [Url] }
    OrchestrixUpdateVulnerabilityInput { status: [OneOf(&VULNERABILITY_STATUSES)] }
    OrchestrixWebhookInput { url: [Url] } => webhook_events
    OrchestrixUpdateWebhookInput { url: [Url] } => changed_webhook_events
}

crate::no_extra_validation!(
    OrchestrixLoginInput,
    OrchestrixRefreshInput,
    OrchestrixRevokeInput,
    OrchestrixCreateSnapshotInput,
    OrchestrixUploadSnapshotInput,
    OrchestrixCreatePipelineInput,
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::FromRaw;
    use serde_json::json;

    /// A pipeline object parses with its steps, and keeps its JSON.
    #[test]
    fn pipeline_parses() {
        let raw = json!({"id": "pipe_1", "status": "running", "progress": 0.5, "plugins": ["akismet"],
            "core": true, "steps": [{"name": "snapshot", "target": null, "status": "completed"}]});
        let p = OrchestrixPipeline::from_raw(raw.clone()).unwrap();
        assert_eq!(p.steps[0].status.as_deref(), Some("completed"));
        assert_eq!(p.raw.0, raw);
    }

    /// Unknown webhook events, blank names and unknown statuses are refused before any call, in
    /// Rails' words.
    #[test]
    fn inputs_are_checked() {
        use crate::validate::check;
        let provider = crate::Provider::Orchestrix;
        let hook = OrchestrixWebhookInput {
            url: "https://gw.example/hook".into(),
            events: vec!["snapshot.completed".into(), "nope".into()],
            enabled: None,
        };
        assert!(check(&hook, provider).is_err());
        let site = OrchestrixCreateSiteInput {
            name: " ".into(),
            url: "https://x.com".into(),
        };
        assert_eq!(
            check(&site, provider).unwrap_err().message(),
            "Name can't be blank"
        );
        let status = OrchestrixUpdateVulnerabilityInput {
            status: "fixed".into(),
        };
        assert_eq!(
            check(&status, provider).unwrap_err().message(),
            "Status is not included in the list"
        );
        let unnamed = OrchestrixUpdateSiteInput::default();
        assert!(
            check(&unnamed, provider).is_ok(),
            "an update may leave the name"
        );
    }
}
