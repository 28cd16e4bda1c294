use kafkalint_model::{BrokerSource, Lookup, Via};
use kafkalint_syntax::Node;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds clusters that run on ZooKeeper: a broker config with `zookeeper.connect` on Kafka
    /// 3.x or an unknown version (a warning: ZooKeeper mode still runs there, but it is the
    /// thing to migrate before any upgrade to 4.0), and a Strimzi `Kafka` with a
    /// `spec.zookeeper` section, an error when its `spec.kafka.version` is 4.x. On a 4.x
    /// broker the leftover `zookeeper.connect` key is CFG003's finding (an error without
    /// `process.roles`, since such a broker does not start).
    ///
    /// ## Why is this bad?
    /// Kafka 4.0 removed ZooKeeper mode: every `zookeeper.*` key is gone from the broker
    /// config, and `process.roles` and `node.id` are mandatory (Source: `removed-in-4.0.json`,
    /// from the 3.9 and 4.0 broker config docs and the 4.0 upgrade notes,
    /// `hvishwanath/kafka-site-md`@f96a72f `content/en/40/getting-started/upgrade.md`). A
    /// ZooKeeper cluster cannot be upgraded to 4.0 in place: its metadata must first move to
    /// KRaft on a 3.x release. Strimzi supports only Kafka 4.x at the snapshot recorded in
    /// `images.json` (`kafka-versions.yaml`), so it runs no ZooKeeper clusters.
    ///
    /// ## Example
    /// ```properties
    /// broker.id=0
    /// zookeeper.connect=zookeeper:2181
    /// ```
    ///
    /// ## Fix
    /// Migrate to KRaft on Kafka 3.x, then upgrade:
    /// ```properties
    /// process.roles=broker
    /// node.id=0
    /// controller.quorum.bootstrap.servers=controller-0.controller:9093
    /// ```
    pub struct ZookeeperMode {
        code: "TOP005",
        name: "zookeeper-mode",
        category: Topology,
        severity: Error,
    }
}

impl Rule for ZookeeperMode {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if matches!(broker.source, BrokerSource::Strimzi { .. }) {
                continue;
            }
            let Some(s) = broker.config.entries.get("zookeeper.connect") else {
                continue;
            };
            // On 4.x brokers CFG003 reports the removed key itself.
            if s.origin.via == Via::ImageDefault || broker.kafka_version.is_some_and(|v| v.0 >= 4) {
                continue;
            }
            let kraft = matches!(broker.config.lookup("process.roles"), Lookup::Set(_, v) if !v.trim().is_empty());
            let message = if kraft {
                "zookeeper.connect next to process.roles is a ZooKeeper-to-KRaft migration; Kafka 4.0 needs it finished".to_string()
            } else {
                "zookeeper.connect runs this broker in ZooKeeper mode, which Kafka 4.0 removed: migrate to KRaft before upgrading".to_string()
            };
            let f = Finding::new(s.origin.span, message)
                .key("zookeeper.connect")
                .label("ZooKeeper")
                .help("move the cluster to KRaft (process.roles, node.id, a controller quorum) on Kafka 3.x first")
                .resource(broker.resource)
                .at_most_warning();
            out.push(f);
        }

        for (index, r) in cx.model.resources.iter().enumerate() {
            if r.kind() != "Kafka" || r.group() != "kafka.strimzi.io" {
                continue;
            }
            let Some((key, _)) = r.node.get("spec").and_then(|s| s.entry("zookeeper")) else {
                continue;
            };
            let version = r
                .node
                .path(&["spec", "kafka", "version"])
                .and_then(Node::as_text);
            let v4 = version.is_some_and(|v| v.trim().starts_with("4."));
            let kraft = r
                .node
                .path(&["metadata", "annotations", "strimzi.io/kraft"])
                .and_then(Node::as_text)
                == Some("enabled");
            let message = if v4 {
                format!(
                    "{} has spec.zookeeper with Kafka {}: Kafka 4.x has no ZooKeeper mode, and Strimzi runs 4.x clusters on KRaft only",
                    r.display(),
                    version.unwrap_or("4.x")
                )
            } else if kraft {
                format!(
                    "{} is annotated strimzi.io/kraft: enabled but keeps spec.zookeeper, which Strimzi ignores",
                    r.display()
                )
            } else {
                format!(
                    "{} runs on ZooKeeper (spec.zookeeper), which Kafka 4.0 removed: migrate it to KRaft with node pools before upgrading",
                    r.display()
                )
            };
            let mut f = Finding::new(key.span, message)
                .key("spec.zookeeper")
                .label("ZooKeeper")
                .help("migrate with KafkaNodePools and the strimzi.io/kraft annotation, then remove spec.zookeeper")
                .resource(Some(index));
            if !v4 {
                f = f.at_most_warning();
            }
            out.push(f);
        }
    }
}
