//! The one error type of the client, and the decoding of CDF's error bodies.
//!
//! Callers match on the variant to decide what to do next (fix the request,
//! retry later, re-authenticate), so each variant stands for one such choice,
//! and every failure that came back from the server keeps its request id:
//! that id is what Cognite support asks for.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Header in which CDF returns the id it gave the request.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Raw bodies are shown in messages up to this many characters, so an HTML
/// error page from a proxy does not flood a log line.
const BODY_PREVIEW: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Non-2xx answer from CDF.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// Could not reach the server or read its answer (after retries).
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// 2xx answer whose body does not decode into the expected type; body kept.
    #[error("cannot decode response (HTTP {status}): {source}; body: {body}")]
    Decode {
        status: u16,
        #[source]
        source: serde_json::Error,
        body: String,
        request_id: Option<String>,
    },
    #[error("cannot encode request: {0}")]
    Encode(#[source] serde_json::Error),
    /// Token endpoint failure, etc.
    #[error("authentication failed: {0}")]
    Auth(String),
    /// Bad builder settings (missing project, http base URL to a non-loopback host, ...).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Rejected before sending (e.g. a header value with CR/LF), names the field.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The request breaks rules of the spec (`maxLength`, `pattern`,
    /// `minimum`, ...): found before sending, each with its field's path.
    #[error("invalid request: {0}")]
    Validation(super::validate::Invalid),
    /// A cursor stream saw the same nextCursor twice.
    #[error("pagination stopped: {0}")]
    Pagination(String),
    /// The whole call, retries and waits included, outlived
    /// `ClientBuilder::total_timeout`. A separate variant because no
    /// transport error exists to carry it when the budget runs out while
    /// waiting for a concurrency slot, a token or a backoff.
    #[error("no answer within the total timeout of {0:?}")]
    Timeout(Duration),
}

impl Error {
    /// The HTTP status the server answered with, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The id CDF gave the request, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: Option<i64>,
    pub message: String,
    pub missing: Vec<Value>,
    pub duplicated: Vec<Value>,
    pub extra: Option<Value>,
    pub request_id: Option<String>,
    /// raw body when it is not a Cognite error body
    pub body: Option<String>,
}

/// Replaces `secret` in every string inside `value`.
fn mask_strings(value: &mut Value, secret: &str) {
    match value {
        Value::String(s) if s.contains(secret) => *s = s.replace(secret, "***"),
        Value::Array(a) => a.iter_mut().for_each(|v| mask_strings(v, secret)),
        Value::Object(o) => o.values_mut().for_each(|v| mask_strings(v, secret)),
        _ => {}
    }
}

impl ApiError {
    /// Replaces `secret` with `***` wherever the answer's text holds it.
    pub(crate) fn mask(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        self.message = self.message.replace(secret, "***");
        if let Some(body) = &mut self.body {
            *body = body.replace(secret, "***");
        }
        let values = self
            .missing
            .iter_mut()
            .chain(&mut self.duplicated)
            .chain(&mut self.extra);
        values.for_each(|v| mask_strings(v, secret));
    }

    /// Reads a non-2xx answer. Anything that is not a Cognite error body is
    /// kept whole in `body`, since a proxy's page is often the only clue.
    pub fn from_response(status: u16, headers: &HeaderMap, body: &[u8]) -> ApiError {
        let request_id = request_id(headers).map(str::to_owned);
        if let Some(mut e) = cognite_error(status, body) {
            e.request_id = request_id;
            return e;
        }
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("unexpected status");
        let text = String::from_utf8_lossy(body).into_owned();
        ApiError {
            status,
            code: None,
            message: reason.to_owned(),
            missing: Vec::new(),
            duplicated: Vec::new(),
            extra: None,
            request_id,
            body: (!text.is_empty()).then_some(text),
        }
    }
}

/// `{"error": {"code": 400, "message": "...", "missing": [...], ...}}`
fn cognite_error(status: u16, body: &[u8]) -> Option<ApiError> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?.as_object()?;
    let message = error.get("message")?.as_str()?.to_owned();
    let list = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    Some(ApiError {
        status,
        code: error.get("code").and_then(Value::as_i64),
        message,
        missing: list("missing"),
        duplicated: list("duplicated"),
        extra: error.get("extra").filter(|v| !v.is_null()).cloned(),
        request_id: None,
        body: None,
    })
}

/// The `x-request-id` header, when it is readable text.
pub fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get(REQUEST_ID_HEADER)?.to_str().ok()
}

/// Cuts `text` to `max` characters on a character boundary.
pub(crate) fn preview(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}... ({} bytes in all)", &text[..at], text.len()),
        None => text.to_owned(),
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = self.code {
            write!(f, " (code {code})")?;
        }
        write!(f, ": {}", self.message)?;
        for (name, items) in [("missing", &self.missing), ("duplicated", &self.duplicated)] {
            if !items.is_empty() {
                let listed = Value::Array(items.clone()).to_string();
                write!(f, "; {name}: {}", preview(&listed, BODY_PREVIEW))?;
            }
        }
        if let Some(body) = &self.body {
            write!(f, "; body: {}", preview(body, BODY_PREVIEW))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id: {id}]")?;
        }
        Ok(())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use serde_json::json;

    fn headers_with_id(id: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID_HEADER, HeaderValue::from_str(id).unwrap());
        h
    }

    #[test]
    fn cognite_body_is_read_field_by_field() {
        let body = json!({"error": {"code": 400, "message": "bad", "missing": [{"id": 1}],
            "duplicated": [{"externalId": "x"}], "extra": {"hint": "h"}}});
        let e = ApiError::from_response(400, &headers_with_id("r1"), body.to_string().as_bytes());
        assert_eq!(e.code, Some(400));
        assert_eq!(e.message, "bad");
        assert_eq!(e.missing, vec![json!({"id": 1})]);
        assert_eq!(e.duplicated, vec![json!({"externalId": "x"})]);
        assert_eq!(e.extra, Some(json!({"hint": "h"})));
        assert_eq!(e.request_id.as_deref(), Some("r1"));
        assert_eq!(e.body, None);
        assert_eq!(
            e.to_string(),
            r#"HTTP 400 (code 400): bad; missing: [{"id":1}]; duplicated: [{"externalId":"x"}] [request id: r1]"#
        );
    }

    #[test]
    fn other_bodies_are_kept_raw() {
        let e = ApiError::from_response(502, &HeaderMap::new(), b"<html>gateway</html>");
        assert_eq!(e.code, None);
        assert_eq!(e.message, "Bad Gateway");
        assert_eq!(e.body.as_deref(), Some("<html>gateway</html>"));
        assert_eq!(
            e.to_string(),
            "HTTP 502: Bad Gateway; body: <html>gateway</html>"
        );
        let e = ApiError::from_response(500, &HeaderMap::new(), br#"{"error": "plain"}"#);
        assert_eq!(e.body.as_deref(), Some(r#"{"error": "plain"}"#));
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let text = "é".repeat(600);
        let cut = preview(&text, 500);
        assert!(cut.starts_with(&"é".repeat(500)));
        assert!(cut.ends_with("(1200 bytes in all)"), "{cut}");
    }
}
