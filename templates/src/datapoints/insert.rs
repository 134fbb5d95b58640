//! Insertion: any number of points for any number of series, in requests
//! within the API's limits, a series too long for one request split over
//! several.
//!
//! Points are cut into pieces (a series with a run of its points) and
//! pieces are packed, in input order, into requests of at most
//! [`MAX_INSERT_POINTS`] points and [`MAX_INSERT_ITEMS`] pieces. The
//! requests then run as a bulk call does, so a failure reports which
//! pieces were written, which failed and which were not sent, with
//! [`BulkError`]. Writing a point again stores the same value at the same
//! timestamp, so insertion requests are retried like idempotent ones.

use std::ops::Range;

use serde_json::{Value, json};

use super::super::bulk::{self, BulkError, BulkOptions};
use super::super::client::Client;
use super::super::error::Error;
use super::super::request::{Method, Request};
use super::{DatapointsFormat, JSON, NumericPoint, PROTOBUF, SeriesId, StringPoint, wire};

/// Most points in one insertion request, over all its series.
pub const MAX_INSERT_POINTS: usize = 100_000;
/// Most series (pieces of series) in one insertion request.
pub const MAX_INSERT_ITEMS: usize = 10_000;

/// Points to write to one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInsert {
    pub series: SeriesId,
    pub points: InsertPoints,
}

/// The points of one insertion: a series holds numbers or text.
#[derive(Debug, Clone, PartialEq)]
pub enum InsertPoints {
    Numeric(Vec<NumericPoint>),
    String(Vec<StringPoint>),
}

