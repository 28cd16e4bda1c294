use kafkalint_catalog::{self as catalog, Group, KafkaVersion};
use kafkalint_model::{ImageFamily, Via};

use super::catalog_support::{
    broker_versions, env_name_for, key_span, known_anywhere, resource_at, topic_versions,
};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports config keys set in the wrong scope: topic or client keys in broker config, and
    /// broker keys in a topic.
    ///
    /// Scopes come from the Kafka config catalog:
    /// - in a broker's effective config, a topic-level key (`retention.ms`,
    ///   `max.message.bytes`, `cleanup.policy`, ...), naming the broker key that sets the
    ///   cluster-wide default (`log.retention.ms`, `message.max.bytes`, `log.cleanup.policy`);
    /// - in a broker's effective config, a producer or consumer key (`acks`, `group.id`,
    ///   `auto.offset.reset`, `bootstrap.servers`, ...);
    /// - in a Strimzi `KafkaTopic`'s `spec.config`, a broker key, naming the topic key.
    ///
    /// A key that is documented in the broker scope too (`compression.type`,
    /// `min.insync.replicas`) is never reported. bitnami/kafka's `KAFKA_CFG_MAX_REQUEST_SIZE`
    /// and `KAFKA_CFG_MAX_PARTITION_FETCH_BYTES` are allowed: the image also writes them to its
    /// bundled producer and consumer configs.
    ///
    /// ## Why is this bad?
    /// A broker reads only broker keys and never complains about others, so
    /// `retention.ms=86400000` in `server.properties` leaves the 7-day default in force while
    /// the file says one day; `acks=all` on a broker makes no producer safer. A topic is
    /// stricter: Kafka refuses a topic config it does not know, so a `KafkaTopic` with
    /// `log.retention.ms` is never created or updated.
    ///
    /// Sources: key scopes from the Kafka generated config docs (`configs-*.json`); the broker
    /// key behind each topic key from the topic docs' "Server Default Property"
    /// (topic-overrides.json); the broker ignores unknown keys (topic-overrides.json); topics are
    /// checked by apache/kafka `LogConfig.validateNames`; bitnami's extra targets: images.json
    /// (`libkafka.sh`).
    ///
    /// ## Example
    /// ```properties
    /// retention.ms=86400000
    /// acks=all
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// log.retention.ms=86400000
    /// ```
    /// and `acks=all` in the producers' config.
    pub struct WrongConfigScope {
        code: "CFG002",
        name: "wrong-config-scope",
        category: Config,
        severity: Error,
    }
}

/// The broker key that supplies a topic key's default, in the nearest version that has one.
fn broker_key_for(versions: &[KafkaVersion], topic_key: &str) -> Option<&'static str> {
    versions
        .iter()
        .chain(KafkaVersion::ALL.iter().rev())
        .find_map(|v| catalog::broker_default_for_topic_key(*v, topic_key))
}

/// The topic key whose default a broker key supplies.
fn topic_key_for(versions: &[KafkaVersion], broker_key: &str) -> Option<&'static str> {
    versions
        .iter()
        .chain(KafkaVersion::ALL.iter().rev())
        .find_map(|v| {
            catalog::keys(*v, Group::Topic)
                .map(|k| k.name)
                .find(|t| catalog::broker_default_chain_for_topic_key(*v, t).contains(&broker_key))
        })
}

fn client_side(key: &str) -> Option<&'static str> {
    let producer = known_anywhere(Group::Producer, key);
    let consumer = known_anywhere(Group::Consumer, key);
    match (producer, consumer) {
        (true, true) => Some("client (producer and consumer)"),
        (true, false) => Some("producer"),
        (false, true) => Some("consumer"),
        (false, false) => None,
    }
}

impl Rule for WrongConfigScope {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            let versions = broker_versions(broker);
            for (key, s) in &broker.config.entries {
                let var = match &s.origin.via {
                    Via::ImageDefault => continue,
                    Via::Env(var) => Some(var.as_str()),
                    _ => None,
                };
                if known_anywhere(Group::Broker, key)
                    || catalog::is_dynamic_or_prefixed_broker_key(key)
                {
                    continue;
                }
                let from = var.map_or(String::new(), |v| format!(" (from env {v})"));
                let finding = if known_anywhere(Group::Topic, key) {
                    let broker_key = broker_key_for(&versions, key);
                    let message = match broker_key {
                        Some(b) => format!("{key}{from} is a topic-level config: the broker ignores it; the cluster-wide default is {b}"),
                        None => format!("{key}{from} is a topic-level config: the broker ignores it"),
                    };
                    let help = match (broker_key, var) {
                        (Some(b), Some(v)) => match env_name_for(broker.family, v, b) {
                            Some(env) => format!("rename the variable to {env}, or set {key} on the topics that need it"),
                            None => format!("set {b} instead, or set {key} on the topics that need it"),
                        },
                        (Some(b), None) => format!("rename the key to {b}, or set {key} on the topics that need it"),
                        (None, _) => format!("set {key} per topic (KafkaTopic spec.config or kafka-configs --entity-type topics)"),
                    };
                    Finding::new(key_span(model, Some(broker), key, s), message)
                        .label("topic config in broker config")
                        .help(help)
                } else if let Some(side) = client_side(key) {
                    let bitnami_client_file = broker.family == ImageFamily::Bitnami
                        && matches!(
                            var,
                            Some(
                                "KAFKA_CFG_MAX_REQUEST_SIZE"
                                    | "KAFKA_CFG_MAX_PARTITION_FETCH_BYTES"
                            )
                        );
                    if bitnami_client_file {
                        continue;
                    }
                    Finding::new(
                        key_span(model, Some(broker), key, s),
                        format!("{key}{from} is a {side} config: the broker ignores it"),
                    )
                    .label(format!("{side} config in broker config"))
                    .help(format!(
                        "set {key} in the {side} applications' config, and remove it here"
                    ))
                } else {
                    continue;
                };
                let span = finding.span;
                out.push(
                    finding
                        .resource(resource_at(model, span).or(broker.resource))
                        .at_most_warning(),
                );
            }
        }
        for topic in &model.topics {
            let versions = topic_versions(model, topic);
            for (key, s) in &topic.config.entries {
                if known_anywhere(Group::Topic, key) || !known_anywhere(Group::Broker, key) {
                    continue;
                }
                let topic_key = topic_key_for(&versions, key);
                let message = match topic_key {
                    Some(t) => format!("{key} is a broker config, not a topic config: Kafka refuses topic {} with it; the topic-level key is {t}", topic.name),
                    None => format!("{key} is a broker config, not a topic config: Kafka refuses topic {} with it", topic.name),
                };
                let help = match topic_key {
                    Some(t) if t.rsplit('.').next() != key.rsplit('.').next() => {
                        format!("use {t}, and convert the value to its unit")
                    }
                    Some(t) => format!("rename the key to {t}"),
                    None => format!("set {key} in the Kafka cluster's config instead"),
                };
                out.push(
                    Finding::new(key_span(model, None, key, s), message)
                        .label("broker config in a topic")
                        .help(help)
                        .resource(Some(topic.resource)),
                );
            }
        }
    }
}
