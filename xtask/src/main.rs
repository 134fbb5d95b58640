//! `cargo xtask`: the project's one command line (see DESIGN.md for the contract).

use std::path::{Path, PathBuf};
use std::process::Command;

mod bench;
mod contract;
mod corpus;
mod curve;
mod dpbench;
mod figures;
mod semver;

use anyhow::{bail, Context, Result};
use cdf_codegen::release::{Bump, Version};
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
        /// Where to write the crate (default: generated/cdf-client in this workspace).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The crate's package name; its library is the same with `_` for `-`.
        #[arg(long, default_value = "cdf-client")]
        name: String,
        /// The spec's profile (its conventions and pins). Default: the
        /// `<stem>.codegen.toml` or `codegen.toml` beside the spec, CDF's
        /// `spec/codegen.toml` for CDF's spec, else none.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// Write nothing; fail listing the files that differ from the output on disk.
        #[arg(long)]
        check: bool,
        /// The spec the lock was written from, when `spec/releases/` does not
        /// hold it: the new release's version and changelog come from the diff.
        #[arg(long)]
        previous: Option<PathBuf>,
    },
    /// What the generator saw and did: counts, fallbacks, spec findings, normalisation.
    Report {
        #[arg(long)]
        spec: Option<PathBuf>,
        #[arg(long)]
        json: bool,
        /// Instead: check the figures README.md states about the crate
        /// against this generation (part of `test`).
        #[arg(long)]
        readme: bool,
    },
    /// Every test: generate, lint (warnings are errors), and test the whole workspace.
    Test,
    /// Only the contract sweeps against Prism (part of `test`), on the crate
    /// as generated now: for rerunning them while working on the client.
    Contract,
    /// Only the `cargo semver-checks` run on the additive fixture pair (part of `test`).
    Semver,
    /// What changed between two specs for client users, as changelog-ready Markdown.
    /// Exit code: 0 nothing breaking, 1 something breaking, 2 a spec could not be read.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Download the pinned spec (spec/SOURCE) to spec/cognite-api-v1.json, verifying its sha256.
    FetchSpec {
        /// Accept what the URL serves now and rewrite the pin with its hash.
        #[arg(long)]
        update: bool,
        /// Download from here instead of the pinned URL.
        #[arg(long)]
        url: Option<String>,
    },
    /// Measure generation, the generated crate's compile cost and the client;
    /// one table, and target/bench/report.json.
    Bench,
    /// Generate every spec in a folder (default ../shared/realspecs), one table row each.
    Corpus {
        /// Also lint each generated crate with `clippy -D warnings`.
        #[arg(long)]
        compile: bool,
        dir: Option<PathBuf>,
    },
    /// The child process of `corpus`: one spec, one JSON line.
    #[command(hide = true)]
    CorpusOne {
        spec: PathBuf,
        out: PathBuf,
        name: String,
        /// The spec's profile, when not the one beside it.
        #[arg(long)]
        profile: Option<PathBuf>,
    },
    /// The child process of `bench` (release build): timed generations.
    #[command(hide = true)]
    BenchGenerate,
    /// Only the datapoints part of `bench`: this crate's reader against
    /// Cognite's Python SDK on a local server.
    BenchDatapoints,
    /// The child process of the datapoints benchmark: one read, one JSON line.
    #[command(hide = true)]
    DatapointsClient {
        base: String,
        series: i64,
        end: i64,
        workers: usize,
        format: String,
    },
}

