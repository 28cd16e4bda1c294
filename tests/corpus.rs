//! The public corpus beside the repository (`../shared/corpus/public`): every file linted in
//! one run, no crash, and no parse error on a file PyYAML can load.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/public");
    dir.is_dir().then_some(dir)
}

#[test]
fn lints_every_corpus_file_without_crashing() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/public is not beside the repository");
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|e| e != "tsv") {
                files.push(p.strip_prefix(&dir).unwrap().to_string_lossy().to_string());
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 788, "the corpus has 788 files");
    let out = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .args(["lint", "-f", "json"])
        .args(&files)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 788);
    let unparsed: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "SYN001")
        .map(|d| d["file"].as_str().unwrap().to_string())
        .filter(|f| !f.ends_with(".env") && !f.ends_with(".properties") && !f.contains(".env."))
        .collect();
    if unparsed.is_empty() {
        return;
    }
    // Each file we refuse must be one PyYAML refuses too.
    let script = "import sys, yaml\nbad=[]\nfor f in sys.argv[1:]:\n    try:\n        list(yaml.safe_load_all(open(f)))\n        bad.append(f)\n    except Exception:\n        pass\nprint('\\n'.join(bad))";
    let py = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&unparsed)
        .current_dir(&dir)
        .output()
        .unwrap();
    let loadable = String::from_utf8_lossy(&py.stdout);
    assert!(
        loadable.trim().is_empty(),
        "PyYAML loads these but kafkalint did not: {loadable}"
    );
}

/// Every finding on the corpus, as the directory walk reports it (kustomization roots
/// rendered, other files one by one), was reviewed by hand; `tests/data/corpus-findings.txt`
/// is that reviewed list. A rule change that adds, drops or rewords a finding shows up here as
/// a diff to review. `KAFKALINT_UPDATE_CORPUS=1 cargo test --test corpus` rewrites the list.
#[test]
fn corpus_findings_match_the_reviewed_list() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/public is not beside the repository");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
        .args(["lint", "--isolated", "-f", "concise", "."])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let actual = String::from_utf8(out.stdout).unwrap();
    let reviewed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus-findings.txt");
    if std::env::var_os("KAFKALINT_UPDATE_CORPUS").is_some() {
        std::fs::write(&reviewed, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&reviewed).unwrap();
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    let (want, got) = (lines(&expected), lines(&actual));
    let new: Vec<_> = got.iter().filter(|l| !want.contains(l)).collect();
    let gone: Vec<_> = want.iter().filter(|l| !got.contains(l)).collect();
    assert!(
        new.is_empty() && gone.is_empty() && want == got,
        "corpus findings differ from tests/data/corpus-findings.txt \
         (review them, then KAFKALINT_UPDATE_CORPUS=1 cargo test --test corpus)\n\
         new:\n{new:#?}\ngone:\n{gone:#?}"
    );
}

/// Files are read and parsed on several threads; the report must not depend on how many.
/// The walk interleaves plain files with kustomization roots, which are rendered in between.
#[test]
fn the_report_is_the_same_for_any_number_of_jobs() {
    let Some(dir) = corpus() else {
        eprintln!("skipped: ../shared/corpus/public is not beside the repository");
        return;
    };
    let run = |jobs: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_kafkalint"))
            .args(["lint", "--isolated", "-f", "json", "--jobs", jobs, "."])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "-j {jobs}");
        String::from_utf8(out.stdout).unwrap()
    };
    let one = run("1");
    assert!(one.matches("\"rule\"").count() > 500, "{}", &one[..200]);
    for jobs in ["2", "3", "8"] {
        assert!(run(jobs) == one, "-j {jobs} differs from -j 1");
    }
}
