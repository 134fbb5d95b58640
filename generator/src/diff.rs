//! The change report between two specs, written for users of the generated
//! client (`cargo xtask diff OLD NEW [--json]`).
//!
//! Both specs go through the same pipeline as code generation
//! ([`crate::load`] then [`crate::ir::schema::build`]) and the two [`Ir`]s are
//! compared, not the raw JSON: the report then speaks in the caller's terms
//! (Rust types such as `Option<i64>`, method names, accessors), and a change
//! of spelling in the spec that gives the same Rust (3.0 `nullable` against
//! 3.1 `type: [T, "null"]`, a `$ref` against the same schema inline under the
//! same name) is not a change.
//!
//! # Matching
//!
//! - Operations by `operationId`, then by `METHOD path`. When both match the
//!   same operation but the operationId changed, it is reported as renamed.
//! - Component schemas by their name in the spec (not their Rust name, which
//!   can move when another schema takes it).
//! - Fields by wire name, parameters by location and wire name, enum values
//!   by wire value, union variants by Rust variant name.
//! - Inline schemas have no name of their own: they are compared where they
//!   stand (field `filter` of the old body against field `filter` of the new
//!   one), and their changes are filed under the operation or schema that
//!   holds them, with a dotted path (`filter.metadata[].key`).
//!
//! # When a change is breaking
//!
//! "Breaking" means code written against the old client, in the way the
//! crate is meant to be used, no longer compiles or no longer works. Structs
//! (`Params` too) are `#[non_exhaustive]`, built with `new(required..)` and
//! a setter per optional field; responses are read, not built; enums and
//! unions are `#[non_exhaustive]`, so every `match` has a wildcard arm.
//! Which way a type travels matters, so every type is marked as
//! reachable from requests (parameters, bodies) and/or from responses,
//! through struct fields, union variants and aliases. A type can be both; a
//! schema no operation reaches (compiled under `all-schemas`) is judged both
//! ways, since a caller may use it either way.
//!
//! Breaking:
//! - an operation, parameter, field, schema, enum value or union variant
//!   removed: code naming it no longer compiles, whichever way it travels;
//! - anything that changes a Rust name the caller writes: an operationId
//!   (hence method) renamed, an operation moved to another tag (hence
//!   accessor), a schema whose Rust type name changed;
//! - a type changed (`retyped`): field, parameter, body, response, alias
//!   target, variant payload, or a schema that became another kind of type.
//!   An alias and its target are one type to rustc, so `FooId` → `i64`
//!   where `type FooId = i64` is not a change;
//! - a field or parameter turned from optional to required or back: the Rust
//!   type goes between `T` and `Option<T>` (when it is `Option<T>` on both
//!   sides, because the required side is nullable, only optional → required
//!   in a request is breaking: the server now demands it);
//! - a required field or parameter added to a request (`new` takes one more
//!   argument); an optional query/header parameter where the method had no
//!   `params` argument before; a new path parameter or body (a new argument
//!   of the method);
//! - a `*_stream` / `*_partitioned` helper lost.
//!
//! Not breaking:
//! - operations and schemas added;
//! - an optional field added to any struct, an optional parameter to a
//!   `*Params` struct (one more setter);
//! - any field added to a type only read from responses;
//! - an enum value added (enums are `#[non_exhaustive]` and keep unknown
//!   values as `Other(String)`);
//! - a union variant added, whichever way the union travels (unions are
//!   `#[non_exhaustive]`, and those read keep unknown objects as `Other`);
//! - an operation deprecated, moved to another path or method under the same
//!   operationId (the client builds the URL), the content type of a binary
//!   body or of a text/binary response changed (the Rust type stays),
//!   pagination helpers gained.
//!
//! # Exit code
//!
//! `cargo xtask diff` exits with 0 when [`SpecDiff::is_breaking`] is false
//! (no change, or only non-breaking ones), 1 when it is true, and 2 when a
//! spec cannot be read.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::error::Result;
use crate::ir::operation::{Body, Location, Operation, Param, Success};
use crate::ir::{Field, Ir, StringEnum, Struct, Ty, TypeDef, TypeId, TypeKind, Union};
use crate::load::Loaded;
use crate::overrides::Overrides;

/// What kind of change one [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    /// The operationId, hence the Rust method name, changed at the same
    /// `METHOD path`; or the method name changed under the same operationId.
    OperationRenamed,
    /// Another tag, hence another accessor (`client.<tag>()`).
    OperationMoved,
    /// Same operationId, another method or path template.
    OperationPathChanged,
    OperationDeprecated,
    /// `*_stream` or `*_partitioned` helpers gained or lost.
    PaginationChanged,
    ParamAdded,
    ParamRemoved,
    ParamRetyped,
    ParamRequiredChanged,
    /// A request body added, removed, or of another type.
    RequestBodyChanged,
    /// The success response is of another type.
    ResponseChanged,
    FieldAdded,
    FieldRemoved,
    FieldRetyped,
    FieldRequiredChanged,
    EnumValueAdded,
    EnumValueRemoved,
    /// Same wire value, another Rust variant name.
    EnumValueRenamed,
    VariantAdded,
    VariantRemoved,
    VariantRetyped,
    /// A struct callers could not build (only read from answers) now has
    /// `new` and setters, because a request carries it or no answer does.
    ConstructorAdded,
    /// A struct callers built is now only read from answers: `new` and its
    /// setters are gone.
    ConstructorRemoved,
    SchemaAdded,
    SchemaRemoved,
    /// Same spec name, another Rust type name.
    SchemaRenamed,
    /// The schema became another kind of type (struct, enum, union, alias),
    /// or an alias now stands for another type.
    SchemaRetyped,
}

impl ChangeKind {
    /// Every kind, for tests that check each is exercised.
    pub const ALL: &'static [ChangeKind] = &[
        ChangeKind::OperationAdded,
        ChangeKind::OperationRemoved,
        ChangeKind::OperationRenamed,
        ChangeKind::OperationMoved,
        ChangeKind::OperationPathChanged,
        ChangeKind::OperationDeprecated,
        ChangeKind::PaginationChanged,
        ChangeKind::ParamAdded,
        ChangeKind::ParamRemoved,
        ChangeKind::ParamRetyped,
        ChangeKind::ParamRequiredChanged,
        ChangeKind::RequestBodyChanged,
        ChangeKind::ResponseChanged,
        ChangeKind::FieldAdded,
        ChangeKind::FieldRemoved,
        ChangeKind::FieldRetyped,
        ChangeKind::FieldRequiredChanged,
        ChangeKind::EnumValueAdded,
        ChangeKind::EnumValueRemoved,
        ChangeKind::EnumValueRenamed,
        ChangeKind::VariantAdded,
        ChangeKind::VariantRemoved,
        ChangeKind::VariantRetyped,
        ChangeKind::ConstructorAdded,
        ChangeKind::ConstructorRemoved,
        ChangeKind::SchemaAdded,
        ChangeKind::SchemaRemoved,
        ChangeKind::SchemaRenamed,
        ChangeKind::SchemaRetyped,
    ];
}

