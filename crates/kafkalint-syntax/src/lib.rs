//! Span-preserving parsers: every key, scalar and node keeps the file, line and column it came from.
//!
//! Nothing here does I/O; callers hand in text they already read.

pub mod env;
pub mod properties;
mod source;
mod span;
pub mod yaml;

pub use source::{SourceFile, SourceMap};
pub use span::{LineIndex, Pos, SourceId, Span};
pub use yaml::{Limits, Node, NodeKind, ScalarStyle, YamlError};
