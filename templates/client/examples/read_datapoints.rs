//! Reads every raw point of the last 24 hours of some time series (by
//! externalId, or by id when the argument is a number), in protobuf over
//! parallel requests, and prints each series' count, first and last point;
//! then the hourly averages of the same series, gathered in one call.
//!
//! `cargo run --example read_datapoints -- pump-1-pressure 4711`

mod common;

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use cdf_client::runtime::datapoints::{Aggregate, DatapointsQuery, Points, SeriesId};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), cdf_client::Error> {
    let series: Vec<SeriesId> = std::env::args()
        .skip(1)
        .map(|a| match a.parse::<i64>() {
            Ok(id) => SeriesId::Id(id),
            Err(_) => SeriesId::ExternalId(a),
        })
        .collect();
    if series.is_empty() {
        eprintln!("usage: read_datapoints <externalId or id>...");
        return Ok(());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let day_ago = now - 24 * 3600 * 1000;
    let client = common::client_from_env()?;

    // Pages arrive per series, in time order within each series; nothing
    // but the counts is kept, so memory stays flat however long the range.
    let mut seen: BTreeMap<SeriesId, (usize, Option<i64>, Option<i64>)> = BTreeMap::new();
    let mut pages = client.datapoints(DatapointsQuery::raw(series.clone(), day_ago, now));
    while let Some(page) = pages.next().await {
        let page = page?;
        let (first, last) = match &page.points {
            Points::Numeric(p) => (p.first().map(|x| x.timestamp), p.last().map(|x| x.timestamp)),
            Points::String(p) => (p.first().map(|x| x.timestamp), p.last().map(|x| x.timestamp)),
            Points::Aggregates(p) => (p.first().map(|x| x.timestamp), p.last().map(|x| x.timestamp)),
        };
        let entry = seen.entry(page.series.clone()).or_default();
        entry.0 += page.points.len();
        entry.1 = entry.1.or(first);
        entry.2 = last.or(entry.2);
    }
    for (series, (count, first, last)) in &seen {
        println!("{series}: {count} points, {first:?} ..= {last:?}");
    }

    let hourly = DatapointsQuery::raw(series, day_ago, now).aggregates([Aggregate::Average], "1h");
    for s in client.collect_datapoints(hourly).await? {
        if let Points::Aggregates(points) = &s.points {
            let averages: Vec<Option<f64>> = points.iter().map(|p| p.average).collect();
            println!("{}: hourly averages {averages:?}", s.series);
        }
    }
    Ok(())
}
