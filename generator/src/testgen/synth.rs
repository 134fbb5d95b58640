//! Valid JSON instances of IR types, for the tests emitted into the
//! generated crate: every required field filled, optional ones too when
//! `full`, recursion cut off by depth.
//!
//! The IR keeps a schema's shape, not all of its rules, so where a choice
//! is open the spec itself decides ([`super::conform`]): a union takes the
//! first variant whose instance the union's schema accepts (variants that
//! lead back into the union last, so recursive filters end in a leaf), and
//! an optional field whose value the schema rejects is left out.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use serde_json::{json, Map, Value};

use super::conform::Conformance;
use crate::ir::rules::{Bound, Rules};
use crate::ir::{Body, Operation};
use crate::ir::{Field, Hints, Ir, Param, Struct, Ty, TypeDef, TypeId, TypeKind, Union, Variant};

/// Past this depth only required fields are filled; past `MAX_DEPTH` a type
/// that cannot be cut short (a required recursive field) has no instance.
const OPTIONAL_DEPTH: usize = 3;
const MAX_DEPTH: usize = 24;

/// Candidates one instance may build before choices stop being checked,
/// so that a union nobody can satisfy does not make the search explode.
const BUDGET: usize = 2_000;

/// What a field of any type tries, in order, until its schema accepts one.
static ANY_VALUES: std::sync::LazyLock<[Value; 5]> = std::sync::LazyLock::new(|| {
    [
        json!(1),
        json!("text"),
        json!(true),
        json!([1]),
        json!({"any": "value"}),
    ]
});

/// The synthesiser's inputs: the IR's shapes, and the spec's own rules
/// for the choices the IR leaves open.
#[derive(Clone, Copy)]
pub struct Synthesiser<'a> {
    pub ir: &'a Ir,
    pub spec: &'a Conformance,
    /// Instances already built, when the caller keeps them.
    pub memo: Option<&'a Memo>,
}

/// Instances already built, by type. Synthesis is a pure function of the
/// type (the budget starts afresh each time), and the operation tests,
/// the contract run and the report each ask for the same bodies and
/// answers: building them once saves most of the work on specs whose
/// unions make each instance costly to judge.
#[derive(Default)]
pub struct Memo {
    instances: Mutex<HashMap<(Ty, bool), Option<Value>>>,
    bodies: Mutex<HashMap<Ty, Option<BodyInstance>>>,
}

/// A request body's instance, and the rules of the spec it still breaks.
type BodyInstance = (Value, Vec<String>);

/// `map[key]`, built by `make` the first time. The lock is not held while
/// building: two threads may build one value, and both get the same.
fn remembered<K: std::hash::Hash + Eq + Clone, V: Clone>(
    map: &Mutex<HashMap<K, V>>,
    key: &K,
    make: impl FnOnce() -> V,
) -> V {
    let known = map.lock().ok().and_then(|m| m.get(key).cloned());
    if let Some(v) = known {
        return v;
    }
    let v = make();
    if let Ok(mut m) = map.lock() {
        m.insert(key.clone(), v.clone());
    }
    v
}

impl<'a> Synthesiser<'a> {
    pub fn instance(&self, ty: &Ty, full: bool) -> Option<Value> {
        let make = || Synth::new(*self, full).value(ty, 0);
        match self.memo {
            Some(memo) => remembered(&memo.instances, &(ty.clone(), full), make),
            None => make(),
        }
    }

    /// The JSON request body the generated tests send for `op`, and every
    /// rule of the spec it still breaks (empty when the spec accepts it).
    /// `None` when the operation has no JSON body or no instance can be
    /// built.
    pub fn request_body(&self, op: &Operation) -> Option<BodyInstance> {
        let Some(Body::Json { ty, .. }) = &op.body else {
            return None;
        };
        match self.memo {
            Some(memo) => remembered(&memo.bodies, ty, || self.body(ty)),
            None => self.body(ty),
        }
    }

