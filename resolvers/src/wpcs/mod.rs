//! WPCS's 28 documented endpoints, each declared once. Tenants are `Tenant`s (and `Site`s); every
//! scheduled write returns a Task that follows the object's `statusName` to `Done`. Parameters are the
//! upstream's query parameters (`tenantId`, `externalId`, `productId`, ...); a partner connection may
//! be pinned to one product, or take `productId` per call.

mod watch;

pub use watch::*;

use crate::{
    call::{UpstreamCall, parse},
    downloads::{DownloadLink, link},
    endpoint::Endpoint,
    endpoints,
    objects::{TaskPayload, Tenant},
};
use async_graphql::Context;
use hostplane_adapters::Provider;
use hostplane_schema::{GatewayError, task::Progress, wpcs::*};
use serde_json::Value;

endpoints! {
    provider: Provider::Wpcs;
    audience: Operator;
    query_root: WpcsQuery;
    mutation_root: WpcsMutation;
    queries {
        /// Get tenants (filter by tenantId or externalId)
        wpcs_tenants = Get "/v1/tenants" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>) -> Vec<Tenant> => tenants;
        /// List a tenant's domains
        wpcs_tenant_domains = Get "/v1/tenants/domains" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>) -> Vec<WpcsDomain> => tenant_parse;
        /// Is a domain available for a tenant
        wpcs_domain_availability = Get "/v1/tenants/domains/available" (domain: String) -> WpcsDomainAvailability => parse;
        /// List versions
        wpcs_versions = Get "/v1/versions" (versionId: Option<String>, versionName: Option<String>, productId: Option<String>) -> Vec<WpcsVersion> => parse;
        /// List snapshots
        wpcs_snapshots = Get "/v1/snapshots" (versionId: Option<String>, snapshotId: Option<String>, snapshotName: Option<String>, groupName: Option<String>, productId: Option<String>) -> Vec<WpcsSnapshot> => parse;
        /// Download a snapshot: a signed gateway URL valid for five minutes (admins only: a snapshot holds a whole site and its database)
        wpcs_snapshot_download = Get "/v1/snapshots/download" (snapshotId: String, productId: Option<String>) -> DownloadLink => link;
        /// List subscriptions
        wpcs_subscriptions = Get "/v1/subscriptions" (name: Option<String>, subscriptionId: Option<String>) -> Vec<WpcsSubscription> => parse;
        /// Subscription usage hours between two dates
        wpcs_subscription_usage = Get "/v1/subscriptions/usage" (subscriptionId: String, startDate: String, endDate: String) -> WpcsUsage => usage;
        /// List products
        wpcs_products = Get "/v1/products" (subscriptionId: Option<String>, productId: Option<String>, productName: Option<String>) -> Vec<WpcsProduct> => parse;
        /// Product usage hours between two dates
        wpcs_product_usage = Get "/v1/products/usage" (productId: String, startDate: String, endDate: String) -> WpcsUsage => usage;
        /// List base snapshots
        wpcs_base_snapshots = Get "/v1/basesnapshots" (baseSnapshotId: Option<String>, name: Option<String>, groupName: Option<String>, onlyPartnerSpecific: Option<bool>) -> Vec<WpcsBaseSnapshot> => parse;
    }
    mutations {
        /// Schedule the creation of a tenant
        wpcs_create_tenant = Post "/v1/tenants" (productId: Option<String>; input: WpcsCreateTenantInput) -> TaskPayload => tenant_task;
        /// Schedule an update of a tenant's WP options / PHP constants
        wpcs_update_tenant = Put "/v1/tenants" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>; input: WpcsUpdateTenantInput) -> TaskPayload => tenant_task;
        /// Remove a tenant
        wpcs_delete_tenant = Delete "/v1/tenants" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>) -> TaskPayload => tenant_removal;
        /// Schedule adding a domain (deprecated: use wpcsAddTenantDomain)
        #[deprecated = "use wpcsAddTenantDomain (POST /v1/tenants/domains)"]
        wpcs_add_tenant_domain_deprecated = Post "/v1/tenants/domain" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>; input: WpcsAddDomainInput) -> TaskPayload => tenant_task;
        /// Move a tenant to a target version
        wpcs_move_tenant = Put "/v1/tenants/version" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>; input: WpcsMoveTenantInput) -> TaskPayload => tenant_task;
        /// Schedule adding a domain to a tenant
        wpcs_add_tenant_domain = Post "/v1/tenants/domains" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>; input: WpcsAddDomainInput) -> TaskPayload => tenant_task;
        /// Schedule removing a tenant domain (by domainId or domainName)
        wpcs_remove_tenant_domain = Delete "/v1/tenants/domains" (tenantId: Option<String>, externalId: Option<String>, domainId: Option<String>, domainName: Option<String>, productId: Option<String>) -> TaskPayload => domain_removal;
        /// Schedule setting an existing domain as main domain
        wpcs_set_main_domain = Put "/v1/tenants/domains/main" (tenantId: Option<String>, externalId: Option<String>, productId: Option<String>; input: WpcsSetMainDomainInput) -> TaskPayload => tenant_task;
        /// Create a version (from a snapshot or a custom upload)
        wpcs_create_version = Post "/v1/versions" (productId: Option<String>; input: WpcsCreateVersionInput) -> TaskPayload => version_task;
        /// Remove a non-production version
        wpcs_delete_version = Delete "/v1/versions" (versionId: String, productId: Option<String>) -> WpcsAck => parse;
        /// Set a version as production
        wpcs_set_production_version = Put "/v1/versions/production" (productId: Option<String>; input: WpcsSetProductionVersionInput) -> TaskPayload => version_task;
        /// Schedule the creation of a subscription (with product)
        wpcs_create_subscription = Post "/v1/subscriptions" (; input: WpcsCreateSubscriptionInput) -> TaskPayload => subscription_task;
        /// Remove a subscription and its products
        wpcs_delete_subscription = Delete "/v1/subscriptions" (subscriptionId: String) -> WpcsAck => parse;
        /// Schedule the creation of a product
        wpcs_create_product = Post "/v1/products" (subscriptionId: String; input: WpcsCreateProductInput) -> TaskPayload => product_task;
        /// Remove a product
        wpcs_delete_product = Delete "/v1/products" (productId: String) -> WpcsAck => parse;
        /// Create a base snapshot
        wpcs_create_base_snapshot = Post "/v1/basesnapshots" (; input: WpcsCreateBaseSnapshotInput) -> WpcsBaseSnapshot => parse;
        /// Remove a base snapshot
        wpcs_delete_base_snapshot = Delete "/v1/basesnapshots" (id: String) -> WpcsAck => parse;
    }
}

