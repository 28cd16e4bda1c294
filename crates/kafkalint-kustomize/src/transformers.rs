//! The built-in transformers: namespace, name prefix/suffix, labels, annotations, images,
//! replicas.

use kafkalint_syntax::{Node, NodeKind, Span};
use regex_lite::Regex;

use crate::fieldspec::{self, Create, FieldSpec};
use crate::resource::Resource;
use crate::tree::{self, str_node};

/// Set `metadata.namespace` (and the other namespace fields) on every resource.
pub fn namespace(resources: &mut [Resource], ns: &str, span: Span) -> Result<(), String> {
    let extra = fieldspec::namespace_extra();
    for i in 0..resources.len() {
        let Some(r) = resources.get_mut(i) else {
            continue;
        };
        if r.node.as_map().is_empty() {
            continue;
        }
        r.store_previous_id();
        let gvk = r.gvk();
        if !gvk.is_cluster_scoped() {
            r.set_namespace(ns, span);
        }
        if gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding" {
            if let Some(NodeKind::Seq(subjects)) =
                tree::get_mut(&mut r.node, "subjects").map(|s| &mut s.kind)
            {
                for s in subjects.iter_mut() {
                    if s.get("name").and_then(Node::as_str) == Some("default") {
                        tree::set(s, "namespace", span, str_node(ns, span));
                    }
                }
            }
        }
        let api_version = r.api_version().to_string();
        for fs in &extra {
            if fs.path == "metadata/name" && api_version != "v1" {
                continue;
            }
            if !fieldspec::matches(fs, &gvk) {
                continue;
            }
            fieldspec::apply(&mut r.node, fs, Create::Scalar, span, &mut |n| {
                *n = str_node(ns, span);
                Ok(())
            })?;
        }
        let cur = r.cur_id();
        let dups = resources.iter().filter(|o| o.cur_id().equals(&cur)).count();
        if dups > 1 {
            return Err(format!(
                "namespace transformation produces ID conflict: {}",
                cur.display()
            ));
        }
    }
    Ok(())
}

fn skip_rename(r: &Resource) -> bool {
    let g = &r.org.gvk;
    g.kind == "CustomResourceDefinition"
        || (g.kind == "APIService" && g.group == "apiregistration.k8s.io")
        || g.kind == "Namespace"
}

/// Add a name prefix (or suffix) to every resource that takes one.
pub fn prefix_suffix(resources: &mut [Resource], value: &str, span: Span, is_prefix: bool) {
    for r in resources.iter_mut() {
        if skip_rename(r) {
            continue;
        }
        if is_prefix {
            r.prefixes.push(value.to_string());
        } else {
            r.suffixes.push(value.to_string());
        }
        if value.is_empty() {
            continue;
        }
        r.store_previous_id();
        let name = r.name().to_string();
        let new = if is_prefix {
            format!("{value}{name}")
        } else {
            format!("{name}{value}")
        };
        let name_span = r
            .node
            .path(&["metadata", "name"])
            .map(|n| n.span)
            .unwrap_or(span);
        // The name keeps its source span; the text added comes from `namePrefix`/`nameSuffix`.
        r.set_name(&new, name_span);
    }
}

/// One key/value to write into maps at field specs (labels, annotations).
pub struct Pair {
    pub key: String,
    pub value: String,
    pub key_span: Span,
    pub value_span: Span,
}

