//! Policy files: thresholds, which rules run at which severity, exemptions and custom rules.
//!
//! A policy is a chain of files: built-in packs (`default`, `production`, `development`) and
//! user files, each `extends:`-ing the next. Later files win. Reading `extends:` paths is left to
//! the caller, so this crate does no I/O.

mod amount;
mod custom;
mod glob;
#[cfg(feature = "schema")]
pub mod schema;

use std::collections::BTreeMap;
use std::fmt;

use kafkalint_syntax::{yaml, Limits, Node, SourceId};
use serde::{Deserialize, Serialize};

use glob::Glob;

pub use amount::{Amount, Dimension};
pub use custom::{CustomCheck, CustomMatch, CustomRule, CustomTarget, Scalar};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Memory budget thresholds and estimates (read by the memory rules).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemoryThresholds {
    pub margin_min: f64,
    pub margin_recommended: f64,
    pub metaspace_estimate_mib: u64,
    pub jvm_threads: u32,
    pub thread_allowance: u32,
    pub agents_mib: u64,
    pub other_native_mib: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Thresholds {
    pub replication_factor_min: u32,
    pub min_insync_replicas_min: u32,
    pub memory: MemoryThresholds,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            replication_factor_min: 3,
            min_insync_replicas_min: 2,
            memory: MemoryThresholds {
                margin_min: 0.10,
                margin_recommended: 0.15,
                metaspace_estimate_mib: 128,
                jvm_threads: 40,
                thread_allowance: 50,
                agents_mib: 0,
                other_native_mib: 0,
            },
        }
    }
}

/// Memory budget settings (MEM002 and `kafkalint memory`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MemoryThresholdsFile {
    /// Share of the container limit heap + direct + non-heap must leave free; an error below
    /// it (0.10 means 10%).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_min: Option<f64>,
    /// The share it should leave free; a warning between `margin_min` and this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_recommended: Option<f64>,
    /// Metaspace assumed when `-XX:MaxMetaspaceSize` is not set, in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metaspace_estimate_mib: Option<u64>,
    /// JVM-internal threads (GC workers, JIT compilers, VM threads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jvm_threads: Option<u32>,
    /// Threads beyond Kafka's configured pools: clients, reporters, agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_allowance: Option<u32>,
    /// Native memory of Java agents (e.g. a JMX exporter javaagent), in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents_mib: Option<u64>,
    /// Other native memory to reserve, in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_native_mib: Option<u64>,
}

/// Parameters of the rules.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ThresholdsFile {
    /// Lowest acceptable replication factor (REP001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication_factor_min: Option<u32>,
    /// Lowest acceptable `min.insync.replicas` (REP002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_insync_replicas_min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryThresholdsFile>,
}

/// Settings for the rules a selector picks.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
}

/// Findings that do not apply to some objects or files. Every field given must match.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Rule selectors: codes (REP001), code prefixes (REP), categories (replication) or ALL.
    pub rules: Vec<String>,
    /// A namespace glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// A kind glob (`StatefulSet`, `Kafka*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// An object name glob (`kafka-dev-*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A file path glob, relative to the policy file (`overlays/dev/**`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why the exemption is there; shown by `kafkalint policy show`.
    pub reason: String,
    #[serde(skip)]
    globs: Vec<(ExemptField, Glob)>,
    /// The policy file the exemption comes from.
    #[serde(skip)]
    pub origin: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExemptField {
    Namespace,
    Kind,
    Name,
    Path,
}

/// What a finding is about, for matching exemptions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Subject<'a> {
    pub namespace: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    pub path: &'a str,
}

impl Exemption {
    fn matches(&self, code: &str, category: &str, subject: &Subject<'_>) -> bool {
        if !self
            .rules
            .iter()
            .any(|s| selector_rank(s, code, category).is_some())
        {
            return false;
        }
        self.globs.iter().all(|(field, glob)| match field {
            ExemptField::Namespace => glob.is_match(subject.namespace.unwrap_or("")),
            ExemptField::Kind => subject.kind.is_some_and(|k| glob.is_match(k)),
            ExemptField::Name => subject.name.is_some_and(|n| glob.is_match(n)),
            ExemptField::Path => {
                let path = subject.path.trim_start_matches("./");
                glob.is_match(path)
                    || relative_to(path, parent_dir(&self.origin)).is_some_and(|p| glob.is_match(p))
            }
        })
    }
}

