//! The datapoints part of `cargo xtask bench`: this crate's reader against
//! Cognite's Python SDK, on the same data from the same local server, with
//! the same concurrency and a latency per request (CDF is not local).
//!
//! The server runs in this process; each reader runs as its own child
//! process (ours: `xtask datapoints-client`, a release build; the SDK: the
//! Python driver in `xtask/bench/`), so the peak memory reported is the
//! reader's alone. Measures only; `templates/tests/runtime/datapoints.rs`
//! asserts the behaviour.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cdf_client_runtime::client::Client;
use cdf_client_runtime::datapoints::{
    decode_protobuf, encode, DatapointsFormat, DatapointsQuery, NumericPoint, Points, SeriesId,
    SeriesPage, SeriesPoints,
};
use cdf_client_runtime::test_server::{peak_rss_mb, Answer, Seen, TestServer};
use futures::StreamExt;
use serde_json::{json, Value};

/// The SDK release measured against (pinned, so runs compare).
const SDK: &str = "cognite-sdk==7.94.2";
/// Points are 1 s apart, as from a 1 Hz sensor.
const STEP_MS: i64 = 1000;
/// Added to every answer.
const LATENCY: Duration = Duration::from_millis(50);
/// Requests in flight, for both readers (the SDK's default `max_workers`).
const WORKERS: usize = 5;
/// Where the API sits under the server (the project is `bench`).
const PROJECT_PATH: &str = "/api/v1/projects/bench";

/// One workload: `series` series of `points` points each.
struct Case {
    series: i64,
    points: i64,
}

const CASES: [Case; 2] = [
    Case {
        series: 100,
        points: 50_000,
    },
    Case {
        series: 5,
        points: 1_000_000,
    },
];

pub fn run(root: &Path) -> Result<Value> {
    let binary = crate::corpus::release_binary(root)?;
    let python = sdk_python(root);
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let mut cases = Vec::new();
    for case in &CASES {
        let server = tokio.block_on(serve(case.points))?;
        let base = format!("{}{PROJECT_PATH}", server.url());
        let end = case.points * STEP_MS;
        let ours = |format: &str| -> Result<Value> {
            let mut child = Command::new(&binary);
            child.args(["datapoints-client", &base, &case.series.to_string()]);
            child.args([&end.to_string(), &WORKERS.to_string(), format]);
            reader_line(child)
        };
        let protobuf = ours("protobuf")?;
        let json_run = ours("json")?;
        let sdk = match &python {
            Ok(python) => {
                let mut child = Command::new(python);
                child.arg(root.join("xtask/bench/datapoints_sdk.py"));
                child.args(["--base-url", &server.url(), "--project", "bench"]);
                child.args(["--series", &case.series.to_string(), "--start", "0"]);
                child.args(["--end", &end.to_string(), "--workers", &WORKERS.to_string()]);
                reader_line(child).unwrap_or_else(|e| json!({ "skipped": format!("{e:#}") }))
            }
            Err(why) => json!({ "skipped": why }),
        };
        let rate = |v: &Value| v["points"].as_f64().unwrap_or(0.0) / seconds(v);
        let ratio = sdk.get("seconds").map(|_| rate(&protobuf) / rate(&sdk));
        cases.push(json!({
            "series": case.series,
            "points_per_series": case.points,
            "ours_protobuf": protobuf,
            "ours_json": json_run,
            "python_sdk": sdk,
            "ratio_protobuf_vs_sdk": ratio,
        }));
    }
    Ok(json!({
        "latency_ms": LATENCY.as_millis() as u64,
        "concurrency": WORKERS,
        "cases": cases,
        "decode": decode_rate(),
    }))
}

fn seconds(v: &Value) -> f64 {
    v["seconds"].as_f64().unwrap_or(f64::INFINITY)
}

