//! Where the bearer token comes from: a fixed token, or OAuth 2.0 client
//! credentials fetched, cached and refreshed ahead of expiry.
//!
//! Secrets live in [`Secret`] so that no `Debug`, log line or error message
//! can print them by accident.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::{Error, preview};

/// Tokens and client secrets. Printing one shows `***`.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// Named loudly so that every place a secret leaves its box is easy to
    /// find.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// A failed token fetch. `transient` when asking again later may work (the
/// endpoint was unreachable, throttled or briefly down), so the client can
/// retry it like any other request: a token request is safe to repeat.
#[derive(Debug)]
pub(crate) struct TokenError {
    pub(crate) message: String,
    pub(crate) transient: bool,
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        Error::Auth(e.message)
    }
}

/// Settings of the OAuth 2.0 client-credentials grant.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub scopes: Vec<String>,
}

/// Token lifetime assumed when the endpoint does not say (`expires_in` is
/// only recommended by RFC 6749); short, so a wrong guess costs little.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// Refresh this long before expiry at most, so a token never expires in
/// flight...
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// ...but at most this share of the lifetime, so short-lived tokens are
/// still reused.
const REFRESH_SHARE: u32 = 10;

/// A token and which fetch produced it, so that a 401 drops only the token
/// that was refused and not a newer one another task already fetched.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) value: Secret,
    pub(crate) generation: u64,
}

struct Cached {
    token: Token,
    refresh_at: Instant,
}

/// The source of the `Authorization` header.
pub(crate) enum Auth {
    None,
    Static(Secret),
    Oauth(Arc<OauthCache>),
}

pub(crate) struct OauthCache {
    settings: ClientCredentials,
    /// A tokio mutex held across the fetch: concurrent callers wait for the
    /// one refresh instead of each asking the endpoint.
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// Fetches so far; numbers the tokens.
    fetches: u64,
}

impl Auth {
    pub(crate) fn oauth(settings: ClientCredentials) -> Auth {
        Auth::Oauth(Arc::new(OauthCache {
            settings,
            state: Mutex::default(),
        }))
    }

    /// The token for the next attempt, fetched if needed.
    pub(crate) async fn token(
        &self,
        http: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<Option<Token>, TokenError> {
        match self {
            Auth::None => Ok(None),
            Auth::Static(secret) => Ok(Some(Token {
                value: secret.clone(),
                generation: 0,
            })),
            Auth::Oauth(cache) => cache.token(http, timeout).await.map(Some),
        }
    }

    /// Whether a fresh token might fix a 401.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Auth::Oauth(_))
    }

    /// Drops `token` after the API refused it.
    pub(crate) async fn invalidate(&self, token: &Token) {
        if let Auth::Oauth(cache) = self {
            let mut state = cache.state.lock().await;
            if state
                .cached
                .as_ref()
                .is_some_and(|c| c.token.generation == token.generation)
            {
                state.cached = None;
            }
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Auth::None => "none".into(),
            Auth::Static(_) => "bearer token ***".into(),
            Auth::Oauth(c) => format!(
                "client credentials (client id {}, token url {}, secret ***)",
                c.settings.client_id, c.settings.token_url
            ),
        }
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

impl OauthCache {
    async fn token(
        &self,
        http: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<Token, TokenError> {
        let mut state = self.state.lock().await;
        if let Some(c) = &state.cached
            && Instant::now() < c.refresh_at
        {
            return Ok(c.token.clone());
        }
        let (value, lifetime) = self.fetch(http, timeout).await?;
        state.fetches += 1;
        let token = Token {
            value,
            generation: state.fetches,
        };
        let margin = REFRESH_MARGIN.min(lifetime / REFRESH_SHARE);
        state.cached = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(margin),
        });
        Ok(token)
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        timeout: Option<Duration>,
    ) -> Result<(Secret, Duration), TokenError> {
        let s = &self.settings;
        let mut request = http
            .post(&s.token_url)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(self.form());
        if let Some(t) = timeout {
            request = request.timeout(t);
        }
        let reached = |e: reqwest::Error| TokenError {
            message: format!("cannot reach token endpoint {}: {e}", s.token_url),
            transient: e.is_connect() || e.is_timeout() || e.is_request() || e.is_body(),
        };
        let answer = request.send().await.map_err(reached)?;
        let status = answer.status();
        let body = answer.bytes().await.map_err(reached)?;
        if !status.is_success() {
            return Err(TokenError {
                message: format!(
                    "token endpoint {} answered HTTP {}: {}",
                    s.token_url,
                    status.as_u16(),
                    self.endpoint_error(&body)
                ),
                transient: matches!(status.as_u16(), 429 | 500 | 502..=504),
            });
        }
        let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| TokenError {
            message: format!("token endpoint {} sent no access_token: {e}", s.token_url),
            transient: false,
        })?;
        let lifetime = answer
            .expires_in
            .as_ref()
            .and_then(seconds)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        Ok((Secret::new(answer.access_token), lifetime))
    }

    /// Built apart from `fetch`: the serializer is not `Send`, and the fetch
    /// future must be.
    fn form(&self) -> String {
        let s = &self.settings;
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &s.client_id)
            .append_pair("client_secret", s.client_secret.expose());
        if !s.scopes.is_empty() {
            form.append_pair("scope", &s.scopes.join(" "));
        }
        form.finish()
    }

    /// The endpoint's own words (`error`, `error_description` of RFC 6749,
    /// 5.2), else its body; the secret is masked should the endpoint echo
    /// the request back.
    fn endpoint_error(&self, body: &[u8]) -> String {
        let text = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) if v.get("error").is_some_and(|e| e.is_string()) => {
                let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("");
                match field("error_description") {
                    "" => field("error").to_owned(),
                    d => format!("{}: {d}", field("error")),
                }
            }
            _ => String::from_utf8_lossy(body).into_owned(),
        };
        let secret = self.settings.client_secret.expose();
        let text = if secret.is_empty() {
            text
        } else {
            text.replace(secret, "***")
        };
        preview(&text, 500)
    }
}

/// `expires_in` as a number, or as a string of digits (some providers send
/// that).
fn seconds(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "*** ***");
        let c = ClientCredentials {
            token_url: "https://idp/token".into(),
            client_id: "id".into(),
            client_secret: s,
            scopes: vec![],
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn expires_in_forms() {
        assert_eq!(seconds(&json!(3600)), Some(3600));
        assert_eq!(seconds(&json!("3599")), Some(3599));
        assert_eq!(seconds(&json!(12.5)), Some(12));
        assert_eq!(seconds(&json!(-1)), None);
        assert_eq!(seconds(&json!(null)), None);
    }

    #[test]
    fn endpoint_errors_mask_the_secret() {
        let cache = OauthCache {
            settings: ClientCredentials {
                token_url: "https://idp/token".into(),
                client_id: "id".into(),
                client_secret: Secret::new("hunter2"),
                scopes: vec![],
            },
            state: Mutex::default(),
        };
        let text = cache.endpoint_error(
            br#"{"error":"invalid_client","error_description":"bad secret hunter2"}"#,
        );
        assert_eq!(text, "invalid_client: bad secret ***");
        assert_eq!(cache.endpoint_error(b"echo: hunter2"), "echo: ***");
    }
}