/// A policy file as written.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    /// Format version of the policy file: 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// A built-in pack (`default`, `production`, `development`) or a policy file path relative
    /// to this one. Settings here override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<ThresholdsFile>,
    /// Settings by rule selector: a code (`REP001`), a code prefix (`REP`, `CUS`), a category
    /// (`memory`, `replication`, ...) or `ALL`. The most specific selector of a file wins.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RuleSetting>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<Exemption>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_rules: Vec<CustomRule>,
}

/// A rule setting from one file, with where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct SelectorSetting {
    pub selector: String,
    pub setting: RuleSetting,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// The rule settings of one file of the chain (or of the command line).
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    pub origin: String,
    pub rules: Vec<SelectorSetting>,
}

/// A resolved policy: the chain of files folded into one.
#[derive(Clone, Debug)]
pub struct Policy {
    pub version: u32,
    pub thresholds: Thresholds,
    /// Rule settings per file, the base first; later layers win. Changed through
    /// [`Policy::push_layer`] only, which keeps `picked` in step.
    layers: Vec<Layer>,
    pub exemptions: Vec<Exemption>,
    pub custom_rules: Vec<CustomRule>,
    /// The files folded in, the base first.
    pub chain: Vec<String>,
    picked: PickCache,
}

/// `enabled` and `severity` settings by rule code, filled on first use: every lint asks for
/// every rule's, and walking the layers' selectors each time was a twentieth of an admission
/// review.
#[derive(Default)]
struct PickCache(std::sync::RwLock<std::collections::HashMap<String, (String, Picked)>>);

#[derive(Clone, Copy)]
struct Picked {
    enabled: Option<bool>,
    severity: Option<Severity>,
}

impl Clone for PickCache {
    fn clone(&self) -> Self {
        PickCache::default()
    }
}

impl fmt::Debug for PickCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PickCache")
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::default_policy()
    }
}

/// How a rule ends up configured, and which setting decided it.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub enabled: bool,
    pub severity: Severity,
    /// `file: selector` of the setting that decided `enabled`, if any did.
    pub enabled_by: Option<String>,
    pub severity_by: Option<String>,
}

/// How specific a selector is for a rule; `None` when it does not select it. A code beats a
/// prefix, a longer prefix a shorter one, a prefix a category, and a category `ALL`.
pub fn selector_rank(selector: &str, code: &str, category: &str) -> Option<u32> {
    if selector == "ALL" {
        Some(0)
    } else if selector.eq_ignore_ascii_case(category) {
        Some(1)
    } else if selector.eq_ignore_ascii_case(code) {
        Some(1000)
    } else if !selector.is_empty()
        && selector.bytes().all(|b| b.is_ascii_alphanumeric())
        && code.len() > selector.len()
        && code[..selector.len()].eq_ignore_ascii_case(selector)
    {
        Some(100 + selector.len() as u32)
    } else {
        None
    }
}

/// The built-in packs, by name.
pub const PACKS: &[(&str, &str)] = &[
    ("default", include_str!("../../../policies/default.yaml")),
    (
        "production",
        include_str!("../../../policies/production.yaml"),
    ),
    (
        "development",
        include_str!("../../../policies/development.yaml"),
    ),
];

/// The default pack's text.
pub const DEFAULT_POLICY: &str = PACKS[0].1;

/// A policy file that could not be used, with the file and 1-based position when known.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyError {
    pub message: String,
    /// The file (or `pack:NAME`) the error is in.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl PolicyError {
    fn new(message: impl Into<String>) -> Self {
        PolicyError {
            message: message.into(),
            file: None,
            line: None,
            column: None,
        }
    }

    fn at(mut self, file: &str, pos: Option<(usize, usize)>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_string());
            if let Some((l, c)) = pos {
                self.line = Some(l);
                self.column = Some(c);
            }
        }
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            _ if self.file.is_some() => write!(f, " {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PolicyError {}

/// A path step for locating a value in a policy file.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn locate(root: Option<&Node>, path: &[Seg<'_>]) -> Option<(usize, usize)> {
    let mut node = root?;
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get(k)?,
            Seg::Index(i) => node.as_seq().get(*i)?,
        };
    }
    Some((node.span.start.line as usize, node.span.start.col as usize))
}

/// The position of a key (not its value) under `rules:`.
fn locate_rule_key(root: Option<&Node>, selector: &str) -> Option<(usize, usize)> {
    root?
        .get("rules")?
        .as_map()
        .iter()
        .find(|(k, _)| k.as_text() == Some(selector))
        .map(|(k, _)| (k.span.start.line as usize, k.span.start.col as usize))
}

