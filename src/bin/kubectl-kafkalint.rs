//! `kubectl kafkalint`: kubectl finds this binary on PATH and runs it for the plugin.

fn main() -> std::process::ExitCode {
    kafkalint_cli::kubectl::main()
}
