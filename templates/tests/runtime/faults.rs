//! What a failing network and a failing server can do to a call, against
//! `test_server`: every case ends in the whole answer or in an error that
//! says what happened — never a hang, a loop, or silently fewer items.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cdf_client_runtime::client::Client;
use cdf_client_runtime::error::Error;
use cdf_client_runtime::pagination::{Page, cursor_stream, partitioned_stream};
use cdf_client_runtime::request::{Method, Request};
use cdf_client_runtime::test_server::{Answer, Fault, Seen, TestServer};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::common::{Captured, PROJECT_PATH, fast_retry, within};

const SECRET: &str = "client-secret-that-must-not-leak";

fn builder(server: &TestServer) -> cdf_client_runtime::builder::ClientBuilder {
    Client::builder()
        .base_url(format!("{}{PROJECT_PATH}", server.url()))
        .retry(fast_retry(4))
        .timeout(Duration::from_millis(500))
}

fn client(server: &TestServer) -> Client {
    builder(server).build().expect("client builds")
}

fn get() -> Request {
    Request::new(Method::GET, "/things", "/things".into())
}

fn post() -> Request {
    Request::new(Method::POST, "/things", "/things".into()).idempotent(false)
}

/// Answers with `make(n)` for the n-th request (1-based).
fn nth(make: impl Fn(usize) -> Answer + Send + Sync + 'static) -> impl Fn(&Seen) -> Answer {
    let calls = AtomicUsize::new(0);
    move |_| make(calls.fetch_add(1, Ordering::SeqCst) + 1)
}

fn ok_body() -> Value {
    json!({ "items": (0..100).collect::<Vec<u32>>() })
}

#[tokio::test]
async fn a_hangup_is_retried_for_reads_and_reported_for_writes() {
    within(async {
        let hangup_first = |n| match n {
            1 => Answer::json(200, &ok_body()).faulty(Fault::Hangup),
            _ => Answer::json(200, &ok_body()),
        };
        let server = TestServer::start(nth(hangup_first)).await.unwrap();
        let answer: Value = client(&server)
            .execute(get())
            .await
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(answer, ok_body());
        assert_eq!(server.requests(), 2);

        let server = TestServer::start(nth(hangup_first)).await.unwrap();
        let err = client(&server).execute(post()).await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert_eq!(
            server.requests(),
            1,
            "a write that may have landed is not sent again"
        );
    })
    .await;
}

