use std::collections::BTreeMap;

use kafkalint_syntax::Span;

/// How a value reached the broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// A container env var (possibly loaded through envFrom or configMapKeyRef).
    Env(String),
    /// A `.properties` file or a ConfigMap key holding one.
    Properties,
    /// `--override key=value` on the command line.
    Override,
    /// Strimzi `spec.kafka.config` or a KafkaTopic's `spec.config`.
    Strimzi,
    /// Set by the image's entrypoint.
    ImageDefault,
}

/// Where a value came from: the source span, and by which mechanism.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub span: Span,
    pub via: Via,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Known(String),
    /// Cannot be known from the input (a Secret, a fieldRef, a ConfigMap that is not there).
    Unknown(String),
}

impl Value {
    pub fn known(&self) -> Option<&str> {
        match self {
            Value::Known(v) => Some(v),
            Value::Unknown(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub value: Value,
    pub origin: Origin,
    /// The first character of the value text in the source, when columns map one to one
    /// (a plain one-line scalar or an env-file line), for pointing inside values.
    pub linear: bool,
}

impl Setting {
    /// The span of `len` characters at character `offset` of the value, when it can be exact.
    pub fn sub_span(&self, offset: usize, len: usize) -> Span {
        let s = self.origin.span;
        if self.linear && s.start.line == s.end.line {
            let col = s.start.col + offset as u32;
            Span::on_line(s.source, s.start.line, col, len as u32)
        } else {
            s
        }
    }
}

/// A key/value config with provenance.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub entries: BTreeMap<String, Setting>,
    /// Why keys not listed may still be set somewhere we cannot see; `None` when the config is
    /// complete, so an absent key really takes Kafka's default.
    pub open: Option<String>,
}

/// The answer to "what is this key?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a> {
    Set(&'a Setting, &'a str),
    /// Set, but to something we cannot know.
    Unknown,
    /// Not set anywhere we can see, and the config is complete: Kafka's default applies.
    Default,
}

impl Config {
    pub fn lookup(&self, key: &str) -> Lookup<'_> {
        match self.entries.get(key) {
            Some(s) => match &s.value {
                Value::Known(v) => Lookup::Set(s, v),
                Value::Unknown(_) => Lookup::Unknown,
            },
            None if self.open.is_some() => Lookup::Unknown,
            None => Lookup::Default,
        }
    }

    pub fn set(&mut self, key: impl Into<String>, setting: Setting) {
        self.entries.insert(key.into(), setting);
    }

    pub fn mark_open(&mut self, why: impl Into<String>) {
        if self.open.is_none() {
            self.open = Some(why.into());
        }
    }
}
