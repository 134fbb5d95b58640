//! Shared by the integration tests: where the fixtures and the real spec are.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Fixture specs that must generate (the failing ones are tested separately).
pub fn fixtures() -> Vec<(String, PathBuf)> {
    let dir = workspace().join("spec/fixtures");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .expect("spec/fixtures exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .filter(|p| !p.ends_with("dangling-ref.yaml"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    out.sort();
    out
}

/// The real spec: `$CDF_OPENAPI_SPEC`, else the cached `spec/cognite-api-v1.json`.
pub fn real_spec() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CDF_OPENAPI_SPEC").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let cached = workspace().join("spec/cognite-api-v1.json");
    cached.exists().then_some(cached)
}

/// The earlier snapshots beside the real spec (`history/*.json`).
pub fn history_specs() -> Vec<PathBuf> {
    let Some(spec) = real_spec() else {
        return Vec::new();
    };
    let dir = spec.parent().map(|d| d.join("history")).unwrap_or_default();
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "json"));
    out.sort();
    out
}

/// The fixtures' profile (`spec/fixtures/codegen.toml`): CDF's conventions.
pub fn fixture_profile() -> String {
    std::fs::read_to_string(workspace().join("spec/fixtures/codegen.toml")).unwrap()
}

/// The profile `codegen` uses for `path`: CDF's (`spec/codegen.toml`) for
/// the real spec and its history, else the one beside the spec; a fixture
/// in a subfolder without one gets the fixtures' profile.
pub fn profile_for(path: &Path) -> cdf_codegen::overrides::Overrides {
    let cdf =
        real_spec().is_some_and(|real| real == path) || history_specs().iter().any(|h| h == path);
    if cdf {
        let text = std::fs::read_to_string(workspace().join("spec/codegen.toml")).unwrap();
        cdf_codegen::overrides::Overrides::parse(&text).unwrap()
    } else {
        match cdf_codegen::overrides::Overrides::beside(path).unwrap() {
            (_, None) if path.starts_with(workspace().join("spec/fixtures/diff")) => {
                cdf_codegen::overrides::Overrides::parse(&fixture_profile()).unwrap()
            }
            (o, _) => o,
        }
    }
}

/// Generates the spec at `path` with the profile beside it, as `codegen` does.
pub fn generate(path: &Path, package: &str) -> cdf_codegen::Generated {
    let text = std::fs::read_to_string(path).unwrap();
    let overrides = profile_for(path);
    let opts = cdf_codegen::CrateOptions {
        package_name: package.to_string(),
        overrides,
        ..Default::default()
    };
    cdf_codegen::generate(&text, &opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where a fixture's generated crate is kept as real files, for review
/// (`generator/tests/output/<name>/`): every file but the runtime copies,
/// which are tested where they are written, in `templates/`.
pub fn output_dir(name: &str) -> PathBuf {
    workspace().join("generator/tests/output").join(name)
}

/// The package name a fixture's crate is generated and compiled under.
pub fn fixture_package(name: &str) -> String {
    format!("fixture-{name}")
}

/// A copy of the hand-written runtime (or the generated root module
/// beside the copies), in the client crate or in a crate of types.
pub fn is_runtime(path: &str) -> bool {
    path.starts_with("src/runtime/")
        || path.starts_with("crates/") && path.contains("/src/runtime/")
}

/// The files of a generated crate that `output/` keeps.
pub fn kept(
    files: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    files
        .iter()
        .filter(|(path, _)| !is_runtime(path))
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect()
}

/// The files under `dir`, by path relative to it.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let (Ok(rel), Ok(text)) =
                (path.strip_prefix(root), std::fs::read_to_string(&path))
            {
                out.insert(rel.to_string_lossy().replace('\\', "/"), text);
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Whether this run rewrites `output/` instead of comparing with it
/// (`CDF_CODEGEN_BLESS=1`, or insta's `INSTA_UPDATE=always`).
pub fn blessing() -> bool {
    std::env::var("CDF_CODEGEN_BLESS").is_ok_and(|v| v == "1")
        || std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
}
