//! Every hard limit against an adversarial input: the binary answers with a clear error (exit 2,
//! or an SYN001 finding at the file and line) within a second and in bounded memory, and the
//! limit's flag moves it. The time bound is generous: each of these takes milliseconds.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIME_BOUND: Duration = Duration::from_secs(1);
const MEMORY_BOUND_MB: f64 = 200.0;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// Peak RSS from `/usr/bin/time`, when it is installed.
    peak_mb: Option<f64>,
}

impl Run {
    /// Exit 2 or 1 with an SYN001 line naming `file:line` and the cause.
    fn assert_refused(&self, place: &str, cause: &str) {
        let line = self
            .stdout
            .lines()
            .chain(self.stderr.lines())
            .find(|l| l.contains(place) && l.contains(cause));
        assert!(
            line.is_some(),
            "no line naming {place:?} and {cause:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        assert!(
            matches!(self.code, Some(1 | 2)),
            "exit {:?}: {}",
            self.code,
            self.stderr
        );
        if self.code == Some(1) {
            assert!(self.stdout.contains("error[SYN001]"), "{}", self.stdout);
        }
        self.assert_bounded();
    }

    fn assert_bounded(&self) {
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(
            self.elapsed < TIME_BOUND,
            "took {:?} (bound {TIME_BOUND:?})",
            self.elapsed
        );
        if let Some(mb) = self.peak_mb {
            assert!(mb < MEMORY_BOUND_MB, "peak RSS {mb:.0} MB");
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kafkalint-limits-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run `kafkalint ARGS` in `cwd`, under `/usr/bin/time` for the peak RSS when it exists.
fn kafkalint(cwd: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let time = Path::new("/usr/bin/time");
    let rss_file = cwd.join(".peak-rss");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&rss_file)
            .arg(env!("CARGO_BIN_EXE_kafkalint"));
        c
    } else {
        eprintln!("/usr/bin/time not installed: memory is not measured");
        Command::new(env!("CARGO_BIN_EXE_kafkalint"))
    };
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        // The binary stops reading at the limit; the broken pipe after that is expected.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().unwrap();
    let elapsed = start.elapsed();
    if let Some(w) = writer {
        let _ = w.join();
    }
    let peak_mb = fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last()?.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    let _ = fs::remove_file(&rss_file);
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
        elapsed,
        peak_mb,
    }
}

fn lint_file(dir: &Path, name: &str, text: &[u8], extra: &[&str]) -> Run {
    fs::write(dir.join(name), text).unwrap();
    let mut args = vec!["lint", "-f", "concise"];
    args.extend_from_slice(extra);
    args.push(name);
    kafkalint(dir, &args, None)
}

