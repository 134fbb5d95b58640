//! OpenAPI 3.1 → 3.0 on `serde_json::Value`, so that the `openapiv3` crate
//! (a 3.0 model) can read the document. Every rewrite is recorded with its
//! JSON pointer; what 3.0 cannot say is either encoded in a form the IR reads
//! back (nullability of a `$ref` becomes `allOf: [$ref]` + `nullable`) or
//! reported as dropped. Nothing changes silently.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{join, Result};

/// How the loader changed the document at one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Rewritten into an equivalent 3.0 form: no information lost.
    Rewritten,
    /// Information the generated code cannot carry (reported, not hidden).
    Dropped,
    /// The document breaks OpenAPI here, and is read the one way it can
    /// reasonably mean (a `$ref` into `#/definitions`, a path parameter it
    /// forgot to declare).
    Lenient,
}

/// One change the loader made to read the document, for the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Where (a JSON pointer into the document as written).
    pub pointer: String,
    /// What kind of change.
    pub kind: ChangeKind,
    /// What was changed and why, in a sentence.
    pub detail: String,
}

/// Keywords of JSON Schema 2020-12 that 3.0 has no place for and that do not
/// change the shape of the data on the wire; dropped and reported.
const DROPPED_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$anchor",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
    "propertyNames",
    "patternProperties",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$defs",
];

/// Keys whose values are schemas.
pub(crate) const SCHEMA_KEYS: &[&str] = &["items", "additionalProperties", "not"];
/// Keys whose values are arrays of schemas.
pub(crate) const SCHEMA_LIST_KEYS: &[&str] = &["allOf", "oneOf", "anyOf"];

/// Rewrites an OpenAPI 3.1 document (`version`) into the 3.0 form the `openapiv3` model
/// reads, in place; every rewrite and every dropped key is returned.
pub fn normalise(doc: &mut Value, version: &str) -> Result<Vec<Change>> {
    let mut n = Normaliser {
        changes: Vec::new(),
        v31: version.starts_with("3.1"),
        root: doc.clone(),
    };
    if n.v31 {
        if let Some(obj) = doc.as_object_mut() {
            obj.insert("openapi".into(), Value::String("3.0.3".into()));
            n.rewritten("/openapi", format!("OpenAPI {version} read as 3.0.3"));
            for key in ["webhooks", "jsonSchemaDialect"] {
                if obj.remove(key).is_some() {
                    n.dropped(&join("", key), format!("`{key}` has no 3.0 form"));
                }
            }
            if let Some(Value::Object(info)) = obj.get_mut("info") {
                if let Some(Value::Object(license)) = info.get_mut("license") {
                    if license.remove("identifier").is_some() {
                        n.rewritten("/info/license/identifier", "SPDX identifier dropped");
                    }
                }
                if info.remove("summary").is_some() {
                    n.rewritten("/info/summary", "info summary dropped");
                }
            }
            if !obj.contains_key("paths") {
                obj.insert("paths".into(), Value::Object(Map::new()));
            }
        }
    }
    n.document(doc, "");
    Ok(n.changes)
}

struct Normaliser {
    changes: Vec<Change>,
    v31: bool,
    /// The document as read, for resolving references in odd places.
    root: Value,
}

impl Normaliser {
    fn rewritten(&mut self, pointer: &str, detail: impl Into<String>) {
        self.changes.push(Change {
            pointer: pointer.to_string(),
            kind: ChangeKind::Rewritten,
            detail: detail.into(),
        });
    }

    fn dropped(&mut self, pointer: &str, detail: impl Into<String>) {
        self.changes.push(Change {
            pointer: pointer.to_string(),
            kind: ChangeKind::Dropped,
            detail: detail.into(),
        });
    }

