//! The spec's schema cut down to what one instance can reach.
//!
//! A validator compiled from a `$ref` into the document compiles everything
//! the reference reaches. In a spec whose schemas all reach each other
//! (Stripe's expandable fields: `anyOf: [string, {$ref}]` on every object),
//! that is the whole document for every schema judged: quadratic time, and
//! gigabytes when the validators are kept. An instance reaches only its own
//! keys and items, though, so the schema is copied following the instance:
//! a property it lacks, an item it does not have, is never evaluated and is
//! left out; a `$ref` met on the way is inlined. What remains is as large as
//! the instance times the branches at each node, and judges it exactly as
//! the whole document would.

use serde_json::{Map, Value};

/// `schema` (a node of `doc`) specialised to `instance`, with every `$ref`
/// inlined. `modern`: JSON Schema 2020-12, where a `$ref`'s siblings apply
/// beside it; in draft 4 (OpenAPI 3.0) they are ignored. `None` when the
/// cut cannot judge as the whole would: a reference out of the document, a
/// `$dynamicRef`, or a cycle of references that consumes nothing.
pub fn for_instance(doc: &Value, schema: &Value, instance: &Value, modern: bool) -> Option<Value> {
    let mut p = Pruner {
        doc,
        modern,
        open: Vec::new(),
        unjudged: false,
    };
    let cut = p.schema(schema, &[instance]);
    (!p.unjudged).then_some(cut)
}

/// What `propertyNames` judges: key names, which are strings; the cut
/// keeps what applies to a string, whatever its text.
static A_STRING: Value = Value::String(String::new());

/// What of `instance` decides its cut: its keys and items, with every
/// scalar the same. Two instances with one skeleton get one cut schema.
pub fn skeleton(instance: &Value) -> String {
    let mut out = String::new();
    shape(instance, &mut out);
    out
}

fn shape(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (key, v) in map {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                shape(v, out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for v in items {
                shape(v, out);
                out.push(',');
            }
            out.push(']');
        }
        _ => out.push('.'),
    }
}

struct Pruner<'a> {
    doc: &'a Value,
    modern: bool,
    /// The references being inlined, each with the instances it is judged
    /// against: met again with the same ones, it is a cycle that consumes
    /// nothing.
    open: Vec<(String, usize, usize)>,
    /// Something was met that the cut cannot judge as the whole would.
    unjudged: bool,
}

/// Keywords that only annotate: siblings of a `$ref` that change nothing.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "summary",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "externalDocs",
    "discriminator",
    "xml",
    "nullable",
    "$comment",
];

/// Keywords whose content is not validated here, or that would move the
/// base a reference resolves against.
const DROPPED: &[&str] = &[
    "$defs",
    "definitions",
    "$id",
    "$schema",
    "$anchor",
    "$dynamicAnchor",
];

