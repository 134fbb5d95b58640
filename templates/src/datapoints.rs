//! Time series datapoints at full speed: every point of many series, read
//! in protobuf (or JSON) over parallel requests that each follow their
//! series' own cursors.
//!
//! One request may name 100 series and carry 100 000 raw or 10 000
//! aggregated points in all; each series of the answer pages on with its
//! own `nextCursor`. [`Client::datapoints`] packs the series into requests
//! within those limits, keeps up to `max_concurrency` of them in flight,
//! and yields each page of each series as it arrives. A series is in at
//! most one request at a time, so its points come in time order and each
//! exactly once; memory holds one page per request in flight.
//!
//! Protobuf is not described by the OpenAPI document: the messages here are
//! written from Cognite's documented wire format (field numbers only).

use std::collections::VecDeque;
use std::pin::Pin;

use futures::stream::{self, BoxStream, FuturesUnordered, StreamExt};
use serde::Deserialize;

use super::client::Client;
use super::error::Error;
use super::request::{Method, Request, Response};

/// Most series in one request.
pub const MAX_SERIES: usize = 100;
/// Most raw points in one request, over all its series.
pub const MAX_RAW_POINTS: u64 = 100_000;
/// Most aggregated points in one request, over all its series.
pub const MAX_AGGREGATE_POINTS: u64 = 10_000;

const PROTOBUF: &str = "application/protobuf";
const JSON: &str = "application/json";

/// One time series, by whichever identifier the caller has.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeriesId {
    Id(i64),
    ExternalId(String),
    /// A time series of the data modeling service.
    InstanceId {
        space: String,
        external_id: String,
    },
}

impl From<i64> for SeriesId {
    fn from(id: i64) -> Self {
        SeriesId::Id(id)
    }
}

impl From<&str> for SeriesId {
    fn from(external_id: &str) -> Self {
        SeriesId::ExternalId(external_id.to_string())
    }
}

impl From<String> for SeriesId {
    fn from(external_id: String) -> Self {
        SeriesId::ExternalId(external_id)
    }
}

impl std::fmt::Display for SeriesId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeriesId::Id(id) => write!(f, "id {id}"),
            SeriesId::ExternalId(x) => write!(f, "externalId {x:?}"),
            SeriesId::InstanceId { space, external_id } => {
                write!(f, "instance {space:?}/{external_id:?}")
            }
        }
    }
}

/// How answers travel. Both give the same values; protobuf is smaller and
/// much cheaper to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DatapointsFormat {
    #[default]
    Protobuf,
    Json,
}

/// Declares the aggregates once: the enum, the fields of
/// [`AggregatePoint`], their API names and their protobuf field numbers.
macro_rules! aggregates {
    ($($variant:ident $field:ident $name:literal $tag:literal,)*) => {
        /// An aggregate the API computes per granularity interval.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Aggregate {
            $($variant,)*
        }

        impl Aggregate {
            /// The name the API uses.
            pub fn name(self) -> &'static str {
                match self {
                    $(Aggregate::$variant => $name,)*
                }
            }
        }

        /// One granularity interval of a series: the aggregates asked for
        /// are `Some` (when the interval has them), the others `None`.
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct AggregatePoint {
            pub timestamp: i64,
            $(pub $field: Option<f64>,)*
        }

        impl AggregatePoint {
            pub fn get(&self, aggregate: Aggregate) -> Option<f64> {
                match aggregate {
                    $(Aggregate::$variant => self.$field,)*
                }
            }

            fn set(&mut self, aggregate: Aggregate, value: Option<f64>) {
                match aggregate {
                    $(Aggregate::$variant => self.$field = value,)*
                }
            }
        }

        /// A point of the JSON answer, raw or aggregated: which fields it
        /// has depends on the query and the series.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct JsonPoint {
            timestamp: i64,
            #[serde(default)]
            value: Option<JsonScalar>,
            #[serde(default)]
            status: Option<Status>,
            $(#[serde(default)] $field: Option<f64>,)*
        }

        impl JsonPoint {
            fn into_aggregate(self) -> AggregatePoint {
                AggregatePoint { timestamp: self.timestamp, $($field: self.$field,)* }
            }
        }

        /// The protobuf message of one aggregated point. proto3 sends no
        /// presence, so [`wire_aggregate`] keeps only the aggregates asked for.
        #[derive(Clone, PartialEq, prost::Message)]
        pub(crate) struct WireAggregate {
            #[prost(int64, tag = "1")]
            pub(crate) timestamp: i64,
            $(#[prost(double, tag = $tag)] pub(crate) $field: f64,)*
        }

        impl WireAggregate {
            fn get(&self, aggregate: Aggregate) -> f64 {
                match aggregate {
                    $(Aggregate::$variant => self.$field,)*
                }
            }

            #[cfg(feature = "test-util")]
            fn set(&mut self, aggregate: Aggregate, value: f64) {
                match aggregate {
                    $(Aggregate::$variant => self.$field = value,)*
                }
            }
        }
    };
}

