//! Env files as kustomize's `envs:` reads them: one `KEY=value` per line, the value taken
//! literally (no quote stripping, no inline comments), `#` comments only at line start.

use crate::{Pos, SourceId, Span};

#[derive(Clone, Debug, PartialEq)]
pub struct EnvEntry {
    pub key: String,
    /// `None` when the line has no `=`: kustomize then takes the value from its own process
    /// environment, which a linter cannot know.
    pub value: Option<String>,
    pub key_span: Span,
    pub value_span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnvError {
    pub message: String,
    pub pos: Pos,
}

/// Kubernetes' env var name rule, which kustomize applies to env file keys.
pub fn is_env_var_name(key: &str) -> bool {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || matches!(c, '-' | '.' | '_') => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Parse an env file. Stops at the first invalid line, like kustomize does.
pub fn parse(text: &str, source: SourceId) -> Result<Vec<EnvEntry>, EnvError> {
    let mut entries = Vec::new();
    for (index, raw_line) in text.split('\n').enumerate() {
        let line_no = index as u32 + 1;
        let mut line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if index == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let trimmed = line.trim_start();
        let indent = (line.chars().count() - trimmed.chars().count()) as u32;
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (key, value) = match trimmed.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (trimmed, None),
        };
        let key_col = indent + 1;
        if !is_env_var_name(key) {
            return Err(EnvError {
                message: format!(
                    "{key:?} is not a valid environment variable name (letters, digits, '_', '-' \
                     and '.', not starting with a digit)"
                ),
                pos: Pos::new(line_no, key_col),
            });
        }
        let key_len = key.chars().count() as u32;
        let key_span = Span::on_line(source, line_no, key_col, key_len);
        let value_span = match value {
            Some(v) => Span::on_line(
                source,
                line_no,
                key_col + key_len + 1,
                v.chars().count() as u32,
            ),
            None => key_span,
        };
        entries.push(EnvEntry {
            key: key.to_string(),
            value: value.map(str::to_string),
            key_span,
            value_span,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_literal_and_keep_spans() {
        let src = "# comment\n  KAFKA_HEAP_OPTS=-Xmx1g -Xms1g\nA=\"q\" # not a comment\nFROM_ENV\n";
        let e = parse(src, SourceId(0)).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].key, "KAFKA_HEAP_OPTS");
        assert_eq!(e[0].value.as_deref(), Some("-Xmx1g -Xms1g"));
        assert_eq!(e[0].key_span.start, Pos::new(2, 3));
        assert_eq!(e[0].value_span.start, Pos::new(2, 19));
        assert_eq!(e[1].value.as_deref(), Some("\"q\" # not a comment"));
        assert_eq!(e[2].value, None);
    }

    #[test]
    fn invalid_key_is_an_error_at_its_line() {
        let err = parse("OK=1\nBAD KEY = 2\n", SourceId(0)).unwrap_err();
        assert_eq!(err.pos, Pos::new(2, 1));
        assert!(err.message.contains("BAD KEY "));
    }

    #[test]
    fn bom_and_crlf() {
        let e = parse("\u{feff}A=1\r\nB=2\r\n", SourceId(0)).unwrap();
        assert_eq!(e[0].key, "A");
        assert_eq!(e[1].value.as_deref(), Some("2"));
    }
}
