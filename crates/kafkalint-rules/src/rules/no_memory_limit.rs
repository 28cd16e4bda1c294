use kafkalint_model::jvm::{parse_size, JvmSize, SizeFlag};
use kafkalint_model::quantity::mib;
use kafkalint_model::{Broker, BrokerSource, ImageFamily, Model, Resource};
use kafkalint_syntax::Node;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that every broker container has a memory limit. That is
    /// `resources.limits.memory` of the container of a StatefulSet, Deployment or Pod, or the
    /// `resources` of a Strimzi `KafkaNodePool` or `spec.kafka`. A LimitRange in the same namespace with a default container memory limit
    /// counts as a limit.
    ///
    /// ## Why is this bad?
    /// Without a limit there is no cgroup memory limit, so the JVM sizes itself from the
    /// node's RAM: with no `-Xmx` the heap defaults to 25% of the node (Strimzi: 50%, capped
    /// at 5 GiB), and direct memory follows the heap. The broker can grow until the node runs
    /// short and the kubelet evicts it or the kernel kills something else, and the memory
    /// budget (heap + direct + non-heap against the limit) cannot be checked. (Source:
    /// OpenJDK `java(1)` `-XX:+UseContainerSupport`, `-XX:MaxRAMPercentage`, see
    /// `jvm/defaults.json`; Strimzi `JvmOptionUtils.java`, see `images.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 4Gi
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 6Gi
    ///   limits:
    ///     memory: 6Gi
    /// ```
    pub struct NoMemoryLimit {
        code: "MEM004",
        name: "no-memory-limit",
        category: Memory,
        severity: Warning,
    }
}

/// The `resources` node that applies to the broker, if any.
fn resources_node<'m>(model: &'m Model, broker: &Broker) -> Option<&'m Node> {
    match broker.source {
        BrokerSource::Workload { .. } => model.container_of(broker)?.get("resources"),
        BrokerSource::Strimzi { pool } => {
            let own = model.resource(broker.resource)?.node.get("spec");
            let from_pool = match pool {
                Some(_) => own.and_then(|s| s.get("resources")),
                None => own.and_then(|s| s.path(&["kafka", "resources"])),
            };
            from_pool.or_else(|| {
                // A pool without resources falls back to the Kafka resource's.
                let cluster = model
                    .resource(broker.resource)?
                    .label("strimzi.io/cluster")?;
                model
                    .resources_of_kind("Kafka")
                    .find(|r| r.id.name == cluster)?
                    .node
                    .path(&["spec", "kafka", "resources"])
            })
        }
        _ => None,
    }
}

/// A LimitRange that gives containers of the namespace a default memory limit.
fn limit_range_default<'m>(model: &'m Model, owner: &Resource) -> Option<&'m Resource> {
    model.resources_of_kind("LimitRange").find(|r| {
        r.same_namespace(&owner.id.namespace)
            && r.node
                .path(&["spec", "limits"])
                .map_or(&[][..], Node::as_seq)
                .iter()
                .any(|l| {
                    l.text_at(&["type"]).is_none_or(|t| t == "Container")
                        && l.path(&["default", "memory"]).is_some()
                })
    })
}

impl Rule for NoMemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if !matches!(
                broker.source,
                BrokerSource::Workload { .. } | BrokerSource::Strimzi { .. }
            ) {
                continue;
            }
            if broker.memory_limit.is_some() {
                continue;
            }
            let resources = resources_node(cx.model, broker);
            // A limit we cannot read (a template placeholder) is still a limit.
            if resources.is_some_and(|r| r.path(&["limits", "memory"]).is_some()) {
                continue;
            }
            let Some(owner) = cx.model.resource(broker.resource) else {
                continue;
            };
            if limit_range_default(cx.model, owner).is_some() {
                continue;
            }
            let heap = broker
                .jvm
                .last_size(SizeFlag::Xmx)
                .filter(|(t, _)| !t.image_default || broker.family != ImageFamily::Other)
                .and_then(|(t, arg)| match parse_size(arg) {
                    JvmSize::Bytes(b) => Some((t, b)),
                    JvmSize::Invalid(_) => None,
                });
            let consequence = match (&broker.source, heap) {
                (_, Some((_, b))) if broker.jvm.unknown.is_none() => format!(
                    "the heap is fixed at {}, but direct memory, metaspace and threads can grow until the node runs short",
                    mib(b)
                ),
                (BrokerSource::Strimzi { .. }, _) if broker.memory_request.is_some() => {
                    "Strimzi then sizes the heap at 50% of the node's memory, up to 5 GiB".to_string()
                }
                (BrokerSource::Strimzi { .. }, _) => {
                    "Strimzi then sets only -Xms128M, so the JVM takes 25% of the node's memory as heap".to_string()
                }
                _ => "the JVM sizes its heap and direct memory from the node's RAM".to_string(),
            };
            out.push(
                Finding::new(
                    broker.anchor,
                    format!(
                        "broker container has no memory limit: {consequence}, and the memory budget cannot be checked"
                    ),
                )
                .label(format!("{} has no memory limit", broker.display))
                .help("set resources.limits.memory (and requests.memory to the same value) and size heap + direct + non-heap below it")
                .resource(broker.resource),
            );
        }
    }
}
