//! Output formats. Each takes a finished run and returns text; writing it is the caller's job.

mod ci;
pub mod memory;

use std::fmt::Write as _;

pub use ci::{ci_path, gitlab_severity, Context};

use kafkalint_engine::LintResult;
use kafkalint_policy::Severity;
#[cfg(feature = "human")]
use kafkalint_rules::Diagnostic;
#[cfg(feature = "human")]
use kafkalint_syntax::Span;
use kafkalint_syntax::{Pos, SourceMap};
#[cfg(feature = "human")]
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitLab Code Quality.
    Gitlab,
    /// JUnit XML.
    Junit,
    /// GitHub Actions workflow commands.
    Github,
}

pub fn render(result: &LintResult, format: Format, color: bool) -> String {
    render_with(result, format, color, &Context::default())
}

/// Render with what the CI formats need (tool version, custom rules, base directory).
pub fn render_with(result: &LintResult, format: Format, color: bool, cx: &Context<'_>) -> String {
    match format {
        #[cfg(feature = "human")]
        Format::Human => human(result, color),
        // Built without the terminal renderer (the WebAssembly package): one line each.
        #[cfg(not(feature = "human"))]
        Format::Human => {
            let _ = color;
            concise(result)
        }
        Format::Concise => concise(result),
        Format::Json => json(result),
        Format::Sarif => ci::sarif(result, cx),
        Format::Gitlab => ci::gitlab(result, cx),
        Format::Junit => ci::junit(result, cx),
        Format::Github => ci::github(result, cx),
    }
}

/// `file:line:col: severity[CODE] message`, one line each.
pub fn concise(result: &LintResult) -> String {
    let mut out = String::new();
    for d in &result.diagnostics {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            result.sources.path(d.span.source),
            d.span.start.line,
            d.span.start.col,
            d.severity,
            d.code,
            d.message
        );
    }
    out
}

#[derive(Serialize)]
struct JsonResource<'a> {
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    resource: Option<JsonResource<'a>>,
    help: Option<&'a str>,
    /// Stable across reformatting: rule, object and config key (see baselines).
    fingerprint: String,
    /// Editors (LSP, Monaco, CodeMirror) count columns in UTF-16 code units.
    #[serde(skip_serializing_if = "Option::is_none")]
    utf16_column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utf16_end_column: Option<u32>,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    resources: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

/// The JSON contract: see README "JSON output".
pub fn json(result: &LintResult) -> String {
    json_report(result, false)
}

/// The JSON contract plus `utf16_column` and `utf16_end_column` on each diagnostic.
pub fn json_utf16(result: &LintResult) -> String {
    json_report(result, true)
}

/// The 1-based column of `pos` in UTF-16 code units.
fn utf16_column(sources: &SourceMap, source: kafkalint_syntax::SourceId, pos: Pos) -> u32 {
    let Some(file) = sources.get(source) else {
        return pos.col;
    };
    let before = file
        .line_text(pos.line)
        .chars()
        .take(pos.col.saturating_sub(1) as usize);
    let units: usize = before.map(char::len_utf16).sum();
    // Columns past the end of the line (a span ending after its last character) keep their offset.
    let past = pos
        .col
        .saturating_sub(1)
        .saturating_sub(file.line_text(pos.line).chars().count() as u32);
    u32::try_from(units)
        .unwrap_or(u32::MAX)
        .saturating_add(past)
        .saturating_add(1)
}

fn json_report(result: &LintResult, utf16: bool) -> String {
    let fingerprints = result.fingerprints();
    let report = JsonReport {
        version: 1,
        diagnostics: result
            .diagnostics
            .iter()
            .zip(fingerprints)
            .map(|(d, fingerprint)| JsonDiagnostic {
                rule: &d.code,
                severity: d.severity.as_str(),
                message: &d.message,
                file: result.sources.path(d.span.source),
                line: d.span.start.line,
                column: d.span.start.col,
                end_line: d.span.end.line,
                end_column: d.span.end.col,
                resource: d.resource.as_ref().map(|r| JsonResource {
                    api_version: &r.api_version,
                    kind: &r.kind,
                    name: &r.name,
                    namespace: r.namespace.as_deref(),
                }),
                help: d.help.as_deref(),
                fingerprint,
                utf16_column: utf16
                    .then(|| utf16_column(&result.sources, d.span.source, d.span.start)),
                utf16_end_column: utf16
                    .then(|| utf16_column(&result.sources, d.span.source, d.span.end)),
            })
            .collect(),
        summary: summary(result),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

fn summary(result: &LintResult) -> JsonSummary {
    JsonSummary {
        files: result.sources.len(),
        resources: result.model.resources.len(),
        errors: result.count(Severity::Error),
        warnings: result.count(Severity::Warning),
        infos: result.count(Severity::Info),
    }
}

#[cfg(feature = "human")]
/// A diagnostic in miette's terms, with its source text attached.
#[derive(Debug)]
struct Rendered {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
}

#[cfg(feature = "human")]
impl std::fmt::Display for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(feature = "human")]
impl std::error::Error for Rendered {}

#[cfg(feature = "human")]
impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

#[cfg(feature = "human")]
fn byte_span(sources: &SourceMap, span: Span) -> Option<SourceSpan> {
    let file = sources.get(span.source)?;
    let start = file.offset(span.start);
    let end = file.offset(span.end).max(start);
    Some(SourceSpan::new(
        start.into(),
        (end - start)
            .max(1)
            .min(file.text.len().saturating_sub(start).max(1)),
    ))
}

#[cfg(feature = "human")]
fn to_miette(sources: &SourceMap, d: &Diagnostic) -> Rendered {
    let path = sources.path(d.span.source).to_string();
    let text = sources
        .get(d.span.source)
        .map(|f| f.text.clone())
        .unwrap_or_default();
    let mut labels = Vec::new();
    if let Some(s) = byte_span(sources, d.span) {
        labels.push(LabeledSpan::new_primary_with_span(d.label.clone(), s));
    }
    // miette shows one source per diagnostic; labels in other files go to the help text.
    let mut elsewhere = Vec::new();
    for l in &d.labels {
        if l.span.source == d.span.source {
            if let Some(s) = byte_span(sources, l.span) {
                labels.push(LabeledSpan::new_with_span(Some(l.message.clone()), s));
            }
        } else {
            elsewhere.push(format!(
                "{} at {}:{}:{}",
                l.message,
                sources.path(l.span.source),
                l.span.start.line,
                l.span.start.col
            ));
        }
    }
    let mut help = d.help.clone();
    if !elsewhere.is_empty() {
        let also = format!("see also: {}", elsewhere.join("; "));
        help = Some(match help {
            Some(h) => format!("{h}\n{also}"),
            None => also,
        });
    }
    Rendered {
        message: d.message.clone(),
        code: d.code.clone(),
        severity: d.severity,
        help,
        source: NamedSource::new(path, text),
        labels,
    }
}

#[cfg(feature = "human")]
/// miette's graphical report: snippet, labels and help, then a summary line.
pub fn human(result: &LintResult, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in &result.diagnostics {
        let r = to_miette(&result.sources, d);
        let _ = handler.render_report(&mut out, &r);
        out.push('\n');
    }
    let s = summary(result);
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info(s) in {} file(s), {} resource(s)",
        s.errors, s.warnings, s.infos, s.files, s.resources
    );
    out
}
