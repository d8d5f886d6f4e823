//! PanelAlpha through the gateway: its route table, the acting user, its tasks, validation wording and
//! its place in the unified lists. Every endpoint's plain call is the smoke test's.

mod routes;
