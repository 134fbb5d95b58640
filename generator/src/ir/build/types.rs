//! The builder of types: component and inline schemas → [`TypeDef`]s.
//!
//! Names are decided in two rounds: every component schema first (sorted by
//! spec name, so `Limit` beats `limit` to the plain name), then inline
//! schemas as they are met, named after where they stand (`Parent` + field).
//! Inline schemas are cached by JSON pointer, so a property merged into
//! several structs through `allOf` gives one type, not one per user. How
//! each schema becomes a [`TypeKind`] is in [`super::kinds`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema};
use serde_json::Value;

use super::parts::{
    doc_of, has_properties, json_kind_name, single_part, single_variant, string_enum, sub_schema,
    unescape, AsSchema, Sub,
};
use crate::error::{join, Error, Result};
use crate::ir::identity::{self, Identity};
use crate::ir::model::{Fallback, Finding, Ty, TypeDef, TypeId, TypeKind};
use crate::ir::view::{self, view, Extra, Kind, View};
use crate::load::Loaded;
use crate::naming::{self, Scope};
use crate::overrides::Overrides;

pub(super) const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The schemas of a document without `components`.
static NO_SCHEMAS: std::sync::LazyLock<IndexMap<String, ReferenceOr<Schema>>> =
    std::sync::LazyLock::new(IndexMap::new);

pub(super) enum Slot {
    Reserved(String),
    Done(Box<TypeDef>),
}

pub(in crate::ir) struct Builder<'a> {
    pub(super) schemas: &'a IndexMap<String, ReferenceOr<Schema>>,
    pub(super) ids: BTreeMap<String, TypeId>,
    pub(super) slots: Vec<Slot>,
    pub(super) scope: Scope,
    /// Lock keys of the normalised document (see [`identity`]).
    pub(super) identity: Identity<'a>,
    /// Inline schemas already turned into a type, by JSON pointer.
    pub(super) inline: HashMap<String, Ty>,
    /// The places each type name was made of (component, property,
    /// variant, ...), so that a nested type can leave the middle ones out.
    pub(super) segments: HashMap<String, Vec<String>>,
    /// Type names from the lock, reserved for the key that had them.
    pub(super) locked: HashMap<String, String>,
    /// Locked names no type has taken yet.
    pub(super) lock_names: HashSet<String>,
    pub(super) fallbacks: Vec<Fallback>,
    pub(super) findings: Vec<Finding>,
    /// The component schemas' names, sorted.
    pub(super) components: Vec<&'a String>,
    /// Rust names the profile pins, by the component's spec name: a union
    /// variant that holds such a component is named as its type is.
    pub(super) pinned: HashMap<String, String>,
}

/// What the builder made: every type, and what it met on the way.
pub(super) struct Built {
    pub types: Vec<TypeDef>,
    /// How many of `types` are component schemas (they come first).
    pub component_count: usize,
    pub fallbacks: Vec<Fallback>,
    pub findings: Vec<Finding>,
}

/// One property gathered for a struct, with the type name of its owner (for
/// naming an inline property type after the schema that declares it).
pub(super) struct Prop<'a> {
    pub(super) wire: &'a str,
    pub(super) schema: &'a ReferenceOr<Box<Schema>>,
    pub(super) pointer: String,
    pub(super) owner: String,
}

