//! Every fixture spec, and each earlier snapshot of the real spec, gives a
//! crate that builds on its own with clippy and `-D warnings`; the union
//! fixture's crate also passes its own round-trip test.

mod common;

use std::process::Command;

#[test]
fn generated_crates_compile_cleanly() {
    let root = common::workspace().join("target/generated-crates");
    let mut members = Vec::new();
    for (name, path) in common::fixtures() {
        members.push((format!("fixture-{name}"), path));
    }
    for path in common::history_specs() {
        let stem = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('.', "-");
        members.push((format!("history-{stem}"), path));
    }
    for (package, path) in &members {
        let g = common::generate(path, package);
        cdf_codegen::write::write_crate(&root.join(package), &g.files).unwrap();
    }
    let list: Vec<String> = members.iter().map(|(p, _)| format!("{p:?}")).collect();
    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
        list.join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    let clippy = ["clippy", "--workspace", "--all-targets", "--quiet"];
    let status = cargo_in(&root, &[&clippy[..], &["--", "-D", "warnings"]].concat());
    assert!(
        status.success(),
        "generated crates in {} do not build cleanly",
        root.display()
    );
    // The union fixture's round-trip law, run with its real types (the
    // real spec's runs as a member of this workspace).
    let unions = [
        "test",
        "--quiet",
        "-p",
        "fixture-faithful-unions",
        "--test",
        "unions",
    ];
    assert!(
        cargo_in(&root, &unions).success(),
        "the union fixture's variants do not round-trip"
    );
}

/// Runs cargo in the generated crates' workspace, with its own target.
fn cargo_in(root: &std::path::Path, args: &[&str]) -> std::process::ExitStatus {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .status()
        .expect("cargo runs")
}
