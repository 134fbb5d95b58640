#![deny(missing_docs)]
//! cdf-codegen: an OpenAPI 3.0/3.1 → typed async Rust client generator,
//! proven on the Cognite Data Fusion API.
//!
//! One way through: spec text → [`load`] (with [`normalise`]) →
//! [`ir`] → `emit` → files, written by [`write`](mod@write).

pub mod diff;
mod emit;
pub mod error;
pub mod ir;
mod lenient;
pub mod load;
mod naming;
pub mod normalise;
pub mod overrides;
pub mod pin;
pub mod release;
pub mod report;
mod testgen;
mod threads;
pub mod write;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub use emit::CrateOptions;
pub use error::{Error, Result};
pub use report::Report;
pub use threads::{on_large_stack, STACK};

/// The generated crate, in memory, and what it took to get there.
pub struct Generated {
    /// Path relative to the crate root → file content.
    pub files: BTreeMap<String, String>,
    /// What the generator saw and did (`cargo xtask report`).
    pub report: Report,
    /// Lock key (see [`ir::identity`]) → Rust type name, for the lock;
    /// `Params` structs under their operation's `parameters`.
    pub types: BTreeMap<String, String>,
    /// Operation JSON pointer → method name, for the lock.
    pub methods: BTreeMap<String, String>,
    /// The release version the manifest carries ([`CrateOptions::version`]).
    pub version: release::Version,
}

/// Runs the whole pipeline on spec text.
pub fn generate(text: &str, opts: &CrateOptions) -> Result<Generated> {
    generate_timed(text, opts).map(|(generated, _)| generated)
}

/// The crate name must be one Cargo takes, and its library name (`-` as
/// `_`) an identifier that is not a keyword: the name is written into
/// `Cargo.toml` and into every `use` of the examples.
fn check_package_name(name: &str) -> Result<()> {
    let lib = name.replace('-', "_");
    let ok = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && syn::parse_str::<syn::Ident>(&lib).is_ok();
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "crate name",
            format!("`{name}` is not a crate name: ASCII letters, digits, `-` and `_`, starting with a letter, at most 64, not a Rust keyword"),
        ))
    }
}

/// How long each phase of [`generate_timed`] took, in order.
pub type Phases = Vec<(&'static str, Duration)>;

/// [`generate`], timing each phase for `cargo xtask bench`. `format` is
/// the syn + prettyplease share of `emit`, summed over its threads.
pub fn generate_timed(text: &str, opts: &CrateOptions) -> Result<(Generated, Phases)> {
    on_large_stack(|| pipeline(text, opts))?
}

fn pipeline(text: &str, opts: &CrateOptions) -> Result<(Generated, Phases)> {
    check_package_name(&opts.package_name)?;
    let mut phases = Phases::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, phases: &mut Phases| {
        phases.push((name, clock.elapsed()));
        clock = Instant::now();
    };
    let raw = load::parse_text(text)?;
    lap("parse", &mut phases);
    let mut loaded = load::read_document(raw)?;
    let sha256 = pin::sha256_hex(text.as_bytes());
    loaded.sha256 = Some(sha256.clone());
    lap("normalise + model", &mut phases);
    // What the model drops is found beside the IR's build: both only read
    // the document.
    let (ir, dropped) = std::thread::scope(|s| -> Result<_> {
        let name = "dropped keys";
        let dropped = threads::spawn(s, name, || load::dropped_keys(&loaded))?;
        let ir = ir::build(&loaded, &opts.overrides);
        let dropped = threads::join(dropped, name)?;
        Ok((ir?, dropped))
    })?;
    loaded.changes.extend(dropped);
    // The IR holds all the rest; the report needs only the version and
    // the changes, so the document's two models go before emission.
    loaded.raw = serde_json::Value::Null;
    loaded.doc = openapiv3::OpenAPI::default();
    lap("ir", &mut phases);
    let opts = CrateOptions {
        spec_sha256: sha256,
        ..opts.clone()
    };
    // The spec as written is needed only to judge test instances: it moves
    // there rather than being copied (a copy of a 6.6 MB spec costs more
    // than 60 MB).
    let original = std::mem::take(&mut loaded.original);
    let version = &loaded.source_version;
    let make_tests = || testgen::TestData::new(&ir, original, version);
    let (emitted, tests) = emit::emit_crate(&ir, make_tests, &opts)?;
    lap("emit", &mut phases);
    phases.push(("  of which format", emitted.formatting));
    phases.push(("  of which test values", emitted.test_values));
    let files = emitted.files;
    let report = Report::new(&loaded, &ir, &tests);
    let types = ir.lock_types();
    let methods = ir
        .operations
        .iter()
        .map(|o| (o.pointer.clone(), o.name.clone()))
        .collect();
    threads::drop_later((ir, tests));
    lap("report", &mut phases);
    let generated = Generated {
        files,
        report,
        types,
        methods,
        version: opts.version,
    };
    Ok((generated, phases))
}
