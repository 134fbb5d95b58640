//! Answers as the API writes them, for servers in tests and benchmarks
//! (behind the `test-util` feature).

use super::super::test_server::{Answer, Seen};
use super::{Aggregate, JSON, PROTOBUF, Points, SeriesPage, wire};

/// The API's answer of `pages` to `request`: protobuf when it accepts it,
/// else JSON.
pub fn answer(request: &Seen, pages: &[SeriesPage]) -> Answer {
    let (body, kind) = if request.header("accept") == Some(PROTOBUF) {
        (protobuf(pages), PROTOBUF)
    } else {
        (json(pages), JSON)
    };
    Answer {
        status: 200,
        headers: vec![("content-type".into(), kind.into())],
        body,
        delay: std::time::Duration::ZERO,
        fault: None,
    }
}

/// The protobuf answer of `pages`; aggregated points carry the
/// `aggregates` asked for (proto3 has no absent number).
pub fn protobuf(pages: &[SeriesPage]) -> Vec<u8> {
    let items = pages.iter().map(wire_item).collect();
    prost::Message::encode_to_vec(&wire::ListResponse { items })
}

fn wire_item(page: &SeriesPage) -> wire::ListItem {
    let p = &page.points;
    let kind = match &p.points {
        Points::Numeric(points) => wire::Kind::Numeric(wire::numeric_points(points)),
        Points::String(points) => wire::Kind::String(wire::string_points(points)),
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
/// decoder's types, so that a test of one checks the other), and straight
/// into bytes: a benchmark's server must not be slower than the reader.
pub fn json(pages: &[SeriesPage]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        64 + pages
            .iter()
            .map(|p| 48 * p.points.points.len())
            .sum::<usize>(),
    );
    out.extend_from_slice(b"{\"items\":[");
    for (i, page) in pages.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_item(page, &mut out);
    }
    out.extend_from_slice(b"]}");
    out
}

/// Writes `value` as JSON (serializing these types cannot fail).
fn put<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(&mut *out, value);
}

fn json_item(page: &SeriesPage, out: &mut Vec<u8>) {
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
    // The head without its closing brace, then the points.
    put(out, &item);
    out.pop();
    out.extend_from_slice(b",\"datapoints\":[");
    let status = |s: &Option<super::Status>| {
        s.as_ref()
            .map(|s| serde_json::json!({ "code": s.code, "symbol": s.symbol }))
    };
    match &p.points {
        Points::Numeric(points) => {
            for (i, x) in points.iter().enumerate() {
                let value = x.value.map(super::json_number);
                point(out, i, x.timestamp, value.as_ref(), status(&x.status));
            }
        }
        Points::String(points) => {
            for (i, x) in points.iter().enumerate() {
                let value = x.value.clone().map(serde_json::Value::from);
                point(out, i, x.timestamp, value.as_ref(), status(&x.status));
            }
        }
        Points::Aggregates(points) => {
            for (i, x) in points.iter().enumerate() {
                let mut o = serde_json::json!({ "timestamp": x.timestamp });
                for a in ALL {
                    if let Some(v) = x.get(a) {
                        o[a.name()] = super::json_number(v);
                    }
                }
                if i > 0 {
                    out.push(b',');
                }
                put(out, &o);
            }
        }
    }
    out.extend_from_slice(b"]}");
}

fn point(
    out: &mut Vec<u8>,
    i: usize,
    timestamp: i64,
    value: Option<&serde_json::Value>,
    status: Option<serde_json::Value>,
) {
    if i > 0 {
        out.push(b',');
    }
    out.extend_from_slice(b"{\"timestamp\":");
    put(out, &timestamp);
    if let Some(value) = value {
        out.extend_from_slice(b",\"value\":");
        put(out, value);
    }
    if let Some(status) = status {
        out.extend_from_slice(b",\"status\":");
        put(out, &status);
    }
    out.push(b'}');
}
