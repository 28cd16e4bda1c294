//! Finding, reading and showing policies: `--policy`, `.kafkalint.yaml` discovery, command-line
//! overrides, and `kafkalint policy show|schema`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use kafkalint_policy::{Policy, PolicyError, RuleSetting, Severity, PACKS};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceOffset};

/// Policy file names discovery looks for, in each directory from the input upward.
pub const DISCOVERED: &[&str] = &[".kafkalint.yaml", ".kafkalint.yml"];

/// What the command line says about policies.
#[derive(clap::Args, Clone, Default)]
pub struct PolicyArgs {
    /// Policy to use: a pack name (default, production, development) or a file. Replaces the
    /// `.kafkalint.yaml` files found upward from the inputs.
    #[arg(long, value_name = "PACK|FILE")]
    pub policy: Option<String>,
    /// Ignore `.kafkalint.yaml` files; use --policy or the default pack only.
    #[arg(long)]
    pub isolated: bool,
    /// Run only these rules: codes (REP001), prefixes (REP), categories (memory) or ALL.
    /// Comma-separated or repeated; wins over policy files.
    #[arg(long, value_name = "SELECTOR", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Turn these rules off (same selectors as --select); wins over policy files and --select.
    #[arg(long, value_name = "SELECTOR", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

/// A policy error with the file's text and a caret at its line, as miette draws it.
pub fn render_error(e: &PolicyError, text: Option<&str>) -> String {
    let file = e.file.clone().unwrap_or_else(|| "policy".into());
    let (Some(text), Some(line), Some(col)) = (text, e.line, e.column) else {
        return e.to_string();
    };
    #[derive(Debug)]
    struct Shown {
        message: String,
        source: NamedSource<String>,
        label: LabeledSpan,
    }
    impl std::fmt::Display for Shown {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.message)
        }
    }
    impl std::error::Error for Shown {}
    impl miette::Diagnostic for Shown {
        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            Some(&self.source)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(std::iter::once(self.label.clone())))
        }
    }
    let offset = SourceOffset::from_location(text, line, col);
    let shown = Shown {
        message: format!("invalid policy {file}:{line}:{col}: {}", e.message),
        source: NamedSource::new(file, text.to_string()),
        label: LabeledSpan::new(Some("here".into()), offset.offset(), 1),
    };
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    if GraphicalReportHandler::new_themed(theme)
        .render_report(&mut out, &shown)
        .is_err()
    {
        return e.to_string();
    }
    out
}

fn text_of(origin: &str) -> Option<String> {
    match origin.strip_prefix("pack:") {
        Some(name) => PACKS.iter().find(|p| p.0 == name).map(|p| p.1.to_string()),
        None => std::fs::read_to_string(origin).ok(),
    }
}

fn fail(e: PolicyError) -> String {
    let text = e.file.as_deref().and_then(text_of);
    render_error(&e, text.as_deref())
}

/// Read a policy file and what it extends.
pub fn load_file(path: &str) -> Result<Policy, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("policy {path}: {e}"))?;
    let mut read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    let policy = Policy::resolve(&text, path, &mut read).map_err(fail)?;
    check_selectors(&policy)?;
    Ok(policy)
}

/// `--policy` as a pack name or a file.
fn load_named(spec: &str) -> Result<Policy, String> {
    if !Path::new(spec).exists() {
        if let Some(p) = Policy::pack(spec) {
            return Ok(p);
        }
        let packs: Vec<&str> = PACKS.iter().map(|p| p.0).collect();
        return Err(format!(
            "--policy {spec}: no such file, and not a pack ({})",
            packs.join(", ")
        ));
    }
    load_file(spec)
}

/// Every selector must pick some rule, so a typo does not silently do nothing.
fn check_selectors(policy: &Policy) -> Result<(), String> {
    for (origin, s) in policy.selectors() {
        if !selects_anything(policy, &s.selector) {
            let e = PolicyError {
                message: format!(
                    "`{}` selects no rule: use a code (REP001), a prefix (REP), a category ({}) or ALL",
                    s.selector,
                    categories().join(", ")
                ),
                file: Some(origin.to_string()),
                line: s.line,
                column: s.column,
            };
            return Err(fail(e));
        }
    }
    Ok(())
}

