//! Policy files: the thresholds rules check against and each rule's severity.
//!
//! The default policy is embedded; `--policy FILE` replaces it with a file of the same format.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Memory budget thresholds and estimates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryThresholds {
    /// Below this share of the limit left free: error.
    pub margin_min: f64,
    /// Below this (and above `margin_min`): warning.
    pub margin_recommended: f64,
    /// Metaspace assumed when `-XX:MaxMetaspaceSize` is not set, in MiB.
    pub metaspace_estimate_mib: u64,
    /// JVM-internal threads (GC, JIT, VM).
    pub jvm_threads: u32,
    /// Other threads a broker runs beyond its configured pools.
    pub thread_allowance: u32,
    /// Native memory of Java agents, in MiB.
    pub agents_mib: u64,
    /// Other native memory, in MiB.
    pub other_native_mib: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    /// Lowest acceptable replication factor.
    pub replication_factor_min: u32,
    /// Lowest acceptable `min.insync.replicas`.
    pub min_insync_replicas_min: u32,
    pub memory: MemoryThresholds,
}

/// A rule's settings in a policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Format version of the policy file.
    pub version: u32,
    pub thresholds: Thresholds,
    /// Per-rule settings by rule code.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSetting>,
}

/// The policy embedded in the binary.
pub const DEFAULT_POLICY: &str = include_str!("../../../policies/default.yaml");

/// A policy file that could not be read, with its 1-based position when known.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{} (line {l}, column {c})", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = serde_yaml::from_str(text).map_err(|e| PolicyError {
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
            line: e.location().map(|l| l.line()),
            column: e.location().map(|l| l.column()),
        })?;
        policy.validate()?;
        Ok(policy)
    }

    pub fn default_policy() -> Policy {
        // The embedded file is checked by a test; fall back to the same numbers if it were not.
        Policy::parse(DEFAULT_POLICY).unwrap_or_else(|_| Policy::builtin())
    }

    fn builtin() -> Policy {
        Policy {
            version: 1,
            thresholds: Thresholds {
                replication_factor_min: 3,
                min_insync_replicas_min: 2,
                memory: MemoryThresholds {
                    margin_min: 0.10,
                    margin_recommended: 0.15,
                    metaspace_estimate_mib: 128,
                    jvm_threads: 40,
                    thread_allowance: 50,
                    agents_mib: 0,
                    other_native_mib: 0,
                },
            },
            rules: BTreeMap::new(),
        }
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let err = |message: String| {
            Err(PolicyError {
                message,
                line: None,
                column: None,
            })
        };
        if self.version != 1 {
            return err(format!(
                "unsupported policy version {} (this kafkalint reads version 1)",
                self.version
            ));
        }
        let m = &self.thresholds.memory;
        if !(0.0..1.0).contains(&m.margin_min) || !(0.0..1.0).contains(&m.margin_recommended) {
            return err("memory margins must be between 0 and 1 (0.10 means 10%)".into());
        }
        if m.margin_min > m.margin_recommended {
            return err(format!(
                "memory.margin_min ({}) is above memory.margin_recommended ({})",
                m.margin_min, m.margin_recommended
            ));
        }
        Ok(())
    }

    /// Whether a rule runs, given its default.
    pub fn enabled(&self, code: &str) -> bool {
        self.rules.get(code).and_then(|r| r.enabled).unwrap_or(true)
    }

    pub fn severity(&self, code: &str, default: Severity) -> Severity {
        self.rules
            .get(code)
            .and_then(|r| r.severity)
            .unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_parses() {
        let p = Policy::parse(DEFAULT_POLICY).unwrap();
        assert_eq!(p.thresholds.replication_factor_min, 3);
        assert_eq!(p.thresholds.min_insync_replicas_min, 2);
        assert_eq!(p.thresholds.memory.margin_min, 0.10);
        assert_eq!(p.thresholds.memory.margin_recommended, 0.15);
        for code in ["MEM001", "MEM002", "REP001", "REP002", "STO001", "RET001"] {
            assert_eq!(p.severity(code, Severity::Info), Severity::Error, "{code}");
        }
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let text = DEFAULT_POLICY.replace("  replication_factor_min:", "  replication_factor_mn:");
        let err = Policy::parse(&text).unwrap_err();
        assert!(err.message.contains("replication_factor_mn"), "{err}");
        let line = DEFAULT_POLICY
            .lines()
            .position(|l| l.contains("replication_factor_min:"))
            .unwrap()
            + 1;
        assert_eq!(err.line, Some(line));
    }

    #[test]
    fn inverted_margins_are_refused() {
        let text = DEFAULT_POLICY.replace("margin_min: 0.10", "margin_min: 0.20");
        assert!(Policy::parse(&text)
            .unwrap_err()
            .message
            .contains("margin_min"));
    }
}
