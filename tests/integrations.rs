//! Where users run kafkalint in their own repositories, driven with the real tools: the
//! pre-commit hooks of `.pre-commit-hooks.yaml` (pre-commit from PyPI) and the GitLab CI job
//! template `ci/gitlab/kafkalint.gitlab-ci.yml` (gitlab-ci-local from npm). scripts/test.sh
//! installs both under `.cache/tools/`. The configurations come from README's "CI and
//! pre-commit" section, so the snippets users copy are the ones tested.
//!
//! The `kafkalint` hook and the template's install step build kafkalint from source (release).
//! They share one cargo target directory and pre-commit keeps its environments, both under
//! `.cache/integrations/`, so a rerun on unchanged sources does not build again.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .unwrap()
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_kafkalint"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn cache_dir() -> PathBuf {
    let dir = repo().join(".cache/integrations");
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kafkalint-integration-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Colors off the job log, so messages read as text.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=kafkalint tests",
            "-c",
            "user.email=tests@kafkalint.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        // Fixed dates: the same tree gives the same commit, so pre-commit's cache hits.
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

const SNAPSHOT_TAG: &str = "v0.0.0-snapshot";

/// This working tree as a git repository (tracked and untracked files, not ignored ones), the
/// way a user's `repo:`/`rev:` or `--git`/`--tag` sees a release. Its path and commit depend
/// only on the content.
fn snapshot() -> &'static (PathBuf, String) {
    static SNAPSHOT: OnceLock<(PathBuf, String)> = OnceLock::new();
    SNAPSHOT.get_or_init(|| {
        let root = repo();
        let listed = git(
            &root,
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
        );
        let tmp = cache_dir().join(format!("hook-repo-tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        for file in listed.split('\0').filter(|f| !f.is_empty()) {
            let from = root.join(file);
            // Deleted but still tracked, or a directory (a submodule): not part of the tree.
            if !from.is_file() {
                continue;
            }
            let to = tmp.join(file);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(&from, &to).unwrap();
        }
        git(&tmp, &["init", "-q"]);
        git(&tmp, &["add", "-A"]);
        git(&tmp, &["commit", "-q", "-m", "snapshot"]);
        git(&tmp, &["tag", SNAPSHOT_TAG]);
        let sha = git(&tmp, &["rev-parse", "HEAD"]);
        let dir = cache_dir().join(format!("hook-repo-{}", &sha[..12]));
        // Another test process may have made the same snapshot first; either copy will do.
        if fs::rename(&tmp, &dir).is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        prune_old_snapshots(&dir);
        (dir, sha)
    })
}

/// Snapshots of earlier sources, left a day ago or more (a younger one may be in use).
fn prune_old_snapshots(keep: &Path) {
    let Ok(entries) = fs::read_dir(cache_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 24 * 3600);
        let name = entry.file_name().to_string_lossy().to_string();
        if old && name.starts_with("hook-repo-") && path != keep {
            let _ = fs::remove_dir_all(path);
        }
    }
}

/// A user's repository: sample files from tests/data/integrations/NAME plus `extra` files,
/// committed.
fn sample_repo(test: &str, name: &str, extra: &[(&str, &str)]) -> PathBuf {
    let dir = temp_dir(&format!("{test}-{name}"));
    copy_tree(&repo().join("tests/data/integrations").join(name), &dir);
    for (path, content) in extra {
        fs::write(dir.join(path), content).unwrap();
    }
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "manifests"]);
    dir
}

/// The fenced YAML block of README's "CI and pre-commit" section that starts with `first_line`.
fn readme_block(first_line: &str) -> String {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("CI and pre-commit"))
        .expect("README has a \"## CI and pre-commit\" section");
    section
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.starts_with(first_line))
        .unwrap_or_else(|| panic!("README's CI section has a yaml block starting {first_line:?}"))
        .to_string()
}

