//! Contract runs: the generated client against Stoplight Prism serving the
//! real spec on 127.0.0.1, which rejects requests that break the spec and
//! answers with data of its own. Prism is installed from the lockfile in
//! `tools/prism` and started and stopped here, once per mode; its log
//! explains each verdict (see `runtime::testing::with_server_view`).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// One sweep over every operation: how Prism answers.
struct Mode {
    name: &'static str,
    args: &'static [&'static str],
    /// json-schema-faker options for dynamic answers, given to Prism the
    /// way it reads them: an `x-json-schema-faker` key on the document.
    faker: &'static str,
    /// Where the answers that break the spec are listed: with static
    /// answers, each is the spec's own example contradicting its schema.
    findings: Option<&'static str>,
}

/// Arrays in dynamic answers hold two items: Prism otherwise fills every
/// array to its `maxItems`, and one list of subscriptions, each with a
/// filter of 100 nested filters, took 200 s and 38 MB. The second seed
/// leaves half the optional fields out, so `Option`s are tried both ways;
/// the third mode answers with the spec's own examples.
const MODES: &[Mode] = &[
    Mode {
        name: "dynamic, seed 1, every optional field",
        args: &["--dynamic", "--seed", "1"],
        faker: r#"{"maxItems": 2, "fillProperties": false}"#,
        findings: None,
    },
    Mode {
        name: "dynamic, seed 2, optional fields at random",
        args: &["--dynamic", "--seed", "2"],
        faker: r#"{"maxItems": 2, "fillProperties": false, "alwaysFakeOptionals": false, "fixedProbabilities": false, "optionalsProbability": 0.5}"#,
        findings: None,
    },
    Mode {
        name: "static examples",
        args: &[],
        faker: "{}",
        findings: Some("findings-static-examples.txt"),
    },
];

/// Share of the operations Prism served that must pass, in every sweep:
/// the issue's bar. Measured on 2026-11-25 (2 cores): 95.8%, 95.8% and
/// 96.2% in the three sweeps; the failures left are requests the spec
/// itself rejects (predicted, listed in the README) and two answers Prism
/// calls valid that the client does not decode.
const MIN_PASS: &str = "0.95";

/// Kills Prism when dropped, also when a run fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the contract test once per mode; returns each mode's summary line.
pub fn run(
    root: &Path,
    spec: &Path,
    passed: &mut usize,
    failed: &mut usize,
) -> Result<Vec<String>> {
    let prism_dir = root.join("tools/prism");
    npm_ci(&prism_dir)?;
    let out_dir = root.join("target/contract");
    std::fs::create_dir_all(&out_dir)?;
    let text = cdf_codegen::load::read_spec(spec)?;
    let doc: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    let mut summaries = Vec::new();
    for (i, mode) in MODES.iter().enumerate() {
        let served = out_dir.join(format!("spec-{i}.json"));
        match &doc {
            Some(doc) => write_with_faker_options(doc, mode.faker, &served)?,
            None => std::fs::write(&served, &text)?,
        }
        let port = free_port()?;
        let log = out_dir.join(format!("prism-{i}.log"));
        let server = start(&prism_dir, &served, port, mode.args, &log)?;
        wait_until_listening(port, Duration::from_secs(90), &log)?;
        let report = out_dir.join(format!("contract-{i}.txt"));
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "-q",
                "-p",
                "cdf-client",
                "--test",
                "contract",
                "--",
                "--ignored",
            ])
            .current_dir(root)
            .env("CDF_CONTRACT_URL", format!("http://127.0.0.1:{port}"))
            .env("CDF_CONTRACT_MODE", mode.name)
            .env("CDF_CONTRACT_REPORT", &report)
            .env("CDF_CONTRACT_MIN_PASS", MIN_PASS)
            .env("CDF_CONTRACT_SERVER_LOG", &log)
            .status()
            .context("running the contract test")?;
        drop(server);
        let violations = out_dir.join(format!("violations-{i}.txt"));
        summarise_violations(&log, &violations)?;
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        if let Some(name) = mode.findings {
            let found: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with("skipped") && l.contains("answer breaks the spec"))
                .collect();
            std::fs::write(out_dir.join(name), found.join("\n") + "\n")?;
        }
        summaries.push(
            text.lines()
                .last()
                .unwrap_or("contract: no summary written")
                .to_string(),
        );
        if status.success() {
            *passed += 1;
        } else {
            *failed += 1;
            println!(
                "contract ({}) failed: details in {}, {} and {}",
                mode.name,
                report.display(),
                violations.display(),
                log.display()
            );
        }
    }
    Ok(summaries)
}

/// The spec as Prism should serve it in one mode: the document unchanged
/// but for the faker options. (A document that is not JSON is served as is.)
fn write_with_faker_options(doc: &serde_json::Value, faker: &str, out: &Path) -> Result<()> {
    let mut doc = doc.clone();
    let options: serde_json::Value = serde_json::from_str(faker).context("faker options")?;
    if let Some(map) = doc.as_object_mut() {
        map.insert("x-json-schema-faker".into(), options);
    }
    std::fs::write(out, serde_json::to_vec(&doc)?)?;
    Ok(())
}

/// Every request Prism found invalid, with the rules it broke, from its log
/// (read as the contract test reads it): the explanation behind each
/// "request rejected" in the report.
fn summarise_violations(log: &Path, out: &Path) -> Result<()> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<String> = cdf_client_runtime::testing::read_server_log(&text)
        .iter()
        .flat_map(|l| {
            l.request
                .iter()
                .map(move |rule| format!("{} {}: {rule}", l.method, l.path))
        })
        .collect();
    std::fs::write(out, lines.join("\n") + "\n")?;
    Ok(())
}

fn npm_ci(dir: &Path) -> Result<()> {
    println!("$ npm ci (tools/prism)");
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(dir)
        .status()
        .context("running npm ci in tools/prism (is Node.js installed?)")?;
    if !status.success() {
        bail!("npm ci in {} failed ({status})", dir.display());
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn start(dir: &Path, spec: &Path, port: u16, args: &[&str], log: &PathBuf) -> Result<Server> {
    let file = std::fs::File::create(log)?;
    let child = Command::new(dir.join("node_modules/.bin/prism"))
        .arg("mock")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .arg(spec)
        .stdout(Stdio::from(file.try_clone()?))
        .stderr(Stdio::from(file))
        .spawn()
        .context("starting prism")?;
    Ok(Server(child))
}

fn wait_until_listening(port: u16, limit: Duration, log: &Path) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    bail!(
        "prism did not listen on {addr} within {limit:?}; see {}",
        log.display()
    )
}
