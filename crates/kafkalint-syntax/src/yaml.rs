//! YAML (and JSON, which is YAML) into a tree of spanned nodes.
//!
//! Driven event by event with an explicit stack, so deep nesting is a clear error instead of a
//! stack overflow, and alias expansion is charged against a budget (billion laughs).

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::{Pos, SourceId, Span};

/// Hard limits applied while building the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Total nodes that aliases may copy, across one file.
    pub max_alias_nodes: usize,
    /// Documents in one stream.
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_documents: 10_000,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (line {}, column {})",
            self.message, self.pos.line, self.pos.col
        )
    }
}

impl std::error::Error for YamlError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar { value: String, style: ScalarStyle },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

impl Node {
    pub fn scalar(value: impl Into<String>, span: Span) -> Node {
        Node {
            kind: NodeKind::Scalar {
                value: value.into(),
                style: ScalarStyle::Plain,
            },
            span,
        }
    }

    /// The text of a scalar, whatever its YAML type (`2` and `"2"` both give `"2"`).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The text of a scalar that is not YAML null.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() {
            None
        } else {
            self.as_str()
        }
    }

    pub fn style(&self) -> Option<ScalarStyle> {
        match &self.kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => value.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn as_map(&self) -> &[(Node, Node)] {
        match &self.kind {
            NodeKind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }

    /// The entry for `key` in a mapping; the last one wins, as in most YAML loaders.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Text of the scalar at `keys`, when present and not null.
    pub fn text_at(&self, keys: &[&str]) -> Option<&str> {
        self.path(keys).and_then(Node::as_text)
    }

    /// Position of line `line` (0-based), column `col` (0-based, chars) inside a multi-line
    /// scalar's value, when the source layout allows an exact answer (literal blocks).
    pub fn position_in_value(&self, line: u32, col: u32) -> Pos {
        match &self.kind {
            NodeKind::Scalar {
                style: ScalarStyle::Literal,
                ..
            } => Pos::new(self.span.start.line + line, self.span.start.col + col),
            NodeKind::Scalar {
                style: ScalarStyle::Plain,
                ..
            } if line == 0 => Pos::new(self.span.start.line, self.span.start.col + col),
            NodeKind::Scalar {
                style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
                value,
            } if line == 0 && !value.contains('\\') && !value.contains('\'') => {
                Pos::new(self.span.start.line, self.span.start.col + 1 + col)
            }
            _ => self.span.start,
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar { .. } => 1,
            NodeKind::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            NodeKind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.count() + v.count())
                    .sum::<usize>()
            }
        }
    }
}

fn pos_of(m: &Marker) -> Pos {
    Pos::new(m.line() as u32, m.col() as u32 + 1)
}

enum Frame {
    Seq {
        anchor: usize,
        start: Pos,
        items: Vec<Node>,
    },
    Map {
        anchor: usize,
        start: Pos,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct Builder<'l> {
    limits: &'l Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    docs: Vec<Node>,
    root: Option<Node>,
}

impl Builder<'_> {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            let count = node.count();
            self.anchors.insert(anchor, (node.clone(), count));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn open(&mut self, frame: Frame, at: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError {
                message: format!(
                    "nesting deeper than {} levels (limit max_depth)",
                    self.limits.max_depth
                ),
                pos: at,
            });
        }
        self.stack.push(frame);
        Ok(())
    }
}

fn scalar_end(value: &str, style: TScalarStyle, start: Pos) -> Pos {
    // The first line as `str::lines` gives it, in one scan of mostly short values: every
    // scalar comes through here.
    let mut ascii = true;
    let mut newline = None;
    for (i, &b) in value.as_bytes().iter().enumerate() {
        if b == b'\n' {
            newline = Some(i);
            break;
        }
        ascii &= b.is_ascii();
    }
    let first_line = match newline {
        Some(i) => value[..i].strip_suffix('\r').unwrap_or(&value[..i]),
        None => value,
    };
    let len = if ascii {
        first_line.len()
    } else {
        first_line.chars().count()
    } as u32;
    match style {
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted if newline.is_none() => {
            Pos::new(start.line, start.col + len + 2)
        }
        _ => Pos::new(start.line, start.col + len.max(1)),
    }
}

