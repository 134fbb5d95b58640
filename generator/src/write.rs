//! Writing the generated crate. The new crate is staged beside the target
//! folder and swapped in only when complete, so an interrupted run never
//! leaves a half-written crate where the workspace glob would find it.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

fn sibling(out: &Path, name: &str) -> PathBuf {
    out.parent().unwrap_or(Path::new(".")).join(name)
}

/// Writes `files` as the complete content of `out`.
pub fn write_crate(out: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    let staging = sibling(out, ".codegen-partial");
    let old = sibling(out, ".codegen-old");
    for stale in [&staging, &old] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(|e| Error::io(stale, e))?;
        }
    }
    for (path, text) in files {
        let target = staging.join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        fs::write(&target, text).map_err(|e| Error::io(&target, e))?;
    }
    if out.exists() {
        fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
    }
    fs::rename(&staging, out).map_err(|e| Error::io(out, e))?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

/// Files in the crate that are not generated from the spec and so are not
/// compared: cargo's lock, and the changelog, which grows release by
/// release (`cargo xtask codegen` writes it).
pub const KEPT: &[&str] = &["Cargo.lock", "CHANGELOG.md"];

/// Files whose content on disk differs from `files`, and files on disk that
/// `files` does not have (relative paths, sorted). Empty when in step.
pub fn differences(out: &Path, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut diff = Vec::new();
    for (path, text) in files {
        match fs::read_to_string(out.join(path)) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => diff.push(format!("changed: {path}")),
            Err(_) => diff.push(format!("missing: {path}")),
        }
    }
    let mut on_disk = Vec::new();
    list_files(out, out, &mut on_disk);
    for path in on_disk {
        if !files.contains_key(&path) && !path.starts_with("target/") && !KEPT.contains(&&*path) {
            diff.push(format!("extra: {path}"));
        }
    }
    diff.sort();
    diff
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
