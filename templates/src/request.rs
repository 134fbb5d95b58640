//! One API call as the generated code describes it, and the answer it gets.
//!
//! A `Request` is plain data, not a `reqwest::RequestBuilder`, because the
//! client may send it several times (retries, a fresh token after a 401) and
//! a builder can be used once only.

use std::fmt;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{self, Error};

pub use reqwest::Method;

/// Media type asked for unless the operation says otherwise.
const DEFAULT_ACCEPT: &str = "application/json";

/// Describes one API call, retried as a unit.
pub struct Request {
    pub(crate) method: Method,
    pub(crate) template: &'static str,
    pub(crate) path: String,
    pub(crate) server: Option<&'static str>,
    pub(crate) idempotent: bool,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Body,
    pub(crate) accept: &'static str,
}

/// What is sent, kept in a form that can be sent again.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Empty,
    Json(Bytes),
    Bytes { content_type: String, data: Bytes },
    Multipart(Vec<Part>),
}

/// One field of a `multipart/form-data` body.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: bytes::Bytes,
}

impl Request {
    /// `path` is already encoded (see encode::path_segment) and relative to the server, e.g. "/assets/123".
    /// `template` is the spec's path template for tracing, e.g. "/assets/{id}".
    pub fn new(method: Method, template: &'static str, path: String) -> Request {
        // Safe to resend: the method promises that a repeat has no further
        // effect (RFC 9110, 9.2.2).
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        Request {
            method,
            template,
            path,
            server: None,
            idempotent,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            accept: DEFAULT_ACCEPT,
        }
    }

    /// An absolute server URL from the spec's path-level `servers` (e.g. `https://auth.cognite.com/api/v1`), replacing the client's base URL for this call. Its host counts as a host the token may be sent to.
    pub fn server(mut self, url: &'static str) -> Request {
        self.server = Some(url);
        self
    }

    /// CDF reads through POST (`/byids`, `/list`, `/search`); the generator
    /// marks those idempotent so that they are retried like a GET.
    pub fn idempotent(mut self, yes: bool) -> Request {
        self.idempotent = yes;
        self
    }

