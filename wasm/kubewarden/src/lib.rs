//! kafkalint as a Kubewarden policy: `validate`, `validate_settings` and `protocol_version` over
//! waPC, built for `wasm32-wasip1`. The verdicts are the admission core's, through the same
//! code the JS build and `kafkalint-webhook` run.
//!
//! The policy's settings are a kafkalint policy file as a map (`extends`, `thresholds`,
//! `rules`, `exemptions`, `custom_rules`); no settings means the default pack.

use std::sync::Mutex;

use kafkalint_wasm::review::{ReviewOptions, Reviewer};
use kubewarden_policy_sdk::response::ValidationResponse;
use kubewarden_policy_sdk::settings::SettingsValidationResponse;
use kubewarden_policy_sdk::wapc_guest::{self as guest, CallResult};
use serde_json::{json, Value};

#[no_mangle]
pub extern "C" fn wapc_init() {
    guest::register_function("validate", validate);
    guest::register_function("validate_settings", validate_settings);
    guest::register_function(
        "protocol_version",
        kubewarden_policy_sdk::protocol_version_guest,
    );
}

/// The policy text for settings: JSON is YAML, so the map is handed to the policy parser as is.
fn policy_text(settings: &Value) -> Option<String> {
    match settings {
        Value::Null => None,
        Value::Object(m) if m.is_empty() => None,
        other => Some(other.to_string()),
    }
}

/// A reviewer for these settings: the policy-server sends the same settings with every request,
/// so the last one is kept rather than parsed again each time.
fn reviewer(settings: &Value) -> Result<Reviewer, String> {
    static LAST: Mutex<Option<(Value, Reviewer)>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((s, r)) = last.as_ref() {
        if s == settings {
            return Ok(r.clone());
        }
    }
    let r = Reviewer::new(policy_text(settings).as_deref(), ReviewOptions::default())?;
    *last = Some((settings.clone(), r.clone()));
    Ok(r)
}

/// Whether the settings make a valid kafkalint policy.
pub fn validate_settings(payload: &[u8]) -> CallResult {
    let response = match serde_json::from_slice::<Value>(payload) {
        Err(e) => SettingsValidationResponse {
            valid: false,
            message: Some(format!("settings are not JSON: {e}")),
        },
        Ok(settings) => match reviewer(&settings) {
            Ok(_) => SettingsValidationResponse {
                valid: true,
                message: None,
            },
            Err(e) => SettingsValidationResponse {
                valid: false,
                message: Some(format!("invalid kafkalint policy: {e}")),
            },
        },
    };
    Ok(serde_json::to_vec(&response)?)
}

/// Judge `{"request": AdmissionRequest, "settings": {...}}`: error findings reject with their
/// list, warnings go back as warnings.
pub fn validate(payload: &[u8]) -> CallResult {
    let mut doc: Value = serde_json::from_slice(payload)?;
    let settings = doc
        .get_mut("settings")
        .map(Value::take)
        .unwrap_or(Value::Null);
    let request = doc
        .get_mut("request")
        .map(Value::take)
        .unwrap_or(Value::Null);
    let review = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": request,
    });
    let reviewer = reviewer(&settings)?;
    let answer: Value = serde_json::from_str(&reviewer.review(review.to_string().as_bytes())?)?;
    let response = answer.get("response").unwrap_or(&Value::Null);
    let warnings: Option<Vec<String>> = response
        .get("warnings")
        .and_then(|w| serde_json::from_value(w.clone()).ok());
    let accepted = response.get("allowed").and_then(Value::as_bool) == Some(true);
    let status = response.get("status");
    let out = ValidationResponse {
        accepted,
        message: (!accepted)
            .then(|| {
                status
                    .and_then(|s| s.get("message"))
                    .and_then(Value::as_str)
            })
            .flatten()
            .map(str::to_string),
        code: (!accepted)
            .then(|| status.and_then(|s| s.get("code")).and_then(Value::as_u64))
            .flatten()
            .and_then(|c| u16::try_from(c).ok()),
        mutated_object: None,
        audit_annotations: None,
        warnings,
    };
    Ok(serde_json::to_vec(&out)?)
}
