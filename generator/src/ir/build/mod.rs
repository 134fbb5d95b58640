//! The passes that build the [`Ir`], run here in one list, in order.
//!
//! 1. [`types`]: every component schema becomes a type.
//! 2. [`operations`]: every operation, with the inline types its
//!    parameters, bodies and answers need (pagination and bulk read from
//!    the profile's field names), each with the feature of its tag group.
//! 3. Passes over the [`Draft`] (the types and operations), each reading
//!    what the one before it settled and returning what it found: one type
//!    per shape ([`super::shared`]), `readOnly`/`writeOnly`
//!    ([`super::access`]), `Box` on cycles ([`super::cycles`]), features
//!    ([`super::features`]), the shape table of unions and their catch-all
//!    variants ([`super::shapes`]).
//! 4. The [`Ir`], assembled from the draft and what the passes returned.
//!    The one step after it sorts the spec's examples ([`super::check`]):
//!    it decodes them the way the finished crate will, so it reads the
//!    finished model.

mod kinds;
mod operations;
mod parts;
mod rules;
mod types;

use self::types::{Builder, Built};
use super::features::TagGroups;
use super::model::{DatapointsPaths, Draft, Finding, HttpMethod, Ir, Operation, Ty, TypeId};
use crate::error::{join, Result};
use crate::load::Loaded;
use crate::overrides::Overrides;

/// Builds the IR of a loaded document, with the profile's and the lock's
/// choices.
pub fn build(loaded: &Loaded, overrides: &Overrides) -> Result<Ir> {
    let doc = &loaded.doc;
    let mut b = Builder::new(loaded, overrides)?;
    b.components()?;
    let tags = TagGroups::read(&doc.extensions);
    let operations = operations::build(&mut b, doc, overrides, &tags)?;
    let Built {
        types,
        component_count,
        mut fallbacks,
        mut findings,
    } = b.finish()?;
    let datapoints = datapoints_path(&operations, overrides, &mut findings);
    let mut draft = Draft {
        types,
        operations,
        component_count,
    };
    let shared = super::shared::merge(&mut draft, &names(overrides));
    super::access::relax(&mut draft);
    super::cycles::box_cycles(&mut draft);
    let groups = super::features::assign(&mut draft.types, &draft.operations, tags);
    let shapes = super::shapes::build(&draft.types);
    super::shapes::catch_alls(&mut draft, &shapes);
    fallbacks.sort();
    let mut ir = Ir {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        types: draft.types,
        component_count,
        operations: draft.operations,
        servers: operations::servers(doc),
        headers: overrides.headers.clone(),
        datapoints,
        split_types: overrides.layout.split_types && !groups.is_empty(),
        groups,
        fallbacks,
        findings,
        shared,
        shapes,
    };
    check_examples(&mut ir);
    ir.findings.sort();
    ir.findings.dedup();
    Ok(ir)
}

/// The names chosen outside the spec, which shared types keep.
fn names(overrides: &Overrides) -> super::shared::Names<'_> {
    super::shared::Names {
        pinned: overrides
            .schemas
            .values()
            .filter(|o| o.shared)
            .filter_map(|o| o.name.as_deref())
            .collect(),
        locked: overrides
            .locked_types
            .values()
            .map(String::as_str)
            .collect(),
    }
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

/// The paths of the datapoints operations the profile names. A name that
/// is not a POST of the spec is a finding, and the crate goes without the
/// datapoints module rather than calling a path the API does not have.
fn datapoints_path(
    operations: &[Operation],
    overrides: &Overrides,
    findings: &mut Vec<Finding>,
) -> Option<DatapointsPaths> {
    let names = overrides.datapoints.as_ref()?;
    let mut path = |key: &str, id: &str| {
        let found = operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(id));
        match found {
            Some(op) if op.method == HttpMethod::Post => Some(op.path.clone()),
            _ => {
                findings.push(Finding {
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
    Some(DatapointsPaths {
        list: list?,
        insert: insert?,
    })
}
