//! Relay connections over page-based upstream lists. A cursor names an item by the upstream page it
//! came from and its index there, so `after` resumes on the right page; `raw` holds the upstream
//! items returned, which for a plain `page` request is the upstream's page exactly.

use crate::RestReply;
use async_graphql::{
    Json, OutputType, SimpleObject,
    connection::{Connection, ConnectionNameType, EdgeNameType, EmptyFields, EnableNodesField},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::Value;

/// Fields every list connection carries besides edges and page info.
#[derive(SimpleObject, Debug, Clone)]
pub struct ListFields {
    /// Items in the whole list, where the upstream says.
    pub total_count: Option<u64>,
    /// The upstream items returned, as received.
    pub raw: Json<Value>,
}

/// One upstream's page-based list: `<Type>PageConnection`, so the unified lists keep the plain
/// `<Type>Connection` names.
pub type List<T> =
    Connection<String, T, ListFields, EmptyFields, PageName, PageEdgeName, EnableNodesField>;

pub struct PageName;

impl ConnectionNameType for PageName {
    fn type_name<T: OutputType>() -> String {
        format!("{}PageConnection", T::type_name())
    }
}

pub struct PageEdgeName;

impl EdgeNameType for PageEdgeName {
    fn type_name<T: OutputType>() -> String {
        format!("{}PageEdge", T::type_name())
    }
}

impl<T: OutputType> RestReply for List<T> {
    fn selection() -> &'static str {
        "{ raw }"
    }
    fn upstream(mut value: Value) -> Value {
        value.get_mut("raw").map(Value::take).unwrap_or(Value::Null)
    }
}

/// `(page, index)` as an opaque cursor.
pub fn encode_cursor(page: i32, index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("page:{page}:{index}"))
}

pub fn decode_cursor(cursor: &str) -> Option<(i32, usize)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let mut parts = text.strip_prefix("page:")?.split(':');
    let page = parts.next()?.parse().ok().filter(|p| *p >= 1)?;
    let index = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((page, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cursors round-trip and garbage is refused.
    #[test]
    fn cursors() {
        assert_eq!(decode_cursor(&encode_cursor(3, 24)), Some((3, 24)));
        assert_eq!(decode_cursor("nope"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("page:0:1")), None);
    }
}
