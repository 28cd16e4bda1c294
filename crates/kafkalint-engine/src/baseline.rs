//! Fingerprints that survive reformatting and moved lines, and baselines built from them.
//!
//! A fingerprint hashes the rule, the object a finding is about (kind, namespace, name; the
//! file for findings outside any object) and the config key — never a line or column. Findings
//! without a key use their message with numbers masked, so a value edit keeps its fingerprint.

use std::collections::HashMap;

use kafkalint_rules::Diagnostic;
use kafkalint_syntax::SourceMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The object a finding is about, as fingerprints and reports name it.
pub fn object_of(d: &Diagnostic, sources: &SourceMap) -> String {
    match &d.resource {
        Some(id) => format!(
            "{}/{}/{}",
            id.kind,
            id.namespace.as_deref().unwrap_or(""),
            id.name
        ),
        None => sources
            .path(d.span.source)
            .trim_start_matches("./")
            .to_string(),
    }
}

fn mask_numbers(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// Fingerprints of `diagnostics`, in order. Equal findings get `-1`, `-2`... suffixes.
pub fn fingerprints(diagnostics: &[Diagnostic], sources: &SourceMap) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let what = d.key.clone().unwrap_or_else(|| mask_numbers(&d.message));
            let mut h = Sha256::new();
            for part in [d.code.as_str(), &object_of(d, sources), &what] {
                h.update(part.as_bytes());
                h.update([0u8]);
            }
            let hex: String = h.finalize()[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let n = seen.entry(hex.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                hex
            } else {
                format!("{hex}-{n}")
            }
        })
        .collect()
}

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub code: String,
    pub object: String,
    pub message: String,
}

/// Findings accepted as they are; only new ones are reported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub fn from_findings(diagnostics: &[Diagnostic], sources: &SourceMap) -> Baseline {
        let fps = fingerprints(diagnostics, sources);
        Baseline {
            version: 1,
            findings: diagnostics
                .iter()
                .zip(fps)
                .map(|(d, fingerprint)| BaselineEntry {
                    fingerprint,
                    code: d.code.clone(),
                    object: object_of(d, sources),
                    message: d.message.clone(),
                })
                .collect(),
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let b: Baseline =
            serde_json::from_str(text).map_err(|e| format!("not a kafkalint baseline: {e}"))?;
        if b.version != 1 {
            return Err(format!("unsupported baseline version {}", b.version));
        }
        Ok(b)
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.findings.iter().any(|f| f.fingerprint == fingerprint)
    }
}
