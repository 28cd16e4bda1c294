//! `kubectl kafkalint`: the same linter with kubectl's flag habits (`-f`, `-k`, `-R`, `-o`).

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "kubectl-kafkalint",
    bin_name = "kubectl kafkalint",
    version,
    about = "Lint Kafka manifests before you apply them: kafkalint as a kubectl plugin",
    after_help = "\
Examples:
  kubectl kafkalint -f statefulset.yaml
  kubectl kafkalint -f k8s/ -R                 every manifest below k8s/
  kubectl kafkalint -k overlays/prod           render the kustomization first, as kubectl -k
  kubectl kustomize overlays/prod | kubectl kafkalint -f -
  kubectl kafkalint -k overlays/prod -o sarif > kafkalint.sarif

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or no input."
)]
struct KubectlArgs {
    /// A manifest file, a directory of them, or - for stdin (may repeat), as `kubectl apply -f`.
    #[arg(short = 'f', long = "filename", value_name = "FILENAME")]
    filename: Vec<String>,
    /// A kustomization directory, rendered natively, as `kubectl apply -k`.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    kustomize: Vec<String>,
    /// Process the directories given with -f recursively.
    #[arg(short = 'R', long)]
    recursive: bool,
    /// Output format: human, concise, json, sarif, gitlab, junit or github.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FORMAT",
        default_value = "human"
    )]
    output: String,
    /// Policy: a pack name (default, production, development) or a file.
    #[arg(long, value_name = "PACK|FILE")]
    policy: Option<String>,
    /// Lowest severity that makes the exit code 1: error, warning, info or never.
    #[arg(long, value_name = "SEVERITY", default_value = "error")]
    fail_on: String,
}

pub fn main() -> ExitCode {
    let args = match KubectlArgs::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if args.filename.is_empty() && args.kustomize.is_empty() {
        eprintln!("error: must specify one of -f and -k");
        return ExitCode::from(2);
    }
    let mut argv: Vec<String> = vec!["kafkalint".into(), "lint".into()];
    argv.extend(args.filename.iter().cloned());
    for k in &args.kustomize {
        argv.push("-k".into());
        argv.push(k.clone());
    }
    if !args.recursive {
        argv.push("--no-recursive".into());
    }
    argv.extend(["--format".into(), args.output.clone()]);
    argv.extend(["--fail-on".into(), args.fail_on.clone()]);
    if let Some(p) = &args.policy {
        argv.extend(["--policy".into(), p.clone()]);
    }
    match crate::Cli::try_parse_from(&argv) {
        Ok(cli) => crate::run(cli),
        Err(e) => {
            let _ = e.print();
            ExitCode::from(2)
        }
    }
}
