//! Any bytes as a YAML file, through the whole pipeline: parse, model, rules, suppressions.

use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};

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
    let mut ws = Workspace::new();
    ws.add_text("k8s/broker.yaml", text.to_string(), FileKind::Yaml);
    let _ = lint(ws, options());
}
