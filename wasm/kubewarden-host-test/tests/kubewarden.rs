//! The Kubewarden build of kafkalint, loaded by a waPC host with real AdmissionReview requests:
//! accept, reject with the findings, warnings, settings that map onto a policy file, and
//! invalid settings.

use std::path::Path;

use kafkalint_kubewarden_host_test::{host, module_path};
use serde_json::{json, Value};

fn module() -> Option<Vec<u8>> {
    let path = module_path();
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        // scripts/test.sh sets the variable after building the module, so there it must exist.
        Err(e) if std::env::var_os("KAFKALINT_KUBEWARDEN_WASM").is_some() => {
            panic!("{}: {e}", path.display())
        }
        Err(_) => {
            eprintln!(
                "skipped: {} is not built (scripts/test.sh builds it)",
                path.display()
            );
            None
        }
    }
}

/// A YAML example's object of this kind, as JSON (PyYAML, which scripts/test.sh installs).
fn example(path: &str, kind: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import json,sys,yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    docs.into_iter().find(|d| d["kind"] == kind).unwrap()
}

/// Kubewarden's `validate` payload: the AdmissionRequest and the policy's settings.
fn payload(object: Value, uid: &str, settings: Value) -> Vec<u8> {
    let (group, version) = match object["apiVersion"].as_str().unwrap().split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (
            String::new(),
            object["apiVersion"].as_str().unwrap().to_string(),
        ),
    };
    let kind = object["kind"].as_str().unwrap().to_string();
    json!({
        "request": {
            "uid": uid,
            "kind": { "group": group, "version": version, "kind": kind },
            "resource": { "group": group, "version": version, "resource": format!("{}s", kind.to_lowercase()) },
            "name": object["metadata"]["name"],
            "namespace": object["metadata"]["namespace"].as_str().unwrap_or("default"),
            "operation": "CREATE",
            "userInfo": { "username": "kubernetes-admin", "groups": ["system:masters"] },
            "object": object,
            "dryRun": false
        },
        "settings": settings
    })
    .to_string()
    .into_bytes()
}

fn call(host: &wapc::WapcHost, op: &str, payload: &[u8]) -> Value {
    let out = host.call(op, payload).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn validates_admission_requests_over_wapc() {
    let Some(module) = module() else { return };
    let host = host(&module).unwrap();

    let v = call(&host, "protocol_version", b"");
    assert_eq!(v, json!("v1"));

    // Reject: the ticketmaster broker never starts and has unbounded direct memory.
    let bad = example("examples/ticketmaster/kafka.yaml", "StatefulSet");
    let r = call(
        &host,
        "validate",
        &payload(bad.clone(), "uid-bad", json!({})),
    );
    assert_eq!(r["accepted"], false, "{r}");
    assert_eq!(r["code"], 403);
    let message = r["message"].as_str().unwrap();
    assert!(
        message.starts_with("kafkalint: StatefulSet ticketmaster/kafka has 4 error(s):"),
        "{message}"
    );
    assert!(
        message.contains("\nMEM001: direct memory is unbounded"),
        "{message}"
    );

    // Accept with a warning: the forex-stg broker alone (its env ConfigMap is not in the request).
    let forex = example("examples/forex-stg/before/statefulset.yml", "StatefulSet");
    let r = call(
        &host,
        "validate",
        &payload(forex.clone(), "uid-warn", json!({})),
    );
    assert_eq!(r["accepted"], true, "{r}");
    let warnings = r["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{r}");
    assert!(warnings[0]
        .as_str()
        .unwrap()
        .starts_with("MEM005: memory request 512Mi is 10% of the 5Gi limit"));

    // Accept: the same broker with its memory request at the limit.
    let mut good = forex;
    good["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] =
        json!("5Gi");
    let r = call(&host, "validate", &payload(good, "uid-good", json!({})));
    assert_eq!(r["accepted"], true, "{r}");
    assert_eq!(r["warnings"], Value::Null, "{r}");

    // Settings are a policy file as a map: every rule a warning, so the bad broker is admitted.
    let lenient = json!({ "extends": "default", "rules": { "ALL": { "severity": "warning" } } });
    let r = call(
        &host,
        "validate",
        &payload(bad.clone(), "uid-lenient", lenient),
    );
    assert_eq!(r["accepted"], true, "{r}");
    assert!(r["warnings"].as_array().unwrap().len() >= 4, "{r}");

    // An exemption in the settings.
    let exempt =
        json!({ "exemptions": [{ "rules": ["ALL"], "namespace": "ticket*", "reason": "legacy" }] });
    let r = call(&host, "validate", &payload(bad, "uid-exempt", exempt));
    assert_eq!(r["accepted"], true, "{r}");
}

#[test]
fn settings_are_validated_as_a_policy_file() {
    let Some(module) = module() else { return };
    let host = host(&module).unwrap();

    for valid in [
        json!({}),
        json!({ "extends": "production" }),
        json!({ "thresholds": { "replication_factor_min": 2 }, "rules": { "STO002": { "severity": "error" } } }),
    ] {
        let r = call(&host, "validate_settings", valid.to_string().as_bytes());
        assert_eq!(r["valid"], true, "{valid}: {r}");
    }
    for (invalid, says) in [
        (json!({ "extends": "strict" }), "neither a pack"),
        (
            json!({ "rules": { "NOPE": { "enabled": false } } }),
            "selects no rule",
        ),
        (
            json!({ "thresholds": { "replication_factor_mn": 2 } }),
            "replication_factor_mn",
        ),
    ] {
        let r = call(&host, "validate_settings", invalid.to_string().as_bytes());
        assert_eq!(r["valid"], false, "{invalid}: {r}");
        let message = r["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
}
