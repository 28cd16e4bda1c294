//! Small helpers to read and edit spanned YAML trees, and YAML scalar typing.

use kafkalint_syntax::{Node, NodeKind, ScalarStyle, Span};

/// How a scalar resolves, following the YAML loader kustomize uses (YAML 1.2 core with the
/// legacy `0777` octal form still read as an integer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    Null,
    Bool,
    Int,
    Float,
    Str,
}

pub fn is_null_word(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

pub fn is_bool_word(s: &str) -> bool {
    matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

/// YAML 1.1 booleans that older loaders (and `kubectl apply`) still read as booleans; we quote
/// them on output so no reader takes them for anything but strings.
pub fn is_yaml11_special(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// Integer value of a plain scalar, if it reads as one.
pub fn parse_int(s: &str) -> Option<i128> {
    let t: String = s.chars().filter(|c| *c != '_').collect();
    if t.is_empty() {
        return None;
    }
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t.as_str()),
    };
    if body.is_empty() {
        return None;
    }
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i128::from_str_radix(h, 16).ok()?
    } else if let Some(o) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        i128::from_str_radix(o, 8).ok()?
    } else if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        i128::from_str_radix(b, 2).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i128::from_str_radix(&body[1..], 8).ok()?
    } else {
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        body.parse::<i128>().ok()?
    };
    if v > i64::MAX as i128 + 1 {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Float value of a plain scalar, if it reads as one (and is not an integer).
pub fn parse_float(s: &str) -> Option<f64> {
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let t: String = s.chars().filter(|c| *c != '_').collect();
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+') | Some(b'-')) {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let fs = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if int_digits == 0 && i == fs {
            return None;
        }
    } else if int_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let es = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == es {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    t.parse::<f64>().ok()
}

pub fn plain_type(s: &str) -> ScalarType {
    if is_null_word(s) {
        ScalarType::Null
    } else if is_bool_word(s) {
        ScalarType::Bool
    } else if parse_int(s).is_some() {
        ScalarType::Int
    } else if parse_float(s).is_some() {
        ScalarType::Float
    } else {
        ScalarType::Str
    }
}

pub fn scalar_type(node: &Node) -> Option<ScalarType> {
    match &node.kind {
        NodeKind::Scalar { value, style } => Some(match style {
            ScalarStyle::Plain => plain_type(value),
            _ => ScalarType::Str,
        }),
        _ => None,
    }
}

/// A node that is absent or YAML null.
pub fn is_null(node: Option<&Node>) -> bool {
    match node {
        None => true,
        Some(n) => n.is_null(),
    }
}

/// A string scalar that stays a string whatever its text.
pub fn str_node(value: impl Into<String>, span: Span) -> Node {
    let value = value.into();
    let style = if plain_type(&value) == ScalarType::Str {
        ScalarStyle::Plain
    } else {
        ScalarStyle::DoubleQuoted
    };
    Node {
        kind: NodeKind::Scalar { value, style },
        span,
    }
}

/// A string node for raw source text that had no quotes (an env-file or literal value). When
/// the string must be emitted quoted, the span is widened over notional quotes, because readers
/// of a quoted scalar's span skip one character of quote on each side.
pub fn raw_text_node(value: impl Into<String>, span: Span) -> Node {
    let mut node = str_node(value, span);
    let quoted = matches!(
        &node.kind,
        NodeKind::Scalar {
            style: ScalarStyle::DoubleQuoted,
            ..
        }
    );
    if quoted && span.start.line == span.end.line && span.start.col > 1 {
        node.span.start.col -= 1;
        node.span.end.col += 1;
    }
    node
}

/// A scalar whose type is read from its text (numbers stay numbers).
pub fn plain_node(value: impl Into<String>, span: Span) -> Node {
    Node {
        kind: NodeKind::Scalar {
            value: value.into(),
            style: ScalarStyle::Plain,
        },
        span,
    }
}

pub fn map_node(entries: Vec<(Node, Node)>, span: Span) -> Node {
    Node {
        kind: NodeKind::Map(entries),
        span,
    }
}

pub fn seq_node(items: Vec<Node>, span: Span) -> Node {
    Node {
        kind: NodeKind::Seq(items),
        span,
    }
}

pub fn null_node(span: Span) -> Node {
    plain_node("null", span)
}

/// The text of a scalar node (any type), `None` for collections and null.
pub fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_text)
}

fn key_is(k: &Node, key: &str) -> bool {
    k.as_str() == Some(key)
}

