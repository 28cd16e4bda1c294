//! Inputs from disk and stdin: the only place besides the CLI that does I/O.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use kafkalint_engine::{FileKind, Workspace};
use kafkalint_kustomize::{kustomization_file, Fs, LoadRestrictor, RealFs};

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
    for p in paths {
        if p == "-" {
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
                        Found::File(f) => load_file(&f, &display(&f), ws, opts),
                        Found::Kustomization(d) => load_kustomization(&d, &display(&d), ws, opts),
                    }
                    count += 1;
                }
            }
            Opened::File(file, size) => {
                read_opened(file, size, p, ws, opts);
                count += 1;
            }
            Opened::Unreadable(e) => {
                ws.add_unreadable(p, &format!("cannot read: {e}"));
                count += 1;
            }
        }
    }
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

/// Read an opened file of `size` bytes (as its metadata said), refusing it over the limit;
/// at most one byte past the limit is read, so a file that grows meanwhile is refused too.
fn read_opened(file: fs::File, size: u64, shown: &str, ws: &mut Workspace, opts: &LoadOptions) {
    if size > opts.max_file_size {
        ws.add_unreadable(shown, &too_large(size, opts));
        return;
    }
    let capacity = usize::try_from(size).unwrap_or(0).saturating_add(1);
    let mut bytes = Vec::with_capacity(capacity);
    match file
        .take(opts.max_file_size.saturating_add(1))
        .read_to_end(&mut bytes)
    {
        Err(e) => {
            ws.add_unreadable(shown, &format!("cannot read: {e}"));
        }
        Ok(_) if bytes.len() as u64 > opts.max_file_size => {
            ws.add_unreadable(shown, &too_large(bytes.len() as u64, opts));
        }
        Ok(_) => add_bytes(ws, shown, bytes),
    }
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
    match String::from_utf8(bytes) {
        Ok(text) => {
            ws.add_text(shown, text, FileKind::from_path(shown));
        }
        Err(e) => {
            ws.add_unreadable(
                shown,
                &format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            );
        }
    }
}

fn load_file(path: &Path, shown: &str, ws: &mut Workspace, opts: &LoadOptions) {
    let opened = fs::File::open(path).and_then(|file| {
        let size = file.metadata()?.len();
        Ok((file, size))
    });
    match opened {
        Ok((file, size)) => read_opened(file, size, shown, ws, opts),
        Err(e) => {
            ws.add_unreadable(shown, &format!("cannot read: {e}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_lintable_name;

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