/// The generator allocates many small, short-lived values (token trees,
/// syntax trees, strings); glibc's allocator spent about a third of a CDF
/// run in `malloc`/`free` and in clearing fresh pages. See the README's
/// Performance section for the measured difference.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Writes `text` and a line break to stdout. A reader that stops early
/// (`| head`) closes the pipe: that ends the output, not with a panic
/// as `println!` would.
fn print_out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Cmd::Codegen {
            spec,
            out,
            name,
            profile,
            check,
            previous,
        } => {
            let mode = if check { Mode::Check } else { Mode::Write };
            let out = match out {
                Some(out) => {
                    std::path::absolute(&out).with_context(|| format!("--out {}", out.display()))?
                }
                None => default_out(),
            };
            let target = Target {
                out: &out,
                name: &name,
                profile: profile.as_deref(),
            };
            codegen(spec, &target, mode, previous)
        }
        Cmd::Report { spec, json, readme } => {
            let (generated, _) = generate(spec)?;
            if readme {
                let text = std::fs::read_to_string(workspace().join("README.md"))?;
                print_out(&figures::check(&text, &generated)?);
                return Ok(());
            }
            let r = &generated.report;
            print_out(&if json { r.to_json() } else { r.to_text() });
            Ok(())
        }
        Cmd::Test => test(),
        Cmd::Contract => {
            let spec = find_spec(None)?.context("no spec: set CDF_OPENAPI_SPEC")?;
            let (mut passed, mut failed) = (0, 0);
            for line in contract::run(&workspace(), &spec, &mut passed, &mut failed)? {
                print_out(&line);
            }
            if failed > 0 {
                bail!("{failed} contract sweep(s) failed");
            }
            Ok(())
        }
        Cmd::Corpus { compile, dir } => corpus::run(&workspace(), dir, compile),
        Cmd::CorpusOne {
            spec,
            out,
            name,
            profile,
        } => corpus::one(&spec, &out, &name, profile.as_deref()),
        Cmd::Semver => {
            print_out(&semver::run(&workspace())?);
            Ok(())
        }
        Cmd::Diff { old, new, json } => match spec_diff(&old, &new) {
            Ok(d) => {
                print_out(&if json { d.to_json() } else { d.to_markdown() });
                if d.is_breaking() {
                    std::process::exit(1);
                }
                Ok(())
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::exit(2);
            }
        },
        Cmd::FetchSpec { update, url } => fetch_spec(url, update).map(|_| ()),
        Cmd::Bench => {
            let spec = find_spec(None)?
                .context("no spec: set CDF_OPENAPI_SPEC or run `cargo xtask fetch-spec`")?;
            codegen(
                Some(spec.clone()),
                &Target::default_crate(),
                Mode::Write,
                None,
            )?;
            bench::run(&workspace(), &spec)
        }
        Cmd::BenchGenerate => {
            let spec = find_spec(None)?.context("no spec: set CDF_OPENAPI_SPEC")?;
            let out = std::env::var_os("CDF_BENCH_OUT").context("CDF_BENCH_OUT: where to write")?;
            let opts = CrateOptions {
                overrides: profile(&spec, None, true)?,
                ..Default::default()
            };
            bench::generate_runs(&spec, Path::new(&out), &opts)
        }
        Cmd::BenchDatapoints => {
            let report = dpbench::run(&workspace())?;
            println!("{}", bench::datapoints_table(&report));
            Ok(())
        }
        Cmd::DatapointsClient {
            base,
            series,
            end,
            workers,
            format,
        } => dpbench::client(&base, series, end, workers, &format),
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

fn spec_pin(path: &Path) -> Result<cdf_codegen::pin::SpecPin> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(cdf_codegen::pin::SpecPin::parse(&text)?)
}

/// Downloads the spec, checks its sha256 against the pin, and only then
/// writes it (and, with `update`, the new pin). A mismatch overwrites nothing.
fn fetch_spec(url: Option<String>, update: bool) -> Result<PathBuf> {
    let spec = workspace().join("spec");
    // The spec being replaced is what the next release is compared with.
    if let Ok(old) = std::fs::read(spec.join("cognite-api-v1.json")) {
        let kept = releases_dir().join(cdf_codegen::pin::sha256_hex(&old));
        if !kept.exists() {
            std::fs::create_dir_all(releases_dir())?;
            std::fs::write(&kept, &old).with_context(|| format!("writing {}", kept.display()))?;
        }
    }
    fetch_spec_into(
        url,
        update,
        &spec.join("SOURCE"),
        &spec.join("cognite-api-v1.json"),
    )
}

