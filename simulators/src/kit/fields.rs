//! Reading required and optional fields out of a request's parameters, each provider with its own
//! idea of "not given", of coercion, and of how a failure is worded.

use super::{Fail, body::Params};
use serde_json::Value;

/// What a field failed; the provider turns it into its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Not given (or given blank where that counts as not given).
    Missing,
    Text,
    Integer,
    Bool,
    Email,
    /// Longer than this many characters.
    TooLong(usize),
    /// Not one of the allowed values.
    NotAllowed,
    /// Another record already has this value.
    Taken,
    /// Given, but not in the shape the field takes.
    Invalid,
}

/// Which values count as not given, beyond a missing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absent {
    Null,
    /// `null` or `""` (Laravel's `required` rule).
    NullOrEmpty,
    /// `null` or a string of white space (Laravel's trim-and-null middleware in front of `required`).
    NullOrBlank,
}

/// One provider's field reader.
#[derive(Clone, Copy)]
pub struct Fields {
    pub absent: Absent,
    /// Strings are read trimmed; one that trims to nothing is `Missing`.
    pub trim: bool,
    /// Numeric strings read as integers and `0`/`1`/`"true"`/`"false"` as booleans, as form-encoded
    /// callers can only send strings.
    pub coerce: bool,
    /// The provider's failure for a field.
    pub fail: fn(&str, Problem) -> Fail,
}

impl Fields {
    /// The field, unless it is not given.
    pub fn get<'a>(&self, params: &'a Params, name: &str) -> Option<&'a Value> {
        params.get(name).filter(|v| !self.is_absent(v))
    }

    pub fn is_absent(&self, v: &Value) -> bool {
        let text = v.as_str();
        v.is_null()
            || match self.absent {
                Absent::Null => false,
                Absent::NullOrEmpty => text == Some(""),
                Absent::NullOrBlank => text.is_some_and(|s| s.trim().is_empty()),
            }
    }

    pub fn required<'a>(&self, params: &'a Params, name: &str) -> Result<&'a Value, Fail> {
        self.get(params, name)
            .ok_or_else(|| (self.fail)(name, Problem::Missing))
    }

    pub fn text(&self, params: &Params, name: &str) -> Result<Option<String>, Fail> {
        self.get(params, name)
            .map(|v| self.as_text(v, name))
            .transpose()
    }

    pub fn required_text(&self, params: &Params, name: &str) -> Result<String, Fail> {
        self.as_text(self.required(params, name)?, name)
    }

    pub fn as_text(&self, v: &Value, name: &str) -> Result<String, Fail> {
        let s = v.as_str().ok_or_else(|| (self.fail)(name, Problem::Text))?;
        let s = if self.trim { s.trim() } else { s };
        if s.is_empty() {
            return Err((self.fail)(name, Problem::Missing));
        }
        Ok(s.to_string())
    }

    pub fn required_integer(&self, params: &Params, name: &str) -> Result<u64, Fail> {
        self.as_integer(self.required(params, name)?, name)
    }

    pub fn as_integer(&self, v: &Value, name: &str) -> Result<u64, Fail> {
        let parsed = match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) if self.coerce => s.trim().parse().ok(),
            _ => None,
        };
        parsed.ok_or_else(|| (self.fail)(name, Problem::Integer))
    }

    pub fn flag(&self, params: &Params, name: &str) -> Result<Option<bool>, Fail> {
        self.get(params, name)
            .map(|v| self.as_flag(v, name))
            .transpose()
    }

    pub fn required_flag(&self, params: &Params, name: &str) -> Result<bool, Fail> {
        self.as_flag(self.required(params, name)?, name)
    }

    /// Laravel's `boolean` accepts true/false, 0/1 and "0"/"1"; coercing readers take
    /// "true"/"false" too.
    pub fn as_flag(&self, v: &Value, name: &str) -> Result<bool, Fail> {
        let parsed = match v {
            Value::Bool(b) => Some(*b),
            Value::Number(n) if self.coerce => match n.as_u64() {
                Some(0) => Some(false),
                Some(1) => Some(true),
                _ => None,
            },
            Value::String(s) if self.coerce => match s.trim() {
                "0" | "false" => Some(false),
                "1" | "true" => Some(true),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(|| (self.fail)(name, Problem::Bool))
    }

    pub fn required_email(&self, params: &Params, name: &str) -> Result<String, Fail> {
        self.as_email(self.required(params, name)?, name)
    }

    pub fn as_email(&self, v: &Value, name: &str) -> Result<String, Fail> {
        v.as_str()
            .map(str::trim)
            .filter(|s| is_email(s))
            .map(str::to_string)
            .ok_or_else(|| (self.fail)(name, Problem::Email))
    }
}

/// One `@` between a non-empty local part and a dotted-or-single-label domain, no white space: the
/// shape an RFC `email` rule accepts for everyday addresses.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    !local.is_empty() && !s.chars().any(char::is_whitespace) && domain.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn fail(name: &str, problem: Problem) -> Fail {
        Fail::new(
            StatusCode::BAD_REQUEST,
            json!(format!("{name}: {problem:?}")),
        )
    }

    fn params(v: Value) -> Params {
        v.as_object().cloned().unwrap()
    }

    /// Each notion of "not given" and the trimming, coercing and typing rules read as documented.
    #[test]
    fn readers() {
        let strict = Fields {
            absent: Absent::NullOrEmpty,
            trim: false,
            coerce: false,
            fail,
        };
        let laravel = Fields {
            absent: Absent::NullOrBlank,
            trim: true,
            coerce: true,
            fail,
        };
        let p = params(json!({"a": "", "b": " x ", "n": "7", "f": "1", "z": null, "e": " a@b.c "}));
        assert!(strict.get(&p, "a").is_none() && strict.get(&p, "z").is_none());
        assert_eq!(strict.text(&p, "b"), Ok(Some(" x ".into())));
        assert_eq!(laravel.text(&p, "b"), Ok(Some("x".into())));
        assert_eq!(
            strict.required_text(&p, "a"),
            Err(fail("a", Problem::Missing))
        );
        assert_eq!(
            strict.required_integer(&p, "n"),
            Err(fail("n", Problem::Integer))
        );
        assert_eq!(laravel.required_integer(&p, "n"), Ok(7));
        assert_eq!(laravel.required_flag(&p, "f"), Ok(true));
        assert_eq!(strict.flag(&p, "f"), Err(fail("f", Problem::Bool)));
        assert_eq!(laravel.required_email(&p, "e"), Ok("a@b.c".into()));
        let null_only = Fields {
            absent: Absent::Null,
            trim: true,
            ..laravel
        };
        assert_eq!(null_only.text(&p, "a"), Err(fail("a", Problem::Missing)));
        assert!(is_email("x@y") && !is_email("x y@z") && !is_email("@z"));
    }
}
