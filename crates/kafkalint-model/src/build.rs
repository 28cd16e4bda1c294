use std::collections::HashMap;

use kafkalint_syntax::env::EnvEntry;
use kafkalint_syntax::properties::{self, PropEntry};
use kafkalint_syntax::{Node, Pos, ScalarStyle, SourceId, Span};

use crate::image::{self, env_effect, EnvEffect, ImageFamily};
use crate::quantity::parse_memory;
use crate::{
    Backing, Broker, BrokerSource, Config, Jvm, JvmToken, LogDir, Memory, Model, Origin, Resource,
    Setting, Topic, Value, Via,
};

// Confluent for Kubernetes lives in its own file and shares this builder's helpers.
#[path = "cfk.rs"]
mod cfk;

/// A standalone env or properties file, already parsed.
pub struct StandaloneFile<T> {
    pub file: SourceId,
    pub display: String,
    pub entries: Vec<T>,
}

/// Everything the model is built from.
#[derive(Default)]
pub struct Input {
    pub documents: Vec<(SourceId, Node)>,
    /// Directory of each source, so references resolve to the nearest candidate.
    pub dirs: HashMap<SourceId, String>,
    pub env_files: Vec<StandaloneFile<EnvEntry>>,
    pub properties_files: Vec<StandaloneFile<PropEntry>>,
}

impl Input {
    pub fn add_env_file(&mut self, file: SourceId, display: &str, entries: Vec<EnvEntry>) {
        self.env_files.push(StandaloneFile {
            file,
            display: display.to_string(),
            entries,
        });
    }

    pub fn add_properties_file(&mut self, file: SourceId, display: &str, entries: Vec<PropEntry>) {
        self.properties_files.push(StandaloneFile {
            file,
            display: display.to_string(),
            entries,
        });
    }
}

/// What the user told us that overrides inference.
#[derive(Clone, Debug, Default)]
pub struct ModelOptions {
    pub image: Option<ImageFamily>,
    pub kafka_version: Option<(u32, u32)>,
}

pub fn build(input: Input, options: &ModelOptions) -> Model {
    // Documents without a kind may be Spring `application.yaml` files linted on their own.
    let config_docs: Vec<(SourceId, Node)> = input
        .documents
        .iter()
        .filter(|(_, n)| n.get("kind").is_none() && n.get("spring").is_some())
        .cloned()
        .collect();
    let resources: Vec<Resource> = input
        .documents
        .into_iter()
        .filter_map(|(file, node)| Resource::from_node(node, file))
        .collect();
    let mut model = Model {
        brokers: Vec::new(),
        topics: Vec::new(),
        resources: Vec::new(),
        env_files: Vec::new(),
        clients: Vec::new(),
        scalers: Vec::new(),
        strimzi_kafkas: Default::default(),
        by_file: Default::default(),
        topology: Default::default(),
        by_kind: Default::default(),
        by_kind_name: Default::default(),
        selectors: Default::default(),
    };
    let ctx = Ctx::new(&resources, options, &input.dirs);
    for (index, r) in resources.iter().enumerate() {
        match (r.group(), r.kind()) {
            ("kafka.strimzi.io", "Kafka") => ctx.strimzi_brokers(index, &mut model.brokers),
            ("kafka.strimzi.io", "KafkaTopic") => model.topics.extend(ctx.strimzi_topic(index)),
            ("platform.confluent.io", "Kafka") => model.brokers.extend(ctx.cfk_broker(index)),
            ("platform.confluent.io", "KafkaTopic") => model.topics.extend(ctx.cfk_topic(index)),
            (_, "Pod" | "Deployment" | "StatefulSet" | "ReplicaSet" | "DaemonSet") => {
                ctx.workload_brokers(index, &mut model.brokers)
            }
            _ => {}
        }
    }
    for f in input.env_files {
        model.env_files.push(crate::EnvFile {
            file: f.file,
            entries: f.entries.clone(),
        });
        let dir = input.dirs.get(&f.file).cloned();
        model.clients.extend(ctx.env_file_client(&f, dir));
        model.brokers.extend(ctx.env_file_broker(f));
    }
    for f in input.properties_files {
        if crate::client::is_client_properties(&f.entries) {
            let dir = input.dirs.get(&f.file).cloned();
            model.clients.extend(ctx.properties_file_client(f, dir));
        } else {
            model.brokers.extend(ctx.properties_file_broker(f));
        }
    }
    model
        .clients
        .extend(ctx.clients(&model.brokers, &|f| input.dirs.get(&f).cloned()));
    for (file, doc) in &config_docs {
        let dir = input.dirs.get(file).cloned();
        model.clients.extend(crate::client::yaml_document_client(
            *file,
            doc,
            "Spring configuration",
            dir,
        ));
    }
    model.scalers = ctx.scalers(&model.topics);
    ctx.link_scalers(&mut model.clients, &model.scalers);
    model.resources = resources;
    model
}

pub(crate) struct Ctx<'a> {
    pub(crate) resources: &'a [Resource],
    options: &'a ModelOptions,
    /// Each source's directory as an interned id, and each id's path components.
    dir_of: HashMap<SourceId, u32>,
    dir_parts: Vec<Vec<&'a str>>,
    /// For each directory id, an id for each of its prefixes, from the whole path up to the
    /// root: `dir_prefixes[d][k]` names the directory k steps above `d`.
    dir_prefixes: Vec<Vec<u32>>,
    /// ConfigMaps by name, built on first use: every `envFrom` and config volume looks one up.
    configmaps: std::cell::OnceCell<NearIndex>,
    /// Strimzi node pools by their `strimzi.io/cluster` label.
    node_pools: std::cell::OnceCell<NearIndex>,
}

/// Candidates for a reference by name, grouped by name and by every directory above them.
/// Finding the nearest walks up from the referrer's directory and stops once no farther
/// directory can hold a nearer one, so copies of a project side by side do not make every
/// lookup compare every same-named candidate.
#[derive(Default)]
pub(crate) struct NearIndex {
    by_name: HashMap<String, NameGroup>,
}

#[derive(Default)]
struct NameGroup {
    all: Vec<(usize, SourceId)>,
    /// Positions in `all` under each directory prefix (see [`Ctx::dir_prefixes`]).
    under: HashMap<u32, Vec<u32>>,
}

