//! Suppressions written next to the findings they excuse: `# kafkalint: ignore[CODE,...] reason`
//! comments and the `kafkalint.io/ignore` annotation. Suppressions naming unknown codes, or
//! suppressing nothing, become findings of their own.

use std::collections::HashSet;

use kafkalint_model::{Model, ResourceId};
use kafkalint_policy::{Policy, Severity};
use kafkalint_rules::{Diagnostic, Label};
use kafkalint_syntax::{SourceId, SourceMap, Span};

use crate::FileKind;

pub const ANNOTATION: &str = "kafkalint.io/ignore";
pub const REASON_ANNOTATION: &str = "kafkalint.io/ignore-reason";
const UNKNOWN_CODE: &str = "SUP001";
const UNUSED: &str = "SUP002";

/// Where a suppression applies.
#[derive(Debug)]
enum Scope {
    /// Findings whose primary span starts on one of these lines of a file.
    Lines(SourceId, u32, u32),
    /// Findings about this object.
    Object(ResourceId),
}

#[derive(Debug)]
struct Suppression {
    scope: Scope,
    /// Each code with where it is written.
    codes: Vec<(String, Span)>,
    used: Vec<bool>,
}

/// Comment suppressions of every source. YAML comments cover their own line and the next;
/// env and `.properties` files have whole-line comments only (a `#` after a value is part of the
/// value), which cover the next line.
fn comment_suppressions(sources: &SourceMap, out: &mut Vec<Suppression>) {
    for (id, file) in sources.iter() {
        if !file.text.contains("kafkalint:") {
            continue;
        }
        let kind = FileKind::from_path(&file.path);
        for (i, line) in file.text.lines().enumerate() {
            let line_no = i as u32 + 1;
            let Some((hash_col, rest)) = comment_of(line, kind) else {
                continue;
            };
            let Some(list) = parse_directive(rest) else {
                continue;
            };
            let whole_line = line[..hash_col].trim().is_empty();
            let (first, last) = match (kind, whole_line) {
                (FileKind::Yaml, true) => (line_no, line_no + 1),
                (FileKind::Yaml, false) => (line_no, line_no),
                (_, _) => (line_no + 1, line_no + 1),
            };
            let codes: Vec<(String, Span)> = list
                .into_iter()
                .map(|(code, byte_off)| {
                    let col = line[..hash_col + byte_off].chars().count() as u32 + 1;
                    let len = code.chars().count() as u32;
                    (code, Span::on_line(id, line_no, col, len))
                })
                .collect();
            out.push(Suppression {
                scope: Scope::Lines(id, first, last),
                used: vec![false; codes.len()],
                codes,
            });
        }
    }
}

/// The comment part of a line: byte offset of its `#` and the text after it.
fn comment_of(line: &str, kind: FileKind) -> Option<(usize, &str)> {
    match kind {
        FileKind::Yaml => {
            let bytes = line.as_bytes();
            let at = (0..bytes.len())
                .find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))?;
            Some((at, &line[at + 1..]))
        }
        FileKind::Env | FileKind::Properties => {
            let trimmed = line.trim_start();
            let at = line.len() - trimmed.len();
            (trimmed.starts_with('#') || (kind == FileKind::Properties && trimmed.starts_with('!')))
                .then(|| (at, &line[at + 1..]))
        }
    }
}

/// `kafkalint: ignore[A,B] reason` → the codes with their byte offsets from the `#`.
fn parse_directive(after_hash: &str) -> Option<Vec<(String, usize)>> {
    let lead = after_hash.len() - after_hash.trim_start().len();
    let rest = after_hash.trim_start().strip_prefix("kafkalint:")?;
    let lead2 = rest.len() - rest.trim_start().len();
    let rest = rest.trim_start().strip_prefix("ignore[")?;
    let close = rest.find(']')?;
    let base = 1 + lead + "kafkalint:".len() + lead2 + "ignore[".len();
    let mut out = Vec::new();
    let mut offset = 0;
    for part in rest[..close].split(',') {
        let trimmed = part.trim();
        if !trimmed.is_empty() {
            let inner = part.len() - part.trim_start().len();
            out.push((trimmed.to_string(), base + offset + inner));
        }
        offset += part.len() + 1;
    }
    Some(out)
}

