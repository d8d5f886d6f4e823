//! Relay pagination over page-based upstream lists (`?page=N`). `page` asks for one upstream page as
//! it is (the REST layer's case); `first`/`after` walk the pages, at most `MAX_PAGES` upstream calls
//! per request.

use crate::call::UpstreamCall;
use async_graphql::{
    Json, OutputType,
    connection::{Connection, Edge},
};
use hostplane_schema::{
    GatewayError,
    list::{List, ListFields, decode_cursor, encode_cursor},
};
use serde_json::Value;

const MAX_PAGES: usize = 5;
const MAX_FIRST: usize = 100;

/// Reads the list arguments of a call (`page`, `first`, `after`), fetches what they ask for and
/// builds the connection with `make` for each upstream item.
pub async fn list<T: OutputType>(
    call: &UpstreamCall,
    make: impl Fn(Value) -> Result<T, GatewayError>,
) -> Result<List<T>, GatewayError> {
    let first = match call.params.get("first") {
        Some(f) => Some(
            f.parse::<usize>()
                .ok()
                .filter(|f| (1..=MAX_FIRST).contains(f))
                .ok_or_else(|| {
                    GatewayError::Validation(format!("first must be 1 to {MAX_FIRST}"))
                })?,
        ),
        None => None,
    };
    let page_arg = call
        .params
        .get("page")
        .map(|p| p.parse::<i32>().unwrap_or(1));
    let (start_page, start_index) = match (call.params.get("after"), page_arg) {
        (Some(_), Some(_)) => {
            return Err(GatewayError::Validation(
                "give `page` or `after`, not both".into(),
            ));
        }
        (Some(after), None) => {
            let (page, index) = decode_cursor(after).ok_or_else(|| {
                GatewayError::Validation("`after` is not a cursor of this list".into())
            })?;
            (page, index + 1)
        }
        (None, page) => (page.unwrap_or(1).max(1), 0),
    };
    let mut edges = Vec::new();
    let mut raws = Vec::new();
    let mut total = None;
    // Pages remain unread if the budget runs out first: the client continues with `after`.
    let mut has_next = true;
    let mut page = start_page;
    let mut skip = start_index;
    // `first` edges are in, at the end of a page that did not say whether another follows: the
    // next page is read only to learn that, so `hasNextPage` is never true on the last page.
    let mut full = false;
    for _ in 0..MAX_PAGES {
        let answer = call.send_page(page).await?;
        total = answer.total.or(total);
        let items = answer
            .items
            .as_array()
            .ok_or_else(|| call.malformed("a list page is not a list"))?;
        if full {
            has_next = !items.is_empty();
            break;
        }
        let more = answer.has_next.unwrap_or(!items.is_empty());
        let mut stopped_early = false;
        for (i, item) in items.iter().enumerate().skip(skip) {
            if first.is_some_and(|f| edges.len() >= f) {
                stopped_early = true;
                break;
            }
            edges.push(Edge::new(encode_cursor(page, i), make(item.clone())?));
            raws.push(item.clone());
        }
        skip = 0;
        match first {
            // Without `first`, one page is the answer.
            None => {
                has_next = more;
                break;
            }
            Some(f) if edges.len() >= f => {
                if stopped_early || !more || answer.has_next.is_some() {
                    has_next = stopped_early || more;
                    break;
                }
                full = true;
                page += 1;
            }
            Some(_) if !more => {
                has_next = false;
                break;
            }
            Some(_) => page += 1,
        }
    }
    let mut connection = Connection::with_additional_fields(
        start_page > 1 || start_index > 0,
        has_next,
        ListFields {
            total_count: total,
            raw: Json(Value::Array(raws)),
        },
    );
    connection.edges.extend(edges);
    Ok(connection)
}