/// README's block with the first line whose key is `key` (after any `- `) replaced by `line`,
/// indented as it was.
fn replace_line(block: &str, key: &str, line: &str) -> String {
    let mut found = false;
    let lines: Vec<String> = block
        .lines()
        .map(|l| {
            let body = l.trim_start().trim_start_matches("- ");
            if !found && body.starts_with(key) {
                found = true;
                format!("{}{line}", &l[..l.len() - body.len()])
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(found, "no {key:?} line in the README block:\n{block}");
    lines.join("\n") + "\n"
}

/// Cargo settings for the builds from source: one target directory for both, and release
/// builds without optimisation. What is tested is that the hook and the template build and
/// run kafkalint; optimising it would double the test command's time for nothing tested.
fn source_build_env() -> [(&'static str, OsString); 3] {
    [
        ("CARGO_TARGET_DIR", cache_dir().join("target").into()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".into()),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false".into()),
    ]
}

fn pre_commit() -> PathBuf {
    let path = std::env::var_os("KAFKALINT_PRE_COMMIT")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".cache/tools/pre-commit-venv/bin/pre-commit"));
    assert!(
        path.is_file(),
        "pre-commit not found at {}; scripts/test.sh installs it from PyPI (or set KAFKALINT_PRE_COMMIT)",
        path.display()
    );
    path
}

fn run_pre_commit(dir: &Path, args: &[&str], path_env: &str) -> Output {
    Command::new(pre_commit())
        .args(args)
        .args(["--color", "never"])
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", cache_dir().join("pre-commit"))
        .envs(source_build_env())
        .env("PATH", path_env)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// What the bad sample must report, one finding per kind of file the hooks match.
const BAD_FINDINGS: &[&str] = &[
    "k8s/kafka.yaml",
    "Kafka data in /bitnami/kafka/data is on emptyDir volume data: it is deleted with the pod",
    "min.insync.replicas is 1, below the minimum of 2",
    "k8s/orders-topic.json",
    "topic orders has 1 replica(s), below the minimum of 3",
    "k8s/audit-topic.yml",
    "topic audit sets neither retention.ms nor retention.bytes",
    "config/.env.staging",
    "config/broker.env",
    "invalid JVM size -Xmx1Gi",
    "config/server.properties",
];

fn assert_bad_reported(out: &Output, what: &str) {
    let log = text(out);
    assert_eq!(out.status.code(), Some(1), "{what} must fail:\n{log}");
    for needle in BAD_FINDINGS {
        assert!(log.contains(needle), "{what}: no {needle:?} in:\n{log}");
    }
}

/// The README's `.pre-commit-config.yaml`, pointed at this working tree: pre-commit builds the
/// `kafkalint` hook from source (`cargo install --path .`) and runs it on a user's repository.
#[test]
fn pre_commit_hook_built_from_source() {
    let (hook_repo, sha) = snapshot();
    let config = readme_block("repos:");
    let config = replace_line(&config, "repo:", &format!("repo: {}", hook_repo.display()));
    let config = replace_line(&config, "rev:", &format!("rev: {sha}"));
    let path = std::env::var("PATH").unwrap_or_default();

    let good = sample_repo(
        "pre-commit",
        "good",
        &[(".pre-commit-config.yaml", &config)],
    );
    let out = run_pre_commit(&good, &["run", "--all-files"], &path);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("kafkalint") && log.contains("Passed"), "{log}");

    let bad = sample_repo("pre-commit", "bad", &[(".pre-commit-config.yaml", &config)]);
    let out = run_pre_commit(&bad, &["run", "--all-files"], &path);
    assert_bad_reported(&out, "the kafkalint hook on the bad sample");
    assert!(text(&out).contains("Failed"), "{}", text(&out));

    // Drop environments of sources no sample uses any more; keep this one for the next run.
    let gc = run_pre_commit(&good, &["gc"], &path);
    assert!(gc.status.success(), "{}", text(&gc));
    let _ = fs::remove_dir_all(good);
    let _ = fs::remove_dir_all(bad);
}

/// `kafkalint-system` through `pre-commit try-repo`, with the kafkalint of this build on PATH.
#[test]
fn pre_commit_system_hook_through_try_repo() {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let this_repo = repo().display().to_string();
    let try_repo = ["try-repo", &this_repo, "kafkalint-system", "--all-files"];

    let good = sample_repo("try-repo", "good", &[]);
    let out = run_pre_commit(&good, &try_repo, &path);
    let log = text(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(
        log.contains("kafkalint (from PATH)") && log.contains("Passed"),
        "{log}"
    );

    let bad = sample_repo("try-repo", "bad", &[]);
    let out = run_pre_commit(&bad, &try_repo, &path);
    assert_bad_reported(&out, "kafkalint-system on the bad sample");
    let _ = fs::remove_dir_all(good);
    let _ = fs::remove_dir_all(bad);
}

fn gitlab_ci_local() -> PathBuf {
    let path = std::env::var_os("KAFKALINT_GITLAB_CI_LOCAL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            repo().join(".cache/tools/gitlab-ci-local/node_modules/.bin/gitlab-ci-local")
        });
    assert!(
        path.is_file(),
        "gitlab-ci-local not found at {}; scripts/test.sh installs it from npm (or set KAFKALINT_GITLAB_CI_LOCAL)",
        path.display()
    );
    let rsync = Command::new("rsync").arg("--version").output();
    assert!(
        rsync.is_ok_and(|o| o.status.success()),
        "rsync is required by gitlab-ci-local's shell isolation; scripts/test.sh installs it"
    );
    path
}

/// A user's project: the README's `.gitlab-ci.yml` with the template included as a local
/// file instead of from this repository's URL.
fn gitlab_project(test: &str, sample: &str) -> PathBuf {
    let template = fs::read_to_string(repo().join("ci/gitlab/kafkalint.gitlab-ci.yml")).unwrap();
    let pipeline = replace_line(
        &readme_block("include:"),
        "remote:",
        "local: kafkalint.gitlab-ci.yml",
    );
    sample_repo(
        test,
        sample,
        &[
            (".gitlab-ci.yml", &pipeline),
            ("kafkalint.gitlab-ci.yml", &template),
        ],
    )
}

/// Run the `kafkalint` job with the shell executor, isolated as a runner would: only tracked
/// files are in the build directory and artifacts come back only as the job declares them.
fn run_job(project: &Path, path_env: &str, variables: &[&str]) -> Output {
    let home = project.join(".gcl-home");
    let mut cmd = Command::new(gitlab_ci_local());
    cmd.args(["--force-shell-executor", "--shell-isolation", "--no-color"])
        .arg("--home")
        .arg(&home);
    for v in variables {
        cmd.args(["--variable", v]);
    }
    cmd.arg("kafkalint")
        .current_dir(project)
        .env("PATH", path_env)
        .envs(source_build_env())
        .output()
        .unwrap()
}

/// GitLab's Code Quality format: what the merge request widget needs of each issue.
fn check_code_quality(project: &Path, report: &Path) -> Vec<Value> {
    let text = fs::read_to_string(report).unwrap_or_else(|e| panic!("{}: {e}", report.display()));
    let v: Value = serde_json::from_str(&text).unwrap();
    let issues = v
        .as_array()
        .expect("a Code Quality report is a JSON array")
        .clone();
    let mut fingerprints = std::collections::HashSet::new();
    for i in &issues {
        for key in ["description", "check_name", "fingerprint"] {
            assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key}: {i}");
        }
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap_or("")),
            "{i}"
        );
        let path = i["location"]["path"].as_str().unwrap_or("");
        assert!(
            !path.starts_with('/') && !path.starts_with("./") && project.join(path).is_file(),
            "location.path must be relative to the project: {i}"
        );
        assert!(
            i["location"]["lines"]["begin"]
                .as_u64()
                .is_some_and(|l| l >= 1),
            "{i}"
        );
        assert!(
            fingerprints.insert(i["fingerprint"].as_str().unwrap_or("").to_string()),
            "duplicate fingerprint: {i}"
        );
    }
    issues
}

