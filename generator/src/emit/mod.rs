//! IR → the files of the generated crate. Rust goes through `quote` and
//! `prettyplease`; the hand-written runtime is copied from `templates/`.

mod bulk;
pub mod construct;
pub mod crates;
pub mod examples;
mod layout;
pub mod needs;
pub mod operations;
pub mod optests;
mod prose;
mod quickstart;
pub mod runtime;
pub mod rust_type;
mod sample;
mod streams;
pub mod types;
pub mod unions;
pub mod validate;

use std::collections::BTreeMap;

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;
use quote::quote;

use crate::error::{Error, Result};
use crate::ir::Ir;
use crate::testgen::{Synthesiser, TestData};
use crate::threads;
use crates::{Home, TypeCrates};
use operations::TagApi;
use types::TypeEmitter;

/// How to generate a crate: its name, the spec's profile, and what the manifest records.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    /// The Cargo package name; the library name is this with `-` as `_`.
    pub package_name: String,
    /// `spec/codegen.toml`: pinned names, retry safety.
    pub overrides: crate::overrides::Overrides,
    /// The spec's sha256, set by [`crate::generate`] for the crate version.
    pub spec_sha256: String,
    /// The release this generation is (`spec/codegen.lock`, moved on by
    /// [`crate::release::plan`] when the spec changes).
    pub version: crate::release::Version,
}

impl Default for CrateOptions {
    fn default() -> Self {
        CrateOptions {
            package_name: "cdf-client".into(),
            overrides: Default::default(),
            spec_sha256: String::new(),
            version: crate::release::Version::FIRST,
        }
    }
}

/// The generated crate's files, and the time spent making them.
pub struct Emitted {
    /// Path relative to the crate root → content.
    pub files: BTreeMap<String, String>,
    /// syn + prettyplease, summed over the threads that formatted.
    pub formatting: Duration,
    /// Making the test values, on whichever thread took it.
    pub test_values: Duration,
}

/// Files made by one job, with their paths.
type Files = Vec<(String, String)>;

/// One job of the crate's emission: files, and the time it spent formatting.
type FileJob<'a> = threads::Job<'a, (Result<Files>, Duration)>;

/// `make` as a job of [`threads::pool`], its formatting timed.
fn job<'a>(make: impl FnOnce() -> Result<Files> + Send + 'a) -> FileJob<'a> {
    Box::new(move |_| timed(make))
}

/// Every file of the crate, and the test values (`tests` makes them) the
/// tests among them hold. Each file is a job for a pool with one thread
/// per core: the values are made beside the first files, and the test
/// files are queued as soon as they are ready.
pub fn emit_crate<'a>(
    ir: &'a Ir,
    tests: impl FnOnce() -> TestData + Send + 'a,
    opts: &'a CrateOptions,
) -> Result<(Emitted, TestData)> {
    let crates = crates::type_crates(ir, &opts.package_name)?;
    let crates = crates.as_ref();
    let lib = opts.package_name.replace('-', "_");
    let types = TypeEmitter::new(ir);
    let apis = operations::tag_apis(ir);
    let emitter = operations::OperationEmitter {
        ir,
        types: &types,
        lib: lib.clone(),
    };
    let cell: OnceLock<(TestData, Duration)> = OnceLock::new();
    let (made, emitter, apis, lib) = (&cell, &emitter, &apis, lib.as_str());
    let mut jobs: Vec<FileJob<'_>> = vec![Box::new(move |queue| {
        let started = Instant::now();
        let data = tests();
        let data = &made.get_or_init(|| (data, started.elapsed())).0;
        // Taken next, the largest first.
        for job in test_files(ir, data, apis, lib).into_iter().rev() {
            queue.push_front(job);
        }
        (Ok(Vec::new()), Duration::ZERO)
    })];
    jobs.extend(type_modules(ir, emitter.types, crates)?);
    jobs.extend(api_modules(emitter, apis));
    jobs.extend(other_files(ir, opts, crates, emitter, apis)?);
    let mut files = BTreeMap::new();
    let mut formatting = Duration::ZERO;
    for (made, time) in threads::pool(jobs) {
        files.extend(made?);
        formatting += time;
    }
    let (tests, test_values) = cell.into_inner().ok_or_else(|| Error::Emit {
        item: "test values".into(),
        message: "the job that makes them did not run".into(),
    })?;
    let emitted = Emitted {
        files,
        formatting,
        test_values,
    };
    Ok((emitted, tests))
}

