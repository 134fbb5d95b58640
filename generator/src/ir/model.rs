//! The model: plain data describing what to emit, with every name decided
//! and every reference resolved, and the queries that read it. Nothing
//! here builds it (that is [`super::build`]); emitters read only this.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::rules::Rules;
use super::union_rule::{Key, Shape};

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
    pub rules: Rules,
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
    pub rules: Rules,
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
    pub operations: Vec<Operation>,
    /// The document's `servers`: the client's default base URL.
    pub servers: Servers,
    /// The API's convention headers: sent on every request, or read from
    /// failed answers (the spec's profile).
    pub headers: crate::overrides::HeaderNames,
    /// The paths of the datapoints listing and insertion the profile names,
    /// when the spec has both as POSTs: the crate then gets
    /// `runtime::datapoints`.
    pub datapoints: Option<DatapointsPaths>,
    /// Tag groups, each a Cargo feature.
    pub groups: Vec<Group>,
    pub fallbacks: Vec<Fallback>,
    pub findings: Vec<Finding>,
    /// Schemas that became one type with another of the same shape.
    pub shared: Vec<Merged>,
    /// What each type a union can hold declares, for choosing variants.
    pub shapes: ShapeTable,
}

/// Where Cognite's datapoints are read and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatapointsPaths {
    pub list: String,
    pub insert: String,
}

// --- Operations

#[derive(Debug, Clone, Default, Serialize)]
pub struct Servers {
    /// URL template with `{variable}` placeholders.
    pub url: String,
    /// Variables and their defaults, in the spec's order.
    pub variables: Vec<(String, String)>,
}

/// Where an operation's method name comes from, in the order a clash is
/// settled: a pin wins, a locked name is kept while still free, a derived
/// one gets a suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    /// From the operationId (or method and path).
    Derived,
    /// From `spec/codegen.lock`: the name users already have.
    Locked,
    /// From the profile (`[operations.X] name`).
    Pinned,
}

#[derive(Debug, Clone)]
pub struct Operation {
    /// The method name, unique within its tag's API.
    pub name: String,
    /// Where the name comes from.
    pub name_source: NameSource,
    pub operation_id: Option<String>,
    /// The tag whose API holds the method.
    pub tag: String,
    /// The Cargo feature (tag group) that compiles it; set by `features::assign`.
    pub feature: String,
    pub method: HttpMethod,
    /// The spec's path template, e.g. `/assets/{id}`.
    pub path: String,
    /// Where the operation stands in the spec (a JSON pointer).
    pub pointer: String,
    /// A path- or operation-level server that replaces the client's base URL.
    pub server: Option<String>,
    pub params: Vec<Param>,
    /// The struct that carries query and header parameters, if any.
    pub params_type: Option<String>,
    pub body: Option<Body>,
    pub response: Success,
    pub summary: Option<String>,
    pub description: Option<String>,
    /// `x-capability`: the ACLs the call needs.
    pub capabilities: Vec<String>,
    pub deprecated: bool,
    /// Safe to retry on a 5xx: reads, and POSTs that only read.
    pub idempotent: bool,
    pub pagination: Option<Pagination>,
    pub bulk: Option<Bulk>,
}

/// A JSON body whose `items` array has a per-request limit: the operation
/// gets a `*_bulk` method that takes any number of items and sends them in
/// chunks within the limit.
#[derive(Debug, Clone)]
pub struct Bulk {
    /// Rust name of the body's `items` field.
    pub items_field: String,
    /// That field is an `Option` in Rust.
    pub items_optional: bool,
    pub item: Ty,
    pub max_items: usize,
    /// The limit is the spec's `maxItems` (not `spec/codegen.toml`'s).
    pub max_from_spec: bool,
    pub totals: Vec<BulkTotal>,
    /// The answer holds only `items`: the bulk call returns the items of
    /// all answers, in order. Any other answer is returned whole, one per chunk.
    pub answer_items: Option<AnswerItems>,
}

