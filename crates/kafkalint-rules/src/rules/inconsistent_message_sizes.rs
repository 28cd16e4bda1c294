use std::collections::HashMap;

use kafkalint_model::jvm::{parse_size, JvmSize, SizeFlag};
use kafkalint_model::{Broker, BrokerSource, Lookup, Model, Setting};
use kafkalint_syntax::Node;

use super::catalog_support::{
    broker_versions, bytes_text, effective_value, parse_long, resource_at, strimzi_kafka,
};
use super::is_controller_only;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports broker size limits that contradict each other or the JVM's direct-memory bound.
    ///
    /// It compares the effective values (explicit, else Kafka's defaults for the version):
    /// - `queued.max.request.bytes` set (above 0) but below `socket.request.max.bytes`: Kafka
    ///   refuses to start (error);
    /// - `message.max.bytes` above `socket.request.max.bytes`: a produce request carrying a
    ///   batch of the allowed size is larger than the broker accepts on the socket (warning);
    /// - `replica.fetch.max.bytes` below `message.max.bytes`: followers replicate such batches
    ///   slowly (warning);
    /// - `-XX:MaxDirectMemorySize` below `socket.request.max.bytes` while a listener takes
    ///   requests without TLS (warning).
    ///
    /// ## Why is this bad?
    /// The broker reads a request only if its size is at most `socket.request.max.bytes` and
    /// closes the connection otherwise, so a `message.max.bytes` above it promises batches no
    /// producer can deliver. Since KIP-74 a follower still receives a batch larger than
    /// `replica.fetch.max.bytes`, but only when it comes first in the fetch response, so
    /// partitions with large batches replicate one batch per fetch and followers can fall
    /// behind. On a listener without TLS the request is read into a heap buffer of its full
    /// size through the JDK's temporary direct buffer of the same size (cached per network
    /// thread), so one request near `socket.request.max.bytes` can fail with
    /// `OutOfMemoryError: Direct buffer memory` when the direct-memory bound is smaller. TLS
    /// listeners read in packet-sized pieces and are not affected.
    ///
    /// Sources: defaults from the Kafka generated broker config docs (`configs-*.json`);
    /// apache/kafka `KafkaConfig` validation (`queued.max.request.bytes` must be at least
    /// `socket.request.max.bytes` when positive); `replica.fetch.max.bytes` semantics from the
    /// broker docs (KIP-74); apache/kafka `NetworkReceive` (size check, heap buffer of the
    /// request's size); OpenJDK `sun.nio.ch.IOUtil.read` (heap-buffer reads go through
    /// `Util.getTemporaryDirectBuffer` of the remaining size).
    ///
    /// ## Example
    /// ```properties
    /// message.max.bytes=209715200
    /// socket.request.max.bytes=104857600
    /// ```
    ///
    /// ## Fix
    /// ```properties
    /// message.max.bytes=10485760
    /// replica.fetch.max.bytes=10485760
    /// socket.request.max.bytes=104857600
    /// ```
    pub struct InconsistentMessageSizes {
        code: "CFG007",
        name: "inconsistent-message-sizes",
        category: Config,
        severity: Error,
    }
}

/// Batch header bytes that `message.max.bytes` includes and `replica.fetch.max.bytes`
/// leaves out: Kafka's own defaults differ by exactly this.
const LOG_OVERHEAD: i64 = 12;

struct Size<'a> {
    key: &'static str,
    bytes: i64,
    setting: Option<&'a Setting>,
}

impl Size<'_> {
    fn describe(&self) -> String {
        let how = if self.setting.is_some() {
            ""
        } else {
            "Kafka's default "
        };
        format!("{} is {how}{}", self.key, bytes_text(self.bytes))
    }
}

fn size<'a>(
    broker: &'a Broker,
    versions: &[kafkalint_catalog::KafkaVersion],
    key: &'static str,
) -> Option<Size<'a>> {
    let (text, setting) = effective_value(broker, versions, key)?;
    Some(Size {
        key,
        bytes: parse_long(&text)?,
        setting,
    })
}

/// Report at the first explicitly set size, with a label on the other when it is set too.
fn finding(
    broker: &Broker,
    model: &Model,
    first: &Size<'_>,
    second: &Size<'_>,
    message: String,
    help: &str,
) -> Option<Finding> {
    let (at, other) = match (first.setting, second.setting) {
        (Some(a), b) => (a, b.map(|b| (b, second.key))),
        (None, Some(b)) => (b, None),
        (None, None) => return None,
    };
    let span = at.origin.span;
    let mut f = Finding::new(span, message)
        .help(help.to_string())
        .resource(resource_at(model, span).or(broker.resource));
    if let Some((s, key)) = other {
        f = f.with_label(s.origin.span, format!("{key} set here"));
    }
    Some(f)
}

