//! Every committed fuzz seed (`fuzz/corpus/<target>/`) and fixed crash input
//! (`fuzz/regressions/<target>/`) through its target's body, on stable Rust, plus any crash a
//! local fuzzing run left in `fuzz/artifacts/<target>/`: what the fuzzers once found stays
//! fixed, and each target keeps running on its seeds between fuzzing runs.

#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::path::{Path, PathBuf};

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("admission", fuzz::admission::run),
    ("broker_manifest", fuzz::broker_manifest::run),
    ("env_file", fuzz::env_file::run),
    ("jvm_quantity", fuzz::jvm_quantity::run),
    ("kustomize_tree", fuzz::kustomize_tree::run),
    ("policy", fuzz::policy::run),
    ("properties_file", fuzz::properties_file::run),
    ("yaml_loader", fuzz::yaml_loader::run),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    files
}

#[test]
fn every_cargo_fuzz_target_is_replayed_here() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    let mut declared: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "kafkalint-fuzz")
        .collect();
    declared.sort();
    let replayed: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(declared, replayed);
}

#[test]
fn seeds_and_crash_inputs_run_clean() {
    for (name, run) in TARGETS {
        let seeds = inputs(&fuzz_dir().join("corpus").join(name));
        assert!(!seeds.is_empty(), "no seeds for {name}");
        let fixed = inputs(&fuzz_dir().join("regressions").join(name));
        let found = inputs(&fuzz_dir().join("artifacts").join(name));
        for path in seeds.iter().chain(&fixed).chain(&found) {
            let data = std::fs::read(path).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{name}: {} panics", path.display());
        }
    }
}
