//! The release a regeneration makes (`cdf_codegen::release`): the version
//! moves by what the diff between the locked spec and the new one says,
//! and the changelog entry says why. Fixture pairs of each kind of change.

mod common;

use cdf_codegen::release::{plan, Bump, Previous, Release, Version, GENERATOR_EPOCH};
use cdf_codegen::CrateOptions;

fn read(path: &str) -> String {
    let path = common::workspace().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sha(text: &str) -> String {
    cdf_codegen::pin::sha256_hex(text.as_bytes())
}

/// The release of `new` after `version`, generated from `old`.
fn release(version: &str, old: &str, new: &str) -> Release {
    let digest = sha(old);
    let previous = Previous {
        version: Version::parse(version, "test").unwrap(),
        spec_sha256: &digest,
        text: Some(old),
        epoch: GENERATOR_EPOCH,
    };
    plan(&previous, new, &Default::default()).unwrap()
}

#[test]
fn additions_only_make_a_minor_release() {
    let old = read("spec/fixtures/additive/old.yaml");
    let new = read("spec/fixtures/additive/new.yaml");
    let r = release("1.4.2", &old, &new);
    assert_eq!(r.bump, Bump::Minor);
    assert_eq!(r.version.to_string(), "1.5.0");
    let diff = r.diff.as_ref().expect("a diff");
    assert!(!diff.changes.is_empty() && !diff.is_breaking());
    let entry = r.changelog_entry("Additive 2");
    assert!(
        entry.starts_with("## 1.5.0 (Additive 2)\n\nMinor release: "),
        "{entry}"
    );
    assert!(entry.contains("\n#### Other changes\n"), "{entry}");
    assert!(!entry.contains("Breaking changes"), "{entry}");
    // The whole diff report is in the entry, one heading level down.
    for line in diff.to_markdown().lines() {
        assert!(entry.contains(line), "{line}: {entry}");
    }
    assert!(entry.contains("- Added schemas (1): `Voucher`"), "{entry}");
    // Before 1.0 Cargo reads the patch number as the compatible one.
    assert_eq!(release("0.3.0", &old, &new).version.to_string(), "0.3.1");
}

#[test]
fn a_breaking_change_makes_a_major_release() {
    let old = read("spec/fixtures/additive/new.yaml");
    let new = read("spec/fixtures/additive/old.yaml");
    let r = release("1.4.2", &old, &new);
    assert_eq!(r.bump, Bump::Major);
    assert_eq!(r.version.to_string(), "2.0.0");
    let entry = r.changelog_entry("Additive 1");
    assert!(entry.contains("Major release: "), "{entry}");
    assert!(entry.contains("\n#### Breaking changes\n"), "{entry}");
    assert_eq!(release("0.3.1", &old, &new).version.to_string(), "0.4.0");
}

#[test]
fn a_spec_that_changed_only_its_prose_makes_a_patch_release() {
    let old = read("spec/fixtures/additive/old.yaml");
    let new = old.replace("description: Created.", "description: Created, as asked.");
    assert_ne!(old, new, "the fixture has the description this test edits");
    let r = release("1.4.2", &old, &new);
    assert_eq!(r.bump, Bump::Patch);
    assert_eq!(r.version.to_string(), "1.4.3");
    assert!(r.diff.as_ref().is_some_and(|d| d.changes.is_empty()));
    assert!(r.changelog_entry("x").contains("Patch release"));
}

#[test]
fn the_locked_spec_keeps_its_release() {
    let old = read("spec/fixtures/additive/old.yaml");
    let r = release("1.4.2", &old, &old);
    assert_eq!(
        (r.bump, r.version.to_string()),
        (Bump::None, "1.4.2".into())
    );
    assert!(r.diff.is_none());
}

/// A lock from an older generator epoch: the same spec still makes a
/// major release, and the changelog says what the generator broke; a spec
/// that only adds is major too, with the spec's part said as such.
#[test]
fn an_older_generator_epoch_makes_a_major_release_even_for_the_same_spec() {
    let old = read("spec/fixtures/additive/old.yaml");
    let new = read("spec/fixtures/additive/new.yaml");
    let digest = sha(&old);
    let previous = Previous {
        version: Version::parse("1.4.2", "test").unwrap(),
        spec_sha256: &digest,
        text: Some(&old),
        epoch: GENERATOR_EPOCH - 1,
    };
    let same = plan(&previous, &old, &Default::default()).unwrap();
    assert_eq!(
        (same.bump, same.version.to_string()),
        (Bump::Major, "2.0.0".into())
    );
    let entry = same.changelog_entry("x");
    assert!(
        entry.contains("The same spec as the release before."),
        "{entry}"
    );
    assert!(
        entry.contains("Major release: The generator changed"),
        "{entry}"
    );
    assert!(entry.contains("reqwest"), "{entry}");
    let added = plan(&previous, &new, &Default::default()).unwrap();
    assert_eq!(added.version.to_string(), "2.0.0");
    let entry = added.changelog_entry("x");
    assert!(
        entry.contains("From the spec: the spec only adds"),
        "{entry}"
    );
    assert!(!entry.contains("Minor release"), "{entry}");
    // At the current epoch the generator adds nothing.
    let current = Previous {
        epoch: GENERATOR_EPOCH,
        ..previous
    };
    assert_eq!(
        plan(&current, &old, &Default::default()).unwrap().bump,
        Bump::None
    );
}

#[test]
fn without_the_old_spec_a_change_is_taken_as_breaking_and_said_so() {
    let new = read("spec/fixtures/additive/new.yaml");
    let digest = "ab".repeat(32);
    let previous = Previous {
        version: Version::parse("1.4.2", "test").unwrap(),
        spec_sha256: &digest,
        text: None,
        epoch: GENERATOR_EPOCH,
    };
    let r = plan(&previous, &new, &Default::default()).unwrap();
    assert_eq!(
        (r.bump, r.version.to_string()),
        (Bump::Major, "2.0.0".into())
    );
    let entry = r.changelog_entry("x");
    assert!(
        entry.contains(&digest) && entry.contains("--previous"),
        "{entry}"
    );
}

#[test]
fn an_old_spec_that_is_not_the_locked_one_is_refused() {
    let old = read("spec/fixtures/additive/old.yaml");
    let new = read("spec/fixtures/additive/new.yaml");
    let digest = sha(&new);
    let previous = Previous {
        version: Version::FIRST,
        spec_sha256: &"cd".repeat(32),
        text: Some(&old),
        epoch: GENERATOR_EPOCH,
    };
    let e = plan(&previous, &new, &Default::default()).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("spec/codegen.lock"), "{text}");
    assert!(
        text.contains(&sha(&old)) && text.contains(&"cd".repeat(32)),
        "{text}"
    );
    assert_ne!(digest, sha(&old));
}

#[test]
fn the_manifest_carries_the_release_and_the_spec_it_came_from() {
    let text = read("spec/fixtures/additive/new.yaml");
    let opts = CrateOptions {
        version: Version::parse("3.1.4", "test").unwrap(),
        ..Default::default()
    };
    let generated = cdf_codegen::generate(&text, &opts).unwrap();
    let manifest = &generated.files["Cargo.toml"];
    let expected = format!("version = \"3.1.4+spec.1.{}\"", &sha(&text)[..8]);
    assert!(manifest.contains(&expected), "{manifest}");
    assert_eq!(generated.version, opts.version);
    let lock = cdf_codegen::pin::Lock::of_generated(&text, &generated);
    assert!(lock.render().contains("\nversion 3.1.4\n"));
}
