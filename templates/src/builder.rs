//! Settings of a [`Client`], checked once in `build` so that a bad setting
//! fails at start-up rather than on the first request.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::redirect::Policy;
use tokio::sync::Semaphore;

use super::auth::{Auth, ClientCredentials, Secret};
use super::client::{Client, Inner};
use super::error::Error;
use super::request::header_value;
use super::retry::RetryConfig;
use super::server;

/// Sent with every request so that CDF can tell which client made it.
pub const SDK_HEADER_VALUE: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// A request that never answers must not hold its caller for ever.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONCURRENCY: usize = 10;
/// Same-origin redirects followed at most; more is a loop.
const MAX_REDIRECTS: usize = 5;

#[derive(Debug, Clone)]
enum AuthSetting {
    None,
    Bearer(Secret),
    ClientCredentials(ClientCredentials),
}

/// `Debug` shows secrets as `***`.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    template: Option<&'static str>,
    defaults: BTreeMap<String, String>,
    variables: BTreeMap<String, String>,
    base_url: Option<String>,
    auth: AuthSetting,
    app_name: Option<String>,
    cdf_version: Option<String>,
    retry: RetryConfig,
    timeout: Option<Duration>,
    total_timeout: Option<Duration>,
    allow_insecure: bool,
    max_concurrency: usize,
    validate: bool,
    server_overrides: BTreeMap<String, String>,
    answer_tap: Option<AnswerTap>,
}

/// Sees the body of every 2xx answer before it is decoded (see
/// [`ClientBuilder::answer_tap`]).
#[derive(Clone)]
pub(crate) struct AnswerTap(pub(crate) std::sync::Arc<TapFn>);

type TapFn = dyn Fn(&[u8]) + Send + Sync;

impl std::fmt::Debug for AnswerTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnswerTap")
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            template: None,
            server_overrides: BTreeMap::new(),
            answer_tap: None,
            defaults: BTreeMap::new(),
            variables: BTreeMap::new(),
            base_url: None,
            auth: AuthSetting::None,
            app_name: None,
            cdf_version: None,
            retry: RetryConfig::default(),
            timeout: Some(DEFAULT_TIMEOUT),
            total_timeout: None,
            allow_insecure: false,
            max_concurrency: DEFAULT_CONCURRENCY,
            validate: true,
        }
    }
}

impl ClientBuilder {
    /// Spec's server URL template with `{var}` placeholders and defaults, set by the generated code: e.g. ("https://{cluster}.cognitedata.com/api/v1/projects/{project}", &[("cluster","api"),("project","publicdata")]). The generated crate calls this from its own `Client::builder()` wrapper — you provide it.
    pub fn server_template(
        mut self,
        template: &'static str,
        defaults: &[(&'static str, &'static str)],
    ) -> Self {
        self.template = Some(template);
        self.defaults = defaults
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }

    /// Values are checked in `build`: only unreserved URL characters, so
    /// that no value can move the host.
    pub fn server_variable(mut self, name: &str, value: impl Into<String>) -> Self {
        self.variables.insert(name.to_owned(), value.into());
        self
    }

    pub fn cluster(self, cluster: impl Into<String>) -> Self {
        self.server_variable("cluster", cluster)
    }

    pub fn project(self, project: impl Into<String>) -> Self {
        self.server_variable("project", project)
    }

