//! The passes that build the [`Ir`], run here in one list, in order.
//!
//! 1. [`types`]: every component schema becomes a type.
//! 2. [`operations`]: every operation, with the inline types its
//!    parameters, bodies and answers need (pagination and bulk read from
//!    the profile's field names).
//! 3. Passes over the built model, each reading what the one before it
//!    settled: one type per shape ([`super::shared`]), `readOnly`/
//!    `writeOnly` ([`super::access`]), `Box` on cycles
//!    ([`super::cycles`]), features ([`super::features`]), the shape
//!    table of unions ([`super::shapes`]), and the spec's examples sorted
//!    ([`super::check`]).

mod kinds;
mod operations;
mod parts;
mod rules;
mod types;

use self::types::{Builder, Built};
use super::model::{DatapointsPaths, Finding, HttpMethod, Ir, Operation, Ty, TypeId};
use crate::error::{join, Result};
use crate::load::Loaded;
use crate::overrides::Overrides;

/// Builds the IR of a loaded document, with the profile's and the lock's
/// choices.
pub fn build(loaded: &Loaded, overrides: &Overrides) -> Result<Ir> {
    let doc = &loaded.doc;
    let mut b = Builder::new(loaded, overrides)?;
    b.components()?;
    let operations = operations::build(&mut b, doc, overrides)?;
    let Built {
        types,
        component_count,
        fallbacks,
        mut findings,
    } = b.finish()?;
    let datapoints = datapoints_path(&operations, overrides, &mut findings);
    let mut ir = Ir {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        types,
        component_count,
        operations,
        servers: operations::servers(doc),
        headers: overrides.headers.clone(),
        datapoints,
        groups: Vec::new(),
        fallbacks,
        findings,
        shared: Vec::new(),
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
