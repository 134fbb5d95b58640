//! Cognite's datapoints messages (`com.cognite.v1.timeseries.proto`),
//! written from the documented field numbers and declared with prost's
//! derive (no protoc, no build script). The message types keep the wire's
//! names; the crate's own types are named through `super::`.

use super::insert::{InsertPoints, SeriesInsert};
use super::{Aggregate, AggregatePoint, Points, SeriesId, SeriesPage, SeriesPoints};

/// A listing answer in protobuf.
pub fn decode_protobuf(bytes: &[u8], aggregates: &[Aggregate]) -> Result<Vec<SeriesPage>, String> {
    let list = <ListResponse as prost::Message>::decode(bytes)
        .map_err(|e| format!("datapoints protobuf: {e}"))?;
    Ok(list
        .items
        .into_iter()
        .map(|i| page(i, aggregates))
        .collect())
}

/// Proto3 sends no empty string: empty means absent.
fn text(s: String) -> Option<String> {
    Some(s).filter(|s| !s.is_empty())
}

fn status(s: Option<Status>) -> Option<super::Status> {
    s.map(|s| super::Status {
        code: s.code,
        symbol: text(s.symbol),
    })
}

fn page(item: ListItem, aggregates: &[Aggregate]) -> SeriesPage {
    let points = match item.kind {
        Some(Kind::Numeric(n)) => Points::Numeric(numeric_from(n)),
        Some(Kind::String(s)) => Points::String(string_from(s)),
        Some(Kind::Aggregates(a)) => {
            Points::Aggregates(a.points.iter().map(|p| aggregate(p, aggregates)).collect())
        }
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

/// The wire form of numeric points (also what an insertion sends).
pub(super) fn numeric_points(points: &[super::NumericPoint]) -> NumericPoints {
    NumericPoints {
        points: points
            .iter()
            .map(|x| NumericPoint {
                timestamp: x.timestamp,
                value: x.value.unwrap_or_default(),
                status: wire_status(&x.status),
                null_value: x.value.is_none(),
            })
            .collect(),
    }
}

pub(super) fn string_points(points: &[super::StringPoint]) -> StringPoints {
    StringPoints {
        points: points
            .iter()
            .map(|x| StringPoint {
                timestamp: x.timestamp,
                value: x.value.clone().unwrap_or_default(),
                status: wire_status(&x.status),
                null_value: x.value.is_none(),
            })
            .collect(),
    }
}

fn wire_status(s: &Option<super::Status>) -> Option<Status> {
    s.as_ref().map(|s| Status {
        code: s.code,
        symbol: s.symbol.clone().unwrap_or_default(),
    })
}

fn numeric_from(n: NumericPoints) -> Vec<super::NumericPoint> {
    n.points
        .into_iter()
        .map(|p| super::NumericPoint {
            timestamp: p.timestamp,
            value: (!p.null_value).then_some(p.value),
            status: status(p.status),
        })
        .collect()
}

fn string_from(s: StringPoints) -> Vec<super::StringPoint> {
    s.points
        .into_iter()
        .map(|p| super::StringPoint {
            timestamp: p.timestamp,
            value: (!p.null_value).then_some(p.value),
            status: status(p.status),
        })
        .collect()
}

/// Proto3 has no absent number, so only the aggregates asked for are kept.
fn aggregate(p: &super::WireAggregate, aggregates: &[Aggregate]) -> AggregatePoint {
    let mut point = AggregatePoint {
        timestamp: p.timestamp,
        ..AggregatePoint::default()
    };
    for a in aggregates {
        point.set(*a, Some(p.get(*a)));
    }
    point
}

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

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct InsertRequest {
    #[prost(message, repeated, tag = "1")]
    pub(crate) items: Vec<InsertItem>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct InsertItem {
    #[prost(oneof = "Reference", tags = "1, 2, 5")]
    pub(crate) series: Option<Reference>,
    #[prost(oneof = "InsertKind", tags = "3, 4")]
    pub(crate) kind: Option<InsertKind>,
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub(crate) enum Reference {
    #[prost(int64, tag = "1")]
    Id(i64),
    #[prost(string, tag = "2")]
    ExternalId(String),
    #[prost(message, tag = "5")]
    InstanceId(InstanceId),
}

#[derive(Clone, PartialEq, prost::Oneof)]
pub(crate) enum InsertKind {
    #[prost(message, tag = "3")]
    Numeric(NumericPoints),
    #[prost(message, tag = "4")]
    String(StringPoints),
}

/// The protobuf insertion request of `chunk`.
pub(super) fn insertion(chunk: &[SeriesInsert]) -> InsertRequest {
    let items = chunk
        .iter()
        .map(|item| InsertItem {
            series: Some(match &item.series {
                SeriesId::Id(id) => Reference::Id(*id),
                SeriesId::ExternalId(x) => Reference::ExternalId(x.clone()),
                SeriesId::InstanceId { space, external_id } => Reference::InstanceId(InstanceId {
                    space: space.clone(),
                    external_id: external_id.clone(),
                }),
            }),
            kind: Some(match &item.points {
                InsertPoints::Numeric(p) => InsertKind::Numeric(numeric_points(p)),
                InsertPoints::String(p) => InsertKind::String(string_points(p)),
            }),
        })
        .collect();
    InsertRequest { items }
}

/// What a server reads from a protobuf insertion request.
#[cfg(feature = "test-util")]
pub(super) fn decode_insertion(bytes: &[u8]) -> Result<Vec<SeriesInsert>, String> {
    let request = <InsertRequest as prost::Message>::decode(bytes).map_err(|e| e.to_string())?;
    request
        .items
        .into_iter()
        .map(|item| {
            let series = match item.series.ok_or("an item names no series")? {
                Reference::Id(id) => SeriesId::Id(id),
                Reference::ExternalId(x) => SeriesId::ExternalId(x),
                Reference::InstanceId(i) => SeriesId::InstanceId {
                    space: i.space,
                    external_id: i.external_id,
                },
            };
            let points = match item.kind.ok_or("an item has no points")? {
                InsertKind::Numeric(n) => InsertPoints::Numeric(numeric_from(n)),
                InsertKind::String(s) => InsertPoints::String(string_from(s)),
            };
            Ok(SeriesInsert { series, points })
        })
        .collect()
}
