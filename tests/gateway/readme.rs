//! The README's examples, run in its order against a real `hostplane demo` as a newcomer would run
//! them, each answer compared with the answer the README shows.
//!
//! An example is the fenced block after a `<!-- example -->` line. A `graphql` block is posted to
//! `/graphql`; an `sh` block's commands run in `bash` with `$TOKEN` set (the WebSocket example's
//! `cargo run --example follow_task` runs that file's `follow`). What the README shows of an answer
//! is the `json` or `text` block after an `<!-- answer -->` line, or a `# => ` line after a command.
//! Shown answers are patterns: `"…"` is any value but null, a string ending in `…` any string that
//! starts so, a `"…": "…"` entry more fields (otherwise the fields are exactly those, in that
//! order), a list ending in `"…"` more items. A `text` answer is a stream, one event or line each:
//! what comes back must walk through the shown events in order, may start past the first (a
//! subscription starts with the state now) and ends on the last.

#![cfg(feature = "demo")]

use crate::cli::{Demo, start_demo};
use serde_json::Value;
use std::{process::Stdio, time::Duration};

#[path = "../../examples/follow_task.rs"]
pub(crate) mod follow_task;

const ANY: &str = "…";

/// One marked example, with the README line it starts on.
#[derive(Debug)]
struct Example {
    line: usize,
    body: Body,
    /// The `<!-- answer -->` block after it: `json` for a GraphQL answer, `text` for a stream.
    shown: Option<Shown>,
}

#[derive(Debug)]
enum Body {
    Graphql(String),
    Shell(Vec<ShellCommand>),
}

#[derive(Debug)]
struct ShellCommand {
    text: String,
    /// The `# => ` line after it.
    shown: Option<Value>,
}

#[derive(Debug)]
enum Shown {
    Json(Value),
    Stream(Vec<Value>),
}

/// The fenced block starting at or after `lines[*at]`: its language and its text.
fn fence(lines: &[&str], at: &mut usize) -> (String, String) {
    while lines[*at].trim().is_empty() {
        *at += 1;
    }
    let lang = lines[*at]
        .strip_prefix("```")
        .unwrap_or_else(|| panic!("README line {}: a fenced block", *at + 1))
        .to_string();
    let mut text = String::new();
    *at += 1;
    while lines[*at] != "```" {
        text.push_str(lines[*at]);
        text.push('\n');
        *at += 1;
    }
    *at += 1;
    (lang, text)
}

fn examples(readme: &str) -> Vec<Example> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut found = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        if lines[at] != "<!-- example -->" {
            at += 1;
            continue;
        }
        at += 1;
        let line = at + 1;
        let body = match fence(&lines, &mut at) {
            (lang, text) if lang == "graphql" => Body::Graphql(text),
            (lang, text) if lang == "sh" => Body::Shell(commands(&text)),
            (lang, _) => panic!("README line {line}: an example in {lang:?}"),
        };
        let mut next = at;
        while next < lines.len() && lines[next].trim().is_empty() {
            next += 1;
        }
        let shown = (lines.get(next) == Some(&"<!-- answer -->")).then(|| {
            at = next + 1;
            match fence(&lines, &mut at) {
                (lang, text) if lang == "json" => Shown::Json(json(&text, line)),
                (lang, text) if lang == "text" => Shown::Stream(events(&text)),
                (lang, _) => panic!("README line {line}: an answer in {lang:?}"),
            }
        });
        found.push(Example { line, body, shown });
    }
    found
}

fn json(text: &str, line: usize) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("README line {line}: {e}\n{text}"))
}

/// A shell block's commands (continued lines joined), each with its `# => ` answer.
fn commands(text: &str) -> Vec<ShellCommand> {
    let mut found: Vec<ShellCommand> = Vec::new();
    let mut continued = false;
    for line in text.lines() {
        if let Some(shown) = line.strip_prefix("# => ") {
            let last = found.last_mut().expect("an answer follows a command");
            last.shown = Some(json(shown, 0));
        } else if continued {
            let last = found.last_mut().expect("a continued command");
            last.text.push('\n');
            last.text.push_str(line);
        } else if !line.trim().is_empty() && !line.starts_with('#') {
            found.push(ShellCommand {
                text: line.to_string(),
                shown: None,
            });
        }
        continued = line.ends_with('\\');
    }
    found
}

/// A stream's events: Server-Sent Events as `{"event", "data"}` (comments left out), or one JSON
/// value per line.
fn events(text: &str) -> Vec<Value> {
    if !text.starts_with("event:") && !text.starts_with(':') {
        return text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| json(l, 0))
            .collect();
    }
    text.split("\n\n")
        .filter_map(|event| {
            let mut name = None;
            let mut data = None;
            for line in event.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = Some(n.to_string());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = Some(json(d, 0));
                }
            }
            Some(serde_json::json!({"event": name?, "data": data}))
        })
        .collect()
}

