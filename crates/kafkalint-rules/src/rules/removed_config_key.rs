use kafkalint_catalog::{self as catalog, Group};
use kafkalint_model::{Broker, BrokerSource, Lookup, Via};

use super::catalog_support::{cluster_brokers, is_legacy, key_span, resource_at};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports config keys that Kafka 4.0 removed, on brokers and topics that run Kafka 4.x.
    ///
    /// On brokers that run Kafka 4.x (from the image tag, Strimzi `spec.kafka.version`, or
    /// `--kafka-version`), reports config keys that Kafka 4.0 removed: every `zookeeper.*` key,
    /// `inter.broker.protocol.version`, `log.message.format.version`,
    /// `log.message.timestamp.difference.max.ms`, `password.encoder.*`, ... and, from 4.1,
    /// `group.share.max.groups`. In a Strimzi `KafkaTopic` of a 4.x cluster it reports the
    /// removed topic keys (`message.format.version`, `message.downconversion.enable`,
    /// `message.timestamp.difference.max.ms`). The message names the replacement when there is
    /// one.
    ///
    /// `zookeeper.connect` on a broker with no `process.roles` (and no operator to set it) is
    /// an error: the broker is configured for ZooKeeper mode. Every other removed key is a
    /// leftover the broker ignores, reported as a warning.
    ///
    /// ## Why is this bad?
    /// Kafka 4.0 has no ZooKeeper mode, so a broker configured with `zookeeper.connect` and no
    /// `process.roles` does not start. Other removed keys are ignored without a word: a
    /// `log.message.timestamp.difference.max.ms` that used to reject bad timestamps now does
    /// nothing, and `inter.broker.protocol.version` no longer pins anything (KRaft uses
    /// `metadata.version`). A topic with a removed key is refused outright.
    ///
    /// Sources: removed-in-4.0.json (diff of the 3.9 and 4.0 generated config docs, with the
    /// reasons from the 4.0 upgrade notes, `hvishwanath/kafka-site-md`
    /// `content/en/40/getting-started/upgrade.md`, and the 4.1 removal of
    /// `group.share.max.groups`); topics: apache/kafka `LogConfig.validateNames`.
    ///
    /// ## Example
    /// ```yaml
    /// image: apache/kafka:4.0.0
    /// env:
    ///   - name: KAFKA_ZOOKEEPER_CONNECT
    ///     value: zookeeper:2181
    ///   - name: KAFKA_INTER_BROKER_PROTOCOL_VERSION
    ///     value: "3.9"
    /// ```
    ///
    /// ## Fix
    /// Run in KRaft mode (`KAFKA_PROCESS_ROLES`, `KAFKA_NODE_ID`,
    /// `KAFKA_CONTROLLER_QUORUM_VOTERS`), remove the ZooKeeper keys, and manage the feature
    /// level with `kafka-features` / `metadata.version` instead of
    /// `inter.broker.protocol.version`.
    pub struct RemovedConfigKey {
        code: "CFG003",
        name: "removed-config-key",
        category: Config,
        severity: Error,
    }
}

/// Why a key is gone, and since when.
struct Removal {
    since: &'static str,
    zookeeper: bool,
    reason: Option<&'static str>,
}

fn removal(key: &str, group: Group, version: (u32, u32)) -> Option<Removal> {
    if let Some(r) = catalog::removed_in_4_0(key, group) {
        return Some(Removal {
            since: "4.0",
            zookeeper: r.category == "zookeeper-only",
            reason: r.reason,
        });
    }
    if group == Group::Broker && key.starts_with("zookeeper.") {
        return Some(Removal {
            since: "4.0",
            zookeeper: true,
            reason: Some("ZooKeeper mode removed in 4.0"),
        });
    }
    // From removed-in-4.0.json's removed_in_4_1 list.
    if group == Group::Broker && key == "group.share.max.groups" && version >= (4, 1) {
        return Some(Removal {
            since: "4.1",
            zookeeper: false,
            reason: None,
        });
    }
    None
}

/// The data's reason, when it says more than "removed".
fn because(r: &Removal) -> String {
    r.reason
        .filter(|why| !why.starts_with("4.0 upgrade notes: removed"))
        .map_or(String::new(), |why| format!(" ({why})"))
}

/// Operators write `process.roles` themselves; elsewhere it must be in the config.
fn kraft_configured(broker: &Broker) -> bool {
    matches!(
        broker.source,
        BrokerSource::Strimzi { .. } | BrokerSource::Confluent
    ) || !matches!(broker.config.lookup("process.roles"), Lookup::Default)
}

impl Rule for RemovedConfigKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            let Some(version) = broker.kafka_version.filter(|v| v.0 >= 4) else {
                continue;
            };
            if is_legacy(broker) {
                continue;
            }
            let kraft = kraft_configured(broker);
            for (key, s) in &broker.config.entries {
                if s.origin.via == Via::ImageDefault {
                    continue;
                }
                let Some(r) = removal(key, Group::Broker, version) else {
                    continue;
                };
                let because = because(&r);
                // Only zookeeper.connect puts a broker in ZooKeeper mode; the rest is ignored.
                let zookeeper_mode = key == "zookeeper.connect" && !kraft;
                let consequence = if zookeeper_mode {
                    "; with no process.roles the broker is set up for ZooKeeper mode, which Kafka 4 cannot run"
                } else {
                    "; the broker ignores it"
                };
                let span = key_span(model, Some(broker), key, s);
                let mut finding = Finding::new(
                    span,
                    format!(
                        "{key} was removed in Kafka {}{because}, and this broker runs Kafka {}.{}{consequence}",
                        r.since, version.0, version.1
                    ),
                )
                .label(format!("not a Kafka {}.{} config", version.0, version.1))
                .help(if r.zookeeper {
                    "remove it and configure KRaft (process.roles, node.id, controller.quorum.voters or controller.quorum.bootstrap.servers)".to_string()
                } else {
                    format!("remove {key}")
                })
                .resource(resource_at(model, span).or(broker.resource));
                if !zookeeper_mode {
                    finding = finding.at_most_warning();
                }
                out.push(finding);
            }
        }
        for topic in &model.topics {
            let Some(version) = cluster_brokers(model, topic)
                .find_map(|b| b.kafka_version)
                .filter(|v| v.0 >= 4)
            else {
                continue;
            };
            for (key, s) in &topic.config.entries {
                let Some(r) = removal(key, Group::Topic, version) else {
                    continue;
                };
                let because = because(&r);
                out.push(
                    Finding::new(
                        key_span(model, None, key, s),
                        format!(
                            "{key} was removed in Kafka {}{because}: the cluster runs Kafka {}.{}, which refuses topic {} with it",
                            r.since, version.0, version.1, topic.name
                        ),
                    )
                    .label(format!("not a Kafka {}.{} topic config", version.0, version.1))
                    .help(format!("remove {key} from spec.config"))
                    .resource(Some(topic.resource)),
                );
            }
        }
    }
}
