//! `kafkalint-bench throughput|scaling|kustomize [RUNS]`: the in-process numbers of
//! `scripts/compare.sh`, one `key=value` per line (times are the best of RUNS).
//!
//! `scaling` synthesizes 1x, 10x, 100x and 1000x the corpus in memory and reports time and
//! peak heap per factor, each run in a fresh process (`scale-once FACTOR`); a factor is
//! skipped, with the reason, when the machine lacks the memory or it would run too long.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use kafkalint_bench::{
    bytes, corpus_dir, kustomize_all, kustomize_dirs, lint_files, lint_owned, load_corpus,
    raw_parse, review, review_body, scaled, yaml_only, File, PeakAlloc,
};
use kafkalint_engine::admission::AdmissionOptions;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn mb(n: usize) -> f64 {
    n as f64 / 1e6
}

fn mem_available() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn throughput(files: &[File], runs: usize) {
    let yaml = yaml_only(files);
    let n = bytes(&yaml);
    let raw = best(runs, || raw_parse(&yaml));
    let ours = best(runs, || lint_files(&yaml));
    let all = best(runs, || lint_files(files));
    println!("yaml_files={}", yaml.len());
    println!("yaml_bytes={n}");
    println!("raw_parse_ms={:.2}", raw * 1e3);
    println!("raw_parse_mb_s={:.1}", mb(n) / raw);
    println!("lint_yaml_ms={:.2}", ours * 1e3);
    println!("lint_yaml_mb_s={:.1}", mb(n) / ours);
    println!("lint_share_of_raw={:.3}", raw / ours);
    println!("corpus_files={}", files.len());
    println!("corpus_bytes={}", bytes(files));
    println!("lint_corpus_ms={:.2}", all * 1e3);
}

/// Factors from `KAFKALINT_BENCH_FACTORS` (e.g. `1,2,5,10`), or 1, 10, 100, 1000.
fn factors() -> Vec<usize> {
    std::env::var("KAFKALINT_BENCH_FACTORS")
        .ok()
        .map(|v| v.split(',').filter_map(|f| f.trim().parse().ok()).collect())
        .filter(|f: &Vec<usize>| !f.is_empty())
        .unwrap_or_else(|| vec![1, 10, 100, 1000])
}

/// A factor whose projected run is longer than this is skipped, with the projection.
const BUDGET_SECS: f64 = 300.0;

fn scaling(files: &[File], runs: usize) {
    let mut per_mb: Vec<(usize, f64, f64)> = Vec::new();
    for factor in factors() {
        let input = bytes(files) * factor;
        if let [.., (f0, t0, _), (f1, t1, _)] = per_mb.as_slice() {
            // Project with the growth seen between the last two factors: t ~ size^k.
            let k = ((t1 / t0).max(1e-9).ln() / (*f1 as f64 / *f0 as f64).ln()).max(0.0) + 1.0;
            let secs = t1 * mb(bytes(files) * f1) * (factor as f64 / *f1 as f64).powf(k);
            if secs > BUDGET_SECS {
                println!(
                    "scale_{factor}x=skipped: projected {secs:.0} s (time grows as size^{k:.2}), over the {BUDGET_SECS:.0} s budget"
                );
                continue;
            }
        }
        if let Some(&(prev, _, heap_per_mb)) = per_mb.last() {
            // The synthesized text plus the lint's peak above it, from the last factor's heap
            // per byte, with a tenth to spare.
            let need = (input as f64 + heap_per_mb * mb(input)) * 1.1;
            let have = mem_available().unwrap_or(0) as f64;
            if need > have {
                println!(
                    "scale_{factor}x=skipped: needs ~{:.1} GB by the {prev}x heap per MB, {:.1} GB available",
                    need / 1e9,
                    have / 1e9
                );
                continue;
            }
        }
        // Every run in a fresh process: a second run in one process reuses the pages the first
        // faulted in, which small factors would get and large ones (one run) would not.
        let runs = if factor >= 100 { 1 } else { runs.max(1) };
        let mut best: Option<(f64, usize)> = None;
        for _ in 0..runs {
            match scale_child(factor) {
                Ok((secs, heap)) => {
                    best = Some(best.map_or((secs, heap), |(s, h)| (s.min(secs), h.max(heap))));
                }
                Err(e) => {
                    println!("scale_{factor}x=failed: {e}");
                    best = None;
                    break;
                }
            }
        }
        let Some((secs, heap)) = best else { continue };
        println!(
            "scale_{factor}x=bytes {input} ms {:.1} peak_heap_mb {:.1} ms_per_mb {:.2} heap_per_input_byte {:.2}",
            secs * 1e3,
            mb(heap),
            secs * 1e3 / mb(input),
            heap as f64 / input as f64
        );
        per_mb.push((factor, secs / mb(input), heap as f64 / mb(input)));
    }
    if let (Some(first), Some(last)) = (per_mb.first(), per_mb.last()) {
        println!(
            "scale_time_growth={:.2} (time per MB at {}x over {}x; 1.00 is linear)",
            last.1 / first.1,
            last.0,
            first.0
        );
        println!(
            "scale_heap_growth={:.2} (heap per MB at {}x over {}x; 1.00 is linear)",
            last.2 / first.2,
            last.0,
            first.0
        );
    }
}

