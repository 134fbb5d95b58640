//! The JSON answer of the datapoints listing, for `DatapointsFormat::Json`
//! and for servers that ignore the Accept header.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::{
    Aggregate, JsonAggregate, NumericPoint, Points, SeriesId, SeriesPage, SeriesPoints, Status,
    StringPoint,
};

/// The answer, with points of type `P`: raw or aggregated, decided by the
/// query. (One type with every aggregate as a field would make each raw
/// point 17 fields wide.)
#[derive(Deserialize)]
#[serde(bound = "P: Deserialize<'de>")]
struct JsonList<P> {
    items: Vec<JsonItem<P>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", bound = "P: Deserialize<'de>")]
struct JsonItem<P> {
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
    #[serde(default = "Vec::new")]
    datapoints: Vec<P>,
}

/// A raw point of the JSON answer (or of an insertion).
#[derive(Deserialize)]
struct JsonRawPoint {
    timestamp: i64,
    #[serde(default)]
    value: Option<JsonScalar>,
    #[serde(default)]
    status: Option<Status>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonInstanceId {
    space: String,
    external_id: String,
}

/// A point's value in JSON: text for string series, a number otherwise,
/// where NaN and the infinities come as `"NaN"`, `"Infinity"`, `"-Infinity"`.
enum JsonScalar {
    Number(f64),
    Text(String),
}

/// By hand rather than `#[serde(untagged)]`, which buffers every value
/// before trying each variant: a third of the JSON decode time.
impl<'de> Deserialize<'de> for JsonScalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Scalar;
        impl Visitor<'_> for Scalar {
            type Value = JsonScalar;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string")
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<JsonScalar, E> {
                Ok(JsonScalar::Number(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<JsonScalar, E> {
                Ok(JsonScalar::Number(v as f64))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<JsonScalar, E> {
                Ok(JsonScalar::Number(v as f64))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonScalar, E> {
                Ok(JsonScalar::Text(v.to_string()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<JsonScalar, E> {
                Ok(JsonScalar::Text(v))
            }
        }
        d.deserialize_any(Scalar)
    }
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

/// A listing answer in JSON.
pub fn decode_json(bytes: &[u8], aggregates: &[Aggregate]) -> Result<Vec<SeriesPage>, String> {
    let failed = |e: serde_json::Error| format!("datapoints JSON: {e}");
    if !aggregates.is_empty() {
        let list: JsonList<JsonAggregate> = serde_json::from_slice(bytes).map_err(failed)?;
        let page = |mut item: JsonItem<JsonAggregate>| {
            let list = std::mem::take(&mut item.datapoints);
            let points = list.into_iter().map(JsonAggregate::into_point).collect();
            page(item.head(), Points::Aggregates(points))
        };
        return Ok(list.items.into_iter().map(page).collect());
    }
    let list: JsonList<JsonRawPoint> = serde_json::from_slice(bytes).map_err(failed)?;
    list.items
        .into_iter()
        .map(|mut item| {
            let list = std::mem::take(&mut item.datapoints);
            let points = if item.is_string {
                Points::String(strings(list, item.id)?)
            } else {
                Points::Numeric(numbers(list, item.id)?)
            };
            Ok(page(item.head(), points))
        })
        .collect()
}

impl<P> JsonItem<P> {
    /// The item without its points.
    fn head(self) -> JsonItem<()> {
        JsonItem {
            id: self.id,
            external_id: self.external_id,
            instance_id: self.instance_id,
            is_string: self.is_string,
            is_step: self.is_step,
            unit: self.unit,
            unit_external_id: self.unit_external_id,
            next_cursor: self.next_cursor,
            datapoints: Vec::new(),
        }
    }
}

fn page(item: JsonItem<()>, points: Points) -> SeriesPage {
    SeriesPage {
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
    }
}

fn strings(list: Vec<JsonRawPoint>, id: i64) -> Result<Vec<StringPoint>, String> {
    list.into_iter()
        .map(|p| {
            Ok(StringPoint {
                timestamp: p.timestamp,
                value: p.value.map(|v| v.text(id)).transpose()?,
                status: p.status,
            })
        })
        .collect()
}

fn numbers(list: Vec<JsonRawPoint>, id: i64) -> Result<Vec<NumericPoint>, String> {
    list.into_iter()
        .map(|p| {
            Ok(NumericPoint {
                timestamp: p.timestamp,
                value: p.value.map(|v| v.number(id)).transpose()?,
                status: p.status,
            })
        })
        .collect()
}

/// A JSON insertion item as a server reads it: the series is text when a
/// value is text other than the spelled-out non-finite numbers.
#[cfg(feature = "test-util")]
pub(super) fn insertion_item(item: &serde_json::Value) -> Result<super::SeriesInsert, String> {
    use super::InsertPoints;
    let series = if let Some(id) = item["id"].as_i64() {
        SeriesId::Id(id)
    } else if let Some(x) = item["externalId"].as_str() {
        SeriesId::ExternalId(x.to_string())
    } else {
        let i = &item["instanceId"];
        match (i["space"].as_str(), i["externalId"].as_str()) {
            (Some(space), Some(x)) => SeriesId::InstanceId {
                space: space.to_string(),
                external_id: x.to_string(),
            },
            _ => return Err(format!("no series in {item}")),
        }
    };
    let list: Vec<JsonRawPoint> =
        serde_json::from_value(item["datapoints"].clone()).map_err(|e| e.to_string())?;
    let spelled = ["NaN", "Infinity", "-Infinity"];
    let text = list
        .iter()
        .any(|p| matches!(&p.value, Some(JsonScalar::Text(t)) if !spelled.contains(&t.as_str())));
    let points = if text {
        InsertPoints::String(strings(list, 0)?)
    } else {
        InsertPoints::Numeric(numbers(list, 0)?)
    };
    Ok(super::SeriesInsert { series, points })
}