/// Whether `actual` is what `shown` shows, or where it is not.
fn matches(shown: &Value, actual: &Value, path: &str) -> Result<(), String> {
    let differs = || Err(format!("at {path}: shown {shown}, came {actual}"));
    match (shown, actual) {
        (Value::String(s), a) if s == ANY => {
            if a.is_null() {
                differs()
            } else {
                Ok(())
            }
        }
        (Value::String(s), Value::String(a)) if s.ends_with(ANY) => {
            if a.starts_with(s.trim_end_matches(ANY)) {
                Ok(())
            } else {
                differs()
            }
        }
        (Value::Object(s), Value::Object(a)) => {
            let more = s.get(ANY).is_some();
            let keys: Vec<&String> = s.keys().filter(|k| *k != ANY).collect();
            let came: Vec<&String> = a.keys().filter(|k| !more || keys.contains(k)).collect();
            if keys != came {
                return Err(format!("at {path}: shown fields {keys:?}, came {came:?}"));
            }
            keys.iter()
                .try_for_each(|k| matches(&s[k.as_str()], &a[k.as_str()], &format!("{path}.{k}")))
        }
        (Value::Array(s), Value::Array(a)) => {
            let more = s.last() == Some(&Value::from(ANY));
            let items = if more { &s[..s.len() - 1] } else { &s[..] };
            if a.len() < items.len() || (!more && a.len() != items.len()) {
                return Err(format!(
                    "at {path}: shown {} items{}, came {}",
                    items.len(),
                    if more { " or more" } else { "" },
                    a.len()
                ));
            }
            items
                .iter()
                .zip(a)
                .enumerate()
                .try_for_each(|(i, (s, a))| matches(s, a, &format!("{path}[{i}]")))
        }
        (Value::Number(s), Value::Number(a)) if s.as_f64() == a.as_f64() => Ok(()),
        (s, a) if s == a => Ok(()),
        _ => differs(),
    }
}

/// Whether a stream walks through the shown events: each event matches the shown one it is at or a
/// later one, and the last matches the last.
fn walks(shown: &[Value], actual: &[Value]) -> Result<(), String> {
    let mut at = 0;
    for (i, event) in actual.iter().enumerate() {
        at = (at..shown.len())
            .find(|&j| matches(&shown[j], event, "").is_ok())
            .ok_or_else(|| format!("event {i} {event} matches no shown event from {at} on"))?;
    }
    if at + 1 == shown.len() {
        Ok(())
    } else {
        Err(format!("the stream ended at shown event {at}: {actual:?}"))
    }
}

/// What the examples before have handed on: the last task's ID and the last API key.
#[derive(Default)]
struct Handed {
    task: Option<String>,
    key: Option<String>,
}

impl Handed {
    fn take_from(&mut self, answer: &Value) {
        match answer {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("task", Value::Object(task)) if task["id"].is_string() => {
                            self.task = task["id"].as_str().map(str::to_string);
                        }
                        ("key", Value::String(key)) if key.starts_with("hp_") => {
                            self.key = Some(key.clone());
                        }
                        _ => self.take_from(v),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.take_from(v)),
            _ => {}
        }
    }

    fn fill(&self, text: &str, demo: &Demo) -> String {
        let mut text = text.replace("localhost:8080", demo.base.trim_start_matches("http://"));
        if text.contains("<task id>") {
            text = text.replace(
                "<task id>",
                self.task.as_deref().expect("a task started before"),
            );
        }
        if text.contains("<key>") {
            text = text.replace("<key>", self.key.as_deref().expect("a key made before"));
        }
        text
    }
}

/// Runs one shell command as the README gives it, with `$TOKEN` set; the WebSocket example runs
/// `examples/follow_task.rs`'s `follow`. Answers the output: JSON, or the stream's events.
async fn run(command: &str, demo: &Demo) -> String {
    if let Some(task) = command.strip_prefix("cargo run --example follow_task -- ") {
        let url = format!("{}/graphql/ws", demo.base.replacen("http", "ws", 1));
        let mut lines = String::new();
        let follow = follow_task::follow(&url, &demo.token, task, |result| {
            lines.push_str(&format!("{result}\n"));
        });
        tokio::time::timeout(Duration::from_secs(60), follow)
            .await
            .expect("the task ends within a minute")
            .expect("the WebSocket example follows its task");
        return lines;
    }
    let child = tokio::process::Command::new("bash")
        .args(["-c", command])
        .env("TOKEN", &demo.token)
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("bash and curl, as the README asks");
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("within a minute: {command}"))
        .expect("the command ran");
    assert!(out.status.success(), "{command}: {:?}", out.status);
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn check(shown: &Value, answer: &Value, line: usize, what: &str) {
    if let Err(why) = matches(shown, answer, "") {
        panic!("README line {line} ({what}): {why}\nthe whole answer: {answer}");
    }
}

