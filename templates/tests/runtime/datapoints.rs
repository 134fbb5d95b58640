//! The datapoints reader against a local server that pages each series on
//! its own cursor, in protobuf or JSON, within the API's limits.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdf_client_runtime::client::Client;
use cdf_client_runtime::datapoints::{
    Aggregate, AggregatePoint, DatapointsFormat, DatapointsQuery, NumericPoint, Points, SeriesId,
    SeriesPage, SeriesPoints, Status, StringPoint, decode_json, decode_protobuf, encode,
};
use cdf_client_runtime::error::Error;
use cdf_client_runtime::test_server::{Answer, Seen, TestServer};
use futures::StreamExt;
use serde_json::{Value, json};

use super::common::{PROJECT_PATH, fast_retry, within};

const LIST: &str = "/timeseries/data/list";

/// The bytes of `{items: [{id: 1, numericDatapoints: {datapoints:
/// [{timestamp: 5, value: 1.5}]}}]}`, put together by hand from the
/// documented field numbers, so a wrong number in the decoder shows.
#[test]
fn protobuf_field_numbers_are_cognites() {
    let mut point = vec![0x08, 0x05, 0x11];
    point.extend(1.5f64.to_le_bytes());
    let numeric = [&[0x0a, point.len() as u8][..], &point].concat();
    let item = [&[0x08, 0x01, 0x1a, numeric.len() as u8][..], &numeric].concat();
    let answer = [&[0x0a, item.len() as u8][..], &item].concat();
    let pages = decode_protobuf(&answer, &[]).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].points.id, 1);
    let expected = vec![NumericPoint {
        timestamp: 5,
        value: Some(1.5),
        status: None,
    }];
    assert_eq!(pages[0].points.points, Points::Numeric(expected));
}

fn series(id: i64, external_id: Option<&str>, points: Points) -> SeriesPage {
    SeriesPage {
        points: SeriesPoints {
            series: SeriesId::Id(id),
            id,
            external_id: external_id.map(str::to_string),
            is_string: matches!(points, Points::String(_)),
            is_step: id % 2 == 0,
            unit: Some("bar".into()),
            unit_external_id: None,
            points,
        },
        next_cursor: Some(format!("c{id}")),
        instance_id: None,
    }
}

/// The same answer served in both formats decodes to the same values, and
/// to what was served: bad statuses, missing values, text, infinities and
/// the aggregates asked for.
#[test]
fn protobuf_and_json_give_the_same_values() {
    let bad = Some(Status {
        code: 2147483648,
        symbol: Some("Bad".into()),
    });
    let numeric = Points::Numeric(vec![
        NumericPoint {
            timestamp: -86_400_000,
            value: Some(-0.25),
            status: None,
        },
        NumericPoint {
            timestamp: 0,
            value: None,
            status: bad.clone(),
        },
        NumericPoint {
            timestamp: 1_700_000_000_000,
            value: Some(f64::INFINITY),
            status: None,
        },
    ]);
    let text = Points::String(vec![
        StringPoint {
            timestamp: 1,
            value: Some("open ✓".into()),
            status: None,
        },
        StringPoint {
            timestamp: 2,
            value: None,
            status: bad,
        },
    ]);
    let raw = vec![series(1, Some("pump-1"), numeric), {
        let mut s = series(2, None, text);
        s.instance_id = Some(("plant".into(), "valve".into()));
        s.next_cursor = None;
        s
    }];
    for decoded in [
        decode_protobuf(&encode::protobuf(&raw), &[]).unwrap(),
        decode_json(&encode::json(&raw), &[]).unwrap(),
    ] {
        assert_eq!(decoded, raw);
    }
    let asked = [Aggregate::Average, Aggregate::Count, Aggregate::DurationBad];
    let aggregates = Points::Aggregates(vec![AggregatePoint {
        timestamp: 3_600_000,
        average: Some(2.5),
        count: Some(0.0),
        duration_bad: Some(12.0),
        ..AggregatePoint::default()
    }]);
    let agg = vec![series(3, Some("flow"), aggregates)];
    let from_protobuf = decode_protobuf(&encode::protobuf(&agg), &asked).unwrap();
    let from_json = decode_json(&encode::json(&agg), &asked).unwrap();
    assert_eq!(from_protobuf, agg);
    assert_eq!(from_json, agg);
}