async fn tenants(_: &Context<'_>, call: &UpstreamCall) -> Result<Vec<Tenant>, GatewayError> {
    let raw = call.send().await?;
    let items = raw
        .as_array()
        .ok_or_else(|| call.malformed("tenant list is not a list"))?;
    items
        .iter()
        .map(|item| {
            Tenant::from_raw(&call.connection.name, item.clone()).map_err(|e| call.malformed(e))
        })
        .collect()
}

/// Which tenant a call names: `tenantId` or `externalId`, one of them required.
fn tenant_key(call: &UpstreamCall) -> Result<(&'static str, String), GatewayError> {
    if let Some(id) = call.params.get("tenantId") {
        return Ok(("id", id.clone()));
    }
    if let Some(id) = call.params.get("externalId") {
        return Ok(("externalId", id.clone()));
    }
    Err(GatewayError::Validation(
        "Validation error occured: tenantId is required if externalId is omitted".into(),
    ))
}

async fn tenant_parse(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<Vec<WpcsDomain>, GatewayError> {
    tenant_key(call)?;
    parse(ctx, call).await
}

fn check_dates(call: &UpstreamCall) -> Result<(), GatewayError> {
    for name in ["startDate", "endDate"] {
        let value = call
            .params
            .get(name)
            .map(String::as_str)
            .unwrap_or_default();
        if chrono::DateTime::parse_from_rfc3339(value).is_err() {
            return Err(GatewayError::Validation(format!(
                "Validation error occured: {name} must be a date-time in ISO 8601 format"
            )));
        }
    }
    Ok(())
}

async fn usage(ctx: &Context<'_>, call: &UpstreamCall) -> Result<WpcsUsage, GatewayError> {
    check_dates(call)?;
    parse(ctx, call).await
}

/// The list a watch reads: the object's list filtered to it, scoped to the call's product.
fn list_path(
    call: &UpstreamCall,
    list: &Endpoint,
    filter: &str,
    value: &str,
) -> Result<String, GatewayError> {
    let mut params = vec![(filter, value)];
    if let Some(product) = call.params.get("productId") {
        params.push(("productId", product));
    }
    list.path_for(&params)
}

async fn follow(
    ctx: &Context<'_>,
    call: &UpstreamCall,
    raw: Value,
    watch: WpcsWatch,
) -> Result<TaskPayload, GatewayError> {
    let WpcsWatch::WpcsStatus { gone, .. } = &watch;
    let initial = Progress {
        message: Some(
            if *gone {
                "removal scheduled"
            } else {
                "scheduled"
            }
            .into(),
        ),
        ..Progress::queued()
    };
    call.start_task(ctx, raw, watch, initial).await
}

fn tenant_watch(call: &UpstreamCall, raw: &Value, gone: bool) -> Result<WpcsWatch, GatewayError> {
    // A creation answers with the new tenant's `id`; other writes name it as the call did.
    let (key, value) = match raw
        .get("tenantId")
        .or_else(|| raw.get("id"))
        .and_then(Value::as_str)
    {
        Some(id) if call.endpoint.is(&ENDPOINTS.wpcs_create_tenant) => ("id", id.to_string()),
        Some(id) if raw.get("tenantId").is_some() => ("id", id.to_string()),
        _ => tenant_key(call)?,
    };
    let filter = if key == "id" {
        "tenantId"
    } else {
        "externalId"
    };
    Ok(WpcsWatch::WpcsStatus {
        object: "Tenant".into(),
        list: list_path(call, &ENDPOINTS.wpcs_tenants, filter, &value)?,
        key: key.into(),
        value,
        gone,
    })
}

async fn tenant_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    if !call.endpoint.is(&ENDPOINTS.wpcs_create_tenant) {
        tenant_key(call)?;
    }
    let raw = call.send().await?;
    let watch = tenant_watch(call, &raw, false)?;
    follow(ctx, call, raw, watch).await
}

