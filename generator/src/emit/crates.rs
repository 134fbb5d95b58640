//! The crates of a split crate (the profile's `layout.split_types`).
//!
//! rustc compiles a crate's front end on one core and keeps all of it in
//! memory until the crate is done, so a spec with thousands of types costs
//! one long, large process. Split, the types live under `crates/`: one
//! crate for the types several tag groups share, together with the part of
//! the runtime types are built with, and one crate per tag group for the
//! types only that group's operations reach. Cargo builds the group crates
//! side by side, each in a fraction of the memory, and a build with fewer
//! features skips whole crates. The client crate keeps everything else and
//! re-exports every type from `types`, so a user's paths do not change.
//!
//! Reachability decides the homes, so the crates form a DAG: a type two
//! groups reach mentions only types both reach (shared), and a type one
//! group reaches mentions only its own or shared ones. Types no operation
//! reaches (their own group, `all-schemas`) may mention any group's; that
//! group's crate then depends on the others, which [`type_crates`] checks
//! stays acyclic.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Error, Result};
use crate::ir::{Ir, TypeDef};

/// Where a type is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Home<'a> {
    /// The one crate of an unsplit layout.
    Client,
    /// The crate of the types several groups share.
    Shared,
    /// The crate of one group's types.
    Group(&'a str),
}

/// The crate `def` is defined in. A type of one group needs no `cfg`
/// there: its crate is compiled only with that group's feature.
pub fn home<'a>(ir: &Ir, def: &'a TypeDef) -> Home<'a> {
    match def.features.as_slice() {
        _ if !ir.split_types => Home::Client,
        [one] => Home::Group(one),
        _ => Home::Shared,
    }
}

/// The crate a type is defined in, beside the client crate.
#[derive(Debug, Clone)]
pub struct TypeCrate {
    /// The group whose types it holds; `None` for the shared crate.
    pub feature: Option<String>,
    /// Its Cargo package name.
    pub package: String,
    /// Its folder, relative to the client crate's root.
    pub dir: String,
    /// Features of the shared crate it turns on: its own, and one of each
    /// shared type it mentions that its own does not compile.
    pub shared_features: BTreeSet<String>,
    /// Other groups' crates whose types it mentions.
    pub needs: BTreeSet<String>,
}

impl TypeCrate {
    pub fn lib(&self) -> String {
        self.package.replace('-', "_")
    }
}

/// The crates of types of a split crate.
#[derive(Debug, Clone)]
pub struct TypeCrates {
    /// The types several groups share, and the runtime they are built with.
    pub shared: TypeCrate,
    /// One per group that has a type of its own, in the groups' order.
    pub groups: Vec<TypeCrate>,
}

impl TypeCrates {
    /// The shared crate first, then the groups'.
    pub fn all(&self) -> impl Iterator<Item = &TypeCrate> {
        std::iter::once(&self.shared).chain(&self.groups)
    }

    /// The crate of `feature`'s own types, when it has any.
    pub fn group(&self, feature: &str) -> Option<&TypeCrate> {
        self.groups
            .iter()
            .find(|c| c.feature.as_deref() == Some(feature))
    }
}

/// The folder of a type's definitions, relative to the client crate's root.
pub fn types_dir(home: Home<'_>) -> String {
    match home {
        Home::Client => "src/types".into(),
        Home::Shared => format!("{SHARED_DIR}/src/types"),
        Home::Group(feature) => format!("{}/src/types", group_dir(feature)),
    }
}

const SHARED_DIR: &str = "crates/types";

fn group_dir(feature: &str) -> String {
    format!("crates/types-{feature}")
}

