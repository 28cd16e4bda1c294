use kafkalint_model::jvm::SizeFlag;
use kafkalint_model::quantity::mib;
use kafkalint_model::{BrokerSource, ImageFamily};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks that `-XX:MaxDirectMemorySize` is among the broker's effective JVM options: the
    /// env vars the start scripts read (`KAFKA_HEAP_OPTS`, `KAFKA_JVM_PERFORMANCE_OPTS`,
    /// `KAFKA_OPTS`, `JAVA_TOOL_OPTIONS`), the image's defaults, or Strimzi's `jvmOptions`.
    ///
    /// ## Why is this bad?
    /// Without the flag HotSpot lets direct buffers grow up to the maximum heap size, so a
    /// 4 GiB heap can use 8 GiB and more. Kafka's network layer allocates direct buffers per
    /// request, up to `socket.request.max.bytes`. The container is OOMKilled with a heap that
    /// looked safe. (Source: OpenJDK `java(1)`: MaxDirectMemorySize 0 means "chosen by the
    /// JVM"; measured `VM.maxDirectMemory()` equals `-Xmx` on JDK 11, 17 and 21.)
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: KAFKA_HEAP_OPTS
    ///     value: "-Xmx4096m -Xms4096m"
    /// ```
    ///
    /// ## Fix
    /// Bound direct memory next to the heap, and count it in the memory budget:
    /// ```yaml
    /// env:
    ///   - name: KAFKA_HEAP_OPTS
    ///     value: "-Xmx3072m -Xms3072m -XX:MaxDirectMemorySize=1536m"
    /// ```
    /// For Strimzi, add `MaxDirectMemorySize: 1536m` under `spec.kafka.jvmOptions.-XX`.
    pub struct DirectMemoryUnbounded {
        code: "MEM001",
        name: "unbounded-direct-memory",
        category: Memory,
        severity: Error,
    }
}

impl Rule for DirectMemoryUnbounded {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if broker.jvm.unknown.is_some() || broker.family == ImageFamily::ApacheNative {
                continue;
            }
            if broker
                .jvm
                .last_size(SizeFlag::MaxDirectMemorySize)
                .is_some()
            {
                continue;
            }
            let heap = broker.jvm.last_size(SizeFlag::Xmx);
            let heap_text = heap.and_then(|(_, arg)| match kafkalint_model::jvm::parse_size(arg) {
                kafkalint_model::jvm::JvmSize::Bytes(b) => Some(mib(b)),
                kafkalint_model::jvm::JvmSize::Invalid(_) => None,
            });
            let (span, label) = match heap {
                Some((token, _)) if !token.image_default => {
                    (token.span, format!("heap set here in {}", token.from))
                }
                Some((token, _)) => (
                    broker.anchor,
                    format!("heap {} comes from {}", token.text, token.from),
                ),
                None => (broker.anchor, "no heap flag either".to_string()),
            };
            let growth = heap_text.map_or("the heap size".to_string(), |h| {
                format!("the heap size ({h})")
            });
            let help = if matches!(broker.source, BrokerSource::Strimzi { .. }) {
                "add `MaxDirectMemorySize: <size>` under jvmOptions.-XX, and keep heap + direct + non-heap under the memory limit".to_string()
            } else {
                "add -XX:MaxDirectMemorySize=<size> to KAFKA_HEAP_OPTS (e.g. half the heap), and keep heap + direct + non-heap under the memory limit".to_string()
            };
            out.push(
                Finding::new(
                    span,
                    format!("direct memory is unbounded: -XX:MaxDirectMemorySize is not set, so direct buffers can grow to {growth}"),
                )
                .label(label)
                .help(help)
                .resource(broker.resource),
            );
        }
    }
}
