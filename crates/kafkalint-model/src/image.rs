//! What popular Kafka images do with their environment: how env vars become broker config,
//! what heap they default to, where they keep data. Facts from the images' entrypoint scripts
//! (bitnami/containers libkafka.sh and kafka-env.sh; confluentinc/kafka-images configure and
//! common-docker ub.go; apache/kafka docker/ scripts and bin/kafka-server-start.sh;
//! wurstmeister/kafka-docker start-kafka.sh; strimzi-kafka-operator).

/// The image families whose conventions we know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageFamily {
    Bitnami,
    Confluent,
    Apache,
    /// apache/kafka-native: GraalVM native image, no JVM options.
    ApacheNative,
    Wurstmeister,
    Strimzi,
    /// A Kafka image we have no conventions for; config comes from files or `--override`.
    Other,
}

impl ImageFamily {
    pub fn name(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "bitnami",
            ImageFamily::Confluent => "cp-kafka",
            ImageFamily::Apache => "apache",
            ImageFamily::ApacheNative => "apache-native",
            ImageFamily::Wurstmeister => "wurstmeister",
            ImageFamily::Strimzi => "strimzi",
            ImageFamily::Other => "other",
        }
    }

    /// Names accepted by `--image`.
    pub fn from_name(name: &str) -> Option<ImageFamily> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bitnami" | "bitnami/kafka" | "bitnamilegacy/kafka" => ImageFamily::Bitnami,
            "cp-kafka" | "confluent" | "confluentinc/cp-kafka" | "cp-server" => {
                ImageFamily::Confluent
            }
            "apache" | "apache/kafka" => ImageFamily::Apache,
            "apache-native" | "apache/kafka-native" => ImageFamily::ApacheNative,
            "wurstmeister" | "wurstmeister/kafka" => ImageFamily::Wurstmeister,
            "strimzi" | "quay.io/strimzi/kafka" => ImageFamily::Strimzi,
            "other" => ImageFamily::Other,
            _ => return None,
        })
    }

    pub const NAMES: &'static [&'static str] = &[
        "bitnami",
        "cp-kafka",
        "apache",
        "apache-native",
        "wurstmeister",
        "strimzi",
        "other",
    ];

    /// `KAFKA_HEAP_OPTS` when the container leaves it empty.
    pub fn default_heap_opts(self) -> Option<&'static str> {
        match self {
            ImageFamily::Bitnami => Some("-Xmx1024m -Xms1024m"),
            ImageFamily::ApacheNative | ImageFamily::Strimzi => None,
            // kafka-server-start.sh sets it when KAFKA_HEAP_OPTS is empty.
            _ => Some("-Xmx1G -Xms1G"),
        }
    }

    /// Where `log.dirs` points when nobody sets it.
    pub fn default_log_dir(self) -> &'static str {
        match self {
            ImageFamily::Bitnami => "/bitnami/kafka/data",
            ImageFamily::Confluent => "/var/lib/kafka/data",
            ImageFamily::Wurstmeister => "/kafka",
            ImageFamily::Strimzi => "/var/lib/kafka/data",
            // Kafka's own default (log.dir); the apache image's packaged config says
            // /tmp/kraft-combined-logs, also on the container filesystem.
            _ => "/tmp/kafka-logs",
        }
    }

    /// JDK major version the image ships, for the GC overhead estimate.
    pub fn jdk(self, kafka_version: Option<(u32, u32)>) -> u32 {
        match self {
            ImageFamily::Apache | ImageFamily::ApacheNative => 21,
            ImageFamily::Confluent if kafka_version.is_some_and(|v| v.0 >= 4) => 21,
            ImageFamily::Wurstmeister => 11,
            _ => 17,
        }
    }

    /// Whether env vars map to broker config for this image.
    pub fn maps_env(self) -> bool {
        matches!(
            self,
            ImageFamily::Bitnami
                | ImageFamily::Confluent
                | ImageFamily::Apache
                | ImageFamily::ApacheNative
                | ImageFamily::Wurstmeister
        )
    }
}

/// An image reference split into repository and tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    pub repository: String,
    pub tag: Option<String>,
}

