//! `hostplane demo`: the built-in simulators on loopback ports, registered as connections, so one command
//! shows real data flowing through the gateway.

use hostplane_adapters::{Provider, hosterapi, orchestrix, patchstack, sim::SimServer, wpcs};
use hostplane_resolvers::connections::{ConnectionSpec, Credentials};

/// The running simulators; dropping this stops them.
pub struct Simulators {
    pub servers: Vec<SimServer>,
    pub connections: Vec<ConnectionSpec>,
}

pub async fn start_simulators() -> std::io::Result<Simulators> {
    let hoster_config = hosterapi::simulator::SimConfig::default();
    let hoster_token = hoster_config.token.clone();
    let (_, hoster) = hosterapi::simulator::Simulator::start(hoster_config).await?;
    let patch_config = patchstack::simulator::SimConfig::default();
    let patch_token = patch_config.token.clone();
    let (_, patch) = patchstack::simulator::Simulator::start(patch_config).await?;
    let orch_config = orchestrix::simulator::SimConfig::default();
    let orch_token = orch_config.api_token.clone();
    let (_, orch) = orchestrix::simulator::Simulator::start(orch_config).await?;
    let wpcs_config = wpcs::simulator::SimConfig::default();
    let wpcs_credentials = Credentials::key_secret(&wpcs_config.key, &wpcs_config.secret);
    let (_, wpcs) = wpcs::simulator::Simulator::start(wpcs_config).await?;
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
    ];
    Ok(Simulators {
        servers: vec![hoster, patch, orch, wpcs],
        connections,
    })
}