/// Whether some listener takes requests without TLS; `None` when that cannot be told.
fn plaintext_listener(model: &Model, broker: &Broker) -> Option<bool> {
    if matches!(broker.source, BrokerSource::Strimzi { .. }) {
        let listeners = strimzi_kafka(model, broker)?
            .node
            .path(&["spec", "kafka", "listeners"])?;
        return Some(
            listeners
                .as_seq()
                .iter()
                .any(|l| l.get("tls").and_then(Node::as_bool) != Some(true)),
        );
    }
    let text = |key: &str| match broker.config.lookup(key) {
        Lookup::Set(_, v) => Ok(Some(v.to_string())),
        Lookup::Default => Ok(None),
        Lookup::Unknown => Err(()),
    };
    let listeners = match (text("listeners").ok()?, text("advertised.listeners").ok()?) {
        (Some(l), _) | (None, Some(l)) => l,
        // Kafka's default listener is PLAINTEXT://:9092.
        (None, None) => return Some(true),
    };
    let mut protocols: HashMap<String, String> = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
        .iter()
        .map(|p| (p.to_string(), p.to_string()))
        .collect();
    if let Some(map) = text("listener.security.protocol.map").ok()? {
        protocols = map
            .split(',')
            .filter_map(|pair| pair.split_once(':'))
            .map(|(n, p)| (n.trim().to_ascii_uppercase(), p.trim().to_ascii_uppercase()))
            .collect();
    }
    let controllers: Vec<String> = text("controller.listener.names")
        .ok()?
        .map(|v| {
            v.split(',')
                .map(|n| n.trim().to_ascii_uppercase())
                .collect()
        })
        .unwrap_or_default();
    let mut any = false;
    for listener in listeners
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let name = listener.split("://").next()?.trim().to_ascii_uppercase();
        if controllers.contains(&name) {
            continue;
        }
        let protocol = protocols.get(&name)?;
        any |= matches!(protocol.as_str(), "PLAINTEXT" | "SASL_PLAINTEXT");
    }
    Some(any)
}

impl Rule for InconsistentMessageSizes {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            let versions = broker_versions(broker);
            let socket = size(broker, &versions, "socket.request.max.bytes");
            if let (Some(socket), Some(queued)) =
                (&socket, size(broker, &versions, "queued.max.request.bytes"))
            {
                if queued.bytes > 0 && queued.bytes < socket.bytes {
                    out.extend(finding(
                        broker,
                        model,
                        &queued,
                        socket,
                        format!("{} but {}: Kafka refuses to start when the request queue cannot hold one request of the largest size", queued.describe(), socket.describe()),
                        "raise queued.max.request.bytes to at least socket.request.max.bytes, or set it to -1 (no bound)",
                    ));
                }
            }
            if is_controller_only(broker) {
                continue;
            }
            let message = size(broker, &versions, "message.max.bytes");
            if let (Some(message), Some(socket)) = (&message, &socket) {
                if message.bytes > socket.bytes {
                    out.extend(finding(
                        broker,
                        model,
                        message,
                        socket,
                        format!("{} but {}: a produce request with a batch of the allowed size is larger than the broker reads from a socket, so it is refused and the connection closed", message.describe(), socket.describe()),
                        "keep message.max.bytes well below socket.request.max.bytes, or raise the latter",
                    ).map(Finding::at_most_warning));
                }
            }
            if let (Some(message), Some(fetch)) =
                (&message, size(broker, &versions, "replica.fetch.max.bytes"))
            {
                if fetch.bytes + LOG_OVERHEAD < message.bytes {
                    out.extend(finding(
                        broker,
                        model,
                        &fetch,
                        message,
                        format!("{} but {}: a follower fetches a batch above replica.fetch.max.bytes only when it comes first in a fetch response, so partitions with large batches replicate one batch per fetch and followers can fall behind", fetch.describe(), message.describe()),
                        "set replica.fetch.max.bytes to at least message.max.bytes",
                    ).map(Finding::at_most_warning));
                }
            }
            if let Some(socket) = &socket {
                out.extend(direct_memory_finding(model, broker, socket));
            }
        }
    }
}

fn direct_memory_finding(model: &Model, broker: &Broker, socket: &Size<'_>) -> Option<Finding> {
    if broker.jvm.unknown.is_some() {
        return None;
    }
    let (token, arg) = broker.jvm.last_size(SizeFlag::MaxDirectMemorySize)?;
    let JvmSize::Bytes(direct) = parse_size(arg) else {
        return None;
    };
    let direct = i64::try_from(direct).ok()?;
    if direct >= socket.bytes || plaintext_listener(model, broker) != Some(true) {
        return None;
    }
    let mut f = Finding::new(
        token.span,
        format!(
            "-XX:MaxDirectMemorySize is {} but {}: on a listener without TLS one request of that size is read through a temporary direct buffer as large as the request, which this bound cannot hold",
            bytes_text(direct),
            socket.describe()
        ),
    )
    .label(format!("direct memory bound, from {}", token.from))
    .help("lower socket.request.max.bytes to what clients send (a few times message.max.bytes), or raise MaxDirectMemorySize above it and count it in the memory budget")
    .resource(resource_at(model, token.span).or(broker.resource))
    .at_most_warning();
    if let Some(s) = socket.setting {
        f = f.with_label(s.origin.span, "socket.request.max.bytes set here");
    }
    Some(f)
}