pub fn split_image(image: &str) -> ImageRef {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    match without_digest[last_slash..].rfind(':') {
        Some(colon) => ImageRef {
            repository: without_digest[..last_slash + colon].to_string(),
            tag: Some(without_digest[last_slash + colon + 1..].to_string()),
        },
        None => ImageRef {
            repository: without_digest.to_string(),
            tag: None,
        },
    }
}

/// The family of a broker image, or `None` when the image is not a Kafka broker image.
pub fn family_of(image: &str) -> Option<ImageFamily> {
    let r = split_image(image);
    let repo = r.repository.to_ascii_lowercase();
    let mut parts: Vec<&str> = repo.split('/').collect();
    let name = parts.pop().unwrap_or("");
    let owner = parts.last().copied().unwrap_or("");
    match (owner, name) {
        ("bitnami" | "bitnamilegacy", "kafka") => Some(ImageFamily::Bitnami),
        ("confluentinc", "cp-kafka" | "cp-server") => Some(ImageFamily::Confluent),
        ("apache", "kafka") => Some(ImageFamily::Apache),
        ("apache", "kafka-native") => Some(ImageFamily::ApacheNative),
        ("wurstmeister", "kafka") => Some(ImageFamily::Wurstmeister),
        ("strimzi", "kafka") => Some(ImageFamily::Strimzi),
        (_, "kafka") => Some(ImageFamily::Other),
        _ => None,
    }
}

/// Kafka `(major, minor)` from an image tag.
pub fn kafka_version_of(image: &str, family: ImageFamily) -> Option<(u32, u32)> {
    let tag = split_image(image).tag?;
    // Strimzi tags look like 0.45.0-kafka-3.9.0.
    let tag = match tag.split_once("kafka-") {
        Some((_, v)) => v.to_string(),
        None => tag,
    };
    let mut nums = tag
        .split(|c: char| !c.is_ascii_digit())
        .take(2)
        .map(|n| n.parse::<u32>().ok());
    let major = nums.next()??;
    let minor = nums.next()??;
    if family == ImageFamily::Confluent {
        // Confluent Platform 7.x ships Kafka 3.x with the same minor; 8.x ships 4.x.
        return match major {
            7 => Some((3, minor)),
            8 => Some((4, minor)),
            _ => None,
        };
    }
    (1..10).contains(&major).then_some((major, minor))
}

/// Env vars the apache start scripts read themselves, never config keys.
const SCRIPT_VARS: &[&str] = &[
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
];

/// bitnami copies `KAFKA_<SUFFIX>` to `KAFKA_CFG_<SUFFIX>` only for these suffixes.
pub const BITNAMI_ALIASES: &[&str] = &[
    "ADVERTISED_LISTENERS",
    "BROKER_ID",
    "NODE_ID",
    "CONTROLLER_QUORUM_VOTERS",
    "PROCESS_ROLES",
    "DEFAULT_REPLICATION_FACTOR",
    "DELETE_TOPIC_ENABLE",
    "INTER_BROKER_LISTENER_NAME",
    "LISTENERS",
    "LISTENER_SECURITY_PROTOCOL_MAP",
    "LOG_DIRS",
    "LOG_FLUSH_INTERVAL_MESSAGES",
    "LOG_FLUSH_INTERVAL_MS",
    "LOG_MESSAGE_FORMAT_VERSION",
    "LOG_RETENTION_BYTES",
    "LOG_RETENTION_CHECK_INTERVALS_MS",
    "LOG_RETENTION_HOURS",
    "LOG_SEGMENT_BYTES",
    "MESSAGE_MAX_BYTES",
    "NUM_IO_THREADS",
    "NUM_NETWORK_THREADS",
    "NUM_PARTITIONS",
    "NUM_RECOVERY_THREADS_PER_DATA_DIR",
    "OFFSETS_TOPIC_REPLICATION_FACTOR",
    "SOCKET_RECEIVE_BUFFER_BYTES",
    "SOCKET_REQUEST_MAX_BYTES",
    "SOCKET_SEND_BUFFER_BYTES",
    "SSL_ENDPOINT_IDENTIFICATION_ALGORITHM",
    "TRANSACTION_STATE_LOG_MIN_ISR",
    "TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
    "ZOOKEEPER_CONNECT",
    "ZOOKEEPER_CONNECTION_TIMEOUT_MS",
];

