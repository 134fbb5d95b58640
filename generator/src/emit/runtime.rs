//! The hand-written runtime, copied from `templates/src/` into the generated
//! crate's `src/runtime/`. Only the tail of `lib.rs` (the spec constants:
//! server URL template and its defaults) is written from the IR.

use quote::quote;

use super::crates::TypeCrates;
use super::needs;
use crate::error::{Error, Result};
use crate::ir::Ir;

const LIB: &str = include_str!("../../../templates/src/lib.rs");

/// Everything below this line in `templates/src/lib.rs` is replaced.
pub const MARKER: &str = "// --- spec constants: the generator replaces everything below ---";

/// The folder of Cognite's datapoints reader, only for a spec whose
/// profile names the listing it reads.
const DATAPOINTS: &str = "datapoints/";

/// What `src/runtime/mod.rs` says of itself to the crate's users.
const MODULE_DOC: &str = "\
//! The machinery under the typed API: transport, authentication, retries,
//! pagination, bulk calls, validation and union decoding. The typed methods
//! cover every operation of the spec; this module is the escape hatch for a
//! call they do not make (build a [`request::Request`] and pass it to
//! [`Client::execute`](crate::Client::execute)). The `test-util` feature
//! adds a local HTTP server and round-trip checks for tests.
";

pub(super) const MODULES: &[(&str, &str)] = &[
    ("auth.rs", include_str!("../../../templates/src/auth.rs")),
    ("bulk.rs", include_str!("../../../templates/src/bulk.rs")),
    (
        "builder.rs",
        include_str!("../../../templates/src/builder.rs"),
    ),
    (
        "client.rs",
        include_str!("../../../templates/src/client.rs"),
    ),
    (
        "conversions.rs",
        include_str!("../../../templates/src/conversions.rs"),
    ),
    (
        "encode.rs",
        include_str!("../../../templates/src/encode.rs"),
    ),
    (
        "datapoints/encode.rs",
        include_str!("../../../templates/src/datapoints/encode.rs"),
    ),
    (
        "datapoints/insert.rs",
        include_str!("../../../templates/src/datapoints/insert.rs"),
    ),
    (
        "datapoints/json.rs",
        include_str!("../../../templates/src/datapoints/json.rs"),
    ),
    (
        "datapoints/mod.rs",
        include_str!("../../../templates/src/datapoints/mod.rs"),
    ),
    (
        "datapoints/read.rs",
        include_str!("../../../templates/src/datapoints/read.rs"),
    ),
    (
        "datapoints/wire.rs",
        include_str!("../../../templates/src/datapoints/wire.rs"),
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
        "test_server.rs",
        include_str!("../../../templates/src/test_server.rs"),
    ),
    (
        "testing.rs",
        include_str!("../../../templates/src/testing.rs"),
    ),
    (
        "constructor.rs",
        include_str!("../../../templates/src/constructor.rs"),
    ),
    (
        "serde_struct.rs",
        include_str!("../../../templates/src/serde_struct.rs"),
    ),
    (
        "setter.rs",
        include_str!("../../../templates/src/setter.rs"),
    ),
    (
        "string_enum.rs",
        include_str!("../../../templates/src/string_enum.rs"),
    ),
    ("union.rs", include_str!("../../../templates/src/union.rs")),
    (
        "union_de.rs",
        include_str!("../../../templates/src/union_de.rs"),
    ),
    (
        "validate.rs",
        include_str!("../../../templates/src/validate.rs"),
    ),
];

/// What the generated types are built with (their derives' stand-ins,
/// union decoding, validation): a split crate keeps these modules in its
/// shared crate of types, and the client's `runtime` re-exports them.
const TYPES_RUNTIME: &[&str] = &[
    "constructor",
    "conversions",
    "serde_struct",
    "setter",
    "string_enum",
    "union",
    "union_de",
    "validate",
];

/// What the shared crate's `runtime` says of itself.
const TYPES_RUNTIME_DOC: &str = "\
//! What the generated types are built with: serde impls, union decoding,
//! validation, constructors and setters. The client crate re-exports each
//! module from its own `runtime`.
";

