//! The generated crate's release: which version a regeneration gets, and
//! the changelog entry that says why. The version lives in the lock
//! (`version 1.4.0`), so it survives clones and moves only when the spec
//! does; the bump follows from [`crate::diff`] between the spec the lock was
//! written from and the new one, or from the generator itself when its
//! output's API changes for the same spec (see [`GENERATOR_EPOCH`]).

use std::fmt;

use crate::diff::SpecDiff;
use crate::error::{Error, Result};
use crate::load::Loaded;
use crate::overrides::Overrides;

/// Raised by hand when a change to the generator breaks code written
/// against the crate it generated from the same spec (renamed types, a
/// dependency of the public API moved a major version). A lock from an
/// older epoch makes the next generation a major release whose changelog
/// says why, so a maintainer is told even when the spec did not move.
pub const GENERATOR_EPOCH: u32 = 2;

/// What each epoch broke, for the changelog: `(epoch, what changed)`.
pub const EPOCH_CHANGES: &[(u32, &str)] = &[(
    2,
    "The generator changed the crate's API for the same spec: inline schemas of one shape \
     became one type (for example `DataResourceIdsItem`, `Identity` for `IdEither` and its \
     copies), long derived names were shortened and list elements named in the singular (the \
     lock records every new name, and keeps it from now on), and reqwest, whose `Error` and \
     `Method` the crate exposes, moved from 0.12 to 0.13.",
)];

/// The notes of the epochs after `from` up to [`GENERATOR_EPOCH`].
pub fn epoch_changes(from: u32) -> Vec<&'static str> {
    EPOCH_CHANGES
        .iter()
        .filter(|(epoch, _)| *epoch > from && *epoch <= GENERATOR_EPOCH)
        .map(|(_, note)| *note)
        .collect()
}

/// A release version's core, `MAJOR.MINOR.PATCH`. Build metadata (the
/// spec's version and digest) is added when the manifest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Raised for a breaking change (from 1.0).
    pub major: u64,
    /// Raised for an addition.
    pub minor: u64,
    /// Raised for a change that neither breaks nor adds.
    pub patch: u64,
}

impl Version {
    /// The version of a crate generated with no earlier release on record.
    pub const FIRST: Version = Version {
        major: 1,
        minor: 0,
        patch: 0,
    };

