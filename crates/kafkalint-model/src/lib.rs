//! The Kafka deployment view that rules read: broker workloads with their effective config,
//! JVM options, memory and storage, and topics — every value with the place it came from.
//!
//! Built from parsed documents only; nothing here reads files.

pub mod budget;
mod build;
pub mod capacity;
pub mod client;
pub mod image;
pub mod jvm;
pub mod keda;
pub mod quantity;
mod resource;
mod setting;
pub mod topology;

pub use build::{build, Input, ModelOptions};
pub use image::ImageFamily;
pub use resource::{Resource, ResourceId};
pub use setting::{Config, Lookup, Origin, Setting, Value, Via};

use kafkalint_syntax::{SourceId, Span};

/// Where a broker was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerSource {
    /// A container of a StatefulSet, Deployment, Pod, ...
    Workload { container: String },
    /// A Strimzi `Kafka` resource, or one of its `KafkaNodePool`s.
    Strimzi { pool: Option<usize> },
    /// A Confluent for Kubernetes `Kafka` resource.
    Confluent,
    /// An env or properties file linted on its own.
    Standalone,
}

/// One JVM option as the broker's command line will see it.
#[derive(Clone, Debug, PartialEq)]
pub struct JvmToken {
    pub text: String,
    pub span: Span,
    /// The env var or field the token came from, e.g. `KAFKA_HEAP_OPTS`.
    pub from: String,
    /// True when the token is the image's default rather than something the user wrote.
    pub image_default: bool,
}

/// The effective JVM command line (memory-relevant parts), in the order the JVM reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Jvm {
    pub tokens: Vec<JvmToken>,
    /// Set when part of the command line cannot be known (a Secret, a fieldRef...).
    pub unknown: Option<String>,
    /// Strimzi sizes the heap at start time from the container memory.
    pub strimzi_dynamic_heap: bool,
    /// `KAFKA_JVM_PERFORMANCE_OPTS` was replaced without a GC flag.
    pub g1: bool,
}

impl Jvm {
    /// The last token setting `flag`, which is the one the JVM uses.
    pub fn last_size(&self, flag: jvm::SizeFlag) -> Option<(&JvmToken, &str)> {
        self.tokens
            .iter()
            .rev()
            .find_map(|t| match jvm::size_flag(&t.text) {
                Some((f, arg)) if f == flag => Some((t, arg)),
                _ => None,
            })
    }

    pub fn last_percentage(&self, name: &str) -> Option<(&JvmToken, f64)> {
        self.tokens
            .iter()
            .rev()
            .find_map(|t| jvm::percentage_flag(&t.text, name).map(|v| (t, v)))
    }

    pub fn has_flag(&self, flag: &str) -> bool {
        self.tokens.iter().any(|t| t.text == flag)
    }
}

/// A memory quantity from the container spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Memory {
    pub bytes: u64,
    pub text: String,
    pub span: Span,
}

/// What backs a log directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// A PersistentVolumeClaim (volumeClaimTemplates, a PVC volume, Strimzi persistent-claim).
    Persistent,
    EmptyDir,
    /// No volume mounts the path: the container's own writable layer.
    ContainerFs,
    /// Strimzi `type: ephemeral`.
    StrimziEphemeral,
    /// hostPath, a CSI ephemeral volume, ...: named for the message.
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogDir {
    pub path: String,
    /// Where the path was set (or the image default).
    pub path_origin: Origin,
    pub backing: Backing,
    /// The volume definition or mount behind it, when there is one.
    pub backing_span: Option<Span>,
    pub volume: Option<String>,
}

/// A broker workload.
#[derive(Clone, Debug)]
pub struct Broker {
    pub source: BrokerSource,
    /// Index into [`Model::resources`], none for standalone files.
    pub resource: Option<usize>,
    pub file: SourceId,
    /// Where findings about the broker as a whole are reported.
    pub anchor: Span,
    /// A name for messages: `StatefulSet/kafka`, `forex.env`.
    pub display: String,
    pub image: Option<(String, Span)>,
    pub family: ImageFamily,
    /// `(major, minor)`.
    pub kafka_version: Option<(u32, u32)>,
    pub replicas: Option<(u32, Span)>,
    pub config: Config,
    pub jvm: Jvm,
    pub memory_limit: Option<Memory>,
    pub memory_request: Option<Memory>,
    /// None when storage cannot be determined.
    pub log_dirs: Option<Vec<LogDir>>,
}

/// A topic declared in the input.
#[derive(Clone, Debug)]
pub struct Topic {
    pub name: String,
    pub resource: usize,
    pub anchor: Span,
    /// `spec.replicas`.
    pub replicas: Option<(i64, Span)>,
    pub partitions: Option<(i64, Span)>,
    /// `spec.config`, with spans.
    pub config: Config,
    /// Where `spec.config` is, or the spec, for "add a key here" findings.
    pub config_anchor: Span,
    /// The cluster it belongs to (the `strimzi.io/cluster` label).
    pub cluster: Option<String>,
}

