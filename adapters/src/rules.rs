//! Documented validation rules, each written once per input field (`hostplane_schema::rules!`): the
//! gateway checks the field before any upstream call on both surfaces, refuses in the provider's own
//! wording (`Wire::rule_message`), and the OpenAPI document carries the rule as a JSON Schema
//! constraint. The rules are the ones the hosting APIs' docs state, in Laravel's terms.

use crate::shape::{Failure, Kind};
use serde_json::{Map, Value, json};
use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

/// One rule on one field, as the docs state it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Present and not blank.
    Filled,
    /// Present (not null).
    Required,
    /// "Must not be greater than N characters."
    MaxLen(usize),
    /// "Must be at least N characters."
    MinLen(usize),
    /// "Must be a valid email address."
    Email,
    /// An absolute http(s) URL with a host.
    Url,
    /// "Must only contain letters, numbers, dashes and underscores."
    AlphaDash,
    /// One of the documented values.
    OneOf(&'static [&'static str]),
    /// Equal to the field named `<field>_confirmation`.
    Confirmed,
    /// A number of at least N.
    Min(i64),
    /// A number of at most N.
    Max(i64),
    /// Present and not blank, where given (Laravel's `filled`): absent passes.
    NotBlank,
    /// A documented format no other rule states, refused in the API's own sentence.
    Matches(&'static Pattern),
    /// One of the documented integers (`auto_update`: 0, 1 or 2).
    In(&'static [i64]),
    /// Text matching a documented regular expression.
    Regex(&'static str),
    /// The rule on every element of a list (`emails.*`); a refusal names the element (`emails.0`).
    Each(&'static Rule),
}

/// A documented text format: its test, the API's sentence refusing it, and a value it refuses.
#[derive(Debug)]
pub struct Pattern {
    pub test: fn(&str) -> bool,
    pub message: &'static str,
    pub refused_example: &'static str,
}

/// Two patterns are one when they are refused in one sentence.
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.message == other.message
    }
}

impl Eq for Pattern {}

/// A field's rules, by its upstream (JSON) name.
pub type FieldRules = (&'static str, &'static [Rule]);

impl Rule {
    /// Whether the field (absent: `None`) passes, in the input object `all`. Absent or null fields pass
    /// every rule but `Filled` and `Required`: optional fields are checked only when given.
    pub fn check(&self, field: &str, value: Option<&Value>, all: &Value) -> bool {
        let value = value.filter(|v| !v.is_null());
        let text = value.and_then(Value::as_str);
        match (self, value) {
            (Rule::Filled, _) => value.is_some() && text.is_none_or(|t| !t.trim().is_empty()),
            (Rule::Required, _) => value.is_some(),
            (_, None) => true,
            (Rule::MaxLen(n), _) => text.is_none_or(|t| t.chars().count() <= *n),
            (Rule::MinLen(n), _) => text.is_none_or(|t| t.chars().count() >= *n),
            (Rule::Email, _) => text.is_some_and(valid_email),
            (Rule::Url, _) => text.is_some_and(valid_url),
            (Rule::AlphaDash, _) => text.is_some_and(|t| {
                t.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            }),
            (Rule::OneOf(values), _) => text.is_some_and(|t| values.contains(&t)),
            (Rule::Confirmed, Some(v)) => all.get(format!("{field}_confirmation")) == Some(v),
            (Rule::NotBlank, _) => text.is_none_or(|t| !t.trim().is_empty()),
            (Rule::Matches(p), _) => text.is_some_and(p.test),
            (Rule::In(values), Some(v)) => v.as_i64().is_some_and(|n| values.contains(&n)),
            (Rule::Regex(pattern), _) => text.is_some_and(|t| regex_matches(pattern, t)),
            (Rule::Each(rule), Some(v)) => first_element_breaking(rule, field, v, all).is_none(),
            (Rule::Min(n), Some(v)) => v.as_f64().is_none_or(|x| x >= *n as f64),
            (Rule::Max(n), Some(v)) => v.as_f64().is_none_or(|x| x <= *n as f64),
        }
    }

    /// Adds the rule to a field's JSON Schema, where JSON Schema can say it.
    pub fn constrain(&self, schema: &mut Map<String, Value>) {
        match self {
            Rule::MaxLen(n) => {
                schema.insert("maxLength".into(), json!(n));
            }
            Rule::MinLen(n) => {
                schema.insert("minLength".into(), json!(n));
            }
            Rule::Filled | Rule::NotBlank => {
                schema.entry("minLength").or_insert(json!(1));
            }
            Rule::Email => {
                schema.insert("format".into(), json!("email"));
            }
            // http(s) only, as `valid_url` reads it; JSON Schema's `uri` takes any scheme.
            Rule::Url => {
                schema.insert("pattern".into(), json!("^https?://[^\\s/?#]+"));
            }
            Rule::AlphaDash => {
                schema.insert("pattern".into(), json!("^[\\w-]*$"));
            }
            Rule::OneOf(values) => {
                schema.insert("enum".into(), json!(values));
            }
            Rule::Min(n) => {
                schema.insert("minimum".into(), json!(n));
            }
            Rule::Max(n) => {
                schema.insert("maximum".into(), json!(n));
            }
            Rule::Matches(p) => {
                schema.entry("description").or_insert(json!(p.message));
            }
            Rule::In(values) => {
                schema.insert("enum".into(), json!(values));
            }
            Rule::Regex(pattern) => {
                schema.insert("pattern".into(), json!(pattern));
            }
            Rule::Each(rule) => {
                if let Some(Value::Object(items)) = schema.get_mut("items") {
                    rule.constrain(items);
                }
            }
            Rule::Required | Rule::Confirmed => {}
        }
    }

    /// The refusal in Laravel's words (`The email field must be a valid email address.`); `field`
    /// says `the email field` or, in older Laravel's style, `the email`.
    pub fn laravel_message(&self, attribute: &str, field_word: bool) -> String {
        let name = attribute_name(attribute);
        let subject = subject(&name, field_word);
        match self {
            Rule::Filled | Rule::Required => format!("The {name} field is required."),
            Rule::MaxLen(n) => format!("{subject} must not be greater than {n} characters."),
            Rule::MinLen(n) => format!("{subject} must be at least {n} characters."),
            Rule::Email => format!("{subject} must be a valid email address."),
            Rule::Url => format!("{subject} must be a valid URL."),
            Rule::AlphaDash => {
                format!("{subject} must only contain letters, numbers, dashes, and underscores.")
            }
            Rule::OneOf(_) => format!("The selected {name} is invalid."),
            Rule::Confirmed => format!("{subject} confirmation does not match."),
            Rule::Min(n) => format!("{subject} must be at least {n}."),
            Rule::Max(n) => format!("{subject} must not be greater than {n}."),
            Rule::NotBlank => format!("The {name} field must have a value."),
            Rule::Matches(p) => p.message.to_string(),
            Rule::In(_) => format!("The selected {name} is invalid."),
            Rule::Regex(_) => format!("{subject} format is invalid."),
            // Refusals name the element and its own rule (`Rule::element`).
            Rule::Each(rule) => rule.laravel_message(attribute, field_word),
        }
    }
}

/// A refused field in Laravel's words: its `required` message, the message of the type rule its
/// declared kind stands for (`string`, `integer`, `numeric`, `boolean`, `in`, `array`, `date`), or
/// its broken rule's. `field_word` as in `Rule::laravel_message`.
pub fn laravel(field: &str, failure: &Failure, field_word: bool) -> String {
    let name = attribute_name(field);
    let subject = subject(&name, field_word);
    match failure {
        Failure::Missing => format!("The {name} field is required."),
        Failure::Rule(rule) => rule.laravel_message(field, field_word),
        Failure::Type(kind) => match kind {
            Kind::String => format!("{subject} must be a string."),
            Kind::Integer => format!("{subject} must be an integer."),
            Kind::Number => format!("{subject} must be a number."),
            // Laravel words `boolean` with "field" in every version.
            Kind::Boolean => format!("The {name} field must be true or false."),
            Kind::Enum => format!("The selected {name} is invalid."),
            // A JSON object is a PHP array too.
            Kind::List | Kind::Object => format!("{subject} must be an array."),
            Kind::Date if field_word => format!("{subject} must be a valid date."),
            Kind::Date => format!("The {name} is not a valid date."),
            Kind::Any => format!("{subject} format is invalid."),
        },
    }
}

/// Laravel's `:attribute`: snake case, underscores as spaces (`deviceId` is `device id`).
fn attribute_name(field: &str) -> String {
    let mut name = String::with_capacity(field.len() + 4);
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            name.push(' ');
            name.push(c.to_ascii_lowercase());
        } else if c == '_' {
            name.push(' ');
        } else {
            name.push(c);
        }
    }
    name
}

