//! The spec pin (`spec/SOURCE`: where the spec comes from and its sha256)
//! and the output lock (`spec/codegen.lock`: the sha256 of every generated
//! file), which together let CI notice when generator, spec and output drift.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// `spec/SOURCE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecPin {
    /// Where `cargo xtask fetch-spec` downloads the spec.
    pub url: String,
    /// The sha256 the downloaded text must have, in hex.
    pub sha256: String,
}

impl SpecPin {
    /// Reads `spec/SOURCE`, checking the digest is a sha256.
    pub fn parse(text: &str) -> Result<SpecPin> {
        let pin: SpecPin =
            toml::from_str(text).map_err(|e| Error::invalid("spec/SOURCE", e.to_string()))?;
        if pin.sha256.len() != 64 || !pin.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::invalid(
                "spec/SOURCE: sha256",
                format!("`{}` is not a sha256 in hex", pin.sha256),
            ));
        }
        Ok(pin)
    }

    /// The text of `spec/SOURCE`.
    pub fn render(&self) -> String {
        format!(
            "# Where `cargo xtask fetch-spec` gets the spec, and the sha256 it must have.\n\
             # `cargo xtask fetch-spec --update` rewrites this file.\nurl = {:?}\nsha256 = {:?}\n",
            self.url, self.sha256
        )
    }
}

/// The sha256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `spec/codegen.lock`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lock {
    /// The sha256 of the spec the crate was generated from.
    pub spec_sha256: String,
    /// The generated crate's release (see [`crate::release`]); `None` in a
    /// lock written before versions were recorded.
    pub version: Option<crate::release::Version>,
    /// The [`crate::release::GENERATOR_EPOCH`] the crate was generated at;
    /// `None` in a lock written before epochs were recorded (epoch 1).
    pub epoch: Option<u32>,
    /// Relative path → sha256 of its content.
    pub files: BTreeMap<String, String>,
    /// JSON pointer → Rust type name, and → method name: what the next
    /// generation keeps (see `Overrides::locked_types`).
    pub types: BTreeMap<String, String>,
    /// Operation JSON pointer → Rust method name.
    pub methods: BTreeMap<String, String>,
}

impl Lock {
    /// The lock of a crate generated from `spec_text` as `files` (no names, release or epoch).
    pub fn of(spec_text: &str, files: &BTreeMap<String, String>) -> Lock {
        Lock {
            spec_sha256: sha256_hex(spec_text.as_bytes()),
            version: None,
            epoch: None,
            files: files
                .iter()
                .map(|(p, t)| (p.clone(), sha256_hex(t.as_bytes())))
                .collect(),
            types: BTreeMap::new(),
            methods: BTreeMap::new(),
        }
    }

    /// The lock of a generation, with the names it gave.
    pub fn of_generated(spec_text: &str, generated: &crate::Generated) -> Lock {
        Lock {
            types: generated.types.clone(),
            methods: generated.methods.clone(),
            version: Some(generated.version),
            epoch: Some(crate::release::GENERATOR_EPOCH),
            ..Lock::of(spec_text, &generated.files)
        }
    }

