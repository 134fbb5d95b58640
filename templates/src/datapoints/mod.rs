//! Time series datapoints at full speed: every point of many series, read
//! in protobuf (or JSON) over parallel requests that each follow their
//! series' own cursors.
//!
//! One request may name 100 series and carry 100 000 raw or 10 000
//! aggregated points in all; each series of the answer pages on with its
//! own `nextCursor`. [`Client::datapoints`](super::client::Client::datapoints)
//! packs the series into requests within those limits, keeps up to
//! `max_concurrency` of them in flight, and yields each page of each series
//! as it arrives. A series is in at
//! most one request at a time, so its points come in time order and each
//! exactly once; memory holds one page per request in flight.
//! [`Client::insert_datapoints`](super::client::Client::insert_datapoints)
//! writes any number of points, cutting series that are too large for one
//! request.
//!
//! Protobuf is not described by the OpenAPI document: the messages here are
//! written from Cognite's documented wire format (field numbers only).

use serde::Deserialize;

use super::error::Error;
use super::request::Response;

#[cfg(feature = "test-util")]
pub mod encode;
mod insert;
mod json;
mod read;
mod wire;

#[cfg(feature = "test-util")]
pub use insert::decode_insertion;
pub use insert::{InsertPoints, MAX_INSERT_ITEMS, MAX_INSERT_POINTS, SeriesInsert, pack};
pub use json::decode_json;
pub use read::DatapointsQuery;
pub use wire::decode_protobuf;

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

        /// An aggregated point of the JSON answer: the aggregates asked for.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub(super) struct JsonAggregate {
            timestamp: i64,
            $(#[serde(default)] $field: Option<f64>,)*
        }

        impl JsonAggregate {
            pub(super) fn into_point(self) -> AggregatePoint {
                AggregatePoint { timestamp: self.timestamp, $($field: self.$field,)* }
            }
        }

        /// The protobuf message of one aggregated point. proto3 sends no
        /// presence, so the decoder keeps only the aggregates asked for.
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

    /// Adds the next page's points of the same series; `false` (and
    /// nothing added) for a page of another kind, which one series never
    /// gives.
    fn append(&mut self, next: Points) -> bool {
        match (self, next) {
            (Points::Numeric(a), Points::Numeric(b)) => a.extend(b),
            (Points::String(a), Points::String(b)) => a.extend(b),
            (Points::Aggregates(a), Points::Aggregates(b)) => a.extend(b),
            _ => return false,
        }
        true
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

/// JSON has no NaN or infinities; the API spells them as strings.
fn json_number(x: f64) -> serde_json::Value {
    match serde_json::Number::from_f64(x) {
        Some(n) => n.into(),
        None if x.is_nan() => "NaN".into(),
        None if x > 0.0 => "Infinity".into(),
        None => "-Infinity".into(),
    }
}

/// A series as a request item names it.
fn series_json(series: &SeriesId) -> serde_json::Value {
    match series {
        SeriesId::Id(id) => serde_json::json!({ "id": id }),
        SeriesId::ExternalId(x) => serde_json::json!({ "externalId": x }),
        SeriesId::InstanceId { space, external_id } => serde_json::json!({
            "instanceId": { "space": space, "externalId": external_id }
        }),
    }
}
