//! RFC 6902 JSON patches applied to spanned trees (values keep the patch's spans).

use kafkalint_syntax::{Node, NodeKind, Span};

use crate::tree::{self, canonical_json};

#[derive(Clone, Debug)]
pub struct Op {
    pub op: String,
    pub path: String,
    pub from: Option<String>,
    pub value: Option<Node>,
    pub span: Span,
}

/// Read the operations from a parsed patch document (a sequence of maps).
pub fn parse_ops(doc: &Node) -> Result<Vec<Op>, (String, Span)> {
    if !doc.is_seq() {
        return Err(("a JSON patch must be a list of operations".into(), doc.span));
    }
    let mut ops = Vec::new();
    for it in doc.as_seq() {
        if !it.is_map() {
            return Err(("a JSON patch operation must be a map".into(), it.span));
        }
        let op = it
            .get("op")
            .and_then(Node::as_text)
            .ok_or_else(|| ("JSON patch operation without `op`".to_string(), it.span))?
            .to_string();
        if !matches!(
            op.as_str(),
            "add" | "remove" | "replace" | "move" | "copy" | "test"
        ) {
            return Err((
                format!("unexpected kind of JSON patch operation: {op}"),
                it.span,
            ));
        }
        let path = it
            .get("path")
            .and_then(Node::as_str)
            .ok_or_else(|| (format!("JSON patch operation {op} without `path`"), it.span))?
            .to_string();
        let from = it.get("from").and_then(Node::as_str).map(str::to_string);
        if matches!(op.as_str(), "move" | "copy") && from.is_none() {
            return Err((format!("JSON patch operation {op} without `from`"), it.span));
        }
        let value = it.get("value").cloned();
        if matches!(op.as_str(), "add" | "replace" | "test") && it.get("value").is_none() {
            return Err((
                format!("JSON patch operation {op} without `value`"),
                it.span,
            ));
        }
        ops.push(Op {
            op,
            path,
            from,
            value,
            span: it.span,
        });
    }
    Ok(ops)
}

fn parse_pointer(p: &str) -> Result<Vec<String>, String> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = p.strip_prefix('/') else {
        return Err(format!("JSON pointer must start with '/': {p:?}"));
    };
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index(tok: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if tok == "-" && allow_end {
        return Ok(len);
    }
    let i: i64 = tok
        .parse()
        .map_err(|_| format!("invalid array index {tok:?}"))?;
    let i = if i < 0 { i + len as i64 } else { i };
    let max = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if i < 0 || i as usize > max || (!allow_end && len == 0) {
        return Err(format!("array index {tok} out of bounds"));
    }
    Ok(i as usize)
}

fn get<'a>(root: &'a Node, path: &[String]) -> Result<&'a Node, String> {
    let mut cur = root;
    for tok in path {
        cur = match &cur.kind {
            NodeKind::Map(_) => cur
                .get(tok)
                .ok_or_else(|| format!("doc is missing key: {tok}"))?,
            NodeKind::Seq(items) => {
                let i = index(tok, items.len(), false)?;
                items
                    .get(i)
                    .ok_or_else(|| format!("array index {tok} out of bounds"))?
            }
            NodeKind::Scalar { .. } => return Err(format!("doc is missing path at {tok}")),
        };
    }
    Ok(cur)
}

fn parent_mut<'a>(root: &'a mut Node, path: &[String]) -> Result<&'a mut Node, String> {
    let mut cur = root;
    for tok in path {
        cur = if cur.is_map() {
            tree::get_mut(cur, tok).ok_or_else(|| format!("doc is missing path: {tok}"))?
        } else if let NodeKind::Seq(items) = &mut cur.kind {
            let len = items.len();
            let i = index(tok, len, false)?;
            items
                .get_mut(i)
                .ok_or_else(|| format!("array index {tok} out of bounds"))?
        } else {
            return Err(format!("doc is missing path at {tok}"));
        };
    }
    Ok(cur)
}

fn add(root: &mut Node, path: &[String], value: Node) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *root = value;
        return Ok(());
    };
    let p = parent_mut(root, parent)?;
    match &mut p.kind {
        NodeKind::Map(_) => {
            let span = value.span;
            tree::set(p, last, span, value);
            Ok(())
        }
        NodeKind::Seq(items) => {
            let i = index(last, items.len(), true)?;
            items.insert(i, value);
            Ok(())
        }
        NodeKind::Scalar { .. } => Err(format!("doc is missing path: {last}")),
    }
}

fn remove(root: &mut Node, path: &[String]) -> Result<Node, String> {
    let Some((last, parent)) = path.split_last() else {
        return Err("cannot remove the whole document".into());
    };
    let p = parent_mut(root, parent)?;
    match &mut p.kind {
        NodeKind::Map(_) => tree::remove(p, last)
            .ok_or_else(|| format!("Unable to remove nonexistent key: {last}: missing value")),
        NodeKind::Seq(items) => {
            let i = index(last, items.len(), false)?;
            if i >= items.len() {
                return Err(format!("array index {last} out of bounds"));
            }
            Ok(items.remove(i))
        }
        NodeKind::Scalar { .. } => Err(format!("doc is missing path: {last}")),
    }
}

fn replace(root: &mut Node, path: &[String], value: Node) -> Result<(), String> {
    let Some((last, parent)) = path.split_last() else {
        *root = value;
        return Ok(());
    };
    let p = parent_mut(root, parent)?;
    match &mut p.kind {
        NodeKind::Map(_) => {
            let slot = tree::get_mut(p, last).ok_or_else(|| {
                format!(
                    "replace operation does not apply: doc is missing key: /{}",
                    path.join("/")
                )
            })?;
            *slot = value;
            Ok(())
        }
        NodeKind::Seq(items) => {
            let i = index(last, items.len(), false)?;
            let slot = items
                .get_mut(i)
                .ok_or_else(|| format!("array index {last} out of bounds"))?;
            *slot = value;
            Ok(())
        }
        NodeKind::Scalar { .. } => Err(format!("doc is missing path: {last}")),
    }
}

/// Apply all operations in order.
pub fn apply(root: &mut Node, ops: &[Op]) -> Result<(), (String, Span)> {
    for op in ops {
        apply_one(root, op).map_err(|e| {
            (
                format!("error in {} for path: '{}': {e}", op.op, op.path),
                op.span,
            )
        })?;
    }
    Ok(())
}

fn apply_one(root: &mut Node, op: &Op) -> Result<(), String> {
    let path = parse_pointer(&op.path)?;
    match op.op.as_str() {
        "add" => add(
            root,
            &path,
            op.value.clone().unwrap_or_else(|| tree::null_node(op.span)),
        ),
        "remove" => remove(root, &path).map(|_| ()),
        "replace" => replace(
            root,
            &path,
            op.value.clone().unwrap_or_else(|| tree::null_node(op.span)),
        ),
        "move" => {
            let from = parse_pointer(op.from.as_deref().unwrap_or(""))?;
            let v = remove(root, &from)?;
            add(root, &path, v)
        }
        "copy" => {
            let from = parse_pointer(op.from.as_deref().unwrap_or(""))?;
            let v = get(root, &from)?.clone();
            add(root, &path, v)
        }
        "test" => {
            let have = get(root, &path)?;
            let want = op.value.as_ref().map(canonical_json).unwrap_or_default();
            if canonical_json(have) != want {
                return Err("testing value failed".into());
            }
            Ok(())
        }
        other => Err(format!("unexpected kind of JSON patch operation: {other}")),
    }
}
