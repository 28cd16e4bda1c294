//! Admission: the engine's AdmissionReview core with a policy given as text, for hosts that
//! hold no files (the Node webhook, Kubewarden).

use kafkalint_engine::admission::{self, AdmissionOptions, Verdict};
use kafkalint_engine::LintOptions;
use serde_json::json;

use crate::api::policy_from;
use crate::Files;

/// How requests are judged besides the policy (`kafkalint-webhook`'s flags).
#[derive(Clone, Debug, Default)]
pub struct ReviewOptions {
    /// Namespaces (globs with `*`) admitted without linting.
    pub exempt_namespaces: Vec<String>,
    /// Error-level findings become warnings: the rollout mode.
    pub warn_only: bool,
    /// On UPDATE, deny for errors the stored object already had too.
    pub deny_existing: bool,
}

/// A policy parsed once, then any number of reviews.
#[derive(Clone, Debug)]
pub struct Reviewer {
    options: AdmissionOptions,
}

impl Reviewer {
    /// `policy` is a pack name or policy YAML; `None` is the default pack.
    pub fn new(policy: Option<&str>, options: ReviewOptions) -> Result<Reviewer, String> {
        let policy = match policy {
            Some(spec) => policy_from(spec, &Files::new())?,
            None => kafkalint_policy::Policy::default_policy(),
        };
        Ok(Reviewer {
            options: AdmissionOptions {
                lint: LintOptions {
                    policy,
                    ..LintOptions::default()
                },
                exempt_namespaces: options.exempt_namespaces,
                warn_only: options.warn_only,
                deny_existing: options.deny_existing,
            },
        })
    }

    /// The AdmissionReview to send back. An error means the body is not one (HTTP 400).
    pub fn review(&self, body: &[u8]) -> Result<String, String> {
        admission::review(body, &self.options)
            .map(|r| r.to_json())
            .map_err(|e| e.to_string())
    }

    /// The AdmissionReview to send back, with what a server counts and logs:
    /// `{"review": {...}, "verdict": "denied", "skipped": null, "findings": [...]}`.
    pub fn review_detailed(&self, body: &[u8]) -> Result<String, String> {
        let r = admission::review(body, &self.options).map_err(|e| e.to_string())?;
        let skipped = match r.verdict {
            Verdict::Skipped(why) => Some(why.as_str()),
            _ => None,
        };
        let findings: Vec<_> = r
            .findings
            .iter()
            .map(|f| {
                json!({
                    "code": f.code,
                    "severity": f.severity.as_str(),
                    "message": f.message,
                    "path": f.path,
                    "existing": f.existing,
                })
            })
            .collect();
        Ok(json!({
            "review": r.response,
            "verdict": r.verdict.as_str(),
            "skipped": skipped,
            "findings": findings,
        })
        .to_string())
    }
}

/// One review with its own policy: `Reviewer::new(...)?.review(body)`.
pub fn review(body: &str, policy: Option<&str>, options: ReviewOptions) -> Result<String, String> {
    Reviewer::new(policy, options)?.review(body.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_and_refuses_what_is_not_a_review() {
        let r = Reviewer::new(Some("default"), ReviewOptions::default());
        let Ok(r) = r else {
            panic!("the default pack loads")
        };
        assert!(r
            .review(b"{not json")
            .is_err_and(|e| e.contains("not JSON")));
        let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"DELETE","kind":{"group":"apps","version":"v1","kind":"StatefulSet"},"namespace":"ns","name":"kafka"}}"#;
        let detail: serde_json::Value =
            serde_json::from_str(&r.review_detailed(body).unwrap_or_default()).unwrap_or_default();
        assert_eq!(detail["verdict"], "skipped");
        assert_eq!(detail["skipped"], "operation");
        assert_eq!(detail["review"]["response"]["uid"], "u1");
        assert_eq!(detail["review"]["response"]["allowed"], true);
        assert!(Reviewer::new(Some("strict"), ReviewOptions::default()).is_err());
    }
}
