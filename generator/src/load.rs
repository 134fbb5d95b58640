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
    /// The document as the `openapiv3` model reads it, after normalisation.
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
    /// The sha256 of the text it was read from, when read from text: tells
    /// whether `spec/codegen.lock` was written for this very document.
    pub sha256: Option<String>,
}

/// Reads a spec file as text; bytes that are not UTF-8 are an error naming
/// their line and column.
pub fn read_spec(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let before = &bytes[..at];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Error::Syntax {
            format: "UTF-8",
            line,
            column,
            message: format!("byte 0x{:02x} at offset {at} is not UTF-8", bytes[at]),
        }
    })
}

/// Reads JSON or YAML text into a JSON value. YAML keys that are not strings
/// (`200:` in responses) become strings, as OpenAPI means them; a YAML tag
/// is dropped for the value it tags; an integer beyond 64 bits becomes the
/// nearest float (reported by `lenient`). A key given twice in one
/// object is an error, since keeping either copy would silently drop the
/// other.
pub fn parse_text(text: &str) -> Result<Value> {
    if text.trim_start().starts_with('{') {
        return unique::from_json(text).map_err(|e| Error::Syntax {
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        });
    }
    unique::from_yaml(text).map_err(|e| {
        let loc = e.location();
        Error::Syntax {
            format: "YAML",
            line: loc.as_ref().map_or(0, |l| l.line()),
            column: loc.as_ref().map_or(0, |l| l.column()),
            message: e.to_string(),
        }
    })
}

/// Loads spec text: parse, normalise to 3.0, read into `openapiv3`.
pub fn load_str(text: &str) -> Result<Loaded> {
    let mut loaded = load_value(parse_text(text)?)?;
    loaded.sha256 = Some(crate::pin::sha256_hex(text.as_bytes()));
    Ok(loaded)
}

/// Loads a parsed document: normalise to 3.0, read into `openapiv3`.
pub fn load_value(raw: Value) -> Result<Loaded> {
    let mut loaded = read_document(raw)?;
    let dropped = dropped_keys(&loaded)?;
    loaded.changes.extend(dropped);
    Ok(loaded)
}

/// [`load_value`] but for [`dropped_keys`], which the pipeline finds on a
/// thread of its own while the IR is built (about 40 ms of CDF's spec).
pub(crate) fn read_document(mut raw: Value) -> Result<Loaded> {
    let kind = match &raw {
        Value::Object(_) => None,
        Value::Null => Some("empty"),
        Value::Array(_) => Some("a list"),
        Value::String(_) => Some("a string"),
        Value::Number(_) => Some("a number"),
        Value::Bool(_) => Some("a boolean"),
    };
    if let Some(kind) = kind {
        let message = format!("not an OpenAPI document: the text is {kind}, not an object");
        return Err(Error::invalid("", message));
    }
    let mut changes = crate::lenient::repair(&mut raw)?;
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
    changes.extend(normalise::normalise(&mut raw, &source_version)?);
    schemas_one_by_one(&raw)?;
    let doc: openapiv3::OpenAPI = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        let (pointer, message) = deeper(&raw, pointer, e.inner().to_string());
        Error::invalid(pointer, message)
    })?;
    Ok(Loaded {
        doc,
        source_version,
        changes,
        raw,
        original,
        sha256: None,
    })
}

/// The keys of the document the typed model does not keep, each a
/// change for the report (values that mean nothing are not losses).
pub(crate) fn dropped_keys(loaded: &Loaded) -> Result<Vec<Change>> {
    let reread = serde_json::to_value(&loaded.doc)
        .map_err(|e| Error::invalid("", format!("cannot re-serialise document: {e}")))?;
    let mut changes = Vec::new();
    lost_keys(&loaded.raw, &reread, "", &mut changes);
    Ok(changes)
}

/// Reads every schema of the document on its own, its sub-schemas stubbed
/// with `{}`, so the first bad one is named by its own pointer. Linear in
/// the size of the document; without it, a schema that fails deep down
/// makes the model's untagged enums retry every level above it, which is
/// exponential in the depth (22 levels of `allOf`/`properties` over a bad
/// leaf took minutes).
///
/// The roots are read in one share per core; the first bad schema in
/// document order is the one named, whichever share finds it first.
fn schemas_one_by_one(raw: &Value) -> Result<()> {
    let mut roots = Vec::new();
    schema_roots(raw, "", Level::Keywords, &mut roots);
    let found = crate::threads::in_shares(&roots, |share| {
        share
            .iter()
            .find_map(|(pointer, node)| first_bad_schema(node, pointer.clone()))
    })
    .into_iter()
    .flatten()
    .next();
    match found {
        Some((pointer, message)) => Err(Error::invalid(pointer, message)),
        None => Ok(()),
    }
}