fn fetch_spec_into(
    url: Option<String>,
    update: bool,
    pin_path: &Path,
    target: &Path,
) -> Result<PathBuf> {
    let mut pin = spec_pin(pin_path)?;
    let url = url.unwrap_or_else(|| pin.url.clone());
    println!("downloading {url}");
    let body = ureq::get(&url)
        .call()
        .with_context(|| format!("downloading {url}"))?
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_vec()
        .with_context(|| format!("reading {url}"))?;
    let got = cdf_codegen::pin::sha256_hex(&body);
    if got != pin.sha256 && !update {
        bail!(
            "sha256 mismatch for {url}:\n  pinned:     {}\n  downloaded: {got}\nnothing was written; \
             run `cargo xtask fetch-spec --update` to accept the new spec",
            pin.sha256
        );
    }
    let partial = target.with_extension("partial");
    std::fs::write(&partial, &body).with_context(|| format!("writing {}", partial.display()))?;
    std::fs::rename(&partial, target).with_context(|| format!("writing {}", target.display()))?;
    if update && (got != pin.sha256 || url != pin.url) {
        pin.sha256 = got.clone();
        pin.url = url;
        std::fs::write(pin_path, pin.render())?;
        println!("pin updated: sha256 {got}");
    }
    println!("{} ({} bytes, sha256 {got})", target.display(), body.len());
    Ok(target.to_path_buf())
}

fn generate(spec: Option<PathBuf>) -> Result<(cdf_codegen::Generated, String)> {
    let (path, text) = spec_text(spec)?;
    let opts = CrateOptions {
        overrides: profile(&path, None, is_cdf_spec(&path)?)?,
        ..Default::default()
    };
    Ok((generate_from(&path, &text, &opts)?, text))
}

/// The spec's path and text: `--spec`, `$CDF_OPENAPI_SPEC`, the cached
/// copy, or else the pinned one, downloaded.
fn spec_text(spec: Option<PathBuf>) -> Result<(PathBuf, String)> {
    let path = match find_spec(spec)? {
        Some(path) => path,
        None => {
            println!("no spec given or cached: fetching the pinned one");
            fetch_spec(None, false).context(
                "no spec found: pass --spec PATH, set CDF_OPENAPI_SPEC, or run `cargo xtask fetch-spec`",
            )?
        }
    };
    let text = cdf_codegen::load::read_spec(&path)?;
    Ok((path, text))
}

fn generate_from(path: &Path, text: &str, opts: &CrateOptions) -> Result<cdf_codegen::Generated> {
    cdf_codegen::generate(text, opts).with_context(|| format!("generating from {}", path.display()))
}

/// Both specs built with the same name pins as `codegen`, so the report
/// speaks of the method and type names users actually have.
fn spec_diff(old: &Path, new: &Path) -> Result<cdf_codegen::diff::SpecDiff> {
    let overrides = profile(new, None, is_cdf_spec(new)?)?;
    let load = |path: &Path| -> Result<cdf_codegen::load::Loaded> {
        let text = cdf_codegen::load::read_spec(path)?;
        cdf_codegen::load::load_str(&text).with_context(|| format!("loading {}", path.display()))
    };
    let mut d = cdf_codegen::on_large_stack(|| -> Result<_> {
        let (was, is) = (load(old)?, load(new)?);
        cdf_codegen::diff::diff_with(&was, &is, &overrides)
            .with_context(|| format!("reading {} and {}", old.display(), new.display()))
    })??;
    let label = |p: &Path, version: &str| {
        let file = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{version} ({file})")
    };
    d.old_title_version = label(old, &d.old_title_version);
    d.new_title_version = label(new, &d.new_title_version);
    Ok(d)
}

