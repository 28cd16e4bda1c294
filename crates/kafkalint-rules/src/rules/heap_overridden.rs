use kafkalint_model::jvm::{parse_size, size_flag, JvmSize, SizeFlag};
use kafkalint_model::quantity::mib;
use kafkalint_model::{ImageFamily, JvmToken};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds a heap flag (`-Xmx`, `-Xms`) that a later one on the broker's java command line
    /// overrides with a different size. The start scripts build
    /// `java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS ... $KAFKA_OPTS`, and the JVM reads
    /// `JAVA_TOOL_OPTIONS` before all of them, so: an `-Xmx` in `KAFKA_OPTS` beats the one in
    /// `KAFKA_HEAP_OPTS`, and an `-Xmx` in `JAVA_TOOL_OPTIONS` loses to any other, including
    /// the `-Xmx1G` that `kafka-server-start.sh` adds when `KAFKA_HEAP_OPTS` is empty (bitnami
    /// sets `-Xmx1024m`). The finding points at the flag that loses; a label shows the winner.
    ///
    /// ## Why is this bad?
    /// Two heap sizes in one deployment means the one people read is often not the one the
    /// broker uses, and memory budgets built on it are wrong. (Source: apache/kafka
    /// `bin/kafka-run-class.sh` and `bin/kafka-server-start.sh`, see `images.json`
    /// `java_command_order`; JVM precedence measured on JDK 11/17/21, see
    /// `jvm/defaults.json` `precedence`.)
    ///
    /// ## Example
    /// ```yaml
    /// - name: JAVA_TOOL_OPTIONS
    ///   value: "-Xmx4g"        # loses to kafka-server-start.sh's -Xmx1G
    /// ```
    ///
    /// ## Fix
    /// Keep the heap in one place, `KAFKA_HEAP_OPTS`:
    /// ```yaml
    /// - name: KAFKA_HEAP_OPTS
    ///   value: "-Xmx4g -Xms4g"
    /// ```
    pub struct HeapOverridden {
        code: "IMG005",
        name: "heap-overridden",
        category: Image,
        severity: Warning,
    }
}

fn bytes(token: &JvmToken) -> Option<u64> {
    match parse_size(size_flag(&token.text)?.1) {
        JvmSize::Bytes(b) => Some(b),
        JvmSize::Invalid(_) => None,
    }
}

fn origin(token: &JvmToken) -> String {
    if token.image_default {
        format!("{} from {}", token.text, token.from)
    } else {
        format!("{} in {}", token.text, token.from)
    }
}

impl Rule for HeapOverridden {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            for flag in [SizeFlag::Xmx, SizeFlag::Xms] {
                let tokens: Vec<&JvmToken> = broker
                    .jvm
                    .tokens
                    .iter()
                    .filter(|t| size_flag(&t.text).is_some_and(|(f, _)| f == flag))
                    .collect();
                let Some((winner, losers)) = tokens.split_last() else {
                    continue;
                };
                let Some(won) = bytes(winner) else { continue };
                // An image default is only certain when nothing else can set KAFKA_HEAP_OPTS,
                // and for images whose defaults we know.
                if winner.image_default
                    && (broker.jvm.unknown.is_some() || broker.family == ImageFamily::Other)
                {
                    continue;
                }
                for loser in losers {
                    // Replacing the image's default is what the user meant to do.
                    if loser.image_default {
                        continue;
                    }
                    let Some(lost) = bytes(loser) else { continue };
                    if lost == won {
                        continue;
                    }
                    let why = if loser.from == "JAVA_TOOL_OPTIONS" {
                        "the JVM reads JAVA_TOOL_OPTIONS before the command line"
                    } else if loser.from == winner.from {
                        "the last one wins"
                    } else {
                        "it comes later on the java command line"
                    };
                    let winner_label = if winner.image_default {
                        format!("{} comes from {}", winner.text, winner.from)
                    } else {
                        format!("{} wins", winner.text)
                    };
                    out.push(
                        Finding::new(
                            loser.span,
                            format!(
                                "{} is overridden by {} ({why}): the {} heap is {}",
                                origin(loser),
                                origin(winner),
                                if flag == SizeFlag::Xmx {
                                    "maximum"
                                } else {
                                    "initial"
                                },
                                mib(won)
                            ),
                        )
                        .label(format!("{} has no effect", loser.text))
                        .with_label(winner.span, winner_label)
                        .help("set the heap in one place: -Xmx and -Xms in KAFKA_HEAP_OPTS")
                        .resource(broker.resource),
                    );
                }
            }
        }
    }
}
