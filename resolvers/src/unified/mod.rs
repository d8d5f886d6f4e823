//! The unified graph: one question answered from every connection at once. `fan_out` asks each
//! connection the principal may use, concurrently and each within the fan-out deadline; `merge` turns
//! what came back into one Relay connection, ordered by a key every item carries so cursors stay
//! stable across pages however the upstreams' answers interleave, and reports each failed connection
//! as one error (with `path`, code, provider, connection and upstream status) beside the others' data.

pub mod actions;
pub mod directory;
pub mod query;
pub mod sources;

use crate::{Services, connections::Live};
use async_graphql::{
    Context, InputObject, OutputType, SimpleObject,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hostplane_adapters::{Provider, UpstreamError};
use hostplane_schema::{
    GatewayError, ProviderEnum,
    principal::{Scope, require},
};
use std::{future::Future, sync::Arc, time::Instant};

/// Most items one page of a unified list returns.
pub const MAX_FIRST: i32 = 500;

/// What one connection answered for a unified list.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// Items in the upstream's whole list, where it says (before the gateway's filters).
    pub total: Option<u64>,
    /// Whether `items` is the whole list (false when the page budget ran out first).
    pub complete: bool,
}

impl<T> Listed<T> {
    /// A whole list, counted.
    pub fn all(items: Vec<T>) -> Listed<T> {
        Listed {
            total: Some(items.len() as u64),
            items,
            complete: true,
        }
    }

    /// The same answer, each item converted.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Listed<U>, E> {
        Ok(Listed {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            total: self.total,
            complete: self.complete,
        })
    }
}

/// Narrows a unified list. Every filter that is set must match.
#[derive(InputObject, Clone, Default, Debug)]
pub struct UnifiedFilter {
    /// Only these providers.
    pub providers: Option<Vec<ProviderEnum>>,
    /// Only these connections.
    pub connections: Option<Vec<String>>,
    /// Case-insensitive text in a name, domain, email or ID.
    #[graphql(validator(max_length = 200))]
    pub text: Option<String>,
    /// The upstream's status, case-insensitive (`healthy`, `running`, `Done`).
    #[graphql(validator(max_length = 100))]
    pub status: Option<String>,
}

impl UnifiedFilter {
    fn admits(&self, live: &Live) -> bool {
        self.providers
            .as_ref()
            .is_none_or(|p| p.contains(&live.provider.into()))
            && self
                .connections
                .as_ref()
                .is_none_or(|c| c.contains(&live.name))
    }

    fn matches<T: Entry>(&self, item: &T) -> bool {
        let text = self.text.as_ref().map(|t| t.to_lowercase());
        text.is_none_or(|t| {
            item.haystack()
                .iter()
                .any(|h| h.to_lowercase().contains(&t))
        }) && self.status.as_ref().is_none_or(|s| {
            item.status()
                .is_some_and(|have| have.eq_ignore_ascii_case(s))
        })
    }

    fn narrows(&self) -> bool {
        self.text.is_some() || self.status.is_some()
    }
}

/// An item of a unified list.
pub trait Entry: OutputType + Clone {
    /// Where the item sorts; unique within the list (it ends with the connection and the ID).
    fn order_key(&self) -> Vec<String>;
    /// The texts `filter.text` searches.
    fn haystack(&self) -> Vec<String>;
    /// What `filter.status` compares with.
    fn status(&self) -> Option<String>;
}

/// How one connection answered a unified list.
#[derive(SimpleObject, Debug, Clone)]
pub struct SourceReport {
    pub connection: String,
    pub provider: ProviderEnum,
    /// Items it returned (before the gateway's filters).
    pub count: i32,
    /// Whether that was its whole list.
    pub complete: bool,
    /// The error's code when it failed (the error itself is in `errors`).
    pub error: Option<String>,
    pub elapsed_ms: i32,
}

/// Fields every unified list carries besides edges and page info.
#[derive(SimpleObject, Debug, Clone)]
pub struct UnifiedFields {
    /// Matching items in the whole merged list: null when a connection failed or did not say.
    pub total_count: Option<u64>,
    /// One entry per connection asked.
    pub sources: Vec<SourceReport>,
}

pub type Unified<T> = Connection<String, T, UnifiedFields>;

/// One connection's answer, and how long it took.
pub struct Outcome<T> {
    pub live: Arc<Live>,
    pub result: Result<Listed<T>, GatewayError>,
    pub elapsed_ms: i32,
}

pub(crate) fn services<'a>(ctx: &'a Context<'_>) -> &'a Arc<Services> {
    ctx.data_unchecked::<Arc<Services>>()
}

/// The connections a unified list asks: usable by the principal, of a provider that serves the list,
/// admitted by the filter; in name order.
pub fn connections_for(
    ctx: &Context<'_>,
    serves: &[Provider],
    filter: &UnifiedFilter,
) -> Result<Vec<Arc<Live>>, GatewayError> {
    let principal = require(ctx, Scope::Read)?;
    let mut usable: Vec<_> = services(ctx)
        .connections
        .list()
        .into_iter()
        .filter(|c| principal.may_use(&c.name) && serves.contains(&c.provider) && filter.admits(c))
        // A customer's lists come from its own panel; other connections its list names serve only
        // the views of its own sites.
        .filter(|c| principal.customer().is_none_or(|b| b.connection == c.name))
        .collect();
    usable.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(usable)
}

