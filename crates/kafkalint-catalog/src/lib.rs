//! Kafka configuration catalog: the broker, topic, producer and consumer keys
//! documented for Kafka 3.6, 3.9, 4.0 and 4.1, with type, default, valid
//! values, importance and (broker) dynamic update mode.
//!
//! The tables in `generated.rs` are produced by `python3 tools/gen_catalog.py`
//! from the project's reference data; nothing is read at runtime, so the crate
//! builds for `wasm32-unknown-unknown`. Each key is stored once per distinct
//! shape with a bit mask of the versions it applies to, sorted by name (a hash
//! index over the names finds a key).

mod distance;
// Generated rows are kept one per line; the generator marks each item
// `#[rustfmt::skip]`. Imports it emits may go unused when the data changes.
#[allow(unused_imports)]
mod generated;
mod table;

use std::fmt;
use std::sync::OnceLock;

use table::Entry;

/// The Kafka versions the catalog has documentation for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KafkaVersion {
    V3_6,
    V3_9,
    V4_0,
    V4_1,
}

impl KafkaVersion {
    pub const ALL: [KafkaVersion; 4] = [
        KafkaVersion::V3_6,
        KafkaVersion::V3_9,
        KafkaVersion::V4_0,
        KafkaVersion::V4_1,
    ];

    /// Map any "major.minor[.patch...]" string to the closest catalog version:
    /// <=3.6 -> V3_6, 3.7..=3.9 -> V3_9, 4.0 -> V4_0, >=4.1 -> V4_1.
    /// A leading `v` and a suffix after the minor number ("4.0.0-rc1",
    /// "3.9-IV0") are tolerated. `None` if unparsable.
    pub fn from_version_str(s: &str) -> Option<KafkaVersion> {
        let s = s.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let mut parts = s.split('.');
        let major = parse_number(parts.next()?)?;
        let minor_part = parts.next()?;
        let end = minor_part
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(minor_part.len());
        let minor = parse_number(minor_part.get(..end)?)?;
        Some(match (major, minor) {
            (0..=2, _) | (3, 0..=6) => KafkaVersion::V3_6,
            // No 3.10 exists; anything later in 3.x is closest to 3.9.
            (3, _) => KafkaVersion::V3_9,
            (4, 0) => KafkaVersion::V4_0,
            _ => KafkaVersion::V4_1,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KafkaVersion::V3_6 => "3.6",
            KafkaVersion::V3_9 => "3.9",
            KafkaVersion::V4_0 => "4.0",
            KafkaVersion::V4_1 => "4.1",
        }
    }

    /// True for 4.x, where ZooKeeper mode is gone.
    pub fn is_4x(self) -> bool {
        matches!(self, KafkaVersion::V4_0 | KafkaVersion::V4_1)
    }

    /// Bit of this version in the generated version masks (generator order).
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for KafkaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Digits only: `str::parse` would also accept a leading `+`.
fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Which configuration a key belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    Broker,
    Topic,
    Producer,
    Consumer,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::Broker,
        Group::Topic,
        Group::Producer,
        Group::Consumer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Broker => "broker",
            Group::Topic => "topic",
            Group::Producer => "producer",
            Group::Consumer => "consumer",
        }
    }

    fn table(self) -> &'static [Entry] {
        match self {
            Group::Broker => generated::BROKER,
            Group::Topic => generated::TOPIC,
            Group::Producer => generated::PRODUCER,
            Group::Consumer => generated::CONSUMER,
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Kafka `ConfigDef` type of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigType {
    Boolean,
    String,
    Int,
    Long,
    Short,
    Double,
    List,
    Class,
    Password,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Importance {
    High,
    Medium,
    Low,
}

/// Documented validator, when it is a simple range or a fixed value set.
/// Anything else (free text like "non-empty string") is `Any`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Valid {
    Any,
    /// Inclusive bounds.
    Range {
        min: Option<f64>,
        max: Option<f64>,
    },
    Enum(&'static [&'static str]),
}

#[derive(Clone, Copy, Debug)]
pub struct ConfigKey {
    pub name: &'static str,
    pub ty: ConfigType,
    /// Documented default as a string (lists comma-joined, doubles in Java
    /// notation); `None` when the default is null or there is none.
    pub default: Option<&'static str>,
    pub valid: Valid,
    pub importance: Importance,
    /// Heuristic: the documentation mentions deprecation.
    pub deprecated: bool,
    /// Broker only: "read-only" | "per-broker" | "cluster-wide".
    pub dynamic_update_mode: Option<&'static str>,
    /// The docs show no default at all: the key must be set.
    pub required: bool,
    /// `Valid::Enum` values compare ignoring ASCII case.
    pub case_insensitive: bool,
    /// Values accepted outside a `Valid::Range` (e.g. -1 for
    /// `compression.gzip.level`).
    pub also_allowed: &'static [f64],
}

