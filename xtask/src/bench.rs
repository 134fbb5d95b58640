//! `cargo xtask bench`: how fast the generator runs, what the generated
//! crate costs to compile, and how fast its client is. Measures only; the
//! tests assert behaviour. Prints one table and writes
//! `target/bench/report.json`.
//!
//! Generation and the client run as release builds in child processes, so
//! each child's peak memory (`VmHWM`) is its own. Generation is reported
//! first as a user meets it (one fresh process, start to exit), then
//! against openapi-generator in a paired run, then phase by phase.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cdf_client_runtime::test_server::peak_rss_mb;
use serde_json::{json, Value};

/// Generation runs per measurement (minimum and median are reported).
const RUNS: usize = 5;

/// The tag group a one-group build keeps: the one holding sequences.
const ONE_GROUP: &str = "asset-centric-data-model";

pub fn run(root: &Path, spec: &Path) -> Result<()> {
    let out_dir = root.join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    let whole = whole_process(root, spec)?;
    let paired = paired_run(root, spec)?;
    let generation = generation(root, spec)?;
    let compile = compile_cost(root)?;
    let client = client(root)?;
    let datapoints = crate::dpbench::run(root)?;
    let report = json!({
        "machine": machine(),
        "whole_process": whole,
        "openapi_generator": paired,
        "generation": generation,
        "compile": compile,
        "client": client,
        "datapoints": datapoints,
    });
    let path = out_dir.join("report.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("{}", table(&report));
    println!("{}", datapoints_table(&report["datapoints"]));
    println!("written: {}", path.display());
    Ok(())
}

/// The child side of the generation benchmark (`xtask bench-generate`):
/// `RUNS` full generations of `spec`, each written to `out`, one JSON
/// line of phase timings per run, then the peak memory.
pub fn generate_runs(spec: &Path, out: &Path, opts: &cdf_codegen::CrateOptions) -> Result<()> {
    for _ in 0..RUNS {
        let started = Instant::now();
        let text = cdf_codegen::load::read_spec(spec)?;
        let read = started.elapsed();
        let (generated, mut phases) = cdf_codegen::generate_timed(&text, opts)?;
        let clock = Instant::now();
        cdf_codegen::write::write_crate(out, &generated.files)?;
        phases.insert(0, ("read", read));
        phases.push(("write", clock.elapsed()));
        phases.push(("total", started.elapsed()));
        let line: serde_json::Map<String, Value> = phases
            .iter()
            .map(|(name, d)| (name.to_string(), json!(ms(*d))))
            .collect();
        println!("{}", Value::Object(line));
    }
    println!(
        "{}",
        json!({ "peak_rss_mb": (peak_rss_mb() * 10.0).round() / 10.0 })
    );
    Ok(())
}

/// What a user waits for: a fresh release process per run, timed from
/// its start to its exit, `RUNS` times, with the peak memory of the
/// largest. The same child as `cargo xtask corpus`, with CDF's profile.
fn whole_process(root: &Path, spec: &Path) -> Result<Value> {
    let binary = crate::corpus::release_binary(root)?;
    let out = root.join("target/bench/whole-process/cdf-client");
    let mut times = Vec::new();
    let mut peak: f64 = 0.0;
    for _ in 0..RUNS {
        let (seconds, line) = one_generation(&binary, root, spec, &out)?;
        times.push(seconds);
        peak = peak.max(line["peak_rss_mb"].as_f64().unwrap_or(0.0));
    }
    Ok(json!({ "seconds": min_median(&times), "peak_rss_mb": peak }))
}

/// One fresh generator process on `spec` with CDF's profile: its wall
/// time and JSON line; an error fails the bench.
fn one_generation(binary: &Path, root: &Path, spec: &Path, out: &Path) -> Result<(f64, Value)> {
    let profile = root.join("spec/codegen.toml");
    let (seconds, line) =
        crate::corpus::run_child(binary, spec, out, "cdf-client", Some(&profile))?;
    if let Some(e) = line.get("error") {
        bail!("generation failed: {e}");
    }
    Ok((seconds, line))
}

/// Makes a Python venv at `venv` and installs `packages` into it from
/// PyPI: whether both worked.
pub fn pip_venv(venv: &Path, packages: &[&str]) -> bool {
    Command::new("python3")
        .args(["-m", "venv"])
        .arg(venv)
        .status()
        .is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "-q"])
            .args(packages)
            .status()
            .is_ok_and(|s| s.success())
}

