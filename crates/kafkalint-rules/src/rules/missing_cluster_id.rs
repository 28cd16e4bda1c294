use std::borrow::Cow;

use kafkalint_model::topology::{cluster_of, parse_voters, pod_count, roles};
use kafkalint_model::{Broker, BrokerSource, ImageFamily, Lookup, Model};
use kafkalint_syntax::{Node, Span};

use super::topology_support::{command_text, env_from_names, env_names, env_value};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that a KRaft broker container gives its image the cluster id it needs.
    ///
    /// It reports:
    /// - confluentinc/cp-kafka with `KAFKA_PROCESS_ROLES` set and no `CLUSTER_ID`;
    /// - bitnami/kafka in KRaft mode, running more than one node (replicas, several voters, or
    ///   several workloads of one cluster), with neither `KAFKA_CLUSTER_ID` nor
    ///   `KAFKA_KRAFT_CLUSTER_ID` (nor their `_FILE` forms);
    /// - apache/kafka running more than one node without `CLUSTER_ID` (a warning);
    /// - a cluster id that Kafka cannot parse, in a container or a standalone env file: it
    ///   must be 16 bytes in base64url, 22 characters (`kafka-storage.sh random-uuid`), not a
    ///   name such as `my-kraft-cluster-01`.
    ///
    /// It stays silent when `envFrom` loads a Secret or a ConfigMap that is not in the input,
    /// and when the command formats the storage itself (it mentions `CLUSTER_ID` or
    /// `kafka-storage`).
    ///
    /// ## Why is this bad?
    /// Every KRaft node formats its log dir with a cluster id before the first start, and
    /// nodes with different ids refuse each other.
    /// - cp-kafka's `configure` script requires `CLUSTER_ID` in KRaft mode and exits without
    ///   it: the pod crash-loops.
    /// - bitnami's `libkafka.sh` generates a random id when none is given, separately in each
    ///   pod, so a multi-node quorum never forms.
    /// - apache/kafka's `configureDefaults` falls back to one fixed id
    ///   (`5L6g3nShT-eMCtK--X86sw`) in every container, so every such cluster shares it and
    ///   the id no longer tells clusters apart: nodes pointed at the wrong quorum by mistake
    ///   join it instead of failing. That cluster works, hence only a warning.
    /// - Every image passes the id to `kafka-storage format`, which parses it with
    ///   `Uuid.fromString` and refuses anything else: the pod fails before Kafka starts.
    ///
    /// (Source: `images.json` — confluentinc/kafka-images `configure`; bitnami/containers
    /// `kafka-env.sh` and `libkafka.sh`; apache/kafka `docker/resources/common-scripts/configureDefaults`;
    /// apache/kafka `clients/src/main/java/org/apache/kafka/common/Uuid.java`, `fromString`.)
    ///
    /// ## Example
    /// ```yaml
    /// image: confluentinc/cp-kafka:7.8.0
    /// env:
    ///   - name: KAFKA_PROCESS_ROLES
    ///     value: "broker,controller"
    /// ```
    ///
    /// ## Fix
    /// Generate one id (`kafka-storage.sh random-uuid`) and give the same value to every node:
    /// ```yaml
    /// env:
    ///   - name: CLUSTER_ID
    ///     value: "MkU3OEVBNTcwNTJENDM2Qk"
    /// ```
    /// (`KAFKA_CLUSTER_ID` for bitnami).
    pub struct MissingClusterId {
        code: "TOP003",
        name: "missing-cluster-id",
        category: Topology,
        severity: Error,
    }
}

impl Rule for MissingClusterId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if let Some(f) = check_broker(cx.model, broker) {
                out.push(f);
            }
            out.extend(invalid_cluster_id(cx.model, broker));
        }
    }
}

