//! One resource being built, with the identity bookkeeping kustomize keeps beside it.

use kafkalint_syntax::{Node, Span};

use crate::tree::{self, text};

#[derive(Clone, Debug, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = parse_gv(api_version);
        Gvk {
            group,
            version,
            kind: kind.to_string(),
        }
    }

    /// True when every non-empty field of `sel` equals ours.
    pub fn is_selected_by(&self, sel: &Gvk) -> bool {
        (sel.group.is_empty() || sel.group == self.group)
            && (sel.version.is_empty() || sel.version == self.version)
            && (sel.kind.is_empty() || sel.kind == self.kind)
    }

    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped_kind(&self.group, &self.kind)
    }
}

/// `group/version` split as kustomize's resource ids do it: no slash means core group.
pub fn parse_gv(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

/// Built-in kinds that live outside namespaces; everything else (custom resources included)
/// is namespaced, as kustomize assumes.
fn is_cluster_scoped_kind(group: &str, kind: &str) -> bool {
    match kind {
        "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus" => group.is_empty(),
        "ClusterRole" | "ClusterRoleBinding" => group == "rbac.authorization.k8s.io",
        "CustomResourceDefinition" => group == "apiextensions.k8s.io",
        "StorageClass" | "CSIDriver" | "CSINode" | "VolumeAttachment" => group == "storage.k8s.io",
        "PriorityClass" => group == "scheduling.k8s.io",
        "MutatingWebhookConfiguration"
        | "ValidatingWebhookConfiguration"
        | "ValidatingAdmissionPolicy"
        | "ValidatingAdmissionPolicyBinding" => group == "admissionregistration.k8s.io",
        "APIService" => group == "apiregistration.k8s.io",
        "IngressClass" => group == "networking.k8s.io",
        "RuntimeClass" => group == "node.k8s.io",
        "PodSecurityPolicy" => group == "policy" || group == "extensions",
        "CertificateSigningRequest" => group == "certificates.k8s.io",
        "FlowSchema" | "PriorityLevelConfiguration" => group == "flowcontrol.apiserver.k8s.io",
        "TokenReview" => group == "authentication.k8s.io",
        "SelfSubjectAccessReview" | "SelfSubjectRulesReview" | "SubjectAccessReview" => {
            group == "authorization.k8s.io"
        }
        _ => false,
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// Namespace with kustomize's defaulting: "" means "default" for namespaced kinds, and
    /// cluster-scoped kinds have none.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            "~X"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    pub fn ns_equals(&self, o: &ResId) -> bool {
        self.effective_namespace() == o.effective_namespace()
    }

    pub fn equals(&self, o: &ResId) -> bool {
        self.gvk == o.gvk && self.name == o.name && self.ns_equals(o)
    }

    pub fn display(&self) -> String {
        let ns = if self.namespace.is_empty() {
            "[noNs]".to_string()
        } else {
            self.namespace.clone()
        };
        let mut s = self.gvk.kind.clone();
        if !self.gvk.version.is_empty() {
            s.push('.');
            s.push_str(&self.gvk.version);
        }
        if !self.gvk.group.is_empty() {
            s.push('.');
            s.push_str(&self.gvk.group);
        }
        format!("{s}/{}.{ns}", self.name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    Create,
    Merge,
    Replace,
}

/// Generator bookkeeping for ConfigMaps and Secrets made by this build.
#[derive(Clone, Debug)]
pub struct GenInfo {
    pub behavior: Behavior,
    pub hash: bool,
    /// Where the generator's `name:` is, for the hash suffix's provenance.
    pub name_span: Span,
}

#[derive(Clone, Debug)]
pub struct Resource {
    pub node: Node,
    /// Identity as first loaded; patches, selectors and references match on it.
    pub org: ResId,
    /// Every identity the resource had before renames, oldest first.
    pub prev: Vec<ResId>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    pub gen: Option<GenInfo>,
}

impl Resource {
    pub fn new(node: Node) -> Resource {
        let mut r = Resource {
            node,
            org: ResId::default(),
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            gen: None,
        };
        r.org = r.cur_id();
        r
    }

    pub fn kind(&self) -> &str {
        text(self.node.get("kind")).unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        text(self.node.get("apiVersion")).unwrap_or("")
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    pub fn name(&self) -> &str {
        text(self.node.path(&["metadata", "name"])).unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        text(self.node.path(&["metadata", "namespace"])).unwrap_or("")
    }

    pub fn cur_id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// All identities this resource answers to: current, then previous ones.
    pub fn all_ids(&self) -> Vec<ResId> {
        let mut v = vec![self.cur_id()];
        v.extend(self.prev.iter().cloned());
        if !v.contains(&self.org) {
            v.push(self.org.clone());
        }
        v
    }

    /// Remember the current identity before it changes.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.prev.push(id);
    }

    pub fn set_name(&mut self, name: &str, span: Span) {
        if let Some(meta) = tree::ensure_map(&mut self.node, "metadata", span) {
            tree::set(meta, "name", span, tree::str_node(name, span));
        }
    }

    pub fn set_namespace(&mut self, ns: &str, span: Span) {
        if let Some(meta) = tree::ensure_map(&mut self.node, "metadata", span) {
            tree::set(meta, "namespace", span, tree::str_node(ns, span));
        }
    }

    pub fn labels(&self) -> Vec<(String, String)> {
        string_pairs(self.node.path(&["metadata", "labels"]))
    }

    pub fn annotations(&self) -> Vec<(String, String)> {
        string_pairs(self.node.path(&["metadata", "annotations"]))
    }

    /// kustomize's comparison of name prefix/suffix stacks: equal on their common tail.
    pub fn prefixes_suffixes_equal(&self, o: &Resource) -> bool {
        same_ending(&self.prefixes, &o.prefixes) && same_ending(&self.suffixes, &o.suffixes)
    }
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    a.iter().rev().zip(b.iter().rev()).all(|(x, y)| x == y)
}

fn string_pairs(node: Option<&Node>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(n) = node {
        for (k, v) in n.as_map() {
            if let Some(ks) = k.as_str() {
                out.push((ks.to_string(), v.as_str().unwrap_or("").to_string()));
            }
        }
    }
    out
}
