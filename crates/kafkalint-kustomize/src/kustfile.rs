//! The kustomization file: known fields, and spanned accessors for them.

use kafkalint_syntax::{Node, NodeKind, Span};

/// Key, value, key span, value span.
type KeyValues = Vec<(String, String, Span, Span)>;

/// Fields kustomize v5.5 knows. Anything else is an error, as kustomize's strict parse makes it.
const KNOWN: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

/// Known fields this resolver does not implement; refused when they hold anything.
const UNSUPPORTED: &[&str] = &[
    "openapi",
    "vars",
    "crds",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
];

pub struct KustFile {
    /// Display path of the file.
    pub file: String,
    pub root: Node,
}

fn is_empty_value(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Scalar { .. } => n.is_null() || n.as_str() == Some(""),
        NodeKind::Seq(v) => v.is_empty(),
        NodeKind::Map(v) => v.is_empty(),
    }
}

impl KustFile {
    /// Check the top-level fields; returns the first problem as (message, span).
    pub fn check_fields(&self) -> Result<(), (String, Span)> {
        if !self.root.is_map() {
            return Err((
                "kustomization must be a mapping of fields".into(),
                self.root.span,
            ));
        }
        for (k, v) in self.root.as_map() {
            let key = k.as_str().unwrap_or("");
            if !KNOWN.contains(&key) {
                return Err((
                    format!("invalid Kustomization: unknown field \"{key}\""),
                    k.span,
                ));
            }
            if UNSUPPORTED.contains(&key) && !is_empty_value(v) {
                let what = match key {
                    "vars" => "legacy `vars` (use replacements)".to_string(),
                    "generators" | "transformers" | "validators" => {
                        format!("`{key}` plugins")
                    }
                    _ => format!("`{key}`"),
                };
                return Err((format!("not supported: {what} in {}", self.file), k.span));
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.root.get(key).filter(|n| !n.is_null())
    }

    pub fn kind(&self) -> &str {
        self.get("kind").and_then(Node::as_str).unwrap_or("")
    }

    /// A list of strings (resources, bases, components, ...), with spans.
    pub fn string_list(&self, key: &str) -> Result<Vec<(String, Span)>, (String, Span)> {
        let Some(n) = self.get(key) else {
            return Ok(Vec::new());
        };
        if !n.is_seq() {
            return Err((format!("`{key}` must be a list"), n.span));
        }
        let mut out = Vec::new();
        for it in n.as_seq() {
            match it.as_text() {
                Some(s) => out.push((s.to_string(), it.span)),
                None if it.is_null() => {}
                None => return Err((format!("entries of `{key}` must be strings"), it.span)),
            }
        }
        Ok(out)
    }

    /// A string-to-string map (commonLabels, commonAnnotations), with key and value nodes.
    pub fn string_map(&self, key: &str) -> Result<KeyValues, (String, Span)> {
        let Some(n) = self.get(key) else {
            return Ok(Vec::new());
        };
        map_entries(n, key)
    }

    pub fn scalar(&self, key: &str) -> Option<(String, Span)> {
        self.get(key)
            .and_then(|n| n.as_text().map(|s| (s.to_string(), n.span)))
    }
}

/// Entries of a string map node.
pub fn map_entries(n: &Node, what: &str) -> Result<KeyValues, (String, Span)> {
    if n.is_null() {
        return Ok(Vec::new());
    }
    if !n.is_map() {
        return Err((format!("`{what}` must be a map of strings"), n.span));
    }
    let mut out: Vec<(String, String, Span, Span)> = Vec::new();
    for (k, v) in n.as_map() {
        let key = k.as_str().unwrap_or("").to_string();
        let val = match &v.kind {
            NodeKind::Scalar { value, .. } => {
                if v.is_null() {
                    String::new()
                } else {
                    value.clone()
                }
            }
            _ => return Err((format!("values of `{what}` must be strings"), v.span)),
        };
        out.retain(|e| e.0 != key);
        out.push((key, val, k.span, v.span));
    }
    Ok(out)
}

/// Is this a reference kustomize would fetch over the network?
pub fn is_remote(path: &str) -> bool {
    let p = path.trim();
    p.starts_with("http://")
        || p.starts_with("https://")
        || p.starts_with("git@")
        || p.starts_with("git::")
        || p.starts_with("ssh://")
        || p.starts_with("oci://")
        || p.starts_with("github.com/")
        || p.starts_with("gitlab.com/")
        || p.starts_with("bitbucket.org/")
        || (p.contains("?ref=") && !p.starts_with('.'))
}
