//! The `kafkalint` binary end to end: examples from the seeds, exit codes, formats, errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

fn kafkalint_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// (rule, file, line, column, severity) of every diagnostic.
fn findings(v: &Value) -> Vec<(String, String, u64, u64, String)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rendered(dir: &str) -> Vec<u8> {
    let out = Command::new("kubectl")
        .args(["kustomize", dir])
        .current_dir(repo())
        .output()
        .expect("kubectl is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn forex_before_the_fix_is_oom_prone_and_on_empty_dir() {
    let out = kafkalint_stdin(
        &["lint", "-f", "json", "-"],
        &rendered("examples/forex-stg/before"),
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let f = findings(&v);
    let has = |rule: &str, sev: &str| f.iter().any(|d| d.0 == rule && d.4 == sev);
    assert!(has("MEM001", "error"), "{f:?}");
    assert!(has("STO001", "error"), "{f:?}");
    let budget = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "MEM002")
        .expect("a memory budget finding");
    assert_eq!(budget["severity"], "error");
    let msg = budget["message"].as_str().unwrap();
    assert!(
        msg.contains("heap 4096 MiB + direct 4096 MiB (defaults to heap)"),
        "{msg}"
    );
    assert!(msg.contains("> 5120 MiB limit"), "{msg}");
}

#[test]
fn forex_fix_is_inside_the_margin_band_so_a_warning() {
    let out = kafkalint_stdin(
        &["lint", "-f", "json", "-"],
        &rendered("examples/forex-stg/after"),
    );
    let v = json(&out);
    let f = findings(&v);
    assert!(!f.iter().any(|d| d.0 == "MEM001"), "{f:?}");
    let mem: Vec<_> = f.iter().filter(|d| d.0 == "MEM002").collect();
    assert_eq!(mem.len(), 1, "{f:?}");
    assert_eq!(mem[0].4, "warning");
    assert!(
        f.iter().any(|d| d.0 == "STO001"),
        "emptyDir is still there: {f:?}"
    );
}

#[test]
fn forex_env_file_alone_points_at_its_lines() {
    let out = kafkalint(&[
        "lint",
        "-f",
        "json",
        "examples/forex-stg/before/env/forex.env",
    ]);
    let f = findings(&json(&out));
    let file = "examples/forex-stg/before/env/forex.env".to_string();
    assert!(
        f.contains(&("MEM001".into(), file.clone(), 3, 17, "error".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("REP002".into(), file.clone(), 19, 31, "error".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("REP001".into(), file, 15, 38, "error".into())),
        "{f:?}"
    );
}

#[test]
fn ticketmaster_and_strimzi_examples() {
    let f = findings(&json(&kafkalint(&[
        "lint",
        "-f",
        "json",
        "examples/ticketmaster",
    ])));
    // What the seed got wrong: node.id from the pod name, $(ORDINAL) never defined, no
    // CLUSTER_ID for cp-kafka KRaft, the heap defaults, and the client properties pitfalls.
    let tm = "examples/ticketmaster/kafka.yaml";
    let props = "examples/ticketmaster/application.properties";
    for (code, file, line, col) in [
        ("TOP001", tm, 38, 26),
        ("TOP002", tm, 45, 37),
        ("TOP003", tm, 30, 15),
        ("MEM001", tm, 30, 15),
        ("CFG006", props, 13, 53),
        ("CLI005", props, 7, 33),
    ] {
        assert!(
            f.iter()
                .any(|d| d.0 == code && d.1 == file && d.2 == line && d.3 == col),
            "{code} at {file}:{line}:{col} missing: {f:?}"
        );
    }
    // RF 3, min ISR 2, explicit retention and PVCs: none of those.
    assert!(
        !f.iter()
            .any(|d| ["REP001", "REP002", "RET001", "STO001"].contains(&d.0.as_str())),
        "{f:?}"
    );

    let f = findings(&json(&kafkalint(&[
        "lint",
        "-f",
        "json",
        "examples/strimzi",
    ])));
    assert!(f.iter().any(|d| d.0 == "MEM002" && d.2 == 39), "{f:?}");
    assert!(
        !f.iter().any(|d| d.0 == "REP001" || d.0 == "REP002"),
        "{f:?}"
    );
}

#[test]
fn json_contract_shape() {
    let v = json(&kafkalint(&[
        "lint",
        "-f",
        "json",
        "examples/strimzi/kafka.yaml",
    ]));
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    for key in [
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "resource",
        "help",
    ] {
        assert!(d.get(key).is_some(), "missing {key} in {d}");
    }
    assert_eq!(d["file"], "examples/strimzi/kafka.yaml");
    assert_eq!(d["resource"]["kind"], "Kafka");
    assert_eq!(d["resource"]["apiVersion"], "kafka.strimzi.io/v1beta2");
    assert_eq!(d["resource"]["namespace"], "kafka");
    let s = &v["summary"];
    assert_eq!(s["files"], 1);
    assert_eq!(s["resources"], 2);
    let counted: u64 = ["errors", "warnings", "infos"]
        .iter()
        .map(|k| s[*k].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, v["diagnostics"].as_array().unwrap().len());
    assert!(d["fingerprint"].as_str().unwrap().len() >= 32);
}

#[test]
fn concise_and_human_formats() {
    let out = kafkalint(&[
        "lint",
        "-f",
        "concise",
        "crates/kafkalint-rules/fixtures/STO001/fail-emptydir.yaml",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l.starts_with(
            "crates/kafkalint-rules/fixtures/STO001/fail-emptydir.yaml:16:11: error[STO001] "
        )),
        "{text}"
    );
    let out = kafkalint(&[
        "lint",
        "crates/kafkalint-rules/fixtures/STO001/fail-emptydir.yaml",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("STO001"), "{text}");
    assert!(
        text.contains("emptyDir: {}"),
        "the snippet is shown: {text}"
    );
    assert!(text.contains("help:"), "{text}");
    assert!(!text.contains("\u{1b}["), "NO_COLOR is honoured");
}

#[test]
fn exit_codes_follow_fail_on() {
    let warn_only = "crates/kafkalint-rules/fixtures/MEM002/fail-thin-margin.yaml";
    // That fixture also lacks retention etc.; use a policy that keeps only MEM002.
    let dir = std::env::temp_dir().join(format!("kafkalint-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.yaml");
    let mut text = std::fs::read_to_string(repo().join("policies/default.yaml")).unwrap();
    for code in ["MEM001", "REP001", "REP002", "STO001", "RET001"] {
        text = text.replace(
            &format!("  {code}: {{ severity: error }}"),
            &format!("  {code}: {{ enabled: false }}"),
        );
    }
    std::fs::write(&policy, text).unwrap();
    let p = policy.to_str().unwrap();
    assert_eq!(
        kafkalint(&["lint", "--policy", p, warn_only]).status.code(),
        Some(0)
    );
    assert_eq!(
        kafkalint(&["lint", "--policy", p, "--fail-on", "warning", warn_only])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        kafkalint(&["lint", "--fail-on", "never", "examples"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        kafkalint(&[
            "lint",
            "crates/kafkalint-rules/fixtures/REP002/pass.properties"
        ])
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let out = kafkalint(&["lint", "no/such/path.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/path.yaml"));

    let dir = std::env::temp_dir().join(format!("kafkalint-usage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad_policy = dir.join("bad.yaml");
    let text = std::fs::read_to_string(repo().join("policies/default.yaml"))
        .unwrap()
        .replace(
            "  replication_factor_min: 3",
            "  replication_factor_minimum: 3",
        );
    std::fs::write(&bad_policy, &text).unwrap();
    let out = kafkalint(&["lint", "--policy", bad_policy.to_str().unwrap(), "examples"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .position(|l| l.contains("replication_factor_minimum"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("bad.yaml:{line}:")), "{err}");
    assert!(err.contains("replication_factor_minimum"), "{err}");

    // Only unreadable input: nothing could be processed.
    let binary = dir.join("blob.yaml");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    let out = kafkalint(&["lint", "-f", "concise", binary.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("SYN001"));

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_eq!(
        kafkalint(&["lint", empty.to_str().unwrap()]).status.code(),
        Some(2)
    );
    assert_eq!(
        kafkalint(&["lint", "--format", "xml", "examples"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_broken_file_is_reported_and_the_run_goes_on() {
    let out = kafkalint(&[
        "lint",
        "-f",
        "json",
        "crates/kafkalint-rules/fixtures/SYN001/fail-indentation.yaml",
        "crates/kafkalint-rules/fixtures/STO001/fail-emptydir.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let f = findings(&json(&out));
    assert!(f.iter().any(|d| d.0 == "SYN001" && d.2 == 5), "{f:?}");
    assert!(f.iter().any(|d| d.0 == "STO001"), "{f:?}");
}

#[test]
fn hostile_yaml_gives_errors_not_crashes() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    for input in [
        bomb,
        "[".repeat(200_000),
        (0..300)
            .map(|d| format!("{}k:\n", " ".repeat(d)))
            .collect::<String>(),
    ] {
        let out = kafkalint_stdin(&["lint", "-f", "concise", "-"], input.as_bytes());
        assert!(matches!(out.status.code(), Some(0..=2)), "{out:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn rules_and_rule_docs() {
    let out = kafkalint(&["rules"]);
    let text = String::from_utf8(out.stdout).unwrap();
    for code in [
        "SYN001", "MEM001", "MEM002", "MEM003", "REP001", "REP002", "STO001", "RET001",
    ] {
        assert!(text.contains(code), "{code} missing from rules list");
    }
    let out = kafkalint(&["rule", "MEM001"]);
    assert!(out.status.success());
    let doc = String::from_utf8(out.stdout).unwrap();
    assert!(
        doc.contains("## Why is this bad?") && doc.contains("MaxDirectMemorySize"),
        "{doc}"
    );
    let v: Value = serde_json::from_slice(&kafkalint(&["rules", "-f", "json"]).stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(
        rows.len(),
        text.lines().count() - 1,
        "one JSON row per listed rule"
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for r in rows {
        let line = format!(
            "| {} | {} |",
            r["code"].as_str().unwrap(),
            r["name"].as_str().unwrap()
        );
        assert!(readme.contains(&line), "README's rules table lacks {line}");
    }
    let mem001 = rows.iter().find(|r| r["code"] == "MEM001").unwrap();
    assert_eq!(mem001["category"], "memory");
    assert_eq!(mem001["default_severity"], "error");
    assert_eq!(mem001["enabled"], true);
    assert_eq!(kafkalint(&["rule", "NOPE01"]).status.code(), Some(2));
}

#[test]
fn image_and_version_flags_override_inference() {
    // Without KAFKA_CFG_ keys the file reads as cp-kafka; --image bitnami drops the alias-less var.
    let dir = std::env::temp_dir().join(format!("kafkalint-image-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("broker.env");
    std::fs::write(
        &f,
        "KAFKA_BROKER_ID=1\nKAFKA_MIN_INSYNC_REPLICAS=1\nKAFKA_LOG_RETENTION_HOURS=1\n",
    )
    .unwrap();
    let p = f.to_str().unwrap();
    let line_of = |args: &[&str]| -> Vec<(String, u64)> {
        findings(&json(&kafkalint(args)))
            .into_iter()
            .filter(|d| d.0 == "REP002")
            .map(|d| (d.0, d.2))
            .collect()
    };
    assert_eq!(
        line_of(&["lint", "-f", "json", p]),
        vec![("REP002".into(), 2)]
    );
    // bitnami ignores KAFKA_MIN_INSYNC_REPLICAS: Kafka's default applies, reported on the file.
    assert_eq!(
        line_of(&["lint", "-f", "json", "--image", "bitnami", p]),
        vec![("REP002".into(), 1)]
    );
    assert_eq!(
        kafkalint(&["lint", "--kafka-version", "four", p])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn forex_kustomization_is_rendered_natively_with_source_lines() {
    let out = kafkalint(&["lint", "-f", "json", "examples/forex-stg/before"]);
    assert_eq!(out.status.code(), Some(1));
    let f = findings(&json(&out));
    let env = "examples/forex-stg/before/env/forex.env".to_string();
    assert!(
        f.contains(&("MEM002".into(), env.clone(), 3, 17, "error".into())),
        "{f:?}"
    );
    assert!(
        f.contains(&("MEM001".into(), env, 3, 17, "error".into())),
        "{f:?}"
    );
    assert!(
        f.iter().any(|d| d.0 == "STO001"
            && d.1 == "examples/forex-stg/before/statefulset.yml"
            && d.2 == 71),
        "{f:?}"
    );
    let rendered = kafkalint(&["kustomize", "examples/forex-stg/before"]);
    assert!(rendered.status.success());
    assert!(String::from_utf8_lossy(&rendered.stdout).contains("kind: StatefulSet"));
}

#[test]
fn kustomize_renders_several_dirs_into_one_stream() {
    let dirs = ["examples/forex-stg/before", "examples/forex-stg/after"];
    let one = |d: &str| {
        let out = kafkalint(&["kustomize", d]);
        assert!(out.status.success(), "{d}");
        String::from_utf8(out.stdout).unwrap()
    };
    let expected = format!(
        "# Source: {}\n{}---\n# Source: {}\n{}",
        dirs[0],
        one(dirs[0]),
        dirs[1],
        one(dirs[1])
    );
    let both = kafkalint(&["kustomize", dirs[0], dirs[1]]);
    assert!(both.status.success());
    assert_eq!(String::from_utf8(both.stdout).unwrap(), expected);

    // A failing DIR is named on stderr; the others still render, and the exit code is 2.
    let missing = "tests/data/no-such-kustomization";
    let out = kafkalint(&["kustomize", dirs[0], missing, dirs[1]]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(missing), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    // The stream lints like the single renders do.
    let linted = kafkalint_stdin(&["lint", "-f", "json", "-"], expected.as_bytes());
    assert_eq!(linted.status.code(), Some(1));
}

#[test]
fn overlay_findings_land_in_the_overlay_file_that_set_the_value() {
    let base = kafkalint(&["lint", "-f", "json", "tests/data/overlay-provenance/base"]);
    let core = |d: &(String, String, u64, u64, String)| {
        ["MEM002", "REP001", "REP002"].contains(&d.0.as_str())
    };
    let base_core: Vec<_> = findings(&json(&base)).into_iter().filter(core).collect();
    assert!(
        base_core.is_empty(),
        "the base alone is clean: {base_core:?}"
    );

    let out = kafkalint(&[
        "lint",
        "-f",
        "json",
        "tests/data/overlay-provenance/overlays/prod",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let mut f: Vec<_> = findings(&json(&out)).into_iter().filter(core).collect();
    f.sort();
    let dir = "tests/data/overlay-provenance/overlays/prod";
    assert_eq!(
        f,
        vec![
            // A literal in configMapGenerator: on its `literals` entry, at the value.
            (
                "REP001".into(),
                format!("{dir}/kustomization.yaml"),
                11,
                52,
                "error".into()
            ),
            // The heap raised by the overlay's strategic-merge patch: in the patch file.
            (
                "MEM002".into(),
                format!("{dir}/heap.yaml"),
                12,
                23,
                "error".into()
            ),
            // The overlay's env file merged into the base's generated ConfigMap: on its line.
            (
                "REP002".into(),
                format!("{dir}/env/prod.env"),
                3,
                31,
                "error".into()
            ),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
}

/// `kafkalint webhook` runs the server binary found next to kafkalint, with the arguments
/// given; without one it says how to get it and exits 2.
#[test]
fn webhook_subcommand_hands_over_to_the_server_binary() {
    // Under target/, so the binaries can be hard links: a copy is a file open for writing,
    // and a test thread forking meanwhile makes exec fail with "text file busy".
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("kafkalint-webhook-cmd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let link = |from: &Path, to: &Path| {
        std::fs::hard_link(from, to)
            .or_else(|_| std::fs::copy(from, to).map(drop))
            .unwrap()
    };
    let cli = dir.join("kafkalint");
    link(Path::new(env!("CARGO_BIN_EXE_kafkalint")), &cli);
    let run = |args: &[&str]| {
        Command::new(&cli)
            .args(args)
            .env("PATH", dir.join("no-such-dir"))
            .output()
            .unwrap()
    };

    let alone = run(&["webhook", "--help"]);
    assert_eq!(alone.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&alone.stderr);
    assert!(stderr.contains("not installed"), "{stderr}");
    assert!(stderr.contains("kafkalint-webhook"), "{stderr}");

    // `cargo test --workspace` has built the server next to kafkalint already; building it
    // again with `-p` alone would resolve other features and recompile its dependencies.
    let server = Path::new(env!("CARGO_BIN_EXE_kafkalint")).with_file_name("kafkalint-webhook");
    if !server.is_file() {
        let built = Command::new(env!("CARGO"))
            .args([
                "build",
                "-q",
                "-p",
                "kafkalint-webhook",
                "--bin",
                "kafkalint-webhook",
            ])
            .current_dir(repo())
            .status()
            .unwrap();
        assert!(built.success());
    }
    link(&server, &dir.join("kafkalint-webhook"));
    let version = run(&["webhook", "--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("kafkalint-webhook {}", env!("CARGO_PKG_VERSION"))
    );
    let missing_tls = run(&["webhook", "--listen", "127.0.0.1:0"]);
    assert_eq!(missing_tls.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing_tls.stderr).contains("--tls-cert"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A directory walk renders each kustomization root it finds instead of linting the root's
/// files one by one: walking the parent of a base and its overlay gives exactly what linting
/// each root gives, every finding once, and none of the per-file findings (an env file alone
/// is a broker with unbounded direct memory; here it is a generated ConfigMap).
#[test]
fn a_directory_walk_renders_the_kustomization_roots_it_finds() {
    let root = "tests/data/overlay-provenance";
    // (rule, file, line, column, kind/namespace/name) of every diagnostic.
    let keyed = |path: &str| {
        let out = kafkalint(&["lint", "-f", "json", path]);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out);
        let mut f: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let r = &d["resource"];
                format!(
                    "{} {}:{}:{} {}/{}/{}",
                    d["rule"].as_str().unwrap(),
                    d["file"].as_str().unwrap(),
                    d["line"],
                    d["column"],
                    r["kind"].as_str().unwrap_or(""),
                    r["namespace"].as_str().unwrap_or(""),
                    r["name"].as_str().unwrap_or("")
                )
            })
            .collect();
        f.sort();
        (f, v["summary"]["resources"].as_u64().unwrap())
    };
    let (walked, walked_resources) = keyed(root);
    let (base, base_resources) = keyed(&format!("{root}/base"));
    let (overlay, overlay_resources) = keyed(&format!("{root}/overlays/prod"));
    let mut both: Vec<String> = base.iter().chain(&overlay).cloned().collect();
    both.sort();
    assert_eq!(walked, both);
    // Two rendered objects per root (StatefulSet and generated ConfigMap), not the raw files.
    assert_eq!((base_resources, overlay_resources), (2, 2));
    assert_eq!(walked_resources, 4);
    let mut unique = walked.clone();
    unique.dedup();
    assert_eq!(unique, walked, "a finding reported twice");
    // The overlay's findings land on the overlay's own files, once each.
    let dir = format!("{root}/overlays/prod");
    for at in [
        format!("REP001 {dir}/kustomization.yaml:11:52 StatefulSet/kafka-prod/prod-kafka"),
        format!("MEM002 {dir}/heap.yaml:12:23 StatefulSet/kafka-prod/prod-kafka"),
        format!("REP002 {dir}/env/prod.env:3:31 StatefulSet/kafka-prod/prod-kafka"),
    ] {
        assert_eq!(
            walked.iter().filter(|d| **d == at).count(),
            1,
            "{at}: {walked:?}"
        );
    }
    // Linted file by file, the env files would be standalone brokers of their own.
    assert!(
        !walked
            .iter()
            .any(|d| d.starts_with("MEM001") || d.ends_with(" //")),
        "{walked:?}"
    );
}

/// `kafkalint kustomize DIR` prints the same objects as `kubectl kustomize DIR` on every
/// synthetic fixture, compared by PyYAML as parsed objects, independently of our YAML parser.
#[test]
fn kustomize_subcommand_prints_what_kubectl_kustomize_prints() {
    const COMPARE: &str = r#"
import json, sys, yaml
def objects(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    return sorted(json.dumps(d, sort_keys=True) for d in docs)
ours, theirs = objects(sys.argv[1]), objects(sys.argv[2])
if ours != theirs:
    extra = sorted(set(ours) - set(theirs))
    missing = sorted(set(theirs) - set(ours))
    print("only ours:", extra[:2], "only kubectl:", missing[:2], "counts:", len(ours), len(theirs))
    sys.exit(1)
print(len(ours))
"#;
    let fixtures = repo().join("crates/kafkalint-kustomize/tests/fixtures");
    let tmp = std::env::temp_dir().join(format!("kafkalint-cli-kustomize-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("kustomization.yaml").is_file())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 10, "{dirs:?}");
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let rel = dir
            .strip_prefix(repo())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let ours = kafkalint(&["kustomize", &rel]);
        assert!(
            ours.status.success(),
            "{rel}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let theirs = rendered(&rel);
        let (a, b) = (
            tmp.join(format!("{name}.ours")),
            tmp.join(format!("{name}.kubectl")),
        );
        std::fs::write(&a, &ours.stdout).unwrap();
        std::fs::write(&b, &theirs).unwrap();
        let cmp = Command::new("python3")
            .args(["-c", COMPARE])
            .arg(&a)
            .arg(&b)
            .output()
            .expect("python3 with PyYAML");
        let said = String::from_utf8_lossy(&cmp.stdout).to_string();
        if !cmp.status.success() {
            failures.push(format!(
                "{rel}: {said}{}",
                String::from_utf8_lossy(&cmp.stderr)
            ));
        } else if said.trim().parse::<usize>().unwrap_or(0) == 0 {
            failures.push(format!("{rel}: no objects rendered"));
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