/// The first schema at or under `node` that does not read as a schema at
/// its own level (its sub-schemas stubbed with `{}`), and why. Each level
/// is copied without its children, so the walk stays linear in the size.
fn first_bad_schema(node: &Value, pointer: String) -> Option<(String, String)> {
    let mut stack = vec![(pointer, node)];
    while let Some((pointer, node)) = stack.pop() {
        for (relative, child) in sub_schemas(node) {
            stack.push((format!("{pointer}{relative}"), child));
        }
        if let Err(e) =
            serde_json::from_value::<openapiv3::ReferenceOr<openapiv3::Schema>>(stubbed(node))
        {
            return Some((pointer, e.to_string()));
        }
    }
    None
}

/// A copy of one schema level: its own keys, with `{}` in place of each
/// sub-schema (the lists and `properties` keep their length and names).
fn stubbed(node: &Value) -> Value {
    let Value::Object(map) = node else {
        return node.clone();
    };
    let stub = || Value::Object(Default::default());
    let copy = map
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Object(_) if normalise::SCHEMA_KEYS.contains(&key.as_str()) => stub(),
                Value::Object(props) if key == "properties" => {
                    Value::Object(props.keys().map(|k| (k.clone(), stub())).collect())
                }
                Value::Array(items) if normalise::SCHEMA_LIST_KEYS.contains(&key.as_str()) => {
                    Value::Array(items.iter().map(|_| stub()).collect())
                }
                other => other.clone(),
            };
            (key.clone(), value)
        })
        .collect();
    Value::Object(copy)
}

/// The direct sub-schemas of a schema, with their pointers relative to it.
fn sub_schemas(node: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    let Value::Object(map) = node else {
        return out;
    };
    for &key in normalise::SCHEMA_KEYS {
        if let Some(child) = map.get(key).filter(|c| c.is_object()) {
            out.push((join("", key), child));
        }
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        let base = join("", "properties");
        out.extend(props.iter().map(|(k, v)| (join(&base, k), v)));
    }
    for &key in normalise::SCHEMA_LIST_KEYS {
        if let Some(Value::Array(items)) = map.get(key) {
            let base = join("", key);
            out.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (join(&base, &i.to_string()), v)),
            );
        }
    }
    out
}

/// Schemas outside other schemas: `components/schemas/*` and every
/// `schema` of a parameter, header or media type. Examples, defaults and
/// extensions are data, not schemas, and are not searched.
fn schema_roots<'a>(
    value: &'a Value,
    pointer: &str,
    level: Level,
    out: &mut Vec<(String, &'a Value)>,
) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (i, item) in items.iter().enumerate() {
                schema_roots(item, &join(pointer, &i.to_string()), Level::Keywords, out);
            }
        }
        return;
    };
    for (key, child) in map {
        let at = join(pointer, key);
        if level == Level::Names {
            // A parameter named `schema` is a parameter, not a schema.
            schema_roots(child, &at, Level::Keywords, out);
            continue;
        }
        match key.as_str() {
            "example" | "examples" | "default" | "enum" | "const" => {}
            k if k.starts_with("x-") => {}
            "schema" => out.push((at, child)),
            "schemas" if level == Level::Components => {
                if let Value::Object(schemas) = child {
                    out.extend(schemas.iter().map(|(name, s)| (join(&at, name), s)));
                }
            }
            _ => {
                let next = match key.as_str() {
                    "components" if pointer.is_empty() => Level::Components,
                    _ if level == Level::Components => Level::Names,
                    "paths" | "responses" | "content" | "headers" | "links" | "callbacks"
                    | "encoding" | "variables" => Level::Names,
                    _ => Level::Keywords,
                };
                schema_roots(child, &at, next, out);
            }
        }
    }
}

