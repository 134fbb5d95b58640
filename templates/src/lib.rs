//! The hand-written runtime of the generated client. Each module here is
//! compiled and tested in this workspace, and copied verbatim into the
//! generated crate as `cdf_client::runtime::*` (the generated crate must build
//! on its own, so it cannot depend on this one by path).

pub mod auth;
pub mod builder;
pub mod bulk;
pub mod client;
pub(crate) mod constructor;
pub(crate) mod conversions;
pub mod datapoints;
pub mod encode;
pub mod error;
pub mod pagination;
pub mod request;
pub mod retry;
pub mod server;
// Called only by the macro's expansions in the generated types.
#[allow(dead_code)]
pub(crate) mod serde_struct;
pub(crate) mod setter;
pub(crate) mod string_enum;
#[cfg(feature = "test-util")]
pub mod test_server;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod union;
pub(crate) mod union_de;
pub mod validate;

// --- spec constants: the generator replaces everything below ---

/// The spec's server URL, with `{variable}` placeholders. (Test values here;
/// a generated crate gets the spec's.)
pub const SERVER_TEMPLATE: &str = "https://{cluster}.example.invalid/api/v1/projects/{project}";
/// Default values of the server variables, from the spec.
pub const SERVER_DEFAULTS: &[(&str, &str)] = &[("cluster", "api"), ("project", "publicdata")];
/// The header that names this client library and its version.
pub const SDK_HEADER: Option<&str> = Some("x-cdp-sdk");
/// The header that carries `ClientBuilder::app_name`.
pub const APP_HEADER: Option<&str> = Some("x-cdp-app");
/// The header that carries `ClientBuilder::cdf_version`.
pub const API_VERSION_HEADER: Option<&str> = Some("cdf-version");
/// The answer header whose `true` makes any failed request retried.
pub const RETRYABLE_HEADER: Option<&str> = Some("cdf-is-auto-retryable");
/// The datapoints listing that `Client::datapoints` reads.
pub const DATAPOINTS_PATH: &str = "/timeseries/data/list";
/// The datapoints insertion that `Client::insert_datapoints` writes to.
pub const DATAPOINTS_INSERT_PATH: &str = "/timeseries/data";