fn subject(name: &str, field_word: bool) -> String {
    if field_word {
        format!("The {name} field")
    } else {
        format!("The {name}")
    }
}

impl Rule {
    /// Where a value breaks this rule, the field to name and the rule that broke: a list's first
    /// breaking element (`emails.0`) and the element's rule for `Each`, else the field and this rule.
    pub fn refused_at(&self, field: &str, value: &Value, all: &Value) -> (String, Rule) {
        match self {
            Rule::Each(rule) => match first_element_breaking(rule, field, value, all) {
                Some(i) => (format!("{field}.{i}"), **rule),
                None => (field.to_string(), *self),
            },
            _ => (field.to_string(), *self),
        }
    }
}

fn first_element_breaking(rule: &Rule, field: &str, list: &Value, all: &Value) -> Option<usize> {
    list.as_array()?
        .iter()
        .position(|item| !rule.check(field, Some(item), all))
}

/// Whether `text` matches a declared regular expression, each compiled once.
fn regex_matches(pattern: &'static str, text: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<&'static str, regex::Regex>>> = OnceLock::new();
    let mut compiled = COMPILED
        .get_or_init(Default::default)
        .lock()
        .expect("the regex cache lock is never poisoned");
    compiled
        .entry(pattern)
        .or_insert_with(|| regex::Regex::new(pattern).expect("a declared regex compiles"))
        .is_match(text)
}

