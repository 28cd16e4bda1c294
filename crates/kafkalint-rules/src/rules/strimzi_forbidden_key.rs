use kafkalint_model::{BrokerSource, Via};

use super::catalog_support::{key_span, resource_at};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports keys in a Strimzi `Kafka`'s `spec.kafka.config` that the operator manages
    /// itself and drops.
    ///
    /// Those are keys starting with `listeners`, `advertised.`,
    /// `broker.`, `listener.`, `host.name`, `port`, `inter.broker.listener.name`, `sasl.`,
    /// `ssl.`, `security.`, `password.`, `log.dir`, `zookeeper.connect`, `zookeeper.set.acl`,
    /// `zookeeper.ssl`, `zookeeper.clientCnxnSocket`, `authorizer.`, `super.user`,
    /// `cruise.control.metrics.topic`, `cruise.control.metrics.reporter.bootstrap.servers`,
    /// `node.id`, `process.roles`, `controller.`, `metadata.log.dir`,
    /// `zookeeper.metadata.migration.enable`, the static quota plugin's managed keys
    /// (`client.quota.callback.static.*`), `prometheus.metrics.reporter.` and
    /// `cordoned.log.dirs` — except the ones Strimzi lets through: `ssl.cipher.suites`,
    /// `ssl.protocol`, `ssl.enabled.protocols`, `ssl.secure.random.implementation`,
    /// `sasl.server.max.receive.size`, `zookeeper.connection.timeout.ms`, the
    /// `cruise.control.metrics.topic.*` sizing keys, `broker.session.timeout.ms`,
    /// `broker.heartbeat.interval.ms`, `controller.socket.timeout.ms`,
    /// `controller.quorum.election.backoff.max.ms`, `controller.quorum.election.timeout.ms`,
    /// `controller.quorum.fetch.timeout.ms`, and per-listener
    /// `listener.name.<listener>.{connections.max.reauth.ms, max.connections,
    /// max.connection.creation.rate}`. Matching is by prefix on the lower-cased key, as
    /// Strimzi does it.
    ///
    /// ## Why is this bad?
    /// Strimzi builds listeners, TLS, authentication, authorization, storage paths and KRaft
    /// roles from the rest of the custom resource. A forbidden key is removed with only a
    /// warning in the operator's log, so the setting the manifest shows never reaches the
    /// brokers — `ssl.client.auth: required` does not make a listener require certificates.
    ///
    /// Source: strimzi/strimzi-kafka-operator `KafkaClusterSpec.java` (`FORBIDDEN_PREFIXES`,
    /// `FORBIDDEN_PREFIX_EXCEPTIONS`) and `KafkaConfiguration.java`, as collected in
    /// images.json (commit 8541da1); the same lists appear in the `config` property's
    /// description of Strimzi's Kafka CRD.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   kafka:
    ///     config:
    ///       ssl.client.auth: required
    ///       log.dirs: /data/kafka
    /// ```
    ///
    /// ## Fix
    /// Use the custom resource's own fields: `authentication: {type: tls}` on the listener
    /// under `spec.kafka.listeners`, and `spec.kafka.storage` (or the node pools' storage)
    /// for the log directories.
    pub struct StrimziForbiddenKey {
        code: "CFG005",
        name: "strimzi-forbidden-config",
        category: Config,
        severity: Warning,
    }
}

const FORBIDDEN_PREFIXES: &[&str] = &[
    "listeners",
    "advertised.",
    "broker.",
    "listener.",
    "host.name",
    "port",
    "inter.broker.listener.name",
    "sasl.",
    "ssl.",
    "security.",
    "password.",
    "log.dir",
    "zookeeper.connect",
    "zookeeper.set.acl",
    "zookeeper.ssl",
    "zookeeper.clientcnxnsocket",
    "authorizer.",
    "super.user",
    "cruise.control.metrics.topic",
    "cruise.control.metrics.reporter.bootstrap.servers",
    "node.id",
    "process.roles",
    "controller.",
    "metadata.log.dir",
    "zookeeper.metadata.migration.enable",
    "client.quota.callback.static.kafka.admin.",
    "client.quota.callback.static.produce",
    "client.quota.callback.static.fetch",
    "client.quota.callback.static.storage.per.volume.limit.min.available.",
    "client.quota.callback.static.excluded.principal.name.list",
    "prometheus.metrics.reporter.",
    "cordoned.log.dirs",
];

