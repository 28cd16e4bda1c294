use std::borrow::Cow;

use kafkalint_model::image::{env_effect, family_of, EnvEffect};
use kafkalint_model::topology::any_pod_spec;
use kafkalint_model::{BrokerSource, Model, Resource};
use kafkalint_syntax::Node;

use super::topology_support::{env_from_names, env_refs, span_in_scalar};
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Finds `$(NAME)` references in a container's `env` values, `command` and `args` that
    /// Kubernetes cannot expand, in pods that run a Kafka image: an env value may only use
    /// variables defined before it in the same container (`envFrom`, then earlier `env`
    /// entries); `command` and `args` may use any of the container's variables. `$$(NAME)` is
    /// an escape, not a reference.
    ///
    /// The finding is an error when the literal text ends up in a Kafka broker's config (an
    /// env var the image turns into a config key), and at most a warning elsewhere. It stays
    /// silent for containers that load a Secret or a ConfigMap that is not in the input with
    /// `envFrom` (any name may be defined there), for lower-case names (shell command
    /// substitution such as `$(hostname)`, which the kubelet leaves for the shell), and for
    /// names a Service link may define (`*_SERVICE_HOST`, `*_PORT`...) unless
    /// `enableServiceLinks: false`.
    ///
    /// ## Why is this bad?
    /// The kubelet expands a reference only to a variable it already knows and leaves any
    /// other one as written, with no error or event (Source: Kubernetes API reference,
    /// `EnvVar.value`, `Container.command` and `Container.args`). The broker then gets
    /// `advertised.listeners=PLAINTEXT://kafka-$(ORDINAL).kafka:9092`, which Kafka cannot parse,
    /// or a shell runs `ORDINAL` as a command. Nothing warns at apply time.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: KAFKA_ADVERTISED_LISTENERS
    ///     value: "PLAINTEXT://kafka-$(ORDINAL).kafka:9092"
    /// ```
    ///
    /// ## Fix
    /// Define the variable first (from a field, a ConfigMap, or a literal), or compute the value
    /// in the command where a shell is available:
    /// ```yaml
    /// env:
    ///   - name: POD_NAME
    ///     valueFrom:
    ///       fieldRef:
    ///         fieldPath: metadata.name
    ///   - name: KAFKA_ADVERTISED_LISTENERS
    ///     value: "PLAINTEXT://$(POD_NAME).kafka:9092"
    /// ```
    pub struct UndefinedEnvReference {
        code: "TOP002",
        name: "undefined-env-reference",
        category: Topology,
        severity: Error,
    }
}

impl Rule for UndefinedEnvReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (index, r) in cx.model.resources.iter().enumerate() {
            let Some(pod) = any_pod_spec(r) else { continue };
            if !runs_kafka_image(pod) {
                continue;
            }
            let service_links = pod
                .get("enableServiceLinks")
                .and_then(Node::as_bool)
                .unwrap_or(true);
            for list in ["initContainers", "containers"] {
                for container in pod.get(list).map_or(&[][..], Node::as_seq) {
                    check_container(cx.model, index, r, container, service_links, out);
                }
            }
        }
    }
}

/// Pods with a container on a Kafka image (brokers, and ZooKeeper, Connect or tools run from
/// Kafka images): the scope of a Kafka linter.
fn runs_kafka_image(pod: &Node) -> bool {
    ["initContainers", "containers"].iter().any(|list| {
        pod.get(list)
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(|c| c.text_at(&["image"]))
            .any(|image| family_of(image).is_some())
    })
}

/// Names a Kubernetes Service link may define for a Service in the namespace.
fn may_be_service_link(name: &str) -> bool {
    name.ends_with("_SERVICE_HOST")
        || name.contains("_SERVICE_PORT")
        || name.ends_with("_PORT")
        || name.contains("_PORT_")
}

fn check_container(
    model: &Model,
    index: usize,
    r: &Resource,
    container: &Node,
    service_links: bool,
    out: &mut Vec<Finding>,
) {
    let Some(mut defined) = env_from_names(model, r, container) else {
        return;
    };
    let container_name = container.text_at(&["name"]).unwrap_or("");
    let broker = model.brokers.iter().find(|b| {
        b.resource == Some(index)
            && matches!(&b.source, BrokerSource::Workload { container } if container == container_name)
    });
    let env = container.get("env").map_or(&[][..], Node::as_seq);
    let all_names: Vec<&str> = env.iter().filter_map(|e| e.text_at(&["name"])).collect();
    let undefined = |name: &str, defined: &[Cow<'_, str>]| {
        !defined.iter().any(|d| d == name)
            && name.chars().any(|c| c.is_ascii_uppercase())
            && !(service_links && may_be_service_link(name))
    };

    for (position, e) in env.iter().enumerate() {
        let name = e.text_at(&["name"]).unwrap_or("");
        if let Some(value) = e.get("value") {
            let text = value.as_str().unwrap_or("");
            for reference in env_refs(text) {
                if !undefined(&reference.name, &defined) {
                    continue;
                }
                let later = all_names
                    .iter()
                    .skip(position + 1)
                    .any(|n| *n == reference.name);
                let config_key = broker.and_then(|b| match env_effect(b.family, name) {
                    EnvEffect::Config(key) => Some(key),
                    _ => None,
                });
                let why = if later {
                    format!(
                        "{} is defined after {name}, and env values only see variables defined before them",
                        reference.name
                    )
                } else {
                    format!("{} is not defined in this container's env", reference.name)
                };
                let consequence = match &config_key {
                    Some(key) => format!("the broker gets {key}={text} as written"),
                    None => format!("{name} keeps the text $({}) as written", reference.name),
                };
                let mut f = Finding::new(
                    span_in_scalar(value, reference.offset, reference.len),
                    format!("$({}) in {name} is never expanded: {why}, so {consequence}", reference.name),
                )
                .label("left as literal text by Kubernetes")
                .help(if later {
                    format!("move the {} entry above {name}", reference.name)
                } else {
                    format!(
                        "define {} earlier in env (e.g. from a fieldRef), or build the value in the command",
                        reference.name
                    )
                })
                .resource(Some(index));
                if let Some(key) = config_key {
                    f = f.key(key);
                } else {
                    f = f.at_most_warning();
                }
                out.push(f);
            }
        }
        defined.push(Cow::Borrowed(name));
    }

    for field in ["command", "args"] {
        for item in container.get(field).map_or(&[][..], Node::as_seq) {
            let text = item.as_str().unwrap_or("");
            for reference in env_refs(text) {
                if !undefined(&reference.name, &defined) {
                    continue;
                }
                out.push(
                    Finding::new(
                        span_in_scalar(item, reference.offset, reference.len),
                        format!(
                            "$({}) in {field} of container {container_name} is never expanded: {} is not defined in its env",
                            reference.name, reference.name
                        ),
                    )
                    .label("left as literal text by Kubernetes")
                    .help(format!(
                        "define {} in the container's env, or use ${{{}}} if a shell should expand it",
                        reference.name, reference.name
                    ))
                    .resource(Some(index))
                    .at_most_warning(),
                );
            }
        }
    }
}
