//! Every fixture spec (its crate as kept in `generator/tests/output/`), and
//! each earlier snapshot of the real spec, gives a crate that builds on its
//! own with clippy and `-D warnings`, and whose
//! docs rustdoc builds with `-D warnings`; the union
//! fixture's crate also passes its own round-trip test. A caller written
//! against the crate of `spec/fixtures/additive/old.yaml` builds against
//! the crate of `new.yaml` too, which only adds to the API.

mod common;

use std::process::Command;

#[test]
fn generated_crates_compile_cleanly() {
    let root = common::workspace().join("target/generated-crates");
    let mut members = Vec::new();
    // A fixture's crate is built from its files under `tests/output/` (the
    // ones reviewers read; `fixtures.rs` keeps them in step with the
    // generator), with the runtime the generator copies in beside them.
    for (name, path) in common::fixtures() {
        let package = common::fixture_package(&name);
        let g = common::generate(&path, &package);
        let mut files = common::read_tree(&common::output_dir(&name));
        assert!(!files.is_empty(), "no generator/tests/output/{name}");
        files.extend(g.files.into_iter().filter(|(p, _)| common::is_runtime(p)));
        cdf_codegen::write::write_crate(&root.join(&package), &files).unwrap();
        members.push((package, path));
    }
    for path in common::history_specs() {
        let stem = path
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .replace('.', "-");
        let package = format!("history-{stem}");
        // As one crate each: what they prove is that older specs' contents
        // compile. The split layout is built here with its fixture, and
        // with the real spec by `cargo xtask test`; split, each snapshot
        // took CI twice the time (its types checked for the client crate,
        // and documented twice: in their crates and inlined).
        let mut overrides = common::profile_for(&path);
        overrides.layout.split_types = false;
        let text = std::fs::read_to_string(&path).unwrap();
        let opts = cdf_codegen::CrateOptions {
            package_name: package.clone(),
            overrides,
            ..Default::default()
        };
        let g = cdf_codegen::generate(&text, &opts).unwrap();
        cdf_codegen::write::write_crate(&root.join(&package), &g.files).unwrap();
        members.push((package, path));
    }
    let mut list: Vec<String> = members.iter().map(|(p, _)| format!("{p:?}")).collect();
    list.extend(additive_pair(&root));
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
    // A split crate builds with each feature alone, and with none: each
    // group's crate stands on the shared one (and, for the types no
    // operation reaches, on the groups' crates it mentions).
    let split = common::fixture_package("split-crates");
    for feature in ["inventory", "orders", "other", "all-schemas", ""] {
        // `--all-targets`: its tests too, and the dependencies' features
        // unified as in the workspace build (so none is checked again).
        let args = [
            "clippy",
            "--quiet",
            "--all-targets",
            "-p",
            &split,
            "--no-default-features",
            "--features",
            feature,
            "--",
            "-D",
            "warnings",
        ];
        assert!(
            cargo_in(&root, &args).success(),
            "{split} does not build with only the feature `{feature}`"
        );
    }
    // Spec prose reaches rustdoc as Markdown: its lints pass with no
    // crate-wide allow (bare URLs, brackets, unknown HTML tags).
    let doc = ["doc", "--workspace", "--no-deps", "--quiet"];
    assert!(
        cargo_in_with(&root, &doc, &[("RUSTDOCFLAGS", "-D warnings")]).success(),
        "rustdoc warns on the docs of a generated crate in {}",
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
    // CI's disk is small and the later steps never read this build (1.1
    // GB); a developer's rerun keeps it.
    if std::env::var_os("CDF_CODEGEN_TIDY").is_some() {
        let _ = std::fs::remove_dir_all(root.join("target"));
    }
}

/// The crates of the additive pair, and one caller of each, with the same
/// source: the caller of the new crate is the old caller, unchanged.
fn additive_pair(root: &std::path::Path) -> Vec<String> {
    let dir = common::workspace().join("spec/fixtures/additive");
    let user =
        std::fs::read_to_string(common::workspace().join("generator/tests/additive/user.rs"))
            .expect("the caller's source");
    let mut members = Vec::new();
    for side in ["old", "new"] {
        let api = format!("additive-{side}");
        let g = common::generate(&dir.join(format!("{side}.yaml")), &api);
        if side == "new" {
            // The pair adds what it says (so the test cannot pass by adding nothing).
            let orders = &g.files["src/api/orders.rs"];
            assert!(orders.contains("since(i64)") && orders.contains("pub async fn get_order("));
        }
        cdf_codegen::write::write_crate(&root.join(&api), &g.files).unwrap();
        let caller = root.join(format!("additive-user-{side}"));
        std::fs::create_dir_all(caller.join("src")).unwrap();
        let manifest = format!(
            "[package]\nname = \"additive-user-{side}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\napi = {{ package = \"{api}\", path = \"../{api}\" }}\n"
        );
        std::fs::write(caller.join("Cargo.toml"), manifest).unwrap();
        std::fs::write(caller.join("src/lib.rs"), &user).unwrap();
        members.extend([format!("{api:?}"), format!("\"additive-user-{side}\"")]);
    }
    members
}

/// Runs cargo in the generated crates' workspace, with its own target.
fn cargo_in(root: &std::path::Path, args: &[&str]) -> std::process::ExitStatus {
    cargo_in_with(root, args, &[])
}

fn cargo_in_with(
    root: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::ExitStatus {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .envs(env.iter().copied())
        .status()
        .expect("cargo runs")
}
