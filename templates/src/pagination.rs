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

/// A request that a listing stream sends again for every page: it carries
/// the cursor where the listing resumes. The generated crate implements it
/// for every paged request (a `Params` struct or a JSON body).
pub trait Cursor: Clone {
    /// The request's cursor field.
    fn cursor(&mut self) -> &mut Option<String>;
}

/// A request that a partitioned read splits into `m/n` shares.
pub trait Partition: Cursor {
    /// The request's partition field.
    fn partition(&mut self) -> &mut Option<String>;
}

/// The answer of a list endpoint, read as one page.
pub trait IntoPage {
    /// One item of the listing.
    type Item;
    /// The page's items and the cursor of the next one.
    fn into_page(self) -> Page<Self::Item>;
}

/// A page's items as an answer holds them: a list, or an optional one.
pub trait ItemsField<T> {
    /// The items, none when the answer leaves them out.
    fn into_items(self) -> Vec<T>;
}

impl<T> ItemsField<T> for Vec<T> {
    fn into_items(self) -> Vec<T> {
        self
    }
}

impl<T> ItemsField<T> for Option<Vec<T>> {
    fn into_items(self) -> Vec<T> {
        self.unwrap_or_default()
    }
}

/// The next cursor as an answer holds it: a string (empty on the last
/// page), or an optional one.
pub trait NextCursorField {
    /// The cursor of the next page, `None` on the last.
    fn into_cursor(self) -> Option<String>;
}

impl NextCursorField for String {
    fn into_cursor(self) -> Option<String> {
        Some(self).filter(|c| !c.is_empty())
    }
}

impl NextCursorField for Option<String> {
    fn into_cursor(self) -> Option<String> {
        self
    }
}

/// `Cursor` (and `Partition`) for a paged request, by its field names:
/// `paged_request!(AssetListScope, cursor, partition)` (the partition
/// field only where the request has one).
/// Expanded where `pagination` names this module.
#[allow(unused_macros)]
macro_rules! paged_request {
    ($name:ident, $cursor:ident $(, $partition:ident)?) => {
        impl pagination::Cursor for $name {
            fn cursor(&mut self) -> &mut Option<String> {
                &mut self.$cursor
            }
        }
        $(
            impl pagination::Partition for $name {
                fn partition(&mut self) -> &mut Option<String> {
                    &mut self.$partition
                }
            }
        )?
    };
}

#[allow(unused_imports)]
pub(crate) use paged_request;

/// `IntoPage` for a list endpoint's answer, by its field names:
/// `page!(AssetList => Asset, items, next_cursor)`. Expanded where
/// `pagination` names this module.
#[allow(unused_macros)]
macro_rules! page {
    ($name:ident => $item:ty, $items:ident, $next:ident) => {
        impl pagination::IntoPage for $name {
            type Item = $item;
            fn into_page(self) -> pagination::Page<$item> {
                pagination::Page {
                    items: pagination::ItemsField::into_items(self.$items),
                    next_cursor: pagination::NextCursorField::into_cursor(self.$next),
                }
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use page;

/// An answer the spec marks nullable: `null` is an empty last page.
impl<P: IntoPage> IntoPage for Option<P> {
    type Item = P::Item;
    fn into_page(self) -> Page<P::Item> {
        self.map_or_else(
            || Page {
                items: Vec::new(),
                next_cursor: None,
            },
            IntoPage::into_page,
        )
    }
}

/// Every item of a listing: `fetch` is called with `request`, its cursor
/// set to where the previous page left off (the caller's own cursor
/// first), until a page has no next cursor. See [`cursor_stream`].
pub fn stream<'a, R, A, F, Fut>(
    request: R,
    mut fetch: F,
) -> impl Stream<Item = Result<A::Item, Error>> + 'a
where
    R: Cursor + 'a,
    A: IntoPage,
    A::Item: 'a,
    F: FnMut(R) -> Fut + 'a,
    Fut: Future<Output = Result<A, Error>> + 'a,
{
    let mut first = Some(request.clone().cursor().take());
    cursor_stream(move |cursor| {
        let mut next = request.clone();
        *next.cursor() = first.take().flatten().or(cursor);
        let answer = fetch(next);
        async move { answer.await.map(IntoPage::into_page) }
    })
}

/// Every item of a listing read over `partitions` shares at once: `fetch`
/// is called with `request`, its partition and cursor set. See
/// [`partitioned_stream`].
pub fn partitioned<'a, R, A, F, Fut>(
    request: R,
    partitions: u32,
    fetch: F,
) -> impl Stream<Item = Result<A::Item, Error>> + 'a
where
    R: Partition + 'a,
    A: IntoPage,
    A::Item: 'a,
    F: Fn(R) -> Fut + Clone + 'a,
    Fut: Future<Output = Result<A, Error>> + 'a,
{
    partitioned_stream(partitions, move |partition, cursor| {
        let mut next = request.clone();
        *next.partition() = Some(partition);
        *next.cursor() = cursor;
        let answer = fetch(next);
        async move { answer.await.map(IntoPage::into_page) }
    })
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

#[cfg(test)]
mod tests {
    use super::super::pagination;
    use super::{Cursor, IntoPage, Page, Partition};

    #[derive(Clone, Default)]
    struct Scope {
        cursor: Option<String>,
        part: Option<String>,
    }
    pagination::paged_request!(Scope, cursor, part);

    struct Listed {
        items: Option<Vec<u8>>,
        next_cursor: String,
    }
    pagination::page!(Listed => u8, items, next_cursor);

    #[test]
    fn the_macros_read_the_fields_they_name() {
        let mut scope = Scope::default();
        *scope.cursor() = Some("c".into());
        *scope.partition() = Some("1/2".into());
        assert_eq!(scope.cursor.as_deref(), Some("c"));
        assert_eq!(scope.part.as_deref(), Some("1/2"));
        let last = Listed {
            items: None,
            next_cursor: String::new(),
        };
        assert_eq!(
            last.into_page(),
            Page {
                items: Vec::new(),
                next_cursor: None
            }
        );
        let more = Listed {
            items: Some(vec![1]),
            next_cursor: "n".into(),
        };
        assert_eq!(more.into_page().next_cursor.as_deref(), Some("n"));
    }
}