/// One scaling run in a child process (`scale-once FACTOR`): seconds and peak heap.
fn scale_child(factor: usize) -> Result<(f64, usize), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .args(["scale-once", &factor.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    match (fields.next().map(str::parse), fields.next().map(str::parse)) {
        (Some(Ok(secs)), Some(Ok(heap))) if out.status.success() => Ok((secs, heap)),
        _ => Err(format!(
            "the run exited with {} ({})",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// The child's side: lint `factor` copies of the corpus, whose text the workspace takes over
/// (as the CLI's, read from disk), and print the seconds and the peak heap above the input.
fn scale_once(files: &[File], factor: usize) {
    let synth = scaled(files, factor);
    PeakAlloc::enable();
    let base = PeakAlloc::live();
    PeakAlloc::reset();
    let start = Instant::now();
    black_box(lint_owned(synth));
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {}", (PeakAlloc::peak() - base).max(0));
}

fn kustomize(runs: usize) {
    let dirs = kustomize_dirs(&corpus_dir());
    let mut result = (0, 0);
    let secs = best(runs, || {
        result = kustomize_all(&dirs);
    });
    println!("kustomize_dirs={}", dirs.len());
    println!("kustomize_objects={}", result.0);
    println!("kustomize_failed={}", result.1);
    println!("kustomize_pass_ms={:.2}", secs * 1e3);
}

/// Admission reviews of the webhook's bench body, one after another on one thread.
fn admission(count: usize) {
    let body = review_body();
    let options = AdmissionOptions::default();
    let start = Instant::now();
    let mut findings = 0;
    for _ in 0..count.max(1) {
        findings = black_box(review(black_box(&body), &options));
    }
    let secs = start.elapsed().as_secs_f64();
    println!("review_body_bytes={}", body.len());
    println!("review_findings={findings}");
    println!("review_us={:.1}", secs * 1e6 / count.max(1) as f64);
    println!("reviews_per_s_one_core={:.0}", count.max(1) as f64 / secs);
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let what = args.first().map(String::as_str).unwrap_or("");
    let runs = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(10);
    if what == "admission" {
        admission(args.get(1).and_then(|r| r.parse().ok()).unwrap_or(10_000));
        return ExitCode::SUCCESS;
    }
    let dir = corpus_dir();
    let files = match load_corpus(&dir) {
        Ok(f) if !f.is_empty() => f,
        _ => {
            eprintln!("no corpus at {} (set KAFKALINT_CORPUS)", dir.display());
            return ExitCode::from(2);
        }
    };
    match what {
        "throughput" => throughput(&files, runs),
        "scaling" => scaling(&files, runs),
        "scale-once" => scale_once(&files, runs),
        "kustomize" => kustomize(runs),
        _ => {
            eprintln!(
                "usage: kafkalint-bench throughput|scaling|kustomize [RUNS] | admission [COUNT]"
            );
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
