//! Kafka clients: workload containers that are not brokers but carry producer or consumer
//! settings — Spring Boot `spring.kafka.*` (env or `application.properties`/`.yaml` in a
//! mounted ConfigMap), Spring Cloud Stream bindings, generic `KAFKA_GROUP_ID`-style env, plain
//! client `.properties` files — with the topics they name when the input says so.
//!
//! Spring Boot facts (property names, relaxed binding, merge order) come from
//! spring-projects/spring-boot `KafkaProperties.java` and its reference docs.

use kafkalint_syntax::env::EnvEntry;
use kafkalint_syntax::properties::{self, PropEntry};
use kafkalint_syntax::{yaml, Limits, Node, ScalarStyle, SourceId, Span};

use crate::build::{is_linear, setting, value_span, Ctx, EnvVar, StandaloneFile};
use crate::{Broker, BrokerSource, Setting, Value, Via};

/// Which Kafka client instance a setting configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Every client of the application (`spring.kafka.properties.*`, a plain client file).
    Common,
    Producer,
    Consumer,
    Admin,
    /// Kafka Streams, unprefixed: all its internal clients.
    Streams,
    /// Kafka Streams `producer.`-prefixed.
    StreamsProducer,
    /// Kafka Streams `consumer.`/`main.consumer.`/... prefixed.
    StreamsConsumer,
}

/// The client instances whose effective config rules ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Producer,
    Consumer,
    StreamsProducer,
    StreamsConsumer,
}

impl View {
    pub const ALL: [View; 4] = [
        View::Producer,
        View::Consumer,
        View::StreamsProducer,
        View::StreamsConsumer,
    ];

    /// Roles that reach this client, lowest precedence first.
    pub fn roles(self) -> &'static [Role] {
        match self {
            View::Producer => &[Role::Common, Role::Producer],
            View::Consumer => &[Role::Common, Role::Consumer],
            View::StreamsProducer => &[Role::Common, Role::Streams, Role::StreamsProducer],
            View::StreamsConsumer => &[Role::Common, Role::Streams, Role::StreamsConsumer],
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            View::Producer => "producer",
            View::Consumer => "consumer",
            View::StreamsProducer => "Kafka Streams producer",
            View::StreamsConsumer => "Kafka Streams consumer",
        }
    }
}

/// Spring Boot binds some first-class properties to typed values, not Kafka strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpringType {
    /// `10s`, `500ms`, `PT10S`, or a number of milliseconds.
    Duration,
    /// `512KB`, `1MB`, or a number of bytes.
    DataSize,
}

/// One Kafka client setting, as written and as Kafka will see it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientSetting {
    /// The Kafka key: `acks`, `group.id`.
    pub key: String,
    pub role: Role,
    /// The property or env var as written: `spring.kafka.producer.acks`, `KAFKA_GROUP_ID`.
    pub written: String,
    pub key_span: Span,
    pub setting: Setting,
    pub spring_type: Option<SpringType>,
    /// A Spring first-class property (`spring.kafka.producer.acks`), not a pass-through map
    /// entry (`spring.kafka.producer.properties.acks`) or a plain client file key.
    pub first_class: bool,
    /// Read from an env var name by convention (`KAFKA_GROUP_ID`), not a documented mapping.
    pub guessed: bool,
    /// Spring's merge order within the client: higher wins (common < streams < role;
    /// first-class < pass-through; file < env).
    pub precedence: u8,
}

impl ClientSetting {
    pub fn known(&self) -> Option<&str> {
        self.setting.value.known()
    }

    pub fn span(&self) -> Span {
        self.setting.origin.span
    }