/// (testcases, failures) of a JUnit file, read by Python's XML parser.
fn check_junit(report: &Path) -> (usize, usize) {
    let script = "import sys, xml.etree.ElementTree as ET\n\
                  root = ET.parse(sys.argv[1]).getroot()\n\
                  assert root.tag == 'testsuites', root.tag\n\
                  print(len(root.findall('.//testcase')), len(root.findall('.//failure')))";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(report)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}: {}", report.display(), text(&out));
    let counts: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (counts[0], counts[1])
}

#[test]
fn gitlab_ci_job_template() {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let bad = gitlab_project("gitlab", "bad");
    let out = run_job(&bad, &path, &[]);
    let log = strip_ansi(&text(&out));
    assert_ne!(out.status.code(), Some(0), "findings fail the job:\n{log}");
    assert!(log.contains("FAIL") && log.contains("kafkalint"), "{log}");
    // The human report is in the job log.
    for needle in [
        "Kafka data in /bitnami/kafka/data is on emptyDir volume data",
        "help:",
        "k8s/kafka.yaml:",
    ] {
        assert!(log.contains(needle), "no {needle:?} in the job log:\n{log}");
    }
    // Collected although the job failed: `artifacts: when: always`.
    let artifacts = bad.join(".gitlab-ci-local/artifacts/kafkalint");
    let issues = check_code_quality(&bad, &artifacts.join("gl-code-quality-report.json"));
    assert!(
        issues.iter().any(|i| i["check_name"] == "STO001"
            && i["location"]["path"] == "k8s/kafka.yaml"
            && i["severity"] == "critical"),
        "{issues:#?}"
    );
    for file in [
        "k8s/orders-topic.json",
        "k8s/audit-topic.yml",
        "config/server.properties",
    ] {
        assert!(
            issues.iter().any(|i| i["location"]["path"] == file),
            "no issue in {file}: {issues:#?}"
        );
    }
    let (cases, failures) = check_junit(&artifacts.join("kafkalint-junit.xml"));
    assert_eq!((cases, failures), (issues.len(), issues.len()));

    let good = gitlab_project("gitlab", "good");
    let out = run_job(&good, &path, &[]);
    let log = strip_ansi(&text(&out));
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(log.contains("PASS") && log.contains("kafkalint"), "{log}");
    let artifacts = good.join(".gitlab-ci-local/artifacts/kafkalint");
    assert!(check_code_quality(&good, &artifacts.join("gl-code-quality-report.json")).is_empty());
    assert_eq!(check_junit(&artifacts.join("kafkalint-junit.xml")).1, 0);

    // Variables choose the policy and the threshold: `never` reports without failing.
    let out = run_job(
        &bad,
        &path,
        &["KAFKALINT_POLICY=development", "KAFKALINT_FAIL_ON=never"],
    );
    let log = strip_ansi(&text(&out));
    assert_eq!(out.status.code(), Some(0), "{log}");
    let issues = check_code_quality(
        &bad,
        &bad.join(".gitlab-ci-local/artifacts/kafkalint/gl-code-quality-report.json"),
    );
    assert!(
        !issues.iter().any(|i| i["check_name"] == "REP002"),
        "development turns the ISR minimum off: {issues:#?}"
    );
    assert!(
        issues.iter().any(|i| i["check_name"] == "STO001"),
        "{issues:#?}"
    );
    let _ = fs::remove_dir_all(bad);
    let _ = fs::remove_dir_all(good);
}