    fn body(&self, ty: &Ty) -> Option<BodyInstance> {
        let value = self.instance(ty, true)?;
        let problems = match ty {
            Ty::Named(id) => self
                .spec
                .problems(&self.ir.types[id.0].pointer, &value)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Some((value, problems))
    }

    /// An instance of union variant `v` with every field of the variant
    /// filled (nested types as [`Synthesiser::instance`] with `full`),
    /// tagged when the union has a discriminator: the keys that tell it
    /// from the others.
    pub fn variant_instance(&self, u: &Union, v: &Variant) -> Option<Value> {
        let ir = self.ir;
        let synth = Synth {
            repair: false,
            ..Synth::new(*self, true)
        };
        let mut value = match ir.resolve(&v.ty) {
            Ty::Named(TypeId(i)) => match &ir.types[i].kind {
                TypeKind::Struct(s) => synth.object(&ir.types[i].pointer, s, 1, true)?,
                _ => synth.value(&v.ty, 0)?,
            },
            _ => synth.value(&v.ty, 0)?,
        };
        tag(u, v, &mut value);
        Some(value)
    }

    /// An instance that also meets the rules and hints of the place it stands.
    pub fn instance_with(&self, ty: &Ty, at: Place, full: bool) -> Option<Value> {
        Synth::new(*self, full).constrained(ty, at, 0)
    }
}

/// Where a value stands: the rules and hints the place adds to its type.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    /// What `validate()` checks there.
    pub rules: &'a Rules,
    /// The format and example the spec gives there.
    pub hints: &'a Hints,
}

impl<'a> Place<'a> {
    fn of_field(f: &'a Field) -> Self {
        Place {
            rules: &f.rules,
            hints: &f.hints,
        }
    }

    fn of_type(def: &'a TypeDef) -> Self {
        Place {
            rules: &def.rules,
            hints: &def.hints,
        }
    }

    /// Where a parameter's value stands.
    pub fn of_param(p: &'a Param) -> Self {
        Place {
            rules: &p.rules,
            hints: &p.hints,
        }
    }
}

struct Synth<'a> {
    ir: &'a Ir,
    spec: &'a Conformance,
    full: bool,
    /// Leave out optional fields the spec rejects (see [`Synth::repair`]);
    /// off where every key must stay, whatever the spec says of its value.
    repair: bool,
    budget: Cell<usize>,
    /// (from type, to type) → `to` is reachable from `from`.
    reaches: RefCell<HashMap<(usize, usize), bool>>,
}

impl<'a> Synth<'a> {
    fn new(on: Synthesiser<'a>, full: bool) -> Self {
        Synth {
            ir: on.ir,
            spec: on.spec,
            full,
            repair: true,
            budget: Cell::new(BUDGET),
            reaches: RefCell::new(HashMap::new()),
        }
    }