/// Every marked example of the README, run in order against `hostplane demo`, answers as the README
/// shows; the first is the query `demo` itself names.
#[tokio::test]
async fn every_example_answers_as_shown() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let examples = examples(&readme);
    assert!(examples.len() >= 10, "the README's examples: {examples:?}");
    match &examples[0].body {
        Body::Graphql(query) => assert_eq!(
            query.trim(),
            hostplane::demo::FIRST_QUERY.trim(),
            "the README's first query is the demo's"
        ),
        other => panic!("the README starts with a query, not {other:?}"),
    }
    let demo = start_demo().await;
    let mut handed = Handed::default();
    for example in &examples {
        let line = example.line;
        match (&example.body, &example.shown) {
            (Body::Graphql(query), Some(Shown::Json(shown))) => {
                let answer = demo.graphql(&handed.fill(query, &demo)).await;
                check(shown, &answer, line, "GraphQL");
                handed.take_from(&answer);
            }
            (Body::Shell(commands), shown) => {
                for (i, command) in commands.iter().enumerate() {
                    let output = run(&handed.fill(&command.text, &demo), &demo).await;
                    let last = i + 1 == commands.len();
                    match (&command.shown, shown) {
                        (Some(pattern), _) => {
                            let answer: Value = serde_json::from_str(&output)
                                .unwrap_or_else(|e| panic!("{}: {e}: {output}", command.text));
                            check(pattern, &answer, line, &command.text);
                            handed.take_from(&answer);
                        }
                        (None, Some(Shown::Stream(stream))) if last => {
                            if let Err(why) = walks(stream, &events(&output)) {
                                panic!("README line {line} ({}): {why}", command.text);
                            }
                        }
                        _ => panic!("README line {line}: `{}` shows no answer", command.text),
                    }
                }
            }
            (body, shown) => panic!("README line {line}: {body:?} shows {shown:?}"),
        }
    }
}

/// The comparison itself: abridged answers match, and what differs is caught.
#[test]
fn shown_answers_are_patterns() {
    let shown: Value = serde_json::from_str(
        r#"{"a": 1.0, "id": "VGFz…", "list": [{"x": 1, "…": "…"}, "…"], "cursor": "…"}"#,
    )
    .expect("JSON");
    let came =
        serde_json::json!({"a": 1, "id": "VGFzazpo", "list": [{"x": 1, "y": 2}, 3], "cursor": "c"});
    assert_eq!(matches(&shown, &came, ""), Ok(()));
    for wrong in [
        serde_json::json!({"a": 2, "id": "VGFzazpo", "list": [{"x": 1}], "cursor": "c"}),
        serde_json::json!({"a": 1, "id": "other", "list": [{"x": 1}], "cursor": "c"}),
        serde_json::json!({"a": 1, "id": "VGFzazpo", "list": [], "cursor": "c"}),
        serde_json::json!({"a": 1, "id": "VGFzazpo", "list": [{"x": 1}], "cursor": null}),
        serde_json::json!({"id": "VGFzazpo", "a": 1, "list": [{"x": 1}], "cursor": "c"}),
        serde_json::json!({"a": 1, "id": "VGFzazpo", "list": [{"x": 1}], "cursor": "c", "b": 0}),
    ] {
        assert!(matches(&shown, &wrong, "").is_err(), "{wrong}");
    }
    let exact = serde_json::json!([1, 2]);
    assert!(matches(&exact, &serde_json::json!([1, 2, 3]), "").is_err());

    let stream = events("{\"s\":\"Q\"}\n{\"s\":\"R\",\"p\":\"…\"}\n{\"s\":\"S\"}\n");
    let came = |text: &str| events(text);
    assert_eq!(
        walks(
            &stream,
            &came("{\"s\":\"Q\"}\n{\"s\":\"R\",\"p\":1}\n{\"s\":\"R\",\"p\":2}\n{\"s\":\"S\"}\n")
        ),
        Ok(())
    );
    assert_eq!(
        walks(&stream, &came("{\"s\":\"R\",\"p\":1}\n{\"s\":\"S\"}\n")),
        Ok(())
    );
    assert!(walks(&stream, &came("{\"s\":\"Q\"}\n{\"s\":\"R\",\"p\":1}\n")).is_err());
    assert!(walks(&stream, &came("{\"s\":\"S\"}\n{\"s\":\"Q\"}\n")).is_err());
    assert!(walks(&stream, &came("{\"s\":\"F\"}\n")).is_err());
}