/// The generated tests that read the test values, one job per file.
fn test_files<'a>(
    ir: &'a Ir,
    tests: &'a TestData,
    apis: &'a [TagApi<'a>],
    lib: &'a str,
) -> Vec<FileJob<'a>> {
    type Make = fn(Synthesiser<'_>, &[TagApi<'_>], &str) -> TokenStream;
    let per_operation: [(&str, Make); 2] = [
        ("tests/operations.rs", optests::operation_tests),
        ("tests/contract.rs", optests::contract_tests),
    ];
    let mut jobs = Vec::new();
    for (path, make) in per_operation
        .into_iter()
        .filter(|_| !ir.operations.is_empty())
    {
        jobs.push(job(move || {
            // The operation and contract tests allow unused imports throughout.
            let partial = partial_features(ir, false);
            let tokens = make(tests.values(ir), apis, lib);
            Ok(vec![(
                path.into(),
                format_file(path, quote!(#partial #tokens))?,
            )])
        }));
    }
    jobs.push(job(move || {
        let Some(tokens) = unions::union_tests(ir, &tests.survey, lib) else {
            return Ok(Vec::new());
        };
        let path = "tests/unions.rs";
        let partial = partial_features(ir, true);
        Ok(vec![(
            path.into(),
            format_file(path, quote!(#partial #tokens))?,
        )])
    }));
    jobs
}

/// Everything but the type modules, the API modules and the tests.
fn other_files<'a>(
    ir: &'a Ir,
    opts: &'a CrateOptions,
    crates: Option<&'a TypeCrates>,
    emitter: &'a operations::OperationEmitter<'a>,
    apis: &'a [TagApi<'a>],
) -> Result<Vec<FileJob<'a>>> {
    let lib = emitter.lib.as_str();
    let client = runtime::client_files(ir, lib)?;
    let mut files = vec![(
        "Cargo.toml".to_string(),
        cargo_toml(ir, opts, &client, crates),
    )];
    // prettyplease formats the output; a `cargo fmt --all` in a workspace
    // must not rewrite it, or the drift check would fail.
    files.push((
        "rustfmt.toml".to_string(),
        "# Generated code is formatted by prettyplease.\ndisable_all_formatting = true\n"
            .to_string(),
    ));
    files.extend(runtime::files(ir, crates)?);
    files.extend(client.into_iter().map(|t| (t.path, t.text)));
    let mut jobs = vec![job(move || Ok(files))];
    if let Some(crates) = crates {
        jobs.push(job(move || type_crate_roots(ir, opts, crates)));
    }
    jobs.push(job(move || {
        let mut files = Vec::new();
        let quick_start = emitter.quick_start(apis);
        if let Some((text, _)) = &quick_start {
            files.push(("src/quick_start.md".to_string(), text.clone()));
        }
        let feature = quick_start.map(|(_, feature)| feature);
        let lib_rs = format_file("src/lib.rs", lib_rs(ir, apis, feature.as_deref()))?;
        files.push(("src/lib.rs".to_string(), lib_rs));
        Ok(files)
    }));
    jobs.push(job(move || {
        let Some(tokens) = examples::schema_examples(ir, lib) else {
            return Ok(Vec::new());
        };
        let path = "tests/schema_examples.rs";
        Ok(vec![(path.into(), format_file(path, tokens)?)])
    }));
    Ok(jobs)
}

