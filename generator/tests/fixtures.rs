//! Snapshot tests: the generated Rust and the report for each fixture spec.

mod common;

use cdf_codegen::{generate, CrateOptions, Error};

/// The generated crate as one text, runtime copies left out (they are
/// tested where they are written, in `templates/`).
fn crate_text(files: &std::collections::BTreeMap<String, String>) -> String {
    files
        .iter()
        .filter(|(path, _)| !path.starts_with("src/runtime/"))
        .map(|(path, text)| format!("==> {path}\n{text}"))
        .collect()
}

#[test]
fn generated_code_matches_snapshots() {
    for (name, path) in common::fixtures() {
        let g = common::generate(&path, "cdf-client");
        insta::assert_snapshot!(format!("{name}.rs"), crate_text(&g.files));
        insta::assert_snapshot!(format!("{name}.report"), g.report.to_text());
    }
}

#[test]
fn generation_is_deterministic() {
    for (_, path) in common::fixtures() {
        let a = common::generate(&path, "x");
        let b = common::generate(&path, "x");
        assert_eq!(a.files, b.files, "{}", path.display());
    }
}

#[test]
fn dangling_ref_is_an_error_naming_the_place() {
    let path = common::workspace().join("spec/fixtures/dangling-ref.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let err = generate(&text, &CrateOptions::default())
        .err()
        .expect("must fail");
    assert!(matches!(err, Error::Reference { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("/components/schemas/Holder/properties/target"),
        "{msg}"
    );
    assert!(msg.contains("#/components/schemas/Missing"), "{msg}");
}

#[test]
fn syntax_errors_name_line_and_column() {
    let err = generate(
        "openapi: 3.0.0\ninfo: [unclosed\n",
        &CrateOptions::default(),
    )
    .err()
    .unwrap();
    let msg = err.to_string();
    assert!(msg.contains("YAML") && msg.contains("line"), "{msg}");
    let err = generate(
        "{\"openapi\": \"3.0.0\",\n \"info\": }",
        &CrateOptions::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[test]
fn unsupported_versions_are_refused() {
    let err = generate("swagger: '2.0'\n", &CrateOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().starts_with("/openapi:"), "{err}");
    let err = generate("openapi: 4.0.0\n", &CrateOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("4.0.0 is not supported"), "{err}");
}

#[test]
fn model_errors_name_a_json_pointer() {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: 42\n";
    let err = generate(spec, &CrateOptions::default()).err().unwrap();
    assert!(
        err.to_string()
            .contains("/components/schemas/A/properties/b"),
        "{err}"
    );
}