/// One change, as a changelog line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    pub breaking: bool,
    /// Where the report files it: `tag <Tag>` for operations (and the inline
    /// types they hold), [`SCHEMAS`] for component schemas.
    pub group: String,
    /// `POST /sequences/list (advancedListSequences)` or `schema GetSequenceDto`.
    pub subject: String,
    /// What changed, in Rust terms; Markdown code spans for names and types.
    pub detail: String,
    /// JSON pointer in the new spec (in the old one for what was removed).
    pub pointer: String,
    /// The Rust item the change is to: a type (`Job`, `ListAssetsParams`),
    /// or for an operation its call (`client.assets().list_assets()`). The
    /// old name for what was removed or renamed.
    pub rust: String,
}

/// The group of component schema changes.
pub const SCHEMAS: &str = "schemas";

/// Everything that changed between two specs, in a deterministic order:
/// breaking first, then operations by tag, then schemas; by subject within.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpecDiff {
    /// `info.title` and `info.version` of the old spec. Public so that a
    /// caller can put file names here when both specs say the same.
    pub old_title_version: String,
    pub new_title_version: String,
    pub changes: Vec<Change>,
}

/// Loads and builds both specs (JSON or YAML, OpenAPI 3.0 or 3.1), then
/// compares them, both read with the spec's `profile` (its conventions
/// decide which methods exist). The old crate's names are those of a
/// generation without pins; the new one's are what regenerating with its
/// lock gives.
pub fn diff_texts(old: &str, new: &str, profile: &Overrides) -> Result<SpecDiff> {
    crate::on_large_stack(|| {
        let old = crate::ir::schema::build(&crate::load::load_str(old)?, profile)?;
        let carried = Overrides {
            locked_types: old.lock_types(),
            locked_methods: old
                .operations
                .iter()
                .map(|o| (o.pointer.clone(), o.name.clone()))
                .collect(),
            ..profile.clone()
        };
        let new = crate::ir::schema::build(&crate::load::load_str(new)?, &carried)?;
        Ok(diff(&old, &new))
    })?
}

/// Builds both specs as a maintainer's crates have them: the new one with
/// `overrides` (the pins and the lock, as `codegen` would), the old one
/// with the same, and where the lock does not know an old schema, with the
/// name its counterpart has in the new crate (a branch that since gained a
/// title, say). Either way a schema in both has one name in both.
pub fn diff_with(old: &Loaded, new: &Loaded, overrides: &Overrides) -> Result<SpecDiff> {
    let new = crate::ir::schema::build(new, overrides)?;
    let mut locked = new.lock_aliases();
    locked.extend(new.lock_types());
    locked.extend(overrides.locked_types.clone());
    let old_overrides = Overrides {
        locked_types: locked,
        ..overrides.clone()
    };
    let old = crate::ir::schema::build(old, &old_overrides)?;
    Ok(diff(&old, &new))
}

/// Compares two built specs.
pub fn diff(old: &Ir, new: &Ir) -> SpecDiff {
    let mut d = Differ {
        old: Side::new(old),
        new: Side::new(new),
        seen: HashSet::new(),
        changes: Vec::new(),
        item: String::new(),
    };
    d.schemas();
    d.operations();
    let mut changes = d.changes;
    changes.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    changes.dedup();
    SpecDiff {
        old_title_version: title_version(old),
        new_title_version: title_version(new),
        changes,
    }
}

fn title_version(ir: &Ir) -> String {
    format!("{} {}", ir.title, ir.version).trim().to_string()
}

/// Breaking first; operations (by tag) before schemas; then by subject, kind, detail.
fn sort_key(c: &Change) -> (bool, bool, &str, &str, ChangeKind, &str, &str) {
    (
        !c.breaking,
        c.group == SCHEMAS,
        &c.group,
        &c.subject,
        c.kind,
        &c.detail,
        &c.pointer,
    )
}

/// `ty` as Rust text, with type names as the generated crate spells them
/// (`Value` and `Map<String, Value>` stand for the `serde_json` types).
pub fn describe(ir: &Ir, ty: &Ty) -> String {
    render(ir, ty, 0)
}

/// How many alias levels are looked through when deciding whether two
/// spellings are one Rust type; bounded because a recursive alias is allowed.
const EXPAND: u8 = 8;

fn render(ir: &Ir, ty: &Ty, expand: u8) -> String {
    match ty {
        Ty::Named(id) => match ir.types.get(id.0) {
            Some(TypeDef {
                kind: TypeKind::Alias(inner),
                ..
            }) if expand > 0 => render(ir, inner, expand - 1),
            Some(def) => def.name.clone(),
            None => format!("<type #{}>", id.0),
        },
        Ty::String => "String".into(),
        Ty::Integer { bits: 32 } => "i32".into(),
        Ty::Integer { .. } => "i64".into(),
        Ty::Number => "f64".into(),
        Ty::Boolean => "bool".into(),
        Ty::Any => "Value".into(),
        Ty::FreeObject => "Map<String, Value>".into(),
        Ty::Array(inner) => format!("Vec<{}>", render(ir, inner, expand)),
        Ty::Map(inner) => format!("BTreeMap<String, {}>", render(ir, inner, expand)),
        Ty::Nullable(inner) => format!("Option<{}>", render(ir, inner, expand)),
    }
}

/// A field or parameter as the generated struct declares it. Optional ones
/// are `Option<T>`, and an optional nullable one collapses into the same
/// `Option`. A boxed one (cycle breaking) has its direct named type boxed.
#[derive(Clone, Copy)]
struct Slot<'t> {
    ty: &'t Ty,
    required: bool,
    boxed: bool,
}

impl<'t> Slot<'t> {
    fn field(f: &'t Field) -> Self {
        Slot {
            ty: &f.ty,
            required: f.required,
            boxed: f.boxed,
        }
    }

    fn param(p: &'t Param) -> Self {
        Slot {
            ty: &p.ty,
            required: p.required,
            boxed: false,
        }
    }

    fn variant(ty: &'t Ty, boxed: bool) -> Self {
        Slot {
            ty,
            required: true,
            boxed,
        }
    }

    fn inner(&self) -> &'t Ty {
        match self.ty {
            Ty::Nullable(inner) => inner,
            other => other,
        }
    }

    /// The Rust type is `Option<_>`.
    fn optional(&self) -> bool {
        !self.required || matches!(self.ty, Ty::Nullable(_))
    }

    /// The type without the `Option` that optionality adds.
    fn core(&self, ir: &Ir, expand: u8) -> String {
        let text = render(ir, self.inner(), expand);
        if self.boxed && matches!(self.inner(), Ty::Named(_)) {
            format!("Box<{text}>")
        } else {
            text
        }
    }

    fn text(&self, ir: &Ir, expand: u8) -> String {
        let core = self.core(ir, expand);
        if self.optional() {
            format!("Option<{core}>")
        } else {
            core
        }
    }
}

