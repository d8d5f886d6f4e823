//! `hostplane demo`: the built-in simulators on loopback ports, registered as connections, so one command
//! shows real data flowing through the gateway. The simulators come with the `demo` feature; the
//! onboarding and the first query stay without it, as the tests run them on their own fixtures.

use hostplane_resolvers::AppSchema;
#[cfg(feature = "demo")]
use hostplane_resolvers::connections::{ConnectionSpec, Credentials};
use hostplane_schema::principal::{Caller, Principal, Scope};

/// What the demo teaches the gateway at start, through its own API as an integrator would: the
/// seeded Patchstack users' views (Patchstack lists no sites, so the gateway learns them from the
/// answers it passes on) and the running VM's reverse DNS name, which links it to the site of that
/// domain. Afterwards `blog.example.org` is one site known to Patchstack, Orchestrix, WPCS and a
/// HosterAPI VM.
pub const ONBOARDING: &str = r#"
query Learn($patchstack: String!) {
  dave: patchstackUser(connection: $patchstack, userid: 1) { id }
  erin: patchstackUser(connection: $patchstack, userid: 2) { id }
}
mutation Link($hosterapi: String!) {
  hosterapiSetServerRdns(connection: $hosterapi, sid: 4001,
    input: {ip: "127.0.0.1", hostname: "blog.example.org"}) { ok }
}
"#;

/// The README's first query: every site, from every upstream, with the views linked to it.
pub const FIRST_QUERY: &str = r#"
query Sites {
  sites(filter: {text: "blog.example.org"}) {
    totalCount
    sources { connection provider count error }
    nodes {
      provider connection domain
      security { softwareVulnerable softwareOutdated }
      orchestrix { status wpVersion }
      wordpress { version maintenanceMode }
      health { status }
      tenant { name status }
      server { id state }
      views { provider siteId }
    }
  }
}
"#;

/// Runs `ONBOARDING` against the demo's connections, as an admin.
pub async fn onboard(schema: &AppSchema, patchstack: &str, hosterapi: &str) -> Result<(), String> {
    let admin = Principal {
        subject: "demo".into(),
        scopes: [Scope::Admin].into(),
        connections: None,
        bound: None,
    };
    let variables = serde_json::json!({"patchstack": patchstack, "hosterapi": hosterapi});
    for operation in ["Learn", "Link"] {
        let request = async_graphql::Request::new(ONBOARDING)
            .operation_name(operation)
            .variables(async_graphql::Variables::from_json(variables.clone()))
            .data(Caller(Some(admin.clone())));
        let response = schema.execute(request).await;
        if let Some(e) = response.errors.first() {
            return Err(format!("demo onboarding ({operation}): {}", e.message));
        }
    }
    Ok(())
}

/// The running simulators; dropping this stops them.
#[cfg(feature = "demo")]
pub struct Simulators {
    pub servers: Vec<hostplane_simulators::SimServer>,
    pub connections: Vec<ConnectionSpec>,
}

#[cfg(feature = "demo")]
pub async fn start_simulators() -> std::io::Result<Simulators> {
    use hostplane_adapters::Provider;
    use hostplane_simulators::{hosterapi, orchestrix, panelalpha, patchstack, wpcs};
    let hoster_config = hosterapi::SimConfig::default();
    let hoster_token = hoster_config.token.clone();
    let (_, hoster) = hosterapi::Simulator::start(hoster_config).await?;
    let patch_config = patchstack::SimConfig::default();
    let patch_token = patch_config.token.clone();
    let (_, patch) = patchstack::Simulator::start(patch_config).await?;
    let orch_config = orchestrix::SimConfig::default();
    let orch_token = orch_config.api_token.clone();
    let (_, orch) = orchestrix::Simulator::start(orch_config).await?;
    let wpcs_config = wpcs::SimConfig::default();
    let wpcs_credentials = Credentials::key_secret(&wpcs_config.key, &wpcs_config.secret);
    let (_, wpcs) = wpcs::Simulator::start(wpcs_config).await?;
    let panel_config = panelalpha::SimConfig::default();
    let panel_token = panel_config.token.clone();
    let (_, panel) = panelalpha::Simulator::start(panel_config).await?;
    let connections = vec![
        ConnectionSpec {
            name: "hosterapi-demo".into(),
            provider: Provider::Hosterapi,
            base_url: hoster.base_url(),
            credentials: Credentials::token(&hoster_token),
        },
        ConnectionSpec {
            name: "patchstack-demo".into(),
            provider: Provider::Patchstack,
            base_url: patch.base_url(),
            credentials: Credentials::token(&patch_token),
        },
        ConnectionSpec {
            name: "orchestrix-demo".into(),
            provider: Provider::Orchestrix,
            base_url: orch.base_url(),
            credentials: Credentials::token(&orch_token),
        },
        ConnectionSpec {
            name: "wpcs-demo".into(),
            provider: Provider::Wpcs,
            base_url: wpcs.base_url(),
            credentials: wpcs_credentials,
        },
        ConnectionSpec {
            name: "panelalpha-demo".into(),
            provider: Provider::Panelalpha,
            base_url: panel.base_url(),
            credentials: Credentials::token(&panel_token),
        },
    ];
    let servers = vec![hoster, patch, orch, wpcs, panel];
    // The demo serves for as long as it is left running: its simulators count requests and keep
    // none of them.
    for server in &servers {
        server.log.keep_none();
    }
    Ok(Simulators {
        servers,
        connections,
    })
}