    /// Spends one unit of the budget; false once it is gone.
    fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }

    /// A value for `ty` that also meets `c`, where `c` says anything.
    fn constrained(&self, ty: &Ty, c: Place, depth: usize) -> Option<Value> {
        if c.rules.is_empty() && c.hints.is_empty() {
            return self.value(ty, depth);
        }
        // A place that gives no format or example of its own (a `$ref`
        // wrapped to add a description) keeps those of its type.
        let c = match ty.direct_named() {
            Some(TypeId(i)) if c.hints.is_empty() => Place {
                hints: &self.ir.types[i].hints,
                ..c
            },
            _ => c,
        };
        match self.ir.resolve(ty) {
            Ty::String => Some(Value::String(text(c))),
            Ty::Integer { .. } => Some(json!(integer(c))),
            Ty::Number => Some(json!(number(c))),
            Ty::Array(inner) => {
                let item = self.value(&inner, depth + 1);
                let n = c
                    .rules
                    .min_items
                    .unwrap_or(0)
                    .max(usize::from(item.is_some()));
                Some(Value::Array(item.map(|v| vec![v; n]).unwrap_or_default()))
            }
            _ => self.value(ty, depth),
        }
    }

    fn value(&self, ty: &Ty, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        Some(match ty {
            Ty::Nullable(inner) => self.value(inner, depth).unwrap_or(Value::Null),
            Ty::Named(id) => return self.named(id.0, depth + 1),
            Ty::String => json!("text"),
            Ty::Integer { .. } => json!(1),
            Ty::Number => json!(1.5),
            Ty::Boolean => json!(true),
            Ty::Any => json!({"any": "value"}),
            Ty::FreeObject => json!({"key": "value"}),
            // One element whenever one can be built: `minItems` and
            // `minProperties` are common, and depth already bounds the size.
            Ty::Array(inner) => match self.value(inner, depth + 1) {
                Some(v) => json!([v]),
                None => json!([]),
            },
            Ty::Map(inner) => match self.value(inner, depth + 1) {
                Some(v) => json!({ "key": v }),
                None => json!({}),
            },
        })
    }

    /// An object of struct `s` (the schema at `pointer`): required fields,
    /// optional ones too when `full` and not too deep, or `every_field`.
    fn object(&self, pointer: &str, s: &Struct, depth: usize, every_field: bool) -> Option<Value> {
        let mut out = Map::new();
        let mut optional = Vec::new();
        for f in &s.fields {
            if f.flatten {
                match self.value(&f.ty, depth)? {
                    Value::Object(inner) => out.extend(inner),
                    _ => return None,
                }
                continue;
            }
            let wanted = f.required || every_field || (self.full && depth <= OPTIONAL_DEPTH);
            if !wanted {
                continue;
            }
            match self.constrained(&f.ty, Place::of_field(f), depth) {
                Some(v) => {
                    out.insert(f.wire.clone(), v);
                    if !f.required {
                        optional.push(f.wire.as_str());
                    }
                }
                None if f.required => return None,
                None => {}
            }
        }
        let mut value = Value::Object(out);
        let free: Vec<&str> = s
            .fields
            .iter()
            .filter(|f| self.ir.resolve(&f.ty) == Ty::Any)
            .map(|f| f.wire.as_str())
            .collect();
        if self.repair {
            self.repair(pointer, &mut value, &optional, &free);
        }
        Some(value)
    }

    /// The first variant's instance the union's schema accepts (variants
    /// that lead back into the union last, so recursion ends in a leaf).
    fn union(&self, index: usize, u: &Union, depth: usize) -> Option<Value> {
        let mut order: Vec<_> = u.variants.iter().collect();
        // Stable: variants that lead back here go last.
        order.sort_by_key(|v| self.leads_to(&v.ty, index));
        let mut first = None;
        for v in order {
            let Some(value) = self.value(&v.ty, depth) else {
                continue;
            };
            match self.judge(index, u, v, value) {
                Some((value, true)) => return Some(value),
                Some((value, false)) => {
                    first.get_or_insert(value);
                }
                None => {}
            }
        }
        // No instance told one variant from the others: try again
        // with every optional field of the variant filled in.
        for v in &u.variants {
            let Ty::Named(TypeId(i)) = self.ir.resolve(&v.ty) else {
                continue;
            };
            let TypeKind::Struct(s) = &self.ir.types[i].kind else {
                continue;
            };
            let value = self.object(&self.ir.types[i].pointer, s, depth + 1, true);
            if let Some((value, true)) = value.and_then(|value| self.judge(index, u, v, value)) {
                return Some(value);
            }
        }
        first.or_else(|| {
            let v = u.variants.first()?;
            let mut value = self.value(&v.ty, depth)?;
            tag(u, v, &mut value);
            Some(value)
        })
    }

    /// `value` built for variant `v` of union `u` (type `index`), tagged:
    /// `None` when the decoder would read it as another variant, else
    /// whether the union's schema accepts it (or the budget to ask is spent).
    fn judge(
        &self,
        index: usize,
        u: &Union,
        v: &Variant,
        mut value: Value,
    ) -> Option<(Value, bool)> {
        tag(u, v, &mut value);
        if !self.decodes_as(index, u, v, &value) {
            return None;
        }
        let pointer = &self.ir.types[index].pointer;
        let accepted = !self.spend() || self.spec.accepts(pointer, &value);
        Some((value, accepted))
    }

    /// The generated decoder (see [`crate::ir::shapes`]) would read `value`
    /// as variant `v`: so the instance re-encodes to itself.
    fn decodes_as(&self, index: usize, u: &Union, v: &Variant, value: &Value) -> bool {
        if u.tag.is_some() {
            return true;
        }
        crate::ir::shapes::chosen(self.ir, index, u, value)
            .is_some_and(|i| std::ptr::eq(&u.variants[i], v))
    }

    fn named(&self, index: usize, depth: usize) -> Option<Value> {
        let def = &self.ir.types[index];
        match &def.kind {
            TypeKind::Alias(ty) => self.constrained(ty, Place::of_type(def), depth),
            TypeKind::Enum(e) => e.values.first().map(|v| Value::String(v.wire.clone())),
            TypeKind::Struct(s) => self.object(&def.pointer, s, depth, false),
            TypeKind::Union(u) => self.union(index, u, depth),
        }
    }
}

