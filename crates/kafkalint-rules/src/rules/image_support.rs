//! What the image rules need beyond the model: a container's env as written (names with
//! spans, including the ones the image ignores), the Services whose links the kubelet injects,
//! and which files the volumes put at a path.

use std::borrow::Cow;

use kafkalint_model::image::ImageFamily;
use kafkalint_model::{Broker, BrokerSource, Model, Resource};
use kafkalint_syntax::{Node, Span};

/// One env var as the container or env file sets it. Borrowed from the model: several rules
/// build this per broker, and copying every name and value cost more than their checks.
#[derive(Clone, Debug)]
pub(crate) struct EnvSite<'m> {
    /// Owned only for an `envFrom` prefix.
    pub name: Cow<'m, str>,
    /// The name as written: the `name:` value, a ConfigMap key, an env-file key.
    pub name_span: Span,
    /// `None` when it cannot be known (valueFrom, a Secret...).
    pub value: Option<&'m str>,
}

/// A container's env in kubelet order (envFrom, then env).
#[derive(Clone, Debug, Default)]
pub(crate) struct ContainerEnv<'m> {
    pub vars: Vec<EnvSite<'m>>,
    /// Some of it comes from a Secret or a ConfigMap that is not in the input.
    pub incomplete: bool,
}

impl<'m> ContainerEnv<'m> {
    /// The last setting of `name`, which is the one the container sees.
    pub fn get(&self, name: &str) -> Option<&EnvSite<'m>> {
        self.vars.iter().rev().find(|v| v.name == name)
    }
}

fn configmap<'m>(model: &'m Model, name: &str, owner: &Resource) -> Option<&'m Resource> {
    model
        .named("ConfigMap", name)
        .filter(|r| r.same_namespace(&owner.id.namespace))
        .min_by_key(|r| r.file != owner.file)
}

/// The env of a workload container, or of a standalone env file.
pub(crate) fn broker_env<'m>(model: &'m Model, broker: &Broker) -> Option<ContainerEnv<'m>> {
    match broker.source {
        BrokerSource::Workload { .. } => {
            let owner = model.resource(broker.resource)?;
            let container = model.container_of(broker)?;
            Some(container_env(model, owner, container))
        }
        BrokerSource::Standalone => {
            let file = model.env_files.iter().find(|f| f.file == broker.file)?;
            Some(ContainerEnv {
                vars: file
                    .entries
                    .iter()
                    .map(|e| EnvSite {
                        name: Cow::Borrowed(&e.key),
                        name_span: e.key_span,
                        value: e.value.as_deref(),
                    })
                    .collect(),
                incomplete: false,
            })
        }
        _ => None,
    }
}

fn container_env<'m>(model: &'m Model, owner: &Resource, container: &'m Node) -> ContainerEnv<'m> {
    let mut env = ContainerEnv::default();
    for from in container.get("envFrom").map_or(&[][..], Node::as_seq) {
        let prefix = from.text_at(&["prefix"]).unwrap_or("");
        if let Some(name) = from.text_at(&["configMapRef", "name"]) {
            match configmap(model, name, owner) {
                Some(cm) => {
                    for (k, v) in cm.node.get("data").map_or(&[][..], Node::as_map) {
                        let Some(key) = k.as_str() else { continue };
                        env.vars.push(EnvSite {
                            name: match prefix {
                                "" => Cow::Borrowed(key),
                                _ => Cow::Owned(format!("{prefix}{key}")),
                            },
                            name_span: k.span,
                            value: v.as_str(),
                        });
                    }
                }
                None => env.incomplete = true,
            }
        } else {
            env.incomplete = true;
        }
    }
    for e in container.get("env").map_or(&[][..], Node::as_seq) {
        let Some(name_node) = e.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        env.vars.push(EnvSite {
            name: Cow::Borrowed(name),
            name_span: name_node.span,
            value: match (e.get("value"), e.get("valueFrom")) {
                (Some(v), _) => Some(v.as_str().unwrap_or("")),
                (None, Some(_)) => None,
                (None, None) => Some(""),
            },
        });
    }
    env
}

