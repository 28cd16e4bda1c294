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
