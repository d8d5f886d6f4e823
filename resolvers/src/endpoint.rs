//! One declaration per documented endpoint. The `endpoints!` macro turns each declaration into its
//! GraphQL field (on the provider's query or mutation root), its row in the route table, and the
//! recipe the REST layer uses to serve the original path through that same field: which GraphQL
//! operation to run for a path and body, and how to read the upstream's JSON back out of the result.

use hostplane_adapters::{
    Method, Provider,
    shape::{Failure, Kind, Refusal, Refused, Shape},
};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Query,
    Mutation,
}

/// Who an endpoint is for, declared once per section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The platform's operator: every endpoint of HosterAPI, Patchstack, WP Orchestrix and WPCS,
    /// and PanelAlpha's `/api/admin/*`. A principal bound to a customer never reaches one.
    Operator,
    /// One customer, acting upstream as that customer's user: PanelAlpha's user endpoints, which
    /// send `X-PanelAlpha-User`. Each takes its acting user (`asUser`) from this declaration.
    Customer,
}

/// A documented upstream endpoint and everything derived from its declaration.
pub struct Endpoint {
    pub provider: Provider,
    pub audience: Audience,
    pub method: Method,
    /// The original path, with `{param}` placeholders named as the GraphQL arguments.
    pub path: &'static str,
    /// The resolver's Rust name; the GraphQL field is its camelCase form.
    pub name: &'static str,
    pub operation: Operation,
    /// The upstream documentation's title.
    pub title: &'static str,
    /// Why the endpoint is deprecated, where it is.
    pub deprecated: Option<&'static str>,
    /// Whether the upstream serves it without a credential (a login).
    pub anonymous: bool,
    /// The REST route's parameters and body, as the `rest` recipe reads them (for the OpenAPI document).
    pub doc: fn(&mut schemars::SchemaGenerator) -> RouteDoc,
    /// The GraphQL operation that serves this endpoint's REST route: one fixed text, built once.
    pub document: fn() -> &'static str,
    /// The variables of `document` for one REST call.
    pub rest: fn(&RestInput) -> Result<Value, RestInputError>,
    /// Reads the upstream's answer back out of the field's GraphQL result.
    pub reply: fn(Value) -> hostplane_schema::RestBody,
    /// Its input, where it takes one.
    pub input: Option<EndpointInput>,
    /// The declared parameters that may be left out (trailing path segments among them).
    pub optional: &'static [&'static str],
}

/// An endpoint's input as the REST layer reads it.
#[derive(Clone, Copy)]
pub struct EndpointInput {
    /// What it declares (kinds, required fields, rules): a body is checked against it before it is
    /// read, and the refusal matrix walks it.
    pub shape: fn() -> &'static Shape,
    /// A body, in the upstream's names, as the GraphQL input's value.
    pub graphql: fn(Value) -> Result<Value, RestInputError>,
}

/// Reads a body into the input `T` and writes it as GraphQL's value of `T`.
pub fn graphql_input<T: serde::de::DeserializeOwned + async_graphql::InputType>(
    body: Value,
) -> Result<Value, RestInputError> {
    let parsed: T = RestInputError::parse(body)?;
    Ok(async_graphql::InputType::to_value(&parsed)
        .into_json()
        .expect("an input read from JSON writes back as JSON"))
}

/// The parameters and body of an endpoint's REST route, from the same declaration as its `rest`
/// recipe, so the OpenAPI document describes what that recipe reads.
pub struct RouteDoc {
    /// In declaration order: those named in the path template are path segments, the others its
    /// query string.
    pub params: Vec<ParamDoc>,
    pub body: Option<BodyDoc>,
}

pub struct ParamDoc {
    pub name: &'static str,
    /// The header it travels in, for a header parameter.
    pub header: Option<&'static str>,
    /// Whether the request must carry it (a path parameter always does).
    pub required: bool,
    pub schema: schemars::Schema,
}

/// The request body: the JSON Schema of the input as serde reads it (its upstream names).
pub struct BodyDoc {
    /// Whether the input is required; a required input still reads a missing body as `{}`.
    pub required: bool,
    pub schema: schemars::Schema,
}

/// What the REST layer received at an original path.
pub struct RestInput<'a> {
    pub connection: &'a str,
    /// Path parameters, then the query string's.
    pub params: &'a BTreeMap<String, String>,
    pub headers: &'a http::HeaderMap,
    pub body: Option<Value>,
}

