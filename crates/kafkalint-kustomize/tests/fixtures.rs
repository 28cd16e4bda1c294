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

/// The fixtures are the differential test of every feature the resolver claims, so a feature
/// that drops out of them drops out of the comparison with kubectl: each must still appear.
#[test]
fn fixtures_cover_every_feature() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut text = String::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(&dir).expect("fixture directory").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "expected.yaml") {
                text.push_str(&fs::read_to_string(&p).unwrap_or_default());
                text.push('\n');
            }
        }
    }
    let missing: Vec<&str> = [
        "components:",
        "kind: Component",
        "bases:",
        "namePrefix:",
        "nameSuffix:",
        "namespace:",
        "commonLabels:",
        "commonAnnotations:",
        "images:",
        "replicas:",
        "configMapGenerator:",
        "secretGenerator:",
        "envs:",
        "env: ",
        "literals:",
        "files:",
        "behavior: create",
        "behavior: merge",
        "behavior: replace",
        "disableNameSuffixHash: true",
        "generatorOptions:",
        "patchesStrategicMerge:",
        "patchesJson6902:",
        "$patch: delete",
        "$patch: replace",
        "op: add",
        "op: remove",
        "op: replace",
        "op: move",
        "op: copy",
        "op: test",
        "labelSelector:",
        "annotationSelector:",
        "replacements:",
    ]
    .into_iter()
    .filter(|f| !text.contains(f))
    .collect();
    assert!(missing.is_empty(), "no fixture uses: {missing:?}");
    // A secretGenerator reading env files, not only literals.
    let secret_envs = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/generator-behavior/kustomization.yaml"),
    )
    .unwrap_or_default();
    let after = secret_envs.split("secretGenerator:").nth(1).unwrap_or("");
    assert!(after.contains("envs:"), "secretGenerator with envs: gone");
}
