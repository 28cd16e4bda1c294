//! `kafkalint memory` end to end on the seed's before/after manifests: every term with its
//! number and origin, the total, the limit, the margin and the changes, as text and as JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn kafkalint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(args: &[&str]) -> String {
    let out = kafkalint(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = kafkalint(args);
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// The table row of a term: `name`, MiB, and the source column.
fn row<'a>(out: &'a str, name: &str) -> (u64, &'a str) {
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no row {name} in\n{out}"));
    let rest = line.trim_start()[name.len()..].trim_start();
    let (mib, source) = rest.split_once("  ").unwrap_or((rest, ""));
    (mib.trim().parse().unwrap(), source.trim())
}

fn term<'a>(broker: &'a Value, name: &str) -> &'a Value {
    broker["terms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no term {name}"))
}

#[test]
fn before_the_fix_the_budget_is_far_over_the_limit() {
    let out = text(&["memory", "examples/forex-stg/before"]);
    assert!(out.starts_with(
        "StatefulSet/kafka container kafka (examples/forex-stg/before/statefulset.yml:37:17)\n"
    ));
    assert_eq!(
        row(&out, "heap"),
        (
            4096,
            "flag -Xmx4096m in KAFKA_HEAP_OPTS at examples/forex-stg/before/env/forex.env:3:17"
        )
    );
    assert_eq!(
        row(&out, "direct"),
        (
            4096,
            "derived: defaults to the heap (-XX:MaxDirectMemorySize is not set)"
        )
    );
    let (mib, source) = row(&out, "metaspace");
    assert_eq!(mib, 128);
    assert!(
        source.contains("policy memory.metaspace_estimate_mib"),
        "{source}"
    );
    assert_eq!(row(&out, "code cache").0, 240);
    let (mib, source) = row(&out, "thread stacks");
    assert_eq!(mib, 112);
    assert!(
        source.contains("112 threads (network 3×1 + io 8 + fetchers 1×0 + background 10 + cleaner 1 + JVM 40 + other 50) × 1 MiB stack"),
        "{source}"
    );
    assert_eq!(
        row(&out, "GC structures"),
        (197, "estimate: G1 on JDK 17: 45 MiB + 3.7% of heap")
    );
    assert_eq!(row(&out, "agents").0, 0);
    assert_eq!(row(&out, "other native").0, 0);
    assert_eq!(row(&out, "total").0, 8869);
    assert_eq!(
        row(&out, "limit"),
        (
            5120,
            "5Gi at examples/forex-stg/before/statefulset.yml:68:23"
        )
    );
    assert!(out.contains("  margin          -73.2%  over the limit (3749 MiB over)\n"));
    assert!(out.contains("    - lower the heap to -Xmx1878m (-2218 MiB, the smallest change)\n"));
    assert!(out.contains("    - raise the memory limit to 10434Mi (+5314 MiB)\n"));
    // Direct memory would have to shrink below zero: not offered.
    assert!(!out.contains("MaxDirectMemorySize="), "{out}");
}

#[test]
fn after_the_fix_the_margin_is_in_the_warning_band() {
    let out = text(&["memory", "examples/forex-stg/after"]);
    assert_eq!(
        row(&out, "heap"),
        (
            3072,
            "flag -Xmx3072m in KAFKA_HEAP_OPTS at examples/forex-stg/after/env/forex.env:3:17"
        )
    );
    assert_eq!(
        row(&out, "direct"),
        (
            1536,
            "flag -XX:MaxDirectMemorySize=1536m in KAFKA_HEAP_OPTS at examples/forex-stg/after/env/forex.env:3:37"
        )
    );
    assert_eq!(row(&out, "GC structures").0, 159);
    assert_eq!(row(&out, "total").0, 5247);
    assert_eq!(
        row(&out, "limit"),
        (
            6144,
            "6Gi at examples/forex-stg/after/statefulset.yml:68:23"
        )
    );
    assert!(out.contains("  margin           14.6%  below the recommended 15% (897 MiB free)\n"));
    assert!(out.contains("    - lower -XX:MaxDirectMemorySize to 1511m (-25 MiB)\n"));
    assert!(out.contains("    - lower the heap to -Xmx3048m (-24 MiB, the smallest change)\n"));
    assert!(out.contains("    - raise the memory limit to 6173Mi (+29 MiB)\n"));
}