/// A plausible email address: one `@`, a local part, and a dotted domain.
pub fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// An absolute http(s) URL with a host.
pub fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.and_then(|r| r.split(['/', '?', '#']).next())
        .is_some_and(|host| !host.is_empty() && !host.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each rule refuses what the docs say it refuses, and optional fields are checked only when given.
    #[test]
    fn checks() {
        let all = json!({"password": "secret12", "password_confirmation": "secret12"});
        let ok = |rule: Rule, v: Value| rule.check("f", Some(&v), &all);
        assert!(ok(Rule::MaxLen(3), json!("abc")) && !ok(Rule::MaxLen(3), json!("abcd")));
        assert!(ok(Rule::MaxLen(3), json!("äöü")), "characters, not bytes");
        assert!(!ok(Rule::MinLen(8), json!("short")));
        assert!(ok(Rule::Email, json!("a@b.co")) && !ok(Rule::Email, json!("a@b")));
        assert!(ok(Rule::Url, json!("https://x.org/a")) && !ok(Rule::Url, json!("x.org")));
        assert!(ok(Rule::AlphaDash, json!("a-b_9")) && !ok(Rule::AlphaDash, json!("a b")));
        assert!(!ok(Rule::OneOf(&["a", "b"]), json!("c")));
        assert!(!ok(Rule::Filled, json!("  ")) && !Rule::Filled.check("f", None, &all));
        assert!(
            Rule::MaxLen(1).check("f", None, &all),
            "absent optional passes"
        );
        assert!(Rule::Confirmed.check("password", all.get("password"), &all));
        let mismatch = json!({"password": "a", "password_confirmation": "b"});
        assert!(!Rule::Confirmed.check("password", mismatch.get("password"), &mismatch));
        for bad in ["", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@.co"] {
            assert!(!valid_email(bad), "{bad}");
        }
        for bad in ["domain.com", "ftp://x.com", "https://", "https:// x"] {
            assert!(!valid_url(bad), "{bad}");
        }
    }

    /// Laravel's wording, in its current style and its older one.
    #[test]
    fn wording() {
        assert_eq!(
            Rule::MaxLen(255).laravel_message("first_name", true),
            "The first name field must not be greater than 255 characters."
        );
        assert_eq!(
            Rule::Email.laravel_message("email", false),
            "The email must be a valid email address."
        );
        assert_eq!(
            Rule::Confirmed.laravel_message("password", false),
            "The password confirmation does not match."
        );
        assert_eq!(
            laravel("deviceId", &Failure::Type(Kind::Integer), true),
            "The device id field must be an integer."
        );
        assert_eq!(
            laravel("email", &Failure::Type(Kind::String), false),
            "The email must be a string."
        );
        assert_eq!(
            laravel("server_assign_rule", &Failure::Type(Kind::Enum), true),
            "The selected server assign rule is invalid."
        );
        assert_eq!(
            Rule::Min(1).laravel_message("cpu", true),
            "The cpu field must be at least 1."
        );
        let each = Rule::Each(&Rule::Email);
        let emails = json!(["a@b.co", "nope"]);
        assert!(!each.check("emails", Some(&emails), &emails));
        assert_eq!(
            each.refused_at("emails", &emails, &emails),
            ("emails.1".to_string(), Rule::Email)
        );
        assert_eq!(
            Rule::Email.laravel_message("emails.1", true),
            "The emails.1 field must be a valid email address."
        );
        let level = Rule::In(&[0, 1, 2]);
        assert!(level.check("auto_update", Some(&json!(2)), &emails));
        assert!(!level.check("auto_update", Some(&json!(3)), &emails));
        assert!(!level.check("auto_update", Some(&json!("2")), &emails));
        let color = Rule::Regex("^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$");
        assert!(color.check("color", Some(&json!("#0559cb")), &emails));
        assert!(!color.check("color", Some(&json!("#(0559cb")), &emails));
        assert_eq!(
            color.laravel_message("color", true),
            "The color field format is invalid."
        );
    }
}
