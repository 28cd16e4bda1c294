//! Texts in, diagnostics out. The CLI, the WebAssembly build and the webhook all call this;
//! it never touches the file system, the environment or the clock.

pub mod admission;
mod baseline;
mod suppress;

use std::collections::HashSet;

use kafkalint_model::{build, Input, Model, ModelOptions};
use kafkalint_policy::{Policy, Severity, Subject};
use kafkalint_rules::Diagnostic;
use kafkalint_syntax::{env, properties, yaml, Limits, Node, Pos, SourceId, SourceMap, Span};

pub use baseline::{fingerprints, object_of, Baseline, BaselineEntry};
pub use kafkalint_model::ImageFamily;
pub use suppress::{
    ANNOTATION as IGNORE_ANNOTATION, REASON_ANNOTATION as IGNORE_REASON_ANNOTATION,
};

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

/// A file parsed but not yet added to a [`Workspace`]. Parsing needs only the text and the id
/// the file will get, so a caller can parse many files at once (on threads of its own) and
/// then add them in order with [`Workspace::add_parsed`].
pub struct ParsedText {
    id: SourceId,
    path: String,
    text: String,
    kind: FileKind,
    outcome: Parsed,
}

enum Parsed {
    NotText,
    Unreadable(String),
    Yaml(Result<Vec<Node>, yaml::YamlError>),
    Env(Result<Vec<env::EnvEntry>, env::EnvError>),
    Properties(Result<Vec<properties::PropEntry>, properties::PropError>),
}

impl ParsedText {
    /// Parse `text` as `kind`, for the file that will be added as `id`.
    pub fn parse(id: SourceId, path: &str, text: String, kind: FileKind, limits: &Limits) -> Self {
        let outcome = if text.contains('\0') {
            Parsed::NotText
        } else {
            match kind {
                FileKind::Yaml => Parsed::Yaml(yaml::parse(&text, id, limits)),
                FileKind::Env => Parsed::Env(env::parse(&text, id)),
                FileKind::Properties => Parsed::Properties(properties::parse(&text, id)),
            }
        };
        ParsedText {
            id,
            path: path.to_string(),
            text,
            kind,
            outcome,
        }
    }

    /// The id it was parsed for.
    pub fn id(&self) -> SourceId {
        self.id
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// A file that could not be read at all, with why (as [`Workspace::add_unreadable`]).
    pub fn unreadable(id: SourceId, path: &str, why: String) -> Self {
        ParsedText {
            id,
            path: path.to_string(),
            text: String::new(),
            kind: FileKind::from_path(path),
            outcome: Parsed::Unreadable(why),
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
            key: None,
        });
    }

    /// Add a text and parse it as `kind`. Parse errors become diagnostics.
    pub fn add_text(&mut self, path: &str, text: String, kind: FileKind) -> SourceId {
        let parsed = ParsedText::parse(self.next_source(), path, text, kind, &self.limits);
        self.add_parsed(parsed)
    }

    /// The id the next file added will get.
    pub fn next_source(&self) -> SourceId {
        SourceId(self.sources.len() as u32)
    }

    /// Add a file parsed ahead (see [`ParsedText`]). Spans carry their file's id, so one
    /// parsed for another id than the next is parsed again.
    pub fn add_parsed(&mut self, parsed: ParsedText) -> SourceId {
        let ParsedText {
            id,
            path,
            text,
            kind,
            outcome,
        } = parsed;
        let outcome = if id == self.next_source() {
            outcome
        } else {
            match outcome {
                Parsed::Unreadable(why) => Parsed::Unreadable(why),
                _ => return self.add_text(&path, text, kind),
            }
        };
        let text = match outcome {
            Parsed::NotText | Parsed::Unreadable(_) => String::new(),
            _ => text,
        };
        let id = self.sources.add(path, text);
        match outcome {
            Parsed::NotText => self.error(
                id,
                Pos::new(1, 1),
                "not a text file: it contains NUL bytes".into(),
            ),
            Parsed::Unreadable(why) => self.error(id, Pos::new(1, 1), why),
            Parsed::Yaml(result) => {
                self.note_dir(id);
                match result {
                    Ok(docs) => self.add_documents(id, docs),
                    Err(e) => self.error(id, e.pos, format!("invalid YAML: {}", e.message)),
                }
            }
            Parsed::Env(result) => {
                self.note_dir(id);
                match result {
                    Ok(entries) => self.input.add_env_file(id, self.sources.path(id), entries),
                    Err(e) => self.error(id, e.pos, format!("invalid env file: {}", e.message)),
                }
            }
            Parsed::Properties(result) => {
                self.note_dir(id);
                match result {
                    Ok(entries) => {
                        self.input
                            .add_properties_file(id, self.sources.path(id), entries)
                    }
                    Err(e) => self.error(
                        id,
                        e.pos,
                        format!("invalid .properties file: {}", e.message),
                    ),
                }
            }
        }
        id
    }

    /// Report a problem at a place in a source already added (e.g. a kustomization field).
    pub fn add_error_at(&mut self, span: Span, message: String) {
        self.error(span.source, span.start, message);
    }

    /// Remember a file's directory: references resolve to the nearest match, and "near" is
    /// the same file, then the same directory.
    fn note_dir(&mut self, file: SourceId) {
        if self.input.dirs.contains_key(&file) {
            return;
        }
        let path = self.sources.path(file);
        let dir = match path.rfind(['/', '\\']) {
            Some(i) => path[..i].to_string(),
            None => String::new(),
        };
        self.input.dirs.insert(file, dir);
    }