impl NearIndex {
    pub(crate) fn insert(&mut self, ctx: &Ctx, name: &str, index: usize, file: SourceId) {
        let group = self.by_name.entry(name.to_string()).or_default();
        let Ok(position) = u32::try_from(group.all.len()) else {
            return;
        };
        group.all.push((index, file));
        for &prefix in ctx.prefixes_of(file) {
            group.under.entry(prefix).or_default().push(position);
        }
    }

    /// The candidates named `name` that `accept` takes and that are nearest to `from` (see
    /// [`Ctx::distance`]), in insertion order.
    pub(crate) fn nearest(
        &self,
        ctx: &Ctx,
        name: &str,
        from: SourceId,
        accept: impl Fn(usize) -> bool,
    ) -> Vec<usize> {
        let Some(group) = self.by_name.get(name) else {
            return Vec::new();
        };
        let prefixes = ctx.prefixes_of(from);
        let mut best = Best::default();
        let consider = |best: &mut Best, position: u32, file: SourceId, index: usize| {
            if accept(index) {
                best.offer(position, ctx.distance(file, from));
            }
        };
        if prefixes.is_empty() {
            for (position, &(index, file)) in (0u32..).zip(&group.all) {
                consider(&mut best, position, file, index);
            }
        } else {
            // `prefixes[k]` is the directory k steps up. Anything under it but not under
            // `prefixes[k - 1]` is at least k steps away, so at distance 1 + k or more.
            for (k, &prefix) in prefixes.iter().enumerate() {
                let floor = u32::try_from(k).map_or(u32::MAX, |k| k.saturating_add(1));
                if k > 0 && floor > best.distance {
                    break;
                }
                let Some(positions) = group.under.get(&prefix) else {
                    continue;
                };
                let deeper = k
                    .checked_sub(1)
                    .and_then(|j| prefixes.get(j).map(|&p| (j, p)));
                for &position in positions {
                    let Some(&(index, file)) = group.all.get(position as usize) else {
                        continue;
                    };
                    let seen = deeper.is_some_and(|(j, p)| {
                        ctx.prefix_at(file, prefixes.len() - 1 - j) == Some(p)
                    });
                    if !seen {
                        consider(&mut best, position, file, index);
                    }
                }
            }
            // Candidates without a directory are the farthest of all.
            if best.distance == u32::MAX {
                for (position, &(index, file)) in (0u32..).zip(&group.all) {
                    if ctx.prefixes_of(file).is_empty() {
                        consider(&mut best, position, file, index);
                    }
                }
            }
        }
        best.positions.sort_unstable();
        best.positions
            .into_iter()
            .filter_map(|position| group.all.get(position as usize).map(|&(i, _)| i))
            .collect()
    }
}

/// The candidates at the least distance offered so far.
struct Best {
    distance: u32,
    positions: Vec<u32>,
}

impl Default for Best {
    fn default() -> Self {
        Best {
            distance: u32::MAX,
            positions: Vec::new(),
        }
    }
}

impl Best {
    fn offer(&mut self, position: u32, distance: u32) {
        if distance < self.distance {
            self.distance = distance;
            self.positions.clear();
        }
        if distance == self.distance {
            self.positions.push(position);
        }
    }
}

/// An env var as a container will see it.
#[derive(Clone, Debug)]
pub(crate) struct EnvVar {
    pub(crate) value: Value,
    pub(crate) span: Span,
    pub(crate) linear: bool,
    pub(crate) via: Via,
}

/// Whether character columns in a scalar's value map one to one to the source line.
pub(crate) fn is_linear(node: &Node) -> bool {
    match node.style() {
        Some(ScalarStyle::Plain) => !node.as_str().unwrap_or("").contains('\n'),
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) => {
            // One pass over the bytes (these are all ASCII) instead of four searches.
            let v = node.as_str().unwrap_or("");
            !v.bytes().any(|b| matches!(b, b'\n' | b'\\' | b'\'' | b'"'))
        }
        _ => false,
    }
}

/// The span of a scalar's value text, without quotes.
pub(crate) fn value_span(node: &Node) -> Span {
    match node.style() {
        Some(ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) if is_linear(node) => {
            let len = node.as_str().unwrap_or("").chars().count() as u32;
            Span::on_line(
                node.span.source,
                node.span.start.line,
                node.span.start.col + 1,
                len,
            )
        }
        _ => node.span,
    }
}

/// Span of `len` chars at char `offset` inside a scalar value, mapped through line breaks.
pub(crate) fn span_in_value(node: &Node, offset: usize, len: usize) -> Span {
    let text = node.as_str().unwrap_or("");
    let before: String = text.chars().take(offset).collect();
    let line = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() as u32;
    let start = node.position_in_value(line, col);
    let exact = node.style() == Some(ScalarStyle::Literal) || (line == 0 && is_linear(node));
    if !exact {
        return node.span;
    }
    Span::on_line(node.span.source, start.line, start.col, len as u32)
}

pub(crate) fn setting(value: Value, span: Span, via: Via, linear: bool) -> Setting {
    Setting {
        value,
        origin: Origin { span, via },
        linear,
    }
}

