//! Abuse limits on GraphQL documents, checked before anything executes: size and lexical tokens
//! before parsing (a huge document costs the parser nothing), aliases, root fields and depth after
//! it, and async-graphql's own complexity limit relabelled. Every refusal is `LIMIT_EXCEEDED`,
//! naming the limit and the value that broke it.
//!
//! Introspection is measured apart from the depth limit: the standard introspection queries of
//! common clients nest `ofType` 7 to 9 levels deep to unwrap `[[T!]!]`-like types, deeper than any
//! data query needs, and are harmless as long as they do not cycle. What makes introspection
//! expensive is lists inside lists (`types { fields { type { fields { ... } } } }` multiplies), so
//! within `__schema` and `__type` the limit is on nested list fields instead, at what every
//! standard query uses (`types > fields > args`).

use crate::SchemaLimits;
use async_graphql::{
    ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};
use hostplane_schema::ErrorCode;
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

fn exceeded(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", ErrorCode::LimitExceeded.as_str());
    error
}

/// The lexical tokens of a GraphQL document (punctuators, names, numbers, strings), as the spec's
/// lexer reads them; whitespace, commas and comments are not tokens.
pub fn count_tokens(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut i, mut tokens) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            // The byte order mark is ignored too.
            0xEF if bytes[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => i += 3,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                tokens += 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                tokens += 1;
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                tokens += 1;
                i += 1;
                // A name or a number: letters, digits, `_`, and a number's `.`, `e`, `+`, `-`.
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || b"_.+-".contains(&bytes[i]))
                {
                    if bytes[i] == b'.' && bytes[i..].starts_with(b"...") {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {
                tokens += 1;
                i += 1;
            }
        }
    }
    tokens
}

/// Aliased fields written anywhere in the document.
fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set.node)
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .chain(
            doc.fragments
                .values()
                .map(|f| walk(&f.node.selection_set.node)),
        )
        .sum()
}

/// The most fields any operation selects at its root, fragments at the root included.
fn max_root_fields(doc: &ExecutableDocument) -> usize {
    fn root(doc: &ExecutableDocument, set: &SelectionSet, seen: &mut HashSet<String>) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(f) => root(doc, &f.node.selection_set.node, seen),
                Selection::FragmentSpread(s) => {
                    let name = s.node.fragment_name.node.as_str();
                    // A fragment spread twice at the root adds its fields once; cycles are the
                    // validator's to refuse.
                    match doc.fragments.get(name) {
                        Some(f) if seen.insert(name.to_string()) => {
                            root(doc, &f.node.selection_set.node, seen)
                        }
                        _ => 0,
                    }
                }
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| root(doc, &op.node.selection_set.node, &mut HashSet::new()))
        .max()
        .unwrap_or(0)
}

/// List fields of the introspection types: nesting them multiplies the answer.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "directives",
];
/// Nested introspection list fields allowed: `types > fields > args`, as the standard queries ask.
pub const MAX_INTROSPECTION_LISTS: usize = 3;
/// A bound on any nesting, so that a fragment cycle (refused later by validation) ends the walk.
const MAX_WALK: usize = 64;

/// How deep a document nests: its data fields, and within introspection its list fields.
#[derive(Debug, Default, PartialEq)]
struct Shape {
    depth: usize,
    introspection_lists: usize,
}

