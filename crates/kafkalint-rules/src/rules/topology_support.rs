//! Helpers shared by the topology and KRaft rules: kubelet `$(VAR)` references, spans inside
//! scalars, what a container's env and command say.

use std::borrow::Cow;

use kafkalint_model::topology::{roles, strimzi_kafka_of};
use kafkalint_model::{Broker, BrokerSource, Lookup, Model, Resource, Setting};
use kafkalint_syntax::{Node, ScalarStyle, Span};

/// A `$(NAME)` reference in a value, as the kubelet reads it: offset and length in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvRef {
    pub offset: usize,
    pub len: usize,
    pub name: String,
}

/// `$(NAME)` references in `text`, skipping `$$` escapes. Names that are not C identifiers are
/// left out: the kubelet would look them up too, but they are shell (`$(date +%s)`), not env.
pub(crate) fn env_refs(text: &str) -> Vec<EnvRef> {
    // Most values reference nothing: skip the char copy.
    if !text.contains("$(") {
        return Vec::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut refs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars.get(i) != Some(&'$') {
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('$') => i += 2,
            Some('(') => {
                let close = chars
                    .iter()
                    .skip(i + 2)
                    .position(|&c| c == ')')
                    .map(|p| p + i + 2);
                match close {
                    Some(close) => {
                        let name: String = chars.get(i + 2..close).unwrap_or(&[]).iter().collect();
                        if is_identifier(&name) {
                            refs.push(EnvRef {
                                offset: i,
                                len: close + 1 - i,
                                name,
                            });
                        }
                        i = close + 1;
                    }
                    None => i += 2,
                }
            }
            _ => i += 1,
        }
    }
    refs
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The span of `len` characters at character `offset` of a scalar's value, when the source
/// layout makes it exact (a plain or simply quoted one-line scalar, a literal block); the
/// whole scalar otherwise.
pub(crate) fn span_in_scalar(node: &Node, offset: usize, len: usize) -> Span {
    let text = node.as_str().unwrap_or("");
    let before: String = text.chars().take(offset).collect();
    let line = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
    let one_line = !text.contains('\n');
    let simple_quoted =
        one_line && !text.contains('\\') && !text.contains('\'') && !text.contains('"');
    let exact = match node.style() {
        Some(ScalarStyle::Literal) => true,
        Some(ScalarStyle::Plain) => one_line,
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => simple_quoted,
        _ => false,
    };
    if !exact {
        return node.span;
    }
    let start = node.position_in_value(line, col);
    Span::on_line(node.span.source, start.line, start.col, len as u32)
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

/// Names a container's env defines: `envFrom` ConfigMap keys (with their prefix), then `env`
/// names in order. `None` when an `envFrom` source is a Secret or a ConfigMap not in the input.
pub(crate) fn env_from_names<'m>(
    model: &'m Model,
    owner: &Resource,
    container: &Node,
) -> Option<Vec<Cow<'m, str>>> {
    let mut names = Vec::new();
    for from in container.get("envFrom").map_or(&[][..], Node::as_seq) {
        let prefix = from.text_at(&["prefix"]).unwrap_or("");
        let cm_name = from.text_at(&["configMapRef", "name"])?;
        let maps: Vec<&Resource> = model
            .named("ConfigMap", cm_name)
            .filter(|r| r.same_namespace(&owner.id.namespace))
            .collect();
        if maps.is_empty() {
            return None;
        }
        for cm in maps {
            for (k, _) in cm.node.get("data").map_or(&[][..], Node::as_map) {
                if let Some(key) = k.as_str() {
                    names.push(match prefix {
                        "" => Cow::Borrowed(key),
                        _ => Cow::Owned(format!("{prefix}{key}")),
                    });
                }
            }
        }
    }
    Some(names)
}

