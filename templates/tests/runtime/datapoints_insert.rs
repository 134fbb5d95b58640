//! Datapoints insertion against a local server that reads both formats and
//! refuses requests over the API's limits.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdf_client_runtime::bulk::BulkOptions;
use cdf_client_runtime::client::Client;
use cdf_client_runtime::datapoints::{
    DatapointsFormat, InsertPoints, MAX_INSERT_POINTS, NumericPoint, SeriesId, SeriesInsert,
    Status, StringPoint, decode_insertion, pack,
};
use cdf_client_runtime::error::Error;
use cdf_client_runtime::test_server::{Answer, Seen, TestServer};
use serde_json::json;

use super::common::{PROJECT_PATH, fast_retry, within};

const INSERT: &str = "/timeseries/data";

fn numbers(series: impl Into<SeriesId>, from: i64, n: i64) -> SeriesInsert {
    let points = (from..from + n).map(|t| NumericPoint::new(t, t as f64 * 0.5));
    SeriesInsert::numeric(series, points)
}

/// Pieces cover every point once, in order; no request has more points or
/// pieces than allowed; a series longer than a request is split.
#[test]
fn packing_splits_long_series_and_keeps_every_point_once() {
    let items = vec![
        numbers(1i64, 0, 250_000),
        numbers("empty", 0, 0),
        numbers("short", 0, 10),
        numbers(3i64, 0, 60_000),
    ];
    let (pieces, ranges) = pack(items.clone(), MAX_INSERT_POINTS, 10_000);
    let sizes: Vec<Vec<usize>> = ranges
        .iter()
        .map(|r| pieces[r.clone()].iter().map(|p| p.points.len()).collect())
        .collect();
    assert_eq!(
        sizes,
        vec![
            vec![100_000],
            vec![100_000],
            vec![50_000, 10, 49_990],
            vec![10_010]
        ]
    );
    let mut joined: BTreeMap<SeriesId, Vec<NumericPoint>> = BTreeMap::new();
    for piece in pieces {
        let InsertPoints::Numeric(p) = piece.points else {
            panic!()
        };
        joined.entry(piece.series).or_default().extend(p);
    }
    for item in items.into_iter().filter(|i| !i.points.is_empty()) {
        let InsertPoints::Numeric(p) = item.points else {
            panic!()
        };
        assert_eq!(joined[&item.series], p, "{}", item.series);
    }
    let many: Vec<SeriesInsert> = (0..25i64).map(|i| numbers(i, 0, 1)).collect();
    let (_, ranges) = pack(many, MAX_INSERT_POINTS, 10);
    assert_eq!(ranges, vec![0..10, 10..20, 20..25]);
}

/// What the server was sent, per series, in arrival order; and how it
/// behaves: it refuses requests over the limits, throttles every third
/// request once, and fails any request that names series `bad`.
#[derive(Default)]
struct Store {
    written: Mutex<BTreeMap<SeriesId, Vec<InsertPoints>>>,
    calls: AtomicUsize,
    throttled: Mutex<HashSet<Vec<u8>>>,
    widest: Mutex<(usize, usize)>,
    kinds: Mutex<HashSet<String>>,
}

impl Store {
    fn answer(&self, request: &Seen) -> Answer {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n.is_multiple_of(3) && self.throttled.lock().unwrap().insert(request.body.clone()) {
            return Answer::json(
                429,
                &json!({"error": {"code": 429, "message": "slow down"}}),
            );
        }
        let kind = request.header("content-type").unwrap_or_default();
        self.kinds.lock().unwrap().insert(kind.to_string());
        let items = decode_insertion(&request.body, kind == "application/protobuf").unwrap();
        let points: usize = items.iter().map(|i| i.points.len()).sum();
        {
            let mut widest = self.widest.lock().unwrap();
            *widest = (widest.0.max(items.len()), widest.1.max(points));
        }
        if items.len() > 10_000 || points > 100_000 {
            let message = format!("{} items, {points} points: over the limits", items.len());
            return Answer::json(400, &json!({"error": {"code": 400, "message": message}}));
        }
        if items.iter().any(|i| i.series == SeriesId::from("bad")) {
            let error = json!({"error": {"code": 400, "message": "bad", "missing": [{"externalId": "bad"}]}});
            return Answer::json(400, &error);
        }
        let mut written = self.written.lock().unwrap();
        for item in items {
            written.entry(item.series).or_default().push(item.points);
        }
        Answer::json(200, &json!({}))
    }
}

async fn serve(store: &Arc<Store>) -> TestServer {
    let store = store.clone();
    TestServer::start(move |request: &Seen| store.answer(request))
        .await
        .unwrap()
}

fn client(server: &TestServer) -> Client {
    Client::builder()
        .base_url(format!("{}{PROJECT_PATH}", server.url()))
        .retry(fast_retry(5))
        .timeout(Duration::from_secs(20))
        .max_concurrency(4)
        .build()
        .unwrap()
}