impl RestInput<'_> {
    /// A declared parameter, from its header or else the path and query string.
    pub fn param<T: Param>(
        &self,
        name: &'static str,
        header: Option<&'static str>,
        template: &str,
    ) -> Result<T, RestInputError> {
        let text = match header {
            Some(h) => self.headers.get(h).and_then(|v| v.to_str().ok()),
            None => self.params.get(name).map(String::as_str),
        };
        let refused = || RestInputError::PathParam {
            name,
            value: text.unwrap_or_default().to_string(),
        };
        // A path segment that is there is read strictly, optional or not: an unreadable one is
        // refused, never dropped.
        let mut segments = template.split('/');
        let in_path = header.is_none() && segments.any(|s| s == format!("{{{name}}}"));
        if in_path && text.is_some_and(|t| !T::reads(t)) {
            return Err(refused());
        }
        T::from_rest(text).ok_or_else(refused)
    }

    /// The endpoint's input: its JSON body; for a GET without one, the query string's parameters
    /// that are not declared ones (list filters the docs give as body parameters come either way).
    /// A required input reads a missing body as `{}`, so its missing fields are named. The body is
    /// checked against what the input declares, so every refusal is worded from the declaration,
    /// and comes back with its numbers and booleans as JSON's own (`null`: no input).
    pub fn input(
        &self,
        method: Method,
        declared: &[&str],
        required: bool,
        shape: &Shape,
    ) -> Result<Value, RestInputError> {
        let rest: Vec<(&str, &str)> = self
            .params
            .iter()
            .filter(|(k, _)| !declared.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut body = match &self.body {
            Some(body) => body.clone(),
            None if method == Method::Get && !rest.is_empty() => {
                hostplane_adapters::shape::from_query(shape, &rest)
            }
            None if required => serde_json::json!({}),
            None => return Ok(Value::Null),
        };
        shape.check(&body).map_err(RestInputError::Refused)?;
        shape.normalize(&mut body);
        Ok(body)
    }
}

/// Why a REST call could not become a GraphQL operation. The REST layer words it as the upstream
/// words its own refusals.
#[derive(Debug, thiserror::Error)]
pub enum RestInputError {
    #[error("invalid value `{value}` for {name}")]
    PathParam { name: &'static str, value: String },
    /// The body, or fields of it, refused before it was read.
    #[error("refused input: {0:?}")]
    Refused(Refused),
}

impl RestInputError {
    /// Reads a body that passed its check into the input. What the declaration does not describe
    /// (a custom reading) can still fail here: that field is refused as of no kind it takes.
    pub fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, RestInputError> {
        serde_path_to_error::deserialize(body).map_err(|e| {
            let field = e.path().to_string();
            // serde reads a struct from a list too, by position (`[0]`): that is the body's kind.
            RestInputError::Refused(
                if field.starts_with('[') || matches!(field.as_str(), "." | "") {
                    Refused::Body(Kind::Any)
                } else {
                    Refused::Fields(vec![Refusal {
                        field,
                        failure: Failure::Type(Kind::Any),
                    }])
                },
            )
        })
    }
}

impl Endpoint {
    /// Whether this is that endpoint (handles are compared by identity).
    pub fn is(&self, other: &Endpoint) -> bool {
        std::ptr::eq(self, other)
    }

    /// The upstream path with `params` filled in: those named in the template fill it, the others
    /// make its query string, in order; every value percent-encoded. A value that would not name
    /// one resource in its segment (`crate::call::segment`) is VALIDATION, whoever supplied it.
    pub fn path_for(
        &self,
        params: &[(&str, &str)],
    ) -> Result<String, hostplane_schema::GatewayError> {
        let mut path = self.path.to_string();
        let mut query = Vec::new();
        for (name, value) in params {
            let placeholder = format!("{{{name}}}");
            if path.contains(&placeholder) {
                path = path.replace(&placeholder, &crate::call::segment(name, value)?);
            } else {
                query.push(format!("{name}={}", crate::call::encode_segment(value)));
            }
        }
        crate::call::trim_absent(&mut path)?;
        if !query.is_empty() {
            path = format!("{path}?{}", query.join("&"));
        }
        Ok(path)
    }

    /// The GraphQL field name.
    pub fn field(&self) -> String {
        camel_case(self.name)
    }

    /// Whether the REST route streams a file (a download link followed in process) instead of JSON.
    /// Asked of the endpoint's own reply reader, so it cannot disagree with what the route does.
    pub fn streams_file(&self) -> bool {
        matches!(
            (self.reply)(Value::Null),
            hostplane_schema::RestBody::Download(_)
        )
    }

    /// The names of the `{param}` placeholders of the path template, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
    }
}

/// The header a customer endpoint of `provider` names its acting user in (its wire's user header).
pub fn acting_header(provider: Provider) -> &'static str {
    provider
        .wire()
        .user_header()
        .expect("a provider with customer endpoints acts as its users by a header")
}

/// Argument names that shape the GraphQL result (Relay pagination) and are never sent upstream.
pub const LOCAL_ARGS: [&str; 2] = ["first", "after"];

/// A path or query parameter's type: read from the REST request (path segment or query string) and
/// written into the upstream URL. Parameters not named in the path template go in its query string.
pub trait Param: Sized + serde::Serialize {
    /// Whether a REST request without the parameter is refused.
    const REQUIRED: bool = true;
    /// `text` is `None` when the REST request does not carry the parameter.
    fn from_rest(text: Option<&str>) -> Option<Self>;
    /// `None` leaves an optional parameter out of the upstream URL.
    fn to_upstream(&self) -> Option<String>;
    /// The JSON Schema of the parameter's text as `from_rest` reads it.
    fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema;
    /// Whether `text` is a value of the parameter (not merely taken as absent).
    fn reads(text: &str) -> bool {
        Self::from_rest(Some(text)).is_some()
    }
}