/// For the generated tests: with some group's feature off, the tests of
/// its operations and types are left out, and the helpers and imports
/// they share may go unused (`cargo test --no-default-features
/// --features <group>` must not warn).
/// `imports`: the file does not already allow unused imports.
fn partial_features(ir: &Ir, imports: bool) -> TokenStream {
    if ir.groups.is_empty() {
        return TokenStream::new();
    }
    let features = ir.groups.iter().map(|g| &g.feature);
    let imports = imports.then(|| quote!(unused_imports,));
    quote! {
        #![cfg_attr(
            not(all(#(feature = #features),*)),
            allow(#imports unused_macros, unused_mut, dead_code)
        )]
    }
}

/// The manifest and `src/lib.rs` of each crate of types.
fn type_crate_roots(
    ir: &Ir,
    opts: &CrateOptions,
    crates: &TypeCrates,
) -> Result<Vec<(String, String)>> {
    let version = crate_version(ir, opts);
    let groups: Vec<String> = ir.groups.iter().map(|g| g.feature.clone()).collect();
    let package = &opts.package_name;
    let mut out = Vec::new();
    for c in crates.all() {
        let manifest = crates::manifest(package, &version, &groups, crates, c);
        out.push((format!("{}/Cargo.toml", c.dir), manifest));
        let path = format!("{}/src/lib.rs", c.dir);
        let tokens = crates::lib_rs(package, crates, c, &lint_allows());
        out.push((path.clone(), format_file(&path, tokens)?));
    }
    Ok(out)
}

fn cargo_toml(
    ir: &Ir,
    opts: &CrateOptions,
    client: &[runtime::ClientTarget],
    crates: Option<&TypeCrates>,
) -> String {
    let datapoints = ir.datapoints.is_some();
    // Through TOML's own string encoding: a title may hold quotes, line
    // breaks or control characters.
    let description = toml::Value::String(format!(
        "Typed async Rust client for {} {}",
        ir.title, ir.version
    ))
    .to_string();
    format!(
        r#"# Generated by cdf-codegen. Do not edit: run `cargo xtask codegen`.
[package]
name = "{name}"
version = "{version}"
edition = "2024"
description = {description}
license = "Apache-2.0"
publish = false

[lib]
name = "{lib}"

{dependencies}
{dev_dependencies}
[features]
default = [{defaults}]
{features}{runtime_features}{targets}"#,
        targets = client_targets(client),
        defaults = ir
            .groups
            .iter()
            .map(|g| format!("{:?}", g.feature))
            .collect::<Vec<_>>()
            .join(", "),
        features = ir
            .groups
            .iter()
            .map(|g| {
                let entry = match crates {
                    Some(crates) => crates::client_feature(crates, &g.feature),
                    None => format!("{} = []", g.feature),
                };
                format!("# {}\n{entry}\n", g.name.replace('\n', " "))
            })
            .collect::<String>(),
        name = opts.package_name,
        version = crate_version(ir, opts),
        lib = opts.package_name.replace('-', "_"),
        dependencies = manifest_table("[dependencies]", &opts.package_name, datapoints)
            + &crates.map(crates::client_dependencies).unwrap_or_default(),
        dev_dependencies = manifest_table("[dev-dependencies]", &opts.package_name, datapoints),
        runtime_features = manifest_table("[features]", &opts.package_name, datapoints)
            .split_once('\n')
            .map_or("", |(_, rest)| rest),
    )
}

/// The generated crate's version: the release, with the spec's version and
/// digest as build metadata (`1.4.0+spec.v1.9c65c46c`), so the manifest
/// says which spec a release was generated from.
fn crate_version(ir: &Ir, opts: &CrateOptions) -> String {
    let spec_sha256 = &opts.spec_sha256;
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    // Build metadata identifiers may not be empty (`+spec.` is not semver).
    let spec_version = Some(clean(&ir.version)).filter(|v| !v.is_empty());
    let spec_version = spec_version.unwrap_or_else(|| "unversioned".into());
    let mut version = format!("{}+spec.{spec_version}", opts.version);
    if spec_sha256.len() >= 8 {
        version.push('.');
        version.push_str(&spec_sha256[..8]);
    }
    version
}

/// `[[example]]`/`[[test]]` entries, so a build with fewer features skips
/// the client files that need the missing ones.
fn client_targets(client: &[runtime::ClientTarget]) -> String {
    let mut out = String::new();
    for t in client {
        let (kind, rest) = match t.path.split_once('/') {
            Some(("examples", rest)) if !rest.contains('/') => ("example", rest),
            Some(("tests", rest)) if !rest.contains('/') => ("test", rest),
            _ => continue,
        };
        let name = rest.trim_end_matches(".rs");
        let features: Vec<String> = t.features.iter().map(|f| format!("{f:?}")).collect();
        out.push_str(&format!(
            "\n[[{kind}]]\nname = {name:?}\npath = {path:?}\nrequired-features = [{}]\n",
            features.join(", "),
            path = t.path
        ));
    }
    out
}

/// A table of `templates/Cargo.toml`: the runtime is compiled and tested
/// there with exactly the dependencies and features the generated crate
/// gets. Its dependency on itself (for `test-util` in its own tests) becomes
/// the generated crate's dependency on itself.
/// `prost` is there only for the datapoints module.
fn manifest_table(table: &str, package: &str, datapoints: bool) -> String {
    const RUNTIME: &str = "cdf-client-runtime = ";
    const PROST: &str = "prost = ";
    let manifest = include_str!("../../../templates/Cargo.toml");
    let mut out = String::new();
    let mut inside = false;
    // Without datapoints, `prost` and the comment above it are left out.
    let mut prost = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            inside = line.trim() == table;
        }
        prost |= !datapoints && line.starts_with("# Only for `runtime::datapoints`");
        if prost {
            prost = !line.starts_with(PROST);
            continue;
        }
        if inside {
            match line.strip_prefix(RUNTIME) {
                Some(rest) => out.push_str(&format!("{package} = {rest}")),
                None => out.push_str(line),
            }
            out.push('\n');
        }
    }
    out
}

