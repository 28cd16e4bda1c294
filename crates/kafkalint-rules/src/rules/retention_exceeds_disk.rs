use kafkalint_model::capacity::{self, Volume};
use kafkalint_model::{Broker, BrokerSource, Lookup, Model, Topic};
use kafkalint_syntax::Span;

use crate::{declare_rule, Context, Finding, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Works out how much data bytes-based retention lets each broker keep, and compares it
    /// with the broker's log volume. For each topic in the input (Strimzi or CFK
    /// `KafkaTopic`) whose retention is in bytes (its own `retention.bytes`, or the broker's
    /// `log.retention.bytes`), a broker holds
    /// `(retention.bytes + segment.bytes) × partition replicas on that broker`: Kafka deletes
    /// whole segments only, so each partition can hold one segment above its retention. Replicas
    /// are counted as Kafka spreads them, `partitions × replication factor / brokers`, rounded
    /// up for the busiest broker. The volume is the storage request behind the log dirs: a
    /// StatefulSet `volumeClaimTemplates` entry (or a PersistentVolumeClaim in the input),
    /// Strimzi `persistent-claim` `size` (JBOD volumes summed), or CFK `dataVolumeCapacity`.
    ///
    /// It also reports `log.retention.bytes` larger than the volume on its own (one partition
    /// can fill the disk), and topics that fit one by one but not together.
    ///
    /// Time-based retention (`retention.ms`) is not sized: how much a week holds depends on
    /// the write rate, which manifests do not say. Compacted-only and tiered topics are skipped,
    /// and so is anything whose partitions, replicas or volume cannot be read from the input.
    ///
    /// Source: Kafka 3.9 broker and topic config docs, `configs-3.9.json`: `retention.bytes`
    /// and `log.retention.bytes` limit each partition and delete whole old segments, default
    /// -1 (no limit); `segment.bytes` / `log.segment.bytes` default to 1073741824 (1 GiB).
    ///
    /// ## Why is this bad?
    /// A full disk stops the broker with every partition on it, and the others follow as
    /// they take over its leaders. A bytes limit larger than the disk is no limit at all.
    ///
    /// ## Example
    /// ```yaml
    /// # 3 brokers with 100Gi each
    /// kind: KafkaTopic
    /// spec:
    ///   partitions: 30
    ///   replicas: 3
    ///   config:
    ///     retention.bytes: 10737418240   # (10 GiB + 1 GiB) × 30 replicas per broker = 330 GiB
    /// ```
    ///
    /// ## Fix
    /// Lower `retention.bytes` (the help line gives the largest value that fits), use fewer
    /// partitions, or grow the volume; keep room for everything else the disk holds.
    pub struct RetentionExceedsDisk {
        code: "CAP001",
        name: "retention-exceeds-disk",
        category: Storage,
        severity: Error,
    }
}

const DEFAULT_SEGMENT_BYTES: u64 = 1_073_741_824;

/// The brokers of one cluster that hold partition data.
struct Cluster<'a> {
    /// The operator's API group and the cluster name its topics point at (Strimzi's
    /// `strimzi.io/cluster` label, CFK's `kafkaClusterRef`).
    operator: Option<(&'static str, String)>,
    namespace: Option<String>,
    brokers: Vec<&'a Broker>,
}

impl Cluster<'_> {
    fn broker_count(&self) -> u64 {
        self.brokers
            .iter()
            .map(|b| b.replicas.map_or(1, |(n, _)| u64::from(n)))
            .fold(0, u64::saturating_add)
    }
}

