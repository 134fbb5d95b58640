//! The hand-written runtime of the generated client. Each module here is
//! compiled and tested in this workspace, and copied verbatim into the
//! generated crate as `cdf_client::runtime::*` (the generated crate must build
//! on its own, so it cannot depend on this one by path).

#[doc(hidden)]
pub mod testing;
pub mod union;
