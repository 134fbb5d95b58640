//! Calls with more items than one request may carry.
//!
//! CDF caps the `items` of a request (`maxItems` in the spec, and a few
//! totals that only the prose documents, such as 100 000 datapoints per
//! insert). A bulk call splits any number of items into chunks that fit,
//! sends the chunks concurrently, and puts the answers back in input order.
//!
//! Concurrency is bounded twice: a bulk call keeps at most
//! `min(options, client max_concurrency)` chunks in flight, and every
//! request, retries included, also waits for the client-wide limit shared
//! with all other calls. A chunk is never retried here: the client's retry
//! rules apply (429 always; 5xx and broken answers only where the request is
//! idempotent), so a write that may have landed is not sent twice.
//!
//! Failure loses nothing: [`BulkError`] gives back every input item with the
//! outcome of its chunk — done (with the answer), failed (with the error,
//! `missing`/`duplicated` included), or not attempted.

use std::fmt;
use std::future::Future;
use std::ops::Range;

use futures::stream::{FuturesUnordered, StreamExt};
use serde::Serialize;
use serde_json::Value;

use super::client::Client;
use super::error::Error;
use super::validate::Validator;

/// A documented per-request total beside the item count: the number of
/// values found at `path` (JSON keys from an item; arrays on the way are
/// walked through) summed over all items of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub path: &'static [&'static str],
    pub max: usize,
}

/// What one request of an operation may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_items: usize,
    pub totals: &'static [Total],
}

/// What to do after a chunk fails.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnFailure {
    /// Start no further chunks (those in flight finish, so their outcome is
    /// known). The default: after an error nothing unexpected happens.
    #[default]
    Stop,
    /// Send every chunk and report all failures at the end.
    Continue,
}

/// How a bulk call runs; `BulkOptions::default()` fits most uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkOptions {
    pub on_failure: OnFailure,
    /// Chunks in flight at once; never more than the client's
    /// `max_concurrency`, which is the default.
    pub concurrency: Option<usize>,
    /// Items per request, when smaller than the operation's limit.
    pub chunk_size: Option<usize>,
}

impl BulkOptions {
    /// Sends every chunk even after one fails.
    pub fn carry_on(mut self) -> Self {
        self.on_failure = OnFailure::Continue;
        self
    }

    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = Some(n);
        self
    }

    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = Some(n);
        self
    }
}

/// The outcome of one chunk.
#[derive(Debug)]
pub enum Outcome<R> {
    /// The server answered 2xx with this.
    Done(R),
    /// The request failed, after the client's retries; or it was refused
    /// before sending (`Error::InvalidRequest`/`Error::Encode`).
    Failed(Error),
    /// Not sent, because an earlier chunk failed (or could not be planned).
    NotAttempted,
}

/// A run of input items sent (or not) in one request.
#[derive(Debug)]
pub struct Chunk<R> {
    /// Indices into the input items.
    pub range: Range<usize>,
    pub outcome: Outcome<R>,
}

/// A bulk call that did not fully succeed: every input item, and what
/// happened to each chunk of them, in input order.
pub struct BulkError<I, R> {
    items: Vec<I>,
    chunks: Vec<Chunk<R>>,
}

impl<I, R> BulkError<I, R> {
    /// All input items, in input order.
    pub fn items(&self) -> &[I] {
        &self.items
    }

    /// Every chunk in input order; their ranges cover all items.
    pub fn chunks(&self) -> &[Chunk<R>] {
        &self.chunks
    }

    /// Items whose chunk succeeded (written, for a write).
    pub fn succeeded(&self) -> impl Iterator<Item = &I> {
        self.select(|o| matches!(o, Outcome::Done(_)))
    }

    /// Items whose chunk was not sent.
    pub fn not_attempted(&self) -> impl Iterator<Item = &I> {
        self.select(|o| matches!(o, Outcome::NotAttempted))
    }

    /// Each failed chunk's items with its error.
    pub fn failed(&self) -> impl Iterator<Item = (&[I], &Error)> {
        self.chunks.iter().filter_map(|c| match &c.outcome {
            Outcome::Failed(e) => Some((&self.items[c.range.clone()], e)),
            _ => None,
        })
    }

    /// The answers of the chunks that succeeded, in input order.
    pub fn responses(&self) -> impl Iterator<Item = &R> {
        self.chunks.iter().filter_map(|c| match &c.outcome {
            Outcome::Done(r) => Some(r),
            _ => None,
        })
    }

