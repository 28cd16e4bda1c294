//! Render a kustomization directory like `kubectl kustomize DIR`.
use std::path::Path;

use kafkalint_kustomize::{build, to_yaml, Options, RealFs};
use kafkalint_syntax::SourceMap;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: render DIR");
        std::process::exit(2);
    };
    let mut sources = SourceMap::new();
    match build(
        &RealFs,
        Path::new(&dir),
        &dir,
        &mut sources,
        &Options::default(),
    ) {
        Ok(r) => print!("{}", to_yaml(&r.resources)),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