fn clusters(model: &Model) -> Vec<Cluster<'_>> {
    let mut out: Vec<(String, Cluster<'_>)> = Vec::new();
    for b in &model.brokers {
        if !capacity::holds_data(model, b) {
            continue;
        }
        let Some(r) = model.resource(b.resource) else {
            continue;
        };
        let operator = match b.source {
            BrokerSource::Strimzi { .. } => Some((
                "kafka.strimzi.io",
                if r.kind() == "KafkaNodePool" {
                    r.label("strimzi.io/cluster").unwrap_or("").to_string()
                } else {
                    r.id.name.clone()
                },
            )),
            BrokerSource::Confluent => Some(("platform.confluent.io", r.id.name.clone())),
            _ => None,
        };
        let key = match &operator {
            Some((group, name)) => format!("{group} {:?} {name}", r.id.namespace),
            None => format!("resource {:?}", b.resource),
        };
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, c)) => c.brokers.push(b),
            None => out.push((
                key,
                Cluster {
                    operator,
                    namespace: r.id.namespace.clone(),
                    brokers: vec![b],
                },
            )),
        }
    }
    out.into_iter().map(|(_, c)| c).collect()
}

fn topics_of<'m>(model: &'m Model, cluster: &Cluster<'_>, only_cluster: bool) -> Vec<&'m Topic> {
    model
        .topics
        .iter()
        .filter(|t| {
            let Some(r) = model.resources.get(t.resource) else {
                return false;
            };
            match (&t.cluster, &cluster.operator) {
                (Some(name), Some((group, cluster_name))) => {
                    name == cluster_name
                        && r.group() == *group
                        && r.same_namespace(&cluster.namespace)
                }
                (Some(_), None) => false,
                (None, _) => only_cluster && r.same_namespace(&cluster.namespace),
            }
        })
        .collect()
}

fn parse_i64(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// Bytes in words: `330 GiB`, `1.5 GiB`, `512 MiB`.
fn size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    const GIB: f64 = 1024.0 * MIB;
    let b = bytes as f64;
    if b >= GIB {
        let g = b / GIB;
        if (g - g.round()).abs() < 0.05 {
            format!("{} GiB", g.round())
        } else {
            format!("{g:.1} GiB")
        }
    } else {
        format!("{} MiB", (b / MIB).round())
    }
}

/// Where a topic's bytes limit comes from.
#[derive(Clone, Copy, PartialEq)]
enum From {
    Topic,
    Broker,
}

/// What one topic can keep on the busiest broker.
struct Footprint<'a> {
    topic: &'a Topic,
    retention: u64,
    span: Span,
    from: From,
    /// None when the segment size cannot be known; it is then left out (a lower bound).
    segment: Option<u64>,
    partitions: u64,
    rf: u64,
    /// Partition replicas on the busiest broker.
    busiest: u64,
}

impl Footprint<'_> {
    fn per_replica(&self) -> u64 {
        self.retention.saturating_add(self.segment.unwrap_or(0))
    }

    fn on_busiest(&self) -> u64 {
        self.per_replica().saturating_mul(self.busiest)
    }

    fn total(&self) -> u64 {
        self.per_replica()
            .saturating_mul(self.partitions)
            .saturating_mul(self.rf)
    }

    fn sum_text(&self) -> String {
        match self.segment {
            Some(s) => format!(
                "({} retention.bytes + {} segment.bytes)",
                size(self.retention),
                size(s)
            ),
            None => format!("{} retention.bytes", size(self.retention)),
        }
    }
}

fn is_true(lookup: Lookup<'_>) -> bool {
    matches!(lookup, Lookup::Set(_, v) if v.trim().eq_ignore_ascii_case("true"))
}

