//! hostplane's integration tests, one binary: each module starts simulators and a gateway on loopback
//! port 0 (see `helpers`) and drives the gateway from outside, as its users do.

mod helpers;

mod actions;
mod auth;
mod cli;
mod connections;
mod cors;
mod errors;
mod fanout;
mod graphql_http;
mod hosterapi;
mod http;
mod limits;
mod openapi;
mod orchestrix;
mod order;
mod paging;
mod panelalpha;
mod patchstack;
mod readme;
mod rest;
mod retention;
mod smoke;
mod sockets;
mod tasks;
mod unified;
mod webhooks;
mod wpcs;
mod ws;