    /// Reads `1.4.0`; `place` names where the text came from.
    pub fn parse(text: &str, place: &str) -> Result<Version> {
        let bad = || {
            Error::invalid(
                place,
                format!("`{text}` is not a release version (MAJOR.MINOR.PATCH, digits only)"),
            )
        };
        // Digits only, and no leading zero (semver forbids `01`).
        let mut parts = text.trim().split('.').map(|p| {
            let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
            (digits && (p == "0" || !p.starts_with('0')))
                .then(|| p.parse::<u64>().ok())
                .flatten()
        });
        let (Some(Some(major)), Some(Some(minor)), Some(Some(patch)), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        Ok(Version {
            major,
            minor,
            patch,
        })
    }

    /// The next version for a change of `bump`. Before 1.0, Cargo reads
    /// the minor number as the breaking one, so a breaking change bumps the
    /// minor number and anything else the patch number.
    pub fn bumped(self, bump: Bump) -> Version {
        let Version {
            major,
            minor,
            patch,
        } = self;
        let next = |major, minor, patch| Version {
            major,
            minor,
            patch,
        };
        let up = |n: u64| n.saturating_add(1);
        match (bump, major) {
            (Bump::None, _) => self,
            (Bump::Major, 0) => next(0, up(minor), 0),
            (Bump::Major, _) => next(up(major), 0, 0),
            (Bump::Minor, 0) | (Bump::Patch, _) => next(major, minor, up(patch)),
            (Bump::Minor, _) => next(major, up(minor), 0),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// How far a regeneration moves the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// The same spec: the same release.
    None,
    /// The spec changed, the crate's API did not (descriptions, examples).
    Patch,
    /// Only additions: code that compiled still compiles.
    Minor,
    /// Something breaks a caller, or the old spec is not there to tell.
    Major,
}

/// What the lock says about the last release.
#[derive(Debug, Clone)]
pub struct Previous<'a> {
    /// The last release's version.
    pub version: Version,
    /// The sha256 of the spec that release was generated from.
    pub spec_sha256: &'a str,
    /// That spec's text, when the caller has it (checked against the digest).
    pub text: Option<&'a str>,
    /// The [`GENERATOR_EPOCH`] that release was generated at (1 for a lock
    /// that does not say).
    pub epoch: u32,
}

/// The release a generation from a new spec makes.
#[derive(Debug, Clone)]
pub struct Release {
    /// The new release's version.
    pub version: Version,
    /// How far it moved from the last.
    pub bump: Bump,
    /// Old spec → new, when there was an old spec to compare.
    pub diff: Option<SpecDiff>,
    /// The digest of the spec the previous release came from, when the
    /// spec changed but its text could not be found.
    pub unknown_previous: Option<String>,
    /// What the generator broke since the previous release (see
    /// [`EPOCH_CHANGES`]); not empty makes the release major.
    pub generator: Vec<&'static str>,
}

/// Decides the release for `new_text`: the previous version when the spec
/// is the one the lock was written from, else the bump the diff calls for.
/// `overrides` are the pins and lock names `codegen` uses, so the diff
/// speaks of the names the crate has.
pub fn plan(previous: &Previous, new_text: &str, overrides: &Overrides) -> Result<Release> {
    let mut release = plan_for_spec(previous, new_text, overrides)?;
    release.generator = epoch_changes(previous.epoch);
    if !release.generator.is_empty() && release.bump != Bump::Major {
        release.bump = Bump::Major;
        release.version = previous.version.bumped(Bump::Major);
    }
    Ok(release)
}

/// [`plan`] as far as the spec decides it.
fn plan_for_spec(previous: &Previous, new_text: &str, overrides: &Overrides) -> Result<Release> {
    let new_sha = crate::pin::sha256_hex(new_text.as_bytes());
    let same = |bump, diff| Release {
        version: previous.version.bumped(bump),
        bump,
        diff,
        unknown_previous: None,
        generator: Vec::new(),
    };
    if new_sha == previous.spec_sha256 {
        return Ok(same(Bump::None, None));
    }
    let Some(old_text) = previous.text else {
        return Ok(Release {
            unknown_previous: Some(previous.spec_sha256.to_string()),
            ..same(Bump::Major, None)
        });
    };
    let old_sha = crate::pin::sha256_hex(old_text.as_bytes());
    if old_sha != previous.spec_sha256 {
        return Err(Error::invalid(
            "spec/codegen.lock",
            format!(
                "the previous spec given has sha256 {old_sha}, but the lock was written from {}",
                previous.spec_sha256
            ),
        ));
    }
    let diff = crate::on_large_stack(|| -> Result<SpecDiff> {
        let load = |text: &str| -> Result<Loaded> { crate::load::load_str(text) };
        crate::diff::diff_with(&load(old_text)?, &load(new_text)?, overrides)
    })??;
    Ok(same(bump_for(&diff), Some(diff)))
}

/// Breaking → major, any other change → minor, none → patch (the spec's
/// text changed, so its documentation did).
pub fn bump_for(diff: &SpecDiff) -> Bump {
    if diff.is_breaking() {
        Bump::Major
    } else if diff.changes.is_empty() {
        Bump::Patch
    } else {
        Bump::Minor
    }
}

impl Release {
    /// This release's changelog section. `spec` names the new spec
    /// (`CDF API v1, sha256 9c65c46c`). No dates: the same inputs give the
    /// same text.
    pub fn changelog_entry(&self, spec: &str) -> String {
        let mut out = format!("## {} ({spec})\n\n", self.version);
        out.push_str(&self.spec_why());
        out.push('\n');
        for note in &self.generator {
            out.push_str("\nMajor release: ");
            out.push_str(note);
            out.push('\n');
        }
        if let Some(diff) = self.diff.as_ref().filter(|d| !d.changes.is_empty()) {
            out.push('\n');
            out.push_str(&deeper_headings(&diff.to_markdown()));
        }
        out
    }

    /// What the spec's change says about the release. The kind is named
    /// only when the spec alone decides it: a generator epoch makes any
    /// release major (its own paragraph says why).
    fn spec_why(&self) -> String {
        if let Some(sha) = &self.unknown_previous {
            return format!(
                "Major release: the spec the previous release came from (sha256 {sha}) was not \
                 available to compare, so nothing is known to be compatible. Pass it to \
                 `cargo xtask codegen --previous PATH` to classify the changes."
            );
        }
        let (kind, why) = match self.diff.as_ref().map_or(Bump::None, bump_for) {
            Bump::None => return "The same spec as the release before.".to_string(),
            Bump::Patch => (
                "Patch release",
                "the spec changed, the crate's API did not (descriptions, examples, or formatting).",
            ),
            Bump::Minor => (
                "Minor release",
                "the spec only adds; code that compiled against the release before still compiles.",
            ),
            Bump::Major => (
                "Major release",
                "some changes below break code written against the release before.",
            ),
        };
        let kind = if self.generator.is_empty() {
            kind
        } else {
            "From the spec"
        };
        format!("{kind}: {why}")
    }
}

/// `## x` → `### x`, so the diff's report nests under the release heading.
fn deeper_headings(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 64);
    for line in markdown.lines() {
        if line.starts_with('#') {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

const TITLE: &str = "# Changelog";

/// `existing` (the crate's `CHANGELOG.md`, if any) with `entry` above its
/// newest release. Whatever precedes the first release (a title, an
/// introduction) stays on top; an entry for the same version already
/// newest is replaced, so regenerating twice does not list a release twice.
pub fn prepend(existing: Option<&str>, entry: &str) -> String {
    let text = existing.unwrap_or("").replace("\r\n", "\n");
    let first_release = if text.starts_with("## ") {
        Some(0)
    } else {
        text.find("\n## ").map(|at| at + 1)
    };
    let (head, releases) = text.split_at(first_release.unwrap_or(text.len()));
    let head = match head.trim() {
        "" => TITLE,
        h => h,
    };
    let heading = entry.lines().next().unwrap_or_default();
    let releases = match releases.lines().next() {
        Some(first) if !heading.is_empty() && first == heading => releases[first.len()..]
            .find("\n## ")
            .map_or("", |at| &releases[first.len() + at + 1..]),
        _ => releases,
    };
    let mut out = format!("{head}\n\n{}\n", entry.trim_end());
    if !releases.is_empty() {
        out.push('\n');
        out.push_str(releases);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text, "test").unwrap()
    }

    #[test]
    fn versions_bump_by_semver_and_cargo_reads_0_x_as_cargo_does() {
        assert_eq!(v("1.4.2").bumped(Bump::Major), v("2.0.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Minor), v("1.5.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Patch), v("1.4.3"));
        assert_eq!(v("1.4.2").bumped(Bump::None), v("1.4.2"));
        assert_eq!(v("0.3.1").bumped(Bump::Major), v("0.4.0"));
        assert_eq!(v("0.3.1").bumped(Bump::Minor), v("0.3.2"));
        assert_eq!(v("0.3.1").to_string(), "0.3.1");
    }

    #[test]
    fn a_version_that_is_not_three_numbers_is_refused_with_its_place() {
        for bad in [
            "1.2",
            "1.2.3.4",
            "1.2.x",
            "1.2.3-beta",
            "",
            "1..2",
            "+1.2.3",
        ] {
            let e = Version::parse(bad, "spec/codegen.lock:3").unwrap_err();
            assert!(e.to_string().contains("spec/codegen.lock:3"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_changelog_grows_on_top_and_a_rerun_replaces_its_own_entry() {
        let first = prepend(None, "## 1.0.0 (spec a)\n\nFirst.\n");
        assert_eq!(first, "# Changelog\n\n## 1.0.0 (spec a)\n\nFirst.\n");
        let second = prepend(Some(&first), "## 1.1.0 (spec b)\n\nMore.\n");
        assert_eq!(
            second,
            "# Changelog\n\n## 1.1.0 (spec b)\n\nMore.\n\n## 1.0.0 (spec a)\n\nFirst.\n"
        );
        let again = prepend(Some(&second), "## 1.1.0 (spec b)\n\nMore, said again.\n");
        assert_eq!(
            again,
            "# Changelog\n\n## 1.1.0 (spec b)\n\nMore, said again.\n\n## 1.0.0 (spec a)\n\nFirst.\n"
        );
        // A maintainer's introduction stays on top; CRLF files are read.
        let intro = "# Changelog\r\n\r\nAll releases.\r\n\r\n## 1.0.0 (spec a)\r\n\r\nFirst.\r\n";
        assert_eq!(
            prepend(Some(intro), "## 1.1.0 (spec b)\n\nMore.\n"),
            "# Changelog\n\nAll releases.\n\n## 1.1.0 (spec b)\n\nMore.\n\n## 1.0.0 (spec a)\n\nFirst.\n"
        );
        let only = prepend(
            Some("# Changelog\n\n## 1.0.0 (a)\n\nOld.\n"),
            "## 1.0.0 (a)\n\nNew.\n",
        );
        assert_eq!(only, "# Changelog\n\n## 1.0.0 (a)\n\nNew.\n");
    }

    #[test]
    fn the_diff_report_nests_under_the_release_heading() {
        assert_eq!(
            deeper_headings("## API\n\ntext\n### Breaking\n- `#x`\n"),
            "### API\n\ntext\n#### Breaking\n- `#x`\n"
        );
    }
}