pub fn files(ir: &Ir, crates: Option<&TypeCrates>) -> Result<Vec<(String, String)>> {
    let types_runtime = |name: &str| {
        let stem = name.strip_suffix(".rs").unwrap_or(name);
        crates.is_some() && TYPES_RUNTIME.contains(&stem)
    };
    let mut out = Vec::new();
    for (name, text) in modules(ir) {
        let dir = match crates {
            Some(c) if types_runtime(name) => format!("{}/src/runtime", c.shared.dir),
            _ => "src/runtime".into(),
        };
        out.push((format!("{dir}/{name}"), text.to_string()));
    }
    out.push(("src/runtime/mod.rs".into(), module_root(ir, crates)?));
    if let Some(crates) = crates {
        let mods = TYPES_RUNTIME.iter().map(|m| format!("pub mod {m};\n"));
        let text = format!("{TYPES_RUNTIME_DOC}\n{}", mods.collect::<String>());
        out.push((format!("{}/src/runtime/mod.rs", crates.shared.dir), text));
    }
    Ok(out)
}

/// A line of the template's module list; in a split crate, the modules
/// the types are built with are the shared crate's, re-exported.
fn module_line(line: &str, crates: Option<&TypeCrates>) -> String {
    let declared = line
        .strip_suffix(';')
        .and_then(|l| l.rsplit_once("mod "))
        .filter(|(vis, m)| vis.starts_with("pub") && TYPES_RUNTIME.contains(m));
    match (declared, crates) {
        (Some((vis, m)), Some(c)) => format!(
            "#[allow(unused_imports)]\n{vis}use {}::runtime::{m};\n",
            c.shared.lib()
        ),
        _ => format!("{line}\n"),
    }
}

/// The runtime's files that this crate gets.
fn modules(ir: &Ir) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    let datapoints = ir.datapoints.is_some();
    MODULES
        .iter()
        .filter(move |(name, _)| datapoints || !name.starts_with(DATAPOINTS))
}

/// The crate has `runtime::{module}`.
fn has_runtime_module(ir: &Ir, module: &str) -> bool {
    modules(ir).any(|(name, _)| {
        let stem = name.strip_suffix(".rs").unwrap_or(name);
        stem == module || stem == format!("{module}/mod")
    })
}