/// How many of `params` (name, required) are optional.
pub const fn optional_count(params: &[(&str, bool)]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < params.len() {
        if !params[i].1 {
            n += 1;
        }
        i += 1;
    }
    n
}

/// The names of the optional ones of `params`, in order.
pub const fn optional_names<const N: usize>(params: &[(&'static str, bool)]) -> [&'static str; N] {
    let mut names = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < params.len() {
        if !params[i].1 {
            names[n] = params[i].0;
            n += 1;
        }
        i += 1;
    }
    names
}

/// A parameter that is one of an enum's wire names (`last-week`).
#[macro_export]
macro_rules! enum_param {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::endpoint::Param for $t {
            fn from_rest(text: Option<&str>) -> Option<Self> {
                serde_json::from_value(serde_json::Value::from(text?)).ok()
            }
            fn to_upstream(&self) -> Option<String> {
                serde_json::to_value(self).ok()?.as_str().map(str::to_string)
            }
            fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                generator.subschema_for::<$t>()
            }
        }
    )*};
}

macro_rules! parsed_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn from_rest(text: Option<&str>) -> Option<Self> {
                text?.parse().ok()
            }
            fn to_upstream(&self) -> Option<String> {
                Some(self.to_string())
            }
            fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                generator.subschema_for::<$t>()
            }
        }
    )*};
}
parsed_param!(i32, i64, bool, String);

impl<T: Param> Param for Option<T> {
    const REQUIRED: bool = false;
    /// An optional parameter the gateway cannot read counts as absent, as upstreams treat a
    /// malformed `?page=` (the first page).
    fn from_rest(text: Option<&str>) -> Option<Self> {
        Some(text.and_then(|t| T::from_rest(Some(t))))
    }
    fn to_upstream(&self) -> Option<String> {
        self.as_ref().and_then(T::to_upstream)
    }
    fn reads(text: &str) -> bool {
        T::reads(text)
    }
    /// Absent is said by not sending it: a query string has no null.
    fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::schema(generator)
    }
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

