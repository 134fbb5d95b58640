//! `tests/unions.rs` of the generated crate: the round-trip law over every
//! union. Each variant's instance (built by [`crate::testgen::faithful`]) must
//! decode as that variant, or as the twin the report names, and encode
//! back to the same JSON.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{cfg_attr, ident};
use crate::ir::{Ir, TypeKind};
use crate::testgen::faithful::{Case, Outcome, Survey};

/// `None` when the spec has no union.
pub fn union_tests(ir: &Ir, survey: &Survey, lib: &str) -> Option<TokenStream> {
    let lib = ident(lib);
    let mut cases: Vec<_> = survey.cases.iter().collect();
    cases.sort_by(|a, b| {
        let name = |c: &Case| &ir.types[c.union].name;
        name(a).cmp(name(b)).then(a.variant.cmp(&b.variant))
    });
    let checks: Vec<TokenStream> = cases
        .into_iter()
        .filter_map(|case| {
            let def = &ir.types[case.union];
            let TypeKind::Union(u) = &def.kind else {
                return None;
            };
            let json = serde_json::to_string(case.value.as_ref()?).ok()?;
            let expected = match case.outcome {
                Outcome::Twin(w) => w,
                _ => case.variant,
            };
            let union = ident(&def.name);
            let variant = ident(&u.variants[expected].name);
            let label = format!("{}::{}", def.name, u.variants[case.variant].name);
            let cfg = cfg_attr(&def.features);
            Some(quote! {
                #cfg
                case!(#label, #union::#variant, #json);
            })
        })
        .collect();
    let mut unknown: Vec<_> = survey.unknown.iter().collect();
    unknown.sort_by(|a, b| ir.types[a.0].name.cmp(&ir.types[b.0].name));
    let others: Vec<TokenStream> = unknown
        .into_iter()
        .filter_map(|(index, value)| {
            let def = &ir.types[*index];
            let TypeKind::Union(u) = &def.kind else {
                return None;
            };
            let other = u.other.as_deref()?;
            let json = serde_json::to_string(value).ok()?;
            let union = ident(&def.name);
            let variant = ident(other);
            let label = format!("{}::{other}", def.name);
            let cfg = cfg_attr(&def.features);
            Some(quote! {
                #cfg
                case!(#label, #union::#variant, #json);
            })
        })
        .collect();
    if checks.is_empty() {
        return None;
    }
    let total = proc_macro2::Literal::usize_unsuffixed(checks.len() + others.len());
    Some(quote! {
        use #lib::runtime::testing::variant_round_trip;
        use #lib::types::*;

        /// For every union and every variant, an instance with every key of
        /// that variant decodes as that variant (or as the earlier twin that
        /// declares all of its keys, see `cargo xtask report`) and encodes
        /// back to the same JSON.
        #[test]
        fn every_union_variant_decodes_as_itself() {
            let mut failures: Vec<String> = Vec::new();
            let mut checked = 0usize;
            // The variant built for, the variant it must decode as, the instance.
            macro_rules! case {
                ($label:expr, $union:ident :: $variant:ident, $json:expr) => {
                    checked += 1;
                    if let Err(e) = variant_round_trip::<$union>($json, |x| matches!(x, $union::$variant(_))) {
                        failures.push(format!("{}: {}", $label, e));
                    }
                };
            }
            #(#checks)*
            // An object no variant knows (from a newer server) is kept whole.
            #(#others)*
            assert!(failures.is_empty(), "{} of {} variant(s) not decoded faithfully:\n{}", failures.len(), checked, failures.join("\n"));
            println!("union variants decoded faithfully: {checked} of {}", #total);
        }
    })
}