/// Expand `$(VAR)` the way the kubelet does: defined vars are substituted, `$$` is a `$`,
/// anything else stays as written.
fn expand(value: &str, env: &[(String, EnvVar)]) -> Result<String, String> {
    if !value.contains("$(") && !value.contains("$$") {
        return Ok(value.to_string());
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(inner) = after.strip_prefix('(') {
            match inner.find(')') {
                Some(close) => {
                    let name = &inner[..close];
                    match env.iter().rev().find(|(n, _)| n == name) {
                        Some((_, v)) => match &v.value {
                            Value::Known(s) => out.push_str(s),
                            Value::Unknown(why) => return Err(why.clone()),
                        },
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &inner[close + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

const NON_BROKER_COMMANDS: &[&str] = &[
    "zookeeper-server-start",
    "connect-distributed",
    "connect-standalone",
    "connect-mirror-maker",
    "kafka-mirror-maker",
    "kafka-topics",
    "kafka-console",
    "kafka-consumer-groups",
    "kafka-configs",
    "kafka-acls",
    "kafka-rest",
    "schema-registry",
    "kafkacat",
    "kcat",
    "cruise-control",
    "perf-test",
    "kafka-verifiable",
    "kafka-producer",
    "sleep",
    "tail -f",
];

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        resources: &'a [Resource],
        options: &'a ModelOptions,
        dirs: &'a HashMap<SourceId, String>,
    ) -> Self {
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mut dir_parts = Vec::new();
        let mut dir_of = HashMap::new();
        for (file, dir) in dirs {
            let id = *ids.entry(dir.as_str()).or_insert_with(|| {
                dir_parts.push(
                    dir.split(['/', '\\'])
                        .filter(|p| !p.is_empty() && *p != ".")
                        .collect(),
                );
                u32::try_from(dir_parts.len() - 1).unwrap_or(u32::MAX)
            });
            dir_of.insert(*file, id);
        }
        let mut prefix_ids: HashMap<&[&str], u32> = HashMap::new();
        let dir_prefixes = dir_parts
            .iter()
            .map(|parts: &Vec<&str>| {
                (0..=parts.len())
                    .rev()
                    .map(|n| {
                        let next = u32::try_from(prefix_ids.len()).unwrap_or(u32::MAX);
                        *prefix_ids.entry(&parts[..n]).or_insert(next)
                    })
                    .collect()
            })
            .collect();
        Ctx {
            resources,
            options,
            dir_of,
            dir_parts,
            dir_prefixes,
            configmaps: Default::default(),
            node_pools: Default::default(),
        }
    }

    /// The ids of the directories holding `file`, from its own up to the root; empty when its
    /// directory is unknown.
    fn prefixes_of(&self, file: SourceId) -> &[u32] {
        self.dir_of
            .get(&file)
            .and_then(|&d| self.dir_prefixes.get(d as usize))
            .map_or(&[][..], Vec::as_slice)
    }

    /// The id of `file`'s directory prefix with `depth` path components, if it is that deep.
    fn prefix_at(&self, file: SourceId, depth: usize) -> Option<u32> {
        let prefixes = self.prefixes_of(file);
        let own_depth = prefixes.len().checked_sub(1)?;
        prefixes.get(own_depth.checked_sub(depth)?).copied()
    }

    /// How far apart two files are: 0 for the same file, 1 for the same directory, then one
    /// more for each directory step between them (so a sibling project's same-named object
    /// is farther than one beside this one); files without a known directory are farthest.
    pub(crate) fn distance(&self, a: SourceId, b: SourceId) -> u32 {
        if a == b {
            return 0;
        }
        let (Some(&da), Some(&db)) = (self.dir_of.get(&a), self.dir_of.get(&b)) else {
            return u32::MAX;
        };
        if da == db {
            return 1;
        }
        let (Some(pa), Some(pb)) = (
            self.dir_parts.get(da as usize),
            self.dir_parts.get(db as usize),
        ) else {
            return u32::MAX;
        };
        let shared = pa.iter().zip(pb).take_while(|(x, y)| x == y).count();
        let steps = (pa.len() - shared) + (pb.len() - shared);
        1 + u32::try_from(steps).unwrap_or(u32::MAX - 1)
    }

    pub(crate) fn configmap(&self, name: &str, from: &Resource) -> Option<&'a Resource> {
        let index = self.configmaps.get_or_init(|| {
            let mut index = NearIndex::default();
            for (i, r) in self.resources.iter().enumerate() {
                if r.kind() == "ConfigMap" {
                    index.insert(self, &r.id.name, i, r.file);
                }
            }
            index
        });
        let resources = self.resources;
        let nearest = index.nearest(self, name, from.file, |i| {
            resources
                .get(i)
                .is_some_and(|r| r.same_namespace(&from.id.namespace))
        });
        nearest.first().and_then(|&i| resources.get(i))
    }

    /// The Strimzi node pools labelled for the cluster `kafka`, nearest to it.
    fn node_pools_of(&self, kafka: &Resource) -> Vec<usize> {
        let index = self.node_pools.get_or_init(|| {
            let mut index = NearIndex::default();
            for (i, p) in self.resources.iter().enumerate() {
                if p.kind() == "KafkaNodePool" && p.group() == "kafka.strimzi.io" {
                    if let Some(cluster) = p.label("strimzi.io/cluster") {
                        index.insert(self, cluster, i, p.file);
                    }
                }
            }
            index
        });
        let resources = self.resources;
        index.nearest(self, &kafka.id.name, kafka.file, |i| {
            resources
                .get(i)
                .is_some_and(|p| p.same_namespace(&kafka.id.namespace))
        })
    }

    fn workload_brokers(&self, index: usize, out: &mut Vec<Broker>) {
        let r = &self.resources[index];
        let Some(pod_spec) = r.pod_spec() else { return };
        for container in pod_spec.get("containers").map_or(&[][..], Node::as_seq) {
            let Some(image_node) = container.get("image") else {
                continue;
            };
            let Some(image) = image_node.as_text() else {
                continue;
            };
            let Some(detected) = image::family_of(image) else {
                continue;
            };
            let command_text: String = ["command", "args"]
                .iter()
                .filter_map(|k| container.get(k))
                .flat_map(|n| n.as_seq().iter().filter_map(Node::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            // Kafka images also run ZooKeeper, Connect and tools; only brokers count.
            let container_name = container.text_at(&["name"]).unwrap_or("");
            if container_name.contains("zookeeper") || image.contains("zookeeper") {
                continue;
            }
            if !command_text.contains("kafka-server-start")
                && NON_BROKER_COMMANDS.iter().any(|c| command_text.contains(c))
            {
                continue;
            }
            out.push(self.container_broker(index, pod_spec, container, image_node, detected));
        }
    }

    fn container_broker(
        &self,
        index: usize,
        pod_spec: &Node,
        container: &Node,
        image_node: &Node,
        detected: ImageFamily,
    ) -> Broker {
        let r = &self.resources[index];
        let image = image_node.as_str().unwrap_or("");
        let family = self.options.image.unwrap_or(detected);
        let kafka_version = self
            .options
            .kafka_version
            .or_else(|| image::kafka_version_of(image, family));
        let container_name = container.text_at(&["name"]).unwrap_or("").to_string();
        let anchor = container.path(&["name"]).map_or(container.span, |n| n.span);

        let (env, blind_spots) = self.container_env(r, container);
        // Before the config, which then takes the env's values instead of copying them.
        let jvm = if matches!(family, ImageFamily::ApacheNative) {
            Jvm {
                unknown: Some("apache/kafka-native runs without a JVM".into()),
                ..Jvm::default()
            }
        } else {
            script_jvm(family, &env, &blind_spots, image_node.span)
        };

        let mut config = Config::default();
        let mounted = self.mounted_server_properties(pod_spec, container, r);
        let bitnami_file_mounted = family == ImageFamily::Bitnami
            && mounted
                .as_ref()
                .is_some_and(|m| m.mount_path.starts_with("/bitnami/kafka/config"));
        if let Some(m) = &mounted {
            apply_properties(&mut config, m.node);
        }
        if family.maps_env() && !bitnami_file_mounted {
            let keys: Vec<(String, EnvVar)> = env
                .into_iter()
                .filter_map(|(name, var)| match env_effect(family, &name) {
                    EnvEffect::Config(key) => Some((key, var)),
                    _ => None,
                })
                .collect();
            if family == ImageFamily::Apache && keys.is_empty() && mounted.is_none() {
                apache_packaged_defaults(&mut config, image_node.span, kafka_version);
            }
            for (key, var) in keys {
                config.set(key, setting(var.value, var.span, var.via, var.linear));
            }
            for why in &blind_spots {
                config.mark_open(why.clone());
            }
        } else if mounted.is_none() {
            config.mark_open(format!(
                "the {} image reads its config from a file that is not in the input",
                family.name()
            ));
        }
        apply_overrides(&mut config, container);

        let resources = container.get("resources");
        let memory = |which: &str| memory_at(resources, which);
        let replicas = match r.kind() {
            "Pod" => None,
            _ => r.node.path(&["spec", "replicas"]).and_then(|n| {
                n.as_i64()
                    .and_then(|v| u32::try_from(v).ok())
                    .map(|v| (v, n.span))
            }),
        };
        let log_dirs = workload_log_dirs(&config, family, pod_spec, container, &r.node);
        Broker {
            source: BrokerSource::Workload {
                container: container_name.clone(),
            },
            resource: Some(index),
            file: r.file,
            anchor,
            display: format!("{} container {}", r.display(), container_name),
            image: Some((image.to_string(), image_node.span)),
            family,
            kafka_version,
            replicas,
            config,
            jvm,
            memory_limit: memory("limits"),
            memory_request: memory("requests"),
            log_dirs,
        }
    }

    /// A container's env, in the order the kubelet builds it: envFrom first, then env; and
    /// why some of it may be invisible (a Secret, a ConfigMap not in the input).
    pub(crate) fn container_env(
        &self,
        r: &Resource,
        container: &Node,
    ) -> (Vec<(String, EnvVar)>, Vec<String>) {
        let env_list = container.get("env").map_or(&[][..], Node::as_seq);
        let mut env: Vec<(String, EnvVar)> = Vec::with_capacity(env_list.len());
        let mut blind_spots: Vec<String> = Vec::new();
        for from in container.get("envFrom").map_or(&[][..], Node::as_seq) {
            let prefix = from.text_at(&["prefix"]).unwrap_or("");
            if let Some(name) = from.text_at(&["configMapRef", "name"]) {
                match self.configmap(name, r) {
                    Some(cm) => {
                        for (k, v) in cm.node.get("data").map_or(&[][..], Node::as_map) {
                            let Some(key) = k.as_str() else { continue };
                            if !kafkalint_syntax::env::is_env_var_name(key) {
                                continue;
                            }
                            env.push((
                                format!("{prefix}{key}"),
                                EnvVar {
                                    value: Value::Known(v.as_str().unwrap_or("").to_string()),
                                    span: value_span(v),
                                    linear: is_linear(v),
                                    via: Via::Env(format!("{prefix}{key}")),
                                },
                            ));
                        }
                    }
                    None => blind_spots.push(format!("ConfigMap {name} is not in the input")),
                }
            } else if let Some(name) = from.text_at(&["secretRef", "name"]) {
                blind_spots.push(format!("Secret {name} is loaded with envFrom"));
            }
        }
        for e in env_list {
            let Some(name) = e.text_at(&["name"]) else {
                continue;
            };
            let var = if let Some(v) = e.get("value") {
                let raw = v.as_str().unwrap_or("");
                EnvVar {
                    value: match expand(raw, &env) {
                        Ok(s) => Value::Known(s),
                        Err(why) => Value::Unknown(why),
                    },
                    span: value_span(v),
                    linear: is_linear(v) && !raw.contains("$("),
                    via: Via::Env(name.to_string()),
                }
            } else if let Some(from) = e.get("valueFrom") {
                self.value_from(name, from, e, r)
            } else {
                EnvVar {
                    value: Value::Known(String::new()),
                    span: e.span,
                    linear: false,
                    via: Via::Env(name.to_string()),
                }
            };
            env.push((name.to_string(), var));
        }
        (env, blind_spots)
    }

    fn value_from(&self, name: &str, from: &Node, e: &Node, owner: &Resource) -> EnvVar {
        let unknown = |why: String| EnvVar {
            value: Value::Unknown(why),
            span: e.span,
            linear: false,
            via: Via::Env(name.to_string()),
        };
        if let Some(r) = from.get("configMapKeyRef") {
            let (Some(cm_name), Some(key)) = (r.text_at(&["name"]), r.text_at(&["key"])) else {
                return unknown("configMapKeyRef without name and key".into());
            };
            return match self
                .configmap(cm_name, owner)
                .and_then(|cm| cm.node.path(&["data", key]))
            {
                Some(v) => EnvVar {
                    value: Value::Known(v.as_str().unwrap_or("").to_string()),
                    span: value_span(v),
                    linear: is_linear(v),
                    via: Via::Env(name.to_string()),
                },
                None => unknown(format!(
                    "key {key} of ConfigMap {cm_name} is not in the input"
                )),
            };
        }
        if from.get("secretKeyRef").is_some() {
            return unknown(format!("{name} comes from a Secret"));
        }
        if let Some(path) = from.text_at(&["fieldRef", "fieldPath"]) {
            return unknown(format!("{name} comes from the pod field {path}"));
        }
        unknown(format!("{name} is computed at run time"))
    }

    /// A `server.properties`-like key of a ConfigMap volume mounted into the pod.
    fn mounted_server_properties<'n>(
        &'n self,
        pod_spec: &'n Node,
        container: &'n Node,
        owner: &Resource,
    ) -> Option<Mounted<'n>> {
        let volumes = pod_spec.get("volumes").map_or(&[][..], Node::as_seq);
        for v in volumes {
            let Some(cm_name) = v.text_at(&["configMap", "name"]) else {
                continue;
            };
            let Some(cm) = self.configmap(cm_name, owner) else {
                continue;
            };
            let Some(data) = cm.node.get("data") else {
                continue;
            };
            for (k, value) in data.as_map() {
                let key = k.as_str().unwrap_or("");
                if !is_broker_properties_name(key) {
                    continue;
                }
                let volume_name = v.text_at(&["name"]).unwrap_or("");
                let mount_path = container
                    .get("volumeMounts")
                    .map_or(&[][..], Node::as_seq)
                    .iter()
                    .find(|m| m.text_at(&["name"]) == Some(volume_name))
                    .and_then(|m| m.text_at(&["mountPath"]))
                    .unwrap_or("")
                    .to_string();
                return Some(Mounted {
                    node: value,
                    mount_path,
                });
            }
        }
        None
    }

    fn strimzi_brokers(&self, index: usize, out: &mut Vec<Broker>) {
        let r = &self.resources[index];
        let Some(kafka) = r.node.path(&["spec", "kafka"]) else {
            return;
        };
        let mut config = Config::default();
        if let Some(cfg) = kafka.get("config") {
            for (k, v) in cfg.as_map() {
                let Some(key) = k.as_str() else { continue };
                config.set(
                    key,
                    setting(
                        Value::Known(v.as_str().unwrap_or("").to_string()),
                        value_span(v),
                        Via::Strimzi,
                        is_linear(v),
                    ),
                );
            }
        }
        let version = self.options.kafka_version.or_else(|| {
            kafka.text_at(&["version"]).and_then(|v| {
                let mut it = v.split('.').map(|n| n.parse::<u32>().ok());
                Some((it.next()??, it.next()??))
            })
        });
        let pools = self.node_pools_of(r);
        let make = |spec: &Node, owner: usize, pool: Option<usize>, fallback: &Node| {
            let owner_res = &self.resources[owner];
            let pick = |key: &str| spec.get(key).or_else(|| fallback.get(key));
            let resources = pick("resources");
            let memory = |which: &str| memory_at(resources, which);
            let jvm = strimzi_jvm(pick("jvmOptions"));
            let log_dirs = pick("storage").map(strimzi_log_dirs);
            let replicas = spec.get("replicas").and_then(|n| {
                n.as_i64()
                    .and_then(|v| u32::try_from(v).ok())
                    .map(|v| (v, n.span))
            });
            Broker {
                source: BrokerSource::Strimzi { pool },
                resource: Some(owner),
                file: owner_res.file,
                anchor: owner_res.anchor(),
                display: owner_res.display(),
                image: None,
                family: ImageFamily::Strimzi,
                kafka_version: version,
                replicas,
                config: config.clone(),
                jvm,
                memory_limit: memory("limits"),
                memory_request: memory("requests"),
                log_dirs,
            }
        };
        if pools.is_empty() {
            out.push(make(kafka, index, None, kafka));
        } else {
            for p in pools {
                let Some(spec) = self.resources[p].node.get("spec") else {
                    continue;
                };
                out.push(make(spec, p, Some(p), kafka));
            }
        }
    }

    fn strimzi_topic(&self, index: usize) -> Option<Topic> {
        let r = &self.resources[index];
        let spec = r.node.get("spec");
        let int_at = |key: &str| {
            spec.and_then(|s| s.get(key))
                .and_then(|n| n.as_i64().map(|v| (v, n.span)))
        };
        let mut config = Config::default();
        let cfg_node = spec.and_then(|s| s.get("config"));
        for (k, v) in cfg_node.map_or(&[][..], Node::as_map) {
            let Some(key) = k.as_str() else { continue };
            config.set(
                key,
                setting(
                    Value::Known(v.as_str().unwrap_or("").to_string()),
                    value_span(v),
                    Via::Strimzi,
                    is_linear(v),
                ),
            );
        }
        let config_anchor = spec
            .and_then(|s| s.entry("config").map(|(k, _)| k.span))
            .or_else(|| r.node.entry("spec").map(|(k, _)| k.span))
            .unwrap_or_else(|| r.anchor());
        Some(Topic {
            name: spec
                .and_then(|s| s.text_at(&["topicName"]))
                .unwrap_or(&r.id.name)
                .to_string(),
            resource: index,
            anchor: r.anchor(),
            replicas: int_at("replicas"),
            partitions: int_at("partitions"),
            config,
            config_anchor,
            cluster: r.label("strimzi.io/cluster").map(str::to_string),
        })
    }

    fn env_file_broker(&self, f: StandaloneFile<EnvEntry>) -> Option<Broker> {
        let looks_like_broker = f.entries.iter().any(|e| {
            e.key.starts_with("KAFKA_CFG_")
                || matches!(
                    e.key.as_str(),
                    "KAFKA_BROKER_ID"
                        | "KAFKA_NODE_ID"
                        | "KAFKA_PROCESS_ROLES"
                        | "KAFKA_LISTENERS"
                        | "KAFKA_ADVERTISED_LISTENERS"
                        | "KAFKA_ZOOKEEPER_CONNECT"
                        | "KAFKA_LOG_DIRS"
                        | "KAFKA_HEAP_OPTS"
                        | "KAFKA_CONTROLLER_QUORUM_VOTERS"
                )
        });
        if !looks_like_broker {
            return None;
        }
        let family = self.options.image.unwrap_or_else(|| {
            if f.entries.iter().any(|e| e.key.starts_with("KAFKA_CFG_")) {
                ImageFamily::Bitnami
            } else {
                ImageFamily::Confluent
            }
        });
        let env: Vec<(String, EnvVar)> = f
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.clone(),
                    EnvVar {
                        value: match &e.value {
                            Some(v) => Value::Known(v.clone()),
                            None => Value::Unknown(format!(
                                "{} has no '=', so its value comes from the environment at build time",
                                e.key
                            )),
                        },
                        span: e.value_span,
                        linear: true,
                        via: Via::Env(e.key.clone()),
                    },
                )
            })
            .collect();
        let mut config = Config::default();
        for (name, var) in &env {
            if let EnvEffect::Config(key) = env_effect(family, name) {
                config.set(
                    key,
                    setting(var.value.clone(), var.span, var.via.clone(), true),
                );
            }
        }
        let anchor = Span::on_line(f.file, 1, 1, 1);
        let jvm = script_jvm(family, &env, &[], anchor);
        Some(Broker {
            source: BrokerSource::Standalone,
            resource: None,
            file: f.file,
            anchor,
            display: f.display,
            image: None,
            family,
            kafka_version: self.options.kafka_version,
            replicas: None,
            config,
            jvm,
            memory_limit: None,
            memory_request: None,
            log_dirs: None,
        })
    }

    fn properties_file_broker(&self, f: StandaloneFile<PropEntry>) -> Option<Broker> {
        if !f.entries.iter().any(|e| is_broker_key(&e.key)) {
            return None;
        }
        let mut config = Config::default();
        for e in &f.entries {
            config.set(
                e.key.clone(),
                setting(
                    Value::Known(e.value.clone()),
                    e.value_span,
                    Via::Properties,
                    true,
                ),
            );
        }
        Some(Broker {
            source: BrokerSource::Standalone,
            resource: None,
            file: f.file,
            anchor: Span::on_line(f.file, 1, 1, 1),
            display: f.display,
            image: None,
            family: self.options.image.unwrap_or(ImageFamily::Other),
            kafka_version: self.options.kafka_version,
            replicas: None,
            config,
            jvm: Jvm {
                unknown: Some("a .properties file carries no JVM options".into()),
                ..Jvm::default()
            },
            memory_limit: None,
            memory_request: None,
            log_dirs: None,
        })
    }
}

/// `resources.<which>.memory` (`limits` or `requests`) as bytes, with its span.
fn memory_at(resources: Option<&Node>, which: &str) -> Option<Memory> {
    let n = resources?.path(&[which, "memory"])?;
    let text = n.as_text()?;
    Some(Memory {
        bytes: parse_memory(text)?,
        text: text.to_string(),
        span: n.span,
    })
}

struct Mounted<'n> {
    node: &'n Node,
    mount_path: String,
}