/// Runs a reader and takes the JSON object it prints last.
fn reader_line(mut child: Command) -> Result<Value> {
    let output = child.output().context("starting a datapoints reader")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!(
            "reader failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let line: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .with_context(|| format!("the reader printed no JSON: {stdout}"))?;
    let rate = line["points"].as_f64().unwrap_or(0.0) / seconds(&line);
    let mut line = line;
    line["points_per_s"] = json!((rate / 1e3).round() * 1e3);
    Ok(line)
}

/// The Python with the SDK, installed into `target/bench/sdk-venv` on
/// first use; `Err` says why there is none.
fn sdk_python(root: &Path) -> Result<std::path::PathBuf, String> {
    let venv = root.join("target/bench/sdk-venv");
    let python = venv.join("bin/python");
    let ready = |p: &Path| {
        Command::new(p)
            .args(["-c", "import cognite.client, numpy"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&python) {
        return Ok(python);
    }
    if crate::bench::pip_venv(&venv, &[SDK, "numpy", "protobuf"]) && ready(&python) {
        Ok(python)
    } else {
        Err(format!("{SDK} could not be installed from PyPI"))
    }
}

/// A server with series 1.. of `points` points each, `STEP_MS` apart from
/// 0, value `id * 1e6 + index`. It answers each item of a request in
/// order (an id may come twice, with other ranges), within its `start`,
/// `end`, `limit` and `cursor` (the next timestamp), in protobuf when
/// asked, else JSON; after `LATENCY`.
async fn serve(points: i64) -> Result<TestServer> {
    let server = TestServer::start(move |request: &Seen| answer(request, points)).await?;
    Ok(server)
}

fn answer(request: &Seen, points: i64) -> Answer {
    let refuse = |message: String| {
        Answer::json(400, &json!({"error": {"code": 400, "message": message}})).delayed(LATENCY)
    };
    let body: Value = match serde_json::from_slice(&request.body) {
        Ok(body) => body,
        Err(e) => return refuse(format!("body: {e}")),
    };
    let items = body["items"].as_array().cloned().unwrap_or_default();
    let limits: i64 = items
        .iter()
        .map(|i| i["limit"].as_i64().unwrap_or(100))
        .sum();
    if items.len() > 100 || limits > 100_000 {
        return refuse(format!(
            "{} items, {limits} points: over the limits",
            items.len()
        ));
    }
    let pages: Vec<SeriesPage> = items.iter().map(|item| page(item, points)).collect();
    encode::answer(request, &pages).delayed(LATENCY)
}

/// The answer to one item: the points in its range after its cursor.
fn page(item: &Value, points: i64) -> SeriesPage {
    let id = item["id"].as_i64().unwrap_or(0);
    let start = item["start"].as_i64().unwrap_or(0).max(0);
    let end = item["end"].as_i64().unwrap_or(i64::MAX);
    let cursor = item["cursor"].as_str().and_then(|c| c.parse::<i64>().ok());
    let from = cursor.unwrap_or(start).max(start);
    let first = steps_up_to(from);
    let stop = steps_up_to(end).min(points);
    let limit = item["limit"].as_i64().unwrap_or(100);
    let last = stop.min(first + limit).max(first);
    let list = (first..last)
        .map(|k| NumericPoint::new(k * STEP_MS, id as f64 * 1e6 + k as f64))
        .collect();
    SeriesPage {
        points: SeriesPoints {
            series: SeriesId::Id(id),
            id,
            external_id: None,
            is_string: false,
            is_step: false,
            unit: None,
            unit_external_id: None,
            points: Points::Numeric(list),
        },
        next_cursor: (last < stop).then(|| (last * STEP_MS).to_string()),
        instance_id: None,
    }
}

/// How many points lie before `t` (which is not negative).
fn steps_up_to(t: i64) -> i64 {
    t / STEP_MS + i64::from(t % STEP_MS != 0)
}

/// The child side (`xtask datapoints-client BASE SERIES END WORKERS
/// FORMAT`): reads series 1..=SERIES over `0..END` with this crate's
/// reader, checks every series' timestamps rise, and prints one JSON line.
pub fn client(base: &str, series: i64, end: i64, workers: usize, format: &str) -> Result<()> {
    let format = match format {
        "json" => DatapointsFormat::Json,
        _ => DatapointsFormat::Protobuf,
    };
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let client = Client::builder()
        .base_url(base)
        .max_concurrency(workers)
        .build()?;
    let query = DatapointsQuery::raw(1..=series, 0, end).format(format);
    let started = Instant::now();
    let points = tokio.block_on(async {
        let mut last = vec![i64::MIN; series as usize + 1];
        let mut points = 0usize;
        let mut pages = client.datapoints_at("/timeseries/data/list", query);
        while let Some(page) = pages.next().await {
            let page = page?;
            let Points::Numeric(list) = &page.points else {
                bail!("series {} is not numeric", page.id);
            };
            let seen = &mut last[page.id as usize];
            for p in list {
                if p.timestamp <= *seen {
                    bail!("series {}: {} after {}", page.id, p.timestamp, seen);
                }
                *seen = p.timestamp;
            }
            points += list.len();
        }
        Ok(points)
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let format = match format {
        DatapointsFormat::Json => "json",
        DatapointsFormat::Protobuf => "protobuf",
    };
    println!(
        "{}",
        json!({
            "points": points,
            "series": series,
            "seconds": (seconds * 1e6).round() / 1e6,
            "peak_rss_mb": (peak_rss_mb() * 10.0).round() / 10.0,
            "format": format,
        })
    );
    Ok(())
}

/// How fast one full answer (100 series of 1000 points, protobuf) decodes,
/// against the machine's floor for the same bytes: one pass that reads
/// every byte.
fn decode_rate() -> Value {
    let pages: Vec<SeriesPage> = (1..=100)
        .map(|id| page(&json!({"id": id, "limit": 1000}), 1000))
        .collect();
    let bytes = Arc::new(encode::protobuf(&pages));
    let rounds = 200;
    let started = Instant::now();
    let mut decoded = 0usize;
    for _ in 0..rounds {
        let pages = decode_protobuf(&bytes, &[]).unwrap_or_default();
        decoded += pages.iter().map(|p| p.points.points.len()).sum::<usize>();
    }
    let decode_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut sum = 0u64;
    for _ in 0..rounds {
        sum = bytes.iter().fold(sum, |s, b| s.wrapping_add(u64::from(*b)));
    }
    std::hint::black_box(sum);
    let scan_s = started.elapsed().as_secs_f64();
    let mb = (bytes.len() * rounds) as f64 / 1e6;
    json!({
        "answer_bytes": bytes.len(),
        "points_per_s": (decoded as f64 / decode_s / 1e3).round() * 1e3,
        "decode_mb_per_s": (mb / decode_s).round(),
        "byte_scan_mb_per_s": (mb / scan_s).round(),
    })
}