pub fn get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.kind {
        NodeKind::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|(k, _)| key_is(k, key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Set `key` to `value` in a map node (replacing every existing entry of that key).
/// Does nothing on non-maps.
pub fn set(node: &mut Node, key: &str, key_span: Span, value: Node) {
    if let NodeKind::Map(entries) = &mut node.kind {
        let mut found = false;
        entries.retain_mut(|(k, v)| {
            if key_is(k, key) {
                if found {
                    return false;
                }
                found = true;
                *v = value.clone();
            }
            true
        });
        if !found {
            entries.push((str_node(key, key_span), value));
        }
    }
}

/// Set `key`, keeping the existing key node when there is one.
pub fn set_value(node: &mut Node, key: &str, value: Node) {
    let span = value.span;
    set(node, key, span, value);
}

pub fn remove(node: &mut Node, key: &str) -> Option<Node> {
    if let NodeKind::Map(entries) = &mut node.kind {
        let mut removed = None;
        entries.retain(|(k, v)| {
            if key_is(k, key) {
                removed = Some(v.clone());
                false
            } else {
                true
            }
        });
        return removed;
    }
    None
}

/// The map at `key`, created (or turned from null into a map) when missing.
pub fn ensure_map<'a>(node: &'a mut Node, key: &str, span: Span) -> Option<&'a mut Node> {
    let needs = match node.get(key) {
        None => true,
        Some(v) => v.is_null(),
    };
    if needs {
        if !node.is_map() {
            return None;
        }
        set(node, key, span, map_node(Vec::new(), span));
    }
    get_mut(node, key)
}

/// Replace a scalar's text while keeping its YAML type where possible: a string target stays
/// a string, a number target takes the new text as written.
pub fn set_scalar_keep_type(target: &mut Node, value: &str, span: Span) {
    let was_string = scalar_type(target) == Some(ScalarType::Str);
    *target = if was_string {
        str_node(value, span)
    } else {
        plain_node(value, span)
    };
}

/// Canonical JSON text of a tree, with YAML scalar typing applied and map keys sorted.
/// Used to compare renderings regardless of formatting and field order.
pub fn canonical_json(node: &Node) -> String {
    let mut out = String::new();
    write_canonical(node, &mut out);
    out
}

fn write_canonical(node: &Node, out: &mut String) {
    match &node.kind {
        NodeKind::Scalar { value, style } => {
            let ty = match style {
                ScalarStyle::Plain => plain_type(value),
                _ => ScalarType::Str,
            };
            match ty {
                ScalarType::Null => out.push_str("null"),
                ScalarType::Bool => out.push_str(if value.eq_ignore_ascii_case("true") {
                    "true"
                } else {
                    "false"
                }),
                ScalarType::Int => {
                    let v = parse_int(value).unwrap_or(0);
                    out.push_str(&format!("{}", v as f64));
                }
                ScalarType::Float => {
                    let v = parse_float(value).unwrap_or(0.0);
                    out.push_str(&format!("{v}"));
                }
                ScalarType::Str => json_string(value, out),
            }
        }
        NodeKind::Seq(items) => {
            out.push('[');
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(it, out);
            }
            out.push(']');
        }
        NodeKind::Map(entries) => {
            let mut items: Vec<(String, String)> = Vec::new();
            for (k, v) in entries {
                let key = k.as_str().unwrap_or("").to_string();
                let mut s = String::new();
                write_canonical(v, &mut s);
                items.retain(|(ek, _)| ek != &key);
                items.push((key, s));
            }
            items.sort();
            out.push('{');
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                out.push_str(v);
            }
            out.push('}');
        }
    }
}

/// JSON string literal, escaping the way Go's encoding/json does (HTML-safe), which the
/// name-suffix hash depends on.
pub fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing() {
        assert_eq!(plain_type("0644"), ScalarType::Int);
        assert_eq!(parse_int("0644"), Some(420));
        assert_eq!(plain_type("1.5e3"), ScalarType::Float);
        assert_eq!(plain_type("yes"), ScalarType::Str);
        assert_eq!(plain_type("~"), ScalarType::Null);
        assert_eq!(plain_type("0x1F"), ScalarType::Int);
        assert_eq!(plain_type("1.2.3"), ScalarType::Str);
        assert_eq!(plain_type("-"), ScalarType::Str);
        assert_eq!(plain_type("."), ScalarType::Str);
        assert_eq!(plain_type("089"), ScalarType::Float);
    }
}