    /// The value in Kafka's own unit (milliseconds, bytes), converting Spring's typed forms.
    pub fn kafka_number(&self) -> Option<i64> {
        let v = self.known()?.trim();
        match self.spring_type {
            Some(SpringType::Duration) => parse_spring_duration_ms(v),
            Some(SpringType::DataSize) => parse_spring_data_size(v),
            None => v.parse().ok(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Consume,
    Produce,
    /// Named, but whether read or written is not clear from the name.
    Unknown,
}

/// A topic a client names.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicUse {
    pub name: String,
    pub span: Span,
    pub direction: Direction,
    /// Where it was read: an env var, a property, a KEDA trigger.
    pub from: String,
}

/// A Kafka client workload container, or a client config file linted on its own.
#[derive(Clone, Debug)]
pub struct Client {
    /// Index into [`crate::Model::resources`]; none for standalone files.
    pub resource: Option<usize>,
    pub container: Option<String>,
    pub file: SourceId,
    /// Directory of the file, to tell related manifests from unrelated ones.
    pub dir: Option<String>,
    /// Where findings about the client as a whole go.
    pub anchor: Span,
    /// `Deployment/coupon container app`, `consumer.properties`.
    pub display: String,
    pub image: Option<String>,
    pub settings: Vec<ClientSetting>,
    pub topics: Vec<TopicUse>,
    /// Why settings may exist that the input does not show (a Secret, a missing ConfigMap).
    pub open: Option<String>,
    /// A Kafka Connect or MirrorMaker worker config: its client keys are prefixed and its
    /// group is the worker cluster's, so client rules leave it alone.
    pub connect: bool,
}

impl Client {
    /// The setting Kafka uses for `key` in `view`, if anything sets it.
    pub fn effective(&self, key: &str, view: View) -> Option<&ClientSetting> {
        let roles = view.roles();
        self.settings
            .iter()
            .enumerate()
            .filter(|(_, s)| s.key == key && !s.guessed && roles.contains(&s.role))
            .max_by_key(|(i, s)| {
                let level = roles.iter().position(|r| *r == s.role).unwrap_or(0);
                (level, s.precedence, *i)
            })
            .map(|(_, s)| s)
    }

    /// Whether the client runs Kafka Streams (it sets something only Streams reads).
    pub fn uses_streams(&self) -> bool {
        self.settings.iter().any(|s| {
            matches!(
                s.role,
                Role::Streams | Role::StreamsProducer | Role::StreamsConsumer
            )
        })
    }

    /// The client instances this config can describe: Kafka Streams ones only for Streams apps.
    pub fn views(&self) -> Vec<View> {
        let streams = self.uses_streams();
        View::ALL
            .into_iter()
            .filter(|v| streams || matches!(v, View::Producer | View::Consumer))
            .collect()
    }

    /// Whether any setting of this client reaches `view`.
    pub fn has_view(&self, view: View) -> bool {
        let roles = view.roles();
        self.settings
            .iter()
            .any(|s| !s.guessed && roles.contains(&s.role))
    }

    /// The consumer group ids this client joins: the effective `group.id` of its consumers,
    /// Kafka Streams' `application.id`, and every group-like env var.
    pub fn group_ids(&self) -> Vec<&ClientSetting> {
        let mut out: Vec<&ClientSetting> = Vec::new();
        for view in [View::Consumer, View::StreamsConsumer] {
            if let Some(s) = self.effective("group.id", view) {
                out.push(s);
            }
        }
        if let Some(s) = self.effective("application.id", View::StreamsConsumer) {
            out.push(s);
        }
        out.extend(
            self.settings
                .iter()
                .filter(|s| s.guessed && s.key == "group.id"),
        );
        let mut seen: Vec<&str> = Vec::new();
        out.retain(|s| match s.known() {
            Some(v) if !v.trim().is_empty() && !seen.contains(&v) => {
                seen.push(v);
                true
            }
            _ => false,
        });
        out
    }

    /// Topics this client may read: consumed, or named without a clear direction.
    pub fn consumed_topics(&self) -> impl Iterator<Item = &TopicUse> {
        self.topics
            .iter()
            .filter(|t| t.direction != Direction::Produce)
    }

    /// Bootstrap servers the client uses, when known.
    pub fn bootstrap(&self) -> Option<&ClientSetting> {
        View::ALL
            .iter()
            .find_map(|v| self.effective("bootstrap.servers", *v))
            .or_else(|| {
                self.settings
                    .iter()
                    .find(|s| s.guessed && s.key == "bootstrap.servers")
            })
    }
}

/// A Spring property resolved to the Kafka key it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpringKey {
    pub role: Role,
    /// The Kafka key, or `None` for Spring-only properties (listener, template...).
    pub key: Option<String>,
    pub first_class: bool,
    pub spring_type: Option<SpringType>,
    /// `spring.kafka.template.default-topic` names a topic the app writes to.
    pub topic: Option<Direction>,
}

/// Lower-case and drop `-`/`_`: Spring's relaxed binding compares names this way.
fn canonical(segment: &str) -> String {
    segment
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Spring Boot's first-class Kafka properties (canonical form) and the Kafka key each sets.
fn first_class(role: Role, name: &str) -> Option<(&'static str, Option<SpringType>)> {
    use SpringType::{DataSize, Duration};
    let common = match name {
        "bootstrapservers" => Some(("bootstrap.servers", None)),
        "clientid" => Some(("client.id", None)),
        "securityprotocol" => Some(("security.protocol", None)),
        _ => None,
    };
    let specific = match (role, name) {
        (Role::Consumer, "autocommitinterval") => Some(("auto.commit.interval.ms", Some(Duration))),
        (Role::Consumer, "autooffsetreset") => Some(("auto.offset.reset", None)),
        (Role::Consumer, "enableautocommit") => Some(("enable.auto.commit", None)),
        (Role::Consumer, "fetchmaxwait") => Some(("fetch.max.wait.ms", Some(Duration))),
        (Role::Consumer, "fetchminsize") => Some(("fetch.min.bytes", Some(DataSize))),
        (Role::Consumer, "groupid") => Some(("group.id", None)),
        (Role::Consumer, "heartbeatinterval") => Some(("heartbeat.interval.ms", Some(Duration))),
        (Role::Consumer, "isolationlevel") => Some(("isolation.level", None)),
        (Role::Consumer, "keydeserializer") => Some(("key.deserializer", None)),
        (Role::Consumer, "valuedeserializer") => Some(("value.deserializer", None)),
        (Role::Consumer, "maxpollrecords") => Some(("max.poll.records", None)),
        (Role::Consumer, "maxpollinterval") => Some(("max.poll.interval.ms", Some(Duration))),
        (Role::Producer, "acks") => Some(("acks", None)),
        (Role::Producer, "batchsize") => Some(("batch.size", Some(DataSize))),
        (Role::Producer, "buffermemory") => Some(("buffer.memory", Some(DataSize))),
        (Role::Producer, "compressiontype") => Some(("compression.type", None)),
        (Role::Producer, "keyserializer") => Some(("key.serializer", None)),
        (Role::Producer, "valueserializer") => Some(("value.serializer", None)),
        (Role::Producer, "retries") => Some(("retries", None)),
        (Role::Streams, "applicationid") => Some(("application.id", None)),
        (Role::Streams, "replicationfactor") => Some(("replication.factor", None)),
        (Role::Streams, "statedir") => Some(("state.dir", None)),
        _ => None,
    };
    specific.or(common)
}

/// Kafka Streams routes prefixed keys to one internal client.
fn streams_prefixed(key: &str) -> (Role, &str) {
    for (prefix, role) in [
        ("main.consumer.", Role::StreamsConsumer),
        ("restore.consumer.", Role::StreamsConsumer),
        ("global.consumer.", Role::StreamsConsumer),
        ("consumer.", Role::StreamsConsumer),
        ("producer.", Role::StreamsProducer),
        ("admin.", Role::Admin),
    ] {
        if let Some(rest) = key.strip_prefix(prefix) {
            return (role, rest);
        }
    }
    (Role::Streams, key)
}

fn role_of(segment: &str) -> Option<Role> {
    Some(match segment {
        "consumer" => Role::Consumer,
        "producer" => Role::Producer,
        "admin" => Role::Admin,
        "streams" => Role::Streams,
        _ => return None,
    })
}

/// The part of a property after `spring.kafka.` in segments, map keys kept whole.
fn resolve(segments: &[String], map_key: Option<&str>) -> Option<SpringKey> {
    let after_first = segments.get(1..).unwrap_or(&[]);
    let (role, rest) = match segments.first().map(|s| canonical(s)) {
        Some(s) if role_of(&s).is_some() => (role_of(&s)?, after_first),
        Some(s)
            if matches!(
                s.as_str(),
                "listener" | "template" | "jaas" | "retry" | "ssl"
            ) =>
        {
            let topic = (s == "template" && rest_canonical(after_first) == "defaulttopic")
                .then_some(Direction::Produce);
            return Some(SpringKey {
                role: Role::Common,
                key: None,
                first_class: true,
                spring_type: None,
                topic,
            });
        }
        _ => (Role::Common, segments),
    };
    if rest.first().map(|s| canonical(s)).as_deref() == Some("properties") {
        let key = match map_key {
            Some(k) => k.to_string(),
            None => rest.get(1..).unwrap_or(&[]).join("."),
        };
        if key.is_empty() {
            return None;
        }
        let (role, key) = if role == Role::Streams {
            let (r, k) = streams_prefixed(&key);
            (r, k.to_string())
        } else {
            (role, key)
        };
        return Some(SpringKey {
            role,
            key: Some(key),
            first_class: false,
            spring_type: None,
            topic: None,
        });
    }
    let name = rest_canonical(rest);
    let (key, spring_type) = match first_class(role, &name) {
        Some((k, t)) => (Some(k.to_string()), t),
        None => (None, None),
    };
    Some(SpringKey {
        role,
        key,
        first_class: true,
        spring_type,
        topic: None,
    })
}

fn rest_canonical(segments: &[String]) -> String {
    segments.iter().map(|s| canonical(s)).collect()
}

/// A Spring property as written in `.properties`/`.yaml` (`spring.kafka.consumer.group-id`,
/// `spring.kafka.streams.properties[producer.acks]`) to the Kafka key it sets.
pub fn spring_property(name: &str) -> Option<SpringKey> {
    // One segment is never `spring.kafka.…`; most env var names stop here.
    if !name.contains(['.', '[']) {
        return None;
    }
    // Split on dots outside brackets; a bracketed segment is a map key taken whole.
    let mut segments: Vec<String> = Vec::new();
    let mut map_key: Option<String> = None;
    let mut current = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => segments.push(std::mem::take(&mut current)),
            '[' => {
                segments.push(std::mem::take(&mut current));
                let inner: String = chars.by_ref().take_while(|c| *c != ']').collect();
                map_key = Some(inner);
                // Anything after the bracket would be a nested field of the map value.
                if chars.peek().is_some() {
                    return None;
                }
                break;
            }
            _ => current.push(c),
        }
    }
    if map_key.is_none() {
        segments.push(current);
    }
    segments.retain(|s| !s.is_empty());
    match segments.as_slice() {
        [spring, kafka, rest @ ..]
            if canonical(spring) == "spring" && canonical(kafka) == "kafka" =>
        {
            resolve(rest, map_key.as_deref())
        }
        _ => None,
    }
}

