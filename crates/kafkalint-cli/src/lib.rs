//! The `kafkalint` command line, and the `kubectl kafkalint` plugin on top of it.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

pub mod heap;
mod krm;
pub mod kubectl;
mod memory;
mod policy;
mod progress;
mod webhook;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use kafkalint_engine::{lint, Baseline, ImageFamily, LintOptions, Workspace};
use kafkalint_loader::{load, LoadOptions};
use kafkalint_policy::{Policy, Severity};
use kafkalint_report::{render_with, Context as ReportContext, Format};
use kafkalint_syntax::Limits;

const AFTER_HELP: &str = "\
Examples:
  kafkalint lint k8s/                       lint every manifest, .env and .properties file
  kafkalint lint -f concise statefulset.yaml  one line per finding
  kafkalint lint --fail-on warning .        fail CI on warnings too
  kubectl kustomize overlays/prod | kafkalint lint -   lint a rendered stream
  kafkalint rule MEM001                     explain a rule

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error or no input.";

#[derive(Parser)]
#[command(
    name = "kafkalint",
    version,
    about = "A policy linter for Apache Kafka on Kubernetes",
    long_about = "kafkalint checks Kafka manifests (StatefulSets, Strimzi resources, ConfigMaps), .env and \
.properties files against Kafka-aware policies — bounded direct memory, a memory budget that fits \
the limit, replication, min.insync.replicas, persistent storage, explicit retention — and points \
at the exact line behind each finding.",
    after_help = AFTER_HELP
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files and directories (walked recursively for .yaml, .yml, .json, .properties, *.env,
    /// .env and .env.* files).
    Lint(Box<LintArgs>),
    /// List every rule: code, name, category, default severity, and how the policy that applies
    /// here (or --policy) sets it.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        policy: policy::PolicyArgs,
    },
    /// Run as a KRM function: read a ResourceList on stdin, write it back with `results`; exit
    /// 1 on an error. functionConfig: a ConfigMap whose `data.policy` is a pack name or policy
    /// YAML. `kpt fn eval DIR --exec "kafkalint fn"`.
    Fn,
    /// Run as a kustomize legacy exec validator: resources on stdin, the plugin config path as
    /// the argument (its `policy:` a pack name or policy YAML). Silent when clean; errors on
    /// stderr and exit 1. See README for where the plugin file goes.
    KustomizeValidator {
        /// The plugin config file kustomize passes.
        config: String,
    },
    /// Print a shell completion script: `source <(kafkalint completions bash)`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `kafkalint man > /usr/local/share/man/man1/kafkalint.1`.
    Man,
    /// Show the resolved policy, or print the policy file's JSON Schema.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Render a kustomization like `kubectl kustomize DIR`, natively. With several DIRs, one
    /// YAML stream: each kustomization's output starts with a `# Source: DIR` comment. A DIR
    /// that fails is reported on stderr, the others are still rendered, and the exit code is 2.
    Kustomize {
        /// Directories holding kustomization.yaml, kustomization.yml or Kustomization.
        #[arg(value_name = "DIR", required = true, num_args = 1..)]
        dirs: Vec<String>,
        /// `none` lets the kustomization read files outside its root, as kustomize's flag does.
        #[arg(long, value_enum, default_value_t = Restrictor::RootOnly)]
        load_restrictor: Restrictor,
    },
    /// Print a rule's documentation.
    Rule {
        /// A rule code (MEM001) or name (unbounded-direct-memory); custom rules of the policy too.
        code: String,
        #[command(flatten)]
        policy: policy::PolicyArgs,
    },
    /// Print each broker's memory budget: every term, where it came from, the margin, the fix.
    #[command(after_help = memory::JSON_SHAPE)]
    Memory(memory::MemoryArgs),
    /// Run the admission webhook server (the separate kafkalint-webhook binary, found next to
    /// kafkalint or on PATH). Arguments go to it: `kafkalint webhook --help` lists them.
    #[command(disable_help_flag = true)]
    Webhook {
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "ARGS"
        )]
        args: Vec<std::ffi::OsString>,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy that applies to PATH (found as `kafkalint lint PATH` finds it): the chain
    /// of packs and files, thresholds, each rule's state and the setting behind it, exemptions.
    Show {
        /// Where to look for .kafkalint.yaml, upward.
        #[arg(value_name = "PATH", default_value = ".")]
        path: String,
        #[command(flatten)]
        policy: policy::PolicyArgs,
    },
    /// Print the JSON Schema of policy files (policies/kafkalint.schema.json).
    Schema,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Files or directories to lint; `-` reads a YAML stream from stdin. A directory holding a
    /// kustomization is rendered (natively) and its output linted, with findings on the source lines.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<String>,
    /// Render this directory as a kustomization (may repeat), as `kubectl -k`.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    kustomize: Vec<String>,
    /// `none` lets kustomizations read files outside their root.
    #[arg(long, value_enum, default_value_t = Restrictor::RootOnly)]
    load_restrictor: Restrictor,
    /// Read only the files directly in the directories given, not their subdirectories.
    #[arg(long)]
    no_recursive: bool,
    /// Threads that read and parse the files (default: one per CPU). The output is the same
    /// for any number.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Output format; repeat with --output to write several reports in one run. A format
    /// without an --output goes to stdout (default: human).
    #[arg(long, short = 'f', value_enum)]
    format: Vec<OutputFormat>,
    /// Write the report of the --format at the same position to FILE (the terminal keeps the
    /// human output). Without a matching --format, the extension decides: .sarif, .xml (JUnit),
    /// .json.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    #[command(flatten)]
    policy: policy::PolicyArgs,
    /// Report only findings not recorded in this baseline (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<String>,
    /// Record today's findings in FILE and exit 0; later runs with --baseline FILE report only
    /// new ones. Fingerprints use the rule, the object and the config key, not line numbers.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<String>,
    /// Image family for brokers and standalone files, overriding what the image name or keys say.
    #[arg(long, value_name = "FAMILY", value_parser = clap::builder::PossibleValuesParser::new(ImageFamily::NAMES))]
    image: Option<String>,
    /// Kafka version (MAJOR.MINOR), overriding what image tags say.
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    kafka_version: Option<(u32, u32)>,
    /// When to color human output (NO_COLOR and non-terminals turn `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Hard limits against hostile or broken input; each refusal is an SYN001 finding (see README,
