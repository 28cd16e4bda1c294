use kafkalint_model::keda::KafkaScaler;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares the `maxReplicaCount` of a KEDA `ScaledObject` (KEDA's default is 100) with
    /// the partition count of the topic its `kafka`/`apache-kafka` trigger watches, when the
    /// input declares the topic: a Strimzi `KafkaTopic` (`spec.partitions`, matched by
    /// `spec.topicName` or name) or a `kafka-topics --create --topic T --partitions N`
    /// command in a Job or other workload. It reports the cases where KEDA really scales past
    /// the partitions: the trigger sets `allowIdleConsumers: true`, or another trigger
    /// (`cpu`, `prometheus`...) can drive the replica count up on its own. Otherwise KEDA
    /// already stops the Kafka metric at the partition count (and at the partitions with lag
    /// under `limitToPartitionsWithLag`), so a high `maxReplicaCount` is harmless and not
    /// reported.
    ///
    /// ## Why is this bad?
    /// A consumer group gives each partition to one consumer. Replicas beyond the partition
    /// count get no partition: they sit idle, use memory and connections, and make every
    /// rebalance slower. (Source: KEDA 2.17 Apache Kafka scaler docs,
    /// kedacore/keda-docs `content/docs/2.17/scalers/apache-kafka.md`, and the partition cap in
    /// kedacore/keda `pkg/scalers/kafka_scaler.go`; the `maxReplicaCount` default of 100 from
    /// `content/docs/2.17/reference/scaledobject-spec.md`.)
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   maxReplicaCount: 20
    ///   triggers:
    ///     - type: kafka
    ///       metadata:
    ///         topic: orders          # KafkaTopic orders has 12 partitions
    ///         allowIdleConsumers: "true"
    /// ```
    ///
    /// ## Fix
    /// Set `maxReplicaCount` to at most the partition count (here 12), or add partitions.
    pub struct KedaReplicasAbovePartitions {
        code: "CLI007",
        name: "keda-replicas-above-partitions",
        category: Client,
        severity: Warning,
    }
}

fn max_text(s: &KafkaScaler) -> (i64, String) {
    match s.max_replicas {
        Some((n, _)) => (n, format!("maxReplicaCount {n}")),
        None => (
            KafkaScaler::DEFAULT_MAX_REPLICAS,
            format!(
                "maxReplicaCount is not set, so KEDA's default of {} applies, which",
                KafkaScaler::DEFAULT_MAX_REPLICAS
            ),
        ),
    }
}

impl Rule for KedaReplicasAbovePartitions {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for s in cx.model.scalers.iter().filter(|s| s.kind == "ScaledObject") {
            let (max, max_desc) = max_text(s);
            let at = s.max_replicas.map_or(s.anchor, |(_, span)| span);
            // Triggers that let KEDA itself go past the partitions.
            let mut reported = false;
            for t in &s.triggers {
                let Some(p) = &t.partitions else { continue };
                let topic = t.topic.as_ref().map_or("", |(n, _)| n.as_str());
                if t.flag("allowIdleConsumers") == Some(true) && max > p.count {
                    let flag = t
                        .param("allowIdleConsumers")
                        .map_or(t.type_span, |p| p.key_span);
                    out.push(
                        Finding::new(
                            at,
                            format!(
                                "{max_desc} exceeds the {} partitions of topic {topic}, and allowIdleConsumers lets KEDA scale there: up to {} consumers would get no partition",
                                p.count,
                                max - p.count
                            ),
                        )
                        .label("replicas KEDA may create")
                        .with_label(p.span, format!("{topic} has {} partitions ({})", p.count, p.from))
                        .with_label(flag, "lifts KEDA's partition cap")
                        .help(format!("set maxReplicaCount to at most {}, or add partitions", p.count))
                        .resource(Some(s.resource)),
                    );
                    reported = true;
                }
            }
            if reported || s.other_triggers.is_empty() {
                continue;
            }
            // Every Kafka trigger must have a known bound for the scaler's cap to be known.
            let bounds: Option<Vec<_>> = s
                .triggers
                .iter()
                .map(|t| t.partitions.as_ref().map(|p| (t, p)))
                .collect();
            let Some(bounds) = bounds else { continue };
            let Some((t, p)) = bounds.iter().max_by_key(|(_, p)| p.count) else {
                continue;
            };
            if max <= p.count {
                continue;
            }
            let topic = t.topic.as_ref().map_or("", |(n, _)| n.as_str());
            let Some((other, other_span)) = s.other_triggers.first() else {
                continue;
            };
            out.push(
                Finding::new(
                    at,
                    format!(
                        "{max_desc} exceeds the {} partitions of topic {topic}, and the {other} trigger can scale up to it: up to {} consumers would get no partition",
                        p.count,
                        max - p.count
                    ),
                )
                .label("replicas the HPA may reach")
                .with_label(p.span, format!("{topic} has {} partitions ({})", p.count, p.from))
                .with_label(*other_span, "scales independently of the partition count")
                .help(format!("set maxReplicaCount to at most {}, or add partitions", p.count))
                .resource(Some(s.resource)),
            );
        }
    }
}
