//! Writing the generated crate. The new crate is staged beside the target
//! folder and swapped in only when complete, so an interrupted run never
//! leaves a half-written crate where the workspace glob would find it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

fn sibling(out: &Path, name: &str) -> PathBuf {
    out.parent().unwrap_or(Path::new(".")).join(name)
}

/// Writes `files` as the complete content of `out`. A file whose text is
/// already in `out` is linked into the new copy rather than written again:
/// a regeneration where little changed then creates few new files (on
/// ext4, creating an inode costs more than writing its bytes). The rest
/// are written on one thread per core.
pub fn write_crate(out: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    let staging = sibling(out, ".codegen-partial");
    let old = sibling(out, ".codegen-old");
    for stale in [&staging, &old] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(|e| Error::io(stale, e))?;
        }
    }
    let dirs: BTreeSet<&Path> = files
        .keys()
        .filter_map(|path| Path::new(path).parent())
        .collect();
    for dir in dirs {
        let dir = staging.join(dir);
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    }
    let files: Vec<(&String, &String)> = files.iter().collect();
    let written = crate::threads::in_shares(&files, |share| {
        share
            .iter()
            .try_for_each(|(path, text)| stage(out, &staging, path, text))
    });
    written.into_iter().collect::<Result<()>>()?;
    if out.exists() {
        fs::rename(out, &old).map_err(|e| Error::io(out, e))?;
    }
    fs::rename(&staging, out).map_err(|e| Error::io(out, e))?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

/// `path` in `staging`: a link to the same file in `out` when that holds
/// `text` already, else written.
fn stage(out: &Path, staging: &Path, path: &str, text: &str) -> Result<()> {
    let current = out.join(path);
    let target = staging.join(path);
    let same = fs::read(&current).is_ok_and(|on_disk| on_disk == text.as_bytes());
    if same && fs::hard_link(&current, &target).is_ok() {
        return Ok(());
    }
    fs::write(&target, text).map_err(|e| Error::io(&target, e))
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn a_rewrite_keeps_unchanged_files_and_replaces_the_rest() {
        let root = std::env::temp_dir().join(format!("cdf-write-{}", std::process::id()));
        let out = root.join("crate");
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let first = files(&[
            ("src/lib.rs", "one"),
            ("src/a/b.rs", "two"),
            ("gone.rs", "x"),
        ]);
        write_crate(&out, &first).unwrap();
        let inode = |p: &str| fs::metadata(out.join(p)).unwrap().ino();
        let kept = inode("src/lib.rs");
        let second = files(&[("src/lib.rs", "one"), ("src/a/b.rs", "three")]);
        write_crate(&out, &second).unwrap();
        assert!(differences(&out, &second).is_empty());
        assert!(!out.join("gone.rs").exists());
        // The unchanged file is the same file, linked rather than written.
        assert_eq!(inode("src/lib.rs"), kept);
        assert_eq!(fs::read_to_string(out.join("src/a/b.rs")).unwrap(), "three");
        assert!(!root.join(".codegen-old").exists() && !root.join(".codegen-partial").exists());
        fs::remove_dir_all(&root).unwrap();
    }
}