const PACK_PREFIX: &str = "pack:";
const MAX_EXTENDS: usize = 16;

/// Reads a policy file named by `extends:`; returns its text or why it can't be read.
pub type ReadPolicy<'a> = dyn FnMut(&str) -> Result<String, String> + 'a;

struct Loaded {
    origin: String,
    file: PolicyFile,
    root: Option<Node>,
}

fn parse_file(text: &str, origin: &str) -> Result<Loaded, PolicyError> {
    let root = match yaml::parse(text, SourceId(0), &Limits::default()) {
        Ok(mut docs) => {
            if docs.len() > 1 {
                return Err(PolicyError::new("a policy file holds one YAML document")
                    .at(origin, docs.get(1).map(|d| (d.span.start.line as usize, 1))));
            }
            docs.pop()
        }
        Err(e) => {
            return Err(PolicyError::new(format!("invalid YAML: {}", e.message))
                .at(origin, Some((e.pos.line as usize, e.pos.col as usize))))
        }
    };
    let file: PolicyFile = if root.as_ref().is_none_or(Node::is_null) {
        PolicyFile::default()
    } else {
        serde_yaml::from_str(text).map_err(|e| {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or("").to_string();
            PolicyError::new(message).at(origin, e.location().map(|l| (l.line(), l.column())))
        })?
    };
    Ok(Loaded {
        origin: origin.to_string(),
        file,
        root,
    })
}

fn parent_dir(path: &str) -> &str {
    match path.rfind(['/', '\\']) {
        Some(i) => &path[..i],
        None => "",
    }
}

fn relative_to<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir.is_empty() || dir == "." {
        return Some(path);
    }
    path.strip_prefix(dir.trim_start_matches("./"))
        .and_then(|r| r.strip_prefix('/'))
}

/// `base/../x` → `x`, without touching the file system.
fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            _ => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || dir.is_empty() {
        normalize(rel)
    } else {
        normalize(&format!("{dir}/{rel}"))
    }
}

impl Policy {
    /// The built-in default pack.
    pub fn default_policy() -> Policy {
        // The packs are checked by tests; fall back to built-in numbers if one were broken.
        Policy::pack("default").unwrap_or_else(|| Policy::from_chain(Vec::new()))
    }

    /// A built-in pack by name.
    pub fn pack(name: &str) -> Option<Policy> {
        let text = PACKS.iter().find(|(n, _)| *n == name)?.1;
        Policy::resolve(text, &format!("{PACK_PREFIX}{name}"), &mut |_| {
            Err("packs only extend packs".into())
        })
        .ok()
    }

