use kafkalint_model::{Lookup, Via};

use super::is_controller_only;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that retention is a decision someone wrote down: each broker sets one of
    /// `log.retention.ms`, `log.retention.minutes`, `log.retention.hours` or
    /// `log.retention.bytes`, and each Strimzi `KafkaTopic` sets `retention.ms` or
    /// `retention.bytes` in `spec.config` (compacted-only topics are exempt). Values an image
    /// writes into its packaged config do not count.
    ///
    /// ## Why is this bad?
    /// Kafka's default keeps 7 days of data with no size bound. Traffic grows, the volume
    /// does not, and the broker stops when the disk is full — with every partition on it.
    ///
    /// Sources: Kafka generated broker and topic config docs (`configs-*.json`:
    /// `log.retention.hours` 168, `log.retention.bytes` -1, `retention.ms` 604800000,
    /// `retention.bytes` -1); a topic without its own value inherits the broker's, per the
    /// topic docs' "Server Default Property" (topic-overrides.json).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kafka.strimzi.io/v1beta2
    /// kind: KafkaTopic
    /// spec:
    ///   partitions: 12
    ///   replicas: 3
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// spec:
    ///   config:
    ///     retention.ms: 604800000      # 7 days, on purpose
    ///     retention.bytes: 10737418240 # and at most 10 GiB per partition
    /// ```
    pub struct ImplicitRetention {
        code: "RET001",
        name: "implicit-retention",
        category: Retention,
        severity: Error,
    }
}

const BROKER_KEYS: &[&str] = &[
    "log.retention.ms",
    "log.retention.minutes",
    "log.retention.hours",
    "log.retention.bytes",
];

impl Rule for ImplicitRetention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if is_controller_only(broker) {
                continue;
            }
            let mut unknown = false;
            let mut explicit = false;
            for key in BROKER_KEYS {
                match broker.config.lookup(key) {
                    Lookup::Set(s, _) if s.origin.via != Via::ImageDefault => explicit = true,
                    Lookup::Unknown => unknown = true,
                    _ => {}
                }
            }
            if explicit || unknown {
                continue;
            }
            out.push(
                Finding::new(
                    broker.anchor,
                    "retention is implicit: none of log.retention.ms, log.retention.minutes, log.retention.hours or log.retention.bytes is set, so Kafka keeps 7 days with no size bound",
                )
                .label(format!("broker config of {}", broker.display))
                .help("set log.retention.hours (or .ms) and log.retention.bytes to what the volume can hold")
                .resource(broker.resource),
            );
        }
        for topic in &cx.model.topics {
            let compact_only = matches!(
                topic.config.lookup("cleanup.policy"),
                Lookup::Set(_, v) if v.split(',').all(|p| p.trim() == "compact")
            );
            if compact_only {
                continue;
            }
            let set = |k| matches!(topic.config.lookup(k), Lookup::Set(..) | Lookup::Unknown);
            if set("retention.ms") || set("retention.bytes") {
                continue;
            }
            out.push(
                Finding::new(
                    topic.config_anchor,
                    format!("topic {} sets neither retention.ms nor retention.bytes: it inherits the broker's retention", topic.name),
                )
                .label("add retention here")
                .help("set retention.ms and/or retention.bytes in spec.config")
                .resource(Some(topic.resource)),
            );
        }
    }
}