fn categories() -> Vec<&'static str> {
    let mut c: Vec<&str> = kafkalint_rules::all_rules()
        .iter()
        .map(|r| r.meta().category.as_str())
        .collect();
    c.push(kafkalint_rules::custom::CATEGORY);
    c.sort_unstable();
    c.dedup();
    c
}

fn selects_anything(policy: &Policy, selector: &str) -> bool {
    let builtin = kafkalint_rules::all_rules().iter().any(|r| {
        let m = r.meta();
        kafkalint_policy::selector_rank(selector, m.code, m.category.as_str()).is_some()
    });
    builtin
        || policy.custom_rules.iter().any(|r| {
            kafkalint_policy::selector_rank(selector, &r.code, kafkalint_rules::custom::CATEGORY)
                .is_some()
        })
}

/// Finds the nearest policy file from an input upward. Inputs share directories and
/// ancestors, so each directory is looked at once per run.
#[derive(Default)]
struct Discovery {
    cwd: Option<PathBuf>,
    /// Input directory as given -> the policy file found for it, as shown.
    by_input_dir: HashMap<PathBuf, Option<PathBuf>>,
    /// Absolute directory -> the nearest policy file at or above it.
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
}

impl Discovery {
    fn new() -> Self {
        Discovery {
            cwd: std::env::current_dir().ok(),
            ..Discovery::default()
        }
    }

    fn find(&mut self, input: &Path) -> Option<PathBuf> {
        let start = if input.is_dir() {
            input.to_path_buf()
        } else {
            input.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        if let Some(found) = self.by_input_dir.get(&start) {
            return found.clone();
        }
        let dir = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start.as_path()
        };
        let found = std::fs::canonicalize(dir)
            .ok()
            .and_then(|absolute| self.nearest(&absolute))
            .map(|file| {
                // Shown relative to the working directory when it is below it.
                self.cwd
                    .as_ref()
                    .and_then(|c| file.strip_prefix(c).ok())
                    .map_or(file.clone(), Path::to_path_buf)
            });
        self.by_input_dir.insert(start, found.clone());
        found
    }

    fn nearest(&mut self, absolute: &Path) -> Option<PathBuf> {
        let mut unknown = Vec::new();
        let mut found = None;
        for dir in absolute.ancestors() {
            if let Some(known) = self.by_dir.get(dir) {
                found = known.clone();
                break;
            }
            unknown.push(dir.to_path_buf());
            if let Some(file) = DISCOVERED
                .iter()
                .map(|name| dir.join(name))
                .find(|candidate| candidate.is_file())
            {
                found = Some(file);
                break;
            }
        }
        for dir in unknown {
            self.by_dir.insert(dir, found.clone());
        }
        found
    }
}

/// The policy for files not covered by a discovered one, and the discovered ones by directory
/// (as the engine's `LintOptions::scoped` wants them).
pub fn resolve(
    args: &PolicyArgs,
    inputs: &[String],
) -> Result<(Policy, Vec<(String, Policy)>), String> {
    let mut base = match &args.policy {
        Some(spec) => load_named(spec)?,
        None => Policy::default_policy(),
    };
    let mut scoped = Vec::new();
    if args.policy.is_none() && !args.isolated {
        let mut loaded: Vec<(PathBuf, Policy)> = Vec::new();
        let mut discovery = Discovery::new();
        for input in inputs.iter().filter(|i| i.as_str() != "-") {
            let Some(found) = discovery.find(Path::new(input)) else {
                continue;
            };
            let policy = match loaded.iter().find(|(f, _)| *f == found) {
                Some((_, p)) => p.clone(),
                None => {
                    let p = load_file(&found.to_string_lossy())?;
                    loaded.push((found, p.clone()));
                    p
                }
            };
            // Files read from an input are shown under its path, so the input is the scope.
            scoped.push((input.trim_end_matches('/').to_string(), policy));
        }
    }
    apply_flags(&mut base, args);
    for (_, p) in &mut scoped {
        apply_flags(p, args);
    }
    Ok((base, scoped))
}

