use kafkalint_model::quantity::MIB;
use kafkalint_model::{Broker, BrokerSource, ImageFamily, JvmToken, Model};

use super::image_support::{cpu_cores, image_entrypoint_runs};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds brokers that start without `-XX:+UseG1GC` because `KAFKA_JVM_PERFORMANCE_OPTS`
    /// replaced Kafka's default and nothing else on the command line picks a collector. For
    /// Strimzi the variable comes from the `jvmOptions.-XX` entries. The apache/kafka image
    /// does this itself: its launch script always sets `KAFKA_JVM_PERFORMANCE_OPTS` (to its
    /// class-data-sharing flag); that case is reported only when the container's limits are
    /// small. Nothing is reported when the limits (at least 2 CPUs and 1792 MiB) make the JVM
    /// pick G1 anyway.
    ///
    /// ## Why is this bad?
    /// Kafka's start script sets `-XX:+UseG1GC` only inside the default
    /// `KAFKA_JVM_PERFORMANCE_OPTS`; any value replaces the whole default. Without a GC flag
    /// the JVM chooses by itself, and on fewer than 2 CPUs or less than 1792 MiB (the
    /// container's limits, with container support) it picks the single-threaded Serial
    /// collector, whose full-heap pauses stall every request. (Source: apache/kafka
    /// `bin/kafka-run-class.sh` and `docker/jvm/launch`, see `images.json`; HotSpot `os::is_server_class_machine`,
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

/// Where the default performance options were replaced: a token the user wrote, or the image.
enum Replaced<'a> {
    User(&'a JvmToken),
    /// apache/kafka's launch script sets the variable to its class-data-sharing flag.
    ApacheImage,
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
            let user = broker
                .jvm
                .tokens
                .iter()
                .find(|t| is_performance_token(broker, t));
            let replaced = match user {
                Some(t) => Replaced::User(t),
                // Only when the image's own scripts start the broker.
                None if broker.family == ImageFamily::Apache
                    && image_entrypoint_runs(broker.family, cx.model.container_of(broker)) =>
                {
                    Replaced::ApacheImage
                }
                None => continue,
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
            } else if matches!(replaced, Replaced::ApacheImage) {
                // Nothing the user did, and nothing shows a small container: the JVM picks G1.
                continue;
            } else {
                "the JVM then picks the Serial collector whenever the container has fewer than 2 CPUs or less than 1792 MiB".to_string()
            };
            let mut f = match replaced {
                Replaced::User(first) => {
                    let source = match broker.source {
                        BrokerSource::Strimzi { .. } => {
                            "jvmOptions.-XX replaces KAFKA_JVM_PERFORMANCE_OPTS"
                        }
                        _ => "KAFKA_JVM_PERFORMANCE_OPTS replaces Kafka's default",
                    };
                    Finding::new(
                        first.span,
                        format!("{source} without a GC flag, dropping -XX:+UseG1GC: {what}"),
                    )
                    .label("no -XX:+UseG1GC here")
                    .help(match broker.source {
                        BrokerSource::Strimzi { .. } => "add `UseG1GC: true` under jvmOptions.-XX",
                        _ => "add -XX:+UseG1GC to KAFKA_JVM_PERFORMANCE_OPTS",
                    })
                }
                Replaced::ApacheImage => Finding::new(
                    broker.image.as_ref().map_or(broker.anchor, |(_, span)| *span),
                    format!(
                        "apache/kafka's launch script sets KAFKA_JVM_PERFORMANCE_OPTS to its class-data-sharing flag, which replaces Kafka's default and drops -XX:+UseG1GC: {what}"
                    ),
                )
                .label("this image starts the broker without a GC flag")
                .help("set KAFKA_JVM_PERFORMANCE_OPTS=\"-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35\" (the script appends its flag to it), or give the container 2 CPUs and 1792 MiB or more"),
            };
            f = f.resource(broker.resource);
            if small_memory {
                if let Some(m) = &broker.memory_limit {
                    f = f.with_label(m.span, format!("memory limit {}", m.text));
                }
            }
            out.push(f);
        }
    }
}
