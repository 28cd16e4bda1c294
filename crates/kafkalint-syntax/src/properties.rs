//! Java `.properties` files, read the way `java.util.Properties.load` reads them.
//!
//! `#`/`!` start a comment only as the first non-blank character of a line; a key ends at the
//! first unescaped `=`, `:` or blank; a line ending in an odd number of backslashes continues on
//! the next one with its leading blanks dropped; `\t \n \r \f \uXXXX` and `\x` escapes apply.

use crate::{Pos, SourceId, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct PropEntry {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
    /// The value as written on its first line, before escapes: used to spot text that looks
    /// like a trailing comment but is part of the value.
    pub raw_value: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PropError {
    pub message: String,
    pub pos: Pos,
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{c}')
}

/// A logical line: natural lines joined on continuations, each char with its position.
struct Logical {
    chars: Vec<(char, Pos)>,
    end: Pos,
}

fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        let line_no = index as u32 + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let mut chars: Vec<(char, Pos)> = Vec::new();
        let first: Vec<(char, Pos)> = line
            .chars()
            .enumerate()
            .map(|(i, c)| (c, Pos::new(line_no, i as u32 + 1)))
            .skip_while(|(c, _)| is_blank(*c))
            .collect();
        match first.first() {
            None => continue,
            Some(('#' | '!', _)) => continue,
            _ => {}
        }
        let mut current = first;
        let mut current_line = line_no;
        let mut current_len = line.chars().count() as u32;
        loop {
            let trailing = current.iter().rev().take_while(|(c, _)| *c == '\\').count();
            if trailing % 2 == 1 {
                current.pop();
                chars.extend(current);
                match lines.next() {
                    Some((next_index, next_raw)) => {
                        let next_no = next_index as u32 + 1;
                        let next_line = next_raw.strip_suffix('\r').unwrap_or(next_raw);
                        current_line = next_no;
                        current_len = next_line.chars().count() as u32;
                        current = next_line
                            .chars()
                            .enumerate()
                            .map(|(i, c)| (c, Pos::new(next_no, i as u32 + 1)))
                            .skip_while(|(c, _)| is_blank(*c))
                            .collect();
                    }
                    None => {
                        current = Vec::new();
                        break;
                    }
                }
            } else {
                break;
            }
        }
        chars.extend(current);
        out.push(Logical {
            chars,
            end: Pos::new(current_line, current_len + 1),
        });
    }
    out
}

/// Parse a `.properties` text. Later duplicates are kept; the caller decides (Java keeps the last).
pub fn parse(text: &str, source: SourceId) -> Result<Vec<PropEntry>, PropError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    for logical in logical_lines(text) {
        let chars = &logical.chars;
        let mut i = 0;
        // Key: up to the first unescaped separator or blank.
        let mut key_end = chars.len();
        while i < chars.len() {
            let c = chars[i].0;
            if c == '\\' {
                i += 2;
                continue;
            }
            if c == '=' || c == ':' || is_blank(c) {
                key_end = i;
                break;
            }
            i += 1;
        }
        let key_end = key_end.min(chars.len());
        let mut v = key_end;
        while v < chars.len() && is_blank(chars[v].0) {
            v += 1;
        }
        if v < chars.len() && matches!(chars[v].0, '=' | ':') {
            v += 1;
            while v < chars.len() && is_blank(chars[v].0) {
                v += 1;
            }
        }
        let key = unescape(&chars[..key_end])?;
        let value = unescape(&chars[v..])?;
        let key_start = chars.first().map_or(logical.end, |c| c.1);
        let key_last = if key_end > 0 {
            chars[key_end - 1].1
        } else {
            key_start
        };
        let key_span = Span::new(source, key_start, Pos::new(key_last.line, key_last.col + 1));
        let value_span = match (chars.get(v), chars.last()) {
            (Some(first), Some(last)) if v < chars.len() => {
                let end = if last.1.line == first.1.line {
                    Pos::new(last.1.line, last.1.col + 1)
                } else {
                    // Multi-line values: underline the first line only.
                    let line_end = chars[v..]
                        .iter()
                        .take_while(|c| c.1.line == first.1.line)
                        .last()
                        .map_or(first.1, |c| c.1);
                    Pos::new(line_end.line, line_end.col + 1)
                };
                Span::new(source, first.1, end)
            }
            _ => Span::new(source, logical.end, logical.end),
        };
        let raw_value = chars[v.min(chars.len())..]
            .iter()
            .take_while(|c| chars.get(v).is_some_and(|f| c.1.line == f.1.line))
            .map(|c| c.0)
            .collect();
        entries.push(PropEntry {
            key,
            value,
            key_span,
            value_span,
            raw_value,
        });
    }
    Ok(entries)
}

fn unescape(chars: &[(char, Pos)]) -> Result<String, PropError> {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, pos) = chars[i];
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&(next, _)) = chars.get(i + 1) else {
            i += 1;
            continue;
        };
        i += 2;
        match next {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\u{c}'),
            'u' => {
                let hex: String = chars.iter().skip(i).take(4).map(|c| c.0).collect();
                let code = (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .ok_or_else(|| PropError {
                        message: format!("malformed \\uxxxx escape: \\u{hex}"),
                        pos,
                    })?;
                // Lone surrogates cannot be a Rust char; Java would keep them as UTF-16 halves.
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                i += 4;
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> PropEntry {
        let mut e = parse(src, SourceId(0)).unwrap();
        assert_eq!(e.len(), 1, "{e:?}");
        e.remove(0)
    }

    #[test]
    fn separators() {
        assert_eq!(one("a=b").value, "b");
        assert_eq!(one("a : b").value, "b");
        assert_eq!(one("a b").value, "b");
        assert_eq!(one("  a\t=  b  ").value, "b  ");
        assert_eq!(one("a").value, "");
        assert_eq!(one("a==b").value, "=b");
    }

    #[test]
    fn comments_only_at_line_start() {
        let e = one("# c\n! c\n   # c\nbatch.size=524288  # 512KB\n");
        assert_eq!(e.key, "batch.size");
        assert_eq!(e.value, "524288  # 512KB");
        assert_eq!(e.key_span.start, Pos::new(4, 1));
        assert_eq!(e.value_span.start, Pos::new(4, 12));
        assert_eq!(e.value_span.end, Pos::new(4, 27));
    }

    #[test]
    fn continuation_and_escapes() {
        let e = one("key\\ with\\:sep = first,\\\n    second\\\\\n");
        assert_eq!(e.key, "key with:sep");
        assert_eq!(e.value, "first,second\\");
        let e = one("u=\\u0041\\t");
        assert_eq!(e.value, "A\t");
        // A continued line never becomes a comment.
        let e = one("a=1\\\n  # still value\n");
        assert_eq!(e.value, "1# still value");
    }

    #[test]
    fn malformed_unicode_is_an_error() {
        let err = parse("a=\\u12", SourceId(0)).unwrap_err();
        assert_eq!(err.pos, Pos::new(1, 3));
    }
}