const BITNAMI_RENAMED: &[(&str, &str)] = &[
    ("KAFKA_LOGS_DIRS", "LOG_DIRS"),
    ("KAFKA_SEGMENT_BYTES", "LOG_SEGMENT_BYTES"),
    ("KAFKA_MAX_MESSAGE_BYTES", "MESSAGE_MAX_BYTES"),
    (
        "KAFKA_ZOOKEEPER_CONNECT_TIMEOUT_MS",
        "ZOOKEEPER_CONNECTION_TIMEOUT_MS",
    ),
    (
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE",
        "AUTO_CREATE_TOPICS_ENABLE",
    ),
];

/// What an image does with one environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvEffect {
    /// Becomes this broker config key.
    Config(String),
    /// Read by the image or start scripts (heap, JVM options, cluster id...).
    ImageVar,
    /// Not a Kafka variable at all.
    Unrelated,
    /// A `KAFKA_` variable the image silently drops.
    Ignored,
}

fn dots_lower(s: &str) -> String {
    s.to_ascii_lowercase().replace('_', ".")
}

/// The confluent / apache escape convention: `___` is `-`, `__` is `_`, `_` is `.`.
fn escaped_key(s: &str) -> String {
    // Byte by byte: only ASCII `_` runs are rewritten, so other bytes, UTF-8 included, are
    // copied as they are (lowercased when ASCII).
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'_' {
            out.push(b.to_ascii_lowercase());
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|&&b| b == b'_').count();
        match run {
            1 => out.push(b'.'),
            2 => out.push(b'_'),
            3 => out.push(b'-'),
            // Undefined by the images; keep something recognisable.
            _ => out.extend(std::iter::repeat_n(b'_', run)),
        }
        i += run;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Whether `var` sets config `key` in images of `family`: [`env_effect`] without building a
/// key for each variable that cannot be the one.
pub fn env_sets(family: ImageFamily, var: &str, key: &str) -> bool {
    // Every mapping spells the key with the variable's own letters, in order, except the
    // Bitnami variables renamed by table.
    let renamed =
        family == ImageFamily::Bitnami && BITNAMI_RENAMED.iter().any(|(from, _)| *from == var);
    if !renamed && !spelled_within(key, var) {
        return false;
    }
    matches!(env_effect(family, var), EnvEffect::Config(k) if k == key)
}

/// Whether the letters and digits of `key` appear in `var` in the same order, ignoring case.
fn spelled_within(key: &str, var: &str) -> bool {
    let mut rest = var.bytes();
    key.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .all(|k| rest.any(|v| v.eq_ignore_ascii_case(&k)))
}

pub fn env_effect(family: ImageFamily, var: &str) -> EnvEffect {
    if SCRIPT_VARS.contains(&var) || var == "JAVA_TOOL_OPTIONS" || var == "JDK_JAVA_OPTIONS" {
        return EnvEffect::ImageVar;
    }
    match family {
        ImageFamily::Bitnami => {
            if var
                .strip_suffix("_FILE")
                .is_some_and(|base| BITNAMI_FILE_VARS.contains(&base))
            {
                return EnvEffect::ImageVar;
            }
            if let Some(rest) = var.strip_prefix("KAFKA_CFG_") {
                return EnvEffect::Config(bitnami_key(rest));
            }
            if let Some((_, suffix)) = BITNAMI_RENAMED.iter().find(|(from, _)| *from == var) {
                return EnvEffect::Config(dots_lower(suffix));
            }
            match var.strip_prefix("KAFKA_") {
                Some(suffix) if BITNAMI_ALIASES.contains(&suffix) => {
                    EnvEffect::Config(dots_lower(suffix))
                }
                Some(_) if is_bitnami_image_var(var) => EnvEffect::ImageVar,
                Some(_) => EnvEffect::Ignored,
                None => EnvEffect::Unrelated,
            }
        }
        ImageFamily::Confluent => match var.strip_prefix("KAFKA_") {
            Some(rest) => EnvEffect::Config(escaped_key(rest)),
            None if var == "CLUSTER_ID" => EnvEffect::ImageVar,
            None => EnvEffect::Unrelated,
        },
        ImageFamily::Apache | ImageFamily::ApacheNative => {
            if var.starts_with("KAFKA_") {
                // The image removes every "KAFKA_", not only the prefix.
                EnvEffect::Config(escaped_key(&var.replace("KAFKA_", "")))
            } else if var == "CLUSTER_ID" {
                EnvEffect::ImageVar
            } else {
                EnvEffect::Unrelated
            }
        }
        ImageFamily::Wurstmeister => match var.strip_prefix("KAFKA_") {
            Some("HOME" | "DEBUG" | "LOG") => EnvEffect::ImageVar,
            Some(rest) => EnvEffect::Config(dots_lower(rest)),
            None => EnvEffect::Unrelated,
        },
        ImageFamily::Strimzi | ImageFamily::Other => {
            if var.starts_with("KAFKA_") {
                EnvEffect::ImageVar
            } else {
                EnvEffect::Unrelated
            }
        }
    }
}

fn bitnami_key(rest: &str) -> String {
    if rest == "ZOOKEEPER_CLIENTCNXNSOCKET" {
        return "zookeeper.clientCnxnSocket".into();
    }
    dots_lower(rest)
        .replace("sasl.ssl", "sasl_ssl")
        .replace("sasl.plaintext", "sasl_plaintext")
}

/// Variables bitnami's own scripts read (kafka-env.sh, libkafka.sh, run.sh), which are not
/// config keys.
fn is_bitnami_image_var(var: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "KAFKA_CLIENT_",
        "KAFKA_INTER_BROKER_",
        "KAFKA_CONTROLLER_",
        "KAFKA_ZOOKEEPER_",
        "KAFKA_TLS_",
        "KAFKA_CERTIFICATE_",
        "KAFKA_CERTS_",
        "KAFKA_KRAFT_",
        "KAFKA_SKIP_",
        "KAFKA_INITIAL_",
        "KAFKA_INITSCRIPTS_",
        "KAFKA_MOUNTED_",
        "KAFKA_CONF_",
        "KAFKA_DATA_",
        "KAFKA_VOLUME_",
        "KAFKA_BASE_",
        "KAFKA_CLUSTER_",
        "KAFKA_DAEMON_",
    ];
    const EXACT: &[&str] = &[
        "KAFKA_ENABLE_KRAFT",
        "KAFKA_HOME",
        "KAFKA_LOG_DIR",
        "KAFKA_PID_FILE",
        "KAFKA_OPTS",
        "KAFKA_CLUSTER_ID",
        "KAFKA_EXTRA_FLAGS",
        "KAFKA_DEBUG",
        "KAFKA_NODE_ID_COMMAND",
        "KAFKA_BROKER_ID_COMMAND",
        // Read by 2.x-era images.
        "KAFKA_PORT_NUMBER",
        // Renamed to KAFKA_CLIENT_USERS, KAFKA_CLIENT_PASSWORDS, KAFKA_CLIENT_LISTENER_NAME.
        "KAFKA_BROKER_USER",
        "KAFKA_BROKER_PASSWORD",
    ];
    EXACT.contains(&var)
        || PREFIXES.iter().any(|p| var.starts_with(p))
        || var
            .strip_suffix("_FILE")
            .is_some_and(|base| BITNAMI_FILE_VARS.contains(&base))
}

