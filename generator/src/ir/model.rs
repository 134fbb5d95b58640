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
    /// A type of [`Ir::types`], by index.
    Named(TypeId),
    /// `String`.
    String,
    /// `i32` for `format: int32`, else `i64`.
    Integer {
        /// 32 or 64.
        bits: u8,
    },
    /// `f64`.
    Number,
    /// `bool`.
    Boolean,
    /// Any JSON value: the spec does not constrain it.
    Any,
    /// `type: object` with no properties: a JSON object of anything.
    FreeObject,
    /// `type: array`: a `Vec` of the item type.
    Array(Box<Ty>),
    /// `additionalProperties` alone: a map from string keys to this type.
    Map(Box<Ty>),
    /// `nullable: true`: an `Option` of the inner type.
    Nullable(Box<Ty>),
}

impl Ty {
    /// This type made `Nullable`, wrapped once at most.
    pub fn nullable(self) -> Ty {
        match self {
            Ty::Nullable(_) => self,
            other => Ty::Nullable(Box::new(other)),
        }
    }

    /// The type underneath aliases (those `kind_of` finds) and `null`
    /// wrappers, and whether a `null` was passed on the way. Every reader
    /// of an alias chain goes through here; the walk is bounded, so a
    /// malformed chain cannot loop.
    pub fn underneath<'k>(&self, kind_of: impl Fn(TypeId) -> Option<&'k TypeKind>) -> (Ty, bool) {
        let (mut ty, mut nullable) = (self.clone(), false);
        for _ in 0..32 {
            ty = match &ty {
                Ty::Nullable(inner) => {
                    nullable = true;
                    (**inner).clone()
                }
                Ty::Named(id) => match kind_of(*id) {
                    Some(TypeKind::Alias(inner)) => inner.clone(),
                    _ => break,
                },
                _ => break,
            };
        }
        (ty, nullable)
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

/// One named type the crate defines.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name, unique in the crate.
    pub name: String,
    /// Where the schema stands in the spec (a JSON pointer).
    pub pointer: String,
    /// What the schema is, for the lock: the pointer with positions replaced
    /// by what sets each element apart (see [`crate::ir::identity`]).
    pub key: String,
    /// Other keys a lock may know this schema by (see [`crate::ir::identity::Key`]).
    pub aliases: Vec<String>,
    /// Doc text from the schema's title, description, default and deprecation.
    pub doc: Option<String>,
    /// What the type is: struct, enum, union or alias.
    pub kind: TypeKind,
    /// The schema's own example, if the spec gives one.
    pub example: Option<Value>,
    /// Why the example does not fit the type (empty when it does): such an
    /// example is a defect of the spec, reported and not round-trip tested.
    pub example_problems: Vec<String>,
    /// Cargo features that compile this type (any of them); empty: always.
    pub features: Vec<String>,
    /// For aliases of strings, numbers and arrays: what `validate()`
    /// checks, read from the schema itself.
    pub rules: Rules,
    /// For aliases: the schema's format and example.
    pub hints: Hints,
}

/// The form a [`TypeDef`] takes in Rust.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object, or an `allOf` of parts merged into one struct.
    Struct(Struct),
    /// A string enum.
    Enum(StringEnum),
    /// A `oneOf`/`anyOf`.
    Union(Union),
    /// Another type under this name: a `type` alias (a newtype when the alias is recursive).
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

/// An object's fields: a Rust `struct`.
#[derive(Debug, Clone, Default)]
pub struct Struct {
    /// Its properties, then any flattened parts (see [`Field::flatten`]).
    pub fields: Vec<Field>,
    /// `additionalProperties` beside declared properties: collected in a flattened map.
    pub extra: Option<Ty>,
}

/// One field of a [`Struct`].
#[derive(Debug, Clone)]
pub struct Field {
    /// The JSON property name (empty for a flattened field).
    pub wire: String,
    /// The Rust field name, unique in its struct.
    pub name: String,
    /// The field's type.
    pub ty: Ty,
    /// Listed in `required`: not an `Option` unless nullable (`ir::access` may clear it).
    pub required: bool,
    /// Doc text from the property's schema (none through a `$ref`).
    pub doc: Option<String>,
    /// The direct named type is boxed: it closes a cycle (decided by `ir::cycles`).
    pub boxed: bool,
    /// `#[serde(flatten)]`: a union or object merged in beside the properties.
    pub flatten: bool,
    /// What `validate()` checks here, through `$ref`s.
    pub rules: Rules,
    /// The property's format and example, through `$ref`s.
    pub hints: Hints,
    /// `readOnly` / `writeOnly` (see `ir::access`).
    pub read_only: bool,
    /// `writeOnly`: the property appears in requests only (see `ir::access`).
    pub write_only: bool,
}