fn annotation_suppressions(model: &Model, out: &mut Vec<Suppression>) {
    for r in &model.resources {
        let Some((_, value)) = r
            .node
            .path(&["metadata", "annotations"])
            .and_then(|a| a.entry(ANNOTATION))
        else {
            continue;
        };
        let text = value.as_text().unwrap_or("");
        let mut codes = Vec::new();
        let mut offset = 0usize;
        for part in text.split(',') {
            let code = part.trim();
            if !code.is_empty() {
                let lead = part[..part.len() - part.trim_start().len()].chars().count();
                let span = if value.span.start.line == value.span.end.line {
                    let quote = u32::from(matches!(
                        value.style(),
                        Some(kafkalint_syntax::ScalarStyle::SingleQuoted)
                            | Some(kafkalint_syntax::ScalarStyle::DoubleQuoted)
                    ));
                    Span::on_line(
                        value.span.source,
                        value.span.start.line,
                        value.span.start.col + quote + (offset + lead) as u32,
                        code.chars().count() as u32,
                    )
                } else {
                    value.span
                };
                codes.push((code.to_string(), span));
            }
            offset += part.chars().count() + 1;
        }
        out.push(Suppression {
            scope: Scope::Object(r.id.clone()),
            used: vec![false; codes.len()],
            codes,
        });
    }
}

/// Drop suppressed diagnostics and add SUP001/SUP002 findings. `known` holds every code a
/// suppression may name; `policy_for` gives the policy that applies to a file.
pub(crate) fn apply<'p>(
    diagnostics: Vec<Diagnostic>,
    sources: &SourceMap,
    model: &Model,
    known: &[&str],
    policy_for: impl Fn(SourceId) -> &'p Policy,
) -> (Vec<Diagnostic>, usize) {
    let mut sups = Vec::new();
    comment_suppressions(sources, &mut sups);
    annotation_suppressions(model, &mut sups);
    if sups.is_empty() {
        return (diagnostics, 0);
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    let mut suppressed = 0;
    for d in diagnostics {
        let mut hit = false;
        for s in &mut sups {
            let applies = match &s.scope {
                Scope::Lines(src, first, last) => {
                    d.span.source == *src && (*first..=*last).contains(&d.span.start.line)
                }
                Scope::Object(id) => d.resource.as_ref() == Some(id),
            };
            if !applies {
                continue;
            }
            for (i, (code, _)) in s.codes.iter().enumerate() {
                if code.eq_ignore_ascii_case(&d.code) {
                    s.used[i] = true;
                    hit = true;
                }
            }
        }
        if hit {
            suppressed += 1;
        } else {
            kept.push(d);
        }
    }
    // One annotation written once (e.g. kustomize `commonAnnotations`) lands on many objects;
    // it is used when any of them used it, and reported once.
    let used_at: HashSet<(Span, String)> = sups
        .iter()
        .flat_map(|s| {
            s.codes
                .iter()
                .zip(&s.used)
                .filter(|(_, used)| **used)
                .map(|((code, span), _)| (*span, code.to_ascii_uppercase()))
        })
        .collect();
    let mut reported: HashSet<(Span, String)> = HashSet::new();
    for s in &sups {
        for (code, span) in &s.codes {
            let at = (*span, code.to_ascii_uppercase());
            if used_at.contains(&at) || !reported.insert(at) {
                continue;
            }
            let policy = policy_for(span.source);
            let known_code = known.iter().any(|k| k.eq_ignore_ascii_case(code));
            let (rule, message) = if !known_code {
                (
                    UNKNOWN_CODE,
                    format!("suppression names `{code}`, which is not a rule code"),
                )
            } else {
                let category = kafkalint_rules::find_rule(code)
                    .map(|r| r.meta().category.as_str())
                    .unwrap_or(kafkalint_rules::custom::CATEGORY);
                if !policy.enabled(code, category) {
                    continue;
                }
                (
                    UNUSED,
                    format!("suppression of {code} suppresses nothing here"),
                )
            };
            if !policy.enabled(rule, "suppression") {
                continue;
            }
            kept.push(Diagnostic {
                code: rule.into(),
                severity: policy.severity(rule, "suppression", Severity::Warning),
                message,
                span: *span,
                label: None,
                labels: Vec::<Label>::new(),
                help: Some(if rule == UNKNOWN_CODE {
                    "`kafkalint rules` lists the codes".into()
                } else {
                    "remove the suppression".into()
                }),
                resource: match &s.scope {
                    Scope::Object(id) => Some(id.clone()),
                    Scope::Lines(..) => None,
                },
                key: Some(code.clone()),
            });
        }
    }
    (kept, suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(
            parse_directive(" kafkalint: ignore[REP001, MEM002] single broker"),
            Some(vec![("REP001".into(), 20), ("MEM002".into(), 28)])
        );
        assert_eq!(parse_directive(" kafkalint: ignore[]"), Some(vec![]));
        assert_eq!(parse_directive(" just a comment"), None);
        assert_eq!(comment_of("a: b # c", FileKind::Yaml).map(|c| c.0), Some(5));
        assert_eq!(comment_of("url: http://x#y", FileKind::Yaml), None);
        assert_eq!(comment_of("A=1 # c", FileKind::Env), None);
        assert_eq!(comment_of("  # c", FileKind::Env).map(|c| c.0), Some(2));
    }
}