/// The deepest nesting of any operation, fragments followed; a field at the root is depth 1.
/// `__schema` and `__type` subtrees count toward `introspection_lists` only.
fn shape(doc: &ExecutableDocument) -> Shape {
    #[derive(Clone, Copy)]
    enum At {
        Data(usize),
        Introspection(usize),
    }
    fn walk(doc: &ExecutableDocument, set: &SelectionSet, at: At, walked: usize, out: &mut Shape) {
        if walked > MAX_WALK {
            out.depth = out.depth.max(walked);
            return;
        }
        for item in &set.items {
            let (next, inner) = match &item.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let next = match at {
                        At::Data(_) if matches!(name, "__schema" | "__type") => {
                            At::Introspection(0)
                        }
                        At::Data(d) => {
                            out.depth = out.depth.max(d + 1);
                            At::Data(d + 1)
                        }
                        At::Introspection(l) if INTROSPECTION_LISTS.contains(&name) => {
                            out.introspection_lists = out.introspection_lists.max(l + 1);
                            At::Introspection(l + 1)
                        }
                        At::Introspection(l) => At::Introspection(l),
                    };
                    (next, &f.node.selection_set.node)
                }
                Selection::InlineFragment(f) => (at, &f.node.selection_set.node),
                Selection::FragmentSpread(s) => {
                    match doc.fragments.get(s.node.fragment_name.node.as_str()) {
                        Some(f) => (at, &f.node.selection_set.node),
                        None => continue,
                    }
                }
            };
            walk(doc, inner, next, walked + 1, out);
        }
    }
    let mut out = Shape::default();
    for (_, op) in doc.operations.iter() {
        walk(doc, &op.node.selection_set.node, At::Data(0), 0, &mut out);
    }
    out
}

/// Whether an operation asks for the schema (`__schema` or `__type` at its root; `__typename` is
/// no introspection of the schema).
fn introspects(doc: &ExecutableDocument) -> bool {
    fn root(doc: &ExecutableDocument, set: &SelectionSet, depth: usize) -> bool {
        depth < 8
            && set.items.iter().any(|item| match &item.node {
                Selection::Field(f) => matches!(f.node.name.node.as_str(), "__schema" | "__type"),
                Selection::InlineFragment(f) => root(doc, &f.node.selection_set.node, depth + 1),
                Selection::FragmentSpread(s) => doc
                    .fragments
                    .get(s.node.fragment_name.node.as_str())
                    .is_some_and(|f| root(doc, &f.node.selection_set.node, depth + 1)),
            })
    }
    doc.operations
        .iter()
        .any(|(_, op)| root(doc, &op.node.selection_set.node, 0))
}

/// The limits, as an extension every request passes through. It also keeps the documents that
/// passed them: clients send the same operations over and over (the REST layer one per endpoint),
/// and parsing was the largest single cost of a small request (`cargo bench --bench gateway`).
///
/// One `DocumentLimits` serves both schemas (`crate::Schemas`). The fully validating one also notes
/// which kept documents passed every validation rule while declaring no variables: such a document's
/// validity depends on its text alone (the only rule that reads a request is the check of variable
/// values), so it is `prevalidated` and may run on the schema that does not validate again.
#[derive(Clone)]
pub struct DocumentLimits {
    kept: Arc<Kept>,
    /// Whether this schema validates in full, so that its passes may be noted.
    notes_validity: bool,
}

struct Kept {
    limits: SchemaLimits,
    documents: Mutex<HashMap<Box<str>, KeptDocument>>,
}

struct KeptDocument {
    doc: ExecutableDocument,
    prevalidated: bool,
}

/// Documents kept, and the longest text kept; past the count the cache starts over.
const CACHED_DOCUMENTS: usize = 512;
const CACHED_TEXT_BYTES: usize = 16 * 1024;

impl DocumentLimits {
    pub fn new(limits: SchemaLimits) -> DocumentLimits {
        DocumentLimits {
            kept: Arc::new(Kept {
                limits,
                documents: Mutex::default(),
            }),
            notes_validity: true,
        }
    }

    /// The same limits and kept documents, for the schema that does not validate in full.
    pub fn without_validity_notes(&self) -> DocumentLimits {
        DocumentLimits {
            kept: self.kept.clone(),
            notes_validity: false,
        }
    }

    /// Whether a document text passed the limits and every validation rule, with no variables
    /// that a request could make invalid.
    pub fn prevalidated(&self, query: &str) -> bool {
        self.kept
            .documents()
            .get(query)
            .is_some_and(|kept| kept.prevalidated)
    }
}

