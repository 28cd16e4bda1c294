// The browser build (wasm-bindgen `--target web`): the functions of index.d.ts (copied beside
// this file as api.d.ts), callable once the module is initialised.
export * from "./api";

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Fetch and instantiate the module (by default `kafkalint_wasm_bg.wasm` beside this file). */
export default function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;

/** Instantiate from bytes already at hand. */
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;
