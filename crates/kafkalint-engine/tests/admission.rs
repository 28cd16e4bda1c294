//! The admission core: AdmissionReview JSON in, the response out. Objects are linted alone, so
//! the last tests check that alone never finds what the whole input does not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kafkalint_engine::admission::{
    field_path, review, review_value, AdmissionError, AdmissionOptions, Skip, Verdict,
};
use kafkalint_engine::{lint, FileKind, LintOptions, Workspace};
use kafkalint_policy::Policy;
use kafkalint_syntax::{yaml, Limits, Node, NodeKind, Pos, ScalarStyle, SourceId};
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// YAML as kubectl sends it: JSON types from the plain scalars, read as YAML 1.1 does
/// (`yes`/`off` are booleans, `1_000` a number).
fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or("").to_string(), to_json(v)))
                .collect(),
        ),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Scalar { value, style } => {
            if *style != ScalarStyle::Plain {
                return Value::String(value.clone());
            }
            if node.is_null() {
                return Value::Null;
            }
            match value.as_str() {
                "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On"
                | "ON" => return Value::Bool(true),
                "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off"
                | "OFF" => return Value::Bool(false),
                _ => {}
            }
            let digits = value.replace('_', "");
            if let Ok(i) = digits.parse::<i64>() {
                return json!(i);
            }
            match value.parse::<f64>() {
                Ok(f) if f.is_finite() => json!(f),
                _ => Value::String(value.clone()),
            }
        }
    }
}

fn documents(text: &str) -> Vec<Value> {
    yaml::parse(text, SourceId(0), &Limits::default())
        .map(|docs| {
            docs.iter()
                .filter(|d| d.is_map() && d.get("kind").is_some())
                .map(to_json)
                .collect()
        })
        .unwrap_or_default()
}

fn example(path: &str, kind: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
    documents(&text)
        .into_iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {path}"))
}

fn request(operation: &str, object: Value) -> Value {
    let kind = object["kind"].as_str().unwrap_or("").to_string();
    let api = object["apiVersion"].as_str().unwrap_or("v1").to_string();
    let (group, version) = api.split_once('/').unwrap_or(("", &api));
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
            "kind": { "group": group, "version": version, "kind": kind },
            "resource": { "group": group, "version": version, "resource": format!("{}s", kind.to_lowercase()) },
            "name": object["metadata"]["name"],
            "namespace": object["metadata"]["namespace"].as_str().unwrap_or("kafka"),
            "operation": operation,
            "userInfo": { "username": "admin" },
            "object": object,
            "oldObject": null,
            "dryRun": false
        }
    })
}

fn judge(doc: Value) -> kafkalint_engine::admission::Review {
    review_value(doc, &AdmissionOptions::default()).unwrap()
}

fn ticketmaster() -> Value {
    example("examples/ticketmaster/kafka.yaml", "StatefulSet")
}

fn forex() -> Value {
    example("examples/forex-stg/before/statefulset.yml", "StatefulSet")
}

