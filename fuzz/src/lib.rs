//! The fuzz targets' bodies, one module each with `run(bytes)`. The cargo-fuzz binaries in
//! `fuzz_targets/` call them, and `tests/fuzz_seeds.rs` in the main workspace replays the
//! committed seeds and crash inputs through them on stable Rust. Paths are explicit so the
//! file can be included from there too.

#[path = "admission.rs"]
pub mod admission;
#[path = "broker_manifest.rs"]
pub mod broker_manifest;
#[path = "env_file.rs"]
pub mod env_file;
#[path = "jvm_quantity.rs"]
pub mod jvm_quantity;
#[path = "kustomize_tree.rs"]
pub mod kustomize_tree;
#[path = "policy.rs"]
pub mod policy;
#[path = "properties_file.rs"]
pub mod properties_file;
#[path = "yaml_loader.rs"]
pub mod yaml_loader;
