//! YAML stream output.

use kafkalint_syntax::{Node, NodeKind, ScalarStyle};

use crate::tree::{is_yaml11_special, plain_type, ScalarType};

/// Serialise resources as a `---` separated YAML stream.
pub fn to_yaml(resources: &[Node]) -> String {
    let mut out = String::new();
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        emit_block(r, 0, &mut out);
    }
    out
}

fn indent(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn is_empty_collection(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Seq(v) => v.is_empty(),
        NodeKind::Map(v) => v.is_empty(),
        NodeKind::Scalar { .. } => false,
    }
}

/// Top-level (or nested) block rendering starting at the current line.
fn emit_block(n: &Node, level: usize, out: &mut String) {
    match &n.kind {
        NodeKind::Map(entries) if !entries.is_empty() => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    indent(level, out);
                }
                emit_entry(k, v, level, out);
            }
        }
        NodeKind::Seq(items) if !items.is_empty() => {
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    indent(level, out);
                }
                emit_item(it, level, out);
            }
        }
        _ => {
            out.push_str(&inline(n));
            out.push('\n');
        }
    }
}

fn emit_entry(k: &Node, v: &Node, level: usize, out: &mut String) {
    out.push_str(&key_text(k));
    out.push(':');
    match &v.kind {
        NodeKind::Map(_) if !is_empty_collection(v) => {
            out.push('\n');
            indent(level + 2, out);
            emit_block(v, level + 2, out);
        }
        NodeKind::Seq(_) if !is_empty_collection(v) => {
            out.push('\n');
            indent(level, out);
            emit_block(v, level, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&inline(v));
            out.push('\n');
        }
    }
}

fn emit_item(it: &Node, level: usize, out: &mut String) {
    out.push_str("- ");
    match &it.kind {
        NodeKind::Map(_) | NodeKind::Seq(_) if !is_empty_collection(it) => {
            emit_block(it, level + 2, out);
        }
        _ => {
            out.push_str(&inline(it));
            out.push('\n');
        }
    }
}

fn key_text(k: &Node) -> String {
    let s = k.as_str().unwrap_or("");
    quote_if_needed(s, true)
}

fn inline(n: &Node) -> String {
    match &n.kind {
        NodeKind::Map(_) => "{}".into(),
        NodeKind::Seq(_) => "[]".into(),
        NodeKind::Scalar { value, style } => match style {
            ScalarStyle::Plain => match plain_type(value) {
                ScalarType::Str => quote_if_needed(value, false),
                ScalarType::Null => "null".into(),
                _ => value.clone(),
            },
            _ => quote_if_needed(value, false),
        },
    }
}

/// `2024-01-01...`: YAML 1.1 readers take these for timestamps.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
}

fn safe_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if looks_like_date(s) {
        return false;
    }
    if !(first.is_alphanumeric() || first == '/' || first == '_' || first == '.') {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") {
        return false;
    }
    s.chars().all(|c| {
        c.is_alphanumeric()
            || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '=' | '+' | ' ' | ',')
    }) && plain_type(s) == ScalarType::Str
        && !is_yaml11_special(s)
}

/// Plain when that reads back as the same string, double-quoted otherwise.
fn quote_if_needed(s: &str, _is_key: bool) -> String {
    if safe_plain(s) {
        return s.to_string();
    }
    let mut out = String::new();
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            '\u{feff}' => out.push_str("\\ufeff"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafkalint_syntax::{yaml, Limits, SourceId};

    #[test]
    fn round_trip_keeps_types() {
        let src = "a: \"3\"\nb: 3\nc: yes\nd:\n- x: 1\n  y: [1, \"2\"]\n- {}\ne: \"multi\\nline\"\nf: ''\ng: null\n\"on\": 'x: y'\n";
        let docs = yaml::parse(src, SourceId(0), &Limits::default()).unwrap();
        let out = to_yaml(&docs);
        let back = yaml::parse(&out, SourceId(0), &Limits::default()).unwrap();
        assert_eq!(
            crate::tree::canonical_json(&docs[0]),
            crate::tree::canonical_json(&back[0]),
            "{out}"
        );
        assert!(out.contains("c: \"yes\""), "{out}");
    }
}