fn is_broker_properties_name(key: &str) -> bool {
    matches!(
        key,
        "server.properties" | "broker.properties" | "kafka.properties"
    ) || key.ends_with("-server.properties")
}

/// Keys only a broker (or controller) config has.
pub(crate) fn is_broker_key(key: &str) -> bool {
    matches!(
        key,
        "broker.id"
            | "node.id"
            | "process.roles"
            | "log.dirs"
            | "log.dir"
            | "zookeeper.connect"
            | "listeners"
            | "controller.quorum.voters"
            | "controller.quorum.bootstrap.servers"
            | "num.network.threads"
            | "num.io.threads"
            | "log.retention.hours"
            | "log.segment.bytes"
            | "num.partitions"
            | "default.replication.factor"
            | "offsets.topic.replication.factor"
            | "inter.broker.listener.name"
    )
}

/// Properties embedded in a ConfigMap value, mapped back to their lines in the YAML file.
fn apply_properties(config: &mut Config, node: &Node) {
    let text = node.as_str().unwrap_or("");
    let Ok(entries) = properties::parse(text, node.span.source) else {
        config.mark_open("the mounted properties file does not parse");
        return;
    };
    let exact = node.style() == Some(ScalarStyle::Literal);
    for e in entries {
        let span = if exact {
            let p = |pos: Pos| node.position_in_value(pos.line - 1, pos.col - 1);
            Span::new(node.span.source, p(e.value_span.start), p(e.value_span.end))
        } else {
            node.span
        };
        config.set(
            e.key,
            setting(Value::Known(e.value), span, Via::Properties, exact),
        );
    }
}

