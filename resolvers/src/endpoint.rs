//! One declaration per documented endpoint. The `endpoints!` macro turns each declaration into its
//! GraphQL field (on the provider's query or mutation root), its row in the route table, and the
//! recipe the REST layer uses to serve the original path through that same field: which GraphQL
//! operation to run for a path and body, and how to read the upstream's JSON back out of the result.

use hostplane_adapters::{Method, Provider};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Query,
    Mutation,
}

/// A documented upstream endpoint and everything derived from its declaration.
pub struct Endpoint {
    pub provider: Provider,
    pub method: Method,
    /// The original path, with `{param}` placeholders named as the GraphQL arguments.
    pub path: &'static str,
    /// The resolver's Rust name; the GraphQL field is its camelCase form.
    pub name: &'static str,
    pub operation: Operation,
    /// The upstream documentation's title.
    pub title: &'static str,
    /// Builds the GraphQL request that serves this endpoint's REST route.
    pub rest: fn(&RestInput) -> Result<RestRequest, RestInputError>,
    /// Reads the upstream's answer back out of the field's GraphQL result.
    pub reply: fn(Value) -> hostplane_schema::RestBody,
}

/// What the REST layer received at an original path.
pub struct RestInput<'a> {
    pub connection: &'a str,
    pub params: &'a BTreeMap<String, String>,
    pub body: Option<Value>,
}

/// A GraphQL operation standing for one REST call; its result is under the alias `r`.
#[derive(Debug)]
pub struct RestRequest {
    pub query: String,
    pub variables: Value,
}

/// Why a REST call could not become a GraphQL operation. Messages read like the upstream's own.
#[derive(Debug, thiserror::Error)]
pub enum RestInputError {
    #[error("invalid value `{value}` for {name}")]
    PathParam { name: &'static str, value: String },
    #[error("{0}")]
    Body(String),
}

impl RestInputError {
    /// Maps serde's messages (`missing field `template``) to the upstreams' wording.
    pub fn from_serde(e: &serde_json::Error) -> RestInputError {
        let text = e.to_string();
        if let Some(rest) = text.strip_prefix("missing field `")
            && let Some(field) = rest.split('`').next()
        {
            return RestInputError::Body(format!("Missing required parameter {field}"));
        }
        let text = text.split(" at line ").next().unwrap_or(&text).to_string();
        RestInputError::Body(format!("Invalid parameter: {text}"))
    }
}

impl Endpoint {
    /// The GraphQL field name.
    pub fn field(&self) -> String {
        camel_case(self.name)
    }

    /// Path parameters if `path` (without query string) matches this endpoint's template.
    pub fn match_path(&self, path: &str) -> Option<BTreeMap<String, String>> {
        let mut params = BTreeMap::new();
        let mut want = self.path.trim_matches('/').split('/');
        let mut have = path.trim_matches('/').split('/');
        loop {
            match (want.next(), have.next()) {
                (None, None) => return Some(params),
                (Some(w), Some(h)) if w.starts_with('{') && w.ends_with('}') && !h.is_empty() => {
                    params.insert(w[1..w.len() - 1].to_string(), h.to_string());
                }
                (Some(w), Some(h)) if w == h => {}
                _ => return None,
            }
        }
    }

