use kafkalint_model::image::env_sets;
use kafkalint_model::topology::{
    cluster_of, controller_count, parse_voters, pod_count, roles, Voter,
};
use kafkalint_model::{Broker, BrokerSource, Lookup, Model, Setting, Via};
use kafkalint_syntax::Node;

use super::topology_support::{command_text, computed_at_start};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks `controller.quorum.voters` against the controller pods and node ids the input
    /// runs.
    ///
    /// It reports:
    /// - an even number of voters (a warning);
    /// - a voter count different from the number of controller pods of the cluster (the
    ///   replicas of the workloads with the `controller` role in the same file and namespace
    ///   that name the same voters);
    /// - a single-pod controller whose literal `node.id` is not a voter id;
    /// - a literal `node.id` on a workload with several pods (every pod gets the same id);
    /// - a StatefulSet that takes `node.id` from its pod ordinal (the
    ///   `apps.kubernetes.io/pod-index` label, or `NODE_ID=${HOSTNAME##*-}` in the command)
    ///   while the voter ids are not `0..replicas-1`.
    ///
    /// It stays silent when the cluster's workloads cannot all be seen (another file names the
    /// same voters, a neighbour's quorum is unknown), when a pod count is templated, and when a
    /// node id is computed some other way at start time.
    ///
    /// ## Why is this bad?
    /// The KRaft quorum needs a majority of its voters alive (Source: Kafka 4.0 operations
    /// docs, KRaft, "Controllers": `hvishwanath/kafka-site-md`@f96a72f
    /// `content/en/40/operations/kraft.md`). Four voters need three, so they survive one
    /// failure like three do, and two voters survive none. Voters that no pod runs count
    /// against the majority forever; when fewer controllers exist than half the voters, the
    /// quorum never forms. Kafka refuses to start a controller whose `node.id` is not a voter
    /// (Source: apache/kafka@1eb7644 `core/src/main/scala/kafka/server/KafkaConfig.scala`,
    /// `validateValues`), and node ids must be unique across the cluster (Source: Kafka broker
    /// config docs, `node.id`, `configs-3.9.json`).
    ///
    /// ## Example
    /// ```yaml
    /// kind: StatefulSet
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     spec:
    ///       containers:
    ///         - env:
    ///             - name: KAFKA_NODE_ID
    ///               valueFrom:
    ///                 fieldRef:
    ///                   fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
    ///             - name: KAFKA_CONTROLLER_QUORUM_VOTERS
    ///               value: "1@kafka-0.kafka:9093,2@kafka-1.kafka:9093,3@kafka-2.kafka:9093"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///             - name: KAFKA_CONTROLLER_QUORUM_VOTERS
    ///               value: "0@kafka-0.kafka:9093,1@kafka-1.kafka:9093,2@kafka-2.kafka:9093"
    /// ```
    /// and run an odd number (3 or 5) of controllers, one voter entry each.
    pub struct QuorumVoters {
        code: "TOP004",
        name: "quorum-voters-mismatch",
        category: Topology,
        severity: Error,
    }
}

impl Rule for QuorumVoters {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if !matches!(
                broker.source,
                BrokerSource::Workload { .. } | BrokerSource::Standalone
            ) {
                continue;
            }
            let Lookup::Set(setting, text) = broker.config.lookup("controller.quorum.voters")
            else {
                continue;
            };
            if text.contains('$') {
                continue;
            }
            let Some(voters) = parse_voters(text) else {
                continue;
            };
            check_broker(cx.model, broker, setting, &voters, out);
        }
    }
}

