//! Prometheus text exposition (format 0.0.4), written by hand: a few counters and one
//! histogram do not need a metrics framework, and atomics keep the hot path lock-free.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use kafkalint_engine::admission::{Finding, Verdict};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// Request outcomes, as the `result` label.
pub const RESULTS: [&str; 7] = [
    "allowed",
    "warned",
    "denied",
    "skipped",
    "invalid",
    "too_large",
    "error",
];

#[derive(Default)]
pub struct Metrics {
    results: [AtomicU64; RESULTS.len()],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
    /// (rule, severity) → findings; locked only when a request has findings.
    findings: Mutex<BTreeMap<(String, &'static str), u64>>,
    skipped: Mutex<BTreeMap<&'static str, u64>>,
    pub tls_reloads: AtomicU64,
    pub policy_reloads: AtomicU64,
    pub reload_errors: AtomicU64,
}

impl Metrics {
    pub fn result(&self, result: &str) {
        if let Some(i) = RESULTS.iter().position(|r| *r == result) {
            if let Some(c) = self.results.get(i) {
                c.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub fn latency(&self, took: Duration) {
        let secs = took.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            if let Some(b) = self.buckets.get(i) {
                b.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn review(&self, verdict: Verdict, findings: &[Finding]) {
        self.result(verdict.as_str());
        if let Verdict::Skipped(why) = verdict {
            if let Ok(mut s) = self.skipped.lock() {
                *s.entry(why.as_str()).or_default() += 1;
            }
        }
        if findings.is_empty() {
            return;
        }
        if let Ok(mut map) = self.findings.lock() {
            for f in findings {
                *map.entry((f.code.clone(), f.severity.as_str()))
                    .or_default() += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let mut s = String::with_capacity(4096);
        let _ = self.write(&mut s);
        s
    }

    fn write(&self, s: &mut String) -> std::fmt::Result {
        writeln!(
            s,
            "# HELP kafkalint_webhook_requests_total AdmissionReview requests on /validate, by result."
        )?;
        writeln!(s, "# TYPE kafkalint_webhook_requests_total counter")?;
        for (name, c) in RESULTS.iter().zip(&self.results) {
            writeln!(
                s,
                "kafkalint_webhook_requests_total{{result=\"{name}\"}} {}",
                c.load(Ordering::Relaxed)
            )?;
        }
        writeln!(
            s,
            "# HELP kafkalint_webhook_skipped_total Requests admitted without linting, by reason."
        )?;
        writeln!(s, "# TYPE kafkalint_webhook_skipped_total counter")?;
        if let Ok(map) = self.skipped.lock() {
            for (why, n) in map.iter() {
                writeln!(s, "kafkalint_webhook_skipped_total{{reason=\"{why}\"}} {n}")?;
            }
        }
        writeln!(
            s,
            "# HELP kafkalint_webhook_request_duration_seconds Time to judge one AdmissionReview, body read to response."
        )?;
        writeln!(
            s,
            "# TYPE kafkalint_webhook_request_duration_seconds histogram"
        )?;
        let mut cumulative = 0;
        for (le, b) in BUCKETS.iter().zip(&self.buckets) {
            cumulative += b.load(Ordering::Relaxed);
            writeln!(
                s,
                "kafkalint_webhook_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            )?;
        }
        let count = self.count.load(Ordering::Relaxed);
        writeln!(
            s,
            "kafkalint_webhook_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        )?;
        writeln!(
            s,
            "kafkalint_webhook_request_duration_seconds_sum {}",
            self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9
        )?;
        writeln!(
            s,
            "kafkalint_webhook_request_duration_seconds_count {count}"
        )?;
        writeln!(
            s,
            "# HELP kafkalint_webhook_findings_total Findings reported at admission, by rule and severity."
        )?;
        writeln!(s, "# TYPE kafkalint_webhook_findings_total counter")?;
        if let Ok(map) = self.findings.lock() {
            for ((rule, severity), n) in map.iter() {
                writeln!(
                    s,
                    "kafkalint_webhook_findings_total{{rule=\"{}\",severity=\"{severity}\"}} {n}",
                    escape(rule)
                )?;
            }
        }
        for (name, help, c) in [
            (
                "kafkalint_webhook_tls_reloads_total",
                "Serving certificates taken from changed files.",
                &self.tls_reloads,
            ),
            (
                "kafkalint_webhook_policy_reloads_total",
                "Policies taken from a changed --policy file.",
                &self.policy_reloads,
            ),
            (
                "kafkalint_webhook_reload_errors_total",
                "Changed certificate or policy files that could not be used (the old ones stay).",
                &self.reload_errors,
            ),
        ] {
            writeln!(s, "# HELP {name} {help}")?;
            writeln!(s, "# TYPE {name} counter")?;
            writeln!(s, "{name} {}", c.load(Ordering::Relaxed))?;
        }
        Ok(())
    }
}

/// Label values: custom rule codes come from policy files.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
