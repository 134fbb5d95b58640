//! The values the emitted tests send and expect, built beside the IR
//! rather than inside it: instances of IR types ([`synth`]), judged by
//! the spec as written ([`conform`], through `jsonschema`), and the
//! round-trip law for unions ([`faithful`]). The IR stays a model of the
//! client; only the test emitters and the report read what is here.

pub mod conform;
pub mod faithful;
pub mod synth;

use serde_json::Value;

use crate::ir::Ir;

pub use conform::Conformance;
pub use faithful::Survey;
pub use synth::{Memo, Synthesiser};

/// What the test emitters and the report read beside the IR.
pub struct TestData {
    /// The spec's own validation rules, for the synthesiser's choices.
    pub conformance: Conformance,
    /// Each union variant's instance and how the decoder reads it.
    pub survey: Survey,
    /// Instances built so far, shared by everything that asks.
    memo: Memo,
}

impl TestData {
    /// Judges by `original`, the spec as written (`openapi` version
    /// `version`), and surveys every union of `ir`.
    pub fn new(ir: &Ir, original: Value, version: &str) -> TestData {
        let conformance = Conformance::new(original, version);
        let memo = Memo::default();
        let survey = faithful::survey(Synthesiser {
            ir,
            spec: &conformance,
            memo: Some(&memo),
        });
        TestData {
            conformance,
            survey,
            memo,
        }
    }

    /// The synthesiser over `ir` and these rules.
    pub fn values<'a>(&'a self, ir: &'a Ir) -> Synthesiser<'a> {
        Synthesiser {
            ir,
            spec: &self.conformance,
            memo: Some(&self.memo),
        }
    }
}