    pub fn into_parts(self) -> (Vec<I>, Vec<Chunk<R>>) {
        (self.items, self.chunks)
    }

    fn select(&self, pick: fn(&Outcome<R>) -> bool) -> impl Iterator<Item = &I> {
        self.chunks
            .iter()
            .filter(move |c| pick(&c.outcome))
            .flat_map(|c| &self.items[c.range.clone()])
    }

    fn count(&self, pick: fn(&Outcome<R>) -> bool) -> usize {
        self.chunks
            .iter()
            .filter(|c| pick(&c.outcome))
            .map(|c| c.range.len())
            .sum()
    }
}

/// How many failures a message spells out before summing up the rest.
const SHOWN_FAILURES: usize = 3;

impl<I, R> fmt::Display for BulkError<I, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bulk call of {} items in {} chunks: {} succeeded, {} failed, {} not attempted",
            self.items.len(),
            self.chunks.len(),
            self.count(|o| matches!(o, Outcome::Done(_))),
            self.count(|o| matches!(o, Outcome::Failed(_))),
            self.count(|o| matches!(o, Outcome::NotAttempted)),
        )?;
        let failures: Vec<(&Range<usize>, &Error)> = self
            .chunks
            .iter()
            .filter_map(|c| match &c.outcome {
                Outcome::Failed(e) => Some((&c.range, e)),
                _ => None,
            })
            .collect();
        for (range, error) in failures.iter().take(SHOWN_FAILURES) {
            write!(f, "; items {range:?}: {error}")?;
        }
        if failures.len() > SHOWN_FAILURES {
            write!(
                f,
                "; and {} more failed chunks",
                failures.len() - SHOWN_FAILURES
            )?;
        }
        Ok(())
    }
}

/// Chunk ranges and outcomes, not the items (thousands of them help no one in a log).
impl<I, R> fmt::Debug for BulkError<I, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chunks: Vec<(Range<usize>, String)> = self
            .chunks
            .iter()
            .map(|c| {
                let outcome = match &c.outcome {
                    Outcome::Done(_) => "done".to_string(),
                    Outcome::Failed(e) => format!("failed: {e}"),
                    Outcome::NotAttempted => "not attempted".to_string(),
                };
                (c.range.clone(), outcome)
            })
            .collect();
        f.debug_struct("BulkError")
            .field("items", &self.items.len())
            .field("chunks", &chunks)
            .finish()
    }
}

impl<I, R> std::error::Error for BulkError<I, R> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.chunks.iter().find_map(|c| match &c.outcome {
            Outcome::Failed(e) => Some(e as &(dyn std::error::Error + 'static)),
            _ => None,
        })
    }
}

/// Sends `items` in chunks within `limits`; `send` makes the request for
/// one chunk. Ok holds one answer per chunk, in input order (empty input:
/// no request at all).
pub async fn run<I, R, F, Fut>(
    client: &Client,
    items: Vec<I>,
    limits: &Limits,
    options: &BulkOptions,
    send: F,
) -> Result<Vec<R>, BulkError<I, R>>
where
    I: Serialize,
    F: Fn(&[I]) -> Fut,
    Fut: Future<Output = Result<R, Error>>,
{
    let ranges = match plan(&items, limits, options.chunk_size) {
        Ok(ranges) => ranges,
        Err((at, error)) => return Err(refused(items, at, error)),
    };
    run_planned(client, items, ranges, options, send).await
}

