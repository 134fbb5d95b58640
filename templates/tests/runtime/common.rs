use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cdf_client_runtime::builder::ClientBuilder;
use cdf_client_runtime::client::Client;
use cdf_client_runtime::retry::RetryConfig;
use wiremock::{MockServer, Request as MockRequest, Respond, ResponseTemplate};

/// No test may take longer than this.
const LIMIT: Duration = Duration::from_secs(20);

pub async fn within<F: Future>(f: F) -> F::Output {
    match tokio::time::timeout(LIMIT, f).await {
        Ok(out) => out,
        Err(_) => panic!("test did not finish within {LIMIT:?}"),
    }
}

pub fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(10),
    }
}

pub const PROJECT_PATH: &str = "/api/v1/projects/p";

/// A client for `server` with fast retries and no credentials.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(format!("{}{PROJECT_PATH}", server.uri()))
        .retry(fast_retry(5))
        .timeout(Duration::from_secs(5))
}

pub fn api(path: &str) -> String {
    format!("{PROJECT_PATH}{path}")
}

/// Answers with `make(n)` for the n-th call (1-based).
pub struct Counting<F> {
    calls: Arc<AtomicUsize>,
    make: F,
}

pub fn counting<F>(make: F) -> Counting<F>
where
    F: Fn(usize) -> ResponseTemplate + Send + Sync + 'static,
{
    Counting {
        calls: Arc::new(AtomicUsize::new(0)),
        make,
    }
}

impl<F> Respond for Counting<F>
where
    F: Fn(usize) -> ResponseTemplate + Send + Sync + 'static,
{
    fn respond(&self, _: &MockRequest) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        (self.make)(n)
    }
}

/// The `server` argument of `Request::server` is `'static`, as in generated
/// code; tests make one from a mock server's address.
pub fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// Log output captured for one test.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}
