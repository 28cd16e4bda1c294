//! configMapGenerator and secretGenerator.

use kafkalint_syntax::{env, Node, NodeKind, ScalarStyle, Span};

use crate::kustfile::map_entries;
use crate::resource::{Behavior, GenInfo, Resource};
use crate::tree::{self, str_node};

/// One key of generated data, with where its value came from.
pub struct KvPair {
    pub key: String,
    pub value: String,
    /// Content that is not UTF-8: goes to `binaryData` (Secrets: `data`) base64-encoded.
    pub binary: Option<Vec<u8>>,
    pub key_span: Span,
    pub value_span: Span,
}

/// Generator options after merging `generatorOptions` in.
#[derive(Clone, Default)]
pub struct GenOptions {
    pub labels: Vec<(String, String, Span, Span)>,
    pub annotations: Vec<(String, String, Span, Span)>,
    pub disable_hash: bool,
    pub immutable: bool,
    pub immutable_span: Option<Span>,
}

pub fn parse_options(n: Option<&Node>) -> Result<GenOptions, (String, Span)> {
    let mut o = GenOptions::default();
    let Some(n) = n.filter(|n| !n.is_null()) else {
        return Ok(o);
    };
    if !n.is_map() {
        return Err(("generator options must be a map".into(), n.span));
    }
    if let Some(l) = n.get("labels") {
        o.labels = map_entries(l, "options.labels")?;
    }
    if let Some(a) = n.get("annotations") {
        o.annotations = map_entries(a, "options.annotations")?;
    }
    o.disable_hash = n.get("disableNameSuffixHash").and_then(Node::as_bool) == Some(true);
    if let Some(i) = n.get("immutable") {
        o.immutable = i.as_bool() == Some(true);
        o.immutable_span = Some(i.span);
    }
    Ok(o)
}

/// kustomize's merge: global labels/annotations override local ones; either side disabling
/// the hash or asking for immutability wins.
pub fn merge_options(mut local: GenOptions, global: &GenOptions) -> GenOptions {
    for g in &global.labels {
        local.labels.retain(|l| l.0 != g.0);
        local.labels.push(g.clone());
    }
    for g in &global.annotations {
        local.annotations.retain(|l| l.0 != g.0);
        local.annotations.push(g.clone());
    }
    if global.disable_hash {
        local.disable_hash = true;
    }
    if global.immutable {
        local.immutable = true;
        if local.immutable_span.is_none() {
            local.immutable_span = global.immutable_span;
        }
    }
    local
}

/// `key=value` literal, with kustomize's quote stripping, and spans narrowed to each part.
pub fn parse_literal(node: &Node) -> Result<KvPair, (String, Span)> {
    let Some(src) = node.as_text() else {
        return Err(("literal must be a string `key=value`".into(), node.span));
    };
    let Some((key, raw_value)) = src.split_once('=') else {
        return Err((
            format!("invalid literal source {src}, expected key=value"),
            node.span,
        ));
    };
    if key.is_empty() {
        return Err((
            format!("invalid literal source {src}, expected key=value"),
            node.span,
        ));
    }
    let value = remove_quotes(raw_value);
    let key_len = key.chars().count() as u32;
    // Column of the literal's first character: exact for plain scalars and for quoted ones
    // without escapes.
    let first_col = match node.style() {
        Some(ScalarStyle::Plain) => Some(node.span.start.col),
        Some(ScalarStyle::DoubleQuoted) if !src.contains('\\') => Some(node.span.start.col + 1),
        Some(ScalarStyle::SingleQuoted) if !src.contains('\'') => Some(node.span.start.col + 1),
        _ => None,
    };
    let (key_span, value_span) = match first_col {
        Some(col) if !src.contains('\n') => {
            let line = node.span.start.line;
            let mut vcol = col + key_len + 1;
            let mut vlen = raw_value.chars().count() as u32;
            if value.len() + 2 == raw_value.len() {
                vcol += 1;
                vlen = vlen.saturating_sub(2);
            }
            (
                Span::on_line(node.span.source, line, col, key_len),
                Span::on_line(node.span.source, line, vcol, vlen),
            )
        }
        _ => (node.span, node.span),
    };
    Ok(KvPair {
        key: key.to_string(),
        value: value.to_string(),
        binary: None,
        key_span,
        value_span,
    })
}