fn ids(voters: &[Voter]) -> String {
    voters
        .iter()
        .map(|v| v.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_broker(
    model: &Model,
    broker: &Broker,
    setting: &Setting,
    voters: &[Voter],
    out: &mut Vec<Finding>,
) {
    let n = voters.len();
    let majority = n / 2 + 1;
    let at_voters = |message: String| {
        Finding::new(setting.origin.span, message)
            .key("controller.quorum.voters")
            .resource(broker.resource)
    };
    if n.is_multiple_of(2) {
        out.push(
            at_voters(format!(
                "controller.quorum.voters lists {n} voters: the quorum needs {majority} of them, so it survives {} failure(s), the same as {} voter(s)",
                n - majority,
                n - 1
            ))
            .label(format!("{n} voters"))
            .help(format!("run {} or {} controllers, each listed once", n - 1, n + 1))
            .at_most_warning(),
        );
    }

    if let Some(c) = controller_count(model, broker).filter(|&c| c > 0) {
        let c_usize = c as usize;
        if c_usize != n {
            let what = if c_usize < majority {
                format!("the quorum needs {majority} of them alive and can never form")
            } else if c_usize < n {
                format!(
                    "the missing voters count against the majority, so the quorum survives {} failure(s) instead of {}",
                    c_usize - majority,
                    n - majority
                )
            } else {
                "controllers whose node.id is not a voter refuse to start".to_string()
            };
            let mut f = at_voters(format!(
                "controller.quorum.voters lists {n} voters, but the cluster runs {c} controller pod(s): {what}"
            ))
            .label(format!("{n} voters"))
            .help("list exactly one voter per controller pod, with that pod's node.id");
            if let (Some((_, span)), Some(true)) =
                (broker.replicas, roles(model, broker).map(|r| r.controller))
            {
                f = f.with_label(span, "controller pods");
            }
            if c_usize >= majority && c_usize < n {
                f = f.at_most_warning();
            }
            out.push(f);
        }
    }

    let Some(node_roles) = roles(model, broker) else {
        return;
    };
    let pods = match broker.source {
        BrokerSource::Standalone => Some(1),
        _ => pod_count(model, broker),
    };
    if let Some((id, id_setting)) = literal_node_id(model, broker) {
        match pods {
            Some(1) if node_roles.controller && !voters.iter().any(|v| v.id == id) => {
                out.push(
                    Finding::new(
                        id_setting.origin.span,
                        format!(
                            "node.id {id} is not among the voter ids ({}) of controller.quorum.voters: Kafka refuses to start a controller that is not a voter",
                            ids(voters)
                        ),
                    )
                    .key("node.id")
                    .label("not a voter id")
                    .with_label(setting.origin.span, "the voters")
                    .help("give this controller the node.id of its voter entry")
                    .resource(broker.resource),
                );
            }
            Some(p) if p > 1 && !cluster_of(model, broker).pod_local => {
                out.push(
                    Finding::new(
                        id_setting.origin.span,
                        format!(
                            "all {p} pods of {} get node.id {id}: node ids must be unique, so only one of them can join the cluster",
                            workload_name(model, broker)
                        ),
                    )
                    .key("node.id")
                    .label(format!("the same id for {p} pods"))
                    .help("derive node.id from the pod ordinal (the apps.kubernetes.io/pod-index label on a StatefulSet)")
                    .resource(broker.resource),
                );
            }
            _ => {}
        }
        return;
    }

    if let (Some(p), true) = (pods, node_roles.controller) {
        if ordinal_node_id(model, broker)
            && controller_count(model, broker) == Some(p)
            && p as usize == n
        {
            let mut voter_ids: Vec<i64> = voters.iter().map(|v| v.id).collect();
            voter_ids.sort_unstable();
            let expected: Vec<i64> = (0..i64::from(p)).collect();
            if voter_ids != expected {
                out.push(
                    at_voters(format!(
                        "the voter ids are {}, but the pods of {} get node ids 0..{} from their ordinal: the controllers are not the voters",
                        ids(voters),
                        workload_name(model, broker),
                        p - 1
                    ))
                    .label("voter ids")
                    .help("number the voters from 0, in pod order: 0@<name>-0..., 1@<name>-1...")
                    .resource(broker.resource),
                );
            }
        }
    }
}

/// `StatefulSet/kafka`: the workload whose pods share the broker's settings.
fn workload_name(model: &Model, broker: &Broker) -> String {
    model
        .resource(broker.resource)
        .map_or_else(|| broker.display.clone(), |r| r.display())
}

/// A `node.id` written as a number that every pod gets as is.
fn literal_node_id<'b>(model: &Model, broker: &'b Broker) -> Option<(i64, &'b Setting)> {
    if computed_at_start(model, broker, "node.id") {
        return None;
    }
    match broker.config.lookup("node.id") {
        Lookup::Set(s, v) if s.origin.via != Via::ImageDefault => Some((v.trim().parse().ok()?, s)),
        _ => None,
    }
}

/// Whether a StatefulSet's pods take `node.id` from their ordinal.
fn ordinal_node_id(model: &Model, broker: &Broker) -> bool {
    let Some(r) = model.resource(broker.resource) else {
        return false;
    };
    let Some(container) = model.container_of(broker) else {
        return false;
    };
    if r.kind() != "StatefulSet" {
        return false;
    }
    let maps_to_node_id = |name: &str| env_sets(broker.family, name, "node.id");
    let from_label = container
        .get("env")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .rfind(|e| e.text_at(&["name"]).is_some_and(maps_to_node_id))
        .and_then(|e| e.text_at(&["valueFrom", "fieldRef", "fieldPath"]))
        .is_some_and(|p| p.replace('"', "'") == "metadata.labels['apps.kubernetes.io/pod-index']");
    from_label || hostname_suffix_assignment(&command_text(container))
}

/// `NODE_ID=${HOSTNAME##*-}` (or any variable) as a whole shell word.
fn hostname_suffix_assignment(command: &str) -> bool {
    let text: String = command
        .chars()
        .filter(|c| *c != '"' && *c != '\'')
        .collect();
    text.match_indices("NODE_ID=${").any(|(i, m)| {
        let rest = text.get(i + m.len()..).unwrap_or("");
        let Some(close) = rest.find('}') else {
            return false;
        };
        let inner = rest.get(..close).unwrap_or("");
        let after = rest.get(close + 1..).unwrap_or("");
        inner.ends_with("##*-")
            && inner
                .trim_end_matches("##*-")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            && after
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == ';' || c == '&')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinal_from_hostname() {
        assert!(hostname_suffix_assignment(
            "export KAFKA_NODE_ID=${HOSTNAME##*-}; exec /etc/confluent/docker/run"
        ));
        assert!(hostname_suffix_assignment(
            "KAFKA_CFG_NODE_ID=\"${POD_NAME##*-}\""
        ));
        assert!(!hostname_suffix_assignment(
            "export KAFKA_NODE_ID=$((${HOSTNAME##*-} + 1))"
        ));
        assert!(!hostname_suffix_assignment(
            "KAFKA_NODE_ID=${HOSTNAME##*-}1"
        ));
    }
}