const EXCEPTIONS: &[&str] = &[
    "zookeeper.connection.timeout.ms",
    "sasl.server.max.receive.size",
    "ssl.cipher.suites",
    "ssl.protocol",
    "ssl.enabled.protocols",
    "ssl.secure.random.implementation",
    "cruise.control.metrics.topic.num.partitions",
    "cruise.control.metrics.topic.replication.factor",
    "cruise.control.metrics.topic.retention.ms",
    "cruise.control.metrics.topic.auto.create.retries",
    "cruise.control.metrics.topic.auto.create.timeout.ms",
    "cruise.control.metrics.topic.min.insync.replicas",
    "broker.session.timeout.ms",
    "broker.heartbeat.interval.ms",
    "controller.socket.timeout.ms",
    "controller.quorum.election.backoff.max.ms",
    "controller.quorum.election.timeout.ms",
    "controller.quorum.fetch.timeout.ms",
];

const PER_LISTENER_ALLOWED: &[&str] = &[
    "connections.max.reauth.ms",
    "max.connections",
    "max.connection.creation.rate",
];

fn forbidden_prefix(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    if EXCEPTIONS.contains(&lower.as_str()) {
        return None;
    }
    if let Some(rest) = lower.strip_prefix("listener.name.") {
        if let Some((_, setting)) = rest.split_once('.') {
            if PER_LISTENER_ALLOWED.contains(&setting) {
                return None;
            }
        }
    }
    FORBIDDEN_PREFIXES
        .iter()
        .copied()
        .find(|p| lower.starts_with(p))
}

/// Where the custom resource takes the setting instead.
fn managed_by(prefix: &str) -> &'static str {
    match prefix {
        "listeners"
        | "advertised."
        | "listener."
        | "host.name"
        | "port"
        | "inter.broker.listener.name" => "the listeners in spec.kafka.listeners",
        "sasl." | "ssl." | "security." | "password." => {
            "each listener's tls and authentication settings"
        }
        "authorizer." | "super.user" => "spec.kafka.authorization",
        "log.dir" | "metadata.log.dir" | "cordoned.log.dirs" => {
            "the storage of spec.kafka or the node pools"
        }
        "node.id" | "process.roles" | "controller." => {
            "the KafkaNodePools (roles) and the operator"
        }
        "broker." => "the operator (broker.rack comes from spec.kafka.rack)",
        "prometheus.metrics.reporter." => "spec.kafka.metricsConfig",
        p if p.starts_with("cruise.control") => "spec.cruiseControl",
        p if p.starts_with("client.quota") => "spec.kafka.quotas",
        _ => "the operator (spec.zookeeper or KRaft node pools)",
    }
}

impl Rule for StrimziForbiddenKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            if !matches!(broker.source, BrokerSource::Strimzi { .. }) {
                continue;
            }
            for (key, s) in &broker.config.entries {
                if s.origin.via != Via::Strimzi {
                    continue;
                }
                let Some(prefix) = forbidden_prefix(key) else {
                    continue;
                };
                let span = key_span(model, Some(broker), key, s);
                out.push(
                    Finding::new(
                        span,
                        format!("{key} is managed by Strimzi (forbidden prefix `{prefix}`): the operator drops it from spec.kafka.config with a warning, so the brokers never see it"),
                    )
                    .label("ignored by the Strimzi operator")
                    .help(format!("remove it and configure this through {}", managed_by(prefix)))
                    .resource(resource_at(model, span).or(broker.resource)),
                );
            }
        }
    }
}
