use std::path::Path;
use std::process::Command;

use kafkalint_catalog::KafkaVersion::{V3_6, V3_9, V4_0, V4_1};
use kafkalint_catalog::{
    broker_default_chain_for_topic_key, broker_default_for_topic_key, groups_of,
    is_dynamic_or_prefixed_broker_key, keys, lookup, removed_in_4_0, removed_in_4_0_keys, suggest,
    ConfigType, Group, Importance, KafkaVersion, Valid, SOURCES,
};

#[test]
fn broker_retention_hours_default() {
    let k = lookup(V3_9, Group::Broker, "log.retention.hours").expect("known key");
    assert_eq!(k.name, "log.retention.hours");
    assert_eq!(k.default, Some("168"));
    assert_eq!(k.ty, ConfigType::Int);
    assert_eq!(k.importance, Importance::High);
    assert_eq!(k.dynamic_update_mode, Some("read-only"));
    assert!(!k.required);
}

#[test]
fn key_counts_match_the_docs() {
    // Per-version key counts of the source documents; catches rows lost or
    // mis-masked by the cross-version deduplication.
    let expected = [
        (V3_6, [276, 31, 88, 90]),
        (V3_9, [320, 36, 95, 96]),
        (V4_0, [295, 33, 95, 96]),
        (V4_1, [322, 33, 112, 113]),
    ];
    for (v, counts) in expected {
        for (g, n) in Group::ALL.into_iter().zip(counts) {
            assert_eq!(keys(v, g).count(), n, "{v} {g}");
        }
    }
}

#[test]
fn keys_are_sorted_unique_and_found_by_lookup() {
    for v in KafkaVersion::ALL {
        for g in Group::ALL {
            let names: Vec<&str> = keys(v, g).map(|k| k.name).collect();
            assert!(
                names.windows(2).all(|w| w[0] < w[1]),
                "{v} {g} not strictly sorted"
            );
            for k in keys(v, g) {
                let found = lookup(v, g, k.name).expect("listed key must be found");
                assert!(std::ptr::eq(found, k), "{v} {g} {}", k.name);
                if g != Group::Broker {
                    assert_eq!(k.dynamic_update_mode, None, "{v} {g} {}", k.name);
                }
            }
        }
    }
}

#[test]
fn retention_ms_is_topic_only() {
    assert_eq!(groups_of(V3_9, "retention.ms"), vec![Group::Topic]);
    assert_eq!(groups_of(V3_9, "log.retention.ms"), vec![Group::Broker]);
    assert_eq!(
        groups_of(V3_9, "compression.type"),
        vec![Group::Broker, Group::Topic, Group::Producer]
    );
    assert!(groups_of(V4_1, "no.such.key").is_empty());
}

#[test]
fn suggestions() {
    let s = suggest(V3_9, Group::Broker, "min.insync.replica", 3);
    assert!(s.contains(&"min.insync.replicas"), "{s:?}");
    assert_eq!(
        suggest(V3_9, Group::Topic, "min.insync.replica", 1),
        vec!["min.insync.replicas"]
    );
    assert_eq!(
        suggest(V4_0, Group::Topic, "retention.sm", 1),
        vec!["retention.ms"]
    );
    assert_eq!(
        suggest(V4_0, Group::Topic, "Retention.MS", 1),
        vec!["retention.ms"]
    );
    // Best first.
    let s = suggest(V3_9, Group::Broker, "log.retention.hour", 5);
    assert_eq!(s.first(), Some(&"log.retention.hours"), "{s:?}");
    assert!(s.len() <= 5);
    // Far-off input yields nothing; n = 0 yields nothing; an exact key is not
    // suggested back.
    assert!(suggest(V3_9, Group::Broker, "completely.unrelated.thing.xyz", 5).is_empty());
    assert!(suggest(V3_9, Group::Broker, "min.insync.replica", 0).is_empty());
    assert!(!suggest(V3_9, Group::Topic, "retention.ms", 5).contains(&"retention.ms"));
}

#[test]
fn zookeeper_keys_removed_in_4_0() {
    let r = removed_in_4_0("zookeeper.connect", Group::Broker).expect("removed");
    assert_eq!(r.name, "zookeeper.connect");
    assert_eq!(r.group, Group::Broker);
    assert_eq!(r.category, "zookeeper-only");
    assert!(lookup(V3_9, Group::Broker, "zookeeper.connect").is_some());
    assert!(lookup(V4_0, Group::Broker, "zookeeper.connect").is_none());
    assert!(lookup(V4_1, Group::Broker, "zookeeper.connect").is_none());
    assert!(removed_in_4_0("zookeeper.connect", Group::Topic).is_none());
    assert!(removed_in_4_0("log.retention.hours", Group::Broker).is_none());
    let t = removed_in_4_0("message.format.version", Group::Topic).expect("topic key removed");
    assert_eq!(t.category, "deprecated-removed");
    // Every removed key really is 3.9-only.
    for r in removed_in_4_0_keys() {
        assert!(lookup(V3_9, r.group, r.name).is_some(), "{}", r.name);
        assert!(lookup(V4_0, r.group, r.name).is_none(), "{}", r.name);
    }
}