/// Which way values of a type travel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Dir {
    request: bool,
    response: bool,
    /// No operation reaches it; judged both ways, and said so in details.
    unused: bool,
}

impl Dir {
    fn or(self, other: Dir) -> Dir {
        Dir {
            request: self.request || other.request,
            response: self.response || other.response,
            unused: self.unused && other.unused,
        }
    }

    /// A type no operation reaches may be used either way by a caller.
    fn or_both(self) -> Dir {
        if self.request || self.response {
            self
        } else {
            Dir {
                request: true,
                response: true,
                unused: true,
            }
        }
    }
}

/// One spec with what the comparison needs beside its IR.
struct Side<'a> {
    ir: &'a Ir,
    dirs: Vec<Dir>,
    /// Which structs have `new` and setters ([`crate::ir::access::buildable`]).
    buildable: Vec<bool>,
    /// Tag → accessor method of the generated client.
    accessors: BTreeMap<String, String>,
}

impl<'a> Side<'a> {
    fn new(ir: &'a Ir) -> Self {
        let accessors = crate::emit::operations::tag_apis(ir)
            .into_iter()
            .map(|api| (api.tag.to_string(), api.module))
            .collect();
        Side {
            ir,
            dirs: directions(ir),
            buildable: crate::ir::access::buildable(ir),
            accessors,
        }
    }

    fn def(&self, id: TypeId) -> Option<&'a TypeDef> {
        self.ir.types.get(id.0)
    }

    fn dir(&self, id: TypeId) -> Dir {
        self.dirs.get(id.0).copied().unwrap_or_default()
    }

    /// Whether the crate has `new` and setters for the type.
    fn built(&self, id: TypeId) -> bool {
        self.buildable.get(id.0).copied().unwrap_or(false)
    }

    fn is_inline(&self, id: TypeId) -> bool {
        id.0 >= self.ir.component_count
    }

    /// `client.sequences().advanced_list_sequences()`.
    fn call(&self, op: &Operation) -> String {
        let accessor = self.accessors.get(&op.tag).map_or("?", String::as_str);
        format!("client.{accessor}().{}()", op.name)
    }
}

/// Marks every type reachable from a request and/or a response.
fn directions(ir: &Ir) -> Vec<Dir> {
    let mut requests = Vec::new();
    let mut responses = Vec::new();
    for op in &ir.operations {
        for p in &op.params {
            p.ty.named(&mut requests);
        }
        if let Some(Body::Json { ty, .. }) = &op.body {
            ty.named(&mut requests);
        }
        if let Success::Json(ty) = &op.response {
            ty.named(&mut responses);
        }
    }
    let mut dirs = vec![Dir::default(); ir.types.len()];
    mark(ir, &mut dirs, requests, |d| &mut d.request);
    mark(ir, &mut dirs, responses, |d| &mut d.response);
    dirs
}

fn mark(ir: &Ir, dirs: &mut [Dir], mut stack: Vec<TypeId>, flag: fn(&mut Dir) -> &mut bool) {
    while let Some(id) = stack.pop() {
        let (Some(dir), Some(def)) = (dirs.get_mut(id.0), ir.types.get(id.0)) else {
            continue;
        };
        if std::mem::replace(flag(dir), true) {
            continue;
        }
        match &def.kind {
            TypeKind::Struct(s) => {
                for f in &s.fields {
                    f.ty.named(&mut stack);
                }
                if let Some(extra) = &s.extra {
                    extra.named(&mut stack);
                }
            }
            TypeKind::Union(u) => {
                for v in &u.variants {
                    v.ty.named(&mut stack);
                }
            }
            TypeKind::Alias(ty) => ty.named(&mut stack),
            TypeKind::Enum(_) => {}
        }
    }
}

/// The spec name of a component schema: the last token of its pointer.
fn spec_name(def: &TypeDef) -> String {
    let token = def.pointer.rsplit('/').next().unwrap_or(&def.pointer);
    token.replace("~1", "/").replace("~0", "~")
}

fn components(ir: &Ir) -> BTreeMap<String, TypeId> {
    ir.types
        .iter()
        .take(ir.component_count)
        .enumerate()
        .map(|(i, def)| (spec_name(def), TypeId(i)))
        .collect()
}

fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "a struct",
        TypeKind::Enum(_) => "a string enum",
        TypeKind::Union(_) => "a union (Rust enum)",
        TypeKind::Alias(_) => "an alias",
    }
}

/// Fields by wire name; flattened parts (no wire name) by Rust name.
fn field_key(f: &Field) -> String {
    if f.flatten {
        format!("\u{0}{}", f.name)
    } else {
        f.wire.clone()
    }
}

/// `field \`a.b\``, or `field \`variant\` (flattened)` for a flattened part.
fn field_label(site: &Site, path: &str, f: &Field) -> String {
    if f.flatten {
        format!("{} (flattened)", site.field(path, &f.name))
    } else {
        site.field(path, &f.wire)
    }
}

/// The kind, and for an alias what it stands for: `an alias of \`Vec<Foo>\``.
fn kind_text(ir: &Ir, kind: &TypeKind) -> String {
    match kind {
        TypeKind::Alias(ty) => format!("an alias of `{}`", describe(ir, ty)),
        other => kind_name(other).to_string(),
    }
}

/// `a.b` (or `b` at the top).
fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}.{segment}")
    }
}

/// Named types at the same place in two types of the same shape, with the
/// path suffix that leads there (`[]` into a `Vec`, `.*` into a map).
fn parallel(old: &Ty, new: &Ty, suffix: String, out: &mut Vec<(TypeId, TypeId, String)>) {
    match (old, new) {
        (Ty::Named(a), Ty::Named(b)) => out.push((*a, *b, suffix)),
        (Ty::Array(a), Ty::Array(b)) => parallel(a, b, suffix + "[]", out),
        (Ty::Map(a), Ty::Map(b)) => parallel(a, b, suffix + ".*", out),
        (Ty::Nullable(a), Ty::Nullable(b)) => parallel(a, b, suffix, out),
        // Nullability changes are reported by the caller; look inside anyway.
        (Ty::Nullable(a), b) => parallel(a, b, suffix, out),
        (a, Ty::Nullable(b)) => parallel(a, b, suffix, out),
        _ => {}
    }
}

/// Where the changes of one comparison are filed, and how details start.
#[derive(Clone)]
struct Site {
    group: String,
    subject: String,
    /// `request body`, `response`, `query parameter \`limit\``; empty for a schema.
    root: String,
}

impl Site {
    fn with_root(&self, root: String) -> Site {
        Site {
            root,
            ..self.clone()
        }
    }

    /// `request body field \`filter.name\``.
    fn field(&self, path: &str, wire: &str) -> String {
        let name = join(path, wire);
        if self.root.is_empty() {
            format!("field `{name}`")
        } else {
            format!("{} field `{name}`", self.root)
        }
    }