impl Kept {
    fn documents(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, KeptDocument>> {
        self.documents
            .lock()
            .expect("the document cache lock is never poisoned")
    }

    fn cached(&self, query: &str) -> Option<ExecutableDocument> {
        self.documents().get(query).map(|kept| kept.doc.clone())
    }

    fn keep(&self, query: &str, doc: &ExecutableDocument) {
        if query.len() > CACHED_TEXT_BYTES {
            return;
        }
        let mut documents = self.documents();
        if documents.len() >= CACHED_DOCUMENTS {
            documents.clear();
        }
        documents.insert(
            query.into(),
            KeptDocument {
                doc: doc.clone(),
                prevalidated: false,
            },
        );
    }

    fn note_valid(&self, query: &str) {
        if let Some(kept) = self.documents().get_mut(query) {
            kept.prevalidated = true;
        }
    }
}

/// One request's pass through the limits: the text whose validation it may note.
struct RequestLimits {
    kept: Arc<Kept>,
    notes_validity: bool,
    /// A kept document without variables, until its validation passes.
    candidate: Mutex<Option<Box<str>>>,
}

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestLimits {
            kept: self.kept.clone(),
            notes_validity: self.notes_validity,
            candidate: Mutex::default(),
        })
    }
}

impl RequestLimits {
    fn consider(&self, query: &str, doc: &ExecutableDocument) {
        let no_variables = doc
            .operations
            .iter()
            .all(|(_, op)| op.node.variable_definitions.is_empty());
        if self.notes_validity && no_variables && query.len() <= CACHED_TEXT_BYTES {
            *self
                .candidate
                .lock()
                .expect("the candidate lock is never poisoned") = Some(query.into());
        }
    }
}