    /// Appends `name=value`; call once per element for an exploded array.
    pub fn query(mut self, name: &str, value: impl ToString) -> Request {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// Appends `name=a,b,c`: an array that is not exploded (OpenAPI's
    /// `form` style with `explode: false`).
    pub fn query_joined<T: ToString>(self, name: &str, values: &[T]) -> Request {
        let joined: Vec<String> = values.iter().map(ToString::to_string).collect();
        self.query(name, joined.join(","))
    }

    /// Appends `name=value` once per element: an exploded array, OpenAPI's
    /// default for the `form` style.
    pub fn query_each<T: ToString>(self, name: &str, values: &[T]) -> Request {
        values
            .iter()
            .fold(self, |request, v| request.query(name, v.to_string()))
    }

    /// [`query`](Self::query) when an optional parameter is set.
    pub fn query_opt<T: ToString>(self, name: &str, value: Option<T>) -> Request {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    /// [`query_joined`](Self::query_joined) when an optional parameter is set.
    pub fn query_joined_opt<T: ToString>(self, name: &str, values: Option<&[T]>) -> Request {
        match values {
            Some(v) => self.query_joined(name, v),
            None => self,
        }
    }

    /// [`query_each`](Self::query_each) when an optional parameter is set.
    pub fn query_each_opt<T: ToString>(self, name: &str, values: Option<&[T]>) -> Request {
        match values {
            Some(v) => self.query_each(name, v),
            None => self,
        }
    }

    /// [`query_json`](Self::query_json) when an optional parameter is set.
    pub fn query_json_opt<T: Serialize>(
        self,
        name: &str,
        value: Option<&T>,
    ) -> Result<Request, Error> {
        match value {
            Some(v) => self.query_json(name, v),
            None => Ok(self),
        }
    }

    /// Objects in a query string travel as JSON text (e.g. CDF's `filter`).
    pub fn query_json<T: Serialize>(self, name: &str, value: &T) -> Result<Request, Error> {
        let text = serde_json::to_string(value).map_err(Error::Encode)?;
        Ok(self.query(name, text))
    }

    /// Header values come from callers; a CR or LF in one could smuggle a
    /// second header or request, so it is refused here, by name.
    pub fn header(mut self, name: &'static str, value: impl ToString) -> Result<Request, Error> {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid header name")))?;
        let value = header_value(name, &value.to_string())?;
        self.headers.push((header, value));
        Ok(self)
    }

    /// [`header`](Self::header) when an optional parameter is set.
    pub fn header_opt(
        self,
        name: &'static str,
        value: Option<impl ToString>,
    ) -> Result<Request, Error> {
        match value {
            Some(v) => self.header(name, v),
            None => Ok(self),
        }
    }

    /// Encodes now, so that an encoding failure is reported before any
    /// network traffic and each retry sends the same bytes.
    pub fn json<T: Serialize>(mut self, body: &T) -> Result<Request, Error> {
        let data = serde_json::to_vec(body).map_err(Error::Encode)?;
        self.body = Body::Json(Bytes::from(data));
        Ok(self)
    }

    /// For octet-stream, protobuf and other bodies that are not JSON. An
    /// invalid content type is reported by `Client::execute`.
    pub fn bytes(mut self, content_type: &str, body: bytes::Bytes) -> Request {
        self.body = Body::Bytes {
            content_type: content_type.to_owned(),
            data: body,
        };
        self
    }

    /// The form is rebuilt for every attempt, since a sent form is consumed.
    pub fn multipart(mut self, parts: Vec<Part>) -> Request {
        self.body = Body::Multipart(parts);
        self
    }

    pub fn accept(mut self, media: &'static str) -> Request {
        self.accept = media;
        self
    }
}

/// Header values may not hold CR or LF (header injection); the error names
/// the field so that the caller knows which argument to fix.
pub(crate) fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    if value.contains(['\r', '\n']) {
        return Err(Error::InvalidRequest(format!(
            "header `{name}` contains a line break"
        )));
    }
    HeaderValue::from_str(value).map_err(|_| {
        Error::InvalidRequest(format!(
            "header `{name}` contains characters not allowed in a header"
        ))
    })
}

/// Header values and bodies are left out: they may hold credentials or
/// personal data.
impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("template", &self.template)
            .field("path", &self.path)
            .field("server", &self.server)
            .field("idempotent", &self.idempotent)
            .field("headers", &headers)
            .finish_non_exhaustive()
    }
}

/// A 2xx answer, read in full.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
}

/// Bodies at least this large are decoded off the polling task (64 KiB:
/// about 150 sequences, a few hundred microseconds of decoding).
const DECODE_ELSEWHERE: usize = 64 * 1024;

impl Response {
    pub fn new(status: u16, headers: HeaderMap, body: Bytes) -> Response {
        Response {
            status,
            headers,
            body,
        }
    }