/// What a value looks like where the spec says so, beside its type and
/// [`Rules`]: its `format`, and its example (or default). Read through
/// `$ref`s; steers the test synthesiser toward values the server accepts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    /// `format` of a string, e.g. `date-time`.
    pub format: Option<String>,
    /// The schema's own example or default, tried first.
    pub example: Option<Value>,
}

impl Hints {
    /// Takes from `other` what this one lacks.
    pub fn fill_from(&mut self, other: Hints) {
        self.format = self.format.take().or(other.format);
        self.example = self.example.take().or(other.example);
    }

    /// Says nothing.
    pub fn is_empty(&self) -> bool {
        *self == Hints::default()
    }
}

/// A string enum that keeps unknown values.
#[derive(Debug, Clone)]
pub struct StringEnum {
    /// The known values, in the spec's order; any other decodes into the enum's `Other` variant.
    pub values: Vec<EnumValue>,
}

/// One value of a [`StringEnum`].
#[derive(Debug, Clone)]
pub struct EnumValue {
    /// The value as sent and received.
    pub wire: String,
    /// The Rust variant name, unique in its enum.
    pub name: String,
}

/// `oneOf`/`anyOf`.
#[derive(Debug, Clone)]
pub struct Union {
    /// In the spec's order, except that integer variants come before the
    /// number variants that would also read them. Decoding picks the
    /// variant that keeps most of the value (see `ir::shapes`); this order
    /// breaks ties.
    pub variants: Vec<Variant>,
    /// The discriminator property, when the spec names one.
    pub tag: Option<String>,
    /// The catch-all variant's name, for unions of objects where no
    /// variant keeps any object: it holds an object none of whose keys a
    /// variant declares (an ACL newer than the spec), as sent.
    pub other: Option<String>,
}

/// One variant of a [`Union`].
#[derive(Debug, Clone)]
pub struct Variant {
    /// The Rust variant name.
    pub name: String,
    /// The type the variant holds.
    pub ty: Ty,
    /// The direct named type is boxed: it closes a cycle (decided by `ir::cycles`).
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
    /// `null`.
    pub const NULL: Kinds = Kinds(1);
    /// `true` or `false`.
    pub const BOOL: Kinds = Kinds(2);
    /// A number with no fractional part.
    pub const INTEGER: Kinds = Kinds(4);
    /// Any number, integers included.
    pub const NUMBER: Kinds = Kinds(8 | 4);
    /// A string.
    pub const STRING: Kinds = Kinds(16);
    /// An array.
    pub const ARRAY: Kinds = Kinds(32);
    /// An object.
    pub const OBJECT: Kinds = Kinds(64);
    /// Every kind.
    pub const ANY: Kinds = Kinds(127);

    /// The kinds in either set.
    pub fn union(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }
}

/// Something the generator could only express loosely; listed in the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Fallback {
    /// Where in the spec (a JSON pointer).
    pub pointer: String,
    /// What could not be expressed, and what was generated instead.
    pub reason: String,
}

/// A defect or oddity of the spec itself, found while building the IR.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Where in the spec (a JSON pointer).
    pub pointer: String,
    /// What is wrong, for the report.
    pub message: String,
}

/// The types and operations while the passes over them run: the builder
/// makes them, each pass refines them, and the [`Ir`] holds them once the
/// last pass has run.
#[derive(Debug, Default)]
pub struct Draft {
    /// As in [`Ir::types`].
    pub types: Vec<TypeDef>,
    /// As in [`Ir::operations`].
    pub operations: Vec<Operation>,
    /// As in [`Ir::component_count`].
    pub component_count: usize,
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
        ty.underneath(|id| Some(&self.types[id.0].kind)).0
    }

    /// The type underneath is a string enum.
    pub fn is_enum(&self, ty: &Ty) -> bool {
        matches!(self.resolve(ty), Ty::Named(id) if matches!(self.types[id.0].kind, TypeKind::Enum(_)))
    }
}