    /// What a value-level detail (enum value, variant, alias target) is
    /// about, ending in `: `; empty for the schema itself.
    fn place(&self, path: &str) -> String {
        match (self.root.is_empty(), path.is_empty()) {
            (true, true) => String::new(),
            (false, true) => format!("{}: ", self.root),
            (true, false) => format!("{}`{path}`: ", noun(path)),
            (false, false) => format!("{} {}`{path}`: ", self.root, noun(path)),
        }
    }
}

/// `field ` before a path that ends in a field name; nothing before an
/// element path (`items[]`, `labels.*`).
fn noun(path: &str) -> &'static str {
    if path.ends_with(']') || path.ends_with('*') {
        ""
    } else {
        "field "
    }
}

struct Differ<'a> {
    old: Side<'a>,
    new: Side<'a>,
    /// Inline type pairs already compared: each is reported once, and
    /// recursive inline types end.
    seen: HashSet<(TypeId, TypeId)>,
    changes: Vec<Change>,
    /// The Rust item being compared, for [`Change::rust`].
    item: String,
}

impl Differ<'_> {
    fn push(&mut self, site: &Site, kind: ChangeKind, breaking: bool, detail: String, ptr: &str) {
        self.changes.push(Change {
            kind,
            breaking,
            group: site.group.clone(),
            subject: site.subject.clone(),
            detail,
            pointer: ptr.to_string(),
            rust: self.item.clone(),
        });
    }

    fn pair_dir(&self, old: TypeId, new: TypeId) -> Dir {
        self.old.dir(old).or(self.new.dir(new)).or_both()
    }

    /// The two Rust spellings, when they are different types to rustc.
    fn retyped(&self, old: impl Fn(&Ir, u8) -> String, new: impl Fn(&Ir, u8) -> String) -> bool {
        let (o, n) = (self.old.ir, self.new.ir);
        old(o, 0) != new(n, 0) && old(o, EXPAND) != new(n, EXPAND)
    }

    /// Compares inline types met at the same place in both specs.
    fn descend(&mut self, site: &Site, path: &str, old: &Ty, new: &Ty) {
        let mut pairs = Vec::new();
        parallel(old, new, String::new(), &mut pairs);
        for (a, b, suffix) in pairs {
            let inline = self.old.is_inline(a) && self.new.is_inline(b);
            if inline && self.seen.insert((a, b)) {
                self.compare_defs(site, &format!("{path}{suffix}"), a, b);
            }
        }
    }

    // ---- schemas ------------------------------------------------------

    fn schemas(&mut self) {
        let old = components(self.old.ir);
        let new = components(self.new.ir);
        for (name, &a) in &old {
            let site = Site {
                group: SCHEMAS.into(),
                subject: format!("schema {name}"),
                root: String::new(),
            };
            match new.get(name) {
                Some(&b) => self.compare_component(&site, a, b),
                None => self.schema_presence(&site, ChangeKind::SchemaRemoved, a),
            }
        }
        for (name, &b) in new.iter().filter(|(n, _)| !old.contains_key(*n)) {
            let site = Site {
                group: SCHEMAS.into(),
                subject: format!("schema {name}"),
                root: String::new(),
            };
            self.schema_presence(&site, ChangeKind::SchemaAdded, b);
        }
    }

    fn schema_presence(&mut self, site: &Site, kind: ChangeKind, id: TypeId) {
        let removed = kind == ChangeKind::SchemaRemoved;
        let side = if removed { &self.old } else { &self.new };
        let Some(def) = side.def(id) else { return };
        self.item = def.name.clone();
        let detail = format!(
            "{} `{}` {}",
            kind_name(&def.kind),
            def.name,
            if removed { "removed" } else { "added" }
        );
        let pointer = def.pointer.clone();
        self.push(site, kind, removed, detail, &pointer);
    }

    fn compare_component(&mut self, site: &Site, a: TypeId, b: TypeId) {
        let (Some(x), Some(y)) = (self.old.def(a), self.new.def(b)) else {
            return;
        };
        self.item = x.name.clone();
        if x.name != y.name {
            let taken = self
                .new
                .ir
                .types
                .iter()
                .take(self.new.ir.component_count)
                .find(|d| d.name == x.name)
                .map(|d| format!(" (schema `{}` now has that name)", spec_name(d)))
                .unwrap_or_default();
            let detail = format!("Rust type `{}` is now `{}`{taken}", x.name, y.name);
            self.push(site, ChangeKind::SchemaRenamed, true, detail, &y.pointer);
        }
        self.compare_defs(site, "", a, b);
    }

    /// Compares two types found at the same place (`path` under `site`).
    fn compare_defs(&mut self, site: &Site, path: &str, a: TypeId, b: TypeId) {
        let (Some(x), Some(y)) = (self.old.def(a), self.new.def(b)) else {
            return;
        };
        let outer = std::mem::replace(&mut self.item, y.name.clone());
        self.compare_kinds(site, path, (a, b), (x, y));
        self.item = outer;
    }

    fn compare_kinds(
        &mut self,
        site: &Site,
        path: &str,
        (a, b): (TypeId, TypeId),
        (x, y): (&TypeDef, &TypeDef),
    ) {
        let dir = self.pair_dir(a, b);
        let ptrs = (x.pointer.as_str(), y.pointer.as_str());
        match (&x.kind, &y.kind) {
            (TypeKind::Struct(s), TypeKind::Struct(t)) => {
                // `new` takes the required fields only where both crates
                // have it; a constructor gained or lost is its own change.
                let built = self.old.built(a) && self.new.built(b);
                let dir = Dir {
                    request: dir.request && built,
                    ..dir
                };
                self.compare_structs(site, path, s, t, dir, ptrs);
                self.compare_constructors(site, path, (a, b), &y.name, ptrs.1);
            }
            (TypeKind::Enum(e), TypeKind::Enum(f)) => self.compare_enums(site, path, e, f, ptrs.1),
            (TypeKind::Union(u), TypeKind::Union(v)) => {
                self.compare_unions(site, path, &y.name, (u, v), ptrs)
            }
            (TypeKind::Alias(s), TypeKind::Alias(t)) => {
                if self.retyped(|ir, e| render(ir, s, e), |ir, e| render(ir, t, e)) {
                    let detail = format!(
                        "{}`{}` now stands for `{}` (was `{}`)",
                        site.place(path),
                        y.name,
                        describe(self.new.ir, t),
                        describe(self.old.ir, s)
                    );
                    self.push(site, retype_kind(site, path), true, detail, ptrs.1);
                }
                // At the top of a schema, paths into the alias start with its name.
                let at = if path.is_empty() && site.root.is_empty() {
                    y.name.as_str()
                } else {
                    path
                };
                self.descend(site, at, s, t);
            }
            (old, new) => {
                let detail = format!(
                    "{}`{}` is now {} (was {})",
                    site.place(path),
                    y.name,
                    kind_text(self.new.ir, new),
                    kind_text(self.old.ir, old)
                );
                self.push(site, retype_kind(site, path), true, detail, ptrs.1);
            }
        }
    }

    /// `new` and setters exist only on structs callers build, so a struct
    /// that stops travelling in requests loses them.
    fn compare_constructors(
        &mut self,
        site: &Site,
        path: &str,
        (a, b): (TypeId, TypeId),
        name: &str,
        ptr: &str,
    ) {
        let (kind, detail) = match (self.old.built(a), self.new.built(b)) {
            (true, false) => (
                ChangeKind::ConstructorRemoved,
                "now only read from answers: `new` and its setters are gone",
            ),
            (false, true) => (
                ChangeKind::ConstructorAdded,
                "now also built by callers: `new` and setters added",
            ),
            _ => return,
        };
        let detail = format!("{}`{name}` {detail}", site.place(path));
        let breaking = kind == ChangeKind::ConstructorRemoved;
        self.push(site, kind, breaking, detail, ptr);
    }

    fn compare_structs(
        &mut self,
        site: &Site,
        path: &str,
        old: &Struct,
        new: &Struct,
        dir: Dir,
        (old_ptr, new_ptr): (&str, &str),
    ) {
        let by_wire = |s: &Struct| -> BTreeMap<String, Field> {
            let mut m = BTreeMap::new();
            for f in &s.fields {
                m.entry(field_key(f)).or_insert_with(|| f.clone());
            }
            m
        };
        let (o, n) = (by_wire(old), by_wire(new));
        for (key, f) in &o {
            match n.get(key) {
                Some(g) => self.compare_fields(site, path, f, g, dir, new_ptr),
                None => {
                    let detail = format!(
                        "{} removed (was `{}`)",
                        field_label(site, path, f),
                        Slot::field(f).text(self.old.ir, 0)
                    );
                    self.push(site, ChangeKind::FieldRemoved, true, detail, old_ptr);
                }
            }
        }
        for (_, g) in n.iter().filter(|(w, _)| !o.contains_key(*w)) {
            let (breaking, why) = added_field_rule(dir, g.required);
            let detail = format!(
                "{} added: `{}`{why}",
                field_label(site, path, g),
                Slot::field(g).text(self.new.ir, 0)
            );
            self.push(site, ChangeKind::FieldAdded, breaking, detail, new_ptr);
        }
        self.compare_extra(
            site,
            path,
            old.extra.as_ref(),
            new.extra.as_ref(),
            dir,
            (old_ptr, new_ptr),
        );
    }

    /// `additionalProperties` beside declared ones: the `additional_properties` map field.
    fn compare_extra(
        &mut self,
        site: &Site,
        path: &str,
        old: Option<&Ty>,
        new: Option<&Ty>,
        dir: Dir,
        (old_ptr, new_ptr): (&str, &str),
    ) {
        let label = site.field(path, "additional_properties");
        match (old, new) {
            (Some(s), None) => {
                let detail = format!(
                    "{label} removed (was `BTreeMap<String, {}>`)",
                    describe(self.old.ir, s)
                );
                self.push(site, ChangeKind::FieldRemoved, true, detail, old_ptr);
            }
            (None, Some(t)) => {
                let (breaking, why) = added_field_rule(dir, false);
                let detail = format!(
                    "{label} added: `BTreeMap<String, {}>`{why}",
                    describe(self.new.ir, t)
                );
                self.push(site, ChangeKind::FieldAdded, breaking, detail, new_ptr);
            }
            (Some(s), Some(t)) => {
                if self.retyped(|ir, e| render(ir, s, e), |ir, e| render(ir, t, e)) {
                    let detail = format!(
                        "{label} retyped: `BTreeMap<String, {}>` → `BTreeMap<String, {}>`",
                        describe(self.old.ir, s),
                        describe(self.new.ir, t)
                    );
                    self.push(site, ChangeKind::FieldRetyped, true, detail, new_ptr);
                }
                self.descend(site, &join(path, "additional_properties.*"), s, t);
            }
            (None, None) => {}
        }
    }

    fn compare_fields(
        &mut self,
        site: &Site,
        path: &str,
        f: &Field,
        g: &Field,
        dir: Dir,
        ptr: &str,
    ) {
        let (a, b) = (Slot::field(f), Slot::field(g));
        let label = field_label(site, path, g);
        self.compare_slots(site, &label, (a, b), dir, ptr, Kinds::FIELD);
        // A flattened part's properties are on the wire beside the struct's own.
        let inner = if g.flatten {
            path.to_string()
        } else {
            join(path, &g.wire)
        };
        self.descend(site, &inner, &f.ty, &g.ty);
    }

    /// Type and required-ness of a field or parameter: one change per
    /// slot, a retype taking the required-ness change along in its detail.
    fn compare_slots(
        &mut self,
        site: &Site,
        label: &str,
        (a, b): (Slot, Slot),
        dir: Dir,
        ptr: &str,
        kinds: Kinds,
    ) {
        let (o, n) = (self.old.ir, self.new.ir);
        let retyped = self.retyped(|ir, e| a.core(ir, e), |ir, e| b.core(ir, e));
        let now = match (a.required == b.required, a.optional() == b.optional()) {
            (false, _) if b.required => Some("now required"),
            (false, _) => Some("now optional"),
            (true, false) if b.optional() => Some("now nullable"),
            (true, false) => Some("no longer nullable"),
            (true, true) => None,
        };
        let (x, y) = (a.text(o, 0), b.text(n, 0));
        let (kind, breaking, what) = match (retyped, now) {
            (false, None) => return,
            (true, None) => (kinds.retyped, true, "retyped".to_string()),
            (true, Some(now)) => (kinds.retyped, true, format!("retyped and {now}")),
            (false, Some(now)) if a.required != b.required => {
                let breaking = a.optional() != b.optional() || (dir.request && b.required);
                (kinds.required, breaking, now.to_string())
            }
            (false, Some(now)) => (kinds.retyped, true, now.to_string()),
        };
        self.push(
            site,
            kind,
            breaking,
            format!("{label} {what}: `{x}` → `{y}`"),
            ptr,
        );
    }

    fn compare_enums(
        &mut self,
        site: &Site,
        path: &str,
        old: &StringEnum,
        new: &StringEnum,
        ptr: &str,
    ) {
        let place = site.place(path);
        let by_wire = |e: &StringEnum| -> BTreeMap<String, String> {
            e.values
                .iter()
                .map(|v| (v.wire.clone(), v.name.clone()))
                .collect()
        };
        let (o, n) = (by_wire(old), by_wire(new));
        for (wire, name) in &o {
            match n.get(wire) {
                None => {
                    let detail = format!("{place}value `{wire}` removed (variant `{name}`)");
                    self.push(site, ChangeKind::EnumValueRemoved, true, detail, ptr);
                }
                Some(new_name) if new_name != name => {
                    let detail =
                        format!("{place}value `{wire}`: variant `{name}` is now `{new_name}`");
                    self.push(site, ChangeKind::EnumValueRenamed, true, detail, ptr);
                }
                Some(_) => {}
            }
        }
        for wire in n.keys().filter(|w| !o.contains_key(*w)) {
            let detail = format!("{place}value `{wire}` added");
            self.push(site, ChangeKind::EnumValueAdded, false, detail, ptr);
        }
    }

    /// Variants by Rust name; `name` is the union's, to name paths into
    /// its variants at the top of a schema (`Filter::And.and[]`).
    fn compare_unions(
        &mut self,
        site: &Site,
        path: &str,
        name: &str,
        (old, new): (&Union, &Union),
        (old_ptr, new_ptr): (&str, &str),
    ) {
        let place = site.place(path);
        let base = if path.is_empty() { name } else { path };
        let o: BTreeMap<&str, _> = old.variants.iter().map(|v| (v.name.as_str(), v)).collect();
        let n: BTreeMap<&str, _> = new.variants.iter().map(|v| (v.name.as_str(), v)).collect();
        for (variant, v) in &o {
            let a = Slot::variant(&v.ty, v.boxed);
            let Some(w) = n.get(variant) else {
                let detail = format!(
                    "{place}variant `{variant}` removed{}",
                    payload(variant, &a.text(self.old.ir, 0), "was ")
                );
                self.push(site, ChangeKind::VariantRemoved, true, detail, old_ptr);
                continue;
            };
            let b = Slot::variant(&w.ty, w.boxed);
            if self.retyped(|ir, e| a.text(ir, e), |ir, e| b.text(ir, e)) {
                let (x, y) = (a.text(self.old.ir, 0), b.text(self.new.ir, 0));
                let detail = format!("{place}variant `{variant}` retyped: `{x}` → `{y}`");
                self.push(site, ChangeKind::VariantRetyped, true, detail, new_ptr);
            }
            self.descend(site, &format!("{base}::{variant}"), &v.ty, &w.ty);
        }
        for (variant, w) in n.iter().filter(|(k, _)| !o.contains_key(*k)) {
            // Unions are `#[non_exhaustive]`: every `match` already has
            // an arm for variants it does not name.
            let ty = Slot::variant(&w.ty, w.boxed).text(self.new.ir, 0);
            let detail = format!(
                "{place}variant `{variant}` added{}",
                payload(variant, &ty, "")
            );
            self.push(site, ChangeKind::VariantAdded, false, detail, new_ptr);
        }
    }
}

