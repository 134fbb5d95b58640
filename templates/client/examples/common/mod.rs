//! Client set-up shared by the examples: everything comes from the
//! environment so no secret is ever written in code.
//!
//! - `CDF_BASE_URL` (e.g. a local test server), or `CDF_CLUSTER` + `CDF_PROJECT`;
//! - `CDF_TOKEN` for a bearer token, or `CDF_TOKEN_URL` + `CDF_CLIENT_ID` +
//!   `CDF_CLIENT_SECRET` (+ `CDF_SCOPES`, space separated) for OAuth2 client credentials.

use cdf_client::{Client, Error};

pub fn client_from_env() -> Result<Client, Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut builder = Client::builder().app_name("cdf-client-examples");
    if let Some(url) = var("CDF_BASE_URL") {
        builder = builder.base_url(url);
    }
    if let Some(cluster) = var("CDF_CLUSTER") {
        builder = builder.cluster(cluster);
    }
    if let Some(project) = var("CDF_PROJECT") {
        builder = builder.project(project);
    }
    builder = match (var("CDF_TOKEN"), var("CDF_TOKEN_URL")) {
        (Some(token), _) => builder.bearer_token(token),
        (None, Some(token_url)) => builder.client_credentials(
            token_url,
            var("CDF_CLIENT_ID").unwrap_or_default(),
            var("CDF_CLIENT_SECRET").unwrap_or_default(),
            var("CDF_SCOPES")
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
        ),
        (None, None) => {
            return Err(Error::Config(
                "set CDF_TOKEN, or CDF_TOKEN_URL with CDF_CLIENT_ID and CDF_CLIENT_SECRET".into(),
            ))
        }
    };
    builder.build()
}
