use kafkalint_model::topology::{
    pod_labels, spreads_over_nodes, strimzi_pools, strimzi_uses_pools, workload_pod_count,
};
use kafkalint_model::{BrokerSource, Resource};
use kafkalint_syntax::Node;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that a Kafka StatefulSet, Deployment or ReplicaSet with two or more replicas
    /// keeps its pods on different nodes: a pod anti-affinity term (required or preferred) or
    /// a topology spread constraint on `kubernetes.io/hostname` (or a zone or region, which
    /// are made of different nodes) whose label selector selects the workload's own pods.
    /// For Strimzi it checks `spec.template.pod` of each node pool with two or more replicas,
    /// falling back to the `Kafka`'s `spec.kafka.template.pod` (any such term counts there,
    /// since the operator sets the pod labels). Pods that bind a `hostPort` (or use the host
    /// network with container ports) cannot share a node, so they need neither.
    ///
    /// ## Why is this bad?
    /// The scheduler packs pods wherever they fit. Three brokers on one node make that node a
    /// single point of failure again: a node failure or drain takes every replica of every
    /// partition, and replication factor 3 protects nothing. (Source: Kubernetes docs,
    /// "Assigning Pods to Nodes" (inter-pod anti-affinity) and "Pod Topology Spread
    /// Constraints": without either, the scheduler does not keep replicas apart.)
    ///
    /// ## Example
    /// ```yaml
    /// kind: StatefulSet
    /// spec:
    ///   replicas: 3
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: kafka
    ///     spec:
    ///       containers: [...]
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     spec:
    ///       affinity:
    ///         podAntiAffinity:
    ///           requiredDuringSchedulingIgnoredDuringExecution:
    ///             - topologyKey: kubernetes.io/hostname
    ///               labelSelector:
    ///                 matchLabels:
    ///                   app: kafka
    /// ```
    pub struct UnspreadBrokers {
        code: "TOP007",
        name: "unspread-brokers",
        category: Topology,
        severity: Warning,
    }
}

impl Rule for UnspreadBrokers {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen: Vec<usize> = Vec::new();
        for broker in &cx.model.brokers {
            if !matches!(broker.source, BrokerSource::Workload { .. }) {
                continue;
            }
            let Some(index) = broker.resource else {
                continue;
            };
            if seen.contains(&index) {
                continue;
            }
            seen.push(index);
            let Some(r) = cx.model.resources.get(index) else {
                continue;
            };
            if !matches!(r.kind(), "StatefulSet" | "Deployment" | "ReplicaSet") {
                continue;
            }
            let Some(pods) = workload_pod_count(r).filter(|&p| p >= 2) else {
                continue;
            };
            let Some(pod) = r.pod_spec() else { continue };
            if pod.get("nodeName").is_some() || claims_host_ports(pod) {
                continue;
            }
            let labels = pod_labels(r);
            if spreads_over_nodes(pod, Some(&labels)) != Some(false) {
                continue;
            }
            out.push(finding(
                r,
                index,
                pods,
                r.node.path(&["spec", "replicas"]),
                "spec.template.spec",
            ));
        }

        for (index, r) in cx.model.resources.iter().enumerate() {
            if r.kind() != "Kafka" || r.group() != "kafka.strimzi.io" {
                continue;
            }
            let kafka_pod = r.node.path(&["spec", "kafka", "template", "pod"]);
            let pools = strimzi_pools(cx.model, index);
            if pools.is_empty() {
                if strimzi_uses_pools(r) {
                    continue;
                }
                let replicas = r.node.path(&["spec", "kafka", "replicas"]);
                let Some(pods) = replicas
                    .and_then(Node::as_i64)
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|&p| p >= 2)
                else {
                    continue;
                };
                if kafka_pod.is_none_or(|p| spreads_over_nodes(p, None) != Some(true)) {
                    out.push(finding(r, index, pods, replicas, "spec.kafka.template.pod"));
                }
                continue;
            }
            for p in pools {
                let Some(pool) = cx.model.resources.get(p) else {
                    continue;
                };
                let replicas = pool.node.path(&["spec", "replicas"]);
                let Some(pods) = replicas
                    .and_then(Node::as_i64)
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|&p| p >= 2)
                else {
                    continue;
                };
                // A pool's template replaces the cluster's, field by field.
                let pool_pod = pool.node.path(&["spec", "template", "pod"]);
                let placement = |n: &Node| {
                    n.get("affinity").is_some() || n.get("topologySpreadConstraints").is_some()
                };
                let effective = pool_pod.filter(|n| placement(n)).or(kafka_pod);
                if effective.is_none_or(|n| spreads_over_nodes(n, None) != Some(true)) {
                    out.push(finding(pool, p, pods, replicas, "spec.template.pod"));
                }
            }
        }
    }
}

/// Pods that bind a host port cannot share a node: the scheduler already spreads them.
fn claims_host_ports(pod: &Node) -> bool {
    let host_network = pod.get("hostNetwork").and_then(Node::as_bool) == Some(true);
    pod.get("containers")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .flat_map(|c| c.get("ports").map_or(&[][..], Node::as_seq))
        .any(|p| host_network || p.get("hostPort").is_some())
}

fn finding(r: &Resource, index: usize, pods: u32, replicas: Option<&Node>, field: &str) -> Finding {
    let mut f = Finding::new(
        r.anchor(),
        format!(
            "the {pods} pods of {} may land on one node: no pod anti-affinity or topology spread over kubernetes.io/hostname",
            r.display()
        ),
    )
    .label("pods not spread over nodes")
    .help(format!(
        "add a podAntiAffinity term or a topologySpreadConstraint on kubernetes.io/hostname under {field}, selecting these pods"
    ))
    .resource(Some(index));
    if let Some(n) = replicas {
        f = f.with_label(n.span, format!("{pods} replicas"));
    }
    f
}