/// Billion laughs: ten levels of ten aliases each would expand to 10^10 nodes.
#[test]
fn alias_bomb_is_refused_by_max_alias_nodes() {
    let dir = temp_dir("alias");
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        let refs = [p.as_str(); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let run = lint_file(&dir, "bomb.yaml", bomb.as_bytes(), &[]);
    run.assert_refused("bomb.yaml:5:", "limit max_alias_nodes");
    assert!(run.stdout.contains("alias bomb"), "{}", run.stdout);

    // Three levels (1,110 nodes) pass under the default, and not under a budget of 100.
    let small: String = bomb.lines().take(3).map(|l| format!("{l}\n")).collect();
    let run = lint_file(&dir, "small.yaml", small.as_bytes(), &[]);
    assert!(!run.stdout.contains("SYN001"), "{}", run.stdout);
    let run = lint_file(
        &dir,
        "small.yaml",
        small.as_bytes(),
        &["--max-alias-nodes", "100"],
    );
    run.assert_refused("small.yaml:2:", "more than 100 nodes");
}

#[test]
fn nested_brackets_are_refused_by_max_depth() {
    let dir = temp_dir("depth");
    let run = lint_file(&dir, "deep.yaml", "[".repeat(200_000).as_bytes(), &[]);
    run.assert_refused("deep.yaml:1:", "nesting deeper than 128 levels");

    let nested = format!("{}1{}\n", "[".repeat(200), "]".repeat(200));
    let run = lint_file(&dir, "ok.yaml", nested.as_bytes(), &["--max-depth", "300"]);
    assert!(!run.stdout.contains("SYN001"), "{}", run.stdout);
    run.assert_bounded();
    let run = lint_file(&dir, "ok.yaml", nested.as_bytes(), &["--max-depth", "50"]);
    run.assert_refused("ok.yaml:1:", "nesting deeper than 50 levels");
}

#[test]
fn too_many_documents_are_refused_by_max_documents() {
    let dir = temp_dir("docs");
    let stream = "---\nx: 1\n".repeat(10_001);
    let run = lint_file(&dir, "stream.yaml", stream.as_bytes(), &[]);
    run.assert_refused("stream.yaml:20001:", "more than 10000 documents");
    let run = lint_file(
        &dir,
        "stream.yaml",
        stream.as_bytes(),
        &["--max-documents", "20000"],
    );
    assert!(!run.stdout.contains("SYN001"), "{}", run.stdout);
    run.assert_bounded();
}

#[test]
fn random_binary_is_refused() {
    let dir = temp_dir("binary");
    // A fixed xorshift stream: 1 MiB of bytes that are neither UTF-8 nor text.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..1 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let run = lint_file(&dir, "blob.yaml", &bytes, &[]);
    run.assert_refused("blob.yaml:1:1:", "not UTF-8");
    assert_eq!(run.code, Some(2));

    // Valid UTF-8 with NUL bytes: not text either.
    let run = lint_file(&dir, "nul.yaml", b"kind: Pod\n\0\0\0\n", &[]);
    run.assert_refused("nul.yaml:1:1:", "NUL bytes");
}

/// The loader refuses by size before reading: a sparse 100 MB file costs no memory.
#[test]
fn hundred_megabyte_file_is_refused_unread() {
    let dir = temp_dir("big");
    let file = fs::File::create(dir.join("huge.yaml")).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    let run = kafkalint(&dir, &["lint", "-f", "concise", "huge.yaml"], None);
    run.assert_refused(
        "huge.yaml:1:1:",
        "file is 104857600 bytes, over the 16777216 byte limit",
    );
    assert_eq!(run.code, Some(2));
    if let Some(mb) = run.peak_mb {
        assert!(mb < 64.0, "peak RSS {mb:.0} MB: the file was read");
    }
    let run = kafkalint(
        &dir,
        &[
            "lint",
            "-f",
            "concise",
            "--max-file-size",
            "1000",
            "huge.yaml",
        ],
        None,
    );
    run.assert_refused("huge.yaml:1:1:", "over the 1000 byte limit");
}

/// The size limit is exact, for a file named on the command line and for one a walk finds.
#[test]
fn file_at_the_size_limit_is_read_and_one_byte_more_is_refused() {
    let dir = temp_dir("edge");
    let at_limit = format!("# {}\nkind: ConfigMap\n", "x".repeat(80));
    let limit = at_limit.len().to_string();
    fs::create_dir_all(dir.join("walked")).unwrap();
    fs::write(dir.join("walked/at.yaml"), &at_limit).unwrap();
    fs::write(dir.join("walked/over.yaml"), format!("{at_limit}\n")).unwrap();
    for inputs in [vec!["walked/at.yaml", "walked/over.yaml"], vec!["walked"]] {
        let mut args = vec!["lint", "-f", "concise", "--max-file-size", &limit];
        args.extend(&inputs);
        let run = kafkalint(&dir, &args, None);
        let refusal = format!("over the {limit} byte limit");
        run.assert_refused("walked/over.yaml:1:1:", &refusal);
        assert!(
            !run.stdout.contains("walked/at.yaml:1:1"),
            "the file at the limit was refused ({inputs:?}):\n{}",
            run.stdout
        );
    }
}

#[test]
fn oversized_stdin_is_refused() {
    let dir = temp_dir("stdin");
    let stream = "x: 1\n".repeat(4 * 1024 * 1024).into_bytes();
    let run = kafkalint(
        &dir,
        &["lint", "-f", "concise", "--max-file-size", "1048576", "-"],
        Some(stream),
    );
    run.assert_refused("<stdin>:1:1:", "stdin is over the 1048576 byte limit");

    // The limit may fall inside a multi-byte character: still a size refusal.
    let accents = "é".repeat(1 << 20).into_bytes();
    let run = kafkalint(
        &dir,
        &["lint", "-f", "concise", "--max-file-size", "1001", "-"],
        Some(accents),
    );
    run.assert_refused("<stdin>:1:1:", "over the 1001 byte limit");

    let run = kafkalint(
        &dir,
        &["lint", "-f", "concise", "-"],
        Some(vec![0xff, 0xfe, 0x00, 0x9f]),
    );
    run.assert_refused("<stdin>:1:1:", "not UTF-8");
}

fn write_tree(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

#[test]
fn kustomize_cycle_is_refused() {
    let dir = temp_dir("cycle");
    write_tree(
        &dir,
        &[
            ("a/kustomization.yaml", "resources:\n- ../b\n"),
            ("b/kustomization.yaml", "resources:\n- cm.yaml\n- ../a\n"),
            ("b/cm.yaml", CM),
        ],
    );
    let run = kafkalint(&dir, &["lint", "-f", "concise", "-k", "a"], None);
    run.assert_refused("b/kustomization.yaml:3:", "cycle detected");
    assert!(run.stdout.contains("a -> b -> a"), "{}", run.stdout);
}

#[test]
fn kustomize_path_escaping_the_root_is_refused() {
    let dir = temp_dir("escape");
    write_tree(
        &dir,
        &[
            (
                "app/kustomization.yaml",
                "resources:\n- ../secrets/cm.yaml\n",
            ),
            ("secrets/cm.yaml", CM),
        ],
    );
    let run = kafkalint(&dir, &["lint", "-f", "concise", "-k", "app"], None);
    run.assert_refused("app/kustomization.yaml:2:", "not in or below");
    let run = kafkalint(
        &dir,
        &[
            "lint",
            "-f",
            "concise",
            "--load-restrictor",
            "none",
            "-k",
            "app",
        ],
        None,
    );
    assert!(!run.stdout.contains("SYN001"), "{}", run.stdout);
    run.assert_bounded();
}

#[test]
fn kustomize_depth_and_resource_count_are_bounded() {
    let dir = temp_dir("kdepth");
    let mut files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("k{i}/kustomization.yaml"),
                format!("resources:\n- ../k{}\n", i + 1),
            )
        })
        .collect();
    files.push((
        "k40/kustomization.yaml".into(),
        "resources:\n- cm.yaml\n".into(),
    ));
    files.push(("k40/cm.yaml".into(), CM.into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_tree(&dir, &refs);
    let run = kafkalint(&dir, &["lint", "-f", "concise", "-k", "k0"], None);
    run.assert_refused("kustomization.yaml:2:", "deeper than 32 levels");
    let run = kafkalint(
        &dir,
        &[
            "lint",
            "-f",
            "concise",
            "--max-kustomize-depth",
            "64",
            "-k",
            "k0",
        ],
        None,
    );
    assert!(!run.stdout.contains("SYN001"), "{}", run.stdout);
    run.assert_bounded();

    let many: String = (0..50)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\n"))
        .collect();
    write_tree(
        &dir,
        &[
            ("wide/kustomization.yaml", "resources:\n- many.yaml\n"),
            ("wide/many.yaml", &many),
        ],
    );
    let run = kafkalint(
        &dir,
        &[
            "lint",
            "-f",
            "concise",
            "--max-resources",
            "20",
            "-k",
            "wide",
        ],
        None,
    );
    run.assert_refused("wide", "more than 20 resources (limit max_resources)");
}

#[test]
fn symlink_loops_end_cleanly() {
    let dir = temp_dir("symlinks");
    write_tree(&dir, &[("tree/cm.yaml", CM)]);
    // A directory loop is not followed by the walk.
    std::os::unix::fs::symlink("..", dir.join("tree/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("tree/self")).unwrap();
    let run = kafkalint(&dir, &["lint", "-f", "concise", "tree"], None);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    run.assert_bounded();

    // A file that links to itself, named on the command line: a usage error naming it.
    std::os::unix::fs::symlink("loop.yaml", dir.join("loop.yaml")).unwrap();
    let run = kafkalint(&dir, &["lint", "-f", "concise", "loop.yaml"], None);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("loop.yaml") && run.stderr.contains("symbolic links"),
        "{}",
        run.stderr
    );
    run.assert_bounded();

    // A kustomization whose resource is a symlink loop.
    write_tree(
        &dir,
        &[("k/kustomization.yaml", "resources:\n- cm.yaml\n- a\n")],
    );
    write_tree(&dir, &[("k/cm.yaml", CM)]);
    std::os::unix::fs::symlink("b", dir.join("k/a")).unwrap();
    std::os::unix::fs::symlink("a", dir.join("k/b")).unwrap();
    let run = kafkalint(&dir, &["lint", "-f", "concise", "-k", "k"], None);
    run.assert_refused("k/kustomization.yaml:3:", "k/a");
}
