//! The drift check: a one-byte edit of a generated file, or a change in
//! what the generator emits, is caught by `write::differences` and the lock.

mod common;

use cdf_codegen::pin::Lock;

#[test]
fn a_one_byte_edit_is_caught() {
    let (_, path) = common::fixtures()
        .into_iter()
        .find(|(n, _)| n == "recursion")
        .unwrap();
    let g = common::generate(&path, "drift-check");
    let out = common::workspace().join("target/drift-check/crate");
    cdf_codegen::write::write_crate(&out, &g.files).unwrap();
    assert!(cdf_codegen::write::differences(&out, &g.files).is_empty());

    let file = out.join("src/lib.rs");
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 2;
    bytes[last] = bytes[last].wrapping_add(1);
    std::fs::write(&file, bytes).unwrap();
    assert_eq!(
        cdf_codegen::write::differences(&out, &g.files),
        vec!["changed: src/lib.rs".to_string()]
    );

    std::fs::write(out.join("src/stray.rs"), "").unwrap();
    std::fs::remove_file(out.join("Cargo.toml")).unwrap();
    let diff = cdf_codegen::write::differences(&out, &g.files);
    assert!(
        diff.contains(&"extra: src/stray.rs".to_string()),
        "{diff:?}"
    );
    assert!(
        diff.contains(&"missing: Cargo.toml".to_string()),
        "{diff:?}"
    );
}

#[test]
fn a_generator_change_is_caught_by_the_lock() {
    let (_, path) = common::fixtures()
        .into_iter()
        .find(|(n, _)| n == "maps")
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let before = common::generate(&path, "drift-check");
    let lock = Lock::of(&text, &before.files);
    assert!(lock.differences(&Lock::of(&text, &before.files)).is_empty());
    // Any change in emitted bytes (here: the crate name) must show up.
    let after = common::generate(&path, "drift-check-2");
    let diff = lock.differences(&Lock::of(&text, &after.files));
    assert!(
        diff.contains(&"lock: changed: Cargo.toml".to_string()),
        "{diff:?}"
    );
    // And a different spec, even with the same output, is a difference too.
    let diff = lock.differences(&Lock::of(&format!("{text}\n"), &before.files));
    assert!(
        diff.iter().any(|d| d.starts_with("lock: spec sha256")),
        "{diff:?}"
    );
}

/// Names from the lock survive a spec update that adds a colliding schema:
/// the newcomer gets the numbered name, the existing schema keeps its own.
#[test]
fn locked_names_stay_when_a_colliding_schema_arrives() {
    let old = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    limit: {type: object, properties: {max: {type: integer}}}\n";
    let new = "openapi: 3.0.3\ninfo: {title: t, version: '2'}\npaths: {}\ncomponents:\n  schemas:\n    limit: {type: object, properties: {max: {type: integer}}}\n    Limit: {type: object, properties: {min: {type: integer}}}\n";
    let first = cdf_codegen::generate(old, &Default::default()).unwrap();
    assert_eq!(first.types["/components/schemas/limit"], "Limit");

    // Without the lock, the newcomer would take the plain name.
    let unlocked = cdf_codegen::generate(new, &Default::default()).unwrap();
    assert_eq!(unlocked.types["/components/schemas/Limit"], "Limit");

    let mut opts = cdf_codegen::CrateOptions::default();
    opts.overrides.locked_types = first.types.clone();
    let second = cdf_codegen::generate(new, &opts).unwrap();
    assert_eq!(
        second.types["/components/schemas/limit"], "Limit",
        "kept its name"
    );
    assert_eq!(
        second.types["/components/schemas/Limit"], "Limit2",
        "the newcomer is numbered"
    );
}
