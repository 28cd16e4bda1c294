//! Inputs from disk and stdin: the only place besides the CLI that does I/O.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use kafkalint_engine::{FileKind, ParsedText, Workspace};
use kafkalint_kustomize::{kustomization_file, Fs, LoadRestrictor, RealFs};
use kafkalint_syntax::{Limits, SourceId};

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Files larger than this are refused with a diagnostic.
    pub max_file_size: u64,
    /// Directories to render as kustomizations even when walked (`-k`).
    pub kustomize: Vec<String>,
    pub load_restrictor: LoadRestrictor,
    /// Walk directories below the ones given (kubectl's `-R`); off reads only their own files.
    pub recursive: bool,
    /// Kustomizations nested deeper than this are refused (kustomize `Options::max_depth`).
    pub max_kustomize_depth: usize,
    /// A kustomization with more resources than this is refused.
    pub max_resources: usize,
    /// Threads that read and parse files named or walked (the calling one included).
    pub jobs: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: 16 * 1024 * 1024,
            kustomize: Vec::new(),
            load_restrictor: LoadRestrictor::RootOnly,
            recursive: true,
            max_kustomize_depth: kafkalint_kustomize::Options::default().max_depth,
            max_resources: kafkalint_kustomize::Options::default().max_resources,
            jobs: 1,
        }
    }
}

/// Render a kustomization root into the workspace; its errors become diagnostics.
pub fn load_kustomization(dir: &Path, shown: &str, ws: &mut Workspace, opts: &LoadOptions) {
    add_kustomization(&RealFs, dir, shown, ws, opts);
}

/// Render a kustomization root read through `fs` (the disk, or files held in memory).
pub fn add_kustomization(
    fs: &dyn Fs,
    dir: &Path,
    shown: &str,
    ws: &mut Workspace,
    opts: &LoadOptions,
) {
    let options = kafkalint_kustomize::Options {
        load_restrictor: opts.load_restrictor,
        max_depth: opts.max_kustomize_depth,
        max_resources: opts.max_resources,
        yaml_limits: ws.limits,
    };
    match kafkalint_kustomize::build(fs, dir, shown, &mut ws.sources, &options) {
        Ok(rendered) => {
            for doc in rendered.resources {
                ws.add_documents(doc.span.source, vec![doc]);
            }
        }
        Err(e) => match e.span {
            Some(span) => ws.add_error_at(span, format!("kustomize: {}", e.message)),
            None => {
                let file = if e.file.is_empty() {
                    shown.to_string()
                } else {
                    e.file.clone()
                };
                ws.add_unreadable(&file, &format!("kustomize: {}", e.message));
            }
        },
    }
}

/// A path that could not be used at all: a usage error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a directory walk takes this file: YAML, JSON, `.properties`, and env files named
/// `*.env`, `.env` or `.env.<stage>` (as the pre-commit hook's `files` pattern has them).
pub fn is_lintable_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".env", ".properties"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || lower == ".env"
        || lower.starts_with(".env.")
}

