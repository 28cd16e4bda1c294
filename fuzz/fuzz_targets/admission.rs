//! Any body as an AdmissionReview, as the webhook hands it to the engine.
#![no_main]

use kafkalint_engine::admission::{review, AdmissionOptions};
use libfuzzer_sys::fuzz_target;

/// Built once: parsing the default policy pack per input would dominate the run.
fn options() -> &'static AdmissionOptions {
    static OPTIONS: std::sync::OnceLock<AdmissionOptions> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(AdmissionOptions::default)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = review(data, options()) {
        let _ = r.to_json();
    }
});