/// `command` and `args` of a container, joined.
pub(crate) fn command_text(container: &Node) -> String {
    ["command", "args"]
        .iter()
        .filter_map(|k| container.get(k))
        .flat_map(|n| n.as_seq().iter().filter_map(Node::as_str))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether the image's own entrypoint handles the env: no `command`/`args`, or ones that
/// still call the image's start script. A custom script may read any variable itself.
pub(crate) fn image_entrypoint_runs(family: ImageFamily, container: Option<&Node>) -> bool {
    let Some(container) = container else {
        // A standalone env file: it is meant for the image's entrypoint.
        return true;
    };
    let has_command = container.get("command").is_some();
    let has_args = container.get("args").is_some();
    if !has_command && !has_args {
        return true;
    }
    let text = command_text(container);
    match family {
        // entrypoint.sh runs setup.sh (the env mapping) only when the command is run.sh.
        ImageFamily::Bitnami => {
            text.contains("/opt/bitnami/scripts/kafka/entrypoint.sh")
                || text.contains("/opt/bitnami/scripts/kafka/setup.sh")
                || (!has_command && text.contains("/opt/bitnami/scripts/kafka/run.sh"))
        }
        _ => kafkalint_model::image::entry_script(family).is_some_and(|s| text.contains(s)),
    }
}

/// Whether `name` appears as a word in `text` (a script that unsets or reads it, a `$(NAME)`
/// reference).
pub(crate) fn mentions(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// A Service whose environment variables the kubelet adds to the pod.
pub(crate) struct ServiceLink<'m> {
    pub service: &'m Resource,
    /// `KAFKA_SERVICE_HOST`, `KAFKA_PORT`, `KAFKA_PORT_9092_TCP`, ...
    pub vars: Vec<String>,
}

impl ServiceLink<'_> {
    /// `metadata.name` of the Service, for labels.
    pub fn span(&self) -> Span {
        self.service.anchor()
    }

    /// The first port, which `<NAME>_PORT=tcp://<ip>:<port>` names.
    pub fn first_port(&self) -> Option<&str> {
        self.service
            .node
            .path(&["spec", "ports"])?
            .as_seq()
            .first()?
            .text_at(&["port"])
    }
}

/// The Services of the workload's namespace whose service-link variables start with `KAFKA_`
/// (a name starting with `kafka`), in input order: every such Service with a cluster IP
/// (headless and ExternalName Services get none), unless the pod spec says
/// `enableServiceLinks: false`. Lazy, since callers stop at the first that matters and a
/// large input has many Services.
pub(crate) fn kafka_service_links<'m>(
    model: &'m Model,
    broker: &Broker,
) -> impl Iterator<Item = ServiceLink<'m>> + 'm {
    links_owner(model, broker)
        .into_iter()
        .flat_map(move |owner| {
            kafka_services(model).filter(move |r| r.same_namespace(&owner.id.namespace))
        })
        .map(|r| ServiceLink {
            service: r,
            vars: link_vars(r),
        })
}

/// The workload of a broker whose pods get service links: `enableServiceLinks` is not off.
pub(crate) fn links_owner<'m>(model: &'m Model, broker: &Broker) -> Option<&'m Resource> {
    model
        .resource(broker.resource)
        .filter(|_| matches!(broker.source, BrokerSource::Workload { .. }))
        .filter(|owner| {
            owner
                .pod_spec()
                .is_some_and(|pod_spec| match pod_spec.get("enableServiceLinks") {
                    None => true,
                    // false, or something we cannot read (a template placeholder).
                    Some(n) => n.as_bool() == Some(true),
                })
        })
}

/// Every Service in the input whose link variables start with `KAFKA_` and that has a cluster
/// IP, in input order, whatever its namespace.
pub(crate) fn kafka_services(model: &Model) -> impl Iterator<Item = &Resource> {
    model
        .resources_of_kind("Service")
        .filter(|r| r.group().is_empty())
        .filter(|r| {
            r.id.name
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("kafka"))
        })
        .filter(|r| {
            let spec = r.node.get("spec");
            let cluster_ip = spec.and_then(|s| s.text_at(&["clusterIP"]));
            let kind = spec.and_then(|s| s.text_at(&["type"]));
            cluster_ip != Some("None") && kind != Some("ExternalName")
        })
}

/// The variables of `service`'s links, as the kubelet names them.
pub(crate) fn service_link(service: &Resource) -> ServiceLink<'_> {
    ServiceLink {
        service,
        vars: link_vars(service),
    }
}