/// The line of the runtime's `[dependencies]` (see [`manifest_table`])
/// that names `name`, for the crates of types (which use a few of them).
fn runtime_dependency(name: &str) -> String {
    let prefix = format!("{name} = ");
    manifest_table("[dependencies]", "", true)
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_default()
        .to_string()
}

/// The lints the generated code allows, crate-wide in every crate of it.
fn lint_allows() -> TokenStream {
    quote! {
        #![allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            clippy::large_enum_variant,
            clippy::enum_variant_names,
            // Setters are named for their fields, and CDF patches have
            // `add`/`remove`/`set` fields: `add` is not `std::ops::Add`.
            clippy::should_implement_trait,
            clippy::wrong_self_convention,
            // `new` takes fields by their names, which a spec may spell `_1`.
            clippy::just_underscores_and_digits,
            clippy::upper_case_acronyms,
            clippy::too_long_first_doc_paragraph,
            // A field is typed as the spec nests it: Vercel has a map of
            // maps of maps of lists, which an alias would only hide.
            clippy::type_complexity
        )]
    }
}

/// `quick_start`: the feature that `src/quick_start.md` needs, when the
/// crate has one.
fn lib_rs(ir: &Ir, apis: &[TagApi<'_>], quick_start: Option<&str>) -> TokenStream {
    // Rust first; the spec's own introduction after it. The quick start
    // is ours, so its code block stays Rust and is compiled as a doctest
    // (the spec's code blocks are sanitised). It is read only with the
    // feature of the operation it calls, so that a build with other
    // features still compiles its doctests.
    let quick_start = quick_start.map(
        |feature| quote!(#![cfg_attr(feature = #feature, doc = include_str!("quick_start.md"))]),
    );
    let mut text = format!("# {} {}\n\n", ir.title, ir.version);
    if let Some(d) = &ir.description {
        text.push_str(d.trim());
        text.push_str("\n\n");
    }
    text.push_str("Generated by cdf-codegen from the OpenAPI document; do not edit by hand.");
    let docs = types::doc_lines(&text)
        .into_iter()
        .map(|l| quote!(#![doc = #l]));
    let accessors = apis.iter().map(|api| {
        let module = types::ident(&api.module);
        let ty = types::ident(&api.type_name);
        let doc = format!(" Operations tagged `{}`.", api.tag);
        let cfg = types::cfg_attr(std::slice::from_ref(&api.feature));
        quote! {
            #cfg
            #[doc = #doc]
            pub fn #module(&self) -> api::#ty<'_> {
                api::#ty { client: self }
            }
        }
    });
    let allows = lint_allows();
    quote! {
        #quick_start
        #(#docs)*
        #allows

        pub mod api;
        pub mod runtime;
        pub mod types;

        pub use runtime::client::{Client, ClientBuilder};
        pub use runtime::error::{ApiError, Error};
        pub use runtime::bulk::{BulkError, BulkOptions};
        pub use runtime::pagination::Page;
        pub use runtime::request::Part;
        pub use runtime::retry::RetryConfig;

        impl Client {
            #(#accessors)*
        }
    }
}

/// `src/api/`: one module per tag, each a job.
fn api_modules<'a>(
    emitter: &'a operations::OperationEmitter<'a>,
    apis: &'a [TagApi<'a>],
) -> Vec<FileJob<'a>> {
    let mut jobs = vec![job(move || {
        let mods: Vec<_> = apis.iter().map(|a| types::ident(&a.module)).collect();
        let cfgs: Vec<_> = apis
            .iter()
            .map(|a| types::cfg_attr(std::slice::from_ref(&a.feature)))
            .collect();
        let paging = emitter.paging_impls();
        let paging = (!paging.is_empty()).then(|| {
            quote! {
                #[allow(unused_imports)]
                use crate::runtime::pagination;
                #[allow(unused_imports)]
                use crate::types::*;
                #paging
            }
        });
        let path = "src/api/mod.rs";
        let tokens = quote! {
            //! One module per tag of the spec; reach them through the
            //! accessors on [`Client`](crate::Client), e.g. `client.sequences()`.
            #(#cfgs mod #mods;)*
            #(#cfgs pub use self::#mods::*;)*
            #paging
        };
        Ok(vec![(path.into(), format_file(path, tokens)?)])
    })];
    for api in apis {
        jobs.push(job(move || {
            let path = format!("src/api/{}.rs", api.module);
            let text = format_file(&path, emitter.module(api))?;
            Ok(vec![(path, text)])
        }));
    }
    jobs
}

