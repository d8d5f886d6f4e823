//! `hostplane demo`: the built-in simulators on loopback ports, registered as connections, so one command
//! shows real data flowing through the gateway.

use hostplane_adapters::{
    Provider,
    hosterapi::simulator::{SimConfig, Simulator},
    sim::SimServer,
};
use hostplane_resolvers::connections::{ConnectionSpec, Credentials};

/// The running simulators; dropping this stops them.
pub struct Simulators {
    pub servers: Vec<SimServer>,
    pub connections: Vec<ConnectionSpec>,
}

pub async fn start_simulators() -> std::io::Result<Simulators> {
    let config = SimConfig::default();
    let token = config.token.clone();
    let (_, hoster) = Simulator::start(config).await?;
    let connections = vec![ConnectionSpec {
        name: "hosterapi-demo".into(),
        provider: Provider::Hosterapi,
        base_url: hoster.base_url(),
        credentials: Credentials::token(&token),
    }];
    Ok(Simulators {
        servers: vec![hoster],
        connections,
    })
}