aggregates! {
    Average average "average" "2",
    Max max "max" "3",
    Min min "min" "4",
    Count count "count" "5",
    Sum sum "sum" "6",
    Interpolation interpolation "interpolation" "7",
    StepInterpolation step_interpolation "stepInterpolation" "8",
    ContinuousVariance continuous_variance "continuousVariance" "9",
    DiscreteVariance discrete_variance "discreteVariance" "10",
    TotalVariation total_variation "totalVariation" "11",
    CountGood count_good "countGood" "12",
    CountUncertain count_uncertain "countUncertain" "13",
    CountBad count_bad "countBad" "14",
    DurationGood duration_good "durationGood" "15",
    DurationUncertain duration_uncertain "durationUncertain" "16",
    DurationBad duration_bad "durationBad" "17",
}

/// A point's quality, when it is not Good (Good points carry none).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Status {
    pub code: i64,
    #[serde(default)]
    pub symbol: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NumericPoint {
    pub timestamp: i64,
    /// `None` for a point stored without a value (a bad status).
    pub value: Option<f64>,
    pub status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StringPoint {
    pub timestamp: i64,
    pub value: Option<String>,
    pub status: Option<Status>,
}

/// The points of one page of one series.
#[derive(Debug, Clone, PartialEq)]
pub enum Points {
    Numeric(Vec<NumericPoint>),
    String(Vec<StringPoint>),
    Aggregates(Vec<AggregatePoint>),
}

impl Points {
    pub fn len(&self) -> usize {
        match self {
            Points::Numeric(p) => p.len(),
            Points::String(p) => p.len(),
            Points::Aggregates(p) => p.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One page of one series, in time order; the pages of a series come one
/// after another.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoints {
    /// The series as the query named it.
    pub series: SeriesId,
    pub id: i64,
    pub external_id: Option<String>,
    pub is_string: bool,
    pub is_step: bool,
    pub unit: Option<String>,
    pub unit_external_id: Option<String>,
    pub points: Points,
}

/// A page as decoded from one answer, before it is matched to its query.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPage {
    pub points: SeriesPoints,
    pub next_cursor: Option<String>,
    /// The series' instance id (space, externalId), when it has one.
    pub instance_id: Option<(String, String)>,
}

/// What to read: series, a time range, raw points or aggregates.
#[derive(Debug, Clone)]
pub struct DatapointsQuery {
    pub series: Vec<SeriesId>,
    /// Inclusive, milliseconds since the epoch.
    pub start: i64,
    /// Exclusive, milliseconds since the epoch.
    pub end: i64,
    /// Empty for raw points.
    pub aggregates: Vec<Aggregate>,
    /// Required with aggregates, e.g. `"1h"`.
    pub granularity: Option<String>,
    /// At most this many points per series (all of them when `None`).
    pub limit_per_series: Option<u64>,
    /// Skip series that do not exist instead of failing the read.
    pub ignore_unknown_ids: bool,
    pub format: DatapointsFormat,
}

impl DatapointsQuery {
    /// Every raw point of `series` in `start..end`.
    pub fn raw(
        series: impl IntoIterator<Item = impl Into<SeriesId>>,
        start: i64,
        end: i64,
    ) -> Self {
        DatapointsQuery {
            series: series.into_iter().map(Into::into).collect(),
            start,
            end,
            aggregates: Vec::new(),
            granularity: None,
            limit_per_series: None,
            ignore_unknown_ids: false,
            format: DatapointsFormat::default(),
        }
    }

    /// `aggregates` per `granularity` interval instead of raw points.
    pub fn aggregates(
        mut self,
        aggregates: impl IntoIterator<Item = Aggregate>,
        granularity: impl Into<String>,
    ) -> Self {
        self.aggregates = aggregates.into_iter().collect();
        self.granularity = Some(granularity.into());
        self
    }

    pub fn limit_per_series(mut self, limit: u64) -> Self {
        self.limit_per_series = Some(limit);
        self
    }

    pub fn ignore_unknown_ids(mut self, yes: bool) -> Self {
        self.ignore_unknown_ids = yes;
        self
    }

    pub fn format(mut self, format: DatapointsFormat) -> Self {
        self.format = format;
        self
    }

    fn budget(&self) -> u64 {
        if self.aggregates.is_empty() {
            MAX_RAW_POINTS
        } else {
            MAX_AGGREGATE_POINTS
        }
    }

    fn check(&self) -> Result<(), Error> {
        if !self.aggregates.is_empty() && self.granularity.is_none() {
            return Err(Error::InvalidRequest(
                "datapoints: aggregates need a granularity".into(),
            ));
        }
        if self.start >= self.end {
            return Err(Error::InvalidRequest(format!(
                "datapoints: start {} is not before end {}",
                self.start, self.end
            )));
        }
        Ok(())
    }
}

/// A series still to be read: where its cursor stands, how much it may
/// still return.
#[derive(Debug, Clone)]
struct Pending {
    series: SeriesId,
    cursor: Option<String>,
    remaining: Option<u64>,
}

type Answer = Result<(Vec<Pending>, Vec<SeriesPoints>), Error>;
type InFlight<'a> = FuturesUnordered<Pin<Box<dyn Future<Output = Answer> + Send + 'a>>>;

struct Reader<'a> {
    client: &'a Client,
    path: &'static str,
    query: std::sync::Arc<DatapointsQuery>,
    queue: VecDeque<Pending>,
    in_flight: InFlight<'a>,
    out: VecDeque<SeriesPoints>,
    done: bool,
}

impl Client {
    /// Every point of every series of `query` (see
    /// [`datapoints_at`](Self::datapoints_at)), from the API's datapoints
    /// listing: pin nothing, `while let Some(page) = stream.next().await`.
    pub fn datapoints(&self, query: DatapointsQuery) -> BoxStream<'_, Result<SeriesPoints, Error>> {
        self.datapoints_at(super::DATAPOINTS_PATH, query)
    }

    /// Every point of every series of `query`, one page of one series at a
    /// time, as the pages arrive. Pages of different series interleave;
    /// within a series they come in time order. The first error ends the
    /// stream (retries happen below it, as for any call). `path` is the
    /// API's datapoints listing (`/timeseries/data/list`).
    pub fn datapoints_at(
        &self,
        path: &'static str,
        query: DatapointsQuery,
    ) -> BoxStream<'_, Result<SeriesPoints, Error>> {
        let checked = query.check();
        let queue = query
            .series
            .iter()
            .map(|series| Pending {
                series: series.clone(),
                cursor: None,
                remaining: query.limit_per_series,
            })
            .collect();
        let reader = Reader {
            client: self,
            path,
            query: std::sync::Arc::new(query),
            queue,
            in_flight: FuturesUnordered::new(),
            out: VecDeque::new(),
            done: false,
        };
        if let Err(e) = checked {
            return stream::once(async move { Err(e) }).boxed();
        }
        stream::unfold(reader, |mut r| async move {
            let item = r.next().await?;
            Some((item, r))
        })
        .boxed()
    }
}