#[derive(Debug, Clone)]
pub struct AnswerItems {
    /// Rust name of the answer's `items` field.
    pub field: String,
    /// That field is an `Option` in Rust.
    pub optional: bool,
    pub item: Ty,
}

/// At most `max` values at `path` (JSON keys) over the items of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkTotal {
    pub path: Vec<String>,
    pub max: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Location {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub wire: String,
    pub name: String,
    pub location: Location,
    /// Never `Nullable`, nor an array of `Nullable` ([`without_null`]).
    pub ty: Ty,
    pub required: bool,
    pub doc: Option<String>,
    /// Arrays: `name=a&name=b` (true) or `name=a,b` (false).
    pub explode: bool,
    pub constraints: super::Constraints,
    /// What `validate()` checks before sending.
    pub rules: super::rules::Rules,
}

#[derive(Debug, Clone)]
pub enum Body {
    Json {
        ty: Ty,
        required: bool,
    },
    /// Raw bytes sent with this content type (octet-stream, protobuf, ...).
    Bytes {
        content_type: String,
        required: bool,
    },
    Multipart {
        required: bool,
    },
}

#[derive(Debug, Clone)]
pub enum Success {
    Json(Ty),
    Empty,
    /// `text/*`: decoded as UTF-8.
    Text {
        content_type: String,
    },
    /// Anything else (images, PDF, octet-stream, json-seq): raw bytes.
    Bytes {
        content_type: String,
    },
}

/// Cursor pagination: a request field or parameter `cursor` and a response
/// with `items` and `nextCursor`.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub cursor_in: CursorIn,
    /// Rust field names in the response.
    pub items_field: String,
    /// The items field is an `Option` in Rust (not required, or nullable).
    pub items_optional: bool,
    pub next_cursor_field: String,
    /// The next-cursor field is an `Option` in Rust.
    pub next_cursor_optional: bool,
    /// The wire names of the answer's next cursor and the request's cursor
    /// (from the profile), for the docs.
    pub next_cursor_wire: String,
    pub cursor_wire: String,
    pub item: Ty,
    /// The request also takes `partition: "m/n"`.
    pub partition: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorIn {
    Query,
    Body,
}

/// An operation's HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    /// Every method, in the order a path item lists them.
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    /// The path item's key for it: `get`, `post`, ...
    pub fn key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }

    /// As on the wire, and as `reqwest::Method` names its constants.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }
}

impl std::fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

// --- What the passes over the built types settle

/// A tag group: one Cargo feature (see [`super::features`]).
#[derive(Debug, Clone)]
pub struct Group {
    pub feature: String,
    pub name: String,
    pub tags: Vec<String>,
}

/// Schemas that became one type (a component among them stays as an
/// alias of it), for the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Merged {
    /// The type they share.
    pub name: String,
    /// The pointer of each schema merged into it or made its alias.
    pub pointers: Vec<String>,
}

/// The owned table: one node per type a union's variant can reach; node 0
/// the leaf that scalars share, node 1 the one of free-form JSON.
#[derive(Debug, Clone)]
pub struct ShapeTable {
    pub nodes: Vec<Shape>,
    pub keys: Vec<Key<String>>,
    pub lists: Vec<u32>,
    pub texts: Vec<String>,
    /// The key indices of union nodes.
    pub index: Vec<(String, u64)>,
    /// Node of a named type, by type index.
    pub(super) of_type: HashMap<usize, u32>,
    /// Array and map nodes, shared by every place with the same shape.
    pub(super) inline: HashMap<Shape, u32>,
}

impl Default for ShapeTable {
    fn default() -> Self {
        ShapeTable {
            nodes: vec![Shape::Leaf, Shape::Free],
            keys: Vec::new(),
            lists: Vec::new(),
            texts: Vec::new(),
            index: Vec::new(),
            of_type: HashMap::new(),
            inline: HashMap::new(),
        }
    }
}
