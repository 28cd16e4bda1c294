//! A waPC host for the kafkalint Kubewarden policy: what Kubewarden's policy-server does with
//! a policy module, without a cluster.

use std::error::Error;

use wapc::{WapcHost, WasiParams};
use wasmtime_provider::WasmtimeEngineProviderBuilder;

/// The policy module, from `KAFKALINT_KUBEWARDEN_WASM` or the wasm-release build.
pub fn module_path() -> std::path::PathBuf {
    match std::env::var_os("KAFKALINT_KUBEWARDEN_WASM") {
        Some(p) => p.into(),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/wasm32-wasip1/wasm-release/kafkalint_kubewarden.wasm"),
    }
}

/// Instantiate the module with WASI, as policy-server does.
pub fn host(module: &[u8]) -> Result<WapcHost, Box<dyn Error>> {
    let engine = WasmtimeEngineProviderBuilder::new()
        .module_bytes(module)
        .wasi_params(WasiParams::default())
        .build()?;
    // The policy makes no host calls; answer any with nothing.
    let callback = |_id: u64, _binding: &str, _ns: &str, _op: &str, _payload: &[u8]| Ok(vec![]);
    Ok(WapcHost::new(Box::new(engine), Some(Box::new(callback)))?)
}
