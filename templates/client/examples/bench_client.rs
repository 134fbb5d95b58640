//! The client's speed against local servers, for `cargo xtask bench`
//! (run it in release: `cargo run --release --example bench_client`).
//! Prints one JSON object as its last line:
//! - decoding a 1000-sequence list page, typed and as `serde_json::Value`;
//! - decoding 1000 groups of 10 capabilities each: a union of 26 variants
//!   that only the keys tell apart, the heaviest union work in the API;
//!   once with ten different ACLs, once with ten of the first variant's
//!   (which even a decoder that takes the first variant reads right);
//! - the cost of one call (request built, sent, answered, decoded);
//! - a cursor stream over 100 000 sequences (and 10 000, to show memory
//!   does not grow with the item count);
//! - 10 partitions against a server that takes 20 ms per page, against the
//!   same pages fetched one partition after another;
//! - a 10 000-sequence bulk create against a server that takes 20 ms per
//!   request: chunks one after another, and at the default concurrency.

use std::time::{Duration, Instant};

use cdf_client::runtime::test_server::{peak_rss_mb, Answer, Seen, TestServer};
use cdf_client::types::*;
use cdf_client::{BulkOptions, Client};
use futures::TryStreamExt;
use serde_json::{json, Value};

const PAGE: usize = 1000;
const LATENCY: Duration = Duration::from_millis(20);

fn sequence(id: usize) -> Value {
    json!({
        "id": id, "externalId": format!("seq-{id}"), "name": format!("sequence {id}"),
        "description": "pump pressure by stage", "assetId": 7, "dataSetId": 11,
        "metadata": {"site": "north", "unit": "bar"},
        "columns": [
            {"externalId": "stage", "name": "stage", "valueType": "LONG", "createdTime": 0, "lastUpdatedTime": 0},
            {"externalId": "pressure", "name": "pressure", "valueType": "DOUBLE", "createdTime": 0, "lastUpdatedTime": 0}
        ],
        "createdTime": 1_700_000_000_000_i64, "lastUpdatedTime": 1_700_000_000_000_i64
    })
}

/// A group whose ten capabilities are all the union's first variant.
fn first_variant_group(id: usize) -> Value {
    let acl = json!({"groupsAcl": {"actions": ["LIST", "READ"], "scope": {"all": {}}}});
    json!({
        "id": id, "name": format!("group {id}"), "sourceId": "b7c9a3f2", "isDeleted": false,
        "capabilities": vec![acl; 10]
    })
}

/// A group as CDF returns it, with ACLs from the start, middle and end of
/// the capability union, and two the spec's union does not declare
/// (`dataModelInstancesAcl`, `extractionPipelinesAcl`).
fn group(id: usize) -> Value {
    let all = json!({"all": {}});
    let acl = |name: &str, actions: &[&str], scope: &Value| json!({ name: {"actions": actions, "scope": scope} });
    json!({
        "id": id, "name": format!("group {id}"), "sourceId": "b7c9a3f2", "isDeleted": false,
        "capabilities": [
            acl("groupsAcl", &["LIST", "READ"], &json!({"currentuserscope": {}})),
            acl("assetsAcl", &["READ", "WRITE"], &json!({"datasetScope": {"ids": [1, 2, 3]}})),
            acl("eventsAcl", &["READ"], &all),
            acl("filesAcl", &["READ", "WRITE"], &all),
            acl("timeSeriesAcl", &["READ"], &json!({"idscope": {"ids": [10, 11]}})),
            acl("sequencesAcl", &["READ", "WRITE"], &all),
            acl("dataModelInstancesAcl", &["READ"], &json!({"spaceIdScope": {"spaceIds": ["north"]}})),
            acl("datasetsAcl", &["READ", "OWNER"], &all),
            acl("extractionPipelinesAcl", &["READ"], &all),
            acl("functionsAcl", &["READ", "WRITE"], &all),
        ]
    })
}

fn page_bytes(first: usize, count: usize, next: Option<String>) -> Vec<u8> {
    let items: Vec<Value> = (first..first + count).map(sequence).collect();
    serde_json::to_vec(&json!({"items": items, "nextCursor": next})).unwrap_or_default()
}

