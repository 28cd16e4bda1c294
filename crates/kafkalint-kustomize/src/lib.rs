//! Resolve kustomizations in-process the way `kubectl kustomize` (kustomize v5.5) does, keeping
//! on every output value the span of the source that produced it: the base resource, the patch
//! file or inline patch line, the env-file line behind a generated ConfigMap key, the
//! `literals` entry.
//!
//! File access goes through [`Fs`], so the same resolver runs on disk ([`RealFs`]) and in memory
//! ([`MemFs`], for WebAssembly and fuzzing).

mod build;
mod emit;
mod fieldspec;
mod fs;
mod generators;
mod hash;
mod json6902;
mod kustfile;
mod nameref;
mod replacements;
mod resource;
mod schema;
mod selector;
mod smp;
mod transformers;
mod tree;

use std::fmt;
use std::path::{Path, PathBuf};

use kafkalint_syntax::{Node, SourceMap, Span};

pub use emit::to_yaml;
pub use fs::{normalize, Fs, MemFs, RealFs};
pub use hash::{config_map_hash, secret_hash};
pub use tree::canonical_json;

/// Whether files may be read from outside the kustomization root that names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files must be in or below the directory of the kustomization naming them (kustomize's
    /// default). Directories holding other kustomizations may be anywhere.
    RootOnly,
    /// No restriction.
    None,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub load_restrictor: LoadRestrictor,
    /// Nested kustomizations (resources, bases, components) deeper than this are refused.
    pub max_depth: usize,
    /// More resources than this, in any one kustomization or in the output, are refused.
    pub max_resources: usize,
    pub yaml_limits: kafkalint_syntax::Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            load_restrictor: LoadRestrictor::RootOnly,
            max_depth: 32,
            max_resources: 10_000,
            yaml_limits: kafkalint_syntax::Limits::default(),
        }
    }
}

/// The rendered resources, in the order kustomize prints them.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub resources: Vec<Node>,
}

#[derive(Debug, Clone)]
pub struct KustomizeError {
    pub message: String,
    /// Path as registered in the SourceMap, or as displayed.
    pub file: String,
    pub span: Option<Span>,
}

impl KustomizeError {
    pub(crate) fn new(
        file: impl Into<String>,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Self {
        KustomizeError {
            message: message.into(),
            file: file.into(),
            span,
        }
    }
}

impl fmt::Display for KustomizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.span, self.file.is_empty()) {
            (Some(s), _) => write!(
                f,
                "{}:{}:{}: {}",
                self.file, s.start.line, s.start.col, self.message
            ),
            (None, false) => write!(f, "{}: {}", self.file, self.message),
            (None, true) => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for KustomizeError {}

/// Names kustomize recognises for a kustomization file, in its order of preference.
pub const KUSTOMIZATION_FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file in `dir` (kustomization.yaml, kustomization.yml or Kustomization), if any.
pub fn kustomization_file(fs: &dyn Fs, dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| fs.is_file(p))
}

/// Build `dir`. Every file read is added to `sources` (path = `display_base` joined with the
/// path relative to `dir`, `/`-separated, so diagnostics name the file the way the user would),
/// and every output node keeps its source span.
pub fn build(
    fs: &dyn Fs,
    dir: &Path,
    display_base: &str,
    sources: &mut SourceMap,
    opts: &Options,
) -> Result<Rendered, KustomizeError> {
    build::run(fs, dir, display_base, sources, opts)
}