/// Variables bitnami also reads from the file named by `<VAR>_FILE` (kafka-env.sh of 3.4 and
/// 4.0).
const BITNAMI_FILE_VARS: &[&str] = &[
    "KAFKA_MOUNTED_CONF_DIR",
    "KAFKA_CLUSTER_ID",
    "KAFKA_INITIAL_CONTROLLERS",
    "KAFKA_SKIP_KRAFT_STORAGE_INIT",
    "KAFKA_CFG_SASL_ENABLED_MECHANISMS",
    "KAFKA_CLIENT_LISTENER_NAME",
    "KAFKA_OPTS",
    "KAFKA_HEAP_OPTS",
    "JAVA_TOOL_OPTIONS",
    "KAFKA_KRAFT_CLUSTER_ID",
    "KAFKA_CLIENT_USERS",
    "KAFKA_CLIENT_PASSWORDS",
    "KAFKA_INTER_BROKER_USER",
    "KAFKA_INTER_BROKER_PASSWORD",
    "KAFKA_CONTROLLER_USER",
    "KAFKA_CONTROLLER_PASSWORD",
    "KAFKA_CERTIFICATE_PASSWORD",
];

/// Where bitnami looks for a user's `server.properties` unless `KAFKA_MOUNTED_CONF_DIR` says
/// otherwise; when the file is there, every `KAFKA_CFG_*` variable is skipped (libkafka.sh
/// `kafka_initialize`).
pub const BITNAMI_MOUNTED_CONF_DIR: &str = "/bitnami/kafka/config";

