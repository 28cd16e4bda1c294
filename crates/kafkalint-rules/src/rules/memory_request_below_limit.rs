use kafkalint_model::jvm::{parse_size, JvmSize, SizeFlag};
use kafkalint_model::quantity::mib;
use kafkalint_model::ImageFamily;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Compares a broker's memory request with its memory limit and reports a request below
    /// the limit. A request under half the limit, or under the heap the JVM is given (`-Xmx`,
    /// the image's default included), is reported at the rule's severity; a smaller gap is at
    /// most a warning, so a policy that raises the rule to error (the `production` pack) fails
    /// only the far-off requests.
    ///
    /// ## Why is this bad?
    /// The scheduler places pods by their request, but a broker's JVM grows toward the limit:
    /// heap, direct buffers and page cache are all used by design. With 512Mi requested and
    /// 5Gi allowed, the broker lands on a node that has 512Mi to spare and is OOM-killed or
    /// evicted when it uses what its limit promises; under node memory pressure the kubelet
    /// evicts first the pods that use more than they requested. Brokers want request = limit
    /// (the Guaranteed QoS class when CPU matches too). (Source: Kubernetes docs, resource
    /// management for pods and node-pressure eviction; the heap defaults: apache/kafka
    /// `bin/kafka-server-start.sh`, bitnami/containers `kafka-env.sh`, see `images.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 512Mi
    ///   limits:
    ///     memory: 5Gi
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 5Gi
    ///   limits:
    ///     memory: 5Gi
    /// ```
    pub struct MemoryRequestBelowLimit {
        code: "MEM005",
        name: "memory-request-below-limit",
        category: Memory,
        severity: Warning,
    }
}

impl Rule for MemoryRequestBelowLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            let (Some(request), Some(limit)) = (&broker.memory_request, &broker.memory_limit)
            else {
                continue;
            };
            if request.bytes >= limit.bytes {
                continue;
            }
            let heap = if broker.jvm.unknown.is_none() {
                broker
                    .jvm
                    .last_size(SizeFlag::Xmx)
                    // An unknown image may set its own heap.
                    .filter(|(t, _)| !t.image_default || broker.family != ImageFamily::Other)
                    .and_then(|(t, arg)| match parse_size(arg) {
                        JvmSize::Bytes(b) => Some((t, b)),
                        JvmSize::Invalid(_) => None,
                    })
            } else {
                None
            };
            let far_below = request.bytes.saturating_mul(2) < limit.bytes;
            let below_heap = heap.is_some_and(|(_, b)| request.bytes < b);
            let percent = request.bytes as f64 * 100.0 / limit.bytes as f64;
            let heap_note = match heap {
                Some((t, b)) if below_heap => {
                    format!(", less than the heap alone ({} from {})", mib(b), t.text)
                }
                _ => String::new(),
            };
            let consequence = if far_below || below_heap {
                format!(
                    "the broker is scheduled where only {} is free and grows toward {}",
                    request.text, limit.text
                )
            } else {
                "once the broker uses more than its request, it is among the first pods evicted under node memory pressure".to_string()
            };
            let mut f = Finding::new(
                request.span,
                format!(
                    "memory request {} is {percent:.0}% of the {} limit{heap_note}: {consequence}",
                    request.text, limit.text
                ),
            )
            .label(format!("request {}", request.text))
            .with_label(limit.span, format!("limit {}", limit.text))
            .help(format!(
                "set requests.memory to the limit ({}): brokers use all of it for heap, direct buffers and page cache",
                limit.text
            ))
            .resource(broker.resource);
            if let Some((t, _)) = heap.filter(|(t, _)| below_heap && !t.image_default) {
                f = f.with_label(t.span, format!("heap {}", t.text));
            }
            if !far_below && !below_heap {
                f = f.at_most_warning();
            }
            out.push(f);
        }
    }
}