/// `spec/codegen.toml`, when present (pinned names, retry safety), with
/// the names `spec/codegen.lock` remembers, so names stay put across specs.
/// The profile of `spec`: `explicit` (`--profile`), else the one beside
/// the spec, else CDF's `spec/codegen.toml` when `spec` is CDF's (the spec
/// `find_spec` picks, or one in the `history/` folder beside it), else none.
/// With `locked`, the names in `spec/codegen.lock` come too.
fn profile(
    spec: &Path,
    explicit: Option<&Path>,
    locked: bool,
) -> Result<cdf_codegen::overrides::Overrides> {
    let mut o = match explicit {
        Some(path) => read_profile(path)?,
        None => match cdf_codegen::overrides::Overrides::beside(spec)? {
            (o, Some(_)) => o,
            (o, None) if !is_cdf_spec(spec)? => o,
            _ => read_profile(&workspace().join("spec/codegen.toml"))?,
        },
    };
    if let (true, Some(lock)) = (locked, read_lock()?) {
        o.locked_types = lock.types;
        o.locked_methods = lock.methods;
        o.lock_spec_sha256 = Some(lock.spec_sha256);
    }
    Ok(o)
}

/// The profile at `path`, its errors naming the file.
fn read_profile(path: &Path) -> Result<cdf_codegen::overrides::Overrides> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the profile {}", path.display()))?;
    cdf_codegen::overrides::Overrides::parse(&text)
        .with_context(|| format!("in the profile {}", path.display()))
}

/// `spec` is CDF's: the spec `find_spec` picks, or one in the `history/`
/// folder beside it.
fn is_cdf_spec(spec: &Path) -> Result<bool> {
    let Some(cdf) = find_spec(None)? else {
        return Ok(false);
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (spec, cdf) = (canonical(spec), canonical(&cdf));
    let history = cdf.parent().map(|d| d.join("history"));
    Ok(spec == cdf || spec.parent() == history.as_deref())
}

/// Where `codegen` writes the crate, under what name, with which profile.
struct Target<'a> {
    out: &'a Path,
    name: &'a str,
    profile: Option<&'a Path>,
}

impl Target<'static> {
    fn default_crate() -> Target<'static> {
        static OUT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
        Target {
            out: OUT.get_or_init(default_out),
            name: "cdf-client",
            profile: None,
        }
    }
}

fn default_out() -> PathBuf {
    workspace().join("generated/cdf-client")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    /// Compare with the crate on disk and with the lock.
    Check,
    /// Compare with the lock only (a fresh clone has no generated crate yet).
    CheckLock,
}

fn lock_path() -> PathBuf {
    workspace().join("spec/codegen.lock")
}

