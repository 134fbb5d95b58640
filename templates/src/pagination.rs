//! Cursor pagination as streams of items.
//!
//! CDF list endpoints return `items` and a `nextCursor`; partitioned reads
//! split one listing into `m/n` shares that can be read in parallel. The
//! streams here hold one page per cursor chain, so memory does not grow with
//! the size of the listing.

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, Stream, StreamExt};

use super::error::Error;

/// One answer of a list endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Most partitions CDF accepts for one listing.
pub const MAX_PARTITIONS: u32 = 10;

enum Next {
    Cursor(Option<String>),
    Done,
}

/// Follows cursors until next_cursor is None; Err(Error::Pagination) if a cursor repeats (never loops forever); stops at the first error (yields it, then ends).
///
/// An empty cursor also ends the listing: sent back, it would restart it.
pub fn cursor_stream<'a, T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: FnMut(Option<String>) -> Fut + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + 'a,
{
    let start = (fetch, Next::Cursor(None), HashSet::new());
    stream::unfold(start, |(mut fetch, next, mut seen)| async move {
        let Next::Cursor(cursor) = next else {
            return None;
        };
        let page = match fetch(cursor).await {
            Ok(page) => page,
            Err(e) => return Some((vec![Err(e)], (fetch, Next::Done, seen))),
        };
        let mut out: Vec<Result<T, Error>> = page.items.into_iter().map(Ok).collect();
        let next = match page.next_cursor {
            Some(c) if c.is_empty() => Next::Done,
            None => Next::Done,
            Some(c) => {
                if seen.insert(c.clone()) {
                    Next::Cursor(Some(c))
                } else {
                    out.push(Err(Error::Pagination(format!(
                        "the server sent cursor {c:?} a second time; stopping so as not to loop"
                    ))));
                    Next::Done
                }
            }
        };
        Some((out, (fetch, next, seen)))
    })
    .flat_map(stream::iter)
}

/// n parallel cursor streams, partition "k/n" for k in 1..=n (the API's 1-based "m/n" format; n must be 1..=10 else the stream yields one Error::InvalidRequest), merged as items arrive; memory bounded by one page per partition.
///
/// Items come in no fixed order across partitions. An error in one
/// partition ends that partition only; the others run to their end.
pub fn partitioned_stream<'a, T, F, Fut>(
    partitions: u32,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + 'a
where
    T: 'a,
    F: Fn(String, Option<String>) -> Fut + Clone + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + 'a,
{
    if !(1..=MAX_PARTITIONS).contains(&partitions) {
        let e = Error::InvalidRequest(format!(
            "partitions must be 1 to {MAX_PARTITIONS}, not {partitions}"
        ));
        return futures::future::Either::Left(stream::once(async move { Err(e) }));
    }
    let streams = (1..=partitions).map(move |k| {
        let fetch = fetch.clone();
        let partition = format!("{k}/{partitions}");
        // Boxed to be `Unpin` for `select_all`; a concrete box keeps
        // the stream `Send` when the fetch is.
        Box::pin(cursor_stream(move |cursor| {
            fetch(partition.clone(), cursor)
        }))
    });
    futures::future::Either::Right(stream::select_all(streams))
}
