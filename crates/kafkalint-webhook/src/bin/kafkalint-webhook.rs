//! `kafkalint-webhook --tls-cert tls.crt --tls-key tls.key [--policy FILE]`.

use std::process::ExitCode;

use clap::Parser;
use kafkalint_webhook::{shutdown_signal, Config, Server};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let config = Config::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = config.workers {
        builder.worker_threads(usize::from(n));
    }
    let runtime = match builder.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kafkalint-webhook: error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        let server = Server::bind(config).await?;
        eprintln!(
            "kafkalint-webhook {}: listening on https://{}",
            env!("CARGO_PKG_VERSION"),
            server.local_addr()?
        );
        server.run(shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kafkalint-webhook: error: {e}");
            ExitCode::from(2)
        }
    }
}
