//! The intermediate representation: plain Rust types describing what to
//! emit, with every name decided and every reference resolved. Emitters read
//! only this; they never look back at the spec.
//!
//! `model` is the data, re-exported here; `build` runs the passes that
//! make it, in one list. The passes over the built model (`shared`,
//! `access`, `cycles`, `features`, `shapes`) and the queries
//! (`check`, `view`, [`identity`], `rules`) read the model and never
//! the build, so no module here imports one that imports it back.

pub(crate) mod access;
mod build;
pub(crate) mod check;
pub(crate) mod cycles;
pub(crate) mod features;
pub mod identity;
mod model;
pub(crate) mod rules;
pub(crate) mod shapes;
pub(crate) mod shared;
pub(crate) mod view;

/// The crate's own rule for choosing a union's variant
/// (`templates/src/union.rs`), compiled here too: the shape table is its
/// data, and the generator's predictions run the same code as the crate.
#[path = "../../../templates/src/union.rs"]
#[allow(dead_code)]
mod union_rule;

pub use build::build;
pub use model::*;
pub use rules::{Bound, Rules};
