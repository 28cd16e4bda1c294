use kafkalint_model::Lookup;

use super::{broker_key_below_min, is_controller_only};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks `min.insync.replicas` against the policy's `min_insync_replicas_min` (default
    /// 2): at broker level (Kafka's default is 1, and it counts when nothing is set), for the
    /// transaction log (`transaction.state.log.min.isr`), and per Strimzi `KafkaTopic`, where
    /// a topic's own value overrides the broker's.
    ///
    /// ## Why is this bad?
    /// With `min.insync.replicas=1` an `acks=all` write is acknowledged by the leader alone;
    /// when that broker dies before followers catch up, acknowledged messages are gone.
    ///
    /// Sources: Kafka generated broker and topic config docs (`configs-*.json`:
    /// `min.insync.replicas` defaults to 1, `transaction.state.log.min.isr` to 2, and both
    /// only count for `acks=all` producers).
    ///
    /// ## Example
    /// ```properties
    /// min.insync.replicas=1
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// min.insync.replicas=2
    /// ```
    /// with a replication factor of at least 3, so one broker can be down.
    pub struct LowMinInsyncReplicas {
        code: "REP002",
        name: "low-min-insync-replicas",
        category: Replication,
        severity: Error,
    }
}

const KEYS: &[(&str, i64)] = &[
    ("min.insync.replicas", 1),
    ("transaction.state.log.min.isr", 2),
];

impl Rule for LowMinInsyncReplicas {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let min = i64::from(cx.policy.thresholds.min_insync_replicas_min);
        for broker in &cx.model.brokers {
            if is_controller_only(broker) {
                continue;
            }
            for &(key, default) in KEYS {
                out.extend(broker_key_below_min(
                    broker,
                    key,
                    default,
                    min,
                    None,
                    |_| "an acks=all write is safe on this many brokers".to_string(),
                ));
            }
        }
        for topic in &cx.model.topics {
            if let Lookup::Set(s, v) = topic.config.lookup("min.insync.replicas") {
                let Ok(n) = v.trim().parse::<i64>() else {
                    continue;
                };
                if n < min {
                    out.push(
                        Finding::new(
                            s.origin.span,
                            format!("topic {} sets min.insync.replicas to {n}, below the minimum of {min}", topic.name),
                        )
                        .label("overrides the broker default")
                        .help(format!("set min.insync.replicas to {min} or more"))
                        .resource(Some(topic.resource)),
                    );
                }
            }
        }
    }
}
