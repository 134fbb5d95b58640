//! The lock keeps every name on the schema it was given to, across spec
//! versions: on a fixture reshuffled the ways real specs change (a branch
//! inserted at the front of every union, properties and parameters
//! reordered, schemas added that collide after PascalCase), and on the real
//! history of the CDF spec.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use cdf_codegen::ir::{Ir, TypeDef, TypeKind};
use cdf_codegen::overrides::Overrides;
use serde_json::{json, Value};

type Names = BTreeMap<String, String>;

fn build_with(text: &str, overrides: Overrides) -> Ir {
    let text = text.to_string();
    cdf_codegen::on_large_stack(move || {
        let loaded = cdf_codegen::load::load_str(&text).expect("loads");
        cdf_codegen::ir::build(&loaded, &overrides).expect("builds")
    })
    .expect("thread")
}

fn build(text: &str, locked: &Names) -> Ir {
    let overrides = Overrides {
        locked_types: locked.clone(),
        ..Default::default()
    };
    build_with(text, overrides)
}

/// What a type holds, by wire names: a struct's fields, a union's variants.
fn contents(ir: &Ir) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for def in &ir.types {
        let names: BTreeSet<String> = match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| f.wire.clone()).collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| v.name.clone()).collect(),
            _ => continue,
        };
        out.insert(def.key.clone(), names);
    }
    out
}

/// What happened to the names of one spec update, the lock carried over.
#[derive(Debug, Default)]
struct Carry {
    /// Types (and `Params` structs) of the old and of the new crate.
    old: usize,
    new: usize,
    /// Keys in both: schemas present in both versions.
    both: usize,
    /// Keys in both whose name changed.
    renamed: Vec<String>,
    /// Names in both that now stand for another schema.
    moved: Vec<String>,
    /// Names carried to a schema whose key changed because the spec now
    /// tells it apart another way (a branch that gained a title).
    recognised: usize,
    /// Keys in both, at another place, whose type shares no field or
    /// variant with its old self: a key that followed the wrong schema.
    shifted: Vec<String>,
    /// Keys in both, at the same place, whose type shares nothing with its
    /// old self: the spec rewrote that schema (reported, not a failure).
    rewritten: usize,
    /// Names gone from the new crate while a type still stands at their
    /// old place under another key and name: either the spec put another
    /// schema there, or the name was not carried.
    rekeyed: Vec<String>,
    /// Pointers in both whose key differs: the names a lock keyed by
    /// position would have put on another schema.
    by_position: usize,
}

fn carry(old_text: &str, new_text: &str, lock: &Names) -> (Carry, Names) {
    let old = build(old_text, lock);
    let old_names = old.lock_types();
    let new = build(new_text, &old_names);
    let new_names = new.lock_types();
    let mut c = Carry {
        old: old_names.len(),
        new: new_names.len(),
        ..Carry::default()
    };
    for (key, name) in &old_names {
        let Some(now) = new_names.get(key) else {
            continue;
        };
        c.both += 1;
        if now != name {
            c.renamed.push(format!("{key}: {name} → {now}"));
        }
    }
    let key_of =
        |names: &Names| -> Names { names.iter().map(|(k, n)| (n.clone(), k.clone())).collect() };
    let (old_keys, new_keys) = (key_of(&old_names), key_of(&new_names));
    for (name, key) in &old_keys {
        let Some(now) = new_keys.get(name).filter(|k| *k != key) else {
            continue;
        };
        // A schema that had a key in the old spec, or an old schema that is
        // still there: the name left the schema it meant.
        if old_names.contains_key(now) || new_names.contains_key(key) {
            c.moved.push(format!("{name}: {key} → {now}"));
        } else {
            c.recognised += 1;
        }
    }
    let place = |ir: &Ir| -> Names {
        ir.types
            .iter()
            .map(|d| (d.key.clone(), d.pointer.clone()))
            .collect()
    };
    let (was_at, is_at) = (place(&old), place(&new));
    let (was, is) = (contents(&old), contents(&new));
    for (key, fields) in &was {
        let Some(now) = is.get(key) else { continue };
        if fields.is_empty() || now.is_empty() || !fields.is_disjoint(now) {
            continue;
        }
        if was_at.get(key) == is_at.get(key) {
            c.rewritten += 1;
        } else {
            c.shifted.push(format!("{key}: {fields:?} → {now:?}"));
        }
    }
    // Keys and pointers are one-to-one: the same maps, turned around.
    let (p_old, p_new) = (key_of(&was_at), key_of(&is_at));
    c.by_position = p_old
        .iter()
        .filter(|(p, k)| p_new.get(*p).is_some_and(|n| n != *k))
        .count();
    for (key, pointer) in &was_at {
        if is_at.contains_key(key) || new_keys.contains_key(&old_names[key]) {
            continue;
        }
        if let Some(now) = p_new.get(pointer) {
            c.rekeyed.push(format!(
                "{}: {key} → {now} ({})",
                old_names[key], new_names[now]
            ));
        }
    }
    (c, new_names)
}