pub fn set_map_entries(
    resources: &mut [Resource],
    pairs: &[Pair],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if pairs.is_empty() {
        return Ok(());
    }
    let span = pairs.first().map(|p| p.value_span).unwrap_or_default();
    for r in resources.iter_mut() {
        let gvk = r.gvk();
        for fs in specs {
            if !fieldspec::matches(fs, &gvk) {
                continue;
            }
            fieldspec::apply(&mut r.node, fs, Create::Map, span, &mut |n| {
                if n.is_null() {
                    *n = tree::map_node(Vec::new(), span);
                }
                if !n.is_map() {
                    return Err(format!(
                        "expected a map at {} to set {}",
                        fs.path,
                        pairs.first().map(|p| p.key.as_str()).unwrap_or("")
                    ));
                }
                for p in pairs {
                    tree::set(
                        n,
                        &p.key,
                        p.key_span,
                        str_node(p.value.clone(), p.value_span),
                    );
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

pub struct Image {
    pub name: String,
    pub new_name: Option<(String, Span)>,
    pub new_tag: Option<(String, Span)>,
    pub digest: Option<(String, Span)>,
    pub span: Span,
}

/// Split an image reference into name, tag and digest.
fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0);
    let (search, offset) = match slash {
        Some(i) => (&image[i..], i),
        None => (image, 0),
    };
    let id = search.find('@');
    let ic = search.find(':');
    match (ic, id) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (ic, Some(id)) if ic.is_none_or(|c| id < c) => {
            let at = id + offset;
            (
                image[..at].to_string(),
                String::new(),
                image[at + 1..].to_string(),
            )
        }
        (Some(ic), Some(id)) => {
            let c = ic + offset;
            let a = id + offset;
            (
                image[..c].to_string(),
                image[c + 1..a].to_string(),
                image[a + 1..].to_string(),
            )
        }
        (Some(ic), None) => {
            let c = ic + offset;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        (None, Some(_)) => (image.to_string(), String::new(), String::new()),
    }
}

impl Image {
    fn matcher(&self) -> Option<Regex> {
        Regex::new(&format!(
            "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
            self.name
        ))
        .ok()
    }

    fn update(&self, re: &Regex, node: &mut Node) {
        let Some(value) = node.as_str().map(str::to_string) else {
            return;
        };
        if !re.is_match(&value) {
            return;
        }
        let (mut name, mut tag, mut digest) = split_image(&value);
        let mut span = node.span;
        if let Some((n, s)) = &self.new_name {
            name = n.clone();
            span = *s;
        }
        match (&self.new_tag, &self.digest) {
            (Some((t, ts)), Some((d, _))) => {
                tag = t.clone();
                digest = d.clone();
                span = *ts;
            }
            (Some((t, ts)), None) => {
                tag = t.clone();
                digest.clear();
                span = *ts;
            }
            (None, Some((d, ds))) => {
                tag.clear();
                digest = d.clone();
                span = *ds;
            }
            (None, None) => {}
        }
        let mut out = name;
        if !tag.is_empty() {
            out.push(':');
            out.push_str(&tag);
        }
        if !digest.is_empty() {
            out.push('@');
            out.push_str(&digest);
        }
        *node = str_node(out, span);
    }
}

fn walk_containers(node: &mut Node, img: &Image, re: &Regex) {
    if let NodeKind::Map(entries) = &mut node.kind {
        for (k, v) in entries.iter_mut() {
            walk_containers(v, img, re);
            if matches!(k.as_str(), Some("containers") | Some("initContainers")) {
                if let NodeKind::Seq(items) = &mut v.kind {
                    for it in items.iter_mut() {
                        if let Some(imgnode) = tree::get_mut(it, "image") {
                            img.update(re, imgnode);
                        }
                    }
                }
            }
        }
    } else if let NodeKind::Seq(items) = &mut node.kind {
        for it in items.iter_mut() {
            walk_containers(it, img, re);
        }
    }
}

pub fn images(resources: &mut [Resource], img: &Image) -> Result<(), String> {
    let Some(re) = img.matcher() else {
        return Err(format!("invalid image name pattern {:?}", img.name));
    };
    let specs = fieldspec::images();
    for r in resources.iter_mut() {
        if r.kind() != "CustomResourceDefinition" {
            walk_containers(&mut r.node, img, &re);
        }
        let gvk = r.gvk();
        for fs in &specs {
            if !fieldspec::matches(fs, &gvk) {
                continue;
            }
            let span = img.span;
            fieldspec::apply(&mut r.node, fs, Create::Nothing, span, &mut |n| {
                img.update(&re, n);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Set `spec.replicas` of the workloads named `name`.
pub fn replicas(resources: &mut [Resource], name: &str, count: &Node) -> Result<(), String> {
    let specs = fieldspec::replicas();
    let mut found = false;
    for fs in &specs {
        for r in resources.iter_mut() {
            let named = r
                .all_ids()
                .iter()
                .any(|id| id.name == name && id.gvk.is_selected_by(&fs.gvk));
            if !named {
                continue;
            }
            found = true;
            let gvk = r.gvk();
            if !fieldspec::matches(fs, &gvk) {
                continue;
            }
            let span = count.span;
            fieldspec::apply(&mut r.node, fs, Create::Scalar, span, &mut |n| {
                *n = count.clone();
                Ok(())
            })?;
        }
    }
    if !found {
        return Err(format!(
            "resource with name {name} does not match a config with the following GVK [Deployment ReplicationController ReplicaSet StatefulSet]"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_split() {
        assert_eq!(split_image("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(
            split_image("reg:5000/a/b:1.0@sha256:x"),
            ("reg:5000/a/b".into(), "1.0".into(), "sha256:x".into())
        );
        assert_eq!(
            split_image("a@sha256:x"),
            ("a".into(), "".into(), "sha256:x".into())
        );
        assert_eq!(
            split_image("reg:5000/a"),
            ("reg:5000/a".into(), "".into(), "".into())
        );
    }
}