/// "Limits").
#[derive(clap::Args)]
#[command(next_help_heading = "Limits")]
struct LimitArgs {
    /// Files (and stdin) larger than this many bytes are refused unread.
    #[arg(long, value_name = "BYTES", default_value_t = LoadOptions::default().max_file_size)]
    max_file_size: u64,
    /// Deepest YAML nesting of sequences and mappings.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    max_depth: usize,
    /// Nodes YAML aliases may copy in one file (billion-laughs guard).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_alias_nodes)]
    max_alias_nodes: usize,
    /// YAML documents in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_documents)]
    max_documents: usize,
    /// Kustomizations nested (resources, bases, components) deeper than this.
    #[arg(long, value_name = "N", default_value_t = LoadOptions::default().max_kustomize_depth)]
    max_kustomize_depth: usize,
    /// Resources in one kustomization or its output.
    #[arg(long, value_name = "N", default_value_t = LoadOptions::default().max_resources)]
    max_resources: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// Source snippets with labels and help.
    Human,
    /// `file:line:col: severity[CODE] message`.
    Concise,
    /// The stable JSON contract (see README).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, IDEs).
    Sarif,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML (GitLab, Jenkins test reports).
    Junit,
    /// GitHub Actions workflow commands (annotations on the diff).
    Github,
}

impl OutputFormat {
    fn report(self) -> Format {
        match self {
            OutputFormat::Human => Format::Human,
            OutputFormat::Concise => Format::Concise,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Gitlab => Format::Gitlab,
            OutputFormat::Junit => Format::Junit,
            OutputFormat::Github => Format::Github,
        }
    }

    fn from_extension(path: &str) -> Option<OutputFormat> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".sarif") || lower.ends_with(".sarif.json") {
            Some(OutputFormat::Sarif)
        } else if lower.ends_with(".xml") {
            Some(OutputFormat::Junit)
        } else if lower.ends_with(".json") {
            Some(OutputFormat::Json)
        } else {
            None
        }
    }
}

