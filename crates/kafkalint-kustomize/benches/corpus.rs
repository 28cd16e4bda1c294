//! Resolve every `ok` corpus kustomization in one process N times, time it, and time a loop
//! of `kubectl kustomize` over the same directories; print both and the ratio.
//!
//! `cargo bench -p kafkalint-kustomize --bench corpus` (N from KUSTOMIZE_BENCH_ITERS, default 20).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kafkalint_kustomize::{build, Options, RealFs};
use kafkalint_syntax::SourceMap;

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/public");
    let Ok(tsv) = std::fs::read_to_string(corpus.join("KUSTOMIZE.tsv")) else {
        println!("corpus not found beside the repository; nothing to measure");
        return;
    };
    let dirs: Vec<PathBuf> = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let d = f.next()?;
            (f.next()? == "ok").then(|| corpus.join(d))
        })
        .collect();
    let iters: usize = std::env::var("KUSTOMIZE_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let opts = Options::default();

    let start = Instant::now();
    let mut objects = 0usize;
    let mut failures = 0usize;
    for _ in 0..iters {
        for d in &dirs {
            let mut sources = SourceMap::new();
            match build(&RealFs, d, &d.to_string_lossy(), &mut sources, &opts) {
                Ok(r) => objects += r.resources.len(),
                Err(_) => failures += 1,
            }
        }
    }
    let ours = start.elapsed();
    let ours_per_pass = ours.as_secs_f64() / iters as f64;
    println!(
        "in-process: {} dirs x {iters} passes in {:.3}s ({:.2} ms per pass, {:.3} ms per dir; {} objects, {} failed builds)",
        dirs.len(),
        ours.as_secs_f64(),
        ours_per_pass * 1e3,
        ours_per_pass * 1e3 / dirs.len() as f64,
        objects / iters.max(1),
        failures / iters.max(1)
    );

    let kubectl_ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !kubectl_ok {
        println!("kubectl not installed; no comparison");
        return;
    }
    let start = Instant::now();
    for d in &dirs {
        let _ = Command::new("kubectl").arg("kustomize").arg(d).output();
    }
    let theirs = start.elapsed().as_secs_f64();
    println!(
        "kubectl kustomize: {} dirs, one pass in {:.3}s ({:.1} ms per dir)",
        dirs.len(),
        theirs,
        theirs * 1e3 / dirs.len() as f64
    );
    println!(
        "ratio: in-process is {:.0}x faster per pass",
        theirs / ours_per_pass
    );
}
