//! Strategic merge patches, the way kustomize's kyaml merge walks them: maps merge field by
//! field, `null` clears, `$patch: delete|replace` directives, lists merged by key where the
//! built-in schema says so (patch elements first, then the rest), replaced whole elsewhere.

use kafkalint_syntax::{Node, NodeKind};

use crate::schema::{self, Schema};
use crate::tree;

const DIRECTIVE: &str = "$patch";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

fn is_missing_or_null(n: Option<&Node>) -> bool {
    tree::is_null(n)
}

/// Read and strip a `$patch` directive from a patch node.
fn directive(patch: &mut Node) -> Result<Directive, String> {
    match &mut patch.kind {
        NodeKind::Map(_) => {
            let Some(v) = patch.get(DIRECTIVE) else {
                return Ok(Directive::Merge);
            };
            let d = match v.as_str() {
                Some("delete") => Directive::Delete,
                Some("replace") => Directive::Replace,
                Some("merge") => Directive::Merge,
                other => return Err(format!("unknown patch strategy '{}'", other.unwrap_or(""))),
            };
            tree::remove(patch, DIRECTIVE);
            Ok(d)
        }
        NodeKind::Seq(items) => {
            let pos = items
                .iter()
                .position(|it| it.as_map().len() == 1 && it.get(DIRECTIVE).is_some());
            let Some(i) = pos else {
                return Ok(Directive::Merge);
            };
            let d = match items
                .get(i)
                .and_then(|it| it.get(DIRECTIVE))
                .and_then(Node::as_str)
            {
                Some("delete") => Directive::Delete,
                Some("replace") => Directive::Replace,
                Some("merge") => Directive::Merge,
                other => return Err(format!("unknown patch strategy '{}'", other.unwrap_or(""))),
            };
            items.remove(i);
            Ok(d)
        }
        NodeKind::Scalar { .. } => Ok(Directive::Merge),
    }
}

fn kind_name(n: &Node) -> &'static str {
    match n.kind {
        NodeKind::Map(_) => "MappingNode",
        NodeKind::Seq(_) => "SequenceNode",
        NodeKind::Scalar { .. } => "ScalarNode",
    }
}

fn schema_of(sources: [Option<&Node>; 2], given: Option<Schema>) -> Option<Schema> {
    if given.is_some() {
        return given;
    }
    for n in sources.into_iter().flatten() {
        if n.is_null() {
            continue;
        }
        let (Some(av), Some(k)) = (
            n.get("apiVersion").and_then(Node::as_text),
            n.get("kind").and_then(Node::as_text),
        ) else {
            continue;
        };
        if let Some(s) = schema::for_type(av, k) {
            return Some(s);
        }
    }
    None
}

/// Merge `patch` into `dest`; `None` means the field (or object) is cleared.
pub fn merge(
    dest: Option<Node>,
    patch: Option<Node>,
    schema: Option<Schema>,
) -> Result<Option<Node>, String> {
    let schema = schema_of([dest.as_ref(), patch.as_ref()], schema);
    let first = [dest.as_ref(), patch.as_ref()]
        .into_iter()
        .flatten()
        .find(|n| !n.is_null());
    let Some(first) = first else {
        // Both null or missing: walked as an empty map, which clears.
        return walk_map(dest, patch, schema);
    };
    let want = kind_name(first);
    for n in [dest.as_ref(), patch.as_ref()].into_iter().flatten() {
        if !n.is_null() && kind_name(n) != want {
            return Err(format!(
                "wrong node kind: expected {want} but got {}: node contents:\n{}",
                kind_name(n),
                crate::emit::to_yaml(std::slice::from_ref(n)).trim_end()
            ));
        }
    }
    match first.kind {
        NodeKind::Map(_) => walk_map(dest, patch, schema),
        NodeKind::Seq(_) => match schema.and_then(Schema::merge_keys) {
            Some(keys) => walk_assoc(dest, patch, schema, keys),
            None => Ok(match patch {
                Some(p) => Some(p),
                None => dest,
            }),
        },
        NodeKind::Scalar { .. } => Ok(match patch {
            Some(p) => Some(p),
            None => dest,
        }),
    }
}