    /// Add documents already parsed (e.g. rendered by the kustomize resolver).
    pub fn add_documents(&mut self, file: SourceId, docs: Vec<Node>) {
        self.note_dir(file);
        self.input
            .documents
            .extend(docs.into_iter().filter(|d| !d.is_null()).map(|d| (file, d)));
    }
}

/// Options of one run.
#[derive(Clone, Debug)]
pub struct LintOptions {
    /// The policy for files no scoped policy covers.
    pub policy: Policy,
    /// Policies for inputs (files or directory trees, e.g. with a `.kafkalint.yaml` found
    /// above them): a file takes the one whose path is the longest prefix of its own.
    pub scoped: Vec<(String, Policy)>,
    pub model: ModelOptions,
    /// Findings already accepted; those are left out of the result.
    pub baseline: Option<Baseline>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            policy: Policy::default_policy(),
            scoped: Vec::new(),
            model: ModelOptions::default(),
            baseline: None,
        }
    }
}

impl LintOptions {
    /// Index of the policy for a file path: 0 is the default, `i + 1` is `scoped[i]`.
    fn policy_index(&self, path: &str) -> usize {
        let path = path.trim_start_matches("./");
        self.scoped
            .iter()
            .enumerate()
            .filter(|(_, (dir, _))| {
                let dir = dir.trim_start_matches("./").trim_end_matches('/');
                dir.is_empty()
                    || dir == "."
                    || path
                        .strip_prefix(dir)
                        .is_some_and(|r| r.is_empty() || r.starts_with('/'))
            })
            .max_by_key(|(_, (dir, _))| dir.len())
            .map_or(0, |(i, _)| i + 1)
    }

    fn policy_at(&self, index: usize) -> &Policy {
        match index {
            0 => &self.policy,
            i => self.scoped.get(i - 1).map_or(&self.policy, |(_, p)| p),
        }
    }

    /// The policy that applies to a file.
    pub fn policy_for(&self, path: &str) -> &Policy {
        self.policy_at(self.policy_index(path))
    }
}

/// What a run found.
pub struct LintResult {
    pub sources: SourceMap,
    pub model: Model,
    /// Sorted by file, line, column, code.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings left out by suppression comments and annotations.
    pub suppressed: usize,
    /// Findings left out by policy exemptions.
    pub exempted: usize,
    /// Findings left out because the baseline has them.
    pub baselined: usize,
}

impl LintResult {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Fingerprints of the diagnostics, in order (see [`Baseline`]).
    pub fn fingerprints(&self) -> Vec<String> {
        fingerprints(&self.diagnostics, &self.sources)
    }
}

fn category_of(code: &str) -> &'static str {
    kafkalint_rules::find_rule(code).map_or(kafkalint_rules::custom::CATEGORY, |r| {
        r.meta().category.as_str()
    })
}

pub fn lint(workspace: Workspace, options: &LintOptions) -> LintResult {
    let Workspace {
        sources,
        input,
        errors,
        ..
    } = workspace;
    let model = build(input, &options.model);
    let index_of = |id: SourceId| options.policy_index(sources.path(id));

    let mut diagnostics = Vec::new();
    for mut d in errors {
        let policy = options.policy_at(index_of(d.span.source));
        if policy.enabled(SYNTAX_CODE, "syntax") {
            d.severity = policy.severity(SYNTAX_CODE, "syntax", Severity::Error);
            diagnostics.push(d);
        }
    }
    // Each policy's thresholds may differ, so rules run once per policy in use and each file
    // keeps the findings of its own.
    let in_use: HashSet<usize> = sources.iter().map(|(id, _)| index_of(id)).collect();
    let mut policies: Vec<usize> = in_use.into_iter().collect();
    policies.sort_unstable();
    if policies.is_empty() {
        policies.push(0);
    }
    let single = policies.len() == 1;
    for &i in &policies {
        let found = kafkalint_rules::run(&model, options.policy_at(i));
        diagnostics.extend(
            found
                .into_iter()
                .filter(|d| single || index_of(d.span.source) == i),
        );
    }

    let mut known: Vec<&str> = kafkalint_rules::all_rules()
        .iter()
        .map(|r| r.meta().code)
        .collect();
    for &i in &policies {
        known.extend(
            options
                .policy_at(i)
                .custom_rules
                .iter()
                .map(|r| r.code.as_str()),
        );
    }
    let (mut diagnostics, suppressed) =
        suppress::apply(diagnostics, &sources, &model, &known, |id| {
            options.policy_at(index_of(id))
        });

    let before = diagnostics.len();
    diagnostics.retain(|d| {
        let policy = options.policy_at(index_of(d.span.source));
        if policy.exemptions.is_empty() {
            return true;
        }
        let id = d.resource.as_ref();
        let subject = Subject {
            namespace: id.and_then(|r| r.namespace.as_deref()),
            kind: id.map(|r| r.kind.as_str()),
            name: id.map(|r| r.name.as_str()),
            path: sources.path(d.span.source),
        };
        policy
            .exemption(&d.code, category_of(&d.code), &subject)
            .is_none()
    });
    let exempted = before - diagnostics.len();

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

    let mut baselined = 0;
    if let Some(baseline) = &options.baseline {
        let accepted: HashSet<&str> = baseline
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let fps = fingerprints(&diagnostics, &sources);
        let mut keep = fps.iter().map(|f| !accepted.contains(f.as_str()));
        let total = diagnostics.len();
        diagnostics.retain(|_| keep.next().unwrap_or(true));
        baselined = total - diagnostics.len();
    }
    LintResult {
        sources,
        model,
        diagnostics,
        suppressed,
        exempted,
        baselined,
    }
}