/// The union that [`reshuffled`] wraps into an `allOf`: it becomes a struct.
const WRAPPED: &str = "/components/schemas/Grants/items";

fn fixture() -> String {
    let path = common::workspace().join("generator/tests/lock/base.yaml");
    std::fs::read_to_string(path).expect("fixture")
}

/// The next version of a spec as real updates make it: a new branch at the
/// front of every `oneOf`/`anyOf`, every property list and parameter list
/// in reverse, two schemas whose Rust names collide with existing ones, and
/// a union wrapped into an `allOf` with a new sibling part.
fn reshuffled(text: &str) -> String {
    let mut doc: Value = yaml_serde::from_str(text).expect("yaml");
    reshuffle(&mut doc);
    let items = &mut doc["components"]["schemas"]["Grants"]["items"];
    let union = items.take();
    *items = json!({"allOf": [union, {"type": "object", "title": "Project names",
        "properties": {"projects": {"type": "array", "items": {"type": "string"}}}}]});
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("schemas");
    // Both sort before the schema whose name they take after PascalCase,
    // so without the lock each would take it.
    let newcomer = json!({"type": "object", "properties": {"other": {"type": "string"}}});
    schemas.insert("Name-Filter".into(), newcomer.clone());
    schemas.insert("Capability-Groups-Capability".into(), newcomer);
    serde_json::to_string_pretty(&doc).expect("json")
}

fn reshuffle(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_str(), &mut *child) {
                    ("oneOf" | "anyOf", Value::Array(items)) => items.insert(
                        0,
                        json!({
                            "title": "Inserted",
                            "type": "object",
                            "required": ["inserted"],
                            "properties": {"inserted": {"type": "object",
                                "properties": {"at": {"type": "string"}}}}
                        }),
                    ),
                    ("parameters", Value::Array(items)) => items.reverse(),
                    ("properties", Value::Object(props)) => {
                        let reversed: Vec<(String, Value)> =
                            std::mem::take(props).into_iter().rev().collect();
                        props.extend(reversed);
                    }
                    _ => {}
                }
                reshuffle(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(reshuffle),
        _ => {}
    }
}

#[test]
fn a_reshuffled_spec_keeps_every_name_on_its_schema() {
    let base = fixture();
    let next = reshuffled(&base);
    let (c, _) = carry(&base, &next, &Names::new());
    // Every old schema is still there: under its key, or (the wrapped
    // union's branches) under a key the lock recognises.
    assert_eq!(c.both + c.recognised, c.old, "{c:#?}");
    assert!(c.recognised >= 2, "{c:#?}");
    assert!(c.renamed.is_empty(), "{:#?}", c.renamed);
    assert!(c.moved.is_empty(), "{:#?}", c.moved);
    // Each name holds what it held, but for the inserted variant.
    let old = build(&base, &Names::new());
    let new = build(&next, &old.lock_types());
    let by_name = |ir: &Ir| -> BTreeMap<String, BTreeSet<String>> {
        let contents = contents(ir);
        ir.types
            .iter()
            .filter_map(|d| Some((d.name.clone(), contents.get(&d.key)?.clone())))
            .collect()
    };
    let (was, is) = (by_name(&old), by_name(&new));
    let wrapped = &old
        .types
        .iter()
        .find(|d| d.key == WRAPPED)
        .expect("wrapped")
        .name;
    for (name, fields) in was.iter().filter(|(n, _)| *n != wrapped) {
        let now = &is[name];
        let added: Vec<&String> = now.difference(fields).collect();
        assert!(fields.is_subset(now), "{name}: {fields:?} → {now:?}");
        assert!(added.iter().all(|a| *a == "Inserted"), "{name}: {added:?}");
    }
    let held = |name: &str| -> BTreeSet<String> {
        is.get(name)
            .unwrap_or_else(|| panic!("no `{name}` in {:?}", is.keys()))
            .clone()
    };
    assert!(held("CapabilityDatasetsCapability").contains("datasetsAcl"));
    assert!(held("CapabilityStreamsCapability").contains("streamsAcl"));
    assert!(held("NameFilter").contains("name"));
    assert!(held("GrantEventsAcl").contains("eventsAcl"));
    assert!(held("GrantFilesAcl").contains("filesAcl"));
    // The test bites: a lock keyed by position would have moved names,
    // and without a lock the newcomers take the plain names.
    assert!(c.by_position >= 10, "{c:#?}");
    let fresh = build(&next, &Names::new()).lock_types();
    let old_names = old.lock_types();
    let lost: Vec<&String> = old_names
        .iter()
        .filter(|(k, n)| fresh.get(*k) != Some(*n))
        .map(|(_, n)| n)
        .collect();
    assert!(lost.contains(&&"NameFilter".to_string()), "{lost:?}");
    assert!(
        lost.contains(&&"CapabilityGroupsCapability".to_string()),
        "{lost:?}"
    );
}

