//! What the generator saw and did: counts, every fallback to a loose type,
//! every defect found in the spec, every change the loader made.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::ir::rules::Rules;
use crate::ir::Body;
use crate::ir::Merged;
use crate::ir::{Fallback, Finding, Ir, Ty, TypeKind};
use crate::load::Loaded;
use crate::normalise::{Change, ChangeKind};
use crate::testgen::faithful::{Outcome, Survey};
use crate::testgen::{Synthesiser, TestData};

/// What the generator saw in the spec and did with it: counts, fallbacks, findings and
/// every change made to read the document (`cargo xtask report`).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The spec's `info.title`.
    pub title: String,
    /// The spec's `info.version`.
    pub api_version: String,
    /// The `openapi` version as written.
    pub openapi_version: String,
    /// Component and inline schemas, and how they were typed.
    pub schemas: SchemaCounts,
    /// Types by kind, inline ones included.
    pub types_by_kind: BTreeMap<&'static str, usize>,
    /// Components that are `serde_json::Value` because the spec allows any
    /// value there (not a fallback: that is what the schema says).
    pub any_by_spec: Vec<String>,
    /// Schemas typed loosely, each with its reason.
    pub fallbacks: Vec<Fallback>,
    /// Defects of the spec (a `required` field nobody declares, an example that does not fit).
    pub findings: Vec<Finding>,
    /// Operations whose synthesised request body the spec still rejects,
    /// with the rules broken: a spec that admits no valid request there
    /// (e.g. a `oneOf` any object matches twice), or a synthesiser limit.
    pub rejected_requests: Vec<Finding>,
    /// Operations with `*_bulk` methods.
    pub bulk: BulkCounts,
    /// The rules `validate()` checks.
    pub validation: ValidationCounts,
    /// The round-trip law over every union.
    pub unions: UnionCounts,
    /// How long the type names are.
    pub names: NameCounts,
    /// Schemas that became one type with another of the same shape.
    pub shared: Vec<Merged>,
    /// Every change the loader made to read the document.
    pub normalisation: Vec<Change>,
}

/// How long the crate's type names are (the types of the schemas and the
/// `Params` structs of the operations).
#[derive(Debug, Clone, Serialize)]
pub struct NameCounts {
    /// How many type names.
    pub types: usize,
    /// How many are over 40 characters.
    pub over_40: usize,
    /// How many are over 60 characters.
    pub over_60: usize,
    /// Of those over 40, the names the spec gives its components.
    pub over_40_from_spec: usize,
    /// The longest name.
    pub longest: String,
}

fn name_counts(ir: &Ir) -> NameCounts {
    let components = ir.types[..ir.component_count]
        .iter()
        .map(|d| (&d.name, true));
    let inline = ir.types[ir.component_count..]
        .iter()
        .map(|d| (&d.name, false));
    let params = ir
        .operations
        .iter()
        .filter_map(|o| o.params_type.as_ref().map(|n| (n, false)));
    let names: Vec<(&String, bool)> = components.chain(inline).chain(params).collect();
    let over = |n: usize| names.iter().filter(move |(name, _)| name.len() > n);
    NameCounts {
        types: names.len(),
        over_40: over(40).count(),
        over_60: over(60).count(),
        over_40_from_spec: over(40).filter(|(_, spec)| *spec).count(),
        longest: names
            .iter()
            .map(|(name, _)| *name)
            .max_by(|a, b| a.len().cmp(&b.len()).then_with(|| b.cmp(a)))
            .cloned()
            .unwrap_or_default(),
    }
}

/// The round-trip law over every union (see `testgen::faithful`).
#[derive(Debug, Clone, Serialize)]
pub struct UnionCounts {
    /// How many unions.
    pub unions: usize,
    /// How many variants, over all unions.
    pub variants: usize,
    /// Variants whose instance decodes as itself, or as a twin, and
    /// encodes back unchanged.
    pub decoded_faithfully: usize,
    /// Pairs of variants no value can tell apart: the later one is never
    /// chosen (a finding in the spec; the value is kept whole either way).
    pub twins: Vec<Finding>,
    /// Variants whose instance loses data, or has none: generator defects.
    pub unfaithful: Vec<Finding>,
    /// Unions with a catch-all variant for objects no variant knows.
    pub catch_alls: usize,
}

