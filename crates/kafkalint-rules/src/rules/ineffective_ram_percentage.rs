use kafkalint_model::jvm::{parse_size, percentage_flag, JvmSize, SizeFlag};
use kafkalint_model::quantity::mib;
use kafkalint_model::{BrokerSource, ImageFamily};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds heap percentage flags that a fixed heap size overrides. That is
    /// `-XX:MaxRAMPercentage` (or `-XX:MinRAMPercentage`) next to an `-Xmx`, and
    /// `-XX:InitialRAMPercentage` next to an `-Xms`, on the broker's effective JVM command
    /// line. The fixed size may be one the user wrote or the image's default: when
    /// `KAFKA_HEAP_OPTS` is empty, `kafka-server-start.sh` adds `-Xmx1G -Xms1G` (bitnami sets
    /// `-Xmx1024m -Xms1024m`), so a percentage in `JAVA_TOOL_OPTIONS` or `KAFKA_OPTS` alone
    /// never sizes the heap.
    ///
    /// ## Why is this bad?
    /// An explicit `-Xmx` always wins over the percentage, whatever their order, so the heap
    /// stays at the fixed size while the manifest suggests it follows the container limit.
    /// (Source: measured on JDK 11/17/21, `jvm/defaults.json` `precedence`; the image
    /// defaults: apache/kafka `bin/kafka-server-start.sh`, bitnami/containers `kafka-env.sh`,
    /// see `images.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// image: confluentinc/cp-kafka:7.8.0
    /// env:
    ///   - name: JAVA_TOOL_OPTIONS
    ///     value: "-XX:MaxRAMPercentage=75"   # heap stays at -Xmx1G
    /// ```
    ///
    /// ## Fix
    /// Put the percentage in `KAFKA_HEAP_OPTS`, which replaces the default `-Xmx1G -Xms1G`:
    /// ```yaml
    ///   - name: KAFKA_HEAP_OPTS
    ///     value: "-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=75"
    /// ```
    /// or drop the percentage and size the heap with `-Xmx` alone.
    pub struct IneffectiveRamPercentage {
        code: "IMG006",
        name: "ineffective-ram-percentage",
        category: Image,
        severity: Warning,
    }
}

impl Rule for IneffectiveRamPercentage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            for token in broker.jvm.tokens.iter().filter(|t| !t.image_default) {
                let (name, flag) = if percentage_flag(&token.text, "MaxRAMPercentage").is_some() {
                    ("MaxRAMPercentage", SizeFlag::Xmx)
                } else if percentage_flag(&token.text, "MinRAMPercentage").is_some() {
                    ("MinRAMPercentage", SizeFlag::Xmx)
                } else if percentage_flag(&token.text, "InitialRAMPercentage").is_some() {
                    ("InitialRAMPercentage", SizeFlag::Xms)
                } else {
                    continue;
                };
                let Some((fixed, arg)) = broker.jvm.last_size(flag) else {
                    continue;
                };
                if fixed.image_default
                    && (broker.jvm.unknown.is_some() || broker.family == ImageFamily::Other)
                {
                    continue;
                }
                let size = match parse_size(arg) {
                    JvmSize::Bytes(b) => mib(b),
                    JvmSize::Invalid(_) => continue,
                };
                let source = if fixed.image_default {
                    format!("{} from {}", fixed.text, fixed.from)
                } else {
                    format!("{} in {}", fixed.text, fixed.from)
                };
                let help = if fixed.image_default {
                    format!(
                        "put -XX:{name} in KAFKA_HEAP_OPTS (a non-empty KAFKA_HEAP_OPTS replaces the default {}), or drop it",
                        fixed.text
                    )
                } else if matches!(broker.source, BrokerSource::Strimzi { .. }) {
                    format!(
                        "remove {} from jvmOptions to size the heap by percentage, or drop {name}",
                        flag.display()
                    )
                } else {
                    format!(
                        "remove {} to size the heap by percentage, or drop -XX:{name}",
                        fixed.text
                    )
                };
                out.push(
                    Finding::new(
                        token.span,
                        format!(
                            "{} in {} has no effect: {source} fixes the {} heap at {size}",
                            token.text,
                            token.from,
                            if flag == SizeFlag::Xmx {
                                "maximum"
                            } else {
                                "initial"
                            },
                        ),
                    )
                    .label("ignored by the JVM")
                    .with_label(fixed.span, format!("{} wins", fixed.text))
                    .help(help)
                    .resource(broker.resource),
                );
            }
        }
    }
}