/// The paired run: openapi-generator 7.x (its PyPI package, which carries
/// the jar and needs Java) generating a Rust client from the same spec,
/// then this generator, one after the other. Skipped, with the reason in
/// the report, where Java or the package cannot be had.
fn paired_run(root: &Path, spec: &Path) -> Result<Value> {
    if Command::new("java").arg("-version").output().is_err() {
        return Ok(json!({ "skipped": "no java on PATH" }));
    }
    let venv = root.join("target/bench/openapi-generator");
    let cli = venv.join("bin/openapi-generator-cli");
    if !cli.exists() && !pip_venv(&venv, &["openapi-generator-cli==7.*"]) {
        return Ok(json!({ "skipped": "openapi-generator-cli could not be installed from PyPI" }));
    }
    let theirs_out = root.join("target/bench/openapi-generator-out");
    let _ = std::fs::remove_dir_all(&theirs_out);
    let started = Instant::now();
    let output = Command::new(&cli)
        .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
        .arg(spec)
        .arg("-o")
        .arg(&theirs_out)
        .output()
        .context("running openapi-generator-cli")?;
    let theirs = started.elapsed().as_secs_f64();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Ok(json!({ "skipped": format!("openapi-generator failed: {}", last.join(" / ")) }));
    }
    let binary = crate::corpus::release_binary(root)?;
    let out = root.join("target/bench/whole-process/cdf-client");
    let (ours, _) = one_generation(&binary, root, spec, &out)?;
    Ok(json!({
        "openapi_generator_s": theirs,
        "ours_s": ours,
        "ratio": theirs / ours,
    }))
}

fn generation(root: &Path, spec: &Path) -> Result<Value> {
    let out = root.join("target/bench/generated/cdf-client");
    let stdout = cargo_stdout(
        root,
        &[
            "run",
            "--release",
            "-q",
            "-p",
            "xtask",
            "--",
            "bench-generate",
        ],
        &[
            ("CDF_OPENAPI_SPEC", spec.as_os_str()),
            ("CDF_BENCH_OUT", out.as_os_str()),
        ],
    )?;
    let lines: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let runs: Vec<&Value> = lines.iter().filter(|l| l.get("total").is_some()).collect();
    let Some(first) = runs.first() else {
        bail!("bench-generate printed no runs:\n{stdout}");
    };
    let phases: Vec<(String, Value)> = first
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, _)| {
            let times: Vec<f64> = runs
                .iter()
                .filter_map(|r| r.get(name).and_then(Value::as_f64))
                .collect();
            (name.clone(), min_median(&times))
        })
        .collect();
    let peak = lines
        .iter()
        .find_map(|l| l.get("peak_rss_mb").cloned())
        .unwrap_or(Value::Null);
    Ok(json!({
        "runs": runs.len(),
        "phases_ms": phases.into_iter().collect::<serde_json::Map<_, _>>(),
        "peak_rss_mb": peak,
    }))
}

/// Debug builds of the generated crate alone (its dependencies stay
/// built): all features, then only [`ONE_GROUP`]; and its size.
fn compile_cost(root: &Path) -> Result<Value> {
    let crate_dir = root.join("generated/cdf-client");
    if !crate_dir.join("Cargo.toml").exists() {
        bail!("no generated crate: run `cargo xtask codegen` first");
    }
    let mut builds = serde_json::Map::new();
    for (name, args) in [
        ("all features", vec!["build", "-q", "-p", "cdf-client"]),
        (
            ONE_GROUP,
            vec![
                "build",
                "-q",
                "-p",
                "cdf-client",
                "--no-default-features",
                "--features",
                ONE_GROUP,
            ],
        ),
    ] {
        let mut clean = vec!["clean".to_string(), "-q".into()];
        for package in packages(&crate_dir)? {
            clean.extend(["-p".to_string(), package]);
        }
        let clean: Vec<&str> = clean.iter().map(String::as_str).collect();
        cargo_stdout(root, &clean, &[])?;
        let started = Instant::now();
        let (peak, together) = rustc_peak_during(|| cargo_stdout(root, &args, &[]).map(drop))?;
        builds.insert(
            name.into(),
            json!({
                "seconds": secs(started.elapsed()),
                "rustc_peak_mb": peak,
                "rustc_together_mb": together,
            }),
        );
    }
    let (mut files, mut lines, mut bytes) = size(&crate_dir.join("src"))?;
    for dir in type_crates(&crate_dir)? {
        let (f, l, b) = size(&dir.join("src"))?;
        (files, lines, bytes) = (files + f, lines + l, bytes + b);
    }
    Ok(json!({
        "clean_debug_build": builds,
        "src_files": files,
        "src_lines": lines,
        "src_mb": bytes as f64 / 1e6,
    }))
}

