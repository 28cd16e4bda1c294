//! `kafkalint memory`: the memory budget of every broker workload, term by term, with where
//! each number came from, the margin left under the limit, and the changes that reach the
//! policy's recommended margin.

use std::path::Path;
use std::process::ExitCode;

use kafkalint_engine::{lint, ImageFamily, LintOptions, Workspace};
use kafkalint_loader::{load, load_kustomization, LoadOptions};
use kafkalint_report::memory::{memory_json, memory_text};

use super::policy::{resolve, PolicyArgs};
use super::{emit, parse_version, Restrictor};

pub const JSON_SHAPE: &str = "\
JSON output (--format json):
  { \"target_margin_percent\": 15.0, \"minimum_margin_percent\": 10.0,
    \"brokers\": [ {
      \"name\": \"StatefulSet/kafka container kafka\", \"kind\", \"resource\", \"namespace\",
      \"file\", \"line\", \"column\",            where the broker is declared
      \"image\", \"family\", \"kafka_version\", \"replicas\",
      \"status\": \"budget\" | \"no-limit\" | \"unknown\",
      \"reason\": \"...\",                        when status is not budget
      \"jdk\": 17,
      \"terms\": [ { \"name\": \"heap\", \"mib\": 4096, \"bytes\": 4294967296,
                   \"source\": \"flag\" | \"image-default\" | \"default\" | \"derived\" | \"estimate\",
                   \"detail\": \"-Xmx4096m in KAFKA_HEAP_OPTS\",
                   \"token\", \"from\", \"file\", \"line\", \"column\",   for a JVM option
                   \"policy\": [\"memory.metaspace_estimate_mib\"] }, ... ],
      \"threads\": { \"network\", \"listeners\", \"io\", \"fetchers\", \"other_brokers\",
                   \"background\", \"cleaner\", \"jvm\", \"other\", \"total\", \"stack_mib\" },
      \"total_mib\": 8869,
      \"limit\": { \"mib\": 5120, \"text\": \"5Gi\", \"file\", \"line\", \"column\" },
      \"margin_percent\": -73.2, \"verdict\": \"error\" | \"warning\" | \"ok\",
      \"changes\": [ { \"kind\": \"bound-direct\" | \"lower-direct\" | \"lower-heap\" | \"raise-limit\",
                     \"mib\": 1878, \"delta_mib\": 2218, \"setting\": \"-Xmx1878m\",
                     \"text\": \"lower the heap to -Xmx1878m\" } ]   each reaches the target alone
    } ] }
Terms, in order: heap, direct, metaspace, code cache, thread stacks, GC structures, agents,
other native. MiB are rounded to the nearest; the total is rounded from the exact sum.

Exit status: 0, or 2 when an input cannot be read or parsed (the report is still printed).";

#[derive(clap::Args)]
pub struct MemoryArgs {
    /// Files or directories to read, as for `kafkalint lint`; `-` reads a YAML stream from stdin.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<String>,
    /// Render this directory as a kustomization (may repeat), as `kubectl -k`.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    kustomize: Vec<String>,
    /// `none` lets kustomizations read files outside their root.
    #[arg(long, value_enum, default_value_t = Restrictor::RootOnly)]
    load_restrictor: Restrictor,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = MemoryFormat::Text)]
    format: MemoryFormat,
    /// Policy whose memory thresholds and estimates to use: a pack name (default, production,
    /// development) or a file. Replaces the `.kafkalint.yaml` files found upward from the inputs.
    #[arg(long, value_name = "PACK|FILE")]
    policy: Option<String>,
    /// Ignore `.kafkalint.yaml` files; use --policy or the default pack only.
    #[arg(long)]
    isolated: bool,
    /// Image family for brokers and standalone files, overriding what the image name or keys say.
    #[arg(long, value_name = "FAMILY", value_parser = clap::builder::PossibleValuesParser::new(ImageFamily::NAMES))]
    image: Option<String>,
    /// Kafka version (MAJOR.MINOR), overriding what image tags say.
    #[arg(long, value_name = "X.Y", value_parser = parse_version)]
    kafka_version: Option<(u32, u32)>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum MemoryFormat {
    /// A table per broker.
    Text,
    /// The same, as JSON (shape below).
    Json,
}

pub fn run(args: MemoryArgs) -> Result<ExitCode, String> {
    // The policy is found as `kafkalint lint` finds it, so the thresholds are the same.
    let inputs: Vec<String> = args.paths.iter().chain(&args.kustomize).cloned().collect();
    let policy_args = PolicyArgs {
        policy: args.policy.clone(),
        isolated: args.isolated,
        ..PolicyArgs::default()
    };
    let (policy, scoped) = resolve(&policy_args, &inputs)?;
    let mut options = LintOptions {
        policy,
        scoped,
        ..LintOptions::default()
    };
    options.model.image = args.image.as_deref().and_then(ImageFamily::from_name);
    options.model.kafka_version = args.kafka_version;

    // The same loading as `kafkalint lint`.
    let mut ws = Workspace::new();
    let load_options = LoadOptions {
        load_restrictor: args.load_restrictor.to_kustomize(),
        ..LoadOptions::default()
    };
    let mut loaded = 0;
    for dir in &args.kustomize {
        if !Path::new(dir).is_dir() {
            return Err(format!("-k {dir}: not a directory"));
        }
        load_kustomization(
            Path::new(dir),
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
    let input_errors: Vec<String> = ws
        .errors
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}: {}",
                ws.sources.path(d.span.source),
                d.span.start.line,
                d.span.start.col,
                d.message
            )
        })
        .collect();
    let result = lint(ws, &options);
    emit(&match args.format {
        MemoryFormat::Text => memory_text(&result, &options),
        MemoryFormat::Json => memory_json(&result, &options),
    });
    for e in &input_errors {
        eprintln!("kafkalint: error: {e}");
    }
    Ok(if input_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
