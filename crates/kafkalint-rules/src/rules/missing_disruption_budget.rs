use std::collections::HashSet;

use kafkalint_model::topology::{pdbs_selecting, services_selecting, workload_pod_count};
use kafkalint_model::{BrokerSource, Resource};
use kafkalint_syntax::{Node, Span};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every Kafka StatefulSet, Deployment or ReplicaSet with two or more replicas
    /// has a PodDisruptionBudget selecting its pods (same namespace, selector matching the pod
    /// template's labels) that lets at most one pod go at a time: `maxUnavailable` of at most
    /// 1, or `minAvailable` of at least replicas − 1. Percentages are resolved against the
    /// replicas and rounded up, as the disruption controller does. For Strimzi it checks
    /// `spec.kafka.template.podDisruptionBudget.maxUnavailable`; the operator creates the
    /// budget itself.
    ///
    /// A missing budget is reported only when the input also holds a Service selecting the
    /// broker pods, a sign that it carries the whole application rather than one manifest
    /// among others applied from elsewhere.
    ///
    /// ## Why is this bad?
    /// Node drains (cluster upgrades, autoscaler scale-downs) evict pods through the eviction
    /// API, which only PodDisruptionBudgets slow down. Without one, a drain can take two or
    /// three brokers at once: partitions whose replicas were all there go offline, and with
    /// `min.insync.replicas=2` on three replicas, two brokers down stop every `acks=all` write.
    /// (Source: Kubernetes docs, "Disruptions" and "Specifying a Disruption Budget for your
    /// Application": evictions respect PodDisruptionBudgets, percentages are rounded up.)
    ///
    /// ## Example
    /// ```yaml
    /// kind: StatefulSet
    /// metadata:
    ///   name: kafka
    /// spec:
    ///   replicas: 3
    /// ```
    /// and no PodDisruptionBudget.
    ///
    /// ## Fix
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: kafka
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels:
    ///       app: kafka
    /// ```
    pub struct MissingDisruptionBudget {
        code: "TOP006",
        name: "missing-disruption-budget",
        category: Topology,
        severity: Warning,
    }
}

impl Rule for MissingDisruptionBudget {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut seen: HashSet<usize> = HashSet::new();
        for broker in &cx.model.brokers {
            if !matches!(broker.source, BrokerSource::Workload { .. }) {
                continue;
            }
            let Some(index) = broker.resource else {
                continue;
            };
            if !seen.insert(index) {
                continue;
            }
            let Some(r) = cx.model.resources.get(index) else {
                continue;
            };
            if !matches!(r.kind(), "StatefulSet" | "Deployment" | "ReplicaSet") {
                continue;
            }
            let Some(pods) = workload_pod_count(r).filter(|&p| p >= 2) else {
                continue;
            };
            let replicas_span = r.node.path(&["spec", "replicas"]).map(|n| n.span);
            let pdbs = pdbs_selecting(cx.model, r);
            if pdbs.is_empty() {
                if services_selecting(cx.model, r).is_empty() {
                    continue;
                }
                let mut f = Finding::new(
                    r.anchor(),
                    format!(
                        "no PodDisruptionBudget selects the {pods} pods of {}: a node drain may evict several brokers at once",
                        r.display()
                    ),
                )
                .label("no PodDisruptionBudget")
                .help("add a policy/v1 PodDisruptionBudget with maxUnavailable: 1 and the pod template's labels as selector")
                .resource(Some(index));
                if let Some(span) = replicas_span {
                    f = f.with_label(span, format!("{pods} replicas"));
                }
                out.push(f);
                continue;
            }
            let verdicts: Vec<Option<(u32, Span, &Resource)>> = pdbs
                .iter()
                .map(|pdb| allowed_down(pdb, pods).map(|(n, span)| (n, span, *pdb)))
                .collect();
            if verdicts.iter().any(|v| v.is_none_or(|(n, _, _)| n <= 1)) {
                continue;
            }
            if let Some(Some((n, span, pdb))) = verdicts.first() {
                out.push(
                    Finding::new(
                        *span,
                        format!(
                            "{} lets {n} of the {pods} pods of {} be evicted at once",
                            pdb.display(),
                            r.display()
                        ),
                    )
                    .label(format!("{n} brokers down"))
                    .help("allow one broker down at a time: maxUnavailable: 1")
                    .resource(Some(index)),
                );
            }
        }

        for (index, r) in cx.model.resources.iter().enumerate() {
            if r.kind() != "Kafka" || r.group() != "kafka.strimzi.io" {
                continue;
            }
            let Some(n) = r.node.path(&[
                "spec",
                "kafka",
                "template",
                "podDisruptionBudget",
                "maxUnavailable",
            ]) else {
                continue;
            };
            if let Some(v) = n.as_i64().filter(|&v| v > 1) {
                out.push(
                    Finding::new(
                        n.span,
                        format!(
                            "{} lets Strimzi's PodDisruptionBudget evict {v} Kafka pods at once",
                            r.display()
                        ),
                    )
                    .label(format!("{v} pods down"))
                    .help("keep maxUnavailable at 1 (Strimzi's default)")
                    .resource(Some(index)),
                );
            }
        }
    }
}

/// How many of `pods` a budget lets be disrupted, with the field that decides it.
fn allowed_down(pdb: &Resource, pods: u32) -> Option<(u32, Span)> {
    let spec = pdb.node.get("spec")?;
    if let Some(n) = spec.get("maxUnavailable") {
        return Some((scaled(n, pods)?, n.span));
    }
    let n = spec.get("minAvailable")?;
    Some((pods.saturating_sub(scaled(n, pods)?), n.span))
}

/// An int-or-percent field against `pods`, rounded up like the disruption controller.
fn scaled(n: &Node, pods: u32) -> Option<u32> {
    let text = n.as_text()?.trim();
    match text.strip_suffix('%') {
        Some(p) => {
            let p: u64 = p.trim().parse().ok()?;
            u32::try_from((p * u64::from(pods)).div_ceil(100)).ok()
        }
        None => n.as_i64().and_then(|v| u32::try_from(v).ok()),
    }
}
