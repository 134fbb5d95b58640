//! The round-trip law for unions: for every variant of every union, an
//! instance that carries every key of that variant must decode as that
//! variant and encode back to the same JSON. The generator predicts each
//! outcome with the crate's own rule ([`crate::ir::shapes`]); the crate's
//! `tests/unions.rs` proves it with the real types.

use serde_json::Value;

use super::synth::Synthesiser;
use crate::ir::{check, shapes, Ir, TypeKind, Union};

/// What the law found, union by union.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    pub unions: usize,
    pub variants: usize,
    pub cases: Vec<Case>,
    /// For each union with a catch-all ([`Union::other`]): an object
    /// whose one key no variant declares, which must decode as the
    /// catch-all, unchanged.
    pub unknown: Vec<(usize, Value)>,
}

/// One variant's instance and how the decoder reads it.
#[derive(Debug, Clone)]
pub struct Case {
    /// Index of the union in [`Ir::types`].
    pub union: usize,
    /// Index of the variant in the union.
    pub variant: usize,
    /// `None`: no instance can be built (a required field that recurses).
    pub value: Option<Value>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Decodes as the variant it was built for.
    Itself,
    /// Decodes as this earlier variant, which declares every key of this
    /// one and keeps the value whole: no value can tell the two apart, so
    /// the spec's order decides. Faithful, and a finding in the spec.
    Twin(usize),
    /// Decodes as another variant and loses part of the value, or decodes
    /// as none: a defect of the generator.
    Lost(String),
    /// No instance could be built, so nothing was proven.
    NoInstance,
}

impl Survey {
    pub fn faithful(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Itself | Outcome::Twin(_)))
            .count()
    }
}

/// Builds and judges one instance per variant of every union.
pub fn survey(values: Synthesiser<'_>) -> Survey {
    let ir = values.ir;
    let mut out = Survey::default();
    for (index, def) in ir.types.iter().enumerate() {
        let TypeKind::Union(u) = &def.kind else {
            continue;
        };
        out.unions += 1;
        out.variants += u.variants.len();
        if let (Some(_), Some(value)) = (&u.other, unknown_object(ir, index, u)) {
            out.unknown.push((index, value));
        }
        for (i, v) in u.variants.iter().enumerate() {
            let value = values.variant_instance(u, v);
            let outcome = match &value {
                None => Outcome::NoInstance,
                Some(value) => judge(ir, index, u, i, value),
            };
            out.cases.push(Case {
                union: index,
                variant: i,
                value,
                outcome,
            });
        }
    }
    out
}

/// `{"<key>": {"any": "value"}}` with a key no variant declares, if the
/// decoder would call it unknown.
fn unknown_object(ir: &Ir, union: usize, u: &Union) -> Option<Value> {
    let ranked = shapes::ranked(ir, &u.variants);
    let view = ir.shapes.view();
    (0..100).find_map(|n| {
        let key = match n {
            0 => "keyNoVariantDeclares".to_string(),
            n => format!("keyNoVariantDeclares{n}"),
        };
        let value = serde_json::json!({ key: {"any": "value"} });
        shapes::unknown_object(&value, &ranked, &view, ir.shapes.of_union(union)).then_some(value)
    })
}

fn judge(ir: &Ir, union: usize, u: &Union, i: usize, value: &Value) -> Outcome {
    let problems = |w: usize| check::losses(ir, &u.variants[w].ty, value);
    match shapes::chosen(ir, union, u, value) {
        Some(w) if w == i => match problems(w) {
            p if p.is_empty() => Outcome::Itself,
            p => Outcome::Lost(format!("decodes as itself, but: {}", p.join("; "))),
        },
        Some(w) => match problems(w) {
            p if p.is_empty() => Outcome::Twin(w),
            p => Outcome::Lost(format!(
                "decodes as `{}`: {}",
                u.variants[w].name,
                p.join("; ")
            )),
        },
        None => Outcome::Lost("decodes as no variant".into()),
    }
}