fn check_broker(model: &Model, broker: &Broker) -> Option<Finding> {
    if !matches!(broker.source, BrokerSource::Workload { .. }) {
        return None;
    }
    let resource = model.resource(broker.resource)?;
    let container = model.container_of(broker)?;
    let command = command_text(container);
    if command.contains("CLUSTER_ID") || command.contains("kafka-storage") {
        return None;
    }
    let mut names = env_from_names(model, resource, container)?;
    names.extend(env_names(container).into_iter().map(Cow::Borrowed));
    let has = |n: &str| names.iter().any(|x| x == n);
    let roles_span = match broker.config.lookup("process.roles") {
        Lookup::Set(s, _) => Some(s.origin.span),
        _ => None,
    };
    match broker.family {
        ImageFamily::Confluent => {
            // configure checks the env var itself, whatever its value.
            if !has("KAFKA_PROCESS_ROLES") || has("CLUSTER_ID") {
                return None;
            }
            let roles_env = env_entry_span(container, "KAFKA_PROCESS_ROLES");
            Some(
                Finding::new(
                    broker.anchor,
                    format!(
                        "{} runs cp-kafka in KRaft mode without CLUSTER_ID: the image's configure script exits before Kafka starts",
                        broker.display
                    ),
                )
                .key("CLUSTER_ID")
                .label("no CLUSTER_ID in this container's env")
                .with_label(roles_env.or(roles_span).unwrap_or(broker.anchor), "KRaft mode")
                .help("add CLUSTER_ID with one value (kafka-storage random-uuid) shared by every node")
                .resource(broker.resource),
            )
        }
        ImageFamily::Bitnami => {
            let kraft = roles(model, broker).is_some_and(|r| r.broker || r.controller)
                && !broker.config.entries.contains_key("zookeeper.connect");
            let skip_init = has("KAFKA_SKIP_KRAFT_STORAGE_INIT");
            let given = [
                "KAFKA_CLUSTER_ID",
                "KAFKA_KRAFT_CLUSTER_ID",
                "KAFKA_CLUSTER_ID_FILE",
                "KAFKA_KRAFT_CLUSTER_ID_FILE",
            ]
            .iter()
            .any(|n| has(n));
            if !kraft || skip_init || given {
                return None;
            }
            let (nodes, why) = multi_node(model, broker)?;
            Some(
                Finding::new(
                    broker.anchor,
                    format!(
                        "{} runs {nodes} bitnami KRaft nodes without KAFKA_CLUSTER_ID: each pod formats its storage with its own random id, so the quorum never forms",
                        broker.display
                    ),
                )
                .key("KAFKA_CLUSTER_ID")
                .label("no KAFKA_CLUSTER_ID in this container's env")
                .with_label(why, format!("{nodes} nodes"))
                .help("add KAFKA_CLUSTER_ID with one value (kafka-storage.sh random-uuid) shared by every node")
                .resource(broker.resource),
            )
        }
        ImageFamily::Apache | ImageFamily::ApacheNative => {
            if has("CLUSTER_ID") {
                return None;
            }
            let (nodes, why) = multi_node(model, broker)?;
            Some(
                Finding::new(
                    broker.anchor,
                    format!(
                        "{} runs {nodes} apache/kafka nodes without CLUSTER_ID: they use the image's built-in id 5L6g3nShT-eMCtK--X86sw, shared by every cluster that does the same",
                        broker.display
                    ),
                )
                .key("CLUSTER_ID")
                .label("no CLUSTER_ID in this container's env")
                .with_label(why, format!("{nodes} nodes"))
                .help("add CLUSTER_ID with a value of your own (kafka-storage.sh random-uuid), the same on every node")
                .resource(broker.resource)
                .at_most_warning(),
            )
        }
        _ => None,
    }
}

