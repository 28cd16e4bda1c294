//! Broker manifests generated field by field: a StatefulSet (bitnami, cp-kafka or apache
//! image) with env, JVM options, memory requests and limits, volumes and an env ConfigMap, or
//! a Strimzi `Kafka` with its config, resources, JVM options, storage and a `KafkaTopic`.
//! Numbers are drawn across their whole range with odd units, so the memory budget, quantity
//! and replication arithmetic meets overflow-sized values.

use std::fmt::Write as _;

use arbitrary::Arbitrary;
use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};

/// Built once: parsing the default policy pack per input would dominate the run.
fn options() -> &'static LintOptions {
    static OPTIONS: std::sync::OnceLock<LintOptions> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(LintOptions::default)
}

const UNITS: [&str; 14] = [
    "", "k", "K", "m", "M", "g", "G", "t", "Ki", "Mi", "Gi", "Ti", "Ei", "e3",
];
const IMAGES: [&str; 5] = [
    "bitnami/kafka:3.9",
    "confluentinc/cp-kafka:7.7.1",
    "apache/kafka:4.0.0",
    "bitnami/kafka:latest",
    "quay.io/strimzi/kafka:0.45.0-kafka-3.9.0",
];
const KEYS: [&str; 14] = [
    "KAFKA_HEAP_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_CFG_DEFAULT_REPLICATION_FACTOR",
    "KAFKA_CFG_MIN_INSYNC_REPLICAS",
    "KAFKA_CFG_LOG_RETENTION_HOURS",
    "KAFKA_CFG_NODE_ID",
    "KAFKA_CFG_CONTROLLER_QUORUM_VOTERS",
    "KAFKA_DEFAULT_REPLICATION_FACTOR",
    "KAFKA_NUM_NETWORK_THREADS",
    "KAFKA_LOG_RETENTION_BYTES",
    "KAFKA_MESSAGE_MAX_BYTES",
    "KAFKA_CFG_PROCESS_ROLES",
    "CLUSTER_ID",
];
const CONFIG: [&str; 10] = [
    "default.replication.factor",
    "min.insync.replicas",
    "log.retention.hours",
    "log.retention.bytes",
    "retention.ms",
    "message.max.bytes",
    "replica.fetch.max.bytes",
    "num.io.threads",
    "unclean.leader.election.enable",
    "log.flush.interval.messages",
];
const FLAGS: [&str; 10] = [
    "-Xmx",
    "-Xms",
    "-XX:MaxDirectMemorySize=",
    "-XX:MaxMetaspaceSize=",
    "-Xss",
    "-XX:ReservedCodeCacheSize=",
    "-XX:MaxRAMPercentage=",
    "-XX:ActiveProcessorCount=",
    "-XX:ParallelGCThreads=",
    "-XX:+UseG1GC -XX:MaxGCPauseMillis=",
];

#[derive(Arbitrary, Debug)]
struct Size {
    value: u64,
    small: bool,
    unit: u8,
}

impl Size {
    fn text(&self) -> String {
        let v = if self.small {
            self.value % 100_000
        } else {
            self.value
        };
        format!("{v}{}", UNITS[self.unit as usize % UNITS.len()])
    }
}

#[derive(Arbitrary, Debug)]
enum EnvValue {
    Number(i64),
    Size(Size),
    Jvm(Vec<(u8, Size)>),
    Text(String),
}

