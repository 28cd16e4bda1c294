use kafkalint_model::image::{
    env_effect, split_image, EnvEffect, ImageFamily, APACHE_MOUNTED_CONF_DIR,
};
use kafkalint_model::{Broker, Lookup};
use kafkalint_syntax::Span;

use super::image_support::{
    broker_env, command_text, file_mount, image_entrypoint_runs, kafka_service_links, mentions,
    FileMount,
};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds apache/kafka brokers left without required KRaft settings because a `KAFKA_*`
    /// variable made the image drop its packaged `server.properties`. The settings a node
    /// cannot start without are `process.roles`, `node.id`, `controller.quorum.voters` (or
    /// `controller.quorum.bootstrap.servers`) and `controller.listener.names`; the same
    /// applies to apache/kafka-native. The variable may be one the user wrote or one the kubelet
    /// injects for a Service (a Service named `kafka` adds `KAFKA_PORT`,
    /// `KAFKA_SERVICE_HOST`, ...).
    ///
    /// ## Why is this bad?
    /// The image writes one config line per `KAFKA_*` variable (except its own JVM and log
    /// variables). Unless a file is mounted at `/mnt/shared/config/server.properties`, those
    /// lines are the whole config, and the packaged single-node KRaft defaults are used only
    /// when no line was produced at all. Setting one variable, such as
    /// `KAFKA_NUM_PARTITIONS`, therefore leaves the broker without roles, id and quorum, and
    /// it fails at start; without `KAFKA_LOG_DIRS` it would also keep its data in
    /// `/tmp/kafka-logs`, Kafka's own default, inside the container. (Source: apache/kafka
    /// `core/src/main/scala/kafka/docker/KafkaDockerWrapper.scala` `prepareServerConfigs` and
    /// `docker/resources/common-scripts/configure`, see `images.json` (`file_vs_env`,
    /// `kafka_service_links`); required keys: Kafka broker config docs, `configs-3.9.json`.)
    ///
    /// ## Example
    /// ```yaml
    /// image: apache/kafka:3.9.0
    /// env:
    ///   - name: KAFKA_NUM_PARTITIONS
    ///     value: "6"
    /// ```
    ///
    /// ## Fix
    /// Set the whole KRaft config through env (or mount a `server.properties` at
    /// `/mnt/shared/config`):
    /// ```yaml
    /// env:
    ///   - name: KAFKA_PROCESS_ROLES
    ///     value: broker,controller
    ///   - name: KAFKA_NODE_ID
    ///     value: "1"
    ///   - name: KAFKA_CONTROLLER_QUORUM_VOTERS
    ///     value: 1@localhost:9093
    ///   - name: KAFKA_CONTROLLER_LISTENER_NAMES
    ///     value: CONTROLLER
    ///   - name: KAFKA_LISTENERS
    ///     value: PLAINTEXT://:9092,CONTROLLER://:9093
    ///   - name: KAFKA_LOG_DIRS
    ///     value: /var/lib/kafka/data
    /// ```
    pub struct ApacheDefaultConfigDropped {
        code: "IMG003",
        name: "apache-default-config-dropped",
        category: Image,
        severity: Error,
    }
}

/// `apache/kafka`, from the image reference when there is one.
fn image_name(broker: &Broker) -> String {
    match &broker.image {
        Some((image, _)) => split_image(image).repository,
        None if broker.family == ImageFamily::ApacheNative => "apache/kafka-native".into(),
        None => "apache/kafka".into(),
    }
}

fn present(broker: &Broker, key: &str) -> bool {
    !matches!(broker.config.lookup(key), Lookup::Default)
}