/// Types split into modules by first letter (in each crate of types, when
/// split), so no file is huge; all of them are re-exported from `types`.
/// Each module is a job (token streams cannot cross threads, so each
/// makes its own), the largest first.
fn type_modules<'a>(
    ir: &'a Ir,
    emitter: &'a TypeEmitter<'a>,
    crates: Option<&'a TypeCrates>,
) -> Result<Vec<FileJob<'a>>> {
    let table_home = if crates.is_some() {
        Home::Shared
    } else {
        Home::Client
    };
    let mut homes: BTreeMap<Home<'_>, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    homes.entry(table_home).or_default();
    for (i, def) in ir.types.iter().enumerate() {
        let module = def
            .name
            .chars()
            .next()
            .unwrap_or('x')
            .to_ascii_lowercase()
            .to_string();
        let home = crates::home(ir, def);
        homes
            .entry(home)
            .or_default()
            .entry(module)
            .or_default()
            .push(i);
    }
    let mut roots = Vec::new();
    let mut modules = Vec::new();
    for (home, letters) in homes {
        let dir = crates::types_dir(home);
        let path = format!("{dir}/mod.rs");
        let tokens = types_root(home, letters.keys(), crates);
        roots.push((path.clone(), format_file(&path, tokens)?));
        for (module, mut members) in letters {
            members.sort_by(|a, b| ir.types[*a].name.cmp(&ir.types[*b].name));
            modules.push((format!("{dir}/{module}.rs"), members));
        }
    }
    if let Some(crates) = crates {
        let path = "src/types/mod.rs";
        let tokens = crates::client_types_module(crates);
        roots.push((path.into(), format_file(path, tokens)?));
    }
    modules.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let mut jobs = vec![
        job(move || {
            let path = format!("{}/shapes.rs", crates::types_dir(table_home));
            let tokens = types::shapes_module(ir, crates.is_some());
            Ok(vec![(path.clone(), format_file(&path, tokens)?)])
        }),
        job(move || Ok(roots)),
    ];
    for (path, members) in modules {
        jobs.push(job(move || {
            let items = members.iter().map(|i| emitter.def(*i, &ir.types[*i]));
            // The types, macros and helpers it uses are imported once, into
            // `types` (see `types_root`).
            let tokens = quote! {
                #[allow(unused_imports)]
                use super::*;
                #(#items)*
            };
            let text = format_file(&path, tokens)?;
            Ok(vec![(path, text)])
        }));
    }
    Ok(jobs)
}