/// The crates of types; `None` for an unsplit layout.
pub fn type_crates(ir: &Ir, package: &str) -> Result<Option<TypeCrates>> {
    if !ir.split_types {
        return Ok(None);
    }
    let shared = TypeCrate {
        feature: None,
        package: format!("{package}-types"),
        dir: SHARED_DIR.into(),
        shared_features: BTreeSet::new(),
        needs: BTreeSet::new(),
    };
    let groups = ir
        .groups
        .iter()
        .filter_map(|g| group_crate(ir, package, &g.feature))
        .collect();
    let crates = TypeCrates { shared, groups };
    check_acyclic(ir, &crates)?;
    Ok(Some(crates))
}

/// The crate of `feature`'s own types, with what they mention elsewhere;
/// `None` when every type its operations reach is shared.
fn group_crate(ir: &Ir, package: &str, feature: &str) -> Option<TypeCrate> {
    let own = |def: &TypeDef| home(ir, def) == Home::Group(feature);
    let members: Vec<usize> = (0..ir.types.len()).filter(|i| own(&ir.types[*i])).collect();
    if members.is_empty() {
        return None;
    }
    let mut shared_features = BTreeSet::from([feature.to_string()]);
    let mut needs = BTreeSet::new();
    for i in members {
        for m in crate::ir::features::mentions(&ir.types, i) {
            let other = &ir.types[m];
            match home(ir, other) {
                Home::Group(f) if f != feature => {
                    needs.insert(f.to_string());
                }
                Home::Shared if !other.features.iter().any(|f| f == feature) => {
                    shared_features.extend(other.features.first().cloned());
                }
                _ => {}
            }
        }
    }
    Some(TypeCrate {
        feature: Some(feature.to_string()),
        package: format!("{package}-types-{feature}"),
        dir: group_dir(feature),
        shared_features,
        needs,
    })
}

/// Cargo refuses a cycle of path dependencies with a message about
/// packages; this names the types' crates instead. The shared crate
/// mentions no group's type by construction; checked all the same.
fn check_acyclic(ir: &Ir, crates: &TypeCrates) -> Result<()> {
    let shared_leaks = ir.types.iter().enumerate().any(|(i, d)| {
        home(ir, d) == Home::Shared
            && crate::ir::features::mentions(&ir.types, i)
                .into_iter()
                .any(|m| matches!(home(ir, &ir.types[m]), Home::Group(_)))
    });
    let cyclic = crates.groups.iter().any(|c| {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = c.needs.iter().collect();
        while let Some(f) = stack.pop() {
            if Some(f.as_str()) == c.feature.as_deref() {
                return true;
            }
            if seen.insert(f) {
                stack.extend(crates.group(f).into_iter().flat_map(|g| &g.needs));
            }
        }
        false
    });
    if shared_leaks || cyclic {
        return Err(Error::Emit {
            item: "layout.split_types".into(),
            message: "the types' crates would depend on each other in a cycle; \
                      generate without `split_types`"
                .into(),
        });
    }
    Ok(())
}

