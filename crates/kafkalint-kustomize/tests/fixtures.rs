//! Every directory under tests/fixtures is built and compared, as a set of objects, with
//! `kubectl kustomize` (or, where kubectl is not installed, with the `expected.yaml` kubectl
//! produced for it).

mod common;

use std::fs;
use std::path::Path;

#[test]
fn fixtures_match_kubectl() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let live = common::kubectl_available();
    if !live {
        eprintln!("kubectl not installed: comparing with the recorded expected.yaml files");
    }
    let mut names: Vec<_> = fs::read_dir(&root)
        .expect("fixtures directory")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.join("kustomization.yaml").is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 8, "fixtures missing");
    let mut failures = Vec::new();
    for dir in &names {
        let recorded = fs::read_to_string(dir.join("expected.yaml")).unwrap_or_default();
        let theirs = if live {
            let t = common::kubectl_kustomize(dir).expect("kubectl kustomize on a fixture");
            if let Some(d) = common::compare(&t, &recorded) {
                failures.push(format!("{}: expected.yaml is stale: {d}", dir.display()));
            }
            t
        } else {
            recorded
        };
        match common::render(dir) {
            Ok(ours) => {
                if let Some(d) = common::compare(&ours, &theirs) {
                    failures.push(format!("{}: {d}", dir.display()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