/// The template's install step, as on a runner image with cargo and no kafkalint:
/// `cargo install --git URL --tag VERSION` of this working tree.
#[test]
fn gitlab_ci_job_template_installs_kafkalint() {
    let (hook_repo, _) = snapshot();
    let path = std::env::var("PATH").unwrap_or_default();
    let good = gitlab_project("gitlab-install", "good");
    let url = format!("KAFKALINT_GIT_URL=file://{}", hook_repo.display());
    let version = format!("KAFKALINT_VERSION={SNAPSHOT_TAG}");
    // A command that is not installed, whatever the machine has on PATH.
    let out = run_job(
        &good,
        &path,
        &[&url, &version, "KAFKALINT_BIN=kafkalint-not-installed"],
    );
    let log = strip_ansi(&text(&out));
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(
        log.contains(concat!("kafkalint ", env!("CARGO_PKG_VERSION"))),
        "{log}"
    );
    assert!(
        good.join(".gitlab-ci-local/builds/kafkalint/.kafkalint-install/bin/kafkalint")
            .is_file(),
        "{log}"
    );

    // Without a URL the job says what to set instead of failing obscurely.
    let out = run_job(&good, &path, &["KAFKALINT_BIN=kafkalint-not-installed"]);
    let log = strip_ansi(&text(&out));
    assert_ne!(out.status.code(), Some(0), "{log}");
    assert!(
        log.contains("kafkalint-not-installed is not on PATH")
            && log.contains("set KAFKALINT_GIT_URL to build kafkalint, or KAFKALINT_IMAGE"),
        "{log}"
    );
    let _ = fs::remove_dir_all(good);
}