impl<'a> Pruner<'a> {
    fn schema(&mut self, schema: &'a Value, instances: &[&'a Value]) -> Value {
        if instances.is_empty() {
            return Value::Object(Map::new());
        }
        let Value::Object(map) = schema else {
            return schema.clone();
        };
        if map.contains_key("$dynamicRef") {
            self.unjudged = true;
        }
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            match self.resolve(reference) {
                Some(target) => return self.inlined(map, reference, target, instances),
                None => self.unjudged = true,
            }
        }
        self.keywords(map, false, instances)
    }

    fn inlined(
        &mut self,
        map: &'a Map<String, Value>,
        reference: &str,
        target: &'a Value,
        instances: &[&'a Value],
    ) -> Value {
        let key = (
            reference.to_string(),
            std::ptr::from_ref(instances[0]) as usize,
            instances.len(),
        );
        let inner = if self.open.contains(&key) {
            self.unjudged = true;
            Value::Object(Map::new())
        } else {
            self.open.push(key);
            let inner = self.schema(target, instances);
            self.open.pop();
            inner
        };
        let siblings: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| *k != "$ref" && !ANNOTATIONS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !self.modern || siblings.is_empty() {
            return inner;
        }
        let mut out = match self.keywords(map, true, instances) {
            Value::Object(out) => out,
            _ => Map::new(),
        };
        match out.get_mut("allOf") {
            Some(Value::Array(all)) => all.push(inner),
            _ => {
                out.insert("allOf".into(), Value::Array(vec![inner]));
            }
        }
        Value::Object(out)
    }

    /// Every keyword of `map` (but its `$ref` when `inlined`), the
    /// subschemas among them cut to the instances they apply to.
    fn keywords(
        &mut self,
        map: &'a Map<String, Value>,
        inlined: bool,
        instances: &[&'a Value],
    ) -> Value {
        let mut out = Map::new();
        for (key, value) in map {
            if DROPPED.contains(&key.as_str()) || (inlined && key == "$ref") {
                continue;
            }
            let kept = self.keyword(map, key, value, instances);
            out.insert(key.clone(), kept);
        }
        Value::Object(out)
    }

    fn keyword(
        &mut self,
        map: &'a Map<String, Value>,
        key: &str,
        value: &'a Value,
        instances: &[&'a Value],
    ) -> Value {
        match key {
            "properties" => self.each_entry(value, |name| values_at(instances, name)),
            "patternProperties" => self.each_entry(value, |_| all_values(instances)),
            "additionalProperties" | "unevaluatedProperties" => {
                self.schema(value, &all_values(instances))
            }
            "items" => match value {
                Value::Array(tuple) => self.positional(tuple, instances),
                _ => {
                    let from = prefix_len(map, "prefixItems", self.modern);
                    self.schema(value, &elements(instances, from))
                }
            },
            "prefixItems" => match value {
                Value::Array(tuple) => self.positional(tuple, instances),
                _ => value.clone(),
            },
            "additionalItems" => {
                let from = prefix_len(map, "items", true);
                self.schema(value, &elements(instances, from))
            }
            "contains" | "unevaluatedItems" => self.schema(value, &elements(instances, 0)),
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(branches) => {
                    Value::Array(branches.iter().map(|b| self.schema(b, instances)).collect())
                }
                _ => value.clone(),
            },
            "not" | "if" | "then" | "else" => self.schema(value, instances),
            "dependentSchemas" => self.each_entry(value, |_| instances.to_vec()),
            "dependencies" => match value {
                Value::Object(entries) => Value::Object(
                    entries
                        .iter()
                        .map(|(k, v)| {
                            let v = if v.is_object() {
                                self.schema(v, instances)
                            } else {
                                v.clone()
                            };
                            (k.clone(), v)
                        })
                        .collect(),
                ),
                _ => value.clone(),
            },
            "propertyNames" => self.schema(value, &[&A_STRING]),
            _ => value.clone(),
        }
    }

    fn each_entry(
        &mut self,
        value: &'a Value,
        instances_of: impl Fn(&str) -> Vec<&'a Value>,
    ) -> Value {
        let Value::Object(entries) = value else {
            return value.clone();
        };
        let mut out = Map::new();
        for (name, schema) in entries {
            let reached = instances_of(name);
            if !reached.is_empty() {
                out.insert(name.clone(), self.schema(schema, &reached));
            }
        }
        Value::Object(out)
    }

    fn positional(&mut self, tuple: &'a [Value], instances: &[&'a Value]) -> Value {
        Value::Array(
            tuple
                .iter()
                .enumerate()
                .map(|(i, schema)| {
                    let at: Vec<&Value> = instances
                        .iter()
                        .filter_map(|v| v.as_array()?.get(i))
                        .collect();
                    self.schema(schema, &at)
                })
                .collect(),
        )
    }

    /// The node a local reference names (`#/a/b`, percent-encoded or not).
    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        self.doc
            .pointer(pointer)
            .or_else(|| self.doc.pointer(&percent_decoded(pointer)?))
    }
}

