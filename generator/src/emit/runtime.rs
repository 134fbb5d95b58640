//! The hand-written runtime, copied from `templates/src/` into the generated
//! crate's `src/runtime/`. Only the tail of `lib.rs` (the spec constants:
//! server URL template and its defaults) is written from the IR.

use quote::quote;

use crate::error::{Error, Result};
use crate::ir::Ir;

const LIB: &str = include_str!("../../../templates/src/lib.rs");

/// Everything below this line in `templates/src/lib.rs` is replaced.
pub const MARKER: &str = "// --- spec constants: the generator replaces everything below ---";

const MODULES: &[(&str, &str)] = &[
    ("auth.rs", include_str!("../../../templates/src/auth.rs")),
    (
        "builder.rs",
        include_str!("../../../templates/src/builder.rs"),
    ),
    (
        "client.rs",
        include_str!("../../../templates/src/client.rs"),
    ),
    (
        "encode.rs",
        include_str!("../../../templates/src/encode.rs"),
    ),
    ("error.rs", include_str!("../../../templates/src/error.rs")),
    (
        "pagination.rs",
        include_str!("../../../templates/src/pagination.rs"),
    ),
    (
        "request.rs",
        include_str!("../../../templates/src/request.rs"),
    ),
    ("retry.rs", include_str!("../../../templates/src/retry.rs")),
    (
        "server.rs",
        include_str!("../../../templates/src/server.rs"),
    ),
    (
        "testing.rs",
        include_str!("../../../templates/src/testing.rs"),
    ),
    ("union.rs", include_str!("../../../templates/src/union.rs")),
];

pub fn files(ir: &Ir) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = MODULES
        .iter()
        .map(|(name, text)| (format!("src/runtime/{name}"), text.to_string()))
        .collect();
    out.push(("src/runtime/mod.rs".into(), module_root(ir)?));
    Ok(out)
}

fn module_root(ir: &Ir) -> Result<String> {
    let head = LIB
        .split(MARKER)
        .next()
        .filter(|_| LIB.contains(MARKER))
        .ok_or_else(|| Error::Emit {
            item: "templates/src/lib.rs".into(),
            message: format!("the line `{MARKER}` is missing"),
        })?;
    let template = &ir.servers.url;
    let names = ir.servers.variables.iter().map(|(k, _)| k);
    let values = ir.servers.variables.iter().map(|(_, v)| v);
    let tokens = quote! {
        /// The spec's server URL, with `{variable}` placeholders.
        pub const SERVER_TEMPLATE: &str = #template;
        /// Default values of the server variables, from the spec.
        pub const SERVER_DEFAULTS: &[(&str, &str)] = &[#((#names, #values)),*];
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        item: "src/runtime/mod.rs".into(),
        message: e.to_string(),
    })?;
    Ok(format!(
        "{head}{MARKER}\n\n{}",
        prettyplease::unparse(&file)
    ))
}
