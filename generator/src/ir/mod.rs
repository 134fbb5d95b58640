//! The intermediate representation: plain Rust types describing what to
//! emit, with every name decided and every reference resolved. Emitters read
//! only this; they never look back at the spec.

pub mod access;
pub mod check;
pub mod conform;
pub mod cycles;
pub mod faithful;
pub mod features;
pub mod identity;
pub mod operation;
pub mod rules;
pub mod schema;
pub mod shapes;
pub mod shared;
pub mod synth;
pub mod view;

use serde::Serialize;
use serde_json::Value;

/// Index into [`Ir::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TypeId(pub usize);

/// The Rust type of a field, variant or alias.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    Named(TypeId),
    String,
    /// `i32` for `format: int32`, else `i64`.
    Integer {
        bits: u8,
    },
    Number,
    Boolean,
    /// Any JSON value: the spec does not constrain it.
    Any,
    /// `type: object` with no properties: a JSON object of anything.
    FreeObject,
    Array(Box<Ty>),
    Map(Box<Ty>),
    Nullable(Box<Ty>),
}

impl Ty {
    pub fn nullable(self) -> Ty {
        match self {
            Ty::Nullable(_) => self,
            other => Ty::Nullable(Box::new(other)),
        }
    }

    /// The named type reached without passing through a `Vec` or map, if any:
    /// the one that may need a `Box` to break a cycle.
    pub fn direct_named(&self) -> Option<TypeId> {
        match self {
            Ty::Named(id) => Some(*id),
            Ty::Nullable(inner) => inner.direct_named(),
            _ => None,
        }
    }

    /// Every named type this one mentions.
    pub fn named(&self, out: &mut Vec<TypeId>) {
        match self {
            Ty::Named(id) => out.push(*id),
            Ty::Array(inner) | Ty::Map(inner) | Ty::Nullable(inner) => inner.named(out),
            _ => {}
        }
    }

    /// Replaces every named type this one mentions by `f`'s choice.
    pub fn renumber(&mut self, f: &impl Fn(TypeId) -> TypeId) {
        match self {
            Ty::Named(id) => *id = f(*id),
            Ty::Array(inner) | Ty::Map(inner) | Ty::Nullable(inner) => inner.renumber(f),
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name, unique in the crate.
    pub name: String,
    /// Where the schema stands in the spec (a JSON pointer).
    pub pointer: String,
    /// What the schema is, for the lock: the pointer with positions replaced
    /// by what sets each element apart (see [`identity`]).
    pub key: String,
    /// Other keys a lock may know this schema by (see [`identity::Key`]).
    pub aliases: Vec<String>,
    pub doc: Option<String>,
    pub kind: TypeKind,
    /// The schema's own example, if the spec gives one.
    pub example: Option<Value>,
    /// Why the example does not fit the type (empty when it does): such an
    /// example is a defect of the spec, reported and not round-trip tested.
    pub example_problems: Vec<String>,
    /// Cargo features that compile this type (any of them); empty: always.
    pub features: Vec<String>,
    /// For aliases of strings, numbers and arrays: what values are valid.
    pub constraints: Constraints,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    Enum(StringEnum),
    Union(Union),
    Alias(Ty),
}

impl TypeKind {
    /// Every named type a definition of this kind mentions directly.
    pub fn named(&self, out: &mut Vec<TypeId>) {
        match self {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| f.ty.named(out));
                if let Some(extra) = &s.extra {
                    extra.named(out);
                }
            }
            TypeKind::Union(u) => u.variants.iter().for_each(|v| v.ty.named(out)),
            TypeKind::Alias(ty) => ty.named(out),
            TypeKind::Enum(_) => {}
        }
    }

    /// Replaces every named type this definition mentions by `f`'s choice.
    pub fn renumber(&mut self, f: &impl Fn(TypeId) -> TypeId) {
        match self {
            TypeKind::Struct(s) => {
                s.fields.iter_mut().for_each(|field| field.ty.renumber(f));
                if let Some(extra) = &mut s.extra {
                    extra.renumber(f);
                }
            }
            TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| v.ty.renumber(f)),
            TypeKind::Alias(ty) => ty.renumber(f),
            TypeKind::Enum(_) => {}
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared properties: collected in a flattened map.
    pub extra: Option<Ty>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub name: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
    /// Set by the cycle pass: the direct named type is boxed.
    pub boxed: bool,
    /// `#[serde(flatten)]`: a union or object merged in beside the properties.
    pub flatten: bool,
    /// What the spec says about valid values here (for synthesised instances).
    pub constraints: Constraints,
    /// What `validate()` checks here, through `$ref`s.
    pub rules: rules::Rules,
    /// `readOnly` / `writeOnly` (see [`access`]).
    pub read_only: bool,
    pub write_only: bool,
}

/// The validation keywords of a schema, kept so that generated tests can
/// build values the server accepts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_items: Option<usize>,
    /// Kept for bulk calls: the most items one request may carry.
    pub max_items: Option<usize>,
    /// The schema's own example or default, tried first.
    pub example: Option<Value>,
}

