//! Any body as an AdmissionReview, as the webhook hands it to the engine.

use kafkalint_engine::admission::{review, AdmissionOptions};

/// Built once: parsing the default policy pack per input would dominate the run.
fn options() -> &'static AdmissionOptions {
    static OPTIONS: std::sync::OnceLock<AdmissionOptions> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(AdmissionOptions::default)
}

/// One fuzz input.
pub fn run(data: &[u8]) {
    if let Ok(r) = review(data, options()) {
        let _ = r.to_json();
    }
}
