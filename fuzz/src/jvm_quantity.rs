//! JVM command lines and sizes, Kubernetes quantities, policy amounts.

use kafkalint_model::{jvm, quantity};
use kafkalint_policy::Amount;

/// One fuzz input, decoded as libfuzzer-sys decodes `&str`.
pub fn run(data: &[u8]) {
    let Ok(text) =
        <&str as arbitrary::Arbitrary>::arbitrary_take_rest(arbitrary::Unstructured::new(data))
    else {
        return;
    };
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
}