impl Constraints {
    /// Takes from `other` every keyword this one lacks.
    pub fn fill_from(&mut self, other: Constraints) {
        self.format = self.format.take().or(other.format);
        self.pattern = self.pattern.take().or(other.pattern);
        self.min_length = self.min_length.or(other.min_length);
        self.max_length = self.max_length.or(other.max_length);
        self.minimum = self.minimum.or(other.minimum);
        self.maximum = self.maximum.or(other.maximum);
        self.min_items = self.min_items.or(other.min_items);
        self.max_items = self.max_items.or(other.max_items);
        self.example = self.example.take().or(other.example);
    }
}

/// A string enum that keeps unknown values.
#[derive(Debug, Clone)]
pub struct StringEnum {
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub wire: String,
    pub name: String,
}

/// `oneOf`/`anyOf`.
#[derive(Debug, Clone)]
pub struct Union {
    /// In the spec's order, except that integer variants come before the
    /// number variants that would also read them. Decoding picks the
    /// variant that keeps most of the value (see [`shapes`]); this order
    /// breaks ties.
    pub variants: Vec<Variant>,
    /// The discriminator property, when the spec names one.
    pub tag: Option<String>,
    /// The catch-all variant's name, for unions of objects where no
    /// variant keeps any object: it holds an object none of whose keys a
    /// variant declares (an ACL newer than the spec), as sent.
    pub other: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    pub ty: Ty,
    pub boxed: bool,
    /// JSON kinds this variant can decode from.
    pub kinds: Kinds,
    /// Keys an object must have to be this variant.
    pub required: Vec<String>,
    /// Discriminator values that select this variant.
    pub tags: Vec<String>,
    /// What `validate()` checks on this variant's value.
    pub rules: rules::Rules,
}

/// A set of JSON value kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Kinds(pub u8);

impl Kinds {
    pub const NULL: Kinds = Kinds(1);
    pub const BOOL: Kinds = Kinds(2);
    pub const INTEGER: Kinds = Kinds(4);
    /// Any number, integers included.
    pub const NUMBER: Kinds = Kinds(8 | 4);
    pub const STRING: Kinds = Kinds(16);
    pub const ARRAY: Kinds = Kinds(32);
    pub const OBJECT: Kinds = Kinds(64);
    pub const ANY: Kinds = Kinds(127);

    pub fn union(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }
}

/// Something the generator could only express loosely; listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Fallback {
    pub pointer: String,
    pub reason: String,
}

/// A defect or oddity of the spec itself, found while building the IR.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub pointer: String,
    pub message: String,
}

impl Ir {
    /// Every type name the lock keeps: the types by key, and each
    /// operation's `Params` struct under its `parameters` pointer (the key
    /// `operation` asks the lock for).
    pub fn lock_types(&self) -> std::collections::BTreeMap<String, String> {
        let types = self.types.iter().map(|d| (d.key.clone(), d.name.clone()));
        let params = self.operations.iter().filter_map(|o| {
            let name = o.params_type.clone()?;
            Some((crate::error::join(&o.pointer, "parameters"), name))
        });
        types.chain(params).collect()
    }

    /// The names of [`Ir::lock_types`] under the keys their schemas had
    /// before the spec told a branch apart another way: with these, an
    /// older spec built against this one's lock keeps this one's names.
    pub fn lock_aliases(&self) -> std::collections::BTreeMap<String, String> {
        self.types
            .iter()
            .flat_map(|d| d.aliases.iter().map(|a| (a.clone(), d.name.clone())))
            .collect()
    }

    /// Follows aliases and nullability to the type underneath (bounded, so
    /// a malformed alias chain cannot loop).
    pub fn resolve(&self, ty: &Ty) -> Ty {
        let mut ty = ty.clone();
        for _ in 0..32 {
            ty = match ty {
                Ty::Nullable(inner) => *inner,
                Ty::Named(id) => match &self.types[id.0].kind {
                    TypeKind::Alias(inner) => inner.clone(),
                    _ => return Ty::Named(id),
                },
                other => return other,
            };
        }
        ty
    }

    /// The type underneath is a string enum.
    pub fn is_enum(&self, ty: &Ty) -> bool {
        matches!(self.resolve(ty), Ty::Named(id) if matches!(self.types[id.0].kind, TypeKind::Enum(_)))
    }
}

#[derive(Debug, Default)]
pub struct Ir {
    pub title: String,
    pub version: String,
    pub description: Option<String>,
    pub types: Vec<TypeDef>,
    /// How many entries of `types` are component schemas (the rest are inline).
    pub component_count: usize,
    pub operations: Vec<operation::Operation>,
    /// The document's `servers`: the client's default base URL.
    pub servers: operation::Servers,
    /// The API's convention headers: sent on every request, or read from
    /// failed answers (the spec's profile).
    pub headers: crate::overrides::HeaderNames,
    /// The paths of the datapoints listing and insertion the profile names,
    /// when the spec has both as POSTs: the crate then gets
    /// `runtime::datapoints`.
    pub datapoints: Option<DatapointsPaths>,
    /// Tag groups, each a Cargo feature.
    pub groups: Vec<features::Group>,
    pub fallbacks: Vec<Fallback>,
    pub findings: Vec<Finding>,
    /// Schemas that became one type with another of the same shape.
    pub shared: Vec<shared::Merged>,
    /// The spec's own validation rules, for the test synthesiser.
    pub conformance: conform::Conformance,
    /// What each type a union can hold declares, for choosing variants.
    pub shapes: shapes::ShapeTable,
}

/// Where Cognite's datapoints are read and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatapointsPaths {
    pub list: String,
    pub insert: String,
}