/// An env file linted on its own, every entry as written: rules about env var names need the
/// ones the image ignores, which never reach a broker's config.
#[derive(Clone, Debug)]
pub struct EnvFile {
    pub file: SourceId,
    pub entries: Vec<kafkalint_syntax::env::EnvEntry>,
}

/// Everything the rules see.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub resources: Vec<Resource>,
    pub brokers: Vec<Broker>,
    pub topics: Vec<Topic>,
    pub env_files: Vec<EnvFile>,
    /// Kafka client workloads: producers, consumers, Kafka Streams apps.
    pub clients: Vec<client::Client>,
    /// KEDA autoscalers with a Kafka trigger.
    pub scalers: Vec<keda::KafkaScaler>,
    /// Strimzi `Kafka` resources by name, built on first use: topology questions ask it once
    /// per broker and topic.
    pub(crate) strimzi_kafkas: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    /// Resources by the file they came from, built on first use: rules map a setting's span
    /// back to its resource once per setting.
    pub(crate) by_file: std::sync::OnceLock<std::collections::HashMap<SourceId, Vec<usize>>>,
    pub(crate) topology: std::sync::OnceLock<topology::Index>,
    pub(crate) by_kind: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    pub(crate) by_kind_name: std::sync::OnceLock<KindNameIndex>,
    pub(crate) selectors: std::sync::OnceLock<topology::SelectorIndex>,
}

type KindNameIndex =
    std::collections::HashMap<String, std::collections::HashMap<String, Vec<usize>>>;

impl Model {
    pub fn resource(&self, index: Option<usize>) -> Option<&Resource> {
        index.and_then(|i| self.resources.get(i))
    }

    /// Indexes of the Strimzi `Kafka` resources named `name`.
    pub fn strimzi_kafkas_named(&self, name: &str) -> &[usize] {
        self.strimzi_kafkas
            .get_or_init(|| {
                let mut index: std::collections::HashMap<String, Vec<usize>> =
                    std::collections::HashMap::new();
                for (i, r) in self.resources.iter().enumerate() {
                    if r.kind() == "Kafka" && r.group() == "kafka.strimzi.io" {
                        index.entry(r.id.name.clone()).or_default().push(i);
                    }
                }
                index
            })
            .get(name)
            .map_or(&[], Vec::as_slice)
    }

    pub(crate) fn topology(&self) -> &topology::Index {
        self.topology.get_or_init(|| topology::Index::build(self))
    }

    pub(crate) fn selectors(&self) -> &topology::SelectorIndex {
        self.selectors
            .get_or_init(|| topology::SelectorIndex::build(self))
    }

    /// The resources of one `kind`, in input order: rules that look for a LimitRange, a
    /// PodDisruptionBudget or a node pool per broker would otherwise scan the whole input.
    pub fn resources_of_kind<'m>(&'m self, kind: &str) -> impl Iterator<Item = &'m Resource> {
        self.indexes_of_kind(kind)
            .iter()
            .filter_map(|&i| self.resources.get(i))
    }

    /// Indexes of the resources of one `kind`, in input order.
    pub fn indexes_of_kind(&self, kind: &str) -> &[usize] {
        self.by_kind
            .get_or_init(|| {
                let mut index: std::collections::HashMap<String, Vec<usize>> =
                    std::collections::HashMap::new();
                for (i, r) in self.resources.iter().enumerate() {
                    index.entry(r.kind().to_string()).or_default().push(i);
                }
                index
            })
            .get(kind)
            .map_or(&[][..], Vec::as_slice)
    }

    /// The resources of one `kind` named `name`, in input order: a reference by name (an
    /// `envFrom` ConfigMap) would otherwise scan every resource of the kind.
    pub fn named<'m>(&'m self, kind: &str, name: &str) -> impl Iterator<Item = &'m Resource> {
        self.by_kind_name
            .get_or_init(|| {
                let mut index = KindNameIndex::new();
                for (i, r) in self.resources.iter().enumerate() {
                    index
                        .entry(r.kind().to_string())
                        .or_default()
                        .entry(r.id.name.clone())
                        .or_default()
                        .push(i);
                }
                index
            })
            .get(kind)
            .and_then(|names| names.get(name))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.resources.get(i))
    }

    /// Indexes of the resources read from `file`, in input order.
    pub fn resources_in(&self, file: SourceId) -> &[usize] {
        self.by_file
            .get_or_init(|| {
                let mut index: std::collections::HashMap<SourceId, Vec<usize>> =
                    std::collections::HashMap::new();
                for (i, r) in self.resources.iter().enumerate() {
                    index.entry(r.file).or_default().push(i);
                }
                index
            })
            .get(&file)
            .map_or(&[], Vec::as_slice)
    }

    /// The container node a workload broker runs in.
    pub fn container_of(&self, broker: &Broker) -> Option<&kafkalint_syntax::Node> {
        let BrokerSource::Workload { container } = &broker.source else {
            return None;
        };
        self.resource(broker.resource)?.container(container)
    }
}
