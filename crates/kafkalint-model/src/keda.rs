//! KEDA `ScaledObject`s and `ScaledJob`s with a Kafka trigger (`kafka`, or the experimental
//! `apache-kafka`), and the partition count of the topic each trigger watches when the input
//! declares it (a Strimzi `KafkaTopic`, or a `kafka-topics --create` command in a Job).
//!
//! KEDA facts: kedacore/keda-docs `content/docs/2.17/scalers/apache-kafka.md` and
//! `apache-kafka-go.md`; kedacore/keda `pkg/scalers/kafka_scaler.go` (typed metadata).

use std::collections::HashMap;

use kafkalint_syntax::{Node, Span};

use crate::build::{span_in_value, value_span, Ctx, NearIndex};
use crate::client::{pod_spec_of, Client, Direction, TopicUse};
use crate::Topic;

/// What scales and how far.
#[derive(Clone, Debug)]
pub struct KafkaScaler {
    /// Index into [`crate::Model::resources`].
    pub resource: usize,
    /// `ScaledObject` or `ScaledJob`.
    pub kind: String,
    /// `keda.k8s.io/v1alpha1`: KEDA 1.x.
    pub legacy_api: bool,
    pub anchor: Span,
    pub display: String,
    /// `spec.scaleTargetRef`: kind (default `Deployment`) and name.
    pub target: Option<(String, String, Span)>,
    /// `spec.maxReplicaCount`; `None` when KEDA's default of 100 applies.
    pub max_replicas: Option<(i64, Span)>,
    pub triggers: Vec<KafkaTrigger>,
    /// Other triggers (`cpu`, `prometheus`...): the HPA scales to the highest of all.
    pub other_triggers: Vec<(String, Span)>,
}

impl KafkaScaler {
    /// KEDA's default `maxReplicaCount`.
    pub const DEFAULT_MAX_REPLICAS: i64 = 100;
}

/// One `metadata` entry of a trigger.
#[derive(Clone, Debug)]
pub struct TriggerParam {
    pub key: String,
    pub key_span: Span,
    pub value: Option<String>,
    pub value_span: Span,
}

/// A partition count declared in the input.
#[derive(Clone, Debug)]
pub struct Partitions {
    pub count: i64,
    pub span: Span,
    /// `KafkaTopic/orders`, `Job/create-topics`.
    pub from: String,
}

#[derive(Clone, Debug)]
pub struct KafkaTrigger {
    /// `kafka` or `apache-kafka`.
    pub trigger_type: String,
    pub type_span: Span,
    pub metadata: Vec<TriggerParam>,
    pub topic: Option<(String, Span)>,
    pub consumer_group: Option<(String, Span)>,
    pub partitions: Option<Partitions>,
}

impl KafkaTrigger {
    pub fn param(&self, key: &str) -> Option<&TriggerParam> {
        self.metadata.iter().rev().find(|p| p.key == key)
    }

    /// A boolean parameter the way Go's `strconv.ParseBool` reads it.
    pub fn flag(&self, key: &str) -> Option<bool> {
        match self.param(key)?.value.as_deref()?.trim() {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
            _ => None,
        }
    }
}

fn is_kafka_trigger(t: &str) -> bool {
    matches!(t, "kafka" | "apache-kafka")
}