fn footprint<'a>(broker: &Broker, topic: &'a Topic, brokers: u64) -> Option<Footprint<'a>> {
    let cfg = &topic.config;
    if matches!(cfg.lookup("cleanup.policy"), Lookup::Set(_, v) if !v.split(',').any(|p| p.trim() == "delete"))
    {
        return None;
    }
    // Tiered topics keep only the local part on disk; that needs its own sizing.
    if is_true(cfg.lookup("remote.storage.enable"))
        || is_true(cfg.lookup("confluent.tier.enable"))
        || is_true(broker.config.lookup("confluent.tier.enable"))
    {
        return None;
    }
    let (retention, span, from) = match cfg.lookup("retention.bytes") {
        Lookup::Set(s, v) => (parse_i64(v)?, s.origin.span, From::Topic),
        Lookup::Unknown => return None,
        Lookup::Default => match broker.config.lookup("log.retention.bytes") {
            Lookup::Set(s, v) => (parse_i64(v)?, s.origin.span, From::Broker),
            _ => return None,
        },
    };
    let retention = u64::try_from(retention).ok().filter(|r| *r > 0)?;
    let segment = match cfg.lookup("segment.bytes") {
        Lookup::Set(_, v) => Some(u64::try_from(parse_i64(v)?).ok()?),
        Lookup::Unknown => None,
        Lookup::Default => match broker.config.lookup("log.segment.bytes") {
            Lookup::Set(_, v) => Some(u64::try_from(parse_i64(v)?).ok()?),
            Lookup::Unknown => None,
            Lookup::Default => Some(DEFAULT_SEGMENT_BYTES),
        },
    };
    let partitions = match topic.partitions {
        Some((n, _)) => n,
        None => match broker.config.lookup("num.partitions") {
            Lookup::Set(_, v) => parse_i64(v)?,
            Lookup::Default => 1,
            Lookup::Unknown => return None,
        },
    };
    let rf = match topic.replicas {
        Some((n, _)) => n,
        None => match broker.config.lookup("default.replication.factor") {
            Lookup::Set(_, v) => parse_i64(v)?,
            Lookup::Default => 1,
            Lookup::Unknown => return None,
        },
    };
    let partitions = u64::try_from(partitions).ok().filter(|p| *p > 0)?;
    let rf = u64::try_from(rf).ok().filter(|r| *r > 0)?;
    // More replicas than brokers: the topic is never created (another finding).
    if rf > brokers {
        return None;
    }
    let busiest = partitions.saturating_mul(rf).div_ceil(brokers);
    Some(Footprint {
        topic,
        retention,
        span,
        from,
        segment,
        partitions,
        rf,
        busiest,
    })
}

/// The smallest per-broker disk in the cluster, with its volumes.
fn smallest_disk(model: &Model, cluster: &Cluster<'_>) -> Option<(u64, Vec<Volume>)> {
    let mut best: Option<(u64, Vec<Volume>)> = None;
    for b in &cluster.brokers {
        let vols = capacity::log_volumes(model, b)?;
        let total = vols.iter().map(|v| v.bytes).fold(0, u64::saturating_add);
        if best.as_ref().is_none_or(|(t, _)| total < *t) {
            best = Some((total, vols));
        }
    }
    best
}

fn with_volumes(mut f: Finding, vols: &[Volume], disk: u64) -> Finding {
    for v in vols {
        let text = if vols.len() > 1 {
            format!("volume {} (of {} per broker)", v.text, size(disk))
        } else {
            format!("volume {} per broker", v.text)
        };
        f = f.with_label(v.span, text);
    }
    f
}

