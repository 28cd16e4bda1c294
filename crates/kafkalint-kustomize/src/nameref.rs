//! Fix references between resources after names changed (prefix, suffix, hash), the way
//! kustomize's name-reference transformer does.

use kafkalint_syntax::{Node, NodeKind};

use crate::fieldspec::{self, Create, NameBackRef};
use crate::resource::{Gvk, Resource};
use crate::tree;

/// Indices of resources `referrer` could refer to: same namespace, or either side
/// cluster-scoped, or a namespace a RoleBinding names for a service account.
fn candidates(all: &[Resource], referrer: usize) -> Vec<usize> {
    let Some(r) = all.get(referrer) else {
        return Vec::new();
    };
    let rid = r.cur_id();
    let mut sa_namespaces: Vec<String> = Vec::new();
    if r.kind() == "RoleBinding" {
        for s in r.node.get("subjects").map(Node::as_seq).unwrap_or(&[]) {
            if s.get("kind").and_then(Node::as_str) == Some("ServiceAccount") {
                if let Some(ns) = s.get("namespace").and_then(Node::as_str) {
                    sa_namespaces.push(ns.to_string());
                }
            }
        }
    }
    let referrer_namespaced = !rid.gvk.is_cluster_scoped();
    all.iter()
        .enumerate()
        .filter(|(_, c)| {
            let cid = c.cur_id();
            !referrer_namespaced
                || cid.gvk.is_cluster_scoped()
                || cid.ns_equals(&rid)
                || sa_namespaces.iter().any(|n| n == c.namespace())
        })
        .map(|(i, _)| i)
        .collect()
}

struct Ctx<'a> {
    all: &'a [Resource],
    referrer: usize,
    target: &'a Gvk,
    candidates: &'a [usize],
    role_ref_gvk: Option<Gvk>,
}

impl Ctx<'_> {
    /// The referral among `subset` whose original name is `old`; its current name and
    /// namespace.
    fn select(&self, old: &str, subset: &[usize]) -> Result<Option<(String, String)>, String> {
        let Some(referrer) = self.all.get(self.referrer) else {
            return Ok(None);
        };
        for &i in subset {
            let Some(res) = self.all.get(i) else { continue };
            let id = &res.org;
            if let Some(rr) = &self.role_ref_gvk {
                if !id.gvk.is_selected_by(rr) {
                    continue;
                }
            }
            if !id.gvk.is_selected_by(self.target) || id.name != old {
                continue;
            }
            let matches: Vec<usize> = self
                .candidates
                .iter()
                .copied()
                .filter(|&j| self.all.get(j).is_some_and(|c| c.org.equals(id)))
                .collect();
            if matches.len() > 1 {
                let filtered: Vec<usize> = matches
                    .into_iter()
                    .filter(|&j| {
                        self.all.get(j).is_some_and(|m| {
                            (self.target.kind == "ServiceAccount"
                                || m.namespace() == referrer.namespace())
                                && referrer.prefixes_suffixes_equal(m)
                        })
                    })
                    .collect();
                if filtered.len() > 1 {
                    let ids: Vec<String> = filtered
                        .iter()
                        .filter_map(|&j| self.all.get(j).map(|m| m.cur_id().display()))
                        .collect();
                    return Err(format!(
                        "multiple matches for {}:\n  {}",
                        id.display(),
                        ids.join("\n  ")
                    ));
                }
                if filtered.first() != Some(&i) {
                    continue;
                }
            }
            return Ok(Some((res.name().to_string(), res.namespace().to_string())));
        }
        Ok(None)
    }

    fn set_scalar(&self, node: &mut Node) -> Result<(), String> {
        let Some(old) = node.as_text().map(str::to_string) else {
            return Ok(());
        };
        if let Some((name, _)) = self.select(&old, self.candidates)? {
            if name != old {
                let span = node.span;
                tree::set_scalar_keep_type(node, &name, span);
            }
        }
        Ok(())
    }

    fn set_mapping(&self, node: &mut Node) -> Result<(), String> {
        let Some(old) = node.get("name").and_then(Node::as_text).map(str::to_string) else {
            return Err("cannot find field 'name' in node".into());
        };
        let subset: Vec<usize> = match node.get("namespace").and_then(Node::as_str) {
            Some(ns) => {
                let subset: Vec<usize> = self
                    .candidates
                    .iter()
                    .copied()
                    .filter(|&j| {
                        self.all.get(j).is_some_and(|c| {
                            !c.org.gvk.is_cluster_scoped() && c.org.effective_namespace() == ns
                        })
                    })
                    .collect();
                if subset.is_empty() {
                    return Ok(());
                }
                subset
            }
            None => self.candidates.to_vec(),
        };
        let Some((name, ns)) = self.select(&old, &subset)? else {
            return Ok(());
        };
        if let Some(slot) = tree::get_mut(node, "name") {
            let span = slot.span;
            tree::set_scalar_keep_type(slot, &name, span);
        }
        if !ns.is_empty() {
            match tree::get_mut(node, "namespace") {
                Some(slot) => {
                    let span = slot.span;
                    tree::set_scalar_keep_type(slot, &ns, span);
                }
                None => {
                    let span = node.span;
                    tree::set(node, "namespace", span, tree::str_node(ns, span));
                }
            }
        }
        Ok(())
    }

    fn set(&self, node: &mut Node) -> Result<(), String> {
        if node.is_null() {
            return Ok(());
        }
        match &mut node.kind {
            NodeKind::Scalar { .. } => self.set_scalar(node),
            NodeKind::Map(_) => self.set_mapping(node),
            NodeKind::Seq(items) => {
                for it in items.iter_mut() {
                    match it.kind {
                        NodeKind::Scalar { .. } => self.set_scalar(it)?,
                        NodeKind::Map(_) => self.set_mapping(it)?,
                        NodeKind::Seq(_) => {}
                    }
                }
                Ok(())
            }
        }
    }
}