/// Whether a field added to a struct breaks callers, and why (for the
/// detail). Structs are `#[non_exhaustive]` with `new(required..)` and a
/// setter per optional field, so only a required field breaks, and only
/// where callers build the struct: `new` takes one more argument.
fn added_field_rule(dir: Dir, required: bool) -> (bool, &'static str) {
    match (dir.request, dir.unused, required) {
        (_, _, false) | (false, ..) => (false, ""),
        (true, false, true) => (true, " (required, in a request struct: `new` takes it)"),
        (true, true, true) => (
            true,
            " (required, in a struct no operation uses: callers may build it with `new`)",
        ),
    }
}

/// ` (was \`T\`)` after a variant name, unless the payload type has that name.
fn payload(variant: &str, ty: &str, was: &str) -> String {
    if variant == ty {
        String::new()
    } else {
        format!(" ({was}`{ty}`)")
    }
}

/// A type change found at `path`: of the schema itself, or of a field within.
fn retype_kind(site: &Site, path: &str) -> ChangeKind {
    if site.root.is_empty() && path.is_empty() {
        ChangeKind::SchemaRetyped
    } else {
        ChangeKind::FieldRetyped
    }
}

/// The change kinds one [`Differ::compare_slots`] call reports with.
#[derive(Clone, Copy)]
struct Kinds {
    retyped: ChangeKind,
    required: ChangeKind,
}