/// Every point arrives once, in both formats, through 429s: a series of
/// 250 000 points split over requests, 12 000 short series (more than one
/// request may name), text with a missing value and a bad status, and
/// non-finite numbers.
#[tokio::test]
async fn every_point_is_written_once_in_both_formats() {
    within(async {
        for format in [DatapointsFormat::Protobuf, DatapointsFormat::Json] {
            let bad = Some(Status {
                code: 2147483648,
                symbol: Some("Bad".into()),
            });
            let mut items = vec![numbers(1i64, 0, 250_000)];
            items.extend((0..12_000).map(|i| numbers(format!("s{i}"), i, 2)));
            items.push(SeriesInsert::strings(
                SeriesId::InstanceId {
                    space: "plant".into(),
                    external_id: "valve".into(),
                },
                vec![
                    StringPoint::new(1, "open ✓"),
                    StringPoint {
                        timestamp: 2,
                        value: None,
                        status: bad.clone(),
                    },
                ],
            ));
            items.push(SeriesInsert::numeric(
                "odd",
                vec![
                    NumericPoint::new(1, f64::INFINITY),
                    NumericPoint::new(2, -0.0),
                    NumericPoint {
                        timestamp: 3,
                        value: None,
                        status: bad,
                    },
                ],
            ));
            let store = Arc::new(Store::default());
            let server = serve(&store).await;
            client(&server)
                .insert_datapoints_at(INSERT, items.clone(), &BulkOptions::default(), format)
                .await
                .unwrap();
            let written = store.written.lock().unwrap();
            assert_eq!(written.len(), items.len(), "{format:?}");
            for item in &items {
                let pieces = &written[&item.series];
                let joined = pieces.iter().skip(1).fold(pieces[0].clone(), |mut all, p| {
                    match (&mut all, p) {
                        (InsertPoints::Numeric(a), InsertPoints::Numeric(b)) => a.extend(b.clone()),
                        (InsertPoints::String(a), InsertPoints::String(b)) => a.extend(b.clone()),
                        other => panic!("{other:?}"),
                    }
                    all
                });
                // Pieces of one series may land in any order: compare sorted.
                let sorted = |p: &InsertPoints| match p {
                    InsertPoints::Numeric(v) => {
                        let mut v = v.clone();
                        v.sort_by_key(|x| x.timestamp);
                        InsertPoints::Numeric(v)
                    }
                    other => other.clone(),
                };
                assert_eq!(sorted(&joined), item.points, "{format:?}: {}", item.series);
            }
            let (widest, most) = *store.widest.lock().unwrap();
            assert!(
                widest <= 10_000 && most <= 100_000,
                "{widest} items, {most} points"
            );
            assert_eq!(
                written[&SeriesId::Id(1)].len(),
                3,
                "250 000 points in 3 pieces"
            );
            assert!(
                !store.throttled.lock().unwrap().is_empty(),
                "no 429 was served"
            );
            let kind = match format {
                DatapointsFormat::Protobuf => "application/protobuf",
                DatapointsFormat::Json => "application/json",
            };
            assert_eq!(
                *store.kinds.lock().unwrap(),
                HashSet::from([kind.to_string()])
            );
        }
    })
    .await;
}

/// A failed request is reported with the pieces it carried; with
/// `carry_on` the others are written and reported as such.
#[tokio::test]
async fn a_failed_request_reports_its_pieces() {
    within(async {
        let store = Arc::new(Store::default());
        let server = serve(&store).await;
        let items = vec![
            numbers("a", 0, 150_000),
            numbers("bad", 0, 10),
            numbers("c", 0, 100_000),
        ];
        let options = BulkOptions::default().carry_on();
        let failed = client(&server)
            .insert_datapoints_at(INSERT, items, &options, DatapointsFormat::Protobuf)
            .await
            .unwrap_err();
        // a: 100 000 | a: 50 000, bad: 10, c: 49 990 | c: 50 010
        assert_eq!(failed.chunks().len(), 3, "{failed:?}");
        let lost: Vec<(SeriesId, usize)> = failed
            .failed()
            .flat_map(|(pieces, e)| {
                assert!(matches!(e, Error::Api(a) if a.status == 400), "{e:?}");
                pieces.iter().map(|p| (p.series.clone(), p.points.len()))
            })
            .collect();
        assert_eq!(
            lost,
            vec![
                ("a".into(), 50_000),
                ("bad".into(), 10),
                ("c".into(), 49_990)
            ]
        );
        let ok: usize = failed.succeeded().map(|p| p.points.len()).sum();
        assert_eq!(ok, 150_010);
        let written = store.written.lock().unwrap();
        let stored: usize = written.values().flatten().map(InsertPoints::len).sum();
        assert_eq!(stored, ok, "what succeeded is what the server holds");
        assert!(failed.to_string().contains("3 failed"), "{failed}");
    })
    .await;
}