/// The crates of types beside the generated crate (`crates/*`), when its
/// types are split off.
fn type_crates(crate_dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    let Ok(entries) = std::fs::read_dir(crate_dir.join("crates")) else {
        return Ok(Vec::new());
    };
    let mut dirs: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    dirs.retain(|d| d.join("Cargo.toml").exists());
    dirs.sort();
    Ok(dirs)
}

/// The generated crate's package and those of its crates of types (each
/// folder `crates/<x>` is the package `cdf-client-<x>`).
pub fn packages(crate_dir: &Path) -> Result<Vec<String>> {
    let mut out = vec!["cdf-client".to_string()];
    for dir in type_crates(crate_dir)? {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        out.extend(name.map(|n| format!("cdf-client-{n}")));
    }
    Ok(out)
}

/// Runs `build` while sampling every `rustc` that compiles `cdf_client`
/// or one of its crates of types; returns, in MB, the largest peak
/// resident set (`VmHWM`) of one of them, and the most they held at once
/// (the sum of their `VmRSS` at one sample: what the machine needs when
/// cargo runs them side by side). A peak only grows, so sampling every
/// 50 ms misses at most the last 50 ms of one.
fn rustc_peak_during(build: impl FnOnce() -> Result<()>) -> Result<(f64, f64)> {
    let done = std::sync::atomic::AtomicBool::new(false);
    let (peak_kb, together_kb) = std::thread::scope(|scope| {
        let sampler = scope.spawn(|| {
            let (mut peak, mut together) = (0u64, 0u64);
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let now = rustc_memory_kb();
                peak = peak.max(now.iter().map(|(hwm, _)| *hwm).max().unwrap_or(0));
                together = together.max(now.iter().map(|(_, rss)| *rss).sum());
                std::thread::sleep(Duration::from_millis(50));
            }
            (peak, together)
        });
        let result = build();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        let peaks = sampler.join().unwrap_or((0, 0));
        result.map(|()| peaks)
    })?;
    let mb = |kb: u64| (kb as f64 / 1024.0).round();
    Ok((mb(peak_kb), mb(together_kb)))
}

/// `(VmHWM, VmRSS)` of each running `rustc` whose command line names the
/// crate `cdf_client` or `cdf_client_types…`.
fn rustc_memory_kb() -> Vec<(u64, u64)> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let field = |status: &str, name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    entries
        .flatten()
        .filter_map(|e| {
            let dir = e.path();
            let cmdline = std::fs::read(dir.join("cmdline")).ok()?;
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let is_rustc = args.first()?.ends_with(b"rustc");
            let ours = args.windows(2).any(|w| {
                w[0] == b"--crate-name"
                    && (w[1] == b"cdf_client" || w[1].starts_with(b"cdf_client_types"))
            });
            if !(is_rustc && ours) {
                return None;
            }
            let status = std::fs::read_to_string(dir.join("status")).ok()?;
            Some((field(&status, "VmHWM:")?, field(&status, "VmRSS:")?))
        })
        .collect()
}

/// The client benchmark, an example of the generated crate, run against
/// local servers; it prints one JSON object.
fn client(root: &Path) -> Result<Value> {
    let stdout = cargo_stdout(
        root,
        &[
            "run",
            "--release",
            "-q",
            "-p",
            "cdf-client",
            "--example",
            "bench_client",
        ],
        &[],
    )?;
    stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .with_context(|| format!("bench_client printed no JSON:\n{stdout}"))
}

fn cargo_stdout(root: &Path, args: &[&str], envs: &[(&str, &std::ffi::OsStr)]) -> Result<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!("$ cargo {}", args.join(" "));
    let output = Command::new(cargo)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(root)
        .output()
        .with_context(|| format!("running cargo {}", args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "cargo {} failed ({}):\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn min_median(times: &[f64]) -> Value {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    json!({ "min": sorted.first().copied().unwrap_or(0.0), "median": median })
}

fn size(dir: &Path) -> Result<(usize, usize, u64)> {
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    let (mut files, mut lines, mut bytes) = (0, 0, 0);
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)?;
                files += 1;
                lines += text.lines().count();
                bytes += text.len() as u64;
            }
        }
    }
    Ok((files, lines, bytes))
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    json!({ "cpu": cpu, "cores": cores })
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