/// `--override key=value` arguments of kafka-server-start.sh.
fn apply_overrides(config: &mut Config, container: &Node) {
    for key in ["command", "args"] {
        let Some(list) = container.get(key) else {
            continue;
        };
        let mut expect_override = false;
        for item in list.as_seq() {
            let Some(text) = item.as_str() else { continue };
            for (offset, token) in crate::jvm::tokens(text) {
                if token == "--override" {
                    expect_override = true;
                    continue;
                }
                if !expect_override {
                    continue;
                }
                expect_override = false;
                let token = token.trim_matches(|c| c == '"' || c == '\'');
                let Some((k, v)) = token.split_once('=') else {
                    continue;
                };
                let value = if v.contains('$') || v.contains('`') {
                    Value::Unknown(format!("{k} is computed by the shell at start time"))
                } else {
                    Value::Known(v.to_string())
                };
                let value_offset = offset + k.chars().count() + 1;
                let span = span_in_value(item, value_offset, v.chars().count().max(1));
                config.set(k, setting(value, span, Via::Override, false));
            }
        }
    }
}

/// apache/kafka uses its packaged config/kraft/server.properties only when no KAFKA_ var is set.
fn apache_packaged_defaults(config: &mut Config, image_span: Span, version: Option<(u32, u32)>) {
    let mut put = |k: &str, v: &str| {
        config.set(
            k,
            setting(Value::Known(v.into()), image_span, Via::ImageDefault, false),
        );
    };
    put("log.dirs", "/tmp/kraft-combined-logs");
    put("offsets.topic.replication.factor", "1");
    put("transaction.state.log.replication.factor", "1");
    put("transaction.state.log.min.isr", "1");
    if version.is_none_or(|v| v.0 >= 4) {
        put("share.coordinator.state.topic.replication.factor", "1");
    }
}

