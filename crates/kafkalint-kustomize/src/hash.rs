//! The name-suffix hash kustomize appends to generated ConfigMaps and Secrets.
//!
//! sha256 over a JSON object with sorted keys (`binaryData` when present, `data`, `kind`,
//! `name`, and for Secrets `stringData` when present and `type`), whose first ten hex digits
//! have some characters swapped so the result never looks like a number or word. kustomize
//! v5 looks the name up under a path it never finds, so `name` is always the empty string.

use kafkalint_syntax::Node;
use sha2::{Digest, Sha256};

use crate::tree::json_string;

/// A data map as (key, value) pairs, or `None` when the field is absent.
pub type DataMap<'a> = Option<&'a [(String, String)]>;

fn write_map(map: &[(String, String)], out: &mut String) {
    let mut items: Vec<&(String, String)> = map.iter().collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items.dedup_by(|a, b| a.0 == b.0);
    out.push('{');
    for (i, (k, v)) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(k, out);
        out.push(':');
        json_string(v, out);
    }
    out.push('}');
}

fn write_field(name: &str, map: DataMap, out: &mut String) {
    json_string(name, out);
    out.push(':');
    match map {
        Some(m) => write_map(m, out),
        None => out.push_str("\"\""),
    }
}

fn encode(json: &str) -> String {
    let digest = Sha256::digest(json.as_bytes());
    let mut hex = String::new();
    for b in digest.iter().take(5) {
        hex.push_str(&format!("{b:02x}"));
    }
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// Hash of a ConfigMap from its `data` and `binaryData` maps.
pub fn config_map_hash(data: DataMap, binary_data: DataMap) -> String {
    let mut s = String::from("{");
    if let Some(b) = binary_data {
        write_field("binaryData", Some(b), &mut s);
        s.push(',');
    }
    write_field("data", data, &mut s);
    s.push_str(",\"kind\":\"ConfigMap\",\"name\":\"\"}");
    encode(&s)
}

/// Hash of a Secret from its `type`, `data` and `stringData` maps.
pub fn secret_hash(type_: &str, data: DataMap, string_data: DataMap) -> String {
    let mut s = String::from("{");
    write_field("data", data, &mut s);
    s.push_str(",\"kind\":\"Secret\",\"name\":\"\"");
    if let Some(sd) = string_data {
        s.push(',');
        write_field("stringData", Some(sd), &mut s);
    }
    s.push_str(",\"type\":");
    json_string(type_, &mut s);
    s.push('}');
    encode(&s)
}

fn pairs(node: Option<&Node>) -> Option<Vec<(String, String)>> {
    let n = node?;
    if !n.is_map() {
        return None;
    }
    Some(
        n.as_map()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap_or("").to_string(),
                    v.as_str().unwrap_or("").to_string(),
                )
            })
            .collect(),
    )
}

/// Hash of a built ConfigMap or Secret node.
pub fn hash_resource(node: &Node) -> String {
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or("");
    let data = pairs(node.get("data"));
    if kind == "Secret" {
        let sd = pairs(node.get("stringData"));
        let ty = node.get("type").and_then(Node::as_str).unwrap_or("");
        secret_hash(ty, data.as_deref(), sd.as_deref())
    } else {
        let bd = pairs(node.get("binaryData"));
        config_map_hash(data.as_deref(), bd.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    // Expected values computed by `kubectl kustomize` (kustomize v5.5).
    #[test]
    fn matches_kubectl() {
        assert_eq!(config_map_hash(Some(&p(&[("a", "1")])), None), "h29d89cmmt");
        assert_eq!(
            config_map_hash(Some(&p(&[("A", "1"), ("B", "2"), ("C", " sp ")])), None),
            "dkmhhbcf2b"
        );
        assert_eq!(
            config_map_hash(
                Some(&p(&[
                    ("W", ""),
                    ("X", "quoted"),
                    ("Y", "dq"),
                    ("Z", "a=b"),
                    ("f.txt", "hello\nworld\n"),
                    ("k2", "hello\nworld\n"),
                ])),
                Some(&p(&[("bin.dat", "//4=")]))
            ),
            "74b6ftkh7h"
        );
        assert_eq!(
            secret_hash("kubernetes.io/tls", Some(&p(&[("pw", "c2VjcmV0")])), None),
            "5m8htcdmc8"
        );
        assert_eq!(
            secret_hash("Opaque", Some(&p(&[("pw", "c2VjcmV0")])), None),
            "dtgd52765c"
        );
        // A generator with no sources has no `data` at all.
        assert_eq!(config_map_hash(None, None), "6ct58987ht");
    }
}
