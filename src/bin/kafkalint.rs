//! `kafkalint`; installed as `kubectl-kafkalint` (or linked to that name) it is the kubectl plugin.

fn main() -> std::process::ExitCode {
    kafkalint_cli::main()
}
