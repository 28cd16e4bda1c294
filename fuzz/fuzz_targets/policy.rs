//! Any text as a policy file (extends may name packs only, so there is no I/O).
#![no_main]

use kafkalint_policy::Policy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Policy::parse(text) {
        let _ = p.decide("MEM001", "memory", kafkalint_policy::Severity::Error);
    }
});