impl Kinds {
    const FIELD: Kinds = Kinds {
        retyped: ChangeKind::FieldRetyped,
        required: ChangeKind::FieldRequiredChanged,
    };
    const PARAM: Kinds = Kinds {
        retyped: ChangeKind::ParamRetyped,
        required: ChangeKind::ParamRequiredChanged,
    };
}

// ---- operations ------------------------------------------------------------

/// Old and new operations paired up; the rest removed or added (indices).
struct Matching {
    pairs: Vec<(usize, usize)>,
    removed: Vec<usize>,
    added: Vec<usize>,
}

/// By operationId first; what is left, by `METHOD path` (an operation whose
/// operationId changed in place is then seen as renamed, not removed and added).
fn match_operations(old: &[Operation], new: &[Operation]) -> Matching {
    let mut taken = vec![false; new.len()];
    let mut pairs = Vec::new();
    let mut by_id = queues(new, |op| op.operation_id.clone());
    let mut left = Vec::new();
    for (i, op) in old.iter().enumerate() {
        let hit = op
            .operation_id
            .as_ref()
            .and_then(|id| by_id.get_mut(id)?.pop());
        match hit {
            Some(j) => {
                taken[j] = true;
                pairs.push((i, j));
            }
            None => left.push(i),
        }
    }
    let mut by_key = queues(new, |op| Some(endpoint(op)));
    for queue in by_key.values_mut() {
        queue.retain(|j| !taken[*j]);
    }
    let mut removed = Vec::new();
    for i in left {
        match by_key.get_mut(&endpoint(&old[i])).and_then(Vec::pop) {
            Some(j) => {
                taken[j] = true;
                pairs.push((i, j));
            }
            None => removed.push(i),
        }
    }
    let added = (0..new.len()).filter(|j| !taken[*j]).collect();
    Matching {
        pairs,
        removed,
        added,
    }
}

/// Indices of operations by key, first one last (so `pop` takes it first).
fn queues(
    ops: &[Operation],
    key: impl Fn(&Operation) -> Option<String>,
) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (j, op) in ops.iter().enumerate().rev() {
        if let Some(k) = key(op) {
            out.entry(k).or_default().push(j);
        }
    }
    out
}

/// `POST /sequences/list`.
fn endpoint(op: &Operation) -> String {
    format!("{} {}", op.method, op.path)
}

/// `POST /sequences/list (advancedListSequences)`.
fn op_subject(op: &Operation) -> String {
    match &op.operation_id {
        Some(id) => format!("{} ({id})", endpoint(op)),
        None => endpoint(op),
    }
}

fn op_site(op: &Operation) -> Site {
    Site {
        group: format!("tag {}", op.tag),
        subject: op_subject(op),
        root: String::new(),
    }
}

fn location_name(location: Location) -> &'static str {
    match location {
        Location::Path => "path",
        Location::Query => "query",
        Location::Header => "header",
    }
}

/// `query parameter \`limit\``.
fn param_label(p: &Param) -> String {
    format!("{} parameter `{}`", location_name(p.location), p.wire)
}