fn map_style(style: TScalarStyle) -> ScalarStyle {
    match style {
        TScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        TScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        TScalarStyle::Literal => ScalarStyle::Literal,
        TScalarStyle::Folded => ScalarStyle::Folded,
        _ => ScalarStyle::Plain,
    }
}

/// Apply YAML merge keys (`<<: *base`): explicit keys win over merged ones.
fn apply_merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries
        .iter()
        .any(|(k, _)| k.as_str() == Some("<<") && k.style() == Some(ScalarStyle::Plain))
    {
        return entries;
    }
    let mut own = Vec::with_capacity(entries.len());
    let mut merged_sources = Vec::new();
    for (k, v) in entries {
        if k.as_str() == Some("<<") && k.style() == Some(ScalarStyle::Plain) {
            match v.kind {
                NodeKind::Map(m) => merged_sources.push(m),
                NodeKind::Seq(items) => {
                    for item in items {
                        if let NodeKind::Map(m) = item.kind {
                            merged_sources.push(m);
                        }
                    }
                }
                NodeKind::Scalar { .. } => {}
            }
        } else {
            own.push((k, v));
        }
    }
    for source in merged_sources {
        for (k, v) in source {
            let exists = own.iter().any(|(ok, _)| ok.as_str() == k.as_str());
            if !exists {
                own.push((k, v));
            }
        }
    }
    own
}

/// Parse a YAML stream (one or more documents) into spanned trees, one per document.
/// Empty documents come back as a null scalar.
pub fn parse(text: &str, source: SourceId, limits: &Limits) -> Result<Vec<Node>, YamlError> {
    match parse_strict(text, source, limits) {
        Ok(docs) => Ok(docs),
        Err(first) => {
            // libyaml (PyYAML, kubectl's go-yaml) accepts flow collections whose continuation
            // lines are not indented past their parent key; yaml-rust2 does not. Retry with
            // those lines indented, then move the columns back.
            let Some((fixed, pads)) = indent_flow_continuations(text) else {
                return Err(first);
            };
            let mut docs = parse_strict(&fixed, source, limits).map_err(|_| first)?;
            for d in &mut docs {
                unpad(d, &pads);
            }
            Ok(docs)
        }
    }
}

/// Per 1-based line, how many spaces were inserted at its start.
fn indent_flow_continuations(text: &str) -> Option<(String, Vec<u32>)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut pads = vec![0u32];
    let mut depth = 0usize;
    let mut open_indent = 0usize;
    let mut quote: Option<char> = None;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let mut pad = 0;
        if depth > 0 && quote.is_none() && indent <= open_indent && !line.trim().is_empty() {
            pad = open_indent + 1 - indent;
            changed = true;
        }
        pads.push(pad as u32);
        out.push_str(&" ".repeat(pad));
        out.push_str(line);
        let mut prev = ' ';
        for c in line.chars() {
            match quote {
                Some(q) => {
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    '#' if prev.is_whitespace() => break,
                    '"' | '\'' if matches!(prev, ' ' | '[' | '{' | ',' | ':') => quote = Some(c),
                    '[' | '{' => {
                        if depth == 0 {
                            open_indent = indent;
                        }
                        depth += 1;
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
        }
    }
    changed.then_some((out, pads))
}

fn unpad(node: &mut Node, pads: &[u32]) {
    let fix = |p: &mut Pos| {
        let pad = pads.get(p.line as usize).copied().unwrap_or(0);
        p.col = p.col.saturating_sub(pad).max(1);
    };
    fix(&mut node.span.start);
    fix(&mut node.span.end);
    match &mut node.kind {
        NodeKind::Scalar { .. } => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| unpad(n, pads)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            unpad(k, pads);
            unpad(v, pads);
        }),
    }
}