/// A Spring env var (`SPRING_KAFKA_CONSUMER_GROUP_ID`, `SPRING_KAFKA_PRODUCER_PROPERTIES_LINGER_MS`)
/// to the Kafka key it sets. Map keys bound from env are lower-case and dot-separated.
pub fn spring_env(name: &str) -> Option<SpringKey> {
    const PREFIX: &str = "spring_kafka_";
    if !name
        .get(..PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(PREFIX))
    {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix(PREFIX)?;
    let segments: Vec<String> = rest.split('_').map(str::to_string).collect();
    resolve(&segments, None)
}

/// `10s`, `500ms`, `PT10S`, or plain milliseconds, as milliseconds.
pub fn parse_spring_duration_ms(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    if let Some(iso) = t.strip_prefix("PT").or_else(|| t.strip_prefix("pt")) {
        let (num, unit) = iso.split_at(iso.find(|c: char| c.is_ascii_alphabetic())?);
        let n: f64 = num.parse().ok()?;
        let factor = match unit.to_ascii_uppercase().as_str() {
            "S" => 1000.0,
            "M" => 60_000.0,
            "H" => 3_600_000.0,
            _ => return None,
        };
        return Some((n * factor) as i64);
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = t.split_at(split);
    let n: i64 = num.parse().ok()?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// `512KB`, `1MB`, or plain bytes, as bytes (Spring's `DataSize`: binary multiples).
pub fn parse_spring_data_size(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = t.split_at(split);
    let n: i64 = num.parse().ok()?;
    let factor: i64 = match unit.trim().to_ascii_uppercase().as_str() {
        "B" => 1,
        "KB" => 1 << 10,
        "MB" => 1 << 20,
        "GB" => 1 << 30,
        "TB" => 1 << 40,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// Keys that make a `.properties` file a Kafka client config.
fn is_client_key(key: &str) -> bool {
    key.starts_with("spring.kafka.")
        || key.starts_with("spring.cloud.stream.")
        || matches!(
            key,
            "bootstrap.servers"
                | "group.id"
                | "acks"
                | "enable.idempotence"
                | "enable.auto.commit"
                | "auto.offset.reset"
                | "key.serializer"
                | "value.serializer"
                | "key.deserializer"
                | "value.deserializer"
                | "security.protocol"
                | "sasl.mechanism"
                | "application.id"
        )
}

/// Keys only a Kafka Connect or MirrorMaker worker config has.
fn is_connect_key(key: &str) -> bool {
    matches!(
        key,
        "key.converter"
            | "value.converter"
            | "offset.storage.topic"
            | "offset.storage.file.filename"
            | "config.storage.topic"
            | "status.storage.topic"
            | "plugin.path"
            | "connector.class"
            | "clusters"
            | "tasks.max"
    )
}

/// Keys that make a file a broker's or controller's own config, whatever else it holds.
fn is_broker_identity_key(key: &str) -> bool {
    matches!(
        key,
        "broker.id"
            | "node.id"
            | "process.roles"
            | "log.dirs"
            | "log.dir"
            | "zookeeper.connect"
            | "listeners"
            | "advertised.listeners"
            | "controller.quorum.voters"
            | "controller.quorum.bootstrap.servers"
            | "inter.broker.listener.name"
    )
}

/// A standalone `.properties` file is a client config when it has client keys and none that
/// only a broker's own config has. Broker settings next to `group.id` stay with the client,
/// where they do nothing.
pub(crate) fn is_client_properties(entries: &[PropEntry]) -> bool {
    entries.iter().any(|e| is_client_key(&e.key))
        && !entries.iter().any(|e| is_broker_identity_key(&e.key))
}

/// Tracks settings and topics while reading one client's sources.
#[derive(Default)]
struct Collector {
    settings: Vec<ClientSetting>,
    topics: Vec<TopicUse>,
    connect: bool,
    /// Any sign of Kafka: without one, group- and topic-like env vars are someone else's.
    kafka_signal: bool,
}

impl Collector {
    fn spring(
        &mut self,
        key: SpringKey,
        written: &str,
        key_span: Span,
        s: Setting,
        from_env: bool,
    ) {
        self.kafka_signal = true;
        if let (Some(dir), Some(v)) = (key.topic, s.value.known()) {
            self.push_topics(v, s.origin.span, dir, written);
        }
        let Some(kafka_key) = key.key else { return };
        let level = match key.role {
            Role::Common => 0,
            Role::Streams => 2,
            _ => 4,
        };
        let precedence = level * 2 + u8::from(!key.first_class) * 2 + u8::from(from_env);
        self.settings.push(ClientSetting {
            key: kafka_key,
            role: key.role,
            written: written.to_string(),
            key_span,
            setting: s,
            spring_type: key.spring_type,
            first_class: key.first_class,
            guessed: false,
            precedence,
        });
    }

    /// A plain Kafka client key (a client `.properties` file, a `properties.*` entry).
    fn plain(&mut self, key: &str, key_span: Span, s: Setting) {
        self.kafka_signal = true;
        if is_connect_key(key) {
            self.connect = true;
        }
        self.settings.push(ClientSetting {
            key: key.to_string(),
            role: Role::Common,
            written: key.to_string(),
            key_span,
            setting: s,
            spring_type: None,
            first_class: false,
            guessed: false,
            precedence: 1,
        });
    }

    /// Spring Cloud Stream: `spring.cloud.stream.bindings.<binding>.group|destination`.
    fn cloud_stream(&mut self, binding: &str, field: &str, written: &str, s: Setting) {
        self.kafka_signal = true;
        let b = binding.to_ascii_lowercase();
        let direction = if b.contains("-in-") || b.contains("input") || b.ends_with("_in") {
            Direction::Consume
        } else if b.contains("-out-") || b.contains("output") || b.ends_with("_out") {
            Direction::Produce
        } else {
            Direction::Unknown
        };
        match field {
            "group" => self.settings.push(ClientSetting {
                key: "group.id".into(),
                role: Role::Consumer,
                written: written.to_string(),
                key_span: s.origin.span,
                setting: s,
                spring_type: None,
                first_class: true,
                guessed: true,
                precedence: 9,
            }),
            "destination" => {
                if let Some(v) = s.value.known() {
                    self.push_topics(v, s.origin.span, direction, written);
                }
            }
            _ => {}
        }
    }

    fn push_topics(&mut self, value: &str, span: Span, direction: Direction, from: &str) {
        for name in value.split(',').map(str::trim) {
            if is_topic_name(name) {
                self.topics.push(TopicUse {
                    name: name.to_string(),
                    span,
                    direction,
                    from: from.to_string(),
                });
            }
        }
    }

    /// A `spring.*` property or a plain key from a properties or YAML source.
    fn property(&mut self, key: &str, key_span: Span, s: Setting, spring_file: bool) {
        if let Some(k) = spring_property(key) {
            self.spring(k, key, key_span, s, false);
        } else if let Some(rest) = key.strip_prefix("spring.cloud.stream.bindings.") {
            if let Some((binding, field)) = rest.rsplit_once('.') {
                self.cloud_stream(binding, field, key, s);
            }
        } else if !spring_file && !key.starts_with("spring.") {
            self.plain(key, key_span, s);
        }
    }

    /// An env var of a container or an env file.
    fn env(&mut self, name: &str, var: &EnvVar, key_span: Span) {
        let s = setting(var.value.clone(), var.span, var.via.clone(), var.linear);
        // Kubernetes allows dotted names, and Spring reads `spring.kafka.x` from the
        // environment as written.
        if let Some(k) = spring_env(name).or_else(|| spring_property(name)) {
            self.spring(k, name, key_span, s, true);
            return;
        }
        let upper = name.to_ascii_uppercase();
        if let Some(rest) = upper.strip_prefix("SPRING_CLOUD_STREAM_BINDINGS_") {
            for field in ["GROUP", "DESTINATION"] {
                if let Some(binding) = rest.strip_suffix(&format!("_{field}")) {
                    self.cloud_stream(binding, &field.to_ascii_lowercase(), name, s);
                    return;
                }
            }
            return;
        }
        if upper.starts_with("CONNECT_")
            || matches!(
                upper.as_str(),
                "CONFIG_STORAGE_TOPIC" | "OFFSET_STORAGE_TOPIC" | "STATUS_STORAGE_TOPIC"
            )
        {
            self.connect = true;
        }
        if upper.contains("KAFKA") || upper.contains("BOOTSTRAP_SERVER") {
            self.kafka_signal = true;
        }
        if let Some(kind) = guessed_kind(&upper) {
            let Some(v) = s.value.known() else { return };
            match kind {
                Guess::Group if is_group_id(v) => self.settings.push(ClientSetting {
                    key: "group.id".into(),
                    role: Role::Consumer,
                    written: name.to_string(),
                    key_span,
                    setting: s,
                    spring_type: None,
                    first_class: false,
                    guessed: true,
                    precedence: 9,
                }),
                Guess::Bootstrap => self.settings.push(ClientSetting {
                    key: "bootstrap.servers".into(),
                    role: Role::Common,
                    written: name.to_string(),
                    key_span,
                    setting: s,
                    spring_type: None,
                    first_class: false,
                    guessed: true,
                    precedence: 9,
                }),
                Guess::Topic(direction) => {
                    let v = v.to_string();
                    self.push_topics(&v, s.origin.span, direction, name);
                }
                Guess::Group => {}
            }
        }
    }
}

enum Guess {
    Group,
    Bootstrap,
    Topic(Direction),
}

/// Env var names that by convention carry a group id, bootstrap servers or topic names.
fn guessed_kind(upper: &str) -> Option<Guess> {
    // Broker and tool settings that merely mention groups or topics.
    const NOT_NAMES: &[&str] = &[
        "REPLICATION",
        "PARTITION",
        "ENABLE",
        "IGNORE",
        "OFFSETS_TOPIC",
        "STORAGE_TOPIC",
        "AUTO_CREATE",
        "REBALANCE",
        "SESSION",
        "HEARTBEAT",
        "_MS",
        "PREFIX",
        "PATTERN",
        "REGEX",
        "COUNT",
        "NUM",
    ];
    if NOT_NAMES.iter().any(|n| upper.contains(n)) {
        return None;
    }
    let squashed: String = upper.chars().filter(|c| *c != '_').collect();
    if squashed.ends_with("GROUPID")
        || squashed.ends_with("CONSUMERGROUP")
        || squashed.ends_with("CONSUMERGROUPNAME")
        || (squashed.ends_with("GROUPNAME") && squashed.contains("KAFKA"))
    {
        return Some(Guess::Group);
    }
    if squashed.ends_with("BOOTSTRAPSERVERS")
        || squashed.ends_with("BOOTSTRAPSERVER")
        || squashed == "KAFKABROKERS"
        || squashed == "KAFKABROKER"
    {
        return Some(Guess::Bootstrap);
    }
    let trimmed = upper.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_');
    if trimmed.ends_with("TOPIC")
        || trimmed.ends_with("TOPICS")
        || trimmed.ends_with("TOPIC_NAME")
        || trimmed.ends_with("TOPIC_NAMES")
        || squashed.ends_with("TOPIC")
    {
        let produce = [
            "OUTPUT", "OUT_", "PRODUCE", "PRODUCER", "SINK", "TARGET", "DLQ", "DEAD", "RETRY",
            "NEXT", "REPLY", "RESPONSE", "ERROR", "PUBLISH", "DEST",
        ];
        let consume = [
            "INPUT",
            "IN_",
            "CONSUME",
            "CONSUMER",
            "SOURCE",
            "SUBSCRIBE",
            "LISTEN",
        ];
        let direction = if produce.iter().any(|p| upper.contains(p)) {
            Direction::Produce
        } else if consume.iter().any(|p| upper.contains(p)) {
            Direction::Consume
        } else {
            Direction::Unknown
        };
        return Some(Guess::Topic(direction));
    }
    None
}

/// Kafka's legal topic names: letters, digits, `.`, `_`, `-`, at most 249 characters.
fn is_topic_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 249
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// A plausible consumer group id: not empty, not a number (a Unix group id), no expansion left.
fn is_group_id(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && !t.chars().all(|c| c.is_ascii_digit())
        && !t.contains('$')
        && !t.contains(char::is_whitespace)
}

/// The pod spec of any workload kind, including CronJobs and pod-templated custom resources.
pub(crate) fn pod_spec_of<'n>(node: &'n Node, kind: &str) -> Option<&'n Node> {
    match kind {
        "Pod" => node.get("spec"),
        "CronJob" => node.path(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => node.path(&["spec", "template", "spec"]),
    }
}

/// Properties embedded in a ConfigMap value, each entry mapped to its place in the YAML file.
fn embedded_properties(node: &Node) -> Vec<(PropEntry, Span, Span, bool)> {
    let text = node.as_str().unwrap_or("");
    let Ok(entries) = properties::parse(text, node.span.source) else {
        return Vec::new();
    };
    let exact = node.style() == Some(ScalarStyle::Literal);
    entries
        .into_iter()
        .map(|e| {
            let (key_span, value_span) = if exact {
                (map_span(node, e.key_span), map_span(node, e.value_span))
            } else {
                (node.span, node.span)
            };
            (e, key_span, value_span, exact)
        })
        .collect()
}

/// A span inside a literal block's text, as a span of the YAML file.
pub(crate) fn map_span(node: &Node, inner: Span) -> Span {
    let p = |pos: kafkalint_syntax::Pos| {
        node.position_in_value(pos.line.saturating_sub(1), pos.col.saturating_sub(1))
    };
    Span::new(node.span.source, p(inner.start), p(inner.end))
}

/// Leaves of a YAML mapping as dotted property names (`spring.kafka.consumer.group-id`).
fn flatten<'n>(node: &'n Node, prefix: &str, out: &mut Vec<(String, &'n Node, &'n Node)>) {
    for (k, v) in node.as_map() {
        let Some(key) = k.as_str() else { continue };
        let name = if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        };
        if v.is_map() {
            flatten(v, &name, out);
        } else if v.is_seq() {
            // Lists (bootstrap servers, topics) bind as comma-joined values.
            let joined: Vec<&str> = v.as_seq().iter().filter_map(Node::as_str).collect();
            if !joined.is_empty() {
                out.push((name, k, v));
            }
        } else {
            out.push((name, k, v));
        }
    }
}

fn yaml_scalar_text(v: &Node) -> String {
    if v.is_seq() {
        v.as_seq()
            .iter()
            .filter_map(Node::as_str)
            .collect::<Vec<_>>()
            .join(",")
    } else {
        v.as_str().unwrap_or("").to_string()
    }
}

/// A Spring `application.yaml` document: only its Kafka-related leaves matter.
fn collect_yaml(c: &mut Collector, doc: &Node, map: &dyn Fn(Span) -> Span, exact: bool) {
    let mut leaves = Vec::new();
    flatten(doc, "", &mut leaves);
    for (name, k, v) in leaves {
        if !name.starts_with("spring.kafka.") && !name.starts_with("spring.cloud.stream.") {
            continue;
        }
        let linear = exact && is_linear(v);
        let span = if exact {
            map(value_span(v))
        } else {
            map(v.span)
        };
        let s = setting(
            Value::Known(yaml_scalar_text(v)),
            span,
            Via::Properties,
            linear,
        );
        c.property(&name, map(k.span), s, true);
    }
}

fn is_spring_config_name(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("application") || lower.starts_with("bootstrap")
}

fn is_yaml_name(key: &str) -> bool {
    key.ends_with(".yaml") || key.ends_with(".yml")
}

impl Ctx<'_> {
    /// Client containers of every workload in the input.
    pub(crate) fn clients(
        &self,
        brokers: &[Broker],
        dirs: &dyn Fn(SourceId) -> Option<String>,
    ) -> Vec<Client> {
        let mut out = Vec::new();
        // Broker containers by resource, so each container is checked in constant time.
        let mut broker_containers: std::collections::HashMap<usize, Vec<&str>> =
            std::collections::HashMap::new();
        for b in brokers {
            if let (Some(i), BrokerSource::Workload { container }) = (b.resource, &b.source) {
                broker_containers
                    .entry(i)
                    .or_default()
                    .push(container.as_str());
            }
        }
        for (index, r) in self.resources.iter().enumerate() {
            let Some(pod_spec) = pod_spec_of(&r.node, r.kind()) else {
                continue;
            };
            for container in pod_spec.get("containers").map_or(&[][..], Node::as_seq) {
                let name = container.text_at(&["name"]).unwrap_or("");
                let is_broker = broker_containers
                    .get(&index)
                    .is_some_and(|names| names.contains(&name));
                let image = container.text_at(&["image"]).unwrap_or("");
                // Kafka images run brokers, ZooKeeper, Connect and tools; their KAFKA_* env is
                // broker or tool config, not client settings.
                if is_broker || crate::image::family_of(image).is_some() {
                    continue;
                }
                let mut c = Collector::default();
                let (env, blind) = self.container_env(r, container);
                let env_key_spans = env_name_spans(container);
                for (n, var) in &env {
                    let key_span = env_key_spans
                        .iter()
                        .rev()
                        .find(|(k, _)| k == n)
                        .map_or(var.span, |(_, s)| *s);
                    c.env(n, var, key_span);
                }
                self.mounted_client_files(&mut c, pod_spec, container, r);
                if !c.kafka_signal || (c.settings.is_empty() && c.topics.is_empty()) {
                    continue;
                }
                let anchor = container.path(&["name"]).map_or(container.span, |n| n.span);
                out.push(Client {
                    resource: Some(index),
                    container: Some(name.to_string()),
                    file: r.file,
                    dir: dirs(r.file),
                    anchor,
                    display: format!("{} container {}", r.display(), name),
                    image: (!image.is_empty()).then(|| image.to_string()),
                    settings: c.settings,
                    topics: c.topics,
                    open: blind.first().cloned(),
                    connect: c.connect,
                });
            }
        }
        out
    }

    /// `application.properties`/`.yaml` and client `.properties` from ConfigMaps the pod mounts.
    fn mounted_client_files(
        &self,
        c: &mut Collector,
        pod_spec: &Node,
        container: &Node,
        owner: &crate::Resource,
    ) {
        let mounted: Vec<&str> = container
            .get("volumeMounts")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter_map(|m| m.text_at(&["name"]))
            .collect();
        // ConfigMap volumes, and ConfigMaps inside projected volumes.
        let names: Vec<&str> = pod_spec
            .get("volumes")
            .map_or(&[][..], Node::as_seq)
            .iter()
            .filter(|v| v.text_at(&["name"]).is_some_and(|n| mounted.contains(&n)))
            .flat_map(|v| {
                let direct = v.text_at(&["configMap", "name"]);
                let projected = v
                    .path(&["projected", "sources"])
                    .map_or(&[][..], Node::as_seq)
                    .iter()
                    .filter_map(|s| s.text_at(&["configMap", "name"]));
                direct.into_iter().chain(projected)
            })
            .collect();
        for cm_name in names {
            let Some(cm) = self.configmap(cm_name, owner) else {
                continue;
            };
            for (k, value) in cm.node.get("data").map_or(&[][..], Node::as_map) {
                let key = k.as_str().unwrap_or("");
                if key.ends_with(".properties") {
                    let entries = embedded_properties(value);
                    let spring = is_spring_config_name(key)
                        || entries.iter().any(|(e, ..)| e.key.starts_with("spring."));
                    let client_file = entries.iter().any(|(e, ..)| is_client_key(&e.key))
                        && !entries.iter().any(|(e, ..)| is_broker_identity_key(&e.key));
                    if !spring && !client_file {
                        continue;
                    }
                    for (e, key_span, value_span, exact) in entries {
                        let s = setting(Value::Known(e.value), value_span, Via::Properties, exact);
                        c.property(&e.key, key_span, s, spring);
                    }
                } else if is_yaml_name(key) && is_spring_config_name(key) {
                    let text = value.as_str().unwrap_or("");
                    let Ok(docs) = yaml::parse(text, value.span.source, &Limits::default()) else {
                        continue;
                    };
                    let exact = value.style() == Some(ScalarStyle::Literal);
                    let map = |s: Span| {
                        if exact {
                            map_span(value, s)
                        } else {
                            value.span
                        }
                    };
                    for doc in &docs {
                        collect_yaml(c, doc, &map, exact);
                    }
                }
            }
        }
    }

    /// A standalone client `.properties` file.
    pub(crate) fn properties_file_client(
        &self,
        f: StandaloneFile<PropEntry>,
        dir: Option<String>,
    ) -> Option<Client> {
        let mut c = Collector::default();
        let spring = f.entries.iter().any(|e| e.key.starts_with("spring."));
        for e in f.entries {
            let s = setting(Value::Known(e.value), e.value_span, Via::Properties, true);
            c.property(&e.key, e.key_span, s, spring);
        }
        (!c.settings.is_empty() || !c.topics.is_empty()).then(|| Client {
            resource: None,
            container: None,
            file: f.file,
            dir,
            anchor: Span::on_line(f.file, 1, 1, 1),
            display: f.display,
            image: None,
            settings: c.settings,
            topics: c.topics,
            open: None,
            connect: c.connect,
        })
    }

    /// A standalone env file with Spring Kafka settings.
    pub(crate) fn env_file_client(
        &self,
        f: &StandaloneFile<EnvEntry>,
        dir: Option<String>,
    ) -> Option<Client> {
        if !f.entries.iter().any(|e| e.key.starts_with("SPRING_KAFKA_")) {
            return None;
        }
        let mut c = Collector::default();
        for e in &f.entries {
            let var = EnvVar {
                value: match &e.value {
                    Some(v) => Value::Known(v.clone()),
                    None => {
                        Value::Unknown(format!("{} takes its value from the environment", e.key))
                    }
                },
                span: e.value_span,
                linear: true,
                via: Via::Env(e.key.clone()),
            };
            c.env(&e.key, &var, e.key_span);
        }
        (!c.settings.is_empty()).then(|| Client {
            resource: None,
            container: None,
            file: f.file,
            dir,
            anchor: Span::on_line(f.file, 1, 1, 1),
            display: f.display.clone(),
            image: None,
            settings: c.settings,
            topics: c.topics,
            open: None,
            connect: c.connect,
        })
    }
}

/// A Spring `application.yaml` linted on its own (a YAML document with no `kind`).
pub(crate) fn yaml_document_client(
    file: SourceId,
    doc: &Node,
    display: &str,
    dir: Option<String>,
) -> Option<Client> {
    doc.path(&["spring"])?;
    let mut c = Collector::default();
    collect_yaml(&mut c, doc, &|s| s, true);
    (!c.settings.is_empty() || !c.topics.is_empty()).then(|| Client {
        resource: None,
        container: None,
        file,
        dir,
        anchor: doc.span,
        display: display.to_string(),
        image: None,
        settings: c.settings,
        topics: c.topics,
        open: None,
        connect: false,
    })
}

/// The span of each `env[].name`, to point at the variable as well as its value.
fn env_name_spans(container: &Node) -> Vec<(String, Span)> {
    container
        .get("env")
        .map_or(&[][..], Node::as_seq)
        .iter()
        .filter_map(|e| {
            let n = e.get("name")?;
            Some((n.as_str()?.to_string(), n.span))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spring_properties_map_to_kafka_keys() {
        let k = spring_property("spring.kafka.consumer.group-id").unwrap();
        assert_eq!(
            (k.role, k.key.as_deref()),
            (Role::Consumer, Some("group.id"))
        );
        let k = spring_property("spring.kafka.consumer.groupId").unwrap();
        assert_eq!(k.key.as_deref(), Some("group.id"));
        let k = spring_property("spring.kafka.streams.properties[producer.acks]").unwrap();
        assert_eq!(
            (k.role, k.key.as_deref()),
            (Role::StreamsProducer, Some("acks"))
        );
        let k = spring_property("spring.kafka.streams.properties[log.flush.interval.messages]")
            .unwrap();
        assert_eq!(
            (k.role, k.key.as_deref()),
            (Role::Streams, Some("log.flush.interval.messages"))
        );
        let k = spring_property("spring.kafka.producer.properties.batch.size").unwrap();
        assert_eq!(
            (k.role, k.key.as_deref(), k.first_class),
            (Role::Producer, Some("batch.size"), false)
        );
        let k = spring_property("spring.kafka.template.default-topic").unwrap();
        assert_eq!(k.topic, Some(Direction::Produce));
        assert!(spring_property("spring.datasource.url").is_none());
    }

    #[test]
    fn spring_env_relaxed_binding() {
        for name in [
            "SPRING_KAFKA_CONSUMER_GROUP_ID",
            "SPRING_KAFKA_CONSUMER_GROUPID",
        ] {
            let k = spring_env(name).unwrap();
            assert_eq!(
                (k.role, k.key.as_deref()),
                (Role::Consumer, Some("group.id")),
                "{name}"
            );
        }
        let k = spring_env("SPRING_KAFKA_PRODUCER_PROPERTIES_ENABLE_IDEMPOTENCE").unwrap();
        assert_eq!(
            (k.role, k.key.as_deref()),
            (Role::Producer, Some("enable.idempotence"))
        );
        let k = spring_env("SPRING_KAFKA_BOOTSTRAP_SERVERS").unwrap();
        assert_eq!(
            (k.role, k.key.as_deref()),
            (Role::Common, Some("bootstrap.servers"))
        );
    }

    #[test]
    fn guessed_env_names() {
        assert!(matches!(guessed_kind("KAFKA_GROUP_ID"), Some(Guess::Group)));
        assert!(matches!(
            guessed_kind("KAFKACONSUMERGROUP"),
            Some(Guess::Group)
        ));
        assert!(matches!(
            guessed_kind("KAFKA_TOPIC_2"),
            Some(Guess::Topic(Direction::Unknown))
        ));
        assert!(matches!(
            guessed_kind("OUTPUT_TOPIC"),
            Some(Guess::Topic(Direction::Produce))
        ));
        assert!(guessed_kind("KAFKA_AUTO_CREATE_TOPICS_ENABLE").is_none());
        assert!(guessed_kind("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR").is_none());
        assert!(guessed_kind("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS").is_none());
        assert!(!is_group_id("1000"));
    }

    #[test]
    fn spring_units() {
        assert_eq!(parse_spring_duration_ms("10s"), Some(10_000));
        assert_eq!(parse_spring_duration_ms("3000"), Some(3000));
        assert_eq!(parse_spring_duration_ms("PT45S"), Some(45_000));
        assert_eq!(parse_spring_data_size("512KB"), Some(524_288));
        assert_eq!(parse_spring_data_size("512KB # x"), None);
    }
}
