//! `tests/schema_examples.rs` of the generated crate: every example the spec
//! gives for a schema must decode into the generated type and encode back to
//! the same JSON. Examples that contradict their own schema are listed in the
//! report instead (the types are not loosened to fit them).

use proc_macro2::TokenStream;
use quote::quote;

use super::types::ident;
use crate::ir::Ir;

/// `None` when no example fits its schema: then there is nothing to test.
pub fn schema_examples(ir: &Ir, lib: &str) -> Option<TokenStream> {
    let lib = ident(lib);
    let mut defs: Vec<_> = ir.types.iter().filter(|d| d.example.is_some()).collect();
    defs.sort_by(|a, b| a.name.cmp(&b.name));
    let checks: Vec<TokenStream> = defs
        .iter()
        .filter(|d| d.example_problems.is_empty())
        .filter_map(|def| {
            let json = serde_json::to_string(def.example.as_ref()?).ok()?;
            let name = ident(&def.name);
            let label = &def.name;
            let cfg = super::types::cfg_attr(&def.features);
            Some(quote! {
                #cfg
                {
                    if let Err(e) = round_trip::<#name>(#json) {
                        failures.push(format!("{}: {}", #label, e));
                    }
                }
            })
        })
        .collect();
    if checks.is_empty() {
        return None;
    }
    let skipped: Vec<String> = defs
        .iter()
        .filter(|d| !d.example_problems.is_empty())
        .map(|d| format!(" - `{}`: {}", d.name, d.example_problems.join("; ")))
        .collect();
    let skipped_doc = (!skipped.is_empty()).then(|| {
        let mut lines = vec![" Examples not tested because they contradict their own schema (see `cargo xtask report`):".to_string()];
        lines.extend(skipped);
        quote!(#(#[doc = #lines])*)
    });
    Some(quote! {
        use #lib::runtime::testing::round_trip;
        use #lib::types::*;

        /// Every schema example of the spec round-trips through its Rust type.
        #skipped_doc
        #[test]
        fn schema_examples_round_trip() {
            #[allow(unused_mut)]
            let mut failures: Vec<String> = Vec::new();
            #(#checks)*
            assert!(failures.is_empty(), "{} example(s) failed:\n{}", failures.len(), failures.join("\n"));
        }
    })
}
