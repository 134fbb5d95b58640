//! One type per shape. A spec often writes the same schema in many places
//! (the id-or-externalId selector of every `byids` request, say), and a
//! type per place means a value of one cannot be passed where the other is
//! expected. Types with the same structure (fields, Rust types with
//! aliases seen through, required-ness, rules, variant keys and tags) whose
//! names end in the same word become one (see [`representatives`]):
//! - a component that `spec/codegen.toml` names with `shared = true`
//!   takes every other schema of its shape; the other components stay as type aliases of it, so
//!   every name the spec gives still compiles (`IdEither` is `Identity`,
//!   and `AssetIdEither` an alias of it);
//! - else an inline schema becomes the one component of its shape;
//! - else the inline schemas of one shape share the name the lock
//!   remembers, else a name true of all their places (see
//!   [`rename_shared`]). Components the spec names apart stay apart
//!   without a profile's word: one shape can be two concepts
//!   (`cognitefiles_aclAcl`, `cognitesequences_aclAcl`).

use std::collections::{BTreeMap, HashSet};

use super::model::{Body, Draft, Merged, Operation, Success, Ty, TypeDef, TypeId, TypeKind};
use crate::naming;

/// Names chosen outside the spec.
#[derive(Default)]
pub struct Names<'a> {
    /// Component names `spec/codegen.toml` pins as the one type of their shape.
    pub pinned: HashSet<&'a str>,
    /// Names the lock remembers.
    pub locked: HashSet<&'a str>,
}

/// Merges types of the same shape; returns what became one type.
pub fn merge(ir: &mut Draft, names: &Names) -> Vec<Merged> {
    let rep = representatives(ir, names);
    if rep.iter().enumerate().all(|(i, r)| *r == i) {
        return Vec::new();
    }
    rename_shared(ir, &rep, names);
    let mut merged: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, r) in rep.iter().enumerate().filter(|(i, r)| *i != **r) {
        let def = &ir.types[i];
        merged.entry(*r).or_default().push(def.pointer.clone());
        let keys: Vec<String> = std::iter::once(def.key.clone())
            .chain(def.aliases.iter().cloned())
            .collect();
        ir.types[*r].aliases.extend(keys);
    }
    // A component stays, as an alias of the type it shares: its name is
    // the spec's, and code written against it keeps compiling. So does an
    // inline type whose name the lock remembers: users have that name.
    let locked: Vec<bool> = ir
        .types
        .iter()
        .map(|d| names.locked.contains(d.name.as_str()))
        .collect();
    let component_count = ir.component_count;
    let keep = |i: usize| rep[i] == i || i < component_count || locked[i];
    // Old index → new index, with merged inline types dropped.
    let mut new_index = vec![0; rep.len()];
    let mut kept = 0;
    for (i, slot) in new_index.iter_mut().enumerate() {
        if keep(i) {
            *slot = kept;
            kept += 1;
        }
    }
    let renumber = |TypeId(i): TypeId| TypeId(new_index[rep[i]]);
    let types = std::mem::take(&mut ir.types);
    ir.types = types
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(i, mut def)| {
            if rep[i] != i {
                def.kind = TypeKind::Alias(Ty::Named(TypeId(rep[i])));
                def.rules = Default::default();
                def.hints = Default::default();
            }
            def.kind.renumber(&renumber);
            def.aliases.sort();
            def.aliases.dedup();
            def
        })
        .collect();
    for op in &mut ir.operations {
        renumber_operation(op, &renumber);
    }
    let mut shared: Vec<Merged> = merged
        .into_iter()
        .map(|(r, mut pointers)| {
            pointers.sort();
            Merged {
                name: ir.types[new_index[r]].name.clone(),
                pointers,
            }
        })
        .collect();
    shared.sort();
    shared
}

