//! kafkalint for hosts that hold files in memory: Node (an admission webhook, editor
//! extensions), browsers (the playground) and, through the same core, Kubewarden.
//!
//! Each call returns the JSON the CLI prints for the same input, so one engine gives one answer
//! on a laptop, in CI and in the cluster.

pub mod api;
#[cfg(feature = "bindgen")]
mod bindings;
pub mod files;
pub mod review;

pub use api::Options;
pub use files::Files;
