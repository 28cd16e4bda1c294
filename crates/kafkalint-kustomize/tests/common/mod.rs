//! Helpers shared by the integration tests: running kubectl and comparing renderings as
//! object sets.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use kafkalint_kustomize::{build, canonical_json, to_yaml, Options, RealFs};
use kafkalint_syntax::{yaml, Limits, Node, SourceId, SourceMap};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

pub fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// `kubectl kustomize DIR`: Ok(stdout) or Err(stderr).
pub fn kubectl_kustomize(dir: &Path) -> Result<String, String> {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Our rendering as YAML text.
pub fn render(dir: &Path) -> Result<String, String> {
    let mut sources = SourceMap::new();
    build(
        &RealFs,
        dir,
        &dir.to_string_lossy(),
        &mut sources,
        &Options::default(),
    )
    .map(|r| to_yaml(&r.resources))
    .map_err(|e| e.to_string())
}

fn text_at(n: &Node, keys: &[&str]) -> String {
    n.path(keys)
        .and_then(Node::as_str)
        .unwrap_or("")
        .to_string()
}

/// Objects of a YAML stream, keyed by apiVersion/kind/namespace/name, as canonical JSON
/// (a multiset: repeated keys keep every object).
pub fn object_set(text: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let docs = yaml::parse(text, SourceId(0), &Limits::default()).map_err(|e| e.to_string())?;
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in docs.iter().filter(|d| !d.is_null()) {
        let key = format!(
            "{}/{}/{}/{}",
            text_at(d, &["apiVersion"]),
            text_at(d, &["kind"]),
            text_at(d, &["metadata", "namespace"]),
            text_at(d, &["metadata", "name"])
        );
        let v = out.entry(key).or_default();
        v.push(canonical_json(d));
        v.sort();
    }
    Ok(out)
}

/// None when both renderings hold the same objects; otherwise a short description.
pub fn compare(ours: &str, theirs: &str) -> Option<String> {
    let a = match object_set(ours) {
        Ok(a) => a,
        Err(e) => return Some(format!("our output does not parse: {e}")),
    };
    let b = match object_set(theirs) {
        Ok(b) => b,
        Err(e) => return Some(format!("kubectl output does not parse: {e}")),
    };
    if a == b {
        return None;
    }
    let mut msg = String::new();
    for k in a.keys().chain(b.keys()) {
        if a.get(k) != b.get(k) {
            msg.push_str(&format!(
                "object {k}:\n  ours:    {:?}\n  kubectl: {:?}\n",
                a.get(k),
                b.get(k)
            ));
            break;
        }
    }
    Some(msg)
}

/// apiVersion/kind/namespace/name of each object, in stream order.
pub fn object_order(text: &str) -> Vec<String> {
    let Ok(docs) = yaml::parse(text, SourceId(0), &Limits::default()) else {
        return Vec::new();
    };
    docs.iter()
        .filter(|d| !d.is_null())
        .map(|d| {
            format!(
                "{}/{}/{}/{}",
                text_at(d, &["apiVersion"]),
                text_at(d, &["kind"]),
                text_at(d, &["metadata", "namespace"]),
                text_at(d, &["metadata", "name"])
            )
        })
        .collect()
}
