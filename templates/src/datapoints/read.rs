//! The reader: series packed into requests, each following its own cursor.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;

use futures::stream::{self, BoxStream, FuturesUnordered, StreamExt};

use super::super::client::Client;
use super::super::error::Error;
use super::super::request::{Method, Request, Response};
use super::{
    Aggregate, DatapointsFormat, JSON, MAX_AGGREGATE_POINTS, MAX_RAW_POINTS, MAX_SERIES, PROTOBUF,
    SeriesId, SeriesPage, SeriesPoints, decode, series_json,
};

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
    query: Arc<DatapointsQuery>,
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
        self.datapoints_at(super::super::DATAPOINTS_PATH, query)
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
            query: Arc::new(query),
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

impl Client {
    /// Every point of every series of `query`, gathered: one
    /// [`SeriesPoints`] per series that has points, in the query's order.
    /// For reads that fit in memory; stream with
    /// [`datapoints`](Self::datapoints) otherwise.
    pub async fn collect_datapoints(
        &self,
        query: DatapointsQuery,
    ) -> Result<Vec<SeriesPoints>, Error> {
        self.collect_datapoints_at(super::super::DATAPOINTS_PATH, query)
            .await
    }

    /// [`collect_datapoints`](Self::collect_datapoints) from `path`.
    pub async fn collect_datapoints_at(
        &self,
        path: &'static str,
        query: DatapointsQuery,
    ) -> Result<Vec<SeriesPoints>, Error> {
        let order = query.series.clone();
        let mut gathered: std::collections::HashMap<SeriesId, SeriesPoints> =
            std::collections::HashMap::new();
        let mut pages = self.datapoints_at(path, query);
        while let Some(page) = pages.next().await {
            let page = page?;
            let Some(all) = gathered.get_mut(&page.series) else {
                gathered.insert(page.series.clone(), page);
                continue;
            };
            if !all.points.append(page.points) {
                return Err(Error::Pagination(format!(
                    "datapoints of {}: pages of different kinds",
                    page.series
                )));
            }
        }
        Ok(order.iter().filter_map(|s| gathered.remove(s)).collect())
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
    query: Arc<DatapointsQuery>,
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
    settle(batch, pages)
}

fn request_body(query: &DatapointsQuery, batch: &[Pending], limits: &[u64]) -> serde_json::Value {
    let items: Vec<serde_json::Value> = batch
        .iter()
        .zip(limits)
        .map(|(p, limit)| {
            let mut item = series_json(&p.series);
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
fn settle(batch: Vec<Pending>, pages: Vec<SeriesPage>) -> Answer {
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
        if more.is_some() && more == pending.cursor {
            // The same page again, forever: a server fault, not a retry.
            return Err(Error::Pagination(format!(
                "datapoints of {}: the answer to cursor {:?} gave the same cursor",
                pending.series,
                more.unwrap_or_default()
            )));
        }
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
    Ok((requeue, out))
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
