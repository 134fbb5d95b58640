use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cdf_client_runtime::error::Error;
use cdf_client_runtime::pagination::{
    Cursor, IntoPage, Page, Partition, cursor_stream, partitioned, partitioned_stream, stream,
};
use futures::StreamExt;

use super::common::within;

fn page(items: &[u32], next: Option<&str>) -> Page<u32> {
    Page {
        items: items.to_vec(),
        next_cursor: next.map(str::to_owned),
    }
}

#[tokio::test]
async fn cursors_are_followed_to_the_end() {
    within(async {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let items: Vec<u32> = cursor_stream(move |cursor: Option<String>| {
            log.lock().unwrap().push(cursor.clone());
            async move {
                Ok(match cursor.as_deref() {
                    None => page(&[1, 2], Some("c1")),
                    Some("c1") => page(&[3, 4], Some("c2")),
                    Some("c2") => page(&[5], None),
                    Some(other) => panic!("unexpected cursor {other}"),
                })
            }
        })
        .map(|r| r.unwrap())
        .collect()
        .await;
        assert_eq!(items, [1, 2, 3, 4, 5]);
        assert_eq!(
            *asked.lock().unwrap(),
            [None, Some("c1".into()), Some("c2".into())]
        );
    })
    .await;
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream_with_an_error() {
    within(async {
        let got: Vec<Result<u32, Error>> = cursor_stream(|cursor: Option<String>| async move {
            Ok(match cursor.as_deref() {
                None => page(&[1], Some("a")),
                Some("a") => page(&[2], Some("b")),
                _ => page(&[3], Some("a")),
            })
        })
        .take(100)
        .collect()
        .await;
        assert_eq!(got.len(), 4, "{got:?}");
        let ok: Vec<u32> = got[..3].iter().map(|r| *r.as_ref().unwrap()).collect();
        assert_eq!(ok, [1, 2, 3]);
        assert!(matches!(got[3], Err(Error::Pagination(_))), "{got:?}");
    })
    .await;
}

#[tokio::test]
async fn the_first_error_ends_the_stream() {
    within(async {
        let got: Vec<Result<u32, Error>> = cursor_stream(|cursor: Option<String>| async move {
            match cursor {
                None => Ok(page(&[1], Some("a"))),
                Some(_) => Err(Error::InvalidRequest("boom".into())),
            }
        })
        .take(100)
        .collect()
        .await;
        assert_eq!(got.len(), 2);
        assert!(matches!(got[1], Err(Error::InvalidRequest(_))));
    })
    .await;
}

#[tokio::test]
async fn partitions_cover_every_item_once() {
    within(async {
        let fetch = |partition: String, cursor: Option<String>| async move {
            let (k, n) = partition.split_once('/').unwrap();
            assert_eq!(n, "4");
            let k: u32 = k.parse().unwrap();
            assert!((1..=4).contains(&k));
            Ok(match cursor {
                None => page(&[k * 10, k * 10 + 1], Some(&format!("p{k}"))),
                Some(c) => {
                    assert_eq!(c, format!("p{k}"));
                    page(&[k * 10 + 2], None)
                }
            })
        };
        let mut seen = BTreeMap::new();
        let mut stream = std::pin::pin!(partitioned_stream(4, fetch));
        while let Some(item) = stream.next().await {
            *seen.entry(item.unwrap()).or_insert(0) += 1;
        }
        let expected: Vec<u32> = (1..=4)
            .flat_map(|k| [k * 10, k * 10 + 1, k * 10 + 2])
            .collect();
        assert_eq!(seen.keys().copied().collect::<Vec<_>>(), expected);
        assert!(seen.values().all(|&n| n == 1), "{seen:?}");
    })
    .await;
}

#[tokio::test]
async fn partition_count_is_checked() {
    within(async {
        for n in [0, 11] {
            let got: Vec<Result<u32, Error>> =
                partitioned_stream(n, |_: String, _: Option<String>| async {
                    Ok(page(&[1], None))
                })
                .collect()
                .await;
            assert_eq!(got.len(), 1);
            assert!(matches!(got[0], Err(Error::InvalidRequest(_))), "{got:?}");
        }
    })
    .await;
}

#[test]
fn streams_are_send_when_fetch_is() {
    fn assert_send<T: Send>(_: &T) {}
    let s = partitioned_stream(2, |_: String, _: Option<String>| async {
        Ok::<_, Error>(page(&[1], None))
    });
    assert_send(&s);
}

/// A paged request as the generated crate makes one: a cursor and a
/// partition field, whatever else it carries.
#[derive(Clone, Debug, Default)]
struct Listing {
    limit: u32,
    cursor: Option<String>,
    partition: Option<String>,
}

impl Cursor for Listing {
    fn cursor(&mut self) -> &mut Option<String> {
        &mut self.cursor
    }
}

impl Partition for Listing {
    fn partition(&mut self) -> &mut Option<String> {
        &mut self.partition
    }
}

/// An answer as the spec shapes it: optional items, a next cursor.
struct Answer {
    items: Option<Vec<u32>>,
    next: Option<String>,
}

impl IntoPage for Answer {
    type Item = u32;
    fn into_page(self) -> Page<u32> {
        Page {
            items: self.items.unwrap_or_default(),
            next_cursor: self.next,
        }
    }
}

#[tokio::test]
async fn a_stream_resumes_from_the_callers_cursor_and_keeps_the_rest_of_the_request() {
    within(async {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let start = Listing {
            limit: 7,
            cursor: Some("c1".into()),
            partition: None,
        };
        let items: Vec<u32> = stream(start, move |r: Listing| {
            log.lock().unwrap().push((r.limit, r.cursor.clone()));
            async move {
                Ok(match r.cursor.as_deref() {
                    Some("c1") => Answer {
                        items: Some(vec![3]),
                        next: Some("c2".into()),
                    },
                    Some("c2") => Answer {
                        items: None,
                        next: None,
                    },
                    other => panic!("unexpected cursor {other:?}"),
                })
            }
        })
        .map(|r| r.unwrap())
        .collect()
        .await;
        assert_eq!(items, [3]);
        assert_eq!(
            *asked.lock().unwrap(),
            [(7, Some("c1".into())), (7, Some("c2".into()))]
        );
    })
    .await;
}

#[tokio::test]
async fn partitions_each_get_their_share_and_a_null_answer_is_an_empty_page() {
    within(async {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let request = Listing {
            limit: 5,
            ..Listing::default()
        };
        let mut items: Vec<u32> = partitioned(request, 3, move |r: Listing| {
            log.lock().unwrap().push(r.partition.clone());
            async move {
                let share = r.partition.as_deref().unwrap_or_default().to_string();
                Ok(match share.as_str() {
                    "1/3" => Some(Answer {
                        items: Some(vec![1, 2]),
                        next: None,
                    }),
                    "2/3" => Some(Answer {
                        items: Some(vec![3]),
                        next: None,
                    }),
                    _ => None,
                })
            }
        })
        .map(|r| r.unwrap())
        .collect()
        .await;
        items.sort();
        assert_eq!(items, [1, 2, 3]);
        let mut shares = asked.lock().unwrap().clone();
        shares.sort();
        assert_eq!(
            shares,
            [Some("1/3".into()), Some("2/3".into()), Some("3/3".into())]
        );
    })
    .await;
}