/// Everything the emitters need to write the crate for one spec.
#[derive(Debug, Default)]
pub struct Ir {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Every type the crate defines; a [`TypeId`] is an index into it.
    pub types: Vec<TypeDef>,
    /// How many entries of `types` are component schemas (the rest are inline).
    pub component_count: usize,
    /// Every operation the client gets a method for.
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
    /// The types go in crates of their own, one per group and one shared
    /// (the profile's `layout.split_types`, for a spec with groups).
    pub split_types: bool,
    /// What the generator could only express loosely, sorted, for the report.
    pub fallbacks: Vec<Fallback>,
    /// Defects and oddities of the spec, sorted, for the report.
    pub findings: Vec<Finding>,
    /// Schemas that became one type with another of the same shape.
    pub shared: Vec<Merged>,
    /// What each type a union can hold declares, for choosing variants.
    pub shapes: ShapeTable,
}

/// Where Cognite's datapoints are read and written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatapointsPaths {
    /// The path of the datapoints listing operation.
    pub list: String,
    /// The path of the datapoints insertion operation.
    pub insert: String,
}

// --- Operations

/// The first entry of the spec's `servers` (an empty URL when there is none).
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

/// One operation of the spec: a method of the generated client.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The method name, unique within its tag's API.
    pub name: String,
    /// Where the name comes from.
    pub name_source: NameSource,
    /// The spec's `operationId`, if any.
    pub operation_id: Option<String>,
    /// The tag whose API holds the method.
    pub tag: String,
    /// The Cargo feature that compiles it: its tag's group (see `ir::features::TagGroups`).
    pub feature: String,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The spec's path template, e.g. `/assets/{id}`.
    pub path: String,
    /// Where the operation stands in the spec (a JSON pointer).
    pub pointer: String,
    /// A path- or operation-level server that replaces the client's base URL.
    pub server: Option<String>,
    /// Path (in template order), query and header parameters; cookie ones are dropped.
    pub params: Vec<Param>,
    /// The Rust name of the struct that carries the query and header
    /// parameters, if any. It is a name, not a [`TypeId`]: the struct is
    /// this operation's own (its fields are the non-path `params`), is
    /// never shared or referenced by a type, and its name is locked under
    /// `<pointer>/parameters` (see [`Ir::lock_types`]).
    pub params_type: Option<String>,
    /// The request body, if any.
    pub body: Option<Body>,
    /// What the first 2xx response carries.
    pub response: Success,
    /// The spec's `summary`, for the method's doc.
    pub summary: Option<String>,
    /// The spec's `description`, for the method's doc.
    pub description: Option<String>,
    /// `x-capability`: the ACLs the call needs.
    pub capabilities: Vec<String>,
    /// `deprecated: true`: the method is marked `#[deprecated]`.
    pub deprecated: bool,
    /// Safe to retry on a 5xx: reads, and POSTs that only read.
    pub idempotent: bool,
    /// Set for cursor-paged lists: the operation also gets a stream of all items.
    pub pagination: Option<Pagination>,
    /// Set for bodies with a limited `items` array: the operation also gets a `*_bulk` method.
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
    /// The type of one item.
    pub item: Ty,
    /// The most items one request may carry (the profile's `bulk_max_items`, else `maxItems`).
    pub max_items: usize,
    /// The limit is the spec's `maxItems` (not `spec/codegen.toml`'s).
    pub max_from_spec: bool,
    /// Limits on values counted over all items of one request (the profile's `bulk_totals`).
    pub totals: Vec<BulkTotal>,
    /// The answer holds only `items`: the bulk call returns the items of
    /// all answers, in order. Any other answer is returned whole, one per chunk.
    pub answer_items: Option<AnswerItems>,
}

/// The `items` array of a bulk call's answer (see [`Bulk::answer_items`]).
#[derive(Debug, Clone)]
pub struct AnswerItems {
    /// Rust name of the answer's `items` field.
    pub field: String,
    /// That field is an `Option` in Rust.
    pub optional: bool,
    /// The type of one item.
    pub item: Ty,
}

/// At most `max` values at `path` (JSON keys) over the items of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkTotal {
    /// The JSON keys from one item to the counted values; arrays on the way are walked through.
    pub path: Vec<String>,
    /// The most such values one request may carry.
    pub max: usize,
}