/// Everything an object-like schema contributes to a struct.
#[derive(Default)]
pub(super) struct Shape<'a> {
    pub(super) props: Vec<Prop<'a>>,
    pub(super) required: BTreeSet<String>,
    pub(super) extra: Option<(Extra<'a>, String, String)>,
    /// `allOf` parts that are not plain objects (maps, unions, arrays, ...).
    pub(super) others: Vec<(&'a ReferenceOr<Schema>, String)>,
    /// Schemas whose own `oneOf`/`anyOf` stands beside properties: (schema, pointer, owner).
    pub(super) unions: Vec<(&'a Schema, String, String)>,
}

impl<'a> Builder<'a> {
    /// A builder over `loaded`'s component schemas, every one of them
    /// named: the names the profile pins and the lock remembers are
    /// claimed first, so no generated name can take one.
    pub(super) fn new(loaded: &'a Loaded, overrides: &Overrides) -> Result<Builder<'a>> {
        let schemas = match &loaded.doc.components {
            Some(c) => &c.schemas,
            None => &NO_SCHEMAS,
        };
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
            components: schemas.keys().collect(),
            pinned: HashMap::new(),
        };
        b.components.sort();
        // Pinned names first, so no generated name can take one of them.
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
            let name = b.scope.claim(name);
            b.pinned.insert(raw.clone(), name);
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
        for raw in b.components.clone() {
            let pointer = join("/components/schemas", raw);
            let name = match b.pinned.get(raw.as_str()) {
                Some(name) => name.clone(),
                None => b.type_name_for(&pointer, raw),
            };
            let id = TypeId(b.slots.len());
            b.slots.push(Slot::Reserved(name));
            b.ids.insert(raw.to_string(), id);
        }
        Ok(b)
    }

    /// Every component schema as a type, in the order of their names.
    pub(super) fn components(&mut self) -> Result<()> {
        let schemas = self.schemas;
        for raw in self.components.clone() {
            let id = self.ids[raw.as_str()];
            let pointer = join("/components/schemas", raw);
            let def = match &schemas[raw.as_str()] {
                ReferenceOr::Reference { reference } => {
                    let ty = self.reference(reference, &pointer)?;
                    self.def(id, &pointer, None, TypeKind::Alias(ty), None)
                }
                ReferenceOr::Item(schema) => {
                    let kind = self.kind(schema, &pointer, id)?;
                    self.def(
                        id,
                        &pointer,
                        Some(schema),
                        kind,
                        schema.schema_data.example.clone(),
                    )
                }
            };
            self.slots[id.0] = Slot::Done(Box::new(def));
        }
        Ok(())
    }

    /// The types (components first, then the inline ones in the order
    /// they were met), with the fallbacks and findings met on the way.
    pub(super) fn finish(self) -> Result<Built> {
        let types = self
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
        Ok(Built {
            types,
            component_count: self.components.len(),
            fallbacks: self.fallbacks,
            findings: self.findings,
        })
    }

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

    pub(super) fn def(
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
            rules: schema
                .map(|s| self.def_rules(s, pointer))
                .unwrap_or_default(),
            hints: schema.map(view::hints).unwrap_or_default(),
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
    /// When the component's name is itself long, its first words stand for
    /// it ([`naming::outer_prefixes`]).
    pub(super) fn fresh_name(&mut self, segments: &[String]) -> String {
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
            candidates.push(inner.clone());
        }
        candidates.extend(naming::outer_prefixes(
            &naming::type_name(&segments[0]),
            &inner,
        ));
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
    pub(super) fn lock_key(&mut self, entry: &str, name: &str, same_spec: bool) -> Option<String> {
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

    pub(super) fn resolve_full(
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
    pub(super) fn reference(&mut self, reference: &str, pointer: &str) -> Result<Ty> {
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

    pub(super) fn inline_ty(
        &mut self,
        schema: &'a Schema,
        hint: &str,
        pointer: &str,
    ) -> Result<Ty> {
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
    pub(super) fn plain(&mut self, v: &View<'a>, hint: &str, pointer: &str) -> Result<Ty> {
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
    pub(super) fn item_hint(&self, hint: &str) -> String {
        match naming::singular(hint) {
            Some(one) if !self.scope.contains(&naming::type_name(&one)) => one,
            _ => format!("{hint}Item"),
        }
    }

    /// An enum without `type` whose values are not all strings.
    pub(super) fn loose_enum(&mut self, v: &View<'a>, pointer: &str) -> Ty {
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
    ) -> crate::ir::rules::Rules {
        let (rules, found) = self.read_rules(pointer, |r| r.of(schema, pointer));
        self.findings.extend(found);
        rules
    }

    /// The rules of a type's own schema. They steer the test synthesiser;
    /// the fields and parameters that `validate()` checks read their own,
    /// and report the patterns it cannot check there.
    fn def_rules(&self, schema: &Schema, pointer: &str) -> crate::ir::rules::Rules {
        self.read_rules(pointer, |r| r.of_schema(schema, pointer)).0
    }

    /// Runs `read` with a rules reader that follows `$ref`s from `pointer`.
    fn read_rules(
        &self,
        pointer: &str,
        read: impl FnOnce(&mut super::rules::Reader<'a, '_>) -> crate::ir::rules::Rules,
    ) -> (crate::ir::rules::Rules, Vec<Finding>) {
        let resolve = |reference: &str| self.resolve(reference, pointer).ok().map(|(_, s)| s);
        let mut reader = super::rules::Reader {
            resolve: &resolve,
            findings: Vec::new(),
        };
        let rules = read(&mut reader);
        (rules, reader.findings)
    }

    /// `readOnly` and `writeOnly` of a property, on it or on the schema
    /// its `$ref` names.
    pub(super) fn access(&self, schema: &ReferenceOr<Box<Schema>>) -> (bool, bool) {
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
    pub(super) fn untitled_variant_name(
        &self,
        at: &str,
        kind_names: &[String],
        i: usize,
    ) -> String {
        let kind = &kind_names[i];
        let shared =
            kind.starts_with("Variant") || kind_names.iter().filter(|k| *k == kind).count() > 1;
        match identity::variant_words(&self.identity.key(at).key) {
            Some((words, is_value)) if is_value || shared => naming::type_name(&words),
            _ => kind.clone(),
        }
    }
}