    /// Walks the non-schema part of the document looking for schemas.
    /// `example(s)` and extensions are data, never walked.
    fn document(&mut self, value: &mut Value, pointer: &str) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    let here = join(pointer, key);
                    if key == "schema" {
                        self.schema(child, &here);
                    } else if key == "schemas" && pointer == "/components" {
                        self.schema_map(child, &here);
                    } else if key == "example" || key == "examples" || key.starts_with("x-") {
                        continue;
                    } else {
                        self.document(child, &here);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    self.document(child, &join(pointer, &i.to_string()));
                }
            }
            _ => {}
        }
    }

    fn schema_map(&mut self, value: &mut Value, pointer: &str) {
        if let Value::Object(map) = value {
            for (key, child) in map.iter_mut() {
                self.schema(child, &join(pointer, key));
            }
        }
    }

    fn schema(&mut self, value: &mut Value, pointer: &str) {
        if let Value::Bool(b) = value {
            let replacement = if *b {
                serde_json::json!({})
            } else {
                serde_json::json!({"not": {}})
            };
            self.rewritten(
                pointer,
                format!("boolean schema `{b}` written as an object"),
            );
            *value = replacement;
            return;
        }
        let Value::Object(map) = value else { return };
        self.text_keywords(map, pointer);
        if self.v31 {
            self.schema_keywords_31(map, pointer);
        }
        for (key, child) in map.iter_mut() {
            let here = join(pointer, key);
            match key.as_str() {
                "properties" => self.schema_map(child, &here),
                // `additionalProperties: true|false` is valid 3.0.
                k if SCHEMA_KEYS.contains(&k)
                    && !(k == "additionalProperties" && child.is_boolean()) =>
                {
                    self.schema(child, &here)
                }
                k if SCHEMA_LIST_KEYS.contains(&k) => {
                    if let Value::Array(items) = child {
                        for (i, item) in items.iter_mut().enumerate() {
                            self.schema(item, &join(&here, &i.to_string()));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// `description`/`title` must be text. A `{$ref}` there (seen in real
    /// specs) is resolved when it points at text, else dropped; both reported.
    fn text_keywords(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        for key in ["description", "title"] {
            let Some(value) = map.get(key) else { continue };
            if value.is_string() {
                continue;
            }
            let here = join(pointer, key);
            let target = value
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| self.root.pointer(p))
                .and_then(Value::as_str)
                .map(str::to_string);
            match target {
                Some(text) => {
                    map.insert(key.into(), Value::String(text));
                    self.rewritten(
                        &here,
                        format!("`{key}` given as a $ref; the text it points at is used"),
                    );
                }
                None => {
                    map.remove(key);
                    self.dropped(&here, format!("`{key}` is not text; dropped"));
                }
            }
        }
    }

    /// The 3.1 keywords of one schema object, rewritten in place.
    fn schema_keywords_31(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.type_array(map, pointer);
        self.null_branches(map, pointer);
        if let Some(c) = map.remove("const") {
            self.rewritten(
                &join(pointer, "const"),
                "`const` written as a one-value `enum`",
            );
            map.insert("enum".into(), Value::Array(vec![c]));
        }
        if let Some(Value::Array(mut examples)) = map.remove("examples") {
            let here = join(pointer, "examples");
            if !map.contains_key("example") && !examples.is_empty() {
                map.insert("example".into(), examples.remove(0));
            }
            let detail = match examples.len() {
                0 => "`examples` written as `example`".to_string(),
                n => format!("`examples` written as `example`; {n} further example(s) not kept"),
            };
            if examples.is_empty() {
                self.rewritten(&here, detail);
            } else {
                self.dropped(&here, detail);
            }
        }
        for (bound, flag) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(n @ Value::Number(_)) = map.get(bound).cloned() {
                map.insert(flag.into(), n);
                map.insert(bound.into(), Value::Bool(true));
                self.rewritten(
                    &join(pointer, bound),
                    format!("numeric `{bound}` written as `{flag}` + `{bound}: true`"),
                );
            }
        }
        for key in DROPPED_KEYWORDS {
            if map.remove(*key).is_some() {
                self.dropped(
                    &join(pointer, key),
                    format!("JSON Schema keyword `{key}` has no 3.0 form"),
                );
            }
        }
        if map.contains_key("$ref") && map.len() > 1 {
            self.ref_siblings(map, pointer);
        }
    }

    /// `type: [T, "null"]` → `type: T` + `nullable: true`.
    fn type_array(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let here = join(pointer, "type");
        let types: Vec<String> = match map.get("type") {
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(t)) if t == "null" => vec![t.clone()],
            _ => return,
        };
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        match rest.as_slice() {
            [] => {
                map.remove("type");
                map.insert("enum".into(), Value::Array(vec![Value::Null]));
                self.rewritten(
                    &here,
                    "`type: null` written as `nullable` with `enum: [null]`",
                );
            }
            [one] => {
                map.insert("type".into(), Value::String((*one).clone()));
                self.rewritten(&here, format!("type array written as `type: {one}`"));
            }
            many => {
                let variants = many
                    .iter()
                    .map(|t| serde_json::json!({ "type": t }))
                    .collect();
                map.remove("type");
                map.insert("anyOf".into(), Value::Array(variants));
                self.rewritten(&here, "type array of several types written as `anyOf`");
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    }

    /// `oneOf`/`anyOf` with a `{type: "null"}` branch → the other branches + `nullable`.
    fn null_branches(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        for key in ["oneOf", "anyOf"] {
            let Some(Value::Array(branches)) = map.get_mut(key) else {
                continue;
            };
            let before = branches.len();
            branches.retain(|b| b.get("type").and_then(Value::as_str) != Some("null"));
            if branches.len() == before {
                continue;
            }
            let here = join(pointer, key);
            map.insert("nullable".into(), Value::Bool(true));
            if let Some(Value::Array(branches)) = map.get(key) {
                if branches.len() == 1 {
                    let only = branches.clone();
                    map.remove(key);
                    map.insert("allOf".into(), Value::Array(only));
                    self.rewritten(
                        &here,
                        format!("`{key}` with a null branch written as nullable `allOf`"),
                    );
                    continue;
                }
            }
            self.rewritten(
                &here,
                format!("null branch of `{key}` written as `nullable`"),
            );
        }
    }

    /// A `$ref` with sibling keywords → `allOf: [{$ref}]` plus the siblings,
    /// which is how 3.0 keeps a description or nullability next to a reference.
    fn ref_siblings(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let Some(target) = map.remove("$ref") else {
            return;
        };
        let siblings: Vec<String> = map.keys().cloned().collect();
        let mut part = Map::new();
        part.insert("$ref".into(), target);
        match map.get_mut("allOf") {
            Some(Value::Array(parts)) => parts.insert(0, Value::Object(part)),
            _ => {
                map.insert("allOf".into(), Value::Array(vec![Value::Object(part)]));
            }
        }
        self.rewritten(
            &join(pointer, "$ref"),
            format!(
                "$ref with siblings ({}) written as `allOf`",
                siblings.join(", ")
            ),
        );
    }
}