/// Builds the GraphQL operation text of an endpoint's REST route; its result is under the alias `r`.
pub fn rest_query(
    endpoint_name: &str,
    operation: Operation,
    args: &[(String, String)],
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
pub fn upstream_body<
    T: serde::Serialize + hostplane_schema::validate::Validate + schemars::JsonSchema + 'static,
>(
    endpoint: &Endpoint,
    input: &T,
) -> Result<Option<Value>, hostplane_schema::GatewayError> {
    let v = hostplane_schema::validate::check(input, endpoint.provider)?;
    Ok((!v.is_null()).then_some(v))
}

/// Adds an input's documented rules to its JSON Schema among the generator's definitions, so the
/// OpenAPI document states them as the gateway checks them.
pub fn constrain<T: schemars::JsonSchema + hostplane_schema::validate::Validate>(
    generator: &mut schemars::SchemaGenerator,
) {
    let rules = T::rules();
    if rules.is_empty() {
        return;
    }
    // An optional input's or a list body's rules are its element type's, whose definition it
    // refers to.
    let name = T::schema_name();
    let mut name: &str = &name;
    while let Some(inner) = name
        .strip_prefix("Nullable_")
        .or_else(|| name.strip_prefix("Array_of_"))
    {
        name = inner;
    }
    let Some(Value::Object(definition)) = generator.definitions_mut().get_mut(name) else {
        return;
    };
    let Some(Value::Object(properties)) = definition.get_mut("properties") else {
        return;
    };
    for (field, rules) in rules {
        if let Some(Value::Object(property)) = properties.get_mut(*field) {
            rules.iter().for_each(|r| r.constrain(property));
        }
    }
}

/// Declares a section of a provider's endpoints (a provider may split its endpoints over several
/// files, one `endpoints!` each). It generates, in the calling module:
/// - `ENDPOINTS`, one field per endpoint: the endpoint's handle (`&ENDPOINTS.hosterapi_job`), which code
///   that calls or refers to an endpoint uses instead of its path;
/// - `TABLE`, every handle of the section, in declaration order;
/// - `table()`, the same as an iterator, as a provider registers (`crate::providers!`);
/// - the section's query and mutation roots (named by `query_root` and `mutation_root`), one field
///   per endpoint.
///
/// A row is `name = METHOD "path" (params; input: Type) -> Output => conversion;` with the upstream
/// documentation's title as its doc comment. Parameters named in the path template fill it; a
/// parameter written `name: Type => "Header-Name"` is a header; any other goes in the upstream query
/// string (the Relay arguments `first` and `after` stay in the gateway). `#[deprecated = "why"]` marks
/// a deprecated endpoint and `#[auth = none]` one the upstream serves without a credential (a
/// login). Which root a row is in follows what it does, not its method: a GET that acts is a mutation.
///
/// `audience:` says who the section is for (`Audience`): `Operator`, or `Customer`, whose every row
/// acts as one of the provider's users and so takes `as_user` (the wire's user header) first.
#[macro_export]
macro_rules! endpoints {
    // A customer section: every row acts as a user of the provider, so each gets the acting-user
    // parameter (`as_user`, in the wire's user header) here rather than in its own list.
    (
        provider: $provider:expr;
        audience: Customer;
        query_root: $query:ident;
        mutation_root: $mutation:ident;
        queries { $( $(#[doc = $qdoc:literal])* $(#[auth = $qauth:ident])? $qname:ident = $qmethod:ident $qpath:literal ( $($qp:ident : $qpt:ty $(=> $qh:expr)?),* $(; input: $qit:ty)? ) -> $qout:ty => $qconv:path; )* }
        mutations { $( $(#[doc = $mdoc:literal])* $(#[deprecated = $mdep:literal])? $(#[auth = $mauth:ident])? $mname:ident = $mmethod:ident $mpath:literal ( $($mp:ident : $mpt:ty $(=> $mh:expr)?),* $(; input: $mit:ty)? ) -> $mout:ty => $mconv:path; )* }
    ) => {
        $crate::endpoints! {
            @section provider: $provider; audience: Customer;
            query_root: $query;
            mutation_root: $mutation;
            queries { $( $(#[doc = $qdoc])* $(#[auth = $qauth])? $qname = $qmethod $qpath ( as_user: Option<i32> => $crate::endpoint::acting_header($provider) $(, $qp : $qpt $(=> $qh)?)* $(; input: $qit)? ) -> $qout => $qconv; )* }
            mutations { $( $(#[doc = $mdoc])* $(#[deprecated = $mdep])? $(#[auth = $mauth])? $mname = $mmethod $mpath ( as_user: Option<i32> => $crate::endpoint::acting_header($provider) $(, $mp : $mpt $(=> $mh)?)* $(; input: $mit)? ) -> $mout => $mconv; )* }
        }
    };
    (
        provider: $provider:expr;
        audience: Operator;
        $($rest:tt)*
    ) => {
        $crate::endpoints! { @section provider: $provider; audience: Operator; $($rest)* }
    };
    (
        @section provider: $provider:expr; audience: $audience:ident;
        query_root: $query:ident;
        mutation_root: $mutation:ident;
        queries { $( $(#[doc = $qdoc:literal])* $(#[auth = $qauth:ident])? $qname:ident = $qmethod:ident $qpath:literal ( $($qp:ident : $qpt:ty $(=> $qh:expr)?),* $(; input: $qit:ty)? ) -> $qout:ty => $qconv:path; )* }
        mutations { $( $(#[doc = $mdoc:literal])* $(#[deprecated = $mdep:literal])? $(#[auth = $mauth:ident])? $mname:ident = $mmethod:ident $mpath:literal ( $($mp:ident : $mpt:ty $(=> $mh:expr)?),* $(; input: $mit:ty)? ) -> $mout:ty => $mconv:path; )* }
    ) => {
        /// The section's endpoints, one handle each.
        #[allow(non_snake_case)]
        pub struct Endpoints {
            $( pub $qname: $crate::endpoint::Endpoint, )*
            $( pub $mname: $crate::endpoint::Endpoint, )*
        }

        pub static ENDPOINTS: Endpoints = Endpoints {
            $( $qname: $crate::endpoints!(@row $provider, $audience, Query, $qname, $qmethod, $qpath, [$($qdoc)*], [], [$($qauth)?], ($($qp : $qpt $(=> $qh)?),*), ($($qit)?), $qout), )*
            $( $mname: $crate::endpoints!(@row $provider, $audience, Mutation, $mname, $mmethod, $mpath, [$($mdoc)*], [$($mdep)?], [$($mauth)?], ($($mp : $mpt $(=> $mh)?),*), ($($mit)?), $mout), )*
        };

        /// Every endpoint of the section, in declaration order.
        pub static TABLE: &[&$crate::endpoint::Endpoint] = &[
            $( &ENDPOINTS.$qname, )*
            $( &ENDPOINTS.$mname, )*
        ];

        /// Every endpoint of the section, in declaration order.
        pub fn table() -> impl Iterator<Item = &'static $crate::endpoint::Endpoint> {
            TABLE.iter().copied()
        }

        $crate::endpoints!(@object $query {
            $(
                $(#[doc = $qdoc])*
                #[allow(non_snake_case, clippy::too_many_arguments)]
                async fn $qname(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "The connection to call; optional when only one of this provider is usable.")]
                    connection: Option<String>,
                    $($qp: $qpt,)*
                    $(input: $qit,)?
                ) -> async_graphql::Result<$qout> {
                    let endpoint = &ENDPOINTS.$qname;
                    let mut call = $crate::call::UpstreamCall::begin(ctx, endpoint, connection.as_deref())?;
                    $( $crate::endpoints!(@param ctx, call, $qp $(=> $qh)?); )*
                    call.trim_absent()?;
                    call.body = $crate::endpoints!(@body endpoint $(, $qit, input)?);
                    Ok($qconv(ctx, &call).await?)
                }
            )*
        });

        $crate::endpoints!(@object $mutation {
            $(
                $(#[doc = $mdoc])*
                $(#[graphql(deprecation = $mdep)])?
                #[allow(non_snake_case, clippy::too_many_arguments)]
                async fn $mname(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    #[graphql(desc = "The connection to call; optional when only one of this provider is usable.")]
                    connection: Option<String>,
                    $($mp: $mpt,)*
                    $(input: $mit,)?
                ) -> async_graphql::Result<$mout> {
                    let endpoint = &ENDPOINTS.$mname;
                    let mut audit = $crate::audit::Entry::new(endpoint, connection.as_deref());
                    let result: async_graphql::Result<$mout> = async {
                        let mut call = $crate::call::UpstreamCall::begin(ctx, endpoint, connection.as_deref())?;
                        $( $crate::endpoints!(@param ctx, call, $mp $(=> $mh)?); )*
                        call.trim_absent()?;
                        call.body = $crate::endpoints!(@body endpoint $(, $mit, input)?);
                        audit.target(&call);
                        Ok($mconv(ctx, &call).await?)
                    }.await;
                    audit.record(ctx, &result).await;
                    result
                }
            )*
        });
    };

    // A root with no endpoints (a section of reads only) adds no fields where it is merged.
    (@object $name:ident {}) => {
        pub type $name = async_graphql::MergedObjectTail;
    };
    (@object $name:ident { $($fields:tt)+ }) => {
        #[derive(Default)]
        pub struct $name;

        #[async_graphql::Object]
        impl $name {
            $($fields)+
        }
    };

    (@row $provider:expr, $audience:ident, $op:ident, $name:ident, $method:ident, $path:literal, [$($doc:literal)*], [$($dep:literal)?], [$($auth:ident)?], ($($p:ident : $pt:ty $(=> $h:expr)?),*), ($($it:ty)?), $out:ty) => {
        $crate::endpoint::Endpoint {
            provider: $provider,
            audience: $crate::endpoint::Audience::$audience,
            method: hostplane_adapters::Method::$method,
            path: $path,
            name: stringify!($name),
            operation: $crate::endpoint::Operation::$op,
            title: $crate::endpoints!(@title $($doc)*),
            deprecated: $crate::endpoints!(@deprecated $($dep)?),
            anonymous: $crate::endpoints!(@anonymous $($auth)?),
            // Endpoints without parameters or body have nothing to ask the generator.
            #[allow(unused_variables)]
            doc: |generator: &mut schemars::SchemaGenerator| $crate::endpoint::RouteDoc {
                params: vec![$(
                    $crate::endpoint::ParamDoc {
                        name: hostplane_schema::validate::unraw(stringify!($p)),
                        header: $crate::endpoints!(@header $($h)?),
                        required: <$pt as $crate::endpoint::Param>::REQUIRED,
                        schema: <$pt as $crate::endpoint::Param>::schema(generator),
                    },
                )*],
                body: $crate::endpoints!(@body_doc generator $(, $it)?),
            },
            document: || {
                static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
                DOCUMENT.get_or_init(|| $crate::endpoint::rest_query(
                    stringify!($name),
                    $crate::endpoint::Operation::$op,
                    &[
                        $( ($crate::endpoint::camel_case(hostplane_schema::validate::unraw(stringify!($p))), <$pt as async_graphql::InputType>::qualified_type_name()), )*
                        $( ("input".to_string(), <$it as async_graphql::InputType>::qualified_type_name()), )?
                    ],
                    <$out as hostplane_schema::RestReply>::selection(),
                ))
            },
            rest: |input: &$crate::endpoint::RestInput| {
                #[allow(unused_mut)]
                let mut vars = serde_json::Map::new();
                #[allow(unused_variables)]
                let declared: &[&str] = &[$(hostplane_schema::validate::unraw(stringify!($p))),*];
                vars.insert("connection".into(), serde_json::Value::from(input.connection));
                $(
                    let value: $pt = input.param(hostplane_schema::validate::unraw(stringify!($p)), $crate::endpoints!(@header $($h)?), $path)?;
                    // GraphQL's own form of the value (an enum's name, not its wire text).
                    let value = async_graphql::InputType::to_value(&value).into_json().unwrap_or_default();
                    vars.insert($crate::endpoint::camel_case(hostplane_schema::validate::unraw(stringify!($p))), value);
                )*
                $(
                    let required = <$it as async_graphql::InputType>::qualified_type_name().ends_with('!');
                    let shape = $crate::endpoints!(@shape $it)();
                    let body = input.input(hostplane_adapters::Method::$method, declared, required, shape)?;
                    vars.insert("input".into(), $crate::endpoint::graphql_input::<$it>(body)?);
                )?
                Ok(serde_json::Value::Object(vars))
            },
            reply: <$out as hostplane_schema::RestReply>::rest_body,
            input: $crate::endpoints!(@input $($it)?),
            optional: {
                const PARAMS: &[(&str, bool)] = &[$((hostplane_schema::validate::unraw(stringify!($p)), <$pt as $crate::endpoint::Param>::REQUIRED)),*];
                const COUNT: usize = $crate::endpoint::optional_count(PARAMS);
                const OPTIONAL: [&str; COUNT] = $crate::endpoint::optional_names(PARAMS);
                &OPTIONAL
            },
        }
    };
    (@param $ctx:ident, $call:ident, $p:ident) => { $call.path_param(hostplane_schema::validate::unraw(stringify!($p)), &$p)? };
    (@param $ctx:ident, $call:ident, $p:ident => $h:expr) => { $call.header_param($ctx, $h, &$p)? };
    (@input) => { None };
    (@input $it:ty) => {
        Some($crate::endpoint::EndpointInput {
            shape: $crate::endpoints!(@shape $it),
            graphql: $crate::endpoint::graphql_input::<$it>,
        })
    };
    (@shape $it:ty) => { hostplane_schema::validate::shape_of::<$it> };
    (@header) => { None };
    (@header $h:expr) => { Some($h) };
    (@body $endpoint:ident) => { None };
    (@body $endpoint:ident, $it:ty, $input:ident) => { $crate::endpoint::upstream_body::<$it>($endpoint, &$input)? };
    (@title $first:literal $($rest:literal)*) => { $first.trim_ascii() };
    (@title) => { "" };
    (@body_doc $generator:ident) => { None };
    (@body_doc $generator:ident, $it:ty) => {
        Some($crate::endpoint::BodyDoc {
            required: <$it as async_graphql::InputType>::qualified_type_name().ends_with('!'),
            schema: {
                let schema = $generator.subschema_for::<$it>();
                $crate::endpoint::constrain::<$it>($generator);
                schema
            },
        })
    };
    (@deprecated $dep:literal) => { Some($dep) };
    (@deprecated) => { None };
    (@anonymous none) => { true };
    (@anonymous) => { false };
}

/// Registers a provider made of several `endpoints!` sections (modules of the calling module, each
/// named with its roots): the provider's roots merge theirs and its `table()` chains theirs, so the
/// provider registers as one.
#[macro_export]
macro_rules! sections {
    ($query:ident, $mutation:ident: $($section:ident($squery:ident, $smutation:ident)),+ $(,)?) => {
        #[derive(async_graphql::MergedObject, Default)]
        pub struct $query($($section::$squery),+);

        #[derive(async_graphql::MergedObject, Default)]
        pub struct $mutation($($section::$smutation),+);

        /// Every endpoint of the provider, section by section.
        pub fn table() -> impl Iterator<Item = &'static $crate::endpoint::Endpoint> {
            std::iter::empty()$(.chain($section::table()))+
        }
    };
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

    /// A GET's input comes from its JSON body or else from the query string's undeclared
    /// parameters, typed; a header parameter from its header; a required input without either is
    /// `{}`, so its missing field is named.
    #[test]
    fn rest_inputs() {
        #[derive(serde::Deserialize, schemars::JsonSchema, Debug, PartialEq)]
        struct Filter {
            filter: Option<String>,
            per_page: Option<i32>,
        }
        hostplane_schema::no_extra_validation!(Filter);
        let filter = hostplane_schema::validate::shape::<Filter>();
        let params = BTreeMap::from([
            ("id".to_string(), "7".to_string()),
            ("filter".to_string(), "ada".to_string()),
            ("per_page".to_string(), "20".to_string()),
        ]);
        let mut headers = http::HeaderMap::new();
        headers.insert("x-panelalpha-user", "12".parse().unwrap());
        let mut input = RestInput {
            connection: "c",
            params: &params,
            headers: &headers,
            body: None,
        };
        let want = Filter {
            filter: Some("ada".into()),
            per_page: Some(20),
        };
        let read = |input: &RestInput, method| {
            input
                .input(method, &["id"], false, &filter)
                .and_then(RestInputError::parse::<Filter>)
        };
        assert_eq!(read(&input, Method::Get).unwrap(), want);
        input.body = Some(serde_json::json!({"filter": "bob"}));
        let from_body = read(&input, Method::Get).unwrap();
        assert_eq!(from_body.filter.as_deref(), Some("bob"));
        assert_eq!(from_body.per_page, None, "the body wins whole");
        input.body = None;
        assert!(
            matches!(
                read(&input, Method::Put),
                Err(RestInputError::Refused(Refused::Body(_)))
            ),
            "a PUT takes no input from its query string"
        );
        let template = "/things/{id}";
        let user: i32 = input
            .param("user", Some("X-PanelAlpha-User"), template)
            .unwrap();
        assert_eq!(user, 12);
        let id: i32 = input.param("id", None, template).unwrap();
        assert_eq!(id, 7);
        assert!(input.param::<i32>("filter", None, template).is_err());
        // A path segment is read strictly even where it is optional; a query parameter is not.
        assert!(
            input
                .param::<Option<i32>>("filter", None, "/things/{filter}")
                .is_err()
        );
        let lenient = input.param::<Option<i32>>("filter", None, template);
        assert_eq!(lenient.unwrap(), None);
        #[derive(serde::Deserialize, schemars::JsonSchema, Debug)]
        #[allow(dead_code)]
        struct Needs {
            email: String,
            count: i32,
        }
        hostplane_schema::no_extra_validation!(Needs);
        let needs = hostplane_schema::validate::shape::<Needs>();
        let none = BTreeMap::new();
        let input = RestInput {
            params: &none,
            ..input
        };
        let refused = |fields: &[(&str, Failure)]| {
            RestInputError::Refused(Refused::Fields(
                fields
                    .iter()
                    .map(|(field, failure)| Refusal {
                        field: field.to_string(),
                        failure: *failure,
                    })
                    .collect(),
            ))
            .to_string()
        };
        assert_eq!(
            input
                .input(Method::Post, &[], true, &needs)
                .unwrap_err()
                .to_string(),
            refused(&[("email", Failure::Missing), ("count", Failure::Missing)]),
            "every missing field, in declaration order"
        );
        let input = RestInput {
            body: Some(serde_json::json!({"email": 5, "count": "x"})),
            ..input
        };
        assert_eq!(
            input
                .input(Method::Post, &[], true, &needs)
                .unwrap_err()
                .to_string(),
            refused(&[
                ("email", Failure::Type(Kind::String)),
                ("count", Failure::Type(Kind::Integer))
            ]),
            "the declared kinds, not serde's guesses"
        );
    }

    /// What the declaration does not describe and serde still refuses names its field.
    #[test]
    fn unread_bodies() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            template: String,
        }
        let e = RestInputError::parse::<T>(serde_json::json!({"template": 3})).unwrap_err();
        assert!(
            matches!(e, RestInputError::Refused(Refused::Fields(f)) if f[0].field == "template")
        );
        let e = RestInputError::parse::<T>(serde_json::json!([1])).unwrap_err();
        assert!(matches!(e, RestInputError::Refused(Refused::Body(_))));
    }
}

/// A provider declared in two sections, with a GET that acts, a header parameter and a GET whose
/// filters are its input: what PanelAlpha's declarations need.
#[cfg(test)]
mod sections {
    use hostplane_adapters::Provider;
    use hostplane_schema::generic::{ActionResult, RawAnswer};

    #[derive(
        async_graphql::InputObject,
        schemars::JsonSchema,
        serde::Deserialize,
        serde::Serialize,
        Debug,
        Clone,
    )]
    pub struct ThingFilter {
        pub filter: Option<String>,
        pub r#type: Option<String>,
    }
    hostplane_schema::rules! { ThingFilter { filter: [MaxLen(255)], r#type: [OneOf(&["a", "b"])] } }

    mod first {
        use super::*;
        crate::endpoints! {
            provider: Provider::Panelalpha;
            audience: Operator;
            query_root: FirstQuery;
            mutation_root: FirstMutation;
            queries {
                /// List things
                test_things = Get "/api/things" (; input: Option<ThingFilter>) -> RawAnswer => crate::call::raw;
                /// Show a type of thing
                test_type = Get "/api/things/types/{type}" (r#type: String) -> RawAnswer => crate::call::raw;
            }
            mutations {
                /// Retry a thing
                test_retry = Get "/api/things/{id}/retry" (id: i32, user: Option<i32> => "X-PanelAlpha-User") -> ActionResult => crate::call::done;
                /// Filter many things
                test_bulk = Put "/api/things/bulk" (; input: Vec<ThingFilter>) -> ActionResult => crate::call::done;
            }
        }
    }

    mod second {
        use super::*;
        crate::endpoints! {
            provider: Provider::Panelalpha;
            audience: Customer;
            query_root: SecondQuery;
            mutation_root: SecondMutation;
            queries {
                /// Show a thing
                test_thing = Get "/api/things/{id}" (id: i32) -> RawAnswer => crate::call::raw;
            }
            mutations {}
        }
    }

    crate::sections!(TestQuery, TestMutation: first(FirstQuery, FirstMutation), second(SecondQuery, SecondMutation));

    /// The sections register as one provider: one table in declaration order, one query and one
    /// mutation root; the GET that acts is a mutation, its header parameter an optional argument
    /// documented as a header, and the GET's filters its input.
    #[test]
    fn register_as_one() {
        let names: Vec<&str> = table().map(|e| e.name).collect();
        assert_eq!(
            names,
            [
                "test_things",
                "test_type",
                "test_retry",
                "test_bulk",
                "test_thing"
            ]
        );
        let retry = &first::ENDPOINTS.test_retry;
        assert_eq!(retry.method, hostplane_adapters::Method::Get);
        assert_eq!(retry.operation, crate::endpoint::Operation::Mutation);
        let mut generator = schemars::SchemaGenerator::default();
        let doc = (retry.doc)(&mut generator);
        let user = doc
            .params
            .iter()
            .find(|p| p.name == "user")
            .expect("documented");
        assert_eq!(
            (user.header, user.required),
            (Some("X-PanelAlpha-User"), false)
        );
        let things = (first::ENDPOINTS.test_things.doc)(&mut generator);
        assert!(things.body.is_some_and(|b| !b.required));
        let filter = &generator.definitions()["ThingFilter"]["properties"]["filter"];
        assert_eq!(filter["maxLength"], 255, "the rule is in the schema");
        let schema = async_graphql::Schema::build(
            TestQuery::default(),
            TestMutation::default(),
            async_graphql::EmptySubscription,
        )
        .finish()
        .sdl();
        let root = |name: &str| {
            let start = schema.find(&format!("type {name} {{")).expect("a root");
            schema[start..start + schema[start..].find("\n}").expect("its end")].to_string()
        };
        assert!(
            root("TestQuery").contains("testThings(") && root("TestQuery").contains("testThing(")
        );
        assert!(root("TestMutation").contains("testRetry("));
        assert!(
            root("TestMutation").contains("user: Int"),
            "{}",
            root("TestMutation")
        );
        assert!(!root("TestQuery").contains("testRetry("));
        // A customer section declares its audience once: each row gets the acting user.
        let thing = &second::ENDPOINTS.test_thing;
        assert_eq!(
            (retry.audience, thing.audience),
            (super::Audience::Operator, super::Audience::Customer)
        );
        let thing_doc = (thing.doc)(&mut generator);
        let acting: Vec<_> = thing_doc
            .params
            .iter()
            .map(|p| (p.name, p.header))
            .collect();
        assert_eq!(
            acting,
            [("as_user", Some("X-PanelAlpha-User")), ("id", None)]
        );
        assert!(
            root("TestQuery").contains("connection: String,\t\tasUser: Int,\t\tid: Int!"),
            "{}",
            root("TestQuery")
        );
        assert_eq!(Provider::Panelalpha, first::ENDPOINTS.test_things.provider);
    }

    /// Any wire name works as a parameter or a field, `type` included (a raw identifier in Rust),
    /// with its rules applied on both surfaces.
    #[test]
    fn wire_names_that_are_rust_keywords() {
        let endpoint = &first::ENDPOINTS.test_type;
        assert_eq!(endpoint.path_params().collect::<Vec<_>>(), ["type"]);
        let doc = (endpoint.doc)(&mut schemars::SchemaGenerator::default());
        assert_eq!(doc.params[0].name, "type");
        let params = std::collections::BTreeMap::from([("type".to_string(), "vps".to_string())]);
        let headers = http::HeaderMap::new();
        let input = super::RestInput {
            connection: "c",
            params: &params,
            headers: &headers,
            body: None,
        };
        assert_eq!(
            (endpoint.rest)(&input).expect("the recipe reads `type`"),
            serde_json::json!({"connection": "c", "type": "vps"})
        );
        assert_eq!(
            endpoint.path_for(&[("type", "vps")]).expect("a path"),
            "/api/things/types/vps"
        );
        use hostplane_schema::validate::{Rule, Validate, check, shape_of};
        assert_eq!(
            ThingFilter::rules()[1],
            ("type", &[Rule::OneOf(&["a", "b"])][..])
        );
        let refused = shape_of::<ThingFilter>().check(&serde_json::json!({"type": "c"}));
        assert!(refused.is_err(), "the rule on `type` applies on REST");
        let filter = ThingFilter {
            filter: None,
            r#type: Some("c".into()),
        };
        let e = check(&filter, Provider::Panelalpha).expect_err("and on GraphQL");
        assert_eq!(e.message(), "The selected type is invalid.");
    }

    /// A list body (`*  object` in the docs) is checked element by element, its element's rules
    /// in the OpenAPI schema.
    #[test]
    fn list_bodies() {
        use hostplane_adapters::shape::{Failure, Refusal, Refused};
        let bulk = &first::ENDPOINTS.test_bulk;
        let mut generator = schemars::SchemaGenerator::default();
        let doc = (bulk.doc)(&mut generator);
        assert!(doc.body.is_some_and(|b| b.required));
        let filter = &generator.definitions()["ThingFilter"]["properties"]["type"];
        assert_eq!(filter["enum"], serde_json::json!(["a", "b"]));
        let params = std::collections::BTreeMap::new();
        let headers = http::HeaderMap::new();
        let input = super::RestInput {
            connection: "c",
            params: &params,
            headers: &headers,
            body: Some(serde_json::json!([{"type": "a"}, {"type": "c"}])),
        };
        let refused = (bulk.rest)(&input).expect_err("the second element is refused");
        assert_eq!(
            refused.to_string(),
            super::RestInputError::Refused(Refused::Fields(vec![Refusal {
                field: "1.type".into(),
                failure: Failure::Rule(hostplane_schema::validate::Rule::OneOf(&["a", "b"])),
            }]))
            .to_string()
        );
        let input = super::RestInput {
            body: Some(serde_json::json!([{"type": "a"}])),
            ..input
        };
        assert_eq!(
            (bulk.rest)(&input).expect("a good list")["input"],
            serde_json::json!([{"filter": null, "type": "a"}])
        );
    }
}
