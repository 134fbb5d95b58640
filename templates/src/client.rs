//! Sending a [`Request`]: authentication, retries, tracing and the limit on
//! requests in flight, so that generated operations are one call each.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use super::auth::{Auth, Token, TokenError};
use super::error::{ApiError, Error};
use super::request::{Body, Part, Request, Response, header_value};
use super::retry::{self, RetryConfig};
use super::server;
use super::validate::Validator;

pub use super::builder::ClientBuilder;

/// Cheap to clone: clones share connections, the token cache and the limit
/// on requests in flight.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    /// Path-level spec servers redirected by `ClientBuilder::server_override`.
    pub(crate) server_overrides: std::collections::BTreeMap<String, Url>,
    pub(crate) auth: Auth,
    pub(crate) retry: RetryConfig,
    pub(crate) timeout: Option<Duration>,
    pub(crate) total_timeout: Option<Duration>,
    pub(crate) allow_insecure: bool,
    pub(crate) permits: Semaphore,
    pub(crate) max_concurrency: usize,
    pub(crate) validate: bool,
    pub(crate) app_name: Option<String>,
    pub(crate) cdf_version: Option<String>,
    pub(crate) answer_tap: Option<super::builder::AnswerTap>,
}

/// Why an attempt failed, split by what may happen next.
enum Failure {
    /// A non-2xx answer, read in full.
    Status(Response),
    Transport(reqwest::Error),
    /// No token, so nothing was sent to the API.
    Auth(TokenError),
}

impl Failure {
    fn retryable(&self, idempotent: bool) -> bool {
        match self {
            Failure::Status(r) => {
                retry::retryable_status(r.status, idempotent)
                    || retry::server_says_retry(&r.headers)
            }
            Failure::Transport(e) => retry::retryable_error(e, idempotent),
            Failure::Auth(e) => e.transient,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status(r) => retry::retry_after(&r.headers),
            Failure::Transport(_) | Failure::Auth(_) => None,
        }
    }

    /// The error for the caller. A server or proxy that echoes the request
    /// could put the token into the answer; it is masked out of the text
    /// kept in the error, which ends up in logs.
    fn into_error(self, token: Option<&Token>) -> Error {
        match self {
            Failure::Transport(e) => Error::Transport(e),
            Failure::Auth(e) => Error::from(e),
            Failure::Status(r) => {
                let mut api = ApiError::from_response(r.status, &r.headers, &r.body);
                if (300..400).contains(&r.status) {
                    let to = r
                        .headers
                        .get(LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("?");
                    api.message = format!("redirect to {to} not followed: it leaves the server");
                }
                if let Some(token) = token {
                    api.mask(token.value.expose());
                }
                Error::from(api)
            }
        }
    }
}

impl Client {
    /// A builder for the spec's server (`SERVER_TEMPLATE` with its default
    /// variables); set `cluster`/`project` or a whole `base_url`, and auth.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default().server_template(super::SERVER_TEMPLATE, super::SERVER_DEFAULTS)
    }

    /// Requests this client (and its clones) keeps in flight at most.
    pub fn max_concurrency(&self) -> usize {
        self.inner.max_concurrency
    }

    /// Whether operations check requests before sending
    /// (`ClientBuilder::validate_requests`).
    pub fn validates(&self) -> bool {
        self.inner.validate
    }

    /// Runs `walk` over a request's parts unless validation is off;
    /// `Error::Validation` lists every rule they break. The typed methods
    /// call it; it is public only so that the runtime's own tests reach it.
    #[doc(hidden)]
    pub fn check(&self, walk: impl FnOnce(&mut Validator)) -> Result<(), Error> {
        if !self.inner.validate {
            return Ok(());
        }
        let mut v = Validator::default();
        walk(&mut v);
        v.finish().map_err(Error::Validation)
    }

    /// The server URL that the template and variables resolved to.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    /// Sends a hand-built [`Request`] with the client's auth, retries,
    /// concurrency limit and tracing: the escape hatch for a call the typed
    /// methods do not make (an endpoint newer than the spec, say). Ok only
    /// for a 2xx answer, else `Error::Api` with the server's error.
    pub async fn execute(&self, request: Request) -> Result<Response, Error> {
        match self.inner.total_timeout {
            None => self.run(&request, None).await,
            Some(total) => {
                let deadline = Instant::now() + total;
                tokio::time::timeout_at(deadline, self.run(&request, Some(deadline)))
                    .await
                    .unwrap_or(Err(Error::Timeout(total)))
            }
        }
    }

