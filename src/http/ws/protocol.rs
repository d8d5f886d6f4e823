//! The two GraphQL-over-WebSocket subprotocols' messages: what a client may send (validated as strictly
//! as the graphql-ws reference server does, since anything else is a `4400` close), what the server
//! sends back, and the close codes of `graphql-transport-ws`.
//!
//! - `graphql-transport-ws`: <https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>
//! - `graphql-ws` (subscriptions-transport-ws, legacy):
//!   <https://github.com/apollographql/subscriptions-transport-ws/blob/master/PROTOCOL.md>

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws`, the graphql-ws library's protocol.
    TransportWs,
    /// `graphql-ws`, the older subscriptions-transport-ws protocol.
    LegacyWs,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::TransportWs => "graphql-transport-ws",
            Protocol::LegacyWs => "graphql-ws",
        }
    }

    /// The first subprotocol a `Sec-WebSocket-Protocol` header offers that the gateway speaks, in the
    /// client's order of preference.
    pub fn negotiate(header: &str) -> Option<Protocol> {
        header.split(',').map(str::trim).find_map(|p| {
            if p.eq_ignore_ascii_case("graphql-transport-ws") {
                Some(Protocol::TransportWs)
            } else if p.eq_ignore_ascii_case("graphql-ws") {
                Some(Protocol::LegacyWs)
            } else {
                None
            }
        })
    }
}

/// How the server ends a connection: a close code and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Close {
    pub code: u16,
    pub reason: String,
}

impl Close {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const BAD_REQUEST: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    pub const TOO_MANY_INITS: u16 = 4429;

    /// A close frame's reason may hold at most 123 bytes (RFC 6455 §5.5: 125 with the code); a longer
    /// one would make the frame invalid, so it is cut at a character boundary.
    pub fn new(code: u16, reason: impl Into<String>) -> Close {
        let mut reason = reason.into();
        if reason.len() > 123 {
            let mut end = 123;
            while !reason.is_char_boundary(end) {
                end -= 1;
            }
            reason.truncate(end);
        }
        Close { code, reason }
    }

    /// The server is stopping: RFC 6455's "going away", which clients take as a cue to reconnect.
    pub fn going_away() -> Close {
        Close::new(Close::GOING_AWAY, "the server is shutting down")
    }

    pub fn bad_request(why: impl std::fmt::Display) -> Close {
        Close::new(
            Close::BAD_REQUEST,
            format!("Invalid message received: {why}"),
        )
    }

    pub fn unauthorized() -> Close {
        Close::new(Close::UNAUTHORIZED, "Unauthorized")
    }

    pub fn forbidden(why: impl std::fmt::Display) -> Close {
        Close::new(Close::FORBIDDEN, format!("Forbidden: {why}"))
    }

    /// The credential that opened the connection no longer holds: 4401 once a token expired,
    /// 4403 once a key is revoked or changed.
    pub fn ended(ending: crate::http::lease::Ending) -> Close {
        use crate::http::lease::Ending;
        let code = match ending {
            Ending::Expired => Close::UNAUTHORIZED,
            Ending::Revoked | Ending::Changed => Close::FORBIDDEN,
        };
        Close::new(code, ending.message())
    }

    pub fn init_timeout() -> Close {
        Close::new(Close::INIT_TIMEOUT, "Connection initialisation timeout")
    }

    pub fn subscriber_exists(id: &str) -> Close {
        Close::new(
            Close::SUBSCRIBER_EXISTS,
            format!("Subscriber for {id} already exists"),
        )
    }

    pub fn too_many_inits() -> Close {
        Close::new(Close::TOO_MANY_INITS, "Too many initialisation requests")
    }
}

/// A message from the client, in either protocol's vocabulary.
#[derive(Debug)]
pub enum ClientMessage {
    /// `connection_init`, with its payload if it had one.
    Init(Option<Map<String, Value>>),
    /// `ping` (graphql-transport-ws), with the payload to echo in the `pong`.
    Ping(Option<Value>),
    /// `pong` (graphql-transport-ws).
    Pong,
    /// `subscribe` (graphql-transport-ws) or `start` (legacy).
    Subscribe {
        id: String,
        request: Box<async_graphql::Request>,
    },
    /// `complete` (graphql-transport-ws) or `stop` (legacy): the client stops listening to `id`.
    Complete { id: String },
    /// `connection_terminate` (legacy).
    Terminate,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A field that must be an object, or null or absent.
fn optional_object(
    message: &Map<String, Value>,
    field: &str,
) -> Result<Option<Map<String, Value>>, String> {
    match message.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o.clone())),
        Some(other) => Err(format!(
            "'{field}' must be an object or null, not {}",
            kind(other)
        )),
    }
}

fn id(message: &Map<String, Value>, ty: &str) -> Result<String, String> {
    match message.get("id") {
        Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
        Some(Value::String(_)) => Err(format!("\"{ty}\" needs a non-empty 'id'")),
        other => Err(format!(
            "\"{ty}\" needs a string 'id', not {}",
            other.map_or("nothing", kind)
        )),
    }
}

/// The GraphQL request of a `subscribe`/`start`: `query` a string; `variables`, `extensions` objects
/// and `operationName` a string, each possibly null or absent.
fn request(message: &Map<String, Value>, ty: &str) -> Result<async_graphql::Request, String> {
    let Some(Value::Object(payload)) = message.get("payload") else {
        return Err(format!("\"{ty}\" needs an object 'payload'"));
    };
    let Some(Value::String(query)) = payload.get("query") else {
        return Err(format!("\"{ty}\" needs a string 'payload.query'"));
    };
    let mut request = async_graphql::Request::new(query.clone());
    if let Some(variables) = optional_object(payload, "variables")? {
        request = request.variables(async_graphql::Variables::from_json(Value::Object(
            variables,
        )));
    }
    match payload.get("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name.clone()),
        Some(other) => {
            return Err(format!(
                "'operationName' must be a string or null, not {}",
                kind(other)
            ));
        }
    }
    if let Some(extensions) = optional_object(payload, "extensions")? {
        for (name, value) in extensions {
            let value = async_graphql::Value::from_json(value)
                .map_err(|e| format!("'extensions.{name}': {e}"))?;
            request.extensions.insert(name, value);
        }
    }
    Ok(request)
}

/// Parses one text frame; the error says what is wrong with it, for the `4400` close.
pub fn parse(protocol: Protocol, text: &str) -> Result<ClientMessage, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Object(message) = value else {
        return Err(format!("a message is an object, not {}", kind(&value)));
    };
    let ty = match message.get("type") {
        Some(Value::String(t)) => t.as_str(),
        other => {
            return Err(format!(
                "'type' must be a string, not {}",
                other.map_or("nothing", kind)
            ));
        }
    };
    match (protocol, ty) {
        (_, "connection_init") => Ok(ClientMessage::Init(optional_object(&message, "payload")?)),
        (Protocol::TransportWs, "ping") => Ok(ClientMessage::Ping(
            optional_object(&message, "payload")?.map(Value::Object),
        )),
        (Protocol::TransportWs, "pong") => {
            optional_object(&message, "payload")?;
            Ok(ClientMessage::Pong)
        }
        (Protocol::TransportWs, "subscribe") | (Protocol::LegacyWs, "start") => {
            Ok(ClientMessage::Subscribe {
                id: id(&message, ty)?,
                request: Box::new(request(&message, ty)?),
            })
        }
        (Protocol::TransportWs, "complete") | (Protocol::LegacyWs, "stop") => {
            Ok(ClientMessage::Complete {
                id: id(&message, ty)?,
            })
        }
        (Protocol::LegacyWs, "connection_terminate") => Ok(ClientMessage::Terminate),
        _ => Err(format!(
            "\"{ty}\" is not a client message of {}",
            protocol.name()
        )),
    }
}

/// Messages the server sends.
pub mod server {
    use super::Protocol;
    use serde_json::{Value, json};

    pub fn ack() -> Value {
        json!({"type": "connection_ack"})
    }

    /// The legacy protocol's refusal of a connection, sent before it is closed.
    pub fn connection_error(message: &str) -> Value {
        json!({"type": "connection_error", "payload": {"message": message}})
    }

    /// A keep-alive: a `ping` the client must answer (graphql-transport-ws), or a `ka` (legacy).
    pub fn keepalive(protocol: Protocol) -> Value {
        match protocol {
            Protocol::TransportWs => json!({"type": "ping"}),
            Protocol::LegacyWs => json!({"type": "ka"}),
        }
    }

    /// The answer to a client's `ping`, echoing its payload as the reference server does.
    pub fn pong(payload: Option<Value>) -> Value {
        match payload {
            Some(p) => json!({"type": "pong", "payload": p}),
            None => json!({"type": "pong"}),
        }
    }

    /// One execution result of operation `id`, around its payload already rendered as JSON text:
    /// one rendering serves every subscriber of a shared execution, each only adding its envelope.
    pub fn next_rendered(protocol: Protocol, id: &str, payload: &str) -> String {
        let ty = match protocol {
            Protocol::TransportWs => "next",
            Protocol::LegacyWs => "data",
        };
        envelope(ty, id, payload)
    }

    /// graphql-transport-ws's `error` for a request refused before it ran, around its GraphQL
    /// errors already rendered as a JSON array.
    pub fn error_rendered(id: &str, errors: &str) -> String {
        envelope("error", id, errors)
    }

    /// `payload` must be JSON text; the id is escaped as any JSON string.
    fn envelope(ty: &str, id: &str, payload: &str) -> String {
        let id = Value::from(id);
        format!(r#"{{"type":"{ty}","id":{id},"payload":{payload}}}"#)
    }

    /// Operation `id` failed as a whole and ends without `complete`: graphql-transport-ws carries the
    /// GraphQL errors as a list, the legacy protocol one error object.
    pub fn error(protocol: Protocol, id: &str, errors: Vec<Value>) -> Value {
        let payload = match protocol {
            Protocol::TransportWs => Value::Array(errors),
            Protocol::LegacyWs => errors.into_iter().next().unwrap_or(Value::Null),
        };
        json!({"type": "error", "id": id, "payload": payload})
    }

    pub fn complete(id: &str) -> Value {
        json!({"type": "complete", "id": id})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::graphql::coded_error;
    use serde_json::json;

    fn transport(text: &str) -> Result<ClientMessage, String> {
        parse(Protocol::TransportWs, text)
    }

    #[test]
    fn negotiation_follows_the_clients_order() {
        assert_eq!(
            Protocol::negotiate("graphql-ws, graphql-transport-ws"),
            Some(Protocol::LegacyWs)
        );
        assert_eq!(
            Protocol::negotiate("soap,graphql-transport-ws"),
            Some(Protocol::TransportWs)
        );
        assert_eq!(Protocol::negotiate("soap"), None);
    }

    #[test]
    fn valid_messages() {
        assert!(matches!(
            transport(r#"{"type":"connection_init"}"#),
            Ok(ClientMessage::Init(None))
        ));
        assert!(matches!(
            transport(r#"{"type":"connection_init","payload":{"token":"t"}}"#),
            Ok(ClientMessage::Init(Some(p))) if p["token"] == "t"
        ));
        assert!(matches!(
            transport(r#"{"type":"ping","payload":{"a":1}}"#),
            Ok(ClientMessage::Ping(Some(_)))
        ));
        match transport(
            r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":{"x":1},"operationName":null}}"#,
        ) {
            Ok(ClientMessage::Subscribe { id, request }) => {
                assert_eq!(id, "1");
                assert_eq!(request.query, "{ a }");
                assert_eq!(request.operation_name, None);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(Protocol::LegacyWs, r#"{"type":"stop","id":"7"}"#),
            Ok(ClientMessage::Complete { id }) if id == "7"
        ));
        assert!(matches!(
            parse(Protocol::LegacyWs, r#"{"type":"connection_terminate"}"#),
            Ok(ClientMessage::Terminate)
        ));
    }

    #[test]
    fn invalid_messages() {
        for text in [
            "not json",
            "[]",
            r#"{"id":"1"}"#,
            r#"{"type":1}"#,
            r#"{"type":"next","id":"1","payload":{}}"#,
            r#"{"type":"start","id":"1","payload":{"query":"{ a }"}}"#,
            r#"{"type":"connection_init","payload":"token"}"#,
            r#"{"type":"subscribe","id":"","payload":{"query":"{ a }"}}"#,
            r#"{"type":"subscribe","id":1,"payload":{"query":"{ a }"}}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":1}}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }","variables":[]}}"#,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{ a }","operationName":2}}"#,
            r#"{"type":"complete"}"#,
        ] {
            assert!(transport(text).is_err(), "{text} must be refused");
        }
        assert!(parse(Protocol::LegacyWs, r#"{"type":"subscribe","id":"1"}"#).is_err());
        assert!(parse(Protocol::LegacyWs, r#"{"type":"ping"}"#).is_err());
    }

    #[test]
    fn close_reasons_fit_a_frame() {
        let close = Close::bad_request("é".repeat(200));
        assert!(close.reason.len() <= 123);
        assert_eq!(close.code, 4400);
    }

    #[test]
    fn rendered_messages_are_json() {
        let payload = r#"{"data":{"a":"\"1\""}}"#;
        let id = "a \"quoted\" id";
        for (protocol, ty) in [
            (Protocol::TransportWs, "next"),
            (Protocol::LegacyWs, "data"),
        ] {
            let text = server::next_rendered(protocol, id, payload);
            let message: Value = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(
                message,
                json!({"type": ty, "id": id, "payload": {"data": {"a": "\"1\""}}})
            );
        }
        let text = server::error_rendered(id, r#"[{"message":"no"}]"#);
        let message: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            message,
            json!({"type": "error", "id": id, "payload": [{"message": "no"}]})
        );
    }

    #[test]
    fn legacy_errors_are_one_object() {
        let e = coded_error("no", "LIMIT_EXCEEDED");
        assert_eq!(
            server::error(Protocol::LegacyWs, "1", vec![e.clone()])["payload"],
            e
        );
        assert_eq!(
            server::error(Protocol::TransportWs, "1", vec![e.clone()])["payload"],
            json!([e])
        );
    }
}