/// Whether a parameter added to an operation breaks callers, and why.
fn added_param_rule(old: &Operation, new: &Operation, p: &Param) -> (bool, String) {
    if p.location == Location::Path {
        return (true, " (a new argument of the method)".into());
    }
    if p.required {
        return (true, " (required)".into());
    }
    let Some(params) = &new.params_type else {
        return (false, String::new());
    };
    if old.params_type.is_none() {
        return (
            true,
            format!(" (the method gains a `params: &{params}` argument)"),
        );
    }
    // `Params` structs are `#[non_exhaustive]` and built with `new` and
    // setters: an optional parameter is one more setter.
    (false, String::new())
}

/// The body argument of the method, as Rust.
fn body_text(ir: &Ir, body: &Body, expand: u8) -> String {
    match body {
        Body::Json { ty, .. } => format!("&{}", render(ir, ty, expand)),
        Body::Bytes { .. } => "bytes::Bytes".into(),
        Body::Multipart { .. } => "Vec<Part>".into(),
    }
}

/// What the method returns (inside `Result<_, Error>`).
fn success_text(ir: &Ir, success: &Success, expand: u8) -> String {
    match success {
        Success::Json(ty) => render(ir, ty, expand),
        Success::Empty => "()".into(),
        Success::Text { .. } => "String".into(),
        Success::Bytes { .. } => "bytes::Bytes".into(),
    }
}

fn content_type(success: &Success) -> Option<&str> {
    match success {
        Success::Text { content_type } | Success::Bytes { content_type } => Some(content_type),
        _ => None,
    }
}

/// The pagination helpers an operation has, by suffix of the method name.
fn helpers(op: &Operation) -> Vec<&'static str> {
    match &op.pagination {
        Some(p) if p.partition => vec!["_stream", "_partitioned"],
        Some(_) => vec!["_stream"],
        None => Vec::new(),
    }
}

/// First line of the summary, for an added operation.
fn summary(op: &Operation) -> String {
    op.summary
        .as_deref()
        .and_then(|s| s.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|s| format!(" — {s}"))
        .unwrap_or_default()
}

impl<'a> Differ<'a> {
    fn operations(&mut self) {
        let (old, new): (&'a [Operation], &'a [Operation]) =
            (&self.old.ir.operations, &self.new.ir.operations);
        let m = match_operations(old, new);
        for (i, j) in m.pairs {
            self.compare_operation(&old[i], &new[j]);
        }
        for i in m.removed {
            let op = &old[i];
            self.item = self.old.call(op);
            let detail = format!("`{}`", self.item);
            self.push(
                &op_site(op),
                ChangeKind::OperationRemoved,
                true,
                detail,
                &op.pointer,
            );
        }
        for j in m.added {
            let op = &new[j];
            self.item = self.new.call(op);
            let detail = format!("`{}`{}", self.item, summary(op));
            self.push(
                &op_site(op),
                ChangeKind::OperationAdded,
                false,
                detail,
                &op.pointer,
            );
        }
    }

    fn compare_operation(&mut self, o: &Operation, n: &Operation) {
        let site = op_site(n);
        let ptr = n.pointer.as_str();
        let (old_call, new_call) = (self.old.call(o), self.new.call(n));
        self.item = old_call.clone();
        if o.operation_id != n.operation_id {
            let id = |op: &Operation| op.operation_id.clone().unwrap_or_else(|| "(none)".into());
            // The lock keeps method names by the operation's place, so a new
            // operationId alone changes nothing a caller wrote.
            let (breaking, now) = if old_call == new_call {
                (false, format!("the lock keeps `{new_call}`"))
            } else {
                (true, format!("`{old_call}` is now `{new_call}`"))
            };
            let detail = format!("operationId `{}` → `{}`: {now}", id(o), id(n));
            self.push(&site, ChangeKind::OperationRenamed, breaking, detail, ptr);
        } else if o.name != n.name {
            let detail = format!("`{old_call}` is now `{new_call}`");
            self.push(&site, ChangeKind::OperationRenamed, true, detail, ptr);
        } else if old_call != new_call {
            let detail = format!(
                "tag `{}` → `{}`: `{old_call}` is now `{new_call}`",
                o.tag, n.tag
            );
            self.push(&site, ChangeKind::OperationMoved, true, detail, ptr);
        }
        if endpoint(o) != endpoint(n) {
            let detail = format!("now `{}` (was `{}`)", endpoint(n), endpoint(o));
            self.push(&site, ChangeKind::OperationPathChanged, false, detail, ptr);
        }
        if o.deprecated != n.deprecated {
            let detail = if n.deprecated {
                "deprecated"
            } else {
                "no longer deprecated"
            };
            self.push(
                &site,
                ChangeKind::OperationDeprecated,
                false,
                detail.into(),
                ptr,
            );
        }
        self.compare_pagination(&site, o, n);
        self.compare_params(&site, o, n);
        self.compare_body(&site, o, n);
        self.compare_response(&site, o, n);
    }

    fn compare_pagination(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let (had, has) = (helpers(o), helpers(n));
        for suffix in had.iter().filter(|s| !has.contains(s)) {
            let detail = format!("`{}{suffix}` helper removed", o.name);
            self.push(
                site,
                ChangeKind::PaginationChanged,
                true,
                detail,
                &n.pointer,
            );
        }
        for suffix in has.iter().filter(|s| !had.contains(s)) {
            let detail = format!("`{}{suffix}` helper added", n.name);
            self.push(
                site,
                ChangeKind::PaginationChanged,
                false,
                detail,
                &n.pointer,
            );
        }
    }

