//! cdf-codegen: an OpenAPI 3.0/3.1 → typed async Rust client generator,
//! proven on the Cognite Data Fusion API.
//!
//! One way through: spec text → [`load`] (with [`normalise`]) →
//! [`ir`] → [`emit`] → files, written by [`write`].

pub mod diff;
pub mod emit;
pub mod error;
pub mod ir;
pub mod load;
pub mod naming;
pub mod normalise;
pub mod overrides;
pub mod pin;
pub mod report;
pub mod write;

use std::collections::BTreeMap;

pub use emit::CrateOptions;
pub use error::{Error, Result};
pub use report::Report;

/// The generated crate, in memory, and what it took to get there.
pub struct Generated {
    /// Path relative to the crate root → file content.
    pub files: BTreeMap<String, String>,
    pub report: Report,
    /// JSON pointer → Rust type name, for the lock.
    pub types: BTreeMap<String, String>,
    /// Operation JSON pointer → method name, for the lock.
    pub methods: BTreeMap<String, String>,
}

/// Runs the whole pipeline on spec text.
pub fn generate(text: &str, opts: &CrateOptions) -> Result<Generated> {
    let loaded = load::load_str(text)?;
    let mut ir = ir::schema::build(&loaded.doc, &opts.overrides)?;
    ir.conformance = ir::conform::Conformance::new(&loaded.original, &loaded.source_version);
    let opts = CrateOptions {
        spec_sha256: pin::sha256_hex(text.as_bytes()),
        ..opts.clone()
    };
    let files = emit::emit_crate(&ir, &opts)?;
    let report = Report::new(&loaded, &ir);
    let types = ir
        .types
        .iter()
        .map(|d| (d.pointer.clone(), d.name.clone()))
        .collect();
    let methods = ir
        .operations
        .iter()
        .map(|o| (o.pointer.clone(), o.name.clone()))
        .collect();
    Ok(Generated {
        files,
        report,
        types,
        methods,
    })
}
