//! `replacements`: copy a field of one resource into fields of others.

use kafkalint_syntax::{Node, NodeKind, Span};

use crate::resource::Resource;
use crate::selector::{label_match, Selector};
use crate::tree;

pub struct Replacement {
    source: Selector,
    source_path: String,
    source_delim: Option<(String, i64)>,
    targets: Vec<Target>,
    span: Span,
}

struct Target {
    select: Selector,
    reject: Vec<Selector>,
    paths: Vec<(String, Span)>,
    delimiter: Option<(String, i64)>,
    create: bool,
    span: Span,
}

fn options(n: Option<&Node>) -> (Option<(String, i64)>, bool) {
    let Some(o) = n else {
        return (None, false);
    };
    let delim = o
        .get("delimiter")
        .and_then(Node::as_text)
        .filter(|d| !d.is_empty())
        .map(|d| {
            (
                d.to_string(),
                o.get("index").and_then(Node::as_i64).unwrap_or(0),
            )
        });
    let create = o.get("create").and_then(Node::as_bool) == Some(true);
    (delim, create)
}

impl Replacement {
    pub fn parse(n: &Node) -> Result<Replacement, (String, Span)> {
        let source = n.get("source").filter(|s| s.is_map()).ok_or_else(|| {
            (
                "replacements must specify a source and at least one target".to_string(),
                n.span,
            )
        })?;
        let targets_node = n.get("targets").filter(|t| t.is_seq()).ok_or_else(|| {
            (
                "replacements must specify a source and at least one target".to_string(),
                n.span,
            )
        })?;
        let source_sel = Selector::parse(source)?;
        let source_path = source
            .get("fieldPath")
            .and_then(Node::as_text)
            .unwrap_or("metadata.name")
            .to_string();
        let (source_delim, _) = options(source.get("options"));
        let mut targets = Vec::new();
        for t in targets_node.as_seq() {
            let select = t.get("select").filter(|s| s.is_map()).ok_or_else(|| {
                (
                    "target must specify resources to select".to_string(),
                    t.span,
                )
            })?;
            let mut reject = Vec::new();
            for r in t.get("reject").map(Node::as_seq).unwrap_or(&[]) {
                reject.push(Selector::parse(r)?);
            }
            let mut paths: Vec<(String, Span)> = t
                .get("fieldPaths")
                .map(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|p| p.as_text().map(|s| (s.to_string(), p.span)))
                .collect();
            if paths.is_empty() {
                paths.push(("metadata.name".to_string(), t.span));
            }
            let (delimiter, create) = options(t.get("options"));
            targets.push(Target {
                select: Selector::parse(select)?,
                reject,
                paths,
                delimiter,
                create,
                span: t.span,
            });
        }
        Ok(Replacement {
            source: source_sel,
            source_path,
            source_delim,
            targets,
            span: n.span,
        })
    }
}

/// Split a field path on dots, keeping `[...]` groups whole.
pub fn split_path(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in p.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn elem_matches(e: &Node, sel: &str) -> bool {
    let Some((k, v)) = sel.split_once('=') else {
        return false;
    };
    if k.is_empty() {
        return e.as_str() == Some(v);
    }
    match e.get(k).and_then(Node::as_str) {
        Some(have) => v == "*" || have == v,
        None => false,
    }
}

fn bracket(tok: &str) -> Option<&str> {
    tok.strip_prefix('[').and_then(|t| t.strip_suffix(']'))
}

/// All nodes matching the path (wildcards `*` and `[k=v]` selectors allowed).
fn find_all<'a>(node: &'a mut Node, path: &[String], out: &mut Vec<&'a mut Node>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(node);
        return;
    };
    match &mut node.kind {
        NodeKind::Map(entries) => {
            if first == "*" {
                for (_, v) in entries.iter_mut() {
                    find_all(v, rest, out);
                }
            } else if let Some((_, v)) = entries
                .iter_mut()
                .rev()
                .find(|(k, _)| k.as_str() == Some(first.as_str()))
            {
                find_all(v, rest, out);
            }
        }
        NodeKind::Seq(items) => {
            if first == "*" {
                for it in items.iter_mut() {
                    find_all(it, rest, out);
                }
            } else if let Some(sel) = bracket(first) {
                for it in items.iter_mut() {
                    if elem_matches(it, sel) {
                        find_all(it, rest, out);
                    }
                }
            } else if let Ok(i) = first.parse::<usize>() {
                if let Some(it) = items.get_mut(i) {
                    find_all(it, rest, out);
                }
            }
        }
        NodeKind::Scalar { .. } => {}
    }
}