    async fn run(&self, req: &Request, deadline: Option<Instant>) -> Result<Response, Error> {
        let inner = &*self.inner;
        let server = match req.server {
            Some(s) => match inner.server_overrides.get(s.trim_end_matches('/')) {
                Some(url) => Cow::Borrowed(url),
                None => Cow::Owned(server::parse_server(
                    s,
                    "operation server",
                    inner.allow_insecure,
                )?),
            },
            None => Cow::Borrowed(&inner.base),
        };
        let url = server::join(&server, req.template, &req.path, &req.query)?;
        let mut attempt = 0;
        let mut failures = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let span = tracing::info_span!(
                "cdf.request",
                method = %req.method,
                path = req.template,
                attempt,
                status = tracing::field::Empty,
            );
            let (answer, token) = self.attempt(req, &url, deadline).instrument(span).await?;
            let failure = match answer {
                Ok(r) if (200..300).contains(&r.status) => {
                    if let Some(tap) = &inner.answer_tap {
                        (tap.0)(&r.body);
                    }
                    return Ok(r);
                }
                // One fresh token per call: a second 401 means the
                // credentials lack access, and asking again would loop.
                Ok(r) if r.status == 401 && !refreshed && inner.auth.can_refresh() => {
                    if let Some(token) = &token {
                        inner.auth.invalidate(token).await;
                    }
                    refreshed = true;
                    tracing::warn!(
                        method = %req.method,
                        path = req.template,
                        attempt,
                        "token refused (HTTP 401); retrying once with a fresh token"
                    );
                    continue;
                }
                Ok(r) => Failure::Status(r),
                Err(failure) => failure,
            };
            failures += 1;
            if !failure.retryable(req.idempotent) || !inner.retry.allows_another(failures) {
                return Err(failure.into_error(token.as_ref()));
            }
            let delay = inner.retry.delay(failures, failure.retry_after());
            if deadline.is_some_and(|d| Instant::now() + delay >= d) {
                return Err(failure.into_error(token.as_ref()));
            }
            let reason = match &failure {
                Failure::Status(r) => format!("HTTP {}", r.status),
                Failure::Transport(e) => e.to_string(),
                Failure::Auth(e) => e.message.clone(),
            };
            tracing::warn!(
                method = %req.method,
                path = req.template,
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                %reason,
                "retrying CDF request"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// One send. The outer `Err` ends the call; the inner one is a failure
    /// that may be retried. The token is returned so a 401 can drop exactly
    /// that one.
    async fn attempt(
        &self,
        req: &Request,
        url: &Url,
        deadline: Option<Instant>,
    ) -> Result<(Result<Response, Failure>, Option<Token>), Error> {
        let inner = &*self.inner;
        let _permit = inner
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Config("the client's request limit was closed".into()))?;
        let timeout = match (inner.timeout, deadline) {
            (t, None) => t,
            (t, Some(d)) => {
                let left = d.saturating_duration_since(Instant::now());
                Some(t.map_or(left, |t| t.min(left)))
            }
        };
        let token = match inner.auth.token(&inner.http, timeout).await {
            Ok(token) => token,
            Err(e) => return Ok((Err(Failure::Auth(e)), None)),
        };
        let mut builder = inner
            .http
            .request(req.method.clone(), url.clone())
            .header(ACCEPT, header_value("accept", req.accept)?);
        for (name, value) in &req.headers {
            builder = builder.header(name.clone(), value.clone());
        }
        if let Some(token) = &token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.value.expose()))
                .map_err(|_| {
                    Error::Auth("the token holds characters not allowed in a header".into())
                })?;
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        builder = match &req.body {
            Body::Empty => builder,
            Body::Json(data) => builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(data.clone()),
            Body::Bytes { content_type, data } => builder
                .header(CONTENT_TYPE, header_value("content-type", content_type)?)
                .body(data.clone()),
            Body::Multipart(parts) => builder.multipart(form(parts)?),
        };
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        let answer = match builder.send().await {
            Ok(answer) => answer,
            Err(e) => return Ok((Err(Failure::Transport(e)), token)),
        };
        let status = answer.status().as_u16();
        tracing::Span::current().record("status", status);
        let headers = answer.headers().clone();
        let body = match answer.bytes().await {
            Ok(body) => body,
            Err(e) => return Ok((Err(Failure::Transport(e)), token)),
        };
        Ok((Ok(Response::new(status, headers, body)), token))
    }
}

/// A fresh form per attempt: reqwest consumes it when sending.
fn form(parts: &[Part]) -> Result<reqwest::multipart::Form, Error> {
    let mut form = reqwest::multipart::Form::new();
    for p in parts {
        let len = u64::try_from(p.data.len()).unwrap_or(u64::MAX);
        let mut part = reqwest::multipart::Part::stream_with_length(p.data.clone(), len);
        if let Some(name) = &p.file_name {
            part = part.file_name(name.clone());
        }
        if let Some(ct) = &p.content_type {
            part = part.mime_str(ct).map_err(|_| {
                Error::InvalidRequest(format!(
                    "part `{}` has an invalid content type {ct:?}",
                    p.name
                ))
            })?;
        }
        form = form.part(p.name.clone(), part);
    }
    Ok(form)
}

/// Shows where and how the client talks, never a token or secret.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.base.as_str())
            .field("auth", &i.auth.describe())
            .field("app_name", &i.app_name)
            .field("cdf_version", &i.cdf_version)
            .field("retry", &i.retry)
            .field("timeout", &i.timeout)
            .field("total_timeout", &i.total_timeout)
            .field("allow_insecure_http", &i.allow_insecure)
            .field("max_concurrency", &i.max_concurrency)
            .finish()
    }
}
