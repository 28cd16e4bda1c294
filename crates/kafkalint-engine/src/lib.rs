//! Texts in, diagnostics out. The CLI, the WebAssembly build and the webhook all call this;
//! it never touches the file system, the environment or the clock.

use kafkalint_model::{build, Input, Model, ModelOptions};
use kafkalint_policy::{Policy, Severity};
use kafkalint_rules::Diagnostic;
use kafkalint_syntax::{env, properties, yaml, Limits, Node, Pos, SourceId, SourceMap, Span};

pub use kafkalint_model::ImageFamily;

/// How a text is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Yaml,
    Env,
    Properties,
}

impl FileKind {
    /// By file name: `.env` files and `*.env`, `.properties`, everything else YAML/JSON.
    pub fn from_path(path: &str) -> FileKind {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if name.ends_with(".properties") {
            FileKind::Properties
        } else if name == ".env"
            || name.ends_with(".env")
            || name.starts_with(".env.")
            || name.contains(".env.")
        {
            FileKind::Env
        } else {
            FileKind::Yaml
        }
    }
}

/// The inputs of one run, parsed, with the problems found while reading them.
#[derive(Default)]
pub struct Workspace {
    pub sources: SourceMap,
    input: Input,
    /// Files that could not be read or parsed, as diagnostics.
    pub errors: Vec<Diagnostic>,
    pub limits: Limits,
}

/// The rule code files that cannot be read are reported under.
pub const SYNTAX_CODE: &str = "SYN001";

impl Workspace {
    pub fn new() -> Self {
        Workspace::default()
    }

    /// Record a file that could not be read at all (I/O error, not text, too large).
    pub fn add_unreadable(&mut self, path: &str, why: &str) -> SourceId {
        let id = self.sources.add(path, "");
        self.error(id, Pos::new(1, 1), why.to_string());
        id
    }

    fn error(&mut self, source: SourceId, pos: Pos, message: String) {
        self.errors.push(Diagnostic {
            code: SYNTAX_CODE.into(),
            severity: Severity::Error,
            message,
            span: Span::point(source, pos),
            label: None,
            labels: Vec::new(),
            help: None,
            resource: None,
        });
    }

    /// Add a text and parse it as `kind`. Parse errors become diagnostics.
    pub fn add_text(&mut self, path: &str, text: String, kind: FileKind) -> SourceId {
        if text.contains('\0') {
            let id = self.sources.add(path, "");
            self.error(
                id,
                Pos::new(1, 1),
                "not a text file: it contains NUL bytes".into(),
            );
            return id;
        }
        let id = self.sources.add(path, text);
        let text = self
            .sources
            .get(id)
            .map(|f| f.text.clone())
            .unwrap_or_default();
        match kind {
            FileKind::Yaml => match yaml::parse(&text, id, &self.limits) {
                Ok(docs) => self.add_documents(id, docs),
                Err(e) => self.error(id, e.pos, format!("invalid YAML: {}", e.message)),
            },
            FileKind::Env => match env::parse(&text, id) {
                Ok(entries) => self.input.add_env_file(id, path, entries),
                Err(e) => self.error(id, e.pos, format!("invalid env file: {}", e.message)),
            },
            FileKind::Properties => match properties::parse(&text, id) {
                Ok(entries) => self.input.add_properties_file(id, path, entries),
                Err(e) => self.error(
                    id,
                    e.pos,
                    format!("invalid .properties file: {}", e.message),
                ),
            },
        }
        id
    }

    /// Report a problem at a place in a source already added (e.g. a kustomization field).
    pub fn add_error_at(&mut self, span: Span, message: String) {
        self.error(span.source, span.start, message);
    }

    /// Add documents already parsed (e.g. rendered by the kustomize resolver).
    pub fn add_documents(&mut self, file: SourceId, docs: Vec<Node>) {
        self.input
            .documents
            .extend(docs.into_iter().filter(|d| !d.is_null()).map(|d| (file, d)));
    }
}

/// Options of one run.
#[derive(Clone, Debug)]
pub struct LintOptions {
    pub policy: Policy,
    pub model: ModelOptions,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            policy: Policy::default_policy(),
            model: ModelOptions::default(),
        }
    }
}

/// What a run found.
pub struct LintResult {
    pub sources: SourceMap,
    pub model: Model,
    /// Sorted by file, line, column, code.
    pub diagnostics: Vec<Diagnostic>,
}

impl LintResult {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

pub fn lint(workspace: Workspace, options: &LintOptions) -> LintResult {
    let Workspace {
        sources,
        input,
        errors,
        ..
    } = workspace;
    let model = build(input, &options.model);
    let mut diagnostics = errors;
    if options.policy.enabled(SYNTAX_CODE, "syntax") {
        let severity = options.policy.severity(SYNTAX_CODE, "syntax", Severity::Error);
        for d in &mut diagnostics {
            d.severity = severity;
        }
    } else {
        diagnostics.clear();
    }
    diagnostics.extend(kafkalint_rules::run(&model, &options.policy));
    diagnostics.sort_by(|a, b| {
        (
            sources.path(a.span.source),
            a.span.start,
            &a.code,
            &a.message,
        )
            .cmp(&(
                sources.path(b.span.source),
                b.span.start,
                &b.code,
                &b.message,
            ))
    });
    // Node pools share their cluster's config: one finding per place is enough.
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span && a.message == b.message);
    LintResult {
        sources,
        model,
        diagnostics,
    }
}