    /// Literal segments first: `/server/{sid}/reboot/force` must not lose to a shorter template.
    pub fn specificity(&self) -> usize {
        self.path.split('/').filter(|s| !s.starts_with('{')).count()
    }
}

/// Finds a declared endpoint by its resolver name.
pub fn find(table: &'static [Endpoint], name: &str) -> &'static Endpoint {
    table
        .iter()
        .find(|e| e.name == name)
        .expect("every generated resolver has its row in the same table")
}

pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds the GraphQL operation text for a REST call.
pub fn rest_query(
    endpoint_name: &str,
    operation: Operation,
    args: &[(&str, String)],
    selection: &str,
) -> String {
    let mut decls = vec!["$connection: String".to_string()];
    let mut pass = vec!["connection: $connection".to_string()];
    for (name, ty) in args {
        decls.push(format!("${name}: {ty}"));
        pass.push(format!("{name}: ${name}"));
    }
    let op = match operation {
        Operation::Query => "query",
        Operation::Mutation => "mutation",
    };
    format!(
        "{op} Rest({}) {{ r: {}({}) {selection} }}",
        decls.join(", "),
        camel_case(endpoint_name),
        pass.join(", ")
    )
}

/// The upstream request body for a GraphQL input, once it passes its checks: its serde form, with the
/// upstream's names.
pub fn upstream_body<T: serde::Serialize + hostplane_schema::validate::Validate>(
    input: &T,
) -> Result<Option<Value>, hostplane_schema::GatewayError> {
    input.validate()?;
    let v = serde_json::to_value(input).map_err(hostplane_schema::GatewayError::internal)?;
    Ok((!v.is_null()).then_some(v))
}

/// Declares a provider's endpoints. See the module docs; `hosterapi.rs` is the worked example.
#[macro_export]
macro_rules! endpoints {
    (
        provider: $provider:expr;
        table: $table:ident;
        query_root: $query:ident;
        mutation_root: $mutation:ident;
        queries { $( $(#[doc = $qdoc:literal])* $qname:ident = $qmethod:ident $qpath:literal ( $($qp:ident : $qpt:ty),* $(; input: $qit:ty)? ) -> $qout:ty => $qconv:path; )* }
        mutations { $( $(#[doc = $mdoc:literal])* $mname:ident = $mmethod:ident $mpath:literal ( $($mp:ident : $mpt:ty),* $(; input: $mit:ty)? ) -> $mout:ty => $mconv:path; )* }
    ) => {
        pub static $table: &[$crate::endpoint::Endpoint] = &[
            $( $crate::endpoints!(@row $provider, Query, $qname, $qmethod, $qpath, [$($qdoc)*], ($($qp : $qpt),*), ($($qit)?), $qout), )*
            $( $crate::endpoints!(@row $provider, Mutation, $mname, $mmethod, $mpath, [$($mdoc)*], ($($mp : $mpt),*), ($($mit)?), $mout), )*
        ];

        #[derive(Default)]
        pub struct $query;

        #[async_graphql::Object]
        impl $query {
            $(
                $(#[doc = $qdoc])*
                #[allow(non_snake_case)]
                async fn $qname(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "The connection to call; optional when only one of this provider is usable.")]
                    connection: Option<String>,
                    $($qp: $qpt,)*
                    $(input: $qit,)?
                ) -> async_graphql::Result<$qout> {
                    let endpoint = $crate::endpoint::find($table, stringify!($qname));
                    let mut call = $crate::call::UpstreamCall::begin(ctx, endpoint, connection.as_deref())?;
                    $( call.path_param(stringify!($qp), &$qp); )*
                    call.body = $crate::endpoints!(@body $($qit, input)?);
                    Ok($qconv(ctx, &call).await?)
                }
            )*
        }

        #[derive(Default)]
        pub struct $mutation;

        #[async_graphql::Object]
        impl $mutation {
            $(
                $(#[doc = $mdoc])*
                #[allow(non_snake_case)]
                async fn $mname(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "The connection to call; optional when only one of this provider is usable.")]
                    connection: Option<String>,
                    $($mp: $mpt,)*
                    $(input: $mit,)?
                ) -> async_graphql::Result<$mout> {
                    let endpoint = $crate::endpoint::find($table, stringify!($mname));
                    let mut audit = $crate::audit::Entry::new(endpoint, connection.as_deref());
                    let result: async_graphql::Result<$mout> = async {
                        let mut call = $crate::call::UpstreamCall::begin(ctx, endpoint, connection.as_deref())?;
                        $( call.path_param(stringify!($mp), &$mp); )*
                        call.body = $crate::endpoints!(@body $($mit, input)?);
                        audit.target(&call);
                        Ok($mconv(ctx, &call).await?)
                    }.await;
                    audit.record(ctx, &result).await;
                    result
                }
            )*
        }
    };

    (@row $provider:expr, $op:ident, $name:ident, $method:ident, $path:literal, [$($doc:literal)*], ($($p:ident : $pt:ty),*), ($($it:ty)?), $out:ty) => {
        $crate::endpoint::Endpoint {
            provider: $provider,
            method: hostplane_adapters::Method::$method,
            path: $path,
            name: stringify!($name),
            operation: $crate::endpoint::Operation::$op,
            title: $crate::endpoints!(@title $($doc)*),
            rest: |input: &$crate::endpoint::RestInput| {
                #[allow(unused_mut)]
                let mut vars = serde_json::Map::new();
                #[allow(unused_mut)]
                let mut args: Vec<(&str, String)> = Vec::new();
                vars.insert("connection".into(), serde_json::Value::from(input.connection));
                $(
                    let text = input.params.get(stringify!($p)).map(String::as_str).unwrap_or_default();
                    let value: $pt = text.parse().map_err(|_| $crate::endpoint::RestInputError::PathParam {
                        name: stringify!($p),
                        value: text.to_string(),
                    })?;
                    vars.insert(stringify!($p).into(), serde_json::json!(value));
                    args.push((stringify!($p), <$pt as async_graphql::InputType>::qualified_type_name()));
                )*
                $(
                    let ty = <$it as async_graphql::InputType>::qualified_type_name();
                    // A required input reads a missing body as `{}`, so its missing fields are named.
                    let body = input.body.clone().unwrap_or_else(|| {
                        if ty.ends_with('!') { serde_json::json!({}) } else { serde_json::Value::Null }
                    });
                    let parsed: $it = serde_json::from_value(body)
                        .map_err(|e| $crate::endpoint::RestInputError::from_serde(&e))?;
                    vars.insert("input".into(), async_graphql::InputType::to_value(&parsed).into_json()
                        .map_err(|e| $crate::endpoint::RestInputError::Body(e.to_string()))?);
                    args.push(("input", ty));
                )?
                Ok($crate::endpoint::RestRequest {
                    query: $crate::endpoint::rest_query(
                        stringify!($name),
                        $crate::endpoint::Operation::$op,
                        &args,
                        <$out as hostplane_schema::RestReply>::selection(),
                    ),
                    variables: serde_json::Value::Object(vars),
                })
            },
            reply: <$out as hostplane_schema::RestReply>::rest_body,
        }
    };
    (@body) => { None };
    (@body $it:ty, $input:ident) => { $crate::endpoint::upstream_body::<$it>(&$input)? };
    (@title $first:literal $($rest:literal)*) => { $first.trim_ascii() };
    (@title) => { "" };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// snake_case resolver names become the GraphQL field names async-graphql generates.
    #[test]
    fn camel() {
        assert_eq!(
            camel_case("hosterapi_server_status"),
            "hosterapiServerStatus"
        );
        assert_eq!(camel_case("jobId"), "jobId");
    }

    /// serde's missing-field error reads like the upstream's missing-parameter error.
    #[test]
    fn serde_messages() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            template: String,
        }
        let e = serde_json::from_value::<T>(serde_json::json!({})).unwrap_err();
        assert_eq!(
            RestInputError::from_serde(&e).to_string(),
            "Missing required parameter template"
        );
    }
}