/// What the generated `validate()` checks.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationCounts {
    /// Fields and union variants of the types requests carry, and
    /// parameters, with at least one rule.
    pub places: usize,
    /// Validation keywords over all of them, those read through a `$ref`
    /// counted at each place that uses it.
    pub keywords: usize,
    /// Patterns left unchecked (each also a finding, with why).
    pub unchecked_patterns: usize,
}

/// Operations with a `*_bulk` method, and `items` bodies without one.
#[derive(Debug, Clone, Serialize)]
pub struct BulkCounts {
    /// Chunked at the spec's `maxItems`.
    pub from_spec: usize,
    /// Chunked at a limit from `spec/codegen.toml`.
    pub from_overrides: usize,
    /// JSON bodies with an `items` array and no known per-request limit:
    /// no bulk method, since any chunk size would be a guess.
    pub without_limit: Vec<String>,
}

/// How many schemas the spec has, and how each became Rust.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaCounts {
    /// Component schemas in the spec.
    pub seen: usize,
    /// Component schemas emitted as a typed Rust item.
    pub typed: usize,
    /// Component schemas emitted as `serde_json::Value` by fallback.
    pub value_fallback: usize,
    /// Inline schemas that needed a named type of their own.
    pub inline_types: usize,
}

impl Report {
    /// The report of one generation.
    pub(crate) fn new(loaded: &Loaded, ir: &Ir, tests: &TestData) -> Report {
        let mut types_by_kind = BTreeMap::new();
        for def in &ir.types {
            let kind = match def.kind {
                TypeKind::Struct(_) => "struct",
                TypeKind::Enum(_) => "enum",
                TypeKind::Union(_) => "union",
                TypeKind::Alias(_) => "alias",
            };
            *types_by_kind.entry(kind).or_default() += 1;
        }
        let components = &ir.types[..ir.component_count];
        let is_any = |k: &TypeKind| matches!(k, TypeKind::Alias(Ty::Any));
        let fallback_at = |p: &str| ir.fallbacks.iter().any(|f| f.pointer == p);
        let value_fallback = components
            .iter()
            .filter(|d| is_any(&d.kind) && fallback_at(&d.pointer))
            .count();
        let any_by_spec = components
            .iter()
            .filter(|d| is_any(&d.kind) && !fallback_at(&d.pointer))
            .map(|d| d.pointer.clone())
            .collect();
        Report {
            title: ir.title.clone(),
            api_version: ir.version.clone(),
            openapi_version: loaded.source_version.clone(),
            schemas: SchemaCounts {
                seen: ir.component_count,
                typed: ir.component_count - value_fallback,
                value_fallback,
                inline_types: ir.types.len() - ir.component_count,
            },
            types_by_kind,
            any_by_spec,
            fallbacks: ir.fallbacks.clone(),
            findings: ir.findings.clone(),
            rejected_requests: rejected_requests(tests.values(ir)),
            bulk: bulk_counts(ir),
            validation: validation_counts(ir),
            unions: union_counts(ir, &tests.survey),
            names: name_counts(ir),
            shared: ir.shared.clone(),
            normalisation: loaded.changes.clone(),
        }
    }

