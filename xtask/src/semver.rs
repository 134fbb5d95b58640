//! The ecosystem's own judge of compatibility, `cargo semver-checks`, on
//! the crates generated from a fixture spec pair that only adds things
//! (`spec/fixtures/additive/`): the newer crate must pass every check
//! against the older one. The same pair reversed removes things, and must
//! fail, so the run shows the tool can see a break here at all.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{bail, Context, Result};
use cdf_codegen::CrateOptions;

/// The version CI installs, so a new release of the tool with new lints
/// cannot turn CI red without a change here.
const TOOL_VERSION: &str = "0.51.0";

/// The lints the reversed pair must trip: what the additive pair adds
/// (a schema, a field, an enum value, an operation) is what it removes.
const EXPECTED_ON_REMOVAL: &[&str] = &[
    "struct_missing",
    "struct_pub_field_missing",
    "enum_variant_missing",
    "inherent_method_missing",
];

/// Runs both checks; the line to print on success.
pub fn run(workspace: &Path) -> Result<String> {
    let tool = ensure_tool(workspace)?;
    let dir = std::env::temp_dir().join("cdf-codegen-semver");
    let fixtures = workspace.join("spec/fixtures/additive");
    let (old, new) = (dir.join("old"), dir.join("new"));
    generate(&fixtures.join("old.yaml"), &old)?;
    generate(&fixtures.join("new.yaml"), &new)?;
    // One target folder for both sides and both runs: the dependencies
    // are documented once.
    let target = dir.join("target");
    let forward = check(&tool, &new, &old, &target)?;
    if !forward.status.success() {
        bail!(
            "cargo semver-checks finds a breaking change in an additive spec update \
             ({} → {}):\n{}",
            old.display(),
            new.display(),
            text(&forward)
        );
    }
    let reverse = check(&tool, &old, &new, &target)?;
    let reverse_text = text(&reverse);
    let missing: Vec<&&str> = EXPECTED_ON_REMOVAL
        .iter()
        .filter(|lint| !reverse_text.contains(**lint))
        .collect();
    if reverse.status.success() || !missing.is_empty() {
        bail!(
            "cargo semver-checks should fail the reversed (removing) pair with {missing:?}:\n{reverse_text}"
        );
    }
    Ok(format!(
        "semver-checks {TOOL_VERSION}: the additive fixture pair passes every check; \
         reversed, it fails with {}",
        EXPECTED_ON_REMOVAL.join(", ")
    ))
}

/// `target/tools/bin/cargo-semver-checks`, installed from crates.io the
/// first time (a few CPU-minutes; later runs find it).
fn ensure_tool(workspace: &Path) -> Result<PathBuf> {
    let root = workspace.join("target/tools");
    let tool = root.join("bin/cargo-semver-checks");
    let installed = Command::new(&tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(TOOL_VERSION));
    if installed {
        return Ok(tool);
    }
    println!(
        "installing cargo-semver-checks {TOOL_VERSION} into {}",
        root.display()
    );
    let status = Command::new(env!("CARGO"))
        .args([
            "install",
            "--locked",
            "--quiet",
            "--version",
            TOOL_VERSION,
            "--root",
        ])
        .arg(&root)
        .arg("cargo-semver-checks")
        .status()
        .context("running cargo install")?;
    if !status.success() {
        bail!("cargo install cargo-semver-checks {TOOL_VERSION} failed");
    }
    Ok(tool)
}

/// The crate for `spec`, as `codegen --out` writes it (same package name
/// on both sides, as semver-checks compares one package).
fn generate(spec: &Path, out: &Path) -> Result<()> {
    let text = cdf_codegen::load::read_spec(spec)?;
    let generated = cdf_codegen::generate(&text, &CrateOptions::default())
        .with_context(|| format!("generating from {}", spec.display()))?;
    cdf_codegen::write::write_crate(out, &generated.files)?;
    Ok(())
}

fn check(tool: &Path, current: &Path, baseline: &Path, target: &Path) -> Result<Output> {
    Command::new(tool)
        .args(["semver-checks", "check-release", "--all-features"])
        .args(["--release-type", "minor", "--manifest-path"])
        .arg(current.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(baseline)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .with_context(|| format!("running {}", tool.display()))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
