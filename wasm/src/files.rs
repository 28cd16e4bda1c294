//! The files a host hands over, held in memory and read through the same [`Fs`] trait the
//! disk is read through, so walking and kustomize rendering behave as on disk.

use std::io;
use std::path::{Path, PathBuf};

use kafkalint_kustomize::{normalize, Fs};

/// Paths to contents. Contents are bytes: a host may pass files that are not UTF-8, and those
/// must be reported as the CLI reports them.
#[derive(Clone, Debug, Default)]
pub struct Files {
    /// Sorted by path, one entry a path: a map without a `BTreeMap` of its own in the wasm
    /// module (about 4 KB there).
    files: Vec<(PathBuf, Vec<u8>)>,
}

// The disk's own messages, so diagnostics that quote an I/O error read the same.
fn not_found() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        "No such file or directory (os error 2)",
    )
}

fn not_utf8() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "stream did not contain valid UTF-8",
    )
}

impl Files {
    pub fn new() -> Self {
        Files::default()
    }

    fn find(&self, path: &Path) -> Result<usize, usize> {
        self.files.binary_search_by(|(k, _)| k.as_path().cmp(path))
    }

    fn get(&self, path: &Path) -> Option<&Vec<u8>> {
        let p = normalize(path);
        self.find(&p).ok().map(|i| &self.files[i].1)
    }

    fn keys(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.iter().map(|(k, _)| k)
    }

    /// Add a file. `a/b.yaml`, `./a/b.yaml`, `/a/b.yaml` and `a\b.yaml` are the same path.
    pub fn insert(&mut self, path: &str, content: impl Into<Vec<u8>>) {
        let path = path.replace('\\', "/");
        let path = normalize(Path::new(path.trim_start_matches('/')));
        let content = content.into();
        match self.find(&path) {
            Ok(i) => self.files[i].1 = content,
            Err(i) => self.files.insert(i, (path, content)),
        }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A file's text, if it is there and UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        let bytes = self.get(Path::new(path))?;
        std::str::from_utf8(bytes).ok()
    }
}

impl Fs for Files {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        let bytes = self.get(path).ok_or_else(not_found)?;
        String::from_utf8(bytes.clone()).map_err(|_| not_utf8())
    }

    fn read_bytes(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.get(path).cloned().ok_or_else(not_found)
    }

    fn is_dir(&self, path: &Path) -> bool {
        let p = normalize(path);
        if p.as_os_str().is_empty() {
            return !self.files.is_empty();
        }
        self.keys().any(|k| k != &p && k.starts_with(&p))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.get(path).is_some()
    }

    fn read_dir(&self, path: &Path) -> io::Result<Vec<String>> {
        let p = normalize(path);
        let mut names: Vec<String> = self
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
            return Err(not_found());
        }
        Ok(names)
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        let p = normalize(path);
        if self.is_file(&p) || self.is_dir(&p) {
            Ok(p)
        } else {
            Err(not_found())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_directories_implied() {
        let mut files = Files::new();
        files.insert("./a/b.yaml", "x");
        files.insert("/a/c/d.env", "y");
        files.insert("a\\e.yaml", vec![0xff]);
        assert!(files.is_file(Path::new("a/b.yaml")));
        assert!(files.is_dir(Path::new("a/c")));
        assert!(files.is_dir(Path::new(".")));
        assert_eq!(
            files.read_dir(Path::new("a")).ok(),
            Some(vec!["b.yaml".into(), "c".into(), "e.yaml".into()])
        );
        assert_eq!(
            files
                .read_to_string(Path::new("a/e.yaml"))
                .map_err(|e| e.to_string()),
            Err("stream did not contain valid UTF-8".into())
        );
        assert_eq!(files.text("a/b.yaml"), Some("x"));
    }
}