/// Pair formats with outputs in order; what is left of the formats goes to stdout.
fn plan_outputs(
    formats: &[OutputFormat],
    outputs: &[String],
) -> Result<(OutputFormat, Vec<(OutputFormat, String)>), String> {
    let mut files = Vec::new();
    for (i, path) in outputs.iter().enumerate() {
        let format = match formats.get(i) {
            Some(f) => *f,
            None => OutputFormat::from_extension(path).ok_or_else(|| {
                format!("--output {path}: give its --format (sarif, gitlab, junit, github, json, concise, human)")
            })?,
        };
        files.push((format, path.clone()));
    }
    let rest = formats.get(outputs.len()..).unwrap_or(&[]);
    if rest.len() > 1 {
        return Err(
            "several --format values for stdout: pair each extra one with an --output FILE".into(),
        );
    }
    Ok((rest.first().copied().unwrap_or(OutputFormat::Human), files))
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Restrictor {
    #[value(name = "root-only")]
    RootOnly,
    None,
}

impl Restrictor {
    fn to_kustomize(self) -> kafkalint_kustomize::LoadRestrictor {
        match self {
            Restrictor::RootOnly => kafkalint_kustomize::LoadRestrictor::RootOnly,
            Restrictor::None => kafkalint_kustomize::LoadRestrictor::None,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_version(s: &str) -> Result<(u32, u32), String> {
    let mut it = s.trim().split('.');
    let major = it.next().and_then(|v| v.parse().ok());
    let minor = it.next().and_then(|v| v.parse().ok());
    match (major, minor) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(format!("expected MAJOR.MINOR such as 3.9, got {s:?}")),
    }
}

/// Run `kafkalint` with the process arguments. Called as `kubectl-kafkalint` (e.g. a link), it
/// is the kubectl plugin.
pub fn main() -> ExitCode {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = std::path::Path::new(&argv0)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name.starts_with("kubectl-kafkalint") {
        return kubectl::main();
    }
    run(Cli::parse())
}

/// Run parsed arguments; what `kubectl kafkalint` also ends in.
pub(crate) fn run(cli: Cli) -> ExitCode {
    heap::use_huge_pages();
    let result = match cli.command {
        Command::Lint(args) => run_lint(*args),
        Command::Rules { format, policy } => list_rules(format, &policy),
        Command::Fn => krm::krm_function(),
        Command::KustomizeValidator { config } => krm::kustomize_validator(&config),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kafkalint", &mut out);
            emit(&String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => {
                    emit(&String::from_utf8_lossy(&out));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => Err(format!("man page: {e}")),
            }
        }
        Command::Rule { code, policy } => show_rule(&code, &policy),
        Command::Policy(PolicyCommand::Show { path, policy }) => {
            policy::resolve(&policy, std::slice::from_ref(&path)).map(|(base, scoped)| {
                let (shown, scope) = match scoped.first() {
                    Some((dir, p)) => (p, Some(dir.as_str())),
                    None => (&base, None),
                };
                emit(&policy::show(shown, scope));
                ExitCode::SUCCESS
            })
        }
        Command::Policy(PolicyCommand::Schema) => {
            emit(&kafkalint_policy::schema::policy_schema_json());
            Ok(ExitCode::SUCCESS)
        }
        Command::Memory(args) => memory::run(args),
        Command::Kustomize {
            dirs,
            load_restrictor,
        } => render_kustomizations(&dirs, load_restrictor),
        Command::Webhook { args } => webhook::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kafkalint: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Write to stdout; a closed pipe (`| head`) ends the program quietly.
pub(crate) fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

fn run_lint(args: LintArgs) -> Result<ExitCode, String> {
    let inputs: Vec<String> = args.paths.iter().chain(&args.kustomize).cloned().collect();
    let (policy, scoped) = policy::resolve(&args.policy, &inputs)?;
    policy::check_flags(&policy, &args.policy)?;
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("baseline {path}: {e}"))?;
            Some(Baseline::parse(&text).map_err(|e| format!("baseline {path}: {e}"))?)
        }
    };
    let mut options = LintOptions {
        policy,
        scoped,
        baseline,
        ..LintOptions::default()
    };
    options.model.image = args.image.as_deref().and_then(ImageFamily::from_name);
    options.model.kafka_version = args.kafka_version;

    let mut ws = Workspace::new();
    ws.limits = Limits {
        max_depth: args.limits.max_depth,
        max_alias_nodes: args.limits.max_alias_nodes,
        max_documents: args.limits.max_documents,
    };
    let load_options = LoadOptions {
        load_restrictor: args.load_restrictor.to_kustomize(),
        recursive: !args.no_recursive,
        jobs: args.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            usize::from,
        ),
        max_file_size: args.limits.max_file_size,
        max_kustomize_depth: args.limits.max_kustomize_depth,
        max_resources: args.limits.max_resources,
        ..LoadOptions::default()
    };
    let mut loaded = 0;
    for dir in &args.kustomize {
        if !std::path::Path::new(dir).is_dir() {
            return Err(format!("-k {dir}: not a directory"));
        }
        kafkalint_loader::load_kustomization(
            std::path::Path::new(dir),
            dir.trim_end_matches('/'),
            &mut ws,
            &load_options,
        );
        loaded += 1;
    }
    let paths: Vec<String> = if args.kustomize.is_empty() || args.paths != ["."] {
        args.paths.clone()
    } else {
        Vec::new()
    };
    let progress = progress::Progress::start("reading and linting…");
    loaded += load(&paths, &mut ws, &load_options).map_err(|e| e.to_string())?;
    if loaded == 0 {
        return Err(format!(
            "no input: no .yaml, .yml, .json, .env or .properties files under {}",
            args.paths.join(" ")
        ));
    }
    let all_unreadable = ws.errors.len() >= loaded;
    let (stdout_format, files) = plan_outputs(&args.format, &args.output)?;
    let result = lint(ws, &options);
    progress.finish();
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::from_findings(&result.diagnostics, &result.sources);
        std::fs::write(path, baseline.to_json()).map_err(|e| format!("baseline {path}: {e}"))?;
        eprintln!(
            "kafkalint: recorded {} finding(s) in {path}; run with --baseline {path} to see only new ones",
            baseline.findings.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let left_out: Vec<String> = [
        (result.suppressed, "suppressed"),
        (result.exempted, "exempted by the policy"),
        (result.baselined, "in the baseline"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, why)| format!("{n} {why}"))
    .collect();
    if !left_out.is_empty() && matches!(stdout_format, OutputFormat::Human) {
        eprintln!("kafkalint: not shown: {}", left_out.join(", "));
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let cwd = std::env::current_dir()
        .map(|d| d.to_string_lossy().to_string())
        .unwrap_or_default();
    let cx = ReportContext {
        version: env!("CARGO_PKG_VERSION"),
        custom_rules: &options.policy.custom_rules,
        base_dir: Some(&cwd),
    };
    for (format, path) in &files {
        let text = render_with(&result, format.report(), false, &cx);
        std::fs::write(path, text).map_err(|e| format!("--output {path}: {e}"))?;
    }
    emit(&render_with(&result, stdout_format.report(), color, &cx));
    if all_unreadable {
        eprintln!("kafkalint: error: no input could be processed");
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| result.diagnostics.iter().any(|d| d.severity >= t));
    // The process ends next: freeing every node, source and finding one by one would cost
    // about a tenth of the run for nothing.
    std::mem::forget(result);
    Ok(ExitCode::from(u8::from(failed)))
}

/// One row of `kafkalint rules`.
struct RuleRow {
    code: String,
    name: String,
    category: String,
    default_severity: Severity,
    enabled: bool,
    severity: Severity,
    summary: String,
}

fn rule_rows(policy: &Policy) -> Vec<RuleRow> {
    let mut rows: Vec<RuleRow> = kafkalint_rules::all_rules()
        .iter()
        .map(|r| {
            let m = r.meta();
            let d = policy.decide(m.code, m.category.as_str(), m.default_severity);
            RuleRow {
                code: m.code.into(),
                name: m.name.into(),
                category: m.category.as_str().into(),
                default_severity: m.default_severity,
                enabled: d.enabled,
                severity: d.severity,
                summary: m.summary(),
            }
        })
        .collect();
    for r in &policy.custom_rules {
        let d = policy.decide(&r.code, kafkalint_rules::custom::CATEGORY, r.severity);
        rows.push(RuleRow {
            code: r.code.clone(),
            name: r.name.clone(),
            category: kafkalint_rules::custom::CATEGORY.into(),
            default_severity: r.severity,
            enabled: d.enabled,
            severity: d.severity,
            summary: format!("{} (custom rule from {})", r.message, r.origin),
        });
    }
    rows
}

fn list_rules(format: ListFormat, args: &policy::PolicyArgs) -> Result<ExitCode, String> {
    let (policy, scoped) = policy::resolve(args, &[".".to_string()])?;
    let policy = scoped.first().map_or(&policy, |(_, p)| p);
    let rows = rule_rows(policy);
    let text = match format {
        ListFormat::Json => {
            let list: Vec<_> = rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.code,
                        "name": r.name,
                        "category": r.category,
                        "default_severity": r.default_severity.as_str(),
                        "enabled": r.enabled,
                        "severity": r.severity.as_str(),
                        "summary": r.summary,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )
        }
        ListFormat::Text => {
            let mut s = format!(
                "{:<7} {:<34} {:<12} {:<8} {:<8} {}\n",
                "CODE", "NAME", "CATEGORY", "DEFAULT", "POLICY", "SUMMARY"
            );
            for r in &rows {
                let state = if r.enabled {
                    r.severity.as_str()
                } else {
                    "off"
                };
                s.push_str(&format!(
                    "{:<7} {:<34} {:<12} {:<8} {:<8} {}\n",
                    r.code,
                    r.name,
                    r.category,
                    r.default_severity.as_str(),
                    state,
                    r.summary
                ));
            }
            s
        }
    };
    emit(&text);
    Ok(ExitCode::SUCCESS)
}

fn render_kustomizations(dirs: &[String], restrictor: Restrictor) -> Result<ExitCode, String> {
    let options = kafkalint_kustomize::Options {
        load_restrictor: restrictor.to_kustomize(),
        ..kafkalint_kustomize::Options::default()
    };
    let render = |dir: &str| {
        let mut sources = kafkalint_syntax::SourceMap::new();
        kafkalint_kustomize::build(
            &kafkalint_kustomize::RealFs,
            std::path::Path::new(dir),
            dir.trim_end_matches('/'),
            &mut sources,
            &options,
        )
        .map(|rendered| kafkalint_kustomize::to_yaml(&rendered.resources))
        .map_err(|e| e.to_string())
    };
    if let [dir] = dirs {
        emit(&render(dir)?);
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = false;
    let mut first = true;
    for dir in dirs {
        match render(dir) {
            Ok(yaml) => {
                let separator = if first { "" } else { "---\n" };
                first = false;
                emit(&format!("{separator}# Source: {dir}\n{yaml}"));
            }
            Err(message) => {
                failed = true;
                // The failing file may be a base the other DIRs share: name the DIR it stopped.
                let which = if message.starts_with(dir.as_str()) {
                    String::new()
                } else {
                    format!("{dir}: ")
                };
                eprintln!("kafkalint: error: {which}{message}");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn show_rule(code: &str, args: &policy::PolicyArgs) -> Result<ExitCode, String> {
    let Some(rule) = kafkalint_rules::find_rule(code) else {
        let (policy, scoped) = policy::resolve(args, &[".".to_string()])?;
        let policy = scoped.first().map_or(&policy, |(_, p)| p);
        let custom = policy
            .custom_rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
            .ok_or_else(|| format!("unknown rule {code:?}; `kafkalint rules` lists them"))?;
        emit(&format!(
            "# {} ({})\n\nCustom rule from {}. Severity: {}.\n\n{}\n\n{}\n",
            custom.code,
            custom.name,
            custom.origin,
            custom.severity,
            custom.message,
            custom.description.as_deref().unwrap_or("")
        ));
        return Ok(ExitCode::SUCCESS);
    };
    let m = rule.meta();
    emit(&format!(
        "# {} ({})\n\nCategory: {}. Default severity: {}.\n\n{}",
        m.code,
        m.name,
        m.category.as_str(),
        m.default_severity.as_str(),
        m.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    Ok(ExitCode::SUCCESS)
}
