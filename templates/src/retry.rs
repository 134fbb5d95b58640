//! When to send a request again, and how long to wait first.
//!
//! CDF sheds load with 429 and its gateways answer 502/503/504 while a
//! backend restarts; both pass within seconds, so the client waits and
//! tries again. The wait is random ("full jitter") so that many clients
//! throttled at once do not come back at once.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

#[derive(Debug, Clone)]
pub struct RetryConfig {
    /// Attempts in all, counting the first; 0 is read as 1.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryConfig {
    /// One attempt only: for callers that run their own retry policy.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::default()
        }
    }

    /// Whether attempt number `attempt` (1-based) may be followed by another.
    pub(crate) fn allows_another(&self, attempt: u32) -> bool {
        attempt < self.max_attempts.max(1)
    }

    /// The wait after failed attempt number `attempt` (1-based): a random
    /// time up to `initial_backoff * 2^(attempt-1)`, never above
    /// `max_backoff`; a server's `Retry-After` replaces it.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let doublings = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(random_below(nanos.saturating_add(1)))
    }
}

/// A status worth another try. 5xx may mean the server did part of the work,
/// so only idempotent requests get another go; a 429 says the server did
/// nothing.
pub(crate) fn retryable_status(status: u16, idempotent: bool) -> bool {
    match status {
        429 => true,
        502..=504 => idempotent,
        _ => false,
    }
}

/// Whether a failed answer carries the API's own word that trying again is
/// safe ([`RETRYABLE_HEADER`](super::RETRYABLE_HEADER) set to `true`). It
/// outranks the method: the server knows the request did nothing.
pub(crate) fn server_says_retry(headers: &HeaderMap) -> bool {
    says_retry(headers, super::RETRYABLE_HEADER)
}

fn says_retry(headers: &HeaderMap, name: Option<&str>) -> bool {
    name.and_then(|name| headers.get(name))
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
}

/// A transport failure worth another try. A connect error means nothing was
/// sent, so every request may go again; a timeout or a broken answer may
/// come after the server acted, so only idempotent requests do. reqwest
/// reports an answer cut short while its body is read as a decode error
/// (JSON is decoded here, never by reqwest, so that is all it can mean).
pub(crate) fn retryable_error(error: &reqwest::Error, idempotent: bool) -> bool {
    if error.is_connect() {
        return true;
    }
    idempotent && (error.is_timeout() || error.is_request() || error.is_body() || error.is_decode())
}

/// `Retry-After` in seconds. HTTP dates are ignored (the backoff applies):
/// CDF sends seconds, and reading dates would need a clock-skew policy.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    parse_retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?)
}

pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// A random number in `0..bound` (0 when `bound` is 0). `RandomState` is
/// seeded randomly per process and per instance, which is plenty for
/// spreading retries and needs no extra dependency.
fn random_below(bound: u64) -> u64 {
    if bound == 0 {
        return 0;
    }
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(bound);
    hasher.finish() % bound
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn config() -> RetryConfig {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = config();
        for _ in 0..200 {
            assert!(c.delay(1, None) <= Duration::from_millis(100));
            assert!(c.delay(2, None) <= Duration::from_millis(200));
            assert!(c.delay(3, None) <= Duration::from_millis(350));
            assert!(c.delay(40, None) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn backoff_is_spread() {
        let c = config();
        let delays: std::collections::HashSet<Duration> =
            (0..50).map(|_| c.delay(3, None)).collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn retry_after_is_seconds_and_capped() {
        assert_eq!(parse_retry_after("1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        let wait = retry_after(&h);
        assert_eq!(wait, Some(Duration::from_secs(2)));
        assert_eq!(config().delay(1, wait), Duration::from_millis(350));
    }

    #[test]
    fn which_statuses_are_retried() {
        for s in [429, 502, 503, 504] {
            assert!(retryable_status(s, true), "{s}");
        }
        assert!(retryable_status(429, false));
        for s in [502, 503, 504] {
            assert!(!retryable_status(s, false), "{s}");
        }
        for s in [400, 401, 404, 409, 500, 501] {
            assert!(!retryable_status(s, true), "{s}");
        }
    }

    #[test]
    fn the_server_may_say_retry() {
        let name = Some("cdf-is-auto-retryable");
        let with = |value: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("cdf-is-auto-retryable", HeaderValue::from_static(value));
            h
        };
        assert!(says_retry(&with("true"), name));
        assert!(says_retry(&with(" True"), name));
        assert!(!says_retry(&with("false"), name));
        assert!(!says_retry(&with("yes"), name));
        assert!(!says_retry(&HeaderMap::new(), name));
        // An API whose profile names no such header: never.
        assert!(!says_retry(&with("true"), None));
    }

    #[test]
    fn attempts_count_the_first() {
        let c = config();
        assert!(c.allows_another(1));
        assert!(c.allows_another(2));
        assert!(!c.allows_another(3));
        let none = RetryConfig {
            max_attempts: 0,
            ..config()
        };
        assert!(!none.allows_another(1));
    }
}