/// What the keys of the object [`schema_roots`] is in are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// `/components`: each key names a kind of component.
    Components,
    /// Names chosen by the spec's author (parameters, paths, status codes).
    Names,
    /// OpenAPI's own keywords.
    Keywords,
}

/// The model's untagged `ReferenceOr`s stop `serde_path_to_error` at the
/// map of path items, or the list of parameters, that holds the error; this
/// reads them one by one to name the one that is wrong, then goes on into
/// schemas.
fn deeper(raw: &Value, pointer: String, message: String) -> (String, String) {
    let in_params = pointer.ends_with("/parameters");
    let children: Vec<(String, &Value)> = match raw.pointer(&pointer) {
        Some(Value::Object(items)) if pointer == "/paths" => {
            items.iter().map(|(k, v)| (join(&pointer, k), v)).collect()
        }
        Some(Value::Array(items)) if in_params => items
            .iter()
            .enumerate()
            .map(|(i, v)| (join(&pointer, &i.to_string()), v))
            .collect(),
        _ => return deepest_bad_schema(raw, pointer, message),
    };
    for (at, child) in children
        .into_iter()
        .filter(|(_, c)| c.get("$ref").is_none())
    {
        let found = if in_params {
            first_error::<openapiv3::Parameter>(child)
        } else {
            first_error::<openapiv3::PathItem>(child)
        };
        if let Some((inner, message)) = found {
            return deeper(raw, format!("{at}{inner}"), message);
        }
    }
    (pointer, message)
}

/// Where reading `value` as `T` fails (a pointer relative to it), and why.
fn first_error<T: serde::de::DeserializeOwned>(value: &Value) -> Option<(String, String)> {
    serde_path_to_error::deserialize::<_, T>(value)
        .err()
        .map(|e| (path_to_pointer(e.path()), e.inner().to_string()))
}

/// The model's untagged enums stop `serde_path_to_error` at the schema that
/// failed; the bad sub-schema inside it, if one is, names the place better.
fn deepest_bad_schema(raw: &Value, pointer: String, message: String) -> (String, String) {
    match raw.pointer(&pointer) {
        Some(node) => first_bad_schema(node, pointer.clone()).unwrap_or((pointer, message)),
        None => (pointer, message),
    }
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

/// JSON into a `Value`, refusing duplicate keys (serde_json keeps the last).
mod unique {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    pub fn from_json(text: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str::<Unique>(text).map(|u| u.0)
    }

    pub fn from_yaml(text: &str) -> Result<Value, yaml_serde::Error> {
        Unique::deserialize(yaml_serde::Deserializer::from_str(text)).map(|u| u.0)
    }

    /// A mapping key: YAML allows numbers, booleans and null there.
    struct Key(String);

    impl<'de> Deserialize<'de> for Key {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(KeyVisitor).map(Key)
        }
    }

    struct KeyVisitor;

    impl Visitor<'_> for KeyVisitor {
        type Value = String;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, number, boolean or null key")
        }

        fn visit_str<E>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }

        fn visit_string<E>(self, v: String) -> Result<String, E> {
            Ok(v)
        }

        fn visit_i64<E>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_u64<E>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_f64<E>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_bool<E>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }

        fn visit_unit<E>(self) -> Result<String, E> {
            Ok("null".to_string())
        }
    }

    struct Unique(Value);

    impl<'de> Deserialize<'de> for Unique {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(UniqueVisitor).map(Unique)
        }
    }

    struct UniqueVisitor;

    impl<'de> Visitor<'de> for UniqueVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
            serde_json::Number::from_f64(v)
                .map(Value::Number)
                .ok_or_else(|| E::custom(format!("number {v} has no JSON form")))
        }

        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
            self.visit_f64(v as f64)
        }

        fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
            self.visit_f64(v as f64)
        }

        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
            use de::VariantAccess;
            let (de::IgnoredAny, variant) = data.variant()?;
            variant.newtype_variant::<Unique>().map(|u| u.0)
        }

        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }

        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }

        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        /// An empty YAML document.
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Unique::deserialize(d).map(|u| u.0)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Unique(v)) = seq.next_element()? {
                items.push(v);
            }
            Ok(Value::Array(items))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(Key(key)) = map.next_key::<Key>()? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format!(
                        "duplicate key: key `{key}` appears twice in one object"
                    )));
                }
                let Unique(value) = map.next_value()?;
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
    }
}