impl InsertPoints {
    pub fn len(&self) -> usize {
        match self {
            InsertPoints::Numeric(p) => p.len(),
            InsertPoints::String(p) => p.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The points cut into runs of at most `first` and then `size` points,
    /// in order, each point moved once.
    fn split(self, first: usize, size: usize) -> Vec<InsertPoints> {
        fn runs<T>(points: Vec<T>, first: usize, size: usize) -> Vec<Vec<T>> {
            let mut left = points.len();
            let mut it = points.into_iter();
            let mut out = Vec::new();
            let mut take = first;
            while left > 0 {
                let n = take.min(left);
                out.push(it.by_ref().take(n).collect());
                left -= n;
                take = size;
            }
            out
        }
        match self {
            InsertPoints::Numeric(p) => runs(p, first, size)
                .into_iter()
                .map(InsertPoints::Numeric)
                .collect(),
            InsertPoints::String(p) => runs(p, first, size)
                .into_iter()
                .map(InsertPoints::String)
                .collect(),
        }
    }
}

impl SeriesInsert {
    /// Numbers for `series`.
    pub fn numeric(
        series: impl Into<SeriesId>,
        points: impl IntoIterator<Item = NumericPoint>,
    ) -> Self {
        SeriesInsert {
            series: series.into(),
            points: InsertPoints::Numeric(points.into_iter().collect()),
        }
    }

    /// Text for `series`.
    pub fn strings(
        series: impl Into<SeriesId>,
        points: impl IntoIterator<Item = StringPoint>,
    ) -> Self {
        SeriesInsert {
            series: series.into(),
            points: InsertPoints::String(points.into_iter().collect()),
        }
    }
}

impl NumericPoint {
    /// A good point with a value.
    pub fn new(timestamp: i64, value: f64) -> Self {
        NumericPoint {
            timestamp,
            value: Some(value),
            status: None,
        }
    }
}

impl StringPoint {
    /// A good point with a value.
    pub fn new(timestamp: i64, value: impl Into<String>) -> Self {
        StringPoint {
            timestamp,
            value: Some(value.into()),
            status: None,
        }
    }
}

impl Client {
    /// Writes every point of `items` (see
    /// [`insert_datapoints_at`](Self::insert_datapoints_at)) through the
    /// API's datapoints insertion, in protobuf.
    pub async fn insert_datapoints(
        &self,
        items: Vec<SeriesInsert>,
        options: &BulkOptions,
    ) -> Result<(), BulkError<SeriesInsert, ()>> {
        let path = super::super::DATAPOINTS_INSERT_PATH;
        self.insert_datapoints_at(path, items, options, DatapointsFormat::Protobuf)
            .await
    }

    /// Writes every point of `items` to `path` (the API's datapoints
    /// insertion, `/timeseries/data`), in requests within the API's limits;
    /// `options.chunk_size` lowers the points per request. On failure the
    /// error holds the pieces the points were cut into (in input order,
    /// a series' pieces one after another) with each request's outcome.
    /// Series without points are not sent.
    pub async fn insert_datapoints_at(
        &self,
        path: &'static str,
        items: Vec<SeriesInsert>,
        options: &BulkOptions,
        format: DatapointsFormat,
    ) -> Result<(), BulkError<SeriesInsert, ()>> {
        let max_points = options
            .chunk_size
            .unwrap_or(MAX_INSERT_POINTS)
            .clamp(1, MAX_INSERT_POINTS);
        let (pieces, ranges) = pack(items, max_points, MAX_INSERT_ITEMS);
        let send = |chunk: &[SeriesInsert]| {
            let request = insert_request(path, chunk, format);
            async move {
                self.execute(request?).await?;
                Ok(())
            }
        };
        bulk::run_planned(self, pieces, ranges, options, send)
            .await
            .map(drop)
    }
}

/// Cuts `items` into pieces and packs them, in order, into requests of at
/// most `max_points` points and `max_items` pieces: the pieces and each
/// request's range of them.
pub fn pack(
    items: Vec<SeriesInsert>,
    max_points: usize,
    max_items: usize,
) -> (Vec<SeriesInsert>, Vec<Range<usize>>) {
    let mut pieces = Vec::new();
    let mut ranges = Vec::new();
    let (mut start, mut points) = (0, 0);
    for item in items.into_iter().filter(|i| !i.points.is_empty()) {
        let room = max_points - points;
        let first = if room == 0 { max_points } else { room };
        let runs = item.points.split(first, max_points);
        for run in runs {
            if points + run.len() > max_points || pieces.len() - start == max_items {
                ranges.push(start..pieces.len());
                (start, points) = (pieces.len(), 0);
            }
            points += run.len();
            pieces.push(SeriesInsert {
                series: item.series.clone(),
                points: run,
            });
        }
    }
    if pieces.len() > start {
        ranges.push(start..pieces.len());
    }
    (pieces, ranges)
}

fn insert_request(
    path: &'static str,
    chunk: &[SeriesInsert],
    format: DatapointsFormat,
) -> Result<Request, Error> {
    let request = Request::new(Method::POST, path, path.to_string()).idempotent(true);
    match format {
        DatapointsFormat::Protobuf => {
            let body = prost::Message::encode_to_vec(&wire::insertion(chunk));
            Ok(request.bytes(PROTOBUF, body.into()))
        }
        DatapointsFormat::Json => {
            let items: Vec<Value> = chunk.iter().map(json_item).collect();
            let body = serde_json::to_vec(&json!({ "items": items })).map_err(Error::Encode)?;
            Ok(request.bytes(JSON, body.into()))
        }
    }
}

fn json_item(item: &SeriesInsert) -> Value {
    let mut out = super::series_json(&item.series);
    let status = |s: &Option<super::Status>| {
        s.as_ref()
            .map(|s| json!({ "code": s.code, "symbol": s.symbol }))
    };
    let point = |timestamp: i64, value: Value, s: Option<Value>| {
        let mut o = json!({ "timestamp": timestamp, "value": value });
        if let Some(s) = s {
            o["status"] = s;
        }
        o
    };
    let points: Vec<Value> = match &item.points {
        InsertPoints::Numeric(p) => p
            .iter()
            .map(|x| {
                let value = x.value.map_or(Value::Null, super::json_number);
                point(x.timestamp, value, status(&x.status))
            })
            .collect(),
        InsertPoints::String(p) => p
            .iter()
            .map(|x| point(x.timestamp, x.value.clone().into(), status(&x.status)))
            .collect(),
    };
    out["datapoints"] = points.into();
    out
}

/// What a server reads from an insertion request, in either format.
#[cfg(feature = "test-util")]
pub fn decode_insertion(bytes: &[u8], protobuf: bool) -> Result<Vec<SeriesInsert>, String> {
    if protobuf {
        return wire::decode_insertion(bytes);
    }
    let body: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let items = body["items"].as_array().ok_or("no items")?;
    items.iter().map(super::json::insertion_item).collect()
}
