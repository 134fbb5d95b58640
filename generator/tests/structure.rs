//! The shape of the generator's own code, which review keeps finding
//! drifts: files a reader can take in at once, and an IR whose modules
//! do not import each other in a circle (the model is data; the passes
//! read it; only `ir::build` runs them).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("source folder reads")
        .map(|e| e.expect("entry reads").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_is_over_800_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines})", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// `ir` modules by path (`model`, `build::types`), from the files under
/// `src/ir`; `ir/mod.rs` itself only declares and re-exports.
fn ir_modules() -> BTreeMap<String, String> {
    let root = src().join("ir");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .into_iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(&root).ok()?.with_extension("");
            let name = rel
                .to_string_lossy()
                .trim_end_matches("/mod")
                .replace('/', "::");
            (name != "mod").then(|| (name, std::fs::read_to_string(&f).unwrap_or_default()))
        })
        .collect()
}

/// The code of a file without comments and its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `ir` modules `module` names: through `crate::ir::x`, `super::x`
/// (resolved against its parent) and `super::{x, ..}`.
fn imports(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let parent = module.rsplit_once("::").map(|(p, _)| p);
    let resolve = |name: &str| -> Option<String> {
        let nested = parent.map(|p| format!("{p}::{name}"));
        match nested {
            Some(n) if known.contains(&n) => Some(n),
            _ if parent.is_none() && known.contains(name) => Some(name.to_string()),
            _ => None,
        }
    };
    let ident = regex::Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*").expect("pattern");
    let mut out = BTreeSet::new();
    let code = code(text);
    for (prefix, local) in [("crate::ir::", false), ("super::", true)] {
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or_default();
                inner.split(',').map(str::trim).collect()
            } else {
                ident.find(rest).map(|m| m.as_str()).into_iter().collect()
            };
            for name in names {
                let name = name.split("::").next().unwrap_or_default();
                let found = if local {
                    resolve(name)
                } else {
                    known.contains(name).then(|| name.to_string())
                };
                out.extend(found.filter(|f| f != module));
            }
        }
    }
    out
}

#[test]
fn ir_modules_import_no_cycle() {
    let modules = ir_modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    for needed in ["model", "build", "build::types", "shapes", "shared"] {
        assert!(known.contains(needed), "no ir::{needed} among {known:?}");
    }
    let graph: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(m, text)| (m.as_str(), imports(m, text, &known)))
        .collect();
    // The model is data: it names no pass.
    let model = &graph["model"];
    assert!(
        model.iter().all(|m| m == "rules"),
        "ir::model imports {model:?}"
    );
    for start in graph.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.to_string(), vec![])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in graph.get(at.as_str()).into_iter().flatten() {
                let mut path = path.clone();
                path.push(next.clone());
                assert!(
                    next != start,
                    "import cycle: {start} -> {}",
                    path.join(" -> ")
                );
                if seen.insert(next.clone()) {
                    stack.push((next.clone(), path));
                }
            }
        }
    }
}

/// The check itself sees a cycle when there is one.
#[test]
fn the_cycle_check_sees_imports() {
    let known: BTreeSet<String> = ["model", "build", "build::types", "build::kinds"]
        .map(String::from)
        .into();
    let kinds = imports(
        "build::kinds",
        "use super::types::Builder;\nuse crate::ir::model::{Ty};\n// super::build\n",
        &known,
    );
    assert_eq!(kinds, ["build::types", "model"].map(String::from).into());
    let types = imports("build::types", "use super::{kinds, parts};", &known);
    assert_eq!(types, ["build::kinds"].map(String::from).into());
}