/// Where apache/kafka looks for a user's `server.properties` (docker/resources/common-scripts
/// `configure`, KafkaDockerWrapper): with it, env lines are appended; without it, env lines
/// are the whole config.
pub const APACHE_MOUNTED_CONF_DIR: &str = "/mnt/shared/config";

/// Variables that make cp-kafka's `configure` script exit ("port is deprecated").
pub const CONFLUENT_FATAL_ENV: &[&str] = &[
    "KAFKA_PORT",
    "KAFKA_HOST",
    "KAFKA_ADVERTISED_PORT",
    "KAFKA_ADVERTISED_HOST",
];

/// The script the image's entrypoint runs; a container `command`/`args` that does not mention
/// it bypasses the image's env handling.
pub fn entry_script(family: ImageFamily) -> Option<&'static str> {
    match family {
        ImageFamily::Bitnami => Some("/opt/bitnami/scripts/kafka/"),
        ImageFamily::Confluent => Some("/etc/confluent/docker/run"),
        ImageFamily::Apache | ImageFamily::ApacheNative => Some("/etc/kafka/docker/run"),
        ImageFamily::Wurstmeister => Some("start-kafka.sh"),
        ImageFamily::Strimzi | ImageFamily::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_keys_follow_the_underscore_convention() {
        assert_eq!(escaped_key("LOG_RETENTION_HOURS"), "log.retention.hours");
        assert_eq!(
            escaped_key("LISTENER_NAME_INTERNAL_SSL_KEY__PASSWORD"),
            "listener.name.internal.ssl.key_password"
        );
        assert_eq!(
            escaped_key("CONFLUENT_SUPPORT___METRICS_ENABLE"),
            "confluent.support-metrics.enable"
        );
        assert_eq!(escaped_key("A____B_"), "a____b.");
        assert_eq!(escaped_key("_Ä_"), ".ä.".replace('ä', "Ä"));
    }

    #[test]
    fn families_and_versions() {
        assert_eq!(family_of("bitnami/kafka:3.9.0"), Some(ImageFamily::Bitnami));
        assert_eq!(
            family_of("docker.io/bitnamilegacy/kafka:3.6"),
            Some(ImageFamily::Bitnami)
        );
        assert_eq!(
            family_of("confluentinc/cp-kafka:7.8.0"),
            Some(ImageFamily::Confluent)
        );
        assert_eq!(
            family_of("apache/kafka-native:3.9.0"),
            Some(ImageFamily::ApacheNative)
        );
        assert_eq!(
            family_of("solsson/kafka:2.5.1@sha256:abc"),
            Some(ImageFamily::Other)
        );
        assert_eq!(family_of("confluentinc/cp-kafka-connect:7.8.0"), None);
        assert_eq!(family_of("kafka-consumer:latest"), None);
        assert_eq!(family_of("localhost:5000/kafka"), Some(ImageFamily::Other));
        assert_eq!(
            kafka_version_of("confluentinc/cp-kafka:7.8.0", ImageFamily::Confluent),
            Some((3, 8))
        );
        assert_eq!(
            kafka_version_of("confluentinc/cp-kafka:8.0.1", ImageFamily::Confluent),
            Some((4, 0))
        );
        assert_eq!(
            kafka_version_of("bitnami/kafka:3.9.0-debian-12-r3", ImageFamily::Bitnami),
            Some((3, 9))
        );
        assert_eq!(
            kafka_version_of(
                "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
                ImageFamily::Strimzi
            ),
            Some((3, 9))
        );
        assert_eq!(
            kafka_version_of("apache/kafka:latest", ImageFamily::Apache),
            None
        );
        assert_eq!(
            kafka_version_of("localhost:5000/kafka", ImageFamily::Other),
            None
        );
    }

    #[test]
    fn env_to_config() {
        use EnvEffect::*;
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_CFG_MIN_INSYNC_REPLICAS"),
            Config("min.insync.replicas".into())
        );
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_MIN_INSYNC_REPLICAS"),
            Ignored
        );
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_SOCKET_REQUEST_MAX_BYTES"),
            Config("socket.request.max.bytes".into())
        );
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_HEAP_OPTS"),
            ImageVar
        );
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_CFG_LISTENER_NAME_SASL_SSL_X"),
            Config("listener.name.sasl_ssl.x".into())
        );
        assert_eq!(
            env_effect(
                ImageFamily::Confluent,
                "KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG"
            ),
            Config("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config".into())
        );
        assert_eq!(
            env_effect(ImageFamily::Apache, "KAFKA_KAFKA_METRICS_X"),
            Config("metrics.x".into())
        );
        assert_eq!(env_effect(ImageFamily::Confluent, "POD_NAME"), Unrelated);
        assert!(env_sets(ImageFamily::Confluent, "KAFKA_NODE_ID", "node.id"));
        assert!(env_sets(ImageFamily::Apache, "KAFKA_NODE_ID", "node.id"));
        assert!(env_sets(
            ImageFamily::Bitnami,
            "KAFKA_CFG_NODE_ID",
            "node.id"
        ));
        assert!(env_sets(ImageFamily::Bitnami, "KAFKA_NODE_ID", "node.id"));
        assert!(!env_sets(
            ImageFamily::Confluent,
            "KAFKA_BROKER_ID",
            "node.id"
        ));
        assert!(!env_sets(ImageFamily::Confluent, "NODE_ID", "node.id"));
        assert!(!env_sets(
            ImageFamily::Confluent,
            "KAFKA_NODE__ID",
            "node.id"
        ));
        for var in [
            "KAFKA_HEAP_OPTS_FILE",
            "KAFKA_CFG_SASL_ENABLED_MECHANISMS_FILE",
            "KAFKA_NODE_ID_COMMAND",
            "KAFKA_INITIAL_CONTROLLERS",
            "KAFKA_BROKER_USER",
            "KAFKA_CERTS_DIR",
        ] {
            assert_eq!(env_effect(ImageFamily::Bitnami, var), ImageVar, "{var}");
        }
        assert_eq!(env_effect(ImageFamily::Bitnami, "KAFKA_JMX_PORT"), Ignored);
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_INTER_BROKER_LISTENER_NAME"),
            Config("inter.broker.listener.name".into())
        );
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_CONTROLLER_QUORUM_VOTERS"),
            Config("controller.quorum.voters".into())
        );
        assert_eq!(
            env_effect(ImageFamily::Bitnami, "KAFKA_RETENTION_FILE"),
            Ignored
        );
    }

    #[test]
    fn env_sets_agrees_with_env_effect() {
        let mut vars: Vec<String> = BITNAMI_ALIASES
            .iter()
            .map(|a| format!("KAFKA_{a}"))
            .chain(BITNAMI_RENAMED.iter().map(|(from, _)| from.to_string()))
            .collect();
        for key in [
            "node.id",
            "log.dirs",
            "listener.name.sasl_ssl.x",
            "zookeeper.clientCnxnSocket",
        ] {
            let upper = key.to_ascii_uppercase().replace('.', "_");
            vars.extend([
                format!("KAFKA_{upper}"),
                format!("KAFKA_CFG_{upper}"),
                upper,
            ]);
        }
        vars.extend([
            "KAFKA_CFG_ZOOKEEPER_CLIENTCNXNSOCKET".into(),
            "KAFKA_A___B__C".into(),
        ]);
        for family in [
            ImageFamily::Bitnami,
            ImageFamily::Confluent,
            ImageFamily::Apache,
            ImageFamily::ApacheNative,
        ] {
            for var in &vars {
                if let EnvEffect::Config(key) = env_effect(family, var) {
                    assert!(env_sets(family, var, &key), "{family:?} {var} {key}");
                    assert!(!env_sets(family, var, "no.such.key"), "{family:?} {var}");
                }
            }
        }
    }
}
