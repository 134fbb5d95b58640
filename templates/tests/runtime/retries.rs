use std::time::{Duration, Instant};

use cdf_client_runtime::error::Error;
use cdf_client_runtime::request::{Method, Request};
use cdf_client_runtime::retry::RetryConfig;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::common::{api, builder, counting, fast_retry, within};

fn get() -> Request {
    Request::new(Method::GET, "/assets", "/assets".into())
}

fn post() -> Request {
    Request::new(Method::POST, "/assets", "/assets".into())
}

/// `first` for the first `times` calls, then 200.
async fn failing_then_ok(server: &MockServer, first: ResponseTemplate, times: u64, expect: u64) {
    Mock::given(path(api("/assets")))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .expect(times.min(expect))
        .mount(server)
        .await;
    Mock::given(path(api("/assets")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .with_priority(2)
        .expect(expect.saturating_sub(times))
        .mount(server)
        .await;
}

#[tokio::test]
async fn throttled_then_ok() {
    within(async {
        let server = MockServer::start().await;
        failing_then_ok(&server, ResponseTemplate::new(429), 1, 2).await;
        let client = builder(&server).build().unwrap();
        let body: serde_json::Value = client.execute(get()).await.unwrap().json().unwrap();
        assert_eq!(body, json!({"ok": true}));
    })
    .await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    within(async {
        let server = MockServer::start().await;
        let throttled = ResponseTemplate::new(429).insert_header("retry-after", "1");
        failing_then_ok(&server, throttled, 1, 2).await;
        let client = builder(&server)
            .retry(RetryConfig {
                max_attempts: 3,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_secs(5),
            })
            .build()
            .unwrap();
        let start = Instant::now();
        client.execute(get()).await.unwrap();
        assert!(
            start.elapsed() >= Duration::from_millis(950),
            "{:?}",
            start.elapsed()
        );
    })
    .await;
}

#[tokio::test]
async fn retry_after_is_capped_by_max_backoff() {
    within(async {
        let server = MockServer::start().await;
        let throttled = ResponseTemplate::new(503).insert_header("retry-after", "3600");
        failing_then_ok(&server, throttled, 1, 2).await;
        let client = builder(&server).build().unwrap();
        let start = Instant::now();
        client.execute(get()).await.unwrap();
        assert!(start.elapsed() < Duration::from_secs(2));
    })
    .await;
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_the_last_error() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/assets")))
            .respond_with(counting(|n| {
                ResponseTemplate::new(503).set_body_json(
                    json!({"error": {"code": 503, "message": format!("attempt {n}")}}),
                )
            }))
            .expect(3)
            .mount(&server)
            .await;
        let client = builder(&server).retry(fast_retry(3)).build().unwrap();
        match client.execute(get()).await.unwrap_err() {
            Error::Api(e) => assert_eq!((e.status, e.message.as_str()), (503, "attempt 3")),
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn non_idempotent_post_is_not_retried_on_5xx() {
    within(async {
        let server = MockServer::start().await;
        failing_then_ok(&server, ResponseTemplate::new(503), 1, 1).await;
        let client = builder(&server).build().unwrap();
        let err = client.execute(post()).await.unwrap_err();
        assert_eq!(err.status(), Some(503));
    })
    .await;
}

#[tokio::test]
async fn non_idempotent_post_is_retried_on_429() {
    within(async {
        let server = MockServer::start().await;
        failing_then_ok(&server, ResponseTemplate::new(429), 1, 2).await;
        let client = builder(&server).build().unwrap();
        client.execute(post()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn idempotent_post_is_retried_on_5xx() {
    within(async {
        let server = MockServer::start().await;
        failing_then_ok(&server, ResponseTemplate::new(503), 1, 2).await;
        let client = builder(&server).build().unwrap();
        client.execute(post().idempotent(true)).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    within(async {
        let server = MockServer::start().await;
        failing_then_ok(&server, ResponseTemplate::new(500), 1, 1).await;
        let client = builder(&server).build().unwrap();
        assert_eq!(client.execute(get()).await.unwrap_err().status(), Some(500));
    })
    .await;
}

#[tokio::test]
async fn timeouts_are_retried_only_when_idempotent() {
    within(async {
        let server = MockServer::start().await;
        let slow = ResponseTemplate::new(200).set_delay(Duration::from_millis(500));
        Mock::given(method("GET"))
            .respond_with(slow.clone())
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(slow)
            .expect(1)
            .mount(&server)
            .await;
        let client = builder(&server)
            .retry(fast_retry(2))
            .timeout(Duration::from_millis(50))
            .build()
            .unwrap();
        for req in [get(), post()] {
            match client.execute(req).await.unwrap_err() {
                Error::Transport(e) => assert!(e.is_timeout(), "{e}"),
                other => panic!("{other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test]
async fn connect_errors_are_retried_even_for_post() {
    within(async {
        // A port that was free a moment ago: nothing listens there.
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let client = cdf_client_runtime::client::Client::builder()
            .base_url(format!("http://127.0.0.1:{port}/api"))
            .retry(fast_retry(3))
            .build()
            .unwrap();
        match client.execute(post()).await.unwrap_err() {
            Error::Transport(e) => assert!(e.is_connect(), "{e}"),
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn total_timeout_bounds_the_call() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/assets")))
            .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(40)))
            .mount(&server)
            .await;
        let client = builder(&server)
            .retry(RetryConfig {
                max_attempts: 1000,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
            })
            .total_timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let start = Instant::now();
        let err = client.execute(get()).await.unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let expected = match &err {
            Error::Timeout(_) => true,
            Error::Api(e) => e.status == 503,
            Error::Transport(e) => e.is_timeout(),
            _ => false,
        };
        assert!(expected, "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn concurrency_is_limited() {
    within(async {
        let server = MockServer::start().await;
        Mock::given(path(api("/assets")))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(100)))
            .expect(6)
            .mount(&server)
            .await;
        let client = builder(&server).max_concurrency(2).build().unwrap();
        let start = Instant::now();
        let calls = (0..6).map(|_| client.execute(get()));
        for r in futures::future::join_all(calls).await {
            r.unwrap();
        }
        assert!(
            start.elapsed() >= Duration::from_millis(290),
            "{:?}",
            start.elapsed()
        );
    })
    .await;
}

/// The API's own word (`cdf-is-auto-retryable: true`) outranks the method:
/// a plain POST that would never be sent twice on a 500 is, when the
/// answer says the failure was transient.
#[tokio::test]
async fn the_servers_retryable_header_makes_any_request_go_again() {
    within(async {
        let server = MockServer::start().await;
        let transient = ResponseTemplate::new(500).insert_header("cdf-is-auto-retryable", "true");
        failing_then_ok(&server, transient, 2, 3).await;
        let client = builder(&server).retry(fast_retry(3)).build().unwrap();
        client.execute(post()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_false_retryable_header_changes_nothing() {
    within(async {
        let server = MockServer::start().await;
        let final_ = ResponseTemplate::new(500).insert_header("cdf-is-auto-retryable", "false");
        failing_then_ok(&server, final_, 1, 1).await;
        let client = builder(&server).retry(fast_retry(3)).build().unwrap();
        assert_eq!(
            client.execute(post()).await.unwrap_err().status(),
            Some(500)
        );
    })
    .await;
}
