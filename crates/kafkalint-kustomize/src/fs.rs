//! File access behind a trait, so the resolver runs on disk and in memory alike.

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};

/// File access, so the same resolver runs on disk (CLI) and in memory (WebAssembly, fuzzing).
pub trait Fs {
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
    fn is_dir(&self, path: &Path) -> bool;
    fn is_file(&self, path: &Path) -> bool;
    /// Entries of a directory (file names), sorted.
    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>>;
    /// Canonical form used for the root restriction and cycle detection (disk: resolve symlinks;
    /// memory: lexical normalisation).
    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf>;
    /// Raw bytes, for generator `files:` that are not UTF-8 (they become `binaryData`).
    fn read_bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.read_to_string(path).map(String::into_bytes)
    }
}

/// Lexical normalisation: drops `.`, folds `..` into the parent where there is one.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    let mut p = PathBuf::new();
    for c in out {
        p.push(c.as_os_str());
    }
    p
}

/// Files held in memory, keyed by normalised path. Directories are implied by file paths.
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, String>,
}

impl MemFs {
    pub fn new() -> Self {
        MemFs::default()
    }

    pub fn insert(&mut self, path: impl AsRef<Path>, content: impl Into<String>) {
        self.files.insert(normalize(path.as_ref()), content.into());
    }
}

impl<P: AsRef<Path>, S: Into<String>> FromIterator<(P, S)> for MemFs {
    fn from_iter<I: IntoIterator<Item = (P, S)>>(iter: I) -> Self {
        let mut fs = MemFs::new();
        for (p, s) in iter {
            fs.insert(p, s);
        }
        fs
    }
}

fn not_found(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{}: no such file or directory", path.display()),
    )
}

impl Fs for MemFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| not_found(path))
    }

    fn is_dir(&self, path: &Path) -> bool {
        let p = normalize(path);
        if p.as_os_str().is_empty() {
            return !self.files.is_empty();
        }
        self.files.keys().any(|k| k != &p && k.starts_with(&p))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let p = normalize(path);
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| {
                let rest = k.strip_prefix(&p).ok()?;
                let first = rest.components().next()?;
                Some(first.as_os_str().to_string_lossy().into_owned())
            })
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() {
            return Err(not_found(path));
        }
        Ok(names)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = normalize(path);
        if self.is_file(&p) || self.is_dir(&p) {
            Ok(p)
        } else {
            Err(not_found(path))
        }
    }
}

/// The local disk, through `std::fs`; the only I/O in this crate.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl Fs for RealFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(path)? {
            names.push(entry?.file_name().to_string_lossy().into_owned());
        }
        names.sort();
        Ok(names)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    fn read_bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memfs_dirs_and_normalisation() {
        let fs: MemFs = [("a/b/kustomization.yaml", "x"), ("a/c.yaml", "y")]
            .into_iter()
            .collect();
        assert!(fs.is_dir(Path::new("a")));
        assert!(fs.is_dir(Path::new("a/b/../b")));
        assert!(fs.is_file(Path::new("./a/c.yaml")));
        assert_eq!(fs.read_dir(Path::new("a")).unwrap(), vec!["b", "c.yaml"]);
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
    }
}