fn role_ref_gvk(r: &Resource) -> Result<Gvk, String> {
    let rr = r
        .node
        .get("roleRef")
        .ok_or_else(|| "roleRef cannot be found".to_string())?;
    let group = rr
        .get("apiGroup")
        .and_then(Node::as_str)
        .ok_or_else(|| "apiGroup cannot be found in roleRef".to_string())?;
    let kind = rr
        .get("kind")
        .and_then(Node::as_str)
        .ok_or_else(|| "kind cannot be found in roleRef".to_string())?;
    Ok(Gvk {
        group: group.into(),
        version: String::new(),
        kind: kind.into(),
    })
}

/// Update every reference in `all` to the current names of the resources it refers to.
pub fn fix(all: &mut [Resource]) -> Result<(), (usize, String)> {
    let refs: Vec<NameBackRef> = fieldspec::name_references();
    for referrer in 0..all.len() {
        let Some(r) = all.get(referrer) else { continue };
        let org_gvk = r.org.gvk.clone();
        let mut cands: Option<Vec<usize>> = None;
        for br in &refs {
            for fs in &br.specs {
                if !org_gvk.is_selected_by(&fs.gvk) {
                    continue;
                }
                let Some(r) = all.get(referrer) else { continue };
                if !fieldspec::matches(fs, &r.gvk()) {
                    continue;
                }
                let role_ref = if fs.path.ends_with("roleRef/name") {
                    Some(role_ref_gvk(r).map_err(|e| (referrer, e))?)
                } else {
                    None
                };
                if !fieldspec::touches(&r.node, fs) {
                    continue;
                }
                let c = cands
                    .get_or_insert_with(|| candidates(all, referrer))
                    .clone();
                // Compute the edits against a snapshot, then write them into the referrer.
                let mut node = r.node.clone();
                let ctx = Ctx {
                    all,
                    referrer,
                    target: &br.target,
                    candidates: &c,
                    role_ref_gvk: role_ref,
                };
                let span = node.span;
                fieldspec::apply(&mut node, fs, Create::Nothing, span, &mut |n| ctx.set(n))
                    .map_err(|e| (referrer, e))?;
                if let Some(r) = all.get_mut(referrer) {
                    r.node = node;
                }
            }
        }
    }
    Ok(())
}
