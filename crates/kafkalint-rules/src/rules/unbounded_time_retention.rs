use kafkalint_model::{Config, Lookup, Setting};

use super::catalog_support::{cluster_brokers, parse_long, resource_at};
use super::is_controller_only;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports brokers and topics that keep data with neither a time nor a size limit.
    ///
    /// It reports:
    /// - a broker whose effective time retention is unlimited (`log.retention.ms`, else
    ///   `log.retention.minutes`, else `log.retention.hours`, negative — the first one set
    ///   wins) while `log.retention.bytes` is unset or negative and tiered storage
    ///   (`remote.log.storage.system.enable`) is off;
    /// - a Strimzi `KafkaTopic` with a negative `retention.ms` and no non-negative
    ///   `retention.bytes` of its own or from its cluster's `log.retention.bytes`, unless the
    ///   topic is compacted (`cleanup.policy` with `compact`) or tiered
    ///   (`remote.storage.enable=true`).
    ///
    /// Values that cannot be known (a Secret, a config file not in the input) keep it silent.
    ///
    /// ## Why is this bad?
    /// With `-1` Kafka never deletes a segment for age, and without a size limit nothing
    /// else does: the log grows until the volume is full, and then the broker stops with
    /// every partition on that disk. Keeping data forever is sometimes intended (an event
    /// store), but then it needs a capacity plan or tiered storage, not a full disk.
    ///
    /// Sources: Kafka generated broker and topic config docs (`configs-*.json`:
    /// `retention.ms` -1 means no time limit, `retention.bytes` default -1,
    /// `log.retention.bytes` default -1); precedence of `log.retention.ms` over `.minutes`
    /// over `.hours`: the broker docs (topic-overrides.json notes).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   config:
    ///     retention.ms: -1
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   config:
    ///     retention.ms: -1
    ///     retention.bytes: 107374182400 # 100 GiB per partition
    /// ```
    /// or a finite `retention.ms`, or `remote.storage.enable: true` with tiered storage.
    pub struct UnboundedTimeRetention {
        code: "RET002",
        name: "unbounded-retention",
        category: Retention,
        severity: Warning,
    }
}

/// A config's answer to "is this bounded?": `Some(true)` bounded, `Some(false)` not, `None`
/// unknown.
fn bytes_bounded(config: &Config, key: &str) -> Option<bool> {
    match config.lookup(key) {
        Lookup::Set(_, v) => parse_long(v).map(|n| n >= 0),
        Lookup::Unknown => None,
        Lookup::Default => Some(false),
    }
}

fn is_true(config: &Config, key: &str) -> Option<bool> {
    match config.lookup(key) {
        Lookup::Set(_, v) => Some(v.trim().eq_ignore_ascii_case("true")),
        Lookup::Unknown => None,
        Lookup::Default => Some(false),
    }
}

/// The broker's time retention when it is unlimited: the setting that makes it so.
fn unlimited_broker_time(config: &Config) -> Option<(&'static str, &Setting)> {
    for key in [
        "log.retention.ms",
        "log.retention.minutes",
        "log.retention.hours",
    ] {
        match config.lookup(key) {
            Lookup::Set(s, v) => return (parse_long(v)? < 0).then_some((key, s)),
            Lookup::Unknown => return None,
            Lookup::Default => {}
        }
    }
    None
}

impl Rule for UnboundedTimeRetention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            if is_controller_only(broker) {
                continue;
            }
            let config = &broker.config;
            let Some((key, s)) = unlimited_broker_time(config) else {
                continue;
            };
            if bytes_bounded(config, "log.retention.bytes") != Some(false)
                || is_true(config, "remote.log.storage.system.enable") != Some(false)
            {
                continue;
            }
            let span = s.origin.span;
            out.push(
                Finding::new(
                    span,
                    format!("{key} is {} and log.retention.bytes is not set: topics that do not override retention grow until the disk is full", s.value.known().unwrap_or("").trim()),
                )
                .label("no time limit")
                .help("set log.retention.bytes to what each partition may keep, or a finite log.retention.hours")
                .resource(resource_at(model, span).or(broker.resource)),
            );
        }
        for topic in &model.topics {
            let config = &topic.config;
            let Lookup::Set(s, v) = config.lookup("retention.ms") else {
                continue;
            };
            if parse_long(v).is_none_or(|n| n >= 0) {
                continue;
            }
            let compacted = match config.lookup("cleanup.policy") {
                Lookup::Set(_, p) => p
                    .split(',')
                    .any(|x| x.trim().eq_ignore_ascii_case("compact")),
                Lookup::Unknown => true,
                Lookup::Default => false,
            };
            if compacted || is_true(config, "remote.storage.enable") != Some(false) {
                continue;
            }
            let own_bytes = match config.lookup("retention.bytes") {
                Lookup::Set(_, b) => parse_long(b).map(|n| n >= 0),
                Lookup::Unknown => None,
                Lookup::Default => Some(false),
            };
            let explicit_unbounded = matches!(config.lookup("retention.bytes"), Lookup::Set(..));
            let bounded = match own_bytes {
                None | Some(true) => continue,
                Some(false) if explicit_unbounded => false,
                Some(false) => {
                    let cluster: Vec<Option<bool>> = cluster_brokers(model, topic)
                        .map(|b| bytes_bounded(&b.config, "log.retention.bytes"))
                        .collect();
                    if cluster.contains(&None) {
                        continue;
                    }
                    cluster.contains(&Some(true))
                }
            };
            if bounded {
                continue;
            }
            out.push(
                Finding::new(
                    s.origin.span,
                    format!("topic {} keeps data forever (retention.ms is {}) with no retention.bytes: it grows until the brokers' disks are full", topic.name, v.trim()),
                )
                .label("no time limit")
                .help("add retention.bytes (per partition), use a finite retention.ms, or enable tiered storage for this topic")
                .resource(Some(topic.resource)),
            );
        }
    }
}