/// The JVM command line built by kafka-run-class.sh:
/// `java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS $KAFKA_GC_LOG_OPTS $KAFKA_JMX_OPTS ... $KAFKA_OPTS`,
/// with `JAVA_TOOL_OPTIONS` read before all of them.
fn script_jvm(
    family: ImageFamily,
    env: &[(String, EnvVar)],
    blind_spots: &[String],
    image_span: Span,
) -> Jvm {
    let mut jvm = Jvm {
        g1: true,
        ..Jvm::default()
    };
    let lookup = |name: &str| env.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v);
    for var in [
        "JAVA_TOOL_OPTIONS",
        "KAFKA_HEAP_OPTS",
        "KAFKA_JVM_PERFORMANCE_OPTS",
        "KAFKA_GC_LOG_OPTS",
        "KAFKA_JMX_OPTS",
        "KAFKA_OPTS",
    ] {
        match lookup(var) {
            Some(EnvVar {
                value: Value::Unknown(why),
                ..
            }) => {
                jvm.unknown = Some(why.clone());
            }
            Some(
                v @ EnvVar {
                    value: Value::Known(text),
                    ..
                },
            ) if !text.trim().is_empty() => {
                let s = setting(v.value.clone(), v.span, v.via.clone(), v.linear);
                for (offset, token) in crate::jvm::tokens(text) {
                    jvm.tokens.push(JvmToken {
                        text: token.to_string(),
                        span: s.sub_span(offset, token.chars().count()),
                        from: var.to_string(),
                        image_default: false,
                    });
                }
                if var == "KAFKA_JVM_PERFORMANCE_OPTS" {
                    jvm.g1 = text.contains("-XX:+UseG1GC");
                }
            }
            _ => {
                if let Some(why) = blind_spots.first() {
                    if matches!(var, "KAFKA_HEAP_OPTS" | "KAFKA_OPTS" | "JAVA_TOOL_OPTIONS") {
                        jvm.unknown = Some(format!("{var} may be set there: {why}"));
                    }
                }
                if var == "KAFKA_HEAP_OPTS" {
                    if let Some(default) = family.default_heap_opts() {
                        for (_, token) in crate::jvm::tokens(default) {
                            jvm.tokens.push(JvmToken {
                                text: token.to_string(),
                                span: image_span,
                                from: format!(
                                    "the {} image's default KAFKA_HEAP_OPTS",
                                    family.name()
                                ),
                                image_default: true,
                            });
                        }
                    }
                }
            }
        }
    }
    jvm
}