/// The value a container (or a standalone env file) gives an env var, with the span of the
/// value text: the last `env` entry with a literal value, else an `envFrom` ConfigMap key.
/// `None` when it is not set, set from elsewhere, or the ConfigMap is ambiguous.
pub(crate) fn env_value<'m>(
    model: &'m Model,
    broker: &Broker,
    name: &str,
) -> Option<(&'m str, Span)> {
    if broker.source == BrokerSource::Standalone {
        let file = model.env_files.iter().find(|f| f.file == broker.file)?;
        let e = file.entries.iter().rev().find(|e| e.key == name)?;
        return Some((e.value.as_deref()?, e.value_span));
    }
    let owner = model.resource(broker.resource)?;
    let container = model.container_of(broker)?;
    let env = container.get("env").map_or(&[][..], Node::as_seq);
    if let Some(e) = env
        .iter()
        .rev()
        .find(|e| e.text_at(&["name"]) == Some(name))
    {
        let v = e.get("value")?;
        return Some((v.as_str()?, scalar_value_span(v)));
    }
    for from in container
        .get("envFrom")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .rev()
    {
        let prefix = from.text_at(&["prefix"]).unwrap_or("");
        let Some(key) = name.strip_prefix(prefix) else {
            continue;
        };
        let cm_name = from.text_at(&["configMapRef", "name"])?;
        let maps: Vec<&Resource> = model
            .named("ConfigMap", cm_name)
            .filter(|r| r.same_namespace(&owner.id.namespace))
            .collect();
        let same_file: Vec<&&Resource> = maps.iter().filter(|r| r.file == owner.file).collect();
        let cm = match (same_file.as_slice(), maps.as_slice()) {
            ([one], _) => **one,
            ([], [one]) => *one,
            _ => return None,
        };
        if let Some(v) = cm.node.path(&["data", key]) {
            return Some((v.as_str()?, scalar_value_span(v)));
        }
    }
    None
}

/// The span of a scalar's text, inside its quotes when it has simple ones.
fn scalar_value_span(node: &Node) -> Span {
    let len = node.as_str().unwrap_or("").chars().count();
    match node.style() {
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => span_in_scalar(node, 0, len),
        _ => node.span,
    }
}

/// Names of the container's `env` entries, in order.
pub(crate) fn env_names(container: &Node) -> Vec<&str> {
    container
        .get("env")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|e| e.text_at(&["name"]))
        .collect()
}

/// Where findings about a broker's cluster as a whole go: the Strimzi `Kafka` (shared by its
/// node pools, so one finding per cluster), else the broker's own anchor.
pub(crate) fn cluster_anchor(model: &Model, broker: &Broker) -> (Span, Option<usize>) {
    if matches!(broker.source, BrokerSource::Strimzi { .. }) {
        if let Some(k) = strimzi_kafka_of(model, broker) {
            if let Some(r) = model.resources.get(k) {
                return (r.anchor(), Some(k));
            }
        }
    }
    (broker.anchor, broker.resource)
}

/// Nodes that hold no partitions: KRaft controllers only.
pub(crate) fn holds_no_data(model: &Model, broker: &Broker) -> bool {
    roles(model, broker).is_some_and(|r| !r.broker)
}

/// An integer broker key: its value and where it was set, or Kafka's `default` when unset.
/// `None` when unknown or not an integer.
pub(crate) fn int_key<'b>(
    broker: &'b Broker,
    key: &str,
    default: i64,
) -> Option<(i64, Option<&'b Setting>)> {
    match broker.config.lookup(key) {
        Lookup::Set(s, v) => Some((v.trim().parse().ok()?, Some(s))),
        Lookup::Default => Some((default, None)),
        Lookup::Unknown => None,
    }
}

/// Whether the container's command or an image helper (`KAFKA_NODE_ID_COMMAND`) sets `key`
/// (`node.id`, `broker.id`) at start time, overriding what the env says.
pub(crate) fn computed_at_start(model: &Model, broker: &Broker, key: &str) -> bool {
    let Some(container) = model.container_of(broker) else {
        return false;
    };
    let command = command_text(container);
    let upper = key.replace('.', "_").to_ascii_uppercase();
    // Over the entries directly: collecting the names first cost more than the test.
    command.contains(key)
        || command.contains(&upper)
        || container
            .get("env")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(|e| e.text_at(&["name"]))
            .any(|n| n.ends_with("_COMMAND") && n.contains(&upper))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = env_refs("kafka-$(ORDINAL).kafka:$$(PORT) $(date +%s) $(A");
        assert_eq!(
            r,
            vec![EnvRef {
                offset: 6,
                len: 10,
                name: "ORDINAL".into()
            }]
        );
        assert_eq!(env_refs("$$$(X)").len(), 1);
        assert!(env_refs("$$$$(X)").is_empty());
    }
}
