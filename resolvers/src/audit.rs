//! The audit log of mutations: who did what, on which connection and path, when, and how it ended.
//! Every generated mutation, and every connection change, records one row, including refused ones.

use crate::{Services, call::UpstreamCall, endpoint::Endpoint, store::entities::audit};
use async_graphql::Context;
use hostplane_schema::{error::code_of, principal::Caller};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, NotSet};
use std::sync::Arc;

pub struct Entry {
    operation: String,
    connection: Option<String>,
    target: Option<String>,
}

impl Entry {
    pub fn new(endpoint: &Endpoint, connection: Option<&str>) -> Entry {
        Entry::named(&endpoint.field(), connection)
    }

    /// An entry for a gateway mutation that is no upstream endpoint (connection management).
    pub fn named(operation: &str, connection: Option<&str>) -> Entry {
        Entry {
            operation: operation.to_string(),
            connection: connection.map(str::to_string),
            target: None,
        }
    }

    pub fn target(&mut self, call: &UpstreamCall) {
        self.connection = Some(call.connection.name.clone());
        self.target = Some(format!("{} {}", call.endpoint.method.as_str(), call.path()));
    }

    /// Writes the row. A failing audit write is logged, not returned: the mutation already happened.
    pub async fn record<T>(self, ctx: &Context<'_>, result: &async_graphql::Result<T>) {
        let principal = ctx
            .data_opt::<Caller>()
            .and_then(|c| c.0.as_ref())
            // A customer's credential is recorded with the customer it stands for.
            .map(|p| match p.customer() {
                Some(customer) => format!("{} as {}", p.subject, customer.key()),
                None => p.subject.clone(),
            })
            .unwrap_or_else(|| "anonymous".into());
        let error_code = result.as_ref().err().map(|e| {
            code_of(&e.clone().into_server_error(async_graphql::Pos::default()))
                .as_str()
                .to_string()
        });
        let row = audit::ActiveModel {
            id: NotSet,
            at: Set(chrono::Utc::now()),
            principal: Set(principal),
            operation: Set(self.operation),
            connection: Set(self.connection),
            target: Set(self.target),
            outcome: Set(if result.is_ok() { "ok" } else { "error" }.into()),
            error_code: Set(error_code),
        };
        let services = ctx.data_unchecked::<Arc<Services>>();
        if let Err(e) = row.insert(&services.db).await {
            tracing::error!(error = %e, "audit log write failed");
        }
    }
}