    /// The report as pretty-printed JSON (`cargo xtask report --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The report as text (`cargo xtask report`).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let s = &self.schemas;
        let _ = writeln!(
            out,
            "{} {} (OpenAPI {})",
            self.title, self.api_version, self.openapi_version
        );
        let _ = writeln!(out, "schemas seen:              {}", s.seen);
        let _ = writeln!(out, "  emitted as typed Rust:   {}", s.typed);
        let _ = writeln!(out, "  serde_json::Value fallback: {}", s.value_fallback);
        let _ = writeln!(out, "  any JSON value by spec:  {}", self.any_by_spec.len());
        let _ = writeln!(out, "inline schemas named:      {}", s.inline_types);
        let kinds: Vec<String> = self
            .types_by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let _ = writeln!(out, "types emitted:             {}", kinds.join(", "));
        let of = |kind: ChangeKind| self.normalisation.iter().filter(|c| c.kind == kind).count();
        let _ = writeln!(
            out,
            "normalisation:             {} rewritten, {} dropped, {} lenient readings",
            of(ChangeKind::Rewritten),
            of(ChangeKind::Dropped),
            of(ChangeKind::Lenient)
        );
        let n = &self.names;
        let _ = writeln!(
            out,
            "type names:                {} ({} over 40 characters, {} of them the spec's own; {} over 60; longest `{}`)",
            n.types, n.over_40, n.over_40_from_spec, n.over_60, n.longest
        );
        let _ = writeln!(
            out,
            "shared types:              {} schemas merged into {} types of the same shape",
            self.shared.iter().map(|m| m.pointers.len()).sum::<usize>(),
            self.shared.len()
        );
        let _ = writeln!(out, "fallbacks:                 {}", self.fallbacks.len());
        let _ = writeln!(out, "spec findings:             {}", self.findings.len());
        let _ = writeln!(
            out,
            "requests the spec rejects: {}",
            self.rejected_requests.len()
        );
        section(
            &mut out,
            "Fallbacks (loosely typed, with reason)",
            self.fallbacks.iter().map(|f| (&f.pointer, &f.reason)),
        );
        let nothing = String::new();
        section(
            &mut out,
            "Any JSON value, as the spec says",
            self.any_by_spec.iter().map(|p| (p, &nothing)),
        );
        section(
            &mut out,
            "Spec findings",
            self.findings.iter().map(|f| (&f.pointer, &f.message)),
        );
        section(
            &mut out,
            "Synthesised requests the spec rejects",
            self.rejected_requests
                .iter()
                .map(|f| (&f.pointer, &f.message)),
        );
        let _ = writeln!(
            out,
            "\nbulk methods:              {} ({} at the spec's maxItems, {} at spec/codegen.toml limits)",
            self.bulk.from_spec + self.bulk.from_overrides,
            self.bulk.from_spec,
            self.bulk.from_overrides
        );
        section(
            &mut out,
            "`items` bodies with no known per-request limit (no bulk method)",
            self.bulk.without_limit.iter().map(|p| (p, &nothing)),
        );
        let v = &self.validation;
        let _ = writeln!(
            out,
            "\nvalidate() checks:         {} keywords at {} fields, variants and parameters of requests; {} patterns unchecked (see findings)",
            v.keywords, v.places, v.unchecked_patterns
        );
        let u = &self.unions;
        let _ = writeln!(
            out,
            "\nunions: {}, variants: {}, decoded faithfully: {}",
            u.unions, u.variants, u.decoded_faithfully
        );
        let _ = writeln!(
            out,
            "unions that keep an object no variant knows in a catch-all `Other`: {}",
            u.catch_alls
        );
        section(
            &mut out,
            "Union variants no value can tell apart (the first in the spec's order is chosen)",
            u.twins.iter().map(|f| (&f.pointer, &f.message)),
        );
        section(
            &mut out,
            "Union variants not decoded faithfully",
            u.unfaithful.iter().map(|f| (&f.pointer, &f.message)),
        );
        let shared: Vec<(String, String)> = self
            .shared
            .iter()
            .map(|m| (m.name.clone(), m.pointers.join(", ")))
            .collect();
        section(
            &mut out,
            "Shared types: each schema listed is the type named before it (a component, an alias of it)",
            shared.iter().map(|(n, p)| (n, p)),
        );
        section(
            &mut out,
            "Normalisation (3.1 -> 3.0) and lenient readings",
            self.normalisation.iter().map(|c| (&c.pointer, &c.detail)),
        );
        out
    }
}

