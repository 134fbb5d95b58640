//! Component and inline schemas → [`TypeDef`]s.
//!
//! Names are decided in two rounds: every component schema first (sorted by
//! spec name, so `Limit` beats `limit` to the plain name), then inline
//! schemas as they are met, named after where they stand (`Parent` + field).
//! Inline schemas are cached by JSON pointer, so a property merged into
//! several structs through `allOf` gives one type, not one per user.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use heck::ToUpperCamelCase;
use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use super::identity::{self, Identity};
use super::view::{self, view, Extra, Kind, View};
use super::{
    Constraints, EnumValue, Fallback, Field, Finding, Ir, Kinds, StringEnum, Struct, Ty, TypeDef,
    TypeId, TypeKind, Union, Variant,
};
use crate::error::{join, Error, Result};
use crate::load::Loaded;
use crate::naming::{self, Scope};
use crate::overrides::Overrides;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

pub fn build(loaded: &Loaded, overrides: &Overrides) -> Result<Ir> {
    let doc = &loaded.doc;
    let empty = IndexMap::new();
    let schemas = doc.components.as_ref().map_or(&empty, |c| &c.schemas);
    let mut b = Builder {
        schemas,
        identity: Identity::new(&loaded.raw),
        ids: BTreeMap::new(),
        slots: Vec::new(),
        scope: Scope::default(),
        inline: HashMap::new(),
        segments: HashMap::new(),
        locked: HashMap::new(),
        lock_names: HashSet::new(),
        fallbacks: Vec::new(),
        findings: Vec::new(),
    };
    let mut names: Vec<&String> = schemas.keys().collect();
    names.sort();
    // Pinned names first, so no generated name can take one of them.
    let mut pinned = BTreeMap::new();
    for (raw, o) in &overrides.schemas {
        let Some(name) = &o.name else { continue };
        if !schemas.contains_key(raw) {
            b.finding(
                "/components/schemas",
                format!("spec/codegen.toml names schema `{raw}`, which the spec does not have"),
            );
            continue;
        }
        if b.scope.contains(name) {
            return Err(Error::invalid(
                format!("spec/codegen.toml: schemas.{raw:?}.name"),
                format!("`{name}` is pinned for two schemas"),
            ));
        }
        pinned.insert(raw.as_str(), b.scope.claim(name));
    }
    // Then the names the lock remembers, each kept for its own schema.
    let same_spec = loaded.sha256.is_some() && loaded.sha256 == overrides.lock_spec_sha256;
    for (key, name) in &overrides.locked_types {
        let Some(key) = b.lock_key(key, name, same_spec) else {
            continue;
        };
        // A name may be locked under several keys (the forms one schema
        // had); the first type that matches one takes it.
        if !b.scope.contains(name) {
            b.scope.claim(name);
            b.lock_names.insert(name.clone());
        }
        if b.lock_names.contains(name) {
            b.locked.insert(key, name.clone());
        }
    }
    for raw in &names {
        let pointer = join("/components/schemas", raw);
        let name = match pinned.get(raw.as_str()) {
            Some(name) => name.clone(),
            None => b.type_name_for(&pointer, raw),
        };
        let id = TypeId(b.slots.len());
        b.slots.push(Slot::Reserved(name));
        b.ids.insert(raw.to_string(), id);
    }
    for raw in &names {
        let id = b.ids[raw.as_str()];
        let pointer = join("/components/schemas", raw);
        let def = match &schemas[raw.as_str()] {
            ReferenceOr::Reference { reference } => {
                let ty = b.reference(reference, &pointer)?;
                b.def(id, &pointer, None, TypeKind::Alias(ty), None)
            }
            ReferenceOr::Item(schema) => {
                let kind = b.kind(schema, &pointer, id)?;
                b.def(
                    id,
                    &pointer,
                    Some(schema),
                    kind,
                    schema.schema_data.example.clone(),
                )
            }
        };
        b.slots[id.0] = Slot::Done(Box::new(def));
    }
    let operations = super::operation::build_operations(&mut b, doc, overrides)?;
    let types = b
        .slots
        .into_iter()
        .enumerate()
        .map(|(i, slot)| match slot {
            Slot::Done(def) => Ok(*def),
            Slot::Reserved(name) => Err(Error::invalid(
                "/components/schemas",
                format!("internal: type #{i} `{name}` was named but never built"),
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    let mut findings = b.findings;
    let datapoints = datapoints_path(&operations, overrides, &mut findings);
    let mut ir = Ir {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        types,
        component_count: names.len(),
        operations,
        servers: super::operation::servers(doc),
        headers: overrides.headers.clone(),
        datapoints,
        groups: Vec::new(),
        fallbacks: b.fallbacks,
        findings,
        shared: Vec::new(),
        conformance: Default::default(),
        shapes: Default::default(),
    };
    let names = super::shared::Names {
        pinned: overrides
            .schemas
            .values()
            .filter_map(|o| o.name.as_deref())
            .collect(),
        locked: overrides
            .locked_types
            .values()
            .map(String::as_str)
            .collect(),
    };
    super::shared::merge(&mut ir, &names);
    super::access::relax(&mut ir);
    super::cycles::box_cycles(&mut ir);
    super::features::assign(&mut ir, &doc.extensions);
    ir.shapes = super::shapes::build(&ir);
    super::shapes::catch_alls(&mut ir);
    check_examples(&mut ir);
    ir.fallbacks.sort();
    ir.findings.sort();
    ir.findings.dedup();
    Ok(ir)
}

/// Sorts the spec's examples into those that fit their type and those that
/// do not (each misfit reported as a finding).
fn check_examples(ir: &mut Ir) {
    let mut found = Vec::new();
    for i in 0..ir.types.len() {
        let Some(example) = &ir.types[i].example else {
            continue;
        };
        let problems = super::check::problems(ir, &Ty::Named(TypeId(i)), example);
        for p in &problems {
            found.push(Finding {
                pointer: join(&ir.types[i].pointer, "example"),
                message: format!("example does not fit the schema: {p}"),
            });
        }
        ir.types[i].example_problems = problems;
    }
    ir.findings.extend(found);
}

enum Slot {
    Reserved(String),
    Done(Box<TypeDef>),
}

pub(super) struct Builder<'a> {
    schemas: &'a IndexMap<String, ReferenceOr<Schema>>,
    ids: BTreeMap<String, TypeId>,
    slots: Vec<Slot>,
    pub(super) scope: Scope,
    /// Lock keys of the normalised document (see [`identity`]).
    identity: Identity<'a>,
    /// Inline schemas already turned into a type, by JSON pointer.
    inline: HashMap<String, Ty>,
    /// The places each type name was made of (component, property,
    /// variant, ...), so that a nested type can leave the middle ones out.
    segments: HashMap<String, Vec<String>>,
    /// Type names from the lock, reserved for the key that had them.
    locked: HashMap<String, String>,
    /// Locked names no type has taken yet.
    lock_names: HashSet<String>,
    fallbacks: Vec<Fallback>,
    findings: Vec<Finding>,
}

/// One property gathered for a struct, with the type name of its owner (for
/// naming an inline property type after the schema that declares it).
struct Prop<'a> {
    wire: &'a str,
    schema: &'a ReferenceOr<Box<Schema>>,
    pointer: String,
    owner: String,
}

/// Everything an object-like schema contributes to a struct.
#[derive(Default)]
struct Shape<'a> {
    props: Vec<Prop<'a>>,
    required: BTreeSet<String>,
    extra: Option<(Extra<'a>, String, String)>,
    /// `allOf` parts that are not plain objects (maps, unions, arrays, ...).
    others: Vec<(&'a ReferenceOr<Schema>, String)>,
    /// Schemas whose own `oneOf`/`anyOf` stands beside properties: (schema, pointer, owner).
    unions: Vec<(&'a Schema, String, String)>,
}

impl<'a> Builder<'a> {
    /// A type already built (every component is, once operations are read).
    pub(super) fn built(&self, id: TypeId) -> Option<&TypeDef> {
        match self.slots.get(id.0) {
            Some(Slot::Done(def)) => Some(def),
            _ => None,
        }
    }

    pub(super) fn name_of(&self, id: TypeId) -> &str {
        match &self.slots[id.0] {
            Slot::Reserved(name) => name,
            Slot::Done(def) => &def.name,
        }
    }

    fn def(
        &self,
        id: TypeId,
        pointer: &str,
        schema: Option<&Schema>,
        kind: TypeKind,
        example: Option<Value>,
    ) -> TypeDef {
        let key = self.identity.key(pointer);
        TypeDef {
            name: self.name_of(id).to_string(),
            pointer: pointer.to_string(),
            key: key.key,
            aliases: key.alternatives,
            doc: schema.and_then(doc_of),
            kind,
            example,
            example_problems: Vec::new(),
            features: Vec::new(),
            constraints: schema.map(view::constraints).unwrap_or_default(),
        }
    }

    /// The locked name of the type at `pointer`, else a fresh one from
    /// `hint`. A key that had to use a position is reported: its name holds
    /// only while the siblings keep their order.
    pub(super) fn type_name_for(&mut self, pointer: &str, hint: &str) -> String {
        let key = self.identity.key(pointer);
        if key.positional {
            self.finding(
                pointer,
                "nothing sets this schema apart from its siblings ($ref, title, const, own property or type); \
                 its name is locked by position"
                    .into(),
            );
        }
        let known = std::iter::once(&key.key).chain(&key.alternatives);
        let found = known
            .into_iter()
            .find_map(|k| self.locked.remove(k).filter(|n| self.lock_names.remove(n)));
        let mut segments: Vec<String> = hint.split(naming::SEGMENT).map(str::to_string).collect();
        if let Some(outer) = self.segments.get(&segments[0]) {
            segments.splice(0..1, outer.iter().cloned());
        }
        let name = match found {
            Some(name) => name,
            None => self.fresh_name(&segments),
        };
        self.segments.insert(name.clone(), segments);
        name
    }

    /// The name of a type nested `segments` deep: all of them while that
    /// stays within [`naming::LONG_NAME`] characters. Else the outermost
    /// (the component, which says what the value belongs to) and as few of
    /// the innermost as make it short and free: `SubscriptionsUpdateRequest`
    /// › `Item` › `Update` › `TimeSeriesIds` is
    /// `SubscriptionsUpdateRequestTimeSeriesIds`. The innermost alone
    /// serves when it names the value by itself: a wrapper's content
    /// (`NumberHistogramAggregate` › `NumberHistogram`) or a name of three
    /// words or more (`CogniteCapability` › `Item` › `DataModelInstancesAcl`).
    fn fresh_name(&mut self, segments: &[String]) -> String {
        let full = naming::type_name(&segments.join(" "));
        let n = segments.len();
        if full.len() <= naming::LONG_NAME || n < 2 {
            return self.scope.claim(&full);
        }
        let joined = |parts: &[&String]| {
            naming::type_name(
                &parts
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        };
        let mut candidates: Vec<String> = (1..n.saturating_sub(1))
            .map(|keep| {
                let kept: Vec<&String> = std::iter::once(&segments[0])
                    .chain(&segments[n - keep..])
                    .collect();
                joined(&kept)
            })
            .collect();
        let inner = naming::type_name(&segments[n - 1]);
        let outer = naming::type_name(&segments[..n - 1].join(" "));
        let words = naming::words(&inner).len();
        let wraps = outer.to_lowercase().contains(&inner.to_lowercase());
        if words >= 3 || (words >= 2 && wraps) {
            candidates.push(inner);
        }
        candidates.retain(|name| !self.scope.contains(name));
        let pick = candidates
            .iter()
            .find(|name| name.len() <= naming::LONG_NAME)
            .or(candidates.iter().min_by_key(|name| name.len()))
            .filter(|name| name.len() < full.len())
            .unwrap_or(&full)
            .clone();
        self.scope.claim(&pick)
    }

    /// A lock entry as a key of this document. An entry in the positional
    /// format of older locks is translated when the lock was written for
    /// this very spec; for another spec its positions may mean other
    /// schemas, so it is dropped (and reported) rather than trusted.
    fn lock_key(&mut self, entry: &str, name: &str, same_spec: bool) -> Option<String> {
        if !identity::is_positional_pointer(entry) {
            return Some(entry.to_string());
        }
        if same_spec {
            return Some(self.identity.key(entry).key);
        }
        self.finding(
            entry,
            format!(
                "spec/codegen.lock keys `{name}` by position, for another spec; \
                 the name is not carried (run `cargo xtask codegen` on the old spec to rewrite the lock)"
            ),
        );
        None
    }

    pub(super) fn add_inline(
        &mut self,
        hint: &str,
        pointer: &str,
        schema: &Schema,
        build: impl FnOnce(&mut Self, TypeId) -> Result<TypeKind>,
    ) -> Result<Ty> {
        let name = self.type_name_for(pointer, hint);
        let id = TypeId(self.slots.len());
        self.slots.push(Slot::Reserved(name));
        let ty = Ty::Named(id);
        self.inline.insert(pointer.to_string(), ty.clone());
        let kind = build(self, id)?;
        let def = self.def(
            id,
            pointer,
            Some(schema),
            kind,
            schema.schema_data.example.clone(),
        );
        self.slots[id.0] = Slot::Done(Box::new(def));
        Ok(ty)
    }

    /// Follows a `$ref` (and references to references) to its schema. Returns
    /// the component's spec name and, for a reference into a component
    /// (`#/components/schemas/A/properties/b`), the pointer of the sub-schema.
    pub(super) fn resolve(&self, reference: &str, pointer: &str) -> Result<(&'a str, &'a Schema)> {
        self.resolve_full(reference, pointer)
            .map(|(name, schema, _)| (name, schema))
    }

    fn resolve_full(
        &self,
        reference: &str,
        pointer: &str,
    ) -> Result<(&'a str, &'a Schema, Option<String>)> {
        let mut seen = BTreeSet::new();
        let mut current = reference.to_string();
        loop {
            let bad = |message: &str| Error::Reference {
                pointer: pointer.to_string(),
                target: current.clone(),
                message: message.to_string(),
            };
            let rest = current
                .strip_prefix(SCHEMA_PREFIX)
                .ok_or_else(|| bad("is not a local `#/components/schemas/` reference"))?;
            let tokens: Vec<String> = rest.split('/').map(unescape).collect();
            let (key, value) = self
                .schemas
                .get_key_value(tokens[0].as_str())
                .ok_or_else(|| bad("points at no schema"))?;
            let next = match value {
                ReferenceOr::Item(schema) if tokens.len() == 1 => {
                    return Ok((key.as_str(), schema, None))
                }
                ReferenceOr::Item(schema) => {
                    let sub = sub_schema(schema, &tokens[1..])
                        .ok_or_else(|| bad("points at no schema"))?;
                    match sub {
                        Sub::Schema(s) => {
                            let mut at = join("/components/schemas", key);
                            for t in &tokens[1..] {
                                at = join(&at, t);
                            }
                            return Ok((key.as_str(), s, Some(at)));
                        }
                        Sub::Ref(reference) => reference.to_string(),
                    }
                }
                ReferenceOr::Reference { reference } if tokens.len() == 1 => reference.clone(),
                ReferenceOr::Reference { .. } => return Err(bad("passes through a reference")),
            };
            if !seen.insert(next.clone()) {
                return Err(bad("is part of a cycle of references to references"));
            }
            current = next;
        }
    }

    /// A `$ref` as a field type: the named component (nullable if it says so),
    /// or the type of the sub-schema it points into.
    fn reference(&mut self, reference: &str, pointer: &str) -> Result<Ty> {
        let (raw, schema, sub) = self.resolve_full(reference, pointer)?;
        if let Some(at) = sub {
            let hint = naming::type_name(
                &at.replace("/components/schemas/", "")
                    .replace("/properties/", " "),
            );
            return self.inline_ty(schema, &hint, &at);
        }
        let direct = reference.strip_prefix(SCHEMA_PREFIX).map(unescape);
        let id = direct
            .and_then(|n| self.ids.get(&n).copied())
            .or_else(|| self.ids.get(raw).copied())
            .ok_or_else(|| Error::Reference {
                pointer: pointer.to_string(),
                target: reference.to_string(),
                message: "points at no schema".into(),
            })?;
        let ty = Ty::Named(id);
        Ok(if schema.schema_data.nullable {
            ty.nullable()
        } else {
            ty
        })
    }

    /// The type of a schema or reference standing at `pointer`, naming any
    /// new inline type after `hint`.
    pub(super) fn ty<S: AsSchema>(
        &mut self,
        r: &'a ReferenceOr<S>,
        hint: &str,
        pointer: &str,
    ) -> Result<Ty> {
        match r {
            ReferenceOr::Reference { reference } => {
                self.reference(reference, &join(pointer, "$ref"))
            }
            ReferenceOr::Item(s) => self.inline_ty(s.schema(), hint, pointer),
        }
    }

    fn inline_ty(&mut self, schema: &'a Schema, hint: &str, pointer: &str) -> Result<Ty> {
        if let Some(ty) = self.inline.get(pointer) {
            return Ok(ty.clone());
        }
        let v = view(schema);
        let ty = if !v.all_of.is_empty() {
            match single_part(&v) {
                Some(part) => self.ty(part, hint, &join(pointer, "allOf/0"))?,
                None => {
                    self.add_inline(hint, pointer, schema, |b, id| b.kind(schema, pointer, id))?
                }
            }
        } else if let Some(only) = single_variant(&v) {
            self.ty(
                only,
                hint,
                &join(
                    pointer,
                    if v.one_of.is_empty() {
                        "anyOf/0"
                    } else {
                        "oneOf/0"
                    },
                ),
            )?
        } else if !v.one_of.is_empty()
            || !v.any_of.is_empty()
            || string_enum(&v).is_some()
            || has_properties(&v)
        {
            self.add_inline(hint, pointer, schema, |b, id| b.kind(schema, pointer, id))?
        } else {
            self.plain(&v, hint, pointer)?
        };
        Ok(if schema.schema_data.nullable {
            ty.nullable()
        } else {
            ty
        })
    }

    /// Types that need no definition of their own: primitives, arrays, maps.
    fn plain(&mut self, v: &View<'a>, hint: &str, pointer: &str) -> Result<Ty> {
        Ok(match v.kind {
            Kind::String => Ty::String,
            Kind::Integer => Ty::Integer {
                bits: if v.format.as_deref() == Some("int32") {
                    32
                } else {
                    64
                },
            },
            Kind::Number => Ty::Number,
            Kind::Boolean => Ty::Boolean,
            Kind::Array => match v.items {
                Some(items) => {
                    let hint = self.item_hint(hint);
                    Ty::Array(Box::new(self.ty(items, &hint, &join(pointer, "items"))?))
                }
                None => Ty::Array(Box::new(Ty::Any)),
            },
            Kind::Object | Kind::Unspecified => match &v.extra {
                Some(Extra::Schema(s)) => Ty::Map(Box::new(self.ty(
                    s,
                    &format!("{hint}Value"),
                    &join(pointer, "additionalProperties"),
                )?)),
                _ if v.kind == Kind::Object => Ty::FreeObject,
                _ if !v.enumeration.is_empty() => self.loose_enum(v, pointer),
                _ if v.has_not => {
                    self.fallback(
                        pointer,
                        "`not` cannot be expressed as a Rust type; any JSON value accepted",
                    );
                    Ty::Any
                }
                _ => Ty::Any,
            },
            Kind::Unknown => {
                self.fallback(pointer, "unknown `type`; any JSON value accepted");
                Ty::Any
            }
        })
    }

    /// The name hint of a list's element: the list's name made singular
    /// (`…Items` → `…Item`), unless that is a component's name (or taken),
    /// then `…Item` appended.
    fn item_hint(&self, hint: &str) -> String {
        match naming::singular(hint) {
            Some(one) if !self.scope.contains(&naming::type_name(&one)) => one,
            _ => format!("{hint}Item"),
        }
    }

    /// An enum without `type` whose values are not all strings.
    fn loose_enum(&mut self, v: &View<'a>, pointer: &str) -> Ty {
        let kinds: BTreeSet<&str> = v.enumeration.iter().map(json_kind_name).collect();
        match kinds
            .iter()
            .copied()
            .filter(|k| *k != "null")
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["integer"] => Ty::Integer { bits: 64 },
            ["number"] | ["integer", "number"] => Ty::Number,
            ["boolean"] => Ty::Boolean,
            _ => {
                self.fallback(
                    pointer,
                    &format!(
                        "enum mixes JSON kinds ({}); kept as a JSON value",
                        kinds.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                );
                Ty::Any
            }
        }
    }

    pub(super) fn fallback(&mut self, pointer: &str, reason: &str) {
        self.fallbacks.push(Fallback {
            pointer: pointer.to_string(),
            reason: reason.to_string(),
        });
    }

    /// What `validate()` checks on a value of `schema`; patterns it cannot
    /// check are reported.
    pub(super) fn rules<S: std::borrow::Borrow<Schema>>(
        &mut self,
        schema: &'a ReferenceOr<S>,
        pointer: &str,
    ) -> super::rules::Rules {
        let resolve = |reference: &str| self.resolve(reference, pointer).ok().map(|(_, s)| s);
        let mut reader = super::rules::Reader {
            resolve: &resolve,
            findings: Vec::new(),
        };
        let rules = reader.of(schema, pointer);
        let found = reader.findings;
        self.findings.extend(found);
        rules
    }

    /// `readOnly` and `writeOnly` of a property, on it or on the schema
    /// its `$ref` names.
    fn access(&self, schema: &ReferenceOr<Box<Schema>>) -> (bool, bool) {
        let data = match schema {
            ReferenceOr::Item(s) => Some(&s.schema_data),
            ReferenceOr::Reference { reference } => self
                .resolve(reference, "")
                .ok()
                .map(|(_, s)| &s.schema_data),
        };
        data.map_or((false, false), |d| (d.read_only, d.write_only))
    }

    pub(super) fn finding(&mut self, pointer: &str, message: String) {
        self.findings.push(Finding {
            pointer: pointer.to_string(),
            message,
        });
    }

    /// An untitled inline branch is named for its one value, else by its
    /// kind (`String`, `Object`) where no sibling shares it, else for what
    /// sets it apart (`ExternalId`, `SourceIdTargetId`), not for its place.
    fn untitled_variant_name(&self, at: &str, kind_names: &[String], i: usize) -> String {
        let kind = &kind_names[i];
        let shared =
            kind.starts_with("Variant") || kind_names.iter().filter(|k| *k == kind).count() > 1;
        match identity::variant_words(&self.identity.key(at).key) {
            Some((words, is_value)) if is_value || shared => naming::type_name(&words),
            _ => kind.clone(),
        }
    }

    /// The definition of a named type.
    fn kind(&mut self, schema: &'a Schema, pointer: &str, id: TypeId) -> Result<TypeKind> {
        let v = view(schema);
        let name = self.name_of(id).to_string();
        if !v.all_of.is_empty() {
            if let Some(part) = single_part(&v) {
                let ty = self.ty(part, &name, &join(pointer, "allOf/0"))?;
                return Ok(TypeKind::Alias(strip_nullable_if(ty, schema)));
            }
            return self.merged(schema, pointer, &name);
        }
        if let Some(only) = single_variant(&v) {
            let which = if v.one_of.is_empty() {
                "anyOf/0"
            } else {
                "oneOf/0"
            };
            return Ok(TypeKind::Alias(self.ty(
                only,
                &name,
                &join(pointer, which),
            )?));
        }
        if !v.one_of.is_empty() || !v.any_of.is_empty() {
            if has_properties(&v) {
                return self.merged(schema, pointer, &name);
            }
            return self.union(schema, &v, pointer, &name);
        }
        if let Some(values) = string_enum(&v) {
            return Ok(TypeKind::Enum(self.string_enum(&values, pointer)));
        }
        if has_properties(&v) {
            return self.merged(schema, pointer, &name);
        }
        let ty = self.plain(&v, &name, pointer)?;
        Ok(TypeKind::Alias(ty))
    }

    fn string_enum(&mut self, values: &[String], pointer: &str) -> StringEnum {
        let plain: Vec<String> = values.iter().map(|v| naming::variant_name(v)).collect();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in &plain {
            *counts.entry(p.as_str()).or_default() += 1;
        }
        let mut scope = Scope::with_reserved(&["Other"]);
        let mut out = Vec::new();
        for (wire, p) in values.iter().zip(&plain) {
            let want = if counts[p.as_str()] > 1 {
                naming::case_preserving_variant(wire)
            } else {
                p.clone()
            };
            let name = scope.claim(&want);
            out.push(EnumValue {
                wire: wire.clone(),
                name,
            });
        }
        if out.len() < values.len() {
            self.finding(pointer, "enum lists a value twice".into());
        }
        StringEnum { values: out }
    }

    /// An object, or an `allOf` of parts merged into one struct.
    /// A property's constraints. Through a `$ref` only `maxItems` is kept:
    /// bulk calls need the limit of an `items` array wherever it is declared,
    /// while the synthesiser keeps to what the property itself says.
    fn prop_constraints(&self, schema: &ReferenceOr<Box<Schema>>, pointer: &str) -> Constraints {
        match schema {
            ReferenceOr::Item(s) => view::constraints(s),
            ReferenceOr::Reference { reference } => Constraints {
                max_items: self
                    .resolve(reference, pointer)
                    .ok()
                    .and_then(|(_, s)| view::constraints(s).max_items),
                ..Default::default()
            },
        }
    }

    fn merged(&mut self, schema: &'a Schema, pointer: &str, name: &str) -> Result<TypeKind> {
        let mut shape = Shape::default();
        let mut visiting = BTreeSet::new();
        self.gather(schema, pointer, name, &mut shape, &mut visiting)?;
        if shape.props.is_empty() && shape.unions.is_empty() && shape.others.len() == 1 {
            let (part, at) = shape.others[0].clone();
            return Ok(TypeKind::Alias(self.ty(part, name, &at)?));
        }
        let mut scope = Scope::default();
        let mut fields = Vec::new();
        let mut declared = BTreeSet::new();
        for prop in &shape.props {
            if !declared.insert(prop.wire.to_string()) {
                // A later part restating the property may add what the
                // first one left out (an `allOf` that gives `issuer` an
                // example while the base gives its `format`).
                // `allOf` means both hold, so the narrower type wins: one
                // that only annotates (no type) leaves the type to the part
                // that has one, and a plain string gives way to the enum a
                // later part restricts it to (a `topic` that the base calls
                // a string and each variant names).
                let Some(at) = fields.iter().position(|f: &Field| f.wire == prop.wire) else {
                    continue;
                };
                if matches!(fields[at].ty, Ty::Any | Ty::String) {
                    let hint = naming::nested(&prop.owner, &prop.wire.to_upper_camel_case());
                    let ty = self.ty(prop.schema, &hint, &prop.pointer)?;
                    if self.narrower(&ty, &fields[at].ty) {
                        fields[at].ty = ty;
                        fields[at].rules = self.rules(prop.schema, &prop.pointer);
                    }
                }
                let more = self.prop_constraints(prop.schema, &prop.pointer);
                fields[at].constraints.fill_from(more);
                continue;
            }
            let hint = naming::nested(&prop.owner, &prop.wire.to_upper_camel_case());
            let ty = self.ty(prop.schema, &hint, &prop.pointer)?;
            let (read_only, write_only) = self.access(prop.schema);
            let doc = match prop.schema {
                ReferenceOr::Item(s) => doc_of(s),
                ReferenceOr::Reference { .. } => None,
            };
            fields.push(Field {
                wire: prop.wire.to_string(),
                name: scope.claim(&naming::field_name(prop.wire)),
                ty,
                required: shape.required.contains(prop.wire),
                doc,
                boxed: false,
                flatten: false,
                constraints: self.prop_constraints(prop.schema, &prop.pointer),
                rules: self.rules(prop.schema, &prop.pointer),
                read_only,
                write_only,
            });
        }
        for missing in shape.required.iter().filter(|r| !declared.contains(*r)) {
            self.finding(
                pointer,
                format!("`required` names `{missing}`, which no part of the schema declares; not generated as a field"),
            );
        }
        let mut extra = match shape.extra {
            Some((Extra::Schema(s), at, owner)) => {
                Some(self.ty(s, &format!("{owner}Value"), &at)?)
            }
            Some((Extra::Any, ..)) => Some(Ty::Any),
            _ => None,
        };
        for (union, at, owner) in shape.unions {
            if let Some(ty) = self.flattened_union(union, &at, &owner)? {
                fields.push(flattened(scope.claim("variant"), ty));
            }
        }
        for (part, at) in shape.others {
            match self.ty(part, &format!("{name}Part"), &at)? {
                Ty::Map(inner) if extra.is_none() => extra = Some(*inner),
                ty if self.kinds_of_ref(part) == Kinds::OBJECT => {
                    let want = match part {
                        ReferenceOr::Reference { reference } => {
                            naming::field_name(reference.rsplit('/').next().unwrap_or("variant"))
                        }
                        ReferenceOr::Item(_) => "variant".to_string(),
                    };
                    fields.push(flattened(scope.claim(&want), ty));
                }
                _ => {
                    self.fallback(
                        &at,
                        "allOf part that is neither an object nor a map beside object properties; kept in `additional_properties` as JSON",
                    );
                    extra.get_or_insert(Ty::Any);
                }
            }
        }
        Ok(TypeKind::Struct(Struct { fields, extra }))
    }

    /// `new` says more than `old` about the same property: anything typed
    /// beats `Any`, a string enum beats a plain string.
    fn narrower(&self, new: &Ty, old: &Ty) -> bool {
        match (old, new) {
            (Ty::Any, new) => *new != Ty::Any,
            (Ty::String, Ty::Named(id)) => match self.built(*id) {
                Some(def) => matches!(def.kind, TypeKind::Enum(_)),
                // An inline enum is built at once; a component not yet
                // built is left as it is.
                None => false,
            },
            _ => false,
        }
    }

    /// The `oneOf` beside properties, as a type to flatten into the struct;
    /// `None` when its branches only say which keys are required (a
    /// validation rule, reported, not a shape).
    fn flattened_union(&mut self, schema: &'a Schema, at: &str, owner: &str) -> Result<Option<Ty>> {
        let v = view(schema);
        let branches = if v.one_of.is_empty() {
            v.any_of
        } else {
            v.one_of
        };
        let rule_only = branches.iter().all(|b| match b {
            ReferenceOr::Item(s) => {
                let bv = view(s);
                !has_properties(&bv)
                    && bv.all_of.is_empty()
                    && bv.one_of.is_empty()
                    && bv.any_of.is_empty()
            }
            ReferenceOr::Reference { .. } => false,
        });
        if rule_only {
            self.fallback(
                at,
                "oneOf/anyOf of `required` alternatives is a validation rule; the type does not enforce it",
            );
            return Ok(None);
        }
        let key = if v.one_of.is_empty() {
            "anyOf"
        } else {
            "oneOf"
        };
        let union_pointer = join(at, key);
        if let Some(ty) = self.inline.get(&union_pointer) {
            return Ok(Some(ty.clone()));
        }
        let hint = format!("{owner}Variant");
        let ty = self.add_inline(&hint, &union_pointer, schema, |b, id| {
            let name = b.name_of(id).to_string();
            b.union(schema, &v, at, &name)
        })?;
        Ok(Some(ty))
    }

    fn kinds_of_ref(&self, part: &'a ReferenceOr<Schema>) -> Kinds {
        match part {
            ReferenceOr::Reference { reference } => match self.resolve(reference, "") {
                Ok((_, s)) => self.kinds(s, &view(s), 0),
                Err(_) => Kinds::ANY,
            },
            ReferenceOr::Item(s) => self.kinds(s, &view(s), 0),
        }
    }

    /// Collects properties, required names and `additionalProperties` from a
    /// schema and, through `allOf`, from its parts.
    fn gather(
        &mut self,
        schema: &'a Schema,
        pointer: &str,
        owner: &str,
        shape: &mut Shape<'a>,
        visiting: &mut BTreeSet<String>,
    ) -> Result<()> {
        let v = view(schema);
        for (i, part) in v.all_of.iter().enumerate() {
            let at = join(&join(pointer, "allOf"), &i.to_string());
            let (part_schema, part_pointer, part_owner) = match part {
                ReferenceOr::Reference { reference } => {
                    let (raw, s) = self.resolve(reference, &at)?;
                    let owner = self
                        .ids
                        .get(raw)
                        .map_or_else(|| owner.to_string(), |id| self.name_of(*id).to_string());
                    (s, join("/components/schemas", raw), owner)
                }
                ReferenceOr::Item(s) => (s, at.clone(), owner.to_string()),
            };
            if !visiting.insert(part_pointer.clone()) {
                self.finding(
                    &at,
                    "allOf includes itself; the repeated part is skipped".into(),
                );
                continue;
            }
            let pv = view(part_schema);
            if is_objectish(&pv) {
                self.gather(part_schema, &part_pointer, &part_owner, shape, visiting)?;
            } else if !is_nothing(part_schema, &pv) {
                shape.others.push((part, at));
            }
            visiting.remove(&part_pointer);
        }
        if let Some(props) = v.properties {
            for (wire, s) in props {
                shape.props.push(Prop {
                    wire,
                    schema: s,
                    pointer: join(&join(pointer, "properties"), wire),
                    owner: owner.to_string(),
                });
            }
        }
        shape.required.extend(v.required.iter().cloned());
        if let Some(extra) = &v.extra {
            if !matches!(extra, Extra::Forbidden) && shape.extra.is_none() {
                shape.extra = Some((
                    extra.clone(),
                    join(pointer, "additionalProperties"),
                    owner.to_string(),
                ));
            }
        }
        if !v.one_of.is_empty() || !v.any_of.is_empty() {
            shape
                .unions
                .push((schema, pointer.to_string(), owner.to_string()));
        }
        Ok(())
    }

    fn union(
        &mut self,
        schema: &'a Schema,
        v: &View<'a>,
        pointer: &str,
        name: &str,
    ) -> Result<TypeKind> {
        let (list, key) = if v.one_of.is_empty() {
            (v.any_of, "anyOf")
        } else {
            (v.one_of, "oneOf")
        };
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        let kind_names: Vec<String> = list
            .iter()
            .enumerate()
            .map(|(i, part)| match part {
                ReferenceOr::Reference { .. } => String::new(),
                ReferenceOr::Item(s) => kind_variant_name(&view(s), i),
            })
            .collect();
        for (i, part) in list.iter().enumerate() {
            let at = join(&join(pointer, key), &i.to_string());
            let (raw_name, resolved) = match part {
                ReferenceOr::Reference { reference } => {
                    let (raw, s) = self.resolve(reference, &at)?;
                    (Some(raw), s)
                }
                ReferenceOr::Item(s) => (None, s),
            };
            let rv = view(resolved);
            let want = match (raw_name, &resolved.schema_data.title) {
                (Some(raw), _) => naming::type_name(raw),
                (None, Some(title)) => naming::type_name(title),
                (None, None) => self.untitled_variant_name(&at, &kind_names, i),
            };
            let variant_name = scope.claim(&want);
            let ty = self.ty(part, &naming::nested(name, &variant_name), &at)?;
            let required = self.object_required(resolved);
            let mut tags = Vec::new();
            if let Some(d) = discriminator {
                tags = self.tags_for(d, part, raw_name, resolved, &at);
            }
            variants.push(Variant {
                name: variant_name,
                ty,
                boxed: false,
                kinds: self.kinds(resolved, &rv, 0),
                required,
                tags,
                rules: self.rules(part, &at),
            });
        }
        // The spec's order, but a number variant after the integer ones
        // (both read `5`; only the integer keeps it exact). Which object
        // variant wins is decided by the keys a value carries, at decode.
        variants.sort_by_key(|v| v.kinds == Kinds::NUMBER);
        Ok(TypeKind::Union(Union {
            variants,
            tag: discriminator.map(|d| d.property_name.clone()),
            // Decided once every type is built (see `shapes::catch_alls`).
            other: None,
        }))
    }

    /// Discriminator values for one variant: from the mapping, else the
    /// one-value enum the variant declares for the tag, else its schema name.
    fn tags_for(
        &mut self,
        d: &openapiv3::Discriminator,
        part: &ReferenceOr<Schema>,
        raw_name: Option<&str>,
        resolved: &'a Schema,
        at: &str,
    ) -> Vec<String> {
        let mut tags: Vec<String> = Vec::new();
        if let ReferenceOr::Reference { reference } = part {
            tags.extend(
                d.mapping
                    .iter()
                    .filter(|(_, target)| *target == reference || Some(target.as_str()) == raw_name)
                    .map(|(value, _)| value.clone()),
            );
        }
        if tags.is_empty() {
            tags.extend(self.declared_tag_values(resolved, &d.property_name));
        }
        if tags.is_empty() {
            if let Some(raw) = raw_name {
                tags.push(raw.to_string());
            } else {
                self.finding(
                    at,
                    format!(
                        "variant has no value for discriminator `{}`",
                        d.property_name
                    ),
                );
            }
        }
        tags
    }

    /// The values a variant declares for its tag property (`enum`/`const`).
    fn declared_tag_values(&self, schema: &'a Schema, property: &str) -> Vec<String> {
        let mut shape = Vec::new();
        self.props_of(schema, &mut shape, 0);
        for (wire, s) in shape {
            if wire != property {
                continue;
            }
            let target = match s {
                ReferenceOr::Reference { reference } => {
                    self.resolve(reference, "").ok().map(|(_, s)| s)
                }
                ReferenceOr::Item(s) => Some(s.as_ref()),
            };
            if let Some(values) = target.and_then(|s| string_enum(&view(s))) {
                return values;
            }
        }
        Vec::new()
    }

    /// Declared properties of a schema, through `allOf` and `$ref`s.
    fn props_of(
        &self,
        schema: &'a Schema,
        out: &mut Vec<(&'a str, &'a ReferenceOr<Box<Schema>>)>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        let v = view(schema);
        for part in v.all_of {
            let s = match part {
                ReferenceOr::Reference { reference } => {
                    self.resolve(reference, "").ok().map(|(_, s)| s)
                }
                ReferenceOr::Item(s) => Some(s),
            };
            if let Some(s) = s {
                self.props_of(s, out, depth + 1);
            }
        }
        if let Some(props) = v.properties {
            out.extend(props.iter().map(|(k, s)| (k.as_str(), s)));
        }
    }

    /// The declared keys an object variant requires.
    fn object_required(&self, schema: &'a Schema) -> Vec<String> {
        let mut props = Vec::new();
        self.props_of(schema, &mut props, 0);
        let mut required = BTreeSet::new();
        self.required_of(schema, &mut required, 0);
        let declared: BTreeSet<&str> = props.iter().map(|(k, _)| *k).collect();
        required
            .into_iter()
            .filter(|r| declared.contains(r.as_str()))
            .collect()
    }

    fn required_of(&self, schema: &'a Schema, out: &mut BTreeSet<String>, depth: usize) {
        if depth > 32 {
            return;
        }
        let v = view(schema);
        out.extend(v.required.iter().cloned());
        for part in v.all_of {
            let s = match part {
                ReferenceOr::Reference { reference } => {
                    self.resolve(reference, "").ok().map(|(_, s)| s)
                }
                ReferenceOr::Item(s) => Some(s),
            };
            if let Some(s) = s {
                self.required_of(s, out, depth + 1);
            }
        }
    }

    /// The JSON kinds a schema accepts, for dispatching union variants.
    fn kinds(&self, schema: &'a Schema, v: &View<'a>, depth: usize) -> Kinds {
        let mut k = match v.kind {
            Kind::String => Kinds::STRING,
            Kind::Integer => Kinds::INTEGER,
            Kind::Number => Kinds::NUMBER,
            Kind::Boolean => Kinds::BOOL,
            Kind::Array => Kinds::ARRAY,
            Kind::Object => Kinds::OBJECT,
            Kind::Unknown => Kinds::ANY,
            Kind::Unspecified => {
                if v.properties.is_some() || v.extra.is_some() {
                    Kinds::OBJECT
                } else if !v.all_of.is_empty() || !v.one_of.is_empty() || !v.any_of.is_empty() {
                    let parts = if !v.all_of.is_empty() {
                        v.all_of
                    } else if !v.one_of.is_empty() {
                        v.one_of
                    } else {
                        v.any_of
                    };
                    self.parts_kinds(parts, !v.all_of.is_empty(), depth)
                } else if !v.enumeration.is_empty() {
                    v.enumeration
                        .iter()
                        .fold(Kinds::default(), |k, e| k.union(json_kinds(e)))
                } else {
                    Kinds::ANY
                }
            }
        };
        if schema.schema_data.nullable {
            k = k.union(Kinds::NULL);
        }
        k
    }

    fn parts_kinds(&self, parts: &'a [ReferenceOr<Schema>], all: bool, depth: usize) -> Kinds {
        if depth > 16 {
            return Kinds::ANY;
        }
        let mut acc: Option<Kinds> = None;
        for part in parts {
            let s = match part {
                ReferenceOr::Reference { reference } => match self.resolve(reference, "") {
                    Ok((_, s)) => s,
                    Err(_) => return Kinds::ANY,
                },
                ReferenceOr::Item(s) => s,
            };
            let k = self.kinds(s, &view(s), depth + 1);
            acc = Some(match acc {
                None => k,
                Some(a) if all => Kinds(a.0 & k.0),
                Some(a) => a.union(k),
            });
        }
        acc.unwrap_or(Kinds::ANY)
    }
}

/// A field that serde flattens into its struct (a union or object beside properties).
fn flattened(name: String, ty: Ty) -> Field {
    Field {
        wire: String::new(),
        name,
        ty,
        required: true,
        doc: None,
        boxed: false,
        flatten: true,
        constraints: Default::default(),
        rules: Default::default(),
        read_only: false,
        write_only: false,
    }
}

/// `allOf: [one]` with nothing of its own beside descriptive keywords: an
/// alias. A `required` beside it is not descriptive: it makes a struct.
fn single_part<'s>(v: &View<'s>) -> Option<&'s ReferenceOr<Schema>> {
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

fn single_variant<'s>(v: &View<'s>) -> Option<&'s ReferenceOr<Schema>> {
    match (v.one_of, v.any_of) {
        ([one], []) | ([], [one]) if !has_properties(v) => Some(one),
        _ => None,
    }
}

fn has_properties(v: &View<'_>) -> bool {
    v.properties.is_some_and(|p| !p.is_empty())
}

/// A part of `allOf` that contributes fields (or nothing) to a struct.
fn is_objectish(v: &View<'_>) -> bool {
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
fn is_nothing(schema: &Schema, v: &View<'_>) -> bool {
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
fn string_enum(v: &View<'_>) -> Option<Vec<String>> {
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

fn strip_nullable_if(ty: Ty, schema: &Schema) -> Ty {
    // A component alias carries its nullability at the places that use it.
    match ty {
        Ty::Nullable(inner) if schema.schema_data.nullable => *inner,
        other => other,
    }
}

fn kind_variant_name(v: &View<'_>, i: usize) -> String {
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

fn json_kind_name(v: &Value) -> &'static str {
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

fn json_kinds(v: &Value) -> Kinds {
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
fn unescape(token: &str) -> String {
    token
        .replace("~1", "/")
        .replace("~0", "~")
        .replace("%20", " ")
}

/// What a pointer into a schema reaches: a schema, or another reference.
enum Sub<'s> {
    Schema(&'s Schema),
    Ref(&'s str),
}

fn sub_of<S: AsSchema>(r: &ReferenceOr<S>) -> Sub<'_> {
    match r {
        ReferenceOr::Item(s) => Sub::Schema(s.schema()),
        ReferenceOr::Reference { reference } => Sub::Ref(reference),
    }
}

/// Walks `properties/x`, `items`, `allOf/0`, ... inside a schema.
fn sub_schema<'s>(schema: &'s Schema, tokens: &[String]) -> Option<Sub<'s>> {
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

/// The paths of the datapoints operations the profile names. A name that
/// is not a POST of the spec is a finding, and the crate goes without the
/// datapoints module rather than calling a path the API does not have.
fn datapoints_path(
    operations: &[super::operation::Operation],
    overrides: &crate::overrides::Overrides,
    findings: &mut Vec<super::Finding>,
) -> Option<super::DatapointsPaths> {
    let names = overrides.datapoints.as_ref()?;
    let mut path = |key: &str, id: &str| {
        let found = operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(id));
        match found {
            Some(op) if op.method == super::operation::HttpMethod::Post => Some(op.path.clone()),
            _ => {
                findings.push(super::Finding {
                    pointer: "/paths".into(),
                    message: format!(
                        "codegen.toml: datapoints.{key} `{id}` is not a POST operation of the \
                         spec; the crate has no datapoints module"
                    ),
                });
                None
            }
        }
    };
    let list = path("list", &names.list);
    let insert = path("insert", &names.insert);
    Some(super::DatapointsPaths {
        list: list?,
        insert: insert?,
    })
}
