//! Kustomize and kpt integrations: `kafkalint fn` (a KRM function reading and writing a
//! `ResourceList`) and `kafkalint kustomize-validator` (a legacy exec plugin, the kind
//! `kubectl kustomize --enable-alpha-plugins` runs).

use std::io::Read;
use std::process::ExitCode;

use kafkalint_engine::admission::{contains, field_path};
use kafkalint_engine::{lint, LintOptions, Workspace};
use kafkalint_policy::{Policy, Severity};
use kafkalint_syntax::{yaml, Limits, Node};
use serde_yaml::{Mapping, Value};

fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(text)
}

/// A policy from a pack name or inline policy YAML.
fn policy_from(spec: &str, origin: &str) -> Result<Policy, String> {
    let spec = spec.trim();
    if !spec.contains('\n') && !spec.contains(':') {
        return Policy::pack(spec).ok_or_else(|| {
            format!("{origin}: `{spec}` is not a pack (default, production, development)")
        });
    }
    Policy::resolve(spec, origin, &mut |p| {
        Err(format!(
            "cannot read {p}: inline policies extend packs only"
        ))
    })
    .map_err(|e| e.to_string())
}

fn annotation<'a>(item: &'a Node, key: &str) -> Option<&'a str> {
    item.path(&["metadata", "annotations"])
        .and_then(|a| a.get(key))
        .and_then(Node::as_text)
}

/// `kafkalint fn`: lint the items of a ResourceList and return it with `results`.
pub fn krm_function() -> Result<ExitCode, String> {
    let text = read_stdin()?;
    let root = yaml::parse(&text, kafkalint_syntax::SourceId(0), &Limits::default())
        .map_err(|e| format!("stdin is not a ResourceList: {e}"))?
        .into_iter()
        .next()
        .ok_or("stdin is empty: expected a ResourceList")?;
    if root.text_at(&["kind"]) != Some("ResourceList") {
        return Err("stdin is not a ResourceList (config.kubernetes.io/v1)".into());
    }
    let mut list: Value =
        serde_yaml::from_str(&text).map_err(|e| format!("stdin is not a ResourceList: {e}"))?;

    let mut options = LintOptions::default();
    if let Some(config) = root.get("functionConfig") {
        match config.text_at(&["kind"]) {
            Some("ConfigMap") => {
                if let Some(spec) = config.text_at(&["data", "policy"]) {
                    options.policy = policy_from(spec, "functionConfig data.policy")?;
                }
            }
            Some(other) => {
                return Err(format!(
                    "not supported: functionConfig of kind {other}; use a ConfigMap with data.policy (a pack name or policy YAML)"
                ))
            }
            None => {}
        }
    }

    let mut ws = Workspace::new();
    let id = ws.sources.add("<ResourceList>", text.clone());
    let items: Vec<Node> = root
        .get("items")
        .map(|i| i.as_seq().to_vec())
        .unwrap_or_default();
    // Spans must point into the text registered above: parse again under that source.
    let items: Vec<Node> = match yaml::parse(&text, id, &Limits::default()) {
        Ok(docs) => docs
            .into_iter()
            .next()
            .and_then(|r| r.get("items").map(|i| i.as_seq().to_vec()))
            .unwrap_or(items),
        Err(_) => items,
    };
    ws.add_documents(id, items.clone());
    let result = lint(ws, &options);

    let mut results = Vec::new();
    let mut failed = false;
    for d in &result.diagnostics {
        failed |= d.severity == Severity::Error;
        let mut r = Mapping::new();
        let message = match &d.help {
            Some(h) => format!("[{}] {} (help: {h})", d.code, d.message),
            None => format!("[{}] {}", d.code, d.message),
        };
        r.insert("message".into(), message.into());
        r.insert(
            "severity".into(),
            match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            }
            .into(),
        );
        r.insert("tags".into(), {
            let mut t = Mapping::new();
            t.insert("rule".into(), d.code.clone().into());
            Value::Mapping(t)
        });
        if let Some(item) = items.iter().find(|i| contains(i, d.span.start)) {
            let mut rref = Mapping::new();
            for (k, path) in [
                ("apiVersion", &["apiVersion"][..]),
                ("kind", &["kind"][..]),
                ("name", &["metadata", "name"][..]),
                ("namespace", &["metadata", "namespace"][..]),
            ] {
                if let Some(v) = item.text_at(path) {
                    rref.insert(k.into(), v.into());
                }
            }
            r.insert("resourceRef".into(), Value::Mapping(rref));
            let path = field_path(item, d.span.start);
            if !path.is_empty() {
                let mut f = Mapping::new();
                f.insert("path".into(), path.into());
                r.insert("field".into(), Value::Mapping(f));
            }
            let file = annotation(item, "internal.config.kubernetes.io/path")
                .or_else(|| annotation(item, "config.kubernetes.io/path"));
            if let Some(file) = file {
                let mut f = Mapping::new();
                f.insert("path".into(), file.into());
                r.insert("file".into(), Value::Mapping(f));
            }
        }
        results.push(Value::Mapping(r));
    }
    if let Value::Mapping(m) = &mut list {
        m.insert("results".into(), Value::Sequence(results));
    }
    let out =
        serde_yaml::to_string(&list).map_err(|e| format!("cannot write the ResourceList: {e}"))?;
    crate::emit(&out);
    Ok(ExitCode::from(u8::from(failed)))
}

/// `kafkalint kustomize-validator CONFIG`: kustomize's legacy exec plugin contract. Resources
/// come as a YAML stream on stdin, the plugin config's path as the argument. Silent on
/// success; on an error-level finding, the findings on stderr and exit 1.
pub fn kustomize_validator(config_path: &str) -> Result<ExitCode, String> {
    let config = std::fs::read_to_string(config_path)
        .map_err(|e| format!("plugin config {config_path}: {e}"))?;
    let config_node = yaml::parse(&config, kafkalint_syntax::SourceId(0), &Limits::default())
        .map_err(|e| format!("plugin config {config_path}: {e}"))?
        .into_iter()
        .next();
    let mut options = LintOptions::default();
    if let Some(spec) = config_node.as_ref().and_then(|c| c.text_at(&["policy"])) {
        options.policy = policy_from(spec, "validator config `policy`")?;
    }
    let text = read_stdin()?;
    let mut ws = Workspace::new();
    ws.add_text("<kustomize output>", text, kafkalint_engine::FileKind::Yaml);
    let result = lint(ws, &options);
    let errors: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut msg = format!(
        "kafkalint: {} error(s) in the rendered resources:\n",
        errors.len()
    );
    for d in &errors {
        let what = d
            .resource
            .as_ref()
            .map(|r| format!("{}/{}", r.kind, r.name))
            .unwrap_or_default();
        msg.push_str(&format!(
            "  {what}: {}[{}] {}\n",
            d.severity, d.code, d.message
        ));
    }
    eprint!("{msg}");
    Ok(ExitCode::from(1))
}