impl Ctx<'_> {
    pub(crate) fn scalers(&self, topics: &[Topic]) -> Vec<KafkaScaler> {
        let mut out = Vec::new();
        // Every workload's `kafka-topics --create` commands, read once when a trigger first
        // names a topic: scanning them per trigger is quadratic in a large input.
        let declared = std::cell::OnceCell::new();
        let declared_topics = || {
            declared.get_or_init(|| {
                let mut by_name: HashMap<String, Vec<Declared>> = HashMap::new();
                for t in topics {
                    if let (Some(r), Some((count, span))) =
                        (self.resources.get(t.resource), t.partitions)
                    {
                        by_name
                            .entry(t.name.clone())
                            .or_default()
                            .push((r, count, span));
                    }
                }
                for r in self.resources {
                    for (name, count, span) in topic_commands(r) {
                        by_name.entry(name).or_default().push((r, count, span));
                    }
                }
                by_name
            })
        };
        for (index, r) in self.resources.iter().enumerate() {
            if !matches!(r.kind(), "ScaledObject" | "ScaledJob")
                || !matches!(r.group(), "keda.sh" | "keda.k8s.io")
            {
                continue;
            }
            let Some(spec) = r.node.get("spec") else {
                continue;
            };
            let mut triggers = Vec::new();
            let mut other_triggers = Vec::new();
            for t in spec.get("triggers").map_or(&[][..], Node::as_seq) {
                let type_node = t.get("type");
                let ty = type_node.and_then(Node::as_text).unwrap_or("");
                let type_span = type_node.map_or(t.span, |n| n.span);
                if !is_kafka_trigger(ty) {
                    other_triggers.push((ty.to_string(), type_span));
                    continue;
                }
                let metadata: Vec<TriggerParam> = t
                    .get("metadata")
                    .map_or(&[][..], Node::as_map)
                    .iter()
                    .filter_map(|(k, v)| {
                        Some(TriggerParam {
                            key: k.as_str()?.to_string(),
                            key_span: k.span,
                            value: v.as_text().map(str::to_string),
                            value_span: value_span(v),
                        })
                    })
                    .collect();
                let named = |key: &str| {
                    metadata
                        .iter()
                        .rev()
                        .find(|p| p.key == key)
                        .and_then(|p| Some((p.value.clone()?, p.value_span)))
                };
                let topic = named("topic");
                let consumer_group = named("consumerGroup");
                let partitions = topic
                    .as_ref()
                    .and_then(|(name, _)| self.partitions_of(name, r, declared_topics()));
                triggers.push(KafkaTrigger {
                    trigger_type: ty.to_string(),
                    type_span,
                    metadata,
                    topic,
                    consumer_group,
                    partitions,
                });
            }
            if triggers.is_empty() {
                continue;
            }
            let target = spec.get("scaleTargetRef").and_then(|t| {
                let name_node = t.get("name").or_else(|| t.get("deploymentName"))?;
                let kind = t.text_at(&["kind"]).unwrap_or("Deployment");
                Some((
                    kind.to_string(),
                    name_node.as_text()?.to_string(),
                    name_node.span,
                ))
            });
            let max_replicas = spec
                .get("maxReplicaCount")
                .and_then(|n| Some((n.as_str()?.trim().parse::<i64>().ok()?, n.span)));
            out.push(KafkaScaler {
                resource: index,
                kind: r.kind().to_string(),
                legacy_api: r.group() == "keda.k8s.io",
                anchor: r.anchor(),
                display: r.display(),
                target,
                max_replicas,
                triggers,
                other_triggers,
            });
        }
        out
    }

    /// Partitions of a topic declared in the input. Topics usually live in the Kafka
    /// cluster's namespace, not the app's: the same namespace wins, then the nearest file;
    /// equally near declarations that disagree give no answer.
    fn partitions_of(
        &self,
        name: &str,
        from: &crate::Resource,
        declared: &HashMap<String, Vec<Declared<'_>>>,
    ) -> Option<Partitions> {
        let rank = |r: &crate::Resource| {
            let same_ns = r.id.namespace.is_some() && r.id.namespace == from.id.namespace;
            (u8::from(!same_ns), self.distance(r.file, from.file))
        };
        let found: Vec<((u8, u32), Partitions)> = declared
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&(r, count, span)| {
                (
                    rank(r),
                    Partitions {
                        count,
                        span,
                        from: r.display(),
                    },
                )
            })
            .collect();
        let best = found.iter().map(|(k, _)| *k).min()?;
        let mut nearest = found
            .into_iter()
            .filter(|(k, _)| *k == best)
            .map(|(_, p)| p);
        let first = nearest.next()?;
        nearest.all(|p| p.count == first.count).then_some(first)
    }
}

/// A topic's partition count where the input declares it: the resource, the count, its span.
type Declared<'r> = (&'r crate::Resource, i64, Span);