/// Pages of `PAGE` items up to `total`, per partition, cursor = next offset.
/// A full page's items are encoded once and every full page repeats them
/// with its own cursor: serving a page is then a copy, so the server's own
/// work stays out of the client's numbers, and the server holds one page,
/// so the stream's memory is the client's.
struct Pages {
    total: usize,
    delay: Duration,
    full: Vec<u8>,
}

impl Pages {
    fn new(total: usize, delay: Duration) -> Pages {
        let items: Vec<Value> = (0..PAGE).map(sequence).collect();
        Pages { total, delay, full: serde_json::to_vec(&items).unwrap_or_default() }
    }

    /// The page a request asks for (its body's `cursor` is the offset).
    fn answer(&self, request_body: &[u8]) -> Vec<u8> {
        let body: Value = serde_json::from_slice(request_body).unwrap_or_default();
        let offset: usize = body["cursor"].as_str().and_then(|c| c.parse().ok()).unwrap_or(0);
        let count = PAGE.min(self.total.saturating_sub(offset));
        let next = (offset + count < self.total).then(|| (offset + count).to_string());
        if count < PAGE {
            return page_bytes(offset, count, next);
        }
        let mut page = b"{\"items\":".to_vec();
        page.extend_from_slice(&self.full);
        page.extend_from_slice(format!(",\"nextCursor\":{}}}", json!(next)).as_bytes());
        page
    }
}

fn client_at(url: &str) -> Client {
    Client::builder()
        .base_url(format!("{url}/api/v1/projects/bench"))
        .bearer_token("bench")
        .build()
        .expect("client builds")
}

fn json_answer(body: Vec<u8>, delay: Duration) -> Answer {
    Answer {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body,
        delay,
        fault: None,
    }
}

/// A create endpoint answering with as many sequences as it was sent; the
/// answer to a full chunk is built once, so the server's own work stays
/// out of the client's numbers.
fn create_endpoint() -> impl Fn(&Seen) -> Answer {
    let answer = |count: usize| {
        let items: Vec<Value> = (0..count).map(sequence).collect();
        serde_json::to_vec(&json!({ "items": items })).unwrap_or_default()
    };
    let full = answer(PAGE);
    move |seen| {
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        let count = body["items"].as_array().map_or(0, Vec::len);
        let bytes = if count == PAGE { full.clone() } else { answer(count) };
        json_answer(bytes, LATENCY)
    }
}

/// Serves `pages` from the counting server, which does less per request
/// than wiremock, so the client's own cost is what shows.
async fn page_server(pages: Pages) -> TestServer {
    TestServer::start(move |seen: &Seen| json_answer(pages.answer(&seen.body), pages.delay))
        .await
        .expect("server starts")
}

fn new_sequences(n: usize) -> DataPostSequence {
    let column = PostSequenceColumnDto::new("pressure").value_type(SequenceValueTypeEnum::Double);
    DataPostSequence::new(
        (0..n)
            .map(|i| PostSequenceDto::new(vec![column.clone()]).external_id(format!("seq-{i}")))
            .collect(),
    )
}

/// Seconds for a 10 000-item bulk create at `concurrency` chunks at a time.
async fn bulk_create(client: &Client, concurrency: usize) -> f64 {
    let options = BulkOptions::default().concurrency(concurrency);
    let started = Instant::now();
    let created = client
        .sequences()
        .create_sequence_bulk(new_sequences(10_000), &options)
        .await
        .expect("bulk create succeeds");
    assert_eq!(created.len(), 10_000, "every item answered");
    started.elapsed().as_secs_f64()
}

/// MB/s decoding the same page `runs` times with `decode`.
fn throughput(bytes: &[u8], runs: usize, decode: impl Fn(&[u8]) -> bool) -> f64 {
    let started = Instant::now();
    let ok = (0..runs).filter(|_| decode(bytes)).count();
    assert_eq!(ok, runs, "every decode succeeds");
    (bytes.len() * runs) as f64 / started.elapsed().as_secs_f64() / 1e6
}

