//! The client examples under `examples/` show exactly the client, KEDA and `.properties`
//! findings they were written to show.

use std::fs;
use std::path::{Path, PathBuf};

use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};

const CODES: &[&str] = &[
    "CFG006", "CLI001", "CLI002", "CLI003", "CLI004", "CLI005", "CLI006", "CLI007", "CLI008",
];

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Lint every file of an example directory together, as `kafkalint lint DIR` would.
fn findings(dir: &str) -> Vec<String> {
    let root = examples().join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut ws = Workspace::new();
    for f in &files {
        let shown = format!("{dir}/{}", f.file_name().unwrap().to_string_lossy());
        ws.add_text(
            &shown,
            fs::read_to_string(f).unwrap(),
            FileKind::from_path(&shown),
        );
    }
    let result = lint(ws, &LintOptions::default());
    result
        .diagnostics
        .iter()
        .filter(|d| CODES.contains(&d.code.as_str()))
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                result.sources.path(d.span.source),
                d.span.start.line,
                d.span.start.col,
                d.severity,
                d.code
            )
        })
        .collect()
}

#[test]
fn shared_group_reports_both_group_ids() {
    assert_eq!(
        findings("shared-group"),
        [
            "shared-group/coupon-consumer.yaml:24:22 error CLI001",
            "shared-group/signup-webhook.yaml:35:35 error CLI001",
        ]
    );
}

#[test]
fn keda_consumer_reports_scaler_consumer_and_producer() {
    assert_eq!(
        findings("keda-consumer"),
        [
            "keda-consumer/order-consumer.yaml:45:24 info CLI004",
            "keda-consumer/order-consumer.yaml:47:27 warning CLI006",
            "keda-consumer/order-consumer.yaml:48:27 error CFG006",
            "keda-consumer/order-consumer.yaml:60:20 warning CLI007",
            "keda-consumer/order-consumer.yaml:67:9 error CLI008",
            "keda-consumer/order-producer.properties:3:6 warning CLI002",
            "keda-consumer/order-producer.properties:4:20 warning CLI003",
        ]
    );
}

#[test]
fn ticketmaster_application_properties_shows_its_findings() {
    assert_eq!(
        findings("ticketmaster"),
        [
            "ticketmaster/application.properties:7:33 warning CLI005",
            "ticketmaster/application.properties:13:53 error CFG006",
        ]
    );
}