/// `kafka-topics --create --topic NAME --partitions N` in a workload's command or args.
fn topic_commands(r: &crate::Resource) -> Vec<(String, i64, Span)> {
    let mut out = Vec::new();
    let Some(pod_spec) = pod_spec_of(&r.node, r.kind()) else {
        return out;
    };
    let containers = ["initContainers", "containers"]
        .iter()
        .flat_map(|k| pod_spec.get(k).map_or(&[][..], Node::as_seq));
    for c in containers {
        let items: Vec<&Node> = ["command", "args"]
            .iter()
            .filter_map(|k| c.get(k))
            .flat_map(|n| n.as_seq().iter())
            .collect();
        let whole: String = items
            .iter()
            .filter_map(|n| n.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if !whole.contains("kafka-topics") || !whole.contains("--create") {
            continue;
        }
        // Tokens with the node and offset they came from, split into shell commands at
        // `;`, `&&`, `||`, `|` and at line ends that are not continued with `\`.
        let mut commands: Vec<Vec<(String, &Node, usize)>> = vec![Vec::new()];
        for item in &items {
            let text = item.as_str().unwrap_or("");
            let mut last_line = 0;
            let mut continued = false;
            let mut line = 0;
            let mut counted = 0;
            let mut chars = text.chars();
            for (offset, token) in crate::jvm::tokens(text) {
                line += chars
                    .by_ref()
                    .take(offset.saturating_sub(counted))
                    .filter(|c| *c == '\n')
                    .count();
                counted = offset;
                if line != last_line && !continued {
                    commands.push(Vec::new());
                }
                last_line = line;
                continued = token == "\\";
                if continued {
                    continue;
                }
                let ends = token.ends_with(';') || matches!(token, "&&" | "||" | "|");
                let clean = token.trim_end_matches(';');
                if !clean.is_empty() && !matches!(clean, "&&" | "||" | "|") {
                    if let Some(cmd) = commands.last_mut() {
                        cmd.push((clean.to_string(), *item, offset));
                    }
                }
                if ends {
                    commands.push(Vec::new());
                }
            }
        }
        for cmd in &commands {
            if !cmd.iter().any(|(t, ..)| t.contains("kafka-topics"))
                || !cmd.iter().any(|(t, ..)| t == "--create")
            {
                continue;
            }
            let value_of = |flag: &str| -> Option<(String, &Node, usize)> {
                cmd.iter().enumerate().find_map(|(i, (t, n, off))| {
                    if let Some(v) = t.strip_prefix(&format!("{flag}=")) {
                        return Some((v.to_string(), *n, off + flag.len() + 1));
                    }
                    (t == flag).then(|| cmd.get(i + 1).map(|(v, n, o)| (v.clone(), *n, *o)))?
                })
            };
            let (Some((topic, ..)), Some((count, node, off))) =
                (value_of("--topic"), value_of("--partitions"))
            else {
                continue;
            };
            let topic = topic.trim_matches(|c| c == '"' || c == '\'').to_string();
            let Ok(n) = count.trim_matches(|c| c == '"' || c == '\'').parse::<i64>() else {
                continue;
            };
            if topic.contains('$') {
                continue;
            }
            out.push((topic, n, span_in_value(node, off, count.chars().count())));
        }
    }
    out
}

/// Give each client the topics its KEDA triggers watch for its consumer group.
impl Ctx<'_> {
    /// Give each client the topics its KEDA triggers watch for its consumer group. A scaler
    /// targets the nearest workload of that kind and name (the same file, then the same
    /// directory, then the fewest directory steps), as a monorepo of copies would mean it.
    pub(crate) fn link_scalers(&self, clients: &mut [Client], scalers: &[KafkaScaler]) {
        let resources = self.resources;
        if scalers.is_empty() {
            return;
        }
        let mut workloads = NearIndex::default();
        for (i, c) in clients.iter().enumerate() {
            if let Some(r) = c.resource.and_then(|i| resources.get(i)) {
                workloads.insert(self, &format!("{}/{}", r.kind(), r.id.name), i, r.file);
            }
        }
        for s in scalers {
            let Some((kind, name, _)) = &s.target else {
                continue;
            };
            let Some(owner) = resources.get(s.resource) else {
                continue;
            };
            let owner_of = |i: usize| clients.get(i).and_then(|c| c.resource);
            let targets = workloads.nearest(self, &format!("{kind}/{name}"), owner.file, |i| {
                owner_of(i)
                    .and_then(|r| resources.get(r))
                    .is_some_and(|r| r.same_namespace(&owner.id.namespace))
            });
            for i in targets {
                let Some(c) = clients.get_mut(i) else {
                    continue;
                };
                let groups: Vec<String> = c
                    .group_ids()
                    .iter()
                    .filter_map(|g| g.known().map(str::to_string))
                    .collect();
                for t in &s.triggers {
                    let (Some((topic, span)), Some((group, _))) = (&t.topic, &t.consumer_group)
                    else {
                        continue;
                    };
                    if groups.is_empty() || groups.contains(group) {
                        c.topics.push(TopicUse {
                            name: topic.clone(),
                            span: *span,
                            direction: Direction::Consume,
                            from: format!("{} trigger topic", s.display),
                        });
                    }
                }
            }
        }
    }
}
