use kafkalint_catalog::{self as catalog, Group, KafkaVersion};
use kafkalint_model::image::CONFLUENT_FATAL_ENV;
use kafkalint_model::{Broker, ImageFamily, Via};

use super::catalog_support::{
    broker_versions, env_name_for, is_legacy, key_span, known_anywhere, resource_at, topic_versions,
};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports broker and topic config keys that no Kafka version documents, with the closest
    /// documented key as a suggestion.
    ///
    /// It looks up every key of a broker's effective config (env vars through the image's
    /// env-to-key rule, a mounted `server.properties`, `--override`, Strimzi
    /// `spec.kafka.config`) and of each Strimzi `KafkaTopic`'s `spec.config` in the Kafka
    /// config catalog (Kafka 3.6, 3.9, 4.0 and 4.1), and reports keys that no version
    /// documents, with the closest documented key as a suggestion.
    ///
    /// A key any catalog version knows is not reported here: keys that left in 4.0 are
    /// CFG003's, and keys of the wrong scope (topic or client keys in broker config) CFG002's.
    /// Broker keys Kafka accepts without listing them are allowed: per-listener overrides
    /// (`listener.name.<listener>.<key>`), remote-storage plugin keys under their prefixes,
    /// the dynamic replication throttles, the built-in authorizer's `super.users` and
    /// `allow.everyone.if.no.acl.found`. Keys outside Kafka's own namespaces (`confluent.*`,
    /// `cruise.control.*`, metrics reporters' keys, ...) belong to plugins and are reported only
    /// when they are one or two edits away from a Kafka key. Env vars an image reads for itself
    /// (cp-kafka's `KAFKA_JMX_PORT`, `KAFKA_SSL_KEYSTORE_FILENAME`, ...) are not keys, and for
    /// brokers older than Kafka 3.0 (wurstmeister, cp-kafka 5.x/6.x) only near-misses of a
    /// documented key are reported, since the catalog starts at 3.6.
    ///
    /// ## Why is this bad?
    /// A broker does not check key names: an unknown key is accepted and does nothing, so
    /// `log.retention.hour=24` silently keeps the 7-day default. A topic is stricter: Kafka
    /// refuses to create or alter a topic with an unknown config name, so the Topic Operator
    /// cannot reconcile the `KafkaTopic`.
    ///
    /// Sources: Kafka generated config docs (`configs-{3.6,3.9,4.0,4.1}.json`); unknown broker
    /// keys are never reported by the broker (topic-overrides.json, from apache/kafka
    /// `AbstractConfig.logUnused`, which broker code does not call); topics are checked by
    /// apache/kafka `LogConfig.validateNames` ("Unknown topic config name"); cp-kafka and
    /// apache/kafka image variables that are not keys: images.json.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: KAFKA_CFG_LOG_RETENTION_HOUR
    ///     value: "24"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// env:
    ///   - name: KAFKA_CFG_LOG_RETENTION_HOURS
    ///     value: "24"
    /// ```
    pub struct UnknownConfigKey {
        code: "CFG001",
        name: "unknown-config-key",
        category: Config,
        severity: Error,
    }
}

/// First segments of the keys Kafka itself defines; other namespaces belong to plugins.
const KAFKA_NAMESPACES: &[&str] = &[
    "advertised",
    "auto",
    "background",
    "broker",
    "compression",
    "connection",
    "connections",
    "control",
    "controlled",
    "controller",
    "default",
    "delegation",
    "delete",
    "early",
    "eligible",
    "fetch",
    "group",
    "initial",
    "inter",
    "leader",
    "listener",
    "listeners",
    "log",
    "max",
    "message",
    "metadata",
    "min",
    "node",
    "num",
    "offset",
    "offsets",
    "password",
    "principal",
    "process",
    "producer",
    "queued",
    "quota",
    "remote",
    "replica",
    "replication",
    "request",
    "reserved",
    "sasl",
    "security",
    "share",
    "socket",
    "ssl",
    "telemetry",
    "transaction",
    "transactional",
    "unclean",
    "zookeeper",
];

/// Read by the built-in authorizers, documented in the security chapter, not the tables.
const AUTHORIZER_KEYS: &[&str] = &["super.users", "allow.everyone.if.no.acl.found"];

/// Broker keys of Kafka 2.x that 3.x dropped; the catalog cannot say when, so they are left
/// alone rather than called typos.
const LEGACY_KEYS: &[&str] = &[
    "port",
    "host.name",
    "advertised.host.name",
    "advertised.port",
    "quota.producer.default",
    "quota.consumer.default",
    "zookeeper.sync.time.ms",
];