/// Runs `list` against every connection at once, each bounded by the fan-out deadline.
pub async fn fan_out<T, F, Fut>(
    ctx: &Context<'_>,
    connections: Vec<Arc<Live>>,
    list: F,
) -> Vec<Outcome<T>>
where
    F: Fn(Arc<Live>) -> Fut,
    Fut: Future<Output = Result<Listed<T>, GatewayError>>,
{
    let deadline = services(ctx).fanout_deadline;
    let asks = connections.into_iter().map(|live| {
        let started = Instant::now();
        let answer = tokio::time::timeout(deadline, list(live.clone()));
        async move {
            let result = answer
                .await
                .unwrap_or_else(|_| Err(live.error(UpstreamError::Timeout(deadline))));
            Outcome {
                live,
                result,
                elapsed_ms: started.elapsed().as_millis().min(i32::MAX as u128) as i32,
            }
        }
    });
    futures_util::future::join_all(asks).await
}

/// One unified list: the connections that serve it (see `connections_for`) asked with `list` all at
/// once, their answers merged into the page `first`/`after` asks for.
pub async fn gather<T, F, Fut>(
    ctx: &Context<'_>,
    serves: &[Provider],
    filter: Option<UnifiedFilter>,
    first: i32,
    after: Option<String>,
    list: F,
) -> Result<Unified<T>, GatewayError>
where
    T: Entry,
    F: Fn(Arc<Live>) -> Fut,
    Fut: Future<Output = Result<Listed<T>, GatewayError>>,
{
    let filter = filter.unwrap_or_default();
    let connections = connections_for(ctx, serves, &filter)?;
    let outcomes = fan_out(ctx, connections, list).await;
    merge(ctx, outcomes, &filter, &Window { first, after })
}

/// Adds an error to the response at the current field's path, the rest of the data unharmed.
pub fn report(ctx: &Context<'_>, error: GatewayError) {
    let error = async_graphql::Error::from(error).into_server_error(ctx.item.pos);
    ctx.add_error(ctx.set_error_path(error));
}

fn encode_cursor(key: &[String]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("strings serialize"))
}

fn decode_cursor(cursor: &str) -> Option<Vec<String>> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()
}

/// Relay arguments of a unified list.
pub struct Window {
    pub first: i32,
    pub after: Option<String>,
}

/// Merges the connections' answers into one page: failures become errors, the filter applies, the
/// items sort by their keys, and `after` resumes strictly after its key.
pub fn merge<T: Entry>(
    ctx: &Context<'_>,
    outcomes: Vec<Outcome<T>>,
    filter: &UnifiedFilter,
    window: &Window,
) -> Result<Unified<T>, GatewayError> {
    window.check()?;
    let mut sources = Vec::new();
    let mut items = Vec::new();
    // The total is known when every connection answered with its whole list, or, without the
    // gateway's own filters, when every connection said how long its list is.
    let (mut all_complete, mut upstream_total) = (true, Some(0u64));
    for outcome in outcomes {
        let mut source = SourceReport {
            connection: outcome.live.name.clone(),
            provider: outcome.live.provider.into(),
            count: 0,
            complete: false,
            error: None,
            elapsed_ms: outcome.elapsed_ms,
        };
        match outcome.result {
            Ok(listed) => {
                source.count = listed.items.len() as i32;
                source.complete = listed.complete;
                all_complete &= listed.complete;
                upstream_total = upstream_total.zip(listed.total).map(|(a, b)| a + b);
                items.extend(listed.items.into_iter().filter(|i| filter.matches(i)));
            }
            Err(e) => {
                source.error = Some(e.code().as_str().to_string());
                all_complete = false;
                upstream_total = None;
                report(ctx, e);
            }
        }
        sources.push(source);
    }
    let total_count = if all_complete {
        Some(items.len() as u64)
    } else if !filter.narrows() && sources.iter().all(|s| s.error.is_none()) {
        upstream_total
    } else {
        None
    };
    window.page(
        items,
        UnifiedFields {
            total_count,
            sources,
        },
    )
}

impl Window {
    fn check(&self) -> Result<(), GatewayError> {
        if !(1..=MAX_FIRST).contains(&self.first) {
            return Err(GatewayError::Validation(format!(
                "first must be 1 to {MAX_FIRST}"
            )));
        }
        Ok(())
    }

    /// Sorts the items by key and cuts this window's page out of them.
    pub fn page<T: Entry>(
        &self,
        items: Vec<T>,
        fields: UnifiedFields,
    ) -> Result<Unified<T>, GatewayError> {
        self.check()?;
        let after = match &self.after {
            Some(cursor) => Some(decode_cursor(cursor).ok_or_else(|| {
                GatewayError::Validation("`after` is not a cursor of this list".into())
            })?),
            None => None,
        };
        let mut keyed: Vec<(Vec<String>, T)> =
            items.into_iter().map(|i| (i.order_key(), i)).collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let start = after
            .as_ref()
            .map_or(0, |a| keyed.partition_point(|(k, _)| k <= a));
        let first = self.first as usize;
        let mut connection =
            Connection::with_additional_fields(start > 0, keyed.len() > start + first, fields);
        connection.edges.extend(
            keyed
                .into_iter()
                .skip(start)
                .take(first)
                .map(|(key, item)| Edge::new(encode_cursor(&key), item)),
        );
        Ok(connection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cursors round-trip, and garbage is not a cursor.
    #[test]
    fn cursors() {
        let key = vec!["example.com".to_string(), "orch".into(), "site_1".into()];
        assert_eq!(decode_cursor(&encode_cursor(&key)), Some(key));
        assert_eq!(decode_cursor("not a cursor"), None);
    }
}
