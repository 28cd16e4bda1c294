//! The JS surface (wasm-bindgen). `index.d.ts` describes it; keep the two in step.

use js_sys::{Array, Map, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::{api, Files, Options};

/// `files` is a plain object or a `Map` from path to content (a string, or bytes as a
/// `Uint8Array`/Node `Buffer` so that non-UTF-8 files are reported as the CLI reports them).
fn files_from(value: &JsValue) -> Result<Files, JsError> {
    let entries: Array = if let Some(map) = value.dyn_ref::<Map>() {
        Array::from(&map.entries())
    } else if value.is_object() {
        Object::entries(value.unchecked_ref::<Object>())
    } else {
        return Err(JsError::new(
            "files: expected an object or a Map from path to content",
        ));
    };
    let mut files = Files::new();
    for entry in entries.iter() {
        let pair: Array = entry.unchecked_into();
        let Some(path) = pair.get(0).as_string() else {
            return Err(JsError::new("files: every path must be a string"));
        };
        let content = pair.get(1);
        if let Some(text) = content.as_string() {
            files.insert(&path, text);
        } else if content.is_instance_of::<Uint8Array>() {
            files.insert(&path, Uint8Array::new(&content).to_vec());
        } else {
            return Err(JsError::new(&format!(
                "files[{path:?}]: expected a string or a Uint8Array"
            )));
        }
    }
    Ok(files)
}

fn text_field(options: &JsValue, name: &str) -> Result<Option<String>, JsError> {
    if !options.is_object() {
        return Ok(None);
    }
    let v = Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| JsError::new(&format!("options.{name}: expected a string")))
}

/// An optional array of strings.
fn strings_field(options: &JsValue, name: &str) -> Result<Vec<String>, JsError> {
    if !options.is_object() {
        return Ok(Vec::new());
    }
    let v = Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    let wrong = || JsError::new(&format!("options.{name}: expected an array of strings"));
    if !Array::is_array(&v) {
        return Err(wrong());
    }
    Array::from(&v)
        .iter()
        .map(|x| x.as_string().ok_or_else(wrong))
        .collect()
}

fn options_from(policy: Option<String>, options: &JsValue) -> Result<Options, JsError> {
    let utf16 = options.is_object()
        && Reflect::get(options, &JsValue::from_str("utf16Columns")).is_ok_and(|v| v.is_truthy());
    Ok(Options {
        policy,
        paths: strings_field(options, "paths")?,
        image: text_field(options, "image")?,
        kafka_version: text_field(options, "kafkaVersion")?,
        utf16_columns: utf16,
    })
}

/// Lint the files as `kafkalint lint -f json DIR` lints a directory holding them.
#[wasm_bindgen]
pub fn lint(files: JsValue, policy: Option<String>, options: JsValue) -> Result<String, JsError> {
    let opts = options_from(policy, &options)?;
    api::lint(&files_from(&files)?, &opts).map_err(|e| JsError::new(&e))
}

/// The memory budget of every broker, as `kafkalint memory -f json`. A wasm export cannot be
/// named `memory` (the linear memory is), so the package's entry files (wasm/js) re-export this
/// as `memory`.
#[wasm_bindgen(js_name = memoryBudget)]
pub fn memory_budget(
    files: JsValue,
    policy: Option<String>,
    options: JsValue,
) -> Result<String, JsError> {
    let opts = options_from(policy, &options)?;
    api::memory(&files_from(&files)?, &opts).map_err(|e| JsError::new(&e))
}

/// Every rule, as `kafkalint rules -f json`.
#[wasm_bindgen]
pub fn rules(policy: Option<String>) -> Result<String, JsError> {
    api::rules(policy.as_deref()).map_err(|e| JsError::new(&e))
}

/// One rule and its documentation.
#[wasm_bindgen]
pub fn rule(code: &str, policy: Option<String>) -> Result<String, JsError> {
    api::rule(code, policy.as_deref()).map_err(|e| JsError::new(&e))
}

/// kafkalint's version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn review_options(options: &JsValue) -> Result<crate::review::ReviewOptions, JsError> {
    let flag = |name: &str| {
        options.is_object()
            && Reflect::get(options, &JsValue::from_str(name)).is_ok_and(|v| v.is_truthy())
    };
    Ok(crate::review::ReviewOptions {
        exempt_namespaces: strings_field(options, "exemptNamespaces")?,
        warn_only: flag("warnOnly"),
        deny_existing: flag("denyExisting"),
    })
}

/// Judge an AdmissionReview (JSON text); returns the AdmissionReview response (JSON text).
#[wasm_bindgen]
pub fn review(
    admission_review: &str,
    policy: Option<String>,
    options: JsValue,
) -> Result<String, JsError> {
    crate::review::review(
        admission_review,
        policy.as_deref(),
        review_options(&options)?,
    )
    .map_err(|e| JsError::new(&e))
}

/// A policy parsed once for many reviews: what a server holds.
#[wasm_bindgen]
pub struct Admission {
    reviewer: crate::review::Reviewer,
}

#[wasm_bindgen]
impl Admission {
    #[wasm_bindgen(constructor)]
    pub fn new(policy: Option<String>, options: JsValue) -> Result<Admission, JsError> {
        let reviewer = crate::review::Reviewer::new(policy.as_deref(), review_options(&options)?)
            .map_err(|e| JsError::new(&e))?;
        Ok(Admission { reviewer })
    }

    /// The AdmissionReview response (JSON text); throws when the body is not a review.
    pub fn review(&self, body: &[u8]) -> Result<String, JsError> {
        self.reviewer.review(body).map_err(|e| JsError::new(&e))
    }

    /// `{review, verdict, skipped, findings}` (JSON text), for servers that count and log.
    #[wasm_bindgen(js_name = reviewDetailed)]
    pub fn review_detailed(&self, body: &[u8]) -> Result<String, JsError> {
        self.reviewer
            .review_detailed(body)
            .map_err(|e| JsError::new(&e))
    }
}