/// How many KRaft nodes share the cluster id, with the place that says so, when more than one.
fn multi_node(model: &Model, broker: &Broker) -> Option<(u32, Span)> {
    if let Some(pods) = pod_count(model, broker) {
        let cluster = cluster_of(model, broker);
        if pods > 1 && !cluster.pod_local {
            let span = broker.replicas.map_or(broker.anchor, |(_, s)| s);
            return Some((pods, span));
        }
    }
    if let Lookup::Set(s, v) = broker.config.lookup("controller.quorum.voters") {
        let voters = parse_voters(v)?;
        if voters.len() > 1 {
            return Some((voters.len() as u32, s.origin.span));
        }
    }
    let cluster = cluster_of(model, broker);
    if cluster.members.len() > 1 {
        let mut total = 0u32;
        for m in &cluster.members {
            total = total.saturating_add(pod_count(model, m).unwrap_or(1));
        }
        return Some((total, broker.anchor));
    }
    None
}

/// The span of the named env entry's value (or the entry).
fn env_entry_span(container: &Node, name: &str) -> Option<Span> {
    container
        .get("env")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .rev()
        .find(|e| e.text_at(&["name"]) == Some(name))
        .map(|e| e.get("value").map_or(e.span, |v| v.span))
}

/// The env vars each image reads the cluster id from, in the order it prefers them.
fn cluster_id_vars(family: ImageFamily) -> &'static [&'static str] {
    match family {
        ImageFamily::Confluent | ImageFamily::Apache | ImageFamily::ApacheNative => &["CLUSTER_ID"],
        ImageFamily::Bitnami => &["KAFKA_CLUSTER_ID", "KAFKA_KRAFT_CLUSTER_ID"],
        _ => &[],
    }
}

/// Whether `id` is what Kafka's `Uuid.fromString` accepts: 16 bytes in base64url, that is
/// 22 characters, optionally padded with `==`.
pub(crate) fn is_cluster_id(id: &str) -> bool {
    let body = id.strip_suffix("==").unwrap_or(id);
    body.chars().count() == 22
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A KRaft node whose image would format its storage with an id Kafka cannot parse.
fn invalid_cluster_id(model: &Model, broker: &Broker) -> Option<Finding> {
    if !matches!(
        broker.source,
        BrokerSource::Workload { .. } | BrokerSource::Standalone
    ) {
        return None;
    }
    roles(model, broker)?;
    if broker.config.entries.contains_key("zookeeper.connect") {
        return None;
    }
    let vars = cluster_id_vars(broker.family);
    // The image uses the first one that is set.
    let (name, value, span) = vars.iter().find_map(|&n| {
        env_value(model, broker, n)
            .filter(|(v, _)| !v.is_empty())
            .map(|(v, s)| (n, v, s))
    })?;
    let value = value.trim();
    if is_cluster_id(value) || ["$", "{{", "<"].iter().any(|t| value.contains(t)) {
        return None;
    }
    let chars = value.chars().count();
    let why = if chars > 24 {
        format!("{chars} characters, more than a base64 UUID can have")
    } else if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=')
    {
        "characters outside base64url".to_string()
    } else {
        format!("{chars} characters, not the 22 that encode 16 bytes")
    };
    Some(
        Finding::new(
            span,
            format!(
                "{name} \"{value}\" is not a Kafka cluster id ({why}): formatting the storage fails, so the broker never starts"
            ),
        )
        .key(name)
        .label("not a base64url UUID")
        .help("generate one with kafka-storage.sh random-uuid (22 characters, e.g. MkU3OEVBNTcwNTJENDM2Qk)")
        .resource(broker.resource),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids() {
        assert!(is_cluster_id("MkU3OEVBNTcwNTJENDM2Qk"));
        assert!(is_cluster_id("5L6g3nShT-eMCtK--X86sw"));
        assert!(is_cluster_id("MkU3OEVBNTcwNTJENDM2Qk=="));
        assert!(!is_cluster_id("fx-stg-kraft-cluster-0001"));
        assert!(!is_cluster_id("MkU3OEVBNTcwNTJENDM2Q"));
        assert!(!is_cluster_id("MkU3OEVBNTcwNTJENDM2Q+"));
    }
}
