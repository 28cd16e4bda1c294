// The browser entry point: wasm-bindgen's module, with `memoryBudget` also exported as `memory`
// (a wasm export cannot take that name: the linear memory has it).
export * from "./kafkalint_wasm.js";
export { default, memoryBudget as memory } from "./kafkalint_wasm.js";
