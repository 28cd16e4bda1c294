use kafkalint_model::quantity::MIB;
use kafkalint_model::{Broker, BrokerSource, JvmToken, Model};

use super::image_support::cpu_cores;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds brokers whose `KAFKA_JVM_PERFORMANCE_OPTS` (for Strimzi: the `jvmOptions.-XX`
    /// entries, which Strimzi passes as `KAFKA_JVM_PERFORMANCE_OPTS`) replace Kafka's default
    /// without choosing a garbage collector anywhere on the command line. It stays silent when
    /// the container's limits (at least 2 CPUs and 1792 MiB) make the JVM pick G1 anyway.
    ///
    /// ## Why is this bad?
    /// Kafka's start script sets `-XX:+UseG1GC` only inside the default
    /// `KAFKA_JVM_PERFORMANCE_OPTS`; any value replaces the whole default. Without a GC flag
    /// the JVM chooses by itself, and on fewer than 2 CPUs or less than 1792 MiB (the
    /// container's limits, with container support) it picks the single-threaded Serial
    /// collector, whose full-heap pauses stall every request. (Source: apache/kafka
    /// `bin/kafka-run-class.sh`, see `images.json`; HotSpot `os::is_server_class_machine`,
    /// see `jvm/defaults.json` `gc_ergonomics`; Strimzi `JvmOptionUtils.java`.)
    ///
    /// ## Example
    /// ```yaml
    /// - name: KAFKA_JVM_PERFORMANCE_OPTS
    ///   value: "-server -XX:MaxGCPauseMillis=20"
    /// resources:
    ///   limits: {cpu: "1", memory: 2Gi}
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// - name: KAFKA_JVM_PERFORMANCE_OPTS
    ///   value: "-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20"
    /// ```
    pub struct G1Dropped {
        code: "IMG007",
        name: "g1-dropped",
        category: Image,
        severity: Warning,
    }
}

const GC_FLAGS: &[&str] = &[
    "-XX:+UseG1GC",
    "-XX:+UseParallelGC",
    "-XX:+UseParallelOldGC",
    "-XX:+UseSerialGC",
    "-XX:+UseZGC",
    "-XX:+UseShenandoahGC",
    "-XX:+UseConcMarkSweepGC",
    "-XX:+UseEpsilonGC",
];

/// Flags Strimzi moves to KAFKA_HEAP_OPTS rather than KAFKA_JVM_PERFORMANCE_OPTS.
fn strimzi_heap_flag(token: &JvmToken) -> bool {
    token.text.starts_with("-XX:MaxRAMPercentage=")
        || token.text.starts_with("-XX:InitialRAMPercentage=")
}

fn is_performance_token(broker: &Broker, token: &JvmToken) -> bool {
    match broker.source {
        BrokerSource::Strimzi { .. } => token.from == "jvmOptions.-XX" && !strimzi_heap_flag(token),
        _ => token.from == "KAFKA_JVM_PERFORMANCE_OPTS" && !token.image_default,
    }
}

/// The CPU limit of the broker's container (Strimzi: of the pool or `spec.kafka`).
fn cpu_limit(model: &Model, broker: &Broker) -> Option<f64> {
    let resources = match broker.source {
        BrokerSource::Workload { .. } => model.container_of(broker)?.get("resources")?,
        BrokerSource::Strimzi { .. } => {
            let r = model.resource(broker.resource)?;
            let spec = r.node.get("spec")?;
            spec.get("resources")
                .or_else(|| spec.path(&["kafka", "resources"]))?
        }
        _ => return None,
    };
    cpu_cores(resources.path(&["limits", "cpu"])?.as_text()?)
}

impl Rule for G1Dropped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if broker.jvm.unknown.is_some() {
                continue;
            }
            let Some(first) = broker
                .jvm
                .tokens
                .iter()
                .find(|t| is_performance_token(broker, t))
            else {
                continue;
            };
            if broker
                .jvm
                .tokens
                .iter()
                .any(|t| GC_FLAGS.contains(&t.text.as_str()))
            {
                continue;
            }
            let cpus = cpu_limit(cx.model, broker);
            let memory = broker.memory_limit.as_ref().map(|m| m.bytes);
            // HotSpot's server-class test: 2 processors (the CPU limit rounded up) and 2 GiB
            // less 256 MiB.
            let few_cpus = cpus.is_some_and(|c| c <= 1.0);
            let small_memory = memory.is_some_and(|b| b < 1792 * MIB);
            let server_class =
                cpus.is_some_and(|c| c > 1.0) && memory.is_some_and(|b| b >= 1792 * MIB);
            if server_class {
                continue;
            }
            let what = if few_cpus || small_memory {
                let reason = match (few_cpus, small_memory) {
                    (true, true) => "a CPU limit of 1 and less than 1792 MiB",
                    (true, false) => "a CPU limit of 1 or less",
                    _ => "a memory limit under 1792 MiB",
                };
                format!("with {reason} the JVM picks the Serial collector")
            } else {
                "the JVM then picks the Serial collector whenever the container has fewer than 2 CPUs or less than 1792 MiB".to_string()
            };
            let source = match broker.source {
                BrokerSource::Strimzi { .. } => {
                    "jvmOptions.-XX replaces KAFKA_JVM_PERFORMANCE_OPTS"
                }
                _ => "KAFKA_JVM_PERFORMANCE_OPTS replaces Kafka's default",
            };
            let mut f = Finding::new(
                first.span,
                format!("{source} without a GC flag, dropping -XX:+UseG1GC: {what}"),
            )
            .label("no -XX:+UseG1GC here")
            .help(match broker.source {
                BrokerSource::Strimzi { .. } => "add `UseG1GC: true` under jvmOptions.-XX",
                _ => "add -XX:+UseG1GC to KAFKA_JVM_PERFORMANCE_OPTS",
            })
            .resource(broker.resource);
            if small_memory {
                if let Some(m) = &broker.memory_limit {
                    f = f.with_label(m.span, format!("memory limit {}", m.text));
                }
            }
            out.push(f);
        }
    }
}
