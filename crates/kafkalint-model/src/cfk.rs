//! Confluent for Kubernetes (CFK): a `platform.confluent.io` `Kafka` custom resource as a broker,
//! and its `KafkaTopic`s as topics.
//!
//! What the resource says is read exactly: `spec.replicas`, `spec.image.application`,
//! `spec.configOverrides.server` (`key=value` lines appended to the broker's properties),
//! `spec.configOverrides.jvm` (JVM flags), `spec.podTemplate.resources` and
//! `spec.dataVolumeCapacity`. What the operator adds on its own — its generated broker
//! properties and its default JVM flags — is not in the input, so the config is open and the
//! JVM is unknown unless the overrides pin the flags the memory rules need.
//!
//! Sources: CFK documentation, docs.confluent.io/operator/current: `co-configure-misc`
//! (`configOverrides.server`/`jvm`), `co-resources` (`podTemplate.resources`), `co-storage` and
//! `co-plan-storage` (one persistent volume per broker, from a storage class). The broker data
//! path `/mnt/data/data0/logs` as CFK operational scripts and runbooks use it
//! (`kubectl exec kafka-0 -- ls /mnt/data/data0/logs`). CFK's generated properties and default
//! JVM flags are not documented as a list, hence open.

use kafkalint_syntax::Node;

use super::{is_linear, memory_at, setting, span_in_value, value_span, Ctx};
use crate::image::{self, ImageFamily};
use crate::jvm::{self, SizeFlag};
use crate::{
    Backing, Broker, BrokerSource, Config, Jvm, JvmToken, LogDir, Origin, Topic, Value, Via,
};

/// Where CFK mounts the broker's data volume and points `log.dirs`.
pub const CFK_LOG_DIR: &str = "/mnt/data/data0/logs";
const CFK_DATA_MOUNT: &str = "/mnt/data";

impl Ctx<'_> {
    pub(super) fn cfk_broker(&self, index: usize) -> Option<Broker> {
        let r = self.resources.get(index)?;
        let spec = r.node.get("spec")?;
        let image_node = spec.path(&["image", "application"]);
        let image = image_node.and_then(Node::as_text);
        let family = self.options.image.unwrap_or(ImageFamily::Confluent);
        let kafka_version = self
            .options
            .kafka_version
            .or_else(|| image.and_then(|i| image::kafka_version_of(i, family)));
        let overrides = spec.get("configOverrides");

        let mut config = Config::default();
        for item in overrides
            .and_then(|o| o.get("server"))
            .map_or(&[][..], Node::as_seq)
        {
            let Some(line) = item.as_str() else { continue };
            let Some((key, value, value_offset)) = property_line(line) else {
                continue;
            };
            let span = span_in_value(item, value_offset, value.chars().count().max(1));
            config.set(
                key,
                setting(
                    Value::Known(value.to_string()),
                    span,
                    Via::Properties,
                    is_linear(item),
                ),
            );
        }
        config.mark_open(
            "Confluent for Kubernetes generates broker properties that are not in the input",
        );

        let jvm = cfk_jvm(overrides.and_then(|o| o.get("jvm")));
        let resources = spec.path(&["podTemplate", "resources"]);
        let replicas = spec.get("replicas").and_then(|n| {
            n.as_i64()
                .and_then(|v| u32::try_from(v).ok())
                .map(|v| (v, n.span))
        });
        let log_dirs = cfk_log_dirs(&config, spec, r.anchor());
        Some(Broker {
            source: BrokerSource::Confluent,
            resource: Some(index),
            file: r.file,
            anchor: r.anchor(),
            display: r.display(),
            image: image.zip(image_node).map(|(i, n)| (i.to_string(), n.span)),
            family,
            kafka_version,
            replicas,
            config,
            jvm,
            memory_limit: memory_at(resources, "limits"),
            memory_request: memory_at(resources, "requests"),
            log_dirs,
        })
    }
}

