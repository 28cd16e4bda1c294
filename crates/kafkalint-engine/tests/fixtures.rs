//! Every rule's fixtures: `fixtures/<CODE>/fail-*` must produce exactly the findings listed in
//! their `# expect: CODE LINE:COL SEVERITY` comments, `pass-*` none of that rule's.

use std::fs;
use std::path::{Path, PathBuf};

use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kafkalint-rules/fixtures")
}

fn run(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let shown = path.to_string_lossy().to_string();
    let mut ws = Workspace::new();
    ws.add_text(&shown, text, FileKind::from_path(&shown));
    let result = lint(ws, &LintOptions::default());
    result
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d.code, d.span.start.line, d.span.start.col, d.severity
            )
        })
        .collect()
}

fn expected(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("# expect: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_fixture_reports_exactly_its_expected_lines() {
    let mut checked = 0;
    for rule_dir in fs::read_dir(fixtures_dir()).unwrap() {
        let rule_dir = rule_dir.unwrap().path();
        let code = rule_dir.file_name().unwrap().to_string_lossy().to_string();
        for f in fs::read_dir(&rule_dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let mut got: Vec<String> = run(&f)
                .into_iter()
                .filter(|d| d.starts_with(&format!("{code} ")))
                .collect();
            got.sort();
            let mut want = expected(&f);
            want.sort();
            if name.starts_with("pass") {
                assert!(
                    want.is_empty(),
                    "{name}: pass fixtures carry no expectations"
                );
            } else {
                assert!(
                    !want.is_empty(),
                    "{name}: a fail fixture needs # expect: lines"
                );
            }
            assert_eq!(got, want, "{}", f.display());
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} fixtures found");
}

#[test]
fn every_rule_has_docs_and_pass_and_fail_fixtures() {
    let mut codes = std::collections::HashSet::new();
    for rule in kafkalint_rules::all_rules() {
        let m = rule.meta();
        assert!(codes.insert(m.code), "duplicate code {}", m.code);
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix",
        ] {
            assert!(m.doc.contains(section), "{} doc lacks {section}", m.code);
        }
        assert!(!m.summary().is_empty(), "{} has no summary", m.code);
        let dir = fixtures_dir().join(m.code);
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} has no fixtures dir", m.code))
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("pass")),
            "{} lacks a pass fixture",
            m.code
        );
        assert!(
            names.iter().any(|n| n.starts_with("fail")),
            "{} lacks a fail fixture",
            m.code
        );
    }
}