impl Rule for RetentionExceedsDisk {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let all = clusters(model);
        let only_cluster = all.len() == 1;
        for cluster in &all {
            let Some(first) = cluster.brokers.first() else {
                continue;
            };
            let Some((disk, vols)) = smallest_disk(model, cluster) else {
                continue;
            };
            let brokers = cluster.broker_count().max(1);
            let resource = first.resource;
            let prints: Vec<Footprint<'_>> = topics_of(model, cluster, only_cluster)
                .into_iter()
                .filter_map(|t| footprint(first, t, brokers))
                .collect();
            let before = out.len();

            for p in prints.iter().filter(|p| p.from == From::Topic) {
                if p.on_busiest() <= disk {
                    continue;
                }
                let fit = (disk / p.busiest).saturating_sub(p.segment.unwrap_or(0));
                let help = if fit > 0 {
                    format!(
                        "lower retention.bytes to at most {fit} ({}), use fewer partitions, or grow the volume to at least {}",
                        size(fit),
                        size(p.on_busiest())
                    )
                } else {
                    format!(
                        "use fewer partitions or grow the volume to at least {}",
                        size(p.on_busiest())
                    )
                };
                let f = Finding::new(
                    p.span,
                    format!(
                        "topic {} can keep {} on a broker, more than its {} volume: {} × {} partition replicas per broker ({} partitions × {} replicas over {} brokers) = {}",
                        p.topic.name,
                        size(p.on_busiest()),
                        size(disk),
                        p.sum_text(),
                        p.busiest,
                        p.partitions,
                        p.rf,
                        brokers,
                        size(p.on_busiest()),
                    ),
                )
                .label(format!("{} per partition", size(p.retention)))
                .help(help)
                .resource(Some(p.topic.resource));
                out.push(with_volumes(f, &vols, disk));
            }

            // The broker's log.retention.bytes: every topic without its own limit.
            if let Lookup::Set(s, v) = first.config.lookup("log.retention.bytes") {
                let retention = parse_i64(v)
                    .and_then(|r| u64::try_from(r).ok())
                    .filter(|r| *r > 0);
                let segment = match first.config.lookup("log.segment.bytes") {
                    Lookup::Set(_, v) => parse_i64(v).and_then(|n| u64::try_from(n).ok()),
                    Lookup::Default => Some(DEFAULT_SEGMENT_BYTES),
                    Lookup::Unknown => None,
                };
                let inheriting: Vec<&Footprint<'_>> =
                    prints.iter().filter(|p| p.from == From::Broker).collect();
                if let Some(retention) = retention {
                    let one = retention.saturating_add(segment.unwrap_or(0));
                    let seg_text = segment.map_or(String::new(), |s| {
                        format!(" + {} log.segment.bytes", size(s))
                    });
                    let inherited_total = inheriting
                        .iter()
                        .map(|p| p.total())
                        .fold(0, u64::saturating_add);
                    let inherited_per_broker = inherited_total / brokers;
                    let message = if one > disk {
                        Some(format!(
                            "log.retention.bytes lets one partition keep {}, more than the {} volume: {} log.retention.bytes{seg_text}",
                            size(one),
                            size(disk),
                            size(retention),
                        ))
                    } else if inherited_per_broker > disk {
                        let replicas = inheriting
                            .iter()
                            .map(|p| p.partitions.saturating_mul(p.rf))
                            .fold(0, u64::saturating_add);
                        Some(format!(
                            "the {} topic(s) that inherit log.retention.bytes can keep {} per broker, more than the {} volume: ({} log.retention.bytes{seg_text}) × {replicas} partition replicas over {brokers} brokers = {}",
                            inheriting.len(),
                            size(inherited_per_broker),
                            size(disk),
                            size(retention),
                            size(inherited_per_broker),
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = message {
                        let f = Finding::new(s.origin.span, message)
                            .label(format!("{} per partition", size(retention)))
                            .help("lower log.retention.bytes, or grow the volume; retention.bytes applies to each partition")
                            .resource(resource);
                        out.push(with_volumes(f, &vols, disk));
                    }
                }
            }

            // Topics that fit one by one may still not fit together.
            if out.len() == before && prints.len() > 1 {
                let total = prints
                    .iter()
                    .map(|p| p.total())
                    .fold(0, u64::saturating_add);
                let per_broker = total / brokers;
                if per_broker > disk {
                    if let Some(largest) = prints.iter().max_by_key(|p| p.total()) {
                        let f = Finding::new(
                            largest.span,
                            format!(
                                "the {} topics with bytes-based retention can keep {} per broker together, more than the {} volume: Σ (retention.bytes + segment.bytes) × partitions × replicas = {} over {brokers} brokers; topic {} is the largest at {}",
                                prints.len(),
                                size(per_broker),
                                size(disk),
                                size(total),
                                largest.topic.name,
                                size(largest.total()),
                            ),
                        )
                        .label(format!("{} per partition", size(largest.retention)))
                        .help("lower retention.bytes on the largest topics, or grow the volume")
                        .resource(Some(largest.topic.resource));
                        out.push(with_volumes(f, &vols, disk));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(330 * 1024 * 1024 * 1024), "330 GiB");
        assert_eq!(size(1536 * 1024 * 1024), "1.5 GiB");
        assert_eq!(size(512 * 1024 * 1024), "512 MiB");
    }
}