    /// One policy text whose `extends:` may name packs only.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        Policy::resolve(text, "policy", &mut |p| {
            Err(format!("cannot read {p}: only packs can be extended here"))
        })
    }

    /// A policy file and the chain it extends; `read` loads the files `extends:` names (paths
    /// are joined to the extending file's directory).
    pub fn resolve(
        text: &str,
        origin: &str,
        read: &mut ReadPolicy<'_>,
    ) -> Result<Policy, PolicyError> {
        let mut chain = vec![parse_file(text, origin)?];
        while let Some(child) = chain.last() {
            let Some(ext) = child.file.extends.clone() else {
                break;
            };
            let pos = locate(child.root.as_ref(), &[Seg::Key("extends")]);
            let child_origin = child.origin.clone();
            if chain.len() > MAX_EXTENDS {
                return Err(PolicyError::new(format!(
                    "`extends` chain longer than {MAX_EXTENDS} files"
                ))
                .at(&child_origin, pos));
            }
            let pack = PACKS.iter().find(|(n, _)| *n == ext);
            if pack.is_none() && child_origin.starts_with(PACK_PREFIX) {
                return Err(
                    PolicyError::new(format!("unknown pack `{ext}`")).at(&child_origin, pos)
                );
            }
            let parent_origin = match pack {
                Some((name, _)) => format!("{PACK_PREFIX}{name}"),
                None => join(parent_dir(&child_origin), &ext),
            };
            if chain.iter().any(|l| l.origin == parent_origin) {
                let names: Vec<&str> = chain.iter().map(|l| l.origin.as_str()).collect();
                return Err(PolicyError::new(format!(
                    "`extends` cycle: {} -> {parent_origin}",
                    names.join(" -> ")
                ))
                .at(&child_origin, pos));
            }
            let parent_text = match pack {
                Some((_, text)) => (*text).to_string(),
                None => read(&parent_origin).map_err(|why| {
                    let packs: Vec<&str> = PACKS.iter().map(|p| p.0).collect();
                    PolicyError::new(format!(
                        "`extends: {ext}` is neither a pack ({}) nor a readable file: {why}",
                        packs.join(", ")
                    ))
                    .at(&child_origin, pos)
                })?,
            };
            chain.push(parse_file(&parent_text, &parent_origin)?);
        }
        chain.reverse();
        for loaded in &chain {
            validate_file(loaded)?;
        }
        let mut policy = Policy::from_chain(chain);
        compile(&mut policy);
        policy.validate_thresholds()?;
        Ok(policy)
    }

    fn from_chain(chain: Vec<Loaded>) -> Policy {
        let mut policy = Policy {
            version: 1,
            thresholds: Thresholds::default(),
            layers: Vec::new(),
            exemptions: Vec::new(),
            custom_rules: Vec::new(),
            chain: Vec::new(),
            picked: PickCache::default(),
        };
        for loaded in chain {
            let Loaded { origin, file, root } = loaded;
            if let Some(t) = file.thresholds {
                policy.thresholds.apply(t);
            }
            policy.layers.push(Layer {
                origin: origin.clone(),
                rules: file
                    .rules
                    .into_iter()
                    .map(|(selector, setting)| {
                        let pos = locate_rule_key(root.as_ref(), &selector);
                        SelectorSetting {
                            selector,
                            setting,
                            line: pos.map(|p| p.0),
                            column: pos.map(|p| p.1),
                        }
                    })
                    .collect(),
            });
            for mut e in file.exemptions {
                e.origin = origin.clone();
                policy.exemptions.push(e);
            }
            for mut r in file.custom_rules {
                r.origin = origin.clone();
                policy.custom_rules.retain(|c| c.code != r.code);
                policy.custom_rules.push(r);
            }
            policy.chain.push(origin);
        }
        policy
    }

    fn validate_thresholds(&self) -> Result<(), PolicyError> {
        let m = &self.thresholds.memory;
        let last = self.chain.last().cloned().unwrap_or_default();
        if !(0.0..1.0).contains(&m.margin_min) || !(0.0..1.0).contains(&m.margin_recommended) {
            return Err(PolicyError::new(
                "memory margins must be between 0 and 1 (0.10 means 10%)",
            )
            .at(&last, None));
        }
        if m.margin_min > m.margin_recommended {
            return Err(PolicyError::new(format!(
                "memory.margin_min ({}) is above memory.margin_recommended ({})",
                m.margin_min, m.margin_recommended
            ))
            .at(&last, None));
        }
        Ok(())
    }

    /// Add settings on top of every file, e.g. from command-line flags.
    pub fn push_layer(&mut self, origin: &str, rules: Vec<(String, RuleSetting)>) {
        self.picked = PickCache::default();
        self.layers.push(Layer {
            origin: origin.to_string(),
            rules: rules
                .into_iter()
                .map(|(selector, setting)| SelectorSetting {
                    selector,
                    setting,
                    line: None,
                    column: None,
                })
                .collect(),
        });
    }

    /// Whether a rule runs and at which severity. Later layers win; within a layer the most
    /// specific selector does.
    pub fn decide(&self, code: &str, category: &str, default: Severity) -> Decision {
        let enabled = self.pick(code, category, |s| s.enabled.is_some());
        let severity = self.pick(code, category, |s| s.severity.is_some());
        Decision {
            enabled: enabled.and_then(|(_, s)| s.setting.enabled).unwrap_or(true),
            severity: severity
                .and_then(|(_, s)| s.setting.severity)
                .unwrap_or(default),
            enabled_by: enabled.map(|(o, s)| format!("{o}: {}", s.selector)),
            severity_by: severity.map(|(o, s)| format!("{o}: {}", s.selector)),
        }
    }

    /// The most specific setting for `code` among those `field` accepts, from the last layer
    /// that has one, with that layer's origin.
    fn pick(
        &self,
        code: &str,
        category: &str,
        field: fn(&RuleSetting) -> bool,
    ) -> Option<(&str, &SelectorSetting)> {
        self.layers.iter().rev().find_map(|layer| {
            layer
                .rules
                .iter()
                .filter(|s| field(&s.setting))
                .filter_map(|s| selector_rank(&s.selector, code, category).map(|r| (r, s)))
                .max_by_key(|(r, _)| *r)
                .map(|(_, s)| (layer.origin.as_str(), s))
        })
    }

    pub fn enabled(&self, code: &str, category: &str) -> bool {
        self.picked(code, category).enabled.unwrap_or(true)
    }

    pub fn severity(&self, code: &str, category: &str, default: Severity) -> Severity {
        self.picked(code, category).severity.unwrap_or(default)
    }

    /// The severity of an enabled rule, `None` when it is off: [`Policy::enabled`] and
    /// [`Policy::severity`] with one cache lookup.
    pub fn enabled_severity(
        &self,
        code: &str,
        category: &str,
        default: Severity,
    ) -> Option<Severity> {
        let p = self.picked(code, category);
        p.enabled
            .unwrap_or(true)
            .then(|| p.severity.unwrap_or(default))
    }

    fn picked(&self, code: &str, category: &str) -> Picked {
        let cached = self.picked.0.read().ok().and_then(|map| {
            map.get(code)
                .filter(|(c, _)| c == category)
                .map(|(_, p)| *p)
        });
        if let Some(p) = cached {
            return p;
        }
        let p = Picked {
            enabled: self
                .pick(code, category, |s| s.enabled.is_some())
                .and_then(|(_, s)| s.setting.enabled),
            severity: self
                .pick(code, category, |s| s.severity.is_some())
                .and_then(|(_, s)| s.setting.severity),
        };
        if let Ok(mut map) = self.picked.0.write() {
            map.insert(code.to_string(), (category.to_string(), p));
        }
        p
    }

    /// The first exemption covering a finding of `code` about `subject`.
    pub fn exemption(
        &self,
        code: &str,
        category: &str,
        subject: &Subject<'_>,
    ) -> Option<&Exemption> {
        self.exemptions
            .iter()
            .find(|e| e.matches(code, category, subject))
    }

    /// Every selector written in the chain, with its file and position, for checking that each
    /// selects some rule.
    pub fn selectors(&self) -> impl Iterator<Item = (&str, &SelectorSetting)> {
        self.layers
            .iter()
            .flat_map(|l| l.rules.iter().map(move |s| (l.origin.as_str(), s)))
    }
}