fn strimzi_jvm(options: Option<&Node>) -> Jvm {
    let mut jvm = Jvm {
        g1: true,
        ..Jvm::default()
    };
    let Some(options) = options else {
        jvm.strimzi_dynamic_heap = true;
        return jvm;
    };
    for flag in ["-Xms", "-Xmx"] {
        if let Some(v) = options.get(flag) {
            let text = v.as_str().unwrap_or("");
            jvm.tokens.push(JvmToken {
                text: format!("{flag}{text}"),
                span: value_span(v),
                from: format!("jvmOptions.{flag}"),
                image_default: false,
            });
        }
    }
    for (k, v) in options.get("-XX").map_or(&[][..], Node::as_map) {
        let Some(name) = k.as_str() else { continue };
        let value = v.as_str().unwrap_or("");
        let text = match value {
            "true" => format!("-XX:+{name}"),
            "false" => format!("-XX:-{name}"),
            _ => format!("-XX:{name}={value}"),
        };
        jvm.tokens.push(JvmToken {
            text,
            span: k.span,
            from: "jvmOptions.-XX".into(),
            image_default: false,
        });
    }
    jvm.strimzi_dynamic_heap = jvm.last_size(crate::jvm::SizeFlag::Xmx).is_none()
        && jvm.last_percentage("MaxRAMPercentage").is_none();
    jvm
}

fn strimzi_log_dirs(storage: &Node) -> Vec<LogDir> {
    let mut dirs = Vec::new();
    let mut one = |volume: &Node, path: String| {
        let type_node = volume.get("type");
        let kind = type_node.and_then(Node::as_text).unwrap_or("");
        let backing = match kind {
            "persistent-claim" => Backing::Persistent,
            "ephemeral" => Backing::StrimziEphemeral,
            other => Backing::Other(other.to_string()),
        };
        let span = type_node.map_or(volume.span, |n| n.span);
        dirs.push(LogDir {
            path,
            path_origin: Origin {
                span,
                via: Via::Strimzi,
            },
            backing,
            backing_span: Some(span),
            volume: None,
        });
    };
    if storage.text_at(&["type"]) == Some("jbod") {
        for v in storage.get("volumes").map_or(&[][..], Node::as_seq) {
            let id = v.text_at(&["id"]).unwrap_or("0");
            one(v, format!("/var/lib/kafka/data-{id}"));
        }
    } else {
        one(storage, "/var/lib/kafka/data".into());
    }
    dirs
}