fn union_counts(ir: &Ir, survey: &Survey) -> UnionCounts {
    let mut twins = Vec::new();
    let mut unfaithful = Vec::new();
    for case in &survey.cases {
        let def = &ir.types[case.union];
        let TypeKind::Union(u) = &def.kind else {
            continue;
        };
        let name = &u.variants[case.variant].name;
        let pointer = def.pointer.clone();
        match &case.outcome {
            Outcome::Itself => {}
            Outcome::Twin(w) => twins.push(Finding {
                pointer,
                message: format!(
                    "`{}::{name}` reads as `{}`, which keeps every value of it and comes first",
                    def.name, u.variants[*w].name
                ),
            }),
            Outcome::Lost(why) => unfaithful.push(Finding {
                pointer,
                message: format!("`{}::{name}`: {why}", def.name),
            }),
            Outcome::NoInstance => unfaithful.push(Finding {
                pointer,
                message: format!("`{}::{name}`: no instance could be built", def.name),
            }),
        }
    }
    UnionCounts {
        unions: survey.unions,
        variants: survey.variants,
        decoded_faithfully: survey.faithful(),
        twins,
        unfaithful,
        catch_alls: survey.unknown.len(),
    }
}

fn rejected_requests(values: Synthesiser<'_>) -> Vec<Finding> {
    values
        .ir
        .operations
        .iter()
        .filter_map(|op| {
            let (_, problems) = values.request_body(op)?;
            (!problems.is_empty()).then(|| Finding {
                pointer: format!("{}/requestBody", op.pointer),
                message: problems.join("; "),
            })
        })
        .collect()
}

fn validation_counts(ir: &Ir) -> ValidationCounts {
    let sent = crate::ir::access::sent(ir);
    let mut all: Vec<&Rules> = Vec::new();
    for (def, _) in ir.types.iter().zip(&sent).filter(|(_, sent)| **sent) {
        match &def.kind {
            TypeKind::Struct(s) => all.extend(s.fields.iter().map(|f| &f.rules)),
            TypeKind::Union(u) => all.extend(u.variants.iter().map(|v| &v.rules)),
            _ => {}
        }
    }
    for op in &ir.operations {
        all.extend(op.params.iter().map(|p| &p.rules));
    }
    all.retain(|r| !r.is_empty());
    ValidationCounts {
        places: all.len(),
        keywords: all.iter().map(|r| r.count()).sum(),
        unchecked_patterns: ir
            .findings
            .iter()
            .filter(|f| f.message.contains("is not checked by `validate()`"))
            .count(),
    }
}

fn bulk_counts(ir: &Ir) -> BulkCounts {
    let from_spec = ir
        .operations
        .iter()
        .filter(|op| op.bulk.as_ref().is_some_and(|b| b.max_from_spec))
        .count();
    let with_bulk = ir.operations.iter().filter(|op| op.bulk.is_some()).count();
    let without_limit = ir
        .operations
        .iter()
        .filter(|op| op.bulk.is_none() && has_items_array(ir, op.body.as_ref()))
        .map(|op| format!("{}/requestBody", op.pointer))
        .collect();
    BulkCounts {
        from_spec,
        from_overrides: with_bulk - from_spec,
        without_limit,
    }
}

fn has_items_array(ir: &Ir, body: Option<&Body>) -> bool {
    let Some(Body::Json { ty, .. }) = body else {
        return false;
    };
    let Ty::Named(id) = ir.resolve(ty) else {
        return false;
    };
    match &ir.types[id.0].kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .any(|f| f.wire == "items" && matches!(ir.resolve(&f.ty), Ty::Array(_))),
        _ => false,
    }
}

fn section<'a>(
    out: &mut String,
    title: &str,
    rows: impl Iterator<Item = (&'a String, &'a String)>,
) {
    let rows: Vec<_> = rows.collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {title} ({})", rows.len());
    for (pointer, text) in rows {
        if text.is_empty() {
            let _ = writeln!(out, "- {pointer}");
        } else {
            let _ = writeln!(out, "- {pointer}: {text}");
        }
    }
}
