//! Report formats: snapshots of each, SARIF validated by Microsoft's SARIF multitool against
//! the official 2.1.0 schema, JUnit parsed by a real XML parser, several reports in one run.
//!
//! Snapshots live in tests/snapshots; `KAFKALINT_UPDATE_SNAPSHOTS=1` rewrites them.

use std::fs;
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

/// A fixed input and rule selection, so snapshots change only when a format does.
const INPUT: &[&str] = &[
    "--select",
    "REP002,STO001,RET001",
    "tests/data/policy/broker.yaml",
];

fn report(format: &str) -> String {
    let mut args = vec!["lint", "-f", format];
    args.extend_from_slice(INPUT);
    let out = kafkalint(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn snapshot(name: &str, actual: &str) {
    let path = repo().join("tests/snapshots").join(name);
    if std::env::var_os("KAFKALINT_UPDATE_SNAPSHOTS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with KAFKALINT_UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(actual, expected, "snapshot {name} differs");
}

#[test]
fn snapshots_of_every_format() {
    snapshot("concise.txt", &report("concise"));
    snapshot("human.txt", &report("human"));
    snapshot("json.json", &report("json"));
    snapshot("gitlab.json", &report("gitlab"));
    snapshot("junit.xml", &report("junit"));
    snapshot("github.txt", &report("github"));
    // SARIF's rule table grows with every rule; the results are the snapshot.
    let sarif: Value = serde_json::from_str(&report("sarif")).unwrap();
    let results = serde_json::to_string_pretty(&sarif["runs"][0]["results"]).unwrap() + "\n";
    snapshot("sarif-results.json", &results);
}

#[test]
fn sarif_locations_equal_the_json_ones_and_rules_are_described() {
    let sarif: Value = serde_json::from_str(&report("sarif")).unwrap();
    let json: Value = serde_json::from_str(&report("json")).unwrap();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    assert_eq!(results.len(), diags.len());
    for (r, d) in results.iter().zip(diags) {
        assert_eq!(r["ruleId"], d["rule"]);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], d["line"]);
        assert_eq!(region["startColumn"], d["column"]);
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            d["file"]
        );
        assert_eq!(r["partialFingerprints"]["kafkalint/v1"], d["fingerprint"]);
        let rule = &run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], r["ruleId"]);
        assert!(rule["help"]["text"].as_str().unwrap().contains("## Fix"));
    }
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), kafkalint_rules_count());
}

fn kafkalint_rules_count() -> usize {
    let out = kafkalint(&["rules", "-f", "json", "--isolated"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().len()
}

/// Microsoft's SARIF multitool, installed from npm by scripts/test.sh.
fn sarif_multitool() -> PathBuf {
    if let Some(p) = std::env::var_os("KAFKALINT_SARIF_MULTITOOL") {
        return PathBuf::from(p);
    }
    repo().join(".cache/tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let tool = sarif_multitool();
    assert!(
        tool.is_file(),
        "SARIF multitool not found at {}; scripts/test.sh installs it (npm @microsoft/sarif-multitool-linux)",
        tool.display()
    );
    let schema = tool.with_file_name("sarif-2.1.0.json");
    let dir = std::env::temp_dir().join(format!("kafkalint-sarif-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    // The forex example has labels (related locations) and findings in several files.
    for (name, input) in [
        ("fixed.sarif", report("sarif")),
        ("forex.sarif", {
            let out = kafkalint(&[
                "lint",
                "-f",
                "sarif",
                "examples/forex-stg/before",
                "examples/ticketmaster",
            ]);
            String::from_utf8(out.stdout).unwrap()
        }),
    ] {
        let file = dir.join(name);
        fs::write(&file, input).unwrap();
        let log = dir.join(format!("{name}.validation.sarif"));
        let out = Command::new(&tool)
            .args(["validate", "-j"])
            .arg(&schema)
            .arg(&file)
            .arg("-o")
            .arg(&log)
            .args(["--log", "ForceOverwrite"])
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let v: Value = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
        let errors: Vec<&Value> = v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                r["level"] == "error" || r["ruleId"].as_str().unwrap_or("").starts_with("JSON")
            })
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn junit_parses_as_xml_with_one_failure_per_finding() {
    let xml = report("junit");
    let script = "import sys, xml.etree.ElementTree as ET\nroot = ET.fromstring(sys.stdin.read())\nprint(root.tag, root.get('failures'), len(root.findall('.//failure')), len(root.findall('.//testcase')))";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        "testsuites 3 3 3"
    );
}

#[test]
fn gitlab_code_quality_fields() {
    let v: Value = serde_json::from_str(&report("gitlab")).unwrap();
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 3);
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key}: {i}");
        }
        assert_eq!(i["location"]["path"], "tests/data/policy/broker.yaml");
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() > 0);
        assert!(["info", "minor", "major", "critical", "blocker"]
            .contains(&i["severity"].as_str().unwrap()));
    }
    // Shared with baselines: the same fingerprints --write-baseline records.
    let dir = std::env::temp_dir().join(format!("kafkalint-gl-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let baseline = dir.join("b.json");
    let mut args = vec!["lint", "--write-baseline", baseline.to_str().unwrap()];
    args.extend_from_slice(INPUT);
    assert!(kafkalint(&args).status.success());
    let b: Value = serde_json::from_str(&fs::read_to_string(&baseline).unwrap()).unwrap();
    let mut from_baseline: Vec<&str> = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    let mut from_gitlab: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    from_baseline.sort();
    from_gitlab.sort();
    assert_eq!(from_baseline, from_gitlab);
}

#[test]
fn several_reports_in_one_run_while_the_terminal_keeps_human_output() {
    let dir = std::env::temp_dir().join(format!("kafkalint-multi-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let sarif = dir.join("out.sarif");
    let gl = dir.join("gl-code-quality-report.json");
    let junit = dir.join("junit.xml");
    let mut args = vec![
        "lint",
        "-f",
        "gitlab",
        "-o",
        gl.to_str().unwrap(),
        "-o",
        junit.to_str().unwrap(),
        "-o",
        sarif.to_str().unwrap(),
    ];
    args.extend_from_slice(INPUT);
    // Formats pair with outputs in order; the last two come from the extensions.
    let out = kafkalint(&args);
    assert_eq!(out.status.code(), Some(1));
    let terminal = String::from_utf8(out.stdout).unwrap();
    assert!(
        terminal.contains("REP002") && terminal.contains("╭─["),
        "{terminal}"
    );
    assert!(fs::read_to_string(&gl)
        .unwrap()
        .contains("\"check_name\": \"REP002\""));
    assert!(fs::read_to_string(&junit).unwrap().starts_with("<?xml"));
    assert!(fs::read_to_string(&sarif)
        .unwrap()
        .contains("\"version\": \"2.1.0\""));
    let bad = kafkalint(&["lint", "-o", "report.txt", "tests/data/policy/broker.yaml"]);
    assert_eq!(bad.status.code(), Some(2));
    let two = kafkalint(&[
        "lint",
        "-f",
        "json",
        "-f",
        "sarif",
        "tests/data/policy/broker.yaml",
    ]);
    assert_eq!(two.status.code(), Some(2));
}