impl Synth<'_> {
    /// Mends what the schema at `pointer` rejects, one field at a time,
    /// while it still does: a field of any type (the IR could not say
    /// which) tries other kinds of value, an optional field is left out.
    fn repair(&self, pointer: &str, value: &mut Value, optional: &[&str], free: &[&str]) {
        if optional.is_empty() && free.is_empty() {
            return;
        }
        let mut tries: HashMap<String, usize> = HashMap::new();
        for _ in 0..(optional.len() + free.len() * ANY_VALUES.len()) {
            if !self.spend() {
                return;
            }
            let Some(problems) = self.spec.problems(pointer, value) else {
                return;
            };
            let Some(field) = problems.iter().find_map(|p| {
                let field = p.strip_prefix("at /")?.split(['/', ':']).next()?;
                let field = field.replace("~1", "/").replace("~0", "~");
                (free.contains(&field.as_str()) || optional.contains(&field.as_str()))
                    .then_some(field)
            }) else {
                return;
            };
            let Some(map) = value.as_object_mut() else {
                return;
            };
            let tried = tries.entry(field.clone()).or_default();
            match ANY_VALUES.get(*tried) {
                Some(next) if free.contains(&field.as_str()) => {
                    *tried += 1;
                    map.insert(field, next.clone());
                }
                _ if optional.contains(&field.as_str()) => {
                    map.remove(&field);
                }
                _ => return,
            }
        }
    }

    /// Type `target` can be reached from `ty` (through fields, items,
    /// variants and aliases).
    fn leads_to(&self, ty: &Ty, target: usize) -> bool {
        let mut starts = Vec::new();
        ty.named(&mut starts);
        starts.into_iter().any(|TypeId(start)| {
            if let Some(&known) = self.reaches.borrow().get(&(start, target)) {
                return known;
            }
            let mut seen = HashSet::new();
            let mut stack = vec![TypeId(start)];
            let mut found = false;
            while let Some(TypeId(i)) = stack.pop() {
                if i == target {
                    found = true;
                    break;
                }
                if seen.insert(i) {
                    self.ir.types[i].kind.named(&mut stack);
                }
            }
            self.reaches.borrow_mut().insert((start, target), found);
            found
        })
    }
}

/// Sets the discriminator property of a union's variant, if it has one.
fn tag(u: &Union, v: &Variant, value: &mut Value) {
    if let (Some(tag), Some(t), Value::Object(map)) = (&u.tag, v.tags.first(), value) {
        map.insert(tag.clone(), Value::String(t.clone()));
    }
}

/// Text that meets a string's format, pattern and length, if one of a few
/// likely candidates does (the spec's own example first); else the first
/// candidate cut or padded to length.
fn text(c: Place) -> String {
    let by_format: &[&str] = match c.hints.format.as_deref() {
        Some("date-time") => &["2024-01-02T03:04:05Z"],
        Some("date") => &["2024-01-02"],
        Some("uuid") => &["123e4567-e89b-12d3-a456-426614174000"],
        Some("email") => &["user@example.com"],
        Some("uri" | "url") => &["https://example.com/a"],
        Some("byte") => &["YWJj"],
        _ => &[],
    };
    let generic = [
        "abc", "a", "Abc1", "abc-1", "abc_1", "1", "1.0.0", "ABC", "a1", "0",
    ];
    let example = c.hints.example.as_ref().and_then(Value::as_str);
    let pattern = c.rules.pattern.as_deref().and_then(compiled);
    let fits = |s: &str| {
        let n = s.chars().count();
        c.rules.min_length.is_none_or(|m| n >= m)
            && c.rules.max_length.is_none_or(|m| n <= m)
            && pattern.as_ref().is_none_or(|re| re.is_match(s))
    };
    let candidates = example
        .into_iter()
        .chain(by_format.iter().copied())
        .chain(generic);
    for candidate in candidates.clone() {
        if fits(candidate) {
            return candidate.to_string();
        }
        let padded = pad(candidate, c);
        if fits(&padded) {
            return padded;
        }
    }
    pad(example.unwrap_or("abc"), c)
}