/// Sends `items` in the chunks `ranges` (in order, covering every item)
/// already planned by the caller; the rest is as [`run`].
pub async fn run_planned<I, R, F, Fut>(
    client: &Client,
    items: Vec<I>,
    ranges: Vec<Range<usize>>,
    options: &BulkOptions,
    send: F,
) -> Result<Vec<R>, BulkError<I, R>>
where
    F: Fn(&[I]) -> Fut,
    Fut: Future<Output = Result<R, Error>>,
{
    let width = options
        .concurrency
        .unwrap_or(usize::MAX)
        .min(client.max_concurrency())
        .max(1);
    let mut outcomes: Vec<Outcome<R>> = ranges.iter().map(|_| Outcome::NotAttempted).collect();
    let mut running = FuturesUnordered::new();
    let mut next = 0;
    let mut stopped = false;
    loop {
        while !stopped && next < ranges.len() && running.len() < width {
            let k = next;
            let request = send(&items[ranges[k].clone()]);
            running.push(async move { (k, request.await) });
            next += 1;
        }
        // Drained even after a failure: a chunk in flight may have been
        // written, and the caller must learn which.
        let Some((k, result)) = running.next().await else {
            break;
        };
        outcomes[k] = match result {
            Ok(r) => Outcome::Done(r),
            Err(e) => {
                stopped |= options.on_failure == OnFailure::Stop;
                Outcome::Failed(e)
            }
        };
    }
    if outcomes.iter().all(|o| matches!(o, Outcome::Done(_))) {
        return Ok(outcomes
            .into_iter()
            .filter_map(|o| match o {
                Outcome::Done(r) => Some(r),
                _ => None,
            })
            .collect());
    }
    let chunks = ranges
        .into_iter()
        .zip(outcomes)
        .map(|(range, outcome)| Chunk { range, outcome })
        .collect();
    Err(BulkError { items, chunks })
}

/// Splits items greedily, in order, into ranges within the item limit and
/// every total. An item that alone breaks a total cannot be sent: its index
/// and the reason come back instead.
pub fn plan<I: Serialize>(
    items: &[I],
    limits: &Limits,
    chunk_size: Option<usize>,
) -> Result<Vec<Range<usize>>, (usize, Error)> {
    let cap = chunk_size
        .map_or(limits.max_items, |n| n.min(limits.max_items))
        .max(1);
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut sums = vec![0usize; limits.totals.len()];
    for (i, item) in items.iter().enumerate() {
        let weights = weigh(item, limits.totals).map_err(|e| (i, e))?;
        for (w, t) in weights.iter().zip(limits.totals) {
            if *w > t.max {
                let message = format!(
                    "items[{i}]: `{}` holds {w} values, and one request may carry at most {} in all",
                    t.path.join("."),
                    t.max
                );
                return Err((i, Error::InvalidRequest(message)));
            }
        }
        let fits = i - start < cap
            && sums
                .iter()
                .zip(&weights)
                .zip(limits.totals)
                .all(|((s, w), t)| s + w <= t.max);
        if !fits {
            ranges.push(start..i);
            start = i;
            sums.iter_mut().for_each(|s| *s = 0);
        }
        sums.iter_mut().zip(&weights).for_each(|(s, w)| *s += w);
    }
    if start < items.len() {
        ranges.push(start..items.len());
    }
    Ok(ranges)
}

fn weigh<I: Serialize>(item: &I, totals: &[Total]) -> Result<Vec<usize>, Error> {
    if totals.is_empty() {
        return Ok(Vec::new());
    }
    let value = serde_json::to_value(item).map_err(Error::Encode)?;
    Ok(totals.iter().map(|t| count(&value, t.path)).collect())
}

/// Values at `path` under `value`; arrays on the way are walked through,
/// and an array at the end counts its elements (nulls included).
fn count(value: &Value, path: &[&str]) -> usize {
    match (value, path.split_first()) {
        (Value::Array(a), None) => a.len(),
        (Value::Array(a), Some(_)) => a.iter().map(|v| count(v, path)).sum(),
        (Value::Object(o), Some((key, rest))) => o.get(*key).map_or(0, |v| count(v, rest)),
        (Value::Null, _) => 0,
        (_, None) => 1,
        (_, Some(_)) => 0,
    }
}

/// Checks every item against the spec's rules before any is sent, with
/// paths as in the whole body (`items[1234].externalId`), so a bad item is
/// named by its place in the input, not in its chunk. Nothing is sent
/// when one breaks a rule: the first bad item fails with
/// `Error::Validation` (listing every bad item), the rest are not attempted.
pub fn check_items<I, R>(
    client: &Client,
    field: &str,
    items: Vec<I>,
    check: impl Fn(&I, &mut Validator),
) -> Result<Vec<I>, BulkError<I, R>> {
    if !client.validates() {
        return Ok(items);
    }
    let mut v = Validator::default();
    let mut first = None;
    v.at(field, |v| {
        for (i, item) in items.iter().enumerate() {
            let before = v.broken();
            v.at(i, |v| check(item, v));
            if first.is_none() && v.broken() > before {
                first = Some(i);
            }
        }
    });
    match (first, v.finish()) {
        (Some(at), Err(invalid)) => Err(refused(items, at, Error::Validation(invalid))),
        _ => Ok(items),
    }
}

