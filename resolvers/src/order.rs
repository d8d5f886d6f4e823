//! Answers in the order their fields were asked, as GraphQL's serialization format asks. The engine
//! resolves a selection's fields at once and writes each as it completes, so fields that wait on
//! upstreams came back in the order the upstreams answered, differently from one run to the next.
//! This extension puts every object of an answer (each result of a subscription too) back in the
//! order of its selection set, fragments included; the upstream's own JSON (`raw`) is left as it
//! came.

use async_graphql::{
    Name, Positioned, Request, Response, ServerResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextSubscribe,
    },
    futures_util::stream::{BoxStream, StreamExt},
    parser::types::{
        DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
    },
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// The extension, one per request.
pub struct FieldOrder;

impl ExtensionFactory for FieldOrder {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Ordering::default())
    }
}

/// What one request asked: its document and which operation of it.
#[derive(Default)]
struct Ordering(Arc<Mutex<Asked>>);

#[derive(Default)]
struct Asked {
    document: Option<ExecutableDocument>,
    operation: Option<String>,
}

impl Asked {
    fn reorder(&self, response: &mut Response) {
        let Some(document) = &self.document else {
            return;
        };
        let operation = match (&document.operations, &self.operation) {
            (DocumentOperations::Single(op), _) => op,
            (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name.as_str()) {
                Some(op) => op,
                None => return,
            },
            // A named operation alone in its document runs without `operationName`.
            (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
                Some(op) if ops.len() == 1 => op,
                _ => return,
            },
        };
        reorder(
            &mut response.data,
            &[&operation.node.selection_set.node],
            &document.fragments,
        );
    }
}

impl Ordering {
    fn asked(&self) -> std::sync::MutexGuard<'_, Asked> {
        self.0
            .lock()
            .expect("the field order lock is never poisoned")
    }
}

#[async_trait::async_trait]
impl Extension for Ordering {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = next.run(ctx, request).await?;
        self.asked().operation = request.operation_name.clone();
        Ok(request)
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.asked().document = Some(document.clone());
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        self.asked().reorder(&mut response);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        // The document is parsed inside the stream, so each result reads it when it comes.
        let asked = self.0.clone();
        next.run(ctx, stream)
            .map(move |mut response| {
                asked
                    .lock()
                    .expect("the field order lock is never poisoned")
                    .reorder(&mut response);
                response
            })
            .boxed()
    }
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// Puts each object in `value` in the order of the selection sets that asked for it (several when
/// one response key is selected in several places, as fragments do).
fn reorder(value: &mut Value, sets: &[&SelectionSet], fragments: &Fragments) {
    match value {
        Value::List(items) => {
            for item in items {
                reorder(item, sets, fragments);
            }
        }
        Value::Object(map) if !sets.is_empty() => {
            let mut keys: Vec<(&Name, Vec<&SelectionSet>)> = Vec::new();
            for set in sets {
                collect(set, fragments, &mut keys);
            }
            let mut rest = std::mem::take(map);
            for (key, subsets) in keys {
                if let Some(mut field) = rest.shift_remove(key) {
                    reorder(&mut field, &subsets, fragments);
                    map.insert(key.clone(), field);
                }
            }
            // Nothing else is expected; whatever there is keeps its place after what was asked.
            map.extend(rest);
        }
        _ => {}
    }
}

/// The response keys of `set`, in order of first appearance, each with the selection sets below it.
fn collect<'a>(
    set: &'a SelectionSet,
    fragments: &'a Fragments,
    keys: &mut Vec<(&'a Name, Vec<&'a SelectionSet>)>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let below = &field.node.selection_set.node;
                match keys.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, sets)) => sets.push(below),
                    None => keys.push((key, vec![below])),
                }
            }
            // Validation refuses fragment cycles, so this ends.
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set.node, fragments, keys);
                }
            }
            Selection::InlineFragment(inline) => {
                collect(&inline.node.selection_set.node, fragments, keys);
            }
        }
    }
}
