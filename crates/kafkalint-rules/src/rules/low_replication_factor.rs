use super::{broker_key_below_min, is_controller_only};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks the replication factors a cluster creates topics with against the policy's
    /// `replication_factor_min` (default 3): `default.replication.factor` (Kafka's default is
    /// 1, and it counts when nothing is set), the internal topics'
    /// `offsets.topic.replication.factor` and `transaction.state.log.replication.factor` (and
    /// `share.coordinator.state.topic.replication.factor` on 4.x), and `spec.replicas` of
    /// each Strimzi `KafkaTopic`.
    ///
    /// ## Why is this bad?
    /// With one replica, a lost disk or node is lost data, and a broker restart takes the
    /// partition offline. Two replicas cannot keep `min.insync.replicas=2` through one failure.
    ///
    /// Sources: Kafka generated broker config docs (`configs-*.json`:
    /// `default.replication.factor` 1, `offsets.topic.replication.factor` and
    /// `transaction.state.log.replication.factor` 3); a Strimzi `KafkaTopic` without
    /// `spec.replicas` takes the broker default (Strimzi `KafkaTopicSpec`).
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: KAFKA_DEFAULT_REPLICATION_FACTOR
    ///     value: "1"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// env:
    ///   - name: KAFKA_DEFAULT_REPLICATION_FACTOR
    ///     value: "3"
    /// ```
    /// and run at least three brokers.
    pub struct LowReplicationFactor {
        code: "REP001",
        name: "low-replication-factor",
        category: Replication,
        severity: Error,
    }
}

/// Broker keys that set a replication factor, with Kafka's default.
const KEYS: &[(&str, i64, bool)] = &[
    ("default.replication.factor", 1, false),
    ("offsets.topic.replication.factor", 3, false),
    ("transaction.state.log.replication.factor", 3, false),
    ("share.coordinator.state.topic.replication.factor", 3, true),
];

impl Rule for LowReplicationFactor {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let min = i64::from(cx.policy.thresholds.replication_factor_min);
        for broker in &cx.model.brokers {
            if is_controller_only(broker) {
                continue;
            }
            for &(key, default, only_4x) in KEYS {
                if only_4x && broker.kafka_version.is_none_or(|v| v.0 < 4) {
                    continue;
                }
                // -1 means "use default.replication.factor" for internal topics.
                out.extend(broker_key_below_min(
                    broker,
                    key,
                    default,
                    min,
                    Some(-1),
                    |n| format!("{n} replica(s)"),
                ));
            }
        }
        for topic in &cx.model.topics {
            if let Some((n, span)) = topic.replicas {
                if n < min {
                    out.push(
                        Finding::new(
                            span,
                            format!(
                                "topic {} has {n} replica(s), below the minimum of {min}",
                                topic.name
                            ),
                        )
                        .label("spec.replicas")
                        .help(format!("set spec.replicas to {min} or more"))
                        .resource(Some(topic.resource)),
                    );
                }
            }
        }
    }
}
