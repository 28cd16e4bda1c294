//! The `kafkalint` command line.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

mod memory;

use clap::{Parser, Subcommand, ValueEnum};
use kafkalint_engine::{lint, ImageFamily, LintOptions, Workspace};
use kafkalint_loader::{load, LoadOptions};
use kafkalint_policy::{Policy, Severity};
use kafkalint_report::{render, Format};

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files and directories (walked recursively for .yaml, .yml, .json, .env, .properties).
    Lint(LintArgs),
    /// List every rule.
    Rules {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Render a kustomization like `kubectl kustomize DIR`, natively.
    Kustomize {
        /// A directory holding kustomization.yaml, kustomization.yml or Kustomization.
        dir: String,
        /// `none` lets the kustomization read files outside its root, as kustomize's flag does.
        #[arg(long, value_enum, default_value_t = Restrictor::RootOnly)]
        load_restrictor: Restrictor,
    },
    /// Print a rule's documentation.
    Rule {
        /// A rule code (MEM001) or name (unbounded-direct-memory).
        code: String,
    },
    /// Print each broker's memory budget: every term, where it came from, the margin, the fix.
    #[command(after_help = memory::JSON_SHAPE)]
    Memory(memory::MemoryArgs),
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
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Policy file to use instead of the built-in default (same format as policies/default.yaml).
    #[arg(long, value_name = "FILE")]
    policy: Option<String>,
    /// Image family for brokers and standalone files, overriding what the image name or keys say.
    #[arg(long, value_name = "FAMILY", value_parser = clap::builder::PossibleValuesParser::new(ImageFamily::NAMES))]
    image: Option<String>,
    /// Kafka version (MAJOR.MINOR), overriding what image tags say.
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    kafka_version: Option<(u32, u32)>,
    /// When to color human output (NO_COLOR and non-terminals turn `auto` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    /// Source snippets with labels and help.
    Human,
    /// `file:line:col: severity[CODE] message`.
    Concise,
    /// The stable JSON contract (see README).
    Json,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => run_lint(args),
        Command::Rules { format } => list_rules(format),
        Command::Rule { code } => show_rule(&code),
        Command::Memory(args) => memory::run(args),
        Command::Kustomize {
            dir,
            load_restrictor,
        } => render_kustomization(&dir, load_restrictor),
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
fn emit(text: &str) {
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
    let policy = match &args.policy {
        None => Policy::default_policy(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("policy {path}: {e}"))?;
            Policy::parse(&text).map_err(|e| match (e.line, e.column) {
                (Some(l), Some(c)) => format!("policy {path}:{l}:{c}: {}", e.message),
                _ => format!("policy {path}: {}", e.message),
            })?
        }
    };
    let mut options = LintOptions {
        policy,
        ..LintOptions::default()
    };
    options.model.image = args.image.as_deref().and_then(ImageFamily::from_name);
    options.model.kafka_version = args.kafka_version;

    let mut ws = Workspace::new();
    let load_options = LoadOptions {
        load_restrictor: args.load_restrictor.to_kustomize(),
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
    loaded += load(&paths, &mut ws, &load_options).map_err(|e| e.to_string())?;
    if loaded == 0 {
        return Err(format!(
            "no input: no .yaml, .yml, .json, .env or .properties files under {}",
            args.paths.join(" ")
        ));
    }
    let all_unreadable = ws.errors.len() >= loaded;
    let result = lint(ws, &options);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let format = match args.format {
        OutputFormat::Human => Format::Human,
        OutputFormat::Concise => Format::Concise,
        OutputFormat::Json => Format::Json,
    };
    emit(&render(&result, format, color));
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
    Ok(ExitCode::from(u8::from(failed)))
}

fn list_rules(format: ListFormat) -> Result<ExitCode, String> {
    let rules = kafkalint_rules::all_rules();
    let text = match format {
        ListFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "category": m.category.as_str(),
                        "severity": m.default_severity.as_str(),
                        "summary": m.summary(),
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&list).unwrap_or_default()
            )
        }
        ListFormat::Text => {
            let mut s = String::new();
            for r in rules {
                let m = r.meta();
                s.push_str(&format!(
                    "{:<7} {:<26} {:<12} {:<8} {}\n",
                    m.code,
                    m.name,
                    m.category.as_str(),
                    m.default_severity.as_str(),
                    m.summary()
                ));
            }
            s
        }
    };
    emit(&text);
    Ok(ExitCode::SUCCESS)
}

fn render_kustomization(dir: &str, restrictor: Restrictor) -> Result<ExitCode, String> {
    let mut sources = kafkalint_syntax::SourceMap::new();
    let options = kafkalint_kustomize::Options {
        load_restrictor: restrictor.to_kustomize(),
        ..kafkalint_kustomize::Options::default()
    };
    let rendered = kafkalint_kustomize::build(
        &kafkalint_kustomize::RealFs,
        std::path::Path::new(dir),
        dir.trim_end_matches('/'),
        &mut sources,
        &options,
    )
    .map_err(|e| e.to_string())?;
    emit(&kafkalint_kustomize::to_yaml(&rendered.resources));
    Ok(ExitCode::SUCCESS)
}

fn show_rule(code: &str) -> Result<ExitCode, String> {
    let rule = kafkalint_rules::find_rule(code)
        .ok_or_else(|| format!("unknown rule {code:?}; `kafkalint rules` lists them"))?;
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
