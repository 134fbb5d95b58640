//! Spec text in, `openapiv3::OpenAPI` out. JSON or YAML, OpenAPI 3.0 or 3.1.
//!
//! 3.1 documents are first rewritten into 3.0 on `serde_json::Value`
//! (see [`crate::normalise`]); afterwards the typed document is serialised
//! again and compared with its input, so that any key the `openapiv3` crate
//! would have dropped silently is reported instead.

use serde_json::Value;

use crate::error::{join, Error, Result};
use crate::normalise::{self, Change, ChangeKind};

/// A loaded document with everything the loader had to change to read it.
pub struct Loaded {
    pub doc: openapiv3::OpenAPI,
    /// `openapi` as written in the input, e.g. `3.1.0`.
    pub source_version: String,
    /// Every rewrite and every loss, in document order.
    pub changes: Vec<Change>,
    /// The normalised document as JSON, kept for JSON-pointer look-ups
    /// (examples, extensions) that the typed model does not carry.
    pub raw: Value,
    /// The document as written, before normalisation: what a validating
    /// server judges requests by.
    pub original: Value,
}

/// Reads JSON or YAML text into a JSON value. YAML keys that are not strings
/// (`200:` in responses) become strings, as OpenAPI means them.
pub fn parse_text(text: &str) -> Result<Value> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| Error::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let loc = e.location();
        Error::Syntax {
            format: "YAML",
            line: loc.as_ref().map_or(0, |l| l.line()),
            column: loc.as_ref().map_or(0, |l| l.column()),
            message: e.to_string(),
        }
    })?;
    yaml_to_json(yaml, "")
}

fn yaml_to_json(value: serde_yaml::Value, pointer: &str) -> Result<Value> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Error::invalid(pointer, format!("number {n} has no JSON form"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &join(pointer, &i.to_string())))
                .collect::<Result<_>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    other => {
                        return Err(Error::invalid(
                            pointer,
                            format!("mapping key {other:?} is not a string"),
                        ))
                    }
                };
                let child = yaml_to_json(v, &join(pointer, &key))?;
                out.insert(key, child);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, pointer)?,
    })
}

/// Loads spec text: parse, normalise to 3.0, read into `openapiv3`.
pub fn load_str(text: &str) -> Result<Loaded> {
    load_value(parse_text(text)?)
}

/// Loads a parsed document: normalise to 3.0, read into `openapiv3`.
pub fn load_value(mut raw: Value) -> Result<Loaded> {
    let source_version = raw
        .get("openapi")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Error::invalid(
                "/openapi",
                "missing `openapi` version string (Swagger 2.0 is not supported)",
            )
        })?
        .to_string();
    if !(source_version.starts_with("3.0") || source_version.starts_with("3.1")) {
        return Err(Error::invalid(
            "/openapi",
            format!("OpenAPI {source_version} is not supported (3.0.x and 3.1.x are)"),
        ));
    }
    let original = raw.clone();
    let mut changes = normalise::normalise(&mut raw, &source_version)?;
    let doc: openapiv3::OpenAPI = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        let (pointer, message) = deepest_bad_schema(&raw, pointer, e.inner().to_string());
        Error::invalid(pointer, message)
    })?;
    let reread = serde_json::to_value(&doc)
        .map_err(|e| Error::invalid("", format!("cannot re-serialise document: {e}")))?;
    lost_keys(&raw, &reread, "", &mut changes);
    Ok(Loaded {
        doc,
        source_version,
        changes,
        raw,
        original,
    })
}

/// The model's untagged enums stop `serde_path_to_error` at the schema that
/// failed; this walks into its sub-schemas to find the one that is wrong.
fn deepest_bad_schema(raw: &Value, pointer: String, message: String) -> (String, String) {
    let Some(node) = raw.pointer(&pointer) else {
        return (pointer, message);
    };
    let mut children: Vec<(String, &Value)> = Vec::new();
    if let Value::Object(map) = node {
        for key in ["items", "additionalProperties", "not"] {
            if let Some(child) = map.get(key).filter(|c| !c.is_boolean()) {
                children.push((join(&pointer, key), child));
            }
        }
        for key in ["properties", "allOf", "oneOf", "anyOf"] {
            let base = join(&pointer, key);
            match map.get(key) {
                Some(Value::Object(props)) => {
                    children.extend(props.iter().map(|(k, v)| (join(&base, k), v)))
                }
                Some(Value::Array(items)) => children.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (join(&base, &i.to_string()), v)),
                ),
                _ => {}
            }
        }
    }
    for (at, child) in children {
        if let Err(e) =
            serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(child.clone())
        {
            return deepest_bad_schema(raw, at, e.to_string());
        }
    }
    (pointer, message)
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = join(&pointer, &index.to_string()),
            Segment::Map { key } => pointer = join(&pointer, key),
            Segment::Enum { variant } => pointer = join(&pointer, variant),
            Segment::Unknown => pointer.push_str("/?"),
        }
    }
    pointer
}

/// Records every key present in `before` but missing in `after`: data that
/// the typed model does not keep. Values that mean "nothing" are not losses.
fn lost_keys(before: &Value, after: &Value, pointer: &str, out: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            for (key, value) in b {
                let here = join(pointer, key);
                match a.get(key) {
                    Some(next) => lost_keys(value, next, &here, out),
                    None if means_nothing(value) => {}
                    None => out.push(Change {
                        pointer: here,
                        kind: ChangeKind::Dropped,
                        detail: format!("`{key}` is not kept by the OpenAPI 3.0 model"),
                    }),
                }
            }
        }
        (Value::Array(b), Value::Array(a)) => {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                lost_keys(x, y, &join(pointer, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn means_nothing(value: &Value) -> bool {
    match value {
        Value::Bool(b) => !b,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Null => true,
        _ => false,
    }
}