/// Where a parameter is sent (cookie parameters are not sent at all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Location {
    /// A `{name}` segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// A path, query or header parameter of an [`Operation`].
#[derive(Debug, Clone)]
pub struct Param {
    /// The parameter's name in the spec, as sent.
    pub wire: String,
    /// The Rust name, unique among the operation's parameters.
    pub name: String,
    /// Where it is sent.
    pub location: Location,
    /// Never `Nullable`, nor an array of `Nullable` (`without_null` in the operation builder).
    pub ty: Ty,
    /// `required: true`; always set for path parameters.
    pub required: bool,
    /// The parameter's `description`.
    pub doc: Option<String>,
    /// Arrays: `name=a&name=b` (true) or `name=a,b` (false).
    pub explode: bool,
    /// What `validate()` checks before sending, through a `$ref` too.
    pub rules: Rules,
    /// The parameter's format and example, through a `$ref` too.
    pub hints: Hints,
}

/// An operation's request body, by its media type.
#[derive(Debug, Clone)]
pub enum Body {
    /// A JSON body (chosen when the spec offers JSON among others).
    Json {
        /// The body's type.
        ty: Ty,
        /// `requestBody.required`.
        required: bool,
    },
    /// Raw bytes sent with this content type (octet-stream, protobuf, ...).
    Bytes {
        /// The media type, sent as `Content-Type`.
        content_type: String,
        /// `requestBody.required`.
        required: bool,
    },
    /// `multipart/*`: sent as a list of parts.
    Multipart {
        /// `requestBody.required`.
        required: bool,
    },
}

/// What an operation's first 2xx response carries.
#[derive(Debug, Clone)]
pub enum Success {
    /// A JSON body of this type (chosen when the response offers JSON among others).
    Json(Ty),
    /// No body, or no 2xx response at all.
    Empty,
    /// `text/*`: decoded as UTF-8.
    Text {
        /// The response's media type.
        content_type: String,
    },
    /// Anything else (images, PDF, octet-stream, json-seq): raw bytes.
    Bytes {
        /// The response's media type.
        content_type: String,
    },
}

/// Cursor pagination: a request field or parameter `cursor` and a response
/// with `items` and `nextCursor`.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// Where the request takes the cursor.
    pub cursor_in: CursorIn,
    /// Rust field names in the response.
    pub items_field: String,
    /// The items field is an `Option` in Rust (not required, or nullable).
    pub items_optional: bool,
    /// Rust name of the response's next-cursor field.
    pub next_cursor_field: String,
    /// The next-cursor field is an `Option` in Rust.
    pub next_cursor_optional: bool,
    /// The wire names of the answer's next cursor and the request's cursor
    /// (from the profile), for the docs.
    pub next_cursor_wire: String,
    /// The wire name of the request's cursor (see [`Pagination::next_cursor_wire`]).
    pub cursor_wire: String,
    /// Rust name of the request's cursor: a field of the `Params` struct
    /// or of the body (an `Option<String>`), named by the profile.
    pub cursor_field: String,
    /// The type of one item of the response's `items`.
    pub item: Ty,
    /// Rust name of the request's partition field (an `Option<String>`
    /// that takes `"m/n"`), when the request has one.
    pub partition: Option<String>,
}

/// Where a paged request carries its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorIn {
    /// A query parameter.
    Query,
    /// A field of the JSON body.
    Body,
}

/// An operation's HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `PUT`.
    Put,
    /// `POST`.
    Post,
    /// `DELETE`.
    Delete,
    /// `OPTIONS`.
    Options,
    /// `HEAD`.
    Head,
    /// `PATCH`.
    Patch,
    /// `TRACE`.
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

/// A tag group: one Cargo feature (see `ir::features`).
#[derive(Debug, Clone)]
pub struct Group {
    /// The Cargo feature's name, unique in the crate.
    pub feature: String,
    /// The group's name in `x-tagGroups`; for a group the generator adds, what it holds.
    pub name: String,
    /// The tags in the group (none for a group the generator adds).
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
    /// Every node; nodes refer to one another by index.
    pub nodes: Vec<Shape>,
    /// The declared keys of object nodes, each node's keys a span of this list.
    pub keys: Vec<Key<String>>,
    /// The node lists of unions and of the parts flattened into objects.
    pub lists: Vec<u32>,
    /// The values of string enum nodes.
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