impl ConfigKey {
    /// Whether `x` satisfies the documented range; true when there is none.
    pub fn range_allows(&self, x: f64) -> bool {
        match self.valid {
            Valid::Range { min, max } => {
                self.also_allowed.contains(&x)
                    || (min.into_iter().all(|m| x >= m) && max.into_iter().all(|m| x <= m))
            }
            _ => true,
        }
    }

    /// Whether `value` is one of the documented values; true when there is
    /// no value set. For list keys every comma-separated item must match.
    pub fn enum_allows(&self, value: &str) -> bool {
        let Valid::Enum(allowed) = self.valid else {
            return true;
        };
        let one = |v: &str| {
            allowed.iter().any(|a| {
                if self.case_insensitive {
                    a.eq_ignore_ascii_case(v)
                } else {
                    *a == v
                }
            })
        };
        if self.ty == ConfigType::List {
            value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .all(one)
        } else {
            one(value.trim())
        }
    }
}

/// Look up a key in a group for a version.
pub fn lookup(version: KafkaVersion, group: Group, name: &str) -> Option<&'static ConfigKey> {
    let table = group.table();
    let start = group.index().first_row(table, name)?;
    table
        .get(start..)?
        .iter()
        .take_while(|e| e.key.name == name)
        .find(|e| e.versions & version.bit() != 0)
        .map(|e| &e.key)
}

impl Group {
    /// The name index of the group's table, built on first use.
    fn index(self) -> &'static NameIndex {
        static INDEXES: [OnceLock<NameIndex>; 4] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        INDEXES[self as usize].get_or_init(|| NameIndex::new(self.table()))
    }
}

/// An open-addressing hash of a table's names to the first row of each. Rules look keys up
/// about a hundred times per object; a binary search compared ~9 names byte by byte each time.
struct NameIndex {
    /// First row + 1 of the name hashed here, 0 for an empty slot.
    slots: Vec<u32>,
    /// log2 of `slots.len()`.
    bits: u32,
}

impl NameIndex {
    fn new(table: &[Entry]) -> NameIndex {
        // At most half full, so probe runs stay short.
        let bits = (table.len().max(1) * 2)
            .next_power_of_two()
            .trailing_zeros();
        let mut index = NameIndex {
            slots: vec![0; 1 << bits],
            bits,
        };
        let mask = index.slots.len() - 1;
        for (row, e) in table.iter().enumerate() {
            // Rows of one name are adjacent (the table is sorted): index the first.
            if row > 0 && table[row - 1].key.name == e.key.name {
                continue;
            }
            let mut i = index.slot_of(e.key.name);
            while index.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            index.slots[i] = row as u32 + 1;
        }
        index
    }

    fn slot_of(&self, name: &str) -> usize {
        // Eight bytes a step; the high bits of the product are the well-mixed ones.
        let mut h: u64 = name.len() as u64;
        let mut chunks = name.as_bytes().chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        let mut word = [0u8; 8];
        let tail = chunks.remainder();
        word[..tail.len()].copy_from_slice(tail);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
        (h >> (64 - self.bits)) as usize
    }

    /// The first row named `name`.
    fn first_row(&self, table: &[Entry], name: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.slot_of(name);
        loop {
            let row = (*self.slots.get(i)? as usize).checked_sub(1)?;
            // `==` on str compares lengths before bytes.
            if table.get(row)?.key.name == name {
                return Some(row);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Every key of a group for a version, sorted by name.
pub fn keys(version: KafkaVersion, group: Group) -> impl Iterator<Item = &'static ConfigKey> {
    let bit = version.bit();
    group
        .table()
        .iter()
        .filter(move |e| e.versions & bit != 0)
        .map(|e| &e.key)
}

/// Which groups know this key in this version (e.g. "retention.ms" -> [Topic]),
/// in `Group::ALL` order.
pub fn groups_of(version: KafkaVersion, name: &str) -> Vec<Group> {
    Group::ALL
        .into_iter()
        .filter(|g| lookup(version, *g, name).is_some())
        .collect()
}

/// Closest key names in the group by edit distance (optimal string
/// alignment), best first, at most `n`, only those within
/// `max(2, len / 4)` edits. Comparison ignores ASCII case so "Retention.MS"
/// finds "retention.ms"; the exact input itself is never suggested.
pub fn suggest(version: KafkaVersion, group: Group, name: &str, n: usize) -> Vec<&'static str> {
    let limit = (name.chars().count() / 4).max(2);
    suggest_within(version, group, name, n, limit)
}

/// Like [`suggest`], with an explicit edit-distance limit (smaller is faster).
pub fn suggest_within(
    version: KafkaVersion,
    group: Group,
    name: &str,
    n: usize,
    limit: usize,
) -> Vec<&'static str> {
    if n == 0 {
        return Vec::new();
    }
    let input: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut candidate = Vec::new();
    let mut rows = distance::Rows::default();
    let mut scored: Vec<(usize, &'static str)> = keys(version, group)
        .filter(|k| k.name != name)
        // An edit distance is at least the length difference: skip those without computing it.
        .filter(|k| k.name.chars().count().abs_diff(input.len()) <= limit)
        .filter_map(|k| {
            candidate.clear();
            candidate.extend(k.name.chars().map(|c| c.to_ascii_lowercase()));
            rows.osa_within(&input, &candidate, limit)
                .map(|d| (d, k.name))
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(n).map(|(_, name)| name).collect()
}

/// Edit distance between two key names ignoring ASCII case, when it is at most
/// `limit` (the measure `suggest` ranks by).
pub fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    distance::osa_within(&a, &b, limit)
}

/// Topic key -> broker key that supplies its default ("retention.ms" ->
/// "log.retention.ms"). `None` for keys with no broker-level default.
pub fn broker_default_for_topic_key(
    version: KafkaVersion,
    topic_key: &str,
) -> Option<&'static str> {
    topic_default(version, topic_key).map(|t| t.broker)
}

/// All broker keys that can supply a topic key's default, highest precedence
/// first ("retention.ms" -> ["log.retention.ms", "log.retention.minutes",
/// "log.retention.hours"]). Empty when there is none.
pub fn broker_default_chain_for_topic_key(
    version: KafkaVersion,
    topic_key: &str,
) -> &'static [&'static str] {
    topic_default(version, topic_key).map_or(&[], |t| t.chain)
}

fn topic_default(version: KafkaVersion, topic_key: &str) -> Option<&'static table::TopicDefault> {
    let rows = generated::TOPIC_DEFAULTS;
    let start = rows.partition_point(|t| t.topic < topic_key);
    rows.iter()
        .skip(start)
        .take_while(|t| t.topic == topic_key)
        .find(|t| t.versions & version.bit() != 0)
}