/// `crate::types` of the client crate: every type crate's types, each
/// group's under its feature.
pub fn client_types_module(crates: &TypeCrates) -> TokenStream {
    let uses = crates.all().map(|c| {
        let lib = super::types::ident(&c.lib());
        let cfg = match &c.feature {
            Some(f) => quote!(#[cfg(feature = #f)]),
            None => quote!(),
        };
        quote!(#cfg pub use #lib::types::*;)
    });
    quote! {
        //! Every schema of the spec as a Rust type, re-exported from the
        //! crates of types beside this one (one per feature, and one for the
        //! types several features share).
        #(#uses)*
    }
}

/// What a group crate's `types` module sees besides its own types: the
/// shared crate's (with the union shape table) and those of the groups it
/// needs.
pub fn group_imports(crates: &TypeCrates, this: &TypeCrate) -> TokenStream {
    let shared = super::types::ident(&crates.shared.lib());
    let needed = this
        .needs
        .iter()
        .filter_map(|f| crates.group(f))
        .map(|c| super::types::ident(&c.lib()));
    quote! {
        #[allow(unused_imports)]
        use #shared::types::*;
        #[allow(unused_imports)]
        use #shared::types::shapes;
        #(#[allow(unused_imports)] use #needed::types::*;)*
    }
}

/// `src/lib.rs` of a type crate. `allows` are the client crate's lint
/// allowances, which its types need as much.
pub fn lib_rs(
    client_package: &str,
    crates: &TypeCrates,
    this: &TypeCrate,
    allows: &TokenStream,
) -> TokenStream {
    let (doc, runtime) = match &this.feature {
        Some(feature) => {
            let shared = super::types::ident(&crates.shared.lib());
            (
                format!(
                    " The types of `{client_package}`'s `{feature}` feature. Use them \
                     through `{client_package}`, which re-exports them from `types`."
                ),
                quote!(pub(crate) use #shared::runtime;),
            )
        }
        None => (
            format!(
                " The types of `{client_package}` that several of its features share, \
                 and the runtime they are built with. Use them through `{client_package}`, \
                 which re-exports them from `types`."
            ),
            quote! {
                #[doc(hidden)]
                pub mod runtime;
            },
        ),
    };
    quote! {
        #![doc = #doc]
        #allows
        #runtime
        pub mod types;
    }
}

/// The manifest of a type crate: its dependencies are the shared crate
/// (with the features its types need) and the groups it needs; the shared
/// crate has one feature per group instead.
pub fn manifest(
    client_package: &str,
    version: &str,
    groups: &[String],
    crates: &TypeCrates,
    this: &TypeCrate,
) -> String {
    let path = |c: &TypeCrate| c.dir.replacen("crates/", "../", 1);
    let shared = &crates.shared;
    let quoted = |items: &mut dyn Iterator<Item = &String>| -> String {
        items
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut dependencies = String::new();
    let mut features = String::new();
    match &this.feature {
        Some(_) => {
            dependencies.push_str(&format!(
                "{} = {{ path = {:?}, features = [{}] }}\n",
                shared.package,
                path(shared),
                quoted(&mut this.shared_features.iter())
            ));
            for c in this.needs.iter().filter_map(|f| crates.group(f)) {
                dependencies.push_str(&format!("{} = {{ path = {:?} }}\n", c.package, path(c)));
            }
        }
        None => {
            features.push_str("\n[features]\n");
            for g in groups {
                features.push_str(&format!("{g} = []\n"));
            }
        }
    }
    for name in ["regex-lite", "serde", "serde_json"] {
        if name != "regex-lite" || this.feature.is_none() {
            dependencies.push_str(&super::runtime_dependency(name));
            dependencies.push('\n');
        }
    }
    let description = toml::Value::String(match &this.feature {
        Some(f) => format!("The types of {client_package}'s `{f}` feature"),
        None => format!("The types of {client_package} that its features share"),
    });
    format!(
        "# Generated by cdf-codegen. Do not edit: run `cargo xtask codegen`.\n\
         [package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2024\"\n\
         description = {description}\nlicense = \"Apache-2.0\"\npublish = false\n\n\
         [lib]\nname = \"{lib}\"\n\n[dependencies]\n{dependencies}{features}",
        name = this.package,
        lib = this.lib(),
    )
}

/// The client crate's `[features]` entry for a group: the group's crate
/// (when it has types of its own) and the group's shared types.
pub fn client_feature(crates: &TypeCrates, feature: &str) -> String {
    let own = crates
        .group(feature)
        .map(|c| format!("\"dep:{}\", ", c.package))
        .unwrap_or_default();
    format!("{feature} = [{own}\"{}/{feature}\"]", crates.shared.package)
}

/// The client crate's dependencies on the type crates; a group's is
/// optional, turned on by its feature.
pub fn client_dependencies(crates: &TypeCrates) -> String {
    crates
        .all()
        .map(|c| {
            let optional = if c.feature.is_some() {
                ", optional = true"
            } else {
                ""
            };
            format!("{} = {{ path = {:?}{optional} }}\n", c.package, c.dir)
        })
        .collect()
}