/// Every key the fixture's types get says what the schema is; none is a
/// position.
#[test]
fn no_fixture_key_is_a_position() {
    let ir = build(&fixture(), &Names::new());
    let positional: Vec<&str> = ir
        .types
        .iter()
        .map(|d| d.key.as_str())
        .filter(|k| k.contains("/#"))
        .collect();
    assert!(positional.is_empty(), "{positional:?}");
    let f = ir
        .findings
        .iter()
        .filter(|f| f.message.contains("locked by position"));
    assert_eq!(f.count(), 0);
}

/// A lock in the positional format of earlier versions is read for the
/// spec it was written from, and refused (with a finding naming it) for
/// any other, where its positions may mean other schemas.
#[test]
fn a_positional_lock_is_read_for_its_own_spec_only() {
    let base = fixture();
    let first = build(&base, &Names::new());
    let by_pointer: Names = first
        .types
        .iter()
        // A prefix, so that each name keeps its last word: types of one
        // shape merge only when their names end alike.
        .map(|d| (d.pointer.clone(), format!("Locked{}", d.name)))
        .collect();
    let positional = by_pointer
        .keys()
        .filter(|p| cdf_codegen::ir::identity::is_positional_pointer(p))
        .count();
    assert!(positional >= 10, "the fixture has positional pointers");
    let lock = |sha: &str| Overrides {
        locked_types: by_pointer.clone(),
        lock_spec_sha256: Some(sha.to_string()),
        ..Default::default()
    };
    let same = build_with(&base, lock(&cdf_codegen::pin::sha256_hex(base.as_bytes())));
    for d in &same.types {
        assert!(d.name.starts_with("Locked"), "{} at {}", d.name, d.pointer);
    }
    let other = build_with(&base, lock(&"0".repeat(64)));
    // Every name keyed by what the schema is carries over; those keyed by
    // position do not, unless their type merged with a carried one of the
    // same shape, which then names both.
    let positional_at = |d: &&TypeDef| cdf_codegen::ir::identity::is_positional_pointer(&d.pointer);
    for d in other.types.iter().filter(|d| !positional_at(d)) {
        assert!(d.name.starts_with("Locked"), "{} at {}", d.name, d.pointer);
    }
    let fresh = other.types.iter().filter(|d| !d.name.starts_with("Locked"));
    assert!(fresh.count() >= 1, "the refused entries leave fresh names");
    let refused = other
        .findings
        .iter()
        .filter(|f| f.message.contains("by position, for another spec"));
    assert_eq!(refused.count(), positional);
}

/// The real history: the lock carried from the oldest snapshot through
/// every later one to the current spec. Every schema in both versions of a
/// step keeps its name and its meaning.
#[test]
fn the_lock_carries_across_the_real_history() {
    let mut chain = common::history_specs();
    let Some(current) = common::real_spec() else {
        eprintln!("SKIPPED: no spec (set CDF_OPENAPI_SPEC or place spec/cognite-api-v1.json)");
        return;
    };
    if chain.is_empty() {
        eprintln!("SKIPPED: no history/ beside the spec");
        return;
    }
    chain.push(current);
    let texts: Vec<String> = chain
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("spec"))
        .collect();
    let mut lock = Names::new();
    eprintln!("| step | types before | after | in both | renamed | moved | followed the wrong schema | kept through a new descriptor | rewritten by the spec | a positional lock would move |");
    for (i, pair) in texts.windows(2).enumerate() {
        let (c, next) = carry(&pair[0], &pair[1], &lock);
        let file = |p: &std::path::Path| p.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!(
            "| {} → {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            file(&chain[i]),
            file(&chain[i + 1]),
            c.old,
            c.new,
            c.both,
            c.renamed.len(),
            c.moved.len(),
            c.shifted.len(),
            c.recognised,
            c.rewritten,
            c.by_position
        );
        eprintln!(
            "names dropped where another schema now stands: {:#?}",
            c.rekeyed
        );
        assert!(c.renamed.is_empty(), "{:#?}", c.renamed);
        assert!(c.moved.is_empty(), "{:#?}", c.moved);
        assert!(c.shifted.is_empty(), "{:#?}", c.shifted);
        assert!(c.both * 10 >= c.old * 9, "most schemas persist: {c:#?}");
        lock = next;
    }
}
