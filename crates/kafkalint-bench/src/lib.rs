//! What the benchmarks measure, shared by the divan benches (`cargo bench -p kafkalint-bench`)
//! and the `kafkalint-bench` binary that `scripts/compare.sh` runs for its table.
//!
//! Inputs are read into memory first, so times are the engine's, not the disk's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

use kafkalint_engine::admission::AdmissionOptions;
use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};
use kafkalint_kustomize::{build, Options, RealFs};
use kafkalint_report::{render, Format};
use kafkalint_syntax::SourceMap;
use serde::Deserialize;
use yaml_rust2::parser::{Event, Parser};

/// One input file: the path it is shown as, and its text.
#[derive(Clone, Debug)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// The public corpus beside the repository, or `KAFKALINT_CORPUS`.
pub fn corpus_dir() -> PathBuf {
    match std::env::var_os("KAFKALINT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/public"),
    }
}

/// Every file of the corpus but its `.tsv` indexes, sorted: what `scripts/bench-corpus.sh`
/// hands the binary. Files that are not UTF-8 are skipped (the binary reports them as SYN001).
pub fn load_corpus(dir: &Path) -> std::io::Result<Vec<File>> {
    let mut paths = Vec::new();
    collect(dir, dir, &mut paths)?;
    paths.sort();
    let mut files = Vec::new();
    for rel in paths {
        if let Ok(text) = std::fs::read_to_string(dir.join(&rel)) {
            files.push(File { path: rel, text });
        }
    }
    Ok(files)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if kind.is_file() && path.extension().is_none_or(|e| e != "tsv") {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(())
}

/// Files the engine reads as YAML: the set raw parsing and the pipeline are compared on.
pub fn yaml_only(files: &[File]) -> Vec<File> {
    files
        .iter()
        .filter(|f| FileKind::from_path(&f.path) == FileKind::Yaml)
        .cloned()
        .collect()
}

/// `n` copies of the corpus, each under its own directory, as a monorepo of many projects
/// would hold them (so references still resolve within each copy).
pub fn scaled(files: &[File], n: usize) -> Vec<File> {
    let mut out = Vec::with_capacity(files.len() * n);
    for i in 0..n {
        for f in files {
            out.push(File {
                path: format!("copy{i:04}/{}", f.path),
                text: f.text.clone(),
            });
        }
    }
    out
}

pub fn bytes(files: &[File]) -> usize {
    files.iter().map(|f| f.text.len()).sum()
}

/// The whole pipeline in-process, as `kafkalint lint -f json FILES` runs it: parse, model,
/// rules, policy, report. Returns the report's length so nothing is optimised away.
pub fn lint_files(files: &[File]) -> usize {
    let mut ws = Workspace::new();
    for f in files {
        ws.add_text(&f.path, f.text.clone(), FileKind::from_path(&f.path));
    }
    let result = lint(ws, &LintOptions::default());
    render(&result, Format::Json, false).len()
}

/// [`lint_files`] over texts the workspace takes over instead of copying.
pub fn lint_owned(files: Vec<File>) -> usize {
    let mut ws = Workspace::new();
    for f in files {
        let kind = FileKind::from_path(&f.path);
        ws.add_text(&f.path, f.text, kind);
    }
    let result = lint(ws, &LintOptions::default());
    render(&result, Format::Json, false).len()
}

/// The physical floor: yaml-rust2's event parser over the same texts, building nothing.
/// Returns the number of events. A file it rejects stops at its error, as ours does.
pub fn raw_parse(files: &[File]) -> usize {
    let mut events = 0;
    for f in files {
        let mut parser = Parser::new_from_str(&f.text);
        while let Ok((event, _)) = parser.next_token() {
            events += 1;
            if event == Event::StreamEnd {
                break;
            }
        }
    }
    events
}

/// The corpus kustomizations that `kubectl kustomize` renders (`ok` in KUSTOMIZE.tsv).
pub fn kustomize_dirs(corpus: &Path) -> Vec<PathBuf> {
    let Ok(tsv) = std::fs::read_to_string(corpus.join("KUSTOMIZE.tsv")) else {
        return Vec::new();
    };
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            let d = f.next()?;
            (f.next()? == "ok").then(|| corpus.join(d))
        })
        .collect()
}

/// Render every directory in-process; returns (objects, failed builds).
pub fn kustomize_all(dirs: &[PathBuf]) -> (usize, usize) {
    let opts = Options::default();
    let (mut objects, mut failed) = (0, 0);
    for d in dirs {
        let mut sources = SourceMap::new();
        match build(&RealFs, d, &d.to_string_lossy(), &mut sources, &opts) {
            Ok(r) => objects += r.resources.len(),
            Err(_) => failed += 1,
        }
    }
    (objects, failed)
}

/// The system allocator, counting live bytes and their high-water mark once [`PeakAlloc::enable`]
/// is called, so peak heap can be measured per run inside one process (RSS only ever grows).
/// Off, it costs one branch: timings that are compared with raw parsing leave it off.
pub struct PeakAlloc;

static ON: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

impl PeakAlloc {
    /// Count from now on; frees of blocks allocated before make `live` relative, which
    /// `reset` and `peak` account for.
    pub fn enable() {
        ON.store(true, Ordering::Relaxed);
    }

    /// Start a new measurement from what is live now.
    pub fn reset() {
        PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    pub fn live() -> isize {
        LIVE.load(Ordering::Relaxed)
    }

    pub fn peak() -> isize {
        PEAK.load(Ordering::Relaxed)
    }

    fn grew(by: usize) {
        if ON.load(Ordering::Relaxed) {
            let by = by as isize;
            let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
    }

    fn shrank(by: usize) {
        if ON.load(Ordering::Relaxed) {
            LIVE.fetch_sub(by as isize, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            PeakAlloc::grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        PeakAlloc::shrank(layout.size());
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            PeakAlloc::grew(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                PeakAlloc::grew(new_size - layout.size());
            } else {
                PeakAlloc::shrank(layout.size() - new_size);
            }
        }
        p
    }
}

/// The AdmissionReview `scripts/bench-webhook.sh` sends: a CREATE of the ticketmaster
/// StatefulSet (denied, with errors and warnings), as the apiserver would serialize it.
pub fn review_body() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ticketmaster/kafka.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let object = serde_yaml::Deserializer::from_str(&text)
        .filter_map(|d| serde_json::Value::deserialize(d).ok())
        .find(|d| d.get("kind").and_then(|k| k.as_str()) == Some("StatefulSet"))
        .unwrap_or_default();
    let review = serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "bench",
            "kind": {"group": "apps", "version": "v1", "kind": "StatefulSet"},
            "resource": {"group": "apps", "version": "v1", "resource": "statefulsets"},
            "name": "kafka", "namespace": "ticketmaster", "operation": "CREATE",
            "userInfo": {"username": "bench"}, "object": object, "dryRun": false,
        },
    });
    review.to_string().into_bytes()
}

/// One admission review of `body`, as the webhook makes it; the number of findings.
pub fn review(body: &[u8], options: &AdmissionOptions) -> usize {
    kafkalint_engine::admission::review(body, options).map_or(0, |r| r.findings.len())
}