#[async_trait::async_trait]
impl Extension for RequestLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // Every check below (async-graphql's own, inside `next`, included) reads the text alone,
        // so a text that passed them once passes them again.
        if let Some(doc) = self.kept.cached(query) {
            self.consider(query, &doc);
            return Ok(doc);
        }
        let limits = &self.kept.limits;
        if query.len() > limits.max_query_bytes {
            return Err(exceeded(format!(
                "the document is {} bytes; at most {} are allowed",
                query.len(),
                limits.max_query_bytes
            )));
        }
        let tokens = count_tokens(query);
        if tokens > limits.max_tokens {
            return Err(exceeded(format!(
                "the document has {tokens} tokens; at most {} are allowed",
                limits.max_tokens
            )));
        }
        let doc = next.run(ctx, query, variables).await?;
        let aliases = count_aliases(&doc);
        if aliases > limits.max_aliases {
            return Err(exceeded(format!(
                "the document has {aliases} aliases; at most {} are allowed",
                limits.max_aliases
            )));
        }
        let shape = shape(&doc);
        if shape.depth > limits.max_depth {
            return Err(exceeded(format!(
                "the query is nested deeper than {} levels",
                limits.max_depth
            )));
        }
        if shape.introspection_lists > MAX_INTROSPECTION_LISTS {
            return Err(exceeded(format!(
                "introspection nests {} lists; at most {MAX_INTROSPECTION_LISTS} are allowed",
                shape.introspection_lists
            )));
        }
        // Without this, a disabled introspection answers `null` silently.
        if !limits.introspection && introspects(&doc) {
            let mut error = ServerError::new("introspection is disabled on this gateway", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", ErrorCode::Forbidden.as_str());
            return Err(error);
        }
        let roots = max_root_fields(&doc);
        if roots > limits.max_root_fields {
            return Err(exceeded(format!(
                "an operation selects {roots} root fields; at most {} are allowed",
                limits.max_root_fields
            )));
        }
        self.kept.keep(query, &doc);
        self.consider(query, &doc);
        Ok(doc)
    }

    /// async-graphql's complexity refusal, with this gateway's code and the limit named.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await;
        let candidate = self
            .candidate
            .lock()
            .expect("the candidate lock is never poisoned")
            .take();
        if let (Ok(_), Some(query)) = (&result, candidate) {
            self.kept.note_valid(&query);
        }
        result.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| match e.message.as_str() {
                    "Query is too complex." => exceeded(format!(
                        "the query's complexity is over {}",
                        self.kept.limits.max_complexity
                    )),
                    _ => e,
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{EmptyMutation, EmptySubscription};

    /// Tokens as the spec's lexer counts them: comments, commas and whitespace are not tokens; a
    /// string or a block string is one; `...` is one.
    #[test]
    fn tokens() {
        assert_eq!(count_tokens("{ a }"), 3);
        assert_eq!(
            count_tokens("query Q($x: Int = -1.5e3) { a(x: $x), b }"),
            20
        );
        assert_eq!(count_tokens("# a comment\n{ a(s: \"x \\\" y\") }"), 8);
        assert_eq!(count_tokens("{ ...F } fragment F on Q { a }"), 11);
        assert_eq!(count_tokens("{ a(s: \"\"\"block \\\"\"\" \"\"\") }"), 8);
    }

    fn doc(q: &str) -> ExecutableDocument {
        async_graphql::parser::parse_query(q).expect("parses")
    }

    /// Aliases count wherever they are written; root fields count through root fragments.
    #[test]
    fn introspection() {
        assert!(introspects(&doc("{ __schema { types { name } } }")));
        assert!(introspects(&doc(
            "{ ...F } fragment F on Query { __type(name: \"Q\") { name } }"
        )));
        assert!(!introspects(&doc("{ __typename viewer { __typename } }")));
    }

    struct Q;

    #[async_graphql::Object]
    impl Q {
        async fn a(&self, x: Option<i32>) -> i32 {
            x.unwrap_or(1)
        }
    }

    fn schema(
        documents: DocumentLimits,
    ) -> async_graphql::Schema<Q, EmptyMutation, EmptySubscription> {
        async_graphql::Schema::build(Q, EmptyMutation, EmptySubscription)
            .extension(documents)
            .finish()
    }

    /// Only a document that passed full validation, declaring no variables, is noted as
    /// prevalidated, and only by the schema that validates in full.
    #[tokio::test]
    async fn prevalidated_documents() {
        let documents = DocumentLimits::new(SchemaLimits::default());
        let full = schema(documents.clone());
        let other = schema(documents.without_validity_notes());
        let noted = |q: &str| documents.prevalidated(q);

        let plain = "{ a }";
        assert!(!noted(plain));
        other.execute(plain).await;
        assert!(!noted(plain), "a schema that validates less notes nothing");
        assert!(full.execute(plain).await.is_ok());
        assert!(noted(plain));

        let invalid = "{ a b }";
        assert!(full.execute(invalid).await.is_err());
        assert!(!noted(invalid));

        let with_variables = "query($x: Int) { a(x: $x) }";
        assert!(full.execute(with_variables).await.is_ok());
        assert!(!noted(with_variables));
    }

    /// Depth follows fragments and leaves introspection out; inside `__schema` and `__type` only
    /// nested lists count, so the standard queries' `ofType` chains pass and list cycles do not.
    #[test]
    fn shapes() {
        let data = doc("{ a { ...F } } fragment F on Q { b { ... on Q { c } } }");
        assert_eq!(shape(&data).depth, 3);
        let standard = |name| {
            let path = format!(
                "{}/../tests/fixtures/introspection/{name}.graphql",
                env!("CARGO_MANIFEST_DIR")
            );
            doc(&std::fs::read_to_string(path).expect("the fixture exists"))
        };
        for name in ["graphql-js", "graphql-core"] {
            let s = shape(&standard(name));
            assert_eq!((s.depth, s.introspection_lists), (0, 3), "{name}");
        }
        let cycle = doc("{ __schema { types { fields { type { fields { type { name } } } } } } }");
        assert_eq!(shape(&cycle).introspection_lists, 3);
        let deeper = doc(
            "{ __type(name: \"Q\") { fields { type { fields { type { fields { name } } } } } } }",
        );
        assert_eq!(shape(&deeper).introspection_lists, 3);
        let cycle = doc(
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        );
        assert_eq!(shape(&cycle).introspection_lists, 4);
        let looped = doc("{ ...A } fragment A on Q { a { ...A } }");
        assert!(
            shape(&looped).depth > MAX_WALK,
            "a fragment cycle ends the walk"
        );
    }

    #[test]
    fn aliases_and_roots() {
        let d = doc("{ a: x b: x ...F ... on Q { c: y } } fragment F on Q { d: z w }");
        assert_eq!(count_aliases(&d), 4);
        assert_eq!(max_root_fields(&d), 5);
    }
}