#[test]
fn errors_deny_with_403_and_each_finding_at_its_path() {
    let r = judge(request("CREATE", ticketmaster()));
    assert_eq!(r.verdict, Verdict::Denied);
    let resp = &r.response["response"];
    assert_eq!(r.response["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(r.response["kind"], "AdmissionReview");
    assert_eq!(resp["allowed"], false);
    assert_eq!(resp["status"]["code"], 403);
    assert_eq!(resp["status"]["status"], "Failure");
    let message = resp["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("kafkalint: StatefulSet ticketmaster/kafka has 4 error(s):\n"),
        "{message}"
    );
    assert!(
        message.contains("\nTOP002: $(ORDINAL) in KAFKA_ADVERTISED_LISTENERS is never expanded")
    );
    assert!(
        message.contains("(spec.template.spec.containers[0].env[3].value)\n"),
        "{message}"
    );
    for code in ["MEM001", "TOP001", "TOP003"] {
        assert!(
            message.contains(&format!("\n{code}: ")),
            "{code} in {message}"
        );
    }
    // Warnings ride along with a denial too.
    let warnings: Vec<&str> = resp["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("REP006: ")
            && w.ends_with("(spec.template.spec.containers[0].env[16].value)")),
        "{warnings:?}"
    );
}

#[test]
fn uid_is_echoed() {
    for (op, obj) in [
        ("CREATE", ticketmaster()),
        ("CREATE", forex()),
        ("DELETE", Value::Null),
    ] {
        let mut doc = request(op, obj);
        doc["request"]["uid"] = json!("a7c1f9e2-0001-4d1e-9d6b-3f1c2e9a7b10");
        let r = judge(doc);
        assert_eq!(
            r.response["response"]["uid"],
            "a7c1f9e2-0001-4d1e-9d6b-3f1c2e9a7b10"
        );
        assert_eq!(r.uid, "a7c1f9e2-0001-4d1e-9d6b-3f1c2e9a7b10");
    }
}

#[test]
fn warnings_only_are_admitted_with_warnings() {
    let r = judge(request("CREATE", forex()));
    assert_eq!(r.verdict, Verdict::Warned);
    let resp = &r.response["response"];
    assert_eq!(resp["allowed"], true);
    assert_eq!(resp["status"]["code"], 200);
    assert_eq!(
        resp["warnings"],
        json!(["MEM005: memory request 512Mi is 10% of the 5Gi limit: the broker is scheduled where only 512Mi is free and grows toward 5Gi (spec.template.spec.containers[0].resources.requests.memory)"])
    );
}

#[test]
fn the_envfrom_configmap_not_in_the_request_is_unknown() {
    // In its kustomization, forex-stg's env file makes this StatefulSet fail MEM001, MEM002,
    // REP001, REP002 and STO001; alone, those values are unknown and nothing is guessed.
    let r = judge(request("CREATE", forex()));
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["MEM005"]);
}

#[test]
fn apache_kafka_packaged_defaults_are_unknown_behind_envfrom_or_a_mounted_config() {
    // apache/kafka uses its packaged server.properties (replication factors of 1, logs in
    // /tmp) only when no KAFKA_* variable is set and no file is mounted: alone, either may be.
    let base = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "kafka", "namespace": "kafka"},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "kafka",
            "image": "apache/kafka:3.9.0",
            "resources": {"limits": {"memory": "4Gi"}, "requests": {"memory": "4Gi"}}}]}}}});
    let packaged = judge(request("CREATE", base.clone()));
    assert!(
        packaged.findings.iter().any(|f| f.code == "REP001"),
        "{:?}",
        packaged.findings
    );

    let mut env_from = base.clone();
    env_from["spec"]["template"]["spec"]["containers"][0]["envFrom"] =
        json!([{"configMapRef": {"name": "kafka-env"}}]);
    let mut mounted = base;
    mounted["spec"]["template"]["spec"]["volumes"] =
        json!([{"name": "config", "configMap": {"name": "kafka-config"}}]);
    mounted["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "config", "mountPath": "/mnt/shared/config"}]);
    for object in [env_from, mounted] {
        let r = judge(request("CREATE", object));
        let config: Vec<&str> = r
            .findings
            .iter()
            .map(|f| f.code.as_str())
            .filter(|c| !c.starts_with("MEM") && *c != "TOP007")
            .collect();
        assert!(config.is_empty(), "{config:?}");
    }
}

#[test]
fn a_clean_object_is_allowed_without_warnings() {
    let mut sts = forex();
    sts["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["memory"] =
        json!("5Gi");
    let r = judge(request("CREATE", sts));
    assert_eq!(r.verdict, Verdict::Allowed);
    assert_eq!(
        r.response,
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
               "response": {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "allowed": true,
                            "status": {"status": "Success", "code": 200}}})
    );
}

#[test]
fn dry_run_gets_the_same_verdict_and_no_side_effects() {
    let mut doc = request("CREATE", ticketmaster());
    let real = judge(doc.clone());
    doc["request"]["dryRun"] = json!(true);
    let dry = judge(doc);
    assert_eq!(dry.verdict, Verdict::Denied);
    assert_eq!(dry.response, real.response);
}

#[test]
fn delete_and_connect_are_allowed_unlinted() {
    let mut doc = request("DELETE", Value::Null);
    doc["request"]["oldObject"] = ticketmaster();
    let r = judge(doc);
    assert_eq!(r.verdict, Verdict::Skipped(Skip::Operation));
    assert_eq!(r.response["response"]["allowed"], true);
    assert!(r.findings.is_empty());
    let r = judge(request("CONNECT", Value::Null));
    assert_eq!(r.verdict, Verdict::Skipped(Skip::Operation));
}

