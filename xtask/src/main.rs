//! `cargo xtask`: the project's one command line (see DESIGN.md for the contract).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use cdf_codegen::CrateOptions;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "cdf-codegen: generate and test the CDF Rust client"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate the client crate from the spec.
    Codegen {
        #[arg(long)]
        spec: Option<PathBuf>,
        #[arg(long, default_value = "generated/cdf-client")]
        out: PathBuf,
        /// Write nothing; fail listing the files that differ from the output on disk.
        #[arg(long)]
        check: bool,
    },
    /// What the generator saw and did: counts, fallbacks, spec findings, normalisation.
    Report {
        #[arg(long)]
        spec: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Every test: generate, lint (warnings are errors), and test the whole workspace.
    Test,
    /// What changed between two specs, for client users (not built yet: issue 6).
    Diff { old: PathBuf, new: PathBuf },
    /// Download the pinned spec and verify its sha256 (not built yet: issue 6).
    FetchSpec,
    /// The benchmark table (not built yet: issue 7).
    Bench,
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Cmd::Codegen { spec, out, check } => codegen(spec, &workspace().join(out), check),
        Cmd::Report { spec, json } => {
            let generated = generate(spec)?;
            let r = &generated.report;
            println!("{}", if json { r.to_json() } else { r.to_text() });
            Ok(())
        }
        Cmd::Test => test(),
        Cmd::Diff { .. } => bail!("`diff` is not built yet (issue 6)"),
        Cmd::FetchSpec => {
            bail!("`fetch-spec` is not built yet (issue 6); pass --spec or set CDF_OPENAPI_SPEC")
        }
        Cmd::Bench => bail!("`bench` is not built yet (issue 7)"),
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `--spec`, else `$CDF_OPENAPI_SPEC`, else the cached `spec/cognite-api-v1.json`.
fn find_spec(flag: Option<PathBuf>) -> Result<Option<PathBuf>> {
    if let Some(p) = flag {
        return Ok(Some(p));
    }
    if let Some(p) = std::env::var_os("CDF_OPENAPI_SPEC").filter(|p| !p.is_empty()) {
        return Ok(Some(PathBuf::from(p)));
    }
    let cached = workspace().join("spec/cognite-api-v1.json");
    Ok(cached.exists().then_some(cached))
}

fn generate(spec: Option<PathBuf>) -> Result<cdf_codegen::Generated> {
    let path = find_spec(spec)?.context(
        "no spec found: pass --spec PATH, set CDF_OPENAPI_SPEC, or place it at spec/cognite-api-v1.json",
    )?;
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let opts = CrateOptions {
        overrides: overrides()?,
        ..Default::default()
    };
    cdf_codegen::generate(&text, &opts)
        .with_context(|| format!("generating from {}", path.display()))
}

/// `spec/codegen.toml`, when present: pinned names and retry safety.
fn overrides() -> Result<cdf_codegen::overrides::Overrides> {
    let path = workspace().join("spec/codegen.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(cdf_codegen::overrides::Overrides::parse(&text)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn codegen(spec: Option<PathBuf>, out: &Path, check: bool) -> Result<()> {
    let generated = generate(spec)?;
    if check {
        let diff = cdf_codegen::write::differences(out, &generated.files);
        if diff.is_empty() {
            println!(
                "{}: in step with the spec ({} files)",
                out.display(),
                generated.files.len()
            );
            return Ok(());
        }
        for line in &diff {
            println!("{line}");
        }
        bail!(
            "{} file(s) differ from a fresh generation; run `cargo xtask codegen`",
            diff.len()
        );
    }
    cdf_codegen::write::write_crate(out, &generated.files)?;
    let s = &generated.report.schemas;
    println!(
        "wrote {} files to {}: {} schemas, {} typed, {} Value fallbacks, {} inline types",
        generated.files.len(),
        out.display(),
        s.seen,
        s.typed,
        s.value_fallback,
        s.inline_types
    );
    Ok(())
}

fn cargo(args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!("$ cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .current_dir(workspace())
        .status()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// The one test command: README and `.ci/run` both call it.
fn test() -> Result<()> {
    match find_spec(None)? {
        Some(_) => codegen(None, &workspace().join("generated/cdf-client"), false)?,
        None => println!(
            "note: no spec found (CDF_OPENAPI_SPEC unset, no spec/cognite-api-v1.json): \
             the real-spec crate is not generated; tests that need it say so"
        ),
    }
    cargo(&[
        "fmt",
        "--check",
        "-p",
        "cdf-codegen",
        "-p",
        "cdf-client-runtime",
        "-p",
        "xtask",
    ])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    feature_builds()?;
    let (passed, failed) = cargo_test(&["test", "--workspace"])?;
    // One plain closing line over every test binary, so a log reader sees
    // the whole count rather than the last binary's (often doctests: 0).
    println!("tests: {passed} passed, {failed} failed");
    if failed > 0 {
        bail!("{failed} test(s) failed");
    }
    Ok(())
}

/// The generated crate with only one tag group (the one holding sequences)
/// and with none: each must build without warnings on its own.
fn feature_builds() -> Result<()> {
    let manifest = workspace().join("generated/cdf-client/Cargo.toml");
    let Ok(text) = std::fs::read_to_string(&manifest) else {
        return Ok(());
    };
    let group = "asset-centric-data-model";
    if !text.lines().any(|l| l.starts_with(&format!("{group} = "))) {
        println!(
            "note: no `{group}` feature in {}; single-group build skipped",
            manifest.display()
        );
        return Ok(());
    }
    for features in [group, ""] {
        cargo(&[
            "clippy",
            "-p",
            "cdf-client",
            "--no-default-features",
            "--features",
            features,
            "--",
            "-D",
            "warnings",
        ])?;
    }
    Ok(())
}

/// Runs `cargo test`, echoing its output, and sums its `test result:` lines.
fn cargo_test(args: &[&str]) -> Result<(usize, usize)> {
    use std::io::{BufRead, BufReader};
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!("$ cargo {}", args.join(" "));
    let mut child = Command::new(cargo)
        .args(args)
        .current_dir(workspace())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("running cargo test")?;
    let (mut passed, mut failed) = (0, 0);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines() {
            let line = line?;
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                passed += count_before(rest, " passed");
                failed += count_before(rest, " failed");
            }
        }
    }
    let status = child.wait()?;
    if !status.success() && failed == 0 {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok((passed, failed))
}

/// `n` from "... n passed; ..." given " passed".
fn count_before(text: &str, word: &str) -> usize {
    text.split(';')
        .find_map(|part| part.trim().strip_suffix(word.trim()).map(str::trim))
        .and_then(|n| n.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::count_before;

    #[test]
    fn reads_cargo_test_summaries() {
        let line =
            "ok. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s";
        assert_eq!(count_before(line, " passed"), 7);
        assert_eq!(count_before(line, " failed"), 2);
        assert_eq!(count_before("FAILED. 0 passed; 1 failed;", " failed"), 1);
    }
}