impl Thresholds {
    fn apply(&mut self, t: ThresholdsFile) {
        if let Some(v) = t.replication_factor_min {
            self.replication_factor_min = v;
        }
        if let Some(v) = t.min_insync_replicas_min {
            self.min_insync_replicas_min = v;
        }
        if let Some(m) = t.memory {
            let d = &mut self.memory;
            d.margin_min = m.margin_min.unwrap_or(d.margin_min);
            d.margin_recommended = m.margin_recommended.unwrap_or(d.margin_recommended);
            d.metaspace_estimate_mib = m.metaspace_estimate_mib.unwrap_or(d.metaspace_estimate_mib);
            d.jvm_threads = m.jvm_threads.unwrap_or(d.jvm_threads);
            d.thread_allowance = m.thread_allowance.unwrap_or(d.thread_allowance);
            d.agents_mib = m.agents_mib.unwrap_or(d.agents_mib);
            d.other_native_mib = m.other_native_mib.unwrap_or(d.other_native_mib);
        }
    }
}

/// Checks serde cannot make, each reported at its line; compiles globs and regexes.
fn validate_file(loaded: &Loaded) -> Result<(), PolicyError> {
    let root = loaded.root.as_ref();
    let origin = loaded.origin.as_str();
    let file = &loaded.file;
    if let Some(v) = file.version {
        if v != 1 {
            return Err(PolicyError::new(format!(
                "unsupported policy version {v} (this kafkalint reads version 1)"
            ))
            .at(origin, locate(root, &[Seg::Key("version")])));
        }
    }
    if let Some(m) = file.thresholds.as_ref().and_then(|t| t.memory.as_ref()) {
        for (key, v) in [
            ("margin_min", m.margin_min),
            ("margin_recommended", m.margin_recommended),
        ] {
            if v.is_some_and(|v| !(0.0..1.0).contains(&v)) {
                return Err(PolicyError::new(format!(
                    "memory.{key} must be between 0 and 1 (0.10 means 10%)"
                ))
                .at(
                    origin,
                    locate(
                        root,
                        &[Seg::Key("thresholds"), Seg::Key("memory"), Seg::Key(key)],
                    ),
                ));
            }
        }
        if let (Some(min), Some(rec)) = (m.margin_min, m.margin_recommended) {
            if min > rec {
                return Err(PolicyError::new(format!(
                    "memory.margin_min ({min}) is above memory.margin_recommended ({rec})"
                ))
                .at(
                    origin,
                    locate(
                        root,
                        &[
                            Seg::Key("thresholds"),
                            Seg::Key("memory"),
                            Seg::Key("margin_min"),
                        ],
                    ),
                ));
            }
        }
    }
    for (i, e) in file.exemptions.iter().enumerate() {
        let at = |key: &str| {
            locate(
                root,
                &[Seg::Key("exemptions"), Seg::Index(i), Seg::Key(key)],
            )
            .or_else(|| locate(root, &[Seg::Key("exemptions"), Seg::Index(i)]))
        };
        if e.rules.is_empty() {
            return Err(PolicyError::new(
                "an exemption needs `rules` (codes, prefixes, categories or ALL)",
            )
            .at(origin, at("rules")));
        }
        if e.reason.trim().is_empty() {
            return Err(PolicyError::new("an exemption needs a `reason`").at(origin, at("reason")));
        }
        for (key, glob) in [
            ("namespace", &e.namespace),
            ("kind", &e.kind),
            ("name", &e.name),
            ("path", &e.path),
        ] {
            if let Some(g) = glob {
                if let Err(err) = compile_glob(g) {
                    return Err(
                        PolicyError::new(format!("invalid glob `{g}`: {err}")).at(origin, at(key))
                    );
                }
            }
        }
    }
    let mut codes = std::collections::HashSet::new();
    for (i, r) in file.custom_rules.iter().enumerate() {
        let at = |path: &[&str]| {
            let mut segs = vec![Seg::Key("custom_rules"), Seg::Index(i)];
            segs.extend(path.iter().map(|k| Seg::Key(k)));
            locate(root, &segs).or_else(|| locate(root, &[Seg::Key("custom_rules"), Seg::Index(i)]))
        };
        if let Some((field, message)) = r.problems().into_iter().next() {
            let path: &[&str] = match field {
                "code" | "name" | "check" => &[field],
                "images" => &["match", "images"],
                _ => &["check", field],
            };
            return Err(PolicyError::new(message).at(origin, at(path)));
        }
        if !codes.insert(r.code.as_str()) {
            return Err(
                PolicyError::new(format!("custom rule code {} is declared twice", r.code))
                    .at(origin, at(&["code"])),
            );
        }
        if let Some(re) = &r.check.regex {
            if let Err(err) = regex_lite::Regex::new(re) {
                return Err(PolicyError::new(format!("invalid regex `{re}`: {err}"))
                    .at(origin, at(&["check", "regex"])));
            }
        }
        if let Some(ns) = &r.matches.namespace {
            if let Err(err) = compile_glob(ns) {
                return Err(PolicyError::new(format!("invalid glob `{ns}`: {err}"))
                    .at(origin, at(&["match", "namespace"])));
            }
        }
    }
    Ok(())
}

