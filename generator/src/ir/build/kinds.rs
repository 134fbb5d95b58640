//! How a schema becomes a [`TypeKind`]: structs merged from `allOf` and
//! properties, string enums, unions with their tags and key kinds.

use std::collections::{BTreeSet, HashMap};

use heck::ToUpperCamelCase;
use openapiv3::{ReferenceOr, Schema};

use super::parts::{
    doc_of, flattened, has_properties, is_nothing, is_objectish, json_kinds, kind_variant_name,
    single_part, single_variant, string_enum, strip_nullable_if,
};
use super::types::{Builder, Prop, Shape};
use crate::error::{join, Result};
use crate::ir::model::{
    EnumValue, Field, Hints, Kinds, StringEnum, Struct, Ty, TypeId, TypeKind, Union, Variant,
};
use crate::ir::view::{self, view, Extra, Kind, View};
use crate::naming::{self, Scope};

impl<'a> Builder<'a> {
    /// The definition of a named type.
    pub(super) fn kind(
        &mut self,
        schema: &'a Schema,
        pointer: &str,
        id: TypeId,
    ) -> Result<TypeKind> {
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

    pub(super) fn string_enum(&mut self, values: &[String], pointer: &str) -> StringEnum {
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
    /// A property's format and example, through a `$ref` too.
    pub(super) fn prop_hints<S: std::borrow::Borrow<Schema>>(
        &self,
        schema: &ReferenceOr<S>,
        pointer: &str,
    ) -> Hints {
        match schema {
            ReferenceOr::Item(s) => view::hints(s.borrow()),
            ReferenceOr::Reference { reference } => self
                .resolve(reference, pointer)
                .map(|(_, s)| view::hints(s))
                .unwrap_or_default(),
        }
    }

    pub(super) fn merged(
        &mut self,
        schema: &'a Schema,
        pointer: &str,
        name: &str,
    ) -> Result<TypeKind> {
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
                let more = self.prop_hints(prop.schema, &prop.pointer);
                fields[at].hints.fill_from(more);
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
                rules: self.rules(prop.schema, &prop.pointer),
                hints: self.prop_hints(prop.schema, &prop.pointer),
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
    pub(super) fn narrower(&self, new: &Ty, old: &Ty) -> bool {
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
    pub(super) fn flattened_union(
        &mut self,
        schema: &'a Schema,
        at: &str,
        owner: &str,
    ) -> Result<Option<Ty>> {
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

    pub(super) fn kinds_of_ref(&self, part: &'a ReferenceOr<Schema>) -> Kinds {
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
    pub(super) fn gather(
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

    pub(super) fn union(
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
                (Some(raw), _) => match self.pinned.get(raw) {
                    Some(pinned) => pinned.clone(),
                    None => naming::type_name(raw),
                },
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
    pub(super) fn tags_for(
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
    pub(super) fn declared_tag_values(&self, schema: &'a Schema, property: &str) -> Vec<String> {
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

    /// The `allOf` parts of a schema, with their `$ref`s followed (one that
    /// does not resolve is skipped: the type builder reports it).
    fn all_of_parts<'v>(&'v self, v: &View<'a>) -> impl Iterator<Item = &'a Schema> + 'v {
        v.all_of.iter().filter_map(move |part| match part {
            ReferenceOr::Reference { reference } => {
                self.resolve(reference, "").ok().map(|(_, s)| s)
            }
            ReferenceOr::Item(s) => Some(s),
        })
    }

    /// Declared properties of a schema, through `allOf` and `$ref`s.
    pub(super) fn props_of(
        &self,
        schema: &'a Schema,
        out: &mut Vec<(&'a str, &'a ReferenceOr<Box<Schema>>)>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        let v = view(schema);
        for s in self.all_of_parts(&v) {
            self.props_of(s, out, depth + 1);
        }
        if let Some(props) = v.properties {
            out.extend(props.iter().map(|(k, s)| (k.as_str(), s)));
        }
    }

    /// The declared keys an object variant requires.
    pub(super) fn object_required(&self, schema: &'a Schema) -> Vec<String> {
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

    pub(super) fn required_of(&self, schema: &'a Schema, out: &mut BTreeSet<String>, depth: usize) {
        if depth > 32 {
            return;
        }
        let v = view(schema);
        out.extend(v.required.iter().cloned());
        for s in self.all_of_parts(&v) {
            self.required_of(s, out, depth + 1);
        }
    }

    /// The JSON kinds a schema accepts, for dispatching union variants.
    pub(super) fn kinds(&self, schema: &'a Schema, v: &View<'a>, depth: usize) -> Kinds {
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

    pub(super) fn parts_kinds(
        &self,
        parts: &'a [ReferenceOr<Schema>],
        all: bool,
        depth: usize,
    ) -> Kinds {
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