/// Serves `series` series of `points` points each (timestamps 0..points,
/// value `id * 1e6 + t`), `page` at most per series per answer, in the
/// format asked for. It refuses requests over the API's limits, throttles
/// every `throttle`-th new request once with a 429 (its retry is served),
/// and knows no series above `series`, answering as CDF does (400 with
/// `missing`).
struct Datapoints {
    series: i64,
    points: i64,
    page: i64,
    throttle: usize,
    calls: AtomicUsize,
    /// Bodies throttled once already.
    throttled: Mutex<std::collections::HashSet<Vec<u8>>>,
    /// The largest number of series and of points asked for in one request.
    widest: Mutex<(usize, i64)>,
}

impl Datapoints {
    fn new(series: i64, points: i64, page: i64) -> Arc<Datapoints> {
        Arc::new(Datapoints {
            series,
            points,
            page,
            throttle: 3,
            calls: AtomicUsize::new(0),
            throttled: Mutex::default(),
            widest: Mutex::new((0, 0)),
        })
    }

    fn id_of(&self, item: &Value) -> Option<i64> {
        if let Some(id) = item["id"].as_i64() {
            return Some(id);
        }
        let x = item["externalId"].as_str()?;
        x.strip_prefix("ts-")?.parse().ok()
    }

    /// The pages of one request, or the API's refusal.
    fn pages(&self, body: &Value) -> Result<Vec<SeriesPage>, Answer> {
        let items = body["items"].as_array().cloned().unwrap_or_default();
        let asked: i64 = items
            .iter()
            .map(|i| i["limit"].as_i64().unwrap_or(100))
            .sum();
        {
            let mut widest = self.widest.lock().unwrap();
            *widest = (widest.0.max(items.len()), widest.1.max(asked));
        }
        if items.len() > 100 || asked > 100_000 {
            let message = format!("{} items, {asked} points: over the limits", items.len());
            let error = json!({"error": {"code": 400, "message": message}});
            return Err(Answer::json(400, &error));
        }
        let ignore = body["ignoreUnknownIds"].as_bool().unwrap_or(false);
        let mut pages = Vec::new();
        let mut missing = Vec::new();
        for item in &items {
            let id = self.id_of(item).filter(|id| (1..=self.series).contains(id));
            let Some(id) = id else {
                missing.push(json!({"externalId": item["externalId"]}));
                continue;
            };
            let from: i64 = item["cursor"].as_str().map_or(0, |c| c.parse().unwrap());
            let limit = item["limit"].as_i64().unwrap_or(100).min(self.page);
            let to = (from + limit).min(self.points);
            let points = (from..to)
                .map(|t| NumericPoint {
                    timestamp: t,
                    value: Some(id as f64 * 1e6 + t as f64),
                    status: None,
                })
                .collect();
            let mut page = series(id, None, Points::Numeric(points));
            page.points.external_id = Some(format!("ts-{id}"));
            page.next_cursor = (to < self.points).then(|| to.to_string());
            pages.push(page);
        }
        if !missing.is_empty() && !ignore {
            let error = json!({"error": {"code": 400, "message": "Time series not found", "missing": missing}});
            return Err(Answer::json(400, &error));
        }
        Ok(pages)
    }

