//! The refusal matrix, generated from the endpoint table and the input declarations: for every
//! field of every endpoint's input, a required field left out, a value of the wrong JSON type
//! (REST only: GraphQL's own validation refuses those first) and each declared rule broken once.
//! Each case starts from the endpoint's smoke row (a call that succeeds) and changes that one
//! field; it must come back in the provider's wording and status on REST, as `VALIDATION` with the
//! field and the same text on GraphQL, and reach no upstream. An endpoint declared later is in the
//! matrix with no new test code. What each API says is written out here, once per provider, as the
//! spec the wires are held to.

use super::{Call, Surface, fixture, rows, schema::introspect};
use crate::helpers::admin;
use hostplane_adapters::{
    ErrorCode, Provider,
    rules::Rule,
    shape::{Failure, Field, Kind, Shape},
};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hosterapi() {
    matrix(Provider::Hosterapi).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patchstack() {
    matrix(Provider::Patchstack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orchestrix() {
    matrix(Provider::Orchestrix).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wpcs() {
    matrix(Provider::Wpcs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panelalpha() {
    matrix(Provider::Panelalpha).await;
}

/// One case: the body with one field changed, the failure it must be refused for, and the
/// surfaces it is sent on.
struct Case {
    field: String,
    body: Value,
    failure: Failure,
    surfaces: &'static [Surface],
}

const BOTH: &[Surface] = &[Surface::Rest, Surface::Graphql];
const REST: &[Surface] = &[Surface::Rest];

async fn matrix(provider: Provider) {
    let gw = fixture().await;
    let upstream = gw.upstream_of(provider).expect("the provider's simulator");
    let fields = introspect().await;
    let rows = rows::rows();
    let mut failures = Vec::new();
    let mut count = 0;
    for endpoint in hostplane_resolvers::endpoints().filter(|e| e.provider == provider) {
        let Some(input) = endpoint.input else {
            continue;
        };
        let shape = (input.shape)();
        let field_name = endpoint.field();
        let row = rows.iter().find(|r| r.field == field_name);
        let mut call = Call::prepare(&gw, &upstream, endpoint, row).await;
        let base = call.body.clone().unwrap_or_else(|| json!({}));
        if let Err(e) = shape.check(&base) {
            failures.push(format!("{field_name}: its row's body is refused: {e:?}"));
            continue;
        }
        let variables = {
            call.body = Some(base.clone());
            call.variables()
        };
        // A body that is a list (`*  object`) is checked by its first element: its fields are
        // refused at `0.<field>`.
        let (element, prefix, wrap): (&Shape, &str, fn(Value) -> Value) = match &shape.items {
            Some(items) => (items, "0.", |body| json!([body])),
            None => (shape, "", |body| body),
        };
        let base = if prefix.is_empty() {
            base
        } else {
            base[0].clone()
        };
        // A body of the wrong JSON kind is refused as a malformed one; an empty one names every
        // missing field where the API's error has a field map, else the first.
        let wrong = if prefix.is_empty() {
            json!([1])
        } else {
            json!({"a": 1})
        };
        let mut whole: Vec<(Value, (u16, Value))> = [wrong, json!("text"), json!(5)]
            .into_iter()
            .map(|body| (body, malformed(provider)))
            .collect();
        let missing: Vec<String> = element
            .fields
            .iter()
            .filter(|f| {
                f.required
                    || f.rules
                        .iter()
                        .any(|r| matches!(r, Rule::Filled | Rule::Required))
            })
            .map(|f| format!("{prefix}{}", f.name))
            .collect();
        if !missing.is_empty() {
            let missing: Vec<&str> = missing.iter().map(String::as_str).collect();
            whole.push((wrap(json!({})), every_missing(provider, &missing)));
        }
        for (body, wanted) in whole {
            count += 1;
            let before = upstream.server.log.len();
            call.body = Some(body.clone());
            let (status, bytes) = call.rest(&gw).await;
            let got = (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or_default(),
            );
            let reached = upstream.server.log.len() - before;
            if got != wanted || reached > 0 {
                failures.push(format!(
                    "{field_name} Rest body {body}: {got:?} ({reached} upstream requests), not {wanted:?}"
                ));
            }
        }
        let cases = element.fields.iter().flat_map(|f| cases(f, &base));
        for mut case in cases {
            case.field = format!("{prefix}{}", case.field);
            case.body = wrap(case.body);
            for surface in case.surfaces {
                count += 1;
                let before = upstream.server.log.len();
                let wanted = words(provider, &case.field, &case.failure);
                let problem = match surface {
                    Surface::Rest => {
                        call.body = Some(case.body.clone());
                        let (status, bytes) = call.rest(&gw).await;
                        let got = (status, serde_json::from_slice::<Value>(&bytes).ok());
                        let (s, b) = provider.wire().refusal(
                            ErrorCode::Validation,
                            &wanted,
                            Some(&case.field),
                        );
                        (got != (s, Some(b.clone()))).then(|| format!("{got:?}, not {b}"))
                    }
                    Surface::Graphql => {
                        let mut variables = variables.clone();
                        variables["input"] = (input.graphql)(case.body.clone())
                            .expect("a rule-breaking body still reads");
                        let (_, body) = call.graphql_with(&gw, &fields, &admin(), variables).await;
                        let error = &body["errors"][0];
                        let fits = error["message"] == wanted.as_str()
                            && error["extensions"]["code"] == "VALIDATION"
                            && error["extensions"]["field"] == case.field.as_str();
                        (!fits).then(|| format!("{body}"))
                    }
                };
                let reached = upstream.server.log.len() - before;
                if let Some(problem) = problem {
                    failures.push(format!(
                        "{field_name} {surface:?} `{}` {:?}: {problem}",
                        case.field, case.failure
                    ));
                } else if reached > 0 {
                    failures.push(format!(
                        "{field_name} {surface:?} `{}`: {reached} upstream requests",
                        case.field
                    ));
                }
            }
        }
    }
    println!("{provider}: {count} refusal cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The answer to a body that is not the JSON object the endpoint takes.
fn malformed(provider: Provider) -> (u16, Value) {
    match provider {
        Provider::Hosterapi => (
            400,
            json!({"result": false, "error": "0xb1: invalid JSON body"}),
        ),
        Provider::Patchstack => (422, json!({"error": "invalid JSON body"})),
        Provider::Orchestrix => (422, json!({"error": "invalid JSON body"})),
        Provider::Wpcs => (
            400,
            json!({"statusCode": 400, "message": "Validation error occured: invalid JSON body"}),
        ),
        Provider::Panelalpha => (422, json!({"message": "invalid JSON body"})),
    }
}

/// The answer to an empty body: Laravel's 422 names every missing field, in declaration order,
/// its message the first one's with `(and N more errors)`; the others name the first.
fn every_missing(provider: Provider, missing: &[&str]) -> (u16, Value) {
    let text = |f: &str| words(provider, f, &Failure::Missing);
    if provider != Provider::Panelalpha {
        let first = text(missing[0]);
        return provider
            .wire()
            .refusal(ErrorCode::Validation, &first, Some(missing[0]));
    }
    let mut message = text(missing[0]);
    match missing.len() {
        1 => {}
        2 => message.push_str(" (and 1 more error)"),
        n => message.push_str(&format!(" (and {} more errors)", n - 1)),
    }
    let errors: serde_json::Map<String, Value> = missing
        .iter()
        .map(|f| (f.to_string(), json!([text(f)])))
        .collect();
    (422, json!({"message": message, "errors": errors}))
}

/// The cases of one field: left out where required, of the wrong kind, each rule broken.
fn cases(field: &Field, base: &Value) -> Vec<Case> {
    let with = |value: Option<Value>| {
        let mut body = base.clone();
        let map = body.as_object_mut().expect("an object body");
        match value {
            Some(v) => map.insert(field.name.clone(), v),
            None => map.remove(&field.name),
        };
        body
    };
    let mut cases = Vec::new();
    let case = |body, failure, surfaces| Case {
        field: field.name.clone(),
        body,
        failure,
        surfaces,
    };
    if field.required {
        // GraphQL refuses a missing required argument itself.
        cases.push(case(with(None), Failure::Missing, REST));
    }
    if let Some(wrong) = wrong_kind(field) {
        cases.push(case(with(Some(wrong)), Failure::Type(field.kind), REST));
    }
    for (i, rule) in field.rules.iter().enumerate() {
        let (body, failure) = match rule {
            // Null is absence: refused as missing, on GraphQL too (an optional field's rule).
            Rule::Required => (with(Some(Value::Null)), Failure::Missing),
            Rule::Confirmed => {
                let mut body = with(Some(json!("secret-one-1")));
                body[format!("{}_confirmation", field.name)] = json!("secret-two-2");
                (body, Failure::Rule(*rule))
            }
            // A list whose first element breaks the element's rule: refused at `field.0`.
            Rule::Each(inner) => {
                let element = Field {
                    kind: field.items.unwrap_or(Kind::Any),
                    rules: &[],
                    ..field.clone()
                };
                let value = breaking(&element, &[], inner)
                    .unwrap_or_else(|| panic!("no element breaks {inner:?} of {}", field.name));
                cases.push(Case {
                    field: format!("{}.0", field.name),
                    body: with(Some(json!([value]))),
                    failure: Failure::Rule(**inner),
                    surfaces: BOTH,
                });
                continue;
            }
            _ => {
                let value = breaking(field, &field.rules[..i], rule)
                    .unwrap_or_else(|| panic!("no value breaks {rule:?} of {}", field.name));
                (with(Some(value)), Failure::Rule(*rule))
            }
        };
        let surfaces = if field.required && *rule == Rule::Required {
            REST
        } else {
            BOTH
        };
        cases.push(case(body, failure, surfaces));
    }
    cases
}

/// A value the field's kind does not take (none for a field of any kind).
fn wrong_kind(field: &Field) -> Option<Value> {
    Some(match field.kind {
        Kind::String => json!(12345),
        Kind::Integer | Kind::Number => json!("twelve"),
        Kind::Boolean => json!("maybe"),
        Kind::Enum if !field.values.is_empty() => json!("no-such-value"),
        Kind::List | Kind::Object => json!("text"),
        Kind::Date => json!("someday"),
        Kind::Enum | Kind::Any => return None,
    })
}

/// A value that passes the rules before `rule` and breaks `rule`.
fn breaking(field: &Field, before: &[Rule], rule: &Rule) -> Option<Value> {
    let long = |n: usize| "a".repeat(n);
    let candidates: Vec<Value> = match rule {
        Rule::Filled => vec![json!("")],
        Rule::NotBlank => vec![json!("  ")],
        Rule::MaxLen(n) => vec![
            json!(long(n + 1)),
            json!(format!("{}@example.com", long((n + 1).saturating_sub(12)))),
            json!(format!("https://{}.example.com", long(*n))),
        ],
        Rule::MinLen(n) => vec![json!(long(n.saturating_sub(1)))],
        Rule::Email => vec![json!("not-an-email")],
        Rule::Url => vec![json!("not a url")],
        Rule::AlphaDash => vec![json!("a b!")],
        Rule::OneOf(_) => vec![json!("no-such-value")],
        Rule::Min(n) => vec![json!(n - 1)],
        Rule::Max(n) => vec![json!(n + 1)],
        Rule::Matches(p) => vec![json!(p.refused_example)],
        Rule::In(values) => vec![json!(values.iter().max().map_or(0, |m| m + 1))],
        Rule::Regex(_) => vec![json!("!! not what the pattern asks !!")],
        Rule::Required | Rule::Confirmed | Rule::Each(_) => Vec::new(),
    };
    let all = json!({});
    candidates.into_iter().find(|v| {
        field.takes(v)
            && before.iter().all(|r| r.check(&field.name, Some(v), &all))
            && !rule.check(&field.name, Some(v), &all)
    })
}

/// What each API says, as its docs word it or, where they do not, as the framework it runs on does
/// (marked in each wire as assumed).
fn words(provider: Provider, field: &str, failure: &Failure) -> String {
    match provider {
        Provider::Panelalpha => laravel(field, failure, true),
        Provider::Patchstack => laravel(field, failure, false),
        Provider::Orchestrix => rails(field, failure),
        Provider::Wpcs => wpcs_words(field, failure),
        Provider::Hosterapi => match failure {
            Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required) => {
                format!("Missing required parameter {field}")
            }
            Failure::Rule(Rule::Matches(p)) => p.message.into(),
            _ => format!("Invalid parameter {field}"),
        },
    }
}

/// Laravel's messages; `field` says "The email field" (current) or "The email" (older).
fn laravel(field: &str, failure: &Failure, field_word: bool) -> String {
    let a: String = field
        .chars()
        .flat_map(|c| match c {
            '_' => vec![' '],
            c if c.is_ascii_uppercase() => vec![' ', c.to_ascii_lowercase()],
            c => vec![c],
        })
        .collect();
    let the = if field_word {
        format!("The {a} field")
    } else {
        format!("The {a}")
    };
    match failure {
        Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required) => {
            format!("The {a} field is required.")
        }
        Failure::Type(Kind::String) => format!("{the} must be a string."),
        Failure::Type(Kind::Integer) => format!("{the} must be an integer."),
        Failure::Type(Kind::Number) => format!("{the} must be a number."),
        Failure::Type(Kind::Boolean) => format!("The {a} field must be true or false."),
        Failure::Type(Kind::Enum) | Failure::Rule(Rule::OneOf(_)) => {
            format!("The selected {a} is invalid.")
        }
        Failure::Type(Kind::List | Kind::Object) => format!("{the} must be an array."),
        Failure::Type(Kind::Date) if field_word => format!("{the} must be a valid date."),
        Failure::Type(Kind::Date) => format!("The {a} is not a valid date."),
        Failure::Type(Kind::Any) => format!("{the} format is invalid."),
        Failure::Rule(Rule::MaxLen(n)) => format!("{the} must not be greater than {n} characters."),
        Failure::Rule(Rule::MinLen(n)) => format!("{the} must be at least {n} characters."),
        Failure::Rule(Rule::Email) => format!("{the} must be a valid email address."),
        Failure::Rule(Rule::Url) => format!("{the} must be a valid URL."),
        Failure::Rule(Rule::AlphaDash) => {
            format!("{the} must only contain letters, numbers, dashes, and underscores.")
        }
        Failure::Rule(Rule::Confirmed) => format!("{the} confirmation does not match."),
        Failure::Rule(Rule::Min(n)) => format!("{the} must be at least {n}."),
        Failure::Rule(Rule::Max(n)) => format!("{the} must not be greater than {n}."),
        Failure::Rule(Rule::NotBlank) => format!("The {a} field must have a value."),
        Failure::Rule(Rule::Matches(p)) => p.message.into(),
        Failure::Rule(Rule::In(_)) => format!("The selected {a} is invalid."),
        Failure::Rule(Rule::Regex(_)) => format!("{the} format is invalid."),
        Failure::Rule(Rule::Each(rule)) => laravel(field, &Failure::Rule(**rule), field_word),
    }
}

/// Rails' messages: the humanized attribute, then what failed.
fn rails(field: &str, failure: &Failure) -> String {
    let mut name = field.replace('_', " ");
    name[..1].make_ascii_uppercase();
    let what = match failure {
        Failure::Rule(Rule::Matches(p)) => return p.message.into(),
        Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required | Rule::NotBlank) => {
            "can't be blank".into()
        }
        Failure::Type(Kind::Integer) => "is not an integer".into(),
        Failure::Type(Kind::Number) => "is not a number".into(),
        Failure::Type(Kind::Enum) | Failure::Rule(Rule::OneOf(_) | Rule::In(_)) => {
            "is not included in the list".into()
        }
        Failure::Type(_)
        | Failure::Rule(
            Rule::Email | Rule::Url | Rule::AlphaDash | Rule::Regex(_) | Rule::Each(_),
        ) => "is invalid".into(),
        Failure::Rule(Rule::MaxLen(n)) => format!("is too long (maximum is {n} characters)"),
        Failure::Rule(Rule::MinLen(n)) => format!("is too short (minimum is {n} characters)"),
        Failure::Rule(Rule::Confirmed) => format!("confirmation doesn't match {name}"),
        Failure::Rule(Rule::Min(n)) => format!("must be greater than or equal to {n}"),
        Failure::Rule(Rule::Max(n)) => format!("must be less than or equal to {n}"),
    };
    format!("{name} {what}")
}

/// WPCS's documented `Property xxx cannot be null`, and its naming rules' own sentences.
fn wpcs_words(field: &str, failure: &Failure) -> String {
    let what = match failure {
        Failure::Rule(Rule::Matches(p)) => return p.message.into(),
        Failure::Missing | Failure::Rule(Rule::Filled | Rule::Required | Rule::NotBlank) => {
            "cannot be null"
        }
        Failure::Type(Kind::String) => "must be a string",
        Failure::Type(Kind::Integer) => "must be an integer",
        Failure::Type(Kind::Number) => "must be a number",
        Failure::Type(Kind::Boolean) => "must be a boolean",
        Failure::Type(Kind::Enum) | Failure::Rule(Rule::OneOf(_) | Rule::In(_)) => {
            "must be one of the allowed values"
        }
        Failure::Type(Kind::List) => "must be an array",
        Failure::Type(Kind::Object) => "must be an object",
        Failure::Type(Kind::Date) => "must be an ISO 8601 date",
        Failure::Type(Kind::Any) | Failure::Rule(_) => "is invalid",
    };
    format!("Property {field} {what}")
}