fn find_first<'a>(node: &'a Node, path: &[String]) -> Option<&'a Node> {
    let Some((first, rest)) = path.split_first() else {
        return Some(node);
    };
    match &node.kind {
        NodeKind::Map(_) => find_first(node.get(first)?, rest),
        NodeKind::Seq(items) => {
            if let Some(sel) = bracket(first) {
                items
                    .iter()
                    .filter(|it| elem_matches(it, sel))
                    .find_map(|it| find_first(it, rest))
            } else {
                let i: usize = first.parse().ok()?;
                find_first(items.get(i)?, rest)
            }
        }
        NodeKind::Scalar { .. } => None,
    }
}

/// The node at `path`, creating maps (and `[k=v]` elements) on the way.
fn find_create<'a>(node: &'a mut Node, path: &[String], leaf: &Node) -> Option<&'a mut Node> {
    let Some((first, rest)) = path.split_first() else {
        return Some(node);
    };
    let span = leaf.span;
    if node.is_null() {
        *node = if bracket(first).is_some() {
            tree::seq_node(Vec::new(), span)
        } else {
            tree::map_node(Vec::new(), span)
        };
    }
    if node.is_map() {
        if node.get(first).is_none() {
            let new = if rest.is_empty() {
                match leaf.kind {
                    NodeKind::Map(_) => tree::map_node(Vec::new(), span),
                    NodeKind::Seq(_) => tree::seq_node(Vec::new(), span),
                    NodeKind::Scalar { .. } => tree::str_node("", span),
                }
            } else if rest.first().is_some_and(|n| bracket(n).is_some()) {
                tree::seq_node(Vec::new(), span)
            } else {
                tree::map_node(Vec::new(), span)
            };
            tree::set(node, first, span, new);
        }
        return find_create(tree::get_mut(node, first)?, rest, leaf);
    }
    match &mut node.kind {
        NodeKind::Seq(items) => {
            if let Some(sel) = bracket(first) {
                let pos = items.iter().position(|it| elem_matches(it, sel));
                let i = match pos {
                    Some(i) => i,
                    None => {
                        let (k, v) = sel.split_once('=')?;
                        items.push(tree::map_node(
                            vec![(tree::str_node(k, span), tree::str_node(v, span))],
                            span,
                        ));
                        items.len() - 1
                    }
                };
                find_create(items.get_mut(i)?, rest, leaf)
            } else {
                let i: usize = first.parse().ok()?;
                find_create(items.get_mut(i)?, rest, leaf)
            }
        }
        _ => None,
    }
}

fn set_target(t: &mut Node, value: &Node, delim: &Option<(String, i64)>) -> Result<(), String> {
    let mut value = value.clone();
    if let Some((d, index)) = delim {
        let Some(cur) = t.as_str() else {
            return Err("delimiter option can only be used with scalar nodes".into());
        };
        let mut parts: Vec<String> = cur.split(d.as_str()).map(str::to_string).collect();
        let v = value.as_str().unwrap_or("").to_string();
        if *index < 0 {
            parts.insert(0, v);
        } else if *index as usize >= parts.len() {
            parts.push(v);
        } else if let Some(slot) = parts.get_mut(*index as usize) {
            *slot = v;
        }
        let span = value.span;
        value = tree::plain_node(parts.join(d), span);
        if let NodeKind::Scalar { style, .. } = &mut value.kind {
            if let Some(s) = t.style() {
                *style = s;
            }
        }
    }
    match (&t.kind, &value.kind) {
        (NodeKind::Scalar { .. }, NodeKind::Scalar { value: v, .. }) => {
            let span = value.span;
            tree::set_scalar_keep_type(t, v, span);
        }
        _ => *t = value,
    }
    Ok(())
}