fn remove_quotes(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Pairs from an env file's text, each value spanned to its line.
pub fn env_pairs(
    text: &str,
    source: kafkalint_syntax::SourceId,
) -> Result<Vec<KvPair>, (String, Span)> {
    let entries = env::parse(text, source)
        .map_err(|e| (e.message, Span::on_line(source, e.pos.line, e.pos.col, 1)))?;
    Ok(entries
        .into_iter()
        .map(|e| KvPair {
            key: e.key,
            // A line without `=` takes kustomize's own process environment, which an
            // in-process resolver does not share; it reads as unset.
            value: e.value.unwrap_or_default(),
            binary: None,
            key_span: e.key_span,
            value_span: e.value_span,
        })
        .collect())
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && k != "."
        && k != ".."
}

pub struct GenSpec {
    pub is_secret: bool,
    pub name: String,
    pub name_span: Span,
    pub namespace: Option<(String, Span)>,
    pub behavior: Behavior,
    pub secret_type: Option<(String, Span)>,
    pub options: GenOptions,
    pub pairs: Vec<KvPair>,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0) as u32;
        let b1 = chunk.get(1).copied().unwrap_or(0) as u32;
        let b2 = chunk.get(2).copied().unwrap_or(0) as u32;
        let n = (b0 << 16) | (b1 << 8) | b2;
        let idx = |s: u32| B64[((n >> s) & 63) as usize] as char;
        out.push(idx(18));
        out.push(idx(12));
        out.push(if chunk.len() > 1 { idx(6) } else { '=' });
        out.push(if chunk.len() > 2 { idx(0) } else { '=' });
    }
    out
}

/// Secret values as kustomize writes them: base64 broken into 70-character lines, each ended
/// by a newline, once the encoding is 70 characters or longer.
pub fn secret_base64(input: &[u8]) -> String {
    const LINE: usize = 70;
    let enc = base64(input);
    if enc.len() < LINE {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / LINE + 1);
    let bytes = enc.as_bytes();
    for chunk in bytes.chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// Build the ConfigMap or Secret a generator entry describes.
pub fn make(spec: GenSpec) -> Result<Resource, (String, Span)> {
    let span = spec.name_span;
    let what = if spec.is_secret {
        "secret"
    } else {
        "configmap"
    };
    let mut seen: Vec<&str> = Vec::new();
    for p in &spec.pairs {
        if !valid_key(&p.key) {
            return Err((
                format!(
                    "{what} {}: invalid key `{}` (a valid key consists of alphanumeric characters, '-', '_' or '.')",
                    spec.name, p.key
                ),
                p.key_span,
            ));
        }
        if seen.contains(&p.key.as_str()) {
            return Err((
                format!("{what} {} illegally repeats the key `{}`", spec.name, p.key),
                p.key_span,
            ));
        }
        seen.push(&p.key);
    }
    let mut meta = vec![(str_node("name", span), str_node(spec.name.clone(), span))];
    if let Some((ns, ns_span)) = &spec.namespace {
        meta.push((
            str_node("namespace", *ns_span),
            str_node(ns.clone(), *ns_span),
        ));
    }
    if !spec.options.labels.is_empty() {
        let items = spec
            .options
            .labels
            .iter()
            .map(|(k, v, ks, vs)| (str_node(k.clone(), *ks), str_node(v.clone(), *vs)))
            .collect();
        meta.push((str_node("labels", span), tree::map_node(items, span)));
    }
    if !spec.options.annotations.is_empty() {
        let items = spec
            .options
            .annotations
            .iter()
            .map(|(k, v, ks, vs)| (str_node(k.clone(), *ks), str_node(v.clone(), *vs)))
            .collect();
        meta.push((str_node("annotations", span), tree::map_node(items, span)));
    }
    let kind = if spec.is_secret {
        "Secret"
    } else {
        "ConfigMap"
    };
    let mut root = vec![
        (str_node("apiVersion", span), str_node("v1", span)),
        (str_node("kind", span), str_node(kind, span)),
        (str_node("metadata", span), tree::map_node(meta, span)),
    ];
    let mut data: Vec<(Node, Node)> = Vec::new();
    let mut binary: Vec<(Node, Node)> = Vec::new();
    for p in &spec.pairs {
        let key = str_node(p.key.clone(), p.key_span);
        match (&p.binary, spec.is_secret) {
            (Some(b), true) => data.push((key, str_node(secret_base64(b), p.value_span))),
            (Some(b), false) => binary.push((key, str_node(base64(b), p.value_span))),
            (None, true) => data.push((
                key,
                str_node(secret_base64(p.value.as_bytes()), p.value_span),
            )),
            (None, false) => data.push((key, tree::raw_text_node(p.value.clone(), p.value_span))),
        }
    }
    if !binary.is_empty() {
        root.push((str_node("binaryData", span), tree::map_node(binary, span)));
    }
    if !data.is_empty() {
        root.push((str_node("data", span), tree::map_node(data, span)));
    }
    if spec.is_secret {
        let (t, ts) = spec
            .secret_type
            .clone()
            .unwrap_or_else(|| ("Opaque".to_string(), span));
        root.push((str_node("type", ts), str_node(t, ts)));
    }
    if spec.options.immutable {
        let s = spec.options.immutable_span.unwrap_or(span);
        root.push((str_node("immutable", s), tree::plain_node("true", s)));
    }
    let node = Node {
        kind: NodeKind::Map(root),
        span,
    };
    let mut r = Resource::new(node);
    r.gen = Some(GenInfo {
        behavior: spec.behavior,
        hash: !spec.options.disable_hash,
        name_span: span,
    });
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64() {
        assert_eq!(base64(b"secret"), "c2VjcmV0");
        assert_eq!(base64(b"\xff\xfe"), "//4=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b""), "");
    }
}