/// Load every path (file, directory, or `-` for stdin) into the workspace.
/// Returns how many files were read.
pub fn load(paths: &[String], ws: &mut Workspace, opts: &LoadOptions) -> Result<usize, LoadError> {
    let mut count = 0;
    let mut batch = Batch::default();
    for p in paths {
        if p == "-" {
            batch.flush(ws, opts);
            // Read one byte past the limit, so a larger stream is refused without holding it all.
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(opts.max_file_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(|e| LoadError(format!("cannot read stdin: {e}")))?;
            if bytes.len() as u64 > opts.max_file_size {
                ws.add_unreadable(
                    "<stdin>",
                    &format!(
                        "stdin is over the {} byte limit (--max-file-size)",
                        opts.max_file_size
                    ),
                );
            } else {
                add_bytes(ws, "<stdin>", bytes);
            }
            count += 1;
            continue;
        }
        let path = Path::new(p);
        match open_path(path).map_err(|e| LoadError(format!("{p}: {e}")))? {
            Opened::Dir => {
                for f in walk(&WalkDisk, path, opts.recursive) {
                    match f {
                        Found::File(f) => {
                            let shown = display(&f);
                            batch.push(Pending::Walked(f, shown), ws, opts);
                        }
                        Found::Kustomization(d) => {
                            batch.flush(ws, opts);
                            load_kustomization(&d, &display(&d), ws, opts);
                        }
                    }
                    count += 1;
                }
            }
            Opened::File(file, size) => {
                batch.push(Pending::Opened(file, size, p.clone()), ws, opts);
                count += 1;
            }
            Opened::Unreadable(e) => {
                batch.push(
                    Pending::Failed(p.clone(), format!("cannot read: {e}")),
                    ws,
                    opts,
                );
                count += 1;
            }
        }
    }
    batch.flush(ws, opts);
    Ok(count)
}

/// A path from the command line, opened once: the descriptor answers what it is and its size,
/// so a file costs one path lookup instead of three.
enum Opened {
    File(fs::File, u64),
    Dir,
    /// It exists but cannot be opened (e.g. no read permission).
    Unreadable(std::io::Error),
}

fn open_path(path: &Path) -> std::io::Result<Opened> {
    match fs::File::open(path) {
        Ok(file) => {
            let meta = file.metadata()?;
            Ok(if meta.is_dir() {
                Opened::Dir
            } else {
                Opened::File(file, meta.len())
            })
        }
        // A path that exists is reported, one that does not is a usage error.
        Err(open_error) => Ok(if fs::metadata(path)?.is_dir() {
            Opened::Dir
        } else {
            Opened::Unreadable(open_error)
        }),
    }
}

/// A file to read and parse, with the name it is shown under.
enum Pending {
    Opened(fs::File, u64, String),
    Walked(PathBuf, String),
    Failed(String, String),
}

/// Files waiting to be read and parsed, in input order. A batch is short, as each file may
/// hold an open descriptor; kustomizations and stdin flush it, so ids keep the input order.
#[derive(Default)]
struct Batch(Vec<Pending>);

const BATCH_FILES: usize = 256;

impl Batch {
    fn push(&mut self, item: Pending, ws: &mut Workspace, opts: &LoadOptions) {
        self.0.push(item);
        if self.0.len() >= BATCH_FILES {
            self.flush(ws, opts);
        }
    }

    fn flush(&mut self, ws: &mut Workspace, opts: &LoadOptions) {
        let items = std::mem::take(&mut self.0);
        let limits = ws.limits;
        for parsed in prepare_all(items, ws.next_source().0, &limits, opts) {
            ws.add_parsed(parsed);
        }
    }
}

/// Read and parse every item, on up to `opts.jobs` threads (the calling one included); the
/// result is in item order, each parsed for the id `base + index` it will be added as.
fn prepare_all(
    items: Vec<Pending>,
    base: u32,
    limits: &Limits,
    opts: &LoadOptions,
) -> Vec<ParsedText> {
    let id = |i: usize| SourceId(base.saturating_add(i as u32));
    let jobs = opts.jobs.clamp(1, items.len().max(1));
    if jobs == 1 {
        return items
            .into_iter()
            .enumerate()
            .map(|(i, item)| prepare(item, id(i), limits, opts))
            .collect();
    }
    let count = items.len();
    let queue: Vec<Mutex<Option<Pending>>> =
        items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = queue.get(i) else { break };
            let item = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(item) = item {
                done.push((i, prepare(item, id(i), limits, opts)));
            }
        }
        done
    };
    let mut results: Vec<Option<ParsedText>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        // The main thread's stack size: parsing and alias expansion are bounded by the YAML
        // limits, which were set with it in mind.
        let helpers: Vec<_> = (1..jobs)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        for (i, parsed) in work() {
            results[i] = Some(parsed);
        }
        for helper in helpers {
            match helper.join() {
                Ok(done) => {
                    for (i, parsed) in done {
                        results[i] = Some(parsed);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    results.into_iter().flatten().collect()
}

fn prepare(item: Pending, id: SourceId, limits: &Limits, opts: &LoadOptions) -> ParsedText {
    let (shown, bytes) = match item {
        Pending::Failed(shown, why) => return ParsedText::unreadable(id, &shown, why),
        Pending::Opened(file, size, shown) => {
            let bytes = read_limited(file, size, opts);
            (shown, bytes)
        }
        Pending::Walked(path, shown) => {
            let bytes = fs::File::open(&path)
                .and_then(|file| {
                    let size = file.metadata()?.len();
                    Ok((file, size))
                })
                .map_err(|e| format!("cannot read: {e}"))
                .and_then(|(file, size)| read_limited(file, size, opts));
            (shown, bytes)
        }
    };
    match bytes.and_then(into_text) {
        Ok(text) => ParsedText::parse(id, &shown, text, FileKind::from_path(&shown), limits),
        Err(why) => ParsedText::unreadable(id, &shown, why),
    }
}

/// Read an opened file of `size` bytes (as its metadata said), refusing it over the limit;
/// at most one byte past the limit is read, so a file that grows meanwhile is refused too.
fn read_limited(file: fs::File, size: u64, opts: &LoadOptions) -> Result<Vec<u8>, String> {
    if size > opts.max_file_size {
        return Err(too_large(size, opts));
    }
    let capacity = usize::try_from(size).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(opts.max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > opts.max_file_size {
        return Err(too_large(bytes.len() as u64, opts));
    }
    Ok(bytes)
}

/// How a walked path is shown: `/`-separated, without a leading `./`.
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// What a directory walk takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    File(PathBuf),
    /// A kustomization root: rendered, not walked file by file.
    Kustomization(PathBuf),
}

/// The disk as the walk sees it: a symlink to a directory is not a directory, so loops cannot
/// happen; a symlink to a file is taken.
struct WalkDisk;

impl Fs for WalkDisk {
    fn read_to_string(&self, path: &Path) -> std::io::Result<String> {
        RealFs.read_to_string(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn read_dir(&self, path: &Path) -> std::io::Result<Vec<String>> {
        RealFs.read_dir(path)
    }

    fn canonicalize(&self, path: &Path) -> std::io::Result<PathBuf> {
        RealFs.canonicalize(path)
    }
}

/// The files a directory walk takes, in order: recursive (unless not), sorted by name, skipping
/// hidden directories such as `.git`, `target` and `node_modules`; a directory holding a
/// kustomization is taken whole. The CLI walks the disk with it and the WebAssembly build a
/// tree held in memory, so both read the same files.
pub fn walk(fs: &dyn Fs, dir: &Path, recursive: bool) -> Vec<Found> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    walk_into(fs, dir, recursive, &mut found, &mut seen);
    found
}

fn walk_into(
    fs: &dyn Fs,
    dir: &Path,
    recursive: bool,
    out: &mut Vec<Found>,
    seen: &mut HashSet<PathBuf>,
) {
    if let Ok(canonical) = fs.canonicalize(dir) {
        if !seen.insert(canonical) {
            return;
        }
    }
    if kustomization_file(fs, dir).is_some() {
        out.push(Found::Kustomization(dir.to_path_buf()));
        return;
    }
    let Ok(names) = fs.read_dir(dir) else {
        return;
    };
    for name in names {
        let path = dir.join(&name);
        if fs.is_dir(&path) {
            if recursive && !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk_into(fs, &path, recursive, out, seen);
            }
        } else if is_lintable_name(&name) && fs.is_file(&path) {
            out.push(Found::File(path));
        }
    }
}

/// Load what a walk of a tree held in memory found (the disk is read by [`load`]).
pub fn load_found(fs: &dyn Fs, found: &[Found], ws: &mut Workspace, opts: &LoadOptions) {
    for f in found {
        match f {
            Found::File(path) => add_file(fs, path, &display(path), ws, opts),
            Found::Kustomization(dir) => add_kustomization(fs, dir, &display(dir), ws, opts),
        }
    }
}

/// Add one file read through `fs`, shown as `shown`.
pub fn add_file(fs: &dyn Fs, path: &Path, shown: &str, ws: &mut Workspace, opts: &LoadOptions) {
    match fs.read_bytes(path) {
        Ok(bytes) if bytes.len() as u64 > opts.max_file_size => {
            ws.add_unreadable(shown, &too_large(bytes.len() as u64, opts));
        }
        Ok(bytes) => add_bytes(ws, shown, bytes),
        Err(e) => {
            ws.add_unreadable(shown, &format!("cannot read: {e}"));
        }
    }
}

fn too_large(size: u64, opts: &LoadOptions) -> String {
    format!(
        "file is {} bytes, over the {} byte limit (max_file_size)",
        size, opts.max_file_size
    )
}

/// Add a file's bytes: text is parsed by its name; anything else is reported.
pub fn add_bytes(ws: &mut Workspace, shown: &str, bytes: Vec<u8>) {
    match into_text(bytes) {
        Ok(text) => {
            ws.add_text(shown, text, FileKind::from_path(shown));
        }
        Err(why) => {
            ws.add_unreadable(shown, &why);
        }
    }
}

fn into_text(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever thread parses a file, it comes back in input order with the id it will get.
    #[test]
    fn parallel_reads_keep_input_order_and_ids() {
        let dir = std::env::temp_dir().join(format!("kafkalint-loader-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut items = Vec::new();
        for i in 0..300 {
            let path = dir.join(format!("f{i}.yaml"));
            // Uneven sizes, so the threads finish out of order.
            fs::write(&path, "k: v\n".repeat(1 + (i * 37) % 500)).unwrap();
            items.push(Pending::Walked(path, format!("f{i}.yaml")));
        }
        items.insert(7, Pending::Failed("gone.yaml".into(), "cannot read".into()));
        let opts = LoadOptions {
            jobs: 4,
            ..LoadOptions::default()
        };
        let parsed = prepare_all(items, 10, &Limits::default(), &opts);
        assert_eq!(parsed.len(), 301);
        for (i, p) in parsed.iter().enumerate() {
            assert_eq!(p.id(), SourceId(10 + i as u32));
            let want = match i {
                7 => "gone.yaml".to_string(),
                i if i < 7 => format!("f{i}.yaml"),
                i => format!("f{}.yaml", i - 1),
            };
            assert_eq!(p.path(), want);
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn walk_takes_config_and_env_files_only() {
        for name in [
            "kafka.yaml",
            "kafka.YML",
            "review.json",
            "server.properties",
            "forex.env",
            ".env",
            ".env.staging",
        ] {
            assert!(is_lintable_name(name), "{name}");
        }
        for name in [
            "README.md",
            "Dockerfile",
            "env",
            "values.yaml.tpl",
            "notes.txt",
        ] {
            assert!(!is_lintable_name(name), "{name}");
        }
    }
}
