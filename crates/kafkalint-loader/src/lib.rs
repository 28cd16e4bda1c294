//! Inputs from disk and stdin: the only place besides the CLI that does I/O.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use kafkalint_engine::{FileKind, Workspace};
use kafkalint_kustomize::{kustomization_file, LoadRestrictor, RealFs};

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Files larger than this are refused with a diagnostic.
    pub max_file_size: u64,
    /// Directories to render as kustomizations even when walked (`-k`).
    pub kustomize: Vec<String>,
    pub load_restrictor: LoadRestrictor,
    /// Walk directories below the ones given (kubectl's `-R`); off reads only their own files.
    pub recursive: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_size: 16 * 1024 * 1024,
            kustomize: Vec::new(),
            load_restrictor: LoadRestrictor::RootOnly,
            recursive: true,
        }
    }
}

/// Render a kustomization root into the workspace; its errors become diagnostics.
pub fn load_kustomization(dir: &Path, shown: &str, ws: &mut Workspace, opts: &LoadOptions) {
    let options = kafkalint_kustomize::Options {
        load_restrictor: opts.load_restrictor,
        ..kafkalint_kustomize::Options::default()
    };
    match kafkalint_kustomize::build(&RealFs, dir, shown, &mut ws.sources, &options) {
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

/// Whether a directory walk takes this file.
pub fn is_lintable_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".env", ".properties"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        || lower == ".env"
}

/// Load every path (file, directory, or `-` for stdin) into the workspace.
/// Returns how many files were read.
pub fn load(paths: &[String], ws: &mut Workspace, opts: &LoadOptions) -> Result<usize, LoadError> {
    let mut count = 0;
    for p in paths {
        if p == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| LoadError(format!("cannot read stdin: {e}")))?;
            ws.add_text("<stdin>", text, FileKind::Yaml);
            count += 1;
            continue;
        }
        let path = Path::new(p);
        let meta = fs::metadata(path).map_err(|e| LoadError(format!("{p}: {e}")))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            let mut seen = HashSet::new();
            walk(path, opts.recursive, &mut found, &mut seen);
            for f in found {
                match f {
                    Found::File(f) => load_file(&f, &display(&f), ws, opts),
                    Found::Kustomization(d) => load_kustomization(&d, &display(&d), ws, opts),
                }
                count += 1;
            }
        } else {
            load_file(path, p, ws, opts);
            count += 1;
        }
    }
    Ok(count)
}

fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

enum Found {
    File(PathBuf),
    /// A kustomization root: rendered, not walked file by file.
    Kustomization(PathBuf),
}

/// Recursive, sorted, not following directory symlinks (so loops cannot happen), skipping
/// hidden directories such as `.git`.
fn walk(dir: &Path, recursive: bool, out: &mut Vec<Found>, seen: &mut HashSet<PathBuf>) {
    if let Ok(canonical) = fs::canonicalize(dir) {
        if !seen.insert(canonical) {
            return;
        }
    }
    if kustomization_file(&RealFs, dir).is_some() {
        out.push(Found::Kustomization(dir.to_path_buf()));
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let Ok(ft) = e.file_type() else { continue };
        let path = e.path();
        if ft.is_dir() {
            if recursive && !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, recursive, out, seen);
            }
        } else if is_lintable_name(&name) && (ft.is_file() || path.is_file()) {
            out.push(Found::File(path));
        }
    }
}

fn load_file(path: &Path, shown: &str, ws: &mut Workspace, opts: &LoadOptions) {
    let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > opts.max_file_size {
        ws.add_unreadable(
            shown,
            &format!(
                "file is {} bytes, over the {} byte limit (max_file_size)",
                size, opts.max_file_size
            ),
        );
        return;
    }
    match fs::read(path) {
        Err(e) => {
            ws.add_unreadable(shown, &format!("cannot read: {e}"));
        }
        Ok(bytes) => match String::from_utf8(bytes) {
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
        },
    }
}
