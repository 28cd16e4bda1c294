//! Formats other tools read: SARIF 2.1.0, GitLab Code Quality, JUnit XML and GitHub Actions
//! workflow commands.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kafkalint_engine::LintResult;
use kafkalint_policy::{CustomRule, Severity};
use kafkalint_rules::Diagnostic;
use serde_json::{json, Value};

/// What the CI formats need beyond the findings.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// The kafkalint version, for tool metadata.
    pub version: &'a str,
    /// Custom rules of the policy, described in SARIF like built-in ones.
    pub custom_rules: &'a [CustomRule],
    /// Paths are reported relative to this directory when they are below it.
    pub base_dir: Option<&'a str>,
}

/// A diagnostic's file as CI systems want it: relative, with `/`, without a leading `./`.
pub fn ci_path(result: &LintResult, d: &Diagnostic, cx: &Context<'_>) -> String {
    let path = result.sources.path(d.span.source).replace('\\', "/");
    let path = match cx.base_dir {
        Some(base) if !base.is_empty() => {
            let base = base.trim_end_matches('/');
            path.strip_prefix(base)
                .and_then(|r| r.strip_prefix('/'))
                .map_or(path.clone(), str::to_string)
        }
        _ => path,
    };
    let mut p = path.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_string()
}

struct RuleInfo {
    id: String,
    name: String,
    summary: String,
    doc: String,
    default: Severity,
}

fn rule_infos(cx: &Context<'_>) -> Vec<RuleInfo> {
    let mut out: Vec<RuleInfo> = kafkalint_rules::all_rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo {
                id: m.code.to_string(),
                name: m.name.to_string(),
                summary: m.summary(),
                doc: m
                    .doc
                    .lines()
                    .map(|l| l.strip_prefix(' ').unwrap_or(l))
                    .collect::<Vec<_>>()
                    .join("\n"),
                default: m.default_severity,
            }
        })
        .collect();
    for c in cx.custom_rules {
        out.push(RuleInfo {
            id: c.code.clone(),
            name: c.name.clone(),
            summary: c.message.clone(),
            doc: format!(
                "{}\n\n{}\n\nCustom rule from {}.",
                c.message,
                c.description.as_deref().unwrap_or(""),
                c.origin
            ),
            default: c.severity,
        });
    }
    out
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF 2.1.0, one run. Columns count Unicode code points, as everywhere else in kafkalint.
pub fn sarif(result: &LintResult, cx: &Context<'_>) -> String {
    let rules = rule_infos(cx);
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let fingerprints = result.fingerprints();
    let results: Vec<Value> = result
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, fp)| {
            let mut r = json!({
                "ruleId": d.code,
                "level": sarif_level(d.severity),
                "message": { "text": match &d.help {
                    Some(h) => format!("{} (help: {h})", d.message),
                    None => d.message.clone(),
                }},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": ci_path(result, d, cx) },
                        "region": {
                            "startLine": d.span.start.line,
                            "startColumn": d.span.start.col,
                            "endLine": d.span.end.line,
                            "endColumn": d.span.end.col.max(d.span.start.col + 1),
                        }
                    }
                }],
                "partialFingerprints": { "kafkalint/v1": fp },
            });
            if let Some(i) = index.get(d.code.as_str()) {
                r["ruleIndex"] = json!(i);
            }
            if !d.labels.is_empty() {
                r["relatedLocations"] = Value::Array(
                    d.labels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            let uri = result
                                .sources
                                .path(l.span.source)
                                .trim_start_matches("./")
                                .to_string();
                            json!({
                                "id": i,
                                "message": { "text": l.message },
                                "physicalLocation": {
                                    "artifactLocation": { "uri": uri },
                                    "region": {
                                        "startLine": l.span.start.line,
                                        "startColumn": l.span.start.col,
                                    }
                                }
                            })
                        })
                        .collect(),
                );
            }
            r
        })
        .collect();
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kafkalint",
                "version": cx.version,
                "semanticVersion": cx.version,
                "rules": rules.iter().map(|r| json!({
                    "id": r.id,
                    "name": r.name,
                    "shortDescription": { "text": r.summary },
                    "fullDescription": { "text": r.summary },
                    "help": { "text": r.doc, "markdown": r.doc },
                    "defaultConfiguration": { "level": sarif_level(r.default) },
                })).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// GitLab's Code Quality severities for ours.
pub fn gitlab_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// GitLab Code Quality: a JSON array of issues, fingerprinted like baselines.
pub fn gitlab(result: &LintResult, cx: &Context<'_>) -> String {
    let fingerprints = result.fingerprints();
    let issues: Vec<Value> = result
        .diagnostics
        .iter()
        .zip(&fingerprints)
        .map(|(d, fp)| {
            json!({
                "type": "issue",
                "description": format!("{}: {}", d.code, d.message),
                "check_name": d.code,
                "fingerprint": fp,
                "severity": gitlab_severity(d.severity),
                "location": {
                    "path": ci_path(result, d, cx),
                    "lines": { "begin": d.span.start.line },
                },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_default();
    text.push('\n');
    text
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per file, one failing test case per finding, and a passing case
/// for a file without findings, so CI shows what was checked.
pub fn junit(result: &LintResult, cx: &Context<'_>) -> String {
    let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for (_, f) in result.sources.iter() {
        let mut p = f.path.as_str();
        while let Some(rest) = p.strip_prefix("./") {
            p = rest;
        }
        by_file.entry(p.to_string()).or_default();
    }
    for d in &result.diagnostics {
        by_file.entry(ci_path(result, d, cx)).or_default().push(d);
    }
    let failures = result.diagnostics.len();
    let tests: usize = by_file.values().map(|v| v.len().max(1)).sum();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<testsuites name=\"kafkalint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for (file, diags) in &by_file {
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            xml_escape(file),
            diags.len().max(1),
            diags.len()
        );
        if diags.is_empty() {
            let _ = writeln!(
                s,
                "    <testcase name=\"no findings\" classname=\"{}\" file=\"{}\"/>",
                xml_escape(file),
                xml_escape(file)
            );
        }
        for d in diags {
            let _ = writeln!(
                s,
                "    <testcase name=\"{} {}:{}:{}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
                d.code,
                xml_escape(file),
                d.span.start.line,
                d.span.start.col,
                xml_escape(file),
                xml_escape(file),
                d.span.start.line
            );
            let mut body = format!(
                "{file}:{}:{}: {}[{}] {}",
                d.span.start.line, d.span.start.col, d.severity, d.code, d.message
            );
            if let Some(h) = &d.help {
                let _ = write!(body, "\nhelp: {h}");
            }
            let _ = writeln!(
                s,
                "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                d.severity,
                xml_escape(&d.message),
                xml_escape(&body)
            );
            let _ = writeln!(s, "    </testcase>");
        }
        let _ = writeln!(s, "  </testsuite>");
    }
    s.push_str("</testsuites>\n");
    s
}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_escape_property(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: annotations on the pull request's lines.
pub fn github(result: &LintResult, cx: &Context<'_>) -> String {
    let mut s = String::new();
    for d in &result.diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let _ = writeln!(
            s,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            gh_escape_property(&ci_path(result, d, cx)),
            d.span.start.line,
            d.span.start.col,
            d.span.end.line,
            d.span.end.col,
            gh_escape_property(&format!("kafkalint {}", d.code)),
            gh_escape_data(&d.message)
        );
    }
    s
}
