//! Does a JSON instance meet the spec's own schema at a JSON pointer?
//!
//! The test synthesiser builds instances from the IR, which keeps the shape
//! of a schema but not every validation rule. A validating server (Prism)
//! judges by the spec as written: a `oneOf` must match exactly one branch,
//! an `and: []` deep in a recursive filter breaks `minItems`. Those are far
//! easier to check than to construct, so the synthesiser builds a few
//! candidates and asks here which one the spec accepts. Judged by the
//! `jsonschema` crate against the document before normalisation: 3.1 as
//! JSON Schema 2020-12, 3.0 as draft 4 (its `exclusiveMinimum` is boolean).
//! Instances here are requests, so, as OpenAPI says and Prism does, a
//! `readOnly` property is never required of them.

mod prune;

use std::collections::HashMap;
use std::sync::Mutex;

use jsonschema::{Draft, Validator};
use serde_json::Value;

/// The problems of one instance, `None` when its schema cannot be judged.
type Verdict = Option<Vec<String>>;

/// At most this many problems are reported for one instance.
const MAX_PROBLEMS: usize = 5;

#[derive(Default)]
pub struct Conformance {
    checker: Option<Checker>,
}

struct Checker {
    /// The document judged by, its `readOnly` properties not required.
    doc: Value,
    draft: Draft,
    /// Validators by pointer and instance skeleton ([`prune::skeleton`]):
    /// the synthesiser asks about the same few shapes many times (an enum
    /// once per union candidate). `None`: the schema cannot be judged.
    cache: Mutex<HashMap<(String, String), Option<Validator>>>,
    /// Verdicts by pointer and instance text: the synthesiser builds the
    /// same candidates again for every place a type stands (a union in
    /// 40 request bodies is judged 40 times), and a verdict never changes.
    verdicts: Mutex<HashMap<(String, String), Verdict>>,
}

impl std::fmt::Debug for Conformance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conformance")
            .field("enabled", &self.checker.is_some())
            .finish()
    }
}

impl Conformance {
    /// Judges against `doc`, the spec as written (`openapi` version
    /// `version`). A document the validator cannot index judges nothing.
    pub fn new(mut doc: Value, version: &str) -> Conformance {
        let draft = if version.starts_with("3.0") {
            Draft::Draft4
        } else {
            Draft::Draft202012
        };
        unrequire_read_only(&mut doc);
        Conformance {
            checker: Some(Checker {
                doc,
                draft,
                cache: Mutex::default(),
                verdicts: Mutex::default(),
            }),
        }
    }

    /// Every way `value` breaks the schema at `pointer` (a JSON pointer
    /// without `#`), each naming where in the value; `None` when the schema
    /// there cannot be judged.
    pub fn problems(&self, pointer: &str, value: &Value) -> Option<Vec<String>> {
        let checker = self.checker.as_ref()?;
        let key = (pointer.to_string(), value.to_string());
        if let Some(known) = lock(&checker.verdicts).get(&key) {
            return known.clone();
        }
        let verdict = checker.judge(pointer, value);
        lock(&checker.verdicts).insert(key, verdict.clone());
        verdict
    }

    /// The schema at `pointer` accepts `value`, or cannot be judged.
    pub fn accepts(&self, pointer: &str, value: &Value) -> bool {
        self.problems(pointer, value).is_none_or(|p| p.is_empty())
    }
}

/// A poisoned lock still holds a sound map: entries are inserted whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Checker {
    /// [`Conformance::problems`], asked of the validator for `value`'s
    /// skeleton.
    fn judge(&self, pointer: &str, value: &Value) -> Option<Vec<String>> {
        let key = (pointer.to_string(), prune::skeleton(value));
        let mut cache = lock(&self.cache);
        let validator = cache
            .entry(key)
            .or_insert_with(|| self.compile(pointer, value))
            .as_ref()?;
        Some(
            validator
                .iter_errors(value)
                .take(MAX_PROBLEMS)
                .map(|e| {
                    let at = e.instance_path().to_string();
                    let at = if at.is_empty() { "/".to_string() } else { at };
                    format!("at {at}: {e}")
                })
                .collect(),
        )
    }
}

/// Drops from every `required` the properties marked `readOnly`, declared
/// beside it or in one of its inline `allOf` members.
fn unrequire_read_only(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut read_only = Vec::new();
            read_only_names(map, &mut read_only);
            if let Some(all_of) = map.get("allOf").and_then(Value::as_array) {
                for member in all_of.iter().filter_map(Value::as_object) {
                    read_only_names(member, &mut read_only);
                }
            }
            if let Some(Value::Array(required)) = map.get_mut("required") {
                required.retain(|r| !r.as_str().is_some_and(|r| read_only.iter().any(|n| n == r)));
            }
            map.values_mut().for_each(unrequire_read_only);
        }
        Value::Array(items) => items.iter_mut().for_each(unrequire_read_only),
        _ => {}
    }
}

