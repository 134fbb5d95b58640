//! The change report between two specs, written for users of the generated
//! client (`cargo xtask diff OLD NEW [--json]`).
//!
//! Both specs go through the same pipeline as code generation
//! ([`crate::load`] then [`crate::ir::build`]) and the two [`Ir`]s are
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

use crate::emit::rust_type::RustType;
use crate::error::Result;
use crate::ir::{Body, Location, Operation, Param, Success};
use crate::ir::{Field, Ir, StringEnum, Struct, Ty, TypeDef, TypeId, TypeKind, Union};
use crate::load::Loaded;
use crate::overrides::Overrides;

mod compare;
mod direction;
mod operations;
mod output;
mod render;
mod site;

use compare::*;
use direction::*;
pub use render::describe;
use render::*;
use site::*;

/// What kind of change one [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new operation: a new method.
    OperationAdded,
    /// An operation gone: its method is gone.
    OperationRemoved,
    /// The operationId, hence the Rust method name, changed at the same
    /// `METHOD path`; or the method name changed under the same operationId.
    OperationRenamed,
    /// Another tag, hence another accessor (`client.<tag>()`).
    OperationMoved,
    /// Same operationId, another method or path template.
    OperationPathChanged,
    /// The operation is now marked deprecated.
    OperationDeprecated,
    /// `*_stream` or `*_partitioned` helpers gained or lost.
    PaginationChanged,
    /// A new parameter: a new argument, or a new field of the `Params` struct.
    ParamAdded,
    /// A parameter gone.
    ParamRemoved,
    /// A parameter of another type.
    ParamRetyped,
    /// A parameter now required, or no longer required.
    ParamRequiredChanged,
    /// A request body added, removed, or of another type.
    RequestBodyChanged,
    /// The success response is of another type.
    ResponseChanged,
    /// A new field of a struct.
    FieldAdded,
    /// A field gone.
    FieldRemoved,
    /// A field of another type.
    FieldRetyped,
    /// A field now required (plain `T`), or now optional (`Option<T>`).
    FieldRequiredChanged,
    /// A new value of a string enum.
    EnumValueAdded,
    /// A value of a string enum gone.
    EnumValueRemoved,
    /// Same wire value, another Rust variant name.
    EnumValueRenamed,
    /// A new variant of a union.
    VariantAdded,
    /// A variant of a union gone.
    VariantRemoved,
    /// A variant that holds another type.
    VariantRetyped,
    /// A struct callers could not build (only read from answers) now has
    /// `new` and setters, because a request carries it or no answer does.
    ConstructorAdded,
    /// A struct callers built is now only read from answers: `new` and its
    /// setters are gone.
    ConstructorRemoved,
    /// A new component schema: a new type.
    SchemaAdded,
    /// A component schema gone: its type is gone.
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
    /// What kind of change this is.
    pub kind: ChangeKind,
    /// Whether code that compiled against the old crate may not compile against the new one.
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
    /// `info.title` and `info.version` of the new spec.
    pub new_title_version: String,
    /// Every change, in the order the report prints them.
    pub changes: Vec<Change>,
}

/// Loads and builds both specs (JSON or YAML, OpenAPI 3.0 or 3.1), then
/// compares them, both read with the spec's `profile` (its conventions
/// decide which methods exist). The old crate's names are those of a
/// generation without pins; the new one's are what regenerating with its
/// lock gives.
pub fn diff_texts(old: &str, new: &str, profile: &Overrides) -> Result<SpecDiff> {
    crate::on_large_stack(|| {
        let old = crate::ir::build(&crate::load::load_str(old)?, profile)?;
        let carried = Overrides {
            locked_types: old.lock_types(),
            locked_methods: old
                .operations
                .iter()
                .map(|o| (o.pointer.clone(), o.name.clone()))
                .collect(),
            ..profile.clone()
        };
        let new = crate::ir::build(&crate::load::load_str(new)?, &carried)?;
        Ok(diff(&old, &new))
    })?
}

/// Builds both specs as a maintainer's crates have them: the new one with
/// `overrides` (the pins and the lock, as `codegen` would), the old one
/// with the same, and where the lock does not know an old schema, with the
/// name its counterpart has in the new crate (a branch that since gained a
/// title, say). Either way a schema in both has one name in both.
pub fn diff_with(old: &Loaded, new: &Loaded, overrides: &Overrides) -> Result<SpecDiff> {
    let new = crate::ir::build(new, overrides)?;
    let mut locked = new.lock_aliases();
    locked.extend(new.lock_types());
    locked.extend(overrides.locked_types.clone());
    let old_overrides = Overrides {
        locked_types: locked,
        ..overrides.clone()
    };
    let old = crate::ir::build(old, &old_overrides)?;
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
