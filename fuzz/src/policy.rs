//! Any text as a policy file (extends may name packs only, so there is no I/O).

use kafkalint_policy::Policy;

/// One fuzz input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Policy::parse(text) {
        let _ = p.decide("MEM001", "memory", kafkalint_policy::Severity::Error);
    }
}