pub(crate) async fn tenant_removal(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    tenant_key(call)?;
    let raw = call.send().await?;
    let watch = tenant_watch(call, &raw, true)?;
    follow(ctx, call, raw, watch).await
}

/// A domain removal follows the tenant back to `Done`.
async fn domain_removal(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    tenant_key(call)?;
    if !call.params.contains_key("domainId") && !call.params.contains_key("domainName") {
        return Err(GatewayError::Validation(
            "Validation error occured: domainId is required if the domainName is omitted".into(),
        ));
    }
    let raw = call.send().await?;
    let (key, value) = tenant_key(call)?;
    let filter = if key == "id" {
        "tenantId"
    } else {
        "externalId"
    };
    let watch = WpcsWatch::WpcsStatus {
        object: "Tenant".into(),
        list: list_path(call, &ENDPOINTS.wpcs_tenants, filter, &value)?,
        key: key.into(),
        value,
        gone: false,
    };
    follow(ctx, call, raw, watch).await
}

async fn version_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let id = raw
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| call.malformed("version answer without id"))?
        .to_string();
    let watch = WpcsWatch::WpcsStatus {
        object: "WpcsVersion".into(),
        list: list_path(call, &ENDPOINTS.wpcs_versions, "versionId", &id)?,
        key: "id".into(),
        value: id,
        gone: false,
    };
    follow(ctx, call, raw, watch).await
}

fn product_watch(call: &UpstreamCall, product: &Value) -> Result<WpcsWatch, GatewayError> {
    let id = product
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| call.malformed("product answer without id"))?
        .to_string();
    Ok(WpcsWatch::WpcsStatus {
        object: "WpcsProduct".into(),
        list: ENDPOINTS.wpcs_products.path_for(&[("productId", &id)])?,
        key: "id".into(),
        value: id,
        gone: false,
    })
}

async fn product_task(ctx: &Context<'_>, call: &UpstreamCall) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let watch = product_watch(call, &raw)?;
    follow(ctx, call, raw, watch).await
}

/// A subscription created with a product is done when the product is; alone, when it is listed.
async fn subscription_task(
    ctx: &Context<'_>,
    call: &UpstreamCall,
) -> Result<TaskPayload, GatewayError> {
    let raw = call.send().await?;
    let watch = match raw.get("product").filter(|p| p.is_object()) {
        Some(product) => product_watch(call, product)?,
        None => {
            let id = raw
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| call.malformed("subscription answer without id"))?
                .to_string();
            WpcsWatch::WpcsStatus {
                object: "WpcsSubscription".into(),
                list: (ENDPOINTS.wpcs_subscriptions).path_for(&[("subscriptionId", &id)])?,
                key: "id".into(),
                value: id,
                gone: false,
            }
        }
    };
    follow(ctx, call, raw, watch).await
}

/// What WPCS's endpoints are to the unified objects: its tenants (and each as a site) and its
/// subscriptions (as services) by global ID, and a tenant's domains.
pub static ROLES: crate::objects::Roles = crate::objects::Roles {
    node: Some(|ctx, conn, gid| Box::pin(node(ctx, conn, gid))),
    tenant_domains: Some(crate::objects::Read {
        endpoint: &ENDPOINTS.wpcs_tenant_domains,
        param: "tenantId",
    }),
    ..crate::objects::Roles::NONE
};

/// A WPCS tenant, the tenant as a site, or a subscription as a service, by global ID: WPCS reads
/// them as lists filtered by ID.
async fn node(
    ctx: &Context<'_>,
    conn: &crate::connections::Live,
    gid: &hostplane_schema::GlobalId,
) -> Result<Option<crate::objects::Node>, GatewayError> {
    use crate::objects::{Node, Service, Tenant, node::read_found};
    let path = match gid.kind.as_str() {
        "Tenant" | "Site" => ENDPOINTS
            .wpcs_tenants
            .path_for(&[("tenantId", &gid.local)])?,
        "Service" => (ENDPOINTS.wpcs_subscriptions).path_for(&[("subscriptionId", &gid.local)])?,
        _ => return Ok(None),
    };
    let Some(listed) = read_found(ctx, conn, &path).await? else {
        return Ok(None);
    };
    let Some(raw) = listed.as_array().and_then(|items| items.first()).cloned() else {
        return Ok(None);
    };
    Ok(match gid.kind.as_str() {
        "Service" => Service::from_wpcs(&conn.name, raw).ok().map(Node::Service),
        kind => Tenant::from_raw(&conn.name, raw)
            .ok()
            .map(|tenant| match kind {
                "Site" => Node::Site(tenant.as_site()),
                _ => Node::Tenant(tenant),
            }),
    })
}
