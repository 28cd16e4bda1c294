//! Any bytes as a `.env` file: the parser alone, then as a standalone broker's config.

use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};
use kafkalint_syntax::{env, SourceId};

/// Built once: parsing the default policy pack per input would dominate the run.
fn options() -> &'static LintOptions {
    static OPTIONS: std::sync::OnceLock<LintOptions> = std::sync::OnceLock::new();
    OPTIONS.get_or_init(LintOptions::default)
}

/// One fuzz input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = env::parse(text, SourceId(0));
    let mut ws = Workspace::new();
    ws.add_text("broker.env", text.to_string(), FileKind::Env);
    let _ = lint(ws, options());
}