/// A key documented in 3.9 that the 4.0 docs no longer list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemovedKey {
    pub name: &'static str,
    pub group: Group,
    /// "zookeeper-only", "deprecated-removed" or "removed-from-docs".
    pub category: &'static str,
    pub reason: Option<&'static str>,
}

/// Key documented in 3.9 but removed in 4.0.
pub fn removed_in_4_0(name: &str, group: Group) -> Option<&'static RemovedKey> {
    let rows = generated::REMOVED_IN_4_0;
    let start = rows.partition_point(|r| r.name < name);
    rows.iter()
        .skip(start)
        .take_while(|r| r.name == name)
        .find(|r| r.group == group)
}

/// Every key removed in 4.0, sorted by name.
pub fn removed_in_4_0_keys() -> &'static [RemovedKey] {
    generated::REMOVED_IN_4_0
}

/// Where the facts came from, for rule docs: one "repo@commit path" line per
/// source file.
pub const SOURCES: &[&str] = generated::SOURCES;

/// Broker keys that are accepted although the generated docs do not list
/// them (dynamic-only throttles set through kafka-configs).
const DYNAMIC_ONLY_BROKER_KEYS: [&str; 3] = [
    "follower.replication.throttled.rate",
    "leader.replication.throttled.rate",
    "replica.alter.log.dirs.io.max.bytes.per.second",
];

/// True for broker keys the broker accepts but the docs do not list, so an
/// unknown-key rule should not flag them: per-listener overrides
/// (`listener.name.<listener>.<key>`), remote storage plugin pass-through
/// (`rlmm.config.*`, `rsm.config.*` with the default prefixes) and the
/// dynamic-only replication throttles.
pub fn is_dynamic_or_prefixed_broker_key(name: &str) -> bool {
    if let Some(rest) = name.strip_prefix("listener.name.") {
        return matches!(rest.split_once('.'), Some((l, k)) if !l.is_empty() && !k.is_empty());
    }
    if ["rlmm.config.", "rsm.config."]
        .iter()
        .any(|p| name.strip_prefix(p).is_some_and(|k| !k.is_empty()))
    {
        return true;
    }
    DYNAMIC_ONLY_BROKER_KEYS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary search the index replaced.
    fn searched(version: KafkaVersion, group: Group, name: &str) -> Option<&'static ConfigKey> {
        let table = group.table();
        let start = table.partition_point(|e| e.key.name < name);
        table
            .iter()
            .skip(start)
            .take_while(|e| e.key.name == name)
            .find(|e| e.versions & version.bit() != 0)
            .map(|e| &e.key)
    }

    #[test]
    fn index_finds_what_the_search_finds() {
        for group in Group::ALL {
            for e in group.table() {
                let name = e.key.name;
                let near = [
                    name.to_string(),
                    format!("{name}x"),
                    name[..name.len() - 1].to_string(),
                    name.to_ascii_uppercase(),
                ];
                for n in &near {
                    for v in KafkaVersion::ALL {
                        assert_eq!(
                            lookup(v, group, n).map(|k| k as *const ConfigKey),
                            searched(v, group, n).map(|k| k as *const ConfigKey),
                            "{group} {n} {v}"
                        );
                    }
                }
            }
            for n in ["", "x", "log", "zzzzzzzzzzzzzzzzzzzzzzzz"] {
                assert!(lookup(KafkaVersion::V4_1, group, n).is_none());
            }
        }
    }
}