impl Ctx<'_> {
    /// A CFK `KafkaTopic`: `spec.partitionCount`, `spec.replicas`, `spec.configs`, and the
    /// cluster from `spec.kafkaClusterRef.name` (none when it goes through a REST class or
    /// the namespace's only Kafka).
    pub(super) fn cfk_topic(&self, index: usize) -> Option<Topic> {
        let r = self.resources.get(index)?;
        let spec = r.node.get("spec");
        let int_at = |key: &str| {
            spec.and_then(|s| s.get(key))
                .and_then(|n| n.as_i64().map(|v| (v, n.span)))
        };
        let mut config = Config::default();
        let configs = spec.and_then(|s| s.get("configs"));
        for (k, v) in configs.map_or(&[][..], Node::as_map) {
            let Some(key) = k.as_str() else { continue };
            config.set(
                key,
                setting(
                    Value::Known(v.as_str().unwrap_or("").to_string()),
                    value_span(v),
                    Via::Properties,
                    is_linear(v),
                ),
            );
        }
        let config_anchor = spec
            .and_then(|s| s.entry("configs").map(|(k, _)| k.span))
            .or_else(|| r.node.entry("spec").map(|(k, _)| k.span))
            .unwrap_or_else(|| r.anchor());
        Some(Topic {
            name: spec
                .and_then(|s| s.text_at(&["name"]))
                .unwrap_or(&r.id.name)
                .to_string(),
            resource: index,
            anchor: r.anchor(),
            replicas: int_at("replicas"),
            partitions: int_at("partitionCount"),
            config,
            config_anchor,
            cluster: spec
                .and_then(|s| s.text_at(&["kafkaClusterRef", "name"]))
                .map(str::to_string),
        })
    }
}

/// `key=value` (or `key: value`) as a properties line reads it, with the value's char offset.
fn property_line(line: &str) -> Option<(&str, &str, usize)> {
    let sep = line.find(['=', ':'])?;
    let key = line[..sep].trim();
    if key.is_empty() || key.starts_with('#') || key.starts_with('!') {
        return None;
    }
    let rest = &line[sep + 1..];
    let value = rest.trim_start();
    let offset = line[..sep + 1].chars().count() + (rest.chars().count() - value.chars().count());
    Some((key, value.trim_end(), offset))
}

/// The JVM flags of `configOverrides.jvm`. CFK's own defaults are not in the input, so the
/// command line is only known when the overrides set both the heap and direct memory bound.
fn cfk_jvm(list: Option<&Node>) -> Jvm {
    let mut jvm = Jvm {
        g1: true,
        ..Jvm::default()
    };
    for item in list.map_or(&[][..], Node::as_seq) {
        let Some(text) = item.as_str() else { continue };
        for (offset, token) in jvm::tokens(text) {
            jvm.tokens.push(JvmToken {
                text: token.to_string(),
                span: span_in_value(item, offset, token.chars().count()),
                from: "configOverrides.jvm".into(),
                image_default: false,
            });
        }
    }
    let heap =
        jvm.last_size(SizeFlag::Xmx).is_some() || jvm.last_percentage("MaxRAMPercentage").is_some();
    let direct = jvm.last_size(SizeFlag::MaxDirectMemorySize).is_some();
    if !(heap && direct) {
        jvm.unknown = Some(
            "Confluent for Kubernetes adds default JVM flags that are not in the input; \
             configOverrides.jvm must set -Xmx and -XX:MaxDirectMemorySize to know the budget"
                .into(),
        );
    }
    jvm
}

/// CFK always puts the broker's data on a PersistentVolumeClaim of `dataVolumeCapacity`,
/// mounted at /mnt/data; a `log.dirs` override elsewhere is on the container filesystem.
fn cfk_log_dirs(
    config: &Config,
    spec: &Node,
    anchor: kafkalint_syntax::Span,
) -> Option<Vec<LogDir>> {
    let capacity_span = spec.entry("dataVolumeCapacity").map(|(_, v)| value_span(v));
    let (paths, origin) = match config.entries.get("log.dirs") {
        Some(s) => match &s.value {
            Value::Known(v) => (v.clone(), s.origin.clone()),
            Value::Unknown(_) => return None,
        },
        None => (
            CFK_LOG_DIR.to_string(),
            Origin {
                span: capacity_span.unwrap_or(anchor),
                via: Via::ImageDefault,
            },
        ),
    };
    let dirs = paths
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|path| {
            let on_volume = path == CFK_DATA_MOUNT || path.starts_with("/mnt/data/");
            LogDir {
                path: path.to_string(),
                path_origin: origin.clone(),
                backing: if on_volume {
                    Backing::Persistent
                } else {
                    Backing::ContainerFs
                },
                backing_span: on_volume.then_some(capacity_span.unwrap_or(anchor)),
                volume: on_volume.then(|| "data0".to_string()),
            }
        })
        .collect();
    Some(dirs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_lines() {
        assert_eq!(
            property_line("min.insync.replicas=2"),
            Some(("min.insync.replicas", "2", 20))
        );
        assert_eq!(
            property_line("log.retention.hours = 48"),
            Some(("log.retention.hours", "48", 22))
        );
        assert_eq!(property_line("# comment=1"), None);
        assert_eq!(property_line("no separator"), None);
    }
}