/// Nothing was sent: the item at `at` failed with `error`, the rest were
/// not attempted.
fn refused<I, R>(items: Vec<I>, at: usize, error: Error) -> BulkError<I, R> {
    let mut chunks = Vec::new();
    if at > 0 {
        chunks.push(Chunk {
            range: 0..at,
            outcome: Outcome::NotAttempted,
        });
    }
    chunks.push(Chunk {
        range: at..at + 1,
        outcome: Outcome::Failed(error),
    });
    if at + 1 < items.len() {
        chunks.push(Chunk {
            range: at + 1..items.len(),
            outcome: Outcome::NotAttempted,
        });
    }
    BulkError { items, chunks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PLAIN: Limits = Limits {
        max_items: 3,
        totals: &[],
    };
    const ROWS: Limits = Limits {
        max_items: 100,
        totals: &[
            Total {
                path: &["rows"],
                max: 4,
            },
            Total {
                path: &["rows", "values"],
                max: 7,
            },
        ],
    };

    fn seq(rows: usize, values: usize) -> Value {
        let row = json!({"values": vec![Value::Null; values]});
        json!({"rows": vec![row; rows]})
    }

    #[test]
    fn chunks_respect_the_item_limit_and_a_smaller_chunk_size() {
        let items: Vec<u32> = (0..10).collect();
        assert_eq!(
            plan(&items, &PLAIN, None).unwrap(),
            [0..3, 3..6, 6..9, 9..10]
        );
        assert_eq!(
            plan(&items, &PLAIN, Some(5)).unwrap().len(),
            4,
            "capped by maxItems"
        );
        assert_eq!(plan(&items, &PLAIN, Some(2)).unwrap().len(), 5);
        assert!(plan(&[] as &[u32], &PLAIN, None).unwrap().is_empty());
    }

    #[test]
    fn chunks_respect_every_total() {
        // rows 2, 2, 1, 3 and values 2, 2, 3, 6: the third item breaks the
        // row total (5 > 4), the fourth the value total (9 > 7).
        let items = vec![seq(2, 1), seq(2, 1), seq(1, 3), seq(3, 2)];
        assert_eq!(plan(&items, &ROWS, None).unwrap(), [0..2, 2..3, 3..4]);
    }

    #[test]
    fn an_item_over_a_total_is_refused_with_its_index() {
        let items = vec![seq(1, 1), seq(5, 0), seq(1, 1)];
        let (at, e) = plan(&items, &ROWS, None).unwrap_err();
        assert_eq!(at, 1);
        let text = e.to_string();
        assert!(
            text.contains("items[1]") && text.contains("`rows` holds 5"),
            "{text}"
        );
        let err: BulkError<Value, ()> = refused(items, at, e);
        assert_eq!(err.not_attempted().count(), 2);
        assert_eq!(err.failed().map(|(i, _)| i.len()).sum::<usize>(), 1);
    }

    #[test]
    fn counting_walks_arrays_and_ignores_missing_keys() {
        assert_eq!(count(&seq(3, 2), &["rows", "values"]), 6);
        assert_eq!(count(&json!({"other": 1}), &["rows"]), 0);
        assert_eq!(count(&json!({"rows": null}), &["rows"]), 0);
    }

    #[test]
    fn the_error_counts_items_by_outcome_and_names_failed_ranges() {
        let err: BulkError<u32, &str> = BulkError {
            items: (0..6).collect(),
            chunks: vec![
                Chunk {
                    range: 0..2,
                    outcome: Outcome::Done("ok"),
                },
                Chunk {
                    range: 2..4,
                    outcome: Outcome::Failed(Error::InvalidRequest("bad".into())),
                },
                Chunk {
                    range: 4..6,
                    outcome: Outcome::NotAttempted,
                },
            ],
        };
        let text = err.to_string();
        assert!(
            text.contains("2 succeeded, 2 failed, 2 not attempted") && text.contains("items 2..4"),
            "{text}"
        );
        assert_eq!(err.succeeded().copied().collect::<Vec<_>>(), [0, 1]);
        assert_eq!(err.not_attempted().copied().collect::<Vec<_>>(), [4, 5]);
        assert_eq!(err.responses().copied().collect::<Vec<_>>(), ["ok"]);
        assert!(format!("{err:?}").contains("not attempted"));
        assert!(std::error::Error::source(&err).is_some());
    }
}