fn apply_flags(policy: &mut Policy, args: &PolicyArgs) {
    let mut layer = Vec::new();
    if !args.select.is_empty() {
        layer.push(("ALL".to_string(), off()));
        for s in &args.select {
            layer.push((
                s.clone(),
                RuleSetting {
                    enabled: Some(true),
                    severity: None,
                },
            ));
        }
        policy.push_layer("--select", layer);
    }
    if !args.ignore.is_empty() {
        policy.push_layer(
            "--ignore",
            args.ignore.iter().map(|s| (s.clone(), off())).collect(),
        );
    }
}

fn off() -> RuleSetting {
    RuleSetting {
        enabled: Some(false),
        severity: None,
    }
}

/// Check --select/--ignore name real rules.
pub fn check_flags(policy: &Policy, args: &PolicyArgs) -> Result<(), String> {
    for s in args.select.iter().chain(&args.ignore) {
        if !selects_anything(policy, s) {
            return Err(format!(
                "`{s}` selects no rule: use a code (REP001), a prefix (REP), a category ({}) or ALL",
                categories().join(", ")
            ));
        }
    }
    Ok(())
}

/// `kafkalint policy show`: the resolved policy, and where each setting comes from.
pub fn show(policy: &Policy, scope: Option<&str>) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# The policy that applies{}",
        scope.map_or(String::new(), |d| format!(" under {d}/"))
    );
    let _ = writeln!(s, "# chain (base first): {}", policy.chain.join(" -> "));
    let t = &policy.thresholds;
    let _ = writeln!(s, "thresholds:");
    let _ = writeln!(s, "  replication_factor_min: {}", t.replication_factor_min);
    let _ = writeln!(
        s,
        "  min_insync_replicas_min: {}",
        t.min_insync_replicas_min
    );
    let _ = writeln!(s, "  memory:");
    let m = &t.memory;
    for (k, v) in [
        ("margin_min", m.margin_min.to_string()),
        ("margin_recommended", m.margin_recommended.to_string()),
        (
            "metaspace_estimate_mib",
            m.metaspace_estimate_mib.to_string(),
        ),
        ("jvm_threads", m.jvm_threads.to_string()),
        ("thread_allowance", m.thread_allowance.to_string()),
        ("agents_mib", m.agents_mib.to_string()),
        ("other_native_mib", m.other_native_mib.to_string()),
    ] {
        let _ = writeln!(s, "    {k}: {v}");
    }
    let _ = writeln!(s, "rules:");
    for r in kafkalint_rules::all_rules() {
        let meta = r.meta();
        let d = policy.decide(meta.code, meta.category.as_str(), meta.default_severity);
        line_for(&mut s, meta.code, meta.default_severity, &d);
    }
    for r in &policy.custom_rules {
        let d = policy.decide(&r.code, kafkalint_rules::custom::CATEGORY, r.severity);
        line_for(&mut s, &r.code, r.severity, &d);
    }
    if !policy.exemptions.is_empty() {
        let _ = writeln!(s, "exemptions:");
        for e in &policy.exemptions {
            let _ = writeln!(s, "  - rules: [{}]", e.rules.join(", "));
            for (k, v) in [
                ("namespace", &e.namespace),
                ("kind", &e.kind),
                ("name", &e.name),
                ("path", &e.path),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(s, "    {k}: {v:?}");
                }
            }
            let _ = writeln!(s, "    reason: {:?}   # from {}", e.reason, e.origin);
        }
    }
    s
}

fn line_for(s: &mut String, code: &str, default: Severity, d: &kafkalint_policy::Decision) {
    use std::fmt::Write;
    let state = if d.enabled {
        format!("{{ severity: {} }}", d.severity)
    } else {
        "{ enabled: false }".to_string()
    };
    let mut why = Vec::new();
    if let Some(by) = &d.enabled_by {
        why.push(format!("enabled from {by}"));
    }
    match &d.severity_by {
        Some(by) => why.push(format!("severity from {by}")),
        None => why.push(format!("rule default {default}")),
    }
    let _ = writeln!(s, "  {code}: {state:<24} # {}", why.join("; "));
}
