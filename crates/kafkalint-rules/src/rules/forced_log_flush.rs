use kafkalint_model::{Config, Lookup, Setting, Via};

use super::catalog_support::{parse_long, resource_at};
use super::is_controller_only;
use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports settings that make Kafka fsync its logs every few messages or seconds.
    ///
    /// It checks, at broker level
    /// `log.flush.interval.messages` and `log.flush.interval.ms` (or, when that is unset,
    /// `log.flush.scheduler.interval.ms`, which it falls back to), and per Strimzi `KafkaTopic`
    /// `flush.messages` and `flush.ms` — when they force a flush at least every 100000
    /// messages or every 60000 ms. Kafka's defaults never force one.
    ///
    /// ## Why is this bad?
    /// Kafka leaves flushing to the operating system and gets its durability from
    /// replication: an acknowledged `acks=all` write is on several brokers' page caches.
    /// Forcing fsync per partition every few messages or seconds multiplies disk writes,
    /// adds latency to produce requests, and does not protect against the failures
    /// replication already covers. The values usually come from the commented-out example lines
    /// of Kafka's sample `server.properties` (10000 messages, 1000 ms), uncommented.
    ///
    /// Sources: Kafka generated broker and topic config docs (`configs-*.json`: defaults of
    /// Long.MAX_VALUE, i.e. never); the fallback from `log.flush.interval.ms` to
    /// `log.flush.scheduler.interval.ms` is in the broker docs (topic-overrides.json notes).
    /// The 60 s threshold is this rule's: it is twice the Linux default for writing back dirty
    /// pages (`vm.dirty_expire_centisecs` = 3000, Linux `Documentation/admin-guide/sysctl/vm.rst`),
    /// so a shorter interval adds flushes the
    /// kernel would not do anyway.
    ///
    /// ## Example
    /// ```properties
    /// log.flush.interval.messages=10000
    /// log.flush.interval.ms=1000
    /// ```
    ///
    /// ## Fix
    /// Remove both lines, and rely on `replication.factor` 3 with `min.insync.replicas` 2.
    pub struct ForcedLogFlush {
        code: "REP006",
        name: "forced-log-flush",
        category: Replication,
        severity: Warning,
    }
}

const MAX_MESSAGES: i64 = 100_000;
const MAX_MS: i64 = 60_000;

/// A flush setting that forces frequent fsync, with what it forces.
fn forced<'a>(config: &'a Config, key: &str, by_messages: bool) -> Option<(&'a Setting, String)> {
    let Lookup::Set(s, v) = config.lookup(key) else {
        return None;
    };
    if s.origin.via == Via::ImageDefault {
        return None;
    }
    let n = parse_long(v)?;
    let (limit, unit) = if by_messages {
        (MAX_MESSAGES, "messages")
    } else {
        (MAX_MS, "ms")
    };
    let every = match (n, by_messages) {
        (1, true) => "on every message".to_string(),
        _ => format!("every {n} {unit}"),
    };
    (n >= 0 && n <= limit).then_some((s, every))
}

impl Rule for ForcedLogFlush {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for broker in &model.brokers {
            if is_controller_only(broker) {
                continue;
            }
            let config = &broker.config;
            let mut keys = vec![
                ("log.flush.interval.messages", true),
                ("log.flush.interval.ms", false),
            ];
            if config.lookup("log.flush.interval.ms") == Lookup::Default {
                keys.push(("log.flush.scheduler.interval.ms", false));
            }
            for (key, by_messages) in keys {
                let Some((s, every)) = forced(config, key, by_messages) else {
                    continue;
                };
                let span = s.origin.span;
                let via = if key == "log.flush.scheduler.interval.ms" {
                    " (log.flush.interval.ms is unset and falls back to it)"
                } else {
                    ""
                };
                out.push(
                    Finding::new(
                        span,
                        format!("{key}{via} forces an fsync of every partition {every}: it costs throughput and latency, and durability comes from replication, not flushing"),
                    )
                    .label(format!("fsync {every}"))
                    .help(format!("remove {key}; keep replication.factor 3 and min.insync.replicas 2 for durability"))
                    .resource(resource_at(model, span).or(broker.resource)),
                );
            }
        }
        for topic in &model.topics {
            for (key, by_messages) in [("flush.messages", true), ("flush.ms", false)] {
                let Some((s, every)) = forced(&topic.config, key, by_messages) else {
                    continue;
                };
                out.push(
                    Finding::new(
                        s.origin.span,
                        format!("topic {} sets {key}, forcing an fsync of each partition {every}: it costs throughput, and durability comes from replication", topic.name),
                    )
                    .label(format!("fsync {every}"))
                    .help(format!("remove {key} from spec.config"))
                    .resource(Some(topic.resource)),
                );
            }
        }
    }
}
