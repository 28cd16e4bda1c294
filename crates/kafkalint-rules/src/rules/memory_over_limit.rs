use kafkalint_model::budget::{self, Basis, BudgetParams};
use kafkalint_model::quantity::{mib, MIB};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Adds up what the broker JVM can use — heap, direct memory, and non-heap (metaspace,
    /// code cache, thread stacks, GC structures, agents, other native) — and compares it with
    /// the container memory limit. A margin below `memory.margin_min` (default 10%) of the
    /// limit is an error; below `memory.margin_recommended` (default 15%) a warning.
    ///
    /// The terms: heap is the last `-Xmx` (else `-XX:MaxRAMPercentage` of the limit, the
    /// image's default, Strimzi's min(50% of the limit, 5 GiB), or the JVM's 25%); direct is
    /// `-XX:MaxDirectMemorySize`, else equal to the heap; metaspace is
    /// `-XX:MaxMetaspaceSize` or the policy estimate; code cache is
    /// `-XX:ReservedCodeCacheSize` or 240 MiB; stacks are `-Xss` (1 MiB) times Kafka's
    /// thread pools plus JVM threads; G1 takes about 45 MiB + 3.7% of heap on JDK 11/17 and
    /// 43 MiB + 2% on JDK 21 (measured with NMT).
    ///
    /// ## Why is this bad?
    /// The kernel kills the container when the process crosses the limit, whatever the heap
    /// says. Kafka also needs the rest of the node's memory as page cache.
    ///
    /// Sources: JVM defaults (240 MiB code cache, 1 MiB `-Xss`, 25% `MaxRAMPercentage`,
    /// direct memory equal to `-Xmx`) from OpenJDK `java(1)` and `-XX:+PrintFlagsFinal` on
    /// Temurin 11, OpenJDK 17 and Temurin 21; G1 and metaspace sizes measured there with
    /// Native Memory Tracking; the image and Strimzi heap defaults from images.json (Strimzi
    /// `dynamic_resources.sh`, apache/kafka `kafka-server-start.sh`); the sum of regions
    /// follows the Paketo libjvm and Cloud Foundry memory calculators.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: KAFKA_HEAP_OPTS
    ///     value: "-Xmx4096m -Xms4096m"      # direct defaults to 4096m too
    /// resources:
    ///   limits:
    ///     memory: 5Gi                       # 4096 + 4096 + ~690 MiB > 5120 MiB
    /// ```
    ///
    /// ## Fix
    /// Lower the heap, bound direct memory, or raise the limit until the margin is met; the
    /// help line names the smallest single change. `kafkalint memory` prints every term.
    pub struct MemoryOverLimit {
        code: "MEM002",
        name: "memory-over-limit",
        category: Memory,
        severity: Error,
    }
}

/// The policy's memory thresholds as budget parameters.
pub fn budget_params(cx: &Context<'_>) -> BudgetParams {
    let m = &cx.policy.thresholds.memory;
    BudgetParams {
        metaspace_estimate: m.metaspace_estimate_mib * MIB,
        jvm_threads: m.jvm_threads,
        thread_allowance: m.thread_allowance,
        agents: m.agents_mib * MIB,
        other_native: m.other_native_mib * MIB,
    }
}

impl Rule for MemoryOverLimit {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let params = budget_params(cx);
        let m = &cx.policy.thresholds.memory;
        for broker in &cx.model.brokers {
            let Ok(b) = budget::compute(broker, &params) else {
                continue;
            };
            let margin = b.margin();
            if margin >= m.margin_recommended {
                continue;
            }
            let limit = format!("{} limit", mib(b.limit.bytes));
            let message = if margin < 0.0 {
                format!("memory budget over the limit: {} > {limit}", b.equation())
            } else {
                format!(
                    "memory margin {:.1}% is below the {} {:.0}%: {} leaves {} of the {limit}",
                    margin * 100.0,
                    if margin < m.margin_min {
                        "minimum"
                    } else {
                        "recommended"
                    },
                    if margin < m.margin_min {
                        m.margin_min
                    } else {
                        m.margin_recommended
                    } * 100.0,
                    b.equation(),
                    mib(b.limit.bytes - b.total()),
                )
            };
            let heap_is_users = b.heap.basis == Basis::Flag;
            let (span, label) = match b.heap.span {
                Some(span) if heap_is_users => (span, format!("heap {}", mib(b.heap.bytes))),
                _ => (b.limit.span, format!("limit {}", b.limit.text)),
            };
            let mut f = Finding::new(span, message)
                .label(label)
                .resource(broker.resource)
                .help(format!(
                    "to leave {:.0}%: {}",
                    m.margin_recommended * 100.0,
                    b.suggestions(m.margin_recommended).join("; or ")
                ));
            if heap_is_users {
                f = f.with_label(b.limit.span, format!("limit {}", b.limit.text));
            }
            if let (Basis::Flag, Some(span)) = (b.direct.basis, b.direct.span) {
                f = f.with_label(span, format!("direct {}", mib(b.direct.bytes)));
            }
            if margin >= m.margin_min {
                f = f.at_most_warning();
            }
            out.push(f);
        }
    }
}