fn module_root(ir: &Ir, crates: Option<&TypeCrates>) -> Result<String> {
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
    let header = |name: &Option<String>| match name {
        Some(name) => quote!(Some(#name)),
        None => quote!(None),
    };
    let (sdk, app, api_version, retryable) = (
        header(&ir.headers.sdk),
        header(&ir.headers.app),
        header(&ir.headers.api_version),
        header(&ir.headers.retryable),
    );
    let datapoints = ir.datapoints.as_ref().map(|paths| {
        let (list, insert) = (&paths.list, &paths.insert);
        quote! {
            /// The datapoints listing that `Client::datapoints` reads.
            pub const DATAPOINTS_PATH: &str = #list;
            /// The datapoints insertion that `Client::insert_datapoints` writes to.
            pub const DATAPOINTS_INSERT_PATH: &str = #insert;
        }
    });
    let tokens = quote! {
        /// The spec's server URL, with `{variable}` placeholders.
        pub const SERVER_TEMPLATE: &str = #template;
        /// Default values of the server variables, from the spec.
        pub const SERVER_DEFAULTS: &[(&str, &str)] = &[#((#names, #values)),*];
        /// The header that names this client library and its version.
        pub const SDK_HEADER: Option<&str> = #sdk;
        /// The header that carries `ClientBuilder::app_name`.
        pub const APP_HEADER: Option<&str> = #app;
        /// The header that carries `ClientBuilder::cdf_version`.
        pub const API_VERSION_HEADER: Option<&str> = #api_version;
        /// The answer header whose `true` makes any failed request retried.
        pub const RETRYABLE_HEADER: Option<&str> = #retryable;
        #datapoints
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        item: "src/runtime/mod.rs".into(),
        message: e.to_string(),
    })?;
    // The template's own `//!` text is for its maintainers.
    let modules: String = head
        .lines()
        .filter(|l| !l.starts_with("//!"))
        .filter(|l| ir.datapoints.is_some() || *l != "pub mod datapoints;")
        .skip_while(|l| l.is_empty())
        .map(|l| module_line(l, crates))
        .collect();
    Ok(format!("{MODULE_DOC}\n{modules}{}", super::unparse(&file)))
}

/// Hand-written examples and tests written against the generated API of
/// the Cognite spec (`templates/client/`). Which of them a crate gets, and
/// with which features, is read from their code (see [`needs`]).
const CLIENT_FILES: &[(&str, &str)] = &[
    (
        "examples/list_sequences.rs",
        include_str!("../../../templates/client/examples/list_sequences.rs"),
    ),
    (
        "examples/read_sequence_rows.rs",
        include_str!("../../../templates/client/examples/read_sequence_rows.rs"),
    ),
    (
        "examples/migrate_column_external_ids.rs",
        include_str!("../../../templates/client/examples/migrate_column_external_ids.rs"),
    ),
    (
        "examples/bulk_sequences.rs",
        include_str!("../../../templates/client/examples/bulk_sequences.rs"),
    ),
    (
        "examples/five_tasks.rs",
        include_str!("../../../templates/client/examples/five_tasks.rs"),
    ),
    (
        "examples/read_datapoints.rs",
        include_str!("../../../templates/client/examples/read_datapoints.rs"),
    ),
    (
        "examples/bench_client.rs",
        include_str!("../../../templates/client/examples/bench_client.rs"),
    ),
    (
        "tests/client_e2e.rs",
        include_str!("../../../templates/client/tests/client_e2e.rs"),
    ),
];

const EXAMPLES_COMMON: &str = include_str!("../../../templates/client/examples/common/mod.rs");

/// A client file to write, with the Cargo features it needs.
pub struct ClientTarget {
    pub path: String,
    pub text: String,
    pub features: Vec<String>,
}

/// The client files that compile against this crate: every type and
/// runtime module they take from it exists, and no API method they call is one this crate lacks (a
/// `_stream` of a listing that does not page under this profile). Each gets the features of the API methods it calls, and
/// the crate's own library name where it names the crate.
pub fn client_files(ir: &Ir, lib: &str) -> Result<Vec<ClientTarget>> {
    let failed = |path: &str| {
        let item = format!("templates/client/{path}");
        move |message: String| Error::Emit { item, message }
    };
    let mut out = Vec::new();
    for (path, text) in CLIENT_FILES {
        let wants = needs::of(text).map_err(failed(path))?;
        let lacking = |m: &String| {
            method_feature(ir, m).is_none()
                && ir
                    .operations
                    .iter()
                    .any(|op| super::operations::names_a_method_of(op, m))
        };
        let runtime = wants.runtime.iter().all(|m| has_runtime_module(ir, m));
        if !runtime
            || !wants.types.iter().all(|t| has_type(ir, t))
            || wants.methods.iter().any(lacking)
        {
            continue;
        }
        let mut features: Vec<String> = wants
            .methods
            .iter()
            .filter_map(|m| method_feature(ir, m))
            .collect();
        features.sort();
        features.dedup();
        out.push(ClientTarget {
            path: path.to_string(),
            text: needs::with_crate_name(text, lib).map_err(failed(path))?,
            features,
        });
    }
    if out.iter().any(|f| f.path.starts_with("examples/")) {
        let path = "examples/common/mod.rs";
        out.push(ClientTarget {
            path: path.into(),
            text: needs::with_crate_name(EXAMPLES_COMMON, lib).map_err(failed(path))?,
            features: Vec::new(),
        });
    }
    Ok(out)
}

/// A type or a `Params` struct of that name is generated.
fn has_type(ir: &Ir, name: &str) -> bool {
    ir.types.iter().any(|d| d.name == name)
        || ir
            .operations
            .iter()
            .any(|o| o.params_type.as_deref() == Some(name))
}

/// The feature that compiles method `m`, when it is one of an operation's
/// methods (its own, `_bulk`, `_stream` or `_partitioned`).
fn method_feature(ir: &Ir, m: &str) -> Option<String> {
    ir.operations
        .iter()
        .find(|op| super::operations::method_names(op).any(|name| name == m))
        .map(|op| op.feature.clone())
}
