use kafkalint_model::jvm::{parse_size, JvmSize, SizeFlag};
use kafkalint_model::quantity::{mib, GIB, MIB};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a broker heap too large for compressed object pointers. The largest heap that
    /// keeps them is 32736 MiB with G1 on JDK 11 and 17, 32256 MiB on JDK 21 (measured).
    /// The heap is the last `-Xmx`, or `-XX:MaxRAMPercentage` of the memory limit. Nothing is
    /// reported when the options turn compressed oops off or change the object alignment
    /// on purpose.
    ///
    /// ## Why is this bad?
    /// Above that size every object reference takes 8 bytes instead of 4, so a heap between
    /// 32 and about 48 GiB holds fewer objects than a 31 GiB one. Kafka keeps its data in the
    /// OS page cache, not the heap: memory given to a huge heap is taken from the cache that
    /// serves consumers. (Source: measured with `-XX:+PrintFlagsFinal` on JDK 11/17/21,
    /// `jvm/defaults.json` `gc_ergonomics.compressed_oops_limit`.)
    ///
    /// ## Example
    /// ```yaml
    /// - name: KAFKA_HEAP_OPTS
    ///   value: "-Xmx32g -Xms32g"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// - name: KAFKA_HEAP_OPTS
    ///   value: "-Xmx31g -Xms31g"    # brokers rarely need more than 6-8 GiB
    /// ```
    pub struct HeapTooLarge {
        code: "MEM006",
        name: "heap-too-large",
        category: Memory,
        severity: Warning,
    }
}

impl Rule for HeapTooLarge {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            let jvm = &broker.jvm;
            if jvm.has_flag("-XX:-UseCompressedOops")
                || jvm
                    .tokens
                    .iter()
                    .any(|t| t.text.starts_with("-XX:ObjectAlignmentInBytes="))
            {
                continue;
            }
            let jdk = broker.family.jdk(broker.kafka_version);
            let limit_mib: u64 = if jdk >= 21 { 32256 } else { 32736 };
            let (span, heap, how) = match jvm.last_size(SizeFlag::Xmx) {
                Some((t, arg)) => match parse_size(arg) {
                    JvmSize::Bytes(b) => (t.span, b, format!("{} in {}", t.text, t.from)),
                    JvmSize::Invalid(_) => continue,
                },
                None => {
                    let (Some((t, pct)), Some(limit)) = (
                        jvm.last_percentage("MaxRAMPercentage"),
                        broker.memory_limit.as_ref(),
                    ) else {
                        continue;
                    };
                    let bytes = (limit.bytes as f64 * pct / 100.0) as u64;
                    (
                        t.span,
                        bytes,
                        format!("{} of the {} limit", t.text, limit.text),
                    )
                }
            };
            if heap <= limit_mib * MIB {
                continue;
            }
            let effect = if heap < 48 * GIB {
                "so it holds fewer objects than a 31 GiB heap"
            } else {
                "and every GiB above 31 is taken from the page cache Kafka serves reads from"
            };
            out.push(
                Finding::new(
                    span,
                    format!(
                        "heap {} ({how}) is above the compressed-oops limit of about {limit_mib} MiB on JDK {jdk}: references take 8 bytes instead of 4, {effect}",
                        mib(heap)
                    ),
                )
                .label("compressed oops are off at this size")
                .help("keep the heap at 31g or below (brokers rarely need more than 6-8 GiB) and leave the rest of the memory to the page cache")
                .resource(broker.resource),
            );
        }
    }
}