/// The report as one Markdown table, for the terminal and the README.
fn table(report: &Value) -> String {
    let mut rows: Vec<(String, String)> = Vec::new();
    let w = &report["whole_process"];
    rows.push((
        "generation, whole process (fresh process, start to exit)".into(),
        format!(
            "{:.2} s min, {:.2} s median, peak {} MB",
            w["seconds"]["min"].as_f64().unwrap_or(0.0),
            w["seconds"]["median"].as_f64().unwrap_or(0.0),
            w["peak_rss_mb"]
        ),
    ));
    let o = &report["openapi_generator"];
    rows.push((
        "paired run: openapi-generator 7.x (rust) vs this generator".into(),
        match o.get("skipped") {
            Some(why) => format!("skipped: {}", why.as_str().unwrap_or_default()),
            None => format!(
                "{:.2} s vs {:.2} s: {:.1}x faster",
                o["openapi_generator_s"].as_f64().unwrap_or(0.0),
                o["ours_s"].as_f64().unwrap_or(0.0),
                o["ratio"].as_f64().unwrap_or(0.0)
            ),
        },
    ));
    let g = &report["generation"];
    if let Some(phases) = g["phases_ms"].as_object() {
        for (name, t) in phases {
            rows.push((
                format!("generation: {name}"),
                format!("{} ms min, {} ms median", t["min"], t["median"]),
            ));
        }
    }
    rows.push((
        "generation: peak memory".into(),
        format!("{} MB", g["peak_rss_mb"]),
    ));
    let c = &report["compile"];
    if let Some(builds) = c["clean_debug_build"].as_object() {
        for (name, b) in builds {
            rows.push((
                format!("compile cdf-client, debug, {name}"),
                format!(
                    "{:.1} s, rustc peak {} MB ({} MB at once)",
                    b["seconds"].as_f64().unwrap_or(0.0),
                    b["rustc_peak_mb"],
                    b["rustc_together_mb"]
                ),
            ));
        }
    }
    rows.push((
        "generated source".into(),
        format!(
            "{} files, {} lines, {:.1} MB",
            c["src_files"],
            c["src_lines"],
            c["src_mb"].as_f64().unwrap_or(0.0)
        ),
    ));
    if let Some(client) = report["client"].as_object() {
        for (name, v) in client {
            rows.push((
                format!("client: {name}"),
                v.to_string().trim_matches('"').to_string(),
            ));
        }
    }
    let mut out = String::from("| measure | value |\n|---|---|\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out
}

/// The datapoints benchmark as a Markdown table: one row per workload and
/// reader, then the decode rate.
pub fn datapoints_table(report: &Value) -> String {
    let mut out = format!(
        "datapoints: {} ms latency per request, {} requests at once\n\n\
         | series x points | reader | points/s | seconds | peak MB | vs SDK |\n\
         |---|---|---|---|---|---|\n",
        report["latency_ms"], report["concurrency"]
    );
    for case in report["cases"].as_array().into_iter().flatten() {
        let shape = format!("{} x {}", case["series"], case["points_per_series"]);
        let sdk_rate = case["python_sdk"]["points_per_s"].as_f64();
        for (reader, key) in [
            ("this crate, protobuf", "ours_protobuf"),
            ("this crate, JSON", "ours_json"),
            ("Python SDK (protobuf)", "python_sdk"),
        ] {
            let v = &case[key];
            if let Some(why) = v.get("skipped") {
                out.push_str(&format!("| {shape} | {reader} | skipped: {why} | | | |\n"));
                continue;
            }
            let rate = v["points_per_s"].as_f64().unwrap_or(0.0);
            let ratio = sdk_rate.map_or("-".into(), |s| format!("{:.1}x", rate / s));
            out.push_str(&format!(
                "| {shape} | {reader} | {:.2} M | {:.2} | {} | {ratio} |\n",
                rate / 1e6,
                v["seconds"].as_f64().unwrap_or(0.0),
                v["peak_rss_mb"],
            ));
        }
    }
    let d = &report["decode"];
    out.push_str(&format!(
        "\nprotobuf decode alone: {:.1} M points/s, {} MB/s; one pass over the same bytes: {} MB/s\n",
        d["points_per_s"].as_f64().unwrap_or(0.0) / 1e6,
        d["decode_mb_per_s"],
        d["byte_scan_mb_per_s"]
    ));
    out
}