fn compile_glob(glob: &str) -> Result<Glob, String> {
    Glob::new(glob)
}

/// Compile what validation checked: exemption globs and custom-rule regexes.
fn compile(policy: &mut Policy) {
    for e in &mut policy.exemptions {
        e.globs = [
            (ExemptField::Namespace, &e.namespace),
            (ExemptField::Kind, &e.kind),
            (ExemptField::Name, &e.name),
            (ExemptField::Path, &e.path),
        ]
        .into_iter()
        .filter_map(|(f, g)| {
            g.as_ref()
                .and_then(|g| compile_glob(g).ok())
                .map(|m| (f, m))
        })
        .collect();
    }
    for r in &mut policy.custom_rules {
        r.check.compiled_regex = r
            .check
            .regex
            .as_deref()
            .and_then(|re| regex_lite::Regex::new(re).ok());
    }
}

/// A glob matcher for custom-rule namespaces, as exemptions use.
pub fn namespace_matches(glob: &str, namespace: Option<&str>) -> bool {
    compile_glob(glob).is_ok_and(|g| g.is_match(namespace.unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_files(p: &str) -> Result<String, String> {
        Err(format!("no file {p}"))
    }

    #[test]
    fn remembered_settings_follow_new_layers_and_categories() {
        let mut p = Policy::pack("default").unwrap();
        assert!(p.enabled("MEM002", "memory"));
        assert_eq!(
            p.severity("MEM002", "memory", Severity::Info),
            Severity::Error
        );
        // The same code asked under another category is not answered from memory.
        assert_eq!(p.severity("MEM002", "x", Severity::Info), Severity::Error);
        let off = RuleSetting {
            enabled: Some(false),
            severity: None,
        };
        p.push_layer("--ignore", vec![("memory".into(), off)]);
        assert!(!p.enabled("MEM002", "memory"));
        assert!(p.enabled("MEM002", "x"));
        let warn = RuleSetting {
            enabled: None,
            severity: Some(Severity::Warning),
        };
        p.push_layer("cli", vec![("MEM002".into(), warn)]);
        assert_eq!(
            p.severity("MEM002", "memory", Severity::Info),
            Severity::Warning
        );
        // A clone starts from the layers, not from what the original remembered.
        assert!(!p.clone().enabled("MEM002", "memory"));
    }

    #[test]
    fn packs_parse_and_differ() {
        let d = Policy::pack("default").unwrap();
        assert_eq!(d.thresholds.replication_factor_min, 3);
        assert_eq!(d.thresholds.memory.margin_min, 0.10);
        for code in ["MEM001", "MEM002", "REP001", "REP002", "STO001", "RET001"] {
            assert_eq!(
                d.severity(code, "x", Severity::Info),
                Severity::Error,
                "{code}"
            );
        }
        let p = Policy::pack("production").unwrap();
        assert_eq!(p.chain, vec!["pack:default", "pack:production"]);
        assert_eq!(p.thresholds.memory.margin_min, 0.15);
        assert_eq!(
            p.severity("TOP006", "topology", Severity::Warning),
            Severity::Error
        );
        let dev = Policy::pack("development").unwrap();
        assert!(!dev.enabled("REP001", "replication"));
        assert_eq!(
            dev.severity("MEM002", "memory", Severity::Error),
            Severity::Error
        );
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let text = "version: 1\nthresholds:\n  replication_factor_mn: 2\n";
        let err = Policy::parse(text).unwrap_err();
        assert!(err.message.contains("replication_factor_mn"), "{err}");
        assert_eq!((err.line, err.column), (Some(3), Some(3)));
        assert_eq!(err.file.as_deref(), Some("policy"));
    }

    #[test]
    fn inverted_margins_are_refused_at_their_line() {
        let text = "thresholds:\n  memory:\n    margin_min: 0.2\n    margin_recommended: 0.1\n";
        let err = Policy::parse(text).unwrap_err();
        assert!(err.message.contains("margin_min"), "{err}");
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn selectors_by_specificity_and_layer() {
        let text = "extends: default\nrules:\n  replication: { severity: info }\n  REP0: { severity: warning }\n  REP002: { enabled: false }\n  ALL: { severity: error }\n";
        let p = Policy::parse(text).unwrap();
        let d = p.decide("REP001", "replication", Severity::Error);
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.severity_by.as_deref(), Some("policy: REP0"));
        assert!(!p.enabled("REP002", "replication"));
        assert_eq!(
            p.severity("MEM001", "memory", Severity::Info),
            Severity::Error
        );
        // A child's broad selector still beats the parent's exact code.
        let text = "extends: default\nrules:\n  memory: { severity: info }\n";
        let p = Policy::parse(text).unwrap();
        assert_eq!(
            p.severity("MEM001", "memory", Severity::Error),
            Severity::Info
        );
        let mut p = p;
        p.push_layer(
            "--ignore",
            vec![(
                "MEM".into(),
                RuleSetting {
                    enabled: Some(false),
                    severity: None,
                },
            )],
        );
        assert!(!p.enabled("MEM001", "memory"));
        assert!(p.enabled("REP001", "replication"));
    }

    #[test]
    fn extends_files_chain_and_cycles() {
        let files = |p: &str| -> Result<String, String> {
            match p {
                "team/base.yaml" => {
                    Ok("extends: production\nthresholds:\n  replication_factor_min: 4\n".into())
                }
                "team/loop.yaml" => Ok("extends: ../a.yaml\n".into()),
                _ => Err("not found".into()),
            }
        };
        let mut read = files;
        let p = Policy::resolve(
            "extends: team/base.yaml\nthresholds:\n  min_insync_replicas_min: 3\n",
            "a.yaml",
            &mut read,
        )
        .unwrap();
        assert_eq!(
            p.chain,
            vec![
                "pack:default",
                "pack:production",
                "team/base.yaml",
                "a.yaml"
            ]
        );
        assert_eq!(p.thresholds.replication_factor_min, 4);
        assert_eq!(p.thresholds.min_insync_replicas_min, 3);
        assert_eq!(p.thresholds.memory.margin_min, 0.15);
        let err = Policy::resolve("extends: team/loop.yaml\n", "a.yaml", &mut read).unwrap_err();
        assert!(err.message.contains("cycle"), "{err}");
        assert_eq!(err.file.as_deref(), Some("team/loop.yaml"));
        let err = Policy::resolve("\nextends: nope.yaml\n", "a.yaml", &mut no_files).unwrap_err();
        assert!(err.message.contains("neither a pack"), "{err}");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn exemptions_match_by_globs() {
        let text = "exemptions:\n  - rules: [replication]\n    namespace: dev-*\n    kind: StatefulSet\n    name: kafka-*\n    path: overlays/dev/**\n    reason: single broker in dev\n";
        let p = Policy::resolve(text, "repo/.kafkalint.yaml", &mut no_files).unwrap();
        let subject = Subject {
            namespace: Some("dev-a"),
            kind: Some("StatefulSet"),
            name: Some("kafka-0"),
            path: "repo/overlays/dev/x/kafka.yaml",
        };
        assert!(p.exemption("REP001", "replication", &subject).is_some());
        assert!(p.exemption("MEM001", "memory", &subject).is_none());
        let other = Subject {
            namespace: Some("prod"),
            ..subject
        };
        assert!(p.exemption("REP001", "replication", &other).is_none());
        let err = Policy::parse("exemptions:\n  - rules: [ALL]\n    name: \"[a\"\n    reason: x\n")
            .unwrap_err();
        assert!(err.message.contains("invalid glob"), "{err}");
        assert_eq!(err.line, Some(3));
        let err = Policy::parse("exemptions:\n  - rules: [ALL]\n    reason: \"\"\n").unwrap_err();
        assert!(err.message.contains("reason"), "{err}");
    }

    #[test]
    fn custom_rules_are_validated_at_their_lines() {
        let ok = "custom_rules:\n  - code: CUS001\n    name: no-auto-create\n    message: topics must be created on purpose\n    check:\n      broker_config: auto.create.topics.enable\n      equals: false\n";
        let p = Policy::parse(ok).unwrap();
        assert_eq!(p.custom_rules[0].check.equals, Some(Scalar::Bool(false)));
        assert_eq!(p.custom_rules[0].severity, Severity::Warning);
        let bad_code = ok.replace("CUS001", "REP001");
        let err = Policy::parse(&bad_code).unwrap_err();
        assert!(err.message.contains("CUS"), "{err}");
        assert_eq!(err.line, Some(2));
        let bad_regex = "custom_rules:\n  - code: CUS002\n    name: topic-names\n    message: m\n    check:\n      topic_name: true\n      regex: \"([\"\n";
        let err = Policy::parse(bad_regex).unwrap_err();
        assert!(err.message.contains("invalid regex"), "{err}");
        assert_eq!(err.line, Some(7));
        let two_targets = ok.replace("      equals: false", "      env: X\n      equals: false");
        assert!(Policy::parse(&two_targets)
            .unwrap_err()
            .message
            .contains("exactly one"));
        let typo = ok.replace("equals:", "equal:");
        let err = Policy::parse(&typo).unwrap_err();
        assert!(err.message.contains("equal"), "{err}");
        assert_eq!(err.line, Some(7));
    }

    #[test]
    fn custom_check_conditions() {
        let check = CustomCheck {
            min: Some(Scalar::Text("1d".into())),
            max: Some(Scalar::Text("7d".into())),
            ..Default::default()
        };
        let amount = |v: &str| Amount::of_config("retention.ms", v);
        assert_eq!(check.violation(Some("86400000"), amount), None);
        assert!(check
            .violation(Some("1000"), amount)
            .unwrap()
            .contains("below the minimum of 1d"));
        assert!(check.violation(Some("-1"), amount).is_some());
        assert_eq!(check.violation(None, amount), None);
        let check = CustomCheck {
            one_of: Some(vec![
                Scalar::Text("lz4".into()),
                Scalar::Text("zstd".into()),
            ]),
            present: Some(true),
            ..Default::default()
        };
        assert!(check.violation(None, |_| None).unwrap().contains("not set"));
        assert!(check
            .violation(Some("gzip"), |_| None)
            .unwrap()
            .contains("`lz4`, `zstd`"));
        assert_eq!(check.violation(Some("zstd"), |_| None), None);
    }
}