    /// The text of `spec/codegen.lock`.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# Written by `cargo xtask codegen`: the sha256 of the spec and of every generated file.\n\
             # `cargo xtask codegen --check` fails when a fresh generation disagrees. Commit it.\n",
        );
        let _ = writeln!(out, "spec {}", self.spec_sha256);
        if let Some(version) = self.version {
            let _ = writeln!(out, "version {version}");
        }
        if let Some(epoch) = self.epoch {
            let _ = writeln!(out, "generator {epoch}");
        }
        for (path, digest) in &self.files {
            let _ = writeln!(out, "file {digest} {path}");
        }
        for (pointer, name) in &self.types {
            let _ = writeln!(out, "type {name} {pointer}");
        }
        for (pointer, name) in &self.methods {
            let _ = writeln!(out, "method {name} {pointer}");
        }
        out
    }

    /// Reads `spec/codegen.lock`.
    pub fn parse(text: &str) -> Result<Lock> {
        let mut lock = Lock::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                Error::invalid(
                    format!("spec/codegen.lock:{}", n + 1),
                    format!("cannot read `{line}`"),
                )
            };
            match line.split_once(' ') {
                Some(("spec", digest)) => lock.spec_sha256 = digest.to_string(),
                Some(("version", v)) => {
                    let place = format!("spec/codegen.lock:{}", n + 1);
                    lock.version = Some(crate::release::Version::parse(v, &place)?);
                }
                Some(("generator", epoch)) => {
                    lock.epoch = Some(epoch.parse().map_err(|_| bad())?);
                }
                Some(("file", rest)) => {
                    let (digest, path) = rest.split_once(' ').ok_or_else(bad)?;
                    lock.files.insert(path.to_string(), digest.to_string());
                }
                Some(("type", rest)) => {
                    let (name, pointer) = rest.split_once(' ').ok_or_else(bad)?;
                    lock.types.insert(pointer.to_string(), name.to_string());
                }
                Some(("method", rest)) => {
                    let (name, pointer) = rest.split_once(' ').ok_or_else(bad)?;
                    lock.methods.insert(pointer.to_string(), name.to_string());
                }
                _ => return Err(bad()),
            }
        }
        Ok(lock)
    }

    /// What differs between the lock on disk (`self`) and a fresh one, as
    /// lines for a maintainer.
    pub fn differences(&self, fresh: &Lock) -> Vec<String> {
        let mut out = Vec::new();
        if self.spec_sha256 != fresh.spec_sha256 {
            out.push(format!(
                "lock: spec sha256 {} != {}",
                self.spec_sha256, fresh.spec_sha256
            ));
        }
        if self.version != fresh.version {
            let show =
                |v: Option<crate::release::Version>| v.map_or("none".into(), |v| v.to_string());
            out.push(format!(
                "lock: version {} != {}",
                show(self.version),
                show(fresh.version)
            ));
        }
        if self.epoch != fresh.epoch {
            let show = |e: Option<u32>| e.map_or("none".into(), |e| e.to_string());
            out.push(format!(
                "lock: generator epoch {} != {} (the generator's output changed; regenerating makes a major release)",
                show(self.epoch),
                show(fresh.epoch)
            ));
        }
        for (path, digest) in &fresh.files {
            match self.files.get(path) {
                Some(d) if d == digest => {}
                Some(_) => out.push(format!("lock: changed: {path}")),
                None => out.push(format!("lock: missing: {path}")),
            }
        }
        for path in self.files.keys().filter(|p| !fresh.files.contains_key(*p)) {
            out.push(format!("lock: extra: {path}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_round_trips_and_reports_each_difference() {
        let files: BTreeMap<String, String> = [
            ("a.rs".to_string(), "x".to_string()),
            ("b.rs".to_string(), "y".to_string()),
        ]
        .into();
        let mut lock = Lock::of("spec", &files);
        lock.version = Some(crate::release::Version::FIRST);
        lock.epoch = Some(2);
        assert_eq!(Lock::parse(&lock.render()).unwrap(), lock);
        let mut changed = files.clone();
        changed.insert("a.rs".into(), "x2".into());
        changed.remove("b.rs");
        changed.insert("c.rs".into(), "z".into());
        let diff = lock.differences(&Lock::of("spec2", &changed));
        assert_eq!(diff.len(), 6, "{diff:?}");
        assert!(diff.contains(&"lock: version 1.0.0 != none".to_string()));
        assert!(diff
            .iter()
            .any(|d| d.starts_with("lock: generator epoch 2 != none")));
        assert!(diff.contains(&"lock: changed: a.rs".to_string()));
        assert!(diff.contains(&"lock: missing: c.rs".to_string()));
        assert!(diff.contains(&"lock: extra: b.rs".to_string()));
    }

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn pin_rejects_a_bad_hash() {
        let e = SpecPin::parse("url = \"u\"\nsha256 = \"xyz\"\n").unwrap_err();
        assert!(e.to_string().contains("spec/SOURCE: sha256"), "{e}");
        let pin = SpecPin::parse(
            &SpecPin {
                url: "u".into(),
                sha256: "a".repeat(64),
            }
            .render(),
        )
        .unwrap();
        assert_eq!(pin.url, "u");
    }
}
