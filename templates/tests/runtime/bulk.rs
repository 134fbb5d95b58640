//! Bulk calls against a local server that enforces an item limit and counts
//! the requests it holds at once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdf_client_runtime::bulk::{self, BulkOptions, Limits, Outcome};
use cdf_client_runtime::client::Client;
use cdf_client_runtime::error::Error;
use cdf_client_runtime::request::{Method, Request};
use cdf_client_runtime::test_server::{Answer, Seen, TestServer};
use futures::StreamExt;
use serde_json::{Value, json};

use super::common::{PROJECT_PATH, fast_retry, within};

const LIMITS: Limits = Limits {
    max_items: 1000,
    totals: &[],
};

/// Each item is written at most once per key, like CDF's externalIds:
/// a second write of a key is a 409 `duplicated`.
#[derive(Default)]
struct Store {
    written: BTreeMap<u64, usize>,
}

fn client(server: &TestServer, max_concurrency: usize) -> Client {
    Client::builder()
        .base_url(format!("{}{PROJECT_PATH}", server.url()))
        .retry(fast_retry(12))
        .timeout(Duration::from_secs(10))
        .max_concurrency(max_concurrency)
        .build()
        .expect("client builds")
}

fn ids(seen: &Seen) -> Option<Vec<u64>> {
    let body: Value = serde_json::from_slice(&seen.body).ok()?;
    body["items"]
        .as_array()?
        .iter()
        .map(|i| i["externalId"].as_u64())
        .collect()
}

/// Answers like a create endpoint with `maxItems` 1000, after `delay`.
fn create_endpoint(store: Arc<Mutex<Store>>, delay: Duration) -> impl Fn(&Seen) -> Answer {
    move |seen| {
        let Some(ids) = ids(seen) else {
            return Answer::json(400, &json!({"error": {"code": 400, "message": "not JSON"}}));
        };
        if ids.is_empty() || ids.len() > 1000 {
            let message = format!("items must hold 1 to 1000, not {}", ids.len());
            return Answer::json(400, &json!({"error": {"code": 400, "message": message}}));
        }
        let mut store = store.lock().unwrap();
        let duplicated: Vec<Value> = ids
            .iter()
            .filter(|id| store.written.contains_key(id))
            .map(|id| json!({"externalId": id}))
            .collect();
        if !duplicated.is_empty() {
            let error =
                json!({"error": {"code": 409, "message": "duplicated", "duplicated": duplicated}});
            return Answer::json(409, &error);
        }
        for id in &ids {
            *store.written.entry(*id).or_default() += 1;
        }
        let items: Vec<Value> = ids
            .iter()
            .map(|id| json!({"externalId": id, "id": id + 1_000_000}))
            .collect();
        Answer::json(200, &json!({ "items": items })).delayed(delay)
    }
}

fn items(n: u64) -> Vec<Value> {
    (0..n).map(|i| json!({ "externalId": i })).collect()
}

/// One chunk as a generated `*_bulk` method sends it.
async fn create(client: &Client, chunk: &[Value]) -> Result<Value, Error> {
    let request = Request::new(Method::POST, "/things", "/things".into())
        .idempotent(false)
        .json(&json!({ "items": chunk }))?;
    client.execute(request).await?.json()
}

async fn run(
    client: &Client,
    input: Vec<Value>,
    options: &BulkOptions,
) -> Result<Vec<Value>, bulk::BulkError<Value, Value>> {
    bulk::run(client, input, &LIMITS, options, |chunk| {
        let chunk = chunk.to_vec();
        let client = client.clone();
        async move { create(&client, &chunk).await }
    })
    .await
}