#[test]
fn subresources_are_allowed_unlinted() {
    let mut doc = request(
        "UPDATE",
        json!({"apiVersion": "autoscaling/v1", "kind": "Scale",
        "metadata": {"name": "kafka", "namespace": "ticketmaster"}, "spec": {"replicas": 1}}),
    );
    doc["request"]["subResource"] = json!("scale");
    doc["request"]["oldObject"] = doc["request"]["object"].clone();
    let r = judge(doc);
    assert_eq!(r.verdict, Verdict::Skipped(Skip::Subresource));
    assert_eq!(r.response["response"]["allowed"], true);
}

#[test]
fn exempt_namespaces_are_allowed_unlinted() {
    let options = AdmissionOptions {
        exempt_namespaces: vec!["sandbox".into(), "dev-*".into()],
        ..AdmissionOptions::default()
    };
    for (ns, exempt) in [
        ("ticketmaster", false),
        ("sandbox", true),
        ("dev-alice", true),
        ("sandbox2", false),
    ] {
        let mut doc = request("CREATE", ticketmaster());
        doc["request"]["namespace"] = json!(ns);
        doc["request"]["object"]["metadata"]["namespace"] = json!(ns);
        let r = review_value(doc, &options).unwrap();
        let expected = if exempt {
            Verdict::Skipped(Skip::ExemptNamespace)
        } else {
            Verdict::Denied
        };
        assert_eq!(r.verdict, expected, "{ns}");
    }
}

#[test]
fn warn_only_turns_denials_into_warnings() {
    let options = AdmissionOptions {
        warn_only: true,
        ..AdmissionOptions::default()
    };
    let r = review_value(request("CREATE", ticketmaster()), &options).unwrap();
    assert_eq!(r.verdict, Verdict::Warned);
    let resp = &r.response["response"];
    assert_eq!(resp["allowed"], true);
    let warnings = resp["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 6);
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().starts_with("would be denied: MEM001: ")));
}

