//! JVM command lines and sizes, Kubernetes quantities, policy amounts.
#![no_main]

use kafkalint_model::{jvm, quantity};
use kafkalint_policy::Amount;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for (_, token) in jvm::tokens(text) {
        let _ = jvm::parse_size(token);
        if let Some((_, value)) = jvm::size_flag(token) {
            let _ = jvm::parse_size(value);
        }
        let _ = jvm::percentage_flag(token, "MaxRAMPercentage");
    }
    let _ = jvm::parse_size(text);
    if let Some(bytes) = quantity::parse_memory(text) {
        let _ = quantity::mib(bytes);
    }
    let _ = Amount::parse(text);
});