    /// Overrides the template entirely (tests use http://127.0.0.1:port/api/v1/projects/p).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Sends calls meant for one of the spec's path-level servers (e.g.
    /// `https://auth.cognite.com/api/v1`) to another URL instead: a proxy, or
    /// a local test server. The token goes there too: it is your setting.
    pub fn server_override(mut self, spec_server: &str, url: impl Into<String>) -> Self {
        self.server_overrides
            .insert(spec_server.trim_end_matches('/').to_string(), url.into());
        self
    }

    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = AuthSetting::Bearer(Secret::new(token));
        self
    }

    pub fn client_credentials(
        mut self,
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        scopes: Vec<String>,
    ) -> Self {
        self.auth = AuthSetting::ClientCredentials(ClientCredentials {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            scopes,
        });
        self
    }

    /// Sent in the API's application header (`x-cdp-app` for CDF, see
    /// `APP_HEADER`), so that usage can be traced to an application.
    /// Building fails if the API has no such header.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// Sent in the API's version header (`cdf-version` for CDF, see
    /// `API_VERSION_HEADER`), to opt in to a dated API version such as
    /// `20230101-beta`. Building fails if the API has no such header.
    pub fn cdf_version(mut self, version: impl Into<String>) -> Self {
        self.cdf_version = Some(version.into());
        self
    }

    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Per attempt: a retry gets a fresh allowance. Default 60 s.
    pub fn timeout(mut self, per_request: std::time::Duration) -> Self {
        self.timeout = Some(per_request);
        self
    }

    /// The whole call, retries and waits included; past it `execute` returns
    /// `Error::Timeout`, or the last failure if no retry fits in what is left.
    pub fn total_timeout(mut self, overall: std::time::Duration) -> Self {
        self.total_timeout = Some(overall);
        self
    }

    /// Plain `http` sends the token in clear; it is refused for hosts other
    /// than this machine unless allowed here.
    pub fn allow_insecure_http(mut self, yes: bool) -> Self {
        self.allow_insecure = yes;
        self
    }

    /// Requests in flight at once over all clones of the client; CDF
    /// throttles a project that sends too many. Default 10.
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n;
        self
    }

    /// Whether operations check their parameters and body against the
    /// spec's rules (`maxLength`, `pattern`, `minimum`, `maxItems`, ...)
    /// before sending, failing with `Error::Validation`. Default on; turn it
    /// off to let the server be the only judge (when the spec's rules lag
    /// behind the server's, say).
    pub fn validate_requests(mut self, yes: bool) -> Self {
        self.validate = yes;
        self
    }

    /// Calls `tap` with the body of every 2xx answer, before it is decoded.
    /// For tests that compare what a server sent with what the types kept
    /// (the contract sweeps do); not needed to use the client.
    #[doc(hidden)]
    pub fn answer_tap(mut self, tap: impl Fn(&[u8]) + Send + Sync + 'static) -> Self {
        self.answer_tap = Some(AnswerTap(std::sync::Arc::new(tap)));
        self
    }

    pub fn build(self) -> Result<Client, Error> {
        let base = self.base()?;
        let auth = self.auth()?;
        if self.max_concurrency == 0 {
            return Err(Error::Config("max_concurrency must be at least 1".into()));
        }
        let http = reqwest::Client::builder()
            .default_headers(self.headers()?)
            .user_agent(SDK_HEADER_VALUE)
            .redirect(redirect_policy())
            .build()
            .map_err(|e| Error::Config(format!("cannot set up the HTTP client: {e}")))?;
        let mut server_overrides = BTreeMap::new();
        for (from, to) in &self.server_overrides {
            let url = server::parse_server(to, "server override", self.allow_insecure)?;
            server_overrides.insert(from.clone(), url);
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                server_overrides,
                auth,
                retry: self.retry,
                timeout: self.timeout,
                total_timeout: self.total_timeout,
                allow_insecure: self.allow_insecure,
                permits: Semaphore::new(self.max_concurrency),
                max_concurrency: self.max_concurrency,
                validate: self.validate,
                app_name: self.app_name,
                cdf_version: self.cdf_version,
                answer_tap: self.answer_tap,
            }),
        })
    }

    fn base(&self) -> Result<url::Url, Error> {
        if let Some(url) = &self.base_url {
            return server::parse_server(url, "base URL", self.allow_insecure);
        }
        let Some(template) = self.template else {
            return Err(Error::Config(
                "no server: set base_url, or a server template with its variables".into(),
            ));
        };
        let mut vars = self.defaults.clone();
        for (name, value) in &self.variables {
            if !template.contains(&format!("{{{name}}}")) {
                return Err(Error::Config(format!(
                    "server variable `{name}` is not used by the server template `{template}`"
                )));
            }
            vars.insert(name.clone(), value.clone());
        }
        let url = server::expand(template, &vars)?;
        server::parse_server(&url, "server URL", self.allow_insecure)
    }

    fn auth(&self) -> Result<Auth, Error> {
        match &self.auth {
            AuthSetting::None => Ok(Auth::None),
            AuthSetting::Bearer(token) => {
                // Checked without naming the value: it is the token.
                if header_value("authorization", token.expose()).is_err() {
                    return Err(Error::Config(
                        "the bearer token holds characters not allowed in a header".into(),
                    ));
                }
                Ok(Auth::Static(token.clone()))
            }
            AuthSetting::ClientCredentials(cc) => {
                let url = url::Url::parse(&cc.token_url).map_err(|e| {
                    Error::Config(format!("token URL `{}` is not a URL: {e}", cc.token_url))
                })?;
                server::check_scheme(&url, "token URL", self.allow_insecure)?;
                if cc.client_id.is_empty() {
                    return Err(Error::Config("client id is empty".into()));
                }
                Ok(Auth::oauth(cc.clone()))
            }
        }
    }

    fn headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        if let Some(name) = super::SDK_HEADER {
            headers.insert(
                header_name(name)?,
                HeaderValue::from_static(SDK_HEADER_VALUE),
            );
        }
        for (setting, name, value) in [
            ("app_name", super::APP_HEADER, &self.app_name),
            ("cdf_version", super::API_VERSION_HEADER, &self.cdf_version),
        ] {
            if let Some(value) = value {
                let Some(name) = name else {
                    return Err(Error::Config(format!(
                        "{setting} is set, but this API has no header to send it in"
                    )));
                };
                let value = header_value(name, value).map_err(|e| match e {
                    Error::InvalidRequest(why) => Error::Config(why),
                    other => other,
                })?;
                headers.insert(header_name(name)?, value);
            }
        }
        Ok(headers)
    }
}

/// Follows redirects only within one origin. Elsewhere the answer is
/// returned as it is (an `Error::Api` with the 3xx status): a token must not
/// follow a redirect to another host, scheme or port.
fn redirect_policy() -> Policy {
    Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error("too many redirects");
        }
        let same = attempt
            .previous()
            .last()
            .is_some_and(|prev| server::same_origin(prev, attempt.url()));
        if same {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// A header name from the spec's profile (checked by the generator, so an
/// error here means a hand-edited crate).
fn header_name(name: &'static str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|e| Error::Config(format!("header name `{name}`: {e}")))
}