/// `types/mod.rs` of a crate: its letter modules, re-exported; the
/// shape table beside them where it lives; in a group's crate, the types
/// it sees from the other crates; and what the letter modules use.
fn types_root<'a>(
    home: Home<'_>,
    modules: impl Iterator<Item = &'a String>,
    crates: Option<&TypeCrates>,
) -> TokenStream {
    let mods: Vec<_> = modules.map(|m| types::ident(m)).collect();
    let head = match (home, crates) {
        (Home::Group(feature), Some(crates)) => {
            let imports = crates
                .group(feature)
                .map(|this| crates::group_imports(crates, this));
            quote! {
                //! The types of this feature, re-exported here from one module
                //! per initial letter.
                #imports
            }
        }
        (Home::Shared, _) => quote! {
            //! The types several features share, re-exported here from one
            //! module per initial letter.
            #[doc(hidden)]
            pub mod shapes;
        },
        _ => quote! {
            //! Every schema of the spec as a Rust type, re-exported here from one
            //! module per initial letter.
            pub(crate) mod shapes;
        },
    };
    quote! {
        #head
        // What every module of types uses, which each imports with `super::*`.
        #[allow(unused_imports)]
        use crate::runtime::{constructor::constructor, conversions::conversions, serde_struct::{self, serde_struct}, setter::setter, string_enum::string_enum, union, union_de::union_de};
        #[allow(unused_imports)]
        use self::shapes::SHAPES;
        #(mod #mods;)*
        // A module may hold nothing under a reduced feature set.
        #(#[allow(unused_imports)] pub use self::#mods::*;)*
    }
}

pub fn format_file(path: &str, tokens: TokenStream) -> Result<String> {
    let started = Instant::now();
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        item: path.to_string(),
        message: e.to_string(),
    })?;
    let text = layout::tidy(&prettyplease::unparse(&file));
    add_formatting(started.elapsed());
    Ok(format!(
        "// Generated by cdf-codegen. Do not edit: run `cargo xtask codegen`.\n\n{text}"
    ))
}

/// `prettyplease` on a parsed file, timed as formatting.
pub fn unparse(file: &syn::File) -> String {
    let started = Instant::now();
    let text = layout::tidy(&prettyplease::unparse(file));
    add_formatting(started.elapsed());
    text
}

thread_local! {
    /// Time this thread spent formatting (syn + prettyplease), plus what
    /// the threads it joined handed back: read by [`timed`], so that two
    /// generations running at once do not mix their figures.
    static FORMATTING: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

fn add_formatting(time: Duration) {
    FORMATTING.with(|f| f.set(f.get() + time));
}

/// `work`'s result, and the formatting time spent in it on this thread
/// (with what its joined threads handed back).
fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let before = FORMATTING.with(Cell::get);
    let out = work();
    (out, FORMATTING.with(Cell::get).saturating_sub(before))
}