/// Keys a node needs once the packaged config is gone, as `(key, env var)`.
fn missing_keys(broker: &Broker) -> Vec<(&'static str, &'static str)> {
    let four = broker.kafka_version.is_some_and(|v| v.0 >= 4);
    let kraft = present(broker, "process.roles");
    let mut missing = Vec::new();
    if !kraft {
        if present(broker, "zookeeper.connect") && !four {
            // ZooKeeper mode (Kafka 3.x) needs nothing more.
            return missing;
        }
        missing.push(("process.roles", "KAFKA_PROCESS_ROLES"));
    }
    if !present(broker, "node.id") && (kraft || !present(broker, "broker.id")) {
        missing.push(("node.id", "KAFKA_NODE_ID"));
    }
    if !present(broker, "controller.quorum.voters")
        && !present(broker, "controller.quorum.bootstrap.servers")
    {
        missing.push(("controller.quorum.voters", "KAFKA_CONTROLLER_QUORUM_VOTERS"));
    }
    if !present(broker, "controller.listener.names") {
        missing.push((
            "controller.listener.names",
            "KAFKA_CONTROLLER_LISTENER_NAMES",
        ));
    }
    missing
}

impl Rule for ApacheDefaultConfigDropped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for broker in &cx.model.brokers {
            if !matches!(
                broker.family,
                ImageFamily::Apache | ImageFamily::ApacheNative
            ) {
                continue;
            }
            let container = cx.model.container_of(broker);
            if !image_entrypoint_runs(broker.family, container) {
                continue;
            }
            match file_mount(
                cx.model,
                broker,
                APACHE_MOUNTED_CONF_DIR,
                "server.properties",
            ) {
                FileMount::Absent => {}
                _ if container.is_none() => {}
                _ => continue,
            }
            let Some(env) = broker_env(cx.model, broker) else {
                continue;
            };
            // What makes the image drop its defaults: a written variable, else a service link.
            let written = env.vars.iter().find(|v| {
                v.name.starts_with("KAFKA_")
                    && matches!(env_effect(broker.family, &v.name), EnvEffect::Config(_))
            });
            let trigger: Option<(String, Span, String)> = match written {
                Some(v) => Some((
                    v.name.to_string(),
                    v.name_span,
                    format!("{} is set", v.name),
                )),
                None => {
                    let command = container.map(command_text).unwrap_or_default();
                    kafka_service_links(cx.model, broker).find_map(|link| {
                        let var = link.vars.iter().find(|n| {
                            n.starts_with("KAFKA_")
                                && env.get(n).is_none()
                                && !mentions(&command, n)
                        })?;
                        Some((
                            var.clone(),
                            link.span(),
                            format!(
                                "Service {} makes the kubelet inject {var}",
                                link.service.id.name
                            ),
                        ))
                    })
                }
            };
            let Some((var, span, why)) = trigger else {
                continue;
            };
            let missing = missing_keys(broker);
            if missing.is_empty() {
                continue;
            }
            let keys: Vec<&str> = missing.iter().map(|(k, _)| *k).collect();
            let vars: Vec<&str> = missing.iter().map(|(_, v)| *v).collect();
            let log_note = if present(broker, "log.dirs") || present(broker, "log.dir") {
                String::new()
            } else {
                "; without KAFKA_LOG_DIRS the data would go to /tmp/kafka-logs in the container"
                    .to_string()
            };
            let mut f = Finding::new(
                broker.anchor,
                format!(
                    "{why}, so {} drops its default server.properties and the broker has no {}{log_note}",
                    image_name(broker),
                    keys.join(", ")
                ),
            )
            .label(format!("{} fails at start", broker.display))
            .with_label(span, format!("{var} turns off the packaged config"))
            .resource(broker.resource);
            f = f.help(if written.is_some() {
                format!(
                    "set {} as well (or mount a server.properties at {APACHE_MOUNTED_CONF_DIR})",
                    vars.join(", ")
                )
            } else {
                format!(
                    "set enableServiceLinks: false in the pod spec (or rename the Service), or set {} yourself",
                    vars.join(", ")
                )
            });
            out.push(f);
        }
    }
}