#[test]
fn json_has_the_same_numbers_and_origins() {
    let v = json(&["memory", "-f", "json", "examples/forex-stg/before"]);
    assert_eq!(v["target_margin_percent"], 15.0);
    let brokers = v["brokers"].as_array().unwrap();
    assert_eq!(brokers.len(), 1);
    let b = &brokers[0];
    assert_eq!(b["name"], "StatefulSet/kafka container kafka");
    assert_eq!(b["namespace"], "forex-stg");
    assert_eq!(b["status"], "budget");
    assert_eq!(b["jdk"], 17);
    let heap = term(b, "heap");
    assert_eq!(heap["mib"], 4096);
    assert_eq!(heap["source"], "flag");
    assert_eq!(heap["token"], "-Xmx4096m");
    assert_eq!(heap["from"], "KAFKA_HEAP_OPTS");
    assert_eq!(heap["file"], "examples/forex-stg/before/env/forex.env");
    assert_eq!(
        (heap["line"].as_u64(), heap["column"].as_u64()),
        (Some(3), Some(17))
    );
    let direct = term(b, "direct");
    assert_eq!(
        (direct["mib"].as_u64(), direct["source"].as_str()),
        (Some(4096), Some("derived"))
    );
    assert!(direct.get("file").is_none());
    assert_eq!(
        term(b, "metaspace")["policy"][0],
        "memory.metaspace_estimate_mib"
    );
    assert_eq!(term(b, "code cache")["source"], "default");
    assert_eq!(term(b, "thread stacks")["mib"], 112);
    assert_eq!(term(b, "GC structures")["mib"], 197);
    assert_eq!(b["threads"]["total"], 112);
    assert_eq!(b["threads"]["listeners"], 1);
    assert_eq!(b["total_mib"], 8869);
    assert_eq!(b["limit"]["mib"], 5120);
    assert_eq!(b["limit"]["text"], "5Gi");
    assert_eq!(
        b["limit"]["file"],
        "examples/forex-stg/before/statefulset.yml"
    );
    assert_eq!(b["limit"]["line"], 68);
    assert_eq!(b["margin_percent"], -73.2);
    assert_eq!(b["verdict"], "error");
    let changes: Vec<(&str, u64)> = b["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["mib"].as_u64().unwrap()))
        .collect();
    assert_eq!(changes, [("lower-heap", 1878), ("raise-limit", 10434)]);

    let v = json(&["memory", "--format", "json", "examples/forex-stg/after"]);
    let b = &v["brokers"][0];
    let direct = term(b, "direct");
    assert_eq!(direct["token"], "-XX:MaxDirectMemorySize=1536m");
    assert_eq!(
        (direct["line"].as_u64(), direct["column"].as_u64()),
        (Some(3), Some(37))
    );
    assert_eq!(b["total_mib"], 5247);
    assert_eq!(b["margin_percent"], 14.6);
    assert_eq!(b["verdict"], "warning");
    assert_eq!(b["changes"][0]["setting"], "-XX:MaxDirectMemorySize=1511m");
    assert_eq!(b["changes"][1]["setting"], "-Xmx3048m");
    assert_eq!(b["changes"][2]["setting"], "6173Mi");
}

#[test]
fn brokers_without_a_budget_are_listed_with_the_reason() {
    let dir = std::env::temp_dir().join(format!("kafkalint-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("brokers.yaml");
    std::fs::write(
        &file,
        "apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: nolimit
spec:
  template:
    spec:
      containers:
        - name: kafka
          image: bitnami/kafka:3.9.0
---
apiVersion: platform.confluent.io/v1beta1
kind: Kafka
metadata:
  name: cfk
spec:
  replicas: 3
  image:
    application: confluentinc/cp-server:7.9.0
  dataVolumeCapacity: 10Gi
  podTemplate:
    resources:
      limits:
        memory: 8Gi
",
    )
    .unwrap();
    let path = file.to_string_lossy().to_string();
    let out = text(&["memory", &path]);
    assert!(out.contains("StatefulSet/nolimit container kafka"), "{out}");
    assert!(
        out.contains("  no budget: the container has no memory limit\n"),
        "{out}"
    );
    assert!(out.contains("Kafka/cfk"), "{out}");
    assert!(
        out.contains("  no budget: Confluent for Kubernetes adds default JVM flags"),
        "{out}"
    );
    let v = json(&["memory", "-f", "json", &path]);
    assert_eq!(v["brokers"][0]["status"], "no-limit");
    assert_eq!(v["brokers"][1]["status"], "unknown");
    assert_eq!(v["brokers"][1]["kafka_version"], "3.9");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unreadable_input_exits_2() {
    let out = kafkalint(&["memory", "no/such/path"]);
    assert_eq!(out.status.code(), Some(2));
    let dir = std::env::temp_dir().join(format!("kafkalint-memory-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.yaml");
    std::fs::write(&file, "a: [unclosed\n").unwrap();
    let out = kafkalint(&["memory", &file.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yaml:"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_policy_sets_the_margins_as_for_lint() {
    let v = json(&[
        "memory",
        "-f",
        "json",
        "--policy",
        "production",
        "examples/forex-stg/after",
    ]);
    let b = &v["brokers"][0];
    assert_eq!(b["minimum_margin_percent"], 15.0);
    assert_eq!(b["target_margin_percent"], 20.0);
    assert_eq!(b["margin_percent"], 14.6);
    assert_eq!(b["verdict"], "error");
    assert_eq!(b["changes"][1]["setting"], "-Xmx2752m");
}