fn workload_log_dirs(
    config: &Config,
    family: ImageFamily,
    pod_spec: &Node,
    container: &Node,
    workload: &Node,
) -> Option<Vec<LogDir>> {
    let (paths, origin) = match (config.lookup("log.dirs"), config.lookup("log.dir")) {
        (crate::Lookup::Set(s, v), _) => (v.to_string(), s.origin.clone()),
        (crate::Lookup::Unknown, _) => return None,
        (crate::Lookup::Default, crate::Lookup::Set(s, v)) => (v.to_string(), s.origin.clone()),
        (crate::Lookup::Default, crate::Lookup::Unknown) => return None,
        (crate::Lookup::Default, crate::Lookup::Default) => (
            family.default_log_dir().to_string(),
            Origin {
                span: container
                    .path(&["image"])
                    .map_or(container.span, |n| n.span),
                via: Via::ImageDefault,
            },
        ),
    };
    if paths.contains('$') {
        return None;
    }
    let mounts = container.get("volumeMounts").map_or(&[][..], Node::as_seq);
    let claim_templates: Vec<&str> = workload
        .path(&["spec", "volumeClaimTemplates"])
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|t| t.text_at(&["metadata", "name"]))
        .collect();
    let volumes: HashMap<&str, &Node> = pod_spec
        .get("volumes")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|v| Some((v.text_at(&["name"])?, v)))
        .collect();
    let mut dirs = Vec::new();
    for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let best = mounts
            .iter()
            .filter_map(|m| Some((m.text_at(&["mountPath"])?, m)))
            .filter(|(mp, _)| path_under(path, mp))
            .max_by_key(|(mp, _)| mp.trim_end_matches('/').len());
        let (backing, backing_span, volume) = match best {
            None => (Backing::ContainerFs, None, None),
            Some((_, mount)) => {
                let name = mount.text_at(&["name"]).unwrap_or("");
                if claim_templates.contains(&name) {
                    (
                        Backing::Persistent,
                        Some(mount.span),
                        Some(name.to_string()),
                    )
                } else if let Some(v) = volumes.get(name) {
                    let (kind, span) = v
                        .as_map()
                        .iter()
                        .find(|(k, _)| k.as_str() != Some("name"))
                        .map_or(("", v.span), |(k, _)| (k.as_str().unwrap_or(""), k.span));
                    let backing = match kind {
                        "persistentVolumeClaim" => Backing::Persistent,
                        "emptyDir" => Backing::EmptyDir,
                        other => Backing::Other(other.to_string()),
                    };
                    (backing, Some(span), Some(name.to_string()))
                } else {
                    // The volume is defined somewhere we cannot see.
                    return None;
                }
            }
        };
        dirs.push(LogDir {
            path: path.to_string(),
            path_origin: origin.clone(),
            backing,
            backing_span,
            volume,
        });
    }
    Some(dirs)
}

fn path_under(path: &str, mount: &str) -> bool {
    let mount = mount.trim_end_matches('/');
    mount.is_empty()
        || path == mount
        || path
            .strip_prefix(mount)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_index_prefers_same_file_then_directory_then_fewest_steps() {
        let dirs: HashMap<SourceId, String> = [
            (SourceId(0), "a/b"),
            (SourceId(1), "a/b"),
            (SourceId(2), "a/c"),
            (SourceId(3), "a/b/deep/er"),
            (SourceId(4), "x"),
        ]
        .into_iter()
        .map(|(id, d)| (id, d.to_string()))
        .collect();
        let options = ModelOptions::default();
        let ctx = Ctx::new(&[], &options, &dirs);
        let mut index = NearIndex::default();
        for (i, file) in [(10, 1), (11, 1), (12, 2), (13, 3), (14, 4)] {
            index.insert(&ctx, "cm", i, SourceId(file));
        }
        let all = |_| true;
        assert_eq!(index.nearest(&ctx, "cm", SourceId(1), all), vec![10, 11]);
        assert_eq!(index.nearest(&ctx, "cm", SourceId(0), all), vec![10, 11]);
        // Nothing accepted in the directory: a/c is 2 steps away, a/b/deep/er 2 as well.
        let elsewhere = |i| !matches!(i, 10 | 11);
        assert_eq!(
            index.nearest(&ctx, "cm", SourceId(0), elsewhere),
            vec![12, 13]
        );
        assert_eq!(index.nearest(&ctx, "cm", SourceId(4), all), vec![14]);
        assert_eq!(
            index.nearest(&ctx, "other", SourceId(0), all),
            Vec::<usize>::new()
        );
    }

    /// The walk up the directories against the definition: every accepted candidate at the
    /// least [`Ctx::distance`], in insertion order.
    #[test]
    fn near_index_walk_matches_a_scan_of_every_candidate() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..300 {
            let files = 1 + next(24);
            let mut dirs: HashMap<SourceId, String> = HashMap::new();
            for f in 0..files {
                // Some files have no directory (stdin, a rendered stream).
                if next(8) == 0 {
                    continue;
                }
                let depth = next(5);
                let path: Vec<&str> = (0..depth).map(|_| ["a", "b", "c"][next(3)]).collect();
                let dir = if path.is_empty() {
                    ".".to_string()
                } else {
                    path.join("/")
                };
                dirs.insert(SourceId(f as u32), dir);
            }
            let options = ModelOptions::default();
            let ctx = Ctx::new(&[], &options, &dirs);
            let mut index = NearIndex::default();
            let mut inserted = Vec::new();
            for i in 0..next(30) {
                let name = ["x", "y"][next(2)];
                let file = SourceId(next(files) as u32);
                index.insert(&ctx, name, i, file);
                inserted.push((name, i, file));
            }
            let rejected: Vec<usize> = (0..30).filter(|_| next(4) == 0).collect();
            let accept = |i: usize| !rejected.contains(&i);
            for from in 0..files {
                let from = SourceId(from as u32);
                for name in ["x", "y", "z"] {
                    let candidates: Vec<(usize, u32)> = inserted
                        .iter()
                        .filter(|&&(n, i, _)| n == name && accept(i))
                        .map(|&(_, i, f)| (i, ctx.distance(f, from)))
                        .collect();
                    let least = candidates.iter().map(|&(_, d)| d).min();
                    let expected: Vec<usize> = candidates
                        .iter()
                        .filter(|&&(_, d)| Some(d) == least)
                        .map(|&(i, _)| i)
                        .collect();
                    assert_eq!(
                        index.nearest(&ctx, name, from, accept),
                        expected,
                        "{name} from {from:?} in {dirs:?}: {inserted:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn kubelet_expansion() {
        let v = |s: &str| EnvVar {
            value: Value::Known(s.into()),
            span: Span::default(),
            linear: true,
            via: Via::Env("X".into()),
        };
        let env = vec![("A".to_string(), v("1"))];
        assert_eq!(expand("x$(A)y", &env).unwrap(), "x1y");
        assert_eq!(expand("$(B)", &env).unwrap(), "$(B)");
        assert_eq!(expand("$$(A)", &env).unwrap(), "$(A)");
        assert_eq!(expand("$(A", &env).unwrap(), "$(A");
    }

    #[test]
    fn mount_prefixes() {
        assert!(path_under(
            "/var/lib/kafka/data/topics",
            "/var/lib/kafka/data"
        ));
        assert!(path_under("/var/lib/kafka/data", "/var/lib/kafka/data/"));
        assert!(!path_under("/var/lib/kafka/data2", "/var/lib/kafka/data"));
    }
}
