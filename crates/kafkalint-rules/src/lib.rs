//! Rules: one file per rule under `rules/`, each with its documentation, metadata and check,
//! and one registry listing them all.

pub mod custom;
mod registry;
pub mod rules;

use kafkalint_model::{Model, ResourceId};
use kafkalint_policy::{Policy, Severity};
use kafkalint_syntax::Span;

pub use registry::{all_rules, find_rule};

/// Rule families, as selectable groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Syntax,
    Memory,
    Replication,
    Storage,
    Retention,
    /// Keys, values and scopes of Kafka config.
    Config,
    /// How a container image reads its env and starts the JVM.
    Image,
    /// Broker count, KRaft quorum, disruption and placement.
    Topology,
    /// Producers, consumers and their autoscalers.
    Client,
    /// Suppression comments and annotations themselves.
    Suppression,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Memory => "memory",
            Category::Replication => "replication",
            Category::Storage => "storage",
            Category::Retention => "retention",
            Category::Config => "config",
            Category::Image => "image",
            Category::Topology => "topology",
            Category::Client => "client",
            Category::Suppression => "suppression",
        }
    }
}

/// What a rule is, for listings and docs.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    /// The rule's documentation (its doc comment), Markdown.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The first sentence of the doc's "What it does" section.
    pub fn summary(&self) -> String {
        let paragraph: Vec<&str> = self
            .doc
            .lines()
            .map(str::trim)
            .skip_while(|l| !l.starts_with("## What it does"))
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        let text = paragraph.join(" ");
        match text.find(". ") {
            Some(end) => text[..=end].to_string(),
            None => text,
        }
    }
}

/// A secondary location shown with a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// How a finding's severity relates to the rule's configured severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The rule's severity from the policy.
    Rule,
    /// At most a warning: the finding is a softer form of the rule (e.g. a thin margin).
    AtMostWarning,
}

/// What a rule reports; the engine adds code and severity.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    /// Text for the primary label under the snippet.
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub resource: Option<usize>,
    pub level: Level,
    /// The config key or field the finding is about, for fingerprints that survive edits.
    pub key: Option<String>,
}

impl Finding {
    pub fn new(span: Span, message: impl Into<String>) -> Finding {
        Finding {
            span,
            message: message.into(),
            label: None,
            labels: Vec::new(),
            help: None,
            resource: None,
            level: Level::Rule,
            key: None,
        }
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.label = Some(text.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    pub fn resource(mut self, index: Option<usize>) -> Self {
        self.resource = index;
        self
    }

    pub fn at_most_warning(mut self) -> Self {
        self.level = Level::AtMostWarning;
        self
    }
}

/// A finding with its rule and severity resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub label: Option<String>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub resource: Option<ResourceId>,
    /// See [`Finding::key`].
    pub key: Option<String>,
}

/// What every check sees.
pub struct Context<'a> {
    pub model: &'a Model,
    pub policy: &'a Policy,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Declare a rule: its doc comment becomes the documentation `kafkalint rule CODE` prints.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rule_name:literal,
            category: $category:ident,
            severity: $severity:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::RuleMeta = $crate::RuleMeta {
                code: $code,
                name: $rule_name,
                category: $crate::Category::$category,
                default_severity: kafkalint_policy::Severity::$severity,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// Run every enabled rule and resolve severities.
pub fn run(model: &Model, policy: &Policy) -> Vec<Diagnostic> {
    let cx = Context { model, policy };
    let mut out = Vec::new();
    for rule in all_rules() {
        let meta = rule.meta();
        let Some(severity) =
            policy.enabled_severity(meta.code, meta.category.as_str(), meta.default_severity)
        else {
            continue;
        };
        let mut findings = Vec::new();
        rule.check(&cx, &mut findings);
        for f in findings {
            out.push(Diagnostic {
                code: meta.code.to_string(),
                severity: match f.level {
                    Level::Rule => severity,
                    Level::AtMostWarning => severity.min(Severity::Warning),
                },
                message: f.message,
                span: f.span,
                label: f.label,
                labels: f.labels,
                help: f.help,
                resource: model.resource(f.resource).map(|r| r.id.clone()),
                key: f.key,
            });
        }
    }
    custom::run(model, policy, &mut out);
    out
}
