//! Patch and replacement target selectors.

use kafkalint_syntax::{Node, Span};
use regex_lite::Regex;

use crate::resource::{Gvk, ResId, Resource};

#[derive(Clone, Debug)]
pub struct Selector {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
    name_re: Option<Regex>,
    ns_re: Option<Regex>,
    pub span: Span,
}

fn field(n: &Node, k: &str) -> String {
    n.get(k).and_then(Node::as_text).unwrap_or("").to_string()
}

fn anchored(p: &str) -> Result<Option<Regex>, String> {
    if p.is_empty() {
        return Ok(None);
    }
    Regex::new(&format!("^(?:{p})$"))
        .map(Some)
        .map_err(|e| format!("invalid regular expression {p:?}: {e}"))
}

impl Selector {
    pub fn parse(n: &Node) -> Result<Selector, (String, Span)> {
        if !n.is_map() {
            return Err(("a selector must be a map".into(), n.span));
        }
        let mut gvk = Gvk {
            group: field(n, "group"),
            version: field(n, "version"),
            kind: field(n, "kind"),
        };
        // Some users write apiVersion in a selector; kustomize ignores it only when group and
        // version are given, so read it as they would expect.
        if gvk.group.is_empty() && gvk.version.is_empty() {
            if let Some(av) = n.get("apiVersion").and_then(Node::as_text) {
                let g = Gvk::from_api_version(av, "");
                gvk.group = g.group;
                gvk.version = g.version;
            }
        }
        let name = field(n, "name");
        let namespace = field(n, "namespace");
        let name_re = anchored(&name).map_err(|e| (e, n.span))?;
        let ns_re = anchored(&namespace).map_err(|e| (e, n.span))?;
        Ok(Selector {
            gvk,
            name,
            namespace,
            label_selector: field(n, "labelSelector"),
            annotation_selector: field(n, "annotationSelector"),
            name_re,
            ns_re,
            span: n.span,
        })
    }

    fn match_name(&self, s: &str) -> bool {
        self.name_re.as_ref().is_none_or(|r| r.is_match(s))
    }

    fn match_ns(&self, s: &str) -> bool {
        self.ns_re.as_ref().is_none_or(|r| r.is_match(s))
    }

    /// kustomize's `ResMap.Select`: names and namespaces as anchored regexes, tried against
    /// the original and the current identity.
    pub fn select(&self, r: &Resource) -> Result<bool, String> {
        let org = &r.org;
        let cur = r.cur_id();
        if !self.match_ns(org.effective_namespace()) && !self.match_ns(cur.effective_namespace()) {
            return Ok(false);
        }
        if !self.match_name(&org.name) && !self.match_name(&cur.name) {
            return Ok(false);
        }
        if !cur.gvk.is_selected_by(&self.gvk) {
            return Ok(false);
        }
        if !label_match(&self.label_selector, &r.labels())? {
            return Ok(false);
        }
        if !label_match(&self.annotation_selector, &r.annotations())? {
            return Ok(false);
        }
        Ok(true)
    }

    /// Exact (non-regex) id match used by replacements.
    pub fn id_selects(&self, id: &ResId) -> bool {
        if !id.gvk.is_selected_by(&self.gvk) {
            return false;
        }
        if !self.name.is_empty() && self.name != id.name {
            return false;
        }
        if !self.namespace.is_empty() {
            let want = ResId {
                gvk: id.gvk.clone(),
                name: String::new(),
                namespace: self.namespace.clone(),
            };
            if !want.ns_equals(id) {
                return false;
            }
        }
        true
    }

    pub fn is_id_empty(&self) -> bool {
        self.gvk == Gvk::default() && self.name.is_empty() && self.namespace.is_empty()
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("group", &self.gvk.group),
            ("version", &self.gvk.version),
            ("kind", &self.gvk.kind),
            ("name", &self.name),
            ("namespace", &self.namespace),
            ("labelSelector", &self.label_selector),
            ("annotationSelector", &self.annotation_selector),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={v}"));
            }
        }
        parts.join(", ")
    }
}

enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// Split on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_set(rest: &str) -> Result<Vec<String>, String> {
    let r = rest.trim();
    let inner = r
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .ok_or_else(|| format!("expected a (value, ...) set, found {r:?}"))?;
    Ok(inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect())
}

fn parse_req(term: &str) -> Result<Req, String> {
    let t = term.trim();
    if let Some(k) = t.strip_prefix('!') {
        return Ok(Req::NotExists(k.trim().to_string()));
    }
    if let Some((k, v)) = t.split_once("!=") {
        return Ok(Req::Ne(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = t.split_once("==") {
        return Ok(Req::Eq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = t.split_once('=') {
        return Ok(Req::Eq(k.trim().into(), v.trim().into()));
    }
    if let Some((key, rest)) = t.split_once(char::is_whitespace) {
        let rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("notin") {
            return Ok(Req::NotIn(key.into(), parse_set(r)?));
        }
        if let Some(r) = rest.strip_prefix("in") {
            return Ok(Req::In(key.into(), parse_set(r)?));
        }
        return Err(format!("unable to parse requirement {t:?}"));
    }
    Ok(Req::Exists(t.to_string()))
}

/// Kubernetes label selector syntax (`a=b,c!=d,e in (x,y),!f,g`) against a label set.
pub fn label_match(selector: &str, labels: &[(String, String)]) -> Result<bool, String> {
    if selector.trim().is_empty() {
        return Ok(true);
    }
    let get = |k: &str| {
        labels
            .iter()
            .rev()
            .find(|(lk, _)| lk == k)
            .map(|(_, v)| v.as_str())
    };
    for term in split_top(selector) {
        if term.trim().is_empty() {
            continue;
        }
        let ok = match parse_req(&term)? {
            Req::Eq(k, v) => get(&k) == Some(v.as_str()),
            Req::Ne(k, v) => get(&k) != Some(v.as_str()),
            Req::In(k, vs) => get(&k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(&k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Exists(k) => get(&k).is_some(),
            Req::NotExists(k) => get(&k).is_none(),
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors() {
        let l = vec![
            ("app".to_string(), "kafka".to_string()),
            ("tier".into(), "b".into()),
        ];
        assert!(label_match("app=kafka", &l).unwrap());
        assert!(label_match("app in (kafka, zk),tier", &l).unwrap());
        assert!(!label_match("app notin (kafka)", &l).unwrap());
        assert!(label_match("!missing,tier!=a", &l).unwrap());
        assert!(!label_match("missing", &l).unwrap());
    }
}
