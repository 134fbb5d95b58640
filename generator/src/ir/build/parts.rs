//! Small readings of one schema that the type builder shares: what it
//! is made of, its doc text, the sub-schema at a pointer.

use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use crate::ir::model::{Field, Kinds, Ty};
use crate::ir::view::{self, view, Extra, Kind, View};

/// A field that serde flattens into its struct (a union or object beside properties).
pub(super) fn flattened(name: String, ty: Ty) -> Field {
    Field {
        wire: String::new(),
        name,
        ty,
        required: true,
        doc: None,
        boxed: false,
        flatten: true,
        rules: Default::default(),
        hints: Default::default(),
        read_only: false,
        write_only: false,
    }
}

/// `allOf: [one]` with nothing of its own beside descriptive keywords: an
/// alias. A `required` beside it is not descriptive: it makes a struct.
pub(super) fn single_part<'s>(v: &View<'s>) -> Option<&'s ReferenceOr<Schema>> {
    match v.all_of {
        [one]
            if !has_properties(v)
                && v.required.is_empty()
                && v.one_of.is_empty()
                && v.any_of.is_empty()
                && v.items.is_none()
                && !matches!(v.extra, Some(Extra::Schema(_))) =>
        {
            Some(one)
        }
        _ => None,
    }
}

pub(super) fn single_variant<'s>(v: &View<'s>) -> Option<&'s ReferenceOr<Schema>> {
    match (v.one_of, v.any_of) {
        ([one], []) | ([], [one]) if !has_properties(v) => Some(one),
        _ => None,
    }
}

pub(super) fn has_properties(v: &View<'_>) -> bool {
    v.properties.is_some_and(|p| !p.is_empty())
}

/// A part of `allOf` that contributes fields (or nothing) to a struct.
pub(super) fn is_objectish(v: &View<'_>) -> bool {
    if !v.one_of.is_empty() || !v.any_of.is_empty() {
        return has_properties(v) || !v.all_of.is_empty();
    }
    match v.kind {
        Kind::Object => !matches!(v.extra, Some(Extra::Schema(_))) || has_properties(v),
        Kind::Unspecified => has_properties(v) || !v.all_of.is_empty() || !v.required.is_empty(),
        _ => false,
    }
}

/// A part that adds nothing (`{}` or only descriptive keywords).
pub(super) fn is_nothing(schema: &Schema, v: &View<'_>) -> bool {
    view::is_empty_schema(schema)
        || (v.kind == Kind::Unspecified
            && v.enumeration.is_empty()
            && v.items.is_none()
            && v.extra.is_none()
            && !v.has_not
            && v.one_of.is_empty()
            && v.any_of.is_empty())
}

/// The values of a string enum (`null` aside), if this is one.
pub(super) fn string_enum(v: &View<'_>) -> Option<Vec<String>> {
    if v.enumeration.is_empty() || !matches!(v.kind, Kind::String | Kind::Unspecified) {
        return None;
    }
    let mut out = Vec::new();
    for value in &v.enumeration {
        match value {
            Value::String(s) if !out.contains(s) => out.push(s.clone()),
            Value::String(_) | Value::Null => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

pub(super) fn strip_nullable_if(ty: Ty, schema: &Schema) -> Ty {
    // A component alias carries its nullability at the places that use it.
    match ty {
        Ty::Nullable(inner) if schema.schema_data.nullable => *inner,
        other => other,
    }
}

pub(super) fn kind_variant_name(v: &View<'_>, i: usize) -> String {
    match v.kind {
        Kind::String => "String".into(),
        Kind::Integer => "Integer".into(),
        Kind::Number => "Number".into(),
        Kind::Boolean => "Boolean".into(),
        Kind::Array => "Array".into(),
        Kind::Object => "Object".into(),
        _ => format!("Variant{i}"),
    }
}

pub(super) fn json_kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(super) fn json_kinds(v: &Value) -> Kinds {
    match json_kind_name(v) {
        "null" => Kinds::NULL,
        "boolean" => Kinds::BOOL,
        "number" => Kinds::NUMBER,
        "integer" => Kinds::INTEGER,
        "string" => Kinds::STRING,
        "array" => Kinds::ARRAY,
        _ => Kinds::OBJECT,
    }
}

/// Title and description, as the type's or field's rustdoc.
pub fn doc_of(schema: &Schema) -> Option<String> {
    let d = &schema.schema_data;
    let mut parts = Vec::new();
    if let Some(t) = d.title.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(t.trim().to_string());
    }
    if let Some(desc) = d.description.as_deref().filter(|t| !t.trim().is_empty()) {
        if parts.first().map(String::as_str) != Some(desc.trim()) {
            parts.push(desc.trim().to_string());
        }
    }
    if let Some(default) = &d.default {
        parts.push(format!("Default: `{default}`"));
    }
    if d.deprecated {
        parts.push("**Deprecated.**".into());
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// `~1` and `~0` in a reference token, and percent-escapes of the URI fragment.
pub(super) fn unescape(token: &str) -> String {
    token
        .replace("~1", "/")
        .replace("~0", "~")
        .replace("%20", " ")
}

/// What a pointer into a schema reaches: a schema, or another reference.
pub(super) enum Sub<'s> {
    Schema(&'s Schema),
    Ref(&'s str),
}

pub(super) fn sub_of<S: AsSchema>(r: &ReferenceOr<S>) -> Sub<'_> {
    match r {
        ReferenceOr::Item(s) => Sub::Schema(s.schema()),
        ReferenceOr::Reference { reference } => Sub::Ref(reference),
    }
}

/// Walks `properties/x`, `items`, `allOf/0`, ... inside a schema.
pub(super) fn sub_schema<'s>(schema: &'s Schema, tokens: &[String]) -> Option<Sub<'s>> {
    let v = view(schema);
    let (first, rest) = tokens.split_first()?;
    let (next, rest) = match first.as_str() {
        "properties" => {
            let (name, rest) = rest.split_first()?;
            (sub_of(v.properties?.get(name.as_str())?), rest)
        }
        "items" => (sub_of(v.items?), rest),
        "additionalProperties" => match v.extra? {
            Extra::Schema(s) => (sub_of(s), rest),
            _ => return None,
        },
        list @ ("allOf" | "oneOf" | "anyOf") => {
            let (index, rest) = rest.split_first()?;
            let i: usize = index.parse().ok()?;
            let parts = match list {
                "allOf" => v.all_of,
                "oneOf" => v.one_of,
                _ => v.any_of,
            };
            (sub_of(parts.get(i)?), rest)
        }
        _ => return None,
    };
    match next {
        found if rest.is_empty() => Some(found),
        Sub::Schema(s) => sub_schema(s, rest),
        Sub::Ref(_) => None,
    }
}

/// `Schema` and `Box<Schema>` alike (`openapiv3` uses both in references).
pub(super) trait AsSchema {
    fn schema(&self) -> &Schema;
}

impl AsSchema for Schema {
    fn schema(&self) -> &Schema {
        self
    }
}

impl AsSchema for Box<Schema> {
    fn schema(&self) -> &Schema {
        self
    }
}