/// The values of property `name` in those instances that are objects.
fn values_at<'a>(instances: &[&'a Value], name: &str) -> Vec<&'a Value> {
    instances
        .iter()
        .filter_map(|v| v.as_object()?.get(name))
        .collect()
}

/// Every property value of those instances that are objects: a superset
/// of what `patternProperties` or `additionalProperties` evaluate.
fn all_values<'a>(instances: &[&'a Value]) -> Vec<&'a Value> {
    instances
        .iter()
        .filter_map(|v| v.as_object())
        .flat_map(|m| m.values())
        .collect()
}

/// The items from index `from` on of those instances that are arrays.
fn elements<'a>(instances: &[&'a Value], from: usize) -> Vec<&'a Value> {
    instances
        .iter()
        .filter_map(|v| v.as_array())
        .flat_map(|items| items.iter().skip(from))
        .collect()
}

/// How many positions the tuple keyword `key` of `map` fixes (0 when it is
/// absent, not a tuple, or not in force).
fn prefix_len(map: &Map<String, Value>, key: &str, in_force: bool) -> usize {
    match map.get(key) {
        Some(Value::Array(tuple)) if in_force => tuple.len(),
        _ => 0,
    }
}

/// `%XX` escapes decoded; `None` when they do not make UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Customer": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "invoice": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Invoice"}]},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
            }},
            "Invoice": {"type": "object", "properties": {
                "customer": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Customer"}]}
            }},
            "Tag": {"type": "string", "maxLength": 3},
            "Loop": {"anyOf": [{"$ref": "#/components/schemas/Loop"}, {"type": "integer"}]},
            "Named": {"$ref": "#/components/schemas/Tag", "description": "a tag", "minLength": 2}
        }}})
    }

    fn pruned(name: &str, instance: Value, modern: bool) -> Value {
        let doc = doc();
        let schema = &doc["components"]["schemas"][name];
        for_instance(&doc, schema, &instance, modern).expect("judged")
    }

    #[test]
    fn only_what_the_instance_reaches_is_kept() {
        let cut = pruned("Customer", json!({"id": "c", "invoice": "i"}), true);
        assert_eq!(
            cut,
            json!({"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "invoice": {"anyOf": [{"type": "string"}, {"type": "object", "properties": {}}]}
            }})
        );
        let cut = pruned("Customer", json!({"id": "c", "tags": ["a"]}), true);
        assert_eq!(
            cut["properties"]["tags"]["items"],
            json!({"type": "string", "maxLength": 3})
        );
    }

    #[test]
    fn a_cycle_that_consumes_nothing_or_a_foreign_reference_is_not_judged() {
        let doc = doc();
        let judged = |schema: &Value| for_instance(&doc, schema, &json!(1), true);
        assert_eq!(judged(&doc["components"]["schemas"]["Loop"]), None);
        assert_eq!(judged(&json!({"$ref": "other.json#/x"})), None);
        assert_eq!(judged(&json!({"$dynamicRef": "#meta"})), None);
        let names = json!({"propertyNames": {"$ref": "#/components/schemas/Tag"}});
        assert_eq!(
            judged(&names),
            Some(json!({"propertyNames": {"type": "string", "maxLength": 3}}))
        );
    }

    #[test]
    fn siblings_of_a_reference_apply_only_in_2020_12() {
        let modern = pruned("Named", json!("abc"), true);
        assert_eq!(
            modern,
            json!({"description": "a tag", "minLength": 2,
                   "allOf": [{"type": "string", "maxLength": 3}]})
        );
        let draft4 = pruned("Named", json!("abc"), false);
        assert_eq!(draft4, json!({"type": "string", "maxLength": 3}));
    }

    #[test]
    fn percent_encoded_references_resolve() {
        let doc = json!({"a b": {"type": "integer"}, "s": {"$ref": "#/a%20b"}});
        assert_eq!(
            for_instance(&doc, &doc["s"], &json!(1), true),
            Some(json!({"type": "integer"}))
        );
    }
}
