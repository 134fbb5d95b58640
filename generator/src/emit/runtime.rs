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
        "test_server.rs",
        include_str!("../../../templates/src/test_server.rs"),
    ),
    (
        "testing.rs",
        include_str!("../../../templates/src/testing.rs"),
    ),
    ("union.rs", include_str!("../../../templates/src/union.rs")),
    (
        "validate.rs",
        include_str!("../../../templates/src/validate.rs"),
    ),
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
    let header = |name: &Option<String>| match name {
        Some(name) => quote!(Some(#name)),
        None => quote!(None),
    };
    let (sdk, app, api_version) = (
        header(&ir.headers.sdk),
        header(&ir.headers.app),
        header(&ir.headers.api_version),
    );
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
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        item: "src/runtime/mod.rs".into(),
        message: e.to_string(),
    })?;
    Ok(format!("{head}{MARKER}\n\n{}", super::unparse(&file)))
}

/// Hand-written examples and tests that use the generated API of the
/// Cognite spec (`templates/client/`), and the methods each one calls.
struct ClientFile {
    path: &'static str,
    text: &'static str,
    /// Methods it calls.
    uses: &'static [&'static str],
    /// Types it names (a spec without them gets no copy of the file).
    types: &'static [&'static str],
}

const SEQUENCE_LIST: &[&str] = &["SequencesAdvancedListDto", "GetSequenceDto"];

const CLIENT_FILES: &[ClientFile] = &[
    ClientFile {
        path: "examples/list_sequences.rs",
        text: include_str!("../../../templates/client/examples/list_sequences.rs"),
        uses: &["advanced_list_sequences"],
        types: &[
            "SequencesAdvancedListDto",
            "GetSequenceDto",
            "SequencesFilterLanguage",
            "SequencesBoolFilterAnd",
            "SequencesPrefixFilterPrefix",
            "SequencesExistsFilterExists",
        ],
    },
    ClientFile {
        path: "examples/read_sequence_rows.rs",
        text: include_str!("../../../templates/client/examples/read_sequence_rows.rs"),
        uses: &["get_sequence_data"],
        types: &[
            "SequenceDataRequest",
            "SequenceDataRequestSelectByExternalId",
        ],
    },
    ClientFile {
        path: "examples/migrate_column_external_ids.rs",
        text: include_str!("../../../templates/client/examples/migrate_column_external_ids.rs"),
        uses: &["advanced_list_sequences"],
        types: SEQUENCE_LIST,
    },
    ClientFile {
        path: "examples/bulk_sequences.rs",
        text: include_str!("../../../templates/client/examples/bulk_sequences.rs"),
        uses: &["create_sequence_bulk", "get_sequence_by_id_bulk"],
        types: &[
            "DataPostSequence",
            "PostSequenceDto",
            "PostSequenceColumnDto",
            "SequenceValueTypeEnum",
            "DataResourceIdsWithIgnoreUnknownIds",
            "DataResourceIdsWithIgnoreUnknownIdsItemsItemSelectByExternalId",
        ],
    },
    ClientFile {
        path: "examples/bench_client.rs",
        text: include_str!("../../../templates/client/examples/bench_client.rs"),
        uses: &[
            "advanced_list_sequences",
            "create_sequence_bulk",
            "get_groups",
        ],
        types: &[
            "DataGroup",
            "SequencesAdvancedListDto",
            "GetSequenceDto",
            "SequenceWithCursorResponse",
            "DataPostSequence",
            "PostSequenceDto",
            "PostSequenceColumnDto",
        ],
    },
    ClientFile {
        path: "tests/client_e2e.rs",
        text: include_str!("../../../templates/client/tests/client_e2e.rs"),
        uses: &[
            "advanced_list_sequences",
            "list_sequences",
            "get_tables",
            "get_sequence_by_id",
            "create_sequence_bulk",
            "get_sequence_by_id_bulk",
        ],
        types: &[
            "SequencesAdvancedListDto",
            "GetSequenceDto",
            "SequenceValueTypeEnum",
            "DataResourceIdsWithIgnoreUnknownIdsItemsItemSelectById",
            "DataResourceIdsWithIgnoreUnknownIdsItemsItemSelectByExternalId",
            "DataPostSequence",
            "PostSequenceDto",
            "PostSequenceColumnDto",
            "GetTablesParams",
            "ListSequencesParams",
        ],
    },
];

const EXAMPLES_COMMON: &str = include_str!("../../../templates/client/examples/common/mod.rs");

/// A client file to write, with the Cargo features it needs.
pub struct ClientTarget {
    pub path: String,
    pub text: String,
    pub features: Vec<String>,
}

/// The client files whose methods and types all exist in this spec, with
/// the crate's own library name in place of `cdf_client`.
pub fn client_files(ir: &Ir, lib: &str) -> Vec<ClientTarget> {
    let named = |t: &&str| {
        ir.types.iter().any(|d| d.name == *t)
            || ir
                .operations
                .iter()
                .any(|o| o.params_type.as_deref() == Some(*t))
    };
    let mut out: Vec<ClientTarget> = CLIENT_FILES
        .iter()
        .filter(|f| f.types.iter().all(named))
        .filter_map(|f| {
            let mut features: Vec<String> = f
                .uses
                .iter()
                .map(|m| method_feature(ir, m))
                .collect::<Option<_>>()?;
            features.sort();
            features.dedup();
            Some(ClientTarget {
                path: f.path.to_string(),
                text: f.text.replace("cdf_client", lib),
                features,
            })
        })
        .collect();
    if out.iter().any(|f| f.path.starts_with("examples/")) {
        out.push(ClientTarget {
            path: "examples/common/mod.rs".into(),
            text: EXAMPLES_COMMON.replace("cdf_client", lib),
            features: Vec::new(),
        });
    }
    out
}

/// The feature that compiles method `m`: an operation's own method, or its
/// `_bulk` form where the operation has one.
fn method_feature(ir: &Ir, m: &str) -> Option<String> {
    ir.operations
        .iter()
        .find(|op| {
            op.name == m || (op.bulk.is_some() && m.strip_suffix("_bulk") == Some(op.name.as_str()))
        })
        .map(|op| op.feature.clone())
}
