use kafkalint_model::image::env_sets;
use kafkalint_model::{Broker, Model, Via};
use kafkalint_syntax::Node;

use super::topology_support::computed_at_start;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds `node.id` and `broker.id` taken from a pod field that is never an integer: an
    /// env var such as `KAFKA_NODE_ID`, `KAFKA_CFG_NODE_ID` or `KAFKA_BROKER_ID` with a
    /// `fieldRef` to `metadata.name` (`kafka-0` for a StatefulSet pod, `kafka-7d9c...` for a
    /// Deployment's), the namespace, the node name, the pod IP or UID. The model treats pod
    /// fields as unknown; these ones are known not to be numbers.
    ///
    /// It stays silent when the command line or an image helper (bitnami's
    /// `KAFKA_NODE_ID_COMMAND`) computes the id at start time. A literal that is not an
    /// integer is CFG004's finding, an unexpanded `$(VAR)` TOP002's.
    ///
    /// ## Why is this bad?
    /// Both keys are `int` in every Kafka version's broker config (Source: Kafka 3.6–4.1 broker
    /// config docs, `configs-*.json`); Kafka refuses to start with a config it cannot parse,
    /// so every pod crash-loops. The pod name carries the ordinal, but Kubernetes hands over the
    /// whole name, not the number.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: KAFKA_NODE_ID
    ///     valueFrom:
    ///       fieldRef:
    ///         fieldPath: metadata.name
    /// ```
    ///
    /// ## Fix
    /// On Kubernetes 1.28 and later, take the StatefulSet ordinal from the pod-index label:
    /// ```yaml
    /// env:
    ///   - name: KAFKA_NODE_ID
    ///     valueFrom:
    ///       fieldRef:
    ///         fieldPath: metadata.labels['apps.kubernetes.io/pod-index']
    /// ```
    /// or derive it in the command (`export KAFKA_NODE_ID=${HOSTNAME##*-}`), and make
    /// `controller.quorum.voters` use the same ids.
    pub struct NonIntegerNodeId {
        code: "TOP001",
        name: "non-integer-node-id",
        category: Topology,
        severity: Error,
    }
}

const KEYS: &[&str] = &["node.id", "broker.id"];

/// Pod fields that never hold an integer.
fn non_integer_field(path: &str) -> Option<&'static str> {
    Some(match path {
        "metadata.name" => "the pod name",
        "metadata.namespace" => "the namespace",
        "metadata.uid" => "the pod UID",
        "spec.nodeName" => "the node name",
        "spec.serviceAccountName" => "the service account name",
        "status.podIP" | "status.podIPs" => "the pod IP",
        "status.hostIP" | "status.hostIPs" => "the node IP",
        _ => return None,
    })
}

impl Rule for NonIntegerNodeId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            for &key in KEYS {
                if computed_at_start(cx.model, broker, key) {
                    continue;
                }
                out.extend(field_ref_finding(cx.model, broker, key));
            }
        }
    }
}

/// An env var for `key` taken from a pod field that is never an integer, when it is what the
/// broker gets.
fn field_ref_finding(model: &Model, broker: &Broker, key: &str) -> Option<Finding> {
    let container = model.container_of(broker)?;
    let resource = model.resource(broker.resource)?;
    let setting = broker.config.entries.get(key)?;
    let entry = container
        .get("env")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .rev()
        .find(|e| {
            e.text_at(&["name"]).is_some_and(|n| {
                matches!(&setting.origin.via, Via::Env(var) if var == n)
                    && env_sets(broker.family, n, key)
            })
        })?;
    let name = entry.text_at(&["name"])?;
    let path_node = entry.path(&["valueFrom", "fieldRef", "fieldPath"])?;
    let path = path_node.as_text()?;
    let what = non_integer_field(path)?;
    let example = match resource.kind() {
        "Pod" => {
            if resource.id.name.trim().parse::<i64>().is_ok() {
                return None;
            }
            resource.id.name.clone()
        }
        "StatefulSet" => format!("{}-0", resource.id.name),
        "Deployment" => format!("{}-<hash>-<suffix>", resource.id.name),
        _ => String::new(),
    };
    let shown = if path == "metadata.name" && !example.is_empty() {
        format!("{what}, such as {example}")
    } else {
        what.to_string()
    };
    Some(
        Finding::new(
            path_node.span,
            format!("{name} is {shown}, but {key} must be an integer: the broker does not start"),
        )
        .key(key)
        .label(format!("{path} is not a number"))
        .help(
            "on a StatefulSet use fieldPath: metadata.labels['apps.kubernetes.io/pod-index'] \
             (Kubernetes 1.28+), or derive the id from the hostname in the command",
        )
        .resource(broker.resource),
    )
}