    fn compare_params(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let key = |p: &Param| (location_name(p.location), p.wire.clone());
        let old: BTreeMap<_, &Param> = o.params.iter().map(|p| (key(p), p)).collect();
        let new: BTreeMap<_, &Param> = n.params.iter().map(|p| (key(p), p)).collect();
        let ptr = n.pointer.as_str();
        let request = Dir {
            request: true,
            ..Dir::default()
        };
        let call = std::mem::take(&mut self.item);
        self.item = n.params_type.clone().unwrap_or_else(|| call.clone());
        for (k, p) in &old {
            let label = param_label(p);
            let Some(q) = new.get(k) else {
                let was = Slot::param(p).text(self.old.ir, 0);
                let detail = format!("{label} removed (was `{was}`)");
                self.push(site, ChangeKind::ParamRemoved, true, detail, &o.pointer);
                continue;
            };
            let slots = (Slot::param(p), Slot::param(q));
            self.compare_slots(site, &label, slots, request, ptr, Kinds::PARAM);
            self.descend(&site.with_root(label), "", &p.ty, &q.ty);
        }
        for (_, q) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
            let (breaking, why) = added_param_rule(o, n, q);
            let ty = Slot::param(q).text(self.new.ir, 0);
            let detail = format!("{} added: `{ty}`{why}", param_label(q));
            self.push(site, ChangeKind::ParamAdded, breaking, detail, ptr);
        }
        if let (Some(a), Some(b)) = (&o.params_type, &n.params_type) {
            if a != b {
                self.item = a.clone();
                let detail = format!("parameters struct `{a}` is now `{b}`");
                self.push(site, ChangeKind::ParamRetyped, true, detail, ptr);
            }
        }
        self.item = call;
    }

    fn compare_body(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let (oi, ni) = (self.old.ir, self.new.ir);
        let ptr = n.pointer.as_str();
        let (breaking, detail) = match (&o.body, &n.body) {
            (None, None) => return,
            (None, Some(b)) => (
                true,
                format!(
                    "request body added: `{}` (a new argument of the method)",
                    body_text(ni, b, 0)
                ),
            ),
            (Some(a), None) => (
                true,
                format!("request body removed (was `{}`)", body_text(oi, a, 0)),
            ),
            (
                Some(Body::Bytes {
                    content_type: x, ..
                }),
                Some(Body::Bytes {
                    content_type: y, ..
                }),
            ) => {
                if x == y {
                    return;
                }
                (false, format!("request body content type `{x}` → `{y}`"))
            }
            (Some(a), Some(b)) => {
                if let (Body::Json { ty: s, .. }, Body::Json { ty: t, .. }) = (a, b) {
                    self.descend(&site.with_root("request body".into()), "", s, t);
                }
                if !self.retyped(|ir, e| body_text(ir, a, e), |ir, e| body_text(ir, b, e)) {
                    return;
                }
                let (x, y) = (body_text(oi, a, 0), body_text(ni, b, 0));
                (true, format!("request body retyped: `{x}` → `{y}`"))
            }
        };
        self.push(site, ChangeKind::RequestBodyChanged, breaking, detail, ptr);
    }

    fn compare_response(&mut self, site: &Site, o: &Operation, n: &Operation) {
        let (a, b) = (&o.response, &n.response);
        let ptr = n.pointer.as_str();
        if self.retyped(
            |ir, e| success_text(ir, a, e),
            |ir, e| success_text(ir, b, e),
        ) {
            let (x, y) = (
                success_text(self.old.ir, a, 0),
                success_text(self.new.ir, b, 0),
            );
            let detail = format!("returns `{y}` (was `{x}`)");
            self.push(site, ChangeKind::ResponseChanged, true, detail, ptr);
        } else if let (Some(x), Some(y)) = (content_type(a), content_type(b)) {
            if x != y {
                let detail = format!("response content type `{x}` → `{y}`");
                self.push(site, ChangeKind::ResponseChanged, false, detail, ptr);
            }
        }
        if let (Success::Json(s), Success::Json(t)) = (a, b) {
            self.descend(&site.with_root("response".into()), "", s, t);
        }
    }
}

// ---- output ----------------------------------------------------------------

impl SpecDiff {
    /// Something changed that breaks a caller (see the module doc for the rules).
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.breaking)
    }

    pub fn breaking_count(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    /// `3 breaking changes, 1 other change.`
    pub fn summary(&self) -> String {
        if self.changes.is_empty() {
            return "No changes.".into();
        }
        let b = self.breaking_count();
        let n = self.changes.len() - b;
        let plural =
            |k: usize, what: &str| format!("{k} {what} change{}", if k == 1 { "" } else { "s" });
        format!("{}, {}.", plural(b, "breaking"), plural(n, "other"))
    }

    /// The report as Markdown, ready for the generated crate's changelog:
    /// breaking changes first, each section by tag, then schemas; no dates.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "## API changes: {} → {}\n\n{}\n",
            self.old_title_version,
            self.new_title_version,
            self.summary()
        );
        for (title, breaking) in [("Breaking changes", true), ("Other changes", false)] {
            let section: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| c.breaking == breaking)
                .collect();
            if section.is_empty() {
                continue;
            }
            out.push_str(&format!("\n### {title}\n"));
            for group in section.chunk_by(|a, b| a.group == b.group) {
                out.push_str(&format!("\n#### {}\n\n", group_title(&group[0].group)));
                render_group(&mut out, group);
            }
        }
        out
    }

    /// The report as JSON: both titles, the counts, and every change.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Report<'r> {
            breaking: bool,
            breaking_changes: usize,
            other_changes: usize,
            #[serde(flatten)]
            diff: &'r SpecDiff,
        }
        let b = self.breaking_count();
        let report = Report {
            breaking: b > 0,
            breaking_changes: b,
            other_changes: self.changes.len() - b,
            diff: self,
        };
        serde_json::to_string_pretty(&report)
            .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string())
    }
}

fn group_title(group: &str) -> String {
    match group.strip_prefix("tag ") {
        Some(tag) => format!("Operations: {tag}"),
        None if group == SCHEMAS => "Schemas".into(),
        None => group.to_string(),
    }
}

/// `` `POST /x` (`createX`) `` or `` `GetSequenceDto` ``.
fn subject_md(subject: &str) -> String {
    if let Some(name) = subject.strip_prefix("schema ") {
        return format!("`{name}`");
    }
    match subject.strip_suffix(')').and_then(|s| s.rsplit_once(" (")) {
        Some((endpoint, id)) => format!("`{endpoint}` (`{id}`)"),
        None => format!("`{subject}`"),
    }
}

/// Additions and removals of whole operations and schemas as lists, the
/// rest under their subject.
fn render_group(out: &mut String, changes: &[&Change]) {
    let of = |kind: ChangeKind| -> Vec<&Change> {
        changes.iter().copied().filter(|c| c.kind == kind).collect()
    };
    for (kind, title) in [
        (ChangeKind::OperationAdded, "Added operations"),
        (ChangeKind::OperationRemoved, "Removed operations"),
    ] {
        let list = of(kind);
        if !list.is_empty() {
            out.push_str(&format!("- {title}:\n"));
            for c in list {
                out.push_str(&format!("  - {}: {}\n", subject_md(&c.subject), c.detail));
            }
        }
    }
    for (kind, title) in [
        (ChangeKind::SchemaAdded, "Added schemas"),
        (ChangeKind::SchemaRemoved, "Removed schemas"),
    ] {
        let list = of(kind);
        if !list.is_empty() {
            let names: Vec<String> = list.iter().map(|c| subject_md(&c.subject)).collect();
            out.push_str(&format!(
                "- {title} ({}): {}\n",
                list.len(),
                names.join(", ")
            ));
        }
    }
    let listed = [
        ChangeKind::OperationAdded,
        ChangeKind::OperationRemoved,
        ChangeKind::SchemaAdded,
        ChangeKind::SchemaRemoved,
    ];
    let rest: Vec<&Change> = changes
        .iter()
        .copied()
        .filter(|c| !listed.contains(&c.kind))
        .collect();
    for subject in rest.chunk_by(|a, b| a.subject == b.subject) {
        out.push_str(&format!("- {}\n", subject_md(&subject[0].subject)));
        for c in subject {
            out.push_str(&format!("  - {}\n", c.detail));
        }
    }
}