/// `spec/codegen.lock`, or `None` before the first generation.
fn read_lock() -> Result<Option<cdf_codegen::pin::Lock>> {
    match std::fs::read_to_string(lock_path()) {
        Ok(text) => Ok(Some(cdf_codegen::pin::Lock::parse(&text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", lock_path().display())),
    }
}

/// The text of every spec a release was generated from in this checkout,
/// by sha256 (gitignored, like the spec): what the next release is
/// compared with.
fn releases_dir() -> PathBuf {
    workspace().join("spec/releases")
}

fn codegen(
    spec: Option<PathBuf>,
    target: &Target,
    mode: Mode,
    previous: Option<PathBuf>,
) -> Result<()> {
    let (path, text) = spec_text(spec)?;
    let out = target.out;
    // The lock describes the default crate only: CDF's, in the default
    // place, with its own name and profile. Its names still apply to CDF's
    // spec written elsewhere.
    let locked = out == default_out() && target.name == "cdf-client" && target.profile.is_none();
    let overrides = profile(&path, target.profile, locked || is_cdf_spec(&path)?)?;
    let lock = read_lock()?;
    let sha = cdf_codegen::pin::sha256_hex(text.as_bytes());
    let release = match (&lock, mode, locked) {
        (Some(lock), Mode::Write, true) => Some(plan_release(lock, &text, &overrides, previous)?),
        _ => None,
    };
    let version = match (&release, &lock) {
        (Some(r), _) => r.version,
        (None, Some(lock)) if lock.spec_sha256 == sha => lock.version.unwrap_or(Version::FIRST),
        _ => Version::FIRST,
    };
    let opts = CrateOptions {
        package_name: target.name.to_string(),
        overrides,
        version,
        ..Default::default()
    };
    let mut generated = generate_from(&path, &text, &opts)?;
    let fresh = cdf_codegen::pin::Lock::of_generated(&text, &generated);
    if mode != Mode::Write {
        return check(out, mode, locked, &generated, &fresh);
    }
    let changelog = changelog(out, release.as_ref(), &generated, &sha)?;
    if let Some(text) = changelog {
        generated.files.insert(CHANGELOG.into(), text);
    }
    cdf_codegen::write::write_crate(out, &generated.files)?;
    if locked {
        std::fs::write(lock_path(), fresh.render())
            .with_context(|| format!("writing {}", lock_path().display()))?;
        let kept = releases_dir().join(&sha);
        if !kept.exists() {
            std::fs::create_dir_all(releases_dir())?;
            std::fs::write(&kept, &text).with_context(|| format!("writing {}", kept.display()))?;
        }
    }
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
    if let Some(r) = release.filter(|r| r.bump != Bump::None) {
        let why = match (&r.diff, &r.unknown_previous) {
            (Some(d), _) => d.summary(),
            (None, Some(_)) => "the previous spec was not available to compare.".into(),
            (None, None) => "the same spec.".into(),
        };
        let why = if r.generator.is_empty() {
            why
        } else {
            format!("{why} The generator changed the crate's API since the last release.")
        };
        println!(
            "release {} ({:?} bump): {why} See {}",
            r.version,
            r.bump,
            out.join(CHANGELOG).display()
        );
    }
    Ok(())
}

const CHANGELOG: &str = "CHANGELOG.md";

/// The release of `text` after the one the lock records: the old spec's
/// text comes from `--previous` or `spec/releases/<sha256>`.
fn plan_release(
    lock: &cdf_codegen::pin::Lock,
    text: &str,
    overrides: &cdf_codegen::overrides::Overrides,
    previous: Option<PathBuf>,
) -> Result<cdf_codegen::release::Release> {
    let kept = releases_dir().join(&lock.spec_sha256);
    let previous = match previous {
        Some(path) => Some(path),
        None => kept.exists().then_some(kept),
    };
    let old_text = previous
        .as_deref()
        .map(cdf_codegen::load::read_spec)
        .transpose()?;
    let before = cdf_codegen::release::Previous {
        version: lock.version.unwrap_or(Version::FIRST),
        spec_sha256: &lock.spec_sha256,
        text: old_text.as_deref(),
        // A lock that does not say was written before epochs: the first.
        epoch: lock.epoch.unwrap_or(1),
    };
    let release = cdf_codegen::release::plan(&before, text, overrides);
    release.with_context(|| match &previous {
        Some(p) => format!("comparing with the previous spec {}", p.display()),
        None => "planning the release".into(),
    })
}

/// The crate's `CHANGELOG.md` (kept across generations: it is not part of
/// the lock) with this release's entry on top. With no release to record
/// and no changelog yet, none is written.
fn changelog(
    out: &Path,
    release: Option<&cdf_codegen::release::Release>,
    generated: &cdf_codegen::Generated,
    sha: &str,
) -> Result<Option<String>> {
    let path = out.join(CHANGELOG);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let Some(release) = release.filter(|r| r.bump != Bump::None) else {
        return Ok(existing);
    };
    let r = &generated.report;
    let spec = format!("{} {}, sha256 {}", r.title, r.api_version, &sha[..8]);
    Ok(Some(cdf_codegen::release::prepend(
        existing.as_deref(),
        &release.changelog_entry(&spec),
    )))
}

fn check(
    out: &Path,
    mode: Mode,
    locked: bool,
    generated: &cdf_codegen::Generated,
    fresh: &cdf_codegen::pin::Lock,
) -> Result<()> {
    let mut diff = Vec::new();
    if mode == Mode::Check {
        diff.extend(cdf_codegen::write::differences(out, &generated.files));
    }
    if locked {
        match read_lock()? {
            Some(lock) => diff.extend(lock.differences(fresh)),
            None => diff.push(format!("lock: {} is missing", lock_path().display())),
        }
    }
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
        "{} difference(s) from a fresh generation; run `cargo xtask codegen` and commit spec/codegen.lock",
        diff.len()
    );
}

fn cargo(args: &[&str]) -> Result<()> {
    cargo_with(args, &[])
}

/// `cargo args` in the workspace with `env` set; its failure is an error.
fn cargo_with(args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let shown: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v:?} ")).collect();
    println!("$ {}cargo {}", shown.concat(), args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(env.iter().copied())
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
        Some(_) => {
            // Drift first: the committed lock must match a fresh generation.
            let target = Target::default_crate();
            codegen(None, &target, Mode::CheckLock, None)?;
            codegen(None, &target, Mode::Write, None)?;
            let (generated, _) = generate(None)?;
            let readme = std::fs::read_to_string(workspace().join("README.md"))?;
            println!("{}", figures::check(&readme, &generated)?);
        }
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
    generated_docs()?;
    let semver = semver::run(&workspace())?;
    println!("{semver}");
    let (mut passed, mut failed) = cargo_test(&["test", "--workspace"])?;
    let summaries = match find_spec(None)? {
        Some(spec) => contract::run(&workspace(), &spec, &mut passed, &mut failed)?,
        None => Vec::new(),
    };
    let corpus = corpus::check(&workspace())?;
    for line in summaries.iter().chain([&semver, &corpus]) {
        println!("{line}");
    }
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

/// rustdoc's lints, as errors, on the generator's library (its public
/// API is documented, `#![deny(missing_docs)]`, and links only to what a
/// reader of those docs can open) and on the generated crate (spec prose
/// must not read as broken links or unclosed HTML; see the generator's
/// `prose`).
fn generated_docs() -> Result<()> {
    cargo_with(
        &["doc", "-p", "cdf-codegen", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    let crate_dir = workspace().join("generated/cdf-client");
    if !crate_dir.join("Cargo.toml").exists() {
        return Ok(());
    }
    // rustdoc lints an item's docs in the crate that defines it, so the
    // crates of types (`crates/*`) are documented themselves, not only
    // inlined into the client crate's `types`.
    let packages = bench::packages(&crate_dir)?;
    let mut args = vec!["doc", "--no-deps", "--all-features"];
    for package in &packages {
        args.extend(["-p", package.as_str()]);
    }
    cargo_with(&args, &[("RUSTDOCFLAGS", "-D warnings")])
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
    use super::{count_before, fetch_spec_into};
    use std::io::{Read, Write};

    /// Serves `body` once on 127.0.0.1 and returns its URL.
    fn serve_once(body: &'static [u8]) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/spec.json", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            if let Ok((mut stream, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body);
            }
        });
        url
    }

    #[test]
    fn fetch_spec_verifies_the_hash_and_writes_nothing_on_mismatch() {
        let dir = std::env::temp_dir().join(format!("xtask-fetch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pin = dir.join("SOURCE");
        let target = dir.join("spec.json");
        let good = cdf_codegen::pin::sha256_hex(b"{\"openapi\": \"3.1.0\"}");
        let pinned = cdf_codegen::pin::SpecPin {
            url: "unused".into(),
            sha256: good.clone(),
        };
        std::fs::write(&pin, pinned.render()).unwrap();

        let err = fetch_spec_into(Some(serve_once(b"{\"tampered\": 1}")), false, &pin, &target)
            .unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("sha256 mismatch") && msg.contains(&good),
            "{msg}"
        );
        assert!(!target.exists(), "nothing written on a mismatch");

        fetch_spec_into(
            Some(serve_once(b"{\"openapi\": \"3.1.0\"}")),
            false,
            &pin,
            &target,
        )
        .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{\"openapi\": \"3.1.0\"}");

        fetch_spec_into(
            Some(serve_once(b"{\"openapi\": \"3.1.1\"}")),
            true,
            &pin,
            &target,
        )
        .unwrap();
        let updated = std::fs::read_to_string(&pin).unwrap();
        assert!(
            updated.contains(&cdf_codegen::pin::sha256_hex(b"{\"openapi\": \"3.1.1\"}")),
            "{updated}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn reads_cargo_test_summaries() {
        let line =
            "ok. 7 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s";
        assert_eq!(count_before(line, " passed"), 7);
        assert_eq!(count_before(line, " failed"), 2);
        assert_eq!(count_before("FAILED. 0 passed; 1 failed;", " failed"), 1);
    }
}