impl EnvValue {
    fn text(&self) -> String {
        match self {
            EnvValue::Number(n) => n.to_string(),
            EnvValue::Size(s) => s.text(),
            EnvValue::Jvm(flags) => flags
                .iter()
                .map(|(f, s)| format!("{}{}", FLAGS[*f as usize % FLAGS.len()], s.text()))
                .collect::<Vec<_>>()
                .join(" "),
            EnvValue::Text(t) => t.clone(),
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Broker {
    strimzi: bool,
    image: u8,
    replicas: i64,
    env: Vec<(u8, EnvValue)>,
    config_map: Vec<(u8, EnvValue)>,
    request: Option<Size>,
    limit: Option<Size>,
    empty_dir: bool,
    storage: Option<Size>,
    topic_replicas: Option<i64>,
    topic_config: Vec<(u8, EnvValue)>,
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn resources(s: &mut String, indent: &str, b: &Broker) {
    let _ = writeln!(s, "{indent}resources:");
    if let Some(r) = &b.request {
        let _ = writeln!(
            s,
            "{indent}  requests:\n{indent}    memory: {}",
            quote(&r.text())
        );
    }
    if let Some(l) = &b.limit {
        let _ = writeln!(
            s,
            "{indent}  limits:\n{indent}    memory: {}",
            quote(&l.text())
        );
    }
}

fn workload(b: &Broker) -> String {
    let mut s = String::new();
    if !b.config_map.is_empty() {
        s.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kafka-env\ndata:\n");
        for (k, v) in &b.config_map {
            let _ = writeln!(
                s,
                "  {}: {}",
                KEYS[*k as usize % KEYS.len()],
                quote(&v.text())
            );
        }
        s.push_str("---\n");
    }
    let _ = write!(
        s,
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka\nspec:\n  replicas: {}\n  serviceName: kafka\n  template:\n    spec:\n      containers:\n      - name: kafka\n        image: {}\n        envFrom:\n        - configMapRef:\n            name: kafka-env\n",
        b.replicas,
        IMAGES[b.image as usize % IMAGES.len()]
    );
    if !b.env.is_empty() {
        s.push_str("        env:\n");
        for (k, v) in &b.env {
            let _ = writeln!(
                s,
                "        - name: {}\n          value: {}",
                KEYS[*k as usize % KEYS.len()],
                quote(&v.text())
            );
        }
    }
    resources(&mut s, "        ", b);
    s.push_str(
        "        volumeMounts:\n        - name: data\n          mountPath: /bitnami/kafka\n",
    );
    if b.empty_dir {
        s.push_str("      volumes:\n      - name: data\n        emptyDir: {}\n");
    } else if let Some(size) = &b.storage {
        let _ = writeln!(
            s,
            "  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      resources:\n        requests:\n          storage: {}",
            quote(&size.text())
        );
    }
    s
}

fn strimzi(b: &Broker) -> String {
    let mut s = format!(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: my-cluster\nspec:\n  kafka:\n    version: 3.9.0\n    replicas: {}\n    config:\n",
        b.replicas
    );
    for (k, v) in &b.config_map {
        let _ = writeln!(
            s,
            "      {}: {}",
            CONFIG[*k as usize % CONFIG.len()],
            quote(&v.text())
        );
    }
    if !b.env.is_empty() {
        s.push_str("    jvmOptions:\n      javaSystemProperties: []\n");
        for (k, v) in b.env.iter().take(2) {
            let key = if k % 2 == 0 { "-Xmx" } else { "-Xms" };
            let _ = writeln!(s, "      {key}: {}", quote(&v.text()));
        }
    }
    resources(&mut s, "    ", b);
    match (&b.storage, b.empty_dir) {
        (_, true) => s.push_str("    storage:\n      type: ephemeral\n"),
        (Some(size), false) => {
            let _ = writeln!(
                s,
                "    storage:\n      type: persistent-claim\n      size: {}\n      deleteClaim: true",
                quote(&size.text())
            );
        }
        _ => {}
    }
    if let Some(r) = b.topic_replicas {
        let _ = write!(
            s,
            "---\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: orders\n  labels:\n    strimzi.io/cluster: my-cluster\nspec:\n  partitions: {r}\n  replicas: {r}\n  config:\n"
        );
        for (k, v) in &b.topic_config {
            let _ = writeln!(
                s,
                "    {}: {}",
                CONFIG[*k as usize % CONFIG.len()],
                quote(&v.text())
            );
        }
    }
    s
}

/// One fuzz input, decoded as libfuzzer-sys decodes `Broker`.
pub fn run(data: &[u8]) {
    let Ok(b) =
        <Broker as arbitrary::Arbitrary>::arbitrary_take_rest(arbitrary::Unstructured::new(data))
    else {
        return;
    };
    let text = if b.strimzi { strimzi(&b) } else { workload(&b) };
    let mut ws = Workspace::new();
    ws.add_text("k8s/kafka.yaml", text, FileKind::Yaml);
    let _ = lint(ws, options());
}