/// yaml-rust2 counts flow nesting in a `u8` and scans ahead of the events, so deep `[[[[` fails
/// in its scanner before our depth check sees it; say which limit that is.
fn scan_message(info: &str, limits: &Limits) -> String {
    if info != "recursion limit exceeded" {
        return info.to_string();
    }
    if limits.max_depth <= u8::MAX as usize {
        format!(
            "nesting deeper than {} levels (limit max_depth)",
            limits.max_depth
        )
    } else {
        format!(
            "flow collections nested deeper than {} levels, the most the YAML parser reads",
            u8::MAX
        )
    }
}

fn parse_strict(text: &str, source: SourceId, limits: &Limits) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: limits.max_alias_nodes,
        docs: Vec::new(),
        root: None,
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| YamlError {
            message: scan_message(e.info(), limits),
            pos: pos_of(e.marker()),
        })?;
        let at = pos_of(&mark);
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart => {
                if b.docs.len() >= limits.max_documents {
                    return Err(YamlError {
                        message: format!(
                            "more than {} documents in one file (limit max_documents)",
                            limits.max_documents
                        ),
                        pos: at,
                    });
                }
                b.anchors.clear();
                b.root = None;
            }
            Event::DocumentEnd => {
                let root = b
                    .root
                    .take()
                    .unwrap_or_else(|| Node::scalar("", Span::point(source, at)));
                b.docs.push(root);
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let end = scalar_end(&value, style, at);
                let node = Node {
                    kind: NodeKind::Scalar {
                        value,
                        style: map_style(style),
                    },
                    span: Span::new(source, at, end),
                };
                b.push_value(node, anchor);
            }
            Event::Alias(id) => {
                let Some((node, count)) = b.anchors.get(&id) else {
                    return Err(YamlError {
                        message: "alias refers to an unknown anchor".into(),
                        pos: at,
                    });
                };
                if *count > b.alias_budget {
                    return Err(YamlError {
                        message: format!(
                            "aliases expand to more than {} nodes (limit max_alias_nodes); \
                             this looks like an alias bomb",
                            limits.max_alias_nodes
                        ),
                        pos: at,
                    });
                }
                b.alias_budget -= *count;
                let node = node.clone();
                b.push_value(node, 0);
            }
            Event::SequenceStart(anchor, _) => b.open(
                Frame::Seq {
                    anchor,
                    start: at,
                    items: Vec::new(),
                },
                at,
            )?,
            Event::MappingStart(anchor, _) => b.open(
                Frame::Map {
                    anchor,
                    start: at,
                    entries: Vec::new(),
                    key: None,
                },
                at,
            )?,
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = b.stack.pop() else {
                    return Err(YamlError {
                        message: "unbalanced collection end".into(),
                        pos: at,
                    });
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        anchor,
                        start,
                        items,
                    } => {
                        let start = items.first().map_or(start, |n| n.span.start.min(start));
                        (
                            Node {
                                kind: NodeKind::Seq(items),
                                span: Span::new(source, start, at),
                            },
                            anchor,
                        )
                    }
                    Frame::Map {
                        anchor,
                        start,
                        entries,
                        ..
                    } => {
                        let start = entries.first().map_or(start, |(k, _)| k.span.start);
                        (
                            Node {
                                kind: NodeKind::Map(apply_merge_keys(entries)),
                                span: Span::new(source, start, at),
                            },
                            anchor,
                        )
                    }
                };
                b.push_value(node, anchor);
            }
        }
    }
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(src: &str) -> Vec<Node> {
        parse(src, SourceId(0), &Limits::default()).unwrap()
    }

    #[test]
    fn scalar_ends_on_the_first_line_in_characters() {
        let start = Pos::new(3, 5);
        for value in [
            "", "abc", "a\nbc", "ab\r\nc", "ab\r", "\r", "\n", "héllo", "é\r\nx", "x\ny\nz",
        ] {
            let first = value.lines().next().unwrap_or("");
            let len = first.chars().count() as u32;
            let quoted = if value.contains('\n') {
                len.max(1)
            } else {
                len + 2
            };
            assert_eq!(
                scalar_end(value, TScalarStyle::DoubleQuoted, start),
                Pos::new(3, 5 + quoted),
                "{value:?}"
            );
            assert_eq!(
                scalar_end(value, TScalarStyle::Plain, start),
                Pos::new(3, 5 + len.max(1)),
                "{value:?}"
            );
        }
    }

    #[test]
    fn spans_on_keys_and_values() {
        let d = docs("kind: StatefulSet\nspec:\n  replicas: 3\n  name: \"x\"\n");
        let (k, v) = d[0].path(&["spec"]).unwrap().entry("replicas").unwrap();
        assert_eq!(k.span.start, Pos::new(3, 3));
        assert_eq!(v.span.start, Pos::new(3, 13));
        assert_eq!(v.span.end, Pos::new(3, 14));
        assert_eq!(v.as_i64(), Some(3));
        let name = d[0].path(&["spec", "name"]).unwrap();
        assert_eq!((name.span.start.col, name.span.end.col), (9, 12));
    }

    #[test]
    fn multi_document_and_empty_documents() {
        let d = docs("a: 1\n---\n# nothing\n---\nb: 2\n");
        assert_eq!(d.len(), 3);
        assert!(d[1].is_null());
        assert_eq!(d[2].get("b").unwrap().span.start.line, 5);
    }

    #[test]
    fn literal_block_maps_inner_lines() {
        let d = docs("data:\n  server.properties: |\n    a=1\n    b=2\n");
        let v = d[0].path(&["data", "server.properties"]).unwrap();
        assert_eq!(v.as_str(), Some("a=1\nb=2\n"));
        assert_eq!(v.position_in_value(1, 2), Pos::new(4, 7));
    }

    #[test]
    fn json_with_tabs() {
        let d = docs("{\n\t\"a\": [1,\n\t\t2]\n}\n");
        assert_eq!(d[0].get("a").unwrap().as_seq().len(), 2);
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let d = docs("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n");
        let u = d[0].get("use").unwrap();
        assert_eq!(u.get("x").unwrap().as_str(), Some("1"));
        assert_eq!(u.get("y").unwrap().as_str(), Some("3"));
        assert!(u.get("<<").is_none());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            src.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse(&src, SourceId(0), &Limits::default()).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{err}");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        // Flow nesting: the scanner's own guard answers first, under our limit's name.
        let src = "[".repeat(200_000);
        let err = parse(&src, SourceId(0), &Limits::default()).unwrap_err();
        assert!(err.message.contains("nesting deeper than 128"), "{err}");
        let wide = Limits {
            max_depth: 1000,
            ..Limits::default()
        };
        let err = parse(&src, SourceId(0), &wide).unwrap_err();
        assert!(err.message.contains("deeper than 255 levels"), "{err}");
        // Block nesting: ours.
        let mut src = String::new();
        for depth in 0..300 {
            src.push_str(&" ".repeat(depth));
            src.push_str("k:\n");
        }
        let err = parse(&src, SourceId(0), &Limits::default()).unwrap_err();
        assert!(err.message.contains("nesting deeper than 128"), "{err}");
        assert_eq!(err.pos.line, 129);
    }

    #[test]
    fn syntax_error_has_a_position() {
        let err = parse("a: [1, 2\nb: 3\n", SourceId(0), &Limits::default()).unwrap_err();
        assert!(err.pos.line >= 1);
        let err = parse("a: b\n c: d\n", SourceId(0), &Limits::default()).unwrap_err();
        assert_eq!(err.pos.line, 2);
    }

    #[test]
    fn flow_closing_at_parent_indent_is_accepted() {
        let src =
            "svc:\n    command: [\n      \"start\",\n      \"--uri\"\n    ]\n    ports: [1]\n";
        let d = docs(src);
        let cmd = d[0].path(&["svc", "command"]).unwrap();
        assert_eq!(cmd.as_seq().len(), 2);
        assert_eq!(cmd.as_seq()[1].span.start, Pos::new(4, 7));
        assert_eq!(d[0].path(&["svc", "ports"]).unwrap().span.start.line, 6);
    }

    #[test]
    fn too_many_documents() {
        let limits = Limits {
            max_documents: 2,
            ..Limits::default()
        };
        let err = parse("a: 1\n---\nb: 1\n---\nc: 1\n", SourceId(0), &limits).unwrap_err();
        assert_eq!(err.pos.line, 4);
    }
}
