//! Where kafkalint runs, driven with the real clients: kubectl (plugin and kustomize
//! validator), kpt (KRM function), bash (completions), a terminal (colors, progress) and pipes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_kafkalint"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kafkalint-surface-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// PATH with only the plugin's directory and the system's, so kubectl finds our build.
fn plugin_path() -> String {
    let dir = temp_dir("plugin-path");
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kubectl-kafkalint"),
        dir.join("kubectl-kafkalint"),
    )
    .unwrap();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn kubectl_plugin_with_kubectl_flags() {
    let path = plugin_path();
    let kubectl = |args: &[&str]| {
        Command::new("kubectl")
            .args(args)
            .current_dir(repo())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let list = kubectl(&["plugin", "list"]);
    assert!(
        stdout(&list).contains("kubectl-kafkalint"),
        "{}{}",
        stdout(&list),
        stderr(&list)
    );

    let out = kubectl(&[
        "kafkalint",
        "-f",
        "examples/ticketmaster/kafka.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["rule"] == "MEM001"));

    let k = kubectl(&[
        "kafkalint",
        "-k",
        "examples/forex-stg/before",
        "-o",
        "concise",
    ]);
    assert_eq!(k.status.code(), Some(1));
    assert!(
        stdout(&k).contains("examples/forex-stg/before/env/forex.env:3:17: error[MEM002]"),
        "{}",
        stdout(&k)
    );

    // -f DIR reads the directory's own files; -R walks below it, as kubectl does.
    let flat = kubectl(&[
        "kafkalint",
        "-f",
        "examples",
        "-o",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(
        flat.status.code(),
        Some(2),
        "no manifests directly in examples/: {}",
        stderr(&flat)
    );
    let deep = kubectl(&[
        "kafkalint",
        "-f",
        "examples",
        "-R",
        "-o",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(deep.status.code(), Some(0), "{}", stderr(&deep));
    let v: Value = serde_json::from_slice(&deep.stdout).unwrap();
    assert!(v["summary"]["files"].as_u64().unwrap() > 5);

    let none = kubectl(&["kafkalint"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("must specify one of -f and -k"));
    let help = kubectl(&["kafkalint", "--help"]);
    assert!(
        stdout(&help).contains("kubectl kafkalint -f k8s/ -R"),
        "{}",
        stdout(&help)
    );

    let manifest = fs::read_to_string(repo().join("krew/kafkalint.yaml")).unwrap();
    assert!(manifest.contains("kind: Plugin") && manifest.contains("bin: kubectl-kafkalint"));
}

#[test]
fn krm_function_under_kpt() {
    let dir = temp_dir("kpt");
    fs::copy(
        repo().join("tests/data/policy/broker.yaml"),
        dir.join("broker.yaml"),
    )
    .unwrap();
    let results = dir.join("results");
    fs::create_dir_all(&results).unwrap();
    let exec = format!("{} fn", env!("CARGO_BIN_EXE_kafkalint"));
    let out = Command::new("kpt")
        .args(["fn", "eval"])
        .arg(&dir)
        .args(["--exec", &exec, "--results-dir"])
        .arg(&results)
        .args(["-o", "stdout"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "an error-level finding fails the function"
    );
    let report = fs::read_to_string(results.join("results.yaml")).unwrap();
    assert!(report.contains("severity: error"), "{report}");
    assert!(
        report.contains("path: spec.template.spec.containers[0].env[6].value"),
        "{report}"
    );
    assert!(report.contains("path: broker.yaml"), "{report}");
    assert!(report.contains("rule: REP002"), "{report}");

    // functionConfig picks the policy: development turns the ISR minimum off.
    let fn_config = dir.join("fn-config.yaml");
    fs::write(
        &fn_config,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kafkalint\ndata:\n  policy: development\n",
    )
    .unwrap();
    let results2 = dir.join("results2");
    fs::create_dir_all(&results2).unwrap();
    let _ = Command::new("kpt")
        .args(["fn", "eval"])
        .arg(&dir)
        .args(["--exec", &exec, "--fn-config"])
        .arg(&fn_config)
        .arg("--results-dir")
        .arg(&results2)
        .args(["-o", "stdout"])
        .output()
        .unwrap();
    let report = fs::read_to_string(results2.join("results.yaml")).unwrap();
    assert!(!report.contains("rule: REP002"), "{report}");
    assert!(report.contains("rule: STO001"), "{report}");
}

#[test]
fn kustomize_validator_plugin_under_kubectl_kustomize() {
    // kustomize's legacy exec plugin layout: $KUSTOMIZE_PLUGIN_HOME/<group>/<version>/<kind>/<Kind>.
    let home = temp_dir("kustomize-plugins");
    let dir = home.join("kafkalint.io/v1/kafkalint");
    fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("KafkaLint");
    fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nexec {} kustomize-validator \"$@\"\n",
            env!("CARGO_BIN_EXE_kafkalint")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&plugin, fs::Permissions::from_mode(0o755)).unwrap();
    let build = |tree: &str| {
        Command::new("kubectl")
            .args(["kustomize", "--enable-alpha-plugins"])
            .arg(repo().join("tests/data/kustomize-validator").join(tree))
            .env("KUSTOMIZE_PLUGIN_HOME", &home)
            .output()
            .unwrap()
    };
    let clean = build("clean");
    assert!(clean.status.success(), "{}", stderr(&clean));
    assert!(stdout(&clean).contains("kind: KafkaTopic"));
    let bad = build("one-replica");
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(
        err.contains("KafkaTopic/orders: error[REP001] topic orders has 1 replica(s)"),
        "{err}"
    );
}

#[test]
fn completions_and_man_page() {
    let script = format!(
        "source <({} completions bash) && complete -p kafkalint",
        env!("CARGO_BIN_EXE_kafkalint")
    );
    let out = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert!(
        stdout(&out).contains("-F _kafkalint kafkalint"),
        "{}",
        stderr(&out)
    );
    for shell in ["zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success() && stdout(&out).contains("kafkalint"));
    }
    let man = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .arg("man")
        .output()
        .unwrap();
    let text = stdout(&man);
    assert!(text.contains(".TH kafkalint 1"), "{text}");
    assert!(text.contains("lint") && text.contains("policy"));
}

#[test]
fn colors_follow_no_color_and_terminals() {
    let run = |args: &[&str], no_color: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kafkalint"));
        c.args(args).current_dir(repo());
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        c.output().unwrap()
    };
    let input = "examples/ticketmaster/kafka.yaml";
    // A pipe is not a terminal: no escapes even without NO_COLOR.
    assert!(!stdout(&run(&["lint", input], false)).contains('\x1b'));
    assert!(stdout(&run(&["lint", "--color", "always", input], false)).contains('\x1b'));
    // On a terminal, NO_COLOR turns color off.
    let tty = |no_color: &str| {
        let cmd = format!(
            "NO_COLOR={no_color} {} lint {input}",
            env!("CARGO_BIN_EXE_kafkalint")
        );
        Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(repo())
            .output()
            .unwrap()
    };
    assert!(stdout(&tty("")).contains("\x1b["), "colored on a terminal");
    assert!(!stdout(&tty("1")).contains("\x1b["), "NO_COLOR honoured");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .args(["lint", "-f", "concise", "--fail-on", "never"])
        .arg(repo().join("../shared/corpus/public"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe like `| head -1`.
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let _ = std::io::Read::read(&mut out, &mut first);
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert!(status.success() || status.code() == Some(0), "{status:?}");
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let corpus = repo().join("../shared/corpus/public");
    let cmd = format!(
        "KAFKALINT_PROGRESS_DELAY_MS=0 {} lint -f concise --fail-on never {} > /dev/null",
        env!("CARGO_BIN_EXE_kafkalint"),
        corpus.display()
    );
    let tty = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .unwrap();
    assert!(
        stdout(&tty).contains("kafkalint: reading and linting"),
        "{}",
        stdout(&tty)
    );
    let piped = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .args(["lint", "-f", "concise", "--fail-on", "never"])
        .arg(&corpus)
        .env("KAFKALINT_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(!stderr(&piped).contains("reading and linting"));
    let _ = bin_dir();
    let _ = std::io::stdout().flush();
}

/// A YAML file as JSON, read by PyYAML (independent of our parser).
fn yaml_as_json(path: &Path) -> Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        ])
        .arg(path)
        .output()
        .expect("python3 with PyYAML");
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `kpt fn eval` with policy YAML inline in the functionConfig: the results carry each
/// finding's resourceRef, rule, field and file, with the severity the inline policy gives,
/// and the function's exit code is exactly 1 with an error and 0 without one.
#[test]
fn krm_function_under_kpt_with_an_inline_policy() {
    let dir = temp_dir("kpt-inline");
    let bad = dir.join("bad");
    let clean = dir.join("clean");
    fs::create_dir_all(&bad).unwrap();
    fs::create_dir_all(&clean).unwrap();
    fs::copy(
        repo().join("tests/data/policy/broker.yaml"),
        bad.join("broker.yaml"),
    )
    .unwrap();
    fs::copy(
        repo().join("tests/data/kustomize-validator/clean/topic.yaml"),
        clean.join("topic.yaml"),
    )
    .unwrap();
    let config = |name: &str, policy: &str| {
        let path = dir.join(name);
        let indented: String = policy.lines().map(|l| format!("    {l}\n")).collect();
        fs::write(
            &path,
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kafkalint\ndata:\n  policy: |\n{indented}"),
        )
        .unwrap();
        path
    };
    let inline = config(
        "inline.yaml",
        "extends: default\nrules:\n  REP002: { severity: warning }\n  storage: { enabled: false }\n",
    );
    let exec = format!("{} fn", env!("CARGO_BIN_EXE_kafkalint"));
    let eval = |tree: &Path, fn_config: Option<&Path>, results: &str| {
        let results = dir.join(results);
        fs::create_dir_all(&results).unwrap();
        let mut c = Command::new("kpt");
        c.args(["fn", "eval"]).arg(tree).args(["--exec", &exec]);
        if let Some(f) = fn_config {
            c.arg("--fn-config").arg(f);
        }
        let out = c
            .arg("--results-dir")
            .arg(&results)
            .args(["-o", "stdout"])
            .output()
            .unwrap();
        (out, yaml_as_json(&results.join("results.yaml")))
    };

    let (out, report) = eval(&bad, Some(&inline), "r-bad");
    assert!(!out.status.success(), "an error fails kpt");
    assert_eq!(report["exitCode"], 1, "{report}");
    let item = &report["items"][0];
    assert_eq!(
        item["exitCode"], 1,
        "the function exits exactly 1: {report}"
    );
    let results = item["results"].as_array().unwrap();
    let rule = |code: &str| {
        results
            .iter()
            .find(|r| r["tags"]["rule"] == code)
            .unwrap_or_else(|| panic!("{code}: {report}"))
    };
    // The inline policy lowered REP002 to a warning and turned storage rules off.
    let rep002 = rule("REP002");
    assert_eq!(rep002["severity"], "warning");
    assert_eq!(
        rep002["message"],
        "[REP002] min.insync.replicas is 1, below the minimum of 2 (help: set min.insync.replicas to 2 or more)"
    );
    assert_eq!(
        rep002["resourceRef"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "kafka", "namespace": "data"})
    );
    assert_eq!(
        rep002["field"]["path"],
        "spec.template.spec.containers[0].env[6].value"
    );
    assert_eq!(rep002["file"]["path"], "broker.yaml");
    assert!(
        !results.iter().any(|r| r["tags"]["rule"] == "STO001"),
        "{report}"
    );
    // What is still an error keeps the run failing.
    assert_eq!(rule("RET001")["severity"], "error");
    assert!(rule("RET001")["message"]
        .as_str()
        .unwrap()
        .starts_with("[RET001] retention is implicit"));
    // kpt prints the results as they are.
    assert!(
        stderr(&out).contains("[warning] apps/v1/StatefulSet/data/kafka spec.template.spec.containers[0].env[6].value: [REP002] min.insync.replicas is 1"),
        "{}",
        stderr(&out)
    );

    // The same tree with every rule at most a warning: exit 0, results kept.
    let lenient = config("lenient.yaml", "rules:\n  ALL: { severity: warning }\n");
    let (out, report) = eval(&bad, Some(&lenient), "r-lenient");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["items"][0]["exitCode"], 0, "{report}");
    let results = report["items"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["severity"] == "warning"));

    // A clean tree, no functionConfig: exit 0, the resources through unchanged.
    let (out, report) = eval(&clean, None, "r-clean");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["items"][0]["exitCode"], 0, "{report}");
    assert!(stdout(&out).contains("kind: KafkaTopic"));

    // The function alone, on the ResourceList kpt builds: exit codes exactly 1 and 0, and a
    // broken inline policy is a usage error (2) naming the line, not a lint failure.
    let run_fn = |tree: &Path, fn_config: &Path, edit: &dyn Fn(String) -> String| {
        let source = Command::new("kpt")
            .args(["fn", "source"])
            .arg(tree)
            .arg("--fn-config")
            .arg(fn_config)
            .output()
            .unwrap();
        assert!(source.status.success(), "{}", stderr(&source));
        let mut child = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
            .arg("fn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(edit(stdout(&source)).as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let same = |s: String| s;
    assert_eq!(run_fn(&bad, &inline, &same).status.code(), Some(1));
    assert_eq!(run_fn(&bad, &lenient, &same).status.code(), Some(0));
    assert_eq!(run_fn(&clean, &inline, &same).status.code(), Some(0));
    let typo = run_fn(&bad, &inline, &|s| {
        s.replace("extends: default", "extend: default")
    });
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("functionConfig data.policy:1:1: unknown field `extend`"),
        "{}",
        stderr(&typo)
    );
    let _ = fs::remove_dir_all(&dir);
}

/// The validator prints nothing of its own when the tree is clean: stdout is exactly what
/// `kubectl kustomize` prints without the validator, and stderr is empty.
#[test]
fn kustomize_validator_is_silent_on_success() {
    let home = temp_dir("kustomize-plugins-quiet");
    let dir = home.join("kafkalint.io/v1/kafkalint");
    fs::create_dir_all(&dir).unwrap();
    let plugin = dir.join("KafkaLint");
    fs::write(
        &plugin,
        format!(
            "#!/bin/sh\nexec {} kustomize-validator \"$@\"\n",
            env!("CARGO_BIN_EXE_kafkalint")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&plugin, fs::Permissions::from_mode(0o755)).unwrap();
    let tree = repo().join("tests/data/kustomize-validator/clean");
    let with = Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(&tree)
        .env("KUSTOMIZE_PLUGIN_HOME", &home)
        .output()
        .unwrap();
    assert!(with.status.success(), "{}", stderr(&with));
    assert_eq!(stderr(&with), "", "nothing on stderr");
    // The same build without the validator line: the resources alone.
    let plain_dir = temp_dir("kustomize-no-validator");
    fs::copy(tree.join("topic.yaml"), plain_dir.join("topic.yaml")).unwrap();
    fs::write(
        plain_dir.join("kustomization.yaml"),
        "resources:\n  - topic.yaml\n",
    )
    .unwrap();
    let without = Command::new("kubectl")
        .arg("kustomize")
        .arg(&plain_dir)
        .output()
        .unwrap();
    assert!(without.status.success(), "{}", stderr(&without));
    assert_eq!(stdout(&with), stdout(&without));
    assert!(stdout(&with).starts_with("apiVersion: kafka.strimzi.io/v1beta2\n"));

    // The plugin alone, as kustomize calls it: silent with exit 0 on a clean stream.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .arg("kustomize-validator")
        .arg(tree.join("kafkalint.yaml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&without.stdout)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    let _ = fs::remove_dir_all(&home);
    let _ = fs::remove_dir_all(&plain_dir);
}