async fn stream_all(client: &Client, limit: i32) -> usize {
    let body = SequencesAdvancedListDto::new().limit(limit);
    let mut stream = std::pin::pin!(client.sequences().advanced_list_sequences_stream(body));
    let mut n = 0;
    while let Some(item) = stream.try_next().await.expect("pages decode") {
        std::hint::black_box(&item);
        n += 1;
    }
    n
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // First, so that the process's peak memory is the stream's own (one
    // page at a time), not the decode benchmarks' buffers below.
    let mut stream_rows = Vec::new();
    for total in [10_000, 100_000] {
        let s = page_server(Pages::new(total, Duration::ZERO)).await;
        let started = Instant::now();
        let n = stream_all(&client_at(&s.url()), PAGE as i32).await;
        assert_eq!(n, total, "every item exactly once");
        let rate = n as f64 / started.elapsed().as_secs_f64();
        stream_rows.push(json!({"items": n, "items_per_s": rate.round(), "peak_rss_mb": round(peak_rss_mb())}));
    }

    let bytes = page_bytes(0, PAGE, Some("1000".into()));
    let typed = throughput(&bytes, 200, |b| {
        serde_json::from_slice::<SequenceWithCursorResponse>(b).is_ok()
    });
    let untyped = throughput(&bytes, 200, |b| serde_json::from_slice::<Value>(b).is_ok());
    let groups = json!({"items": (0..PAGE).map(group).collect::<Vec<_>>()});
    let group_bytes = serde_json::to_vec(&groups).expect("groups encode");
    let decoded: DataGroup = serde_json::from_slice(&group_bytes).expect("groups decode");
    let faithful = serde_json::to_value(&decoded).expect("groups encode") == groups;
    let unions = throughput(&group_bytes, 50, |b| serde_json::from_slice::<DataGroup>(b).is_ok());
    let first = json!({"items": (0..PAGE).map(first_variant_group).collect::<Vec<_>>()});
    let first_bytes = serde_json::to_vec(&first).expect("groups encode");
    let first_unions = throughput(&first_bytes, 50, |b| serde_json::from_slice::<DataGroup>(b).is_ok());

    let small = page_server(Pages::new(1, Duration::ZERO)).await;
    let c = client_at(&small.url());
    let body = SequencesAdvancedListDto::new().limit(1);
    let calls = 2000;
    let started = Instant::now();
    for _ in 0..calls {
        c.sequences().advanced_list_sequences(&body).await.expect("call succeeds");
    }
    let per_call_us = started.elapsed().as_secs_f64() * 1e6 / calls as f64;

    let slow = page_server(Pages::new(5 * PAGE, LATENCY)).await;
    let c = client_at(&slow.url());
    let body = SequencesAdvancedListDto::new().limit(PAGE as i32);
    let started = Instant::now();
    let mut sequential = 0;
    for k in 1..=10 {
        let mut b = body.clone();
        b.partition = Some(format!("{k}/10"));
        sequential += c.sequences().advanced_list_sequences_stream(b).try_collect::<Vec<_>>().await.expect("pages").len();
    }
    let sequential_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let parallel: Vec<GetSequenceDto> = c
        .sequences()
        .advanced_list_sequences_partitioned(body, 10)
        .try_collect()
        .await
        .expect("pages");
    let parallel_s = started.elapsed().as_secs_f64();
    assert_eq!(parallel.len(), sequential, "the same items either way");

    let bulk_server = TestServer::start(create_endpoint()).await.expect("server starts");
    let c = client_at(&bulk_server.url());
    let one_at_a_time_s = bulk_create(&c, 1).await;
    let concurrent_s = bulk_create(&c, c.max_concurrency()).await;

    println!(
        "{}",
        json!({
            "decode 1000-sequence page, typed (MB/s)": round(typed),
            "decode same page as serde_json::Value (MB/s)": round(untyped),
            "decode 1000 groups x 10 capabilities, typed (MB/s)": round(unions),
            "decode 1000 groups x 10 capabilities of the first variant, typed (MB/s)": round(first_unions),
            "groups re-encode to the same JSON": faithful,
            "one call, built + sent + decoded (us)": round(per_call_us),
            "cursor stream": stream_rows,
            "10 partitions x 5 pages at 20 ms/page": format!(
                "{:.2} s sequential, {:.2} s partitioned: {:.1}x",
                sequential_s, parallel_s, sequential_s / parallel_s
            ),
            "bulk create 10 000 sequences at 20 ms/request": format!(
                "{:.2} s one chunk at a time, {:.2} s at the default concurrency ({}): {:.1}x",
                one_at_a_time_s, concurrent_s, c.max_concurrency(), one_at_a_time_s / concurrent_s
            ),
        })
    );
}