    /// A body that does not fit `T` keeps its text and request id, since that
    /// is what shows whether the spec or the server is wrong.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|source| self.decode_error(source))
    }

    /// [`json`](Self::json), with large bodies decoded on tokio's blocking
    /// pool: answers that arrive together (partitions, bulk chunks) then
    /// decode on every core instead of one after another in the one task
    /// that polls them. Small bodies are not worth the hand-over.
    pub async fn decode<T: DeserializeOwned + Send + 'static>(self) -> Result<T, Error> {
        if self.body.len() < DECODE_ELSEWHERE {
            return self.json();
        }
        match tokio::task::spawn_blocking(move || self.json()).await {
            Ok(decoded) => decoded,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(Error::Config(
                "the async runtime shut down while an answer was decoded".into(),
            )),
        }
    }

    pub fn unit(self) -> Result<(), Error> {
        Ok(())
    }

    pub fn bytes(self) -> bytes::Bytes {
        self.body
    }

    /// Non-UTF-8 text is reported as a decode failure, the body shown lossily.
    pub fn text(self) -> Result<String, Error> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Ok(text),
            Err(e) => {
                let source = <serde_json::Error as serde::de::Error>::custom(format!(
                    "response body is not UTF-8: {e}"
                ));
                Err(self.decode_error(source))
            }
        }
    }

    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    pub fn request_id(&self) -> Option<&str> {
        error::request_id(&self.headers)
    }

    fn decode_error(&self, source: serde_json::Error) -> Error {
        Error::Decode {
            status: self.status,
            source,
            body: String::from_utf8_lossy(&self.body).into_owned(),
            request_id: self.request_id().map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn idempotency_follows_the_method() {
        assert!(Request::new(Method::GET, "/a", "/a".into()).idempotent);
        assert!(Request::new(Method::DELETE, "/a", "/a".into()).idempotent);
        assert!(!Request::new(Method::POST, "/a", "/a".into()).idempotent);
        assert!(!Request::new(Method::PATCH, "/a", "/a".into()).idempotent);
        assert!(
            Request::new(Method::POST, "/a", "/a".into())
                .idempotent(true)
                .idempotent
        );
    }

    #[test]
    fn line_breaks_in_headers_are_refused_by_name() {
        let err = Request::new(Method::GET, "/a", "/a".into())
            .header("x-thing", "a\r\nb")
            .unwrap_err();
        assert!(err.to_string().contains("`x-thing`"), "{err}");
        let err = Request::new(Method::GET, "/a", "/a".into())
            .header("bad name", "v")
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)));
    }

    #[test]
    fn query_keeps_order_and_repeats() {
        let r = Request::new(Method::GET, "/a", "/a".into())
            .query("id", 1)
            .query("id", 2)
            .query_opt::<i32>("none", None)
            .query_each("tag", &["a", "b"])
            .query_each_opt::<&str>("none", None)
            .query_joined_opt("ids", Some(&[3, 4][..]))
            .query_json_opt::<i32>("none", None)
            .unwrap()
            .query_json("filter", &json!({"a": 1}))
            .unwrap();
        let q: Vec<(&str, &str)> = r
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            q,
            [
                ("id", "1"),
                ("id", "2"),
                ("tag", "a"),
                ("tag", "b"),
                ("ids", "3,4"),
                ("filter", r#"{"a":1}"#)
            ]
        );
    }

    #[test]
    fn decode_errors_keep_body_and_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert(error::REQUEST_ID_HEADER, HeaderValue::from_static("r9"));
        let resp = Response::new(200, headers, Bytes::from_static(b"{not json"));
        match resp.json::<serde_json::Value>() {
            Err(Error::Decode {
                status,
                body,
                request_id,
                ..
            }) => {
                assert_eq!(status, 200);
                assert_eq!(body, "{not json");
                assert_eq!(request_id.as_deref(), Some("r9"));
            }
            other => panic!("{other:?}"),
        }
        let resp = Response::new(200, HeaderMap::new(), Bytes::from_static(b"\xff"));
        assert!(matches!(resp.text(), Err(Error::Decode { .. })));
    }

    #[tokio::test]
    async fn large_and_small_bodies_decode_alike() {
        for n in [3, 20_000] {
            let items: Vec<u32> = (0..n).collect();
            let body = Bytes::from(serde_json::to_vec(&items).unwrap());
            assert_eq!(
                n >= 20_000,
                body.len() >= DECODE_ELSEWHERE,
                "both paths taken"
            );
            let decoded: Vec<u32> = Response::new(200, HeaderMap::new(), body.clone())
                .decode()
                .await
                .unwrap();
            assert_eq!(decoded, items);
            let broken = Response::new(200, HeaderMap::new(), body.slice(..body.len() - 1));
            match broken.decode::<Vec<u32>>().await {
                Err(Error::Decode { body: kept, .. }) => assert!(kept.starts_with("[0,1,2")),
                other => panic!("{other:?}"),
            }
        }
    }
}
