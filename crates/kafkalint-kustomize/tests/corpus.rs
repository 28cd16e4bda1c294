//! Differential test against `kubectl kustomize` on every directory the shared corpus lists
//! as `ok` in KUSTOMIZE.tsv. Differences must be exactly those recorded, with reasons, in
//! tests/known-differences.tsv, so both regressions and unrecorded fixes fail.

mod common;

use std::collections::BTreeSet;
use std::fs;

#[test]
fn corpus_matches_kubectl() {
    let corpus = common::repo_root().join("../shared/corpus/public");
    let listing = corpus.join("KUSTOMIZE.tsv");
    let Ok(tsv) = fs::read_to_string(&listing) else {
        eprintln!("skipped: corpus not found at {}", listing.display());
        return;
    };
    if !common::kubectl_available() {
        eprintln!("skipped: kubectl is not installed");
        return;
    }
    let dirs: Vec<&str> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let dir = f.next()?;
            (f.next()? == "ok").then_some(dir)
        })
        .collect();
    assert!(
        !dirs.is_empty(),
        "no `ok` directories in {}",
        listing.display()
    );

    let mut differing = BTreeSet::new();
    let mut same_order = 0usize;
    for dir in &dirs {
        let path = corpus.join(dir);
        let theirs = match common::kubectl_kustomize(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{dir}: kubectl failed: {e}");
                differing.insert(dir.to_string());
                continue;
            }
        };
        let ours = match common::render(&path) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{dir}: ours failed: {e}");
                differing.insert(dir.to_string());
                continue;
            }
        };
        if common::object_order(&ours) == common::object_order(&theirs) {
            same_order += 1;
        }
        if let Some(d) = common::compare(&ours, &theirs) {
            eprintln!("{dir}: differs: {d}");
            differing.insert(dir.to_string());
        }
    }
    let same = dirs.len() - differing.len();
    let pct = 100.0 * same as f64 / dirs.len() as f64;
    println!(
        "kustomize corpus: {same}/{} directories identical to kubectl kustomize ({pct:.1}%)",
        dirs.len()
    );
    println!(
        "kustomize corpus: {same_order}/{} in kubectl's output order",
        dirs.len()
    );

    let known_text = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/known-differences.tsv"),
    )
    .unwrap_or_default();
    let known: BTreeSet<String> = known_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    let unexpected: Vec<_> = differing.difference(&known).collect();
    let fixed: Vec<_> = known.difference(&differing).collect();
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "differences not recorded in known-differences.tsv: {unexpected:?}; recorded but now identical: {fixed:?}"
    );
    assert!(pct >= 95.0, "only {pct:.1}% identical");
}