fn read_only_names(schema: &serde_json::Map<String, Value>, out: &mut Vec<String>) {
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (name, prop) in props {
            if prop.get("readOnly") == Some(&Value::Bool(true)) {
                out.push(name.clone());
            }
        }
    }
}

impl Checker {
    /// A validator of the schema at `pointer`, cut to what `value` reaches
    /// (see [`prune`]); `None` when that schema cannot be compiled (a
    /// `$ref` out of the document).
    fn compile(&self, pointer: &str, value: &Value) -> Option<Validator> {
        let pointer = through_refs(&self.doc, pointer)?;
        let schema = self.doc.pointer(&pointer)?;
        let modern = self.draft != Draft::Draft4;
        let pruned = prune::for_instance(&self.doc, schema, value, modern)?;
        jsonschema::options()
            .with_draft(self.draft)
            .should_validate_formats(true)
            .build(&pruned)
            .ok()
    }
}

/// `pointer` with every local `$ref` met on the way replaced by its
/// target, so that it names a place that exists; `None` if none does.
fn through_refs(doc: &Value, pointer: &str) -> Option<String> {
    let mut at = String::new();
    let mut node = doc;
    for token in pointer.split('/').skip(1) {
        for _ in 0..16 {
            let Some(target) = node.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = target.strip_prefix('#')?;
            node = doc.pointer(target)?;
            at = target.to_string();
        }
        let key = token.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(map) => map.get(&key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
        at.push('/');
        at.push_str(token);
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({
            "openapi": "3.1.0",
            "components": {"schemas": {
                "Lookup": {"type": "object", "properties": {"items": {
                    "type": "array", "minItems": 1,
                    "items": {"oneOf": [
                        {"type": "object", "properties": {"id": {"type": "integer"}}},
                        {"type": "object", "properties": {"externalId": {"type": "string"}}}
                    ]}
                }}},
                "Strict": {"oneOf": [
                    {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                    {"type": "object", "required": ["externalId"], "properties": {"externalId": {"type": "string"}}}
                ]},
                "Out": {"$ref": "https://example.com/elsewhere.json"},
                "a {b} é": {"type": "integer"},
                "Body": {"$ref": "#/components/schemas/Made"},
                "Made": {
                    "allOf": [{"properties": {
                        "id": {"readOnly": true, "type": "integer"},
                        "name": {"type": "string"}
                    }}],
                    "required": ["id", "name"]
                }
            }}
        })
    }

    #[test]
    fn one_of_must_match_exactly_one_branch() {
        let c = Conformance::new(spec(), "3.1.0");
        let at = "/components/schemas/Strict";
        assert!(c.accepts(at, &json!({"id": 1})));
        let both = c
            .problems(at, &json!({"id": 1, "externalId": "a"}))
            .unwrap();
        assert_eq!(both.len(), 1, "{both:?}");
        // Branches without `required` each accept any object: no item can
        // ever match exactly one (a spec defect the contract report names).
        let lookup = c
            .problems("/components/schemas/Lookup", &json!({"items": [{"id": 1}]}))
            .unwrap();
        assert!(lookup[0].starts_with("at /items/0:"), "{lookup:?}");
        let empty = c
            .problems("/components/schemas/Lookup", &json!({"items": []}))
            .unwrap();
        assert!(empty[0].starts_with("at /items:"), "{empty:?}");
    }

    #[test]
    fn read_only_properties_are_not_required_of_requests() {
        let c = Conformance::new(spec(), "3.1.0");
        let at = "/components/schemas/Made";
        assert!(c.accepts(at, &json!({"name": "a"})));
        let problems = c.problems(at, &json!({"id": 1})).unwrap();
        assert!(
            problems[0].contains("\"name\" is a required property"),
            "{problems:?}"
        );
    }

    #[test]
    fn pointers_with_braces_and_non_ascii_are_judged() {
        let c = Conformance::new(spec(), "3.1.0");
        assert_eq!(
            c.problems("/components/schemas/a {b} é", &json!("x"))
                .map(|p| p.len()),
            Some(1)
        );
        // Through a reference part-way: `Body` is a `$ref` to `Made`.
        let problems = c.problems(
            "/components/schemas/Body/allOf/0/properties/name",
            &json!(1),
        );
        assert_eq!(problems.map(|p| p.len()), Some(1));
    }

    #[test]
    fn what_cannot_be_judged_is_accepted() {
        let c = Conformance::new(spec(), "3.1.0");
        assert_eq!(c.problems("/components/schemas/Out", &json!(1)), None);
        assert_eq!(c.problems("/components/schemas/Nowhere", &json!(1)), None);
        assert!(c.accepts("/components/schemas/Nowhere", &json!(1)));
        assert!(Conformance::default().accepts("/components/schemas/Strict", &json!(1)));
    }
}
