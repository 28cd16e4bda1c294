use kafkalint_model::image::{env_effect, EnvEffect, ImageFamily};

use super::image_support::{broker_env, command_text, image_entrypoint_runs, mentions};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds `KAFKA_*` env vars that the broker's image drops without a word. bitnami/kafka
    /// turns only `KAFKA_CFG_*` into broker config, plus a fixed list of 32 legacy names
    /// (`KAFKA_LISTENERS`, `KAFKA_LOG_DIRS`, ...) and its own control variables
    /// (`KAFKA_HEAP_OPTS`, `KAFKA_CLUSTER_ID`, `KAFKA_TLS_*`, ...); any other `KAFKA_*`
    /// variable, such as `KAFKA_MIN_INSYNC_REPLICAS`, changes nothing. The reverse mistake is
    /// reported too: bitnami's `KAFKA_CFG_` prefix on cp-kafka, apache/kafka or wurstmeister,
    /// which write `KAFKA_CFG_MIN_INSYNC_REPLICAS` as the key `cfg.min.insync.replicas`, a
    /// key Kafka ignores.
    ///
    /// Variables that a custom `command`/`args` mentions, or that other env values reference
    /// as `$(NAME)`, are left alone: something other than the image reads them.
    ///
    /// ## Why is this bad?
    /// The manifest says `min.insync.replicas=2` and the broker runs with Kafka's default of
    /// 1: nothing fails, no log line warns, and the durability the team believes in is not
    /// there until a broker dies. It is an error because the setting silently does nothing.
    /// (Source: bitnami/containers `libkafka.sh`
    /// `kafka_create_alias_environment_variables` and `kafka-env.sh`, confluentinc/kafka-images
    /// `configure` with common-docker `ub.go`, apache/kafka `KafkaDockerWrapper.scala`; see
    /// `images.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// image: bitnami/kafka:3.9.0
    /// env:
    ///   - name: KAFKA_MIN_INSYNC_REPLICAS
    ///     value: "2"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// env:
    ///   - name: KAFKA_CFG_MIN_INSYNC_REPLICAS
    ///     value: "2"
    /// ```
    pub struct IgnoredImageEnv {
        code: "IMG001",
        name: "ignored-image-env",
        category: Image,
        severity: Error,
    }
}

impl Rule for IgnoredImageEnv {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            let family = broker.family;
            if !matches!(
                family,
                ImageFamily::Bitnami
                    | ImageFamily::Confluent
                    | ImageFamily::Apache
                    | ImageFamily::ApacheNative
                    | ImageFamily::Wurstmeister
            ) {
                continue;
            }
            let container = cx.model.container_of(broker);
            if !image_entrypoint_runs(family, container) {
                continue;
            }
            let Some(env) = broker_env(cx.model, broker) else {
                continue;
            };
            let command = container.map(command_text).unwrap_or_default();
            let referenced = referenced_names(env.vars.iter().filter_map(|v| v.value));
            let image = broker
                .image
                .as_ref()
                .map_or(family.name(), |(i, _)| i.as_str());
            let mut seen: Vec<&str> = Vec::new();
            for var in &env.vars {
                let name = &*var.name;
                if seen.contains(&name) || referenced.contains(&name) {
                    continue;
                }
                let finding = match family {
                    ImageFamily::Bitnami => {
                        if env_effect(family, name) != EnvEffect::Ignored {
                            continue;
                        }
                        let suffix = name.strip_prefix("KAFKA_").unwrap_or(name);
                        let key = suffix.to_ascii_lowercase().replace('_', ".");
                        Finding::new(
                            var.name_span,
                            format!(
                                "{name} is ignored by bitnami/kafka: it maps only KAFKA_CFG_* and 32 legacy names to broker config"
                            ),
                        )
                        .label("the broker never sees this")
                        .help(format!(
                            "use KAFKA_CFG_{suffix} (it sets {key})"
                        ))
                    }
                    _ => {
                        let Some(suffix) = name.strip_prefix("KAFKA_CFG_") else {
                            continue;
                        };
                        let key = suffix.to_ascii_lowercase().replace('_', ".");
                        Finding::new(
                            var.name_span,
                            format!(
                                "{name} uses bitnami's KAFKA_CFG_ prefix, but {image} writes it as the key cfg.{key}, which Kafka ignores"
                            ),
                        )
                        .label("the broker never sees this")
                        .help(format!("use KAFKA_{suffix} (it sets {key})"))
                    }
                };
                if mentions(&command, name) {
                    continue;
                }
                seen.push(name);
                out.push(finding.resource(broker.resource));
            }
        }
    }
}

/// Names used as `$(NAME)` in env values: Kubernetes expands those, so the image is not the
/// only reader. Collected once per broker because env lists run to hundreds of entries.
fn referenced_names<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut names = Vec::new();
    for value in values {
        let mut rest = value;
        while let Some(start) = rest.find("$(") {
            rest = &rest[start + 2..];
            let Some(end) = rest.find(')') else { break };
            names.push(&rest[..end]);
            rest = &rest[end + 1..];
        }
    }
    names
}