/// Env vars an image consumes itself although they also land in the config file.
fn image_variable(family: ImageFamily, var: &str) -> bool {
    match family {
        ImageFamily::Confluent | ImageFamily::Apache | ImageFamily::ApacheNative => {
            matches!(
                var,
                "KAFKA_JMX_PORT"
                    | "KAFKA_JMX_HOSTNAME"
                    | "KAFKA_DATA_DIRS"
                    | "KAFKA_SSL_KEYSTORE_FILENAME"
                    | "KAFKA_SSL_KEY_CREDENTIALS"
                    | "KAFKA_SSL_KEYSTORE_CREDENTIALS"
                    | "KAFKA_SSL_TRUSTSTORE_FILENAME"
                    | "KAFKA_SSL_TRUSTSTORE_CREDENTIALS"
            ) || var.starts_with("KAFKA_PORT")
                || var.starts_with("KAFKA_SERVICE_")
                // cp-kafka exits on these; IMG004 says so, a typo hint would only distract.
                || (family == ImageFamily::Confluent && CONFLUENT_FATAL_ENV.contains(&var))
        }
        ImageFamily::Wurstmeister => matches!(var, "KAFKA_CREATE_TOPICS" | "KAFKA_PORT"),
        _ => false,
    }
}

/// The closest documented key within two edits, in the nearest version that has one.
fn near_miss(versions: &[KafkaVersion], group: Group, key: &str) -> Option<&'static str> {
    versions
        .iter()
        .chain(KafkaVersion::ALL.iter().rev())
        .find_map(|v| {
            catalog::suggest_within(*v, group, key, 1, 2)
                .into_iter()
                .next()
        })
}

fn any_suggestion(versions: &[KafkaVersion], group: Group, key: &str) -> Option<&'static str> {
    versions
        .iter()
        .find_map(|v| catalog::suggest(*v, group, key, 1).into_iter().next())
}

fn accepted_unlisted(broker: &Broker, key: &str) -> bool {
    if catalog::is_dynamic_or_prefixed_broker_key(key) || AUTHORIZER_KEYS.contains(&key) {
        return true;
    }
    // Remote storage plugins may be given their own key prefixes.
    [
        "remote.log.storage.manager.impl.prefix",
        "remote.log.metadata.manager.impl.prefix",
    ]
    .iter()
    .filter_map(|p| broker.config.entries.get(*p)?.value.known())
    .any(|prefix| !prefix.trim().is_empty() && key.starts_with(prefix.trim()))
}

impl Rule for UnknownConfigKey {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            let versions = broker_versions(broker);
            let legacy = is_legacy(broker);
            for (key, s) in &broker.config.entries {
                let var = match &s.origin.via {
                    Via::ImageDefault => continue,
                    Via::Env(var) if image_variable(broker.family, var) => continue,
                    Via::Env(var) => Some(var.as_str()),
                    _ => None,
                };
                if Group::ALL.iter().any(|g| known_anywhere(*g, key))
                    || accepted_unlisted(broker, key)
                    || LEGACY_KEYS.contains(&key.as_str())
                {
                    continue;
                }
                let close = near_miss(&versions, Group::Broker, key);
                let namespace = key.split('.').next().unwrap_or("");
                let kafka_namespace = KAFKA_NAMESPACES.contains(&namespace);
                if close.is_none() && (legacy || !kafka_namespace) {
                    continue;
                }
                let suggestion = close.or_else(|| any_suggestion(&versions, Group::Broker, key));
                let from = var.map_or(String::new(), |v| format!(" (from env {v})"));
                let mut message =
                    format!("unknown broker config key {key}{from}: the broker ignores it");
                if let Some(sug) = suggestion {
                    message.push_str(&format!("; did you mean {sug}?"));
                }
                let help = match (suggestion, var) {
                    (Some(sug), Some(v)) => match env_name_for(broker.family, v, sug) {
                        Some(env) => format!("rename the variable to {env}"),
                        None => format!("set {sug} instead"),
                    },
                    (Some(sug), None) => format!("rename the key to {sug}"),
                    (None, _) => {
                        "remove it, or check the Kafka broker config docs for the key you meant"
                            .to_string()
                    }
                };
                let span = key_span(model, Some(broker), key, s);
                out.push(
                    Finding::new(span, message)
                        .label("not a Kafka broker config key")
                        .help(help)
                        .resource(resource_at(model, span).or(broker.resource))
                        .at_most_warning(),
                );
            }
        }
        for topic in &model.topics {
            let versions = topic_versions(model, topic);
            for (key, s) in &topic.config.entries {
                if known_anywhere(Group::Topic, key)
                    || known_anywhere(Group::Broker, key)
                    || key.starts_with("confluent.")
                {
                    continue;
                }
                let suggestion = any_suggestion(&versions, Group::Topic, key);
                let mut message = format!(
                    "unknown topic config key {key} in topic {}: Kafka refuses to create or alter the topic",
                    topic.name
                );
                if let Some(sug) = suggestion {
                    message.push_str(&format!("; did you mean {sug}?"));
                }
                let help = suggestion.map_or_else(
                    || "remove it: Kafka accepts only documented topic config names".to_string(),
                    |sug| format!("rename the key to {sug}"),
                );
                let span = key_span(model, None, key, s);
                out.push(
                    Finding::new(span, message)
                        .label("not a Kafka topic config key")
                        .help(help)
                        .resource(Some(topic.resource)),
                );
            }
        }
    }
}
