//! One flat view of an `openapiv3::Schema`, whatever variant the crate chose
//! for it (`Type::*`, `OneOf`, `Any`, ...). The IR builder reads only this, so
//! that a schema mixing `type: object` with `oneOf` is handled in one place.

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    /// No `type`: decided by the other keywords, or any JSON value.
    Unspecified,
    /// A `type` the generator does not know (reported).
    Unknown,
}

/// `additionalProperties` as the IR needs it.
#[derive(Debug, Clone)]
pub enum Extra<'a> {
    /// `false`
    Forbidden,
    /// `true` or `{}`: any value.
    Any,
    Schema(&'a ReferenceOr<Schema>),
}

#[derive(Debug, Clone)]
pub struct View<'a> {
    pub kind: Kind,
    pub format: Option<String>,
    pub properties: Option<&'a IndexMap<String, ReferenceOr<Box<Schema>>>>,
    pub required: &'a [String],
    pub extra: Option<Extra<'a>>,
    pub items: Option<&'a ReferenceOr<Box<Schema>>>,
    pub enumeration: Vec<Value>,
    pub one_of: &'a [ReferenceOr<Schema>],
    pub any_of: &'a [ReferenceOr<Schema>],
    pub all_of: &'a [ReferenceOr<Schema>],
    pub has_not: bool,
}

pub fn view(schema: &Schema) -> View<'_> {
    let mut v = View {
        kind: Kind::Unspecified,
        format: None,
        properties: None,
        required: &[],
        extra: None,
        items: None,
        enumeration: Vec::new(),
        one_of: &[],
        any_of: &[],
        all_of: &[],
        has_not: false,
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            v.kind = Kind::String;
            v.format = string_format(&s.format);
            v.enumeration = s.enumeration.iter().map(opt_value).collect();
        }
        SchemaKind::Type(Type::Number(n)) => {
            v.kind = Kind::Number;
            v.format = format_name(&n.format);
            v.enumeration = n.enumeration.iter().map(opt_value).collect();
        }
        SchemaKind::Type(Type::Integer(i)) => {
            v.kind = Kind::Integer;
            v.format = format_name(&i.format);
            v.enumeration = i.enumeration.iter().map(opt_value).collect();
        }
        SchemaKind::Type(Type::Boolean(b)) => {
            v.kind = Kind::Boolean;
            v.enumeration = b.enumeration.iter().map(opt_value).collect();
        }
        SchemaKind::Type(Type::Object(o)) => {
            v.kind = Kind::Object;
            v.properties = Some(&o.properties);
            v.required = &o.required;
            v.extra = o.additional_properties.as_ref().map(extra);
        }
        SchemaKind::Type(Type::Array(a)) => {
            v.kind = Kind::Array;
            v.items = a.items.as_ref();
        }
        SchemaKind::OneOf { one_of } => v.one_of = one_of,
        SchemaKind::AllOf { all_of } => v.all_of = all_of,
        SchemaKind::AnyOf { any_of } => v.any_of = any_of,
        SchemaKind::Not { .. } => v.has_not = true,
        SchemaKind::Any(a) => {
            v.kind = match a.typ.as_deref() {
                None => Kind::Unspecified,
                Some("string") => Kind::String,
                Some("number") => Kind::Number,
                Some("integer") => Kind::Integer,
                Some("boolean") => Kind::Boolean,
                Some("object") => Kind::Object,
                Some("array") => Kind::Array,
                Some(_) => Kind::Unknown,
            };
            v.format = a.format.clone();
            if !a.properties.is_empty() {
                v.properties = Some(&a.properties);
            }
            v.required = &a.required;
            v.extra = a.additional_properties.as_ref().map(extra);
            v.items = a.items.as_ref();
            v.enumeration = a.enumeration.clone();
            v.one_of = &a.one_of;
            v.any_of = &a.any_of;
            v.all_of = &a.all_of;
            v.has_not = a.not.is_some();
        }
    }
    v
}

fn extra(ap: &AdditionalProperties) -> Extra<'_> {
    match ap {
        AdditionalProperties::Any(true) => Extra::Any,
        AdditionalProperties::Any(false) => Extra::Forbidden,
        AdditionalProperties::Schema(s) => match s.as_ref() {
            ReferenceOr::Item(inner) if is_empty_schema(inner) => Extra::Any,
            _ => Extra::Schema(s),
        },
    }
}

/// `{}`: accepts any JSON value.
pub fn is_empty_schema(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Any(a) if *a == Default::default())
}

fn opt_value<T: serde::Serialize>(v: &Option<T>) -> Value {
    v.as_ref()
        .and_then(|x| serde_json::to_value(x).ok())
        .unwrap_or(Value::Null)
}

fn string_format(f: &VariantOrUnknownOrEmpty<StringFormat>) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Some("date".into()),
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Some("date-time".into()),
        VariantOrUnknownOrEmpty::Item(StringFormat::Password) => Some("password".into()),
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => Some("byte".into()),
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Some("binary".into()),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn format_name<T: serde::Serialize>(f: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(x) => serde_json::to_value(x)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string)),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

/// A schema's format and example (or default), whatever variant the crate chose.
pub fn hints(schema: &Schema) -> super::model::Hints {
    let data = &schema.schema_data;
    super::model::Hints {
        example: data.example.clone().or_else(|| data.default.clone()),
        format: match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => string_format(&s.format),
            SchemaKind::Any(a) => a.format.clone(),
            _ => None,
        },
    }
}