#[test]
fn version_specific_shapes() {
    // process.roles has a default before 4.0 and is required from 4.0 on.
    let old = lookup(V3_9, Group::Broker, "process.roles").expect("3.9");
    let new = lookup(V4_0, Group::Broker, "process.roles").expect("4.0");
    assert_eq!(old.default, Some(""));
    assert!(!old.required);
    assert_eq!(new.default, None);
    assert!(new.required);
    assert!(new.enum_allows("broker,controller"));
    assert!(!new.enum_allows("broker,zookeeper"));
    // Documented in 3.9 and 4.0 only (dropped in 4.1).
    assert!(lookup(V3_6, Group::Broker, "group.share.max.groups").is_none());
    assert!(lookup(V3_9, Group::Broker, "group.share.max.groups").is_some());
    assert!(lookup(V4_0, Group::Broker, "group.share.max.groups").is_some());
    assert!(lookup(V4_1, Group::Broker, "group.share.max.groups").is_none());
    // Client default changed in 4.0.
    let p = |v| lookup(v, Group::Producer, "metadata.recovery.strategy").and_then(|k| k.default);
    assert_eq!(p(V3_9), Some("none"));
    assert_eq!(p(V4_0), Some("rebootstrap"));
}

#[test]
fn enum_values() {
    let k = lookup(V3_9, Group::Broker, "compression.type").expect("broker compression.type");
    let Valid::Enum(values) = k.valid else {
        panic!("expected enum, got {:?}", k.valid)
    };
    for v in ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] {
        assert!(values.contains(&v), "{v}");
    }
    assert!(k.enum_allows("producer"));
    assert!(!k.enum_allows("none"));
    assert!(
        !k.enum_allows("ZSTD"),
        "broker compression.type is case sensitive"
    );
    let p = lookup(V3_9, Group::Producer, "compression.type").expect("producer compression.type");
    assert!(p.enum_allows("none"));
    assert!(!p.enum_allows("producer"));
    let sp = lookup(V4_1, Group::Consumer, "security.protocol").expect("security.protocol");
    assert!(sp.case_insensitive);
    assert!(sp.enum_allows("sasl_ssl"));
    assert!(!sp.enum_allows("TLS"));
    let cp = lookup(V4_0, Group::Topic, "cleanup.policy").expect("cleanup.policy");
    assert_eq!(cp.ty, ConfigType::List);
    assert!(cp.enum_allows("compact, delete"));
    assert!(!cp.enum_allows("compact,remove"));
}

#[test]
fn ranges() {
    let k = lookup(V4_1, Group::Broker, "num.network.threads").expect("num.network.threads");
    assert_eq!(
        k.valid,
        Valid::Range {
            min: Some(1.0),
            max: None
        }
    );
    assert!(k.range_allows(1.0));
    assert!(!k.range_allows(0.0));
    let r = lookup(V3_9, Group::Topic, "min.cleanable.dirty.ratio").expect("ratio");
    assert_eq!(
        r.valid,
        Valid::Range {
            min: Some(0.0),
            max: Some(1.0)
        }
    );
    assert_eq!(r.default, Some("0.5"));
    assert!(!r.range_allows(1.5));
    let g = lookup(V4_0, Group::Producer, "compression.gzip.level").expect("gzip level");
    assert!(g.range_allows(-1.0), "-1 is allowed besides 1..=9");
    assert!(!g.range_allows(0.0));
    assert!(g.range_allows(9.0));
    assert!(!g.range_allows(f64::NAN));
    assert!(lookup(V3_6, Group::Producer, "compression.gzip.level").is_none());
    let d = lookup(V3_9, Group::Broker, "log.cleaner.io.max.bytes.per.second").expect("double");
    assert_eq!(d.ty, ConfigType::Double);
    assert_eq!(d.default, Some("1.7976931348623157E308"));
}

#[test]
fn topic_defaults_from_broker() {
    assert_eq!(
        broker_default_for_topic_key(V3_9, "retention.ms"),
        Some("log.retention.ms")
    );
    assert_eq!(
        broker_default_for_topic_key(V4_1, "max.message.bytes"),
        Some("message.max.bytes")
    );
    assert_eq!(
        broker_default_chain_for_topic_key(V3_9, "retention.ms"),
        [
            "log.retention.ms",
            "log.retention.minutes",
            "log.retention.hours"
        ]
    );
    assert_eq!(
        broker_default_chain_for_topic_key(V3_9, "cleanup.policy"),
        ["log.cleanup.policy"]
    );
    // Gone in 4.0 together with message format v0/v1.
    assert_eq!(
        broker_default_for_topic_key(V3_9, "message.format.version"),
        Some("log.message.format.version")
    );
    assert_eq!(
        broker_default_for_topic_key(V4_0, "message.format.version"),
        None
    );
    // No broker-level default.
    assert_eq!(
        broker_default_for_topic_key(V3_9, "remote.storage.enable"),
        None
    );
    assert!(broker_default_chain_for_topic_key(V3_9, "remote.storage.enable").is_empty());
    assert_eq!(broker_default_for_topic_key(V3_9, "log.retention.ms"), None);
}