/// Apply the replacements in order to all resources.
pub fn apply(resources: &mut [Resource], reps: &[Replacement]) -> Result<(), (String, Span)> {
    for rep in reps {
        let mut found: Option<usize> = None;
        for (i, r) in resources.iter().enumerate() {
            if r.all_ids().iter().any(|id| rep.source.id_selects(id)) {
                if found.is_some() {
                    return Err((
                        format!("multiple matches for selector {}", rep.source.describe()),
                        rep.source.span,
                    ));
                }
                found = Some(i);
            }
        }
        let Some(si) = found else {
            return Err((
                format!("nothing selected by {}", rep.source.describe()),
                rep.source.span,
            ));
        };
        let Some(src) = resources.get(si) else {
            continue;
        };
        let path = split_path(&rep.source_path);
        let mut value = match find_first(&src.node, &path) {
            Some(v) if !(v.is_null() || v.is_map() && v.as_map().is_empty()) => v.clone(),
            _ => {
                return Err((
                    format!(
                        "fieldPath `{}` is missing for replacement source {}",
                        rep.source_path,
                        rep.source.describe()
                    ),
                    rep.span,
                ))
            }
        };
        if let Some((d, index)) = &rep.source_delim {
            let Some(s) = value.as_str() else {
                return Err((
                    "delimiter option can only be used with scalar nodes".into(),
                    rep.span,
                ));
            };
            let parts: Vec<&str> = s.split(d.as_str()).collect();
            let Some(part) = usize::try_from(*index).ok().and_then(|i| parts.get(i)) else {
                return Err((
                    format!("options.index {index} is out of bounds for value {s}"),
                    rep.span,
                ));
            };
            let span = value.span;
            value = tree::str_node(*part, span);
        }
        for t in &rep.targets {
            for r in resources.iter_mut() {
                let labels = r.labels();
                let annos = r.annotations();
                let sel_ok = label_match(&t.select.label_selector, &labels)
                    .map_err(|e| (e, t.span))?
                    && label_match(&t.select.annotation_selector, &annos)
                        .map_err(|e| (e, t.span))?;
                if !sel_ok {
                    continue;
                }
                let mut rejected_by_meta = false;
                for rj in &t.reject {
                    if rj.label_selector.is_empty() && rj.annotation_selector.is_empty() {
                        continue;
                    }
                    if label_match(&rj.label_selector, &labels).map_err(|e| (e, t.span))?
                        && label_match(&rj.annotation_selector, &annos).map_err(|e| (e, t.span))?
                    {
                        rejected_by_meta = true;
                    }
                }
                if rejected_by_meta {
                    continue;
                }
                let hit = r.all_ids().iter().any(|id| {
                    t.select.id_selects(id)
                        && !t
                            .reject
                            .iter()
                            .any(|rj| !rj.is_id_empty() && rj.id_selects(id))
                });
                if !hit {
                    continue;
                }
                for (fp, fspan) in &t.paths {
                    let path = split_path(fp);
                    if t.create {
                        if path.iter().any(|p| p == "*") {
                            return Err((
                                "cannot support create option in a multi-value target".into(),
                                *fspan,
                            ));
                        }
                        if let Some(n) = find_create(&mut r.node, &path, &value) {
                            set_target(n, &value, &t.delimiter).map_err(|e| (e, *fspan))?;
                        }
                    } else {
                        let mut hits = Vec::new();
                        find_all(&mut r.node, &path, &mut hits);
                        for n in hits {
                            set_target(n, &value, &t.delimiter).map_err(|e| (e, *fspan))?;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