#[test]
fn update_denies_only_new_errors_unless_told_otherwise() {
    let old = ticketmaster();
    let mut same = old.clone();
    same["metadata"]["labels"] = json!({"team": "tickets"});
    let mut doc = request("UPDATE", same);
    doc["request"]["oldObject"] = old.clone();
    let r = judge(doc.clone());
    assert_eq!(r.verdict, Verdict::Warned, "{:?}", r.response);
    assert!(r
        .findings
        .iter()
        .filter(|f| f.code != "REP006" && f.code != "MEM005")
        .all(|f| f.existing));
    assert!(r.response["response"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w
            .as_str()
            .unwrap()
            .starts_with("already in the stored object: TOP001: ")));

    let strict = AdmissionOptions {
        deny_existing: true,
        ..AdmissionOptions::default()
    };
    assert_eq!(review_value(doc, &strict).unwrap().verdict, Verdict::Denied);

    // An env var added above the offending ones shifts their paths; they are still old.
    let mut shifted = old.clone();
    shifted["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"name": "TZ", "value": "UTC"}));
    let mut doc = request("UPDATE", shifted);
    doc["request"]["oldObject"] = old.clone();
    assert_eq!(judge(doc).verdict, Verdict::Warned);

    // A new error on an old object still denies, and only it is listed.
    let mut worse = old.clone();
    worse["spec"]["template"]["spec"]["volumes"] = json!([{"name": "data", "emptyDir": {}}]);
    worse["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "KAFKA_LOG_DIRS", "value": "/var/lib/kafka/data"}));
    worse["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "data", "mountPath": "/var/lib/kafka/data"}]);
    let mut doc = request("UPDATE", worse);
    doc["request"]["oldObject"] = old;
    let r = judge(doc);
    assert_eq!(r.verdict, Verdict::Denied);
    let message = r.response["response"]["status"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("has 1 error(s):\nSTO001: "), "{message}");
}

#[test]
fn objects_being_deleted_and_controller_children_are_not_blocked() {
    let mut old = ticketmaster();
    old["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    old["metadata"]["finalizers"] = json!(["example.com/cleanup"]);
    let mut new = old.clone();
    new["metadata"]["finalizers"] = json!([]);
    let mut doc = request("UPDATE", new);
    doc["request"]["oldObject"] = old;
    assert_eq!(judge(doc).verdict, Verdict::Skipped(Skip::BeingDeleted));

    let mut pod = ticketmaster()["spec"]["template"].clone();
    pod["apiVersion"] = json!("v1");
    pod["kind"] = json!("Pod");
    pod["metadata"] = json!({"name": "kafka-0", "namespace": "ticketmaster", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "kafka", "uid": "x", "controller": true}]});
    assert_eq!(
        judge(request("CREATE", pod.clone())).verdict,
        Verdict::Skipped(Skip::ControllerOwned)
    );
    // The same pod made by hand is linted.
    pod["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("ownerReferences");
    assert_eq!(judge(request("CREATE", pod)).verdict, Verdict::Denied);
}

#[test]
fn bad_bodies_are_errors_not_verdicts() {
    let o = AdmissionOptions::default();
    assert!(matches!(
        review(b"{not json", &o),
        Err(AdmissionError::Json(_))
    ));
    let mut doc = request("CREATE", forex());
    doc["apiVersion"] = json!("admission.k8s.io/v1beta1");
    let e = review_value(doc, &o).unwrap_err();
    assert!(e.to_string().contains("only admission.k8s.io/v1"), "{e}");
    let mut doc = request("CREATE", forex());
    doc["kind"] = json!("TokenReview");
    assert!(review_value(doc, &o).is_err());
    let mut doc = request("CREATE", forex());
    doc["request"]["uid"] = json!("");
    assert!(review_value(doc, &o).is_err());
    let doc = request("CREATE", Value::Null);
    assert!(review_value(doc, &o).is_err());
    let e = review(b"[]", &o).unwrap_err();
    assert!(e.to_string().contains("not a JSON object"), "{e}");
    assert!(matches!(
        review(b"{\"kind\":\"AdmissionReview\"} trailing", &o),
        Err(AdmissionError::Json(_))
    ));
    let mut doc = request("CREATE", forex());
    doc["request"] = json!("a string");
    let e = review_value(doc, &o).unwrap_err();
    assert!(e.to_string().contains("expected struct Request"), "{e}");
    let doc = request("CREATE", json!("a string"));
    let e = review_value(doc, &o).unwrap_err();
    assert!(e.to_string().contains("request.object"), "{e}");
    assert!(review(
        b"{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
        &o
    )
    .is_err());
}

#[test]
fn the_request_namespace_reaches_policy_exemptions() {
    // On CREATE the object often has no metadata.namespace; the request's is used.
    let policy = Policy::parse(
        "exemptions:\n  - rules: [topology, memory]\n    namespace: ticketmaster\n    reason: being migrated\n",
    )
    .unwrap();
    let options = AdmissionOptions {
        lint: LintOptions {
            policy,
            ..LintOptions::default()
        },
        ..AdmissionOptions::default()
    };
    let mut doc = request("CREATE", ticketmaster());
    doc["request"]["object"]["metadata"]
        .as_object_mut()
        .unwrap()
        .remove("namespace");
    let r = review_value(doc, &options).unwrap();
    assert_eq!(r.verdict, Verdict::Warned, "{}", r.response);
}

#[test]
fn annotations_suppress_and_unused_ones_are_not_reported_alone() {
    let mut sts = ticketmaster();
    sts["metadata"]["annotations"] = json!({
        "kafkalint.io/ignore": "TOP001,TOP002,TOP003,MEM001,STO001",
        "kafkalint.io/ignore-reason": "STO001 fires only with the ConfigMap in view"
    });
    let r = judge(request("CREATE", sts));
    assert_eq!(r.verdict, Verdict::Warned, "{}", r.response);
    assert!(r.findings.iter().all(|f| f.code != "SUP002"));
}

#[test]
fn a_strimzi_kafka_with_node_pools_is_not_judged_on_what_pools_set() {
    let text = "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata:\n  name: c\n  namespace: kafka\n  annotations:\n    strimzi.io/node-pools: enabled\n    strimzi.io/kraft: enabled\nspec:\n  kafka:\n    version: 3.9.0\n    listeners:\n      - {name: plain, port: 9092, type: internal, tls: false}\n    config:\n      min.insync.replicas: 1\n";
    let kafka = documents(text).remove(0);
    let r = judge(request("CREATE", kafka));
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    // Cluster-wide config is the Kafka's own; memory and storage belong to the pools.
    assert!(codes.contains(&"REP002"), "{codes:?}");
    assert!(codes.contains(&"RET001"), "{codes:?}");
    assert!(
        !codes
            .iter()
            .any(|c| c.starts_with("MEM") || c.starts_with("STO")),
        "{codes:?}"
    );
}

#[test]
fn strimzi_and_topics_are_judged_alone() {
    let r = judge(request(
        "CREATE",
        example("examples/strimzi/kafka.yaml", "Kafka"),
    ));
    assert_eq!(r.verdict, Verdict::Denied);
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    for code in ["MEM001", "MEM002", "RET001"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    let message = r.response["response"]["status"]["message"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("(spec.kafka.resources.limits.memory)"),
        "{message}"
    );
}

#[test]
fn field_paths_follow_maps_and_sequences() {
    let text = "a:\n  b:\n    - x: 1\n    - y: [2, 3]\n";
    let root = yaml::parse(text, SourceId(0), &Limits::default())
        .unwrap()
        .remove(0);
    assert_eq!(field_path(&root, Pos::new(4, 14)), "a.b[1].y[1]");
    assert_eq!(field_path(&root, Pos::new(3, 10)), "a.b[0].x");
    assert_eq!(field_path(&root, Pos::new(3, 7)), "a.b[0].x");
    assert_eq!(field_path(&root, Pos::new(1, 1)), "a");
}

/// Each object reviewed alone finds nothing (code, message) that linting its whole input does
/// not: what is outside the request stays unknown.
fn isolation_extras(files: &[PathBuf]) -> (Vec<String>, usize) {
    let mut extras = Vec::new();
    let mut reviewed = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        // Comments never reach the apiserver; annotations do (tested above).
        if text.contains("kafkalint: ignore") {
            continue;
        }
        let docs = documents(&text);
        if docs.is_empty() {
            continue;
        }
        let mut ws = Workspace::new();
        ws.add_text("input.yaml", text.clone(), FileKind::Yaml);
        let mut together: BTreeMap<(String, String), usize> = BTreeMap::new();
        for d in lint(ws, &LintOptions::default()).diagnostics {
            if d.severity >= kafkalint_policy::Severity::Warning {
                *together.entry((d.code, d.message)).or_default() += 1;
            }
        }
        let mut alone: BTreeMap<(String, String), usize> = BTreeMap::new();
        for doc in docs {
            if doc["metadata"].is_null() {
                continue;
            }
            let Ok(r) = review_value(request("CREATE", doc), &AdmissionOptions::default()) else {
                continue;
            };
            reviewed += 1;
            for f in r.findings {
                *alone.entry((f.code, f.message)).or_default() += 1;
            }
        }
        for (k, n) in alone {
            if n > together.get(&k).copied().unwrap_or(0) {
                extras.push(format!("{}: {} {}", file.display(), k.0, k.1));
            }
        }
    }
    (extras, reviewed)
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p
            .extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        {
            out.push(p);
        }
    }
}

#[test]
fn alone_finds_nothing_the_whole_input_does_not_in_examples_and_fixtures() {
    let mut files = Vec::new();
    yaml_files(&repo().join("examples"), &mut files);
    yaml_files(&repo().join("crates/kafkalint-rules/fixtures"), &mut files);
    files.sort();
    let (extras, reviewed) = isolation_extras(&files);
    assert!(reviewed > 150, "{reviewed}");
    assert!(extras.is_empty(), "{}", extras.join("\n"));
}

#[test]
fn alone_finds_nothing_the_whole_input_does_not_in_the_public_corpus() {
    let dir = repo().join("../shared/corpus/public");
    if !dir.is_dir() {
        eprintln!("skipped: ../shared/corpus/public is not beside the repository");
        return;
    }
    let mut files = Vec::new();
    yaml_files(&dir, &mut files);
    files.sort();
    let (extras, reviewed) = isolation_extras(&files);
    eprintln!("{reviewed} corpus objects reviewed alone");
    assert!(reviewed > 1000, "{reviewed}");
    assert!(extras.is_empty(), "{}", extras.join("\n"));
}
