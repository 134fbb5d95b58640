//! The runtime against a local mock server (wiremock, 127.0.0.1 only).
//! One test binary, so that reqwest and wiremock are linked once.

mod auth;
mod bulk;
mod common;
mod config;
mod datapoints;
mod datapoints_insert;
mod errors;
mod faults;
mod pagination;
mod requests;
mod retries;