/// For each type, the type it becomes (itself when it stays). Merging the
/// leaves makes their parents equal in turn, so this runs until nothing
/// changes; each round merges at least one type, so it ends.
fn representatives(ir: &Draft, names: &Names) -> Vec<usize> {
    let uses = uses(ir);
    let mut rep: Vec<usize> = (0..ir.types.len()).collect();
    loop {
        // Types merge only when their names end in the same word: the
        // places then hold one kind of value (an `Order`, an `ExternalId`),
        // and one place's name is true of the others. Where they do not
        // (`MaxAggregate.max` and `MinAggregate.min`), the types stay apart
        // rather than carry a misleading name.
        let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        // Aliases are names of another type already: interchangeable.
        let candidates: Vec<usize> = (0..ir.types.len())
            .filter(|&i| rep[i] == i && !matches!(ir.types[i].kind, TypeKind::Alias(_)))
            .collect();
        let keys = shape_keys(ir, &candidates, &rep);
        for (i, key) in candidates.into_iter().zip(keys) {
            groups.entry(key).or_default().push(i);
        }
        let mut changed = false;
        for members in groups.values().filter(|m| m.len() > 1) {
            let (components, inline): (Vec<usize>, Vec<usize>) =
                members.iter().partition(|i| **i < ir.component_count);
            let pinned = |d: &TypeDef| names.pinned.contains(d.name.as_str());
            let locked = |d: &TypeDef| names.locked.contains(d.name.as_str());
            let among_inline =
                || best(ir, &uses, &inline, locked).or_else(|| best(ir, &uses, &inline, |_| true));
            // The component `spec/codegen.toml` names takes every member;
            // else the one component of this shape takes the inline ones;
            // else (no component, or several the spec keeps apart, such as
            // `cognitefiles_aclAcl` and `cognitesequences_aclAcl`) the
            // inline ones share the name the lock gives, or the shortest.
            let (chosen, joining) = match best(ir, &uses, &components, pinned) {
                Some(p) => (Some(p), members.as_slice()),
                None if components.len() == 1 => (Some(components[0]), inline.as_slice()),
                None => (among_inline(), inline.as_slice()),
            };
            let Some(chosen) = chosen else { continue };
            for i in joining.iter().copied().filter(|i| *i != chosen) {
                rep[i] = chosen;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        // A type merged into one that is itself merged later follows it.
        for i in 0..rep.len() {
            let mut r = rep[i];
            while rep[r] != r {
                r = rep[r];
            }
            rep[i] = r;
        }
    }
    rep
}

/// Gives an inline type that several places share a name true of all of
/// them, unless the lock already names it. The shortest place's name is
/// kept when it is the most general (`DataResourceIds` › `Item`, which
/// `DataResourceIdsWithIgnoreUnknownIds` › `Item` extends); else the
/// words all the names end with, when they are two or more and free (the
/// `all` scope of every ACL is `AclScopeAll`, not the raw ACL's).
fn rename_shared(ir: &mut Draft, rep: &[usize], names: &Names) {
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, r) in rep.iter().enumerate().filter(|(i, r)| *i != **r) {
        groups.entry(*r).or_default().push(i);
    }
    let mut taken: HashSet<String> = ir.types.iter().map(|d| d.name.clone()).collect();
    taken.extend(ir.operations.iter().filter_map(|o| o.params_type.clone()));
    for (r, members) in groups {
        let name = &ir.types[r].name;
        if r < ir.component_count || names.locked.contains(name.as_str()) {
            continue;
        }
        let all: Vec<Vec<&str>> = std::iter::once(r)
            .chain(members)
            .map(|i| naming::words(&ir.types[i].name))
            .collect();
        let common = all
            .iter()
            .map(|w| w.iter().rev())
            .fold(None::<Vec<&str>>, |acc, w| {
                let acc: Vec<&str> = acc.unwrap_or_else(|| w.clone().copied().collect());
                Some(
                    acc.into_iter()
                        .zip(w)
                        .take_while(|(a, b)| a == *b)
                        .map(|(a, _)| a)
                        .collect(),
                )
            })
            .unwrap_or_default();
        let own = &all[0];
        let context = &own[..own.len() - common.len()];
        let general = all.iter().all(|w| w.starts_with(context));
        if general || common.len() < 2 {
            continue;
        }
        let candidate: String = common.iter().rev().copied().collect();
        // `…Scope2` is a collision's number, not a word of the concept.
        let numbered = candidate.ends_with(|c: char| c.is_ascii_digit());
        if !numbered && taken.insert(candidate.clone()) {
            ir.types[r].name = candidate;
        }
    }
}

/// How many places mention each type.
fn uses(ir: &Draft) -> Vec<usize> {
    let mut named = Vec::new();
    for def in &ir.types {
        def.kind.named(&mut named);
    }
    for op in &ir.operations {
        op.params.iter().for_each(|p| p.ty.named(&mut named));
        if let Some(Body::Json { ty, .. }) = &op.body {
            ty.named(&mut named);
        }
        if let Success::Json(ty) = &op.response {
            ty.named(&mut named);
        }
    }
    let mut uses = vec![0; ir.types.len()];
    for TypeId(i) in named {
        uses[i] += 1;
    }
    uses
}

/// The member with the shortest name, then the most used, then the first
/// in order, among those `eligible` accepts.
fn best(
    ir: &Draft,
    uses: &[usize],
    members: &[usize],
    eligible: impl Fn(&TypeDef) -> bool,
) -> Option<usize> {
    members
        .iter()
        .copied()
        .filter(|i| eligible(&ir.types[*i]))
        .min_by(|a, b| {
            let (na, nb) = (&ir.types[*a].name, &ir.types[*b].name);
            na.len()
                .cmp(&nb.len())
                .then_with(|| uses[*b].cmp(&uses[*a]))
                .then_with(|| na.cmp(nb))
        })
}

/// The grouping key of each of `types`: its signature and the last word
/// of its name. Computed in one share per core (a signature is a pure
/// reading of the model), then grouped in index order, so the result is
/// the same whatever the thread count.
fn shape_keys(ir: &Draft, types: &[usize], rep: &[usize]) -> Vec<(String, String)> {
    let key = |i: usize| {
        let def = &ir.types[i];
        // A component's pinned name is a choice, not what the spec
        // calls it: the spec's name says which concept it is.
        let spec_name = (i < ir.component_count)
            .then(|| def.pointer.rsplit('/').next())
            .flatten()
            .map(naming::type_name);
        let word = naming::last_word(spec_name.as_deref().unwrap_or(&def.name)).to_string();
        (signature(ir, def, rep), word)
    };
    crate::threads::in_shares(types, |share| {
        share.iter().map(|&i| key(i)).collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// What the emitted type and its behaviour depend on, with each mentioned
/// type read as the one it becomes. Docs, examples and variant names are
/// left out: they describe a place, not the shape.
fn signature(ir: &Draft, def: &TypeDef, rep: &[usize]) -> String {
    let mut kind = def.kind.clone();
    let seen = |ty: &mut Ty| *ty = transparent(ir, ty, rep, 0);
    match &mut kind {
        TypeKind::Struct(s) => {
            for f in &mut s.fields {
                seen(&mut f.ty);
                f.doc = None;
                f.hints.example = None;
            }
            s.extra.iter_mut().for_each(seen);
        }
        // Variant names are read off the places too (`AssetInternalId`
        // where another says `Id`); the wire tells variants apart by
        // their types, keys and tags, which stay.
        TypeKind::Union(u) => u.variants.iter_mut().for_each(|v| {
            seen(&mut v.ty);
            v.name.clear();
        }),
        _ => {}
    }
    format!("{kind:?}|{:?}|{:?}", def.rules, def.hints.format)
}

/// `ty` as Rust sees it: an alias is the type it names (`CogniteExternalId`
/// and `String` are one type), and a merged type the one it became. The
/// rules an alias brings stay with the field, in its `rules`.
fn transparent(ir: &Draft, ty: &Ty, rep: &[usize], depth: usize) -> Ty {
    let inner = |t: &Ty| Box::new(transparent(ir, t, rep, depth + 1));
    match ty {
        Ty::Named(id) => match &ir.types[id.0].kind {
            TypeKind::Alias(aliased) if depth < 8 => transparent(ir, aliased, rep, depth + 1),
            _ => Ty::Named(TypeId(rep[id.0])),
        },
        Ty::Array(t) => Ty::Array(inner(t)),
        Ty::Map(t) => Ty::Map(inner(t)),
        Ty::Nullable(t) => Ty::Nullable(inner(t)),
        other => other.clone(),
    }
}

fn renumber_operation(op: &mut Operation, f: &impl Fn(TypeId) -> TypeId) {
    for p in &mut op.params {
        p.ty.renumber(f);
    }
    if let Some(Body::Json { ty, .. }) = &mut op.body {
        ty.renumber(f);
    }
    if let Success::Json(ty) = &mut op.response {
        ty.renumber(f);
    }
    if let Some(p) = &mut op.pagination {
        p.item.renumber(f);
    }
    if let Some(b) = &mut op.bulk {
        b.item.renumber(f);
        if let Some(a) = &mut b.answer_items {
            a.item.renumber(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Field, Struct};

    fn named(i: usize) -> Ty {
        Ty::Named(TypeId(i))
    }

    fn field(wire: &str, ty: Ty, required: bool) -> Field {
        Field {
            wire: wire.into(),
            name: wire.into(),
            ty,
            required,
            doc: Some(format!("the {wire}")),
            boxed: false,
            flatten: false,
            rules: Default::default(),
            hints: Default::default(),
            read_only: false,
            write_only: false,
        }
    }

    fn def(name: &str, fields: Vec<Field>) -> TypeDef {
        TypeDef {
            name: name.into(),
            pointer: format!("/{name}"),
            key: format!("/{name}"),
            aliases: Vec::new(),
            doc: None,
            kind: TypeKind::Struct(Struct {
                fields,
                extra: None,
            }),
            example: None,
            example_problems: Vec::new(),
            features: Vec::new(),
            rules: Default::default(),
            hints: Default::default(),
        }
    }

    fn ir(types: Vec<TypeDef>, components: usize) -> Draft {
        Draft {
            types,
            component_count: components,
            ..Default::default()
        }
    }

    fn mentions(def: &TypeDef) -> Vec<TypeId> {
        let mut out = Vec::new();
        def.kind.named(&mut out);
        out
    }

    fn names(ir: &Draft) -> Vec<&str> {
        ir.types.iter().map(|d| d.name.as_str()).collect()
    }

    #[test]
    fn same_shapes_merge_bottom_up_and_parents_follow() {
        let id = || field("id", Ty::Integer { bits: 64 }, false);
        let mut ir = ir(
            vec![
                def("AssetSelector", vec![field("sel", named(2), true)]),
                def("Selector", vec![field("sel", named(3), true)]),
                def("HolderSelectorById", vec![id()]),
                def("OtherSelById", vec![id()]),
                def("MinAggregateMin", vec![field("property", Ty::String, true)]),
                def("MaxAggregateMax", vec![field("property", Ty::String, true)]),
                def(
                    "Different",
                    vec![field("id", Ty::Integer { bits: 64 }, true)],
                ),
            ],
            2,
        );
        let shared = merge(&mut ir, &Names::default());
        // The inline pair shares the words both names end with (neither
        // place is more general than the other). The two components are then equal,
        // and stay apart: no profile says they are one concept. Names that
        // end apart (`…Min`, `…Max`) and required-ness keep the rest apart.
        assert_eq!(
            names(&ir),
            [
                "AssetSelector",
                "Selector",
                "ById",
                "MinAggregateMin",
                "MaxAggregateMax",
                "Different"
            ]
        );
        assert_eq!(mentions(&ir.types[0]), vec![TypeId(2)]);
        assert_eq!(mentions(&ir.types[1]), vec![TypeId(2)]);
        assert_eq!(ir.types[2].aliases, ["/HolderSelectorById"]);
        assert_eq!(
            shared,
            [Merged {
                name: "ById".into(),
                pointers: vec!["/HolderSelectorById".into()],
            }]
        );
        // With a profile's word, the other component is an alias.
        let mut again = self::ir(
            vec![
                def("AssetSelector", vec![field("sel", Ty::String, true)]),
                def("Selector", vec![field("sel", Ty::String, true)]),
            ],
            2,
        );
        let pinned = Names {
            pinned: HashSet::from(["AssetSelector"]),
            ..Default::default()
        };
        merge(&mut again, &pinned);
        assert!(matches!(
            again.types[1].kind,
            TypeKind::Alias(Ty::Named(TypeId(0)))
        ));
    }

    #[test]
    fn a_component_of_the_shape_wins_then_a_locked_name() {
        let name = || field("name", Ty::String, true);
        let mut ir = ir(
            vec![
                def("Label", vec![name()]),
                def("ItemLabel", vec![name()]),
                def("AVeryLongInlineLabel", vec![name()]),
                def("ShortName", vec![field("n", Ty::String, true)]),
                def("LockedLongerName", vec![field("n", Ty::String, true)]),
                // Same shape, another concept: stays apart.
                def("Title", vec![field("n", Ty::String, true)]),
            ],
            2,
        );
        let chosen = Names {
            pinned: HashSet::from(["Label"]),
            locked: HashSet::from(["LockedLongerName"]),
        };
        merge(&mut ir, &chosen);
        assert_eq!(
            names(&ir),
            ["Label", "ItemLabel", "LockedLongerName", "Title"]
        );
        assert!(matches!(
            ir.types[1].kind,
            TypeKind::Alias(Ty::Named(TypeId(0)))
        ));
    }

    #[test]
    fn a_merged_type_whose_name_the_lock_keeps_stays_as_an_alias() {
        let n = || field("n", Ty::String, true);
        let mut ir = ir(
            vec![
                def("StreamDeleteItem", vec![n()]),
                def("DeleteRequestItem", vec![n()]),
                def("FreshDeleteItem", vec![n()]),
            ],
            0,
        );
        let chosen = Names {
            pinned: HashSet::new(),
            locked: HashSet::from(["StreamDeleteItem", "DeleteRequestItem"]),
        };
        merge(&mut ir, &chosen);
        // Users have both locked names: the one that is not chosen still
        // compiles, as an alias; the unlocked one is merged away.
        assert_eq!(names(&ir), ["StreamDeleteItem", "DeleteRequestItem"]);
        assert!(matches!(
            ir.types[1].kind,
            TypeKind::Alias(Ty::Named(TypeId(0)))
        ));
    }

    #[test]
    fn the_most_general_place_names_a_shared_type() {
        let id = || field("id", Ty::Integer { bits: 64 }, false);
        let mut ir = ir(
            vec![
                def("DataResourceIdsWithIgnoreUnknownIdsItem", vec![id()]),
                def("DataResourceIdsItem", vec![id()]),
            ],
            0,
        );
        merge(&mut ir, &Names::default());
        assert_eq!(names(&ir), ["DataResourceIdsItem"]);
    }
}