/// The variables the kubelet derives from a Service (docker-links style).
fn link_vars(service: &Resource) -> Vec<String> {
    let prefix: String = service
        .id
        .name
        .chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    let ports = service
        .node
        .path(&["spec", "ports"])
        .map_or(&[][..], Node::as_seq);
    let mut vars = Vec::new();
    if !ports.is_empty() {
        vars.push(format!("{prefix}_PORT"));
    }
    vars.push(format!("{prefix}_SERVICE_HOST"));
    vars.push(format!("{prefix}_SERVICE_PORT"));
    for p in ports {
        let Some(port) = p.text_at(&["port"]) else {
            continue;
        };
        if let Some(name) = p.text_at(&["name"]) {
            let name: String = name
                .chars()
                .map(|c| {
                    if c == '-' {
                        '_'
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect();
            vars.push(format!("{prefix}_SERVICE_PORT_{name}"));
        }
        let proto = p
            .text_at(&["protocol"])
            .unwrap_or("TCP")
            .to_ascii_uppercase();
        let base = format!("{prefix}_PORT_{port}_{proto}");
        vars.push(format!("{base}_PROTO"));
        vars.push(format!("{base}_PORT"));
        vars.push(format!("{base}_ADDR"));
        vars.push(base);
    }
    vars
}

/// Whether a volume puts a file at a path in the container.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FileMount {
    /// Yes; the span of the `mountPath` that brings it.
    Present(Span),
    Absent,
    /// A volume we cannot see into (a ConfigMap not in the input, a Secret, an init container).
    Unknown,
}

/// Whether `dir/file` exists in the container because of a volume.
pub(crate) fn file_mount(model: &Model, broker: &Broker, dir: &str, file: &str) -> FileMount {
    let Some(owner) = model.resource(broker.resource) else {
        return FileMount::Unknown;
    };
    let (Some(container), Some(pod_spec)) = (model.container_of(broker), owner.pod_spec()) else {
        return FileMount::Unknown;
    };
    let target = format!("{}/{file}", dir.trim_end_matches('/'));
    let mounts = container.get("volumeMounts").map_or(&[][..], Node::as_seq);
    // The deepest mount over the path is the one the container sees.
    let best = mounts
        .iter()
        .filter_map(|m| {
            let mp = m.path(&["mountPath"])?;
            let path = mp.as_str()?.trim_end_matches('/');
            let rel = if path == target {
                ""
            } else {
                target.strip_prefix(path)?.strip_prefix('/')?
            };
            Some((path.len(), m, mp.span, rel))
        })
        .max_by_key(|(len, ..)| *len);
    let Some((_, mount, mount_span, rel)) = best else {
        return FileMount::Absent;
    };
    if rel.is_empty() {
        return FileMount::Present(mount_span);
    }
    let sub = mount.text_at(&["subPath"]).unwrap_or("").trim_matches('/');
    let in_volume = if sub.is_empty() {
        rel.to_string()
    } else {
        format!("{sub}/{rel}")
    };
    let Some(volume_name) = mount.text_at(&["name"]) else {
        return FileMount::Unknown;
    };
    let Some(volume) = pod_spec
        .get("volumes")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .find(|v| v.text_at(&["name"]) == Some(volume_name))
    else {
        // A volumeClaimTemplate: a data volume, not a place for config files.
        return FileMount::Absent;
    };
    let by_items = |source: &Node| -> Option<bool> {
        let items = source.get("items")?;
        Some(
            items
                .as_seq()
                .iter()
                .any(|i| i.text_at(&["path"]).map(|p| p.trim_matches('/')) == Some(&in_volume)),
        )
    };
    let present = |yes: bool| {
        if yes {
            FileMount::Present(mount_span)
        } else {
            FileMount::Absent
        }
    };
    if let Some(cm) = volume.get("configMap") {
        if let Some(yes) = by_items(cm) {
            return present(yes);
        }
        let Some(found) = cm
            .text_at(&["name"])
            .and_then(|name| configmap(model, name, owner))
        else {
            return FileMount::Unknown;
        };
        let has = ["data", "binaryData"].iter().any(|k| {
            found.node.get(k).is_some_and(|d| {
                d.as_map()
                    .iter()
                    .any(|(key, _)| key.as_str() == Some(&in_volume))
            })
        });
        return present(has);
    }
    if let Some(secret) = volume.get("secret") {
        return by_items(secret).map_or(FileMount::Unknown, present);
    }
    if volume.get("emptyDir").is_some() {
        let written_by_init = pod_spec
            .get("initContainers")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .flat_map(|c| c.get("volumeMounts").map_or(&[][..], Node::as_seq))
            .any(|m| m.text_at(&["name"]) == Some(volume_name));
        return if written_by_init {
            FileMount::Unknown
        } else {
            FileMount::Absent
        };
    }
    if volume.get("persistentVolumeClaim").is_some() {
        return FileMount::Absent;
    }
    FileMount::Unknown
}

/// A CPU quantity in cores (`500m`, `2`, `1.5`).
pub(crate) fn cpu_cores(text: &str) -> Option<f64> {
    let text = text.trim();
    let v = match text.strip_suffix('m') {
        Some(milli) => milli.parse::<f64>().ok()? / 1000.0,
        None => text.parse::<f64>().ok()?,
    };
    (v.is_finite() && v > 0.0).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_cpus() {
        assert!(mentions("unset KAFKA_PORT; exec run", "KAFKA_PORT"));
        assert!(mentions("x=$(KAFKA_POD_IP)", "KAFKA_POD_IP"));
        assert!(!mentions("KAFKA_PORT_9092_TCP", "KAFKA_PORT"));
        assert_eq!(cpu_cores("500m"), Some(0.5));
        assert_eq!(cpu_cores("2"), Some(2.0));
        assert_eq!(cpu_cores("x"), None);
    }
}
