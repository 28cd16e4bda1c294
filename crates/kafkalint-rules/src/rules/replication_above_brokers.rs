use std::collections::HashMap;

use kafkalint_model::topology::{broker_count, strimzi_kafka_named, strimzi_kafka_of};
use kafkalint_model::{Broker, BrokerSource, Lookup, Model, Topic};

use super::topology_support::{cluster_anchor, holds_no_data};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares replication factors with the number of brokers the cluster runs:
    /// `default.replication.factor`, `offsets.topic.replication.factor`,
    /// `transaction.state.log.replication.factor` (and, on 4.x,
    /// `share.coordinator.state.topic.replication.factor`) when set, each Strimzi
    /// `KafkaTopic`'s `spec.replicas`, and the defaults of 3 for the consumer-offsets and
    /// transaction topics when they are not set.
    ///
    /// The broker count is the replicas of the broker workloads of one cluster (workloads in
    /// the same file and namespace naming the same quorum or ZooKeeper), or of the Strimzi
    /// node pools with the `broker` role (`spec.kafka.replicas` without pools). Controller-only
    /// nodes do not count. The rule stays silent when the count cannot be known. An unset
    /// transaction-topic factor is at most a warning: it only breaks transactional producers.
    ///
    /// ## Why is this bad?
    /// A topic cannot have more replicas than there are brokers: creating one fails with an
    /// `InvalidReplicationFactorException`, and auto-created topics are not created. The internal topics
    /// are created on first use: with `offsets.topic.replication.factor` above the broker
    /// count, `__consumer_offsets` never exists and no consumer group can commit or even find
    /// its coordinator (Source: Kafka broker config docs, `offsets.topic.replication.factor`
    /// and `transaction.state.log.replication.factor`, default 3, "creation fails until that
    /// many brokers exist", `configs-3.9.json`, `configs-4.0.json`).
    ///
    /// ## Example
    /// A single broker with Kafka's defaults:
    /// ```yaml
    /// kind: StatefulSet
    /// spec:
    ///   replicas: 1
    /// ```
    ///
    /// ## Fix
    /// Run at least as many brokers as the largest replication factor, or, for a one-broker
    /// development setup, lower the internal topics' factors:
    /// ```yaml
    /// env:
    ///   - name: KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR
    ///     value: "1"
    ///   - name: KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR
    ///     value: "1"
    /// ```
    pub struct ReplicationAboveBrokers {
        code: "REP003",
        name: "replication-above-brokers",
        category: Replication,
        severity: Error,
    }
}

/// Keys, Kafka's default (`None`: the default is never reported), whether only 4.x has it, and
/// whether an unset default is at most a warning.
const KEYS: &[(&str, Option<i64>, bool, bool)] = &[
    ("default.replication.factor", None, false, false),
    ("offsets.topic.replication.factor", Some(3), false, false),
    (
        "transaction.state.log.replication.factor",
        Some(3),
        false,
        true,
    ),
    (
        "share.coordinator.state.topic.replication.factor",
        None,
        true,
        false,
    ),
];

impl Rule for ReplicationAboveBrokers {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if holds_no_data(cx.model, broker) {
                continue;
            }
            let Some(brokers) = broker_count(cx.model, broker).filter(|&n| n > 0) else {
                continue;
            };
            check_broker(cx.model, broker, brokers, out);
        }
        // Topics of one cluster share its broker count: work it out once per cluster.
        let kafka_of: Vec<Option<usize>> = cx
            .model
            .brokers
            .iter()
            .map(|b| strimzi_kafka_of(cx.model, b))
            .collect();
        let mut counts: HashMap<usize, Option<u32>> = HashMap::new();
        for topic in &cx.model.topics {
            let Some(kafka) = topic_kafka(cx.model, topic) else {
                continue;
            };
            let brokers = *counts.entry(kafka).or_insert_with(|| {
                let member = cx.model.brokers.iter().zip(&kafka_of).find(|(b, k)| {
                    matches!(b.source, BrokerSource::Strimzi { .. }) && **k == Some(kafka)
                })?;
                broker_count(cx.model, member.0).filter(|&n| n > 0)
            });
            if let Some(brokers) = brokers {
                check_topic(topic, brokers, out);
            }
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 {
        "broker"
    } else {
        "brokers"
    }
}

fn check_broker(model: &Model, broker: &Broker, brokers: u32, out: &mut Vec<Finding>) {
    let n = i64::from(brokers);
    for &(key, default, only_4x, soft_default) in KEYS {
        if only_4x && broker.kafka_version.is_none_or(|v| v.0 < 4) {
            continue;
        }
        let consequence = match key {
            "offsets.topic.replication.factor" => {
                "__consumer_offsets cannot be created, so consumer groups do not work"
            }
            "transaction.state.log.replication.factor" => {
                "__transaction_state cannot be created, so transactional producers fail"
            }
            "share.coordinator.state.topic.replication.factor" => {
                "__share_group_state cannot be created, so share groups fail"
            }
            _ => "auto-created topics and creates without a replication factor fail",
        };
        match broker.config.lookup(key) {
            Lookup::Set(s, v) => {
                let Ok(rf) = v.trim().parse::<i64>() else {
                    continue;
                };
                if rf > n {
                    out.push(
                        Finding::new(
                            s.origin.span,
                            format!(
                                "{key} is {rf}, but the cluster has {brokers} {}: {consequence}",
                                plural(brokers)
                            ),
                        )
                        .key(key)
                        .label(format!("{rf} replicas on {brokers} {}", plural(brokers)))
                        .help(format!(
                            "set {key} to {brokers} or less, or run {rf} brokers"
                        ))
                        .resource(broker.resource),
                    );
                }
            }
            Lookup::Default => {
                let Some(rf) = default.filter(|&d| d > n) else {
                    continue;
                };
                let (anchor, resource) = cluster_anchor(model, broker);
                let mut f = Finding::new(
                    anchor,
                    format!(
                        "{key} is not set, so Kafka's default of {rf} applies, but the cluster has {brokers} {}: {consequence}",
                        plural(brokers)
                    ),
                )
                .key(key)
                .label(format!("{brokers} {}", plural(brokers)))
                .help(format!("set {key}={brokers} in the broker config, or run {rf} brokers"))
                .resource(resource);
                if soft_default {
                    f = f.at_most_warning();
                }
                out.push(f);
            }
            Lookup::Unknown => {}
        }
    }
}

/// The Strimzi `Kafka` a topic names.
fn topic_kafka(model: &Model, topic: &Topic) -> Option<usize> {
    let name = topic.cluster.as_deref()?;
    let from = model.resources.get(topic.resource)?;
    strimzi_kafka_named(model, name, from)
}

fn check_topic(topic: &Topic, brokers: u32, out: &mut Vec<Finding>) {
    let Some((rf, span)) = topic.replicas else {
        return;
    };
    if rf > i64::from(brokers) {
        out.push(
            Finding::new(
                span,
                format!(
                    "topic {} asks for {rf} replicas, but its cluster has {brokers} {}: the topic cannot be created",
                    topic.name,
                    plural(brokers)
                ),
            )
            .key("spec.replicas")
            .label(format!("{rf} replicas on {brokers} {}", plural(brokers)))
            .help(format!("set spec.replicas to {brokers} or less, or add brokers"))
            .resource(Some(topic.resource)),
        );
    }
}