    /// The whole answer to one request, in the format it asks for.
    fn answer(&self, request: &Seen) -> Answer {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if n.is_multiple_of(self.throttle)
            && self.throttled.lock().unwrap().insert(request.body.clone())
        {
            return Answer::json(
                429,
                &json!({"error": {"code": 429, "message": "slow down"}}),
            );
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let pages = match self.pages(&body) {
            Ok(pages) => pages,
            Err(refusal) => return refusal,
        };
        encode::answer(request, &pages)
    }
}

async fn serve(data: &Arc<Datapoints>) -> TestServer {
    let data = data.clone();
    TestServer::start(move |request: &Seen| data.answer(request))
        .await
        .unwrap()
}

fn client(server: &TestServer, concurrency: usize) -> Client {
    Client::builder()
        .base_url(format!("{}{PROJECT_PATH}", server.url()))
        .retry(fast_retry(5))
        .timeout(Duration::from_secs(20))
        .max_concurrency(concurrency)
        .build()
        .unwrap()
}

/// Every point of every series, exactly once and in time order within its
/// series, through throttling, in both formats: 500 series of 20 000 points
/// in protobuf (so five requests' worth of series at once), 30 of 900 in
/// JSON. No request goes over the limits (the server would refuse it), and
/// no more requests run at once than the client allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_point_of_every_series_comes_once_in_order() {
    let all = async {
        for (format, series, points) in [
            (DatapointsFormat::Protobuf, 500, 20_000),
            (DatapointsFormat::Json, 30, 900),
        ] {
            let data = Datapoints::new(series, points, 5000);
            let server = serve(&data).await;
            let client = client(&server, 4);
            let ids: Vec<SeriesId> = (1..=series)
                .map(|i| {
                    if i % 2 == 0 {
                        SeriesId::Id(i)
                    } else {
                        format!("ts-{i}").into()
                    }
                })
                .collect();
            let query = DatapointsQuery::raw(ids.clone(), 0, 1_000_000).format(format);
            // The next timestamp each series must give.
            let mut next: BTreeMap<SeriesId, i64> = BTreeMap::new();
            let mut pages = client.datapoints_at(LIST, query);
            while let Some(page) = pages.next().await {
                let page = page.unwrap();
                let Points::Numeric(list) = &page.points else {
                    panic!("{page:?}")
                };
                let id = page.id as f64;
                let expected = next.entry(page.series.clone()).or_default();
                for p in list {
                    assert_eq!(p.timestamp, *expected, "{format:?}: {}", page.series);
                    assert_eq!(p.value, Some(id * 1e6 + p.timestamp as f64));
                    *expected += 1;
                }
            }
            assert_eq!(next.len(), ids.len(), "{format:?}");
            for (id, end) in &next {
                assert_eq!(*end, points, "{format:?}: {id}");
            }
            let (widest, most) = *data.widest.lock().unwrap();
            assert!(
                widest <= 100 && most <= 100_000,
                "{widest} series, {most} points"
            );
            assert!(
                !data.throttled.lock().unwrap().is_empty(),
                "no 429 was served"
            );
            let calls = data.calls.load(Ordering::SeqCst);
            assert!(calls >= 3 * (series as usize) / 100, "{calls} requests");
            assert!(server.peak_in_flight() <= 4, "{}", server.peak_in_flight());
        }
    };
    // Ten million points through a debug build: more time than `within`.
    tokio::time::timeout(Duration::from_secs(300), all)
        .await
        .expect("the read finished");
}