fn pad(s: &str, c: Place) -> String {
    let mut out: String = s
        .chars()
        .take(c.rules.max_length.unwrap_or(usize::MAX))
        .collect();
    while out.chars().count() < c.rules.min_length.unwrap_or(0) {
        out.push('a');
    }
    out
}

/// The inclusive integer range the rules allow (an exclusive bound moved
/// to the nearest integer inside).
fn integer_range(r: &Rules) -> (Option<f64>, Option<f64>) {
    let inside = |b: &Bound, step: f64| b.value + if b.exclusive { step } else { 0.0 };
    (
        r.minimum.as_ref().map(|b| inside(b, 1.0)),
        r.maximum.as_ref().map(|b| inside(b, -1.0)),
    )
}

fn integer(c: Place) -> i64 {
    let (minimum, maximum) = integer_range(c.rules);
    if let Some(n) = c.hints.example.as_ref().and_then(Value::as_i64) {
        if minimum.is_none_or(|m| n as f64 >= m) && maximum.is_none_or(|m| n as f64 <= m) {
            return n;
        }
    }
    let mut n = 1.0_f64;
    if let Some(min) = minimum {
        n = n.max(min.ceil());
    }
    if let Some(max) = maximum {
        n = n.min(max.floor());
    }
    n as i64
}

fn number(c: Place) -> f64 {
    let mut n = 1.5_f64;
    if let Some(min) = &c.rules.minimum {
        n = n.max(min.value);
    }
    if let Some(max) = &c.rules.maximum {
        n = n.min(max.value);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(rules: &'a Rules, hints: &'a Hints) -> Place<'a> {
        Place { rules, hints }
    }

    fn bound(value: f64, exclusive: bool) -> Option<Bound> {
        Some(Bound { value, exclusive })
    }

    #[test]
    fn text_meets_pattern_length_and_format() {
        let none = Hints::default();
        let with = |pattern: &str| Rules {
            pattern: Some(pattern.into()),
            ..Rules::default()
        };
        assert_eq!(text(at(&with(r"^[0-9]+$"), &none)), "1");
        assert_eq!(text(at(&with(r"^\d+\.\d+\.\d+$"), &none)), "1.0.0");
        let long = Rules {
            min_length: Some(5),
            ..Rules::default()
        };
        assert_eq!(text(at(&long, &none)), "abcaa");
        let dated = Hints {
            format: Some("date-time".into()),
            example: None,
        };
        assert_eq!(text(at(&Rules::default(), &dated)), "2024-01-02T03:04:05Z");
        let example = Hints {
            format: None,
            example: Some(json!("my-id")),
        };
        let short = Rules {
            max_length: Some(10),
            ..Rules::default()
        };
        assert_eq!(text(at(&short, &example)), "my-id");
    }

    #[test]
    fn numbers_stay_in_range() {
        let none = Hints::default();
        let rules = |minimum, maximum| Rules {
            minimum,
            maximum,
            ..Rules::default()
        };
        assert_eq!(integer(at(&rules(bound(5.0, false), None), &none)), 5);
        assert_eq!(integer(at(&rules(None, bound(0.0, false)), &none)), 0);
        // An exclusive bound is not itself a valid value.
        assert_eq!(integer(at(&rules(bound(5.0, true), None), &none)), 6);
        assert_eq!(integer(at(&rules(None, bound(0.0, true)), &none)), -1);
        let range = rules(bound(2.0, false), bound(3.0, false));
        assert_eq!(number(at(&range, &none)), 2.0);
    }
}

thread_local! {
    /// Compiled patterns by source: the spec repeats a few dozen patterns
    /// thousands of times, and compiling one costs more than using it.
    static PATTERNS: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
        Default::default();
}

/// `pattern` compiled once per thread; `None` when the regex crate cannot
/// read it (then it constrains nothing).
fn compiled(pattern: &str) -> Option<regex::Regex> {
    PATTERNS.with(|cache| {
        cache
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| regex::Regex::new(pattern).ok())
            .clone()
    })
}