impl<'a> Reader<'a> {
    async fn next(&mut self) -> Option<Result<SeriesPoints, Error>> {
        loop {
            if let Some(page) = self.out.pop_front() {
                return Some(Ok(page));
            }
            if self.done {
                return None;
            }
            self.start_requests();
            match self.in_flight.next().await? {
                Ok((requeue, pages)) => {
                    self.queue.extend(requeue);
                    self.out.extend(pages);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }

    /// Fills the free request slots. The waiting series are spread over
    /// them, so a few series still use every slot; each request stays
    /// within the series and point limits.
    fn start_requests(&mut self) {
        let limit = self.client.max_concurrency().max(1);
        while self.in_flight.len() < limit && !self.queue.is_empty() {
            let free = limit - self.in_flight.len();
            let take = self.queue.len().div_ceil(free).clamp(1, MAX_SERIES);
            let batch: Vec<Pending> = self.queue.drain(..take).collect();
            let share = (self.query.budget() / batch.len() as u64).max(1);
            let fetch = fetch(self.client, self.path, self.query.clone(), batch, share);
            self.in_flight.push(Box::pin(fetch));
        }
    }
}

/// One request for `batch`, each series asking for at most `share` points.
async fn fetch(
    client: &Client,
    path: &'static str,
    query: std::sync::Arc<DatapointsQuery>,
    batch: Vec<Pending>,
    share: u64,
) -> Answer {
    let limits: Vec<u64> = batch
        .iter()
        .map(|p| p.remaining.map_or(share, |r| r.min(share)))
        .collect();
    let body = request_body(&query, &batch, &limits);
    let accept = match query.format {
        DatapointsFormat::Protobuf => PROTOBUF,
        DatapointsFormat::Json => JSON,
    };
    let request = Request::new(Method::POST, path, path.to_string())
        .idempotent(true)
        .accept(accept)
        .json(&body)?;
    let answer = client.execute(request).await?;
    let aggregates = query.aggregates.clone();
    let pages = decode_elsewhere(answer, aggregates).await?;
    Ok(settle(batch, pages))
}

fn request_body(query: &DatapointsQuery, batch: &[Pending], limits: &[u64]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = batch
        .iter()
        .zip(limits)
        .map(|(p, limit)| {
            let mut item = match &p.series {
                SeriesId::Id(id) => serde_json::json!({ "id": id }),
                SeriesId::ExternalId(x) => serde_json::json!({ "externalId": x }),
                SeriesId::InstanceId { space, external_id } => serde_json::json!({
                    "instanceId": { "space": space, "externalId": external_id }
                }),
            };
            item["start"] = query.start.into();
            item["end"] = query.end.into();
            item["limit"] = (*limit).into();
            if let Some(cursor) = &p.cursor {
                item["cursor"] = cursor.clone().into();
            }
            item
        })
        .collect();
    let mut body = serde_json::json!({
        "items": items,
        "ignoreUnknownIds": query.ignore_unknown_ids,
    });
    if !query.aggregates.is_empty() {
        let names: Vec<&str> = query.aggregates.iter().map(|a| a.name()).collect();
        body["aggregates"] = names.into();
        body["granularity"] = query.granularity.clone().into();
    }
    body
}

/// Matches each page of the answer to the series that asked for it, and
/// puts back the series that have more to read. A series missing from the
/// answer was unknown (and skipped, as the query allowed) and is done.
fn settle(batch: Vec<Pending>, pages: Vec<SeriesPage>) -> (Vec<Pending>, Vec<SeriesPoints>) {
    let mut pages: Vec<Option<SeriesPage>> = pages.into_iter().map(Some).collect();
    let mut requeue = Vec::new();
    let mut out = Vec::new();
    for pending in batch {
        let found = pages
            .iter_mut()
            .find(|p| p.as_ref().is_some_and(|p| answers(p, &pending.series)))
            .and_then(Option::take);
        let Some(mut page) = found else { continue };
        let got = page.points.points.len() as u64;
        let remaining = pending.remaining.map(|r| r.saturating_sub(got));
        // A cursor on an empty page would ask for the same page again.
        let more = page
            .next_cursor
            .take()
            .filter(|c| !c.is_empty() && got > 0 && remaining != Some(0));
        if let Some(cursor) = more {
            requeue.push(Pending {
                series: pending.series.clone(),
                cursor: Some(cursor),
                remaining,
            });
        }
        page.points.series = pending.series;
        if !page.points.points.is_empty() {
            out.push(page.points);
        }
    }
    (requeue, out)
}

fn answers(page: &SeriesPage, series: &SeriesId) -> bool {
    match series {
        SeriesId::Id(id) => page.points.id == *id,
        SeriesId::ExternalId(x) => page.points.external_id.as_deref() == Some(x),
        SeriesId::InstanceId { space, external_id } => page
            .instance_id
            .as_ref()
            .is_some_and(|(s, x)| s == space && x == external_id),
    }
}

/// Decodes on tokio's blocking pool: a full page is megabytes, and answers
/// that arrive together then decode on every core.
async fn decode_elsewhere(
    answer: Response,
    aggregates: Vec<Aggregate>,
) -> Result<Vec<SeriesPage>, Error> {
    match tokio::task::spawn_blocking(move || decode(&answer, &aggregates)).await {
        Ok(decoded) => decoded,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(Error::Config(
            "the async runtime shut down while datapoints were decoded".into(),
        )),
    }
}

/// The answer in whichever format the server chose (it may ignore Accept).
pub fn decode(answer: &Response, aggregates: &[Aggregate]) -> Result<Vec<SeriesPage>, Error> {
    let protobuf = answer
        .content_type()
        .is_some_and(|t| t.starts_with(PROTOBUF));
    let decoded = if protobuf {
        decode_protobuf(&answer.body, aggregates)
    } else {
        decode_json(&answer.body, aggregates)
    };
    decoded.map_err(|message| Error::Decode {
        status: answer.status,
        source: <serde_json::Error as serde::de::Error>::custom(message),
        body: super::error::preview(&String::from_utf8_lossy(&answer.body), 500),
        request_id: answer.request_id().map(str::to_string),
    })
}

pub fn decode_protobuf(bytes: &[u8], aggregates: &[Aggregate]) -> Result<Vec<SeriesPage>, String> {
    let list = <wire::ListResponse as prost::Message>::decode(bytes)
        .map_err(|e| format!("datapoints protobuf: {e}"))?;
    Ok(list
        .items
        .into_iter()
        .map(|i| wire_item(i, aggregates))
        .collect())
}

fn wire_item(item: wire::ListItem, aggregates: &[Aggregate]) -> SeriesPage {
    let text = |s: String| Some(s).filter(|s| !s.is_empty());
    let status = |s: Option<wire::Status>| {
        s.map(|s| Status {
            code: s.code,
            symbol: text(s.symbol),
        })
    };
    let points = match item.kind {
        Some(wire::Kind::Numeric(n)) => Points::Numeric(
            n.points
                .into_iter()
                .map(|p| NumericPoint {
                    timestamp: p.timestamp,
                    value: (!p.null_value).then_some(p.value),
                    status: status(p.status),
                })
                .collect(),
        ),
        Some(wire::Kind::String(s)) => Points::String(
            s.points
                .into_iter()
                .map(|p| StringPoint {
                    timestamp: p.timestamp,
                    value: (!p.null_value).then_some(p.value),
                    status: status(p.status),
                })
                .collect(),
        ),
        Some(wire::Kind::Aggregates(a)) => Points::Aggregates(
            a.points
                .iter()
                .map(|p| wire_aggregate(p, aggregates))
                .collect(),
        ),
        None if !aggregates.is_empty() => Points::Aggregates(Vec::new()),
        None if item.is_string => Points::String(Vec::new()),
        None => Points::Numeric(Vec::new()),
    };
    SeriesPage {
        points: SeriesPoints {
            series: SeriesId::Id(item.id),
            id: item.id,
            external_id: text(item.external_id),
            is_string: item.is_string,
            is_step: item.is_step,
            unit: text(item.unit),
            unit_external_id: text(item.unit_external_id),
            points,
        },
        next_cursor: text(item.next_cursor),
        instance_id: item.instance_id.map(|i| (i.space, i.external_id)),
    }
}

fn wire_aggregate(p: &WireAggregate, aggregates: &[Aggregate]) -> AggregatePoint {
    let mut point = AggregatePoint {
        timestamp: p.timestamp,
        ..AggregatePoint::default()
    };
    for a in aggregates {
        point.set(*a, Some(p.get(*a)));
    }
    point
}

#[derive(Deserialize)]
struct JsonList {
    items: Vec<JsonItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonItem {
    id: i64,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    instance_id: Option<JsonInstanceId>,
    #[serde(default)]
    is_string: bool,
    #[serde(default)]
    is_step: bool,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    unit_external_id: Option<String>,
    #[serde(default)]
    next_cursor: Option<String>,
    #[serde(default)]
    datapoints: Vec<JsonPoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonInstanceId {
    space: String,
    external_id: String,
}

/// A point's value in JSON: text for string series, a number otherwise,
/// where NaN and the infinities come as `"NaN"`, `"Infinity"`, `"-Infinity"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum JsonScalar {
    Number(f64),
    Text(String),
}

impl JsonScalar {
    fn number(self, id: i64) -> Result<f64, String> {
        match self {
            JsonScalar::Number(x) => Ok(x),
            JsonScalar::Text(t) => match t.as_str() {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                other => Err(format!(
                    "datapoints JSON of series id {id}: {other:?} is not a number"
                )),
            },
        }
    }

    fn text(self, id: i64) -> Result<String, String> {
        match self {
            JsonScalar::Text(t) => Ok(t),
            JsonScalar::Number(x) => Err(format!(
                "datapoints JSON of series id {id}: {x} in a string series"
            )),
        }
    }
}

pub fn decode_json(bytes: &[u8], aggregates: &[Aggregate]) -> Result<Vec<SeriesPage>, String> {
    let list: JsonList =
        serde_json::from_slice(bytes).map_err(|e| format!("datapoints JSON: {e}"))?;
    list.items
        .into_iter()
        .map(|item| json_item(item, aggregates))
        .collect()
}

fn json_item(item: JsonItem, aggregates: &[Aggregate]) -> Result<SeriesPage, String> {
    let id = item.id;
    let list = item.datapoints;
    let points = if !aggregates.is_empty() {
        Points::Aggregates(list.into_iter().map(JsonPoint::into_aggregate).collect())
    } else if item.is_string {
        let mut points = Vec::with_capacity(list.len());
        for p in list {
            points.push(StringPoint {
                timestamp: p.timestamp,
                value: p.value.map(|v| v.text(id)).transpose()?,
                status: p.status,
            });
        }
        Points::String(points)
    } else {
        let mut points = Vec::with_capacity(list.len());
        for p in list {
            points.push(NumericPoint {
                timestamp: p.timestamp,
                value: p.value.map(|v| v.number(id)).transpose()?,
                status: p.status,
            });
        }
        Points::Numeric(points)
    };
    Ok(SeriesPage {
        points: SeriesPoints {
            series: SeriesId::Id(item.id),
            id: item.id,
            external_id: item.external_id,
            is_string: item.is_string,
            is_step: item.is_step,
            unit: item.unit,
            unit_external_id: item.unit_external_id,
            points,
        },
        next_cursor: item.next_cursor,
        instance_id: item.instance_id.map(|i| (i.space, i.external_id)),
    })
}

/// Cognite's datapoints messages (`com.cognite.v1.timeseries.proto`),
/// written from the documented field numbers.
pub(crate) mod wire {
    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ListResponse {
        #[prost(message, repeated, tag = "1")]
        pub(crate) items: Vec<ListItem>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct ListItem {
        #[prost(int64, tag = "1")]
        pub(crate) id: i64,
        #[prost(string, tag = "2")]
        pub(crate) external_id: String,
        #[prost(message, optional, tag = "11")]
        pub(crate) instance_id: Option<InstanceId>,
        #[prost(bool, tag = "6")]
        pub(crate) is_string: bool,
        #[prost(bool, tag = "7")]
        pub(crate) is_step: bool,
        #[prost(string, tag = "8")]
        pub(crate) unit: String,
        #[prost(string, tag = "9")]
        pub(crate) next_cursor: String,
        #[prost(string, tag = "10")]
        pub(crate) unit_external_id: String,
        #[prost(oneof = "Kind", tags = "3, 4, 5")]
        pub(crate) kind: Option<Kind>,
    }

    #[derive(Clone, PartialEq, prost::Oneof)]
    pub(crate) enum Kind {
        #[prost(message, tag = "3")]
        Numeric(NumericPoints),
        #[prost(message, tag = "4")]
        String(StringPoints),
        #[prost(message, tag = "5")]
        Aggregates(AggregatePoints),
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct InstanceId {
        #[prost(string, tag = "1")]
        pub(crate) space: String,
        #[prost(string, tag = "2")]
        pub(crate) external_id: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct Status {
        #[prost(int64, tag = "1")]
        pub(crate) code: i64,
        #[prost(string, tag = "2")]
        pub(crate) symbol: String,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct NumericPoint {
        #[prost(int64, tag = "1")]
        pub(crate) timestamp: i64,
        #[prost(double, tag = "2")]
        pub(crate) value: f64,
        #[prost(message, optional, tag = "3")]
        pub(crate) status: Option<Status>,
        #[prost(bool, tag = "4")]
        pub(crate) null_value: bool,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct NumericPoints {
        #[prost(message, repeated, tag = "1")]
        pub(crate) points: Vec<NumericPoint>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct StringPoint {
        #[prost(int64, tag = "1")]
        pub(crate) timestamp: i64,
        #[prost(string, tag = "2")]
        pub(crate) value: String,
        #[prost(message, optional, tag = "3")]
        pub(crate) status: Option<Status>,
        #[prost(bool, tag = "4")]
        pub(crate) null_value: bool,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct StringPoints {
        #[prost(message, repeated, tag = "1")]
        pub(crate) points: Vec<StringPoint>,
    }

    #[derive(Clone, PartialEq, prost::Message)]
    pub(crate) struct AggregatePoints {
        #[prost(message, repeated, tag = "1")]
        pub(crate) points: Vec<super::WireAggregate>,
    }
}

/// Answers as the API writes them, for servers in tests and benchmarks.
#[cfg(feature = "test-util")]
pub mod encode {
    use super::{Aggregate, Points, SeriesPage, wire};

    /// The protobuf answer of `pages`; aggregated points carry the
    /// `aggregates` asked for (proto3 has no absent number).
    pub fn protobuf(pages: &[SeriesPage]) -> Vec<u8> {
        let items = pages.iter().map(wire_item).collect();
        prost::Message::encode_to_vec(&wire::ListResponse { items })
    }

    fn wire_item(page: &SeriesPage) -> wire::ListItem {
        let p = &page.points;
        let status = |s: &Option<super::Status>| {
            s.as_ref().map(|s| wire::Status {
                code: s.code,
                symbol: s.symbol.clone().unwrap_or_default(),
            })
        };
        let kind = match &p.points {
            Points::Numeric(points) => wire::Kind::Numeric(wire::NumericPoints {
                points: points
                    .iter()
                    .map(|x| wire::NumericPoint {
                        timestamp: x.timestamp,
                        value: x.value.unwrap_or_default(),
                        status: status(&x.status),
                        null_value: x.value.is_none(),
                    })
                    .collect(),
            }),
            Points::String(points) => wire::Kind::String(wire::StringPoints {
                points: points
                    .iter()
                    .map(|x| wire::StringPoint {
                        timestamp: x.timestamp,
                        value: x.value.clone().unwrap_or_default(),
                        status: status(&x.status),
                        null_value: x.value.is_none(),
                    })
                    .collect(),
            }),
            Points::Aggregates(points) => wire::Kind::Aggregates(wire::AggregatePoints {
                points: points.iter().map(wire_aggregate).collect(),
            }),
        };
        wire::ListItem {
            id: p.id,
            external_id: p.external_id.clone().unwrap_or_default(),
            instance_id: page
                .instance_id
                .as_ref()
                .map(|(space, x)| wire::InstanceId {
                    space: space.clone(),
                    external_id: x.clone(),
                }),
            is_string: p.is_string,
            is_step: p.is_step,
            unit: p.unit.clone().unwrap_or_default(),
            next_cursor: page.next_cursor.clone().unwrap_or_default(),
            unit_external_id: p.unit_external_id.clone().unwrap_or_default(),
            kind: Some(kind),
        }
    }

    fn wire_aggregate(p: &super::AggregatePoint) -> super::WireAggregate {
        let mut w = super::WireAggregate {
            timestamp: p.timestamp,
            ..Default::default()
        };
        for a in ALL {
            if let Some(v) = p.get(a) {
                w.set(a, v);
            }
        }
        w
    }

    const ALL: [Aggregate; 16] = [
        Aggregate::Average,
        Aggregate::Max,
        Aggregate::Min,
        Aggregate::Count,
        Aggregate::Sum,
        Aggregate::Interpolation,
        Aggregate::StepInterpolation,
        Aggregate::ContinuousVariance,
        Aggregate::DiscreteVariance,
        Aggregate::TotalVariation,
        Aggregate::CountGood,
        Aggregate::CountUncertain,
        Aggregate::CountBad,
        Aggregate::DurationGood,
        Aggregate::DurationUncertain,
        Aggregate::DurationBad,
    ];

    /// The JSON answer of `pages`, written key by key (not through the
    /// decoder's types, so that a test of one checks the other).
    pub fn json(pages: &[SeriesPage]) -> Vec<u8> {
        let items: Vec<serde_json::Value> = pages.iter().map(json_item).collect();
        serde_json::json!({ "items": items })
            .to_string()
            .into_bytes()
    }

    fn json_item(page: &SeriesPage) -> serde_json::Value {
        let p = &page.points;
        let mut item = serde_json::json!({
            "id": p.id,
            "isString": p.is_string,
            "isStep": p.is_step,
        });
        let text = |v: &Option<String>| v.clone().map(serde_json::Value::from);
        for (key, value) in [
            ("externalId", text(&p.external_id)),
            ("unit", text(&p.unit)),
            ("unitExternalId", text(&p.unit_external_id)),
            ("nextCursor", text(&page.next_cursor)),
        ] {
            if let Some(value) = value {
                item[key] = value;
            }
        }
        if let Some((space, x)) = &page.instance_id {
            item["instanceId"] = serde_json::json!({ "space": space, "externalId": x });
        }
        let status = |s: &Option<super::Status>| {
            s.as_ref()
                .map(|s| serde_json::json!({ "code": s.code, "symbol": s.symbol }))
        };
        let points: Vec<serde_json::Value> = match &p.points {
            Points::Numeric(points) => points
                .iter()
                .map(|x| point(x.timestamp, x.value.map(number), status(&x.status)))
                .collect(),
            Points::String(points) => points
                .iter()
                .map(|x| {
                    point(
                        x.timestamp,
                        x.value.clone().map(Into::into),
                        status(&x.status),
                    )
                })
                .collect(),
            Points::Aggregates(points) => points
                .iter()
                .map(|x| {
                    let mut o = serde_json::json!({ "timestamp": x.timestamp });
                    for a in ALL {
                        if let Some(v) = x.get(a) {
                            o[a.name()] = number(v);
                        }
                    }
                    o
                })
                .collect(),
        };
        item["datapoints"] = points.into();
        item
    }

    fn point(
        timestamp: i64,
        value: Option<serde_json::Value>,
        status: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let mut o = serde_json::json!({ "timestamp": timestamp });
        if let Some(value) = value {
            o["value"] = value;
        }
        if let Some(status) = status {
            o["status"] = status;
        }
        o
    }

    /// JSON has no NaN or infinities; the API spells them as strings.
    fn number(x: f64) -> serde_json::Value {
        match serde_json::Number::from_f64(x) {
            Some(n) => n.into(),
            None if x.is_nan() => "NaN".into(),
            None if x > 0.0 => "Infinity".into(),
            None => "-Infinity".into(),
        }
    }
}