fn field_names(a: Option<&Node>, b: Option<&Node>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in [a, b].into_iter().flatten() {
        for (k, _) in n.as_map() {
            if let Some(s) = k.as_str() {
                names.push(s.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

fn walk_map(
    dest: Option<Node>,
    patch: Option<Node>,
    schema: Option<Schema>,
) -> Result<Option<Node>, String> {
    let mut patch = patch;
    let mut dest = if is_missing_or_null(dest.as_ref()) {
        let Some(mut p) = patch.take() else {
            return Ok(None);
        };
        if directive(&mut p)? == Directive::Delete {
            return Ok(None);
        }
        patch = Some(p.clone());
        p
    } else {
        let Some(d) = dest else {
            return Ok(None);
        };
        match patch.as_mut() {
            None => d,
            Some(p) if p.is_null() => return Ok(None),
            Some(p) => match directive(p)? {
                Directive::Delete => return Ok(None),
                Directive::Replace => {
                    let r = p.clone();
                    patch = Some(r.clone());
                    r
                }
                Directive::Merge => d,
            },
        }
    };
    if !dest.is_map() {
        return Ok(Some(dest));
    }
    for key in field_names(Some(&dest), patch.as_ref()) {
        let d = dest.get(&key).cloned();
        let (pk, p) = match patch.as_ref().and_then(|p| p.entry(&key)) {
            Some((k, v)) => (Some(k.clone()), Some(v.clone())),
            None => (None, None),
        };
        let sub = schema.and_then(|s| s.field(&key));
        let merged = merge(d, p, sub)?;
        match merged {
            Some(v) if !v.is_null() => {
                if dest.get(&key).is_some() {
                    if let Some(slot) = tree::get_mut(&mut dest, &key) {
                        *slot = v;
                    }
                } else if let NodeKind::Map(entries) = &mut dest.kind {
                    let k = pk.unwrap_or_else(|| tree::str_node(key.clone(), v.span));
                    entries.push((k, v));
                }
            }
            _ => {
                tree::remove(&mut dest, &key);
            }
        }
    }
    Ok(Some(dest))
}

/// Values of `keys` in a list element ("" where missing).
fn key_values(elem: &Node, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| elem.get(k).and_then(Node::as_str).unwrap_or("").to_string())
        .collect()
}

/// The first element of `list` whose keys have these values (scalars: whose value it is).
fn find_elem(list: &[Node], keys: &[&str], values: &[String]) -> Option<usize> {
    list.iter().position(|e| {
        if keys.is_empty() {
            return e.as_str() == values.first().map(String::as_str);
        }
        keys.iter().zip(values).all(|(k, v)| {
            let have = e.get(k).and_then(Node::as_str).unwrap_or("");
            have == v
        })
    })
}

/// Two key tuples name the same element when they agree wherever both are set.
fn values_match(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::new();
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// Keep only the keys that some element sets (so a missing secondary key such as `protocol`
/// does not stop elements from matching).
fn valid_keys<'k>(
    all: &[Vec<String>],
    values: &[String],
    keys: &[&'k str],
) -> (Vec<&'k str>, Vec<String>) {
    let used: Vec<bool> = (0..keys.len())
        .map(|i| {
            all.iter()
                .any(|vs| vs.get(i).is_some_and(|v| !v.is_empty()))
        })
        .collect();
    if !used.iter().any(|u| *u) {
        return (keys.to_vec(), values.to_vec());
    }
    let mut ks = Vec::new();
    let mut vs = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if used.get(i).copied().unwrap_or(false) {
            ks.push(*k);
            vs.push(values.get(i).cloned().unwrap_or_default());
        }
    }
    (ks, vs)
}

fn walk_assoc(
    dest: Option<Node>,
    patch: Option<Node>,
    schema: Option<Schema>,
    keys: &'static [&'static str],
) -> Result<Option<Node>, String> {
    let mut patch = patch;
    let dest = if is_missing_or_null(dest.as_ref()) {
        return Ok(patch);
    } else {
        let Some(d) = dest else {
            return Ok(None);
        };
        match patch.as_mut() {
            None => return Ok(Some(d)),
            Some(p) if p.is_null() => return Ok(None),
            Some(p) => match directive(p)? {
                Directive::Delete => return Ok(None),
                Directive::Replace => return Ok(Some(p.clone())),
                Directive::Merge => d,
            },
        }
    };
    let span = dest.span;
    let dest_items: Vec<Node> = dest.as_seq().to_vec();
    let patch_items: Vec<Node> = patch
        .as_ref()
        .map(|p| p.as_seq().to_vec())
        .unwrap_or_default();
    let elem_schema = schema.and_then(Schema::elements);

    // Element identities, patch first (kustomize prepends patch elements).
    let mut values_list: Vec<Vec<String>> = Vec::new();
    for e in patch_items.iter().chain(dest_items.iter()) {
        let v = if keys.is_empty() {
            vec![e.as_str().unwrap_or("").to_string()]
        } else {
            key_values(e, keys)
        };
        if !values_list.contains(&v) {
            values_list.push(v);
        }
    }
    let eff_keys: Vec<&str> = if keys.is_empty() {
        vec![""]
    } else {
        keys.to_vec()
    };
    if keys.len() > 1 {
        let n = values_list.len();
        for i in 0..n {
            for j in 0..n {
                if let (Some(a), Some(b)) = (values_list.get(i), values_list.get(j)) {
                    if let Some(m) = values_match(a, b) {
                        if let Some(slot) = values_list.get_mut(i) {
                            *slot = m.clone();
                        }
                        if let Some(slot) = values_list.get_mut(j) {
                            *slot = m;
                        }
                    }
                }
            }
        }
        let mut dedup: Vec<Vec<String>> = Vec::new();
        for v in values_list {
            if !dedup.contains(&v) {
                dedup.push(v);
            }
        }
        values_list = dedup;
    }

    let mut dest_list = dest_items;
    let mut added: Vec<Node> = Vec::new();
    let mut last_keys: Vec<&str> = eff_keys.clone();
    for values in &values_list {
        let (vkeys, vvals) = if keys.is_empty() {
            (Vec::new(), values.clone())
        } else {
            valid_keys(&values_list, values, keys)
        };
        last_keys = if keys.is_empty() {
            vec![""]
        } else {
            vkeys.clone()
        };
        let di = find_elem(&dest_list, &vkeys, &vvals);
        let pi = find_elem(&patch_items, &vkeys, &vvals);
        let d = di.and_then(|i| dest_list.get(i).cloned());
        let p = pi.and_then(|i| patch_items.get(i).cloned());
        let merged = merge(d, p, elem_schema)?;
        let gone = match &merged {
            None => true,
            Some(m) => m.is_null() || (m.is_map() && m.as_map().is_empty()),
        };
        if gone {
            if let Some(i) = di {
                dest_list.remove(i);
            }
            continue;
        }
        let Some(mut val) = merged else { continue };
        if val.is_map() {
            for (k, v) in vkeys.iter().zip(&vvals) {
                if val.get(k).is_none() && !v.is_empty() {
                    let vs = val.span;
                    tree::set(&mut val, k, vs, tree::plain_node(v.clone(), vs));
                }
            }
        }
        if let Some(i) = di {
            if let Some(slot) = dest_list.get_mut(i) {
                *slot = val.clone();
            }
        }
        match find_elem(&added, &vkeys, &vvals) {
            Some(i) => {
                if let Some(slot) = added.get_mut(i) {
                    *slot = val;
                }
            }
            None => added.push(val),
        }
    }
    // Append the destination's elements behind the patch's: same-key elements keep their
    // place (multi-key lists move them to the end, as kustomize does).
    let mut out = added;
    for e in dest_list {
        if keys.is_empty() {
            let v = vec![e.as_str().unwrap_or("").to_string()];
            match find_elem(&out, &[], &v) {
                Some(i) => {
                    if let Some(slot) = out.get_mut(i) {
                        *slot = e;
                    }
                }
                None => out.push(e),
            }
            continue;
        }
        if last_keys.len() > 1 {
            // Multi-key lists: drop every element agreeing on the keys this one has, then
            // append it, so destination elements end up behind the patch's new ones.
            let present: Vec<(&str, String)> = last_keys
                .iter()
                .filter_map(|k| e.get(k).and_then(Node::as_str).map(|v| (*k, v.to_string())))
                .collect();
            out.retain(|o| {
                !present
                    .iter()
                    .all(|(k, v)| o.get(k).and_then(Node::as_str).unwrap_or("") == v)
            });
            out.push(e);
            continue;
        }
        if last_keys.iter().any(|k| e.get(k).is_none()) {
            out.push(e);
            continue;
        }
        let v = key_values(&e, &last_keys);
        match find_elem(&out, &last_keys, &v) {
            Some(i) => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = e;
                }
            }
            None => out.push(e),
        }
    }
    Ok(Some(tree::seq_node(out, span)))
}
