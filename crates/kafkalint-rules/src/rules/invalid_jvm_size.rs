use kafkalint_model::jvm::{parse_size, size_flag, JvmSize, SizeFlag};

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Checks every memory size in the broker's JVM options the way HotSpot parses it:
    /// digits with an optional single-letter unit `k`, `m`, `g` or `t` (binary), no unit
    /// meaning bytes. It reports sizes the JVM rejects (`-Xmx1Gi`, `-Xmx1.5g`, `-Xmx1gb`),
    /// sizes without a unit that are bytes by accident (`-Xmx2048` is 2048 bytes), and an
    /// `-Xms` above `-Xmx`.
    ///
    /// ## Why is this bad?
    /// The JVM refuses to start ("Invalid maximum heap size", "Too small maximum heap",
    /// "Initial heap size set to a larger value than the maximum heap size"): the broker
    /// crash-loops. Kubernetes units (`Mi`, `Gi`) look right in a manifest and are not JVM
    /// units. (Source: OpenJDK `java(1)` and measured on JDK 11, 17 and 21.)
    ///
    /// ## Example
    /// ```yaml
    /// - name: KAFKA_HEAP_OPTS
    ///   value: "-Xmx2Gi -Xms2048"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// - name: KAFKA_HEAP_OPTS
    ///   value: "-Xmx2g -Xms2g"
    /// ```
    pub struct InvalidJvmSize {
        code: "MEM003",
        name: "invalid-jvm-size",
        category: Memory,
        severity: Error,
    }
}

/// Below this a unit-less size is almost surely a missing unit.
const TINY: u64 = 1 << 20;

impl Rule for InvalidJvmSize {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            for token in broker.jvm.tokens.iter().filter(|t| !t.image_default) {
                let Some((flag, arg)) = size_flag(&token.text) else {
                    continue;
                };
                match parse_size(arg) {
                    JvmSize::Invalid(why) => out.push(
                        Finding::new(
                            token.span,
                            format!("invalid JVM size {}: {why}", token.text),
                        )
                        .label("the JVM refuses to start with this")
                        .help(format!(
                            "write the size as digits with k, m or g, e.g. {}2048m",
                            flag.display()
                        ))
                        .resource(broker.resource),
                    ),
                    JvmSize::Bytes(b) => {
                        let unitless = arg.chars().all(|c| c.is_ascii_digit());
                        let tiny = match flag {
                            SizeFlag::ThreadStackSize => false,
                            SizeFlag::Xss => b < 64 * 1024,
                            _ => b < TINY,
                        };
                        if unitless && tiny {
                            out.push(
                                Finding::new(
                                    token.span,
                                    format!(
                                        "{} means {b} bytes: a size without a unit is in bytes",
                                        token.text
                                    ),
                                )
                                .label("missing unit")
                                .help(format!("add a unit, e.g. {}{arg}m", flag.display()))
                                .resource(broker.resource),
                            );
                        }
                    }
                }
            }
            let size = |flag| {
                broker
                    .jvm
                    .last_size(flag)
                    .and_then(|(t, arg)| match parse_size(arg) {
                        JvmSize::Bytes(b) => Some((t, b)),
                        JvmSize::Invalid(_) => None,
                    })
            };
            if let (Some((xms, min)), Some((xmx, max))) = (size(SizeFlag::Xms), size(SizeFlag::Xmx))
            {
                if min > max && !xms.image_default {
                    out.push(
                        Finding::new(
                            xms.span,
                            format!(
                                "{} is larger than {}: the JVM refuses to start",
                                xms.text, xmx.text
                            ),
                        )
                        .label("initial heap")
                        .with_label(xmx.span, "maximum heap")
                        .help("set -Xms equal to -Xmx (brokers want a fixed heap)")
                        .resource(broker.resource),
                    );
                }
            }
        }
    }
}