fn answered_ids(answers: &[Value]) -> Vec<u64> {
    answers
        .iter()
        .flat_map(|a| a["items"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["externalId"].as_u64())
        .collect()
}

#[tokio::test]
async fn ten_thousand_and_one_items_go_in_eleven_chunks_within_the_limits() {
    within(async {
        let store = Arc::new(Mutex::new(Store::default()));
        let server = TestServer::start(create_endpoint(store.clone(), Duration::from_millis(30)))
            .await
            .unwrap();
        let client = client(&server, 4);
        let answers = run(&client, items(10_001), &BulkOptions::default())
            .await
            .unwrap();
        assert_eq!(answers.len(), 11);
        assert_eq!(
            answered_ids(&answers),
            (0..10_001).collect::<Vec<_>>(),
            "input order"
        );
        assert_eq!(server.requests(), 11, "no 400 retried, no chunk sent twice");
        let store = store.lock().unwrap();
        assert_eq!(store.written.len(), 10_001);
        assert!(store.written.values().all(|n| *n == 1));
        let peak = server.peak_in_flight();
        assert!((2..=4).contains(&peak), "peak in flight {peak}, limit 4");
    })
    .await;
}

#[tokio::test]
async fn bulk_calls_streams_and_single_calls_share_one_limit() {
    within(async {
        let store = Arc::new(Mutex::new(Store::default()));
        let writes = create_endpoint(store.clone(), Duration::from_millis(20));
        let server = TestServer::start(move |seen: &Seen| {
            if seen.target.contains("/list") {
                let page = json!({"items": [1, 2], "nextCursor": null});
                Answer::json(200, &page).delayed(Duration::from_millis(20))
            } else {
                writes(seen)
            }
        })
        .await
        .unwrap();
        let client = client(&server, 3);
        let mut a = items(6_000);
        let b = a.split_off(3_000);
        let options = BulkOptions::default();
        let wide = options.clone().concurrency(8);
        let list = |partition: String, _cursor: Option<String>| {
            let client = client.clone();
            async move {
                let request = Request::new(Method::GET, "/list", "/list".into())
                    .query("partition", partition);
                let page: Value = client.execute(request).await?.json()?;
                let items: Vec<Value> = page["items"].as_array().cloned().unwrap_or_default();
                Ok(cdf_client_runtime::pagination::Page {
                    items,
                    next_cursor: None,
                })
            }
        };
        let streamed =
            cdf_client_runtime::pagination::partitioned_stream(10, list).collect::<Vec<_>>();
        let (ra, rb, streamed) =
            tokio::join!(run(&client, a, &options), run(&client, b, &wide), streamed);
        assert_eq!(
            answered_ids(&ra.unwrap()).len() + answered_ids(&rb.unwrap()).len(),
            6_000
        );
        assert_eq!(streamed.len(), 20);
        let peak = server.peak_in_flight();
        assert!(peak <= 3, "peak in flight {peak}, client limit 3");
    })
    .await;
}

/// Chunk 2 (items 1000..2000) meets a 409 with `duplicated`; chunk 4
/// (3000..4000) a 500, which a write does not retry.
fn failing_endpoint(store: Arc<Mutex<Store>>) -> impl Fn(&Seen) -> Answer {
    let create = create_endpoint(store.clone(), Duration::from_millis(5));
    move |seen| match ids(seen).and_then(|ids| ids.first().copied()) {
        Some(3000) => Answer::json(500, &json!({"error": {"code": 500, "message": "internal"}})),
        _ => create(seen),
    }
}

#[tokio::test]
async fn partial_failure_names_what_was_written_failed_and_not_sent() {
    within(async {
        let store = Arc::new(Mutex::new(Store::default()));
        // Two items of chunk 2 exist already.
        store.lock().unwrap().written.extend([(1500, 1), (1501, 1)]);
        let server = TestServer::start(failing_endpoint(store.clone()))
            .await
            .unwrap();
        let client = client(&server, 4);
        let err = run(&client, items(10_001), &BulkOptions::default().carry_on())
            .await
            .unwrap_err();
        let failed: Vec<(u64, u64, Option<u16>)> = err
            .failed()
            .map(|(items, e)| {
                let first = items[0]["externalId"].as_u64().unwrap();
                (first, items.len() as u64, e.status())
            })
            .collect();
        assert_eq!(failed, [(1000, 1000, Some(409)), (3000, 1000, Some(500))]);
        let Some((_, Error::Api(conflict))) = err.failed().next() else {
            panic!("the 409 is an API error: {err}");
        };
        assert_eq!(
            conflict.duplicated,
            [json!({"externalId": 1500}), json!({"externalId": 1501})]
        );
        assert_eq!(err.succeeded().count(), 8_001);
        assert_eq!(err.not_attempted().count(), 0);
        assert_eq!(server.requests(), 11, "the 500 of a write is not retried");
        let written = store.lock().unwrap().written.len();
        assert_eq!(written, 8_001 + 2);
        let text = err.to_string();
        assert!(
            text.contains("8001 succeeded, 2000 failed, 0 not attempted"),
            "{text}"
        );
        assert!(
            text.contains("items 1000..2000") && text.contains("items 3000..4000"),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn stopping_at_the_first_failure_leaves_later_chunks_unsent() {
    within(async {
        let store = Arc::new(Mutex::new(Store::default()));
        store.lock().unwrap().written.insert(1500, 1);
        let server = TestServer::start(failing_endpoint(store.clone()))
            .await
            .unwrap();
        let client = client(&server, 4);
        let options = BulkOptions::default().concurrency(1);
        let err = run(&client, items(10_001), &options).await.unwrap_err();
        let outcomes: Vec<(std::ops::Range<usize>, &str)> = err
            .chunks()
            .iter()
            .map(|c| {
                let what = match c.outcome {
                    Outcome::Done(_) => "done",
                    Outcome::Failed(_) => "failed",
                    Outcome::NotAttempted => "not attempted",
                };
                (c.range.clone(), what)
            })
            .collect();
        assert_eq!(outcomes[0], (0..1000, "done"));
        assert_eq!(outcomes[1], (1000..2000, "failed"));
        assert!(
            outcomes[2..].iter().all(|(_, w)| *w == "not attempted"),
            "{outcomes:?}"
        );
        assert_eq!(err.not_attempted().count(), 10_001 - 2000);
        assert_eq!(server.requests(), 2);
        assert_eq!(err.responses().count(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_storm_of_429s_still_writes_every_item_exactly_once() {
    within(async {
        let store = Arc::new(Mutex::new(Store::default()));
        let create = create_endpoint(store.clone(), Duration::ZERO);
        let calls = Arc::new(Mutex::new(0u32));
        let server = TestServer::start(move |seen: &Seen| {
            let mut n = calls.lock().unwrap();
            *n += 1;
            // Two of every three answers are 429s, half with Retry-After.
            match *n % 3 {
                1 => Answer::json(
                    429,
                    &json!({"error": {"code": 429, "message": "slow down"}}),
                ),
                2 => Answer::json(
                    429,
                    &json!({"error": {"code": 429, "message": "slow down"}}),
                )
                .header("retry-after", "0"),
                _ => create(seen),
            }
        })
        .await
        .unwrap();
        let client = client(&server, 4);
        let answers = run(&client, items(5_000), &BulkOptions::default())
            .await
            .unwrap();
        assert_eq!(answered_ids(&answers), (0..5_000).collect::<Vec<_>>());
        let store = store.lock().unwrap();
        assert_eq!(store.written.len(), 5_000);
        assert!(
            store.written.values().all(|n| *n == 1),
            "an item written twice"
        );
        assert_eq!(server.requests(), 15, "5 chunks, each after two 429s");
    })
    .await;
}

#[tokio::test]
async fn an_item_over_a_total_is_refused_before_anything_is_sent() {
    within(async {
        let server = TestServer::start(|_: &Seen| Answer::json(200, &json!({"items": []})))
            .await
            .unwrap();
        let client = client(&server, 4);
        const ROWS: Limits = Limits {
            max_items: 1000,
            totals: &[bulk::Total {
                path: &["rows"],
                max: 3,
            }],
        };
        let input = vec![
            json!({"rows": [1]}),
            json!({"rows": [1, 2, 3, 4]}),
            json!({"rows": []}),
        ];
        let err = bulk::run(&client, input, &ROWS, &BulkOptions::default(), |chunk| {
            let chunk = chunk.to_vec();
            let client = client.clone();
            async move { create(&client, &chunk).await }
        })
        .await
        .unwrap_err();
        assert_eq!(server.requests(), 0);
        let (items, e) = err.failed().next().unwrap();
        assert_eq!(items, [json!({"rows": [1, 2, 3, 4]})]);
        assert!(e.to_string().contains("items[1]: `rows` holds 4"), "{e}");
        assert_eq!(err.not_attempted().count(), 2);
        let none = bulk::run(
            &client,
            Vec::<Value>::new(),
            &ROWS,
            &BulkOptions::default(),
            |_| async { Ok::<(), Error>(()) },
        )
        .await
        .unwrap();
        assert!(
            none.is_empty() && server.requests() == 0,
            "no items, no request"
        );
    })
    .await;
}
