use crate::{LineIndex, Pos, SourceId};

/// One input text and the name it is reported under.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as derived from what they gave), `/`-separated.
    pub path: String,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    /// Byte offset of a position, for renderers that want byte ranges.
    pub fn offset(&self, pos: Pos) -> usize {
        self.lines.offset(&self.text, pos)
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let start = self.offset(Pos::new(line, 1));
        let rest = self.text.get(start..).unwrap_or("");
        rest.split('\n').next().unwrap_or("").trim_end_matches('\r')
    }
}

/// Every text the run has seen, addressed by [`SourceId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        SourceMap::default()
    }

    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> SourceId {
        let text = text.into();
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile {
            path: path.into(),
            text,
            lines,
        });
        SourceId(self.files.len() as u32 - 1)
    }

    /// The id of a file already added under `path`, so a file read twice is one source.
    pub fn find(&self, path: &str) -> Option<SourceId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| SourceId(i as u32))
    }

    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn path(&self, id: SourceId) -> &str {
        self.get(id).map_or("<unknown>", |f| f.path.as_str())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(i as u32), f))
    }
}
