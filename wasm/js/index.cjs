// The Node entry point: wasm-bindgen's module, with `memoryBudget` also exported as `memory`
// (a wasm export cannot take that name: the linear memory has it).
const kafkalint = require("./kafkalint_wasm.js");

module.exports = { ...kafkalint, memory: kafkalint.memoryBudget };