#[test]
fn version_strings() {
    let cases = [
        ("3.7.1", Some(V3_9)),
        ("3.6", Some(V3_6)),
        ("3.6.2", Some(V3_6)),
        ("2.8.0", Some(V3_6)),
        ("0.10.2.1", Some(V3_6)),
        ("3.8", Some(V3_9)),
        ("3.9.1", Some(V3_9)),
        ("4.0.0", Some(V4_0)),
        ("4.0.0-rc1", Some(V4_0)),
        ("4.1.0", Some(V4_1)),
        ("4.2", Some(V4_1)),
        ("5.0", Some(V4_1)),
        (" v3.9.0 ", Some(V3_9)),
        ("3.9-IV0", Some(V3_9)),
        ("3", None),
        ("", None),
        ("latest", None),
        ("+3.9", None),
        ("3.x", None),
        (".9", None),
        ("99999999999999999999.1", None),
        ("4.\u{e9}", None),
    ];
    for (s, want) in cases {
        assert_eq!(KafkaVersion::from_version_str(s), want, "{s:?}");
    }
    let strs: Vec<&str> = KafkaVersion::ALL.iter().map(|v| v.as_str()).collect();
    assert_eq!(strs, ["3.6", "3.9", "4.0", "4.1"]);
    for v in KafkaVersion::ALL {
        assert_eq!(KafkaVersion::from_version_str(v.as_str()), Some(v));
    }
    assert!(!V3_9.is_4x());
    assert!(V4_0.is_4x() && V4_1.is_4x());
}

#[test]
fn prefixed_and_dynamic_broker_keys() {
    for k in [
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "listener.name.internal.ssl.keystore.location",
        "rlmm.config.remote.log.metadata.topic.replication.factor",
        "rsm.config.s3.bucket",
        "leader.replication.throttled.rate",
        "follower.replication.throttled.rate",
        "replica.alter.log.dirs.io.max.bytes.per.second",
    ] {
        assert!(is_dynamic_or_prefixed_broker_key(k), "{k}");
    }
    for k in [
        "listener.name.",
        "listener.name.x",
        "listener.name..ssl",
        "rsm.config.",
        "log.retention.ms",
        "",
    ] {
        assert!(!is_dynamic_or_prefixed_broker_key(k), "{k}");
    }
}

#[test]
fn sources_cite_repo_and_commit() {
    assert!(!SOURCES.is_empty());
    for line in SOURCES {
        let (repo_at, path) = line.split_once(' ').expect("repo@commit path");
        let (repo, commit) = repo_at.split_once('@').expect("repo@commit");
        assert!(repo.contains('/'), "{line}");
        assert_eq!(commit.len(), 40, "{line}");
        assert!(commit.bytes().all(|b| b.is_ascii_hexdigit()), "{line}");
        assert!(!path.is_empty(), "{line}");
    }
    assert!(SOURCES
        .iter()
        .any(|l| l.ends_with("static/39/generated/kafka_config.html")));
}

#[test]
fn odd_inputs_do_not_panic() {
    let long = "x".repeat(100_000);
    let inputs = [
        "",
        ".",
        "\u{0}",
        "é.ü",
        "ü",
        "listener.name.é.ß",
        long.as_str(),
    ];
    for s in inputs {
        for v in KafkaVersion::ALL {
            for g in Group::ALL {
                assert!(lookup(v, g, s).is_none());
                let _ = suggest(v, g, s, 10);
            }
            assert!(groups_of(v, s).is_empty());
            assert!(broker_default_for_topic_key(v, s).is_none());
        }
        let _ = KafkaVersion::from_version_str(s);
        let _ = is_dynamic_or_prefixed_broker_key(s);
        assert!(removed_in_4_0(s, Group::Broker).is_none());
    }
}

/// The committed tables must match what the generator makes from the data,
/// when the data is checked out beside the repository.
#[test]
fn generated_tables_match_data() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if !repo.join("../shared/data/kafka").is_dir() {
        eprintln!("skipping drift check: ../shared/data/kafka not found beside the repository");
        return;
    }
    let out = match Command::new("python3")
        .arg("tools/gen_catalog.py")
        .arg("--check")
        .current_dir(&repo)
        .output()
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipping drift check: python3 not found");
            return;
        }
        Err(e) => panic!("running the generator failed: {e}"),
    };
    assert!(
        out.status.success(),
        "gen_catalog --check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