#[tokio::test]
async fn a_body_cut_short_is_retried_for_reads_and_never_decoded() {
    within(async {
        let cut_twice = |n| match n {
            1 | 2 => Answer::json(200, &ok_body()).faulty(Fault::CutAfter(10)),
            _ => Answer::json(200, &ok_body()),
        };
        let server = TestServer::start(nth(cut_twice)).await.unwrap();
        let answer: Value = client(&server)
            .execute(get())
            .await
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(answer, ok_body(), "the whole answer, not a prefix");
        assert_eq!(server.requests(), 3);

        let always_cut = |_| Answer::json(200, &ok_body()).faulty(Fault::CutAfter(10));
        let server = TestServer::start(nth(always_cut)).await.unwrap();
        let err = client(&server).execute(get()).await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert_eq!(server.requests(), 4, "gives up after max_attempts");

        let server = TestServer::start(nth(always_cut)).await.unwrap();
        let err = client(&server).execute(post()).await.unwrap_err();
        assert!(matches!(err, Error::Transport(_)), "{err:?}");
        assert_eq!(server.requests(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_body_that_stalls_times_out_instead_of_hanging() {
    within(async {
        let stall = |_| {
            Answer::json(200, &ok_body()).faulty(Fault::StallAfter(10, Duration::from_secs(30)))
        };
        let server = TestServer::start(nth(stall)).await.unwrap();
        let client = builder(&server)
            .retry(fast_retry(2))
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = client.execute(get()).await.unwrap_err();
        let Error::Transport(e) = &err else {
            panic!("a transport timeout: {err:?}");
        };
        assert!(e.is_timeout(), "{e}");
        assert_eq!(server.requests(), 2, "a read is tried again");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    })
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_the_body_and_is_not_retried() {
    within(async {
        for body in [&b"{\"items\": [1, 2"[..], b"<html>proxy error</html>", b""] {
            let raw = body.to_vec();
            let server = TestServer::start(move |_: &Seen| Answer {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: raw.clone(),
                delay: Duration::ZERO,
                fault: None,
            })
            .await
            .unwrap();
            let answer = client(&server).execute(get()).await.unwrap();
            match answer.decode::<Value>().await {
                Err(Error::Decode {
                    status, body: kept, ..
                }) => {
                    assert_eq!(status, 200);
                    assert_eq!(kept.as_bytes(), body);
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(server.requests(), 1);
        }
    })
    .await;
}

#[tokio::test]
async fn a_storm_of_5xx_and_429_across_many_calls_ends_in_every_answer() {
    within(async {
        // Two of every three answers fail: 503, then 429 with Retry-After.
        let storm = |n: usize| match n % 3 {
            1 => Answer::json(503, &json!({"error": {"code": 503, "message": "busy"}})),
            2 => Answer::json(429, &json!({"error": {"code": 429, "message": "slow"}}))
                .header("retry-after", "0"),
            _ => Answer::json(200, &ok_body()).delayed(Duration::from_millis(5)),
        };
        let server = TestServer::start(nth(storm)).await.unwrap();
        let client = builder(&server)
            .retry(fast_retry(40))
            .max_concurrency(4)
            .build()
            .unwrap();
        let calls = (0..20).map(|_| {
            let client = client.clone();
            async move { client.execute(get()).await?.json::<Value>() }
        });
        let answers = futures::future::join_all(calls).await;
        assert!(
            answers
                .iter()
                .all(|a| a.as_ref().is_ok_and(|v| *v == ok_body()))
        );
        assert_eq!(server.requests(), 60);
        assert!(server.peak_in_flight() <= 4, "{}", server.peak_in_flight());
    })
    .await;
}

/// One page whose answer is a few megabytes.
#[tokio::test]
async fn a_huge_page_is_read_whole() {
    within(async {
        let items: Vec<Value> = (0..200_000)
            .map(|i| json!({"id": i, "name": "x"}))
            .collect();
        let page = json!({ "items": items, "nextCursor": null });
        let server = TestServer::start(move |_: &Seen| Answer::json(200, &page))
            .await
            .unwrap();
        let client = client(&server);
        let all: Vec<Value> = cursor_stream(|_cursor| {
            let client = client.clone();
            async move {
                let page: Value = client.execute(get()).await?.decode().await?;
                let items = page["items"].as_array().cloned().unwrap_or_default();
                Ok(Page {
                    items,
                    next_cursor: None,
                })
            }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(all.len(), 200_000);
        assert_eq!(all[199_999]["id"], 199_999);
    })
    .await;
}

/// Partition `2/3` fails on its second page: the stream says so, and
/// everything else still arrives exactly once.
#[tokio::test]
async fn a_failing_partition_is_an_error_never_fewer_items_in_silence() {
    within(async {
        let server = TestServer::start(|seen: &Seen| {
            let query = seen
                .target
                .split_once('?')
                .map_or("", |(_, q)| q)
                .to_string();
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                    .map(|v| v.replace("%2F", "/"))
            };
            let partition = param("partition").unwrap_or_default();
            let k: u32 = partition
                .split('/')
                .next()
                .and_then(|k| k.parse().ok())
                .unwrap_or(0);
            match (k, param("cursor").as_deref()) {
                (2, Some("second")) => Answer::json(
                    400,
                    &json!({"error": {"code": 400, "message": "bad cursor"}}),
                ),
                (_, None) => Answer::json(
                    200,
                    &json!({"items": [k * 10, k * 10 + 1], "nextCursor": "second"}),
                ),
                (_, Some(_)) => {
                    Answer::json(200, &json!({"items": [k * 10 + 2], "nextCursor": null}))
                }
            }
        })
        .await
        .unwrap();
        let client = client(&server);
        let fetch = |partition: String, cursor: Option<String>| {
            let client = client.clone();
            async move {
                let request = get().query("partition", partition);
                let request = match cursor {
                    Some(c) => request.query("cursor", c),
                    None => request,
                };
                let page: Value = client.execute(request).await?.json()?;
                let items = page["items"].as_array().cloned().unwrap_or_default();
                let next_cursor = page["nextCursor"].as_str().map(str::to_string);
                Ok(Page { items, next_cursor })
            }
        };
        let results: Vec<Result<Value, Error>> = partitioned_stream(3, fetch).collect().await;
        let mut items: Vec<u64> = results
            .iter()
            .filter_map(|r| r.as_ref().ok()?.as_u64())
            .collect();
        items.sort_unstable();
        assert_eq!(items, [10, 11, 12, 20, 21, 30, 31, 32]);
        let errors: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errors.len(), 1, "{results:?}");
        assert_eq!(errors[0].status(), Some(400));
        let collected: Result<Vec<Value>, Error> = partitioned_stream(3, fetch).try_collect().await;
        assert!(
            collected.is_err(),
            "try_collect cannot hide the failed partition"
        );
    })
    .await;
}

/// The token endpoint and the API on one server: tokens that expire at once
/// are renewed page by page, and a 401 in the middle gets one fresh token.
#[tokio::test]
async fn tokens_expiring_and_refused_mid_stream_are_renewed() {
    within(async {
        let tokens = Arc::new(AtomicUsize::new(0));
        let seen_tokens = Arc::new(Mutex::new(Vec::new()));
        let (t, s) = (tokens.clone(), seen_tokens.clone());
        let server = TestServer::start(move |seen: &Seen| {
            if seen.target.ends_with("/token") {
                let n = t.fetch_add(1, Ordering::SeqCst) + 1;
                let body = json!({"access_token": format!("tok{n}"), "expires_in": 0});
                return Answer::json(200, &body);
            }
            let auth = seen
                .headers
                .iter()
                .find(|(k, _)| k == "authorization")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            s.lock().unwrap().push(auth.clone());
            if auth == "Bearer tok3" {
                return Answer::json(401, &json!({"error": {"code": 401, "message": "expired"}}));
            }
            let page: u32 = seen
                .target
                .rsplit("cursor=")
                .next()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let next = (page < 4).then(|| (page + 1).to_string());
            Answer::json(200, &json!({"items": [page], "nextCursor": next}))
        })
        .await
        .unwrap();
        let client = builder(&server)
            .client_credentials(
                format!("{}/oauth/token", server.url()),
                "id",
                SECRET,
                vec![],
            )
            .build()
            .unwrap();
        let pages: Vec<u64> = cursor_stream(|cursor: Option<String>| {
            let client = client.clone();
            async move {
                let request = match cursor {
                    Some(c) => get().query("cursor", c),
                    None => get(),
                };
                let page: Value = client.execute(request).await?.json()?;
                let items = page["items"].as_array().cloned().unwrap_or_default();
                let next_cursor = page["nextCursor"].as_str().map(str::to_string);
                Ok(Page { items, next_cursor })
            }
        })
        .map_ok(|v| v.as_u64().unwrap_or(u64::MAX))
        .try_collect()
        .await
        .unwrap();
        assert_eq!(pages, [0, 1, 2, 3, 4], "every page once, in order");
        let used = seen_tokens.lock().unwrap().clone();
        assert!(used.contains(&"Bearer tok3".to_string()), "{used:?}");
        assert_eq!(used.len(), 6, "five pages and the one refused: {used:?}");
        assert_eq!(tokens.load(Ordering::SeqCst), 6, "a token per request");
    })
    .await;
}

#[tokio::test]
async fn a_token_endpoint_that_never_answers_times_out_with_a_clear_error() {
    within(async {
        let server = TestServer::start(|_: &Seen| {
            Answer::json(200, &json!({"access_token": "late"})).delayed(Duration::from_secs(30))
        })
        .await
        .unwrap();
        let client = builder(&server)
            .retry(fast_retry(2))
            .timeout(Duration::from_millis(200))
            .client_credentials(
                format!("{}/oauth/token", server.url()),
                "id",
                SECRET,
                vec![],
            )
            .build()
            .unwrap();
        let started = Instant::now();
        let err = client.execute(get()).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Auth(_)), "{err:?}");
        assert!(
            text.contains("token endpoint") && !text.contains(SECRET),
            "{text}"
        );
        assert_eq!(
            server.requests(),
            2,
            "the token fetch is tried again, then given up"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    })
    .await;
}

/// Every way the client talks about itself (Debug of the builder and the
/// client, errors' Display and Debug, its tracing output at every level) is
/// scanned for the client secret and the tokens, across token refusals, a
/// 401 with refresh, a retried 503 and an answer that echoes the request.
#[tokio::test]
async fn no_secret_or_token_in_debug_errors_or_logs() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut said = Vec::new();
    within(async {
        let tokens = AtomicUsize::new(0);
        let server = TestServer::start(move |seen: &Seen| {
            if seen.target.ends_with("/token") {
                let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
                if n == 1 {
                    // An identity provider that quotes the request back.
                    let echo = String::from_utf8_lossy(&seen.body).into_owned();
                    return Answer::json(500, &json!({"error": "server_error", "error_description": echo}));
                }
                return Answer::json(200, &json!({"access_token": format!("token-value-{n}"), "expires_in": 3600}));
            }
            let auth = seen.headers.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.clone());
            match seen.target.rsplit('/').next() {
                Some("refused") => Answer::json(401, &json!({"error": {"code": 401, "message": "no"}})),
                Some("busy") => Answer::json(503, &json!({"error": {"code": 503, "message": "busy"}})),
                // A proxy page that prints the request headers.
                _ => Answer::json(400, &json!({"error": {"code": 400, "message": format!("bad request, you sent {auth:?}"), "extra": {"authorization": auth}}})),
            }
        })
        .await
        .unwrap();
        let builder = builder(&server)
            .retry(fast_retry(2))
            .client_credentials(format!("{}/oauth/token", server.url()), "id", SECRET, vec!["s".into()]);
        said.push(format!("{builder:?}"));
        let client = builder.build().unwrap();
        for path in ["/refused", "/busy", "/echo"] {
            let request = Request::new(Method::GET, "/x", path.into());
            let err = client.execute(request).await.unwrap_err();
            said.push(format!("{err} {err:?}"));
        }
        said.push(format!("{client:?}"));
        assert!(server.requests() >= 6, "the token endpoint and all three paths were reached");
    })
    .await;
    said.push(logs.text());
    let all = said.join("\n");
    assert!(
        all.contains("HTTP 503") || all.contains("busy"),
        "the run was logged: {all}"
    );
    assert!(
        all.contains("***"),
        "the echoed token was masked, not dropped: {all}"
    );
    for secret in [SECRET, "token-value-2", "token-value-3"] {
        assert!(!all.contains(secret), "`{secret}` leaked:\n{all}");
    }
}