/// A request that stalls holds up only the series in it: the reader keeps
/// its other slots busy, so every other series is read in full before the
/// stalled answer comes.
#[tokio::test]
async fn a_stalled_request_holds_up_only_its_own_series() {
    within(async {
        let data = Datapoints::new(20, 2000, 400);
        let stalled: Arc<Mutex<Option<Vec<i64>>>> = Arc::default();
        let server = {
            let (data, stalled) = (data.clone(), stalled.clone());
            TestServer::start(move |request: &Seen| {
                let body: Value = serde_json::from_slice(&request.body).unwrap();
                let ids: Vec<i64> = body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|i| i["id"].as_i64())
                    .collect();
                let answer = data.answer(request);
                let mut first = stalled.lock().unwrap();
                if ids.contains(&1) && first.is_none() && answer.status == 200 {
                    *first = Some(ids);
                    return answer.delayed(Duration::from_secs(3));
                }
                answer
            })
            .await
            .unwrap()
        };
        let client = client(&server, 4);
        let query = DatapointsQuery::raw(1..=20i64, 0, 10_000);
        let mut pages = client.datapoints_at(LIST, query);
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        let mut done_before_stall = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            let held = stalled.lock().unwrap().clone().unwrap();
            if held.contains(&page.id) && done_before_stall.is_empty() {
                done_before_stall = counts
                    .iter()
                    .filter(|(_, n)| **n == 2000)
                    .map(|(id, _)| *id)
                    .collect();
            }
            *counts.entry(page.id).or_default() += page.points.len();
        }
        let held = stalled.lock().unwrap().clone().unwrap();
        let others: Vec<i64> = (1..=20).filter(|id| !held.contains(id)).collect();
        assert!(others.len() >= 10, "the stalled request held {held:?}");
        assert_eq!(done_before_stall, others, "held: {held:?}");
        assert!(counts.values().all(|n| *n == 2000), "{counts:?}");
    })
    .await;
}

/// A limit per series stops each series there, mid-page if need be.
#[tokio::test]
async fn a_limit_per_series_is_kept() {
    within(async {
        let data = Datapoints::new(3, 5000, 400);
        let server = serve(&data).await;
        let client = client(&server, 4);
        let query = DatapointsQuery::raw([1i64, 2, 3], 0, 10_000).limit_per_series(1000);
        let pages: Vec<SeriesPoints> = client
            .datapoints_at(LIST, query)
            .map(|p| p.unwrap())
            .collect()
            .await;
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        for p in &pages {
            *counts.entry(p.id).or_default() += p.points.len();
        }
        assert_eq!(counts, BTreeMap::from([(1, 1000), (2, 1000), (3, 1000)]));
    })
    .await;
}

/// A series that does not exist fails the read with the API's error, which
/// names it; with `ignore_unknown_ids` it is skipped and the rest is read.
#[tokio::test]
async fn unknown_series_fail_or_are_skipped() {
    within(async {
        let data = Datapoints::new(2, 10, 100);
        let server = serve(&data).await;
        let client = client(&server, 4);
        let ids = ["ts-1", "ts-404"];
        let query = DatapointsQuery::raw(ids, 0, 100);
        let read: Vec<_> = client.datapoints_at(LIST, query.clone()).collect().await;
        let failed = read.iter().find_map(|r| r.as_ref().err());
        match failed {
            Some(Error::Api(e)) => {
                assert_eq!(e.status, 400);
                assert!(format!("{e:?}").contains("ts-404"), "{e:?}");
            }
            other => panic!("{other:?} in {read:?}"),
        }
        assert!(
            read.last().is_some_and(Result::is_err),
            "the error ends the read"
        );
        let skipped: Vec<SeriesPoints> = client
            .datapoints_at(LIST, query.ignore_unknown_ids(true))
            .map(|p| p.unwrap())
            .collect()
            .await;
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].series, SeriesId::from("ts-1"));
        assert_eq!(skipped[0].points.len(), 10);
    })
    .await;
}

#[tokio::test]
async fn aggregates_without_granularity_are_refused_before_sending() {
    within(async {
        let data = Datapoints::new(1, 10, 100);
        let server = serve(&data).await;
        let client = client(&server, 4);
        let mut query = DatapointsQuery::raw([1i64], 0, 100);
        query.aggregates = vec![Aggregate::Average];
        let first = client.datapoints_at(LIST, query).next().await;
        assert!(
            matches!(first, Some(Err(Error::InvalidRequest(_)))),
            "{first:?}"
        );
        assert_eq!(data.calls.load(Ordering::SeqCst), 0);
    })
    .await;
}
