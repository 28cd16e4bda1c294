//! `kafkalint webhook`: hands over to the `kafkalint-webhook` server binary. The server lives
//! in its own crate so that linting files never compiles tokio, hyper and rustls.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

const SERVER: &str = "kafkalint-webhook";

/// The server next to this executable (how release archives and `cargo install` lay them out),
/// else the first one on `PATH`.
fn find_server() -> Option<PathBuf> {
    let file = format!("{SERVER}{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&file)));
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(&file)).collect())
        .unwrap_or_default();
    beside.into_iter().chain(on_path).find(|p| p.is_file())
}

pub(crate) fn run(args: Vec<OsString>) -> Result<ExitCode, String> {
    let Some(server) = find_server() else {
        return Err(format!(
            "not installed: `kafkalint webhook` runs the separate {SERVER} binary, which was not \
             found next to kafkalint or on PATH; install it with \
             `cargo install --locked --path crates/{SERVER}` or use the container image \
             (deploy/webhook/Dockerfile)"
        ));
    };
    let mut command = std::process::Command::new(&server);
    command.args(&args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Replace this process, so SIGTERM from the kubelet reaches the server directly.
        let error = command.exec();
        Err(format!("cannot run {}: {error}", server.display()))
    }
    #[cfg(not(unix))]
    {
        let status = command
            .status()
            .map_err(|e| format!("cannot run {}: {e}", server.display()))?;
        Ok(ExitCode::from(
            status.code().unwrap_or(2).clamp(0, 255) as u8
        ))
    }
}
