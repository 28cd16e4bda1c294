//! Any bytes as a `.properties` file: the parser alone, then as server or client config.

use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};
use kafkalint_syntax::{properties, SourceId};

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
    let _ = properties::parse(text, SourceId(0));
    let mut ws = Workspace::new();
    ws.add_text("server.properties", text.to_string(), FileKind::Properties);
    ws.add_text(
        "producer.properties",
        text.to_string(),
        FileKind::Properties,
    );
    let _ = lint(ws, options());
}
